/*
 * tests/immortal_threads_test.c -- rc_immortalize with other threads
 * running (thread-safe strategies; ThreadSanitizer runs it too).
 *
 * Workloads:
 *   - 2 threads count an immortalized list 200,000 times each: its count
 *     never moves, and under //:nogil not one count change of a non-owner
 *     was made (the shared_ops counter stays put: nothing was written);
 *   - 2 threads read the items of an immortalized list: the items are
 *     counted as usual and their counts come back exact;
 *   - 3 threads count a mortal list while the main thread immortalizes it
 *     (stop-the-world): no count is lost or torn, and stop frees it;
 *   - 4 threads immortalize objects of their own and one shared list at
 *     once: each registered once (ASan would see a second free at stop).
 * Each test starts and stops the runtime itself: the stop frees the
 * immortalized objects, and must report no leak.
 */
#include "tests/support.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

_Static_assert(RC_THREAD_SAFE, "threaded tests are built only for thread-safe strategies");

#define ITEMS 4

typedef struct job {
    rc_object *list; /* borrowed: the runtime keeps it alive until stop */
    int rounds;
    bool read_items;
    atomic_int *progress; /* bumped every 1024 rounds, may be NULL */
    int failures;
} job;

static void *counter(void *arg) {
    job *j = arg;
    if (rc_thread_attach() != RC_OK) {
        j->failures++;
        return NULL;
    }
    for (int i = 0; i < j->rounds; i++) {
        rc_incref(j->list);
        if (j->read_items) {
            rc_object *item = rc_list_get(j->list, i % ITEMS);
            if (!item)
                j->failures++;
            rc_xdecref(item);
        }
        rc_decref(j->list);
        if (i % 64 == 0)
            rc_checkpoint();
        if (j->progress && i % 1024 == 0)
            atomic_fetch_add(j->progress, 1);
    }
    rc_thread_detach();
    return NULL;
}

/* Runs n counters over list and waits for them. */
static void run_counters(int n, rc_object *list, int rounds, bool read_items) {
    pthread_t threads[8];
    job jobs[8];
    RC_BEGIN_ALLOW_THREADS
    for (int t = 0; t < n; t++) {
        jobs[t] = (job){.list = list, .rounds = rounds, .read_items = read_items};
        pthread_create(&threads[t], NULL, counter, &jobs[t]);
    }
    for (int t = 0; t < n; t++)
        pthread_join(threads[t], NULL);
    RC_END_ALLOW_THREADS
    for (int t = 0; t < n; t++)
        assert_int_equal(jobs[t].failures, 0);
}

static rc_object *list_of_big_ints(void) {
    rc_object *l = rc_list_new();
    for (int i = 0; i < ITEMS; i++)
        assert_status(rc_list_append_steal(l, rct_big_int(i)), RC_OK);
    return l;
}

static void test_counting_an_immortal_writes_nothing(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    rc_object *l = list_of_big_ints();
    assert_status(rc_immortalize(l), RC_OK);
    rc_runtime_stats before, after;
    rc_runtime_get_stats(&before);
    run_counters(2, l, 200000, false);
    rc_runtime_get_stats(&after);
    assert_true(rc_refcount(l) == RC_IMMORTAL_COUNT);
    /* Under //:nogil a non-owner's count change is an atomic add on the
     * shared field, counted here; the other strategies keep 0. */
    assert_int_equal(after.shared_ops - before.shared_ops, 0);
    assert_status(rc_runtime_stop(), RC_OK);
}

static void test_items_of_an_immortal_are_counted(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    rc_object *l = list_of_big_ints();
    assert_status(rc_immortalize(l), RC_OK);
    run_counters(2, l, 100000, true);
    for (int i = 0; i < ITEMS; i++) {
        rc_object *item = rc_list_get(l, i);
        assert_int_equal(rc_refcount(item), 2); /* the list's and ours */
        rc_decref(item);
    }
    assert_int_equal(rc_live_objects(), ITEMS);
    assert_status(rc_runtime_stop(), RC_OK);
}

static void test_immortalize_while_others_count(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    rc_object *l = list_of_big_ints();
    atomic_int progress = 0;
    enum { WORKERS = 3 };
    pthread_t threads[WORKERS];
    job jobs[WORKERS];
    for (int t = 0; t < WORKERS; t++) {
        jobs[t] = (job){.list = l, .rounds = 100000, .read_items = true, .progress = &progress};
        RC_BEGIN_ALLOW_THREADS
        pthread_create(&threads[t], NULL, counter, &jobs[t]);
        RC_END_ALLOW_THREADS
    }
    /* Let them count it while it is mortal first. */
    while (atomic_load(&progress) < 3 * WORKERS) {
        RC_BEGIN_ALLOW_THREADS
        sched_yield();
        RC_END_ALLOW_THREADS
    }
    assert_status(rc_immortalize(l), RC_OK);
    rc_decref(l); /* ours: a no-op now */
    RC_BEGIN_ALLOW_THREADS
    for (int t = 0; t < WORKERS; t++)
        pthread_join(threads[t], NULL);
    RC_END_ALLOW_THREADS
    for (int t = 0; t < WORKERS; t++)
        assert_int_equal(jobs[t].failures, 0);
    assert_true(rc_refcount(l) == RC_IMMORTAL_COUNT);
    for (int i = 0; i < ITEMS; i++) {
        rc_object *item = rc_list_get(l, i);
        assert_int_equal(rc_refcount(item), 2);
        rc_decref(item);
    }
    assert_status(rc_runtime_stop(), RC_OK);
}

typedef struct maker_job {
    rc_object *shared; /* borrowed */
    int failures;
} maker_job;

static void *maker(void *arg) {
    maker_job *j = arg;
    if (rc_thread_attach() != RC_OK) {
        j->failures++;
        return NULL;
    }
    for (int i = 0; i < 100; i++) {
        rc_object *l = rc_list_new();
        if (!l || rc_list_append_steal(l, rc_int_from_i64(1000000 + i)) != RC_OK ||
            rc_immortalize(l) != RC_OK || rc_immortalize(j->shared) != RC_OK)
            j->failures++;
        rc_xdecref(l);
        rc_checkpoint();
    }
    rc_thread_detach();
    return NULL;
}

static void test_concurrent_immortalize(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    rc_object *shared = list_of_big_ints();
    enum { MAKERS = 4 };
    pthread_t threads[MAKERS];
    maker_job jobs[MAKERS];
    RC_BEGIN_ALLOW_THREADS
    for (int t = 0; t < MAKERS; t++) {
        jobs[t] = (maker_job){.shared = shared};
        pthread_create(&threads[t], NULL, maker, &jobs[t]);
    }
    for (int t = 0; t < MAKERS; t++)
        pthread_join(threads[t], NULL);
    RC_END_ALLOW_THREADS
    for (int t = 0; t < MAKERS; t++)
        assert_int_equal(jobs[t].failures, 0);
    assert_true(rc_is_immortal(shared));
    /* The items of the 400 lists and of the shared one. */
    assert_int_equal(rc_live_objects(), MAKERS * 100 + ITEMS);
    assert_status(rc_runtime_stop(), RC_OK);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counting_an_immortal_writes_nothing),
        cmocka_unit_test(test_items_of_an_immortal_are_counted),
        cmocka_unit_test(test_immortalize_while_others_count),
        cmocka_unit_test(test_concurrent_immortalize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
