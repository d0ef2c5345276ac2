/*
 * tests/list_test.c -- lists: every operation and every error path,
 * ownership (append borrows, append_steal steals even on failure, pop hands
 * over the list's reference), refcounts returning to where they were,
 * extend from lists, tuples, dicts and the list itself, slicing with
 * Python's clamping, equality, repr, out-of-memory sweeps, and freeing a
 * list nested a million deep with one decref (tuple_test frees a chain ten
 * million long).
 */
#include "tests/support.h"

#include <string.h>
#include <time.h>

static void assert_repr(rc_object *o, const char *expected) {
    rc_object *r = rc_object_repr(o);
    assert_non_null(r);
    assert_string_equal(rc_str_data(r), expected);
    rc_decref(r);
}

/* The int value of l[i]; l[i] must be an int. */
static int64_t item_int(rc_object *l, int64_t i) {
    rc_object *o = rc_list_get(l, i);
    assert_non_null(o);
    int64_t v = rct_int(o);
    rc_decref(o);
    return v;
}

/* A new list of the small ints given (n of them). */
static rc_object *list_of(int n, const int64_t *values) {
    rc_object *l = rc_list_new();
    assert_non_null(l);
    for (int i = 0; i < n; i++)
        assert_status(rc_list_append_steal(l, rc_int_from_i64(values[i])), RC_OK);
    return l;
}

#define LIST_OF(...)                                                                     \
    list_of((int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)),                   \
            (int64_t[]){__VA_ARGS__})

