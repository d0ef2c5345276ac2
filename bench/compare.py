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
- Each process does an untimed warm-up round (a tenth of the work; all of
  it for a single-thread operation) first.
- --ops is per thread: the work grows with the thread count, so the speedup
  is the throughput at N threads over the throughput at 1.
- A control workload touching no runtime object measures the machine's own
  scaling in the same run; every speedup is also given as a fraction of it.

The parts: compare_run.py (which workloads, running them), compare_stats.py
(rows, speedups), compare_claims.py (the claims and the goals),
compare_report.py (table, files, charts). Standard library only.
"""
import argparse
import json
import os
import sys
import time

from compare_claims import free_threading_goals, goal_lines, judge
from compare_report import (meta, single_op_lines, table_lines, write_charts, write_csv,
                            write_report)
from compare_run import discover, measure, plan
from compare_stats import aggregate


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
                   "beyond, so the default run stays within 5 to 10 minutes; quick 0.1)")
    p.add_argument("--workloads", help="comma-separated subset, names or patterns such as "
                   "'op_*' (default: all)")
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
    ops = single_op_lines(rows, variants)
    if ops:
        print("\nOne thread, ns per operation (the CPython columns are quoted, not measured):")
        print("\n".join("  " + line for line in ops))
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

