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

#include "locking/lock/held.h"
#include "locking/lock/mutex.h"

/* ---- nesting ------------------------------------------------------------------
 * A thread may begin a section on an object whose section it already holds
 * (a client's RC_CRITICAL_BEGIN(list) around rc_list_append(list), which
 * locks the list again): as in CPython, the inner begin only records the
 * nesting, and the lock is released by the outermost end. Under //:gil the
 * locks are empty, so nesting works there for free; this makes it work the
 * same way here instead of deadlocking on the one-byte mutex, which has no
 * owner field.
 *
 * Each thread keeps the object locks it holds in rcs_held, innermost last,
 * each with its nesting depth. The fast paths stay one CAS: lock records
 * the mutex after taking it; only a failed CAS (contention, or a lock this
 * thread holds already) looks through the record (rcs_lock_contended). The
 * record is the thread's own: plain thread-local accesses, no ordering
 * (locking/lock/held.h). */
/* Takes m, or nests if this thread holds it already. */
static inline void rcs_object_mutex_lock(rcs_mutex *m) {
    uint8_t unlocked = 0;
    /* Acquire: as rcs_mutex_lock. */
    if (__builtin_expect(atomic_compare_exchange_strong_explicit(&m->bits, &unlocked,
                                                                 RCS_MUTEX_LOCKED,
                                                                 memory_order_acquire,
                                                                 memory_order_relaxed),
                         1))
        rcs_held_push_fast(m);
    else
        rcs_lock_contended(m);
}

/* Ends the innermost hold of m: releases it if that was the outermost. */
static inline void rcs_object_mutex_unlock(rcs_mutex *m) {
    int top = rcs_held.n - 1;
    if (__builtin_expect(top >= 0 && rcs_held.held[top].m == m &&
                             rcs_held.held[top].depth == 1,
                         1)) {
        rcs_held.n = top;
        rcs_mutex_unlock(m);
    } else {
        rcs_unlock_unusual(m);
    }
}

static inline void rcs_lock(rcs_header *h) {
    if (!rcs_world_stopped_here())
        rcs_object_mutex_lock(&h->lock);
}

static inline void rcs_unlock(rcs_header *h) {
    if (!rcs_world_stopped_here())
        rcs_object_mutex_unlock(&h->lock);
}

/* Two objects, deadlock-free: the same object is locked once; otherwise the
 * lower address first, so every thread takes any pair in the same order.
 * Either may be held by this thread already (it nests). The lower one is
 * only tried first: if this thread holds the higher one, waiting for the
 * lower would break the order, so rcs_lock2_contended lets the higher one
 * go while it waits and then takes both in order (CPython's critical
 * sections do the same: a section is exclusive except while its thread
 * waits in a nested begin). */
static inline void rcs_lock2(rcs_header *a, rcs_header *b) {
    if (rcs_world_stopped_here())
        return;
    if (a == b) {
        rcs_object_mutex_lock(&a->lock);
        return;
    }
    rcs_mutex *lo = a < b ? &a->lock : &b->lock, *hi = a < b ? &b->lock : &a->lock;
    if (__builtin_expect(rcs_mutex_trylock(lo), 1))
        rcs_held_push_fast(lo);
    else
        rcs_lock2_contended(lo, hi); /* takes lo, or nests it; hi may be held */
    rcs_object_mutex_lock(hi);
}

static inline void rcs_unlock2(rcs_header *a, rcs_header *b) {
    if (rcs_world_stopped_here())
        return;
    if (a == b) {
        rcs_object_mutex_unlock(&a->lock);
        return;
    }
    /* Innermost first: hi was recorded after lo. */
    rcs_mutex *lo = a < b ? &a->lock : &b->lock, *hi = a < b ? &b->lock : &a->lock;
    rcs_object_mutex_unlock(hi);
    rcs_object_mutex_unlock(lo);
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
