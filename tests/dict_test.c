/*
 * tests/dict_test.c -- dicts: set/get/delete/contains, insertion order
 * across deletes and resizes, key equality across types, errors, the list
 * views, iteration, reference counts, repr and equality, a client key whose
 * equal slot mutates the dict mid-lookup, and allocation-failure sweeps.
 */
#include "tests/support.h"

#include <string.h>

/* ---- helpers ----------------------------------------------------------------- */

static rc_object *new_dict(void) {
    rc_object *d = rc_dict_new();
    assert_non_null(d);
    return d;
}

static rc_object *str(const char *s) {
    rc_object *o = rc_str_from_cstr(s);
    assert_non_null(o);
    return o;
}

/* d[key] = value, stealing both references (for brevity in tests). */
static void set_steal(rc_object *d, rc_object *key, rc_object *value) {
    assert_status(rc_dict_set(d, key, value), RC_OK);
    rc_decref(key);
    rc_decref(value);
}

/* The int value stored under key. */
static int64_t get_int(rc_object *d, rc_object *key) {
    rc_object *v = rc_dict_get(d, key);
    assert_non_null(v);
    int64_t i = rct_int(v);
    rc_decref(v);
    return i;
}

/* The str stored under key equals s. */
static void assert_get_str(rc_object *d, rc_object *key, const char *s) {
    rc_object *v = rc_dict_get(d, key);
    assert_non_null(v);
    assert_string_equal(rc_str_data(v), s);
    rc_decref(v);
}

/* The text form of o equals s. */
static void assert_repr(rc_object *o, const char *s) {
    rc_object *r = rc_object_repr(o);
    assert_non_null(r);
    assert_string_equal(rc_str_data(r), s);
    rc_decref(r);
}

/* ---- basic operations -------------------------------------------------------- */

static void test_empty(void **state) {
    (void)state;
    rc_object *d = new_dict();
    rc_object *k = rct_big_int(1);
    assert_true(rc_dict_check(d));
    assert_false(rc_dict_check(k));
    assert_int_equal(rc_dict_size(d), 0);
    assert_int_equal(rc_dict_contains(d, k), 0);
    assert_null_error(rc_dict_get(d, k), RC_EKEY);
    assert_status(rc_dict_delete(d, k), RC_EKEY);
    assert_repr(d, "{}");
    rc_object *keys = rc_dict_keys(d);
    assert_int_equal(rc_list_size(keys), 0);
    rc_decref(keys);
    rc_decref(k);
    rc_decref(d);
}

static void test_set_get_delete(void **state) {
    (void)state;
    rc_object *d = new_dict();
    for (int i = 0; i < 20; i++)
        set_steal(d, rct_big_int(i), rct_big_int(100 + i));
    assert_int_equal(rc_dict_size(d), 20);
    for (int i = 0; i < 20; i++) {
        rc_object *k = rct_big_int(i); /* equal to, not the same as, the stored key */
        assert_int_equal(rc_dict_contains(d, k), 1);
        assert_int_equal(get_int(d, k), 1000000 + 100 + i);
        rc_decref(k);
    }
    rc_object *k5 = rct_big_int(5);
    assert_status(rc_dict_delete(d, k5), RC_OK);
    assert_int_equal(rc_dict_contains(d, k5), 0);
    assert_null_error(rc_dict_get(d, k5), RC_EKEY);
    assert_status(rc_dict_delete(d, k5), RC_EKEY);
    assert_int_equal(rc_dict_size(d), 19);
    /* Deleted and re-added: it goes to the end. */
    set_steal(d, rc_newref(k5), rct_big_int(-5));
    assert_int_equal(rc_dict_size(d), 20);
    assert_int_equal(get_int(d, k5), 1000000 - 5);
    rc_object *keys = rc_dict_keys(d);
    rc_object *last = rc_list_get(keys, -1);
    assert_int_equal(rct_int(last), 1000005);
    rc_decref(last);
    rc_decref(keys);
    rc_decref(k5);
    rc_decref(d);
}