static double seconds_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) +
           (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* ---- basics -------------------------------------------------------------- */

static void test_new_append_get(void **state) {
    (void)state;
    rc_object *l = rc_list_new();
    assert_non_null(l);
    assert_true(rc_list_check(l));
    assert_false(rc_list_check(NULL));
    assert_int_equal(rc_list_size(l), 0);
    for (int64_t i = 0; i < 100; i++)
        assert_status(rc_list_append_steal(l, rc_int_from_i64(i)), RC_OK);
    assert_int_equal(rc_list_size(l), 100);
    for (int64_t i = 0; i < 100; i++) {
        assert_int_equal(item_int(l, i), i);
        assert_int_equal(item_int(l, i - 100), i); /* negative indexes */
    }
    rc_decref(l);
}

static void test_append_borrows_and_pop_hands_over(void **state) {
    (void)state;
    rc_object *l = rc_list_new();
    rc_object *big = rct_big_int(1);
    assert_int_equal(rc_refcount(big), 1);
    assert_status(rc_list_append(l, big), RC_OK);
    assert_status(rc_list_append(l, big), RC_OK);
    assert_int_equal(rc_refcount(big), 3);

    rc_object *got = rc_list_get(l, 0); /* a new reference */
    assert_ptr_equal(got, big);
    assert_int_equal(rc_refcount(big), 4);
    rc_decref(got);

    rc_object *popped = rc_list_pop(l, -1); /* the list's own reference */
    assert_ptr_equal(popped, big);
    assert_int_equal(rc_refcount(big), 3);
    assert_int_equal(rc_list_size(l), 1);
    rc_decref(popped);
    assert_int_equal(rc_refcount(big), 2);

    rc_decref(l);
    assert_int_equal(rc_refcount(big), 1);
    rc_decref(big);
}

static void test_append_steal_steals(void **state) {
    (void)state;
    rc_object *l = rc_list_new();
    rc_object *big = rct_big_int(2);
    assert_status(rc_list_append_steal(l, rc_newref(big)), RC_OK);
    assert_int_equal(rc_refcount(big), 2);
    /* On failure too: the wrong-type and NULL-list errors consume it. */
    rc_object *not_list = rct_big_int(3);
    assert_status(rc_list_append_steal(not_list, rc_newref(big)), RC_ETYPE);
    assert_status(rc_list_append_steal(NULL, rc_newref(big)), RC_EVALUE);
    assert_int_equal(rc_refcount(big), 2);
    assert_status(rc_list_append_steal(l, NULL), RC_EVALUE);
    assert_int_equal(rc_list_size(l), 1);
    rc_decref(not_list);
    rc_decref(l);
    assert_int_equal(rc_refcount(big), 1);
    rc_decref(big);
}

static void test_append_steal_steals_on_enomem(void **state) {
    (void)state;
    rc_object *l = rc_list_new();
    for (int64_t i = 0; i < 4; i++) /* fills the first array exactly */
        assert_status(rc_list_append_steal(l, rc_int_from_i64(i)), RC_OK);
    rc_object *big = rct_big_int(4);
    int64_t live = rc_live_objects();

    rc_testing_fail_alloc_after(1); /* the growth of the array */
    assert_status(rc_list_append_steal(l, rc_newref(big)), RC_ENOMEM);
    rc_testing_fail_alloc_after(0);
    assert_int_equal(rc_refcount(big), 1);
    assert_int_equal(rc_list_size(l), 4);
    assert_live_objects(live);

    rc_testing_fail_alloc_after(1);
    assert_status(rc_list_append(l, big), RC_ENOMEM); /* borrows: nothing taken */
    rc_testing_fail_alloc_after(0);
    assert_int_equal(rc_refcount(big), 1);
    assert_int_equal(rc_list_size(l), 4);
    for (int64_t i = 0; i < 4; i++)
        assert_int_equal(item_int(l, i), i);

    rc_decref(big); /* freed here: the list never held it */
    assert_live_objects(live - 1);
    rc_decref(l);
}

static void test_argument_errors(void **state) {
    (void)state;
    rc_object *l = rc_list_new();
    rc_object *i = rct_big_int(1);
    assert_status(rc_list_append(i, i), RC_ETYPE);
    assert_non_null(
        strstr(rc_error_message(), "rc_list_append: expected a list, got int"));
    assert_status(rc_list_append(NULL, i), RC_EVALUE);
    assert_status(rc_list_append(l, NULL), RC_EVALUE);
    assert_status(rc_list_insert(i, 0, i), RC_ETYPE);
    assert_status(rc_list_insert(l, 0, NULL), RC_EVALUE);
    assert_status(rc_list_set(i, 0, i), RC_ETYPE);
    assert_status(rc_list_set(l, 0, NULL), RC_EVALUE);
    assert_status(rc_list_extend(i, l), RC_ETYPE);
    assert_status(rc_list_extend(NULL, l), RC_EVALUE);
    assert_status(rc_list_extend(l, NULL), RC_EVALUE);
    assert_status(rc_list_extend(l, i), RC_ETYPE);
    assert_non_null(strstr(rc_error_message(), "got int"));
    assert_null_error(rc_list_get(i, 0), RC_ETYPE);
    assert_null_error(rc_list_get(NULL, 0), RC_EVALUE);
    assert_null_error(rc_list_pop(i, 0), RC_ETYPE);
    assert_null_error(rc_list_slice(i, 0, 1), RC_ETYPE);
    assert_null_error(rc_list_slice(NULL, 0, 1), RC_EVALUE);
    rc_error_clear();
    assert_int_equal(rc_list_size(i), RC_ETYPE); /* a status, not -1 (RC_ENOMEM) */
    assert_int_equal(rc_error_code(), RC_ETYPE);
    rc_error_clear();
    assert_int_equal(rc_list_size(NULL), RC_EVALUE);
    assert_int_equal(rc_error_code(), RC_EVALUE);
    assert_int_equal(rc_refcount(i), 1);
    assert_int_equal(rc_list_size(l), 0);
    rc_decref(i);
    rc_decref(l);
}

static void test_index_errors(void **state) {
    (void)state;
    rc_object *l = LIST_OF(10, 20, 30);
    rc_object *x = rct_big_int(5);
    assert_null_error(rc_list_get(l, 3), RC_EINDEX);
    assert_null_error(rc_list_get(l, -4), RC_EINDEX);
    assert_null_error(rc_list_get(l, INT64_MIN), RC_EINDEX);
    assert_status(rc_list_set(l, 3, x), RC_EINDEX);
    assert_status(rc_list_set(l, -4, x), RC_EINDEX);
    assert_null_error(rc_list_pop(l, 3), RC_EINDEX);
    assert_null_error(rc_list_pop(l, INT64_MAX), RC_EINDEX);
    assert_int_equal(rc_refcount(x), 1);
    assert_int_equal(rc_list_size(l), 3);
    rc_object *empty = rc_list_new();
    assert_null_error(rc_list_pop(empty, 0), RC_EINDEX);
    assert_null_error(rc_list_pop(empty, -1), RC_EINDEX);
    assert_null_error(rc_list_get(empty, 0), RC_EINDEX);
    rc_decref(empty);
    rc_decref(x);
    rc_decref(l);
}

/* ---- insert, set, pop ---------------------------------------------------- */

static void test_insert_clamps(void **state) {
    (void)state;
    rc_object *l = rc_list_new();
    rc_object *v[6];
    for (int i = 0; i < 6; i++)
        v[i] = rc_int_from_i64(i);
    assert_status(rc_list_insert(l, 0, v[2]), RC_OK);         /* [2] */
    assert_status(rc_list_insert(l, 100, v[4]), RC_OK);       /* [2, 4] */
    assert_status(rc_list_insert(l, -100, v[0]), RC_OK);      /* [0, 2, 4] */
    assert_status(rc_list_insert(l, 1, v[1]), RC_OK);         /* [0, 1, 2, 4] */
    assert_status(rc_list_insert(l, -1, v[3]), RC_OK);        /* [0, 1, 2, 3, 4] */
    assert_status(rc_list_insert(l, INT64_MAX, v[5]), RC_OK); /* [..., 5] */
    assert_int_equal(rc_list_size(l), 6);
    for (int64_t i = 0; i < 6; i++)
        assert_int_equal(item_int(l, i), i);
    rc_object *big = rct_big_int(9);
    for (int i = 0; i < 20; i++) /* through several growths */
        assert_status(rc_list_insert(l, 3, big), RC_OK);
    assert_int_equal(rc_refcount(big), 21);
    assert_int_equal(item_int(l, 2), 2);
    assert_int_equal(item_int(l, 23), 3);
    rc_decref(l);
    assert_int_equal(rc_refcount(big), 1);
    rc_decref(big);
}

static void test_insert_enomem_leaves_list_unchanged(void **state) {
    (void)state;
    rc_object *l = LIST_OF(0, 1, 2, 3);
    rc_object *big = rct_big_int(1);
    rc_testing_fail_alloc_after(1);
    assert_status(rc_list_insert(l, 0, big), RC_ENOMEM);
    rc_testing_fail_alloc_after(0);
    assert_int_equal(rc_refcount(big), 1);
    assert_int_equal(rc_list_size(l), 4);
    for (int64_t i = 0; i < 4; i++)
        assert_int_equal(item_int(l, i), i);
    rc_decref(big);
    rc_decref(l);
}

static void test_set_replaces_and_drops_old(void **state) {
    (void)state;
    rc_object *l = rc_list_new();
    rc_object *a = rct_big_int(1), *b = rct_big_int(2);
    assert_status(rc_list_append(l, a), RC_OK);
    assert_status(rc_list_set(l, 0, b), RC_OK);
    assert_int_equal(rc_refcount(a), 1);
    assert_int_equal(rc_refcount(b), 2);
    assert_status(rc_list_set(l, -1, b), RC_OK); /* same object again */
    assert_int_equal(rc_refcount(b), 2);
    /* The old item's last reference goes: it is freed by set. */
    assert_status(rc_list_append_steal(l, rct_big_int(3)), RC_OK);
    int64_t live = rc_live_objects();
    assert_status(rc_list_set(l, 1, a), RC_OK);
    assert_live_objects(live - 1);
    rc_decref(l);
    rc_decref(a);
    rc_decref(b);
}

static void test_pop_positions(void **state) {
    (void)state;
    rc_object *l = LIST_OF(0, 1, 2, 3, 4);
    rc_object *o = rc_list_pop(l, 0);
    assert_int_equal(rct_int(o), 0);
    o = rc_list_pop(l, -1);
    assert_int_equal(rct_int(o), 4);
    o = rc_list_pop(l, 1);
    assert_int_equal(rct_int(o), 2);
    assert_int_equal(rc_list_size(l), 2);
    assert_int_equal(item_int(l, 0), 1);
    assert_int_equal(item_int(l, 1), 3);
    /* Popping everything, then appending again. */
    rc_decref(rc_list_pop(l, 0));
    rc_decref(rc_list_pop(l, 0));
    assert_int_equal(rc_list_size(l), 0);
    assert_status(rc_list_append_steal(l, rct_big_int(1)), RC_OK);
    assert_int_equal(rc_list_size(l), 1);
    rc_decref(l);
}

static void test_refcounts_return(void **state) {
    (void)state;
    rc_object *big = rct_big_int(42);
    rc_object *l = rc_list_new();
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 1000; i++)
            assert_status(rc_list_append(l, big), RC_OK);
        assert_int_equal(rc_refcount(big), 1001);
        while (rc_list_size(l) > 0)
            rc_decref(rc_list_pop(l, -1));
        assert_int_equal(rc_refcount(big), 1);
    }
    rc_decref(l);
    assert_int_equal(rc_refcount(big), 1);
    rc_decref(big);
}

