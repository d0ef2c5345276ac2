#!/usr/bin/env bash
# The object layer (objects/, refcount/, runtime/, gc/) never tests which
# strategy it is built with: strategy-specific code stays behind the seam
# (locking/strategy.h). This test fails on any line there that names a
# strategy macro, or compares the strategy's name in a conditional.
set -u
status=0
files=$(find objects refcount runtime gc -name '*.[ch]' 2>/dev/null | sort)
[ -n "$files" ] || { echo "no object-layer sources found"; exit 1; }

check() { # pattern, what it means
    local hits
    hits=$(grep -nE "$1" $files)
    if [ -n "$hits" ]; then
        echo "FAIL: $2:"
        echo "$hits"
        status=1
    fi
}
check 'RCS_STRATEGY_[A-Z]+' "the object layer names a strategy macro"
check '^[[:space:]]*#[[:space:]]*(if|elif|ifdef|ifndef).*(RCS_NAME|RC_STRATEGY_NAME)' \
      "a preprocessor conditional on the strategy's name"
check 'strcmp\([^)]*(RCS_NAME|RC_STRATEGY_NAME)' "a run-time test of the strategy's name"
check '#[[:space:]]*include[[:space:]]*"locking/(gil|finegrained|biased|nolock)/' \
      "a strategy header included directly (include locking/strategy.h)"

# The check must be able to fail: a planted violation has to be caught.
probe=$(mktemp)
printf '#ifdef RCS_STRATEGY_GIL\n#endif\n' > "$probe"
grep -qE 'RCS_STRATEGY_[A-Z]+' "$probe" || { echo "FAIL: the check cannot see a violation"; status=1; }
rm -f "$probe"

[ "$status" -eq 0 ] && echo "ok: $(echo "$files" | wc -l) object-layer files name no strategy"
exit "$status"
