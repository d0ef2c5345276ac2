/*
 * The single-thread cost of the cycle collector, per object (op_cycle_life,
 * op_collect_cycles, op_collect_live), on one thread (BENCH_SHAPE_SINGLE:
 * automatic collection is off, so only the explicit collection here runs),
 * beside CPython 3.13's figures where there are any (bench/README.md says
 * where they come from). gc_100k and gc_1m time a collection too, at
 * several threads; these rows are the per-object costs to set beside
 * CPython's. Check: each collection found exactly the garbage there was.
 */
#include "bench/workloads.h"

static void expect_found(bench_thread *t, int64_t found, int64_t expected) {
    if (found != expected)
        bench_fail(t->run, "the collection found %lld unreachable objects, expected %lld",
                   (long long)found, (long long)expected);
}

/* The whole life of a short-lived cycle, per cycle: ops two-list cycles
 * built and dropped, then the collection that frees them all. */
static void cycle_life_thread(bench_thread *t) {
    bench_start(t);
    for (int64_t i = 0; i < t->ops; i++)
        wl_make_cycle();
    int64_t found = rc_gc_collect();
    bench_stop(t);
    expect_found(t, found, 2 * t->ops);
}

/* Collecting garbage, per unreachable object: ops / 2 two-list cycles,
 * built before the clock starts. */
static void collect_cycles_thread(bench_thread *t) {
    for (int64_t i = 0; i < t->ops / 2; i++)
        wl_make_cycle();
    bench_start(t);
    int64_t found = rc_gc_collect();
    bench_stop(t);
    expect_found(t, found, t->ops / 2 * 2);
}

/* A full collection over ops live tracked objects (tuples of one None,
 * held by one list) and no garbage, per live object. */
static void collect_live_thread(bench_thread *t) {
    rc_object *heap = wl_list();
    for (int64_t i = 1; i < t->ops; i++)
        if (rc_list_append_steal(heap, rc_tuple_pack(1, rc_none())) != RC_OK)
            bench_die("building the heap");
    bench_start(t);
    int64_t found = rc_gc_collect();
    bench_stop(t);
    expect_found(t, found, 0);
    rc_decref(heap);
}

BENCH_WORKLOAD(wl_op_cycle_life) = {
    .name = "op_cycle_life",
    .summary = "a cycle of 2 lists built, dropped and collected, one thread",
    .default_ops = 100000,
    .thread = cycle_life_thread,
    .rank = 30,
    .shape = BENCH_SHAPE_SINGLE,
    .not_in_cost = true,
    .cpython_ns = "620",
    .cpython_ft_ns = "787",
};

BENCH_WORKLOAD(wl_op_collect_cycles) = {
    .name = "op_collect_cycles",
    .summary = "collect 2-list cycles, per unreachable object, one thread",
    .default_ops = 200000,
    .thread = collect_cycles_thread,
    .rank = 31,
    .shape = BENCH_SHAPE_SINGLE,
    .not_in_cost = true,
    .cpython_ns = "80-130",
    .cpython_ft_ns = "68",
};

BENCH_WORKLOAD(wl_op_collect_live) = {
    .name = "op_collect_live",
    .summary = "a full collection of live tuples, no garbage, per object, one thread",
    .default_ops = 1000000,
    .thread = collect_live_thread,
    .rank = 32,
    .shape = BENCH_SHAPE_SINGLE,
    .not_in_cost = true,
};
