/*
 * tests/set_test.c -- sets: add, discard, contains, size, iteration through
 * rc_iter, equality, repr, ownership and live counts, growth past many
 * table rebuilds, and every error path. Keys behave as a dict's (the set is
 * built on the dict's table): 1 and 1.0 are one element, unhashable keys
 * are refused. Its *_parallel_<variant> targets run each body in 4 threads
 * at once, each on sets of its own.
 */
#include "tests/support.h"

#include <string.h>

static void assert_repr(rc_object *o, const char *expected) {
    rc_object *r = rc_object_repr(o);
    assert_non_null(r);
    assert_string_equal(rc_str_data(r), expected);
    rc_decref(r);
}

static void test_add_contains_discard(void **state) {
    (void)state;
    rc_object *s = rc_set_new();
    assert_non_null(s);
    assert_true(rc_set_check(s));
    assert_false(rc_set_check(NULL));
    assert_int_equal(rc_set_size(s), 0);
    rc_object *one = rc_int_from_i64(1), *one_f = rc_float_from_double(1.0);
    rc_object *big = rct_big_int(7);
    assert_status(rc_set_add(s, one), RC_OK);
    assert_status(rc_set_add(s, one_f), RC_OK); /* equal to 1: not added */
    assert_status(rc_set_add(s, big), RC_OK);
    assert_status(rc_set_add(s, big), RC_OK);
    assert_int_equal(rc_set_size(s), 2);
    assert_int_equal(rc_set_contains(s, one_f), 1);
    assert_int_equal(rc_set_contains(s, big), 1);
    rc_object *two = rc_int_from_i64(2);
    assert_int_equal(rc_set_contains(s, two), 0);
    assert_int_equal(rc_set_discard(s, two), 0); /* absent: no error */
    assert_int_equal(rc_set_discard(s, one_f), 1);
    assert_int_equal(rc_set_contains(s, one), 0);
    assert_int_equal(rc_set_size(s), 1);
    assert_live_objects(3); /* s, big, one_f */
    rc_decref(big);
    assert_live_objects(3); /* the set holds big */
    assert_int_equal(rc_set_discard(s, one_f), 0);
    rc_decref(two);
    rc_decref(one);
    rc_decref(one_f);
    rc_decref(s); /* drops big */
    assert_live_objects(0);
}

static void test_errors(void **state) {
    (void)state;
    rc_object *s = rc_set_new(), *d = rc_dict_new(), *l = rc_list_new();
    rc_object *k = rc_int_from_i64(3);
    assert_status(rc_set_add(s, l), RC_ETYPE); /* unhashable */
    assert_int_equal(rc_set_contains(s, l), RC_ETYPE);
    assert_int_equal(rc_set_discard(s, l), RC_ETYPE);
    assert_status(rc_set_add(s, NULL), RC_EVALUE);
    assert_status(rc_set_add(NULL, k), RC_EVALUE);
    assert_status(rc_set_add(d, k), RC_ETYPE); /* a dict is not a set */
    assert_non_null(strstr(rc_error_message(), "expected a set, got dict"));
    assert_status(rc_dict_set(s, k, k), RC_ETYPE); /* nor a set a dict */
    assert_non_null(strstr(rc_error_message(), "expected a dict, got set"));
    assert_int_equal(rc_set_size(d), RC_ETYPE);
    assert_int_equal(rc_dict_size(s), RC_ETYPE);
    rc_object *t = rc_tuple_pack(1, s);
    uint64_t h;
    assert_status(rc_object_hash(s, &h), RC_ETYPE); /* sets are unhashable */
    assert_status(rc_set_add(s, t), RC_ETYPE);       /* so a tuple holding one is */
    assert_int_equal(rc_set_size(s), 0);
    rc_decref(t);
    rc_decref(k);
    rc_decref(l);
    rc_decref(d);
    rc_decref(s);
}

