/*
 * tests/iter_test.c -- iteration over lists, tuples and dicts: order, the
 * references handed out and held, the errors of begin/next/next_item,
 * lists mutated during iteration (appends seen, removals never fail),
 * dicts whose key set changes (RC_ECHANGED) or whose values are replaced
 * (allowed), and an out-of-memory sweep.
 */
#include "tests/support.h"

#include <string.h>

/* A new list of the ints 0..n-1. */
static rc_object *range_list(int64_t n) {
    rc_object *l = rc_list_new();
    assert_non_null(l);
    for (int64_t i = 0; i < n; i++)
        assert_status(rc_list_append_steal(l, rc_int_from_i64(i)), RC_OK);
    return l;
}

/* ---- begin and end ------------------------------------------------------- */

static void test_begin_errors(void **state) {
    (void)state;
    rc_iter it;
    rc_object *item = (rc_object *)&it, *key, *value;
    assert_status(rc_iter_begin(NULL, rc_none()), RC_EVALUE);
    assert_status(rc_iter_begin(&it, NULL), RC_EVALUE);
    assert_null(it.container);
    rc_object *i = rct_big_int(1);
    assert_status(rc_iter_begin(&it, i), RC_ETYPE);
    assert_string_equal(rc_error_message(), "'int' object is not iterable");
    assert_int_equal(rc_refcount(i), 1);
    /* A failed begin leaves an ended iterator: next reports the end. */
    assert_null(it.container);
    assert_int_equal(rc_iter_next(&it, &item), 0);
    assert_null(item);
    assert_int_equal(rc_iter_next_item(&it, &key, &value), 0);
    rc_iter_end(&it);
    rc_iter_end(&it);
    rc_iter_end(NULL);
    rc_object *s = rc_str_from_cstr("abc");
    assert_status(rc_iter_begin(&it, s), RC_ETYPE);
    rc_decref(s);
    rc_decref(i);
}

static void test_next_argument_errors(void **state) {
    (void)state;
    rc_object *l = range_list(1);
    rc_iter it;
    rc_object *item, *key, *value;
    assert_status(rc_iter_begin(&it, l), RC_OK);
    assert_status(rc_iter_next(NULL, &item), RC_EVALUE);
    assert_status(rc_iter_next(&it, NULL), RC_EVALUE);
    assert_status(rc_iter_next_item(NULL, &key, &value), RC_EVALUE);
    assert_status(rc_iter_next_item(&it, NULL, &value), RC_EVALUE);
    assert_status(rc_iter_next_item(&it, &key, NULL), RC_EVALUE);
    /* next_item is for dicts only. */
    assert_status(rc_iter_next_item(&it, &key, &value), RC_ETYPE);
    assert_null(key);
    assert_null(value);
    assert_non_null(strstr(rc_error_message(), "list"));
    /* The failed calls did not move the iterator. */
    assert_int_equal(rc_iter_next(&it, &item), 1);
    assert_int_equal(rct_int(item), 0);
    rc_decref(item);
    assert_int_equal(rc_iter_next(&it, &item), 0);
    rc_iter_end(&it);
    rc_decref(l);
}

static void test_iterator_holds_the_container(void **state) {
    (void)state;
    rc_object *l = range_list(3);
    rc_iter it;
    assert_status(rc_iter_begin(&it, l), RC_OK);
    assert_int_equal(rc_refcount(l), 2);
    rc_decref(l); /* the iterator's reference keeps it alive */
    int64_t expected = 0;
    rc_object *item;
    int r;
    while ((r = rc_iter_next(&it, &item)) == 1) {
        assert_int_equal(rct_int(item), expected++);
        rc_decref(item);
    }
    assert_int_equal(r, 0);
    assert_int_equal(expected, 3);
    assert_live_objects(1);
    rc_iter_end(&it); /* frees the list */
    assert_null(it.container);
    assert_live_objects(0);
    rc_iter_end(&it); /* safe twice */
    assert_int_equal(rc_iter_next(&it, &item), 0);
}

/* ---- lists and tuples ---------------------------------------------------- */

