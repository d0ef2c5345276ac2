#!/usr/bin/env bash
# Interpreter code uses refcore through its public API only: every
# `#include "..."` in lang/ names refcore.h, a public header that refcore.h
# itself includes, or one of lang's own headers (tests may also include the
# shared test support, tests/support.h). Internal headers (*_internal.h),
# strategy headers and private sources stay out of reach.
set -u
[ -f refcore.h ] || { echo "refcore.h not found"; exit 1; }
allowed=$(sed -n 's/^#include "\(.*\)"/\1/p' refcore.h | sort -u)
allowed="refcore.h
$allowed"

# Prints "file:line: header" for each include in the files given that is
# not allowed.
violations() {
    local f line hdr
    for f in "$@"; do
        while IFS= read -r line; do
            hdr=$(printf '%s\n' "${line#*:}" | sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p')
            [ -n "$hdr" ] || continue
            case "$hdr" in
            lang/*.h) [ -f "$hdr" ] && continue ;;
            tests/support.h) case "$f" in *_test.c | */test_support.c) continue ;; esac ;;
            esac
            printf '%s\n' "$allowed" | grep -qxF "$hdr" && continue
            echo "$f:${line%%:*}: $hdr"
        done < <(grep -n 'include' "$f")
    done
}

files=$(ls lang/*.c lang/*.h 2>/dev/null)
[ -n "$files" ] || { echo "no lang sources found"; exit 1; }
# shellcheck disable=SC2086
bad=$(violations $files)
status=0
if [ -n "$bad" ]; then
    echo "FAIL: lang/ includes headers that are not refcore's public API:"
    echo "$bad"
    status=1
fi

# The check must be able to fail: planted violations have to be caught.
probe_dir=$(mktemp -d)
mkdir -p "$probe_dir/lang"
printf '#include "refcore.h"\n#include "objects/object_internal.h"\n' > "$probe_dir/lang/a.c"
printf '#include "locking/gil/gil.h"\n' > "$probe_dir/lang/b.c"
printf '#include "tests/support.h"\n' > "$probe_dir/lang/c.c"
caught=$(cd "$probe_dir" && violations lang/a.c lang/b.c lang/c.c | wc -l)
rm -rf "$probe_dir"
if [ "$caught" -ne 3 ]; then
    echo "FAIL: the check caught $caught of 3 planted violations"
    status=1
fi
[ "$status" -eq 0 ] && echo "ok: $(echo "$files" | wc -l) lang files include only refcore's public headers"
exit "$status"
