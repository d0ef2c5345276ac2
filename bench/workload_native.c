/*
 * Workload 10, native: what a C extension does. Each op makes one object
 * (appended to the thread's own list), then runs a pure C computation of
 * about 20 microseconds inside the release region, touching no object.
 * Under a global lock the computations run in parallel, because nobody
 * holds the lock during them. Check: every computation's result.
 */
#include "bench/workloads.h"

#define ROUNDS 20000 /* xorshift rounds per op: about 20 us */

/* The native computation: xorshift from a seed; no runtime call. */
static uint64_t native_compute(uint64_t seed) {
    uint64_t x = seed | 1;
    for (int i = 0; i < ROUNDS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    return x;
}

static uint64_t expected_for(int64_t i) {
    return native_compute((uint64_t)(i & 15) + 1);
}

static uint64_t expected[16];

static void native_setup(bench_run *run) {
    for (int64_t i = 0; i < 16; i++)
        expected[i] = expected_for(i);
    (void)run;
}

static void native_thread(bench_thread *t) {
    rc_object *list = rc_list_new();
    int64_t bad = 0;
    if (!list)
        bench_die("rc_list_new");
    bench_start(t);
    for (int64_t i = 0; i < t->ops; i++) {
        if (rc_list_append_steal(list, rc_int_from_i64(1000 + i)) != RC_OK)
            bench_die("rc_list_append_steal");
        uint64_t r;
        RC_BEGIN_ALLOW_THREADS
        r = native_compute((uint64_t)(i & 15) + 1);
        RC_END_ALLOW_THREADS
        bad += r != expected[i & 15];
        rc_checkpoint();
    }
    bench_stop(t);
    if (rc_list_size(list) != t->ops)
        bench_fail(t->run, "thread %d: list has %lld items, expected %lld", t->index,
                   (long long)rc_list_size(list), (long long)t->ops);
    rc_decref(list);
    if (bad)
        bench_fail(t->run, "thread %d: %lld wrong result(s)", t->index, (long long)bad);
}

BENCH_WORKLOAD(wl_native) = {
    .name = "native",
    .summary = "one object per op, then ~20 us of pure C in the release region",
    .default_ops = 8000,
    .setup = native_setup,
    .thread = native_thread,
    .rank = 16,
    .not_in_cost = true,
    .roles = "native",
};