static void test_replace_keeps_order_and_key(void **state) {
    (void)state;
    rc_object *d = new_dict();
    rc_object *k1 = rct_big_int(1), *k2 = rct_big_int(2);
    rc_object *v1 = rct_big_int(10), *v2 = rct_big_int(20), *v3 = rct_big_int(30);
    assert_status(rc_dict_set(d, k1, v1), RC_OK);
    assert_status(rc_dict_set(d, k2, v2), RC_OK);
    assert_int_equal(rc_refcount(v1), 2);

    rc_object *k1_again = rct_big_int(1); /* equal, another object */
    assert_status(rc_dict_set(d, k1_again, v3), RC_OK);
    assert_int_equal(rc_refcount(v1), 1);       /* the old value was dropped */
    assert_int_equal(rc_refcount(k1_again), 1); /* the dict kept its own key */
    assert_int_equal(rc_refcount(k1), 2);
    assert_int_equal(rc_dict_size(d), 2);

    rc_object *keys = rc_dict_keys(d);
    rc_object *first = rc_list_get(keys, 0);
    assert_ptr_equal(first, k1); /* same place, same key object */
    rc_decref(first);
    rc_decref(keys);
    assert_int_equal(get_int(d, k1), 1000030);

    rc_decref(d);
    assert_int_equal(rc_refcount(k1), 1);
    assert_int_equal(rc_refcount(v3), 1);
    rc_object *objs[] = {k1, k2, v1, v2, v3, k1_again};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(objs[i]);
}

/* ---- order ------------------------------------------------------------------- */

static void assert_keys_in_order(rc_object *d, int64_t first, int64_t step, int64_t n) {
    rc_object *keys = rc_dict_keys(d);
    assert_non_null(keys);
    assert_int_equal(rc_list_size(keys), n);
    for (int64_t i = 0; i < n; i++) {
        rc_object *k = rc_list_get(keys, i);
        assert_int_equal(rct_int(k), first + i * step);
        rc_decref(k);
    }
    rc_decref(keys);
}

static void test_order_across_deletes_and_resizes(void **state) {
    (void)state;
    rc_object *d = new_dict();
    for (int64_t i = 0; i < 10000; i++)
        set_steal(d, rc_int_from_i64(i), rct_big_int(i));
    assert_keys_in_order(d, 0, 1, 10000);
    for (int64_t i = 0; i < 10000; i += 2) {
        rc_object *k = rc_int_from_i64(i);
        assert_status(rc_dict_delete(d, k), RC_OK);
        rc_decref(k);
    }
    assert_int_equal(rc_dict_size(d), 5000);
    assert_keys_in_order(d, 1, 2, 5000);
    /* Enough new keys to rebuild the table (compacting the deleted ones). */
    for (int64_t i = 10001; i < 30000; i += 2)
        set_steal(d, rc_int_from_i64(i), rct_big_int(i));
    assert_keys_in_order(d, 1, 2, 15000);
    rc_object *values = rc_dict_values(d);
    for (int64_t i = 0; i < 15000; i++) {
        rc_object *v = rc_list_get(values, i);
        assert_int_equal(rct_int(v), 1000000 + 1 + 2 * i);
        rc_decref(v);
    }
    rc_decref(values);
    rc_decref(d);
}

/* Ints that share their low bits (multiples of 2^20) must still be found:
 * the probe's perturbation brings the high bits in. */
static void test_colliding_int_hashes(void **state) {
    (void)state;
    rc_object *d = new_dict();
    for (int64_t i = 0; i < 2000; i++)
        set_steal(d, rc_int_from_i64(i << 20), rc_int_from_i64(i));
    for (int64_t i = 0; i < 2000; i++) {
        rc_object *k = rc_int_from_i64(i << 20);
        assert_int_equal(get_int(d, k), i);
        rc_decref(k);
    }
    rc_decref(d);
}

/* ---- keys of every kind ------------------------------------------------------- */

static void test_int_and_float_are_one_key(void **state) {
    (void)state;
    rc_object *d = new_dict();
    rc_object *one = rc_int_from_i64(1), *one_f = rc_float_from_double(1.0);
    rc_object *big = rct_big_int(7), *big_f = rc_float_from_double(1000007.0);
    set_steal(d, rc_newref(one), str("a"));
    assert_get_str(d, one_f, "a");
    set_steal(d, rc_newref(one_f), str("b"));
    assert_int_equal(rc_dict_size(d), 1);
    assert_get_str(d, one, "b");
    set_steal(d, rc_newref(big_f), str("c"));
    assert_get_str(d, big, "c");
    assert_int_equal(rc_dict_contains(d, big), 1);
    assert_int_equal(rc_dict_size(d), 2);

    rc_object *keys = rc_dict_keys(d);
    rc_object *k0 = rc_list_get(keys, 0);
    assert_true(rc_int_check(k0)); /* the first key object stays */
    rc_decref(k0);
    rc_decref(keys);
    rc_object *half = rc_float_from_double(1.5);
    assert_int_equal(rc_dict_contains(d, half), 0);
    rc_object *objs[] = {d, one, one_f, big, big_f, half};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(objs[i]);
}

