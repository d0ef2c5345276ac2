/*
 * lang/ops.c -- arithmetic, comparison, membership, truth and indexing.
 *
 * Ints stay exact: int op int goes through refcore's int arithmetic, which
 * makes a big int of a result past 64 bits (objects/int.h). Any float
 * operand makes the operation a float one, as in Python; an int converts to
 * the nearest double, and one beyond the double range is an error.
 */
#include "lang/ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/classes.h"
#include "lang/format.h"
#include "lang/objects.h"
#include "lang/sets.h"

static bool is_num(const rc_object *o) {
    return rc_int_check(o) || rc_float_check(o);
}

/* pre: o is a float or an int that fits in int64_t, so it cannot fail. */
static double num(rc_object *o) {
    double d = 0;
    rc_float_as_double(o, &d);
    return d;
}

/* Two numbers as doubles; RC_EOVERFLOW for a big int beyond the double
 * range. pre: is_num(a) && is_num(b). */
static rc_status nums(rc_object *a, rc_object *b, double *x, double *y) {
    rc_status st = rc_float_as_double(a, x);
    return st != RC_OK ? st : rc_float_as_double(b, y);
}

static rc_object *type_error(const char *op, rc_object *a, rc_object *b) {
    rc_error_set(RC_ETYPE, "unsupported operand type(s) for %s: '%s' and '%s'", op,
                 rc_object_type_name(a), rc_object_type_name(b));
    return NULL;
}

int lang_truthy(rc_object *o) {
    if (rc_bool_check(o))
        return rc_bool_value(o);
    if (rc_is_none(o))
        return 0;
    if (rc_int_check(o)) /* a big int is never 0 */
        return !rc_int_fits_i64(o) || num(o) != 0.0;
    if (rc_float_check(o))
        return num(o) != 0.0;
    if (rc_str_check(o))
        return rc_str_byte_length(o) > 0;
    if (rc_list_check(o))
        return rc_list_size(o) > 0;
    if (rc_dict_check(o))
        return rc_dict_size(o) > 0;
    if (rc_tuple_check(o))
        return rc_tuple_size(o) > 0;
    if (rc_set_check(o))
        return rc_set_size(o) > 0;
    return 1;
}

/* ---- arithmetic ---------------------------------------------------------- */

/* x ** y as Python's float power: 0.0 to a negative power divides by
 * zero, a negative base to a fractional power has no float value, and a
 * result past the double range overflows. */
static RC_NOINLINE rc_object *float_pow(double x, double y) {
    if (x == 0.0 && y < 0) {
        rc_error_set(RC_EZERODIV, "0.0 cannot be raised to a negative power");
        return NULL;
    }
    if (x < 0 && y != floor(y) && isfinite(y)) {
        rc_error_set(RC_EVALUE, "a negative number to a fractional power is complex");
        return NULL;
    }
    double r = pow(x, y);
    if (isinf(r) && isfinite(x) && isfinite(y)) {
        rc_error_set(RC_EOVERFLOW, "(34, 'Numerical result out of range')");
        return NULL;
    }
    return rc_float_from_double(r);
}

static rc_object *float_op(lang_binop op, double x, double y) {
    switch (op) {
    case BIN_ADD: return rc_float_from_double(x + y);
    case BIN_SUB: return rc_float_from_double(x - y);
    case BIN_MUL: return rc_float_from_double(x * y);
    case BIN_POW: return float_pow(x, y);
    default: break;
    }
    if (y == 0.0) {
        rc_error_set(RC_EZERODIV, "float division by zero");
        return NULL;
    }
    if (op == BIN_DIV)
        return rc_float_from_double(x / y);
    if (op == BIN_FLOORDIV)
        return rc_float_from_double(floor(x / y));
    double m = fmod(x, y); /* Python's %: the result takes the divisor's sign */
    if (m != 0.0 && (m < 0) != (y < 0))
        m += y;
    return rc_float_from_double(m);
}

