"""bench/compare_programs.py -- the `programs` workload group: whole Python
programs run by refpy on each thread-safe variant and by CPython, in the same
interleaved run (bench/README.md, "The programs").

Two kinds of program:
- The benchmark programs, bench/programs/*.py: each defines bench(n) and
  returns its answer as text. They run as weak scaling: the program's
  definitions, then T threads that each call bench(n) once (one program per
  thread, sharing the module's globals as a Python program's threads do),
  timed from the first start to the last join, T = 1 and 2. The driver is
  the program's own text with its `if __name__ == "__main__":` block
  replaced by DRIVER below, so refpy and CPython run the same code.
- The seeds' programs as a reader types them, lang/seeds/*_verbatim.py, run
  unchanged; their own printed timings ("Time with threads: 1.23 seconds")
  are parsed, and compare_claims.py judges the seeds' claims from them.

Every run is its own process; the runners (refpy_<variant>, and each
--python) are interleaved as the workloads' variants are: repetition r runs
every runner before r+1 runs any, in an order rotated each time.
"""
import fnmatch
import os
import re
import statistics
import subprocess
import sys
import tempfile

from compare_stats import fmt_x, geomean


# ---- what runs: the runners and the programs -----------------------------------------------------

# ---- what runs: the runners and the programs -----------------------------------------------------

PROBE = ("import platform, sys, sysconfig; print(platform.python_implementation(), "
         "'%d.%d' % sys.version_info[:2], "
         "'t' if sysconfig.get_config_var('Py_GIL_DISABLED') else '')")


