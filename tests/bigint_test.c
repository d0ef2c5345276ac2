/*
 * tests/bigint_test.c -- ints beyond int64_t (objects/int.h): overflow of
 * + - * // % and unary - at INT64_MIN/INT64_MAX makes big ints, results
 * that fit come back small (one representation per value), big x big,
 * floor division signs, pow, abs, compare, decimal text round trips of
 * 100-digit numbers, bad strings, conversions to int64_t and double, hash
 * consistency with small ints and floats (and as dict keys), the size
 * limit, and out of memory. Every test ends with zero live objects.
 */
#include "tests/support.h"

#include <math.h>
#include <string.h>

/* A new int parsed from text (which must be valid). */
static rc_object *num(const char *text) {
    rc_object *o = rc_int_from_str(text, strlen(text));
    assert_non_null(o);
    return o;
}

/* o's decimal text is expected; o is released (stolen). */
static void assert_text_steal(rc_object *o, const char *expected) {
    assert_non_null(o);
    rc_object *s = rc_object_repr(o);
    assert_non_null(s);
    assert_string_equal(rc_str_data(s), expected);
    rc_decref(s);
    rc_decref(o);
}

/* x op y, both given as decimal text, has the decimal text expected. */
static void assert_op(rc_object *(*op)(rc_object *, rc_object *), const char *x,
                      const char *y, const char *expected) {
    rc_object *a = num(x), *b = num(y);
    assert_text_steal(op(a, b), expected);
    rc_decref(a);
    rc_decref(b);
}

static void test_overflow_makes_big_ints(void **state) {
    (void)state;
    assert_op(rc_int_add, "9223372036854775807", "1", "9223372036854775808");
    assert_op(rc_int_sub, "-9223372036854775808", "1", "-9223372036854775809");
    assert_op(rc_int_mul, "9223372036854775807", "2", "18446744073709551614");
    assert_op(rc_int_mul, "-9223372036854775808", "-9223372036854775808",
              "85070591730234615865843651857942052864");
    assert_op(rc_int_div, "-9223372036854775808", "-1", "9223372036854775808");
    assert_op(rc_int_mod, "-9223372036854775808", "-1", "0");
    rc_object *min = rc_int_from_i64(INT64_MIN);
    rc_object *neg = rc_int_neg(min);
    assert_false(rc_int_fits_i64(neg));
    assert_true(rc_int_check(neg));
    int64_t v = 7;
    assert_status(rc_int_as_i64(neg, &v), RC_EOVERFLOW);
    assert_int_equal(v, 7); /* unchanged */
    assert_text_steal(rc_int_abs(min), "9223372036854775808");
    /* and back: -(2**63) is INT64_MIN, a small int again */
    rc_object *back = rc_int_neg(neg);
    assert_true(rc_int_fits_i64(back));
    assert_int_equal(rct_int(back), INT64_MIN);
    rc_decref(back);
    rc_decref(neg);
    rc_decref(min);
    assert_live_objects(0);
}

static void test_results_that_fit_are_small(void **state) {
    (void)state;
    rc_object *big = num("9223372036854775808"), *one = rc_int_from_i64(1);
    rc_object *r = rc_int_sub(big, one);
    assert_true(rc_int_fits_i64(r));
    assert_int_equal(rct_int(r), INT64_MAX);
    rc_decref(r);
    r = rc_int_sub(big, big);
    assert_true(r == rc_int_from_i64(0)); /* the immortal 0 */
    rc_decref(r);
    r = num("-00000000000000000000000000000000042"); /* long text, small value */
    assert_true(rc_int_fits_i64(r));
    assert_int_equal(rct_int(r), -42);
    rc_decref(r);
    rc_decref(big);
    rc_decref(one);
    assert_live_objects(0);
}