static void test_str_keys(void **state) {
    (void)state;
    rc_object *d = new_dict();
    rc_object *a1 = str("apple"), *a2 = rc_str_from_utf8("apple pie", 5);
    assert_ptr_not_equal(a1, a2);
    set_steal(d, rc_newref(a1), rc_int_from_i64(1));
    assert_int_equal(get_int(d, a2), 1);
    set_steal(d, str(""), rc_int_from_i64(2));
    set_steal(d, str("h\xc3\xa9llo"), rc_int_from_i64(3));
    rc_object *e = str(""), *h = str("h\xc3\xa9llo"), *x = str("apples");
    assert_int_equal(get_int(d, e), 2);
    assert_int_equal(get_int(d, h), 3);
    assert_int_equal(rc_dict_contains(d, x), 0);
    assert_status(rc_dict_delete(d, a2), RC_OK);
    assert_int_equal(rc_refcount(a1), 1); /* the stored key was a1 */
    assert_int_equal(rc_dict_size(d), 2);
    rc_object *objs[] = {d, a1, a2, e, h, x};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(objs[i]);
}

static void test_tuple_none_bool_keys(void **state) {
    (void)state;
    rc_object *d = new_dict();
    rc_object *a = str("x"), *b = rct_big_int(3);
    rc_object *t1 = rc_tuple_pack(2, a, b), *t2 = rc_tuple_pack(2, a, b);
    rc_object *t3 = rc_tuple_pack(2, b, a), *empty = rc_tuple_pack(0);
    assert_non_null(t1);
    assert_non_null(empty);
    set_steal(d, rc_newref(t1), rc_int_from_i64(1));
    set_steal(d, rc_newref(empty), rc_int_from_i64(2));
    set_steal(d, rc_none(), rc_int_from_i64(3));
    set_steal(d, rc_true(), rc_int_from_i64(4));
    set_steal(d, rc_false(), rc_int_from_i64(5));
    assert_int_equal(get_int(d, t2), 1); /* equal tuple, another object */
    assert_int_equal(rc_dict_contains(d, t3), 0);
    assert_int_equal(get_int(d, empty), 2);
    assert_int_equal(get_int(d, rc_none()), 3);
    assert_int_equal(get_int(d, rc_true()), 4);
    assert_int_equal(get_int(d, rc_false()), 5);
    assert_status(rc_dict_delete(d, rc_none()), RC_OK);
    assert_int_equal(rc_dict_contains(d, rc_none()), 0);
    rc_object *objs[] = {d, a, b, t1, t2, t3, empty};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(objs[i]);
}

/* ---- errors ------------------------------------------------------------------- */

static void test_unhashable_key(void **state) {
    (void)state;
    rc_object *d = new_dict();
    rc_object *k = rct_big_int(1), *v = rct_big_int(2);
    assert_status(rc_dict_set(d, k, v), RC_OK);
    rc_object *list = rc_list_new(), *inner = new_dict();
    rc_object *bad_tuple = rc_tuple_pack(2, k, list);
    assert_non_null(bad_tuple);
    rc_object *bad[] = {list, inner, bad_tuple};
    for (size_t i = 0; i < 3; i++) {
        assert_status(rc_dict_set(d, bad[i], v), RC_ETYPE);
        assert_null_error(rc_dict_get(d, bad[i]), RC_ETYPE);
        assert_status(rc_dict_contains(d, bad[i]), RC_ETYPE);
        assert_status(rc_dict_delete(d, bad[i]), RC_ETYPE);
    }
    assert_int_equal(rc_dict_size(d), 1); /* unchanged */
    assert_int_equal(rc_refcount(v), 2);
    assert_int_equal(rc_refcount(list), 2); /* held by the tuple only */
    rc_object *objs[] = {d, k, v, list, inner, bad_tuple};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(objs[i]);
}

