/*
 * lang/ops.h -- the language's operators on refcore values.
 *
 * All return a new reference (or a status), or NULL / a negative status
 * with refcore's error slot set. Arguments are borrowed.
 */
#ifndef LANG_OPS_H
#define LANG_OPS_H

#include "lang/code.h"
#include "refcore.h"

/* 1 if o is true, 0 if false, as Python decides (None, False, 0, 0.0 and
 * empty containers are false). Never fails for the types the language has. */
int lang_truthy(rc_object *o);

rc_object *lang_binary(lang_binop op, rc_object *a, rc_object *b);

/* The operator's text as the program writes it ("+", "not in", ...). */
const char *lang_binop_text(lang_binop op);
rc_object *lang_negate(rc_object *o);
/* ~o, of an int. */
rc_object *lang_invert(rc_object *o);
/* +o: a number itself (a bool as its int); RC_ETYPE for anything else. */
rc_object *lang_positive(rc_object *o);

/* The int of d's integral part (int(d) in Python), of any size. Errors:
 * RC_EVALUE for NaN, RC_EOVERFLOW for an infinity. */
rc_object *lang_int_from_double(double d);

/* item in c by iterating c (rc_iter: a list, a tuple, an instance's
 * __iter__) and comparing each item: 1, 0, or a negative status. */
int lang_iter_contains(rc_object *c, rc_object *item);

/* c[i], and c[i] = v: lists, tuples and strs (read only) here, anything
 * else through refcore's rc_object_getitem / rc_object_setitem (dicts, an
 * instance's __getitem__ / __setitem__, and the errors). */
rc_object *lang_subscr(rc_object *c, rc_object *i);
rc_status lang_store_subscr(rc_object *c, rc_object *i, rc_object *v);

/* c[start:stop:step] for lists, tuples and strs, with Python's rules;
 * each bound an int or None. Returns a new list, tuple or str. */
rc_object *lang_slice(rc_object *c, rc_object *start, rc_object *stop, rc_object *step);

/* str(o): a str itself, else its repr. */
rc_object *lang_str(rc_object *o);

#endif /* LANG_OPS_H */