static void test_big_arithmetic(void **state) {
    (void)state;
    const char *a = "123456789012345678901234567890", *b = "-987654321098765432109876543210";
    assert_op(rc_int_add, a, b, "-864197532086419753208641975320");
    assert_op(rc_int_sub, a, b, "1111111110111111111011111111100");
    assert_op(rc_int_mul, a, b,
              "-121932631137021795226185032733622923332237463801111263526900");
    /* floor division: the quotient rounds down, the remainder takes the
     * divisor's sign, and a == q * b + r */
    assert_op(rc_int_div, b, a, "-9");
    assert_op(rc_int_mod, b, a, "123456780012345678001234567800");
    assert_op(rc_int_div, a, b, "-1");
    assert_op(rc_int_mod, a, b, "-864197532086419753208641975320");
    assert_op(rc_int_div, b, "-7", "141093474442680776015696649030");
    assert_op(rc_int_mod, b, "-7", "0");
    assert_op(rc_int_div, "123456789012345678901234567891", "-7",
              "-17636684144620811271604938271");
    assert_op(rc_int_mod, "123456789012345678901234567891", "-7", "-6");
    assert_op(rc_int_div, "123456789012345678901234567891", "7",
              "17636684144620811271604938270");
    assert_op(rc_int_mod, "123456789012345678901234567891", "7", "1");
    assert_op(rc_int_div, "-100000000000000000000", "3", "-33333333333333333334");
    assert_op(rc_int_mod, "-100000000000000000000", "3", "2");
    assert_op(rc_int_pow, "2", "100", "1267650600228229401496703205376");
    assert_op(rc_int_pow, "-3", "41", "-36472996377170786403");
    assert_op(rc_int_pow, "-3", "40", "12157665459056928801");
    assert_op(rc_int_pow, "7", "0", "1");
    assert_op(rc_int_pow, "0", "0", "1");
    assert_op(rc_int_pow, "-1", "100000000000000000000001", "-1");
    assert_op(rc_int_pow, "0", "100000000000000000000001", "0");
    rc_object *o = num(a);
    assert_text_steal(rc_int_neg(o), "-123456789012345678901234567890");
    rc_decref(o);
    o = num(b);
    assert_text_steal(rc_int_abs(o), "987654321098765432109876543210");
    assert_text_steal(rc_int_neg(o), "987654321098765432109876543210");
    rc_decref(o);
    assert_live_objects(0);
}

/* Bitwise operations, small and big, on Python's infinite two's
 * complement; each expected value is what CPython prints. */
static void test_bitwise(void **state) {
    (void)state;
    const char *a = "123456789012345678901234567890", *b = "-987654321098765432109876543210";
    assert_op(rc_int_and, a, b, "121512828827855409466171785234");
    assert_op(rc_int_or, a, b, "-985710360914275162674813760554");
    assert_op(rc_int_xor, a, b, "-1107223189742130572140985545788");
    assert_op(rc_int_lshift, a, "70", "145752050628652680975897013633443949312730317455360");
    assert_op(rc_int_rshift, b, "70", "-836575751");
    assert_op(rc_int_and, "-5", "3", "3");
    assert_op(rc_int_or, "-5", "3", "-5");
    assert_op(rc_int_xor, "-5", "3", "-8");
    assert_op(rc_int_rshift, "-7", "1", "-4");
    /* the int64_t edges: shifts that leave it go big, and come back */
    assert_op(rc_int_lshift, "1", "62", "4611686018427387904");
    assert_op(rc_int_lshift, "1", "63", "9223372036854775808");
    assert_op(rc_int_lshift, "-1", "63", "-9223372036854775808");
    assert_op(rc_int_lshift, "9223372036854775807", "1", "18446744073709551614");
    assert_op(rc_int_rshift, "18446744073709551616", "1", "9223372036854775808");
    assert_op(rc_int_rshift, "3", "100", "0");
    assert_op(rc_int_rshift, "-3", "100", "-1");
    assert_op(rc_int_rshift, "-3", "100000000000000000000", "-1");
    assert_op(rc_int_lshift, "0", "100000000000000000000", "0");
    rc_object *x = num(a);
    assert_text_steal(rc_int_invert(x), "-123456789012345678901234567891");
    rc_decref(x);
    x = num("-9223372036854775808");
    assert_text_steal(rc_int_invert(x), "9223372036854775807");
    rc_decref(x);
    rc_object *one = num("1"), *neg = num("-1"), *huge = num("100000000000000000000");
    assert_null_error(rc_int_lshift(one, neg), RC_EVALUE);
    assert_null_error(rc_int_rshift(one, neg), RC_EVALUE);
    assert_null_error(rc_int_lshift(one, huge), RC_ELIMIT);
    assert_null_error(rc_int_and(one, rc_none()), RC_ETYPE);
    assert_null_error(rc_int_invert(rc_none()), RC_ETYPE);
    rc_decref(one);
    rc_decref(neg);
    rc_decref(huge);
}