/* ---- extend -------------------------------------------------------------- */

static void test_extend_from_list_and_tuple(void **state) {
    (void)state;
    rc_object *l = LIST_OF(1, 2);
    rc_object *src = LIST_OF(3, 4);
    rc_object *big = rct_big_int(5);
    rc_object *t = rc_tuple_pack(2, big, big);
    assert_status(rc_list_extend(l, src), RC_OK);
    assert_status(rc_list_extend(l, t), RC_OK);
    assert_int_equal(rc_list_size(l), 6);
    assert_int_equal(rc_list_size(src), 2); /* the source is unchanged */
    for (int64_t i = 0; i < 4; i++)
        assert_int_equal(item_int(l, i), i + 1);
    assert_int_equal(rc_refcount(big), 5); /* big, t twice, l twice */
    rc_object *empty = rc_tuple_new(0);
    assert_status(rc_list_extend(l, empty), RC_OK);
    rc_object *empty_list = rc_list_new();
    assert_status(rc_list_extend(empty_list, empty_list), RC_OK);
    assert_status(rc_list_extend(l, empty_list), RC_OK);
    assert_int_equal(rc_list_size(l), 6);
    /* A tuple still being built (an empty slot) is refused. */
    rc_object *partial = rc_tuple_new(1);
    assert_status(rc_list_extend(l, partial), RC_EVALUE);
    assert_int_equal(rc_list_size(l), 6);
    rc_object *objs[] = {partial, empty_list, empty, t, src, l};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(objs[i]);
    assert_int_equal(rc_refcount(big), 1);
    rc_decref(big);
}

