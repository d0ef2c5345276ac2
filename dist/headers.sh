#!/usr/bin/env bash
# Copies the public headers of one variant to OUT, laid out as in the source
# tree: exactly the files that refcore.h includes, directly or not, with that
# variant's strategy macro (so one strategy header, no internal header).
#
#   headers.sh OUT ROOT -DRCS_STRATEGY_...    (ROOT: the folder of refcore.h;
#                                              CC names the compiler)
set -euo pipefail
out=$1 root=$2
shift 2
list=$(mktemp)
trap 'rm -f "$list"' EXIT

# -MM: the user headers refcore.h reaches (system headers left out).
"${CC:-cc}" -MM -MT refcore -I"$root" "$@" "$root/refcore.h" |
    sed -e 's/\\$//' -e 's/^refcore://' | tr ' ' '\n' | grep -E '\.h$' |
    sed -e 's#^\./##' -e "s#^$root/##" | sort -u >"$list"
while read -r h; do
    case "$h" in
        *_internal.h) echo "headers.sh: refcore.h reaches internal header $h" >&2; exit 1 ;;
    esac
    mkdir -p "$out/$(dirname "$h")"
    cp "$root/$h" "$out/$h"
done <"$list"
