#!/usr/bin/env bash
# Runs a benchmark binary at a tiny scale and checks that it finished and
# printed a row for every operation. Speed is not checked here.
set -u
out=$("$1" --reps 2 --scale 0.01 2>&1) || { echo "$out"; echo "FAIL: exit status $?"; exit 1; }
echo "$out"
rows=$(echo "$out" | grep -cE '^\| [a-z].*\| +[0-9]+\.[0-9]+ \|')
[ "$rows" -eq 12 ] || { echo "FAIL: expected 12 result rows, got $rows"; exit 1; }
echo "ok: $rows rows"
