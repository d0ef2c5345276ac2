"""bench/compare_run.py -- which workloads and variants there are, and running them.

Each workload registers itself in its binary with its run shape and the
roles it plays in the report (BENCH_WORKLOAD, bench/harness.h); --list hands
that to WORKLOADS here, so no part of compare names a workload. Every
repetition is its own process, variants interleaved (see bench/compare.py).
"""
import fnmatch
import json
import os
import signal
import subprocess
import sys
import time


# ---- the workloads ----------------------------------------------------------------
# Filled by discover() from the binaries' --list; name -> the entry, in
# report order.
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
        wanted = args.workloads.split(",") + with_role("control")
        workloads = [w for w in workloads if any(fnmatch.fnmatchcase(w["name"], p) for p in wanted)]
    return variants, info, workloads


def configs(args, name):
    """(threads, processes, ops multiplier) for each row of a workload."""
    thread_counts = args.threads  # --threads, or 1..--max-threads (compare.parse_args)
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
        if args.quick:
            return [(1, 1, 1), (2, 1, 1)]
        return [(t, 1, 1) for t in sorted({1} | {n + 1 for n in thread_counts})]
    if shape == "gc":
        return [(1, 1, 1), (2, 1, 1)]  # the collector alone; and beside one mutator
    if shape == "single":
        return [(1, 1, 1)]  # the cost of one operation: one thread only
    if shape == "program":
        return [(1, 1, 1)]  # a whole program that starts its own threads
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


def runs_on(w, variant_info):
    """A program that starts threads of its own runs on thread-safe variants
    only (the binary refuses the others, where its threads would race)."""
    return w["shape"] != "program" or variant_info["thread_safe"]


def measure(args, variants, info, cells):
    runs = {}  # (variant, workload, threads, procs) -> [run]
    prog = Progress(args.reps * sum(runs_on(c[0], info[v]) for c in cells for v in variants))
    hung_in = {}  # (workload, threads, procs) -> variants that hung there
    for w, threads, procs, ops in cells:
        hung = hung_in.setdefault((w["name"], threads, procs), set())
        for rep in range(args.reps):
            k = rep % len(variants)
            for v in variants[k:] + variants[:k]:  # rotated: A B, B A, ...
                if not runs_on(w, info[v]):
                    continue
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
