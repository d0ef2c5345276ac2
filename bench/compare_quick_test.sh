#!/usr/bin/env bash
# Runs the comparative suite in its quickest mode and checks that it works:
# it finished, results.json parses and holds every variant, every row of
# every thread-safe variant is correct, so is every one-thread row of the
# unprotected one (the single-thread operations among them), and report.md,
# results.csv, the charts and report.html (one <img> per chart, inside it)
# exist (bench/report_render_test opens a report in a browser), and the
# programs group ran every program on every thread-safe variant and on
# Debian's python3 with CPython's answers. It never looks at a timing: CI
# machines are too noisy, and the suite's own report is where timings are
# judged.
set -u
out="${TEST_TMPDIR:-$(mktemp -d)}/bench-results"
bash bench/compare.sh "$@" --quick --out "$out" || { echo "FAIL: compare exited $?"; exit 1; }
/usr/bin/python3 - "$out" "$@" <<'PY'
import json, os, re, sys
out, args = sys.argv[1], sys.argv[2:]
variants = args[args.index("--variants") + 1].split(",")
data = json.load(open(os.path.join(out, "results.json")))
rows = data["results"]
fail = []
needed = ("variant", "workload", "threads", "processes", "ops_per_sec", "median_s",
          "min_s", "max_s", "reps", "correct", "detail")
for r in rows:
    missing = [k for k in needed if k not in r]
    if missing:
        fail.append("row without %s: %s" % (missing, r.get("workload")))
    if (r["thread_safe"] or r["parallelism"] == 1) and not r["correct"]:
        fail.append("%s %s threads=%d processes=%d: %s" % (
            r["variant"], r["workload"], r["threads"], r["processes"], r["detail"]))
seen = {r["variant"] for r in rows}
fail += ["no rows for variant %s" % v for v in variants if v not in seen]
workloads = {r["workload"] for r in rows}
if len(workloads) < 12:
    fail.append("only %d workloads ran: %s" % (len(workloads), sorted(workloads)))
for f in ("report.md", "report.html", "results.csv", "cost_1thread.png", "scaling_control.png"):
    p = os.path.join(out, f)
    if not os.path.isfile(p) or os.path.getsize(p) == 0:
        fail.append("missing or empty: " + f)
report = open(os.path.join(out, "report.md")).read()
charts = sorted(f for f in os.listdir(out) if f.endswith(".png"))
shown = sorted(re.findall(r"^!\[[^\]]*\]\(([^)]+)\)$", report, re.M))
page = open(os.path.join(out, "report.html")).read()
imgs = re.findall(r'<img [^>]*src="data:image/png;base64,', page)
if shown != charts or len(imgs) != len(charts):
    fail.append("%d charts drawn, report.md shows %s, report.html has %d <img>" % (
        len(charts), shown, len(imgs)))
# The programs group: every benchmark program and both verbatim seeds, on
# refpy for every thread-safe variant and on Debian's python3 (installed by
# scripts/install-deps.sh), every answer as CPython's.
progs = data.get("programs", {}).get("rows", [])
ran = {r["runner"] for r in progs}
safe = [v for v, i in data["meta"]["variants"].items() if i["thread_safe"]]
fail += ["programs: no rows for refpy-%s" % v for v in safe if "refpy-" + v not in ran]
if os.access("/usr/bin/python3", os.X_OK) and not any(r.startswith("CPython ") for r in ran):
    fail.append("programs: /usr/bin/python3 did not run them")
names = {r["program"] for r in progs}
if len([n for n in names if n.startswith("prog_")]) < 8 or \
        not {"seed_count_verbatim", "seed_io_bound_verbatim"} <= names:
    fail.append("programs: only %s ran" % sorted(names))
fail += ["programs: %s on %s, %s threads: %s" % (r["program"], r["runner"], r["threads"], r["detail"])
         for r in progs if not r["correct"]]
if "## Programs: refpy on each strategy beside CPython" not in report:
    fail.append("report.md lacks the programs section")
for c in data["claims"]:
    if c["claim"] not in report:
        fail.append("report.md lacks the claim: " + c["claim"])
for f in fail:
    print("FAIL:", f)
print("ok: %d rows, %d workloads, variants %s" % (len(rows), len(workloads), sorted(seen)) if not fail else "")
sys.exit(1 if fail else 0)
PY