/* Two numbers as doubles, then the float operation. */
static rc_object *float_op_of(lang_binop op, rc_object *a, rc_object *b) {
    double x = 0, y = 0;
    if (nums(a, b, &x, &y) != RC_OK)
        return NULL;
    return float_op(op, x, y);
}

/* a / b with a big operand: q + r / b from the exact floor division, so
 * that the quotient's digits beyond a double's are lost only once (10**50
 * / 10**49 is 10.0). Near a tie the last bit may differ from Python's
 * correctly rounded result. */
static RC_NOINLINE rc_object *big_true_div(rc_object *a, rc_object *b) {
    rc_object *q = rc_int_div(a, b), *r = q ? rc_int_mod(a, b) : NULL;
    double x = 0, y = 0, z = 0;
    rc_object *result = NULL;
    if (r && rc_float_as_double(q, &x) == RC_OK && nums(r, b, &y, &z) == RC_OK)
        result = rc_float_from_double(x + y / z);
    rc_xdecref(q);
    rc_xdecref(r);
    return result;
}

/* a ** b of two ints: a negative power is a float, as in Python. */
static RC_NOINLINE rc_object *int_pow(rc_object *a, rc_object *b) {
    int sign = 0;
    rc_int_compare(b, rc_int_from_i64(0), &sign);
    return sign < 0 ? float_op_of(BIN_POW, a, b) : rc_int_pow(a, b);
}

/* The rare operations (**, and / of big ints) are calls, so that their
 * code does not make lang_binary's frame bigger for the common ones
 * (callgrind: count.py's + and <). */
static rc_object *int_op(lang_binop op, rc_object *a, rc_object *b) {
    switch (op) {
    case BIN_ADD: return rc_int_add(a, b);
    case BIN_SUB: return rc_int_sub(a, b);
    case BIN_MUL: return rc_int_mul(a, b);
    case BIN_FLOORDIV: return rc_int_div(a, b);
    case BIN_MOD: return rc_int_mod(a, b);
    case BIN_POW: return int_pow(a, b);
    case BIN_LSHIFT: return rc_int_lshift(a, b);
    case BIN_RSHIFT: return rc_int_rshift(a, b);
    case BIN_AND: return rc_int_and(a, b);
    case BIN_XOR: return rc_int_xor(a, b);
    case BIN_OR: return rc_int_or(a, b);
    default: /* '/' gives a float */
        if (rc_int_fits_i64(a) && rc_int_fits_i64(b))
            return float_op(op, num(a), num(b));
        return big_true_div(a, b);
    }
}

static rc_object *str_repeat(rc_object *s, rc_object *n) {
    int64_t times = 0, len = rc_str_byte_length(s);
    if (!rc_int_fits_i64(n)) { /* Python's error, for a negative count too */
        rc_error_set(RC_EOVERFLOW, "cannot fit 'int' into an index-sized integer");
        return NULL;
    }
    rc_int_as_i64(n, &times);
    if (times <= 0 || len <= 0)
        return rc_str_from_cstr("");
    if (times > (INT64_C(1) << 30) / len) {
        rc_error_set(RC_EOVERFLOW, "repeated string is too long");
        return NULL;
    }
    size_t piece = (size_t)len, total = piece * (size_t)times;
    char *buf = rc_mem_alloc(total); /* sets RC_ENOMEM when it fails */
    if (!buf)
        return NULL;
    for (size_t at = 0; at < total; at += piece)
        memcpy(buf + at, rc_str_data(s), piece);
    rc_object *r = rc_str_from_utf8(buf, total);
    rc_mem_free(buf);
    return r;
}

