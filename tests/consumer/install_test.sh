#!/usr/bin/env bash
# Checks an installation made by scripts/install.sh, as a project outside
# Bazel would use it: with nothing but pkg-config's flags and cc.
#
#   bash tests/consumer/install_test.sh PREFIX [VARIANT...]   (default: all four)
#
# Prints one line per check, "ok NAME" or "FAIL NAME: why" (scripts/test.sh's
# install pass counts them), and exits non-zero if any failed. The checks:
#   symbols_LIB      the shared library's SONAME, its DT_NEEDED (mimalloc,
#                    gmp, no libstdc++), and its exported names: only those that
#                    dist/exports.sh derives from the installed headers, and
#                    all of those that the headers' inline code needs;
#   shared_LIB       tests/consumer/embed.c built with
#                    `cc $(pkg-config --cflags --libs refcore-V)`, linked
#                    against the .so, and run;
#   static_LIB       the same with refcore-V-static, linked against the .a;
#   (LIB: each variant, and its -debug library with RC_DEBUG=1 clients)
# and, once:
#   symbols_reject   the symbol check fails on a library linked without the
#                    version script (it exports internals), so it can fail;
#   mismatch_*       a program compiled with one variant's (or debug
#                    level's) flags and linked with another library fails to
#                    link, naming the rc_abi_* symbol it expected;
#   cmake_V          tests/consumer/cmake (pkg_check_modules) builds and runs;
#   no_strategy      compiling without the strategy macro fails with a
#                    message that says which macro to define.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

prefix=$(cd "${1:?usage: install_test.sh PREFIX [VARIANT...]}" && pwd)
shift
variants=("$@")
[ "${#variants[@]}" -gt 0 ] || variants=(gil finegrained nogil nolock)

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

ok() { echo "ok $1"; }
fail() {
    echo "FAIL $1: $2"
    failed=1
}

# exports V: what dist/exports.sh derives from the installed headers of
# variant V, to $tmp/allowed-V and $tmp/needed-V (the same for its -debug
# library: the script covers both debug levels).
exports() {
    local inc=$prefix/include/refcore-$1 flags
    flags=$(pkg-config --cflags-only-other "refcore-$1") &&
        CC=$cc bash "$root/dist/exports.sh" "$inc" $flags >"$tmp/allowed-$1" &&
        CC=$cc bash "$root/dist/exports.sh" --needed "$inc" $flags >"$tmp/needed-$1"
}

# symbols_ok SO ARCHIVE V: prints why not, or nothing.
symbols_ok() {
    local so=$1 archive=$2 v=$3
    local base soname
    base=$(basename "$so")
    soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    [ "$soname" = "${base%.so}.so.0" ] || { echo "SONAME is '$soname'"; return; }
    readelf -d "$so" | grep -q 'NEEDED.*\[libmimalloc\.so' || { echo "no DT_NEEDED on libmimalloc"; return; }
    readelf -d "$so" | grep -q 'NEEDED.*\[libgmp\.so' || { echo "no DT_NEEDED on libgmp"; return; }
    ! readelf -d "$so" | grep -q 'NEEDED.*libstdc++' || { echo "depends on libstdc++"; return; }
    # Exported: defined dynamic symbols, less the version node (type A).
    nm -D --defined-only "$so" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' | sort -u >"$tmp/exported"
    local extra
    extra=$(comm -23 "$tmp/exported" "$tmp/allowed-$v" | tr '\n' ' ')
    [ -z "$extra" ] || { echo "exports names the public headers do not: $extra"; return; }
    # Needed by the headers and defined in the library: must be exported.
    nm --defined-only -g "$archive" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/defined"
    local missing
    missing=$(comm -12 "$tmp/needed-$v" "$tmp/defined" | comm -23 - "$tmp/exported" | tr '\n' ' ')
    [ -z "$missing" ] || { echo "hides names the headers' inline code needs: $missing"; return; }
    grep -qx 'rc_runtime_start' "$tmp/exported" || echo "rc_runtime_start not exported"
    grep -qx 'rc_abi_.*_v2' "$tmp/exported" || echo "no rc_abi_*_v2 symbol exported"
}

# build NAME PKG...: compiles embed.c with pkg-config's flags; "" on success.
build() {
    local out=$1
    shift
    # shellcheck disable=SC2046 # word splitting of pkg-config's output is the point
    "$cc" -o "$tmp/$out" "$here/embed.c" $(pkg-config "$@") >"$tmp/$out.log" 2>&1
}

