/*
 * tests/per_thread_counts_test.c -- objects that switch to per-thread
 * counts (locking/biased/biased.c, "per-thread counts"), under every
 * thread-safe strategy.
 *
 * Under //:nogil an object that threads other than its owner count often
 * is switched, at a stop of the world, to counts kept per thread, and is
 * returned to shared counting at the next stop, or when at most one thread
 * stays attached. Each test heats one object on two worker threads (a
 * deterministic number of count operations: the sampling gap is at most
 * 511 operations, so within HEAT_PAIRS the object is nominated, and the
 * worker's next checkpoint switches it), then, with both workers attached
 * and quiet, does what could go wrong in the new mode:
 *   - counts held by a thread that exits (they go to the slot's orphans):
 *     the count afterwards must be exact, and the object freed exactly when
 *     its last reference goes;
 *   - references taken on one thread and dropped on another (a negative
 *     slot), then a stop that keeps the object in the mode: exact still;
 *   - the last reference dropped while the object counts per thread, then
 *     a collection: the object must be freed (once), and its weak
 *     reference cleared;
 *   - a cycle through such an object, collected;
 *   - the object made immortal;
 *   - a finalizer that resurrects the object;
 *   - the switch asked for by the host (rc_mark_shared), with no heating.
 * Under the other strategies nothing switches (their stats say 0) and
 * every other assertion holds the same: the mode changes no result.
 */
#include "tests/support.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

_Static_assert(RC_THREAD_SAFE, "threaded tests are built only for thread-safe strategies");

#define WORKERS 2
#define HEAT_PAIRS 20000 /* incref + decref pairs per worker */
#define KEEP 100         /* references each worker keeps in test 1 */

/* ---- a client type: counts deallocations and finalizations -------------------- */

typedef struct probe {
    rc_object base;
    rc_object *ref;      /* a strong reference, for cycles, or NULL */
    rc_object *weaklist; /* the runtime's */
} probe;

static atomic_int deallocs, finalizations;
static rc_object *resurrected; /* where a resurrecting finalizer puts self */
static bool resurrect;

static void probe_dealloc(rc_object *self) {
    rc_clear_ref(&((probe *)self)->ref);
    atomic_fetch_add(&deallocs, 1);
}

static int probe_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    RC_VISIT(((probe *)self)->ref);
    return 0;
}

static void probe_clear(rc_object *self) {
    rc_clear_ref(&((probe *)self)->ref);
}

static void probe_finalize(rc_object *self) {
    atomic_fetch_add(&finalizations, 1);
    if (resurrect)
        resurrected = rc_newref(self);
}

static rc_type probe_type = {
    .name = "probe",
    .basicsize = sizeof(probe),
    .flags = RC_TYPE_GC,
    .dealloc = probe_dealloc,
    .traverse = probe_traverse,
    .clear = probe_clear,
    .finalize = probe_finalize,
    .weaklist_offset = offsetof(probe, weaklist),
};

/* ---- the scene: two workers heat one object, then act while attached ------------ */

typedef struct scene scene;
struct scene {
    rc_object *hot;            /* heated by the workers; the scene's reference */
    rc_object *other;          /* a second object, for cycles (may be NULL) */
    void (*act)(scene *s, int worker); /* run by each worker once both are hot */
    bool cold;                 /* the workers skip the heating */
    pthread_barrier_t heated, acted;
    atomic_int failures;
    int64_t count_seen; /* rc_refcount(hot) read by worker 0 while quiet */
    rc_runtime_stats in_mode; /* stats read by worker 0 once both were hot */
    bool shared_counts;       /* set by run_scene: the workers' counts were shared ops */
    int64_t switched;         /* test 6: per_thread_starts during rc_mark_shared */
};

/* A barrier wait is a blocking point: in the release region, so that a
 * stop of the world never waits for a thread parked here. */
static void barrier(pthread_barrier_t *b) {
    RC_BEGIN_ALLOW_THREADS
    pthread_barrier_wait(b);
    RC_END_ALLOW_THREADS
}

