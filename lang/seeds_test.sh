#!/usr/bin/env bash
# Runs each seeds program under one variant's refpy and compares its output
# with the program's .expected file. Lines starting with "elapsed" carry
# timings and are left out: tests check what a program computes, never how
# fast. Arguments shrink the work (counting to 100,000, short sleeps).
set -u
refpy=$1
shift
status=0
args_for() {
    case "$(basename "$1")" in
    count.py) echo 100000 ;;
    sleepers.py) echo 0.05 ;;
    io_bound.py) echo 4 5 0.005 ;;
    containers.py) echo 5000 2 ;;
    esac
}
for program in "$@"; do
    expected=${program%.py}.expected
    # shellcheck disable=SC2046 # the arguments are words on purpose
    if ! out=$("$refpy" "$program" $(args_for "$program") 2>&1); then
        echo "FAIL: $program exited with an error:"
        echo "$out"
        status=1
        continue
    fi
    got=$(printf '%s\n' "$out" | grep -v '^elapsed')
    if [ "$got" != "$(cat "$expected")" ]; then
        echo "FAIL: $program: output differs from $expected:"
        diff <(printf '%s\n' "$got") "$expected"
        status=1
    else
        echo "ok: $program"
    fi
done
exit "$status"
