#!/usr/bin/env bash
# Runs the randomized stress program (tests/random_stress.c) for as long as
# asked, across the thread-safe variants, each run with a fresh seed, and
# prints the seed of every failure with the command that repeats it.
# Ends with one line: "N passed, N failed" (runs).
#
#   bash scripts/soak.sh 600                    10 minutes, every variant
#   bash scripts/soak.sh 600 nogil              one variant
#   CONFIG=asan bash scripts/soak.sh 600        under a sanitizer (asan, tsan)
#   RUN_SECONDS=30 THREADS=8 bash scripts/soak.sh 3600
#
# Each run lasts RUN_SECONDS (default 20; the program checks its invariants
# every few thousand operations per thread, and the duration only decides
# when it stops); the variants take turns until SECONDS have passed.
set -uo pipefail
cd "$(dirname "$0")/.."

total=${1:-60}
shift || true
variants=("$@")
[ "${#variants[@]}" -gt 0 ] || variants=(gil finegrained nogil)
run_seconds=${RUN_SECONDS:-20}
threads=${THREADS:-4}
config=${CONFIG:+--config=$CONFIG}

targets=()
for v in "${variants[@]}"; do
    targets+=("//tests:random_stress_test_$v")
done
# shellcheck disable=SC2086 # config is empty or one word
bazel build $config "${targets[@]}" || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
bin=$(bazel info $config bazel-bin)

passed=0
failed=0
failures=()
end=$(($(date +%s) + total))
while [ "$(date +%s)" -lt "$end" ]; do
    for v in "${variants[@]}"; do
        left=$((end - $(date +%s)))
        [ "$left" -gt 0 ] || break
        secs=$((left < run_seconds ? left : run_seconds))
        seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
        out=$("$bin/tests/random_stress_test_$v" --seed "$seed" --seconds "$secs" \
            --threads "$threads" 2>&1)
        if [ $? -eq 0 ]; then
            passed=$((passed + 1))
            echo "ok   $v seed $seed: ${out##*ok: }"
        else
            failed=$((failed + 1))
            failures+=("$v seed $seed")
            echo "FAIL $v seed $seed:"
            echo "$out" | tail -n 5
            echo "     repeat: $bin/tests/random_stress_test_$v --seed $seed --seconds $secs --threads $threads"
        fi
    done
done

if [ "${#failures[@]}" -gt 0 ]; then
    echo "failed seeds:"
    printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
