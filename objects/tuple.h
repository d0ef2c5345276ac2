/*
 * objects/tuple.h -- fixed-size immutable sequences.
 *
 * A tuple is built in one call from items at hand (rc_tuple_from_array_steal,
 * the cheap way, or rc_tuple_pack), or in two steps: rc_tuple_new makes one
 * with every slot empty, and rc_tuple_set_steal fills each slot while the
 * caller still holds the only reference. After that it never changes, so rc_tuple_get may
 * lend its items (borrowed) safely under every strategy: no thread can
 * remove an item from a tuple that the caller holds.
 *
 * Threads: a built tuple never changes, so any number of threads may read it
 * at once with no lock at all. rc_tuple_set_steal is for the one thread
 * building the tuple, before anyone else can see it: not safe otherwise.
 */
#ifndef RC_OBJECTS_TUPLE_H
#define RC_OBJECTS_TUPLE_H

#include <stdbool.h>
#include <stdint.h>

#include "objects/object.h"

extern rc_type rc_tuple_type;

/* Returns: a new reference to a tuple of size empty slots, or NULL.
 * Errors: RC_EVALUE for size < 0; RC_ENOMEM. */
rc_object *rc_tuple_new(int64_t size);

/* Returns: a new reference to a tuple of items[0 .. n-1], whose references
 * it steals (also on failure, when it drops them), or NULL. The cheap way
 * to make a tuple whose items are at hand (CPython's PyTuple_New followed
 * by PyTuple_SET_ITEM): one call, no slot written twice, no per-slot
 * checks beyond NULL. items may be NULL when n == 0.
 * Errors: RC_EVALUE for n < 0, a NULL items with n > 0, or a NULL item;
 * RC_ENOMEM (which a NULL item may meet first). On a thread that may not
 * touch objects: RC_ESTATE, and it keeps and drops no reference (there is
 * no way to drop one there). */
rc_object *rc_tuple_from_array_steal(int64_t n, rc_object *const *items);

/* Returns: a new reference to a tuple of the n given objects (borrowed; the
 * tuple takes its own references), or NULL (RC_EVALUE for a NULL item,
 * RC_ENOMEM). */
rc_object *rc_tuple_pack(int64_t n, ...);

/* Fills slot i (negative i counts from the end), stealing item (also on
 * failure). pre: the caller holds the
 * only reference to t (it is being built). Errors: RC_ETYPE, RC_EINDEX,
 * RC_EVALUE for a NULL item or a slot already filled. */
rc_status rc_tuple_set_steal(rc_object *t, int64_t i, rc_object *item);

bool rc_tuple_check(const rc_object *o);

/* The number of slots (>= 0), or a negative rc_status: RC_ETYPE if t is not
 * a tuple, RC_EVALUE for NULL, RC_ESTATE if the thread may not touch objects.
 *
 * Every function here fails with RC_ESTATE when the calling thread is not
 * attached or is inside the release region (rc_tuple_set_steal then keeps
 * and drops no reference). */
int64_t rc_tuple_size(rc_object *t);

/* Returns: borrowed item i (negative i counts from the end), or NULL.
 * Errors: RC_ETYPE, RC_EINDEX, RC_EVALUE for an empty slot. */
rc_object *rc_tuple_get(rc_object *t, int64_t i);

#endif /* RC_OBJECTS_TUPLE_H */
