/*
 * locking/lock/object_locks.h -- the seam's object locks and runtime lock
 * for the strategies that lock objects one by one (finegrained, biased).
 *
 * Each object header holds an rcs_mutex named `lock`. The thread that has
 * stopped the world (the collector) takes no lock at all: every other thread
 * is paused at a checkpoint, where it holds none, or asleep waiting for a
 * lock, before it changed anything; and the collector may itself have been
 * started by an allocation made under some object's lock.
 *
 * pre: the including strategy header has defined rcs_header (with an
 * rcs_mutex member `lock`) and `static inline bool rcs_world_stopped_here(void)`.
 * Included only by those strategy headers; the names are documented in
 * locking/strategy.h.
 */
#ifndef RC_LOCKING_LOCK_OBJECT_LOCKS_H
#define RC_LOCKING_LOCK_OBJECT_LOCKS_H

#include "locking/lock/mutex.h"

static inline void rcs_lock(rcs_header *h) {
    if (!rcs_world_stopped_here())
        rcs_mutex_lock(&h->lock);
}

static inline void rcs_unlock(rcs_header *h) {
    if (!rcs_world_stopped_here())
        rcs_mutex_unlock(&h->lock);
}

/* Two objects, deadlock-free: the same object is locked once; otherwise the
 * lower address first, so every thread takes any pair in the same order. */
static inline void rcs_lock2(rcs_header *a, rcs_header *b) {
    if (a == b) {
        rcs_lock(a);
    } else if (a < b) {
        rcs_lock(a);
        rcs_lock(b);
    } else {
        rcs_lock(b);
        rcs_lock(a);
    }
}

static inline void rcs_unlock2(rcs_header *a, rcs_header *b) {
    rcs_unlock(a);
    if (a != b)
        rcs_unlock(b);
}

/* The lock of the object layer's runtime-wide structures (defined in
 * mutex.c), skipped by the thread that stopped the world as above. */
extern rcs_mutex rcs_runtime_mutex;

static inline void rcs_runtime_lock(void) {
    if (!rcs_world_stopped_here())
        rcs_mutex_lock(&rcs_runtime_mutex);
}

static inline void rcs_runtime_unlock(void) {
    if (!rcs_world_stopped_here())
        rcs_mutex_unlock(&rcs_runtime_mutex);
}

#endif /* RC_LOCKING_LOCK_OBJECT_LOCKS_H */