static void test_iteration(void **state) {
    (void)state;
    rc_object *s = rc_set_new();
    for (int64_t i = 10; i > 0; i--) {
        rc_object *v = rc_int_from_i64(i * 3);
        assert_status(rc_set_add(s, v), RC_OK);
        rc_decref(v);
    }
    rc_iter it;
    assert_status(rc_iter_begin(&it, s), RC_OK);
    rc_object *item;
    int r;
    int64_t expect = 30;
    while ((r = rc_iter_next(&it, &item)) == 1) {
        assert_int_equal(rct_int(item), expect); /* the order of first adding */
        expect -= 3;
        rc_decref(item);
    }
    assert_int_equal(r, 0);
    assert_int_equal(expect, 0);
    rc_iter_end(&it);

    /* Adding during iteration: RC_ECHANGED. */
    assert_status(rc_iter_begin(&it, s), RC_OK);
    assert_int_equal(rc_iter_next(&it, &item), 1);
    rc_decref(item);
    rc_object *new_key = rc_int_from_i64(1000);
    assert_status(rc_set_add(s, new_key), RC_OK);
    rc_decref(new_key);
    assert_status(rc_iter_next(&it, &item), RC_ECHANGED);
    assert_non_null(strstr(rc_error_message(), "set changed size"));
    rc_iter_end(&it);
    rc_object *k, *v;
    assert_status(rc_iter_begin(&it, s), RC_OK);
    assert_status(rc_iter_next_item(&it, &k, &v), RC_ETYPE); /* no values */
    rc_iter_end(&it);
    rc_decref(s);
}

/* A client object that shows what it holds: "<holder X>". It has no hash
 * slot, so the identity hash makes it a set element, and a set can reach
 * itself through one. */
typedef struct holder {
    rc_object base;
    rc_object *held;
} holder;

static int holder_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    RC_VISIT(((holder *)self)->held);
    return 0;
}

static void holder_clear(rc_object *self) {
    rc_clear_ref(&((holder *)self)->held);
}

static rc_object *holder_repr(rc_object *self) {
    rc_object *inner = rc_object_repr(((holder *)self)->held);
    rc_object *r = inner ? rc_str_from_format("<holder %s>", rc_str_data(inner)) : NULL;
    rc_xdecref(inner);
    return r;
}

static rc_type holder_type = {
    .name = "holder",
    .basicsize = sizeof(holder),
    .flags = RC_TYPE_GC,
    .dealloc = holder_clear,
    .traverse = holder_traverse,
    .clear = holder_clear,
    .repr = holder_repr,
};

/* The set shows as set(...) inside itself, as in CPython, and so do a list
 * and a dict reached through the same holder. */
static void test_repr_of_a_set_in_itself(void **state) {
    (void)state;
    rc_object *s = rc_set_new();
    holder *h = (holder *)rc_object_new(&holder_type);
    assert_non_null(h);
    h->held = rc_newref(s);
    assert_status(rc_set_add(s, &h->base), RC_OK);
    assert_repr(s, "{<holder set(...)>}");
    rc_object *l = rc_list_new();
    assert_status(rc_list_append(l, s), RC_OK);
    rc_clear_ref(&h->held);
    h->held = rc_newref(l);
    assert_repr(l, "[{<holder [...]>}]");
    rc_decref(l);
    rc_decref(&h->base);
    rc_decref(s);
    assert_true(rc_gc_collect() >= 0); /* the set, holder and list form a cycle */
    assert_live_objects(0);
}

