"""bench/compare_charts.py -- the report's charts, drawn with matplotlib
(Debian's python3-matplotlib, Agg backend: no display needed), one PNG each.

- scaling_<workload>.png: the speedup over 1 thread by thread count, a line
  per variant, the machine's own scaling (the control workload, dashed grey)
  and perfect scaling (dotted) on every one; for the latency_* workloads the
  median wake-up latency, with the control's speedup at as many threads as
  the CPU-bound ones on a right-hand axis.
- cost_1thread.png: one-thread time per operation of each workload relative
  to gil (the line at 1x), a horizontal bar per other variant from that line
  (right: costs more; left: less), its value at its end.

Axes: thread counts are ticked where they were run (a log2 axis when they
span more than 8x); values get "nice" ticks (1, 2, 2.5, 5 steps) and a log
axis when they span more than 10x, ticked at 1, 2, 5 of each decade (fewer
where they span more than a few decades).
"""
import math
import os

import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
from matplotlib import ticker  # noqa: E402

from compare_run import shape_of  # noqa: E402
from compare_stats import control_speedups  # noqa: E402

DPI = 100
PALETTE = plt.get_cmap("tab10").colors  # variant i always gets colour i
CONTROL_STYLE = dict(color="0.35", linestyle="--", marker="s", markersize=5, linewidth=1.8)
LOG_SPAN = 10.0  # values spanning more than this ratio get a log axis


# ---- axes ---------------------------------------------------------------------------


def tick_text(y, unit=""):
    """1 -> '1', 0.5 -> '0.5', 12000 -> '12,000': never 0.532 or 1.06."""
    if y >= 1000 and float(y).is_integer():
        return "{:,}{}".format(int(y), unit)
    return "%g%s" % (float("%.3g" % y), unit)


def value_axis(ax, values, which="y", unit="", reference=None):
    """Scales one value axis to `values` (positive numbers): linear with nice
    steps from 0, or log (1, 2, 5 per decade) when they span more than 10x."""
    vals = [v for v in values if v and v > 0] + ([reference] if reference else [])
    axis = ax.yaxis if which == "y" else ax.xaxis
    fmt = ticker.FuncFormatter(lambda y, _pos: tick_text(y, unit))
    if vals and max(vals) / min(vals) > LOG_SPAN:
        (ax.set_yscale if which == "y" else ax.set_xscale)("log")
        decades = math.log10(max(vals) / min(vals))
        subs = (1.0, 2.0, 5.0) if decades <= 2.5 else (1.0, 3.0) if decades <= 4 else (1.0,)
        axis.set_major_locator(ticker.LogLocator(base=10, subs=subs))
        axis.set_minor_locator(ticker.NullLocator())
        axis.set_major_formatter(fmt)  # after set_*scale, which resets it (to 10^0)
        (ax.set_ylim if which == "y" else ax.set_xlim)(min(vals) / 1.25, max(vals) * 1.25)
        return "log"
    axis.set_major_locator(ticker.MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10], min_n_ticks=4))
    axis.set_major_formatter(fmt)
    (ax.set_ylim if which == "y" else ax.set_xlim)(0, max(vals) * 1.12 if vals else 1)
    return "linear"


def thread_axis(ax, xs, label):
    """Ticks at the thread counts that ran; log2 when they span more than 8x."""
    xs = sorted(set(xs))
    if xs and xs[0] > 0 and xs[-1] / xs[0] > 8:
        ax.set_xscale("log", base=2)
    ax.xaxis.set_major_locator(ticker.FixedLocator(xs) if len(xs) <= 12
                               else ticker.MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _pos: "%d" % round(x)))
    ax.xaxis.set_minor_locator(ticker.NullLocator())
    ax.set_xlabel(label)


def finish(fig, ax, path, title):
    ax.set_title(title, fontsize=12)
    ax.grid(True, which="major", color="0.88", linewidth=0.8)
    ax.set_axisbelow(True)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI, facecolor="white")
    plt.close(fig)


# ---- the charts -------------------------------------------------------------------------


def scaling_chart(path, title, series, control, log_ok=True):
    """series: [(variant, colour, [(threads, speedup)])]; control: {threads: speedup}."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    xs = sorted({t for _, _, ps in series for t, _ in ps})
    values = [y for _, _, ps in series for _, y in ps] + [control.get(t) for t in xs]
    for name, colour, ps in series:
        if ps:
            ax.plot(*zip(*ps), marker="o", color=colour, linewidth=2, label=name)
    cps = [(t, control[t]) for t in xs if control.get(t)]
    if cps:
        ax.plot(*zip(*cps), label="control: this machine's scaling", **CONTROL_STYLE)
    ax.plot(xs, xs, linestyle=":", color="0.6", linewidth=1.2, label="perfect scaling")
    thread_axis(ax, xs, "threads (each does the same work)")
    value_axis(ax, values, "y", "x", reference=1.0)  # the perfect line may leave the top
    ax.set_ylabel("speedup over 1 thread")
    ax.legend(loc="best", fontsize=9, framealpha=0.9)
    finish(fig, ax, path, title)


def latency_chart(path, title, series, control):
    """series: [(variant, colour, [(cpu-bound threads, microseconds)])]; the
    control's speedup at as many threads as there are CPU-bound ones, on a
    second axis."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    xs = sorted({x for _, _, ps in series for x, _ in ps})
    for name, colour, ps in series:
        if ps:
            ax.plot(*zip(*ps), marker="o", color=colour, linewidth=2, label=name)
    thread_axis(ax, xs, "CPU-bound threads beside the sleeper")
    value_axis(ax, [y for _, _, ps in series for _, y in ps], "y", " us")
    ax.set_ylabel("median wake-up latency (microseconds)")
    right = ax.twinx()
    cps = [(x, control[x]) for x in xs if control.get(x)]  # as many spinning threads
    if cps:
        right.plot(*zip(*cps), label="control: this machine's scaling (right axis)",
                   **CONTROL_STYLE)
    value_axis(right, [y for _, y in cps], "y", "x", reference=1.0)
    right.set_ylabel("control speedup, as many threads")
    lines = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="best", fontsize=9,
              framealpha=0.9)
    finish(fig, ax, path, title)