/* A tuple of l's items; l (a new list, or NULL) is dropped. */
static rc_object *list_to_tuple(rc_object *l) {
    rc_object *t = l ? rc_tuple_new(rc_list_size(l)) : NULL;
    for (int64_t i = 0; t && i < rc_list_size(l); i++) {
        rc_object *item = rc_list_get(l, i);
        if (!item || rc_tuple_set_steal(t, i, item) != RC_OK)
            rc_clear_ref(&t);
    }
    rc_xdecref(l);
    return t;
}

/* seq * n for a list or tuple: its items n times over, in a new sequence
 * of the same kind (empty for n <= 0). A snapshot of seq is repeated, so a
 * list that another thread changes meanwhile gives some moment's items. */
static rc_object *seq_repeat(rc_object *seq, rc_object *n) {
    int64_t times = 0;
    if (!rc_int_fits_i64(n)) {
        rc_error_set(RC_EOVERFLOW, "cannot fit 'int' into an index-sized integer");
        return NULL;
    }
    rc_int_as_i64(n, &times);
    rc_object *snap = rc_tuple_check(seq) ? rc_newref(seq) : rc_list_slice(seq, 0, INT64_MAX);
    if (!snap)
        return NULL;
    int64_t len = rc_tuple_check(snap) ? rc_tuple_size(snap) : rc_list_size(snap);
    if (times < 0 || len == 0)
        times = 0;
    if (len > 0 && times > (INT64_C(1) << 28) / len) {
        rc_decref(snap);
        rc_error_set(RC_EOVERFLOW, "repeated sequence is too long");
        return NULL;
    }
    rc_object *l = rc_list_new();
    for (int64_t i = 0; l && i < times; i++)
        if (rc_list_extend(l, snap) != RC_OK)
            rc_clear_ref(&l);
    rc_decref(snap);
    return rc_list_check(seq) ? l : list_to_tuple(l);
}

static bool is_seq(rc_object *o) {
    return rc_list_check(o) || rc_tuple_check(o);
}

static rc_object *list_concat(rc_object *a, rc_object *b) {
    rc_object *l = rc_list_new();
    if (l && (rc_list_extend(l, a) != RC_OK || rc_list_extend(l, b) != RC_OK))
        rc_clear_ref(&l);
    return l;
}

const char *lang_binop_text(lang_binop op) {
    static const char *text[] = {"+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "^", "|", "==", "!=",
                                 "<", "<=", ">", ">=", "in", "not in", "is", "is not"};
    return text[op];
}

static bool is_number_like(const rc_object *o) {
    return is_num(o) || rc_bool_check(o);
}

/* o as an int if it is a bool (Python's bool is a subclass of int: True + 1
 * is 2), else o itself; a new reference either way. */
static rc_object *int_of_bool(rc_object *o) {
    return rc_bool_check(o) ? rc_int_from_i64(rc_bool_value(o)) : rc_newref(o);
}

/* An operation with a bool operand: & | ^ of two bools stay a bool, as in
 * Python; otherwise the bool counts as 0 or 1 beside a number, or as a
 * repeat count. Beside anything else it is left alone, so that the type
 * error names 'bool'. */
static RC_NOINLINE rc_object *bool_arith(lang_binop op, rc_object *a, rc_object *b) {
    if (rc_bool_check(a) && rc_bool_check(b) && (op == BIN_AND || op == BIN_OR || op == BIN_XOR)) {
        int x = rc_bool_value(a), y = rc_bool_value(b);
        return rc_bool_from(op == BIN_AND ? x & y : op == BIN_OR ? x | y : x ^ y);
    }
    rc_object *other = rc_bool_check(a) ? b : a;
    if (!(is_number_like(other) || (op == BIN_MUL && (rc_str_check(other) || is_seq(other)))))
        return type_error(lang_binop_text(op), a, b);
    rc_object *x = int_of_bool(a), *y = int_of_bool(b);
    rc_object *r = lang_binary(op, x, y); /* not arith: it stays inlined in lang_binary */
    rc_decref(x);
    rc_decref(y);
    return r;
}

