"""bench/compare_claims.py -- the claims about threads and the GIL, judged
from the rows, and the free-threading goals.
"""
from compare_run import WORKLOADS, one_with_role, shape_of, shares_objects, with_role
from compare_stats import control_speedups, find, fmt_x, geomean


# ---- the claims -----------------------------------------------------------------------------


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


def parallel_beside_the_lock(rows, info, ctl2, role, threads, procs, what):
    """For each strategy with a global lock: work that does not hold it (a
    second process, native code in the release region) runs in parallel, if
    two of it ran at >= 1.2x one and at >= 0.7 of the control's speedup.
    `what` words the finding from the strategy, the speedup and the note."""
    out = []
    for v in info:
        if not info[v]["thread_safe"] or info[v]["parallel"]:
            continue
        r = find(rows, v, one_with_role(role), threads, procs)
        if not (r and r["speedup"]):
            continue
        ok, note = machine_parallelism_note(ctl2)
        rel = r["speedup_vs_control"] or 0
        verdict = scaling_verdict(ok, r["speedup"] >= 1.2 and rel >= 0.7)
        out.append((verdict, what % (v, fmt_x(r["speedup"]), note)))
    return out


def claim_processes(rows, info, ctl2):
    return ("Processes run in parallel (one runtime, and one lock, per process)",
            parallel_beside_the_lock(rows, info, ctl2, "seeds", 1, 2,
                                     "%s: 2 processes counting ran at %s the speed of one thread "
                                     "counting twice (%s)"))


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
    return ("Native code that releases the lock runs in parallel",
            parallel_beside_the_lock(rows, info, ctl2, "native", 2, 1,
                                     "%s: 2 threads ran %s the native work per second of one (%s)"))


def claim_interp_count(rows, info, ctl2):
    """The seeds' counting program, lang/seeds/count.py as a user runs it
    (seeds_count_py: its own two threads share the function and the int they
    count to): two threads take about the sequential time under a global
    lock, at most 0.6 of it without one (issue 16's bar). The per-thread-
    interpreter form (interp_count, nothing shared) is a note beside it."""
    out = []
    ok, note = machine_parallelism_note(ctl2)
    for v in info:
        if not info[v]["thread_safe"]:
            continue
        parallel = info[v]["parallel"]
        p = find(rows, v, one_with_role("seeds_program"), 1, 1)
        if p and p["correct"] and "ratio" in p["metrics"]:
            ratio = p["metrics"]["ratio"]
            text = ("%s: count.py's two threads took %.2f of the time of counting twice in a row "
                    "(median of %d runs; %s)" % (v, ratio, p["reps"], note))
            if parallel and ok and ctl2 < 1.9:
                # The bar (0.6) assumes a second CPU as free as the control
                # found it at 1.9x; below that, 0.6 asks more than the machine gave.
                verdict = "inconclusive (the bar is set for a control of 1.9x or more)"
            else:
                verdict = scaling_verdict(ok, ratio <= 0.6 if parallel else ratio >= 0.75)
            out.append((verdict, text))
        r = find(rows, v, one_with_role("interp"), 2, 1)
        if r and r["speedup"]:
            out.append(("note", "%s: with one interpreter per thread (nothing shared), 2 threads ran "
                        "at %s the speed of one" % (v, fmt_x(r["speedup"]))))
    return ("The seeds' counting program under refpy: two threads take about the sequential time "
            "with a global lock, at most 0.6 of it without"), out


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
        program = (find(rows, v, one_with_role("seeds_program"), 1) or {}).get("metrics", {})
        out.append({"variant": v, "cost_geomean": geomean(costs.values()), "costs": costs,
                    "private_vs_control": private, "read_shared_vs_control": read,
                    "read_borrowed_vs_control": borrowed, "attr_vs_control": attr,
                    "interp_count_speedup": interp, "count_py_ratio": program.get("ratio")})
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
             "refpy counting, 2-thread speedup | "
             "count.py, 2 threads / twice in a row (goal <= 0.6) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for g in goals:
        lines.append("| %s | %s | %d | %s | %s | %s | %s | %s | %s |" % (
            g["variant"], fmt_x(g["cost_geomean"]), len(g["costs"]),
            ", ".join("%s %s" % (w, fmt_x(x)) for w, x in g["private_vs_control"].items()),
            fmt_x(g["read_shared_vs_control"]), fmt_x(g["read_borrowed_vs_control"]),
            fmt_x(g["attr_vs_control"]), fmt_x(g["interp_count_speedup"]),
            "%.2f" % g["count_py_ratio"] if g.get("count_py_ratio") is not None else "-"))
    return lines