def cost_chart(path, groups, variants, colours):
    """groups: [(workload, {variant: cost vs gil})]; a horizontal bar per
    variant and workload (gil itself is the line at 1x), its value beside it."""
    names = [v for v in variants if v != "gil" and any(g.get(v) for _, g in groups)]
    groups = [(w, g) for w, g in groups if any(g.get(v) for v in names)]
    if not names or not groups:
        return False
    bar = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.16 * len(groups) * len(names) + 0.12 * len(groups)))
    for i, v in enumerate(names):
        ys = [gi + i * bar for gi, (_, g) in enumerate(groups) if g.get(v)]
        xs = [g[v] for _, g in groups if g.get(v)]
        # From the gil line: a bar to the right costs more, to the left less.
        bars = ax.barh(ys, [x - 1.0 for x in xs], left=1.0, height=bar * 0.92,
                       color=colours[v], label=v)
        ax.bar_label(bars, labels=["%.2fx" % x for x in xs], padding=2, fontsize=7)
    ax.set_yticks([gi + bar * (len(names) - 1) / 2 for gi in range(len(groups))])
    ax.set_yticklabels([w for w, _ in groups], fontsize=8)
    ax.set_ylim(len(groups) - 0.2, -0.4)  # the report's order, top to bottom; no margins
    values = [x for _, g in groups for x in g.values() if x]
    lo, hi = min(values + [1.0]), max(values + [1.0])
    if value_axis(ax, values, "x", "x", reference=1.0) == "log":
        ax.set_xlim(lo / 1.6, hi * 1.8)  # room for the labels, both sides
    else:
        ax.set_xlim(max(0.0, lo - 0.25 * (hi - lo) - 0.1), hi + 0.2 * (hi - lo) + 0.1)
    ax.axvline(1.0, color="0.2", linewidth=1.2, linestyle="--", label="gil (1x)")
    ax.set_xlabel("1-thread time per operation relative to gil (lower is faster)")
    ax.xaxis.set_ticks_position("both")
    ax.tick_params(axis="x", labeltop=True)
    ax.legend(loc="lower right", fontsize=9, framealpha=0.9)
    finish(fig, ax, path, "1-thread cost per strategy, relative to gil")
    return True


# ---- from rows to files ---------------------------------------------------------------


def write_charts(out_dir, rows, variants):
    """Draws every chart of this run into out_dir; returns [(title, file name)],
    the cost chart first."""
    colours = {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(variants)}
    ctl = control_speedups(rows)
    charts = []
    for wname in dict.fromkeys(r["workload"] for r in rows):
        if shape_of(wname) == "single":
            continue  # one thread: nothing to scale (the cost chart has it)
        rs = [r for r in rows if r["workload"] == wname and r["processes"] == 1]
        fname = "scaling_%s.png" % wname
        path = os.path.join(out_dir, fname)
        if shape_of(wname) == "latency":
            series = [(v, colours[v], [(r["threads"] - 1, r["metrics"]["wake_p50_us"]) for r in rs
                                       if r["variant"] == v and r["metrics"].get("wake_p50_us")])
                      for v in variants]
            if not any(ps for _, _, ps in series):
                continue
            latency_chart(path, wname + ": median wake-up latency", series, ctl)
            charts.append(("%s: wake-up latency by thread count" % wname, fname))
            continue
        series = [(v, colours[v], [(r["threads"], r["speedup"]) for r in rs
                                   if r["variant"] == v and r["speedup"]]) for v in variants]
        if not any(ps for _, _, ps in series):
            continue
        scaling_chart(path, wname + ": speedup over 1 thread", series, ctl)
        charts.append(("%s: speedup by thread count" % wname, fname))
    groups = [(r["workload"], {x["variant"]: x["cost_vs_gil_1t"] for x in rows
                               if x["workload"] == r["workload"] and x["threads"] == 1
                               and x["processes"] == 1 and x["cost_vs_gil_1t"]})
              for r in rows if r["variant"] == variants[0] and r["threads"] == 1
              and r["processes"] == 1]
    if cost_chart(os.path.join(out_dir, "cost_1thread.png"), groups, variants, colours):
        charts.insert(0, ("1-thread cost per strategy, relative to gil", "cost_1thread.png"))
    return charts
