/*
 * tests/protocol_test.c -- the generic container protocols
 * (objects/protocol.h and the iter/next slots of objects/iter.h): the
 * built-in containers through rc_object_length/getitem/setitem/delitem,
 * a client type that has each slot (tests/protocol_vec.h), a type without
 * them, and rc_iter over client iterables: a full walk, an early end, an
 * iterator whose next fails, an iter slot that returns no iterator. Every
 * test frees what it made: the group teardown fails on a live object.
 */
#include "tests/protocol_vec.h"

#include <string.h>

/* A type with no protocol slot. */
static rc_type plain_type = {
    .name = "plain", .basicsize = sizeof(rc_object), .instance_size = rc_fixed_instance_size,
};

/* An iterator type with a next slot only (so it is its own iterable): it
 * yields the ints 0 and 1, then fails. */
typedef struct failing_iter {
    rc_object base;
    int64_t done;
} failing_iter;

static int failing_next(rc_object *self, rc_object **item) {
    failing_iter *f = (failing_iter *)self;
    if (f->done == 2)
        return rc_error_set(RC_EOVERFLOW, "failing_iter gave up");
    *item = rc_int_from_i64(f->done++);
    return *item ? 1 : rc_error_code();
}

static rc_type failing_iter_type = {
    .name = "failing_iter", .basicsize = sizeof(failing_iter),
    .instance_size = rc_fixed_instance_size, .next = failing_next,
};

/* An iterable whose iter slot breaks the contract: it returns a list. */
static rc_object *list_iter_slot(rc_object *self) {
    (void)self;
    return rc_list_new();
}

static rc_type bad_iterable_type = {
    .name = "bad_iterable", .basicsize = sizeof(rc_object),
    .instance_size = rc_fixed_instance_size, .iter = list_iter_slot,
};

/* A length slot that fails without setting the error. */
static int64_t lying_length(rc_object *self) {
    (void)self;
    return RC_EINDEX;
}

static rc_type liar_type = {
    .name = "liar", .basicsize = sizeof(rc_object),
    .instance_size = rc_fixed_instance_size, .length = lying_length,
};

/* A new list of rct_big_int(10 + i), i = 0..n-1. */
static rc_object *int_list(int64_t n) {
    rc_object *l = rc_list_new();
    assert_non_null(l);
    for (int64_t i = 0; i < n; i++)
        assert_status(rc_list_append_steal(l, rct_big_int(10 + i)), RC_OK);
    return l;
}

static int64_t length_of(rc_object *o) {
    int64_t n = -1;
    assert_status(rc_object_length(o, &n), RC_OK);
    return n;
}

/* ---- built-in containers ------------------------------------------------ */

static void test_builtin_length(void **state) {
    (void)state;
    rc_object *l = int_list(3), *t = rc_tuple_new(2), *d = rc_dict_new(), *s = rc_set_new();
    rc_object *str = rc_str_from_cstr("h\xc3\xa9llo"), *b = rc_bytes_from("abc", 3);
    rc_object *k = rc_int_from_i64(1);
    assert_status(rc_tuple_set_steal(t, 0, rc_int_from_i64(1)), RC_OK);
    assert_status(rc_tuple_set_steal(t, 1, rc_int_from_i64(2)), RC_OK);
    assert_status(rc_dict_set(d, k, k), RC_OK);
    assert_status(rc_set_add(s, k), RC_OK);
    assert_status(rc_set_add(s, str), RC_OK);
    assert_int_equal(length_of(l), 3);
    assert_int_equal(length_of(t), 2);
    assert_int_equal(length_of(d), 1);
    assert_int_equal(length_of(s), 2);
    assert_int_equal(length_of(str), 5); /* code points, not bytes */
    assert_int_equal(length_of(b), 3);
    int64_t n = 77;
    assert_status(rc_object_length(k, &n), RC_ETYPE);
    assert_string_equal(rc_error_message(), "object of type 'int' has no len()");
    assert_int_equal(n, 77); /* untouched on failure */
    assert_status(rc_object_length(NULL, &n), RC_EVALUE);
    assert_status(rc_object_length(l, NULL), RC_EVALUE);
    rc_decref(l), rc_decref(t), rc_decref(d), rc_decref(s), rc_decref(str), rc_decref(b);
    rc_decref(k);
}

