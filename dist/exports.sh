#!/usr/bin/env bash
# The names the shared library of one variant exports, derived from its
# public headers as installed (INCLUDE_DIR holds refcore.h), one a line:
#   - every rc_* name the headers mention outside comments: the public API.
#     (Type and macro names come along; no symbol has them, so they cost
#     nothing in a version script.)
#   - the rcs_* and rci_* names that code in the headers reaches: calls and
#     reads in static inline functions (compiled with -fkeep-inline-functions,
#     with and without RC_DEBUG, so both sides of `if (RC_DEBUG)` count) and
#     in macro bodies. The other rcs_/rci_ functions are the library's own
#     and stay hidden.
#
#   exports.sh [--needed] INCLUDE_DIR -DRCS_STRATEGY_...
#
# --needed prints only the second group (what a program compiled against
# the headers may need from the library). CC and NM name the tools
# (default cc, nm). dist/dist.bzl writes the version script with it;
# tests/consumer/symbols_test.sh checks a built library against it.
set -euo pipefail

needed_only=0
if [ "${1:-}" = --needed ]; then
    needed_only=1
    shift
fi
inc=$1
shift
# The probe below sets RC_DEBUG itself: drop a debug library's own -DRC_DEBUG.
flags=()
for f in "$@"; do
    case "$f" in -DRC_DEBUG*) ;; *) flags+=("$f") ;; esac
done
cc=${CC:-cc}
nm=${NM:-nm}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The headers without comments, macro definitions kept, each on one line.
find "$inc" -name '*.h' | sort | while read -r h; do
    "$cc" -w -fpreprocessed -dD -E -P "$h"
done | sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' >"$tmp/headers"

{
    if [ "$needed_only" -eq 0 ]; then
        grep -oE '\brc_[A-Za-z0-9_]+' "$tmp/headers" || true
    fi
    # Macro bodies: what follows the name and parameter list.
    grep -E '^#define ' "$tmp/headers" |
        sed -E 's/^#define +[A-Za-z0-9_]+(\([^)]*\))?//' |
        grep -oE '\brc[si]_[A-Za-z0-9_]+' || true
    # Inline functions: the symbols they leave undefined.
    printf '#include "refcore.h"\n' >"$tmp/probe.c"
    for debug in 0 1; do
        "$cc" -O0 -fkeep-inline-functions -c -I"$inc" "${flags[@]}" \
            -DRC_DEBUG="$debug" "$tmp/probe.c" -o "$tmp/probe$debug.o"
        "$nm" -u "$tmp/probe$debug.o" | awk '{ print $NF }' | grep -E '^rc[si]?_' || true
    done
} | sort -u
