#!/usr/bin/env python3
"""bench/compare.py -- the comparative suite's driver (`bazel run //bench:compare`).

Runs every workload of bench/workloads_<variant> on every variant, at 1..N
threads (and the seeds' thread-vs-process configurations), repeats each
measurement, and writes a table to the terminal and results.json,
results.csv, report.md and SVG charts to the output folder.

How it measures (see bench/README.md for how to read the results):
- Every repetition is its own process: a crash, a hang or a corrupted heap
  (the unprotected variant's threaded rows) is reported in that row, and the
  suite goes on.
- The variants are interleaved: repetition r of a cell runs every variant
  before repetition r+1 runs any, in an order rotated each repetition
  (A B, B A, A B ...), so that a slow phase of the machine hits them alike.
- Each process does an untimed warm-up round (a tenth of the work) first.
- --ops is per thread: the work grows with the thread count, so the speedup
  is the throughput at N threads over the throughput at 1.
- A control workload touching no runtime object measures the machine's own
  scaling in the same run; every speedup is also given as a fraction of it.

Standard library only (no matplotlib): the charts are SVG written by hand.
"""
import argparse
import csv
import datetime
import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import time

# What each workload is and how to run it, from the binaries' --list: each
# workload registers itself with its run shape and the roles it plays in the
# report (BENCH_WORKLOAD, bench/harness.h), so this file names none of them.
# Filled by discover(); name -> the --list entry, in report order.
WORKLOADS = {}


def with_role(role):
    """The workloads that play `role` (a claim's or a goal column's), in report order."""
    return [n for n, w in WORKLOADS.items() if role in w["roles"].split()]


def one_with_role(role):
    names = with_role(role)
    return names[0] if names else None


def shape_of(name):
    return WORKLOADS.get(name, {}).get("shape", "threads")


def shares_objects(name):
    return WORKLOADS.get(name, {}).get("shares_objects", False)


# ---- options -------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="bazel run //bench:compare --",
        description="Run every benchmark workload on every refcore variant and report.",
    )
    p.add_argument("--variants", help="comma-separated (bench/BUILD passes every variant; "
                   "default: every workloads_<variant> in --bin-dir)")
    p.add_argument("--bin-dir", required=True, help="folder of workloads_<variant> (set by compare.sh)")
    p.add_argument("--out", help="output folder (default: bench-results/ in the workspace)")
    p.add_argument("--quick", action="store_true",
                   help="1 repetition, 10%% of the work, 1-2 threads: well under a minute")
    p.add_argument("--reps", type=int, help="timed repetitions per measurement (default 5)")
    p.add_argument("--max-threads", type=int,
                   help="largest thread count (default: the number of CPUs); more than the CPUs is allowed")
    p.add_argument("--scale", type=float,
                   help="multiplies every workload's work (default 1 for up to 2 variants, 2/variants "
                   "beyond, so the default run stays near 5 minutes; quick 0.1)")
    p.add_argument("--workloads", help="comma-separated subset (default: all)")
    p.add_argument("--timeout", type=float, help="seconds before one run counts as hung (default 20, quick 10)")
    a = p.parse_args(argv)
    a.reps = a.reps or (1 if a.quick else 5)
    # a.scale stays None here: the default depends on the variant count (main).
    a.timeout = a.timeout or (10.0 if a.quick else 20.0)
    a.nproc = os.cpu_count() or 1
    a.max_threads = a.max_threads or (min(2, a.nproc) if a.quick else a.nproc)
    if a.quick:
        a.max_threads = max(a.max_threads, 2)  # two threads are what shows a race
    if a.reps < 1 or a.max_threads < 1 or (a.scale is not None and a.scale <= 0):
        p.error("--reps, --max-threads and --scale must be positive")
    if not a.out:
        root = os.environ.get("BUILD_WORKSPACE_DIRECTORY", os.getcwd())
        a.out = os.path.join(root, "bench-results")
    return a


# ---- the workload binaries -------------------------------------------------------


def binary(args, variant):
    return os.path.join(args.bin_dir, "workloads_" + variant)


