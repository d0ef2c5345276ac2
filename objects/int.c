/*
 * objects/int.c -- 64-bit integers.
 *
 * Values RC_SMALL_INT_MIN..RC_SMALL_INT_MAX are statically allocated and
 * immortal, so the most common integers cost no allocation and never cause
 * a shared cache line to be written. Arithmetic uses the compiler's
 * overflow-checking builtins: a result outside int64_t fails with
 * RC_EOVERFLOW instead of wrapping.
 */
#include <inttypes.h>
#include <math.h>

#include "objects/float.h"
#include "objects/int.h"
#include "objects/object_internal.h"
#include "objects/str.h"

typedef struct int_object {
    rc_object base;
    int64_t value;
} int_object;

#define SMALL_INT_COUNT (RC_SMALL_INT_MAX - RC_SMALL_INT_MIN + 1)
static int_object small_ints[SMALL_INT_COUNT];

static inline int64_t int_value(rc_object *o) {
    return ((int_object *)o)->value;
}

bool rc_int_check(const rc_object *o) {
    return o && o->type == &rc_int_type;
}

/* ---- slots ----------------------------------------------------------------- */

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
    if (rc_int_check(other))
        return int_value(self) == int_value(other);
    if (rc_float_check(other)) {
        double d;
        rc_float_as_double(other, &d);
        return int_equals_double(int_value(self), d);
    }
    return 0;
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

/* ---- creation -------------------------------------------------------------- */

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

rc_status rc_int_as_i64(rc_object *o, int64_t *out) {
    if (!o || !out)
        return rc_error_set(RC_EVALUE, "rc_int_as_i64: NULL argument");
    if (!rc_int_check(o))
        return rc_error_set(RC_ETYPE, "expected an int, got %s", o->type->name);
    *out = int_value(o);
    return RC_OK;
}

/* ---- arithmetic ------------------------------------------------------------ */

/* Both operands as int64_t, or an error. */
static rc_status int_operands(const char *op, rc_object *a, rc_object *b, int64_t *x,
                              int64_t *y) {
    if (!rc_int_check(a) || !rc_int_check(b))
        return rc_error_set(RC_ETYPE, "unsupported operand types for %s: '%s' and '%s'", op,
                         a ? a->type->name : "NULL", b ? b->type->name : "NULL");
    *x = int_value(a);
    *y = int_value(b);
    return RC_OK;
}

static rc_object *int_overflow(const char *op, int64_t x, int64_t y) {
    return rci_error_null(RC_EOVERFLOW,
                          "integer overflow: %" PRId64 " %s %" PRId64
                          " does not fit in 64 bits",
                          x, op, y);
}

rc_object *rc_int_add(rc_object *a, rc_object *b) {
    int64_t x = 0, y = 0, r;
    if (int_operands("+", a, b, &x, &y) != RC_OK)
        return NULL;
    if (__builtin_add_overflow(x, y, &r))
        return int_overflow("+", x, y);
    return rc_int_from_i64(r);
}

rc_object *rc_int_sub(rc_object *a, rc_object *b) {
    int64_t x = 0, y = 0, r;
    if (int_operands("-", a, b, &x, &y) != RC_OK)
        return NULL;
    if (__builtin_sub_overflow(x, y, &r))
        return int_overflow("-", x, y);
    return rc_int_from_i64(r);
}

rc_object *rc_int_mul(rc_object *a, rc_object *b) {
    int64_t x = 0, y = 0, r;
    if (int_operands("*", a, b, &x, &y) != RC_OK)
        return NULL;
    if (__builtin_mul_overflow(x, y, &r))
        return int_overflow("*", x, y);
    return rc_int_from_i64(r);
}

/* Floor division and modulo (Python's // and %). The only overflow is
 * INT64_MIN // -1; C's INT64_MIN % -1 is undefined, its true value 0. */
static rc_status int_divmod(const char *op, rc_object *a, rc_object *b, int64_t *q,
                            int64_t *m) {
    int64_t x = 0, y = 0;
    rc_status st = int_operands(op, a, b, &x, &y);
    if (st != RC_OK)
        return st;
    if (y == 0)
        return rc_error_set(RC_EZERODIV, "integer division or modulo by zero");
    if (y == -1) {
        if (x == INT64_MIN && op[0] == '/') {
            int_overflow(op, x, y);
            return RC_EOVERFLOW;
        }
        *q = x == INT64_MIN ? 0 : -x; /* the quotient is used only for '/' */
        *m = 0;
        return RC_OK;
    }
    int64_t qq = x / y, mm = x % y;
    if (mm != 0 && ((mm < 0) != (y < 0))) {
        qq -= 1;
        mm += y;
    }
    *q = qq;
    *m = mm;
    return RC_OK;
}

rc_object *rc_int_div(rc_object *a, rc_object *b) {
    int64_t q, m;
    if (int_divmod("//", a, b, &q, &m) != RC_OK)
        return NULL;
    return rc_int_from_i64(q);
}

rc_object *rc_int_mod(rc_object *a, rc_object *b) {
    int64_t q, m;
    if (int_divmod("%", a, b, &q, &m) != RC_OK)
        return NULL;
    return rc_int_from_i64(m);
}

rc_object *rc_int_neg(rc_object *a) {
    if (!rc_int_check(a))
        return rci_error_null(RC_ETYPE, "bad operand type for unary -: '%s'",
                              a ? a->type->name : "NULL");
    int64_t x = int_value(a);
    if (x == INT64_MIN)
        return rci_error_null(RC_EOVERFLOW, "integer overflow: -(%" PRId64 ")", x);
    return rc_int_from_i64(-x);
}
