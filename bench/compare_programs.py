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

def python_label(path):
    """'CPython 3.11' or 'CPython 3.13t' (a free-threaded build), or None if
    path does not run as a Python interpreter."""
    probe = ("import sys, sysconfig; print('%d.%d' % sys.version_info[:2], "
             "'t' if sysconfig.get_config_var('Py_GIL_DISABLED') else '')")
    try:
        out = subprocess.run([path, "-c", probe], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    version, _, ft = out.stdout.strip().partition(" ")
    return "CPython " + version + ft.strip()


def runners(args, variants, info):
    """[{name, cmd, kind, gil}]: refpy_<variant> for each thread-safe variant
    (the others would race in the programs' threads), then each --python."""
    out = []
    for v in variants:
        refpy = os.path.join(args.refpy_dir, "refpy_" + v)
        if info[v]["thread_safe"] and os.access(refpy, os.X_OK):
            out.append({"name": "refpy-" + v, "cmd": [refpy], "kind": "refpy", "variant": v,
                        "gil": not info[v]["parallel"]})
    for path in args.python:
        label = python_label(path)
        if label is None:
            sys.stderr.write("compare: --python %s does not run as Python; left out\n" % path)
            continue
        name = label
        while any(r["name"] == name for r in out):  # two interpreters of one version
            name += "'"
        out.append({"name": name, "cmd": [path], "kind": "cpython", "path": path,
                    "gil": not label.endswith("t")})
    return out


MAIN_GUARD = re.compile(r'^if __name__ == "__main__":$', re.M)
SIZE_LINE = {kind: re.compile(r"^# %s: (\d+)\s*$" % kind, re.M) for kind in ("test", "compare")}


def benchmark_programs(args):
    """[{name, path, source, n, expected}] from bench/programs/, each with the
    size this run uses: its `# test:` size and .expected output in quick mode,
    its `# compare:` size otherwise (about 0.2 s under CPython 3.11 on this
    project's machine: half its default size or less, so that the group
    adds minutes, not a quarter of an hour, to a default run)."""
    folder = os.path.join(args.bin_dir, "programs")
    out = []
    for f in sorted(os.listdir(folder)):
        if not f.endswith(".py"):
            continue
        path = os.path.join(folder, f)
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
        out.append({"name": "prog_" + f[:-3], "path": path, "source": src[:guard.start()],
                    "n": int(size.group(1)),
                    "expected": expected})
    return out


# The seeds' programs, with the arguments a run gives them: big enough that
# the two-decimal times they print resolve a few percent, small enough that
# a repetition takes seconds.
SEED_ARGS = {
    "count_verbatim": (["4000000"], ["100000"]),  # (default, quick)
    "io_bound_verbatim": (["8", "10", "0.02"], ["4", "5", "0.005"]),
}


def seed_programs(args):
    out = []
    for name, (full, quick) in SEED_ARGS.items():
        out.append({"name": "seed_" + name, "path": os.path.join(args.seeds_dir, name + ".py"),
                    "argv": quick if args.quick else full})
    return out


def wanted(args, name):
    """--workloads selects the group by `programs`, or single programs by name
    or pattern (prog_nbody, 'prog_*', seed_count_verbatim)."""
    if not args.workloads:
        return True
    pats = args.workloads.split(",")
    return "programs" in pats or any(fnmatch.fnmatchcase(name, p) for p in pats)


# ---- running one ------------------------------------------------------------------------------

# Appended to a benchmark program in place of its __main__ block. The names
# start with _weak so that they cannot meet a program's own.
DRIVER = '''
import threading as _weak_threading
import time as _weak_time


def _weak_one(results, k, n):
    results[k] = bench(n)


def _weak_main():
    threads, n = int(sys.argv[1]), int(sys.argv[2])
    results = [None] * threads
    workers = [_weak_threading.Thread(target=_weak_one, args=(results, k, n))
               for k in range(threads)]
    start = _weak_time.perf_counter()
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    elapsed = _weak_time.perf_counter() - start
    print(f"ELAPSED {elapsed:.6f}")
    print(f"AGREE {all(r == results[0] for r in results)}")
    print(results[0])


_weak_main()
'''


def run_process(cmd, timeout):
    """(returncode, stdout, problem): problem is None or a one-line reason."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, errors="replace")
    except subprocess.TimeoutExpired:
        return None, "", "hung: killed after %.0f s" % timeout
    if p.returncode != 0:
        last = [l for l in p.stderr.strip().splitlines() if l.strip()]
        return p.returncode, p.stdout, "exited with status %d%s" % (
            p.returncode, (": " + last[-1][:160]) if last else "")
    return 0, p.stdout, None


def run_benchmark(runner, prog, driver_path, threads, timeout):
    """One repetition: {seconds, output, problem}."""
    rc, out, problem = run_process(runner["cmd"] + [driver_path, str(threads), str(prog["n"])],
                                   timeout)
    if problem:
        return {"seconds": None, "output": None, "problem": problem}
    head, _, rest = out.partition("\n")
    agree, _, text = rest.partition("\n")
    if not head.startswith("ELAPSED ") or not agree.startswith("AGREE "):
        return {"seconds": None, "output": None, "problem": "no ELAPSED/AGREE lines in its output"}
    problem = None if agree == "AGREE True" else "the threads' answers differ"
    return {"seconds": float(head[8:]), "output": text.rstrip("\n"), "problem": problem}


SEED_TIME = re.compile(r"^(Time (?:without threads|with threads|with processes)|Sequential|Threaded)"
                       r": (\d+\.\d+) seconds$", re.M)


def run_seed(runner, prog, timeout):
    """One repetition of a verbatim seed program: {times: {label: s}, output, problem}."""
    rc, out, problem = run_process(runner["cmd"] + [prog["path"]] + prog["argv"], timeout)
    times = {m.group(1): float(m.group(2)) for m in SEED_TIME.finditer(out)}
    if not problem and not times:
        problem = "printed no timing line"
    # Everything but the timings must be CPython's (the seeds' tests check the
    # same against the .expected files): kept to compare across runners.
    rest = SEED_TIME.sub(r"\1: N.NN seconds", out)
    rest = re.sub(r"elapsed: \d+\.\dx", "elapsed: N.Nx", rest)
    return {"times": times, "output": rest, "problem": problem}


# ---- the measurement loop -------------------------------------------------------------------

def measure_programs(args, variants, info, progress_cls):
    """Runs the group; returns {"runners": [...], "rows": [...]} for
    results.json (data["programs"])."""
    rs = runners(args, variants, info)
    progs = [p for p in benchmark_programs(args) if wanted(args, p["name"])]
    seeds = [p for p in seed_programs(args) if wanted(args, p["name"])]
    if not rs or not (progs or seeds):
        return {"runners": rs, "rows": []}
    reps = min(args.reps, 3)  # whole programs: 3 repetitions give a median
    timeout = max(args.timeout, 120.0)
    threads = [1, 2]
    cells = [(p, t) for p in progs for t in threads] + [(p, None) for p in seeds]
    sys.stderr.write("programs: %d benchmark programs at 1 and 2 threads and %d seed programs, "
                     "on %s, %d reps\n" % (len(progs), len(seeds), ", ".join(r["name"] for r in rs),
                                           reps))
    prog = progress_cls(reps * len(cells) * len(rs))
    runs = {}
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
                    if t is None:
                        one = run_seed(r, p, timeout)
                    else:
                        one = run_benchmark(r, p, drivers[p["name"]], t, timeout)
                    runs.setdefault((p["name"], r["name"], t), []).append(one)
    prog.end()
    return {"runners": rs, "rows": program_rows(progs, seeds, rs, runs)}


def reference_output(prog, rs, runs):
    """What every runner must print for prog: its .expected file in quick
    mode; else the first CPython's answer (CPython is the reference); else
    the answer most runs gave."""
    if prog.get("expected") is not None:
        return prog["expected"], "the .expected file"
    for r in rs:
        if r["kind"] == "cpython":
            outs = [x["output"] for t in (1, None) for x in runs.get((prog["name"], r["name"], t), [])
                    if x["output"] is not None and not x["problem"]]
            if outs:
                return outs[0], r["name"]
    outs = [x["output"] for (n, _, _), xs in runs.items() if n == prog["name"] for x in xs
            if x["output"] is not None]
    return (max(set(outs), key=outs.count), "the most common answer") if outs else (None, "")


def program_rows(progs, seeds, rs, runs):
    rows = []
    for p in progs + seeds:
        ref, ref_from = reference_output(p, rs, runs)
        for r in rs:
            for t in ([1, 2] if p in progs else [None]):
                xs = runs.get((p["name"], r["name"], t), [])
                if not xs:
                    continue
                problems = [x["problem"] for x in xs if x["problem"]]
                if not problems and any(x["output"] != ref for x in xs):
                    problems.append("output differs from %s" % ref_from)
                row = {"program": p["name"], "runner": r["name"], "kind": r["kind"],
                       "gil": r["gil"], "threads": t, "reps": len(xs), "correct": not problems,
                       "detail": problems[0] if problems else ""}
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
    derive(rows, rs)
    return rows


def derive(rows, rs):
    """The 2-thread speedup (weak scaling: 2 x the 1-thread time over the
    2-thread time) and the 1-thread cost against refpy-gil."""
    one = {(r["program"], r["runner"]): r for r in rows if r["threads"] == 1}
    for r in rows:
        if r["threads"] is None:
            continue
        b = one.get((r["program"], r["runner"]))
        g = one.get((r["program"], "refpy-gil"))
        r["speedup"] = (2.0 * b["median_s"] / r["median_s"]
                        if r["threads"] == 2 and b and b["median_s"] and r["median_s"] else None)
        r["cost_vs_refpy_gil"] = (r["median_s"] / g["median_s"]
                                  if r["threads"] == 1 and g and g["median_s"] and r["median_s"]
                                  else None)


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
    cps = [r for r in programs.get("runners", []) if r["kind"] == "cpython"]
    for ft in [r for r in cps if not r["gil"]]:
        for g in [r for r in cps if r["gil"]]:
            ratios = []
            for n in names:
                a, b = find_row(rows, n, ft["name"], 1), find_row(rows, n, g["name"], 1)
                if a and b and a["median_s"] and b["median_s"]:
                    ratios.append(a["median_s"] / b["median_s"])
            out[ft["name"] + " / " + g["name"]] = geomean(ratios)
    return out


def nogil_cost(programs):
    """refpy-nogil's 1-thread geomean over refpy-gil, or None."""
    return one_thread_costs(programs).get("refpy-nogil / refpy-gil")


def secs(x):
    return "-" if x is None else "%.3f" % x


def program_lines(programs, ctl2):
    """The markdown tables: time per program per runner, the 1-thread costs,
    the 2-thread speedups, and the seeds' programs' own timings."""
    rows, rs = programs.get("rows", []), programs.get("runners", [])
    bench_names = list(dict.fromkeys(r["program"] for r in rows if r["threads"] is not None))
    seed_names = list(dict.fromkeys(r["program"] for r in rows if r["threads"] is None))
    names = [r["name"] for r in rs]
    cps = [r["name"] for r in rs if r["kind"] == "cpython"]
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
                    n[5:], " ".join(r["argv"]), rn, t or "-",
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

def seed_findings(programs, ctl2, parallelism_note, scaling_verdict):
    """Findings for compare_claims' claims, keyed by the claim function's
    name without claim_: take_turns, processes, io_overlap, interp_count.
    parallelism_note and scaling_verdict are compare_claims' (passed in, so
    that this module does not import it back)."""
    rows = programs.get("rows", [])
    ok, note = parallelism_note(ctl2)
    out = {"take_turns": [], "processes": [], "io_overlap": [], "interp_count": []}
    for r in rows:
        if r["threads"] is not None or not r["correct"]:
            continue
        m = r["median_s"]
        if r["program"] == "seed_count_verbatim":
            seq = m.get("Time without threads")
            thr, proc = m.get("Time with threads"), m.get("Time with processes")
            if not (seq and thr and proc):
                continue
            where = "%s, count_verbatim.py (N=%s)" % (r["runner"], r["argv"][0])
            if r["gil"]:
                # As the workloads' row: above 1.25x is parallel whatever the machine did.
                speed = seq / thr
                out["take_turns"].append((
                    "did not hold" if speed > 1.25 else scaling_verdict(ok, True),
                    "%s: two threads took %.2f s, counting twice in a row %.2f s (%s)" % (
                        where, thr, seq, note)))
                out["processes"].append((
                    scaling_verdict(ok, proc / seq <= 0.85),
                    "%s: two processes took %.2f s, counting twice in a row %.2f s, %.2f of it (%s)"
                    % (where, proc, seq, proc / seq, note)))
            else:
                ratio = thr / seq
                if r["kind"] != "refpy":
                    verdict = "note"  # the claim is refpy's; a free-threaded CPython beside it
                elif ok and ctl2 < 1.9:
                    verdict = "inconclusive (the bar is set for a control of 1.9x or more)"
                else:
                    verdict = scaling_verdict(ok, ratio <= 0.6)
                out["interp_count"].append((verdict, "%s: two threads took %.2f of the time of "
                                            "counting twice in a row (%s)" % (where, ratio, note)))
        elif r["program"] == "seed_io_bound_verbatim":
            seq, thr = m.get("Sequential"), m.get("Threaded")
            if not (seq and thr):
                continue
            workers = int(r["argv"][0])
            verdict = "held" if seq / thr >= 0.6 * workers else "did not hold"
            out["io_overlap"].append((verdict, "%s, io_bound_verbatim.py: %d threads took %.2f s "
                                      "against %.2f s one after another, %.1fx (ideal %dx)" % (
                                          r["runner"], workers, thr, seq, seq / thr, workers)))
    return out
