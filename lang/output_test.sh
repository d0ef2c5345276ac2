#!/usr/bin/env bash
# Runs each program under one interpreter (a variant's refpy, or CPython
# for the programs written as Python) and compares its output with the
# program's .expected file beside it.
#
# The program says how the test runs it, in comment lines of its own:
#   # test: ARGS            the arguments (words), to keep the work small
#   # test-ignore: REGEX    output lines to leave out (an extended regex:
#                           thread ids, counts that depend on timing)
# Lines starting with "elapsed" carry timings and are left out, and a time
# printed as "1.23 seconds" reads "N.NN seconds": tests check what a
# program computes, never how fast.
#
#     output_test.sh INTERPRETER PROGRAM.py...
set -u
interp=$1
shift
status=0
for program in "$@"; do
    expected=${program%.py}.expected
    args=$(sed -n 's/^# test: //p' "$program")
    ignore=$(sed -n 's/^# test-ignore: //p' "$program")
    # shellcheck disable=SC2086 # the arguments are words on purpose
    if ! out=$("$interp" "$program" $args 2>&1); then
        echo "FAIL: $program $args exited with an error:"
        echo "$out"
        status=1
        continue
    fi
    got=$(printf '%s\n' "$out" | grep -v '^elapsed' | grep -Ev "${ignore:-^$.}" |
        sed -E 's/[0-9]+\.[0-9]{2} seconds/N.NN seconds/')
    if [ "$got" != "$(cat "$expected")" ]; then
        echo "FAIL: $program $args: output differs from $expected:"
        diff <(printf '%s\n' "$got") "$expected"
        status=1
    else
        echo "ok: $program $args"
    fi
done
exit "$status"