static void test_list_items_are_new_references(void **state) {
    (void)state;
    rc_object *big = rct_big_int(1);
    rc_object *l = rc_list_new();
    for (int i = 0; i < 3; i++)
        assert_status(rc_list_append(l, big), RC_OK);
    rc_iter it;
    rc_object *item;
    assert_status(rc_iter_begin(&it, l), RC_OK);
    assert_int_equal(rc_iter_next(&it, &item), 1);
    assert_ptr_equal(item, big);
    assert_int_equal(rc_refcount(big), 5);
    rc_decref(item);
    /* Ending early drops only the iterator's own reference. */
    rc_iter_end(&it);
    assert_int_equal(rc_refcount(l), 1);
    assert_int_equal(rc_refcount(big), 4);
    rc_decref(l);
    assert_int_equal(rc_refcount(big), 1);
    rc_decref(big);
}

static void test_empty_containers(void **state) {
    (void)state;
    rc_object *containers[] = {rc_list_new(), rc_tuple_new(0), rc_dict_new()};
    for (size_t i = 0; i < 3; i++) {
        rc_iter it;
        rc_object *item = containers[i];
        assert_status(rc_iter_begin(&it, containers[i]), RC_OK);
        assert_int_equal(rc_iter_next(&it, &item), 0);
        assert_null(item);
        assert_int_equal(rc_iter_next(&it, &item), 0); /* still the end */
        rc_iter_end(&it);
        rc_decref(containers[i]);
    }
}

static void test_tuple(void **state) {
    (void)state;
    rc_object *a = rct_big_int(1), *b = rc_str_from_cstr("b");
    rc_object *t = rc_tuple_pack(3, a, b, rc_none());
    rc_object *expected[] = {a, b, rc_none()};
    rc_iter it;
    rc_object *item;
    assert_status(rc_iter_begin(&it, t), RC_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rc_iter_next(&it, &item), 1);
        assert_ptr_equal(item, expected[i]);
        if (i == 0)
            assert_int_equal(rc_refcount(a), 3); /* a, t, item */
        rc_decref(item);
    }
    assert_int_equal(rc_iter_next(&it, &item), 0);
    rc_iter_end(&it);
    assert_int_equal(rc_refcount(t), 1);
    rc_decref(t);
    rc_decref(a);
    rc_decref(b);
}

/* ---- lists mutated during iteration -------------------------------------- */

static void test_list_appended_during_iteration(void **state) {
    (void)state;
    rc_object *l = range_list(3);
    rc_iter it;
    rc_object *item;
    int64_t seen = 0;
    assert_status(rc_iter_begin(&it, l), RC_OK);
    while (rc_iter_next(&it, &item) == 1) {
        int64_t v = rct_int(item);
        assert_int_equal(v, seen++);
        if (v < 10) /* appended items are seen */
            assert_status(rc_list_append_steal(l, rc_int_from_i64(v + 3)), RC_OK);
        rc_decref(item);
    }
    assert_int_equal(seen, 13);
    rc_iter_end(&it);
    rc_decref(l);
}

static void test_list_shrunk_during_iteration(void **state) {
    (void)state;
    rc_object *l = range_list(10);
    rc_iter it;
    rc_object *item;
    int r, steps = 0;
    assert_status(rc_iter_begin(&it, l), RC_OK);
    /* Removing the first item at each step: the walk skips but never
     * fails, and ends when the cursor passes the shrinking end. */
    while ((r = rc_iter_next(&it, &item)) == 1) {
        steps++;
        rc_decref(item);
        rc_decref(rc_list_pop(l, 0));
    }
    assert_int_equal(r, 0);
    assert_int_equal(steps, 5);
    assert_int_equal(rc_list_size(l), 5);
    rc_iter_end(&it);

    /* Emptied entirely mid-walk: the next step is the end. */
    assert_status(rc_iter_begin(&it, l), RC_OK);
    assert_int_equal(rc_iter_next(&it, &item), 1);
    rc_decref(item);
    while (rc_list_size(l) > 0)
        rc_decref(rc_list_pop(l, -1));
    assert_int_equal(rc_iter_next(&it, &item), 0);
    assert_null(item);
    rc_iter_end(&it);
    rc_decref(l);
}

