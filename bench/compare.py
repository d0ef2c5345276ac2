#!/usr/bin/env python3
"""bench/compare.py -- the comparative suite's driver (`bazel run //bench:compare`).

Runs every workload of bench/workloads_<variant> on every variant, at 1..N
threads (and the seeds' thread-vs-process configurations), repeats each
measurement, and writes a table to the terminal and results.json,
results.csv, report.md, report.html and PNG charts to the output folder.
`--diff A.json B.json` compares two such runs instead (compare_diff.py).

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
compare_report.py (table, files, report.md and .html), compare_charts.py
(the charts: Debian's python3-matplotlib), compare_diff.py (--diff).
Run with Debian's /usr/bin/python3 (compare.sh), which has matplotlib.
"""
import argparse
import json
import os
import sys
import time

from compare_claims import free_threading_goals, goal_lines, judge
from compare_diff import diff_lines
from compare_report import (meta, single_op_lines, table_lines, write_csv, write_html,
                            write_report)
from compare_programs import measure_programs, programs_wanted, terminal_lines
from compare_run import WORKLOADS, Progress, discover, measure, plan
from compare_stats import aggregate


# ---- options -------------------------------------------------------------------

DESCRIPTION = """\
Run every benchmark workload on every refcore variant and report: a table on
the terminal; results.json, results.csv, report.md, report.html (one file, its
charts inside) and the charts (PNG) in the output folder.
"""

EPILOG = """\
--diff A.json B.json compares two runs row by row (variant, workload,
threads, processes) and measures nothing. A row's interval is the range of its
repetitions' times per operation (min_s/ops to max_s/ops); a row changed when
the two intervals do not overlap, by (median ops/s in B) / (median ops/s in
A) - 1. Rows with one timed repetition in either file have no interval and are
listed apart, never called changed; so are rows whose correctness changed, and
rows in one file only. Compare the control rows first: if they changed, so did
the machine.

Examples:
  bazel run //bench:compare -- --quick
  bazel run //bench:compare -- --workloads 'op_*' --variants gil,nogil
  bazel run //bench:compare -- --threads 1,2,4,8,16 --out /tmp/big
  bazel run //bench:compare -- --diff old/results.json new/results.json
"""