static void test_errors(void **state) {
    (void)state;
    rc_object *big = num("100000000000000000000"), *zero = rc_int_from_i64(0);
    rc_object *s = rc_str_from_cstr("x"), *m1 = rc_int_from_i64(-1);
    assert_null_error(rc_int_div(big, zero), RC_EZERODIV);
    assert_null_error(rc_int_mod(big, zero), RC_EZERODIV);
    assert_null_error(rc_int_pow(big, m1), RC_EVALUE);
    assert_null_error(rc_int_add(big, s), RC_ETYPE);
    assert_null_error(rc_int_mul(s, big), RC_ETYPE);
    assert_null_error(rc_int_abs(s), RC_ETYPE);
    assert_null_error(rc_int_pow(big, big), RC_ELIMIT);
    int c = 0;
    assert_status(rc_int_compare(big, s, &c), RC_ETYPE);
    assert_status(rc_int_compare(big, NULL, &c), RC_EVALUE);
    double d;
    assert_status(rc_int_as_double(s, &d), RC_ETYPE);
    rc_object *e = rc_int_from_i64((int64_t)RC_INT_MAX_BITS + 1), *two = rc_int_from_i64(2);
    assert_null_error(rc_int_pow(two, e), RC_ELIMIT);
    rc_object *half = rc_int_from_i64(RC_INT_MAX_BITS / 2), *p = rc_int_pow(two, half);
    assert_non_null(p);
    assert_null_error(rc_int_mul(p, p), RC_ELIMIT); /* 2**(2**26): one bit too many */
    rc_decref(p);
    rc_decref(half);
    rc_decref(e);
    rc_decref(s);
    rc_decref(big);
    assert_live_objects(0);
}

static void test_text_round_trips(void **state) {
    (void)state;
    char digits[102] = "-";
    for (int i = 1; i <= 100; i++)
        digits[i] = (char)('0' + (i * 7 + 3) % 10);
    digits[101] = '\0';
    digits[1] = '9'; /* no leading zero */
    assert_text_steal(num(digits), digits);
    assert_text_steal(num(digits + 1), digits + 1);
    assert_text_steal(num("  +1_000_000_000_000_000_000_000\n"), "1000000000000000000000");
    assert_text_steal(num("-9223372036854775808"), "-9223372036854775808");
    assert_text_steal(num("-9223372036854775809"), "-9223372036854775809");
    assert_text_steal(num("9223372036854775807"), "9223372036854775807");
    assert_text_steal(num("0"), "0");
    assert_text_steal(num("-0"), "0");
    assert_live_objects(0);
}