static void *worker_main(void *p) {
    scene *s = p;
    static atomic_int index;
    int me = atomic_fetch_add(&index, 1) % WORKERS;
    if (rc_thread_attach() != RC_OK) {
        atomic_fetch_add(&s->failures, 1);
        return NULL;
    }
    for (int i = 0; !s->cold && i < HEAT_PAIRS; i++) {
        rc_incref(s->hot);
        rc_decref(s->hot);
        if (i % 64 == 0)
            rc_checkpoint();
    }
    barrier(&s->heated);
    if (me == 0)
        rc_runtime_get_stats(&s->in_mode);
    s->act(s, me);
    barrier(&s->acted);
    rc_thread_detach();
    return NULL;
}

/* Runs the scene, and checks what the stats say about it. */
static void run_scene(scene *s) {
    atomic_store(&deallocs, 0);
    atomic_store(&finalizations, 0);
    assert_int_equal(pthread_barrier_init(&s->heated, NULL, WORKERS), 0);
    assert_int_equal(pthread_barrier_init(&s->acted, NULL, WORKERS), 0);
    rc_runtime_stats before, after;
    rc_runtime_get_stats(&before);
    pthread_t t[WORKERS];
    RC_BEGIN_ALLOW_THREADS
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, worker_main, s);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    RC_END_ALLOW_THREADS
    rc_runtime_get_stats(&after);
    pthread_barrier_destroy(&s->heated);
    pthread_barrier_destroy(&s->acted);
    assert_int_equal(atomic_load(&s->failures), 0);
    /* Where counts have owners (//:nogil, whose workers' count operations
     * were shared ones), the hot object switched, and was back to shared
     * counting once the workers left; elsewhere nothing switches. */
    s->shared_counts = after.shared_ops > before.shared_ops;
    if (s->shared_counts) {
        assert_true(after.per_thread_starts - before.per_thread_starts >= 1);
        assert_true(s->in_mode.per_thread_objects >= 1);
        assert_int_equal(after.per_thread_ends - before.per_thread_ends,
                         after.per_thread_starts - before.per_thread_starts);
    } else {
        assert_int_equal(after.per_thread_starts, before.per_thread_starts);
    }
    assert_int_equal(after.per_thread_objects, 0);
}

/* ---- 1: counts kept by threads that exit ------------------------------------------ */

static void keep_references(scene *s, int worker) {
    for (int k = 0; k < KEEP; k++)
        rc_incref(s->hot); /* ours until main drops them */
    barrier(&s->acted); /* both have taken theirs */
    if (worker == 0)
        s->count_seen = rc_refcount(s->hot);
    barrier(&s->acted);
}

static void test_counts_of_exited_threads_stay_exact(void **state) {
    (void)state;
    int64_t live = rc_live_objects();
    scene s = {.hot = rct_big_int(1), .act = keep_references};
    run_scene(&s);
    /* While both workers were attached and quiet, and after they left
     * (the first one's slot folded into the orphans, the last one's review
     * folded everything back), the count is exact. */
    assert_int_equal(s.count_seen, 1 + WORKERS * KEEP);
    assert_int_equal(rc_refcount(s.hot), 1 + WORKERS * KEEP);
    for (int k = 0; k < WORKERS * KEEP; k++)
        rc_decref(s.hot);
    assert_int_equal(rc_refcount(s.hot), 1);
    assert_int_equal(rc_live_objects(), live + 1);
    rc_decref(s.hot);
    assert_int_equal(rc_live_objects(), live);
}

/* ---- 1b: references handed between threads, across a stop that keeps the mode ---- */

static rc_object *immortal_target; /* made immortal by test 1b: a stop, not a collection */

static void hand_over_across_a_stop(scene *s, int worker) {
    if (worker == 1)
        for (int k = 0; k < KEEP; k++)
            rc_incref(s->hot); /* taken here, in worker 1's slot... */
    barrier(&s->acted);
    if (worker == 0) {
        for (int k = 0; k < KEEP; k++)
            rc_decref(s->hot); /* ...dropped there: worker 0's slot goes negative */
        /* A stop of the world that is not a collection: the review folds
         * the two slots (one negative) into the shared count, and keeps the
         * object in the mode, since both counted it. */
        if (rc_immortalize(immortal_target) != RC_OK)
            atomic_fetch_add(&s->failures, 1);
        rc_runtime_stats now;
        rc_runtime_get_stats(&now);
        if (s->in_mode.per_thread_objects && !now.per_thread_objects)
            atomic_fetch_add(&s->failures, 1);
        s->count_seen = rc_refcount(s->hot);
    }
    barrier(&s->acted);
}