CLAIMS = (claim_take_turns, claim_io_overlap, claim_processes, claim_races, claim_native,
          claim_convoy, claim_free_threading, claim_interp_count)


# ---- the same claims, from the seeds' programs as a reader types them --------------------


def seed_findings(programs, ctl2):
    """Findings from the programs group's verbatim seed programs
    (compare_programs.py), for the claims above, keyed by the claim
    function's name without claim_. The bars are the workloads' own: a
    global lock's two threads take turns unless they ran above 1.25x; two
    processes, or threads without a global lock, ran in parallel at 1.2x and
    0.7 of the control's speedup, and count.py's bar is 0.6 of the sequential
    time (issue 16); I/O waits overlap at 0.6 of the ideal. None from a
    --quick run, whose counts take milliseconds."""
    out = {"take_turns": [], "processes": [], "io_overlap": [], "interp_count": []}
    if programs.get("quick"):
        return out
    ok, note = machine_parallelism_note(ctl2)
    for r in programs.get("rows", []):
        if r["threads"] is not None or not r["correct"]:
            continue
        m = r["median_s"]
        if r["program"] == "seed_count_verbatim":
            seq, thr, proc = (m.get("Time without threads"), m.get("Time with threads"),
                              m.get("Time with processes"))
            if not (seq and thr and proc):
                continue
            where = "%s, count_verbatim.py (N=%s)" % (
                r["runner"], r["argv"][0] if r["argv"] else "10**7, its default")
            ratio = thr / seq
            threads_text = ("%s: two threads took %.2f s, counting twice in a row %.2f s: "
                            "%.2f of it (%s)" % (where, thr, seq, ratio, note))
            if r["gil"]:
                out["take_turns"].append(
                    ("did not hold" if seq / thr > 1.25 else scaling_verdict(ok, True),
                     threads_text))
                speed = seq / proc
                out["processes"].append((
                    scaling_verdict(ok, speed >= 1.2 and ctl2 and speed / ctl2 >= 0.7),
                    "%s: two processes took %.2f s, counting twice in a row %.2f s: %.2fx "
                    "(%s)" % (where, proc, seq, speed, note)))
            if r["kind"] != "refpy":
                verdict = "note"  # the claim is refpy's; CPython beside it
            elif r["gil"]:
                verdict = scaling_verdict(ok, ratio >= 0.75)
            elif ok and ctl2 < 1.9:
                verdict = "inconclusive (the bar is set for a control of 1.9x or more)"
            else:
                verdict = scaling_verdict(ok, ratio <= 0.6)
            out["interp_count"].append((verdict, threads_text))
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


def judge(rows, info, programs=None):
    """Every claim's findings: from the workloads' rows, then from the
    programs group's seed programs (seed_findings), which judge the same
    claims from the programs a reader of the seeds types."""
    ctl2 = control_speedups(rows).get(2)
    extra = seed_findings(programs or {}, ctl2)
    out = []
    for f in CLAIMS:
        claim, findings = f(rows, info, ctl2)
        out.append({"claim": claim, "findings": findings + extra.get(f.__name__[len("claim_"):], [])})
    return out
