"""bench/compare_report.py -- the terminal table, results.csv, report.md and
report.html (the charts are compare_charts.py's).

report.html is report.md turned into HTML by a converter for the few
markdown forms report.md uses (headings, paragraphs, lists, tables, bold,
code, images), with every chart inside it as a base64 PNG: one file that
opens in a browser with nothing beside it and nothing fetched.
"""
import base64
import csv
import datetime
import html
import json
import os
import platform
import re

import markdown

from compare_claims import goal_lines
from compare_programs import program_lines
from compare_run import WORKLOADS, mmss, shape_of
from compare_stats import control_speedups, fmt_x


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


# ---- the single-thread operations beside CPython ---------------------------------------------


def single_op_lines(rows, variants):
    """ns per operation on one thread of each single-shape workload, per
    variant, beside CPython 3.13's quoted figures (never measured here)."""
    names = [n for n in dict.fromkeys(r["workload"] for r in rows) if shape_of(n) == "single"]
    if not names:
        return []
    lines = ["| operation | %s | CPython 3.13 | 3.13 FT |" % " | ".join(variants),
             "|---|" + "---|" * (len(variants) + 2)]
    for n in names:
        ns = {r["variant"]: 1e9 / r["ops_per_sec"] for r in rows
              if r["workload"] == n and r["ops_per_sec"]}
        w = WORKLOADS[n]
        cells = ["%.2f" % ns[v] if v in ns else "-" for v in variants]
        cells += [w["cpython_ns"] or "-", w["cpython_ft_ns"] or "-"]
        lines.append("| %s | %s |" % (n, " | ".join(cells)))
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
        "scale": args.scale, "max_threads": args.max_threads, "threads": args.threads,
        "elapsed_s": round(elapsed, 1),
        "warmup": ("one untimed round at a tenth of the work (all of it for the "
                   "single-thread operations), in every process"),
    }


def write_report(path, m, rows, claims, charts, goals, programs):
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
    if programs.get("rows"):
        L += ["## Programs: refpy on each strategy beside CPython", "",
              "Whole Python programs, the same files under every runner (the `programs` "
              "group, bench/README.md): bench/programs/*.py as weak scaling (each thread "
              "runs the whole program's bench(n); %s), and the seeds' programs unchanged. "
              "Every answer is checked against %s; the seeds' output, timings aside, against "
              "the first --python's (else refpy-gil's)." % (
                  "the test sizes" if m["quick"] else "the `# compare:` sizes",
                  "the .expected files" if m["quick"] else
                  "the first --python's (CPython's), else refpy-gil's"), ""]
        L += program_lines(programs, control_speedups(rows).get(2))
    ops = single_op_lines(rows, list(m["variants"]))
    if ops:
        L += ["## One thread: ns per operation, beside CPython", "",
              "The median time per operation of each single-thread workload; the CPython "
              "columns are CPython 3.13's figures for the same operations through its C API, "
              "quoted for comparison and not measured in this run (bench/README.md).", ""]
        L += ops + [""]
    if charts:
        L += ["## Charts", "",
              "Speedups are over the same variant at 1 thread, each thread doing the same "
              "work; the dashed grey line is the control, this machine's own scaling in the "
              "same run, and the dotted one perfect scaling.", ""]
        for title, fname in charts:
            L += ["### " + title, "", "![%s](%s)" % (title, fname), ""]
    L += ["## Every measurement", "",
          "ops/s is the median over the repetitions; speedup is over the same variant at 1 "
          "thread (weak scaling: each thread does the same work); *vs control* divides it by "
          "the control's speedup at the same thread count; *cost vs gil 1t* is the time per "
          "operation relative to the gil variant on one thread; max/min is the spread.", ""]
    L += table_lines(rows, markdown=True)
    L.append("")
    with open(path, "w") as f:
        f.write("\n".join(L))


# ---- report.html ------------------------------------------------------------------------------

CSS = """
body { font-family: sans-serif; max-width: 1100px; margin: 1em auto; padding: 0 1em;
       color: #222; line-height: 1.4; }
table { border-collapse: collapse; font-size: 12px; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; }
th { background: #f0f0f0; }
p > img { display: block; margin: 0.5em 0 1.5em; }
img { max-width: 100%; border: 1px solid #ddd; }
code { background: #f4f4f4; padding: 0 2px; }
"""

# The report's own markdown goes through Python-Markdown (Debian's
# python3-markdown, with its tables extension); only the charts need more:
# each <img> it writes is made self-contained, its PNG inlined as base64.
IMG_SRC = re.compile(r'(<img\b[^>]*\bsrc=")([^"]+\.png)(")')


def embed_images(body, base_dir):
    def inline(m):
        with open(os.path.join(base_dir, m.group(2)), "rb") as f:
            data = base64.b64encode(f.read()).decode("ascii")
        return "%sdata:image/png;base64,%s%s" % (m.group(1), data, m.group(3))
    return IMG_SRC.sub(inline, body)


def write_html(md_path, html_path):
    """report.html from report.md, its images inside (base64 PNG)."""
    with open(md_path) as f:
        text = f.read()
    lines = text.splitlines()
    title = lines[0].lstrip("# ") if lines else "refcore benchmarks"
    body = embed_images(markdown.markdown(text, extensions=["tables"]), os.path.dirname(md_path))
    with open(html_path, "w") as f:
        f.write("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<title>%s</title><style>%s</style></head><body>\n%s\n</body></html>\n" % (
                    html.escape(title), CSS, body))