def read_json_lines(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def discover(args):
    if args.variants:
        variants = [v for v in args.variants.split(",") if v]
    else:
        found = sorted(f[len("workloads_"):] for f in os.listdir(args.bin_dir)
                       if f.startswith("workloads_") and "." not in f
                       and os.access(os.path.join(args.bin_dir, f), os.X_OK))
        variants = sorted(found, key=lambda v: v != "gil")  # the reference first
    info = {v: read_json_lines([binary(args, v), "--info"])[0] for v in variants}
    workloads = read_json_lines([binary(args, variants[0]), "--list"])
    WORKLOADS.clear()
    WORKLOADS.update((w["name"], w) for w in workloads)
    if args.workloads:
        wanted = set(args.workloads.split(",")) | set(with_role("control"))
        workloads = [w for w in workloads if w["name"] in wanted]
    return variants, info, workloads


def configs(args, name):
    """(threads, processes, ops multiplier) for each row of a workload."""
    thread_counts = list(range(1, args.max_threads + 1))
    shape = shape_of(name)
    if shape == "seeds":
        # The seeds' program: count to N twice in a row, in 2 threads, in 2 processes.
        return [(1, 1, 2), (2, 1, 1), (1, 2, 1)]
    if shape == "io" and not args.quick:
        # Waiting needs no CPU: show that it overlaps beyond the cores too.
        extra = [4 * args.nproc] if 4 * args.nproc > args.max_threads else []
        return [(t, 1, 1) for t in thread_counts + extra]
    if shape == "latency":
        # Thread 0 is the sleeper; 1.. are CPU-bound.
        top = 2 if args.quick else args.max_threads + 1
        return [(t, 1, 1) for t in range(1, top + 1)]
    if shape == "gc":
        return [(1, 1, 1), (2, 1, 1)]  # the collector alone; and beside one mutator
    return [(t, 1, 1) for t in thread_counts]


def ops_for(args, w, mult):
    ops = int(w["default_ops"] * args.scale) * mult
    return max(ops, w["min_ops"] * mult, 1)


# ---- one run ---------------------------------------------------------------------


def describe_exit(rc, stderr):
    last = [l for l in stderr.strip().splitlines() if l.strip()]
    tail = (": " + last[-1][:160]) if last else ""
    if rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = "signal %d" % -rc
        return "killed by %s%s" % (name, tail)
    return "exited with status %d%s" % (rc, tail)


def run_one(args, variant, w, threads, procs, ops):
    """Runs one repetition; returns a dict with seconds (or None), correct, detail, ..."""
    cmd = [binary(args, variant), "--workload", w["name"], "--threads", str(threads),
           "--processes", str(procs), "--ops", str(ops), "--reps", "1"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout,
                           errors="replace")
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return {"seconds": None, "correct": False, "hung": True,
                "detail": "hung: killed after %.0f s" % args.timeout, "metrics": {}, "stats": {}}
    run = {"seconds": None, "correct": True, "detail": "", "metrics": {}, "stats": {}, "hung": False}
    problems = []
    ended = False
    for line in out.splitlines():
        if line.startswith("RESULT "):
            r = json.loads(line[7:])
            if not r["correct"]:
                problems.append(("warm-up: " if r["warmup"] else "") + r["detail"])
            if not r["warmup"]:
                run.update(seconds=r["seconds"], ops=r["ops"], metrics=r["metrics"], stats=r["stats"])
        elif line.startswith("END "):
            ended = True
            end = json.loads(line[4:])
            if end["leaked"] or end["stop"] != "RC_OK":
                problems.append("%d object(s) alive at runtime stop" % end["leaked"])
    if rc != 0 or not ended:
        problems.append(describe_exit(rc, err) if rc != 0 else "ended without its END line")
    if problems:
        run["correct"] = False
        run["detail"] = "; ".join(problems)
    return run


# ---- the measurement loop -----------------------------------------------------------


class Progress:
    def __init__(self, total):
        self.total, self.done, self.t0 = total, 0, time.monotonic()
        self.tty = sys.stderr.isatty()

    def show(self, what):
        self.done += 1
        el = time.monotonic() - self.t0
        left = el / self.done * (self.total - self.done)
        msg = "[%4d/%d] %-50s %3.0f%%  %s elapsed, ~%s left" % (
            self.done, self.total, what[:50], 100.0 * self.done / self.total, mmss(el), mmss(left))
        if self.tty:
            sys.stderr.write("\r" + msg + "\033[K")
        else:
            sys.stderr.write(msg + "\n")
        sys.stderr.flush()

    def end(self):
        if self.tty:
            sys.stderr.write("\n")


def mmss(s):
    return "%d:%02d" % (int(s) // 60, int(s) % 60)


def plan(args, variants, workloads):
    def cells_of(w):
        return [(w, t, p, ops_for(args, w, mult)) for t, p, mult in configs(args, w["name"])]

    is_control = set(with_role("control"))
    control = [c for w in workloads if w["name"] in is_control for c in cells_of(w)]
    others = [c for w in workloads if w["name"] not in is_control for c in cells_of(w)]
    # The machine's capacity drifts during a run (other tenants, other
    # builds), so the control runs at the start, the middle and the end, and
    # its repetitions are pooled: one slow phase cannot decide it alone.
    half = len(others) // 2
    return control + others[:half] + control + others[half:] + control


def measure(args, variants, cells):
    runs = {}  # (variant, workload, threads, procs) -> [run]
    prog = Progress(len(cells) * len(variants) * args.reps)
    hung_in = {}  # (workload, threads, procs) -> variants that hung there
    for w, threads, procs, ops in cells:
        hung = hung_in.setdefault((w["name"], threads, procs), set())
        for rep in range(args.reps):
            k = rep % len(variants)
            for v in variants[k:] + variants[:k]:  # rotated: A B, B A, ...
                key = (v, w["name"], threads, procs)
                prog.show("%s %s t=%d p=%d rep %d/%d" % (v, w["name"], threads, procs, rep + 1, args.reps))
                if v in hung:  # one hang is enough to know; do not wait again
                    runs[key].append(dict(runs[key][-1], seconds=None))
                    continue
                r = run_one(args, v, w, threads, procs, ops)
                r["ops"] = r.get("ops", ops * threads * procs)
                runs.setdefault(key, []).append(r)
                if r.get("hung"):
                    hung.add(v)
    prog.end()
    return runs


# ---- aggregation ------------------------------------------------------------------------


def aggregate(args, variants, info, workloads, runs):
    summary = {w["name"]: w["summary"] for w in workloads}
    rows = []
    for (v, wname, threads, procs), rs in runs.items():
        times = [r["seconds"] for r in rs if r["seconds"]]
        bad = [r for r in rs if not r["correct"]]
        ops = next((r["ops"] for r in rs if r["seconds"]), rs[0]["ops"])
        med = statistics.median(times) if times else None
        metrics = {}
        for m in {m for r in rs for m in r["metrics"]}:
            vals = [r["metrics"][m] for r in rs if m in r["metrics"]]
            metrics[m] = statistics.median(vals)
        stats = {}
        for s in {s for r in rs for s in r["stats"]}:
            stats[s] = statistics.median([r["stats"][s] for r in rs if s in r["stats"]])
        detail = ""
        if bad:
            detail = bad[0]["detail"]
            if len(rs) > 1:
                detail += " (%d of %d reps wrong)" % (len(bad), len(rs))
        rows.append({
            "variant": v, "workload": wname, "summary": summary.get(wname, ""),
            "threads": threads, "processes": procs, "parallelism": threads * procs,
            "ops": ops, "ops_per_sec": ops / med if med else None,
            "median_s": med, "min_s": min(times) if times else None,
            "max_s": max(times) if times else None, "reps": len(rs), "timed_reps": len(times),
            "correct": not bad, "failed_reps": len(bad), "detail": detail,
            "thread_safe": info[v]["thread_safe"], "parallel": info[v]["parallel"],
            "metrics": metrics, "stats": stats, "times_s": times,
        })
    derive(rows, variants)
    order = {w["name"]: i for i, w in enumerate(workloads)}
    rows.sort(key=lambda r: (order.get(r["workload"], 99), r["processes"], r["threads"],
                             variants.index(r["variant"])))
    return rows


def control_speedups(rows):
    """The machine's own speedup at each parallelism, pooled over the variants
    (the control touches no runtime object, so the variant does not matter)."""
    by_n = {}
    for r in rows:
        if r["workload"] in with_role("control") and r["times_s"]:
            by_n.setdefault(r["parallelism"], []).extend(t / r["ops"] for t in r["times_s"])
    if 1 not in by_n:
        return {}
    base = statistics.median(by_n[1])
    # Weak scaling: n threads do n times the ops; speedup = time per op at 1 over at n.
    return {n: base / statistics.median(v) for n, v in by_n.items()}


def derive(rows, variants):
    ctl = control_speedups(rows)
    base = {(r["variant"], r["workload"]): r for r in rows
            if r["threads"] == 1 and r["processes"] == 1}
    for r in rows:
        b = base.get((r["variant"], r["workload"]))
        g = base.get(("gil", r["workload"]))
        r["speedup"] = (r["ops_per_sec"] / b["ops_per_sec"]
                        if b and r["ops_per_sec"] and b["ops_per_sec"] else None)
        c = ctl.get(r["parallelism"])
        r["control_speedup"] = c
        r["speedup_vs_control"] = r["speedup"] / c if r["speedup"] and c else None
        single = r["threads"] == 1 and r["processes"] == 1
        r["cost_vs_gil_1t"] = (g["ops_per_sec"] / r["ops_per_sec"]
                               if single and g and g["ops_per_sec"] and r["ops_per_sec"] else None)


# ---- the claims -----------------------------------------------------------------------------

def find(rows, variant, workload, threads=1, procs=1):
    for r in rows:
        if (r["variant"], r["workload"], r["threads"], r["processes"]) == (variant, workload, threads, procs):
            return r
    return None


def fmt_x(x):
    return "-" if x is None else "%.2fx" % x


def machine_parallelism_note(ctl2):
    if ctl2 is None:
        return None, "the control was not measured at 2 threads"
    if ctl2 < 1.3:
        return False, "the machine gave the control only %.2fx on 2 threads in this run" % ctl2
    return True, "the control reached %.2fx on 2 threads" % ctl2


def scaling_verdict(machine_ok, passed):
    """A claim about running in parallel can only be judged when the control
    itself scaled in this run."""
    if not machine_ok:
        return "inconclusive (the machine itself did not scale)"
    return "held" if passed else "did not hold"


def claim_take_turns(rows, info, ctl2):
    gl = [v for v in info if info[v]["thread_safe"] and not info[v]["parallel"]]
    out = []
    seeds = one_with_role("seeds")
    for v in gl:
        seq, two = find(rows, v, seeds, 1, 1), find(rows, v, seeds, 2, 1)
        if not (seq and two and two["speedup"]):
            continue
        ok, note = machine_parallelism_note(ctl2)
        s = two["speedup"]
        sw = two["stats"].get("switches", 0)
        text = ("%s: 2 threads counting ran at %s the speed of one thread counting twice "
                "(%s; the lock changed hands %d times)" % (v, fmt_x(s), note, sw))
        # More than 1.25x shows parallel running whatever the machine did.
        verdict = "did not hold" if s > 1.25 else scaling_verdict(ok, True)
        out.append((verdict, text))
    return "CPU-bound threads take turns under a global lock", out


def claim_io_overlap(rows, info, ctl2):
    out = []
    for v in info:
        if not info[v]["thread_safe"]:
            continue
        for w in [n for n in WORKLOADS if shape_of(n) == "io"]:
            rs = [r for r in rows if r["variant"] == v and r["workload"] == w and r["speedup"]]
            if not rs:
                continue
            top = max(rs, key=lambda r: r["threads"])
            verdict = "held" if top["speedup"] >= 0.6 * top["threads"] else "did not hold"
            out.append((verdict, "%s, %s: %d threads did %s the waits per second of one thread "
                        "(ideal %dx; waits need no CPU)" % (v, w, top["threads"], fmt_x(top["speedup"]), top["threads"])))
    return "I/O-bound threads overlap (their waits run in parallel)", out


def claim_processes(rows, info, ctl2):
    out = []
    for v in info:
        if not info[v]["thread_safe"] or info[v]["parallel"]:
            continue
        r = find(rows, v, one_with_role("seeds"), 1, 2)
        if not (r and r["speedup"]):
            continue
        ok, note = machine_parallelism_note(ctl2)
        rel = r["speedup_vs_control"]
        text = "%s: 2 processes counting ran at %s the speed of one thread counting twice (%s)" % (
            v, fmt_x(r["speedup"]), note)
        verdict = scaling_verdict(ok, r["speedup"] >= 1.2 and (rel or 0) >= 0.7)
        out.append((verdict, text))
    return "Processes run in parallel (one runtime, and one lock, per process)", out


def claim_races(rows, info, ctl2):
    out = []
    for v in info:
        if info[v]["thread_safe"]:
            continue
        shared = [r for r in rows if r["variant"] == v and shares_objects(r["workload"])
                  and r["threads"] > 1]
        wrong = [r for r in shared if not r["correct"]]
        for r in wrong:
            out.append(("held", "%s, %s, %d threads: %s" % (v, r["workload"], r["threads"], r["detail"])))
        if shared and not wrong:
            out.append(("did not hold", "%s: every shared workload came out right in this run "
                        "(a race needs both threads running at once)" % v))
        other = [r for r in rows if r["variant"] == v and r["threads"] > 1 and not r["correct"]
                 and not shares_objects(r["workload"])]
        if other:
            out.append(("held", "%s also went wrong where threads share only the runtime's own "
                        "state: %s" % (v, "; ".join("%s (%d threads): %s" % (r["workload"], r["threads"], r["detail"]) for r in other[:4]))))
        for w in with_role("immortal"):
            imm = find(rows, v, w, 2, 1)
            if imm and imm["correct"]:
                out.append(("note", "%s, %s, 2 threads: correct: an immortal object's count "
                            "is never written, so there is nothing to race on" % (v, w)))
    return "Without a lock refcounts race and memory is corrupted", out


def claim_native(rows, info, ctl2):
    out = []
    for v in info:
        if not info[v]["thread_safe"] or info[v]["parallel"]:
            continue
        r = find(rows, v, one_with_role("native"), 2, 1)
        if not (r and r["speedup"]):
            continue
        ok, note = machine_parallelism_note(ctl2)
        rel = r["speedup_vs_control"] or 0
        text = "%s: 2 threads ran %s the native work per second of one (%s)" % (v, fmt_x(r["speedup"]), note)
        verdict = scaling_verdict(ok, r["speedup"] >= 1.2 and rel >= 0.7)
        out.append((verdict, text))
    return "Native code that releases the lock runs in parallel", out


def claim_interp_count(rows, info, ctl2):
    """The seeds' counting program, interpreted by refpy: two threads take about
    the sequential time under a global lock, about half without one."""
    out = []
    ok, note = machine_parallelism_note(ctl2)
    for v in info:
        if not info[v]["thread_safe"]:
            continue
        r = find(rows, v, one_with_role("interp"), 2, 1)
        if not (r and r["speedup"]):
            continue
        parallel = info[v]["parallel"]
        text = "%s: 2 refpy threads counting ran at %s the speed of one counting twice (%s)" % (
            v, fmt_x(r["speedup"]), note)
        if parallel:
            verdict = scaling_verdict(ok, (r["speedup_vs_control"] or 0) >= 0.8)
        else:
            verdict = scaling_verdict(ok, r["speedup"] <= 1.3)
        out.append((verdict, text))
    return ("The seeds' counting program under refpy: about the sequential time with a global lock, "
            "about half without"), out


def claim_convoy(rows, info, ctl2):
    out = []
    for v in info:
        if not info[v]["thread_safe"] or info[v]["parallel"]:
            continue
        for w in with_role("convoy"):
            interval_us = WORKLOADS[w]["param"] * 1e6  # its switch interval, in seconds
            idle, busy = find(rows, v, w, 1), find(rows, v, w, 2)
            if not (idle and busy and "wake_p50_us" in busy["metrics"]):
                continue
            b, i = busy["metrics"]["wake_p50_us"], idle["metrics"].get("wake_p50_us", 0)
            verdict = "held" if b >= 0.5 * interval_us else "did not hold"
            out.append((verdict, "%s, switch interval %.0f ms: a woken thread waited %.0f us (median) for "
                        "the lock beside one CPU-bound thread, %.0f us with none" % (v, interval_us / 1000, b, i)))
    return "A woken I/O thread waits about a switch interval behind CPU-bound threads (the convoy effect)", out


def claim_free_threading(rows, info, ctl2):
    ft = [v for v in info if info[v]["thread_safe"] and info[v]["parallel"]]
    if not ft:
        return ("A thread-safe runtime without a global lock runs threads in parallel but pays on every refcount",
                [("not measured", "no thread-safe parallel strategy was in this run")])
    out = []
    for v in ft:
        c = find(rows, v, one_with_role("private_counting"), 1)
        s = find(rows, v, one_with_role("seeds"), 2)
        if c and s and c["cost_vs_gil_1t"] and s["speedup"]:
            pays = c["cost_vs_gil_1t"] > 1.05
            par = s["speedup"] > 1.25
            verdict = "held" if pays and par else "partly held" if pays or par else "did not hold"
            out.append((verdict, "%s: private incref+decref costs %s the gil's on one thread; "
                        "2 counting threads ran at %s" % (v, fmt_x(c["cost_vs_gil_1t"]), fmt_x(s["speedup"]))))
    return "A thread-safe runtime without a global lock runs threads in parallel but pays on every refcount", out


# ---- the free-threading goals ------------------------------------------------------------------
# What a strategy without a global lock is judged by (issue 6): its one-thread
# cost against gil over the workloads that do runtime work on the CPU, and its
# 2-thread speedup as a fraction of the control's in the same run, on private
# work and on read-mostly shared containers; plus the seeds' counting program
# under the interpreter (issue 7: about half the time on 2 threads).

# Which workloads count toward the geomean is each workload's own
# declaration (in_cost): those that wait, and forms of another row that have
# a column of their own (the borrowed reads, the attribute reads, the
# cooling row), stay out, so that it keeps measuring the same 11 workloads
# as issue 12's table.


def geomean(xs):
    xs = [x for x in xs if x]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def free_threading_goals(rows, info):
    out = []
    for v in info:
        if not (info[v]["thread_safe"] and info[v]["parallel"]):
            continue
        costs = {r["workload"]: r["cost_vs_gil_1t"] for r in rows
                 if r["variant"] == v and r["threads"] == 1 and r["processes"] == 1
                 and WORKLOADS.get(r["workload"], {}).get("in_cost") and r["cost_vs_gil_1t"]}
        private = {w: (find(rows, v, w, 2) or {}).get("speedup_vs_control") for w in with_role("private")}
        read = (find(rows, v, one_with_role("read"), 2) or {}).get("speedup_vs_control")
        borrowed = (find(rows, v, one_with_role("read_borrowed"), 2) or {}).get("speedup_vs_control")
        attr = (find(rows, v, one_with_role("attr"), 2) or {}).get("speedup_vs_control")
        interp = (find(rows, v, one_with_role("interp"), 2) or {}).get("speedup")
        out.append({"variant": v, "cost_geomean": geomean(costs.values()), "costs": costs,
                    "private_vs_control": private, "read_shared_vs_control": read,
                    "read_borrowed_vs_control": borrowed, "attr_vs_control": attr,
                    "interp_count_speedup": interp})
    return out


def goal_lines(goals):
    if not goals:
        return []
    lines = ["| strategy | 1-thread cost vs gil, geomean (goal <= 1.05) | workloads | "
             "2 threads, private work, vs control (goal >= 0.95) | "
             "2 threads, %s, vs control (goal >= 0.9) | "
             "2 threads, %s, vs control (goal >= 0.95) | "
             "2 threads, %s, vs control (goal >= 0.9) | " % (
                 one_with_role("read"), one_with_role("read_borrowed"), one_with_role("attr")) +
             "refpy counting, 2-thread speedup |",
             "|---|---|---|---|---|---|---|---|"]
    for g in goals:
        lines.append("| %s | %s | %d | %s | %s | %s | %s | %s |" % (
            g["variant"], fmt_x(g["cost_geomean"]), len(g["costs"]),
            ", ".join("%s %s" % (w, fmt_x(x)) for w, x in g["private_vs_control"].items()),
            fmt_x(g["read_shared_vs_control"]), fmt_x(g["read_borrowed_vs_control"]),
            fmt_x(g["attr_vs_control"]), fmt_x(g["interp_count_speedup"])))
    return lines


CLAIMS = (claim_take_turns, claim_io_overlap, claim_processes, claim_races, claim_native,
          claim_convoy, claim_free_threading, claim_interp_count)


def judge(rows, info):
    ctl2 = control_speedups(rows).get(2)
    return [dict(zip(("claim", "findings"), f(rows, info, ctl2))) for f in CLAIMS]


# ---- terminal table -----------------------------------------------------------------------------


def extra(r):
    m = r["metrics"]
    if "wake_p50_us" in m:
        return "wake p50 %s p99 %s" % (us(m["wake_p50_us"]), us(m.get("wake_p99_us", 0)))
    if "collect_ms" in m:
        return "collect %.1f ms, pause seen %.1f ms" % (m["collect_ms"], m.get("pause_max_ms", 0))
    return ""


def us(x):
    return "%.0fus" % x if x < 10000 else "%.1fms" % (x / 1000)


def human(x):
    if x is None:
        return "-"
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if x >= div:
            return "%.2f%s" % (x / div, unit)
    return "%.1f" % x


def table_lines(rows, markdown=False):
    head = ["workload", "variant", "thr", "proc", "ops/s", "speedup", "vs control",
            "cost vs gil 1t", "max/min", "result"]
    lines = []
    cur = None
    for r in rows:
        if r["workload"] != cur and not markdown:
            cur = r["workload"]
            lines.append("")
            lines.append("%s: %s" % (cur, r["summary"]))
            lines.append("  %-8s %4s %4s %9s %8s %10s %8s %7s  %s" % tuple(head[1:]))
        spread = r["max_s"] / r["min_s"] if r["min_s"] else None
        result = "ok" if r["correct"] else "WRONG: " + r["detail"]
        e = extra(r)
        if e:
            result += "  (" + e + ")"
        cells = [r["variant"], str(r["threads"]), str(r["processes"]), human(r["ops_per_sec"]),
                 fmt_x(r["speedup"]), fmt_x(r["speedup_vs_control"]), fmt_x(r["cost_vs_gil_1t"]),
                 fmt_x(spread), result]
        if markdown:
            lines.append("| " + " | ".join([r["workload"]] + cells).replace("\n", " ") + " |")
        else:
            lines.append("  %-8s %4s %4s %9s %8s %10s %8s %7s  %s" % tuple(cells))
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + lines
    return lines


# ---- files ----------------------------------------------------------------------------------------

CSV_FIELDS = ["variant", "workload", "threads", "processes", "ops", "ops_per_sec", "median_s",
              "min_s", "max_s", "reps", "correct", "detail", "speedup", "control_speedup",
              "speedup_vs_control", "cost_vs_gil_1t", "thread_safe", "parallel"]


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(CSV_FIELDS + ["metrics"])
        for r in rows:
            wr.writerow([r[k] for k in CSV_FIELDS] + [json.dumps(r["metrics"], sort_keys=True)])


def meta(args, variants, info, elapsed):
    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": platform.platform(), "cpus": args.nproc, "python": platform.python_version(),
        "variants": {v: info[v] for v in variants}, "reps": args.reps, "quick": args.quick,
        "scale": args.scale, "max_threads": args.max_threads, "elapsed_s": round(elapsed, 1),
        "warmup": "one untimed round at a tenth of the work, in every process",
    }


def write_report(path, m, rows, claims, charts, goals):
    L = ["# refcore: the locking strategies compared", "",
         "Run %s on %s (%d CPUs), %d repetition(s) per measurement after a warm-up%s; "
         "%s in all. Variants: %s." % (m["date"], m["machine"], m["cpus"], m["reps"],
                                       " (quick mode, a tenth of the work)" if m["quick"] else "",
                                       mmss(m["elapsed_s"]), ", ".join(
                                           "%s (%s)" % (v, "thread-safe" if i["thread_safe"] else "UNSAFE, measured only")
                                           for v, i in m["variants"].items())), ""]
    ctl = control_speedups(rows)
    if ctl:
        L.append("The machine's own scaling (the control loop, no runtime object): " + ", ".join(
            "%d threads %.2fx" % (n, s) for n, s in sorted(ctl.items()) if n > 1) + ". "
            "A speedup can only be read against it: on a shared machine the second CPU "
            "is not always there.")
        L.append("")
    L += ["## The claims, judged from this run", ""]
    for c in claims:
        L.append("### " + c["claim"])
        L.append("")
        if not c["findings"]:
            L.append("- not measured in this run")
        for verdict, text in c["findings"]:
            L.append("- **%s**: %s" % (verdict, text))
        L.append("")
    if goals:
        L += ["## The free-threading goals", "",
              "Geometric mean over every workload with a 1-thread row except %s (which wait "
              "rather than compute, or have a column of their own); the 2-thread columns divide "
              "the speedup by the control's in this run." % ", ".join(
                  n for n, w in WORKLOADS.items() if not w["in_cost"]), ""]
        L += goal_lines(goals)
        L.append("")
    L += ["## Every measurement", "",
          "ops/s is the median over the repetitions; speedup is over the same variant at 1 "
          "thread (weak scaling: each thread does the same work); *vs control* divides it by "
          "the control's speedup at the same thread count; *cost vs gil 1t* is the time per "
          "operation relative to the gil variant on one thread; max/min is the spread.", ""]
    L += table_lines(rows, markdown=True)
    L += ["", "## Charts", ""]
    for title, fname in charts:
        L.append("- [%s](%s)" % (title, fname))
    L.append("")
    with open(path, "w") as f:
        f.write("\n".join(L))


# ---- SVG charts ---------------------------------------------------------------------------------

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def svg_frame(title, xlabel, ylabel, w=560, h=360):
    head = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">' % (w, h),
            '<rect width="100%" height="100%" fill="white"/>',
            '<text x="%d" y="20" text-anchor="middle" font-size="14">%s</text>' % (w // 2, esc(title)),
            '<text x="%d" y="%d" text-anchor="middle">%s</text>' % (w // 2, h - 6, esc(xlabel)),
            '<text x="14" y="%d" text-anchor="middle" transform="rotate(-90 14 %d)">%s</text>' % (h // 2, h // 2, esc(ylabel))]
    return head


def line_chart(title, xlabel, ylabel, series, dashed=()):
    """series: [(name, [(x, y), ...])]; a line per series, plus axes and a legend."""
    w, h, left, right, top, bottom = 560, 360, 60, 130, 34, 40
    pts = [p for _, ps in series for p in ps if p[1] is not None]
    if not pts:
        return None
    xs = sorted({p[0] for p in pts})
    ymax = max(p[1] for p in pts) * 1.1 or 1.0
    pw, ph = w - left - right, h - top - bottom

    def X(x):
        return left + (pw * (xs.index(x) / (len(xs) - 1)) if len(xs) > 1 else pw / 2)

    def Y(y):
        return top + ph - ph * y / ymax

    out = svg_frame(title, xlabel, ylabel, w, h)
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (left, top + ph, left + pw, top + ph))
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (left, top, left, top + ph))
    for i in range(5):
        y = ymax * i / 4
        out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (left - 4, Y(y) + 4, "%.3g" % y))
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (left, Y(y), left + pw, Y(y)))
    for x in xs:
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (X(x), top + ph + 16, x))
    for i, (name, ps) in enumerate(series):
        ps = [p for p in ps if p[1] is not None]
        color = "#888" if name in dashed else COLORS[i % len(COLORS)]
        dash = ' stroke-dasharray="5,4"' if name in dashed else ""
        if ps:
            d = " ".join("%.1f,%.1f" % (X(x), Y(y)) for x, y in ps)
            out.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>' % (d, color, dash))
            for x, y in ps:
                out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (X(x), Y(y), color))
        ly = top + 14 + 18 * i
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>' % (w - right + 10, ly, w - right + 30, ly, color, dash))
        out.append('<text x="%d" y="%d">%s</text>' % (w - right + 34, ly + 4, esc(name)))
    out.append("</svg>")
    return "\n".join(out)