static void test_bad_strings(void **state) {
    (void)state;
    const char *bad[] = {"", " ", "-", "+", "12a", "1_", "_1", "1__2", "1 2", "0x10",
                         "--1", "1.5", "123456789012345678901234567890z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null_error(rc_int_from_str(bad[i], strlen(bad[i])), RC_EVALUE);
        assert_non_null(strstr(rc_error_message(), "invalid literal for int() with base 10"));
    }
    assert_null_error(rc_int_from_str(NULL, 1), RC_EVALUE);
    rc_object *one = rc_int_from_str("12", 1); /* len counts, not a NUL */
    assert_int_equal(rct_int(one), 1);
    rc_decref(one);
    assert_live_objects(0);
}

static void test_conversions_and_compare(void **state) {
    (void)state;
    rc_object *p = num("18446744073709551616"); /* 2**64 */
    double d = 0;
    assert_int_equal(rc_int_as_double(p, &d), RC_OK);
    assert_true(d == 0x1p64);
    assert_int_equal(rc_float_as_double(p, &d), RC_OK);
    assert_true(d == 0x1p64);
    rc_decref(p);
    /* 2**64 + 2**11 + 1 rounds up to 2**64 + 2**12 (above the halfway),
     * 2**64 + 2**11 to even: 2**64 (truncation would give 2**64 both times) */
    p = num("18446744073709553665");
    assert_int_equal(rc_int_as_double(p, &d), RC_OK);
    assert_true(d == 0x1p64 + 0x1p12);
    rc_decref(p);
    p = num("18446744073709553664");
    assert_int_equal(rc_int_as_double(p, &d), RC_OK);
    assert_true(d == 0x1p64);
    rc_decref(p);
    rc_object *two = rc_int_from_i64(2), *e = rc_int_from_i64(1024);
    p = rc_int_pow(two, e);
    assert_status(rc_int_as_double(p, &d), RC_EOVERFLOW);
    assert_status(rc_float_as_double(p, &d), RC_EOVERFLOW);
    rc_object *q = rc_int_neg(p), *small = rc_int_from_i64(INT64_MAX);
    int c = 9;
    assert_int_equal(rc_int_compare(p, q, &c), RC_OK);
    assert_int_equal(c, 1);
    assert_int_equal(rc_int_compare(q, small, &c), RC_OK);
    assert_int_equal(c, -1);
    assert_int_equal(rc_int_compare(small, p, &c), RC_OK);
    assert_int_equal(c, -1);
    assert_int_equal(rc_int_compare(p, p, &c), RC_OK);
    assert_int_equal(c, 0);
    assert_int_equal(rc_int_compare(small, two, &c), RC_OK);
    assert_int_equal(c, 1);
    /* against doubles, exactly: 2**1024 is past every finite double */
    assert_int_equal(rc_int_compare_double(p, 0x1.fffffffffffffp1023, &c), RC_OK);
    assert_int_equal(c, 1);
    assert_int_equal(rc_int_compare_double(p, INFINITY, &c), RC_OK);
    assert_int_equal(c, -1);
    assert_int_equal(rc_int_compare_double(q, -INFINITY, &c), RC_OK);
    assert_int_equal(c, 1);
    rc_object *odd = num("9007199254740993"); /* 2**53 + 1: no double holds it */
    assert_int_equal(rc_int_compare_double(odd, 0x1p53, &c), RC_OK);
    assert_int_equal(c, 1);
    assert_int_equal(rc_int_compare_double(odd, 0x1p53 + 2, &c), RC_OK);
    assert_int_equal(c, -1);
    rc_decref(odd);
    assert_int_equal(rc_int_compare_double(two, 2.0, &c), RC_OK);
    assert_int_equal(c, 0);
    assert_status(rc_int_compare_double(two, NAN, &c), RC_EVALUE);
    assert_status(rc_int_compare_double(NULL, 1.0, &c), RC_EVALUE);
    rc_object *f = rc_float_from_double(1.0);
    assert_status(rc_int_compare_double(f, 1.0, &c), RC_ETYPE);
    rc_decref(f);
    rc_decref(small);
    rc_decref(q);
    rc_decref(p);
    rc_decref(e);
    assert_live_objects(0);
}

