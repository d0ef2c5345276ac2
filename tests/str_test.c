/*
 * tests/str_test.c -- strings: UTF-8 validation, lengths, concatenation,
 * formatting, hashing and equality, repr, interning.
 */
#include "tests/support.h"

#include <stdio.h>
#include <string.h>

static void test_from_utf8_and_lengths(void **state) {
    (void)state;
    rc_object *s = rc_str_from_cstr("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80");
    assert_non_null(s);
    assert_true(rc_str_check(s));
    assert_int_equal(rc_str_byte_length(s), 15);
    assert_int_equal(rc_str_length(s), 9);
    assert_string_equal(rc_str_data(s), "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80");
    rc_decref(s);

    rc_object *empty = rc_str_from_utf8(NULL, 0);
    assert_non_null(empty);
    assert_int_equal(rc_str_length(empty), 0);
    assert_string_equal(rc_str_data(empty), "");
    rc_decref(empty);

    /* Embedded NUL bytes are kept. */
    rc_object *nul = rc_str_from_utf8("a\0b", 3);
    assert_int_equal(rc_str_byte_length(nul), 3);
    assert_int_equal(rc_str_length(nul), 3);
    rc_decref(nul);
}

static void test_invalid_utf8_is_rejected(void **state) {
    (void)state;
    const char *bad[] = {
        "\x80",             /* lone continuation byte */
        "\xc3",             /* truncated */
        "\xc0\xaf",         /* overlong '/' */
        "\xe0\x80\xaf",     /* overlong */
        "\xed\xa0\x80",     /* surrogate U+D800 */
        "\xf4\x90\x80\x80", /* past U+10FFFF */
        "\xff",
        "ok\xe2\x82",       /* truncated at the end */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_null_error(rc_str_from_utf8(bad[i], strlen(bad[i])), RC_EVALUE);
    assert_null_error(rc_str_from_utf8(NULL, 3), RC_EVALUE);
    assert_null_error(rc_str_from_cstr(NULL), RC_EVALUE);
    assert_live_objects(0);
}

static void test_wrong_type(void **state) {
    (void)state;
    rc_object *i = rct_big_int(1);
    assert_null_error(rc_str_data(i), RC_ETYPE);
    rc_error_clear();
    assert_int_equal(rc_str_length(i), RC_ETYPE); /* a status, not -1 (RC_ENOMEM) */
    assert_int_equal(rc_error_code(), RC_ETYPE);
    rc_error_clear();
    assert_int_equal(rc_str_byte_length(NULL), RC_EVALUE);
    assert_int_equal(rc_error_code(), RC_EVALUE);
    assert_null_error(rc_str_concat(i, i), RC_ETYPE);
    assert_null_error(rc_str_intern(i), RC_ETYPE);
    rc_decref(i);
}

static void test_concat_and_format(void **state) {
    (void)state;
    rc_object *a = rc_str_from_cstr("caf\xc3\xa9");
    rc_object *b = rc_str_from_cstr(" au lait");
    rc_object *c = rc_str_concat(a, b);
    assert_string_equal(rc_str_data(c), "caf\xc3\xa9 au lait");
    assert_int_equal(rc_str_length(c), 12);
    rc_decref(c);
    rc_decref(a);
    rc_decref(b);

    rc_object *f = rc_str_from_format("%d-%s", 42, "x");
    assert_string_equal(rc_str_data(f), "42-x");
    rc_decref(f);

    char long_text[1000];
    memset(long_text, 'z', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    f = rc_str_from_format("<%s>", long_text);
    assert_int_equal(rc_str_byte_length(f), 1001);
    rc_decref(f);
    assert_null_error(rc_str_from_format("%s", "\xff"), RC_EVALUE);
}

static void test_hash_and_equality(void **state) {
    (void)state;
    rc_object *a = rc_str_from_cstr("key");
    rc_object *b = rc_str_from_cstr("key");
    rc_object *c = rc_str_from_cstr("kez");
    assert_ptr_not_equal(a, b);
    assert_int_equal(rc_object_equal(a, b), 1);
    assert_int_equal(rc_object_equal(a, c), 0);
    assert_int_equal(rc_object_equal(a, rc_none()), 0);
    uint64_t ha, hb, ha2;
    assert_status(rc_object_hash(a, &ha), RC_OK);
    assert_status(rc_object_hash(b, &hb), RC_OK);
    assert_status(rc_object_hash(a, &ha2), RC_OK); /* cached */
    assert_true(ha == hb && ha == ha2);
    rc_decref(a);
    rc_decref(b);
    rc_decref(c);
}

static void test_repr_escapes(void **state) {
    (void)state;
    rc_object *s = rc_str_from_cstr("it's\n\t\\ \x01 \xc3\xa9");
    rc_object *r = rc_object_repr(s);
    assert_string_equal(rc_str_data(r), "'it\\'s\\n\\t\\\\ \\x01 \xc3\xa9'");
    rc_decref(r);
    rc_decref(s);
}

static void test_interning(void **state) {
    (void)state;
    rc_object *a = rc_str_from_cstr("interned-key");
    rc_object *i1 = rc_str_intern(a);
    rc_object *i2 = rc_str_intern_cstr("interned-key");
    assert_non_null(i1);
    assert_ptr_equal(i1, i2); /* unique per content */
    assert_ptr_not_equal(i1, a);
    assert_true(rc_is_immortal(i1));
    assert_int_equal(rc_object_equal(i1, a), 1);
    assert_ptr_equal(rc_str_intern(i1), i1);
    rc_decref(i1); /* counting an immortal changes nothing */
    rc_decref(i2);
    assert_true(rc_refcount(i1) == RC_IMMORTAL_COUNT);
    rc_decref(a);
    /* Interned strings are immortal and not counted as live. */
    assert_live_objects(0);

    /* Many interned strings: the table grows, every one stays unique. */
    rc_object *first[300];
    for (int i = 0; i < 300; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "name-%d", i);
        first[i] = rc_str_intern_cstr(buf);
        assert_non_null(first[i]);
    }
    for (int i = 0; i < 300; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "name-%d", i);
        assert_ptr_equal(rc_str_intern_cstr(buf), first[i]);
    }
    assert_live_objects(0);
}

static rc_status string_work(void *arg) {
    (void)arg;
    rc_status st = RC_OK;
    rc_object *a = rc_str_from_cstr("alpha");
    rc_object *b = rc_str_from_format("%s-%d", "beta", 7);
    rc_object *c = a && b ? rc_str_concat(a, b) : NULL;
    rc_object *r = c ? rc_object_repr(c) : NULL;
    rc_object *i = r ? rc_str_intern_cstr("sweep-interned") : NULL;
    if (!i)
        st = rc_error_code();
    rc_xdecref(a);
    rc_xdecref(b);
    rc_xdecref(c);
    rc_xdecref(r);
    return st;
}

static void test_allocation_failures(void **state) {
    (void)state;
    assert_true(rct_sweep_alloc_failures(string_work, NULL) >= 5);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_utf8_and_lengths),
        cmocka_unit_test(test_invalid_utf8_is_rejected),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_concat_and_format),
        cmocka_unit_test(test_hash_and_equality),
        cmocka_unit_test(test_repr_escapes),
        cmocka_unit_test(test_interning),
        RCT_SERIAL(test_allocation_failures, RCT_FAILS_ALLOCATIONS),
    };
    return RCT_RUN_GROUP(tests);
}