static rc_object *arith(lang_binop op, rc_object *a, rc_object *b) {
    if (rc_int_check(a) && rc_int_check(b))
        return int_op(op, a, b);
    if (lang_is_instance(a) || lang_is_instance(b)) /* __add__, __radd__, ... */
        return lang_instance_binary(op, a, b);
    if (rc_bool_check(a) || rc_bool_check(b))
        return bool_arith(op, a, b);
    if (is_num(a) && is_num(b) && op <= BIN_POW) /* the bitwise ones are ints' only */
        return float_op_of(op, a, b);
    if (op == BIN_ADD && rc_str_check(a) && rc_str_check(b))
        return rc_str_concat(a, b);
    if (op == BIN_ADD && rc_list_check(a) && rc_list_check(b))
        return list_concat(a, b);
    if (op == BIN_MUL && rc_str_check(a) && rc_int_check(b))
        return str_repeat(a, b);
    if (op == BIN_MOD && rc_str_check(a)) /* printf-style formatting */
        return lang_format_percent(a, b);
    if (op == BIN_MUL && rc_int_check(a) && rc_str_check(b))
        return str_repeat(b, a);
    if (op == BIN_MUL && is_seq(a) && rc_int_check(b))
        return seq_repeat(a, b);
    if (op == BIN_MUL && rc_int_check(a) && is_seq(b))
        return seq_repeat(b, a);
    if (op == BIN_ADD && rc_tuple_check(a) && rc_tuple_check(b))
        return list_to_tuple(list_concat(a, b));
    if ((op == BIN_OR || op == BIN_AND || op == BIN_SUB || op == BIN_XOR) && rc_set_check(a) &&
        rc_set_check(b))
        return lang_set_binary(op, a, b);
    return type_error(lang_binop_text(op), a, b);
}

/* ---- comparison and membership -------------------------------------------- */

static rc_status order(rc_object *a, rc_object *b, lang_binop op, int *out);

/* Item i of a tuple or list: a new reference, or NULL (a list that another
 * thread shrank meanwhile: RC_EINDEX). */
static rc_object *seq_item(rc_object *seq, int64_t i) {
    return rc_tuple_check(seq) ? rc_newref(rc_tuple_get(seq, i)) : rc_list_get(seq, i);
}

/* Python's order of two tuples or two lists: the first pair of items that
 * are not equal decides, by their own order; if one runs out first, the
 * shorter is less. Items may be sequences themselves, so each level counts
 * against the recursion limit. */
static rc_status seq_order(rc_object *a, rc_object *b, lang_binop op, int *out) {
    rc_status st = rc_recursion_enter(" in comparison");
    if (st != RC_OK)
        return st;
    int64_t na = rc_tuple_check(a) ? rc_tuple_size(a) : rc_list_size(a);
    int64_t nb = rc_tuple_check(b) ? rc_tuple_size(b) : rc_list_size(b);
    *out = (na > nb) - (na < nb);
    for (int64_t i = 0; st == RC_OK && i < (na < nb ? na : nb); i++) {
        rc_object *x = seq_item(a, i), *y = x ? seq_item(b, i) : NULL;
        int eq = y ? rc_object_equal(x, y) : -1;
        if (eq < 0)
            st = rc_error_code();
        else if (eq == 0)
            st = order(x, y, op, out);
        rc_xdecref(x);
        rc_xdecref(y);
        if (eq == 0)
            break;
    }
    rc_recursion_leave();
    return st;
}

/* A number and a float, one of them 2**53 or more: an int against a
 * float compares exactly, as in Python (2**53 + 1 > 2.0**53); a NaN gives
 * 0, as the doubles' comparison does. pre: is_num(a) && is_num(b), not
 * both ints. */
