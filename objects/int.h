/*
 * objects/int.h -- integers of any size.
 *
 * An int whose value fits in int64_t is a small int, held as an int64_t
 * (values from -5 to 256 are immortal, preallocated objects; others are
 * allocated); any other value is a big int, held as a GMP integer. The
 * representation is canonical: every result that fits in int64_t comes back
 * as a small int, so one value has one representation, and a big int is
 * never equal to a small one. The arithmetic never wraps and never fails
 * with RC_EOVERFLOW: a result beyond int64_t is a big int. A result past
 * RC_INT_MAX_BITS bits fails with RC_ELIMIT instead of being computed (GMP
 * aborts the process when a number outgrows its own limits or malloc fails,
 * so refcore keeps numbers far below them).
 *
 * Test with rc_int_check, not by comparing rc_object_type with &rc_int_type:
 * a big int's type is another type object, also named "int" (a small int's
 * type stays rc_int_type, so code that only knows 64-bit ints sees them as
 * before). rc_object_repr gives the decimal text of any int.
 *
 * Hashing: a small int hashes to its value; a big int that a double holds
 * exactly hashes as that float does; other big ints hash their digits.
 * Equal values (ints of either size, floats) therefore hash equal. Ints
 * compare equal to floats of exactly the same value.
 *
 * Ownership: every function returning an object returns a new reference;
 * arguments are borrowed.
 * Threads: ints never change after creation (a big int's digits are written
 * before the object is returned): any thread may use any int at any time.
 */
#ifndef RC_OBJECTS_INT_H
#define RC_OBJECTS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "objects/object.h"

extern rc_type rc_int_type;

#define RC_SMALL_INT_MIN (-5)
#define RC_SMALL_INT_MAX 256

/* The largest magnitude of an int, in bits (2**26 bits: about 20 million
 * decimal digits, 8 MiB). */
#define RC_INT_MAX_BITS (UINT64_C(1) << 26)

/* Returns: a new reference to an int of the given value, or NULL (RC_ENOMEM,
 * RC_ESTATE). pre: attached. */
rc_object *rc_int_from_i64(int64_t value);

/* Parses len bytes of s (not NUL-ended; NULL only with len 0) as a decimal
 * integer of any length, as Python's int(str) does: optional ASCII white
 * space around it, an optional sign, digits with single underscores
 * between them. Returns: a new reference, or NULL: RC_EVALUE "invalid
 * literal for int() with base 10: '...'" for anything else; RC_ELIMIT past
 * RC_INT_MAX_BITS; RC_ENOMEM. */
rc_object *rc_int_from_str(const char *s, size_t len);

/* True for an int of either size; false for NULL and for bools. */
bool rc_int_check(const rc_object *o);

/* True if o is an int whose value fits in int64_t (a small int). */
bool rc_int_fits_i64(const rc_object *o);

/* Stores o's value in *out. Errors: RC_ETYPE if o is not an int;
 * RC_EOVERFLOW "int too large to convert to int64" for a big int (*out
 * unchanged); RC_EVALUE for NULL. */
rc_status rc_int_as_i64(rc_object *o, int64_t *out);

/* Stores the double nearest to o's value in *out (ties to even, as
 * Python's float(int)). Errors: RC_ETYPE if o is not an int; RC_EOVERFLOW
 * "int too large to convert to float" beyond the double range; RC_EVALUE
 * for NULL. */
rc_status rc_int_as_double(rc_object *o, double *out);

/* Three-way comparison of two ints: *out is -1, 0 or 1 as a <, ==, > b.
 * Errors: RC_ETYPE unless both are ints; RC_EVALUE for NULL. */
rc_status rc_int_compare(rc_object *a, rc_object *b, int *out);

/* The same against a double, exactly (not through a conversion that
 * rounds): 2**53 + 1 > 2.0**53, and any int < inf. Errors: RC_ETYPE if a
 * is not an int; RC_EVALUE for NULL and for a NaN d (NaN has no order). */
rc_status rc_int_compare_double(rc_object *a, double d, int *out);

/* Returns: a new reference to the result, or NULL. Errors: RC_ETYPE unless
 * both are ints; RC_EZERODIV for div and mod by zero; RC_ELIMIT; RC_ENOMEM.
 * div rounds toward negative infinity and mod takes the divisor's sign
 * (Python's // and %), so a == (a div b) * b + (a mod b). pow needs b >= 0
 * (RC_EVALUE otherwise: a negative power is not an int); 0 ** 0 is 1. */
rc_object *rc_int_add(rc_object *a, rc_object *b);
rc_object *rc_int_sub(rc_object *a, rc_object *b);
rc_object *rc_int_mul(rc_object *a, rc_object *b);
rc_object *rc_int_div(rc_object *a, rc_object *b);
rc_object *rc_int_mod(rc_object *a, rc_object *b);
rc_object *rc_int_pow(rc_object *a, rc_object *b);
rc_object *rc_int_neg(rc_object *a);
rc_object *rc_int_abs(rc_object *a);

/* Bitwise operations, as Python's on ints: on the infinite two's
 * complement (-1 is all ones), so & | ^ of negative values and ~a == -a - 1
 * are what Python gives; a >> k rounds toward negative infinity, a << k is
 * a * 2**k. Returns: a new reference, or NULL. Errors: RC_ETYPE unless
 * both are ints; RC_EVALUE for a negative shift count; RC_ELIMIT for a
 * result past the size limit; RC_ENOMEM. Threads: ints are immutable. */
rc_object *rc_int_and(rc_object *a, rc_object *b);
rc_object *rc_int_or(rc_object *a, rc_object *b);
rc_object *rc_int_xor(rc_object *a, rc_object *b);
rc_object *rc_int_lshift(rc_object *a, rc_object *b);
rc_object *rc_int_rshift(rc_object *a, rc_object *b);
rc_object *rc_int_invert(rc_object *a);

#endif /* RC_OBJECTS_INT_H */