def python_label(path):
    """'CPython 3.11', 'CPython 3.13t' (a free-threaded build), 'PyPy 3.10', or
    None if path does not run as a Python interpreter."""
    try:
        out = subprocess.run([path, "-c", PROBE], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    words = out.stdout.split()
    if out.returncode != 0 or len(words) not in (2, 3) or not re.fullmatch(r"\d+\.\d+", words[1]):
        return None
    return "%s %s%s" % (words[0], words[1], words[2] if len(words) == 3 else "")


def runners(args, variants, info):
    """[{name, cmd, kind, gil}]: refpy_<variant> for each thread-safe variant
    (the others would race in the programs' threads), then each --python."""
    out = []
    for v in variants:
        refpy = os.path.join(args.refpy_dir, "refpy_" + v)
        if not info[v]["thread_safe"]:
            continue
        if not os.access(refpy, os.X_OK):
            sys.stderr.write("compare: %s is missing; refpy-%s left out of the programs\n" % (
                refpy, v))
            continue
        out.append({"name": "refpy-" + v, "cmd": [refpy], "kind": "refpy",
                    "gil": not info[v]["parallel"]})
    for path in args.python:
        label = python_label(path)
        if label is None:
            sys.stderr.write("compare: --python %s does not run as Python; left out\n" % path)
            continue
        name = label
        while any(r["name"] == name for r in out):  # two interpreters of one version
            name += "'"
        out.append({"name": name, "cmd": [path], "kind": "python", "gil": not label.endswith("t")})
    return out


MAIN_GUARD = re.compile(r'^if __name__ == "__main__":$', re.M)
SIZE_LINE = {kind: re.compile(r"^# %s: (\d+)\s*$" % kind, re.M) for kind in ("test", "compare")}

# The seeds' programs, with the arguments a run gives them (default, quick).
# count_verbatim runs at its own default, N = 10**7, as a reader runs it:
# at 4 * 10**6 CPython counts in 0.07 s, and starting two processes
# (0.03 s or more) decided whether they "ran in parallel". The quick ones
# only check that the programs run: no claim is judged from them.
SEED_ARGS = {
    "count_verbatim": ([], ["100000"]),
    "io_bound_verbatim": (["8", "10", "0.02"], ["4", "5", "0.005"]),
}


def wanted(args, name):
    """--workloads selects the group by `programs`, or single programs by name
    or pattern (prog_nbody, 'prog_*', seed_count_verbatim)."""
    if not args.workloads:
        return True
    pats = args.workloads.split(",")
    return "programs" in pats or any(fnmatch.fnmatchcase(name, p) for p in pats)


def programs_wanted(args):
    """The programs this run measures: [{name, path, source, n, expected}] for
    bench/programs/*.py, then [{name, path, argv}] for the seeds. Called
    before anything is measured, so that a program compare cannot read stops
    the run at once (SystemExit), not after the workloads.

    A benchmark program runs at its `# compare: N` size (about 0.2 s under
    CPython 3.11 on this project's machine, smaller than its default size,
    so that the group adds minutes, not a quarter of an hour, to a default
    run), or in --quick at its `# test: N` size, its answer then checked
    against its .expected file."""
    folder = os.path.join(args.bin_dir, "programs")
    names = sorted(f[:-3] for f in os.listdir(folder) if f.endswith(".py")) \
        if os.path.isdir(folder) else []
    progs = []
    for name in names:
        if not wanted(args, "prog_" + name):
            continue
        path = os.path.join(folder, name + ".py")
        with open(path) as fh:
            src = fh.read()
        kind = "test" if args.quick else "compare"
        guard, size = MAIN_GUARD.search(src), SIZE_LINE[kind].search(src)
        if not (guard and size):
            raise SystemExit("compare: %s lacks a `# %s: N` line or an "
                             "`if __name__ == \"__main__\":` block" % (path, kind))
        expected = None
        if args.quick:
            with open(path[:-3] + ".expected") as fh:
                expected = fh.read().rstrip("\n")
        # What follows the __main__ block is dropped with it: the programs
        # end there.
        progs.append({"name": "prog_" + name, "path": path, "source": src[:guard.start()],
                      "n": int(size.group(1)), "expected": expected})
    seeds = [{"name": "seed_" + name, "path": os.path.join(args.seeds_dir, name + ".py"),
              "argv": quick if args.quick else full}
             for name, (full, quick) in SEED_ARGS.items() if wanted(args, "seed_" + name)]
    missing = [p["path"] for p in seeds if not os.path.isfile(p["path"])]
    if (not names and not args.workloads) or missing:
        raise SystemExit("compare: the programs group cannot find %s (bench/BUILD's "
                         "PROGRAMS_DATA puts them in the runfiles)" % (missing or [folder]))
    return progs, seeds


# ---- running one ------------------------------------------------------------------------------

# Appended to a benchmark program in place of its __main__ block. Its own
# names start with _weak; it uses the builtins all, int, print and range,
# which the programs leave alone. A thread whose bench(n) raised leaves
# None, and the run then fails (CPython only prints a thread's exception
# and would exit 0).
DRIVER = '''
import sys as _weak_sys
import threading as _weak_threading
import time as _weak_time


def _weak_one(results, k, n):
    results[k] = bench(n)


def _weak_main():
    threads, n = int(_weak_sys.argv[1]), int(_weak_sys.argv[2])
    results = [None] * threads
    workers = [_weak_threading.Thread(target=_weak_one, args=(results, k, n))
               for k in range(threads)]
    start = _weak_time.perf_counter()
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    elapsed = _weak_time.perf_counter() - start
    if None in results:
        print("a thread's bench(n) failed")
        _weak_sys.exit(1)
    print(f"ELAPSED {elapsed:.6f}")
    print(f"AGREE {all(r == results[0] for r in results)}")
    print(results[0])


_weak_main()
'''


def run_process(cmd, timeout):
    """(stdout, problem, hung): problem is None or a one-line reason."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, errors="replace")
    except subprocess.TimeoutExpired:
        return "", "hung: killed after %.0f s" % timeout, True
    if p.returncode != 0:
        last = [l for l in (p.stderr + p.stdout).strip().splitlines() if l.strip()]
        return p.stdout, "exited with status %d%s" % (
            p.returncode, (": " + last[-1][:160]) if last else ""), False
    return p.stdout, None, False


def run_benchmark(runner, prog, driver_path, threads, timeout):
    """One repetition: {seconds, output, problem, hung}."""
    out, problem, hung = run_process(runner["cmd"] + [driver_path, str(threads), str(prog["n"])],
                                     timeout)
    if problem:
        return {"seconds": None, "output": None, "problem": problem, "hung": hung}
    head, _, rest = out.partition("\n")
    agree, _, text = rest.partition("\n")
    if not head.startswith("ELAPSED ") or not agree.startswith("AGREE "):
        return {"seconds": None, "output": None, "problem": "no ELAPSED/AGREE lines in its output",
                "hung": False}
    problem = None if agree == "AGREE True" else "the threads' answers differ"
    return {"seconds": float(head[8:]), "output": text.rstrip("\n"), "problem": problem,
            "hung": False}


SEED_TIME = re.compile(r"^(Time (?:without threads|with threads|with processes)|Sequential|Threaded)"
                       r": (\d+\.\d+) seconds$", re.M)


def run_seed(runner, prog, timeout):
    """One repetition of a verbatim seed program: {times: {label: s}, output,
    problem, hung}."""
    out, problem, hung = run_process(runner["cmd"] + [prog["path"]] + prog["argv"], timeout)
    times = {m.group(1): float(m.group(2)) for m in SEED_TIME.finditer(out)}
    if not problem and not times:
        problem = "printed no timing line"
    # Everything but the timings must be the reference's (the seeds' tests
    # check the same against the .expected files): kept to compare runners.
    rest = SEED_TIME.sub(r"\1: N.NN seconds", out)
    rest = re.sub(r"elapsed: \d+\.\dx", "elapsed: N.Nx", rest)
    return {"times": times, "output": None if problem else rest, "problem": problem, "hung": hung}


# ---- the measurement loop -------------------------------------------------------------------

def measure_programs(args, variants, info, progs, seeds, progress_cls):
    """Runs the group (programs_wanted's progs and seeds); returns
    {"runners": [...], "rows": [...], "quick": bool} for results.json
    (data["programs"])."""
    rs = runners(args, variants, info)
    if not rs or not (progs or seeds):
        return {"runners": rs, "rows": [], "quick": args.quick}
    reps = min(args.reps, 3)  # whole programs: 3 repetitions give a median
    # A whole program at 2 threads under the slowest runner takes seconds;
    # the workloads' timeout (default 20 s) would be too tight on a busy machine.
    timeout = max(args.timeout, 60.0)
    cells = [(p, t) for p in progs for t in (1, 2)] + [(p, None) for p in seeds]
    sys.stderr.write("programs: %d benchmark programs at 1 and 2 threads and %d seed programs, "
                     "on %s, %d reps\n" % (len(progs), len(seeds), ", ".join(r["name"] for r in rs),
                                           reps))
    prog = progress_cls(reps * len(cells) * len(rs))
    runs, hung = {}, set()  # hung: (program, runner) that hung once; not run again
    with tempfile.TemporaryDirectory(prefix="refcore-programs-") as tmp:
        drivers = {}
        for p in progs:
            drivers[p["name"]] = os.path.join(tmp, p["name"][5:] + ".py")
            with open(drivers[p["name"]], "w") as f:
                f.write(p["source"] + DRIVER)
        for p, t in cells:
            for rep in range(reps):
                k = rep % len(rs)
                for r in rs[k:] + rs[:k]:  # rotated, as the workloads' variants
                    prog.show("%s %s%s rep %d/%d" % (r["name"], p["name"],
                                                     " t=%d" % t if t else "", rep + 1, reps))
                    key = (p["name"], r["name"], t)
                    if (p["name"], r["name"]) in hung:  # one hang is enough to know
                        runs[key].append(dict(runs[key][-1]) if key in runs else
                                         {"seconds": None, "output": None, "times": {},
                                          "problem": "not run: it hung before", "hung": True})
                        continue
                    if t is None:
                        one = run_seed(r, p, timeout)
                    else:
                        one = run_benchmark(r, p, drivers[p["name"]], t, timeout)
                    if one["hung"]:
                        hung.add((p["name"], r["name"]))
                    runs.setdefault(key, []).append(one)
    prog.end()
    return {"runners": rs, "rows": program_rows(progs, seeds, rs, runs), "quick": args.quick}


def reference_output(prog, rs, runs):
    """What every runner must print for prog, and where it comes from: the
    .expected file in --quick; else the first Python's answer (CPython is
    the reference); else refpy-gil's; else none (every row is then judged
    only by its threads agreeing). Runs with a problem give no answer."""
    if prog.get("expected") is not None:
        return prog["expected"], "the .expected file"
    order = [r for r in rs if r["kind"] == "python"] + [r for r in rs if r["name"] == "refpy-gil"]
    for r in order:
        outs = [x["output"] for (n, rn, _), xs in runs.items() if n == prog["name"] and rn == r["name"]
                for x in xs if x["output"] is not None and not x["problem"]]
        if outs:
            return outs[0], r["name"] + "'s answer"
    return None, ""


def program_rows(progs, seeds, rs, runs):
    rows = []
    for p in progs + seeds:
        ref, ref_from = reference_output(p, rs, runs)
        for r in rs:
            for t in ([None] if "argv" in p else [1, 2]):
                xs = runs.get((p["name"], r["name"], t), [])
                if not xs:
                    continue
                problems = [x["problem"] for x in xs if x["problem"]]
                if not problems and ref is not None and any(x["output"] != ref for x in xs):
                    problems.append("output differs from %s" % ref_from)
                row = {"program": p["name"], "runner": r["name"], "kind": r["kind"],
                       "gil": r["gil"], "threads": t, "reps": len(xs), "correct": not problems,
                       "detail": problems[0] if problems else "", "reference": ref_from}
                if t is not None:
                    times = [x["seconds"] for x in xs if x["seconds"]]
                    row.update(n=p["n"], times_s=times,
                               median_s=statistics.median(times) if times else None,
                               min_s=min(times) if times else None,
                               max_s=max(times) if times else None)
                else:
                    labels = list(dict.fromkeys(l for x in xs for l in x["times"]))  # as printed
                    row.update(argv=p["argv"], times_s={
                        l: [x["times"][l] for x in xs if l in x["times"]] for l in labels},
                        median_s={l: statistics.median([x["times"][l] for x in xs if l in x["times"]])
                                  for l in labels})
                rows.append(row)
    program_ratios(rows)
    return rows


def program_ratios(rows):
    """The 2-thread speedup (weak scaling: 2 x the 1-thread time over the
    2-thread time) and the 1-thread cost against refpy-gil, from correct
    rows only: a wrong answer's time says nothing."""
    one = {(r["program"], r["runner"]): r for r in rows if r["threads"] == 1 and r["correct"]}
    for r in rows:
        if r["threads"] is None:
            continue
        b = one.get((r["program"], r["runner"]))
        g = one.get((r["program"], "refpy-gil"))
        ok = r["correct"] and r["median_s"]
        r["speedup"] = (2.0 * b["median_s"] / r["median_s"]
                        if ok and r["threads"] == 2 and b and b["median_s"] else None)
        r["cost_vs_refpy_gil"] = (r["median_s"] / g["median_s"]
                                  if ok and r["threads"] == 1 and g and g["median_s"] else None)


