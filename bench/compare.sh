#!/usr/bin/env bash
# bench/compare.sh -- what `bazel run //bench:compare` runs: bench/compare.py
# on the workloads binaries of every variant (bench/BUILD passes --variants).
#
#   bazel run //bench:compare                   the default run (10 to 15 minutes)
#   bazel run //bench:compare -- --quick        the quickest (about a minute)
#   bazel run //bench:compare -- --help         every option
#
# Results go to bench-results/ in the workspace unless --out DIR says otherwise.
set -euo pipefail
# Find the runfiles tree that holds the binaries: beside this script when
# `bazel run` (or a person) starts it from bazel-bin, RUNFILES_DIR under
# `bazel test`, else the current folder.
if [ -f "$0.runfiles/refcore/bench/compare.py" ]; then
    root="$0.runfiles/refcore"
elif [ -n "${RUNFILES_DIR:-}" ] && [ -f "$RUNFILES_DIR/refcore/bench/compare.py" ]; then
    root="$RUNFILES_DIR/refcore"
elif [ -f bench/compare.py ]; then
    root=.
else
    echo "compare.sh: cannot find bench/compare.py; run it with bazel run //bench:compare" >&2
    exit 2
fi
# The runfiles are links into the source tree: write no bytecode there.
export PYTHONDONTWRITEBYTECODE=1
# Debian's python3, not the first on PATH: it has python3-matplotlib
# (scripts/install-deps.sh) for the charts.
exec /usr/bin/python3 "$root/bench/compare.py" --bin-dir "$root/bench" "$@"