static void test_extend_with_itself(void **state) {
    (void)state;
    rc_object *l = LIST_OF(0, 1, 2, 3); /* exactly full: extend must grow */
    assert_status(rc_list_extend(l, l), RC_OK);
    assert_int_equal(rc_list_size(l), 8);
    for (int64_t i = 0; i < 8; i++)
        assert_int_equal(item_int(l, i), i % 4);
    rc_object *big = rct_big_int(1);
    rc_object *m = rc_list_new();
    assert_status(rc_list_append(m, big), RC_OK);
    for (int i = 0; i < 10; i++)
        assert_status(rc_list_extend(m, m), RC_OK);
    assert_int_equal(rc_list_size(m), 1024);
    assert_int_equal(rc_refcount(big), 1025);
    rc_decref(m);
    assert_int_equal(rc_refcount(big), 1);
    rc_decref(big);
    rc_decref(l);
}

static void test_extend_from_dict_keys(void **state) {
    (void)state;
    rc_object *d = rc_dict_new();
    rc_object *ka = rc_str_from_cstr("a"), *kb = rct_big_int(2);
    assert_status(rc_dict_set(d, ka, rc_none()), RC_OK);
    assert_status(rc_dict_set(d, kb, rc_none()), RC_OK);
    rc_object *l = LIST_OF(0);
    assert_status(rc_list_extend(l, d), RC_OK);
    assert_int_equal(rc_list_size(l), 3);
    rc_object *o = rc_list_get(l, 1);
    assert_ptr_equal(o, ka); /* insertion order, the key objects themselves */
    rc_decref(o);
    o = rc_list_get(l, 2);
    assert_ptr_equal(o, kb);
    rc_decref(o);
    assert_int_equal(rc_refcount(ka), 3); /* ours, the dict's, the list's */
    rc_object *empty = rc_dict_new();
    assert_status(rc_list_extend(l, empty), RC_OK);
    assert_int_equal(rc_list_size(l), 3);
    rc_decref(empty);
    rc_decref(l);
    rc_decref(d);
    assert_int_equal(rc_refcount(ka), 1);
    rc_decref(ka);
    rc_decref(kb);
}

/* Every allocation of extend may fail; the list must then be unchanged. */
static void test_extend_enomem_leaves_list_unchanged(void **state) {
    (void)state;
    rc_object *src_list = LIST_OF(7, 8, 9);
    rc_object *src_tuple = rc_tuple_pack(1, rc_none());
    rc_object *src_dict = rc_dict_new();
    rc_object *key = rct_big_int(1);
    assert_status(rc_dict_set(src_dict, key, key), RC_OK);
    rc_object *sources[] = {src_list, src_tuple, src_dict, NULL};
    for (int s = 0; s < 4; s++) {
        for (int64_t n = 1;; n++) {
            rc_object *l = LIST_OF(0, 1, 2, 3);
            rc_object *src = sources[s] ? sources[s] : l; /* the last: l itself */
            int64_t live = rc_live_objects();
            rc_error_clear();
            rc_testing_fail_alloc_after(n);
            rc_status st = rc_list_extend(l, src);
            int64_t left = rc_testing_alloc_countdown();
            rc_testing_fail_alloc_after(0);
            assert_live_objects(live);
            if (st != RC_OK) {
                assert_int_equal(st, RC_ENOMEM);
                assert_int_equal(rc_error_code(), RC_ENOMEM);
                assert_int_equal(rc_list_size(l), 4);
                for (int64_t i = 0; i < 4; i++)
                    assert_int_equal(item_int(l, i), i);
            }
            rc_decref(l);
            if (left > 0) {
                assert_int_equal(st, RC_OK);
                break;
            }
        }
    }
    assert_int_equal(rc_refcount(key), 3);
    rc_decref(src_dict);
    rc_decref(key);
    rc_decref(src_tuple);
    rc_decref(src_list);
}

/* ---- slice --------------------------------------------------------------- */

/* l[start:stop] as a C array of ints compared with expected. */
static void assert_slice(rc_object *l, int64_t start, int64_t stop, int n,
                         const int64_t *expected) {
    rc_object *s = rc_list_slice(l, start, stop);
    assert_non_null(s);
    assert_int_equal(rc_list_size(s), n);
    for (int i = 0; i < n; i++)
        assert_int_equal(item_int(s, i), expected[i]);
    rc_decref(s);
}

