/*
 * objects/float.c -- double-precision floats.
 *
 * Integral floats hash and compare like the int of the same value, so that
 * 1.0 and 1 are one dict key. The text form is the shortest that reads back
 * to the same double.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objects/float.h"
#include "objects/int.h"
#include "objects/object_internal.h"
#include "objects/str.h"

typedef struct float_object {
    rc_object base;
    double value;
} float_object;

static inline double float_value(rc_object *o) {
    return ((float_object *)o)->value;
}

bool rc_float_check(const rc_object *o) {
    return o && o->type == &rc_float_type;
}

/* ---- slots ----------------------------------------------------------------- */

uint64_t rci_float_hash_double(double d) {
    if (d == floor(d) && d >= -0x1p63 && d < 0x1p63)
        return (uint64_t)(int64_t)d; /* as rc_int_type hashes the same value */
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return bits ^ (bits >> 29);
}

static rc_status float_hash(rc_object *self, uint64_t *out) {
    *out = rci_float_hash_double(float_value(self));
    return RC_OK;
}

static int float_equal(rc_object *self, rc_object *other) {
    if (rc_float_check(other))
        return float_value(self) == float_value(other);
    if (rc_int_check(other))
        return rc_object_equal(other, self); /* int knows the exact rule */
    return 0;
}

static rc_object *float_repr(rc_object *self) {
    double d = float_value(self);
    if (isnan(d))
        return rc_str_from_cstr("nan");
    if (isinf(d))
        return rc_str_from_cstr(d > 0 ? "inf" : "-inf");
    char buf[40];
    int precision = 1;
    for (; precision <= 17; precision++) {
        snprintf(buf, sizeof buf, "%.*g", precision, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    /* %g writes an exponent once it reaches the precision (100.0 with one
     * digit is "1e+02"); Python's repr only from 1e16 on, and below 1e-4. */
    const char *e = strchr(buf, 'e');
    int exponent = e ? atoi(e + 1) : 0;
    if (e && exponent >= 0 && exponent < 16)
        snprintf(buf, sizeof buf, "%.*f", precision - 1 - exponent > 0 ? precision - 1 - exponent : 0,
                 d);
    if (!strpbrk(buf, ".eE"))
        strcat(buf, ".0");
    return rc_str_from_cstr(buf);
}

rc_type rc_float_type = {
    .name = "float",
    .basicsize = sizeof(float_object),
    .instance_size = rc_fixed_instance_size,
    .hash = float_hash,
    .equal = float_equal,
    .repr = float_repr,
    .id = RCI_TYPE_ID_FLOAT,
};

/* ---- creation and access --------------------------------------------------- */

rc_object *rc_float_from_double(double value) {
    float_object *o = (float_object *)rci_object_alloc(&rc_float_type, sizeof *o);
    if (!o)
        return NULL;
    o->value = value;
    return &o->base;
}

rc_status rc_float_as_double(rc_object *o, double *out) {
    if (!o || !out)
        return rc_error_set(RC_EVALUE, "rc_float_as_double: NULL argument");
    if (rc_float_check(o)) {
        *out = float_value(o);
        return RC_OK;
    }
    if (rc_int_check(o)) /* RC_EOVERFLOW for a big int beyond the double range */
        return rc_int_as_double(o, out);
    return rc_error_set(RC_ETYPE, "expected a float, got %s", o->type->name);
}
