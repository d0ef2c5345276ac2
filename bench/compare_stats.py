"""bench/compare_stats.py -- from runs to rows: medians, speedups, the
control's scaling, the cost against gil on one thread.
"""
import math
import statistics

from compare_run import with_role


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





def find(rows, variant, workload, threads=1, procs=1):
    for r in rows:
        if (r["variant"], r["workload"], r["threads"], r["processes"]) == (variant, workload, threads, procs):
            return r
    return None


def geomean(xs):
    """The geometric mean of the values given (None and 0 left out), or None."""
    xs = [x for x in xs if x]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def fmt_x(x):
    return "-" if x is None else "%.2fx" % x
