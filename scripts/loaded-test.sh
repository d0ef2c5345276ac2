#!/usr/bin/env bash
# Runs every threaded test N times under ASan and under TSan while the
# machine is busy, to show that no test depends on scheduling: a thread
# descheduled for 100 ms on a loaded machine is normal, and a test must pass
# all the same. Ends with one line: "N passed, N failed" (runs, not targets).
#
#   bash scripts/loaded-test.sh            20 runs of each, asan and tsan
#   bash scripts/loaded-test.sh 50         50 runs of each
#   bash scripts/loaded-test.sh 20 tsan    one config (asan, tsan)
#   TARGETS=//tests:biased_test_nogil bash scripts/loaded-test.sh 20 asan
#   BAZEL_FLAGS=--local_test_jobs=4 bash scripts/loaded-test.sh   more at once
#
# The load: one busy loop per CPU (nproc), started here and killed on exit,
# so that the tests always compete for the CPUs. Results are never cached
# (--nocache_test_results): every run really runs.
set -uo pipefail
cd "$(dirname "$0")/.."

runs=${1:-20}
shift || true
configs=("$@")
[ "${#configs[@]}" -gt 0 ] || configs=(asan tsan)
targets=${TARGETS:-//...}

load_pids=()
log=$(mktemp)
stop_load() {
    for pid in "${load_pids[@]}"; do
        kill "$pid" 2>/dev/null
    done
    rm -f "$log"
}
trap stop_load EXIT

cpus=$(nproc)
for _ in $(seq "$cpus"); do
    # A subshell spinning on a no-op: pure CPU, no I/O, no memory.
    (while :; do :; done) &
    load_pids+=("$!")
done
echo "background load: $cpus busy loop(s), pids ${load_pids[*]}"

passed=0
failed=0
for config in "${configs[@]}"; do
    echo "=== $config: $runs runs of each threaded test ($(uptime | sed 's/.*load/load/'))"
    # shellcheck disable=SC2086 # targets and BAZEL_FLAGS are word lists on purpose
    bazel test --config="$config" --keep_going --nocache_test_results ${BAZEL_FLAGS:-} \
        --runs_per_test="$runs" --test_tag_filters=threaded,-bench $targets >"$log" 2>&1
    rc=$?
    # Bazel's summary, one line per target: "//t  PASSED in 1.2s" (every
    # run passed), or "//t  FAILED in 3 out of 20 in 1.2s" (3 runs failed).
    p=0
    f=0
    while read -r target status rest; do
        if [ "$status" = PASSED ]; then
            p=$((p + runs))
        elif [[ "$rest" =~ ^in\ ([0-9]+)\ out\ of\ ([0-9]+) ]]; then
            f=$((f + BASH_REMATCH[1]))
            p=$((p + BASH_REMATCH[2] - BASH_REMATCH[1]))
            echo "$target $status $rest"
        else
            f=$((f + runs))
            echo "$target $status $rest"
        fi
    done < <(grep -E '^//[^ ]+ +(PASSED|FAILED|TIMEOUT|FLAKY|NO STATUS|INCOMPLETE)' "$log")
    if grep -q 'FAILED TO BUILD' "$log" || { [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then
        # A build or analysis error: no test named, so say what Bazel said.
        tail -n 40 "$log"
        f=$((f + 1))
    fi
    targets_run=$(grep -cE '^//[^ ]+ +(PASSED|FAILED|TIMEOUT|FLAKY|NO STATUS|INCOMPLETE)' "$log")
    echo "--- $config: $targets_run targets, $p runs passed, $f failed"
    passed=$((passed + p))
    failed=$((failed + f))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