def thread_list(text):
    """--threads: '1,2,4,8' -> [1, 2, 4, 8], each at least 1."""
    try:
        ts = sorted({int(t) for t in text.split(",") if t.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError("not a comma-separated list of numbers: %r" % text)
    if not ts or ts[0] < 1:
        raise argparse.ArgumentTypeError("thread counts must be at least 1: %r" % text)
    return ts


def make_parser():
    p = argparse.ArgumentParser(
        prog="bazel run //bench:compare --", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--variants", metavar="V,V", help="comma-separated variants to run "
                   "(bench/BUILD passes every variant; default: every workloads_<variant> in "
                   "--bin-dir); for example --variants gil,nogil; with --diff, only their rows")
    p.add_argument("--bin-dir", metavar="DIR",
                   help="folder of the workloads_<variant> binaries (set by compare.sh)")
    p.add_argument("--out", metavar="DIR",
                   help="output folder (default: bench-results/ in the workspace)")
    p.add_argument("--quick", action="store_true",
                   help="1 repetition, 10%% of the work, 1-2 threads, the programs at their test sizes: about a minute")
    p.add_argument("--reps", type=int, metavar="N",
                   help="timed repetitions per measurement (default 5, quick 1; "
                   "whole programs at most 3)")
    p.add_argument("--threads", type=thread_list, metavar="N,N",
                   help="the thread counts to run, for example 1,2,4,8,16; 1 is always added "
                   "(speedups are over it). More than the CPUs is allowed, to prepare a run "
                   "for a bigger machine (default: 1 to --max-threads)")
    p.add_argument("--max-threads", type=int, metavar="N",
                   help="run 1, 2, ... N threads (default: the number of CPUs, quick 2); "
                   "more than the CPUs is allowed; not with --threads")
    p.add_argument("--scale", type=float, metavar="X",
                   help="multiplies every workload's work (default 1 for up to 2 variants, 2/variants "
                   "beyond, so that the workloads stay within 5 to 10 minutes; quick 0.1; not the programs)")
    p.add_argument("--workloads", metavar="W,W", help="comma-separated subset, names or "
                   "patterns such as 'op_*' (default: all); the control always runs; "
                   "'programs' is the whole programs group, prog_NAME and seed_NAME one of "
                   "them; with --diff, only their rows (--diff compares the workloads' "
                   "rows, not the programs')")
    p.add_argument("--timeout", type=float, metavar="S",
                   help="seconds before one run counts as hung (default 20, quick 10; "
                   "a whole program at least 60)")
    p.add_argument("--python", action="append", metavar="PATH",
                   help="a CPython to run the programs group beside refpy (repeatable: a GIL "
                   "build and a free-threaded one); default /usr/bin/python3 (Debian's 3.11) "
                   "when present; --python none runs none")
    p.add_argument("--diff", nargs=2, metavar=("A.json", "B.json"),
                   help="compare two results.json files instead of running (the rule is below)")
    p.add_argument("--redraw", metavar="RESULTS.json",
                   help="write report.md, report.html and the charts again from a results.json "
                   "into --out, without running anything")
    return p


def parse_args(argv):
    p = make_parser()
    a = p.parse_args(argv)
    # `bazel run` starts in the runfiles: a relative path is the caller's.
    here = os.environ.get("BUILD_WORKING_DIRECTORY", os.getcwd())
    a.diff = [os.path.join(here, x) for x in a.diff] if a.diff else None
    a.redraw = os.path.join(here, a.redraw) if a.redraw else None
    a.out = os.path.join(here, a.out) if a.out else None
    if a.diff or a.redraw:
        if a.redraw and not a.out:
            p.error("--redraw needs --out DIR")
        return a
    if not a.bin_dir:
        p.error("--bin-dir is required to run the workloads (compare.sh sets it)")
    if a.threads and a.max_threads:
        p.error("--threads and --max-threads: give one of them")
    if (a.reps is not None and a.reps < 1) or (a.max_threads is not None and a.max_threads < 1) \
            or (a.scale is not None and a.scale <= 0):
        p.error("--reps, --max-threads and --scale must be positive")
    a.reps = a.reps or (1 if a.quick else 5)
    # a.scale stays None here: the default depends on the variant count (main).
    a.timeout = a.timeout or (10.0 if a.quick else 20.0)
    a.nproc = os.cpu_count() or 1
    # The programs group: refpy_<variant> and the seeds' programs sit in the
    # runfiles beside bench/ (bench/BUILD's data).
    root = os.path.dirname(os.path.abspath(a.bin_dir))
    a.refpy_dir = os.path.join(root, "lang")
    a.seeds_dir = os.path.join(root, "lang", "seeds")
    if a.python is None:
        a.python = ["/usr/bin/python3"] if os.access("/usr/bin/python3", os.X_OK) else []
    a.python = [os.path.join(here, p) if os.sep in p else p for p in a.python if p != "none"]
    if a.threads:
        a.threads = sorted(set(a.threads) | {1})
    else:
        top = a.max_threads or (min(2, a.nproc) if a.quick else a.nproc)
        if a.quick:
            top = max(top, 2)  # two threads are what shows a race
        a.threads = list(range(1, top + 1))
    a.max_threads = a.threads[-1]
    if not a.out:
        root = os.environ.get("BUILD_WORKSPACE_DIRECTORY", os.getcwd())
        a.out = os.path.join(root, "bench-results")
    return a


# ---- main -------------------------------------------------------------------------------------------


def write_files(out, data, variants):
    """results.json, results.csv, the charts, report.md and report.html into out;
    returns the charts' count."""
    # matplotlib is loaded only here: --help and --diff work without it.
    from compare_charts import write_charts

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(data, f, indent=1)
    write_csv(os.path.join(out, "results.csv"), data["results"])
    charts = write_charts(out, data["results"], variants)
    md = os.path.join(out, "report.md")
    write_report(md, data["meta"], data["results"], data["claims"], charts, data["goals"],
                 data["programs"])
    write_html(md, os.path.join(out, "report.html"))
    return len(charts)


def redraw(args):
    """--redraw: the files again from a results.json, nothing run."""
    with open(args.redraw) as f:
        data = json.load(f)
    if "workloads" not in data:
        sys.stderr.write("compare: %s has no workloads record (written before --redraw "
                         "existed); run the suite again\n" % args.redraw)
        return 2
    WORKLOADS.clear()
    WORKLOADS.update((w["name"], w) for w in data["workloads"])
    data.setdefault("programs", {})  # a results.json from before the programs group
    n = write_files(args.out, data, list(data["meta"]["variants"]))
    print("Wrote results.json, results.csv, report.md, report.html and %d charts to %s" % (
        n, args.out))
    return 0


def diff(args):
    """--diff A B: the rows that changed beyond the noise (compare_diff.py)."""
    split = (lambda s: [x for x in s.split(",") if x] if s else None)
    print("\n".join(diff_lines(args.diff[0], args.diff[1], split(args.variants),
                               split(args.workloads))))
    return 0


def main(argv):
    args = parse_args(argv)
    if args.diff:
        return diff(args)
    if args.redraw:
        return redraw(args)
    variants, info, workloads = discover(args)
    if args.scale is None:
        args.scale = 0.1 if args.quick else min(1.0, 2.0 / len(variants))
    progs, seeds = programs_wanted(args)  # read first: a bad program stops the run now
    cells = plan(args, variants, workloads)
    sys.stderr.write("refcore benchmarks: %d workloads x %d variants (%s), %d measurements x %d reps "
                     "(the control's three times), "
                     "threads %s; output in %s\n" % (
                         len(workloads), len(variants), ", ".join(variants), len(cells),
                         args.reps, ",".join(map(str, args.threads)), args.out))
    t0 = time.monotonic()
    runs = measure(args, variants, info, cells)
    rows = aggregate(args, variants, info, workloads, runs)
    programs = measure_programs(args, variants, info, progs, seeds, Progress)
    claims = judge(rows, info, programs)
    goals = free_threading_goals(rows, {v: info[v] for v in variants})
    m = meta(args, variants, info, time.monotonic() - t0)
    n = write_files(args.out, {"meta": m, "claims": claims, "goals": goals, "results": rows,
                               "programs": programs, "workloads": list(WORKLOADS.values())},
                    variants)
    print("\n".join(table_lines(rows)))
    ops = single_op_lines(rows, variants)
    if ops:
        print("\nOne thread, ns per operation (the CPython columns are quoted, not measured):")
        print("\n".join("  " + line for line in ops))
    if programs["rows"]:
        print("\nPrograms: seconds on 1 thread / speedup on 2 (details in report.md):")
        print("\n".join(terminal_lines(programs)))
    if goals:
        print("\nFree-threading goals (details in report.md):")
        print("\n".join("  " + line for line in goal_lines(goals)))
    print("\nClaims (details in report.md):")
    for c in claims:
        verdicts = sorted({v for v, _ in c["findings"]}) or ["not measured"]
        print("  %-95s %s" % (c["claim"][:95], "/".join(verdicts)))
    print("\nWrote results.json, results.csv, report.md, report.html and %d charts to %s" % (
        n, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