def bar_chart(title, ylabel, groups, names):
    """groups: [(label, {name: value})]; one bar per name in each group."""
    w, h, left, top, bottom = max(560, 70 * len(groups) + 100), 380, 60, 34, 90
    vals = [v for _, g in groups for v in g.values() if v]
    if not vals:
        return None
    ymax = max(vals) * 1.1
    ph, gw = h - top - bottom, (w - left - 20) / max(1, len(groups))
    bw = gw * 0.8 / max(1, len(names))
    out = svg_frame(title, "", ylabel, w, h)
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (left, top + ph, w - 20, top + ph))
    y1 = top + ph - ph * 1.0 / ymax
    out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#888" stroke-dasharray="5,4"/>' % (left, y1, w - 20, y1))
    out.append('<text x="%d" y="%.1f" text-anchor="end">1.0</text>' % (left - 4, y1 + 4))
    for gi, (label, g) in enumerate(groups):
        x0 = left + gi * gw + gw * 0.1
        for ni, n in enumerate(names):
            v = g.get(n)
            if not v:
                continue
            bh = ph * v / ymax
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s %.2f</title></rect>' % (
                x0 + ni * bw, top + ph - bh, bw - 1, bh, COLORS[ni % len(COLORS)], esc(label), esc(n), v))
        cx = x0 + gw * 0.4
        out.append('<text x="%.1f" y="%d" text-anchor="end" transform="rotate(-40 %.1f %d)">%s</text>' % (cx, top + ph + 14, cx, top + ph + 14, esc(label)))
    for ni, n in enumerate(names):
        out.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s</text>' % (
            left + 10 + 110 * ni, top + 2, COLORS[ni % len(COLORS)], left + 26 + 110 * ni, top + 12, esc(n)))
    out.append("</svg>")
    return "\n".join(out)


