"""bench/compare_report.py -- the terminal table, results.csv, report.md and
the SVG charts (standard library only: the charts are written by hand).
"""
import csv
import datetime
import json
import os
import platform

from compare_claims import goal_lines
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
        "scale": args.scale, "max_threads": args.max_threads, "elapsed_s": round(elapsed, 1),
        "warmup": ("one untimed round at a tenth of the work (all of it for the "
                   "single-thread operations), in every process"),
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
    ops = single_op_lines(rows, list(m["variants"]))
    if ops:
        L += ["## One thread: ns per operation, beside CPython", "",
              "The median time per operation of each single-thread workload; the CPython "
              "columns are CPython 3.13's figures for the same operations through its C API, "
              "quoted for comparison and not measured in this run (bench/README.md).", ""]
        L += ops + [""]
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
        if shape_of(wname) == "single":
            continue  # one thread: nothing to scale (the cost chart has it)
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
