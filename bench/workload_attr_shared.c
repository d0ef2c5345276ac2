/*
 * attr_shared: every thread reads an attribute of one shared instance of a
 * client type, the way an interpreter reads `self.x` or a module global:
 * a getter that returns a new reference to the value (as a C extension's
 * getter does), which the reader uses and drops. Each read counts the one
 * shared value up and down, so under //:nogil every read by a thread other
 * than the value's maker was an atomic add on one cache line; there the
 * value switches to per-thread counts (docs/seam.md) and the readers
 * should scale as the control does. CPython's free-threaded 3.14 reads one
 * shared instance attribute 25x slower at 18 threads than at one
 * (shared-read-scaling.md). Check: every value read is the expected one,
 * and the value's count is back to 1 (the instance's reference).
 */
#include "bench/workloads.h"

/* The client type: a point with one attribute. Not tracked by the
 * collector (its attribute is an int: no cycle can pass through it). */
typedef struct point {
    rc_object base;
    rc_object *x; /* a strong reference */
} point;

static void point_dealloc(rc_object *self) {
    rc_clear_ref(&((point *)self)->x);
}

static rc_type point_type = {
    .name = "point",
    .basicsize = sizeof(point),
    .dealloc = point_dealloc,
};

/* The getter. Returns: a new reference to p.x. */
static rc_object *point_get_x(rc_object *p) {
    return rc_newref(((point *)p)->x);
}

#define X_VALUE 7777777

static void attr_setup(bench_run *run) {
    rc_object *p = rc_object_new(&point_type);
    if (!p || !(((point *)p)->x = rc_int_from_i64(X_VALUE)))
        bench_die("attr_shared setup");
    run->shared = p;
}

static void attr_thread(bench_thread *t) {
    rc_object *p = t->run->shared;
    int64_t bad = 0;
    bench_start(t);
    for (int64_t i = 0; i < t->ops; i++) {
        rc_object *x = point_get_x(p);
        int64_t v = -1;
        rc_int_as_i64(x, &v);
        bad += v != X_VALUE;
        rc_decref(x);
        if ((i & 63) == 0)
            rc_checkpoint();
    }
    bench_stop(t);
    if (bad)
        bench_fail(t->run, "thread %d: %lld wrong value(s) read", t->index, (long long)bad);
}

static void attr_finish(bench_run *run) {
    rc_object *p = run->shared;
    int64_t got = rc_refcount(((point *)p)->x);
    if (got != 1) {
        /* Maybe freed already: leave it to the leak check. */
        bench_fail(run, "the attribute's count is %lld after the run, expected 1", (long long)got);
        return;
    }
    rc_decref(p);
}

BENCH_WORKLOAD(wl_attr_shared) = {
    .name = "attr_shared",
    .summary = "all threads read one attribute of one shared client-type instance",
    .default_ops = 20000000,
    .setup = attr_setup,
    .thread = attr_thread,
    .finish = attr_finish,
    .rank = 9,
    .shares_objects = true,
    .not_in_cost = true,
    .roles = "attr",
};
