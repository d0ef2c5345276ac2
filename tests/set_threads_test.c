/*
 * tests/set_threads_test.c -- one set shared by several threads (issue 15):
 * each thread adds its own range of keys and a range common to all, checks
 * membership, and discards half of its own, while the others do the same.
 *
 * Workload: THREADS threads, KEYS keys of their own each (fewer under TSan)
 * plus the same COMMON keys. The main thread waits in the release region
 * for the joins. The checks are exact and independent of the interleaving:
 * every add, contains and discard of a thread's own keys answers as if the
 * thread were alone, the common keys are in the set once, and the final
 * size is what is left of each range.
 */
#include "tests/support.h"

#include <pthread.h>

_Static_assert(RC_THREAD_SAFE, "threaded tests are built only for thread-safe strategies");

#if defined(RC_TSAN)
#define KEYS 300
#else
#define KEYS 3000
#endif
#define COMMON 100
#define THREADS 4

typedef struct worker {
    rc_object *set; /* borrowed: the main thread keeps it */
    int64_t base;
    int failures;
} worker;

/* A new int key (not a small int, so each is a real object). */
static rc_object *key(int64_t i) {
    return rc_int_from_i64(1000000 + i);
}

static void *work(void *arg) {
    worker *w = arg;
    if (rc_thread_attach() != RC_OK) {
        w->failures++;
        return NULL;
    }
    for (int64_t i = 0; i < KEYS + COMMON; i++) {
        /* Its own keys, then the ones every thread adds. */
        rc_object *k = i < KEYS ? key(w->base + i) : key(-(i - KEYS) - 1);
        if (!k || rc_set_add(w->set, k) != RC_OK || rc_set_contains(w->set, k) != 1)
            w->failures++;
        rc_xdecref(k);
        if (i % 64 == 0)
            rc_checkpoint();
    }
    for (int64_t i = 0; i < KEYS; i += 2) { /* discard the even ones of our own */
        rc_object *k = key(w->base + i);
        if (!k || rc_set_discard(w->set, k) != 1 || rc_set_contains(w->set, k) != 0)
            w->failures++;
        rc_xdecref(k);
    }
    if (rc_thread_detach() != RC_OK)
        w->failures++;
    return NULL;
}

static void test_shared_set(void **state) {
    (void)state;
    rc_object *set = rc_set_new();
    assert_non_null(set);
    worker w[THREADS];
    pthread_t threads[THREADS];
    int created = 0;
    for (int t = 0; t < THREADS; t++)
        w[t] = (worker){.set = set, .base = (int64_t)(t + 1) * 100000};
    RC_BEGIN_ALLOW_THREADS
    for (; created < THREADS; created++)
        if (pthread_create(&threads[created], NULL, work, &w[created]) != 0)
            break;
    for (int t = 0; t < created; t++)
        pthread_join(threads[t], NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(created, THREADS);
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(w[t].failures, 0);
    assert_int_equal(rc_set_size(set), THREADS * (KEYS / 2) + COMMON);
    for (int t = 0; t < THREADS; t++) {
        for (int64_t i = 0; i < KEYS; i++) {
            rc_object *k = key(w[t].base + i);
            assert_int_equal(rc_set_contains(set, k), (int)(i % 2));
            rc_decref(k);
        }
    }
    rc_decref(set);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_set),
    };
    return RCT_RUN_GROUP(tests);
}