static void test_argument_errors(void **state) {
    (void)state;
    rc_object *d = new_dict(), *k = rct_big_int(1), *list = rc_list_new();
    assert_status(rc_dict_set(list, k, k), RC_ETYPE);
    assert_string_equal(rc_error_message(), "rc_dict_set: expected a dict, got list");
    assert_status(rc_dict_set(NULL, k, k), RC_EVALUE);
    assert_status(rc_dict_set(d, NULL, k), RC_EVALUE);
    assert_status(rc_dict_set(d, k, NULL), RC_EVALUE);
    assert_null_error(rc_dict_get(list, k), RC_ETYPE);
    assert_null_error(rc_dict_get(d, NULL), RC_EVALUE);
    assert_null_error(rc_dict_get(NULL, k), RC_EVALUE);
    assert_status(rc_dict_contains(list, k), RC_ETYPE);
    assert_status(rc_dict_contains(d, NULL), RC_EVALUE);
    assert_status(rc_dict_delete(k, k), RC_ETYPE);
    assert_status(rc_dict_delete(d, NULL), RC_EVALUE);
    rc_error_clear();
    assert_int_equal(rc_dict_size(list), RC_ETYPE); /* a status, not -1 (RC_ENOMEM) */
    assert_int_equal(rc_error_code(), RC_ETYPE);
    assert_null_error(rc_dict_keys(list), RC_ETYPE);
    assert_null_error(rc_dict_values(NULL), RC_EVALUE);
    assert_null_error(rc_dict_items(k), RC_ETYPE);
    assert_int_equal(rc_dict_size(d), 0);
    rc_decref(d);
    rc_decref(k);
    rc_decref(list);
}

static void test_missing_key_messages(void **state) {
    (void)state;
    rc_object *d = new_dict(), *k = rc_int_from_i64(42), *s = str("abc");
    assert_null_error(rc_dict_get(d, k), RC_EKEY);
    assert_non_null(strstr(rc_error_message(), "42"));
    assert_status(rc_dict_delete(d, s), RC_EKEY);
    assert_non_null(strstr(rc_error_message(), "'abc'"));
    /* A long str is cut short (here inside a 2-byte character), others are
     * named by type. */
    char text[200];
    memset(text, 'x', sizeof text);
    memcpy(text + 59, "\xc3\xa9", 2);
    rc_object *long_key = rc_str_from_utf8(text, sizeof text);
    assert_non_null(long_key);
    assert_null_error(rc_dict_get(d, long_key), RC_EKEY);
    assert_non_null(strstr(rc_error_message(), "x'..."));
    rc_object *t = rc_tuple_pack(1, k);
    assert_null_error(rc_dict_get(d, t), RC_EKEY);
    assert_non_null(strstr(rc_error_message(), "tuple"));
    rc_decref(t);
    rc_decref(long_key);
    rc_decref(k);
    rc_decref(d);
    rc_decref(s);
}

/* ---- keys, values, items -------------------------------------------------------- */

static void test_keys_values_items(void **state) {
    (void)state;
    rc_object *d = new_dict();
    set_steal(d, str("b"), rc_int_from_i64(2));
    set_steal(d, str("a"), rc_int_from_i64(1));
    set_steal(d, str("c"), rc_int_from_i64(3));
    rc_object *gone = str("a");
    assert_status(rc_dict_delete(d, gone), RC_OK);
    rc_decref(gone);
    set_steal(d, str("a"), rc_int_from_i64(4));

    rc_object *keys = rc_dict_keys(d), *values = rc_dict_values(d);
    rc_object *items = rc_dict_items(d);
    assert_non_null(keys);
    assert_non_null(values);
    assert_non_null(items);
    const char *want_keys[] = {"b", "c", "a"};
    int64_t want_values[] = {2, 3, 4};
    assert_int_equal(rc_list_size(items), 3);
    for (int64_t i = 0; i < 3; i++) {
        rc_object *k = rc_list_get(keys, i), *v = rc_list_get(values, i);
        rc_object *item = rc_list_get(items, i);
        assert_string_equal(rc_str_data(k), want_keys[i]);
        assert_int_equal(rct_int(v), want_values[i]);
        assert_int_equal(rc_tuple_size(item), 2);
        assert_ptr_equal(rc_tuple_get(item, 0), k);
        assert_ptr_equal(rc_tuple_get(item, 1), v);
        rc_decref(k);
        rc_decref(v);
        rc_decref(item);
    }
    assert_repr(items, "[('b', 2), ('c', 3), ('a', 4)]");
    rc_decref(keys);
    rc_decref(values);
    rc_decref(items);
    rc_decref(d);
}

/* ---- iteration ------------------------------------------------------------------ */

