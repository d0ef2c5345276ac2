/*
 * Workload 2, refcount_shared and refcount_immortal: every thread
 * increfs and decrefs the same object. On an ordinary object all threads
 * write one count, so under a thread-safe strategy its cache line bounces
 * between cores, and without protection the increments race: updates are
 * lost, and a count that reaches 0 early frees an object still in use. On
 * an immortal object (None) the count is never written, so nothing bounces
 * and nothing races. Check: the count is exactly what it was.
 */
#include "bench/workloads.h"

static void shared_setup(bench_run *run) {
    run->shared = run->param ? rc_none() : rc_int_from_i64(123456789);
    if (!run->shared)
        bench_die("rc_int_from_i64");
}

static void shared_thread(bench_thread *t) {
    bench_start(t);
    wl_count_pairs(t->run->shared, t->ops);
    bench_stop(t);
}

static void shared_finish(bench_run *run) {
    rc_object *o = run->shared;
    int64_t expected = run->param ? RC_IMMORTAL_COUNT : 1, got = rc_refcount(o);
    if (got == expected) {
        rc_decref(o);
        return;
    }
    /* Wrong count: the object may already have been freed once. Leave it
     * alone rather than free it (again); the leak check will count it. */
    bench_fail(run, "shared count is %lld after the run, expected %lld: updates were lost",
               (long long)got, (long long)expected);
}

BENCH_WORKLOAD(wl_refcount_shared) = {
    .name = "refcount_shared",
    .summary = "incref+decref pairs by every thread on one shared object",
    .default_ops = 100000000,
    .setup = shared_setup,
    .thread = shared_thread,
    .finish = shared_finish,
    .rank = 2,
    .shares_objects = true,
};

BENCH_WORKLOAD(wl_refcount_immortal) = {
    .name = "refcount_immortal",
    .summary = "the same on an immortal object (None): the count is never written",
    .default_ops = 100000000,
    .param = 1,
    .setup = shared_setup,
    .thread = shared_thread,
    .finish = shared_finish,
    .rank = 3,
    /* Not shares_objects: the threads share an object whose count is never
     * written, so a wrong result here is not a count race (the claims read
     * it as damage to the runtime's own state). */
    .not_in_cost = true,
    .roles = "immortal",
};
