#!/usr/bin/env bash
# Builds refcore (bazel, -c opt as .bazelrc sets) and installs every variant
# under a prefix, for use outside Bazel (pkg-config, CMake, Make):
#
#   bash scripts/install.sh --prefix DIR [VARIANT...]    (default: all four)
#
# For each variant v (gil, finegrained, nogil, nolock) it installs
#   DIR/include/refcore-v/...                  the public headers
#   DIR/lib/librefcore-v.a                     the whole runtime, static
#   DIR/lib/librefcore-v.so -> .so.0 -> .so.0.1.0   and shared (SONAME .so.0)
#   DIR/lib/pkgconfig/refcore-v.pc             links the shared library
#   DIR/lib/pkgconfig/refcore-v-static.pc      links the static one
# and the same library built with the runtime's debug checks (RC_DEBUG=1)
# as librefcore-v-debug.{a,so} with refcore-v-debug{,-static}.pc.
# A program compiled for one variant (or debug level) and linked with
# another fails to link, naming the symbol it expected (runtime/abi.h).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 2
}

prefix=""
variants=()
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || usage; prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#--prefix=}; shift ;;
        -h | --help) usage ;;
        -*) usage ;;
        *) variants+=("$1"); shift ;;
    esac
done
[ -n "$prefix" ] || usage
[ "${#variants[@]}" -gt 0 ] || variants=(gil finegrained nogil nolock)

targets=()
for v in "${variants[@]}"; do
    targets+=("//dist:$v" "//dist:${v}_debug")
done
bazel build "${targets[@]}"
bin=$(bazel info bazel-bin)/dist

mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
mkdir -p "$prefix/include" "$prefix/lib/pkgconfig"
for v in "${variants[@]}"; do
    rm -rf "$prefix/include/refcore-$v"
    cp -R "$bin/refcore-$v/include" "$prefix/include/refcore-$v"
    chmod -R u+w,go+rX "$prefix/include/refcore-$v"
    for name in "refcore-$v" "refcore-$v-debug"; do
        from=$bin/$name
        install -m 644 "$from/lib$name.a" "$prefix/lib/"
        real=$(basename "$from"/lib"$name".so.*.*.*)
        install -m 755 "$from/$real" "$prefix/lib/"
        soname=${real%.*.*}
        ln -sfn "$real" "$prefix/lib/$soname"
        ln -sfn "$soname" "$prefix/lib/lib$name.so"
        for pc in "$name.pc" "$name-static.pc"; do
            sed "s#@PREFIX@#$prefix#" "$from/$pc" >"$prefix/lib/pkgconfig/$pc"
        done
    done
done
echo "install: ${variants[*]} in $prefix (pkg-config: PKG_CONFIG_PATH=$prefix/lib/pkgconfig)"
