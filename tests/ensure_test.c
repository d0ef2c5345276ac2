/*
 * tests/ensure_test.c -- rc_thread_ensure / rc_thread_restore (issue 15):
 * a callback enters the runtime from whatever state its thread is in and
 * goes back to it.
 *
 * The cases: a thread already attached (nothing changes), a thread in the
 * release region (it leaves the region and goes back), a thread that was
 * never attached (attached, then detached), pairs nested across all three,
 * and the misuse that is cheap to catch (a restore without an ensure, twice,
 * out of order, from another thread, inside the release region; an ensure
 * before the runtime starts).
 *
 * Built for every variant, //:nolock included: at most one thread touches
 * objects at any moment. The other thread runs while the main thread waits
 * in the release region for pthread_join, so nothing depends on timing.
 * tests/ensure_threads_test.c runs callbacks on many threads at once.
 */
#include "tests/support.h"

#include <pthread.h>
#include <string.h>

/* The calling thread may touch objects: it can make one. */
static bool can_touch_objects(void) {
    rc_object *o = rc_list_new();
    if (!o)
        return false;
    rc_decref(o);
    return true;
}

/* ---- from an attached thread ------------------------------------------------ */

static void test_attached_thread_is_left_attached(void **state) {
    (void)state;
    rc_ensured g;
    assert_status(rc_thread_ensure(&g), RC_OK);
    assert_true(rc_thread_is_attached());
    assert_true(can_touch_objects());
    assert_status(rc_thread_restore(&g), RC_OK);
    assert_true(rc_thread_is_attached()); /* not detached: it was attached */
    assert_true(can_touch_objects());
}

/* ---- from the release region ------------------------------------------------ */

static void test_release_region_is_left_and_reentered(void **state) {
    (void)state;
    rc_object *list = rc_list_new();
    assert_non_null(list);
    rc_status st_ensure, st_append, st_restore;
    bool attached_inside, attached_after;
    RC_BEGIN_ALLOW_THREADS
    rc_ensured g;
    st_ensure = rc_thread_ensure(&g);
    attached_inside = rc_thread_is_attached();
    st_append = rc_list_append_steal(list, rc_int_from_i64(5));
    st_restore = rc_thread_restore(&g);
    attached_after = rc_thread_is_attached();
    RC_END_ALLOW_THREADS
    assert_int_equal(st_ensure, RC_OK);
    assert_true(attached_inside);
    assert_int_equal(st_append, RC_OK);
    assert_int_equal(st_restore, RC_OK);
    assert_false(attached_after); /* back in the region, as before */
    assert_int_equal(rc_list_size(list), 1);
    rc_decref(list);
}

/* ---- nesting ------------------------------------------------------------------ */

/* Release region -> ensure -> ensure -> release region -> ensure, then each
 * restore in turn goes back one step. */
static void test_pairs_nest(void **state) {
    (void)state;
    rc_ensured a, b, c;
    bool at[5];
    rc_status st[6];
    RC_BEGIN_ALLOW_THREADS
    st[0] = rc_thread_ensure(&a); /* leaves the region */
    st[1] = rc_thread_ensure(&b); /* nothing to do */
    at[0] = rc_thread_is_attached();
    RC_BEGIN_ALLOW_THREADS
    st[2] = rc_thread_ensure(&c); /* leaves the inner region */
    at[1] = can_touch_objects();
    st[3] = rc_thread_restore(&c);
    at[2] = rc_thread_is_attached(); /* back in the inner region */
    RC_END_ALLOW_THREADS
    st[4] = rc_thread_restore(&b);
    at[3] = rc_thread_is_attached(); /* b changed nothing */
    st[5] = rc_thread_restore(&a);
    at[4] = rc_thread_is_attached(); /* back in the outer region */
    RC_END_ALLOW_THREADS
    for (int i = 0; i < 6; i++)
        assert_int_equal(st[i], RC_OK);
    assert_true(at[0]);
    assert_true(at[1]);
    assert_false(at[2]);
    assert_true(at[3]);
    assert_false(at[4]);
}

/* ---- from a thread the host never attached ------------------------------------ */

typedef struct foreign {
    rc_object *list; /* borrowed: the main thread keeps it */
    rc_status st[4];
    bool attached_before, attached_inside, attached_after, could_touch_after;
} foreign;

/* A library's callback on a thread of its own: ensure, nested once. */
static void *foreign_callback(void *arg) {
    foreign *f = arg;
    f->attached_before = rc_thread_is_attached();
    rc_ensured outer, inner;
    f->st[0] = rc_thread_ensure(&outer);
    f->attached_inside = rc_thread_is_attached();
    f->st[1] = rc_thread_ensure(&inner);
    if (f->st[0] == RC_OK && f->st[1] == RC_OK)
        rc_list_append_steal(f->list, rct_big_int(1));
    f->st[2] = rc_thread_restore(&inner);
    if (f->st[0] == RC_OK)
        rc_list_append_steal(f->list, rct_big_int(2)); /* still attached */
    f->st[3] = rc_thread_restore(&outer);
    f->attached_after = rc_thread_is_attached();
    rc_error_clear();
    f->could_touch_after = rc_list_new() != NULL; /* refused: detached */
    return NULL;
}