static void test_handed_over_across_a_stop(void **state) {
    (void)state;
    int64_t live = rc_live_objects();
    immortal_target = rct_big_int(3);
    scene s = {.hot = rct_big_int(4), .act = hand_over_across_a_stop};
    run_scene(&s);
    assert_int_equal(s.count_seen, 1);
    assert_int_equal(rc_refcount(s.hot), 1);
    rc_decref(s.hot);
    rc_decref(immortal_target); /* immortal: freed at rc_runtime_stop */
    assert_int_equal(rc_live_objects(), live);
}

/* ---- 2: the last reference dropped while per thread, then a collection ------------ */

static rc_object *weak; /* to the hot object of test 2 */

static void drop_then_collect(scene *s, int worker) {
    if (worker == 0) {
        rc_decref(s->hot); /* the last reference */
        s->hot = NULL;
    }
    barrier(&s->acted);
    if (worker == 1) {
        rc_gc_collect(); /* a stop: finds the count 0 if it was per thread */
        /* Freed by now, whichever mode it was in, and exactly once. */
        if (atomic_load(&deallocs) != 1 || rc_weakref_is_alive(weak) != 0)
            atomic_fetch_add(&s->failures, 1);
    }
    barrier(&s->acted);
}

static void test_dropped_while_per_thread_then_collected(void **state) {
    (void)state;
    int64_t live = rc_live_objects();
    scene s = {.hot = rc_object_new(&probe_type), .act = drop_then_collect};
    assert_non_null(s.hot);
    weak = rc_weakref_new(s.hot, NULL, NULL);
    assert_non_null(weak);
    run_scene(&s);
    assert_int_equal(atomic_load(&deallocs), 1);
    assert_int_equal(atomic_load(&finalizations), 1);
    assert_int_equal(rc_weakref_is_alive(weak), 0);
    rc_decref(weak);
    assert_int_equal(rc_live_objects(), live);
}

/* ---- 3: a cycle through a per-thread object ----------------------------------------- */

static void drop_cycle_then_collect(scene *s, int worker) {
    if (worker == 0) {
        rc_decref(s->hot);
        rc_decref(s->other);
        s->hot = s->other = NULL;
    }
    barrier(&s->acted);
    if (worker == 1 && (rc_gc_collect() < 2 || atomic_load(&deallocs) != 2))
        atomic_fetch_add(&s->failures, 1);
    barrier(&s->acted);
}

static void test_cycle_through_a_per_thread_object_is_collected(void **state) {
    (void)state;
    int64_t live = rc_live_objects();
    scene s = {.hot = rc_object_new(&probe_type), .other = rc_object_new(&probe_type),
               .act = drop_cycle_then_collect};
    assert_non_null(s.hot);
    assert_non_null(s.other);
    ((probe *)s.hot)->ref = rc_newref(s.other);
    ((probe *)s.other)->ref = rc_newref(s.hot);
    run_scene(&s);
    assert_int_equal(atomic_load(&deallocs), 2);
    assert_int_equal(rc_live_objects(), live);
}

/* ---- 4: made immortal while per thread ---------------------------------------------- */

static void immortalize_then_count(scene *s, int worker) {
    if (worker == 0 && rc_immortalize(s->hot) != RC_OK)
        atomic_fetch_add(&s->failures, 1);
    barrier(&s->acted);
    for (int i = 0; i < 1000; i++) {
        rc_incref(s->hot);
        rc_decref(s->hot);
    }
    if (rc_refcount(s->hot) != RC_IMMORTAL_COUNT)
        atomic_fetch_add(&s->failures, 1);
    barrier(&s->acted);
}

static void test_made_immortal_while_per_thread(void **state) {
    (void)state;
    int64_t live = rc_live_objects();
    scene s = {.hot = rct_big_int(2), .act = immortalize_then_count};
    run_scene(&s);
    assert_int_equal(rc_refcount(s.hot), RC_IMMORTAL_COUNT);
    rc_decref(s.hot); /* a no-op now; freed at rc_runtime_stop */
    assert_int_equal(rc_live_objects(), live); /* immortals are not counted */
}

