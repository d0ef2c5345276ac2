/*
 * Workload 3, alloc: create and free an int, a float, a str and a tuple
 * per operation, each thread its own. Measures the allocator and object
 * initialisation path under each strategy. Check: values read back intact,
 * and (by the harness) no object leaked.
 */
#include "bench/workloads.h"

static bool alloc_one_round(int64_t i) {
    rc_object *n = rc_int_from_i64(1000 + i);
    rc_object *f = rc_float_from_double((double)i + 0.5);
    rc_object *s = rc_str_from_cstr("refcore");
    if (!n || !f || !s)
        bench_die("object creation");
    rc_object *tup = rc_tuple_pack(2, n, f);
    if (!tup)
        bench_die("rc_tuple_pack");
    int64_t back = 0;
    bool ok = rc_int_as_i64(rc_tuple_get(tup, 0), &back) == RC_OK && back == 1000 + i &&
              rc_str_length(s) == 7;
    rc_decref(tup);
    rc_decref(s);
    rc_decref(f);
    rc_decref(n);
    return ok;
}

static void alloc_thread(bench_thread *t) {
    int64_t bad = 0;
    bench_start(t);
    for (int64_t i = 0; i < t->ops; i++) {
        bad += !alloc_one_round(i);
        rc_checkpoint();
    }
    bench_stop(t);
    if (bad)
        bench_fail(t->run, "thread %d: %lld value(s) read back wrong", t->index, (long long)bad);
}

BENCH_WORKLOAD(wl_alloc) = {
    .name = "alloc",
    .summary = "create and free an int, a float, a str and a 2-tuple per op",
    .default_ops = 2000000,
    .thread = alloc_thread,
    .rank = 4,
    .roles = "private",
};
