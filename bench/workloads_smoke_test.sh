#!/usr/bin/env bash
# Runs every workload of one variant once, on one thread, with a few
# operations, and checks what the harness reports: the run is correct, and
# the runtime stopped cleanly with nothing leaked. Unlike compare_quick_test
# (the plain pass only), it runs in every pass of scripts/test.sh, so the
# workloads' code meets the debug checks, the sanitizers and the collector's
# stress mode. It never looks at a timing.
#
#   workloads_smoke_test.sh path/to/workloads_<variant>
set -u
bin=$1
names=$("$bin" --list | sed -n 's/^{"name":"\([^"]*\)".*/\1/p')
# A whole program that starts threads of its own (shape "program") runs on
# thread-safe variants only; the binary must refuse it on the others.
if "$bin" --info | grep -q '"thread_safe":false'; then
    for name in $("$bin" --list | sed -n 's/^{"name":"\([^"]*\)".*"shape":"program".*/\1/p'); do
        if "$bin" --workload "$name" --threads 1 --ops 1000 --reps 1 >/dev/null 2>&1; then
            echo "FAIL: $name ran on a variant that is not thread-safe"
            exit 1
        fi
        names=$(tr ' ' '\n' <<<"$names" | grep -vx "$name")
    done
fi
[ -n "$names" ] || { echo "FAIL: $bin --list named no workload"; exit 1; }
failed=0
for name in $names; do
    min=$("$bin" --list | sed -n "s/^{\"name\":\"$name\".*\"min_ops\":\([0-9]*\).*/\1/p")
    ops=$(( min > 1000 ? min : 1000 ))
    out=$("$bin" --workload "$name" --threads 1 --ops "$ops" --reps 1 --no-warmup 2>&1)
    rc=$?
    if [ $rc -ne 0 ] || ! grep -q '^RESULT .*"correct":true' <<<"$out" ||
        ! grep -q '^END {"leaked":0,"stop":"RC_OK"}' <<<"$out"; then
        echo "FAIL: $name (exit $rc):"
        echo "$out" | tail -n 5
        failed=$((failed + 1))
    fi
done
echo "$(wc -w <<<"$names") workloads, $failed failed"
[ $failed -eq 0 ]
