/*
 * objects/set.h -- unordered collections of distinct hashable objects.
 *
 * Keys as a dict's (objects/dict.h): hashable (rc_object_hash), compared
 * with rc_object_equal, so 1 and 1.0 are one element. Iteration
 * (objects/iter.h, rc_iter_begin on a set) yields the elements in the order
 * they were first added, and fails with RC_ECHANGED if another call adds or
 * removes one meanwhile. Sets are unhashable and compare equal to sets with
 * the same elements.
 *
 * Threads: as dict. Every function here may be called by several threads
 * on the same set at once; each takes the set's object lock (free under
 * //:gil) and is atomic with respect to every other, except that an
 * element's own hash and equality slots run without the lock when they
 * are a client's. rc_set_contains reads without the lock where the
 * strategy has lock-free reads, as rc_dict_contains does.
 *
 * Every function here fails with RC_ESTATE, touching nothing, when the
 * calling thread is not attached or is inside the release region.
 */
#ifndef RC_OBJECTS_SET_H
#define RC_OBJECTS_SET_H

#include <stdbool.h>
#include <stdint.h>

#include "objects/object.h"

extern rc_type rc_set_type;

/* Returns: a new reference to an empty set, or NULL (RC_ENOMEM, RC_ESTATE). */
rc_object *rc_set_new(void);

bool rc_set_check(const rc_object *o);

/* The number of elements (>= 0), or a negative rc_status: RC_ETYPE if s is
 * not a set, RC_EVALUE for NULL. Threads: atomic. */
int64_t rc_set_size(rc_object *s);

/* Adds key (borrowed: the set takes its own reference) if no equal element
 * is there; an equal element already there stays. Errors: RC_ETYPE (not a
 * set, or an unhashable key), RC_EVALUE for NULL, RC_ENOMEM (the set is
 * unchanged), and any error of the key's hash or equality. Threads: atomic. */
rc_status rc_set_add(rc_object *s, rc_object *key);

/* Removes the element equal to key, if there is one. Returns 1 if one was
 * removed, 0 if none was there (no error set), or a negative rc_status:
 * RC_ETYPE, RC_EVALUE, RC_ENOMEM (only for a set read with lock-free
 * borrowing; unchanged), any error of the key's hash or equality.
 * Threads: atomic. */
int rc_set_discard(rc_object *s, rc_object *key);

/* 1 if an element equal to key is there, 0 if not, negative rc_status on
 * error (RC_ETYPE, RC_EVALUE). Threads: atomic. */
int rc_set_contains(rc_object *s, rc_object *key);

#endif /* RC_OBJECTS_SET_H */
