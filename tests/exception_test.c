/*
 * tests/exception_test.c -- exception objects: made whole, fetched from the
 * thread's error slot (with a lookup's key attached by the caller), raised
 * back into it, their parts read, the cause/context chain set, read,
 * replaced and collected as a cycle, every misuse, and out of memory.
 */
#include "tests/support.h"

#include <string.h>

static void test_new_and_parts(void **state) {
    (void)state;
    rc_object *name = rc_str_from_cstr("KeyError"), *msg = rc_str_from_cstr("no k");
    rc_object *kind = rc_list_new(), *key = rc_str_from_cstr("k");
    rc_object *e = rc_exception_new(RC_EKEY, name, kind, msg, key);
    assert_non_null(e);
    assert_true(rc_exception_check(e));
    assert_false(rc_exception_check(name));
    assert_false(rc_exception_check(NULL));
    assert_int_equal(rc_exception_code(e), RC_EKEY);
    assert_ptr_equal(rc_exception_name(e), name);
    assert_ptr_equal(rc_exception_kind(e), kind);
    assert_ptr_equal(rc_exception_message(e), msg);
    assert_ptr_equal(rc_exception_value(e), key);
    rc_object *r = rc_object_repr(e);
    assert_string_equal(rc_str_data(r), "KeyError('no k')");
    rc_decref(r);
    rc_decref(name), rc_decref(msg), rc_decref(kind), rc_decref(key);
    assert_live_objects(5); /* e holds its parts */
    rc_decref(e);
    assert_live_objects(0);
    /* A tuple value is the arguments: Python's repr. */
    rc_object *args = rc_tuple_pack(2, rc_none(), rc_true());
    e = rc_exception_new(RC_EVALUE, NULL, NULL, NULL, args);
    r = rc_object_repr(e);
    assert_string_equal(rc_str_data(r), "RC_EVALUE(None, True)");
    rc_decref(r);
    rc_decref(e);
    rc_decref(args);
    args = rc_tuple_pack(1, rc_none());
    e = rc_exception_new(RC_EVALUE, NULL, NULL, NULL, args);
    r = rc_object_repr(e);
    assert_string_equal(rc_str_data(r), "RC_EVALUE(None)");
    rc_decref(r);
    rc_decref(e);
    rc_decref(args);
    assert_live_objects(0);
    /* Defaults: the status's name, "", no kind and no value (None). */
    e = rc_exception_new(RC_EVALUE, NULL, NULL, NULL, NULL);
    assert_non_null(e);
    assert_string_equal(rc_str_data(rc_exception_name(e)), "RC_EVALUE");
    assert_string_equal(rc_str_data(rc_exception_message(e)), "");
    assert_ptr_equal(rc_exception_kind(e), rc_none());
    assert_ptr_equal(rc_exception_value(e), rc_none());
    r = rc_object_repr(e);
    assert_string_equal(rc_str_data(r), "RC_EVALUE()");
    rc_decref(r);
    rc_decref(e);
    assert_live_objects(0);
}

static void test_fetch_and_raise(void **state) {
    (void)state;
    rc_object *d = rc_dict_new(), *key = rc_str_from_cstr("missing");
    assert_null(rc_dict_get(d, key));
    assert_int_equal(rc_error_code(), RC_EKEY);
    /* The caller attaches the key it looked up: the miss itself took no
     * reference (objects/exception.h). */
    rc_object *e = rc_exception_fetch(key);
    assert_non_null(e);
    assert_int_equal(rc_error_code(), RC_OK); /* fetched: the slot is clear */
    assert_int_equal(rc_exception_code(e), RC_EKEY);
    assert_string_equal(rc_str_data(rc_exception_name(e)), "RC_EKEY");
    assert_non_null(strstr(rc_str_data(rc_exception_message(e)), "'missing'"));
    assert_ptr_equal(rc_exception_value(e), key);
    rc_decref(key);
    rc_decref(d);
    /* Raised back: the slot holds its code and message again. */
    rc_error_set(RC_EINDEX, "something else");
    assert_int_equal(rc_exception_raise(e), RC_EKEY);
    assert_int_equal(rc_error_code(), RC_EKEY);
    assert_string_equal(rc_error_message(), rc_str_data(rc_exception_message(e)));
    rc_decref(e);
    assert_live_objects(0);
    /* No value: None. */
    rc_error_set(RC_EZERODIV, "division by %s", "zero");
    e = rc_exception_fetch(NULL);
    assert_string_equal(rc_str_data(rc_exception_message(e)), "division by zero");
    assert_ptr_equal(rc_exception_value(e), rc_none());
    rc_decref(e);
    /* Nothing to fetch. */
    rc_error_clear();
    assert_null_error(rc_exception_fetch(NULL), RC_ESTATE);
    assert_live_objects(0);
}

