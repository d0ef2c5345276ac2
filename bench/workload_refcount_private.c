/*
 * Workload 1, refcount_private: incref/decref pairs on objects that only
 * the calling thread can see. Under a global lock the threads still take
 * turns; without one they run in parallel, and an atomic count would pay
 * here even though no other thread ever looks (the cost biased counting
 * avoids). Check: every object's count is back to 1.
 */
#include "bench/workloads.h"

#define OBJECTS 8 /* a few objects, so the loop is not one cache line */

static void private_thread(bench_thread *t) {
    rc_object *objs[OBJECTS];
    for (int k = 0; k < OBJECTS; k++)
        if (!(objs[k] = rc_int_from_i64(1000000 + t->index * OBJECTS + k)))
            bench_die("rc_int_from_i64");
    bench_start(t);
    for (int64_t i = 0; i < t->ops; i++) {
        rc_object *o = objs[i & (OBJECTS - 1)];
        BENCH_OPAQUE(o);
        rc_incref(o);
        BENCH_OPAQUE(o);
        rc_decref(o);
        /* As often as an interpreter would, without the check dominating a
         * two-instruction operation. */
        if ((i & 63) == 0)
            rc_checkpoint();
    }
    bench_stop(t);
    for (int k = 0; k < OBJECTS; k++) {
        if (rc_refcount(objs[k]) != 1)
            bench_fail(t->run, "thread %d: a private count is %lld, expected 1", t->index,
                       (long long)rc_refcount(objs[k]));
        rc_decref(objs[k]);
    }
}

BENCH_WORKLOAD(wl_refcount_private) = {
    .name = "refcount_private",
    .summary = "incref+decref pairs on objects each thread owns",
    .default_ops = 100000000,
    .thread = private_thread,
    .rank = 1,
    .roles = "private private_counting",
};