static void test_slice_clamping(void **state) {
    (void)state;
    rc_object *l = LIST_OF(0, 1, 2, 3, 4);
    assert_slice(l, 0, 5, 5, (int64_t[]){0, 1, 2, 3, 4});
    assert_slice(l, 1, 3, 2, (int64_t[]){1, 2});
    assert_slice(l, -2, 100, 2, (int64_t[]){3, 4});
    assert_slice(l, -100, 2, 2, (int64_t[]){0, 1});
    assert_slice(l, 1, -1, 3, (int64_t[]){1, 2, 3});
    assert_slice(l, INT64_MIN, INT64_MAX, 5, (int64_t[]){0, 1, 2, 3, 4});
    assert_slice(l, 3, 1, 0, NULL); /* empty range */
    assert_slice(l, 5, 9, 0, NULL); /* past the end */
    assert_slice(l, -1, -2, 0, NULL);
    rc_object *empty = rc_list_new();
    assert_slice(empty, 0, 10, 0, NULL);
    assert_slice(empty, -1, 1, 0, NULL);
    rc_decref(empty);
    rc_decref(l);
}

static void test_slice_shares_items(void **state) {
    (void)state;
    rc_object *big = rct_big_int(3);
    rc_object *l = rc_list_new();
    for (int i = 0; i < 3; i++)
        assert_status(rc_list_append(l, big), RC_OK);
    rc_object *s = rc_list_slice(l, 1, 3);
    assert_int_equal(rc_refcount(big), 6);
    assert_status(rc_list_append(s, big), RC_OK); /* the slice is a new list */
    assert_int_equal(rc_list_size(l), 3);
    rc_decref(l);
    assert_int_equal(rc_refcount(big), 4);
    rc_decref(s);
    assert_int_equal(rc_refcount(big), 1);
    rc_decref(big);
}

/* ---- equality and repr --------------------------------------------------- */

static void test_equal(void **state) {
    (void)state;
    rc_object *a = LIST_OF(1, 2, 3), *b = LIST_OF(1, 2, 3), *c = LIST_OF(1, 2);
    rc_object *d = LIST_OF(1, 2, 4);
    assert_int_equal(rc_object_equal(a, b), 1);
    assert_int_equal(rc_object_equal(a, a), 1);
    assert_int_equal(rc_object_equal(a, c), 0);
    assert_int_equal(rc_object_equal(c, a), 0);
    assert_int_equal(rc_object_equal(a, d), 0);
    rc_object *t = rc_tuple_new(0), *e = rc_list_new();
    assert_int_equal(rc_object_equal(e, t), 0); /* a tuple is never a list */
    assert_int_equal(rc_object_equal(t, e), 0);
    /* Nested and mixed numbers: [1.0, [2]] == [1, [2]]. */
    rc_object *n1 = rc_list_new(), *n2 = rc_list_new();
    rc_object *f = rc_float_from_double(1.0), *two = LIST_OF(2), *two2 = LIST_OF(2);
    assert_status(rc_list_append(n1, f), RC_OK);
    assert_status(rc_list_append(n1, two), RC_OK);
    assert_status(rc_list_append_steal(n2, rc_int_from_i64(1)), RC_OK);
    assert_status(rc_list_append(n2, two2), RC_OK);
    assert_int_equal(rc_object_equal(n1, n2), 1);
    rc_object *objs[] = {a, b, c, d, t, e, n1, n2, f, two, two2};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(objs[i]);
}

static void test_unhashable(void **state) {
    (void)state;
    rc_object *l = rc_list_new();
    uint64_t h;
    assert_status(rc_object_hash(l, &h), RC_ETYPE);
    assert_true(rc_list_type.flags & RC_TYPE_GC);
    rc_decref(l);
}

static void test_repr(void **state) {
    (void)state;
    rc_object *l = rc_list_new();
    assert_repr(l, "[]");
    assert_status(rc_list_append_steal(l, rc_int_from_i64(1)), RC_OK);
    assert_repr(l, "[1]");
    assert_status(rc_list_append_steal(l, rc_str_from_cstr("a")), RC_OK);
    assert_repr(l, "[1, 'a']");
    rc_object *t = rc_tuple_pack(1, rc_none());
    assert_status(rc_list_append_steal(l, t), RC_OK);
    rc_object *inner = rc_list_new();
    assert_status(rc_list_append_steal(l, inner), RC_OK);
    assert_repr(l, "[1, 'a', (None,), []]");
    /* A list holding itself prints "[...]" instead of recursing forever. */
    assert_status(rc_list_append(inner, l), RC_OK);
    assert_repr(l, "[1, 'a', (None,), [[...]]]");
    assert_repr(inner, "[[1, 'a', (None,), [...]]]");
    /* Break the cycle (there is no collector to do it here). */
    rc_decref(rc_list_pop(inner, 0));
    rc_decref(l);
}

