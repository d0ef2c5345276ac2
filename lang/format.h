/*
 * lang/format.h -- Python's format mini-language, in one function that
 * f-strings (f"{t:.2f}"), format() and str.format all go through.
 */
#ifndef LANG_FORMAT_H
#define LANG_FORMAT_H

#include <stddef.h>

#include "refcore.h"

/* format(v, spec): spec is [[fill]align][sign][#][0][width][,|_][.precision]
 * [type], as Python reads it. ints take the types b c d o x X n and, as
 * floats, e E f F g G %; floats e E f F g G % (none: the shortest repr, or
 * 'g'-like with a precision); strs s (none: the same), where a precision
 * cuts the text. An empty spec gives str(v) for any value; a spec for a
 * value of another type is an error (RC_ETYPE). spec is len bytes, not
 * NUL-ended. Returns: a new reference to a str, or NULL (RC_EVALUE for a
 * bad spec, RC_ETYPE, RC_ENOMEM). */
rc_object *lang_format(rc_object *v, const char *spec, size_t len);

/* tmpl.format(args...): {} and {n} fields (positional only), each with an
 * optional !r / !s and :spec, and {{ }} for braces. Returns as
 * lang_format. */
rc_object *lang_format_template(rc_object *tmpl, rc_object **args, int nargs);

/* The !r / !s / !a conversion of an f-string or template field: 'r' and
 * 'a' give repr(v) (refpy's repr is ASCII-safe only as far as the value's
 * own text is), 's' gives str(v). Returns: a new reference, or NULL. */
rc_object *lang_convert(rc_object *v, char conversion);

/* fmt % args, printf-style: args is a tuple of the values, or the one
 * value; conversions %[flags][width][.precision]type with the flags
 * - + space 0 #, and the types s r a (str, repr) d i u x X o c (ints; a
 * float truncated for d i u) e E f F g G, and %% (no %(name)s, no *).
 * Each goes through lang_format. Returns as lang_format; RC_ETYPE for a
 * count of values that does not match. */
rc_object *lang_format_percent(rc_object *fmt, rc_object *args);

#endif /* LANG_FORMAT_H */
