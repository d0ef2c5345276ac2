/*
 * tests/borrow_test.c -- borrowed reads on one thread, every variant:
 * rc_list_get_borrowed and rc_dict_get_borrowed lend items without counting
 * them, their errors, and the deferred drops of items removed from a lent
 * container, which happen at the next quiescent point of borrowing
 * (runtime/borrow.c). tests/borrow_threads_test.c has the races.
 */
#include "tests/support.h"

/* How many of a lent container's removed items wait for the quiescent
 * point, per removal: 1 where threads run object code at once, 0 under
 * //:gil, where no other thread can hold a borrow while this one runs, so
 * nothing needs to wait (runtime/runtime_internal.h, borrowed reads). */
#define DEFERS (RC_PARALLEL ? 1 : 0)

/* rct_big_int(v) makes the int 1000000 + v: its v. */
static int64_t val(rc_object *o) {
    return rct_int(o) - 1000000;
}

/* A list of n big ints i + 1000 (each held by the list only). */
static rc_object *list_of(int n) {
    rc_object *l = rc_list_new();
    assert_non_null(l);
    for (int i = 0; i < n; i++)
        assert_int_equal(rc_list_append_steal(l, rct_big_int(i + 1000)), RC_OK);
    return l;
}

static void test_list_borrow_lends_without_counting(void **state) {
    (void)state;
    rc_object *l = list_of(3);
    rc_object *counted = rc_list_get(l, 1);
    int64_t before = rc_refcount(counted); /* the list's and ours */
    rc_object *lent = rc_list_get_borrowed(l, 1);
    assert_ptr_equal(lent, counted);
    assert_int_equal(rc_refcount(lent), before);
    assert_int_equal(val(rc_list_get_borrowed(l, -1)), 1002); /* from the end */
    assert_int_equal(val(rc_list_get_borrowed(l, 0)), 1000);
    rc_decref(counted);
    rc_checkpoint();
    assert_int_equal(rc_refcount(lent), before - 1);
    rc_decref(l);
    rc_checkpoint();
    assert_live_objects(0);
}

static void test_list_borrow_errors(void **state) {
    (void)state;
    rc_object *l = list_of(2);
    rc_object *d = rc_dict_new();
    assert_null_error(rc_list_get_borrowed(l, 2), RC_EINDEX);
    assert_null_error(rc_list_get_borrowed(l, -3), RC_EINDEX);
    assert_null_error(rc_list_get_borrowed(d, 0), RC_ETYPE);
    assert_null_error(rc_list_get_borrowed(NULL, 0), RC_EVALUE);
    rc_decref(d);
    rc_decref(l);
    assert_live_objects(0);
}

/* The drop of a replaced or popped item of a lent list waits for the next
 * quiescent point, and happens there (one thread: nothing else holds it);
 * under //:gil it happens at once. */
static void test_lent_list_defers_drops_to_the_checkpoint(void **state) {
    (void)state;
    rc_object *l = list_of(3);
    assert_int_equal(val(rc_list_get_borrowed(l, 0)), 1000);
    int64_t live = rc_live_objects();
    assert_status(rc_list_set(l, 0, rc_list_get_borrowed(l, 2)), RC_OK);
    assert_int_equal(rc_live_objects(), live - 1 + DEFERS); /* item 0's drop */
    rc_object *popped = rc_list_pop(l, 1); /* a reference of ours */
    assert_int_equal(val(popped), 1001);
    rc_decref(popped);
    assert_int_equal(rc_live_objects(), live - 2 + 2 * DEFERS); /* the list's drop too */
    rc_checkpoint();
    assert_int_equal(rc_live_objects(), live - 2);
    assert_int_equal(rc_list_size(l), 2);
    assert_int_equal(val(rc_list_get_borrowed(l, 0)), 1002);
    rc_decref(l);
    rc_checkpoint();
    assert_live_objects(0);
}

/* A list never read borrowed drops at once, as before. */
static void test_unlent_list_drops_at_once(void **state) {
    (void)state;
    rc_object *l = list_of(2);
    int64_t live = rc_live_objects();
    rc_object *y = rct_big_int(7000);
    assert_status(rc_list_set(l, 0, y), RC_OK);
    rc_decref(y);
    assert_int_equal(rc_live_objects(), live);
    rc_decref(l);
    assert_live_objects(0);
}