static uint64_t hash_of(rc_object *o) {
    uint64_t h = 0;
    assert_int_equal(rc_object_hash(o, &h), RC_OK);
    return h;
}

static void test_hash_and_equality(void **state) {
    (void)state;
    /* equal values, made two ways, are equal and hash equal */
    rc_object *a = num("340282366920938463463374607431768211456"); /* 2**128 */
    rc_object *two = rc_int_from_i64(2), *e = rc_int_from_i64(128);
    rc_object *b = rc_int_pow(two, e);
    assert_int_equal(rc_object_equal(a, b), 1);
    assert_true(hash_of(a) == hash_of(b));
    /* a float of the same value: equal, same hash */
    rc_object *f = rc_float_from_double(0x1p128);
    assert_int_equal(rc_object_equal(a, f), 1);
    assert_int_equal(rc_object_equal(f, a), 1);
    assert_true(hash_of(a) == hash_of(f));
    /* not equal to a neighbour, nor to the float next to it */
    rc_object *one = rc_int_from_i64(1), *a1 = rc_int_add(a, one);
    assert_int_equal(rc_object_equal(a, a1), 0);
    assert_int_equal(rc_object_equal(a1, f), 0);
    assert_int_equal(rc_object_equal(a1, one), 0);
    rc_object *nan = rc_float_from_double(NAN);
    assert_int_equal(rc_object_equal(a, nan), 0);
    /* small ints keep their value as hash */
    rc_object *m = rc_int_from_i64(INT64_MIN);
    assert_true(hash_of(m) == (uint64_t)INT64_MIN);
    /* dict keys: big, the equal float, small */
    rc_object *d = rc_dict_new();
    assert_int_equal(rc_dict_set(d, a, one), RC_OK);
    assert_int_equal(rc_dict_set(d, a1, two), RC_OK);
    assert_int_equal(rc_dict_set(d, m, e), RC_OK);
    assert_int_equal(rc_dict_size(d), 3);
    rc_object *got = rc_dict_get(d, b);
    assert_true(got == one);
    rc_decref(got);
    got = rc_dict_get(d, f);
    assert_true(got == one);
    rc_decref(got);
    rc_object *m2 = num("-9223372036854775808");
    got = rc_dict_get(d, m2);
    assert_true(got == e);
    rc_decref(got);
    rc_decref(m2);
    rc_decref(d);
    rc_decref(m);
    rc_decref(nan);
    rc_decref(a1);
    rc_decref(f);
    rc_decref(b);
    rc_decref(a);
    assert_live_objects(0);
}

/* Big results through every operation, for the allocation-failure sweep. */
static rc_status big_work(void *arg) {
    (void)arg;
    const char *text = "-123456789012345678901234567890";
    rc_object *a = rc_int_from_str(text, strlen(text));
    rc_object *b = a ? rc_int_mul(a, a) : NULL;
    rc_object *c = b ? rc_int_div(b, a) : NULL;
    rc_object *r = c ? rc_object_repr(c) : NULL;
    rc_status st = r ? RC_OK : rc_error_code();
    rc_xdecref(r);
    rc_xdecref(c);
    rc_xdecref(b);
    rc_xdecref(a);
    return st;
}

static void test_alloc_failures(void **state) {
    (void)state;
    assert_true(rct_sweep_alloc_failures(big_work, NULL) >= 4);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overflow_makes_big_ints),
        cmocka_unit_test(test_results_that_fit_are_small),
        cmocka_unit_test(test_big_arithmetic),
        cmocka_unit_test(test_bitwise),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_text_round_trips),
        cmocka_unit_test(test_bad_strings),
        cmocka_unit_test(test_conversions_and_compare),
        cmocka_unit_test(test_hash_and_equality),
        RCT_SERIAL(test_alloc_failures, RCT_FAILS_ALLOCATIONS),
    };
    return RCT_RUN_GROUP(tests);
}