static void test_iteration(void **state) {
    (void)state;
    rc_object *d = new_dict();
    for (int64_t i = 0; i < 10; i++)
        set_steal(d, rct_big_int(i), rct_big_int(100 + i));
    rc_object *k3 = rct_big_int(3);
    assert_status(rc_dict_delete(d, k3), RC_OK); /* iteration skips the hole */

    rc_iter it;
    assert_status(rc_iter_begin(&it, d), RC_OK);
    rc_object *key, *value;
    int r, n = 0;
    int64_t expect = 0;
    while ((r = rc_iter_next(&it, &key)) == 1) {
        if (expect == 3)
            expect++;
        assert_int_equal(rct_int(key), 1000000 + expect++);
        rc_decref(key);
        n++;
    }
    assert_int_equal(r, 0);
    assert_null(key);
    assert_int_equal(n, 9);
    rc_iter_end(&it);

    /* Items; replacing a value while iterating is allowed. */
    assert_status(rc_iter_begin(&it, d), RC_OK);
    n = 0;
    while ((r = rc_iter_next_item(&it, &key, &value)) == 1) {
        assert_int_equal(rct_int(value) - rct_int(key), 100);
        assert_status(rc_dict_set(d, key, key), RC_OK);
        rc_decref(key);
        rc_decref(value);
        n++;
    }
    assert_int_equal(r, 0);
    assert_int_equal(n, 9);
    rc_iter_end(&it);
    rc_iter_end(&it); /* twice is fine */
    rc_object *k9 = rct_big_int(9);
    assert_int_equal(get_int(d, k9), 1000009); /* the value replaced in the loop */

    rc_decref(k9);
    rc_decref(k3);
    rc_decref(d);
}

static void test_iteration_detects_key_changes(void **state) {
    (void)state;
    rc_object *d = new_dict();
    for (int64_t i = 0; i < 5; i++)
        set_steal(d, rct_big_int(i), rc_none());
    rc_object *key, *extra = rct_big_int(99);
    rc_iter it;

    /* A key added. */
    assert_status(rc_iter_begin(&it, d), RC_OK);
    assert_int_equal(rc_iter_next(&it, &key), 1);
    rc_decref(key);
    assert_status(rc_dict_set(d, extra, extra), RC_OK);
    assert_status(rc_iter_next(&it, &key), RC_ECHANGED);
    rc_iter_end(&it);

    /* A key deleted (the one just added). */
    assert_status(rc_iter_begin(&it, d), RC_OK);
    assert_int_equal(rc_iter_next(&it, &key), 1);
    rc_decref(key);
    assert_status(rc_dict_delete(d, extra), RC_OK);
    assert_status(rc_iter_next(&it, &key), RC_ECHANGED);
    rc_iter_end(&it);

    /* rc_iter_next_item over a list is a type error. */
    rc_object *list = rc_list_new(), *value;
    assert_status(rc_iter_begin(&it, list), RC_OK);
    assert_status(rc_iter_next_item(&it, &key, &value), RC_ETYPE);
    rc_iter_end(&it);
    assert_int_equal(rc_refcount(d), 1);
    assert_int_equal(rc_refcount(extra), 1);
    rc_decref(list);
    rc_decref(extra);
    rc_decref(d);
}

/* ---- reference counts and teardown ----------------------------------------------- */

static void test_refcounts(void **state) {
    (void)state;
    int64_t live = rc_live_objects();
    rc_object *d = new_dict();
    rc_object *k = rct_big_int(1), *v = str("value"), *v2 = str("other");
    assert_status(rc_dict_set(d, k, v), RC_OK);
    assert_int_equal(rc_refcount(k), 2);
    assert_int_equal(rc_refcount(v), 2);
    rc_object *got = rc_dict_get(d, k);
    assert_ptr_equal(got, v);
    assert_int_equal(rc_refcount(v), 3); /* a new reference */
    rc_decref(got);
    assert_status(rc_dict_delete(d, k), RC_OK);
    assert_int_equal(rc_refcount(k), 1);
    assert_int_equal(rc_refcount(v), 1);

    assert_status(rc_dict_set(d, k, v), RC_OK);
    assert_status(rc_dict_set(d, k, v2), RC_OK);
    assert_int_equal(rc_refcount(v), 1);
    assert_int_equal(rc_refcount(v2), 2);
    rc_decref(d);
    assert_int_equal(rc_refcount(k), 1);
    assert_int_equal(rc_refcount(v2), 1);
    rc_decref(k);
    rc_decref(v);
    rc_decref(v2);
    assert_live_objects(live);
}

/* Dicts of lists of dicts, freed from the top: everything goes, without a
 * collector, since there is no cycle. */
