/*
 * tests/thread_records_test.c -- what a thread leaves behind when it
 * detaches (issue 11, item 4). A host that attaches per call, or a server
 * with a thread per request, attaches millions of times: the runtime must
 * hold memory for the threads attached at once, not for every attachment
 * ever made. The strategy reports the per-thread records it holds
 * (rc_runtime_stats.thread_records); under //:nogil that is one record per
 * thread attached at once, taken again after a detach, and the other
 * strategies keep no records at all. Runs on every variant: one thread
 * attaches and detaches in turn.
 */
#include "tests/support.h"

#include <string.h>

/* The sanitizers make an attach/detach pair about ten times slower; the
 * count stays far above any number of records a leak could hide in. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ATTACH_PAIRS 100000
#else
#define ATTACH_PAIRS 1000000
#endif
#define START_STOP_CYCLES 10000

static uint64_t thread_records(void) {
    rc_runtime_stats stats;
    rc_runtime_get_stats(&stats);
    return stats.thread_records;
}

/* The main thread detaches and attaches again ATTACH_PAIRS times, making an
 * object each time (so each attachment owns something), and keeps every
 * 1000th object alive past its maker's detach. */
static void test_attach_detach_pairs_hold_no_more_records(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    uint64_t before = thread_records();
    assert_true(before <= 1); /* the main thread's, where there are records */
    rc_object *kept = rc_list_new();
    assert_non_null(kept);
    for (int i = 0; i < ATTACH_PAIRS; i++) {
        assert_status(rc_thread_detach(), RC_OK);
        assert_status(rc_thread_attach(), RC_OK);
        rc_object *o = rct_big_int(i);
        if (i % 1000 == 0)
            assert_int_equal(rc_list_append(kept, o), RC_OK);
        rc_decref(o);
    }
    assert_int_equal(thread_records(), before);
    /* The objects made by earlier attachments are counted right by the
     * current one (which took their makers' record, under a new id). */
    int64_t n = rc_list_size(kept);
    assert_int_equal(n, ATTACH_PAIRS / 1000);
    for (int64_t i = 0; i < n; i++) {
        rc_object *o = rc_list_get(kept, i);
        assert_int_equal(rc_refcount(o), 2);
        assert_int_equal(rct_int(o), 1000000 + i * 1000); /* rct_big_int(i * 1000) */
        rc_decref(o);
        assert_int_equal(rc_refcount(o), 1);
    }
    rc_decref(kept);
    assert_int_equal(rc_live_objects(), 0);
    /* The reports still work, and stay within one run's counters. */
    rc_hot_object hot[4];
    assert_true(rc_runtime_hot_objects(hot, 4) >= 0);
    assert_status(rc_runtime_stop(), RC_OK);
}

/* Each start attaches the calling thread, each stop detaches it. */
static void test_start_stop_cycles_hold_no_more_records(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    uint64_t before = thread_records();
    for (int i = 0; i < START_STOP_CYCLES; i++) {
        rc_object *o = rct_big_int(i);
        rc_decref(o);
        assert_status(rc_runtime_stop(), RC_OK);
        assert_status(rc_runtime_start(), RC_OK);
    }
    assert_int_equal(thread_records(), before);
    assert_status(rc_runtime_stop(), RC_OK);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attach_detach_pairs_hold_no_more_records),
        cmocka_unit_test(test_start_stop_cycles_hold_no_more_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
