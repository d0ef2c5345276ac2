/*
 * objects/bytes.h -- immutable byte strings.
 *
 * Like str (objects/str.h) but for arbitrary bytes, NUL included, with no
 * encoding: made from a buffer and a length, never changed afterwards.
 * Hashable (the same FNV-1a hash as a str of the same bytes), equal only to
 * bytes with the same contents (never to a str), so usable as dict keys and
 * set elements.
 *
 * Threads: a bytes object never changes, so every function here may be
 * called by any number of threads on the same object at once, with no
 * lock. Every function here fails with RC_ESTATE when the calling thread
 * is not attached or is inside the release region.
 */
#ifndef RC_OBJECTS_BYTES_H
#define RC_OBJECTS_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "objects/object.h"

extern rc_type rc_bytes_type;

/* Returns: a new reference to bytes holding a copy of the len bytes at
 * data, or NULL. Errors: RC_EVALUE for a NULL data with len > 0; RC_ENOMEM. */
rc_object *rc_bytes_from(const void *data, size_t len);

bool rc_bytes_check(const rc_object *o);

/* The number of bytes (>= 0), or a negative rc_status: RC_ETYPE if o is not
 * bytes, RC_EVALUE for NULL. */
int64_t rc_bytes_size(rc_object *o);

/* Borrowed: the bytes, valid while the caller holds o; a NUL follows the
 * last one (not counted in the size), for C APIs that want one. NULL if o
 * is not bytes (RC_ETYPE) or is NULL (RC_EVALUE). */
const char *rc_bytes_data(rc_object *o);

/* Returns: a new reference to a + b, or NULL (RC_ETYPE, RC_EVALUE,
 * RC_ENOMEM). */
rc_object *rc_bytes_concat(rc_object *a, rc_object *b);

#endif /* RC_OBJECTS_BYTES_H */
