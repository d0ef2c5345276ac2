/*
 * tests/debug_checks_test.c -- the runtime's debug checks (RC_DEBUG), linked
 * against the variant's debug library (//:<variant>_debug).
 *
 * Each misuse runs in a child process, which must abort with a message
 * naming the problem, the object and the call site (this file).
 */
#include "tests/support.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

_Static_assert(RC_DEBUG >= 1, "this test links the debug-checks runtime");

static void expect_abort(void (*misuse)(void), const char *message) {
    char out[4096];
    int status = rct_run_in_child(misuse, out, sizeof out);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
        fail_msg("expected an abort for '%s'; child status %d, stderr:\n%s", message, status,
                 out);
    if (!strstr(out, message))
        fail_msg("expected '%s' in:\n%s", message, out);
    assert_non_null(strstr(out, "debug_checks_test.c:"));
    assert_non_null(strstr(out, "refcore: fatal:"));
}

static void decref_freed_object(void) {
    rc_runtime_start();
    rc_object *o = rc_int_from_i64(5000);
    rc_decref(o);
    rc_decref(o); /* o is freed: must be caught, not corrupt memory */
}

static void test_decref_of_freed_object(void **state) {
    (void)state;
    expect_abort(decref_freed_object, "decref of a freed object");
}

static void incref_freed_object(void) {
    rc_runtime_start();
    rc_object *l = rc_list_new();
    rc_decref(l);
    rc_incref(l);
}

static void test_incref_of_freed_object(void **state) {
    (void)state;
    expect_abort(incref_freed_object, "incref of a freed object");
}

/* A dealloc slot that drops a reference it does not own: the count is
 * already zero there. */
static void bad_dealloc(rc_object *self) {
    rc_decref(self);
}
static rc_type bad_type = {.name = "bad", .basicsize = sizeof(rc_object),
                           .dealloc = bad_dealloc};

static void decref_below_zero(void) {
    rc_runtime_start();
    rc_decref(rc_object_new(&bad_type));
}

static void test_count_below_zero(void **state) {
    (void)state;
    expect_abort(decref_below_zero, "below zero");
}

static void *count_without_attaching(void *arg) {
    rc_incref((rc_object *)arg);
    return NULL;
}

static void unattached_incref(void) {
    rc_runtime_start();
    rc_object *o = rc_int_from_i64(7000);
    pthread_t thread;
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&thread, NULL, count_without_attaching, o);
    pthread_join(thread, NULL);
    RC_END_ALLOW_THREADS
}

static void test_unattached_thread(void **state) {
    (void)state;
    expect_abort(unattached_incref, "not attached");
}

static void touch_in_release_region(void) {
    rc_runtime_start();
    rc_object *o = rc_int_from_i64(7000);
    RC_BEGIN_ALLOW_THREADS
    rc_incref(o);
    RC_END_ALLOW_THREADS
}

static void test_release_region_use(void **state) {
    (void)state;
    expect_abort(touch_in_release_region, "not attached");
}

/* Correct use passes the checks and frees everything. */
static void test_correct_use_passes(void **state) {
    (void)state;
    rc_object *l = rc_list_new();
    for (int i = 0; i < 10000; i++)
        assert_int_equal(rc_list_append_steal(l, rct_big_int(i)), RC_OK);
    rc_object *item = rc_list_get(l, 5);
    rc_decref(item);
    rc_decref(l);
    assert_int_equal(rc_live_objects(), 0);
}

int main(void) {
    /* Misuse, each in a child process: no runtime in this process. */
    const struct CMUnitTest misuse[] = {
        cmocka_unit_test(test_decref_of_freed_object),
        cmocka_unit_test(test_incref_of_freed_object),
        cmocka_unit_test(test_count_below_zero),
        cmocka_unit_test(test_unattached_thread),
        cmocka_unit_test(test_release_region_use),
    };
    const struct CMUnitTest correct[] = {
        cmocka_unit_test(test_correct_use_passes),
    };
    int failed = cmocka_run_group_tests(misuse, NULL, NULL);
    return failed + RCT_RUN_GROUP(correct);
}
