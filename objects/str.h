/*
 * objects/str.h -- immutable UTF-8 strings.
 *
 * The bytes are validated UTF-8, stored inline after the header with a
 * terminating NUL (so rc_str_data can be passed to C functions, as long as
 * the string holds no NUL of its own). The hash is computed on first use and
 * cached. Interned strings are immortal and unique per content, so equal
 * interned strings are the same object.
 *
 * Threads: a str never changes (its cached hash is computed the same by
 * whichever thread gets there first), so any thread may use any str at any
 * time; interning is atomic.
 */
#ifndef RC_OBJECTS_STR_H
#define RC_OBJECTS_STR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "objects/object.h"
#include "runtime/compiler.h"

extern rc_type rc_str_type;

/* Returns: a new reference to a str holding a copy of the len bytes at utf8,
 * or NULL. Errors: RC_EVALUE for invalid UTF-8 or a NULL pointer with
 * len > 0; RC_ENOMEM. */
rc_object *rc_str_from_utf8(const char *utf8, size_t len);

/* As rc_str_from_utf8 for a NUL-terminated string. */
rc_object *rc_str_from_cstr(const char *cstr);

/* Returns: a new reference to a str formatted as by printf, or NULL.
 * Errors: RC_EVALUE if the result is not UTF-8; RC_ENOMEM. */
rc_object *rc_str_from_format(const char *fmt, ...) RC_PRINTF(1, 2);
rc_object *rc_str_from_vformat(const char *fmt, va_list ap);

bool rc_str_check(const rc_object *o);

/* Borrowed: the NUL-terminated bytes, valid while the caller holds the str.
 * NULL if o is not a str (RC_ETYPE) or is NULL (RC_EVALUE). The functions
 * below report a wrong or NULL argument the same way. */
const char *rc_str_data(rc_object *o);

/* Length in bytes / in code points (>= 0), or a negative rc_status: RC_ETYPE
 * if o is not a str, RC_EVALUE for NULL, RC_ESTATE if the thread may not
 * touch objects (as every function here). */
int64_t rc_str_byte_length(rc_object *o);
int64_t rc_str_length(rc_object *o);

/* Returns: a new reference to a + b, or NULL (RC_ETYPE, RC_ENOMEM). */
rc_object *rc_str_concat(rc_object *a, rc_object *b);

/* Returns: a new reference to the interned, immortal str equal to s, or NULL
 * (RC_ETYPE, RC_ENOMEM). s itself is borrowed and stays as it was. */
rc_object *rc_str_intern(rc_object *s);

/* Returns: a new reference to the interned str with these bytes, or NULL
 * (RC_EVALUE, RC_ENOMEM). */
rc_object *rc_str_intern_cstr(const char *cstr);

#endif /* RC_OBJECTS_STR_H */
