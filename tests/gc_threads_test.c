/*
 * tests/gc_threads_test.c -- the collector with other threads running.
 *
 * Workload: 3 threads each build 20,000 small cycles (a list that holds
 * itself and a new int) and keep every 10th one reachable from a shared
 * list, calling the checkpoint as they go, while the main thread collects
 * in a loop. At the end: every kept cycle is intact (it holds itself), every
 * other one was collected, and nothing is left after the shared list goes.
 */
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
    while (atomic_load(&done) < WORKERS) {
        assert_true(rc_gc_collect() >= 0);
        collections++;
        rc_checkpoint(); /* let the builders run */
    }
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collect_while_threads_allocate),
    };
    return RCT_RUN_GROUP(tests);
}
