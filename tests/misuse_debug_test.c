/*
 * tests/misuse_debug_test.c -- the debug config's part of catching calls
 * from a thread that may not touch objects (issue 11, item 5), linked
 * against the variant's debug library (//:<variant>_debug).
 *
 * Container calls refuse with RC_ESTATE in every build, so under the debug
 * checks they must still return the status at the offending call, not
 * abort later at an incref inside refcore. A critical section has no
 * status to return: begun inside the release region, it must abort with a
 * message naming this file's line (under //:gil it would otherwise run
 * without the global lock, silently).
 */
#include "tests/support.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

_Static_assert(RC_DEBUG >= 1, "this test links the debug-checks runtime");

static void expect_abort(void (*misuse)(void), const char *message, const char *site) {
    char out[4096];
    int status = rct_run_in_child(misuse, out, sizeof out);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
        fail_msg("expected an abort for '%s'; child status %d, stderr:\n%s", message, status,
                 out);
    if (!strstr(out, message))
        fail_msg("expected '%s' in:\n%s", message, out);
    if (!strstr(out, site))
        fail_msg("expected the call site '%s' in:\n%s", site, out);
}

static void section_in_release_region(void) {
    rc_runtime_start();
    rc_object *l = rc_list_new();
    RC_BEGIN_ALLOW_THREADS
    RC_CRITICAL_BEGIN(l)
    RC_CRITICAL_END(l)
    RC_END_ALLOW_THREADS
}

static void test_section_in_release_region_aborts(void **state) {
    (void)state;
    expect_abort(section_in_release_region, "critical section begun inside the release region",
                 "misuse_debug_test.c:");
}

static void *section_unattached(void *p) {
    rc_object *l = p;
    RC_CRITICAL_BEGIN(l)
    RC_CRITICAL_END(l)
    return NULL;
}

static void section_from_unattached_thread(void) {
    rc_runtime_start();
    rc_object *l = rc_list_new();
    pthread_t th;
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&th, NULL, section_unattached, l);
    pthread_join(th, NULL);
    RC_END_ALLOW_THREADS
}

static void test_section_from_unattached_thread_aborts(void **state) {
    (void)state;
    expect_abort(section_from_unattached_thread,
                 "critical section begun on a thread that is not attached",
                 "misuse_debug_test.c:");
}

/* The status, not an abort inside refcore, under the debug checks too. */
static void test_container_calls_still_refused_with_status(void **state) {
    (void)state;
    rc_object *l = rc_list_new();
    rc_object *x = rct_big_int(1);
    rc_status st;
    RC_BEGIN_ALLOW_THREADS
    st = rc_list_append(l, x);
    RC_END_ALLOW_THREADS
    assert_int_equal(st, RC_ESTATE);
    assert_int_equal(rc_list_size(l), 0);
    assert_int_equal(rc_refcount(x), 1);
    rc_decref(l);
    rc_decref(x);
}

int main(void) {
    /* Misuse, each in a child process: no runtime in this process. */
    const struct CMUnitTest misuse[] = {
        cmocka_unit_test(test_section_in_release_region_aborts),
        cmocka_unit_test(test_section_from_unattached_thread_aborts),
    };
    const struct CMUnitTest correct[] = {
        cmocka_unit_test(test_container_calls_still_refused_with_status),
    };
    int failed = cmocka_run_group_tests(misuse, NULL, NULL);
    return failed + RCT_RUN_GROUP(correct);
}