static void test_nested_teardown(void **state) {
    (void)state;
    int64_t live = rc_live_objects();
    rc_object *top = new_dict();
    for (int64_t i = 0; i < 50; i++) {
        rc_object *list = rc_list_new();
        for (int64_t j = 0; j < 5; j++) {
            rc_object *inner = new_dict();
            set_steal(inner, str("i"), rct_big_int(i * 10 + j));
            assert_status(rc_list_append_steal(list, inner), RC_OK);
        }
        set_steal(top, rct_big_int(i), list);
    }
    /* A deep chain: each dict holds the previous one. */
    rc_object *chain = new_dict();
    for (int64_t i = 0; i < 10000; i++) {
        rc_object *next = new_dict();
        set_steal(next, rc_none(), chain);
        chain = next;
    }
    set_steal(top, rc_none(), chain);
    if (!rct_parallel_body()) /* a process-wide count: see assert_live_objects */
        assert_true(rc_live_objects() > live);
    rc_decref(top);
    assert_live_objects(live);
}

static int count_visit(rc_object *child, void *arg) {
    (void)child;
    ++*(int *)arg;
    return 0;
}

static int stop_visit(rc_object *child, void *arg) {
    (void)child;
    (void)arg;
    return 42;
}

/* The collector's slots: traverse visits every key and value; clear
 * empties the dict and drops its references, leaving it usable. */
static void test_traverse_and_clear(void **state) {
    (void)state;
    rc_object *d = new_dict(), *k = rct_big_int(1), *v = str("v");
    int visits = 0;
    assert_int_equal(rc_object_traverse(d, count_visit, &visits), 0);
    assert_int_equal(visits, 0);
    set_steal(d, rc_newref(k), rc_newref(v));
    set_steal(d, rct_big_int(2), rc_none());
    set_steal(d, rct_big_int(3), rc_none());
    rc_object *gone = rct_big_int(2);
    assert_status(rc_dict_delete(d, gone), RC_OK);
    rc_decref(gone);
    assert_int_equal(rc_object_traverse(d, count_visit, &visits), 0);
    assert_int_equal(visits, 4);
    assert_int_equal(rc_object_traverse(d, stop_visit, NULL), 42);

    rc_iter it;
    rc_object *key;
    assert_status(rc_iter_begin(&it, d), RC_OK);
    rc_object_type(d)->clear(d);
    assert_status(rc_iter_next(&it, &key), RC_ECHANGED);
    rc_iter_end(&it);
    assert_int_equal(rc_dict_size(d), 0);
    assert_int_equal(rc_refcount(k), 1);
    assert_int_equal(rc_refcount(v), 1);
    set_steal(d, rc_newref(k), rc_newref(v)); /* usable again */
    assert_int_equal(rc_dict_size(d), 1);
    rc_decref(d);
    rc_decref(k);
    rc_decref(v);
}

/* ---- repr and equality ------------------------------------------------------------ */

static void test_repr(void **state) {
    (void)state;
    rc_object *d = new_dict();
    set_steal(d, rc_int_from_i64(1), str("a"));
    set_steal(d, str("b"), rc_int_from_i64(2));
    assert_repr(d, "{1: 'a', 'b': 2}");
    /* A dict inside itself shows as {...}; the key is then removed, since
     * without a collector the cycle would never be freed. */
    rc_object *self_key = str("me");
    assert_status(rc_dict_set(d, self_key, d), RC_OK);
    assert_repr(d, "{1: 'a', 'b': 2, 'me': {...}}");
    assert_status(rc_dict_delete(d, self_key), RC_OK);
    rc_object *inner = new_dict();
    set_steal(inner, rc_none(), rc_true());
    set_steal(d, rc_false(), inner);
    assert_repr(d, "{1: 'a', 'b': 2, False: {None: True}}");
    rc_decref(self_key);
    rc_decref(d);
}

