/*
 * tests/bytes_test.c -- bytes: made from a buffer (NUL bytes included),
 * size and data, equality and hash (equal contents, never equal to a str),
 * use as dict keys and set elements, concatenation, repr, every error
 * path, and out of memory.
 */
#include "tests/support.h"

#include <string.h>

static void test_from_size_data(void **state) {
    (void)state;
    const char raw[] = {'a', '\0', 'b', (char)0xff};
    rc_object *b = rc_bytes_from(raw, sizeof raw);
    assert_non_null(b);
    assert_true(rc_bytes_check(b));
    assert_false(rc_bytes_check(NULL));
    assert_int_equal(rc_bytes_size(b), 4);
    const char *data = rc_bytes_data(b);
    assert_memory_equal(data, raw, sizeof raw);
    assert_int_equal(data[4], '\0'); /* the NUL after the last byte */
    assert_live_objects(1);
    rc_decref(b);
    rc_object *empty = rc_bytes_from(NULL, 0);
    assert_non_null(empty);
    assert_int_equal(rc_bytes_size(empty), 0);
    assert_string_equal(rc_bytes_data(empty), "");
    rc_decref(empty);
    assert_live_objects(0);
}

static void test_errors(void **state) {
    (void)state;
    assert_null_error(rc_bytes_from(NULL, 1), RC_EVALUE);
    rc_object *s = rc_str_from_cstr("x"), *b = rc_bytes_from("x", 1);
    assert_int_equal(rc_bytes_size(s), RC_ETYPE);
    assert_int_equal(rc_bytes_size(NULL), RC_EVALUE);
    assert_null_error(rc_bytes_data(s), RC_ETYPE);
    assert_null_error(rc_bytes_concat(b, s), RC_ETYPE);
    assert_null_error(rc_bytes_concat(s, b), RC_ETYPE);
    assert_null_error(rc_bytes_concat(b, NULL), RC_EVALUE);
    rc_decref(s);
    rc_decref(b);
}

static void test_equal_hash_and_keys(void **state) {
    (void)state;
    rc_object *a = rc_bytes_from("key\0x", 5), *b = rc_bytes_from("key\0x", 5);
    rc_object *c = rc_bytes_from("key\0y", 5), *s = rc_str_from_cstr("key");
    rc_object *k3 = rc_bytes_from("key", 3);
    assert_int_equal(rc_object_equal(a, b), 1);
    assert_int_equal(rc_object_equal(a, c), 0);
    assert_int_equal(rc_object_equal(k3, s), 0); /* never equal to a str */
    assert_int_equal(rc_object_equal(s, k3), 0);
    uint64_t ha, hb;
    assert_status(rc_object_hash(a, &ha), RC_OK);
    assert_status(rc_object_hash(b, &hb), RC_OK);
    assert_true(ha == hb);
    rc_object *d = rc_dict_new();
    assert_status(rc_dict_set(d, a, s), RC_OK);
    assert_status(rc_dict_set(d, k3, s), RC_OK);
    assert_int_equal(rc_dict_size(d), 2);
    rc_object *got = rc_dict_get(d, b); /* an equal key finds it */
    assert_ptr_equal(got, s);
    rc_decref(got);
    assert_int_equal(rc_dict_contains(d, c), 0);
    assert_int_equal(rc_dict_contains(d, s), 0); /* the str "key" is another key */
    rc_object *set = rc_set_new();
    assert_status(rc_set_add(set, a), RC_OK);
    assert_status(rc_set_add(set, b), RC_OK);
    assert_int_equal(rc_set_size(set), 1);
    rc_decref(set);
    rc_decref(d);
    rc_decref(a);
    rc_decref(b);
    rc_decref(c);
    rc_decref(s);
    rc_decref(k3);
}

static void test_concat_and_repr(void **state) {
    (void)state;
    rc_object *a = rc_bytes_from("ab", 2), *b = rc_bytes_from("\0c", 2);
    rc_object *empty = rc_bytes_from("", 0);
    rc_object *ab = rc_bytes_concat(a, b);
    assert_non_null(ab);
    assert_int_equal(rc_bytes_size(ab), 4);
    assert_memory_equal(rc_bytes_data(ab), "ab\0c", 4);
    rc_object *same = rc_bytes_concat(a, empty);
    assert_int_equal(rc_object_equal(same, a), 1);
    rc_object *r = rc_object_repr(ab);
    assert_string_equal(rc_str_data(r), "b'ab\\x00c'");
    rc_decref(r);
    rc_object *odd = rc_bytes_from("'\\\n\x80", 4);
    r = rc_object_repr(odd);
    assert_string_equal(rc_str_data(r), "b'\\'\\\\\\n\\x80'");
    rc_decref(r);
    rc_decref(odd);
    rc_decref(same);
    rc_decref(ab);
    rc_decref(empty);
    rc_decref(a);
    rc_decref(b);
}

static rc_status make_and_join(void *arg) {
    (void)arg;
    rc_object *a = rc_bytes_from("abc", 3);
    rc_object *b = a ? rc_bytes_concat(a, a) : NULL;
    rc_object *r = b ? rc_object_repr(b) : NULL;
    rc_status st = r ? RC_OK : rc_error_code();
    rc_xdecref(r);
    rc_xdecref(b);
    rc_xdecref(a);
    return st;
}

static void test_alloc_failures(void **state) {
    (void)state;
    assert_true(rct_sweep_alloc_failures(make_and_join, NULL) >= 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_size_data),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_equal_hash_and_keys),
        cmocka_unit_test(test_concat_and_repr),
        RCT_SERIAL(test_alloc_failures, RCT_FAILS_ALLOCATIONS),
    };
    return RCT_RUN_GROUP(tests);
}