/* ---- the collector's slots ----------------------------------------------- */

static int count_visit(rc_object *child, void *arg) {
    (void)child;
    ++*(int *)arg;
    return 0;
}

static void test_traverse_and_clear(void **state) {
    (void)state;
    rc_object *big = rct_big_int(1);
    rc_object *l = rc_list_new();
    for (int i = 0; i < 5; i++)
        assert_status(rc_list_append(l, big), RC_OK);
    int n = 0;
    assert_int_equal(rc_object_traverse(l, count_visit, &n), 0);
    assert_int_equal(n, 5);
    /* clear empties the list and drops its references; it stays usable. */
    rc_list_type.clear(l);
    assert_int_equal(rc_refcount(big), 1);
    assert_int_equal(rc_list_size(l), 0);
    assert_status(rc_list_append(l, big), RC_OK);
    assert_int_equal(rc_list_size(l), 1);
    rc_decref(l);
    rc_decref(big);
}

/* ---- out of memory ------------------------------------------------------- */

/* Builds a list of new ints and strs, a tuple, extends, slices, inserts,
 * reprs, then frees all it made. Any allocation may fail. */
static rc_status build_lists(void *arg) {
    (void)arg;
    rc_status st = RC_ENOMEM;
    rc_object *l = NULL, *t = NULL, *s = NULL, *r = NULL, *item = NULL;
    if (!(l = rc_list_new()))
        goto done;
    for (int64_t i = 0; i < 6; i++) {
        rc_object *o =
            i % 2 ? rc_str_from_format("s%lld", (long long)i) : rc_int_from_i64(7000 + i);
        if (!o || rc_list_append_steal(l, o) != RC_OK) /* o is stolen either way */
            goto done;
    }
    if (!(item = rc_int_from_i64(9000)) || rc_list_insert(l, 2, item) != RC_OK)
        goto done;
    rc_clear_ref(&item);
    if (!(t = rc_tuple_pack(2, l, l)))
        goto done;
    if (rc_list_extend(l, t) != RC_OK || rc_list_extend(l, l) != RC_OK)
        goto done;
    if (!(s = rc_list_slice(l, 1, -1)) || rc_list_extend(s, l) != RC_OK)
        goto done;
    if (!(r = rc_object_repr(t)))
        goto done;
    st = RC_OK;
done:
    /* l holds t, which holds l: break the cycle before freeing. */
    if (l)
        rc_list_type.clear(l);
    rc_object *objs[] = {item, r, s, t, l};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_xdecref(objs[i]);
    return st;
}

static void test_alloc_failure_sweep(void **state) {
    (void)state;
    int points = rct_sweep_alloc_failures(build_lists, NULL);
    assert_true(points >= 15);
}

/* ---- deep structures ----------------------------------------------------- */

/* A list nested a million deep, each list holding the next: one decref
 * frees it through the dealloc work list, with no recursion. */
static void test_deep_nesting_dealloc(void **state) {
    (void)state;
    const int64_t depth = 1000 * 1000;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    rc_object *inner = rc_list_new();
    for (int64_t i = 0; i < depth; i++) {
        rc_object *outer = rc_list_new();
        assert_non_null(outer);
        assert_status(rc_list_append_steal(outer, inner), RC_OK);
        inner = outer;
    }
    double built = seconds_since(&start);
    assert_live_objects(depth + 1);
    clock_gettime(CLOCK_MONOTONIC, &start);
    rc_decref(inner);
    double freed = seconds_since(&start);
    assert_live_objects(0);
    print_message("deep list nesting (%lld): built in %.2f s, freed in %.2f s\n",
                  (long long)depth, built, freed);
}

/* A wide list whose items all die with it: the work list grows to hold
 * them, and nothing leaks. */
static void test_wide_list_dealloc(void **state) {
    (void)state;
    rc_object *l = rc_list_new();
    for (int64_t i = 0; i < 100000; i++)
        assert_status(rc_list_append_steal(l, rc_list_new()), RC_OK);
    assert_live_objects(100001);
    rc_decref(l);
    assert_live_objects(0);
}

/* ---- remove ---------------------------------------------------------------- */