static void test_list_item_replaced_during_iteration(void **state) {
    (void)state;
    rc_object *l = range_list(3);
    rc_iter it;
    rc_object *item;
    assert_status(rc_iter_begin(&it, l), RC_OK);
    assert_int_equal(rc_iter_next(&it, &item), 1);
    /* The item handed out survives being replaced in the list. */
    rc_object *big = rct_big_int(5);
    assert_status(rc_list_set(l, 1, big), RC_OK);
    assert_status(rc_list_set(l, 0, big), RC_OK);
    assert_int_equal(rct_int(item), 0);
    rc_decref(item);
    assert_int_equal(rc_iter_next(&it, &item), 1);
    assert_ptr_equal(item, big);
    rc_decref(item);
    rc_iter_end(&it);
    rc_decref(big);
    rc_decref(l);
}

/* ---- dicts --------------------------------------------------------------- */

static rc_object *small_dict(void) {
    rc_object *d = rc_dict_new();
    assert_non_null(d);
    for (int64_t i = 0; i < 3; i++) /* small ints: immortal, nothing to drop */
        assert_status(rc_dict_set(d, rc_int_from_i64(i), rc_int_from_i64(100 + i)),
                      RC_OK);
    return d;
}

static void test_dict_keys_and_items(void **state) {
    (void)state;
    rc_object *d = small_dict();
    rc_iter it;
    rc_object *key, *value;
    int64_t n = 0;
    int r;
    assert_status(rc_iter_begin(&it, d), RC_OK);
    while ((r = rc_iter_next(&it, &key)) == 1) {
        assert_int_equal(rct_int(key), n++); /* insertion order */
        rc_decref(key);
    }
    assert_int_equal(r, 0);
    assert_int_equal(n, 3);
    rc_iter_end(&it);

    n = 0;
    assert_status(rc_iter_begin(&it, d), RC_OK);
    while ((r = rc_iter_next_item(&it, &key, &value)) == 1) {
        assert_int_equal(rct_int(key), n);
        assert_int_equal(rct_int(value), 100 + n);
        n++;
        rc_decref(key);
        rc_decref(value);
    }
    assert_int_equal(r, 0);
    assert_null(key);
    assert_int_equal(n, 3);
    rc_iter_end(&it);
    assert_int_equal(rc_refcount(d), 1);
    rc_decref(d);
}

static void test_dict_new_references(void **state) {
    (void)state;
    rc_object *d = rc_dict_new();
    rc_object *k = rct_big_int(1), *v = rct_big_int(2);
    assert_status(rc_dict_set(d, k, v), RC_OK);
    rc_iter it;
    rc_object *key, *value;
    assert_status(rc_iter_begin(&it, d), RC_OK);
    assert_int_equal(rc_refcount(d), 2);
    assert_int_equal(rc_iter_next_item(&it, &key, &value), 1);
    assert_ptr_equal(key, k);
    assert_ptr_equal(value, v);
    assert_int_equal(rc_refcount(k), 3);
    assert_int_equal(rc_refcount(v), 3);
    rc_decref(key);
    rc_decref(value);
    rc_iter_end(&it);
    rc_decref(d);
    assert_int_equal(rc_refcount(k), 1);
    assert_int_equal(rc_refcount(v), 1);
    rc_decref(k);
    rc_decref(v);
}

static void test_dict_key_added_during_iteration(void **state) {
    (void)state;
    rc_object *d = small_dict();
    rc_iter it;
    rc_object *key;
    assert_status(rc_iter_begin(&it, d), RC_OK);
    assert_int_equal(rc_iter_next(&it, &key), 1);
    rc_decref(key);
    rc_object *k = rc_str_from_cstr("new");
    assert_status(rc_dict_set(d, k, k), RC_OK);
    assert_status(rc_iter_next(&it, &key), RC_ECHANGED);
    assert_null(key);
    rc_iter_end(&it);
    rc_decref(k);
    rc_decref(d);
}

