/*
 * refcount_cooling: hot objects that cool down. Every thread counts the
 * objects of a row of COOLING_OBJECTS one after another, a phase each:
 * during its phase an object is as hot as refcount_shared's, and then
 * nobody counts it again. Under //:nogil each object switches to per-thread
 * counts while it is hot (a stop of the world each), and a later stop
 * returns it once nobody counted it since the one before; so the objects
 * in the mode, and the memory they hold (two counters a thread a slot),
 * should stay a few, not grow with the row. Metrics: switches (per object)
 * and the objects still in the mode at the end of the last phase, read by
 * thread 0 before it detaches (0 elsewhere). Check: every count is back to
 * 1 (the row's reference).
 */
#include "bench/workloads.h"

#define COOLING_OBJECTS 64

typedef struct cooling_row {
    rc_object *objects[COOLING_OBJECTS];
    rc_runtime_stats before;
} cooling_row;

static cooling_row the_row;

static void cooling_setup(bench_run *run) {
    cooling_row *row = &the_row;
    for (int k = 0; k < COOLING_OBJECTS; k++)
        if (!(row->objects[k] = rc_int_from_i64(500000000 + k)))
            bench_die("refcount_cooling setup");
    rc_runtime_get_stats(&row->before);
    run->shared = row;
}

static void cooling_thread(bench_thread *t) {
    cooling_row *row = t->run->shared;
    int64_t per_phase = t->ops / COOLING_OBJECTS;
    bench_start(t);
    for (int k = 0; k < COOLING_OBJECTS; k++)
        wl_count_pairs(row->objects[k], per_phase);
    bench_stop(t);
    if (t->index == 0) {
        rc_runtime_stats now;
        rc_runtime_get_stats(&now);
        bench_metric_set(t->run, "in_mode_at_end", (double)now.per_thread_objects);
        bench_metric_set(t->run, "switches_per_object",
                         (double)(now.per_thread_starts - row->before.per_thread_starts) /
                             COOLING_OBJECTS);
    }
}

static void cooling_finish(bench_run *run) {
    cooling_row *row = run->shared;
    int wrong = 0;
    for (int k = 0; k < COOLING_OBJECTS; k++)
        wrong += rc_refcount(row->objects[k]) != 1;
    if (wrong) {
        bench_fail(run, "%d of %d objects have a wrong count after the run", wrong,
                   COOLING_OBJECTS);
        return; /* maybe freed already: leave them to the leak check */
    }
    for (int k = 0; k < COOLING_OBJECTS; k++)
        rc_decref(row->objects[k]);
}

BENCH_WORKLOAD(wl_refcount_cooling) = {
    .name = "refcount_cooling",
    .summary = "every thread counts a row of objects, each hot for one phase, then cold",
    .default_ops = 64000000,
    .setup = cooling_setup,
    .thread = cooling_thread,
    .finish = cooling_finish,
    .rank = 10,
    .shares_objects = true,
    .not_in_cost = true,
};