# ---- what the report shows ----------------------------------------------------------------------

def find_row(rows, program, runner, threads):
    for r in rows:
        if (r["program"], r["runner"], r["threads"]) == (program, runner, threads):
            return r
    return None


def one_thread_costs(programs):
    """{runner: geomean of its 1-thread time over refpy-gil's} for every
    runner, and the free-threaded CPython's over the GIL CPython's when both
    ran: the figure to hold against CPython's published 5-10%."""
    rows = programs.get("rows", [])
    names = sorted({r["program"] for r in rows if r["threads"] == 1})
    out = {}
    for rn in programs.get("runners", []):
        if rn["name"] == "refpy-gil":
            continue
        out[rn["name"] + " / refpy-gil"] = geomean(
            [(find_row(rows, n, rn["name"], 1) or {}).get("cost_vs_refpy_gil") for n in names])
    cps = [r for r in programs.get("runners", []) if r["kind"] == "python"]
    for ft in [r for r in cps if not r["gil"]]:
        for g in [r for r in cps if r["gil"]]:
            ratios = []
            for n in names:
                a, b = find_row(rows, n, ft["name"], 1), find_row(rows, n, g["name"], 1)
                if a and b and a["median_s"] and b["median_s"]:
                    ratios.append(a["median_s"] / b["median_s"])
            out[ft["name"] + " / " + g["name"]] = geomean(ratios)
    return out