static RC_NOINLINE rc_status num_order_slow(rc_object *a, rc_object *b, int *out) {
    rc_error_clear(); /* from a conversion of a big int that failed */
    if (!rc_int_check(a) && !rc_int_check(b)) {
        double x = num(a), y = num(b);
        *out = (x > y) - (x < y);
        return RC_OK;
    }
    bool int_first = rc_int_check(a);
    double d = num(int_first ? b : a);
    if (isnan(d)) {
        *out = 0;
        return RC_OK;
    }
    if (rc_int_compare_double(int_first ? a : b, d, out) != RC_OK)
        return rc_error_code();
    if (!int_first)
        *out = -*out;
    return RC_OK;
}

/* The order of two numbers (ints of any size, floats). Inline in order,
 * whose int < int is count.py's hot path; also bool_order's. */
static inline rc_status num_order(rc_object *a, rc_object *b, int *out) {
    if (rc_int_check(a) && rc_int_check(b)) {
        if (rc_int_compare(a, b, out) != RC_OK) /* any sizes; cannot fail on ints */
            return rc_error_code();
        return RC_OK;
    }
    /* Below 2**53 every int is a double exactly, so the doubles' order is
     * exact; past it (or past the double range, where the conversion
     * fails) the slow path compares an int exactly. */
    double x = 0, y = 0;
    if (nums(a, b, &x, &y) != RC_OK || fabs(x) >= 0x1p53 || fabs(y) >= 0x1p53)
        return num_order_slow(a, b, out);
    *out = (x > y) - (x < y);
    return RC_OK;
}

/* A bool beside a number, or two bools: compared as 0 and 1 (bool_arith).
 * Out of line, and not through order, so that order stays a leaf the
 * compiler can inline. */
static RC_NOINLINE rc_status bool_order(rc_object *a, rc_object *b, int *out) {
    rc_object *x = int_of_bool(a), *y = int_of_bool(b);
    rc_status st = num_order(x, y, out);
    rc_decref(x);
    rc_decref(y);
    return st;
}

/* <0, 0, >0 in *out; RC_ETYPE for values that have no order. */
static rc_status order(rc_object *a, rc_object *b, lang_binop op, int *out) {
    if (rc_int_check(a) && rc_int_check(b)) { /* count.py's i < n: first, and inline */
        if (rc_int_compare(a, b, out) != RC_OK) /* any sizes; cannot fail on ints */
            return rc_error_code();
        return RC_OK;
    }
    if (is_num(a) && is_num(b))
        return num_order(a, b, out);
    if (rc_str_check(a) && rc_str_check(b)) {
        /* Byte order of UTF-8 is code point order. */
        int64_t la = rc_str_byte_length(a), lb = rc_str_byte_length(b);
        int c = memcmp(rc_str_data(a), rc_str_data(b), (size_t)(la < lb ? la : lb));
        *out = c ? c : (la > lb) - (la < lb);
        return RC_OK;
    }
    if ((rc_tuple_check(a) && rc_tuple_check(b)) || (rc_list_check(a) && rc_list_check(b)))
        return seq_order(a, b, op, out);
    if (is_number_like(a) && is_number_like(b)) /* one of them a bool */
        return bool_order(a, b, out);
    return rc_error_set(RC_ETYPE, "'%s' not supported between instances of '%s' and '%s'",
                        lang_binop_text(op), rc_object_type_name(a), rc_object_type_name(b));
}

int lang_iter_contains(rc_object *c, rc_object *item) {
    rc_iter it;
    rc_object *x;
    int r = 0, found = 0;
    if (rc_iter_begin(&it, c) != RC_OK)
        return rc_error_code();
    while (!found && (r = rc_iter_next(&it, &x)) == 1) {
        found = rc_object_equal(x, item);
        rc_decref(x);
    }
    rc_iter_end(&it);
    return found ? found : r;
}

