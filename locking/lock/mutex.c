/*
 * locking/lock/mutex.c -- the slow paths of rcs_mutex, and the parking lot
 * its waiters sleep in.
 *
 * The parking lot (after WebKit's and CPython's Python/parking_lot.c) is a
 * fixed table of buckets, each a pthread mutex and a FIFO queue of sleeping
 * threads. A mutex's address picks its bucket, so a one-byte mutex needs no
 * memory of its own for its waiters: each waiter's queue entry lives on the
 * waiter's own stack, with a semaphore to sleep on.
 *
 * Lost wake-ups are impossible because a thread parks only if, under the
 * bucket's lock, the mutex byte still holds the value it saw (PARKED set,
 * so any unlocker will take the slow path and visit the bucket); and an
 * unlocker rewrites the byte under the same bucket lock.
 *
 * Hand-off: the unlocker, holding the bucket lock, takes the first waiter.
 * If that waiter has slept for more than HANDOFF_AFTER_NS, the mutex passes
 * to it directly: the byte stays LOCKED, and the waiter learns it owns the
 * mutex from its queue entry. Otherwise the byte is freed (keeping PARKED if
 * others still sleep) and the woken thread competes for it again.
 */
#include "locking/lock/mutex.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define SPIN_LIMIT 40                /* yields before parking (CPython: 40) */
#define HANDOFF_AFTER_NS 1000000ull  /* 1 ms */
#define BUCKETS 257                  /* a prime: addresses spread evenly */

typedef struct waiter {
    struct waiter *next, *prev;
    const void *address;
    uint64_t parked_at_ns;
    bool handed_off; /* written by the unparker under the bucket lock */
    sem_t wake;
} waiter;

typedef struct bucket {
    pthread_mutex_t lock;
    waiter head; /* sentinel of a circular FIFO */
} bucket;

/* The runtime lock of locking/lock/object_locks.h. */
rcs_mutex rcs_runtime_mutex = RCS_MUTEX_INIT;

static bucket buckets[BUCKETS];
static pthread_once_t buckets_once = PTHREAD_ONCE_INIT;
static rcs_block_hooks block_hooks;
/* Counters for statistics: every access is relaxed, as they order nothing
 * (the RMWs alone keep them exact). */
static _Atomic uint64_t wait_count, handoff_count;

static void buckets_init(void) {
    for (int i = 0; i < BUCKETS; i++) {
        pthread_mutex_init(&buckets[i].lock, NULL);
        buckets[i].head.next = buckets[i].head.prev = &buckets[i].head;
    }
}

static bucket *bucket_of(const void *address) {
    pthread_once(&buckets_once, buckets_init);
    return &buckets[((uintptr_t)address >> 3) % BUCKETS];
}

void rcs_mutex_set_block_hooks(const rcs_block_hooks *hooks) {
    block_hooks = hooks ? *hooks : (rcs_block_hooks){0};
}

uint64_t rcs_mutex_waits(void) {
    return atomic_load_explicit(&wait_count, memory_order_relaxed); /* counter */
}

uint64_t rcs_mutex_handoffs(void) {
    return atomic_load_explicit(&handoff_count, memory_order_relaxed); /* counter */
}

/* ---- the parking lot ------------------------------------------------------- */

/* Sleeps until unparked, if m's byte still equals expected. Returns true if
 * the mutex was handed over (the caller owns it), false otherwise (the byte
 * changed before we slept, or we were woken to compete). */
static bool park(rcs_mutex *m, uint8_t expected, uint64_t first_parked_ns) {
    bucket *b = bucket_of(m);
    waiter w = {.address = m, .parked_at_ns = first_parked_ns};
    pthread_mutex_lock(&b->lock);
    /* Relaxed: see 'Lost wake-ups' above. The bucket lock orders this load
     * after any unlocker's slow-path rewrite; a change made without it (a
     * locker's CAS, a user bit) may be missed, but a value that passes has
     * PARKED set, so the next unlock visits the bucket. No data is read
     * under m on the strength of it. */
    if (atomic_load_explicit(&m->bits, memory_order_relaxed) != expected) {
        pthread_mutex_unlock(&b->lock);
        return false;
    }
    sem_init(&w.wake, 0, 0);
    w.prev = b->head.prev;
    w.next = &b->head;
    b->head.prev->next = &w;
    b->head.prev = &w;
    pthread_mutex_unlock(&b->lock);

    if (block_hooks.begin)
        block_hooks.begin();
    while (sem_wait(&w.wake) != 0 && errno == EINTR)
        ;
    if (block_hooks.end)
        block_hooks.end();
    sem_destroy(&w.wake);
    return w.handed_off; /* the unparker wrote it before sem_post */
}