static void test_remove_first_equal(void **state) {
    (void)state;
    rc_object *l = LIST_OF(1, 2, 3, 2);
    rc_object *two = rc_float_from_double(2.0); /* equal to the int 2 */
    assert_status(rc_list_remove(l, two), RC_OK);
    rc_decref(two);
    assert_int_equal(rc_list_size(l), 3);
    assert_int_equal(item_int(l, 0), 1);
    assert_int_equal(item_int(l, 1), 3);
    assert_int_equal(item_int(l, 2), 2); /* the later 2 stays */
    rc_object *big = rct_big_int(5);
    assert_status(rc_list_append(l, big), RC_OK);
    assert_status(rc_list_remove(l, big), RC_OK); /* the list's reference dropped */
    assert_status(rc_list_remove(l, big), RC_EKEY);
    assert_non_null(strstr(rc_error_message(), "rc_list_remove"));
    assert_non_null(strstr(rc_error_message(), "1000005"));
    rc_decref(big);
    assert_live_objects(1);
    assert_status(rc_list_remove(l, NULL), RC_EVALUE);
    rc_object *none = rc_none();
    assert_status(rc_list_remove(none, none), RC_ETYPE);
    rc_decref(none);
    rc_object *empty = rc_list_new();
    rc_object *one = rc_int_from_i64(1);
    assert_status(rc_list_remove(empty, one), RC_EKEY);
    rc_decref(one);
    rc_decref(empty);
    rc_decref(l);
}

/* An item whose equality fails, or changes the list it is in. */
typedef struct probe {
    rc_object base;
    rc_object *list; /* borrowed */
    int mode;        /* PROBE_* */
} probe;

enum { PROBE_FAIL = 1, PROBE_INSERT_ONCE, PROBE_PLAIN };

static int probe_equal(rc_object *self, rc_object *other) {
    probe *p = (probe *)self;
    (void)other;
    if (p->mode == PROBE_FAIL)
        return rc_error_set(RC_EVALUE, "probe: comparison failed");
    if (p->mode == PROBE_INSERT_ONCE) {
        p->mode = PROBE_PLAIN;
        rc_object *nine = rc_int_from_i64(9);
        rc_status st = rc_list_insert(p->list, 0, nine); /* shifts the probe */
        rc_decref(nine);
        return st == RC_OK ? 1 : st; /* claims equal, once */
    }
    return 0;
}

static rc_type probe_type = {.name = "probe",
                             .basicsize = sizeof(probe),
                             .instance_size = rc_fixed_instance_size,
                             .equal = probe_equal};

static void test_remove_equality_error_leaves_list(void **state) {
    (void)state;
    rc_object *l = LIST_OF(1);
    probe *p = (probe *)rc_object_new(&probe_type);
    assert_non_null(p);
    p->mode = PROBE_FAIL;
    assert_status(rc_list_insert(l, 0, &p->base), RC_OK);
    rc_object *five = rc_int_from_i64(5);
    assert_status(rc_list_remove(l, five), RC_EVALUE);
    assert_int_equal(rc_list_size(l), 2);
    rc_decref(five);
    rc_decref(&p->base);
    rc_decref(l);
}

/* The probe claims equality after changing the list: the removal finds its
 * slot changed and searches again, and removes the real match. */
static void test_remove_searches_again_when_list_changes(void **state) {
    (void)state;
    rc_object *l = LIST_OF(5);
    probe *p = (probe *)rc_object_new(&probe_type);
    assert_non_null(p);
    p->list = l;
    p->mode = PROBE_INSERT_ONCE;
    assert_status(rc_list_insert(l, 0, &p->base), RC_OK); /* [probe, 5] */
    rc_object *five = rc_int_from_i64(5);
    assert_status(rc_list_remove(l, five), RC_OK);
    rc_decref(five);
    assert_int_equal(rc_list_size(l), 2); /* [9, probe] */
    assert_int_equal(item_int(l, 0), 9);
    rc_object *second = rc_list_get(l, 1);
    assert_ptr_equal(second, &p->base);
    rc_decref(second);
    rc_decref(&p->base);
    rc_decref(l);
}

/* ---- sort -------------------------------------------------------------------- */

typedef struct sort_ctx {
    int64_t divisor; /* compare value / divisor */
    int calls;
    int fail_at;         /* the call that fails (0: none) */
    rc_object *append_to; /* appended to at the first call (NULL: none) */
} sort_ctx;

static int int_less(rc_object *a, rc_object *b, void *arg) {
    sort_ctx *c = arg;
    c->calls++;
    if (c->fail_at && c->calls == c->fail_at)
        return rc_error_set(RC_EVALUE, "int_less: failing as asked");
    if (c->append_to && c->calls == 1) {
        rc_status st = rc_list_append_steal(c->append_to, rc_int_from_i64(-1));
        if (st != RC_OK)
            return st;
    }
    return rct_int(a) / c->divisor < rct_int(b) / c->divisor;
}

/* The values of l, n of them, equal those given. */
static void assert_items(rc_object *l, int n, const int64_t *expected) {
    assert_int_equal(rc_list_size(l), n);
    for (int i = 0; i < n; i++)
        assert_int_equal(item_int(l, i), expected[i]);
}

