/*
 * objects/iter.h -- iterating over lists, tuples, dicts, sets and any object
 * whose type has an iter or next slot (struct rc_type).
 *
 *     rc_iter it;
 *     if (rc_iter_begin(&it, container) != RC_OK) ... error ...
 *     rc_object *item;
 *     int r;
 *     while ((r = rc_iter_next(&it, &item)) == 1) {
 *         ... use item, a new reference ...
 *         rc_decref(item);
 *     }
 *     rc_iter_end(&it);
 *     if (r < 0) ... error: rc_error_code(), rc_error_message() ...
 *
 * The iterator lives on the caller's stack and holds a reference to the
 * container until rc_iter_end. A list is walked by index: items appended
 * meanwhile are seen, and removing items never makes the walk fail. A dict
 * whose set of keys changes (a key added or deleted) during iteration makes
 * the next call fail with RC_ECHANGED; replacing a value is allowed.
 *
 * A client iterable: rc_iter_begin calls its type's iter slot and holds
 * the iterator object it returns (or holds the object itself, when its type
 * has only a next slot) until rc_iter_end; each rc_iter_next calls that
 * iterator's next slot, and passes on its result: an error from the slot
 * is rc_iter_next's. Ending early is always safe: rc_iter_end drops the
 * iterator, which frees it if nothing else holds it.
 *
 * Threads: other threads may change the container meanwhile. Each step is
 * atomic (it takes the container's lock for that step only); the walk as a
 * whole is not a snapshot: a list gives items as they are when each step
 * runs, a dict gives RC_ECHANGED once its keys change. Never a crash. A
 * client iterator is as safe as its type's slots make it: the runtime takes
 * no lock around them (an iterator object that several rc_iters share, as
 * an iterator whose iter slot returns self, needs its own lock). An
 * rc_iter itself belongs to one thread: do not share it.
 *
 * rc_iter_begin, rc_iter_next and rc_iter_next_item fail with RC_ESTATE when
 * the calling thread is not attached or is inside the release region.
 */
#ifndef RC_OBJECTS_ITER_H
#define RC_OBJECTS_ITER_H

#include <stdint.h>

#include "objects/object.h"

typedef struct rc_iter {
    rc_object *container; /* a reference owned by the iterator: the container, or a
                             client's iterator object; NULL when ended */
    int64_t position;     /* internal: the next index or dict entry */
    uint64_t version;     /* internal: the dict's key-set version at the start */
} rc_iter;

/* Starts iterating over a list, a tuple, a dict (which yields its keys), a
 * set (its elements; RC_ECHANGED as a dict's keys), or an object whose type
 * has an iter or a next slot. On any error the iterator is ended already.
 * Errors: RC_ETYPE "'X' object is not iterable" for other objects, RC_ETYPE
 * "iter() returned non-iterator of type 'Y'" when the iter slot returned
 * an object whose type has no next slot, the iter slot's errors,
 * RC_EVALUE, RC_ERECURSION. */
rc_status rc_iter_begin(rc_iter *it, rc_object *container);

/* 1: *item is the next item, a new reference. 0: the end (*item = NULL).
 * Negative rc_status on error (RC_ECHANGED; a client iterator's next slot's
 * errors, RC_ERECURSION), *item NULL. */
int rc_iter_next(rc_iter *it, rc_object **item);

/* For an iterator over a dict: the next key and value, new references.
 * Returns as rc_iter_next; RC_ETYPE if the container is not a dict. */
int rc_iter_next_item(rc_iter *it, rc_object **key, rc_object **value);

/* Drops the iterator's reference. Safe to call twice. After it (or after
 * rc_iter_begin failed), rc_iter_next and rc_iter_next_item return 0. */
void rc_iter_end(rc_iter *it);

#endif /* RC_OBJECTS_ITER_H */