/* The first waiter on address in b, unlinked, or NULL. Sets *more if other
 * waiters on the same address remain. pre: b's lock held. */
static waiter *dequeue(bucket *b, const void *address, bool *more) {
    waiter *found = NULL;
    *more = false;
    for (waiter *w = b->head.next; w != &b->head; w = w->next) {
        if (w->address != address)
            continue;
        if (found) {
            *more = true;
            break;
        }
        found = w;
    }
    if (found) {
        found->prev->next = found->next;
        found->next->prev = found->prev;
    }
    return found;
}

/* ---- the slow paths ----------------------------------------------------------- */

void rcs_mutex_lock_slow(rcs_mutex *m) {
    uint64_t parked_since = 0;
    int spins = 0;
    for (;;) {
        /* Relaxed: a guess, checked by the CASes below. */
        uint8_t bits = atomic_load_explicit(&m->bits, memory_order_relaxed);
        if (!(bits & RCS_MUTEX_LOCKED)) {
            /* Acquire, as in rcs_mutex_lock: pairs with the unlocker's
             * release. Relaxed on failure: we start over. */
            if (atomic_compare_exchange_weak_explicit(&m->bits, &bits,
                                                      (uint8_t)(bits | RCS_MUTEX_LOCKED),
                                                      memory_order_acquire,
                                                      memory_order_relaxed))
                break;
            continue;
        }
        /* Spin only while nobody sleeps: a sleeper will be served first. */
        if (!(bits & RCS_MUTEX_PARKED) && spins < SPIN_LIMIT) {
            spins++;
            sched_yield();
            continue;
        }
        if (!(bits & RCS_MUTEX_PARKED)) {
            uint8_t parked = (uint8_t)(bits | RCS_MUTEX_PARKED);
            /* Relaxed: announcing a sleeper publishes no data. What counts
             * is that the byte's RMWs are totally ordered: any unlock after
             * this CAS sees PARKED and visits the bucket, and park
             * rechecks the byte under the bucket lock ('Lost wake-ups'
             * above). */
            if (!atomic_compare_exchange_weak_explicit(&m->bits, &bits, parked,
                                                       memory_order_relaxed,
                                                       memory_order_relaxed))
                continue;
            bits = parked;
        }
        if (!parked_since)
            parked_since = rcs_monotonic_ns();
        if (park(m, bits, parked_since))
            break; /* handed over: ours, LOCKED never dropped */
    }
    if (parked_since)
        atomic_fetch_add_explicit(&wait_count, 1, memory_order_relaxed); /* counter */
}

void rcs_mutex_unlock_slow(rcs_mutex *m) {
    /* Relaxed: we hold m, so LOCKED is our own write (or the hand-off's,
     * ordered to us by the semaphore); the CAS below refreshes the rest. */
    uint8_t bits = atomic_load_explicit(&m->bits, memory_order_relaxed);
    if (!(bits & RCS_MUTEX_LOCKED)) {
        fprintf(stderr, "refcore: fatal: unlocking a mutex that is not locked (%p)\n",
                (void *)m);
        abort();
    }
    bucket *b = bucket_of(m);
    bool more;
    pthread_mutex_lock(&b->lock);
    waiter *w = dequeue(b, m, &more);
    uint8_t sleepers = more ? RCS_MUTEX_PARKED : 0;
    bool handoff = w && rcs_monotonic_ns() - w->parked_at_ns > HANDOFF_AFTER_NS;
    uint8_t keep = handoff ? (uint8_t)(RCS_MUTEX_LOCKED | sleepers) : sleepers;
    /* A CAS, not a store: the user bits may be set at any moment (by an
     * atomic OR), and must not be lost. Release: pairs with the next
     * holder's acquire (on a hand-off the semaphore orders it as well).
     * Relaxed on failure: the loop retries with the fresh value. */
    while (!atomic_compare_exchange_weak_explicit(
        &m->bits, &bits, (uint8_t)((bits & RCS_MUTEX_USER_BITS) | keep), memory_order_release,
        memory_order_relaxed))
        ;
    if (handoff) {
        w->handed_off = true;
        atomic_fetch_add_explicit(&handoff_count, 1, memory_order_relaxed); /* counter */
    }
    pthread_mutex_unlock(&b->lock);
    if (w)
        sem_post(&w->wake);
}
