#!/usr/bin/env bash
# Installs the Debian packages refcore builds with. Idempotent: packages that
# are already present are left alone, and apt is only asked when one is missing.
set -euo pipefail

# clang: the libFuzzer targets (scripts/fuzz.sh); Bazel builds with gcc.
# python3-matplotlib (and python3-pil, which it brings): the benchmark report's
# charts (bench/compare_charts.py); python3-markdown: report.html from
# report.md (bench/compare_report.py); chromium: bench/report_render_test opens
# report.html headless, as a person would. pkg-config, cmake: the install pass
# builds a program with only pkg-config's flags, and with CMake through them.
# libgmp-dev: the digits of ints beyond 64 bits (objects/int.c).
packages=(bazel-bootstrap libmimalloc-dev libcmocka-dev libgmp-dev gcc clang python3
    python3-matplotlib python3-pil python3-markdown chromium pkg-config cmake)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all packages present"
    exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