for v in "${variants[@]}"; do
    exports "$v" || fail "exports_$v" "dist/exports.sh failed on the installed headers"
    for lib in "refcore-$v" "refcore-$v-debug"; do
        why=$(symbols_ok "$prefix/lib/lib$lib.so" "$prefix/lib/lib$lib.a" "$v")
        if [ -z "$why" ]; then ok "symbols_$lib"; else fail "symbols_$lib" "$why"; fi

        if ! build "shared-$lib" --cflags --libs "$lib"; then
            fail "shared_$lib" "does not build: $(head -c 600 "$tmp/shared-$lib.log")"
        elif ! readelf -d "$tmp/shared-$lib" | grep -q "NEEDED.*\[lib$lib\.so\.0\]"; then
            fail "shared_$lib" "not linked against lib$lib.so.0"
        elif ! out=$(LD_LIBRARY_PATH=$prefix/lib "$tmp/shared-$lib" "$v" 2>&1); then
            fail "shared_$lib" "run: $out"
        else
            ok "shared_$lib"
        fi

        if ! build "static-$lib" --static --cflags --libs "$lib-static"; then
            fail "static_$lib" "does not build: $(head -c 600 "$tmp/static-$lib.log")"
        elif readelf -d "$tmp/static-$lib" | grep -q "NEEDED.*librefcore"; then
            fail "static_$lib" "depends on a shared librefcore"
        elif ! out=$("$tmp/static-$lib" "$v" 2>&1); then
            fail "static_$lib" "run: $out"
        else
            ok "static_$lib"
        fi
    done
done

# The negative checks use two variants; with fewer installed they are moot.
if [ "${#variants[@]}" -lt 2 ]; then
    [ "$failed" -eq 0 ]
    exit
fi
a=${variants[0]} b=${variants[1]}

# The symbol check must reject a library that exports everything.
"$cc" -shared -o "$tmp/libbad.so" -Wl,-soname,libbad.so.0 -Wl,--whole-archive \
    "$prefix/lib/librefcore-$a.a" -Wl,--no-whole-archive -lmimalloc -lgmp -lpthread -lm
why=$(symbols_ok "$tmp/libbad.so" "$prefix/lib/librefcore-$a.a" "$a")
case "$why" in
    *"exports names the public headers do not: "*rci_*) ok symbols_reject ;;
    *) fail symbols_reject "accepted a library that exports its internals (${why:-no complaint})" ;;
esac

# expect_mismatch NAME SYMBOL CC-ARGS...: the link must fail, naming SYMBOL.
expect_mismatch() {
    local name=$1 symbol=$2
    shift 2
    if "$cc" -o "$tmp/$name" "$here/embed.c" "$@" >"$tmp/$name.log" 2>&1; then
        fail "$name" "linked"
    elif ! grep -q "undefined reference to \`$symbol'" "$tmp/$name.log"; then
        fail "$name" "failed without naming $symbol: $(head -c 600 "$tmp/$name.log")"
    else
        ok "$name"
    fi
}
# shellcheck disable=SC2046
expect_mismatch mismatch_variant_shared "rc_abi_${a}_v2" \
    $(pkg-config --cflags "refcore-$a") $(pkg-config --libs "refcore-$b")
# shellcheck disable=SC2046
expect_mismatch mismatch_variant_static "rc_abi_${b}_v2" \
    $(pkg-config --cflags "refcore-$b") $(pkg-config --static --libs "refcore-$a-static")
# shellcheck disable=SC2046
expect_mismatch mismatch_debug_client "rc_abi_${a}_debug_v2" \
    $(pkg-config --cflags "refcore-$a") -DRC_DEBUG=1 $(pkg-config --libs "refcore-$a")
# shellcheck disable=SC2046
expect_mismatch mismatch_debug_library "rc_abi_${a}_v2" \
    $(pkg-config --cflags "refcore-$a") $(pkg-config --libs "refcore-$a-debug")

# CMake, through the same .pc file (tests/consumer/cmake/CMakeLists.txt).
if ! cmake -S "$here/cmake" -B "$tmp/cmake" -DREFCORE_VARIANT="$a" >"$tmp/cmake.log" 2>&1 ||
    ! cmake --build "$tmp/cmake" >>"$tmp/cmake.log" 2>&1; then
    fail "cmake_$a" "does not build: $(tail -c 600 "$tmp/cmake.log")"
elif ! out=$("$tmp/cmake/embed" "$a" 2>&1); then
    fail "cmake_$a" "run: $out"
else
    ok "cmake_$a"
fi

# Without the strategy macro: the #error says what to define.
if "$cc" -c -o "$tmp/none.o" -I"$prefix/include/refcore-$a" "$here/embed.c" >"$tmp/none.log" 2>&1; then
    fail no_strategy "compiled"
elif ! grep -q -- "-DRCS_STRATEGY_.*pkg-config --cflags" "$tmp/none.log"; then
    fail no_strategy "no hint: $(head -c 600 "$tmp/none.log")"
else
    ok no_strategy
fi

[ "$failed" -eq 0 ]
