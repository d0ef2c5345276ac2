/*
 * locking/finegrained/finegrained.h -- atomic counts and a lock per object:
 * fast paths.
 *
 * No global lock: attached threads run object code at the same time. Every
 * reference count is changed with an atomic read-modify-write, and every
 * container protects itself with the one-byte mutex in its header
 * (locking/lock/mutex.h). Stop-the-world pauses every other attached thread
 * at a checkpoint or a blocking point (locking/threads/threads.h;
 * finegrained.c).
 *
 * Included only through locking/strategy.h, which documents every name.
 */
#ifndef RC_LOCKING_FINEGRAINED_H
#define RC_LOCKING_FINEGRAINED_H

#ifndef RC_LOCKING_STRATEGY_H
#error "include locking/strategy.h, not a strategy header"
#endif

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "locking/lock/held.h"
#include "locking/lock/mutex.h"
#include "locking/threads/threads.h"

#define RCS_NAME "finegrained"
#define RCS_ABI_NAME finegrained
#define RCS_THREAD_SAFE 1
#define RCS_PARALLEL 1
#define RCS_LOCKFREE_READS 0

/* ---- header and counts ---------------------------------------------------
 * refcnt >= 0: the count; < 0: immortal. An object becomes immortal before
 * any other thread can see it, or with the world stopped (rc_immortalize),
 * whose restart orders the change for every thread; so no thread sees the
 * sign change between its test and its add, and the sign test needs no
 * ordering. Immortal headers are never written, so the counts of None,
 * small ints and interned strings never bounce between cores. */
typedef struct rcs_header {
    _Atomic int64_t refcnt;
    rcs_mutex lock;
} rcs_header;

#define RCS_FG_IMMORTAL INT64_MIN
#define RCS_HEADER_IMMORTAL_INIT {RCS_FG_IMMORTAL, {RCS_LOCK_PLAIN}}

static inline void rcs_header_init(rcs_header *h) {
    /* Not yet published: plain (relaxed) stores suffice. */
    atomic_store_explicit(&h->refcnt, 1, memory_order_relaxed);
    rcs_object_lock_init_plain(&h->lock); /* no owner, so no bias */
}

static inline void rcs_incref(rcs_header *h) {
    /* Relaxed: a new reference is made from an existing one, which orders it. */
    if (atomic_load_explicit(&h->refcnt, memory_order_relaxed) >= 0)
        atomic_fetch_add_explicit(&h->refcnt, 1, memory_order_relaxed);
}

static inline bool rcs_decref(rcs_header *h) {
    /* Relaxed: the sign test (the paragraph above the header). */
    if (atomic_load_explicit(&h->refcnt, memory_order_relaxed) < 0)
        return false;
    /* Release: our writes to the object happen before its deallocation;
     * acquire: the thread that drops the last reference sees every other
     * holder's writes. (acq_rel on the decrement rather than a separate
     * acquire fence: the same instruction on x86, and ThreadSanitizer
     * understands it.) */
    return atomic_fetch_sub_explicit(&h->refcnt, 1, memory_order_acq_rel) == 1;
}

static inline bool rcs_try_incref(rcs_header *h) {
    /* Relaxed: readers find h under a lock here (RCS_LOCKFREE_READS is 0;
     * weak references under rcs_runtime_lock), whose acquire orders what
     * they read of it; the CAS only has to refuse a count of 0, which its
     * atomicity alone gives. */
    int64_t c = atomic_load_explicit(&h->refcnt, memory_order_relaxed);
    while (c > 0)
        if (atomic_compare_exchange_weak_explicit(&h->refcnt, &c, c + 1,
                                                  memory_order_relaxed,
                                                  memory_order_relaxed))
            return true;
    return c < 0; /* immortal: always alive; 0: being freed */
}

static inline void rcs_allow_try_incref(rcs_header *h) {
    (void)h; /* try-incref already succeeds on any live object */
}

static inline int64_t rcs_refcount(const rcs_header *h) {
    /* Relaxed: a snapshot, exact only when nobody else counts (strategy.h). */
    int64_t c = atomic_load_explicit(&((rcs_header *)h)->refcnt, memory_order_relaxed);
    return c < 0 ? RCS_IMMORTAL_COUNT : c;
}

static inline void rcs_make_immortal(rcs_header *h) {
    /* Relaxed: unpublished, or the world is stopped and its restart orders
     * the store (the paragraph above the header). */
    atomic_store_explicit(&h->refcnt, RCS_FG_IMMORTAL, memory_order_relaxed);
}

static inline bool rcs_is_immortal(const rcs_header *h) {
    /* Relaxed: the sign test (the paragraph above the header). */
    return atomic_load_explicit(&((rcs_header *)h)->refcnt, memory_order_relaxed) < 0;
}

/* ---- threads ---------------------------------------------------------------- */

/* The calling thread's state (locking/threads/threads.h), in thread-local
 * storage: only the registry's list and its stopper read it, while the
 * thread is attached. */
extern _Thread_local rcs_thread_state rcs_fg_self;

/* Nonzero while some thread wants the world stopped; read by every
 * checkpoint without a lock (relaxed: the slow path rechecks under it). */
extern atomic_int rcs_fg_stop_requested;

void rcs_checkpoint_slow(void);
void rcs_stop_world(void);
void rcs_start_world(void);

static inline void rcs_checkpoint(void) {
    /* Relaxed: see rcs_fg_stop_requested. */
    if (__builtin_expect(atomic_load_explicit(&rcs_fg_stop_requested, memory_order_relaxed),
                         0))
        rcs_checkpoint_slow();
}

static inline bool rcs_thread_is_attached(void) {
    return rcs_thread_state_running(&rcs_fg_self);
}

/* ---- object locks (shared with biased: locking/lock/object_locks.h) ------ */
static inline bool rcs_world_stopped_here(void) {
    return rcs_fg_self.stopped_world;
}

/* Objects have no owner here, so no lock is biased; a byte that is not yet
 * RCS_LOCK_PLAIN (a header made some other way) only needs the bits. */
static inline bool rcs_lock_is_biased_to_me(const rcs_header *h) {
    (void)h;
    return false;
}
void rcs_lock_end_bias(rcs_mutex *m);

#include "locking/lock/object_locks.h"

/* Readers take the object lock too: plain loads and stores suffice. */


/* ---- safe reclamation: readers take locks, so retired memory is freed at
 * once (strategy.h's default rcs_retire_sized). */

#endif /* RC_LOCKING_FINEGRAINED_H */
