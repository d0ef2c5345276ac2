/*
 * locking/gil/gil.h -- the global interpreter lock strategy: fast paths.
 *
 * One lock protects every object. A thread must hold it to run object code,
 * so reference counts are plain integers and object locks are empty: the
 * GIL serialises all of it. Threads take turns: a waiter that has waited a
 * switch interval asks the holder to drop the lock at its next checkpoint
 * (see gil.c for the hand-off protocol, modelled on CPython's since 3.2).
 *
 * Included only through locking/strategy.h, which documents every name.
 */
#ifndef RC_LOCKING_GIL_H
#define RC_LOCKING_GIL_H

#ifndef RC_LOCKING_STRATEGY_H
#error "include locking/strategy.h, not a strategy header"
#endif

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RCS_NAME "gil"
#define RCS_ABI_NAME gil
#define RCS_THREAD_SAFE 1
#define RCS_PARALLEL 0
#define RCS_LOCKFREE_READS 0
#define RCS_SWITCH_INTERVAL 1

/* Plain counts and empty object locks: the GIL already excludes every other
 * thread from object code. */
#include "locking/plain/plain.h"

/* ---- threads -------------------------------------------------------------- */

/* Per-thread state; lives in thread-local storage (see gil.c). */
typedef struct rcs_gil_thread {
    bool attached;  /* between rcs_thread_attach and rcs_thread_detach */
    bool holds_gil; /* attached and not inside the release region */
} rcs_gil_thread;

extern _Thread_local rcs_gil_thread rcs_gil_self;

/* Set (under the GIL's mutex) by a waiter that has waited a whole switch
 * interval; read by the checkpoint without the mutex. Relaxed is enough: a
 * stale 0 only delays the hand-off to the next checkpoint, and the hand-off
 * itself synchronises through the mutex. */
extern atomic_int rcs_gil_drop_request;

void rcs_checkpoint_slow(void);

static inline void rcs_checkpoint(void) {
    /* Relaxed: see rcs_gil_drop_request above. */
    if (__builtin_expect(atomic_load_explicit(&rcs_gil_drop_request, memory_order_relaxed), 0))
        rcs_checkpoint_slow();
}

static inline bool rcs_thread_is_attached(void) {
    return rcs_gil_self.holds_gil;
}

/* ---- stop the world: holding the GIL already stops every other thread --- */
static inline void rcs_stop_world(void) {}
static inline void rcs_start_world(void) {}



/* ---- safe reclamation: no reader runs without the GIL, so retired memory
 * is freed at once (strategy.h's default rcs_retire_sized). */

#endif /* RC_LOCKING_GIL_H */