def write_charts(out_dir, rows, variants):
    charts = []
    ctl = control_speedups(rows)
    for wname in dict.fromkeys(r["workload"] for r in rows):
        rs = [r for r in rows if r["workload"] == wname and r["processes"] == 1]
        if shape_of(wname) == "latency":
            series = [(v, [(r["threads"] - 1, r["metrics"].get("wake_p50_us")) for r in rs if r["variant"] == v])
                      for v in variants]
            svg = line_chart(wname + ": median wake-up latency", "CPU-bound threads beside the sleeper",
                             "microseconds", series)
        else:
            series = [(v, [(r["threads"], r["speedup"]) for r in rs if r["variant"] == v]) for v in variants]
            ts = sorted({r["threads"] for r in rs})
            series.append(("control", [(t, ctl.get(t)) for t in ts]))
            svg = line_chart(wname + ": speedup over 1 thread", "threads", "speedup", series, dashed=("control",))
        if svg:
            fname = "scaling_%s.svg" % wname
            with open(os.path.join(out_dir, fname), "w") as f:
                f.write(svg)
            charts.append(("%s, by thread count" % wname, fname))
    groups = [(r["workload"], {x["variant"]: x["cost_vs_gil_1t"] for x in rows
                               if x["workload"] == r["workload"] and x["cost_vs_gil_1t"]})
              for r in rows if r["variant"] == variants[0] and r["threads"] == 1 and r["processes"] == 1]
    svg = bar_chart("1-thread time per operation, relative to gil", "x gil", groups, variants)
    if svg:
        with open(os.path.join(out_dir, "cost_1thread.svg"), "w") as f:
            f.write(svg)
        charts.insert(0, ("1-thread cost per strategy", "cost_1thread.svg"))
    return charts


