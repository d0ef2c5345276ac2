/*
 * objects/dict.h -- insertion-ordered hash tables.
 *
 * Keys must be hashable (rc_object_hash): ints, floats, strs, None, bools,
 * tuples of hashable items, and client types with a hash slot. Iteration,
 * rc_dict_keys, _values and _items follow insertion order; setting an
 * existing key keeps its place. Reads hand out new references.
 *
 * Threads: every function here may be called by several threads on the
 * same dict at once. Each takes the dict's object lock (free under //:gil)
 * and is atomic with respect to every other, except that a key's own hash
 * and equality slots run without the lock when they are a client's (they
 * may do anything; the lookup starts again if the dict changed meanwhile).
 * keys, values and items return a snapshot. Iteration (objects/iter.h)
 * fails with RC_ECHANGED if another thread adds or removes a key.
 * tests/stress_test.c backs these claims for every thread-safe strategy.
 */
#ifndef RC_OBJECTS_DICT_H
#define RC_OBJECTS_DICT_H

#include <stdbool.h>
#include <stdint.h>

#include "objects/object.h"

extern rc_type rc_dict_type;

/* Returns: a new reference to an empty dict, or NULL (RC_ENOMEM, RC_ESTATE). */
rc_object *rc_dict_new(void);

bool rc_dict_check(const rc_object *o);

/* The number of keys (>= 0), or a negative rc_status: RC_ETYPE if d is not a
 * dict, RC_EVALUE for NULL, RC_ESTATE if the thread may not touch objects.
 * Threads: atomic.
 *
 * Every function here fails with RC_ESTATE, touching nothing, when the
 * calling thread is not attached or is inside the release region. */
int64_t rc_dict_size(rc_object *d);

/* Maps key to value (both borrowed: the dict takes its own references; an
 * existing key keeps its original key object). Errors: RC_ETYPE (not a
 * dict, or an unhashable key), RC_EVALUE for NULL, RC_ENOMEM (the dict is
 * unchanged), and any error of the key's hash or equality. Threads: atomic. */
rc_status rc_dict_set(rc_object *d, rc_object *key, rc_object *value);

/* Returns: a new reference to the value of key, or NULL: RC_EKEY if key is
 * absent, RC_ETYPE (not a dict, unhashable key), RC_EVALUE. Threads: atomic. */
rc_object *rc_dict_get(rc_object *d, rc_object *key);

/* The lookup for a key that may well be absent (CPython's PyDict_GetItemRef):
 * 1 if key is present, with a new reference to its value in *value; 0 if
 * it is absent, with *value NULL and no error set (the error slot is left
 * as it was); or a negative rc_status with *value NULL: RC_ETYPE (not a
 * dict, unhashable key), RC_EVALUE (a NULL argument), and any error of the
 * key's hash or equality. A miss costs what rc_dict_contains costs; a miss
 * through rc_dict_get also records RC_EKEY (its message is only written
 * when rc_error_message reads it). Threads: atomic. */
int rc_dict_get_ref(rc_object *d, rc_object *key, rc_object **value);
/* As rc_dict_get_ref, but the value in *value is lent: no reference of the
 * caller's, valid until the calling thread's next quiescent point of
 * borrowing ("borrowed reads" in runtime/runtime.h). The read writes
 * nothing shared once the dict has been read this way before. From then
 * on the dict's writers defer the drops of the values they replace or
 * delete (rc_dict_set and rc_dict_delete may then also fail with
 * RC_ENOMEM, the dict unchanged). Threads: atomic. */
int rc_dict_get_borrowed(rc_object *d, rc_object *key, rc_object **value);

/* Python's dict.get(key, default). Returns: a new reference to the value
 * of key, or, if key is absent, a new reference to fallback (borrowed: the
 * caller's stays the caller's); NULL on error: RC_ETYPE (not a dict,
 * unhashable key), RC_EVALUE (a NULL argument), and any error of the key's
 * hash or equality. A miss sets no error. Threads: atomic. */
rc_object *rc_dict_get_default(rc_object *d, rc_object *key, rc_object *fallback);

/* 1 if key is present, 0 if not, negative rc_status on error. Threads: atomic. */
int rc_dict_contains(rc_object *d, rc_object *key);

/* Removes key and drops the dict's references to it and its value.
 * Errors: RC_EKEY if absent, RC_ETYPE, RC_EVALUE, RC_ENOMEM (only for a
 * dict read with rc_dict_get_borrowed; unchanged). Threads: atomic. */
rc_status rc_dict_delete(rc_object *d, rc_object *key);

/* Returns: a new reference to a new list of the keys / the values / the
 * (key, value) tuples, in insertion order, or NULL (RC_ETYPE, RC_ENOMEM). Threads: each a
 * snapshot. */
rc_object *rc_dict_keys(rc_object *d);
rc_object *rc_dict_values(rc_object *d);
rc_object *rc_dict_items(rc_object *d);

#endif /* RC_OBJECTS_DICT_H */