/* 1 if item is in c, 0 if not, or a negative status. */
static int contains(rc_object *c, rc_object *item) {
    if (rc_dict_check(c))
        return rc_dict_contains(c, item);
    if (rc_set_check(c))
        return rc_set_contains(c, item);
    if (lang_is_instance(c))
        return lang_instance_contains(c, item);
    if (rc_str_check(c)) {
        if (!rc_str_check(item))
            return rc_error_set(RC_ETYPE, "'in <string>' requires a str on the left");
        return memmem(rc_str_data(c), (size_t)rc_str_byte_length(c), rc_str_data(item),
                      (size_t)rc_str_byte_length(item)) != NULL;
    }
    if (!rc_list_check(c) && !rc_tuple_check(c))
        return rc_error_set(RC_ETYPE, "argument of type '%s' is not iterable",
                            rc_object_type_name(c));
    return lang_iter_contains(c, item);
}

static rc_object *compare(lang_binop op, rc_object *a, rc_object *b) {
    int r = 0;
    if (op <= BIN_GE && (lang_is_instance(a) || lang_is_instance(b))) /* __eq__, __lt__, ... */
        return lang_instance_binary(op, a, b);
    if (op == BIN_EQ || op == BIN_NE) {
        r = rc_object_equal(a, b);
        if (r < 0)
            return NULL;
        return rc_bool_from((r == 1) == (op == BIN_EQ));
    }
    if (op == BIN_IS || op == BIN_IS_NOT) /* identity: the same object */
        return rc_bool_from((a == b) == (op == BIN_IS));
    if (op == BIN_IN || op == BIN_NOT_IN) {
        r = contains(b, a);
        if (r < 0)
            return NULL;
        return rc_bool_from((r == 1) == (op == BIN_IN));
    }
    if (rc_set_check(a) && rc_set_check(b)) /* < <= > >=: inclusion */
        return lang_set_binary(op, a, b);
    if (order(a, b, op, &r) != RC_OK)
        return NULL;
    switch (op) {
    case BIN_LT: return rc_bool_from(r < 0);
    case BIN_LE: return rc_bool_from(r <= 0);
    case BIN_GT: return rc_bool_from(r > 0);
    default: return rc_bool_from(r >= 0);
    }
}

rc_object *lang_binary(lang_binop op, rc_object *a, rc_object *b) {
    return op >= BIN_EQ ? compare(op, a, b) : arith(op, a, b);
}

rc_object *lang_int_from_double(double d) {
    if (isnan(d)) {
        rc_error_set(RC_EVALUE, "cannot convert float NaN to integer");
        return NULL;
    }
    if (isinf(d)) {
        rc_error_set(RC_EOVERFLOW, "cannot convert float infinity to integer");
        return NULL;
    }
    if (d > -0x1p63 && d < 0x1p63)
        return rc_int_from_i64((int64_t)d);
    char buf[400]; /* an integral double has at most 309 digits, all exact in %.0f */
    int n = snprintf(buf, sizeof buf, "%.0f", d);
    return rc_int_from_str(buf, (size_t)n);
}

rc_object *lang_negate(rc_object *o) {
    if (rc_int_check(o))
        return rc_int_neg(o);
    if (rc_bool_check(o)) /* -True is -1 */
        return rc_int_from_i64(-(int64_t)rc_bool_value(o));
    if (rc_float_check(o))
        return rc_float_from_double(-num(o));
    if (lang_is_instance(o))
        return lang_instance_negate(o);
    rc_error_set(RC_ETYPE, "bad operand type for unary -: '%s'", rc_object_type_name(o));
    return NULL;
}

rc_object *lang_positive(rc_object *o) {
    if (rc_int_check(o) || rc_float_check(o))
        return rc_newref(o);
    if (rc_bool_check(o)) /* +True is 1 */
        return rc_int_from_i64(rc_bool_value(o));
    rc_error_set(RC_ETYPE, "bad operand type for unary +: '%s'", lang_type_name(o));
    return NULL;
}

