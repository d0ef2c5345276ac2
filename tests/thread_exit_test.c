/*
 * tests/thread_exit_test.c -- threads that end, and what they leave behind.
 *
 * A thread that ends while still attached (it returns, or calls
 * pthread_exit, without rc_thread_detach) is detached by the runtime as it
 * ends, with a warning on stderr (issue 11, item 5a): before, the next GIL
 * hand-off or collection waited for it for ever and rc_runtime_stop failed
 * for good. And threads that come and go, one after another or several at
 * once, leave no per-thread record behind past the most attached at once
 * (issue 11, item 4; tests/thread_records_test.c does it on one thread).
 *
 * Each test starts and stops the runtime itself: a clean stop is part of
 * what it checks. Threads meet only through pthread_create / pthread_join.
 */
#include "tests/support.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

_Static_assert(RC_THREAD_SAFE, "threaded tests are built only for thread-safe strategies");

enum { END_RETURN, END_PTHREAD_EXIT, END_IN_RELEASE_REGION };

typedef struct ender {
    rc_object *shared; /* borrowed: a list the main thread keeps */
    int how;           /* END_* */
    int failures;
} ender;

/* Attaches, leaves an object it made in the shared list, and ends without
 * detaching. */
static void *end_attached(void *arg) {
    ender *e = arg;
    if (rc_thread_attach() != RC_OK) {
        e->failures++;
        return NULL;
    }
    if (rc_list_append_steal(e->shared, rct_big_int(e->how)) != RC_OK)
        e->failures++;
    switch (e->how) {
    case END_PTHREAD_EXIT:
        pthread_exit(NULL);
    case END_IN_RELEASE_REGION:
        rc_allow_threads_begin(); /* and never the end */
        return NULL;
    default:
        return NULL;
    }
}

/* Runs one thread that ends attached, as `how` says, and waits for it. */
static void run_ender(rc_object *shared, int how) {
    ender e = {.shared = shared, .how = how};
    pthread_t thread;
    int created;
    RC_BEGIN_ALLOW_THREADS
    created = pthread_create(&thread, NULL, end_attached, &e);
    if (created == 0)
        pthread_join(thread, NULL);
    RC_END_ALLOW_THREADS /* under //:gil this waited for ever for the GIL */
    assert_int_equal(created, 0);
    assert_int_equal(e.failures, 0);
}

static void test_threads_ending_attached_are_detached(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    rc_object *shared = rc_list_new();
    assert_non_null(shared);
    const int hows[] = {END_RETURN, END_PTHREAD_EXIT, END_IN_RELEASE_REGION};
    for (int i = 0; i < 3; i++) {
        run_ender(shared, hows[i]);
        /* The collection stops the world: it waited for the ended thread. */
        assert_true(rc_gc_collect() >= 0);
        assert_int_equal(rc_list_size(shared), i + 1);
        rc_object *o = rc_list_get(shared, i); /* what it made is intact */
        assert_int_equal(rct_int(o), 1000000 + hows[i]);
        rc_decref(o);
    }
    rc_decref(shared); /* frees objects whose makers are gone */
    assert_int_equal(rc_live_objects(), 0);
    assert_status(rc_runtime_stop(), RC_OK); /* no thread is left attached */
}

/* The same, in a child process, to read what it says on stderr. */
static void end_attached_and_stop(void) {
    if (rc_runtime_start() != RC_OK)
        return;
    rc_object *shared = rc_list_new();
    run_ender(shared, END_RETURN);
    rc_decref(shared);
    fprintf(stderr, "stop: %d\n", (int)rc_runtime_stop());
}

static void test_thread_ending_attached_is_reported(void **state) {
    (void)state;
    char out[4096];
    int status = rct_run_in_child(end_attached_and_stop, out, sizeof out);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    if (!strstr(out, "refcore: warning: a thread ended while attached"))
        fail_msg("expected the warning in:\n%s", out);
    assert_non_null(strstr(out, "stop: 0\n")); /* RC_OK */
}

/* ---- short-lived threads --------------------------------------------------- */

#define SHORT_LIVED_ROUNDS 500
#define AT_ONCE 4

typedef struct visitor {
    rc_object *shared; /* borrowed */
    int failures;
} visitor;

/* Attaches, counts a shared object, makes one and gives it to the list,
 * detaches: what a thread per request does. */
static void *visit(void *arg) {
    visitor *v = arg;
    if (rc_thread_attach() != RC_OK) {
        v->failures++;
        return NULL;
    }
    rc_object *mine = rct_big_int(7);
    if (rc_list_append(v->shared, mine) != RC_OK)
        v->failures++;
    rc_decref(mine);
    rc_object *first = rc_list_get(v->shared, 0);
    if (!first)
        v->failures++;
    rc_xdecref(first);
    if (rc_thread_detach() != RC_OK)
        v->failures++;
    return NULL;
}

static uint64_t thread_records(void) {
    rc_runtime_stats stats;
    rc_runtime_get_stats(&stats);
    return stats.thread_records;
}

static void test_short_lived_threads_hold_no_more_records(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    uint64_t before = thread_records();
    rc_object *shared = rc_list_new();
    assert_non_null(shared);
    visitor v[AT_ONCE];
    for (int round = 0; round < SHORT_LIVED_ROUNDS; round++) {
        pthread_t threads[AT_ONCE];
        int created = 0;
        RC_BEGIN_ALLOW_THREADS
        for (int t = 0; t < AT_ONCE; t++) {
            v[t] = (visitor){.shared = shared};
            if (pthread_create(&threads[t], NULL, visit, &v[t]) == 0)
                created++;
            else
                break;
        }
        for (int t = 0; t < created; t++)
            pthread_join(threads[t], NULL);
        RC_END_ALLOW_THREADS
        assert_int_equal(created, AT_ONCE);
        for (int t = 0; t < AT_ONCE; t++)
            assert_int_equal(v[t].failures, 0);
    }
    /* At most AT_ONCE of them were attached beside the main thread. */
    assert_true(thread_records() <= before + AT_ONCE);
    assert_int_equal(rc_list_size(shared), SHORT_LIVED_ROUNDS * AT_ONCE);
    rc_decref(shared);
    assert_int_equal(rc_live_objects(), 0);
    rc_hot_object hot[4];
    assert_true(rc_runtime_hot_objects(hot, 4) >= 0);
    assert_status(rc_runtime_stop(), RC_OK);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_ending_attached_are_detached),
        cmocka_unit_test(test_thread_ending_attached_is_reported),
        cmocka_unit_test(test_short_lived_threads_hold_no_more_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