static void test_equal_and_repr(void **state) {
    (void)state;
    rc_object *a = rc_set_new(), *b = rc_set_new();
    assert_repr(a, "set()");
    assert_int_equal(rc_object_equal(a, b), 1);
    rc_object *x = rc_str_from_cstr("x"), *one = rc_int_from_i64(1);
    assert_status(rc_set_add(a, x), RC_OK);
    assert_status(rc_set_add(a, one), RC_OK);
    assert_repr(a, "{'x', 1}");
    assert_int_equal(rc_object_equal(a, b), 0);
    assert_status(rc_set_add(b, one), RC_OK);
    assert_status(rc_set_add(b, x), RC_OK);
    assert_int_equal(rc_object_equal(a, b), 1); /* order does not matter */
    rc_object *d = rc_dict_new();
    assert_status(rc_dict_set(d, one, x), RC_OK);
    assert_int_equal(rc_object_equal(a, d), 0); /* a dict is not a set */
    rc_object *only_one = rc_set_new();
    assert_status(rc_set_add(only_one, one), RC_OK);
    assert_repr(only_one, "{1}");
    rc_decref(only_one);
    rc_decref(d);
    rc_decref(x);
    rc_decref(one);
    rc_decref(a);
    rc_decref(b);
}

/* Many elements: the table is rebuilt many times; half are discarded. */
static void test_many_elements(void **state) {
    (void)state;
    rc_object *s = rc_set_new();
    for (int64_t i = 0; i < 20000; i++) {
        rc_object *v = rct_big_int(i);
        assert_status(rc_set_add(s, v), RC_OK);
        rc_decref(v);
    }
    assert_int_equal(rc_set_size(s), 20000);
    assert_live_objects(20001);
    for (int64_t i = 0; i < 20000; i += 2) {
        rc_object *v = rct_big_int(i);
        assert_int_equal(rc_set_discard(s, v), 1);
        rc_decref(v);
    }
    assert_int_equal(rc_set_size(s), 10000);
    for (int64_t i = 0; i < 20000; i++) {
        rc_object *v = rct_big_int(i);
        assert_int_equal(rc_set_contains(s, v), (int)(i % 2));
        rc_decref(v);
    }
    assert_live_objects(10001);
    rc_decref(s);
    assert_live_objects(0);
}

/* The collector sees a set's elements: a set kept only by a cycle through
 * a tuple element is not possible (sets are unhashable), so this checks
 * that a collection leaves a live set and its elements alone. */
static void test_collection_keeps_live_set(void **state) {
    (void)state;
    rc_object *s = rc_set_new();
    rc_object *one = rc_int_from_i64(1), *big = rct_big_int(2);
    rc_object *t = rc_tuple_pack(2, one, big); /* borrows both */
    assert_non_null(t);
    rc_decref(one);
    rc_decref(big);
    assert_status(rc_set_add(s, t), RC_OK);
    rc_decref(t);
    assert_true(rc_gc_collect() >= 0);
    assert_int_equal(rc_set_size(s), 1);
    rc_iter it;
    rc_object *item;
    assert_status(rc_iter_begin(&it, s), RC_OK);
    assert_int_equal(rc_iter_next(&it, &item), 1);
    assert_int_equal(rc_tuple_size(item), 2);
    rc_decref(item);
    rc_iter_end(&it);
    rc_decref(s);
}

static rc_status add_some(void *arg) {
    (void)arg;
    rc_object *s = rc_set_new();
    if (!s)
        return RC_ENOMEM;
    rc_status st = RC_OK;
    for (int64_t i = 0; st == RC_OK && i < 40; i++) {
        rc_object *v = rc_int_from_i64(1000000 + i); /* may fail: not rct_big_int */
        st = v ? rc_set_add(s, v) : RC_ENOMEM;
        rc_xdecref(v);
    }
    if (st == RC_OK && rc_set_size(s) != 40)
        st = RC_EVALUE;
    rc_decref(s);
    return st;
}

static void test_alloc_failures(void **state) {
    (void)state;
    assert_true(rct_sweep_alloc_failures(add_some, NULL) > 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_contains_discard),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_iteration),
        cmocka_unit_test(test_equal_and_repr),
        cmocka_unit_test(test_repr_of_a_set_in_itself),
        cmocka_unit_test(test_many_elements),
        cmocka_unit_test(test_collection_keeps_live_set),
        RCT_SERIAL(test_alloc_failures, RCT_FAILS_ALLOCATIONS),
    };
    return RCT_RUN_GROUP(tests);
}