static void test_builtin_getitem(void **state) {
    (void)state;
    rc_object *l = int_list(3), *t = rc_tuple_new(1), *d = rc_dict_new();
    rc_object *one = rc_int_from_i64(1), *minus1 = rc_int_from_i64(-1),
              *three = rc_int_from_i64(3), *zero = rc_int_from_i64(0);
    rc_object *name = rc_str_from_cstr("x");
    assert_status(rc_tuple_set_steal(t, 0, rct_big_int(5)), RC_OK);
    rc_object *v = rc_object_getitem(l, one);
    assert_int_equal(rct_int(v), 1000011);
    assert_int_equal(rc_refcount(v), 2); /* the list's and ours */
    rc_decref(v);
    v = rc_object_getitem(l, minus1);
    assert_int_equal(rct_int(v), 1000012);
    rc_decref(v);
    assert_null_error(rc_object_getitem(l, three), RC_EINDEX);
    assert_null_error(rc_object_getitem(l, name), RC_ETYPE);
    assert_string_equal(rc_error_message(), "list indices must be integers, not str");
    v = rc_object_getitem(t, zero);
    assert_int_equal(rct_int(v), 1000005);
    assert_int_equal(rc_refcount(v), 2); /* a new reference, though rc_tuple_get lends */
    rc_decref(v);
    assert_null_error(rc_object_getitem(t, one), RC_EINDEX);
    assert_status(rc_dict_set(d, name, one), RC_OK);
    v = rc_object_getitem(d, name);
    assert_ptr_equal(v, one);
    rc_decref(v);
    assert_null_error(rc_object_getitem(d, zero), RC_EKEY);
    assert_null_error(rc_object_getitem(name, zero), RC_ETYPE);
    assert_string_equal(rc_error_message(), "'str' object is not subscriptable");
    assert_null_error(rc_object_getitem(NULL, zero), RC_EVALUE);
    assert_null_error(rc_object_getitem(l, NULL), RC_EVALUE);
    rc_decref(l), rc_decref(t), rc_decref(d), rc_decref(name);
    rc_decref(one), rc_decref(minus1), rc_decref(three), rc_decref(zero);
}

static void test_builtin_setitem_delitem(void **state) {
    (void)state;
    rc_object *l = int_list(3), *t = rc_tuple_new(1), *d = rc_dict_new();
    rc_object *zero = rc_int_from_i64(0), *five = rc_int_from_i64(5), *x = rct_big_int(99);
    rc_object *name = rc_str_from_cstr("k");
    assert_status(rc_tuple_set_steal(t, 0, rc_int_from_i64(1)), RC_OK);
    assert_status(rc_object_setitem(l, zero, x), RC_OK);
    assert_int_equal(rc_refcount(x), 2);
    assert_status(rc_object_setitem(l, five, x), RC_EINDEX);
    assert_status(rc_object_setitem(l, name, x), RC_ETYPE);
    assert_status(rc_object_setitem(l, zero, NULL), RC_EVALUE);
    assert_status(rc_object_delitem(l, zero), RC_OK); /* drops the list's reference */
    assert_int_equal(rc_refcount(x), 1);
    assert_int_equal(rc_list_size(l), 2);
    assert_status(rc_object_delitem(l, five), RC_EINDEX);
    assert_int_equal(rc_list_size(l), 2);
    assert_status(rc_object_delitem(l, name), RC_ETYPE);
    assert_status(rc_object_setitem(d, name, x), RC_OK);
    assert_int_equal(rc_refcount(x), 2);
    assert_status(rc_object_delitem(d, name), RC_OK);
    assert_int_equal(rc_refcount(x), 1);
    assert_status(rc_object_delitem(d, name), RC_EKEY);
    assert_status(rc_object_setitem(t, zero, x), RC_ETYPE);
    assert_string_equal(rc_error_message(), "'tuple' object does not support item assignment");
    assert_status(rc_object_delitem(t, zero), RC_ETYPE);
    assert_string_equal(rc_error_message(), "'tuple' object doesn't support item deletion");
    assert_status(rc_object_setitem(NULL, zero, x), RC_EVALUE);
    assert_status(rc_object_delitem(d, NULL), RC_EVALUE);
    rc_decref(l), rc_decref(t), rc_decref(d), rc_decref(name);
    rc_decref(zero), rc_decref(five), rc_decref(x);
}

