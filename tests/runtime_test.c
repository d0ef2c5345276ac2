/*
 * tests/runtime_test.c -- starting and stopping the runtime, attaching
 * threads, the error slot, and the misuse each of these must report.
 *
 * Each test starts and stops the runtime itself (no group setup), since
 * that is what is under test.
 */
#include "tests/support.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

static void test_start_stop_restart(void **state) {
    (void)state;
    for (int round = 0; round < 3; round++) {
        assert_status(rc_runtime_start(), RC_OK);
        assert_true(rc_thread_is_attached());
        rc_object *s = rc_str_intern_cstr("survives only while started");
        assert_non_null(s);
        rc_object *i = rct_big_int(round);
        rc_decref(i);
        assert_int_equal(rc_live_objects(), 0);
        assert_status(rc_runtime_stop(), RC_OK);
        assert_false(rc_thread_is_attached());
    }
}

static void test_misuse_of_start_stop_attach(void **state) {
    (void)state;
    assert_status(rc_runtime_stop(), RC_ESTATE); /* not started */
    assert_status(rc_thread_attach(), RC_ESTATE); /* not started */
    assert_status(rc_thread_detach(), RC_ESTATE); /* not attached */
    assert_status(rc_runtime_start(), RC_OK);
    assert_status(rc_runtime_start(), RC_ESTATE); /* already started */
    assert_status(rc_thread_attach(), RC_ESTATE); /* already attached */
    assert_status(rc_runtime_stop(), RC_OK);
}

/* Starts from several threads at once: exactly one wins and is attached;
 * every other is told RC_ESTATE, whatever the interleaving. */
#define STARTERS 4

typedef struct starter {
    pthread_barrier_t *go;   /* all start together */
    pthread_barrier_t *done; /* every start has returned */
    rc_status started, stopped;
} starter;

static void *starter_main(void *arg) {
    starter *s = arg;
    pthread_barrier_wait(s->go);
    s->started = rc_runtime_start();
    pthread_barrier_wait(s->done);
    s->stopped = s->started == RC_OK ? rc_runtime_stop() : RC_ESTATE;
    return NULL;
}

static void test_concurrent_starts(void **state) {
    (void)state;
    for (int round = 0; round < 20; round++) {
        pthread_barrier_t go, done;
        pthread_barrier_init(&go, NULL, STARTERS);
        pthread_barrier_init(&done, NULL, STARTERS);
        starter s[STARTERS];
        pthread_t threads[STARTERS];
        for (int i = 0; i < STARTERS; i++) {
            s[i] = (starter){.go = &go, .done = &done};
            assert_int_equal(pthread_create(&threads[i], NULL, starter_main, &s[i]), 0);
        }
        int winners = 0;
        for (int i = 0; i < STARTERS; i++) {
            pthread_join(threads[i], NULL);
            if (s[i].started == RC_OK) {
                winners++;
                assert_int_equal(s[i].stopped, RC_OK);
            } else {
                assert_int_equal(s[i].started, RC_ESTATE);
            }
        }
        assert_int_equal(winners, 1);
        pthread_barrier_destroy(&go);
        pthread_barrier_destroy(&done);
    }
    /* And the runtime starts again afterwards. */
    assert_status(rc_runtime_start(), RC_OK);
    assert_status(rc_runtime_stop(), RC_OK);
}

/* A thread that never attached gets RC_ESTATE, not a crash. */
static void *unattached_worker(void *arg) {
    rc_status *result = arg;
    rc_error_clear();
    rc_object *o = rc_int_from_i64(123456);
    rc_object *l = rc_list_new();
    result[0] = o == NULL && l == NULL ? rc_error_code() : RC_OK;
    result[1] = rc_thread_detach();
    return NULL;
}

static void test_unattached_thread_gets_an_error(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    rc_status result[2] = {RC_OK, RC_OK};
    pthread_t thread;
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&thread, NULL, unattached_worker, result);
    pthread_join(thread, NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(result[0], RC_ESTATE);
    assert_int_equal(result[1], RC_ESTATE);
    assert_status(rc_runtime_stop(), RC_OK);
}

static void test_error_slot(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    rc_error_clear();
    assert_int_equal(rc_error_code(), RC_OK);
    assert_string_equal(rc_error_message(), "");
    rc_object *l = rc_list_new();
    assert_null(rc_list_get(l, 3));
    assert_int_equal(rc_error_code(), RC_EINDEX);
    assert_true(strlen(rc_error_message()) > 0);
    /* A later success leaves the slot alone. */
    assert_int_equal(rc_list_size(l), 0);
    assert_int_equal(rc_error_code(), RC_EINDEX);
    rc_error_clear();
    assert_int_equal(rc_error_code(), RC_OK);
    rc_decref(l);
    assert_string_equal(rc_status_name(RC_ENOMEM), "RC_ENOMEM");
    assert_string_equal(rc_status_name(RC_ELEAK), "RC_ELEAK");
    assert_string_equal(rc_status_name(RC_ERECURSION), "RC_ERECURSION");
    assert_status(rc_runtime_stop(), RC_OK);
}

