/*
 * objects/int.h -- 64-bit integers.
 *
 * Values from -5 to 256 are immortal, preallocated objects; others are
 * allocated. The arithmetic helpers never wrap: a result that does not fit
 * in 64 bits fails with RC_EOVERFLOW. Integers hash to their value, and
 * compare equal to floats of the same value.
 *
 * Threads: ints never change: any thread may use any int at any time.
 */
#ifndef RC_OBJECTS_INT_H
#define RC_OBJECTS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "objects/object.h"

extern rc_type rc_int_type;

#define RC_SMALL_INT_MIN (-5)
#define RC_SMALL_INT_MAX 256

/* Returns: a new reference to an int of the given value, or NULL (RC_ENOMEM,
 * RC_ESTATE). pre: attached. */
rc_object *rc_int_from_i64(int64_t value);

bool rc_int_check(const rc_object *o);

/* Stores o's value in *out. Errors: RC_ETYPE if o is not an int, RC_EVALUE
 * for NULL. */
rc_status rc_int_as_i64(rc_object *o, int64_t *out);

/* Returns: a new reference to the result, or NULL. Errors: RC_ETYPE unless
 * both are ints; RC_EOVERFLOW; RC_EZERODIV for div and mod by zero; RC_ENOMEM.
 * div rounds toward negative infinity and mod takes the divisor's sign
 * (Python's // and %), so a == (a div b) * b + (a mod b). */
rc_object *rc_int_add(rc_object *a, rc_object *b);
rc_object *rc_int_sub(rc_object *a, rc_object *b);
rc_object *rc_int_mul(rc_object *a, rc_object *b);
rc_object *rc_int_div(rc_object *a, rc_object *b);
rc_object *rc_int_mod(rc_object *a, rc_object *b);
rc_object *rc_int_neg(rc_object *a);

#endif /* RC_OBJECTS_INT_H */