static void test_equal(void **state) {
    (void)state;
    rc_object *a = new_dict(), *b = new_dict(), *list = rc_list_new();
    assert_int_equal(rc_object_equal(a, b), 1);
    for (int64_t i = 0; i < 20; i++)
        set_steal(a, rct_big_int(i), str("v"));
    for (int64_t i = 19; i >= 0; i--) /* other order, equal values */
        set_steal(b, rct_big_int(i), str("v"));
    assert_int_equal(rc_object_equal(a, b), 1);
    assert_int_equal(rc_object_equal(a, list), 0);
    rc_object *k = rct_big_int(7);
    set_steal(b, rc_newref(k), str("w"));
    assert_int_equal(rc_object_equal(a, b), 0);
    assert_status(rc_dict_delete(b, k), RC_OK);
    assert_int_equal(rc_object_equal(a, b), 0); /* sizes differ */
    set_steal(b, rct_big_int(100), str("v"));
    assert_int_equal(rc_object_equal(a, b), 0); /* same size, other key */
    uint64_t hash;
    assert_status(rc_object_hash(a, &hash), RC_ETYPE); /* dicts are unhashable */
    rc_decref(k);
    rc_decref(a);
    rc_decref(b);
    rc_decref(list);
}

/* ---- a client key whose equal slot mutates the dict ----------------------------- */

typedef struct probe_key {
    rc_object base;
    int64_t id;
} probe_key;

static rc_object *mutate_target; /* the dict that probe_equal adds to, once */
static int64_t mutate_count;

static rc_status probe_hash(rc_object *self, uint64_t *out) {
    (void)self;
    *out = 7; /* every probe key collides */
    return RC_OK;
}

static int probe_equal(rc_object *self, rc_object *other) {
    if (mutate_target) {
        /* Adds keys until the table is rebuilt under the lookup's feet. */
        rc_object *d = mutate_target;
        mutate_target = NULL;
        for (int64_t i = 0; i < 50; i++) {
            rc_object *k = rct_big_int(500 + mutate_count++);
            assert_status(rc_dict_set(d, k, k), RC_OK);
            rc_decref(k);
        }
    }
    if (rc_object_type(other) != rc_object_type(self))
        return 0;
    int64_t a = ((probe_key *)self)->id, b = ((probe_key *)other)->id;
    return a < 0 || b < 0 ? RC_EVALUE : a == b;
}

static rc_type probe_type = {
    .name = "probe",
    .basicsize = sizeof(probe_key),
    .hash = probe_hash,
    .equal = probe_equal,
};

static rc_object *new_probe(int64_t id) {
    probe_key *p = (probe_key *)rc_object_new(&probe_type);
    assert_non_null(p);
    p->id = id;
    return &p->base;
}

static void test_client_equal_mutates_dict(void **state) {
    (void)state;
    rc_object *d = new_dict();
    for (int64_t i = 0; i < 4; i++)
        set_steal(d, new_probe(i), rc_int_from_i64(i));
    rc_object *k3 = new_probe(3);
    mutate_target = d;
    assert_int_equal(get_int(d, k3), 3); /* restarted, then found */
    assert_int_equal(rc_dict_size(d), 54);
    mutate_target = d;
    assert_status(rc_dict_delete(d, k3), RC_OK);
    assert_int_equal(rc_dict_size(d), 103);
    mutate_target = d;
    set_steal(d, new_probe(9), rc_int_from_i64(9));
    assert_int_equal(rc_dict_size(d), 154);
    /* An equal slot's failure comes through (as its status: a client type
     * has no way to record a message in the error slot). */
    rc_object *bad = new_probe(-1);
    assert_null(rc_dict_get(d, bad));
    assert_int_equal(rc_dict_contains(d, bad), RC_EVALUE);
    assert_int_equal(rc_dict_set(d, bad, bad), RC_EVALUE);
    assert_int_equal(rc_dict_size(d), 154);
    rc_decref(bad);
    rc_decref(k3);
    rc_decref(d);
}

/* ---- big dicts and allocation failures -------------------------------------------- */

static void test_100k_int_keys(void **state) {
    (void)state;
    enum { N = 100000 };
    rc_object *d = new_dict();
    for (int64_t i = 0; i < N; i++)
        set_steal(d, rc_int_from_i64(i), rc_int_from_i64(i * 2));
    assert_int_equal(rc_dict_size(d), N);
    for (int64_t i = N - 1; i >= 0; i--) {
        rc_object *k = rc_int_from_i64(i);
        assert_int_equal(get_int(d, k), i * 2);
        rc_decref(k);
    }
    for (int64_t i = 0; i < N; i++) {
        rc_object *k = rc_int_from_i64(i);
        assert_status(rc_dict_delete(d, k), RC_OK);
        rc_decref(k);
    }
    assert_int_equal(rc_dict_size(d), 0);
    rc_decref(d);
}

/* Builds a dict of new int and str keys through several resizes, reads it
 * back, deletes some, makes its lists and repr, and frees everything. */