/* ---- client types ------------------------------------------------------ */

static void test_client_slots(void **state) {
    (void)state;
    rc_object *v = vec_new(3), *one = rc_int_from_i64(1), *three = rc_int_from_i64(3);
    rc_object *x = rct_big_int(42), *name = rc_str_from_cstr("k");
    assert_int_equal(length_of(v), 3);
    assert_status(rc_object_setitem(v, one, x), RC_OK);
    assert_int_equal(rc_refcount(x), 2);
    rc_object *got = rc_object_getitem(v, one);
    assert_ptr_equal(got, x);
    assert_int_equal(rc_refcount(x), 3);
    rc_decref(got);
    /* The slot's own errors come back as it set them. */
    assert_null_error(rc_object_getitem(v, three), RC_EINDEX);
    assert_string_equal(rc_error_message(), "vec index out of range");
    assert_null_error(rc_object_getitem(v, name), RC_ETYPE);
    assert_string_equal(rc_error_message(), "vec indices must be integers, not str");
    assert_status(rc_object_setitem(v, three, x), RC_EINDEX);
    /* del goes to the setitem slot with no value: the vec puts None back. */
    assert_status(rc_object_delitem(v, one), RC_OK);
    assert_int_equal(rc_refcount(x), 1);
    got = rc_object_getitem(v, one);
    assert_ptr_equal(got, rc_none());
    rc_decref(got);
    assert_status(rc_object_delitem(v, three), RC_EINDEX);
    rc_decref(v), rc_decref(one), rc_decref(three), rc_decref(x), rc_decref(name);
}

static void test_client_without_slots(void **state) {
    (void)state;
    rc_object *p = rc_object_new(&plain_type), *zero = rc_int_from_i64(0);
    assert_non_null(p);
    int64_t n;
    assert_status(rc_object_length(p, &n), RC_ETYPE);
    assert_string_equal(rc_error_message(), "object of type 'plain' has no len()");
    assert_null_error(rc_object_getitem(p, zero), RC_ETYPE);
    assert_string_equal(rc_error_message(), "'plain' object is not subscriptable");
    assert_status(rc_object_setitem(p, zero, zero), RC_ETYPE);
    assert_string_equal(rc_error_message(), "'plain' object does not support item assignment");
    assert_status(rc_object_delitem(p, zero), RC_ETYPE);
    assert_string_equal(rc_error_message(), "'plain' object doesn't support item deletion");
    rc_iter it;
    assert_status(rc_iter_begin(&it, p), RC_ETYPE);
    assert_string_equal(rc_error_message(), "'plain' object is not iterable");
    assert_null(it.container);
    assert_int_equal(rc_refcount(p), 1);
    /* A slot that fails without setting the error is reported, not passed on. */
    rc_object *liar = rc_object_new(&liar_type);
    assert_non_null(liar);
    assert_status(rc_object_length(liar, &n), RC_EVALUE);
    assert_non_null(strstr(rc_error_message(), "length slot of 'liar'"));
    rc_decref(liar);
    rc_decref(p), rc_decref(zero);
}

/* ---- iteration over client types ---------------------------------------- */

