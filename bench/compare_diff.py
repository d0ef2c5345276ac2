"""bench/compare_diff.py -- `compare --diff A.json B.json`: which rows of two
runs changed beyond the noise of each, and by how much. Measures nothing.

The rule (also in `compare --help`): a row is one (variant, workload,
threads, processes). Its noise is the range of its repetitions, as time per
operation (min_s/ops to max_s/ops, so runs at another --scale compare too).
A row changed when the two ranges do not overlap; the change is B's median
ops/s over A's, minus 1. A row with fewer than 2 timed repetitions in either
file has no range and is never called changed (it is listed as not judged);
a row whose correctness changed, or that is in one file only, is listed
apart. This is a cautious rule: with 5 repetitions a side, two ranges apart
are unlikely by chance, and a real change smaller than the spread is not
called a change.
"""
import fnmatch
import json

from compare_report import human


def load(path):
    with open(path) as f:
        data = json.load(f)
    return data.get("meta", {}), {key(r): r for r in data["results"]}


def key(r):
    return (r["variant"], r["workload"], r["threads"], r["processes"])


def name(k):
    return "%s %s threads=%d processes=%d" % k


def timed(r):
    return r.get("timed_reps", len(r.get("times_s", [])))


def rate_range(r):
    """(slowest, fastest) ops/s over the repetitions, or None without two."""
    if timed(r) < 2 or not r.get("min_s") or not r.get("max_s"):
        return None
    return r["ops"] / r["max_s"], r["ops"] / r["min_s"]


def judge(a, b):
    """One row of both files: ('changed', change) / ('same', change) /
    ('not judged', why) / ('correctness', text)."""
    if a["correct"] != b["correct"]:
        return "correctness", "%s -> %s" % ("ok" if a["correct"] else "WRONG",
                                            "ok" if b["correct"] else "WRONG: " + b["detail"])
    ra, rb = rate_range(a), rate_range(b)
    if ra is None or rb is None:
        return "not judged", "fewer than 2 timed repetitions in %s" % " and ".join(
            f for f, r in (("A", ra), ("B", rb)) if r is None)
    change = b["ops_per_sec"] / a["ops_per_sec"] - 1
    apart = ra[1] < rb[0] or rb[1] < ra[0]
    return ("changed" if apart else "same"), change


def wanted(k, variants, workloads):
    return ((not variants or k[0] in variants) and
            (not workloads or any(fnmatch.fnmatchcase(k[1], p) for p in workloads)))


def diff_lines(path_a, path_b, variants=None, workloads=None):
    meta_a, rows_a = load(path_a)
    meta_b, rows_b = load(path_b)
    keys = [k for k in list(rows_a) + [k for k in rows_b if k not in rows_a]
            if wanted(k, variants, workloads)]
    out = ["A: %s (%s, %s rep(s))" % (path_a, meta_a.get("date", "?"), meta_a.get("reps", "?")),
           "B: %s (%s, %s rep(s))" % (path_b, meta_b.get("date", "?"), meta_b.get("reps", "?")),
           "Rule: a row changed when the ranges of its repetitions (ops/s, min to max) in A "
           "and B do not overlap.", ""]
    found = {"changed": [], "same": [], "not judged": [], "correctness": [], "only": []}
    for k in keys:
        a, b = rows_a.get(k), rows_b.get(k)
        if a is None or b is None:
            found["only"].append("only in %s: %s" % ("B" if a is None else "A", name(k)))
            continue
        verdict, what = judge(a, b)
        if verdict == "changed":
            ra, rb = rate_range(a), rate_range(b)
            found[verdict].append(
                "changed: %s: %+.1f%% (%s), %s -> %s ops/s (A %s..%s, B %s..%s)" % (
                    name(k), 100 * what, "faster" if what > 0 else "slower",
                    human(a["ops_per_sec"]), human(b["ops_per_sec"]),
                    human(ra[0]), human(ra[1]), human(rb[0]), human(rb[1])))
        elif verdict == "same":
            found[verdict].append(k)
        else:
            found[verdict].append("%s: %s: %s" % (verdict, name(k), what))
    out.append("%d of %d row(s) changed beyond the noise; %d within it." % (
        len(found["changed"]), len(keys), len(found["same"])))
    for group in ("changed", "correctness", "not judged", "only"):
        out += found[group]
    return out
