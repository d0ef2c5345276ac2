#!/usr/bin/env bash
# compare's command line without running a workload:
# - `compare --help` names every option of its argparse parser, each with a
#   help text, and states the --diff rule;
# - `compare --diff A B` on bench/testdata/diff_{a,b}.json, where exactly one
#   row changed beyond the noise (gil refcount_private, 1 thread, twice as
#   fast in B), names that row and no other as changed, with its change
#   (+100.0% one way, -50.0% the other), and lists the rows it cannot judge.
set -u
py=/usr/bin/python3 # Debian's, as compare.sh runs it
fail=0
help=$(bash bench/compare.sh --help) || { echo "FAIL: --help exited $?"; exit 1; }
PYTHONPATH=bench "$py" - "$help" <<'PY' || fail=1
import sys
from compare import make_parser
shown = sys.argv[1]
bad = []
for a in make_parser()._actions:
    for opt in a.option_strings:
        if opt not in shown:
            bad.append("--help does not name " + opt)
    if not a.help:
        bad.append("no help text for %s" % a.option_strings)
if "do not overlap" not in shown:
    bad.append("--help does not state the --diff rule")
for b in bad:
    print("FAIL:", b)
n = sum(len(a.option_strings) for a in make_parser()._actions)
print("ok: --help names all %d option strings" % n if not bad else "")
sys.exit(1 if bad else 0)
PY

check_diff() { # A B expected-change
    local out changed
    out=$(bash bench/compare.sh --diff "bench/testdata/$1" "bench/testdata/$2") ||
        { echo "FAIL: --diff $1 $2 exited $?"; fail=1; return; }
    changed=$(grep '^changed: ' <<<"$out")
    if [ "$(wc -l <<<"$changed")" -ne 1 ] ||
        ! grep -q "^changed: gil refcount_private threads=1 processes=1: $3 " <<<"$changed"; then
        echo "FAIL: --diff $1 $2 should name one changed row (gil refcount_private" \
            "threads=1, $3); it said:"
        echo "$out"
        fail=1
        return
    fi
    for want in "^correctness: nolock containers_shared threads=2 processes=1" \
        "^not judged: nogil control threads=1 processes=1" \
        "^1 of 6 row(s) changed beyond the noise; 2 within it\.$"; do
        grep -q "$want" <<<"$out" || { echo "FAIL: --diff $1 $2 lacks /$want/"; fail=1; }
    done
    echo "ok: --diff $1 $2: $changed"
}
check_diff diff_a.json diff_b.json '+100.0%'
check_diff diff_b.json diff_a.json '-50.0%'
exit $fail
