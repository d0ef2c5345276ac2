#!/usr/bin/env bash
# The libFuzzer targets (fuzz/README.md): refpy programs (refpy) and byte-coded
# sequences of API operations (api), built with Debian's clang under
# ASan+UBSan against one variant (FUZZ_VARIANT, default gil).
#
#   bash scripts/fuzz.sh TARGET SECONDS   fuzz for that long, from the corpus in
#                                         fuzz/corpus/TARGET; new inputs go to
#                                         fuzz/work/TARGET/corpus, crashes to
#                                         fuzz/work/TARGET/artifacts
#   bash scripts/fuzz.sh check TARGET SECONDS
#                                         the CI run (scripts/test.sh): the same
#                                         in a temporary directory; fails on any
#                                         crash, leak or broken invariant
#   bash scripts/fuzz.sh merge TARGET     adds the inputs of fuzz/work/TARGET that
#                                         reach new coverage to fuzz/corpus/TARGET
#   bash scripts/fuzz.sh run TARGET FILE... runs the target on these inputs only
#                                         (to reproduce a crash)
#   bash scripts/fuzz.sh build TARGET     builds fuzz/build/TARGET_fuzz only
#
# Bazel builds with gcc, which has no libFuzzer, so this script calls clang
# itself. The source list comes from Bazel (`bazel query`), so a file added
# to a BUILD glob is fuzzed without a change here; the strategy's -D macro
# comes from its cc_library's defines the same way.
set -euo pipefail
cd "$(dirname "$0")/.."

variant=${FUZZ_VARIANT:-gil}
build_dir=fuzz/build

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 2
}

# The entry point and the options of each target.
target_main() {
    case "$1" in
        refpy) echo "fuzz/refpy_fuzz.c //lang:interp_srcs" ;;
        api) echo "fuzz/api_fuzz.c" ;;
        *) echo "unknown target: $1 (refpy, api)" >&2; exit 2 ;;
    esac
}

# -max_len: inputs stay small enough to run in about a millisecond (and the
# api target's programs long enough to build structures worth checking).
# Each input gets 10 s before libFuzzer calls it a hang; RSS is capped, and
# allocations over 512 MB fail with NULL (ASAN_OPTIONS below), so that a
# program asking for a huge string gets refcore's out-of-memory error.
target_options() {
    case "$1" in
        refpy) echo "-max_len=2048 -dict=fuzz/refpy.dict" ;;
        api) echo "-max_len=1024" ;;
    esac
    echo "-timeout=10 -rss_limit_mb=2560 -malloc_limit_mb=1024 -print_final_stats=1"
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1:max_allocation_size_mb=512:detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

build() {
    local target=$1 bin=$build_dir/$1_fuzz
    local main extra
    read -r main extra <<<"$(target_main "$target")"
    local query="kind('source file', deps(//:$variant))"
    [ -z "$extra" ] || query="$query union kind('source file', deps($extra))"
    local srcs defines
    srcs=$(bazel query "$query" 2>/dev/null | grep -E '^//' | grep -E '\.c$' |
        sed -E 's#^//:?##; s#:#/#')
    defines=$(bazel query "attr(defines, '.', deps(//:$variant))" --output=build 2>/dev/null |
        grep -oE 'RCS_STRATEGY_[A-Z_]+' | sort -u | sed 's/^/-D/')
    if [ -z "$srcs" ] || [ -z "$defines" ]; then
        echo "fuzz: bazel query found no sources or no strategy for //:$variant" >&2
        exit 1
    fi
    # Rebuild only when a source, header or this script is newer.
    if [ -x "$bin" ] && [ -z "$(find $srcs "$main" fuzz/fuzz.h "$0" -newer "$bin" 2>/dev/null)" ] &&
        [ -z "$(find objects refcount runtime gc locking lang -name '*.h' -newer "$bin")" ]; then
        return 0
    fi
    mkdir -p "$build_dir"
    echo "fuzz: building $bin (variant $variant, $(echo "$srcs" | wc -l) sources)" >&2
    # As the asan config in .bazelrc: the system allocator, so ASan sees
    # every free. RC_BUILD_CORE lets the core's sources include their
    # internal headers (variants.bzl gives it to the core library only; the
    # interpreter's sources include public headers alone, which
    # lang/public_headers_test.sh checks, so it changes nothing for them).
    # shellcheck disable=SC2086
    clang -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
        -Wall -Wextra -Werror -Wshadow -Wno-unused-command-line-argument \
        -DRC_BUILD_CORE -DRC_USE_SYSTEM_MALLOC=1 $defines -I. \
        $srcs "$main" -o "$bin.tmp" -lpthread -lm -lmimalloc -lgmp
    mv "$bin.tmp" "$bin"
}

# The executions of the run whose libFuzzer output is in $1.
runs_of() {
    grep -oE 'stat::number_of_executed_units: *[0-9]+' "$1" | grep -oE '[0-9]+$' | tail -1
}

fuzz_for() { # target seconds corpus_dir artifact_dir log
    local target=$1 seconds=$2 work=$3 artifacts=$4 log=$5
    mkdir -p "$work" "$artifacts"
    # shellcheck disable=SC2046
    "$build_dir/${target}_fuzz" $(target_options "$target") -max_total_time="$seconds" \
        -artifact_prefix="$artifacts/" "$work" "fuzz/corpus/$target" >"$log" 2>&1
}

cmd=${1:-}
case "$cmd" in
    check)
        [ $# -eq 3 ] || usage
        target=$2
        build "$target"
        tmp=$(mktemp -d)
        trap 'rm -rf "$tmp"' EXIT
        if fuzz_for "$target" "$3" "$tmp/corpus" "$tmp/artifacts" "$tmp/log"; then
            echo "fuzz $target: $(runs_of "$tmp/log") runs in $3 s, no failure"
        else
            tail -n 60 "$tmp/log"
            for f in "$tmp"/artifacts/*; do
                [ -e "$f" ] && echo "fuzz $target: failing input (base64): $(base64 -w0 "$f")"
            done
            echo "fuzz $target: FAILED"
            exit 1
        fi
        ;;
    merge)
        [ $# -eq 2 ] || usage
        target=$2
        build "$target"
        # shellcheck disable=SC2046
        # An input that crashes is left out (and saved under artifacts/).
        mkdir -p "fuzz/work/$target/artifacts"
        "$build_dir/${target}_fuzz" $(target_options "$target") -merge=1 \
            -artifact_prefix="fuzz/work/$target/artifacts/" \
            "fuzz/corpus/$target" "fuzz/work/$target/corpus"
        ;;
    run)
        [ $# -ge 3 ] || usage
        target=$2
        shift 2
        build "$target"
        # shellcheck disable=SC2046
        "$build_dir/${target}_fuzz" $(target_options "$target") "$@"
        ;;
    build)
        [ $# -eq 2 ] || usage
        build "$2"
        ;;
    refpy | api)
        [ $# -eq 2 ] || usage
        target=$1
        build "$target"
        work=fuzz/work/$target
        mkdir -p "$work"
        log=$work/log
        status=0
        fuzz_for "$target" "$2" "$work/corpus" "$work/artifacts" "$log" || status=$?
        tail -n 30 "$log"
        echo "fuzz $target: $(runs_of "$log") runs; log in $log; crashes in $work/artifacts/"
        exit "$status"
        ;;
    *) usage ;;
esac
