/*
 * locking/lock/held.h -- the object locks a thread holds, for nested
 * critical sections (see locking/lock/object_locks.h).
 *
 * rcs_held lists them innermost last, each with its nesting depth. Only its
 * own thread reads or writes it: plain thread-local accesses, no ordering.
 * The slow paths are in object_locks.c.
 */
#ifndef RC_LOCKING_LOCK_HELD_H
#define RC_LOCKING_LOCK_HELD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "locking/lock/mutex.h"

/* The object locks' bias state, in the mutex byte's user bits (mutex.h);
 * object_locks.h explains it. Both only ever go from 0 to 1. */
#define RCS_LOCK_ENDING_BIAS 4u /* a non-owner waits for the owner's bias to end */
#define RCS_LOCK_UNBIASED 8u    /* the bias has ended: a plain mutex from now on */
#define RCS_LOCK_PLAIN (RCS_LOCK_ENDING_BIAS | RCS_LOCK_UNBIASED)

/* The two ways an object's lock starts, for the strategy's
 * rcs_header_init (object_locks.h explains the bias). Relaxed stores: the
 * header is not yet published to any other thread. */
static inline void rcs_object_lock_init_biased(rcs_mutex *m) {
    atomic_store_explicit(&m->bits, 0, memory_order_relaxed); /* free, biased to the owner */
}
static inline void rcs_object_lock_init_plain(rcs_mutex *m) {
    atomic_store_explicit(&m->bits, RCS_LOCK_PLAIN, memory_order_relaxed); /* free, no owner */
}

#define RCS_HELD_MAX 32 /* distinct object locks one thread may hold at once */

/* How a held lock is held (object_locks.h explains the bias). */
enum {
    RCS_HELD_MUTEX,  /* the mutex byte says LOCKED, for this thread */
    RCS_HELD_BIASED, /* the owner's bias: the byte was not written */
    RCS_HELD_INNER,  /* an inner hold of a mutex held by an earlier entry */
};

typedef struct rcs_held_locks {
    int n;
    struct {
        rcs_mutex *m;
        uint32_t depth; /* >= 1 */
        uint32_t kind;  /* RCS_HELD_* */
    } held[RCS_HELD_MAX];
} rcs_held_locks;

extern _Thread_local rcs_held_locks rcs_held;

/* Slow paths (object_locks.c). `mine`: the caller owns the object, so it
 * may take its lock by the bias; `end_bias`: the strategy's way of ending
 * another thread's bias on m (object_locks.h). */
void rcs_lock_contended(rcs_mutex *m, bool mine, void (*end_bias)(rcs_mutex *m));
void rcs_unlock_unusual(rcs_mutex *m);
void rcs_lock2_contended(rcs_mutex *lo, bool lo_mine, rcs_mutex *hi,
                         void (*end_bias)(rcs_mutex *m));
void rcs_held_push(rcs_mutex *m, uint32_t kind); /* aborts with a message past RCS_HELD_MAX */

/* Turns every lock this thread holds by the bias into a held mutex (the
 * byte set LOCKED), so that another thread that ends the bias meanwhile
 * finds it locked and waits. Called at each point where another thread may
 * conclude that this one is outside its biased sections (object_locks.h). */
void rcs_held_unbias(void);

static inline void rcs_held_push_fast(rcs_mutex *m, uint32_t kind) {
    int n = rcs_held.n;
    if (__builtin_expect(n == RCS_HELD_MAX, 0)) {
        rcs_held_push(m, kind);
        return;
    }
    rcs_held.held[n].m = m;
    rcs_held.held[n].depth = 1;
    rcs_held.held[n].kind = kind;
    rcs_held.n = n + 1;
}

/* Releases a mutex this thread holds as a lock (RCS_HELD_MUTEX), keeping
 * the byte's user bits. Release: pairs with the next holder's acquire, so
 * it sees this section's writes. Anything else in the byte (sleepers, a
 * bias not yet ended) takes the slow path, which releases by its own CAS:
 * hence relaxed on failure. */
static inline void rcs_held_mutex_release(rcs_mutex *m) {
    uint8_t locked = RCS_LOCK_PLAIN | RCS_MUTEX_LOCKED;
    if (!atomic_compare_exchange_strong_explicit(&m->bits, &locked, RCS_LOCK_PLAIN,
                                                 memory_order_release, memory_order_relaxed))
        rcs_mutex_unlock_slow(m);
}

#endif /* RC_LOCKING_LOCK_HELD_H */
