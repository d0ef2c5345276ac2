#!/usr/bin/env bash
# Runs every test of every variant: plain, with the runtime's debug checks,
# under AddressSanitizer+UndefinedBehaviorSanitizer, (the threaded tests)
# under ThreadSanitizer, and with the collector running at almost every
# allocation of a container, and each libFuzzer target (fuzz/README.md) for
# FUZZ_SECONDS (default 30) under ASan+UBSan, from the corpus in the repo;
# then installs every variant into a temporary prefix (scripts/install.sh)
# and builds and runs a program against it with only pkg-config's flags,
# shared and static (tests/consumer/install_test.sh); and last builds and
# tests a Bazel workspace that uses refcore as an external repository
# (tests/consumer/bazel), plain and with --config=debug.
# Ends with one line: "N passed, N failed".
# The benchmark suite's own tests (tag "bench": its quick run, its report
# rendered in headless chromium, compare's command line) run in the plain
# pass only: they prove the suite works, and sanitizers would only make them
# slow. The
# container and object tests' parallel targets (tag "parallel": each test
# body in 4 threads at once, tests/support.h) run in the plain, asan and
# tsan passes.
#
#   bash scripts/test.sh            all eight passes
#   bash scripts/test.sh plain      some of them (plain, debug, asan, tsan, gcstress, fuzz,
#                                   install, consumer)
set -uo pipefail
cd "$(dirname "$0")/.."

passes=("$@")
[ "${#passes[@]}" -gt 0 ] || passes=(plain debug asan tsan gcstress fuzz install consumer)

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_pass() {
    local name=$1
    shift
    echo "=== $name: bazel test $* //..."
    bazel test --keep_going "$@" //... >"$log" 2>&1
    count_bazel_tests "$name" $?
}

# Counts the tests of a `bazel test` run from its output in $log (NAME, and
# bazel's exit status).
count_bazel_tests() {
    local name=$1 rc=$2
    # Bazel's summary: one line per test target, "//pkg:name  PASSED in 0.1s".
    local p f
    p=$(grep -cE '^//[^ ]+ +(\(cached\) )?PASSED' "$log")
    f=$(grep -cE '^//[^ ]+ +(\(cached\) )?(FAILED|TIMEOUT|FLAKY|NO STATUS|INCOMPLETE)|FAILED TO BUILD' "$log")
    grep -E '^//[^ ]+ +' "$log" | grep -vE 'PASSED' || true
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        # Bazel failed without naming a failed test (a build or analysis error).
        tail -n 40 "$log"
        f=1
    fi
    echo "--- $name: $p passed, $f failed"
    passed=$((passed + p))
    failed=$((failed + f))
}

# One short run per fuzz target: 1 passed or 1 failed each.
run_fuzz_pass() {
    local seconds=${FUZZ_SECONDS:-30} p=0 f=0 t
    echo "=== fuzz: scripts/fuzz.sh check TARGET $seconds"
    for t in refpy api; do
        if bash scripts/fuzz.sh check "$t" "$seconds"; then
            p=$((p + 1))
        else
            f=$((f + 1))
        fi
    done
    echo "--- fuzz: $p passed, $f failed"
    passed=$((passed + p))
    failed=$((failed + f))
}

# A Bazel workspace that uses refcore as an external repository
# (tests/consumer/bazel), with its own output base (and server, shut down
# after): its tests, plain and with refcore's --config=debug. The main
# workspace's //... leaves it out (.bazelignore).
run_consumer_pass() {
    local base config
    base=$(bazel info output_base)-consumer
    for config in "" debug; do
        echo "=== consumer${config:+ $config}: (cd tests/consumer/bazel && bazel test ${config:+--config=$config }//...)"
        (cd tests/consumer/bazel &&
            bazel --output_base="$base" test --keep_going ${config:+--config=$config} //...) >"$log" 2>&1
        count_bazel_tests "consumer${config:+ $config}" $?
    done
    (cd tests/consumer/bazel && bazel --output_base="$base" shutdown)
}

# The install and its consumer: 1 passed or 1 failed for the install, and
# for each line install_test.sh prints ("ok NAME" / "FAIL NAME: why").
run_install_pass() {
    local prefix p=0 f=0
    prefix=$(mktemp -d)
    echo "=== install: scripts/install.sh --prefix $prefix; tests/consumer/install_test.sh"
    if bash scripts/install.sh --prefix "$prefix" >"$log" 2>&1; then
        p=1
        bash tests/consumer/install_test.sh "$prefix" >"$log" 2>&1
        local rc=$?
        p=$((p + $(grep -c '^ok ' "$log")))
        f=$(grep -c '^FAIL ' "$log")
        grep '^FAIL ' "$log" || true
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
            # It stopped without naming a failed check.
            tail -n 40 "$log"
            f=1
        fi
    else
        tail -n 40 "$log"
        f=1
    fi
    rm -rf "$prefix"
    echo "--- install: $p passed, $f failed"
    passed=$((passed + p))
    failed=$((failed + f))
}

for pass in "${passes[@]}"; do
    case "$pass" in
        plain) run_pass plain ;;
        debug) run_pass debug --config=debug --test_tag_filters=-bench,-parallel ;;
        asan) run_pass asan --config=asan --test_tag_filters=-bench ;;
        tsan) run_pass tsan --config=tsan --test_tag_filters=threaded,-bench ;;
        gcstress) run_pass gcstress --config=gcstress --test_tag_filters=-bench,-parallel ;;
        fuzz) run_fuzz_pass ;;
        install) run_install_pass ;;
        consumer) run_consumer_pass ;;
        *) echo "unknown pass: $pass (plain, debug, asan, tsan, gcstress, fuzz, install, consumer)"; failed=$((failed + 1)) ;;
    esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
