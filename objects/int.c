/*
 * objects/int.c -- integers of any size (int.h).
 *
 * Two representations under one kind. A small int (type rc_int_type) holds
 * an int64_t: this is the only representation most programs ever see, and
 * its code paths are those of a 64-bit int: one type test per operand and
 * the compiler's overflow-checking builtins. Values RC_SMALL_INT_MIN..
 * RC_SMALL_INT_MAX are statically allocated and immortal. A big int (type
 * rci_bigint_type, also named "int") holds a GMP mpz_t; it exists only for
 * values outside int64_t.
 *
 * Invariant: a big int's value never fits in int64_t. Every result is made
 * by int_from_mpz, which gives a small int whenever the value fits, so equal
 * values have one representation: two small ints are equal iff their
 * int64_t are, a small and a big int are never equal, and the dict's
 * small-int fast path (equal hashes => equal ints) stays true.
 *
 * A small-int operation that overflows, and any operation with a big
 * operand, goes to one slow path (int_arith_slow) that computes in GMP with
 * temporaries. GMP allocates with malloc through its default functions:
 * refcore does not install mp_set_memory_functions, because they are
 * process-global and would take over every other GMP user in a program
 * that embeds refcore. What that costs: GMP aborts when malloc fails, and
 * on numbers past its own size limits, so every operation checks the size
 * of its result against RC_INT_MAX_BITS (RC_ELIMIT) before GMP computes it.
 */
#include <errno.h>
#include <gmp.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "objects/float.h"
#include "objects/int.h"
#include "objects/object_internal.h"
#include "objects/str.h"

/* mpz_get_si and mpz_fits_slong_p are the int64_t conversions. */
_Static_assert(LONG_MAX == INT64_MAX && LONG_MIN == INT64_MIN, "long must be 64 bits");

typedef struct int_object {
    rc_object base;
    int64_t value;
} int_object;

typedef struct bigint_object {
    rc_object base;
    mpz_t value; /* never fits in int64_t; written before the object is published */
} bigint_object;

#define SMALL_INT_COUNT (RC_SMALL_INT_MAX - RC_SMALL_INT_MIN + 1)
static int_object small_ints[SMALL_INT_COUNT];

static inline int64_t int_value(rc_object *o) {
    return ((int_object *)o)->value;
}

static inline mpz_srcptr big_value(rc_object *o) {
    return ((bigint_object *)o)->value;
}

static inline bool is_small(const rc_object *o) {
    return o->type == &rc_int_type;
}

static inline bool is_big(const rc_object *o) {
    return o->type == &rci_bigint_type;
}

static RC_NOINLINE bool int_check_slow(const rc_object *o) {
    return o && is_big(o);
}

/* Split so that a small int costs the 7 instructions the test cost before
 * big ints existed (callgrind: refpy's count.py calls it 4 times a loop). */
bool rc_int_check(const rc_object *o) {
    if (RC_LIKELY(o && is_small(o)))
        return true;
    return int_check_slow(o);
}

bool rc_int_fits_i64(const rc_object *o) {
    return o && is_small(o);
}

/* ---- conversions with GMP ------------------------------------------------------ */

/* o's value as an mpz: a big int's own (borrowed), or tmp set to a small
 * int's value. pre: rc_int_check(o). tmp is initialised either way, for
 * one mpz_clear. */
static mpz_srcptr int_mpz(rc_object *o, mpz_t tmp) {
    if (is_small(o)) {
        mpz_init_set_si(tmp, int_value(o));
        return tmp;
    }
    mpz_init(tmp); /* GMP 6.2 allocates nothing for an empty mpz */
    return big_value(o);
}

/* The int of value r, which this clears (its digits move into a new big
 * int). Returns: a new reference, or NULL. */
static rc_object *int_from_mpz(mpz_t r) {
    if (mpz_fits_slong_p(r)) {
        int64_t v = mpz_get_si(r);
        mpz_clear(r);
        return rc_int_from_i64(v);
    }
    bigint_object *o = (bigint_object *)rci_object_alloc(&rci_bigint_type, sizeof *o);
    if (o) {
        mpz_init(o->value);
        mpz_swap(o->value, r);
    }
    mpz_clear(r);
    return o ? &o->base : NULL;
}

static size_t bits(mpz_srcptr z) {
    return mpz_sgn(z) ? mpz_sizeinbase(z, 2) : 0;
}

