/*
 * lang/sets.h -- Python's set on refcore's (sets.c).
 */
#ifndef LANG_SETS_H
#define LANG_SETS_H

#include "lang/builtins.h"
#include "lang/code.h"

/* A new set of the items of iterable (anything `for` walks), or NULL with
 * the error set (RC_ETYPE for an unhashable item). */
rc_object *lang_set_from(rc_object *iterable);

/* a | b, a & b, a - b, a ^ b (a new set), or a < b, a <= b, a > b, a >= b
 * (a bool: inclusion), of two sets. NULL with the error set. */
rc_object *lang_set_binary(lang_binop op, rc_object *a, rc_object *b);

/* The methods of sets; the builtin set(). */
extern const lang_method lang_set_methods[];
rc_object *lang_bi_set(lang_thread *ts, rc_object **args, int nargs);

#endif /* LANG_SETS_H */
