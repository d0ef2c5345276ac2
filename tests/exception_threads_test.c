/*
 * tests/exception_threads_test.c -- one exception shared by several
 * threads, each replacing its cause and context with exceptions of its own
 * and reading them back, while the others do the same.
 *
 * The link is the only reference to each exception a thread sets (the
 * thread drops its own at once), so a reader that took its reference
 * outside the critical section would race with the writer that drops the
 * old link: ASan and TSan see that. The checks are exact whatever the
 * interleaving: every read returns an exception that some thread set
 * (its status one of the threads'), never a freed or foreign object, and
 * at the end every exception is freed.
 */
#include "tests/support.h"

#include <pthread.h>

_Static_assert(RC_THREAD_SAFE, "threaded tests are built only for thread-safe strategies");

#if defined(RC_TSAN)
#define ROUNDS 300
#else
#define ROUNDS 3000
#endif
#define THREADS 4

/* Thread t sets exceptions of status codes[t]. */
static const rc_status codes[THREADS] = {RC_EVALUE, RC_ETYPE, RC_EINDEX, RC_EKEY};

typedef struct worker {
    rc_object *shared; /* borrowed: the main thread keeps it */
    int t;
    int failures;
} worker;

static bool known_code(rc_status st) {
    for (int t = 0; t < THREADS; t++)
        if (codes[t] == st)
            return true;
    return false;
}

static void *work(void *arg) {
    worker *w = arg;
    if (rc_thread_attach() != RC_OK) {
        w->failures++;
        return NULL;
    }
    for (int i = 0; i < ROUNDS; i++) {
        rc_object *mine = rc_exception_new(codes[w->t], NULL, NULL, NULL, NULL);
        bool cause = i % 2 == 0;
        if (!mine || (cause ? rc_exception_set_cause(w->shared, mine)
                            : rc_exception_set_context(w->shared, mine)) != RC_OK)
            w->failures++;
        rc_xdecref(mine); /* the link holds the only reference now */
        rc_object *got = cause ? rc_exception_cause(w->shared) : rc_exception_context(w->shared);
        if (!got || !rc_exception_check(got) || !known_code(rc_exception_code(got)))
            w->failures++;
        rc_xdecref(got);
        if (i % 64 == 0)
            rc_checkpoint();
    }
    if (rc_thread_detach() != RC_OK)
        w->failures++;
    return NULL;
}

static void test_shared_links(void **state) {
    (void)state;
    rc_object *shared = rc_exception_new(RC_ESTATE, NULL, NULL, NULL, NULL);
    assert_non_null(shared);
    worker w[THREADS];
    pthread_t threads[THREADS];
    int created = 0;
    for (int t = 0; t < THREADS; t++)
        w[t] = (worker){.shared = shared, .t = t};
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
    /* The last writes left one exception in each link, of some thread. */
    rc_object *c = rc_exception_cause(shared), *x = rc_exception_context(shared);
    assert_true(known_code(rc_exception_code(c)));
    assert_true(known_code(rc_exception_code(x)));
    rc_decref(c);
    rc_decref(x);
    rc_decref(shared);
    assert_live_objects(0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_links),
    };
    return RCT_RUN_GROUP(tests);
}
