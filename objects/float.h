/*
 * objects/float.h -- double-precision floats.
 *
 * A float with an integral value hashes like the int of that value and
 * compares equal to it, so 1.0 and 1 are the same dict key. NaN is not equal
 * to itself.
 *
 * Threads: floats never change: any thread may use any float at any time.
 */
#ifndef RC_OBJECTS_FLOAT_H
#define RC_OBJECTS_FLOAT_H

#include <stdbool.h>

#include "objects/object.h"

extern rc_type rc_float_type;

/* Returns: a new reference, or NULL (RC_ENOMEM, RC_ESTATE). pre: attached. */
rc_object *rc_float_from_double(double value);

bool rc_float_check(const rc_object *o);

/* Stores o's value in *out; ints are converted to the nearest double
 * (rc_int_as_double). Errors: RC_ETYPE unless o is a float or an int;
 * RC_EOVERFLOW for an int beyond the double range; RC_EVALUE for NULL. */
rc_status rc_float_as_double(rc_object *o, double *out);

#endif /* RC_OBJECTS_FLOAT_H */
