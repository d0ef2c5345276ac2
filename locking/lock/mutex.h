/*
 * locking/lock/mutex.h -- a one-byte mutex that spins briefly, then sleeps.
 *
 * The per-object lock of the strategies without a global lock (design.md:
 * finegrained and biased), after CPython's PyMutex: one byte in the object
 * header instead of a 40-byte pthread mutex per object.
 *
 *   bit 0 LOCKED   someone holds it
 *   bit 1 PARKED   someone sleeps on it (in the parking lot, mutex.c)
 *
 * Locking and unlocking are one compare-and-swap each when there is no
 * contention. A thread that finds the mutex locked retries a few times,
 * yielding the CPU, and then parks: it sleeps in a queue keyed by the
 * mutex's address until an unlocker wakes it. Fairness: an unlocker hands
 * the mutex directly to a waiter that has slept more than 1 ms (it never
 * becomes free in between), so no thread starves; otherwise it frees the
 * mutex and lets the woken thread compete, which is faster under light
 * contention.
 *
 * A thread about to sleep calls the blocking hooks first (the strategy's
 * "this thread is blocked" point, which lets a stop-the-world request go
 * ahead without it), and the end hook once awake.
 */
#ifndef RC_LOCKING_LOCK_MUTEX_H
#define RC_LOCKING_LOCK_MUTEX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "locking/clock.h"

typedef struct rcs_mutex {
    _Atomic uint8_t bits; /* 0: unlocked, no sleepers */
} rcs_mutex;

#define RCS_MUTEX_INIT {0}
#define RCS_MUTEX_LOCKED 1u
#define RCS_MUTEX_PARKED 2u
/* Bits above these two belong to the mutex's user (the object locks keep
 * their bias state there: locking/lock/object_locks.h). They only ever go
 * from 0 to 1, by atomic OR; the slow paths below keep them as they are. */
#define RCS_MUTEX_USER_BITS ((uint8_t) ~(RCS_MUTEX_LOCKED | RCS_MUTEX_PARKED))

void rcs_mutex_lock_slow(rcs_mutex *m);
void rcs_mutex_unlock_slow(rcs_mutex *m);

/* pre: the caller does not hold m (it is not recursive).
 * post: the caller holds m. Acquire: pairs with the release of the unlock
 * that freed m (rcs_mutex_unlock, rcs_held_mutex_release, the slow path),
 * so the holder sees every write made by earlier holders before they
 * unlocked; a relaxed CAS would let the section read data older than
 * those writes. */
static inline void rcs_mutex_lock(rcs_mutex *m) {
    uint8_t unlocked = 0;
    /* Relaxed on failure: nothing is read under m, and the slow path
     * acquires by its own CAS. */
    if (!atomic_compare_exchange_strong_explicit(&m->bits, &unlocked, RCS_MUTEX_LOCKED,
                                                 memory_order_acquire,
                                                 memory_order_relaxed))
        rcs_mutex_lock_slow(m);
}

/* Takes m if it is free; never waits. Returns true if it did. */
static inline bool rcs_mutex_trylock(rcs_mutex *m) {
    /* Relaxed: only a guess (is m free, which other bits to keep), checked
     * by the CAS. The CAS acquires as in rcs_mutex_lock; relaxed on
     * failure, as nothing is taken and nothing read under m. */
    uint8_t bits = atomic_load_explicit(&m->bits, memory_order_relaxed);
    return !(bits & RCS_MUTEX_LOCKED) &&
           atomic_compare_exchange_strong_explicit(&m->bits, &bits,
                                                   (uint8_t)(bits | RCS_MUTEX_LOCKED),
                                                   memory_order_acquire,
                                                   memory_order_relaxed);
}

/* pre: the caller holds m. Release: pairs with the acquire in lock, so the
 * next holder sees this section's writes. Relaxed on failure: the slow path
 * (sleepers to wake) releases by its own CAS. */
static inline void rcs_mutex_unlock(rcs_mutex *m) {
    uint8_t locked = RCS_MUTEX_LOCKED;
    if (!atomic_compare_exchange_strong_explicit(&m->bits, &locked, 0, memory_order_release,
                                                 memory_order_relaxed))
        rcs_mutex_unlock_slow(m);
}

/* A snapshot for tests and assertions. Relaxed: it orders nothing, and no
 * caller may read data under m on its strength (that needs the lock). */
static inline bool rcs_mutex_is_locked(rcs_mutex *m) {
    return atomic_load_explicit(&m->bits, memory_order_relaxed) & RCS_MUTEX_LOCKED;
}

/* The blocking hooks: begin runs before a thread sleeps on a mutex, end after
 * it wakes. Set once by the strategy at start; NULL hooks do nothing. */
typedef struct rcs_block_hooks {
    void (*begin)(void);
    void (*end)(void);
} rcs_block_hooks;

void rcs_mutex_set_block_hooks(const rcs_block_hooks *hooks);

/* Counters since the start of the process: lock acquisitions that had to
 * wait (slept at least once), and direct hand-offs to a waiter. */
uint64_t rcs_mutex_waits(void);
uint64_t rcs_mutex_handoffs(void);

/* The clock of this lock's hand-off rule, and of the bounded waits of the
 * strategies built on it: rcs_monotonic_ns, locking/clock.h. */

#endif /* RC_LOCKING_LOCK_MUTEX_H */