rc_object *lang_invert(rc_object *o) {
    if (rc_int_check(o))
        return rc_int_invert(o);
    if (rc_bool_check(o)) /* ~True is -2 */
        return rc_int_from_i64(~(int64_t)rc_bool_value(o));
    rc_error_set(RC_ETYPE, "bad operand type for unary ~: '%s'", rc_object_type_name(o));
    return NULL;
}

/* ---- indexing ------------------------------------------------------------------ */

static rc_status index_of(rc_object *c, rc_object *i, int64_t *out) {
    if (rc_bool_check(i)) { /* l[True] is l[1] */
        *out = rc_bool_value(i);
        return RC_OK;
    }
    if (!rc_int_check(i))
        return rc_error_set(RC_ETYPE, "%s indices must be integers, not '%s'",
                            rc_object_type_name(c), rc_object_type_name(i));
    return rc_int_as_i64(i, out);
}

/* The i-th code point of a str, as a str. */
static rc_object *str_item(rc_object *s, int64_t i) {
    int64_t n = rc_str_length(s);
    if (i < 0)
        i += n;
    if (i < 0 || i >= n) {
        rc_error_set(RC_EINDEX, "string index out of range");
        return NULL;
    }
    const unsigned char *p = (const unsigned char *)rc_str_data(s);
    for (int64_t k = 0; k < i; k++) /* skip i code points (lead bytes) */
        do
            p++;
        while ((*p & 0xc0) == 0x80);
    const unsigned char *q = p + 1;
    while ((*q & 0xc0) == 0x80)
        q++;
    return rc_str_from_utf8((const char *)p, (size_t)(q - p));
}

rc_object *lang_subscr(rc_object *c, rc_object *i) {
    int64_t k = 0;
    /* A dict, an instance (__getitem__, its getitem slot) and the error
     * for the rest are refcore's generic getitem; sequences are indexed
     * here, with Python's index rules and messages. */
    if (!rc_list_check(c) && !rc_tuple_check(c) && !rc_str_check(c))
        return rc_object_getitem(c, i);
    if (index_of(c, i, &k) != RC_OK)
        return NULL;
    if (rc_list_check(c))
        return rc_list_get(c, k);
    if (rc_str_check(c))
        return str_item(c, k);
    rc_object *item = rc_tuple_get(c, k); /* borrowed */
    return item ? rc_newref(item) : NULL;
}

/* ---- slices ----------------------------------------------------------------------- */

/* One bound: None gives dflt; otherwise Python's clamping to lo..hi after
 * counting a negative one from the end. */
static rc_status slice_bound(rc_object *o, int64_t n, int64_t dflt, int64_t lo, int64_t hi,
                             int64_t *out) {
    int64_t v = dflt;
    if (!rc_is_none(o)) {
        if (!rc_int_check(o))
            return rc_error_set(RC_ETYPE, "slice indices must be integers or None");
        rc_int_as_i64(o, &v);
        if (v < 0)
            v = v < -n ? lo : v + n; /* no overflow: v + n >= 0 here */
        v = v < lo ? lo : v > hi ? hi : v;
    }
    *out = v;
    return RC_OK;
}

/* The byte offsets of the n code points of a str, and of its end. */
static int64_t *char_offsets(rc_object *s, int64_t n) {
    int64_t *off = rc_mem_alloc((size_t)(n + 1) * sizeof *off);
    const unsigned char *p = (const unsigned char *)rc_str_data(s);
    for (int64_t i = 0, b = 0; off && i <= n; i++) {
        off[i] = b;
        if (i < n)
            do
                b++;
            while ((p[b] & 0xc0) == 0x80);
    }
    return off;
}

/* The count items from start by step of c (a list snapshot, a tuple, or a
 * str with its offsets), as a new object of c's kind. */