static void test_iter_client(void **state) {
    (void)state;
    rc_object *v = vec_new(4);
    for (int64_t i = 0; i < 4; i++) {
        rc_object *k = rc_int_from_i64(i), *x = rct_big_int(100 + i);
        assert_status(rc_object_setitem(v, k, x), RC_OK);
        rc_decref(k), rc_decref(x);
    }
    rc_iter it;
    rc_object *item;
    int r;
    int64_t expected = 100;
    assert_status(rc_iter_begin(&it, v), RC_OK);
    assert_ptr_equal(rc_object_type(it.container), &vec_iter_type);
    assert_int_equal(rc_refcount(v), 2); /* ours and the vec_iter's */
    while ((r = rc_iter_next(&it, &item)) == 1) {
        assert_int_equal(rct_int(item), 1000000 + expected++); /* rct_big_int's values */
        rc_decref(item);
    }
    assert_int_equal(r, 0);
    assert_null(item);
    assert_int_equal(expected, 104);
    assert_int_equal(rc_iter_next(&it, &item), 0); /* the end stays the end */
    assert_live_objects_of(&vec_iter_type, 1);
    rc_iter_end(&it);
    assert_live_objects_of(&vec_iter_type, 0);
    assert_int_equal(rc_refcount(v), 1);
    assert_int_equal(rc_iter_next(&it, &item), 0); /* ended */
    rc_decref(v);
}

static void test_iter_client_early_end(void **state) {
    (void)state;
    rc_object *v = vec_new(5);
    rc_iter it;
    rc_object *item;
    assert_status(rc_iter_begin(&it, v), RC_OK);
    rc_decref(v); /* the iterator's vec_iter keeps it alive */
    assert_int_equal(rc_iter_next(&it, &item), 1);
    assert_ptr_equal(item, rc_none());
    rc_decref(item);
    assert_live_objects_of(&vec_type, 1);
    rc_iter_end(&it); /* frees the vec_iter, which frees the vec */
    assert_live_objects_of(&vec_iter_type, 0);
    assert_live_objects_of(&vec_type, 0);
}

static void test_iter_next_fails(void **state) {
    (void)state;
    rc_object *f = rc_object_new(&failing_iter_type);
    assert_non_null(f);
    rc_iter it;
    rc_object *item;
    assert_status(rc_iter_begin(&it, f), RC_OK);
    assert_ptr_equal(it.container, f); /* no iter slot: its own iterator */
    assert_int_equal(rc_refcount(f), 2);
    for (int64_t i = 0; i < 2; i++) {
        assert_int_equal(rc_iter_next(&it, &item), 1);
        assert_int_equal(rct_int(item), i);
        rc_decref(item);
    }
    assert_status(rc_iter_next(&it, &item), RC_EOVERFLOW);
    assert_null(item);
    assert_string_equal(rc_error_message(), "failing_iter gave up");
    rc_iter_end(&it);
    assert_int_equal(rc_refcount(f), 1);
    rc_decref(f);
}

static void test_iter_slot_returns_no_iterator(void **state) {
    (void)state;
    rc_object *b = rc_object_new(&bad_iterable_type);
    assert_non_null(b);
    rc_iter it;
    rc_object *item = b;
    assert_status(rc_iter_begin(&it, b), RC_ETYPE);
    assert_string_equal(rc_error_message(), "iter() returned non-iterator of type 'list'");
    assert_null(it.container);
    assert_live_objects_of(&rc_list_type, 0); /* the list it returned was dropped */
    assert_int_equal(rc_iter_next(&it, &item), 0);
    rc_iter_end(&it);
    rc_decref(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_length),
        cmocka_unit_test(test_builtin_getitem),
        cmocka_unit_test(test_builtin_setitem_delitem),
        cmocka_unit_test(test_client_slots),
        cmocka_unit_test(test_client_without_slots),
        cmocka_unit_test(test_iter_client),
        cmocka_unit_test(test_iter_client_early_end),
        cmocka_unit_test(test_iter_next_fails),
        cmocka_unit_test(test_iter_slot_returns_no_iterator),
    };
    return RCT_RUN_GROUP(tests);
}