static void test_chain(void **state) {
    (void)state;
    rc_object *a = rc_exception_new(RC_EVALUE, NULL, NULL, NULL, NULL);
    rc_object *b = rc_exception_new(RC_ETYPE, NULL, NULL, NULL, NULL);
    rc_object *x = rc_exception_cause(a);
    assert_ptr_equal(x, rc_none());
    rc_decref(x);
    assert_status(rc_exception_set_cause(a, b), RC_OK);
    assert_status(rc_exception_set_context(a, b), RC_OK);
    x = rc_exception_cause(a);
    assert_ptr_equal(x, b);
    rc_decref(x);
    x = rc_exception_context(a);
    assert_ptr_equal(x, b);
    rc_decref(x);
    assert_status(rc_exception_set_context(a, rc_none()), RC_OK); /* unset */
    x = rc_exception_context(a);
    assert_ptr_equal(x, rc_none());
    rc_decref(x);
    /* A cycle through the chain is collected. */
    assert_status(rc_exception_set_cause(b, a), RC_OK);
    rc_decref(a);
    rc_decref(b);
    assert_live_objects(6); /* each with its name and message */
    rc_gc_collect();
    assert_live_objects(0);
}

static void test_misuse(void **state) {
    (void)state;
    rc_object *s = rc_str_from_cstr("x");
    rc_object *e = rc_exception_new(RC_EVALUE, NULL, NULL, NULL, NULL);
    assert_null_error(rc_exception_new(RC_OK, NULL, NULL, NULL, NULL), RC_EVALUE);
    assert_null_error(rc_exception_new(RC_EVALUE, e, NULL, NULL, NULL), RC_ETYPE);
    assert_non_null(strstr(rc_error_message(), "the name must be a str"));
    assert_null_error(rc_exception_new(RC_EVALUE, NULL, NULL, e, NULL), RC_ETYPE);
    assert_int_equal(rc_exception_raise(NULL), RC_EVALUE);
    assert_int_equal(rc_exception_raise(s), RC_ETYPE);
    assert_non_null(strstr(rc_error_message(), "rc_exception_raise: expected an exception, got str"));
    assert_int_equal(rc_exception_code(s), RC_ETYPE);
    assert_int_equal(rc_exception_code(NULL), RC_EVALUE);
    assert_null_error(rc_exception_name(s), RC_ETYPE);
    assert_null_error(rc_exception_message(NULL), RC_EVALUE);
    assert_null_error(rc_exception_kind(s), RC_ETYPE);
    assert_null_error(rc_exception_value(s), RC_ETYPE);
    assert_null_error(rc_exception_cause(s), RC_ETYPE);
    assert_null_error(rc_exception_context(NULL), RC_EVALUE);
    assert_status(rc_exception_set_cause(s, e), RC_ETYPE);
    assert_status(rc_exception_set_cause(e, s), RC_ETYPE); /* neither exception nor None */
    assert_status(rc_exception_set_context(NULL, e), RC_EVALUE);
    rc_decref(s);
    rc_decref(e);
    assert_live_objects(0);
    /* A detached thread is told so, and nothing is made. */
    rc_thread_detach();
    assert_null_error(rc_exception_new(RC_EVALUE, NULL, NULL, NULL, NULL), RC_ESTATE);
    rc_error_set(RC_EVALUE, "x");
    assert_null_error(rc_exception_fetch(NULL), RC_ESTATE);
    assert_status(rc_exception_raise(NULL), RC_ESTATE);
    rc_thread_attach();
}

static rc_status fetch_and_chain(void *arg) {
    (void)arg;
    rc_error_set(RC_EKEY, "k");
    rc_object *key = rc_str_from_cstr("k");
    rc_object *e = key ? rc_exception_fetch(key) : NULL;
    rc_object *f = e ? rc_exception_new(RC_EVALUE, NULL, NULL, NULL, NULL) : NULL;
    rc_status st = f ? rc_exception_set_context(f, e) : rc_error_code();
    rc_xdecref(f);
    rc_xdecref(e);
    rc_xdecref(key);
    return st;
}

static void test_alloc_failures(void **state) {
    (void)state;
    assert_true(rct_sweep_alloc_failures(fetch_and_chain, NULL) >= 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_and_parts),
        cmocka_unit_test(test_fetch_and_raise),
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_misuse),
        RCT_SERIAL(test_alloc_failures, RCT_FAILS_ALLOCATIONS),
    };
    return RCT_RUN_GROUP(tests);
}
