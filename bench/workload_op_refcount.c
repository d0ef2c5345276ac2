/*
 * The single-thread cost of a count (op_incref_*): incref+decref pairs,
 * with no checkpoint between them (CPython's Py_INCREF has none either),
 * on one thread (BENCH_SHAPE_SINGLE), beside CPython 3.13's figures for
 * the same operations (bench/README.md says where they come from). On
 * objects spread over 8 (refcount_private without its checkpoints), on one
 * object, and on an object another thread made and still owns.
 */
#include <pthread.h>

#include "bench/workloads.h"

/* n incref+decref pairs on o; BENCH_OPAQUE keeps a pair from folding away. */
static void pairs_on(rc_object *o, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        BENCH_OPAQUE(o);
        rc_incref(o);
        BENCH_OPAQUE(o);
        rc_decref(o);
    }
}

#define SPREAD_OBJECTS 8

static void spread_thread(bench_thread *t) {
    rc_object *objs[SPREAD_OBJECTS];
    for (int k = 0; k < SPREAD_OBJECTS; k++)
        objs[k] = wl_int(100000 + k);
    bench_start(t);
    for (int64_t i = 0; i < t->ops; i++) {
        rc_object *o = objs[i & (SPREAD_OBJECTS - 1)];
        BENCH_OPAQUE(o);
        rc_incref(o);
        BENCH_OPAQUE(o);
        rc_decref(o);
    }
    bench_stop(t);
    for (int k = 0; k < SPREAD_OBJECTS; k++)
        rc_decref(objs[k]);
}

static void one_thread(bench_thread *t) {
    rc_object *o = wl_int(100000);
    bench_start(t);
    pairs_on(o, t->ops);
    bench_stop(t);
    rc_decref(o);
}

/* ---- another thread's object ------------------------------------------------ */

/* The owner: a thread that makes the object, then stays attached, parked in
 * the release region, until the run ends. Under //:nogil every count
 * operation on its object is then a non-owner's (CPython's free-threaded
 * build: the same). */
typedef struct foreign_owner {
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    rc_object *object; /* set by the owner */
    bool made, done;
} foreign_owner;

static foreign_owner the_owner = {.mutex = PTHREAD_MUTEX_INITIALIZER,
                                  .cond = PTHREAD_COND_INITIALIZER};

/* Waits (in a release region) until *flag is true; f->mutex is held around
 * the wait. */
static void owner_wait(foreign_owner *f, const bool *flag) {
    while (!*flag)
        pthread_cond_wait(&f->cond, &f->mutex);
}

static void owner_signal(foreign_owner *f, bool *flag) {
    *flag = true;
    pthread_cond_broadcast(&f->cond);
}

static void *owner_main(void *arg) {
    foreign_owner *f = arg;
    if (rc_thread_attach() != RC_OK)
        bench_die("rc_thread_attach");
    rc_object *o = wl_int(100001);
    RC_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&f->mutex);
    f->object = o;
    owner_signal(f, &f->made);
    owner_wait(f, &f->done);
    pthread_mutex_unlock(&f->mutex);
    RC_END_ALLOW_THREADS
    rc_decref(o);
    rc_thread_detach();
    return NULL;
}

static void foreign_setup(bench_run *run) {
    foreign_owner *f = &the_owner;
    f->made = f->done = false;
    if (pthread_create(&f->thread, NULL, owner_main, f) != 0)
        bench_die("pthread_create");
    /* In a release region: under a global lock the owner must attach. */
    RC_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&f->mutex);
    owner_wait(f, &f->made);
    pthread_mutex_unlock(&f->mutex);
    RC_END_ALLOW_THREADS
    run->shared = f;
}

static void foreign_thread(bench_thread *t) {
    foreign_owner *f = t->run->shared;
    bench_start(t);
    pairs_on(f->object, t->ops);
    bench_stop(t);
}

/* The owner frees its object before the harness counts the live objects. */
static void foreign_finish(bench_run *run) {
    foreign_owner *f = run->shared;
    RC_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&f->mutex);
    owner_signal(f, &f->done);
    pthread_mutex_unlock(&f->mutex);
    pthread_join(f->thread, NULL);
    RC_END_ALLOW_THREADS
}

/* Ranks 22..: the single-thread operations come after every other row. */
BENCH_WORKLOAD(wl_op_incref_spread) = {
    .name = "op_incref_spread",
    .summary = "incref+decref, spread over 8 objects, one thread",
    .default_ops = 20000000,
    .thread = spread_thread,
    .rank = 22,
    .shape = BENCH_SHAPE_SINGLE,
    .not_in_cost = true,
    .cpython_ns = "1.0",
};

BENCH_WORKLOAD(wl_op_incref_one) = {
    .name = "op_incref_one",
    .summary = "incref+decref, one object, one thread",
    .default_ops = 20000000,
    .thread = one_thread,
    .rank = 23,
    .shape = BENCH_SHAPE_SINGLE,
    .not_in_cost = true,
    .cpython_ns = "4.3",
    .cpython_ft_ns = "0.7",
};

BENCH_WORKLOAD(wl_op_incref_foreign) = {
    .name = "op_incref_foreign",
    .summary = "incref+decref, another thread's object, one thread",
    .default_ops = 20000000,
    .setup = foreign_setup,
    .thread = foreign_thread,
    .finish = foreign_finish,
    .rank = 24,
    .shape = BENCH_SHAPE_SINGLE,
    .not_in_cost = true,
    .cpython_ns = "4.7",
    .cpython_ft_ns = "11.7",
};
