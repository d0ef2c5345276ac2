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
 * rcs_mutex member `lock`), `static inline bool rcs_world_stopped_here(void)`,
 * `static inline bool rcs_lock_is_biased_to_me(const rcs_header *h)` and
 * declared `void rcs_lock_end_bias(rcs_mutex *m)` (the bias, below).
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
 * each with its nesting depth and how it holds it. Only a lock that is not
 * free (contention, or a lock this thread holds already) looks through the
 * record (rcs_lock_contended). The record is the thread's own: plain
 * thread-local accesses, no ordering (locking/lock/held.h).
 *
 * ---- the owner's bias (//:nogil) ------------------------------------------------
 * Most objects are only ever locked by the thread that made them (a list a
 * function builds, a young-object list of the collector), and a mutex costs
 * two locked instructions per section even when nobody contends. So the
 * lock of an object starts biased to its owner, the thread whose id is in
 * its header (rcs_lock_is_biased_to_me): while the byte is 0, the owner
 * takes and releases the lock by writing its own record only, and never
 * touches the byte. Any other thread must first end the bias
 * (rcs_lock_end_bias, the strategy's): it sets ENDING_BIAS, waits until the
 * owner passes a point where it cannot be inside a biased section it began
 * before it saw that bit, then sets UNBIASED; from then on the byte is an
 * ordinary mutex (plain value RCS_LOCK_PLAIN) for everyone, the owner too.
 * The owner's points, and the orders that make them sound, are the
 * strategy's (locking/biased/biased.c); at each of them it first turns the
 * sections it holds by the bias into held mutexes (rcs_held_unbias: the
 * byte set LOCKED), so a thread that ended the bias meanwhile finds the
 * lock taken and waits for it as usual. Before UNBIASED only the owner
 * writes LOCKED into the byte, so the owner never has to wait.
 * Strategies without owners (finegrained) start every byte at
 * RCS_LOCK_PLAIN, and end the bias of a byte that starts at 0 (a static
 * header) at once. Like the JVM's biased locking, the price is paid once
 * per object by the first other thread that locks it, which waits for the
 * owner's next checkpoint or blocking point. */

/* One lock acquisition of m (h's mutex) without the record's help: by the
 * bias, or by a free plain mutex. Returns false when neither applies. */
static inline bool rcs_object_mutex_lock_fast(rcs_header *h, rcs_mutex *m) {
    /* Relaxed. On the bias path a stale 0 is allowed: a thread that sets
     * ENDING_BIAS waits for our next bias point, whose fence makes our
     * later loads see it (see 'the owner's bias' above, and its point (2)
     * in locking/biased/biased.c). On the plain path the CAS checks the
     * value and acquires. */
    uint8_t bits = atomic_load_explicit(&m->bits, memory_order_relaxed);
    if (bits == 0 && rcs_lock_is_biased_to_me(h)) {
        /* Only this thread could be in a section on h: no write to the
         * byte, and no ordering (the owner's sections are ordered with
         * other threads' by the ending of the bias). A section begun again
         * right inside itself nests in the same record entry. */
        int top = rcs_held.n - 1;
        if (top >= 0 && rcs_held.held[top].m == m)
            rcs_held.held[top].depth++;
        else
            rcs_held_push_fast(m, RCS_HELD_BIASED);
        return true;
    }
    uint8_t plain = RCS_LOCK_PLAIN;
    /* Acquire: pairs with the release of the last unlock (or of the
     * UNBIASED OR), so the holder sees every write made by earlier
     * holders. Relaxed on failure: the slow path starts over. */
    if (bits == plain &&
        atomic_compare_exchange_strong_explicit(&m->bits, &plain,
                                                (uint8_t)(RCS_LOCK_PLAIN | RCS_MUTEX_LOCKED),
                                                memory_order_acquire, memory_order_relaxed)) {
        rcs_held_push_fast(m, RCS_HELD_MUTEX);
        return true;
    }
    return false;
}

/* Takes h's lock, or nests if this thread holds it already. */
static inline void rcs_object_mutex_lock(rcs_header *h) {
    rcs_mutex *m = &h->lock;
    if (__builtin_expect(!rcs_object_mutex_lock_fast(h, m), 0))
        rcs_lock_contended(m, rcs_lock_is_biased_to_me(h), rcs_lock_end_bias);
}

/* Ends the innermost hold of m: releases it if that was the outermost. */
static inline void rcs_object_mutex_unlock(rcs_mutex *m) {
    int top = rcs_held.n - 1;
    if (__builtin_expect(top >= 0 && rcs_held.held[top].m == m &&
                             rcs_held.held[top].depth == 1,
                         1)) {
        uint32_t kind = rcs_held.held[top].kind;
        rcs_held.n = top;
        if (kind == RCS_HELD_MUTEX)
            rcs_held_mutex_release(m);
        /* else biased, or an inner hold: the byte was never written */
    } else {
        rcs_unlock_unusual(m);
    }
}

static inline void rcs_lock(rcs_header *h) {
    if (!rcs_world_stopped_here())
        rcs_object_mutex_lock(h);
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
        rcs_object_mutex_lock(a);
        return;
    }
    rcs_header *lo = a < b ? a : b, *hi = a < b ? b : a;
    if (__builtin_expect(!rcs_object_mutex_lock_fast(lo, &lo->lock), 0))
        /* takes lo, or nests it; hi may be held */
        rcs_lock2_contended(&lo->lock, rcs_lock_is_biased_to_me(lo), &hi->lock,
                            rcs_lock_end_bias);
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