static void test_dict_borrow(void **state) {
    (void)state;
    rc_object *d = rc_dict_new();
    rc_object *k = rct_big_int(5), *v = rct_big_int(50), *absent = rct_big_int(6);
    assert_status(rc_dict_set(d, k, v), RC_OK);
    int64_t count = rc_refcount(v);
    rc_object *got = (rc_object *)&got; /* must be overwritten */
    assert_int_equal(rc_dict_get_borrowed(d, k, &got), 1);
    assert_ptr_equal(got, v);
    assert_int_equal(rc_refcount(v), count);
    rc_error_clear();
    assert_int_equal(rc_dict_get_borrowed(d, absent, &got), 0);
    assert_null(got);
    assert_int_equal(rc_error_code(), RC_OK); /* a miss is not an error */
    rc_object *unhashable = rc_list_new();
    assert_status(rc_dict_get_borrowed(d, unhashable, &got), RC_ETYPE);
    assert_null(got);
    assert_status(rc_dict_get_borrowed(d, k, NULL), RC_EVALUE);
    assert_status(rc_dict_get_borrowed(unhashable, k, &got), RC_ETYPE);
    rc_decref(unhashable);

    /* Replace and delete: the dict's drops of v and of the new value wait
     * for the checkpoint. */
    rc_decref(v);
    int64_t live = rc_live_objects();
    rc_object *w = rct_big_int(51);
    assert_status(rc_dict_set(d, k, w), RC_OK);
    rc_decref(w);
    assert_int_equal(rc_live_objects(), live + 1 - 1 + DEFERS); /* w in, v's drop */
    assert_status(rc_dict_delete(d, k), RC_OK);
    assert_int_equal(rc_live_objects(), live - 1 + 2 * DEFERS); /* w's drop too */
    rc_checkpoint();
    assert_int_equal(rc_live_objects(), live - 1); /* v and w gone; k is ours */
    assert_int_equal(rc_dict_get_borrowed(d, k, &got), 0);
    rc_decref(k);
    rc_decref(absent);
    rc_decref(d);
    assert_live_objects(0);
}

/* The other quiescent points end borrows and drop too. */
static void test_release_borrows_and_the_release_region(void **state) {
    (void)state;
    rc_object *l = list_of(1);
    int64_t live = rc_live_objects();
    (void)rc_list_get_borrowed(l, 0);
    rc_object *y = rct_big_int(1);
    assert_status(rc_list_set(l, 0, y), RC_OK);
    assert_int_equal(rc_live_objects(), live + 1 - 1 + DEFERS); /* y in, the old item's drop */
    rc_release_borrows();
    assert_int_equal(rc_live_objects(), live + 1 - 1);
    assert_status(rc_list_set(l, 0, rc_list_get_borrowed(l, 0)), RC_OK); /* same item */
    rc_decref(y);
    assert_int_equal(rc_live_objects(), live);
    rc_object *z = rct_big_int(2);
    assert_status(rc_list_set(l, 0, z), RC_OK); /* y's drop */
    rc_decref(z);
    assert_int_equal(rc_live_objects(), live + DEFERS);
    RC_BEGIN_ALLOW_THREADS
    RC_END_ALLOW_THREADS
    assert_int_equal(rc_live_objects(), live);
    rc_decref(l);
    assert_live_objects(0);
}

/* Many drops with no quiescent point between: past the eager threshold a
 * writer drops what is ripe itself, so they do not pile up. */
static void test_many_drops_without_a_checkpoint(void **state) {
    (void)state;
    rc_object *l = list_of(1);
    (void)rc_list_get_borrowed(l, 0);
    rc_release_borrows();
    int64_t live = rc_live_objects();
    for (int i = 0; i < 5000; i++) {
        rc_object *y = rct_big_int(i);
        assert_status(rc_list_set(l, 0, y), RC_OK);
        rc_decref(y);
    }
    /* At most the eager threshold's worth is still waiting (runtime/borrow.c). */
    assert_true(rc_live_objects() - live <= 256);
    rc_checkpoint();
    assert_int_equal(rc_live_objects(), live);
    rc_decref(l);
    assert_live_objects(0);
}

/* With no memory to defer a drop, a write to a lent list fails cleanly:
 * RC_ENOMEM, the list unchanged, and everything freed afterwards. Under
 * //:gil nothing is deferred, so nothing fails. */
static void test_no_memory_to_defer(void **state) {
    (void)state;
    rc_object *l = list_of(1);
    (void)rc_list_get_borrowed(l, 0);
    rc_object *y = rct_big_int(9);
    rc_status st = RC_OK;
    int ok = 0;
    rc_testing_fail_alloc_after(1); /* the next allocation: more room for drops */
    for (int i = 0; i < 100000 && st == RC_OK; i++) {
        st = rc_list_set(l, 0, y);
        ok += st == RC_OK;
    }
    rc_testing_fail_alloc_after(0);
    /* Our own window is open, so nothing could be dropped to make room. */
    if (DEFERS)
        rct_assert_out_of_memory(st);
    else
        assert_int_equal(ok, 100000);
    rc_object *now = rc_list_get_borrowed(l, 0);
    if (ok)
        assert_ptr_equal(now, y);
    else
        assert_int_equal(val(now), 1000);
    rc_checkpoint();
    rc_decref(y);
    rc_decref(l);
    rc_checkpoint();
    assert_live_objects(0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_borrow_lends_without_counting),
        cmocka_unit_test(test_list_borrow_errors),
        cmocka_unit_test(test_lent_list_defers_drops_to_the_checkpoint),
        cmocka_unit_test(test_unlent_list_drops_at_once),
        cmocka_unit_test(test_dict_borrow),
        cmocka_unit_test(test_release_borrows_and_the_release_region),
        cmocka_unit_test(test_many_drops_without_a_checkpoint),
        RCT_SERIAL(test_no_memory_to_defer, RCT_FAILS_ALLOCATIONS),
    };
    return RCT_RUN_GROUP(tests);
}