# ---- main -------------------------------------------------------------------------------------------


def main(argv):
    args = parse_args(argv)
    variants, info, workloads = discover(args)
    if args.scale is None:
        args.scale = 0.1 if args.quick else min(1.0, 2.0 / len(variants))
    cells = plan(args, variants, workloads)
    sys.stderr.write("refcore benchmarks: %d workloads x %d variants (%s), %d measurements x %d reps "
                     "(the control's three times), "
                     "threads up to %d; output in %s\n" % (
                         len(workloads), len(variants), ", ".join(variants), len(cells),
                         args.reps, args.max_threads, args.out))
    t0 = time.monotonic()
    runs = measure(args, variants, cells)
    rows = aggregate(args, variants, info, workloads, runs)
    claims = judge(rows, info)
    goals = free_threading_goals(rows, {v: info[v] for v in variants})
    os.makedirs(args.out, exist_ok=True)
    m = meta(args, variants, info, time.monotonic() - t0)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"meta": m, "claims": claims, "goals": goals, "results": rows}, f, indent=1)
    write_csv(os.path.join(args.out, "results.csv"), rows)
    charts = write_charts(args.out, rows, variants)
    write_report(os.path.join(args.out, "report.md"), m, rows, claims, charts, goals)
    print("\n".join(table_lines(rows)))
    if goals:
        print("\nFree-threading goals (details in report.md):")
        print("\n".join("  " + line for line in goal_lines(goals)))
    print("\nClaims (details in report.md):")
    for c in claims:
        verdicts = sorted({v for v, _ in c["findings"]}) or ["not measured"]
        print("  %-95s %s" % (c["claim"][:95], "/".join(verdicts)))
    print("\nWrote results.json, results.csv, report.md and %d charts to %s" % (len(charts), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