static rc_status too_large(void) {
    return rc_error_set(RC_ELIMIT, "int too large: more than %" PRIu64 " bits",
                        (uint64_t)RC_INT_MAX_BITS);
}

/* The decimal digits of z, with a '-' if negative, in a new rc_mem buffer
 * (NUL-ended); NULL with RC_ENOMEM. */
static char *mpz_text(mpz_srcptr z) {
    char *buf = rci_mem_alloc(mpz_sizeinbase(z, 10) + 2);
    if (buf)
        mpz_get_str(buf, 10, z);
    return buf;
}

/* ---- slots ------------------------------------------------------------------------ */

static rc_status int_hash(rc_object *self, uint64_t *out) {
    *out = (uint64_t)int_value(self);
    return RC_OK;
}

/* Exact comparison with a float: equal only if the float is integral and
 * within int64_t's range, and then equal as integers. */
static int int_equals_double(int64_t i, double d) {
    if (d != floor(d) || d < -0x1p63 || d >= 0x1p63)
        return 0;
    return (int64_t)d == i;
}

static int int_equal(rc_object *self, rc_object *other) {
    if (is_small(other))
        return int_value(self) == int_value(other);
    if (rc_float_check(other)) {
        double d;
        rc_float_as_double(other, &d);
        return int_equals_double(int_value(self), d);
    }
    return 0; /* a big int (never equal: canonical form), or another type */
}

static rc_object *int_repr(rc_object *self) {
    return rc_str_from_format("%" PRId64, int_value(self));
}

rc_type rc_int_type = {
    .name = "int",
    .basicsize = sizeof(int_object),
    .instance_size = rc_fixed_instance_size,
    .hash = int_hash,
    .equal = int_equal,
    .repr = int_repr,
    .id = RCI_TYPE_ID_INT,
};

static void bigint_dealloc(rc_object *self) {
    mpz_clear(((bigint_object *)self)->value);
}

/* The hash of a float that holds z exactly (as float.c hashes a double
 * outside int64_t), else a mix of z's limbs and sign. */
static rc_status bigint_hash(rc_object *self, uint64_t *out) {
    mpz_srcptr z = big_value(self);
    double d = mpz_get_d(z); /* truncated: exact iff z equals it */
    if (isfinite(d) && mpz_cmp_d(z, d) == 0) {
        *out = rci_float_hash_double(d);
        return RC_OK;
    }
    uint64_t h = mpz_sgn(z) < 0 ? UINT64_C(0x9e3779b97f4a7c15) : 0;
    for (size_t i = 0, n = mpz_size(z); i < n; i++)
        h = (h ^ (uint64_t)mpz_getlimbn(z, (mp_size_t)i)) * UINT64_C(0x100000001b3);
    *out = h;
    return RC_OK;
}

static int bigint_equal(rc_object *self, rc_object *other) {
    if (is_big(other))
        return mpz_cmp(big_value(self), big_value(other)) == 0;
    if (rc_float_check(other)) {
        double d;
        rc_float_as_double(other, &d);
        return !isnan(d) && mpz_cmp_d(big_value(self), d) == 0; /* exact */
    }
    return 0;
}

static rc_object *bigint_repr(rc_object *self) {
    char *text = mpz_text(big_value(self));
    rc_object *s = text ? rc_str_from_cstr(text) : NULL;
    rci_mem_free(text);
    return s;
}

rc_type rci_bigint_type = {
    .name = "int",
    .basicsize = sizeof(bigint_object),
    .instance_size = rc_fixed_instance_size,
    .dealloc = bigint_dealloc,
    .hash = bigint_hash,
    .equal = bigint_equal,
    .repr = bigint_repr,
    .id = RCI_TYPE_ID_BIGINT,
};

/* ---- creation and access ------------------------------------------------------------ */

void rci_small_ints_init(void) {
    for (int i = 0; i < SMALL_INT_COUNT; i++) {
        small_ints[i].base.type = &rc_int_type;
        rcs_make_immortal(&small_ints[i].base.rc);
        small_ints[i].value = RC_SMALL_INT_MIN + i;
    }
}

rc_object *rc_int_from_i64(int64_t value) {
    if (value >= RC_SMALL_INT_MIN && value <= RC_SMALL_INT_MAX)
        return &small_ints[value - RC_SMALL_INT_MIN].base;
    int_object *o = (int_object *)rci_object_alloc(&rc_int_type, sizeof *o);
    if (!o)
        return NULL;
    o->value = value;
    return &o->base;
}

