/*
 * tests/gc_threads_test.c -- the collector with other threads running.
 *
 * Workload: 3 threads each build 20,000 small cycles (a list that holds
 * itself and a new int) and keep every 10th one reachable from a shared
 * list, calling the checkpoint as they go, while the main thread collects
 * in a loop. At the end: every kept cycle is intact (it holds itself), every
 * other one was collected, and nothing is left after the shared list goes.
 * Then objects freed by threads other than their maker, and garbage whose
 * last reference a non-owner drops just before it collects (issue 11,
 * item 1: one collection must find it under every strategy).
 */
#include "tests/gc_node.h"
#include "tests/support.h"

#include <pthread.h>
#include <stdatomic.h>

_Static_assert(RC_THREAD_SAFE, "threaded tests are built only for thread-safe strategies");

#define WORKERS 3
#define CYCLES_PER_WORKER 20000

typedef struct gc_job {
    rc_object *shared; /* borrowed: the main thread keeps it alive */
    atomic_int *done;
    int failures;
} gc_job;

static void *cycle_builder(void *arg) {
    gc_job *job = arg;
    if (rc_thread_attach() != RC_OK) {
        job->failures++;
        return NULL;
    }
    for (int i = 0; i < CYCLES_PER_WORKER; i++) {
        rc_object *l = rc_list_new();
        if (!l || rc_list_append(l, l) != RC_OK ||
            rc_list_append_steal(l, rc_int_from_i64(1000000 + i)) != RC_OK)
            job->failures++;
        if (i % 10 == 0 && rc_list_append(job->shared, l) != RC_OK)
            job->failures++;
        rc_decref(l);
        rc_checkpoint();
    }
    atomic_fetch_add(job->done, 1);
    rc_thread_detach();
    return NULL;
}

static void test_collect_while_threads_allocate(void **state) {
    (void)state;
    rc_gc_enable();
    rc_object *shared = rc_list_new();
    atomic_int done = 0;
    gc_job jobs[WORKERS];
    pthread_t threads[WORKERS];
    for (int t = 0; t < WORKERS; t++) {
        jobs[t] = (gc_job){.shared = shared, .done = &done};
        RC_BEGIN_ALLOW_THREADS
        pthread_create(&threads[t], NULL, cycle_builder, &jobs[t]);
        RC_END_ALLOW_THREADS
    }
    int64_t collections = 0;
    do { /* at least once, even if the builders were quick */
        assert_true(rc_gc_collect() >= 0);
        collections++;
        rc_checkpoint(); /* let the builders run */
    } while (atomic_load(&done) < WORKERS);
    RC_BEGIN_ALLOW_THREADS
    for (int t = 0; t < WORKERS; t++)
        pthread_join(threads[t], NULL);
    RC_END_ALLOW_THREADS
    for (int t = 0; t < WORKERS; t++)
        assert_int_equal(jobs[t].failures, 0);
    assert_true(collections > 0);

    rc_gc_collect();
    int64_t kept = WORKERS * (CYCLES_PER_WORKER / 10);
    assert_int_equal(rc_list_size(shared), kept);
    for (int64_t i = 0; i < kept; i++) { /* every kept cycle is intact */
        rc_object *l = rc_list_get(shared, i);
        rc_object *self = rc_list_get(l, 0);
        assert_ptr_equal(self, l);
        assert_int_equal(rc_list_size(l), 2);
        rc_decref(self);
        rc_decref(l);
    }
    /* shared + each kept list and its int */
    assert_int_equal(rc_live_objects(), 1 + 2 * kept);
    rc_decref(shared);
    rc_gc_collect();
    assert_int_equal(rc_live_objects(), 0);
}

/* ---- objects freed by another thread than the one that made them ----------
 * Each thread keeps the GC objects it makes on a young list of its own
 * (gc/gc.c). Two threads swap tuples through a shared list and free the
 * other's, while the main thread counts generation 0 (which empties the
 * young lists into it) and collects; then a thread exits leaving objects it
 * made behind, which the main thread frees. Lists stay consistent (a broken
 * link would crash the walk or the count), the counts add up, nothing leaks. */

#define SWAP_ROUNDS 4000

typedef struct swap_job {
    rc_object *box[2]; /* thread i puts tuples in box[i], takes from box[1 - i] */
    int index;
    atomic_int *done;
    int failures;
} swap_job;