def secs(x):
    return "-" if x is None else "%.3f" % x


def program_lines(programs, ctl2):
    """The markdown tables: time per program per runner, the 1-thread costs,
    the 2-thread speedups, and the seeds' programs' own timings."""
    rows, rs = programs.get("rows", []), programs.get("runners", [])
    bench_names = list(dict.fromkeys(r["program"] for r in rows if r["threads"] is not None))
    seed_names = list(dict.fromkeys(r["program"] for r in rows if r["threads"] is None))
    names = [r["name"] for r in rs]
    cps = [r["name"] for r in rs if r["kind"] == "python"]
    L = []
    if bench_names:
        L += ["### One thread: seconds per program (median; minimum in brackets)", "",
              "| program | n | " + " | ".join(names) + "".join(
                  " | refpy-gil / %s" % c for c in cps) + " |",
              "|---|---|" + "---|" * (len(names) + len(cps))]
        for n in bench_names:
            cells = []
            for rn in names:
                r = find_row(rows, n, rn, 1)
                cells.append("-" if not r else ("%s (%s)" % (secs(r["median_s"]), secs(r["min_s"]))
                                               if r["correct"] else "WRONG: " + r["detail"]))
            g = find_row(rows, n, "refpy-gil", 1)
            for c in cps:
                cr = find_row(rows, n, c, 1)
                cells.append(fmt_x(g["median_s"] / cr["median_s"]) if g and cr and g["median_s"]
                             and cr["median_s"] else "-")
            size = (find_row(rows, n, names[0], 1) or {}).get("n", "")
            L.append("| %s | %s | %s |" % (n[5:], size, " | ".join(cells)))
        L.append("")
        costs = one_thread_costs(programs)
        L += ["### One thread: the cost of each runtime, geometric mean over the programs", "",
              "refpy-nogil / refpy-gil is refcore's free-threading tax on whole programs, "
              "the figure to hold against CPython's published 5-10% (and against the "
              "free-threaded CPython / CPython row when both were given with --python).", "",
              "| ratio | geomean |", "|---|---|"]
        L += ["| %s | %s |" % (k, fmt_x(v)) for k, v in costs.items() if v]
        L.append("")
        L += ["### Two threads, one program each (weak scaling): speedup over one thread", "",
              "2 x (1-thread time) / (2-thread time): 2.00x is perfect, 1.00x is taking turns. "
              "The control reached %s on 2 threads in this run." % fmt_x(ctl2), "",
              "| program | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
        for n in bench_names:
            cells = []
            for rn in names:
                r = find_row(rows, n, rn, 2)
                cells.append("-" if not r else (fmt_x(r["speedup"]) if r["correct"]
                                               else "WRONG: " + r["detail"]))
            L.append("| %s | %s |" % (n[5:], " | ".join(cells)))
        L.append("| geomean | %s |" % " | ".join(
            fmt_x(geomean([(find_row(rows, n, rn, 2) or {}).get("speedup") for n in bench_names]))
            for rn in names))
        L.append("")
    if seed_names:
        L += ["### The seeds' programs as a reader types them: their own timings (median)", "",
              "lang/seeds/*_verbatim.py run unchanged by every runner; the times are the "
              "ones the programs print. The claims above are judged from them too.", "",
              "| program | arguments | runner | timings (s) | output as CPython's |",
              "|---|---|---|---|---|"]
        for n in seed_names:
            for rn in names:
                r = find_row(rows, n, rn, None)
                if not r:
                    continue
                t = ", ".join("%s %.2f" % (k, v) for k, v in r["median_s"].items())
                L.append("| %s | %s | %s | %s | %s |" % (
                    n[5:], " ".join(r["argv"]) or "(its defaults)", rn, t or "-",
                    "yes" if r["correct"] else "NO: " + r["detail"]))
        L.append("")
    return L


def terminal_lines(programs):
    """A short form for the terminal: each program's 1-thread time and
    2-thread speedup per runner, and the 1-thread cost geomeans."""
    rows, rs = programs.get("rows", []), programs.get("runners", [])
    names = [r["name"] for r in rs]
    L = ["  %-16s" % "program" + "".join(" %20s" % n[:20] for n in names),
         "  %-16s" % "" + "".join(" %20s" % "1t s / 2t speedup" for _ in names)]
    for n in dict.fromkeys(r["program"] for r in rows if r["threads"] is not None):
        cells = []
        for rn in names:
            a, b = find_row(rows, n, rn, 1), find_row(rows, n, rn, 2)
            if (a and not a["correct"]) or (b and not b["correct"]):
                cells.append("WRONG")
            else:
                cells.append("%s / %s" % (secs((a or {}).get("median_s")),
                                           fmt_x((b or {}).get("speedup"))))
        L.append("  %-16s" % n[5:] + "".join(" %20s" % c for c in cells))
    for n in dict.fromkeys(r["program"] for r in rows if r["threads"] is None):
        for rn in names:
            r = find_row(rows, n, rn, None)
            if r:
                L.append("  %-16s %-20s %s" % (n[5:], rn, "WRONG: " + r["detail"] if not r["correct"]
                                               else ", ".join("%s %.2f s" % kv for kv in r["median_s"].items())))
    for k, v in one_thread_costs(programs).items():
        if v:
            L.append("  1-thread geomean %s: %s" % (k, fmt_x(v)))
    return L


# ---- the seeds' claims, from the verbatim programs ------------------------------------------------

