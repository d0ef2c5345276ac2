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
 * without the global lock, silently). And a borrowed item kept past its
 * quiescent point is caught once its container drops it
 * (refcount/debug.c, borrowed items).
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

/* A borrow kept past the quiescent point that ended it, of an item its
 * container then replaced: once the container's drop frees the item (at
 * the next quiescent point, or at once where nothing waits), the kept
 * borrow's next count operation must abort and name borrowing, under
 * every strategy. */
static void kept_list_borrow(void) {
    rc_runtime_start();
    rc_object *l = rc_list_new();
    rc_object *x = rct_big_int(1);
    rc_list_append(l, x);
    rc_decref(x);
    rc_object *kept = rc_list_get_borrowed(l, 0);
    rc_checkpoint(); /* the borrow ends here */
    rc_object *y = rct_big_int(2);
    rc_list_set(l, 0, y);
    rc_decref(y);
    rc_checkpoint(); /* no window holds x now: the list's drop frees it */
    rc_incref(kept);
}

static void test_list_borrow_kept_too_long_aborts(void **state) {
    (void)state;
    expect_abort(kept_list_borrow, "a container dropped after lending it", "misuse_debug_test.c:");
}

static void kept_dict_borrow(void) {
    rc_runtime_start();
    rc_object *d = rc_dict_new();
    rc_object *key = rc_str_from_cstr("k");
    rc_object *x = rct_big_int(1);
    rc_dict_set(d, key, x);
    rc_decref(x);
    rc_object *kept = NULL;
    rc_dict_get_borrowed(d, key, &kept);
    RC_BEGIN_ALLOW_THREADS /* a quiescent point too */
    RC_END_ALLOW_THREADS
    rc_object *y = rct_big_int(2);
    rc_dict_set(d, key, y);
    rc_decref(y);
    rc_release_borrows(); /* the dict's drop frees x */
    rc_decref(kept);
}

static void test_dict_borrow_kept_too_long_aborts(void **state) {
    (void)state;
    expect_abort(kept_dict_borrow, "a container dropped after lending it", "misuse_debug_test.c:");
}

/* The same with two threads: the item is the main thread's, so under
 * //:nogil the worker's drop hands its free to the main thread (at its
 * next checkpoint), outside the drop; the message must still name
 * borrowing. */
static rc_object *shared_list;
static pthread_barrier_t dropped, freed;

static void wait_at(pthread_barrier_t *b) {
    RC_BEGIN_ALLOW_THREADS
    pthread_barrier_wait(b);
    RC_END_ALLOW_THREADS
}

static void *borrowing_worker(void *p) {
    (void)p;
    rc_thread_attach();
    rc_object *kept = rc_list_get_borrowed(shared_list, 0);
    rc_checkpoint(); /* the borrow ends here */
    rc_object *y = rct_big_int(2);
    rc_list_set(shared_list, 0, y);
    rc_decref(y);
    rc_release_borrows(); /* no window holds x: the list drops it */
    wait_at(&dropped);
    wait_at(&freed); /* the main thread has passed a checkpoint */
    rc_incref(kept);
    return NULL;
}

static void kept_borrow_of_another_threads_item(void) {
    rc_runtime_start();
    shared_list = rc_list_new();
    rc_object *x = rct_big_int(1);
    rc_list_append(shared_list, x);
    rc_decref(x);
    pthread_barrier_init(&dropped, NULL, 2);
    pthread_barrier_init(&freed, NULL, 2);
    pthread_t th;
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&th, NULL, borrowing_worker, NULL);
    RC_END_ALLOW_THREADS
    wait_at(&dropped);
    rc_checkpoint(); /* under //:nogil: merges what the worker handed over */
    wait_at(&freed);
    RC_BEGIN_ALLOW_THREADS
    pthread_join(th, NULL);
    RC_END_ALLOW_THREADS
}

static void test_kept_borrow_of_another_threads_item_aborts(void **state) {
    (void)state;
    expect_abort(kept_borrow_of_another_threads_item, "a container dropped after lending it",
                 "misuse_debug_test.c:");
}

/* The right way, under the same checks: a reference taken before the
 * quiescent point keeps the item past its removal. */
static void test_borrow_made_a_reference_in_time_survives(void **state) {
    (void)state;
    int64_t live = rc_live_objects();
    rc_object *l = rc_list_new();
    rc_object *x = rct_big_int(1);
    assert_status(rc_list_append(l, x), RC_OK);
    rc_decref(x);
    rc_object *kept = rc_list_get_borrowed(l, 0);
    rc_incref(kept); /* before the quiescent point: ours now */
    rc_checkpoint();
    rc_object *y = rct_big_int(2);
    assert_status(rc_list_set(l, 0, y), RC_OK);
    rc_decref(y);
    rc_release_borrows();
    assert_int_equal(rc_refcount(kept), 1);
    assert_true(kept->type == &rc_int_type);
    rc_decref(kept);
    rc_decref(l);
    rc_release_borrows();
    assert_int_equal(rc_live_objects(), live);
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
        cmocka_unit_test(test_list_borrow_kept_too_long_aborts),
        cmocka_unit_test(test_dict_borrow_kept_too_long_aborts),
        cmocka_unit_test(test_kept_borrow_of_another_threads_item_aborts),
    };
    const struct CMUnitTest correct[] = {
        cmocka_unit_test(test_container_calls_still_refused_with_status),
        cmocka_unit_test(test_borrow_made_a_reference_in_time_survives),
    };
    int failed = cmocka_run_group_tests(misuse, NULL, NULL);
    return failed + RCT_RUN_GROUP(correct);
}
