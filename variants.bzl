"""How a variant of refcore is assembled: the object layer compiled once per
locking strategy (so the seam's fast paths inline), and the macros that build
each test, benchmark and example once per variant.

Adding a strategy is one line in VARIANTS."""

# variant name -> the strategy it links, and whether that strategy declares
# itself thread-safe (RCS_THREAD_SAFE in its header; tests/threads_support.h
# checks at compile time that the two agree).
VARIANTS = {
    "gil": struct(strategy = "//locking/gil", thread_safe = True),
    "finegrained": struct(strategy = "//locking/finegrained", thread_safe = True),
    "nogil": struct(strategy = "//locking/biased", thread_safe = True),
    "nolock": struct(strategy = "//locking/nolock", thread_safe = False),
}

# The object layer's sources and public headers.
CORE_SRCS = ["//objects:srcs", "//refcount:srcs", "//runtime:srcs", "//gc:srcs"]
CORE_HDRS = ["//:refcore.h", "//objects:hdrs", "//refcount:hdrs", "//runtime:hdrs", "//gc:hdrs"]

def refcore_variant(name, strategy, debug = False):
    """The runtime library of one variant. debug = True forces the runtime's
    debug checks on (RC_DEBUG=1) whatever the build configuration."""
    native.cc_library(
        name = name,
        srcs = CORE_SRCS,
        hdrs = CORE_HDRS,
        # Internal headers (*_internal.h) compile only with RC_BUILD_CORE.
        copts = ["-DRC_BUILD_CORE"],
        defines = ["RC_DEBUG=1"] if debug else [],
        deps = [strategy, "//locking/alloc", "//third_party:gmp"],
        linkopts = ["-lpthread", "-lm"],
        visibility = ["//visibility:public"],
    )

def _variants(threaded):
    return [v for v in VARIANTS if VARIANTS[v].thread_safe or not threaded]

def refcore_test(name, srcs, deps = [], threaded = False, debug_runtime = False, **kwargs):
    """A cmocka test built and run once per variant: name_<variant>, plus a
    test_suite `name` holding them all. threaded = True builds it only for
    strategies that declare themselves thread-safe. debug_runtime = True links
    the variant's debug-checks library (//:<variant>_debug)."""
    tests = []
    for v in _variants(threaded):
        native.cc_test(
            name = name + "_" + v,
            srcs = srcs + ["//tests:support"],
            deps = ["//:" + v + ("_debug" if debug_runtime else ""), "//third_party:cmocka"] + deps,
            tags = [v] + (["threaded"] if threaded else []),
            **kwargs
        )
        tests.append(name + "_" + v)
    native.test_suite(name = name, tests = tests)

def refcore_binary(name, srcs, deps = [], threaded = False, **kwargs):
    """A program built once per variant: name_<variant>."""
    for v in _variants(threaded):
        native.cc_binary(
            name = name + "_" + v,
            srcs = srcs,
            deps = ["//:" + v] + deps,
            **kwargs
        )