static rc_status build_and_free(void *arg) {
    (void)arg;
    rc_status st = RC_ENOMEM;
    rc_object *d = rc_dict_new(), *k = NULL, *v = NULL, *x = NULL;
    if (!d)
        return RC_ENOMEM;
    for (int64_t i = 0; i < 40; i++) {
        k = i % 2 ? rc_int_from_i64(1000 + i) : rc_str_from_format("key%d", (int)i);
        v = rc_int_from_i64(5000 + i);
        if (!k || !v)
            goto done;
        rc_status s = rc_dict_set(d, k, v);
        if (s != RC_OK) {
            assert_int_equal(rc_dict_size(d), i); /* unchanged */
            st = s;
            goto done;
        }
        rc_clear_ref(&k);
        rc_clear_ref(&v);
    }
    for (int64_t i = 0; i < 40; i += 3) {
        k = rc_int_from_i64(1000 + i);
        if (!k)
            goto done;
        rc_status s = rc_dict_delete(d, k);
        if (s != RC_OK && s != RC_EKEY)
            goto done;
        rc_clear_ref(&k);
    }
    rc_object *(*views[])(rc_object *) = {rc_dict_keys, rc_dict_values, rc_dict_items,
                                          rc_object_repr};
    for (size_t i = 0; i < 4; i++) {
        if (!(x = views[i](d)))
            goto done;
        rc_clear_ref(&x);
    }
    st = RC_OK;
done:
    rc_xdecref(k);
    rc_xdecref(v);
    rc_xdecref(x);
    rc_decref(d);
    return st;
}

static void test_alloc_failures(void **state) {
    (void)state;
    assert_true(rct_sweep_alloc_failures(build_and_free, NULL) > 40);
}

static void test_get_default(void **state) {
    (void)state;
    rc_object *d = rc_dict_new();
    rc_object *k = rc_str_from_cstr("k"), *v = rct_big_int(1), *fb = rct_big_int(2);
    assert_non_null(d);
    assert_status(rc_dict_set(d, k, v), RC_OK);
    rc_object *got = rc_dict_get_default(d, k, fb);
    assert_ptr_equal(got, v); /* a new reference to the value */
    rc_decref(got);
    rc_object *absent = rc_str_from_cstr("absent");
    rc_error_clear();
    got = rc_dict_get_default(d, absent, fb);
    assert_ptr_equal(got, fb); /* a new reference to the default */
    assert_int_equal(rc_error_code(), RC_OK); /* a miss sets no error */
    rc_decref(got);
    rc_object *unhashable = rc_list_new();
    assert_null_error(rc_dict_get_default(d, unhashable, fb), RC_ETYPE);
    assert_null_error(rc_dict_get_default(d, k, NULL), RC_EVALUE);
    assert_null_error(rc_dict_get_default(d, NULL, fb), RC_EVALUE);
    assert_null_error(rc_dict_get_default(unhashable, k, fb), RC_ETYPE);
    rc_decref(unhashable);
    rc_decref(absent);
    rc_decref(k);
    rc_decref(v);
    rc_decref(fb);
    assert_live_objects(3); /* d, and the key and value it holds */
    rc_decref(d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_set_get_delete),
        cmocka_unit_test(test_replace_keeps_order_and_key),
        cmocka_unit_test(test_order_across_deletes_and_resizes),
        cmocka_unit_test(test_colliding_int_hashes),
        cmocka_unit_test(test_int_and_float_are_one_key),
        cmocka_unit_test(test_str_keys),
        cmocka_unit_test(test_tuple_none_bool_keys),
        cmocka_unit_test(test_unhashable_key),
        cmocka_unit_test(test_argument_errors),
        cmocka_unit_test(test_missing_key_messages),
        cmocka_unit_test(test_keys_values_items),
        cmocka_unit_test(test_iteration),
        cmocka_unit_test(test_iteration_detects_key_changes),
        cmocka_unit_test(test_refcounts),
        cmocka_unit_test(test_nested_teardown),
        cmocka_unit_test(test_traverse_and_clear),
        cmocka_unit_test(test_repr),
        cmocka_unit_test(test_equal),
        RCT_SERIAL(test_client_equal_mutates_dict,
                   "its key's equal slot changes a dict through static variables"),
        cmocka_unit_test(test_100k_int_keys),
        cmocka_unit_test(test_get_default),
        RCT_SERIAL(test_alloc_failures, RCT_FAILS_ALLOCATIONS),
    };
    return RCT_RUN_GROUP(tests);
}
