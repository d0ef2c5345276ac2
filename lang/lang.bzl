"""Tests of lang/ built once per thread-safe variant, like refcore_binary's
threaded programs: new strategies in VARIANTS are picked up by themselves."""

load("//:variants.bzl", "VARIANTS")

def output_tests(name, programs, tags = []):
    """One sh_test per thread-safe variant (name_<variant>) that runs every
    program under //lang:refpy_<variant> and compares its output with the
    program's .expected file (//lang:output_test.sh), plus a test_suite
    `name`."""
    tests = []
    for v in [v for v in VARIANTS if VARIANTS[v].thread_safe]:
        native.sh_test(
            name = name + "_" + v,
            srcs = ["//lang:output_test.sh"],
            args = ["$(location //lang:refpy_" + v + ")"] + ["$(location " + p + ")" for p in programs],
            data = ["//lang:refpy_" + v] + programs + [p[:-3] + ".expected" for p in programs],
            tags = [v, "threaded"] + tags,
        )
        tests.append(name + "_" + v)
    native.test_suite(name = name, tests = tests)