static void *swapper(void *arg) {
    swap_job *j = arg;
    if (rc_thread_attach() != RC_OK) {
        j->failures++;
        return NULL;
    }
    for (int i = 0; i < SWAP_ROUNDS; i++) {
        rc_object *t = rc_tuple_pack(1, rc_none());
        if (!t || rc_list_append_steal(j->box[j->index], t) != RC_OK)
            j->failures++;
        rc_object *other = rc_list_size(j->box[1 - j->index]) > 0
                               ? rc_list_pop(j->box[1 - j->index], 0)
                               : NULL;
        rc_error_clear(); /* the other thread may have emptied it first */
        rc_xdecref(other); /* most likely made by the other thread */
        rc_checkpoint();
    }
    atomic_fetch_add(j->done, 1);
    rc_thread_detach(); /* what it made and nobody freed stays in box[index] */
    return NULL;
}

static void test_objects_freed_by_other_threads(void **state) {
    (void)state;
    atomic_int done = 0;
    rc_object *box[2] = {rc_list_new(), rc_list_new()};
    assert_non_null(box[0]);
    assert_non_null(box[1]);
    swap_job jobs[2];
    pthread_t threads[2];
    for (int t = 0; t < 2; t++) {
        jobs[t] = (swap_job){.box = {box[0], box[1]}, .index = t, .done = &done};
        assert_int_equal(pthread_create(&threads[t], NULL, swapper, &jobs[t]), 0);
    }
    while (atomic_load(&done) < 2) {
        assert_true(rc_gc_tracked_count(0) >= 0);
        assert_true(rc_gc_collect_generation(0) >= 0);
        rc_checkpoint();
    }
    RC_BEGIN_ALLOW_THREADS
    for (int t = 0; t < 2; t++)
        pthread_join(threads[t], NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(jobs[0].failures + jobs[1].failures, 0);
    int64_t left = rc_list_size(box[0]) + rc_list_size(box[1]);
    assert_int_equal(rc_live_objects(), 2 + left);
    /* Both makers are gone: their young lists joined generation 0. */
    assert_true(rc_gc_tracked_count(0) + rc_gc_tracked_count(1) + rc_gc_tracked_count(2) >=
                2 + left);
    rc_decref(box[0]);
    rc_decref(box[1]);
    assert_int_equal(rc_live_objects(), 0);
    assert_int_equal(rc_gc_tracked_count(0) + rc_gc_tracked_count(1) + rc_gc_tracked_count(2), 0);
}

/* ---- garbage whose last reference is dropped by a non-owner ----------------
 * The main thread builds x -> a <-> b out of a client GC type, hands its
 * only reference to x to another thread and waits in the release region.
 * That thread drops the reference (under //:nogil a non-owner decref: x
 * goes to the main thread's merge queue, not freed) and collects once.
 * However the strategy defers counts, one full collection must free all
 * three: x by its count, a and b as a cycle. */

typedef struct drop_job {
    rc_object *x; /* the reference handed over */
    int64_t found;
    int64_t live_after;
    int failures;
} drop_job;

static void *drop_and_collect(void *arg) {
    drop_job *j = arg;
    if (rc_thread_attach() != RC_OK) {
        j->failures++;
        return NULL;
    }
    rc_decref(j->x); /* the last reference, not made on this thread */
    j->found = rc_gc_collect();
    j->live_after = rc_live_objects_of(&node_type);
    rc_thread_detach();
    return NULL;
}

static void test_one_collection_frees_garbage_dropped_by_non_owner(void **state) {
    (void)state;
    rc_gc_disable(); /* only the collection below may find the cycle */
    rc_object *a = node_new(1);
    rc_object *b = node_new(2);
    node_link(a, b);
    node_link(b, a); /* a <-> b */
    drop_job job = {.x = node_new(3)};
    node_link(job.x, a); /* x -> a */
    rc_decref(a);
    rc_decref(b);
    assert_int_equal(rc_live_objects_of(&node_type), 3);
    pthread_t thread;
    int created;
    RC_BEGIN_ALLOW_THREADS
    created = pthread_create(&thread, NULL, drop_and_collect, &job);
    if (created == 0)
        pthread_join(thread, NULL);
    RC_END_ALLOW_THREADS
    rc_gc_enable();
    assert_int_equal(created, 0);
    assert_int_equal(job.failures, 0);
    assert_int_equal(job.live_after, 0); /* before the collector's thread detached */
    assert_int_equal(job.found, 2);      /* a and b; x went by its count */
    assert_int_equal(rc_live_objects_of(&node_type), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collect_while_threads_allocate),
        cmocka_unit_test(test_objects_freed_by_other_threads),
        cmocka_unit_test(test_one_collection_frees_garbage_dropped_by_non_owner),
    };
    return RCT_RUN_GROUP(tests);
}