/* ---- 5: resurrected by its finalizer ---------------------------------------------------- */

static void drop_resurrect_collect(scene *s, int worker) {
    if (worker == 0) {
        resurrect = true;
        rc_decref(s->hot);
        s->hot = NULL;
    }
    barrier(&s->acted);
    if (worker == 1) {
        rc_gc_collect();
        /* Finalized once, and alive again: in `resurrected`, not freed. */
        if (atomic_load(&finalizations) != 1 || atomic_load(&deallocs) != 0 || !resurrected)
            atomic_fetch_add(&s->failures, 1);
    }
    barrier(&s->acted);
}

static void test_resurrected_while_per_thread(void **state) {
    (void)state;
    int64_t live = rc_live_objects();
    scene s = {.hot = rc_object_new(&probe_type), .act = drop_resurrect_collect};
    assert_non_null(s.hot);
    run_scene(&s);
    resurrect = false;
    assert_non_null(resurrected);
    assert_int_equal(rc_refcount(resurrected), 1);
    rc_decref(resurrected); /* the finalizer does not run again */
    resurrected = NULL;
    assert_int_equal(atomic_load(&finalizations), 1);
    assert_int_equal(atomic_load(&deallocs), 1);
    assert_int_equal(rc_live_objects(), live);
}

/* ---- 6: marked shared by the host (rc_mark_shared), never heated ------------------ */

static void mark_then_count(scene *s, int worker) {
    if (worker == 0) {
        /* One count by a thread that is not the owner: under //:nogil a
         * shared operation, which run_scene's stats see. */
        rc_incref(s->hot);
        rc_decref(s->hot);
        rc_runtime_stats before, after;
        rc_runtime_get_stats(&before);
        /* Two in a row, neither counted between: the stop that switches
         * the second must not return the first (it is the host's). */
        if (rc_mark_shared(s->hot) != RC_OK || rc_mark_shared(s->other) != RC_OK)
            atomic_fetch_add(&s->failures, 1);
        rc_runtime_get_stats(&after);
        s->switched = (int64_t)(after.per_thread_starts - before.per_thread_starts);
        s->in_mode = after; /* for run_scene: in the mode now, by the call */
    }
    barrier(&s->acted);
    for (int k = 0; k < KEEP; k++)
        rc_incref(s->hot);
    barrier(&s->acted); /* both have taken theirs */
    if (worker == 0)
        s->count_seen = rc_refcount(s->hot);
    barrier(&s->acted);
    for (int k = 0; k < KEEP; k++)
        rc_decref(s->hot);
}

static void test_marked_shared_by_the_host(void **state) {
    (void)state;
    int64_t live = rc_live_objects();
    scene s = {.hot = rct_big_int(6), .other = rct_big_int(7), .act = mark_then_count,
               .cold = true};
    run_scene(&s);
    /* Where counts have owners, each call switched its object at once (two
     * workers and this thread attached, the objects never heated), and the
     * second did not return the first; run_scene checked that both were
     * back to shared counting once the workers left. */
    if (s.shared_counts) {
        assert_int_equal(s.switched, 2);
        assert_int_equal(s.in_mode.per_thread_objects, 2);
    } else {
        assert_int_equal(s.switched, 0);
    }
    assert_int_equal(s.count_seen, 1 + WORKERS * KEEP);
    assert_int_equal(rc_refcount(s.hot), 1);
    assert_int_equal(rc_refcount(s.other), 1);
    rc_decref(s.hot);
    rc_decref(s.other);
    assert_int_equal(rc_live_objects(), live);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_of_exited_threads_stay_exact),
        cmocka_unit_test(test_handed_over_across_a_stop),
        cmocka_unit_test(test_dropped_while_per_thread_then_collected),
        cmocka_unit_test(test_cycle_through_a_per_thread_object_is_collected),
        cmocka_unit_test(test_made_immortal_while_per_thread),
        cmocka_unit_test(test_resurrected_while_per_thread),
        cmocka_unit_test(test_marked_shared_by_the_host),
    };
    return RCT_RUN_GROUP(tests);
}