static void test_switch_interval_setting(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    assert_status(rc_set_switch_interval(0.001), RC_OK);
    assert_true(rc_switch_interval() > 0.00099 && rc_switch_interval() < 0.00101);
    assert_status(rc_set_switch_interval(1e-12), RC_OK); /* below 1 ns: 1 ns */
    assert_true(rc_switch_interval() > 0 && rc_switch_interval() < 1e-6);
    assert_status(rc_set_switch_interval(0.005), RC_OK);
    rc_runtime_stats stats;
    rc_runtime_get_stats(&stats);
    assert_true(stats.forced_drops <= stats.switches + 1);
    assert_status(rc_runtime_stop(), RC_OK);
}

/* The hot-object report: its argument checks, and the reset at start. */
static void *count_from_another_thread(void *arg) {
    rc_object *o = arg;
    assert_int_equal(rc_thread_attach(), RC_OK);
    for (int i = 0; i < 10000; i++) {
        rc_incref(o);
        rc_decref(o);
    }
    rc_thread_detach();
    return NULL;
}

static void test_hot_objects_report(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    rc_hot_object top[4];
    assert_int_equal(rc_runtime_hot_objects(NULL, 0), 0);
    assert_int_equal(rc_runtime_hot_objects(top, 0), 0);
    assert_status(rc_runtime_hot_objects(NULL, 4), RC_EVALUE);
    assert_status(rc_runtime_hot_objects(top, -1), RC_EVALUE);
    assert_status(rc_runtime_hot_objects(NULL, -1), RC_EVALUE);
    /* One thread alone owns everything it counts: nothing is sampled. */
    rc_object *o = rct_big_int(7);
    for (int i = 0; i < 10000; i++) {
        rc_incref(o);
        rc_decref(o);
    }
    assert_int_equal(rc_runtime_hot_objects(top, 4), 0);
    /* Counted from another thread (one at a time, so this holds under
     * nolock too): reported where counts have owners. */
    pthread_t thread;
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&thread, NULL, count_from_another_thread, o);
    pthread_join(thread, NULL);
    RC_END_ALLOW_THREADS
    int n = rc_runtime_hot_objects(top, 4);
    assert_true(n >= 0 && n <= 4);
    rc_runtime_stats stats;
    rc_runtime_get_stats(&stats);
    if (stats.shared_ops > 0) {
        assert_int_equal(n, 1);
        assert_ptr_equal(top[0].object, o);
        assert_string_equal(top[0].type_name, "int");
        assert_true(top[0].samples > 0 && top[0].samples <= stats.shared_ops);
    } else {
        assert_int_equal(n, 0);
    }
    rc_decref(o);
    assert_status(rc_runtime_stop(), RC_OK);
    /* A new start forgets the last run's samples. */
    assert_status(rc_runtime_start(), RC_OK);
    assert_int_equal(rc_runtime_hot_objects(top, 4), 0);
    assert_status(rc_runtime_stop(), RC_OK);
}

/* Stopping with live objects reports each type and returns RC_ELEAK. It
 * runs in a child process, because the leaked memory is leaked for real. */
static void leak_and_stop(void) {
    rc_runtime_start();
    rc_object *l = rc_list_new();
    rc_list_append_steal(l, rc_int_from_i64(1000));
    rc_status st = rc_runtime_stop();
    fprintf(stderr, "stop returned %s (%s)\n", rc_status_name(st), rc_error_message());
}

static void test_leak_report_at_stop(void **state) {
    (void)state;
    char out[4096];
    int status = rct_run_in_child(leak_and_stop, out, sizeof out);
    assert_true(WIFEXITED(status));
    assert_non_null(strstr(out, "leak: 1 list object(s)"));
    assert_non_null(strstr(out, "leak: 1 int object(s)"));
    assert_non_null(strstr(out, "stop returned RC_ELEAK"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_stop_restart),
        cmocka_unit_test(test_misuse_of_start_stop_attach),
        cmocka_unit_test(test_concurrent_starts),
        cmocka_unit_test(test_unattached_thread_gets_an_error),
        cmocka_unit_test(test_error_slot),
        cmocka_unit_test(test_switch_interval_setting),
        cmocka_unit_test(test_hot_objects_report),
        cmocka_unit_test(test_leak_report_at_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