/* Runs fn(arg) on a new thread while this one waits in the release region. */
static void run_on_thread(void *(*fn)(void *), void *arg) {
    pthread_t thread;
    int created;
    RC_BEGIN_ALLOW_THREADS
    created = pthread_create(&thread, NULL, fn, arg);
    if (created == 0)
        pthread_join(thread, NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(created, 0);
}

static void test_foreign_thread_is_attached_then_detached(void **state) {
    (void)state;
    foreign f = {.list = rc_list_new()};
    assert_non_null(f.list);
    uint64_t records_before = 0;
    for (int round = 0; round < 3; round++) {
        run_on_thread(foreign_callback, &f);
        assert_false(f.attached_before);
        assert_true(f.attached_inside);
        for (int i = 0; i < 4; i++)
            assert_int_equal(f.st[i], RC_OK);
        assert_false(f.attached_after);
        assert_false(f.could_touch_after);
        assert_int_equal(rc_list_size(f.list), 2 * (round + 1));
        /* Detached for real: the strategy holds no record of it after the
         * first round's (a per-thread record may be kept for reuse). */
        rc_runtime_stats stats;
        rc_runtime_get_stats(&stats);
        if (round == 0)
            records_before = stats.thread_records;
        assert_true(stats.thread_records <= records_before);
    }
    rc_object *first = rc_list_get(f.list, 0);
    assert_int_equal(rct_int(first), 1000001);
    rc_decref(first);
    rc_decref(f.list);
}

/* ---- misuse --------------------------------------------------------------------- */

static void test_restore_without_ensure_is_refused(void **state) {
    (void)state;
    rc_ensured never = {0};
    assert_status(rc_thread_restore(&never), RC_ESTATE);
    assert_non_null(strstr(rc_error_message(), "rc_thread_ensure"));
    rc_ensured garbage;
    memset(&garbage, 0x5a, sizeof garbage);
    assert_status(rc_thread_restore(&garbage), RC_ESTATE);
    assert_status(rc_thread_restore(NULL), RC_EVALUE);
    assert_status(rc_thread_ensure(NULL), RC_EVALUE);
    assert_true(can_touch_objects()); /* nothing changed */
}

static void test_restore_twice_is_refused(void **state) {
    (void)state;
    rc_ensured g;
    assert_status(rc_thread_ensure(&g), RC_OK);
    rc_ensured copy = g;
    assert_status(rc_thread_restore(&g), RC_OK);
    assert_status(rc_thread_restore(&g), RC_ESTATE);    /* cleared by the first */
    assert_status(rc_thread_restore(&copy), RC_ESTATE); /* a copy of it */
    assert_non_null(strstr(rc_error_message(), "already restored"));
    assert_true(rc_thread_is_attached());
}

static void test_restore_out_of_order_is_refused(void **state) {
    (void)state;
    rc_ensured outer, inner;
    assert_status(rc_thread_ensure(&outer), RC_OK);
    assert_status(rc_thread_ensure(&inner), RC_OK);
    assert_status(rc_thread_restore(&outer), RC_ESTATE);
    assert_non_null(strstr(rc_error_message(), "out of order"));
    /* Refused with nothing changed: the right order still works. */
    assert_status(rc_thread_restore(&inner), RC_OK);
    assert_status(rc_thread_restore(&outer), RC_OK);
    assert_true(rc_thread_is_attached());
}

static void test_restore_in_release_region_is_refused(void **state) {
    (void)state;
    rc_ensured g;
    assert_status(rc_thread_ensure(&g), RC_OK);
    rc_status inside;
    RC_BEGIN_ALLOW_THREADS
    rc_error_clear();
    inside = rc_thread_restore(&g); /* it must be able to touch objects */
    RC_END_ALLOW_THREADS
    assert_int_equal(inside, RC_ESTATE);
    assert_int_equal(rc_error_code(), RC_ESTATE);
    assert_non_null(strstr(rc_error_message(), "release region"));
    assert_status(rc_thread_restore(&g), RC_OK);
}

typedef struct other_restore {
    rc_ensured *g;
    rc_status st;
    char message[256];
} other_restore;

static void *restore_elsewhere(void *arg) {
    other_restore *o = arg;
    rc_error_clear();
    o->st = rc_thread_restore(o->g);
    snprintf(o->message, sizeof o->message, "%s", rc_error_message());
    return NULL;
}

static void test_restore_from_another_thread_is_refused(void **state) {
    (void)state;
    rc_ensured g;
    assert_status(rc_thread_ensure(&g), RC_OK);
    other_restore o = {.g = &g};
    run_on_thread(restore_elsewhere, &o);
    assert_int_equal(o.st, RC_ESTATE);
    assert_non_null(strstr(o.message, "another thread"));
    assert_status(rc_thread_restore(&g), RC_OK); /* still this thread's */
}

/* Before the runtime starts (its own group, without the setup). */
static void test_ensure_before_start_is_refused(void **state) {
    (void)state;
    rc_ensured g;
    assert_status(rc_thread_ensure(&g), RC_ESTATE);
    assert_non_null(strstr(rc_error_message(), "not started"));
    assert_status(rc_thread_restore(&g), RC_ESTATE); /* a failed ensure's state */
    assert_false(rc_thread_is_attached());
}

int main(void) {
    const struct CMUnitTest before_start[] = {
        cmocka_unit_test(test_ensure_before_start_is_refused),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attached_thread_is_left_attached),
        cmocka_unit_test(test_release_region_is_left_and_reentered),
        cmocka_unit_test(test_pairs_nest),
        cmocka_unit_test(test_foreign_thread_is_attached_then_detached),
        cmocka_unit_test(test_restore_without_ensure_is_refused),
        cmocka_unit_test(test_restore_twice_is_refused),
        cmocka_unit_test(test_restore_out_of_order_is_refused),
        cmocka_unit_test(test_restore_in_release_region_is_refused),
        cmocka_unit_test(test_restore_from_another_thread_is_refused),
    };
    int failed = cmocka_run_group_tests(before_start, NULL, NULL);
    return failed + RCT_RUN_GROUP(tests);
}