static void test_sort_orders_and_is_stable(void **state) {
    (void)state;
    rc_object *l = LIST_OF(35, 12, 31, 18, 33, 10, 2);
    sort_ctx by_value = {.divisor = 1};
    assert_status(rc_list_sort(l, int_less, &by_value), RC_OK);
    assert_items(l, 7, (int64_t[]){2, 10, 12, 18, 31, 33, 35});
    rc_decref(l);

    /* By tens: equal keys keep their order. */
    l = LIST_OF(35, 12, 31, 18, 33, 10, 2);
    sort_ctx by_tens = {.divisor = 10};
    assert_status(rc_list_sort(l, int_less, &by_tens), RC_OK);
    assert_items(l, 7, (int64_t[]){2, 12, 18, 10, 35, 31, 33});
    rc_decref(l);

    /* A longer one, from a fixed generator; big ints, so counts matter. */
    l = rc_list_new();
    assert_non_null(l);
    uint32_t x = 12345;
    for (int i = 0; i < 1000; i++) {
        x = x * 1103515245u + 12345u;
        assert_status(rc_list_append_steal(l, rct_big_int((int64_t)(x >> 16) % 500)), RC_OK);
    }
    assert_live_objects(1001);
    sort_ctx ctx = {.divisor = 1};
    assert_status(rc_list_sort(l, int_less, &ctx), RC_OK);
    assert_live_objects(1001);
    for (int64_t i = 1; i < 1000; i++)
        assert_true(item_int(l, i - 1) <= item_int(l, i));
    assert_true(ctx.calls <= 1000 * 10); /* n log2 n */
    rc_decref(l);

    /* Nothing to compare. */
    l = LIST_OF(7);
    sort_ctx none = {.divisor = 1};
    assert_status(rc_list_sort(l, int_less, &none), RC_OK);
    assert_int_equal(none.calls, 0);
    rc_decref(l);
}

static void test_sort_errors_leave_list(void **state) {
    (void)state;
    const int64_t before[] = {5, 3, 9, 1, 7, 2};
    rc_object *l = list_of(6, before);
    for (int fail_at = 1; fail_at <= 8; fail_at++) {
        sort_ctx c = {.divisor = 1, .fail_at = fail_at};
        assert_status(rc_list_sort(l, int_less, &c), RC_EVALUE);
        assert_items(l, 6, before); /* as it was */
    }
    assert_status(rc_list_sort(l, NULL, NULL), RC_EVALUE);
    rc_object *t = rc_tuple_new(0);
    sort_ctx c = {.divisor = 1};
    assert_status(rc_list_sort(t, int_less, &c), RC_ETYPE);
    rc_decref(t);

    /* The comparison changes the list: RC_ECHANGED, and the sort wrote
     * nothing (the list is as the comparison left it). */
    sort_ctx changing = {.divisor = 1, .append_to = l};
    assert_status(rc_list_sort(l, int_less, &changing), RC_ECHANGED);
    assert_items(l, 7, (int64_t[]){5, 3, 9, 1, 7, 2, -1});
    rc_decref(l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_append_get),
        cmocka_unit_test(test_append_borrows_and_pop_hands_over),
        cmocka_unit_test(test_append_steal_steals),
        RCT_SERIAL(test_append_steal_steals_on_enomem, RCT_FAILS_ALLOCATIONS),
        cmocka_unit_test(test_argument_errors),
        cmocka_unit_test(test_index_errors),
        cmocka_unit_test(test_insert_clamps),
        RCT_SERIAL(test_insert_enomem_leaves_list_unchanged, RCT_FAILS_ALLOCATIONS),
        cmocka_unit_test(test_set_replaces_and_drops_old),
        cmocka_unit_test(test_pop_positions),
        cmocka_unit_test(test_refcounts_return),
        cmocka_unit_test(test_extend_from_list_and_tuple),
        cmocka_unit_test(test_extend_with_itself),
        cmocka_unit_test(test_extend_from_dict_keys),
        RCT_SERIAL(test_extend_enomem_leaves_list_unchanged, RCT_FAILS_ALLOCATIONS),
        cmocka_unit_test(test_slice_clamping),
        cmocka_unit_test(test_slice_shares_items),
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_unhashable),
        cmocka_unit_test(test_repr),
        cmocka_unit_test(test_traverse_and_clear),
        RCT_SERIAL(test_alloc_failure_sweep, RCT_FAILS_ALLOCATIONS),
        RCT_SERIAL(test_deep_nesting_dealloc,
                   "a million objects: four copies at once only multiply memory and time"),
        cmocka_unit_test(test_wide_list_dealloc),
        cmocka_unit_test(test_remove_first_equal),
        cmocka_unit_test(test_remove_equality_error_leaves_list),
        cmocka_unit_test(test_remove_searches_again_when_list_changes),
        cmocka_unit_test(test_sort_orders_and_is_stable),
        cmocka_unit_test(test_sort_errors_leave_list),
    };
    return RCT_RUN_GROUP(tests);
}
