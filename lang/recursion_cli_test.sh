#!/usr/bin/env bash
# refpy (the command-line program, one variant: $1) on programs that nest
# too deep: each must exit with status 1 (an error, not a signal) and say
# RecursionError on stderr, with no leak report; a normal program after it
# must run. Programs are written to the test's temporary directory.
set -u
refpy=$1
dir=${TEST_TMPDIR:-$(mktemp -d)}
status=0

# expect NAME MESSAGE: runs $dir/NAME.py, checks exit status 1 and MESSAGE.
expect() {
    local out rc
    out=$("$refpy" "$dir/$1.py" 2>&1)
    rc=$?
    if [ "$rc" -ne 1 ]; then
        echo "FAIL: $1: exit status $rc, expected 1; output:"
        printf '%s\n' "$out" | head -5
        status=1
    elif ! printf '%s\n' "$out" | grep -qF "$2"; then
        echo "FAIL: $1: no \"$2\" in:"
        printf '%s\n' "$out" | head -5
        status=1
    elif printf '%s\n' "$out" | grep -q "alive\|leak"; then
        echo "FAIL: $1: leak report:"
        printf '%s\n' "$out" | head -5
        status=1
    else
        echo "ok: $1"
    fi
}

printf 'x = []\nfor i in range(100000):\n    x = [x]\nprint(x)\n' >"$dir/deep_repr.py"
expect deep_repr "line 4: RecursionError: maximum recursion depth exceeded while getting the repr of an object"

printf 'a = []\na.append(a)\nb = []\nb.append(b)\nprint(a == b)\n' >"$dir/self_eq.py"
expect self_eq "line 5: RecursionError: maximum recursion depth exceeded in comparison"

printf 'def f(n):\n    return f(n + 1)\nf(0)\n' >"$dir/calls.py"
expect calls "line 2: RecursionError: maximum recursion depth exceeded"

printf 'print([[1], (2,)])\n' >"$dir/fine.py"
if [ "$("$refpy" "$dir/fine.py" 2>&1)" != "[[1], (2,)]" ]; then
    echo "FAIL: fine.py"
    status=1
fi
exit "$status"