static void test_dict_key_deleted_during_iteration(void **state) {
    (void)state;
    rc_object *d = small_dict();
    rc_iter it;
    rc_object *key, *value;
    assert_status(rc_iter_begin(&it, d), RC_OK);
    assert_int_equal(rc_iter_next_item(&it, &key, &value), 1);
    assert_status(rc_dict_delete(d, key), RC_OK);
    rc_decref(key);
    rc_decref(value);
    assert_status(rc_iter_next_item(&it, &key, &value), RC_ECHANGED);
    rc_iter_end(&it);
    rc_decref(d);
}

static void test_dict_value_replaced_during_iteration(void **state) {
    (void)state;
    rc_object *d = small_dict();
    rc_iter it;
    rc_object *key, *value;
    int64_t n = 0;
    int r;
    assert_status(rc_iter_begin(&it, d), RC_OK);
    while ((r = rc_iter_next_item(&it, &key, &value)) == 1) {
        rc_object *v = rct_big_int(n);
        assert_status(rc_dict_set(d, key, v), RC_OK); /* same key: allowed */
        rc_decref(v);
        rc_decref(key);
        rc_decref(value);
        n++;
    }
    assert_int_equal(r, 0);
    assert_int_equal(n, 3);
    rc_iter_end(&it);
    rc_object *one = rc_int_from_i64(1);
    rc_object *v = rc_dict_get(d, one);
    assert_int_equal(rct_int(v), 1000001);
    rc_decref(v);
    rc_decref(d);
}

/* ---- out of memory ------------------------------------------------------- */

/* Builds a list of new ints and a dict of new strs, iterates both, summing
 * what it sees, and frees everything. Any allocation may fail. */
static rc_status iterate_things(void *arg) {
    (void)arg;
    rc_status st = RC_ENOMEM;
    rc_object *l = NULL, *d = NULL, *item = NULL, *value = NULL;
    rc_iter it = {0};
    if (!(l = rc_list_new()) || !(d = rc_dict_new()))
        goto done;
    for (int64_t i = 0; i < 4; i++) {
        rc_object *o = rc_int_from_i64(3000 + i);
        if (!o || rc_list_append_steal(l, o) != RC_OK)
            goto done;
        rc_object *k = rc_str_from_format("k%lld", (long long)i);
        rc_status set = k ? rc_dict_set(d, k, o) : RC_ENOMEM;
        rc_xdecref(k);
        if (set != RC_OK)
            goto done;
    }
    int64_t sum = 0;
    if (rc_iter_begin(&it, l) != RC_OK)
        goto done;
    while (rc_iter_next(&it, &item) == 1) {
        sum += rct_int(item);
        rc_clear_ref(&item);
    }
    rc_iter_end(&it);
    if (rc_iter_begin(&it, d) != RC_OK)
        goto done;
    int r;
    while ((r = rc_iter_next_item(&it, &item, &value)) == 1) {
        sum -= rct_int(value);
        rc_clear_ref(&item);
        rc_clear_ref(&value);
    }
    assert_int_equal(r, 0);
    assert_int_equal(sum, 0);
    st = RC_OK;
done:
    rc_iter_end(&it);
    rc_xdecref(d);
    rc_xdecref(l);
    return st;
}

static void test_alloc_failure_sweep(void **state) {
    (void)state;
    int points = rct_sweep_alloc_failures(iterate_things, NULL);
    assert_true(points >= 10);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_begin_errors),
        cmocka_unit_test(test_next_argument_errors),
        cmocka_unit_test(test_iterator_holds_the_container),
        cmocka_unit_test(test_list_items_are_new_references),
        cmocka_unit_test(test_empty_containers),
        cmocka_unit_test(test_tuple),
        cmocka_unit_test(test_list_appended_during_iteration),
        cmocka_unit_test(test_list_shrunk_during_iteration),
        cmocka_unit_test(test_list_item_replaced_during_iteration),
        cmocka_unit_test(test_dict_keys_and_items),
        cmocka_unit_test(test_dict_new_references),
        cmocka_unit_test(test_dict_key_added_during_iteration),
        cmocka_unit_test(test_dict_key_deleted_during_iteration),
        cmocka_unit_test(test_dict_value_replaced_during_iteration),
        RCT_SERIAL(test_alloc_failure_sweep, RCT_FAILS_ALLOCATIONS),
    };
    return RCT_RUN_GROUP(tests);
}
