#!/usr/bin/env bash
# Runs each seeds program under one variant's refpy (or, for the programs
# written as Python, seeds/*_verbatim.py, under CPython) and compares its output
# with the program's .expected file. Lines starting with "elapsed" carry
# timings and are left out, and a time printed as "1.23 seconds" reads
# "N.NN seconds": tests check what a program computes, never how
# fast; so are the lines a program's ignore pattern matches (thread ids,
# and counts of threads still sleeping, which depend on timing). Arguments
# shrink the work (counting to 100,000, short sleeps).
set -u
refpy=$1
shift
status=0
args_for() {
    case "$(basename "$1")" in
    count.py | count_verbatim.py) echo 100000 ;;
    sleepers.py) echo 0.05 ;;
    io_bound.py | io_bound_verbatim.py) echo 4 5 0.005 ;;
    containers.py) echo 5000 2 ;;
    threads_verbatim.py) echo 0.05 ;;
    esac
}
ignore_for() {
    case "$(basename "$1")" in
    threads_verbatim.py) echo '^(len\(threading|threading\.enumerate|main_thread=|main_thread\.native_id|threading\.active_count\(\)=[0-9]+$)' ;;
    *) echo '^$.' ;; # matches nothing
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
    got=$(printf '%s\n' "$out" | grep -v '^elapsed' | grep -Ev "$(ignore_for "$program")" |
        sed -E 's/[0-9]+\.[0-9]{2} seconds/N.NN seconds/')
    if [ "$got" != "$(cat "$expected")" ]; then
        echo "FAIL: $program: output differs from $expected:"
        diff <(printf '%s\n' "$got") "$expected"
        status=1
    else
        echo "ok: $program"
    fi
done
exit "$status"
