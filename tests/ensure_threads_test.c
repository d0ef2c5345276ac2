/*
 * tests/ensure_threads_test.c -- rc_thread_ensure / rc_thread_restore from
 * many threads at once (issue 15): callbacks on threads the host never
 * attached, and host threads that call back into the runtime from inside
 * their release region, all appending to one shared list while the others
 * do the same.
 *
 * Workload: FOREIGN threads and HOSTS host threads, ROUNDS rounds each
 * (fewer under TSan); every round is an ensure, two nested appends and the
 * restores. The main thread waits in the release region for the joins.
 * Nothing depends on timing: the checks are the exact item count and sum,
 * each thread's own statuses, and no leak at the end.
 */
#include "tests/support.h"

#include <pthread.h>

_Static_assert(RC_THREAD_SAFE, "threaded tests are built only for thread-safe strategies");

#if defined(RC_TSAN)
#define ROUNDS 40
#else
#define ROUNDS 400
#endif
#define FOREIGN 3
#define HOSTS 2

typedef struct worker {
    rc_object *list; /* borrowed: the main thread keeps it */
    int64_t base;    /* values base + 0 .. 2 * ROUNDS - 1 */
    bool host;       /* attached by itself, calls back from its release region */
    int failures;
} worker;

/* One callback: enter, append two values (the second in a nested pair),
 * leave. Returns the number of failed steps. */
static int callback(rc_object *list, int64_t value) {
    int failures = 0;
    rc_ensured outer, inner;
    if (rc_thread_ensure(&outer) != RC_OK)
        return 1;
    if (rc_list_append_steal(list, rc_int_from_i64(value)) != RC_OK)
        failures++;
    if (rc_thread_ensure(&inner) != RC_OK) {
        failures++;
    } else {
        if (rc_list_append_steal(list, rc_int_from_i64(value + 1)) != RC_OK)
            failures++;
        if (rc_thread_restore(&inner) != RC_OK)
            failures++;
    }
    rc_checkpoint(); /* let the others run, as a long callback would */
    if (rc_thread_restore(&outer) != RC_OK)
        failures++;
    return failures;
}

static void *work(void *arg) {
    worker *w = arg;
    if (w->host && rc_thread_attach() != RC_OK) {
        w->failures++;
        return NULL;
    }
    for (int i = 0; i < ROUNDS; i++) {
        if (w->host) {
            /* The host's blocking call, during which a library calls back. */
            RC_BEGIN_ALLOW_THREADS
            w->failures += callback(w->list, w->base + 2 * i);
            if (rc_thread_is_attached()) /* restore went back into the region */
                w->failures++;
            RC_END_ALLOW_THREADS
        } else {
            w->failures += callback(w->list, w->base + 2 * i);
            if (rc_thread_is_attached()) /* restore detached it */
                w->failures++;
        }
    }
    if (w->host && rc_thread_detach() != RC_OK)
        w->failures++;
    return NULL;
}

static void test_callbacks_from_many_threads(void **state) {
    (void)state;
    rc_object *list = rc_list_new();
    assert_non_null(list);
    enum { N = FOREIGN + HOSTS };
    worker w[N];
    pthread_t threads[N];
    int created = 0;
    for (int t = 0; t < N; t++)
        w[t] = (worker){.list = list, .base = (int64_t)t * 1000000, .host = t >= FOREIGN};
    RC_BEGIN_ALLOW_THREADS
    for (; created < N; created++)
        if (pthread_create(&threads[created], NULL, work, &w[created]) != 0)
            break;
    for (int t = 0; t < created; t++)
        pthread_join(threads[t], NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(created, N);
    for (int t = 0; t < N; t++)
        assert_int_equal(w[t].failures, 0);

    /* Every value exactly once: the count, and the sum. */
    assert_int_equal(rc_list_size(list), N * 2 * ROUNDS);
    int64_t sum = 0, expected = 0;
    for (int64_t i = 0; i < rc_list_size(list); i++) {
        rc_object *o = rc_list_get(list, i);
        sum += rct_int(o);
        rc_decref(o);
    }
    for (int t = 0; t < N; t++)
        for (int64_t v = 0; v < 2 * ROUNDS; v++)
            expected += w[t].base + v;
    assert_int_equal(sum, expected);
    rc_decref(list);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_callbacks_from_many_threads),
    };
    return RCT_RUN_GROUP(tests);
}