static bool is_space(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static rc_object *bad_literal(const char *s, size_t len) {
    return rci_error_null(RC_EVALUE, "invalid literal for int() with base 10: '%.*s'",
                          len > 200 ? 200 : (int)len, s);
}

rc_object *rc_int_from_str(const char *s, size_t len) {
    if (!s && len)
        return rci_error_null(RC_EVALUE, "rc_int_from_str: NULL text");
    const char *p = s, *end = s + len;
    while (p < end && is_space(*p))
        p++;
    while (end > p && is_space(end[-1]))
        end--;
    bool negative = p < end && *p == '-';
    p += p < end && (*p == '-' || *p == '+');
    if (p == end || (size_t)(end - p) > RC_INT_MAX_BITS / 3) /* 3 bits per digit, at least */
        return p == end ? bad_literal(s, len) : (too_large(), NULL);
    /* The digits without underscores, each between two digits. */
    char *digits = rci_mem_alloc((size_t)(end - p) + 2), *q = digits;
    if (!digits)
        return NULL;
    *q++ = negative ? '-' : '+';
    for (const char *c = p; c < end; c++) {
        if (*c >= '0' && *c <= '9')
            *q++ = *c;
        else if (!(*c == '_' && c > p && c + 1 < end && c[-1] != '_' && c[1] >= '0' &&
                   c[1] <= '9')) {
            rci_mem_free(digits);
            return bad_literal(s, len);
        }
    }
    *q = '\0';
    rc_object *r = NULL;
    if (q - digits <= 19) { /* a sign and up to 18 digits: always an int64_t */
        r = rc_int_from_i64(strtoll(digits, NULL, 10));
    } else {
        mpz_t z;
        mpz_init_set_str(z, digits + 1, 10); /* cannot fail: only digits */
        if (negative)
            mpz_neg(z, z);
        r = int_from_mpz(z);
    }
    rci_mem_free(digits);
    return r;
}

rc_status rc_int_as_i64(rc_object *o, int64_t *out) {
    if (!o || !out)
        return rc_error_set(RC_EVALUE, "rc_int_as_i64: NULL argument");
    if (RC_LIKELY(is_small(o))) {
        *out = int_value(o);
        return RC_OK;
    }
    if (is_big(o))
        return rc_error_set(RC_EOVERFLOW, "int too large to convert to int64");
    return rc_error_set(RC_ETYPE, "expected an int, got %s", o->type->name);
}

rc_status rc_int_as_double(rc_object *o, double *out) {
    if (!o || !out)
        return rc_error_set(RC_EVALUE, "rc_int_as_double: NULL argument");
    if (!rc_int_check(o))
        return rc_error_set(RC_ETYPE, "expected an int, got %s", o->type->name);
    if (is_small(o)) {
        *out = (double)int_value(o);
        return RC_OK;
    }
    /* strtod rounds the exact decimal text to nearest, ties to even, as
     * Python does; mpz_get_d would truncate. Big ints are rare here. */
    char *text = mpz_text(big_value(o));
    if (!text)
        return rc_error_code();
    errno = 0;
    double d = strtod(text, NULL);
    bool overflow = errno == ERANGE && isinf(d);
    rci_mem_free(text);
    if (overflow)
        return rc_error_set(RC_EOVERFLOW, "int too large to convert to float");
    *out = d;
    return RC_OK;
}

/* ---- arithmetic ------------------------------------------------------------------ */

typedef enum int_op {
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_POW, OP_AND, OP_OR, OP_XOR, OP_LSHIFT, OP_RSHIFT
} int_op;

static const char *const op_names[] = {"+", "-", "*", "//", "%", "** or pow()",
                                       "&", "|", "^", "<<", ">>"};

static inline bool both_small(const rc_object *a, const rc_object *b) {
    return a && b && is_small(a) && is_small(b);
}

/* The size check before GMP computes x op y: RC_OK, or RC_ELIMIT. pow's
 * exponent y is known to fit in an unsigned long. */
static rc_status result_fits(int_op op, mpz_srcptr x, mpz_srcptr y) {
    size_t bx = bits(x), by = bits(y);
    uint64_t need = op == OP_MUL      ? (uint64_t)bx + by
                    : op == OP_POW    ? (bx <= 1 ? 1 : (uint64_t)bx * mpz_get_ui(y))
                    : op == OP_LSHIFT ? (uint64_t)bx + mpz_get_ui(y)
                    : op == OP_RSHIFT ? bx
                                      : (uint64_t)(bx > by ? bx : by) + 1;
    /* bx * y cannot wrap: bx <= RC_INT_MAX_BITS (2**26) and y <= 2**26 here */
    if (op == OP_POW && bx > 1 && mpz_cmp_ui(y, RC_INT_MAX_BITS) > 0)
        return too_large();
    return need > RC_INT_MAX_BITS ? too_large() : RC_OK;
}

/* x op y into r (initialised). pre: y != 0 for div and mod; for pow,
 * 0 <= y fitting an unsigned long. */
static void mpz_compute(int_op op, mpz_t r, mpz_srcptr x, mpz_srcptr y) {
    switch (op) {
    case OP_ADD: mpz_add(r, x, y); break;
    case OP_SUB: mpz_sub(r, x, y); break;
    case OP_MUL: mpz_mul(r, x, y); break;
    case OP_DIV: mpz_fdiv_q(r, x, y); break; /* floor: Python's // */
    case OP_MOD: mpz_fdiv_r(r, x, y); break; /* the divisor's sign: Python's % */
    case OP_POW: mpz_pow_ui(r, x, mpz_get_ui(y)); break;
    /* GMP's bitwise operations act on the infinite two's complement, as
     * Python's do; a right shift rounds toward negative infinity, as >> */
    case OP_AND: mpz_and(r, x, y); break;
    case OP_OR: mpz_ior(r, x, y); break;
    case OP_XOR: mpz_xor(r, x, y); break;
    case OP_LSHIFT: mpz_mul_2exp(r, x, mpz_get_ui(y)); break;
    case OP_RSHIFT: mpz_fdiv_q_2exp(r, x, mpz_get_ui(y)); break;
    }
}

/* Checks the operands of op, then a big exponent: only 0, 1 and -1 have a
 * power (of any exponent) that is not too large. */
static rc_status operands_ok(int_op op, mpz_srcptr x, mpz_srcptr y) {
    if ((op == OP_DIV || op == OP_MOD) && mpz_sgn(y) == 0)
        return rc_error_set(RC_EZERODIV, "integer division or modulo by zero");
    if (op == OP_POW && mpz_sgn(y) < 0)
        return rc_error_set(RC_EVALUE, "negative exponent: the power is not an int");
    if (op == OP_POW && !mpz_fits_ulong_p(y) && mpz_cmpabs_ui(x, 1) > 0)
        return too_large();
    if ((op == OP_LSHIFT || op == OP_RSHIFT) && mpz_sgn(y) < 0)
        return rc_error_set(RC_EVALUE, "negative shift count");
    if (op == OP_LSHIFT && mpz_sgn(x) != 0 && !mpz_fits_ulong_p(y))
        return too_large();
    return RC_OK;
}

/* Any operation the int64_t fast path did not finish: a big operand, a
 * small result that overflowed, a type error, or division by zero. */
static RC_NOINLINE rc_object *int_arith_slow(int_op op, rc_object *a, rc_object *b) {
    if (!rc_int_check(a) || !rc_int_check(b))
        return rci_error_null(RC_ETYPE, "unsupported operand types for %s: '%s' and '%s'",
                              op_names[op], a ? a->type->name : "NULL",
                              b ? b->type->name : "NULL");
    mpz_t ta, tb, r;
    mpz_srcptr x = int_mpz(a, ta), y = int_mpz(b, tb);
    rc_object *result = NULL;
    if (operands_ok(op, x, y) == RC_OK) {
        if (op == OP_POW && !mpz_fits_ulong_p(y)) /* base 0, 1 or -1 */
            mpz_init_set_si(r, mpz_sgn(x) == 0 ? 0 : mpz_sgn(x) > 0 || mpz_even_p(y) ? 1 : -1);
        else if ((op == OP_LSHIFT || op == OP_RSHIFT) && (!mpz_fits_ulong_p(y) || mpz_sgn(x) == 0))
            mpz_init_set_si(r, mpz_sgn(x) < 0 && op == OP_RSHIFT ? -1 : 0); /* 0 << k, 0 >> k, x >> huge k */
        else if (result_fits(op, x, y) == RC_OK)
            mpz_init(r), mpz_compute(op, r, x, y);
        else
            goto done;
        result = int_from_mpz(r);
    }
done:
    mpz_clear(ta);
    mpz_clear(tb);
    return result;
}

rc_object *rc_int_add(rc_object *a, rc_object *b) {
    int64_t r;
    if (RC_LIKELY(both_small(a, b)) && !__builtin_add_overflow(int_value(a), int_value(b), &r))
        return rc_int_from_i64(r);
    return int_arith_slow(OP_ADD, a, b);
}

rc_object *rc_int_sub(rc_object *a, rc_object *b) {
    int64_t r;
    if (RC_LIKELY(both_small(a, b)) && !__builtin_sub_overflow(int_value(a), int_value(b), &r))
        return rc_int_from_i64(r);
    return int_arith_slow(OP_SUB, a, b);
}

rc_object *rc_int_mul(rc_object *a, rc_object *b) {
    int64_t r;
    if (RC_LIKELY(both_small(a, b)) && !__builtin_mul_overflow(int_value(a), int_value(b), &r))
        return rc_int_from_i64(r);
    return int_arith_slow(OP_MUL, a, b);
}

/* Floor division and modulo (Python's // and %) of int64_t x by y: false
 * where only the slow path can answer (y == 0 for the error, and
 * INT64_MIN // -1, whose quotient 2**63 is a big int). C's INT64_MIN % -1
 * is undefined; its true value is 0. */
static inline bool small_divmod(int64_t x, int64_t y, int64_t *q, int64_t *m) {
    if (y == 0 || (y == -1 && x == INT64_MIN && q))
        return false;
    if (y == -1) {
        if (q)
            *q = -x;
        *m = 0;
        return true;
    }
    int64_t qq = x / y, mm = x % y;
    if (mm != 0 && ((mm < 0) != (y < 0))) {
        qq -= 1;
        mm += y;
    }
    if (q)
        *q = qq;
    *m = mm;
    return true;
}

rc_object *rc_int_div(rc_object *a, rc_object *b) {
    int64_t q, m;
    if (RC_LIKELY(both_small(a, b)) && small_divmod(int_value(a), int_value(b), &q, &m))
        return rc_int_from_i64(q);
    return int_arith_slow(OP_DIV, a, b);
}

rc_object *rc_int_mod(rc_object *a, rc_object *b) {
    int64_t m;
    if (RC_LIKELY(both_small(a, b)) && small_divmod(int_value(a), int_value(b), NULL, &m))
        return rc_int_from_i64(m);
    return int_arith_slow(OP_MOD, a, b);
}

/* x ** e in int64_t by repeated squaring; false on overflow. pre: e >= 0. */
static bool small_pow(int64_t x, int64_t e, int64_t *out) {
    int64_t r = 1;
    while (e > 0) {
        if ((e & 1) && __builtin_mul_overflow(r, x, &r))
            return false;
        e >>= 1;
        if (e > 0 && __builtin_mul_overflow(x, x, &x))
            return false;
    }
    *out = r;
    return true;
}

rc_object *rc_int_pow(rc_object *a, rc_object *b) {
    int64_t r;
    if (both_small(a, b) && int_value(b) >= 0 && small_pow(int_value(a), int_value(b), &r))
        return rc_int_from_i64(r);
    return int_arith_slow(OP_POW, a, b);
}

rc_object *rc_int_and(rc_object *a, rc_object *b) {
    if (RC_LIKELY(both_small(a, b)))
        return rc_int_from_i64(int_value(a) & int_value(b));
    return int_arith_slow(OP_AND, a, b);
}

rc_object *rc_int_or(rc_object *a, rc_object *b) {
    if (RC_LIKELY(both_small(a, b)))
        return rc_int_from_i64(int_value(a) | int_value(b));
    return int_arith_slow(OP_OR, a, b);
}

rc_object *rc_int_xor(rc_object *a, rc_object *b) {
    if (RC_LIKELY(both_small(a, b)))
        return rc_int_from_i64(int_value(a) ^ int_value(b));
    return int_arith_slow(OP_XOR, a, b);
}

rc_object *rc_int_lshift(rc_object *a, rc_object *b) {
    if (RC_LIKELY(both_small(a, b))) {
        int64_t x = int_value(a), k = int_value(b);
        /* exact when shifting back gives x again (x * 2**k fits) */
        if (k >= 0 && k < 63 && ((int64_t)((uint64_t)x << k) >> k) == x)
            return rc_int_from_i64((int64_t)((uint64_t)x << k));
    }
    return int_arith_slow(OP_LSHIFT, a, b);
}

rc_object *rc_int_rshift(rc_object *a, rc_object *b) {
    if (RC_LIKELY(both_small(a, b)) && int_value(b) >= 0) {
        int64_t x = int_value(a), k = int_value(b);
        /* gcc's >> of a negative int64_t is arithmetic: floor, as Python's */
        return rc_int_from_i64(k >= 63 ? (x < 0 ? -1 : 0) : x >> k);
    }
    return int_arith_slow(OP_RSHIFT, a, b);
}

/* -a (negate) or |a|, for a big int or INT64_MIN. */
static RC_NOINLINE rc_object *int_sign_slow(rc_object *a, bool negate) {
    mpz_t t, r;
    mpz_srcptr x = int_mpz(a, t);
    mpz_init(r);
    if (negate)
        mpz_neg(r, x);
    else
        mpz_abs(r, x);
    mpz_clear(t);
    return int_from_mpz(r);
}

rc_object *rc_int_neg(rc_object *a) {
    if (!rc_int_check(a))
        return rci_error_null(RC_ETYPE, "bad operand type for unary -: '%s'",
                              a ? a->type->name : "NULL");
    if (RC_LIKELY(is_small(a)) && int_value(a) != INT64_MIN)
        return rc_int_from_i64(-int_value(a));
    return int_sign_slow(a, true);
}

rc_object *rc_int_invert(rc_object *a) {
    if (!rc_int_check(a))
        return rci_error_null(RC_ETYPE, "bad operand type for unary ~: '%s'",
                              a ? a->type->name : "NULL");
    if (RC_LIKELY(is_small(a)))
        return rc_int_from_i64(~int_value(a)); /* -x - 1: always fits */
    mpz_t t, r;
    mpz_srcptr x = int_mpz(a, t);
    mpz_init(r);
    mpz_com(r, x);
    mpz_clear(t);
    return int_from_mpz(r);
}

rc_object *rc_int_abs(rc_object *a) {
    if (!rc_int_check(a))
        return rci_error_null(RC_ETYPE, "bad operand type for abs(): '%s'",
                              a ? a->type->name : "NULL");
    if (RC_LIKELY(is_small(a)) && int_value(a) != INT64_MIN) {
        int64_t x = int_value(a);
        return x >= 0 ? rc_newref(a) : rc_int_from_i64(-x);
    }
    return int_sign_slow(a, false);
}

static RC_NOINLINE rc_status int_compare_slow(rc_object *a, rc_object *b, int *out) {
    if (!a || !b || !out)
        return rc_error_set(RC_EVALUE, "rc_int_compare: NULL argument");
    if (!rc_int_check(a) || !rc_int_check(b))
        return rc_error_set(RC_ETYPE, "rc_int_compare: expected ints, got %s and %s",
                            a->type->name, b->type->name);
    mpz_t ta, tb;
    int c = mpz_cmp(int_mpz(a, ta), int_mpz(b, tb));
    mpz_clear(ta);
    mpz_clear(tb);
    *out = (c > 0) - (c < 0);
    return RC_OK;
}

rc_status rc_int_compare_double(rc_object *a, double d, int *out) {
    if (!a || !out)
        return rc_error_set(RC_EVALUE, "rc_int_compare_double: NULL argument");
    if (!rc_int_check(a))
        return rc_error_set(RC_ETYPE, "rc_int_compare_double: expected an int, got %s",
                            a->type->name);
    if (isnan(d))
        return rc_error_set(RC_EVALUE, "rc_int_compare_double: NaN has no order");
    mpz_t t;
    int c = mpz_cmp_d(int_mpz(a, t), d); /* exact, and defined for infinities */
    mpz_clear(t);
    *out = (c > 0) - (c < 0);
    return RC_OK;
}

rc_status rc_int_compare(rc_object *a, rc_object *b, int *out) {
    if (RC_LIKELY(both_small(a, b) && out)) {
        int64_t x = int_value(a), y = int_value(b);
        *out = (x > y) - (x < y);
        return RC_OK;
    }
    return int_compare_slow(a, b, out);
}