static rc_object *slice_take(rc_object *c, rc_object *items, const int64_t *off, int64_t start,
                             int64_t step, int64_t count) {
    if (rc_str_check(c)) {
        size_t total = 0;
        for (int64_t k = 0, i = start; k < count; k++, i += step)
            total += (size_t)(off[i + 1] - off[i]);
        char *buf = rc_mem_alloc(total + 1), *q = buf;
        for (int64_t k = 0, i = start; buf && k < count; k++, i += step) {
            memcpy(q, rc_str_data(c) + off[i], (size_t)(off[i + 1] - off[i]));
            q += off[i + 1] - off[i];
        }
        rc_object *r = buf ? rc_str_from_utf8(buf, total) : NULL;
        rc_mem_free(buf);
        return r;
    }
    bool tuple = rc_tuple_check(c);
    rc_object *r = tuple ? rc_tuple_new(count) : rc_list_new();
    for (int64_t k = 0, i = start; r && k < count; k++, i += step) {
        rc_object *item = tuple ? rc_newref(rc_tuple_get(c, i)) : rc_list_get(items, i);
        if (!item)
            rc_clear_ref(&r);
        else if (tuple)
            rc_tuple_set_steal(r, k, item);
        else if (rc_list_append_steal(r, item) != RC_OK)
            rc_clear_ref(&r);
    }
    return r;
}

rc_object *lang_slice(rc_object *c, rc_object *start, rc_object *stop, rc_object *step) {
    if (!rc_list_check(c) && !rc_tuple_check(c) && !rc_str_check(c)) {
        rc_error_set(RC_ETYPE, "'%s' object is not subscriptable", rc_object_type_name(c));
        return NULL;
    }
    int64_t st = 1;
    if (!rc_is_none(step) && (!rc_int_check(step) || rc_int_as_i64(step, &st) != RC_OK)) {
        rc_error_set(RC_ETYPE, "slice indices must be integers or None");
        return NULL;
    }
    if (st == 0 || st == INT64_MIN) {
        rc_error_set(RC_EVALUE, "slice step cannot be zero");
        return NULL;
    }
    /* a list is sliced from a snapshot, so that other threads changing it
     * meanwhile cannot make an index go out of range */
    rc_object *items = rc_list_check(c) ? rc_list_slice(c, 0, INT64_MAX) : NULL;
    if (rc_list_check(c) && !items)
        return NULL;
    int64_t n = items ? rc_list_size(items) : rc_str_check(c) ? rc_str_length(c) : rc_tuple_size(c);
    int64_t a, b, count;
    rc_object *r = NULL;
    if (slice_bound(start, n, st > 0 ? 0 : n - 1, st > 0 ? 0 : -1, st > 0 ? n : n - 1, &a) ==
            RC_OK &&
        slice_bound(stop, n, st > 0 ? n : -1, st > 0 ? 0 : -1, st > 0 ? n : n - 1, &b) ==
            RC_OK) {
        count = st > 0 ? (b > a ? (b - a - 1) / st + 1 : 0) : (a > b ? (a - b - 1) / -st + 1 : 0);
        int64_t *off = rc_str_check(c) ? char_offsets(c, n) : NULL;
        if (!rc_str_check(c) || off)
            r = slice_take(c, items, off, a, st, count);
        rc_mem_free(off);
    }
    rc_xdecref(items);
    return r;
}

rc_status lang_store_subscr(rc_object *c, rc_object *i, rc_object *v) {
    int64_t k = 0;
    if (!rc_list_check(c)) /* a dict, an instance's __setitem__, or the error */
        return rc_object_setitem(c, i, v);
    if (index_of(c, i, &k) != RC_OK)
        return rc_error_code();
    return rc_list_set(c, k, v);
}

rc_object *lang_str(rc_object *o) {
    if (lang_is_instance(o))
        return lang_instance_str(o); /* __str__ */
    if (rc_exception_check(o)) /* str(e): its message; repr(e): Name(args) */
        return rc_newref(rc_exception_message(o));
    return rc_str_check(o) ? rc_newref(o) : rc_object_repr(o);
}
