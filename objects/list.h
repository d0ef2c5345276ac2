/*
 * objects/list.h -- mutable sequences.
 *
 * Indexes are int64_t; a negative index counts from the end (-1 is the last
 * item), as in Python. Reads hand out new references (see refcount.h for
 * why), except rc_list_get_borrowed, which lends.
 *
 * Threads: every function here may be called by several threads on the
 * same list at once. Each takes the list's object lock (free under
 * //:gil), so each is atomic with respect to every other: it sees the list
 * entirely before or entirely after another thread's call. "Atomic" below
 * means that; "snapshot" means a result equal to the list at one instant.
 * A sequence of calls is not atomic (a size read may be stale by the next
 * call); use an index error as the signal that the list changed.
 * tests/stress_test.c backs these claims for every thread-safe strategy.
 */
#ifndef RC_OBJECTS_LIST_H
#define RC_OBJECTS_LIST_H

#include <stdbool.h>
#include <stdint.h>

#include "objects/object.h"

extern rc_type rc_list_type;

/* Returns: a new reference to an empty list, or NULL (RC_ENOMEM, RC_ESTATE). */
rc_object *rc_list_new(void);

bool rc_list_check(const rc_object *o);

/* The number of items (>= 0), or a negative rc_status: RC_ETYPE if l is not
 * a list, RC_EVALUE for NULL, RC_ESTATE if the thread may not touch objects.
 * Test the result with `< 0`: no size is negative. Threads: atomic.
 *
 * Every function here fails with RC_ESTATE, touching nothing, when the
 * calling thread is not attached or is inside the release region (the
 * _steal functions then keep no reference and drop none: the caller's stays
 * the caller's). */
int64_t rc_list_size(rc_object *l);

/* Appends item (borrowed: the list takes its own reference).
 * Errors: RC_ETYPE, RC_EVALUE for NULL, RC_ENOMEM (the list is unchanged). Threads:
 * atomic. */
rc_status rc_list_append(rc_object *l, rc_object *item);

/* As rc_list_append, but steals item, also on failure. Threads: atomic. */
rc_status rc_list_append_steal(rc_object *l, rc_object *item);

/* Inserts item (borrowed) before index i. As in Python, i is clamped: past
 * the end appends, before the start prepends. Errors as rc_list_append. Threads: atomic.
 */
rc_status rc_list_insert(rc_object *l, int64_t i, rc_object *item);

/* Returns: a new reference to item i, or NULL (RC_ETYPE, RC_EINDEX). Threads: atomic. */
rc_object *rc_list_get(rc_object *l, int64_t i);

/* Returns: item i lent (no reference of the caller's; valid until the
 * calling thread's next quiescent point of borrowing, see "borrowed reads"
 * in runtime/runtime.h), or NULL (RC_ETYPE, RC_EINDEX). The read writes
 * nothing shared once the list has been read this way before. Threads:
 * atomic. From then on the list's writers defer the drops of the items
 * they remove or replace (rc_list_set and rc_list_pop may then also fail
 * with RC_ENOMEM, the list unchanged). */
rc_object *rc_list_get_borrowed(rc_object *l, int64_t i);

/* Replaces item i with item (borrowed); the old item's reference is dropped.
 * Errors: RC_ETYPE, RC_EINDEX, RC_EVALUE for NULL, RC_ENOMEM (only for a
 * list read with rc_list_get_borrowed; unchanged). Threads: atomic. */
rc_status rc_list_set(rc_object *l, int64_t i, rc_object *item);

/* Removes item i and returns it: a new reference, or NULL (RC_ETYPE,
 * RC_EINDEX, also for an empty list; RC_ENOMEM as rc_list_set). Threads:
 * atomic. */
rc_object *rc_list_pop(rc_object *l, int64_t i);

/* Appends every item of src: a list, a tuple, or a dict (its keys). src may
 * be l itself (its items are then appended once). Errors: RC_ETYPE,
 * RC_EVALUE (NULL, or a tuple with an empty slot), RC_ECHANGED (another
 * thread changed the dict's keys while they were read), RC_ENOMEM; on any
 * error l is unchanged. Threads: atomic for l; src is read as a snapshot (a dict's keys:
 * a snapshot, or RC_ECHANGED). */
rc_status rc_list_extend(rc_object *l, rc_object *src);

/* Removes the first item equal to item (rc_object_equal; item borrowed)
 * and drops the list's reference to it. Errors: RC_EKEY if no item is
 * equal (no other "not found" status exists; the message names the item as
 * a dict's names a missing key), RC_ETYPE, RC_EVALUE for NULL, any error
 * of the equality (the list unchanged), RC_ENOMEM as rc_list_set. Threads:
 * equality runs without the lock (it may run a client's code); the removal
 * is atomic, of an item equal to item that was the first such when it was
 * compared (if the list changed meanwhile, the search starts again). */
rc_status rc_list_remove(rc_object *l, rc_object *item);

/* An order for rc_list_sort: 1 if a sorts before b (a < b), 0 if not, or a
 * negative rc_status to stop the sort with that error. a and b are lent
 * for the call. */
typedef int (*rc_less_fn)(rc_object *a, rc_object *b, void *arg);

/* Sorts the list by less (called with arg), stably: items that are not
 * less than one another keep their order. The object layer has no order of
 * its own (rc_object_equal is its only comparison), so the caller gives
 * one. Errors: RC_EVALUE (NULL l or less), RC_ETYPE, RC_ENOMEM, the first
 * negative result of less, RC_ECHANGED if the list changed during the sort;
 * on any error the list is as it was (a permutation of its items, the same
 * one). Threads: less runs without the lock and may touch the list (which
 * then fails with RC_ECHANGED); the new order is written atomically with
 * respect to every other call. */
rc_status rc_list_sort(rc_object *l, rc_less_fn less, void *arg);

/* Returns: a new reference to a new list holding items start..stop-1, with
 * Python's slice rules (negative values count from the end, out-of-range
 * values are clamped, an empty range gives an empty list), or NULL
 * (RC_ETYPE, RC_ENOMEM). Threads: a snapshot. */
rc_object *rc_list_slice(rc_object *l, int64_t start, int64_t stop);

#endif /* RC_OBJECTS_LIST_H */
