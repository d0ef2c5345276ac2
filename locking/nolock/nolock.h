/*
 * locking/nolock/nolock.h -- the unprotected strategy: fast paths.
 *
 * UNSAFE WITH MORE THAN ONE THREAD. This strategy protects nothing: no
 * global lock, plain (non-atomic) reference counts, empty object locks, no
 * stop-the-world. Two attached threads that touch the same object race on
 * its count and its contents, and memory gets corrupted. It exists only to
 * be measured: the benchmarks (bench/) run it beside the real strategies to
 * show what their protection costs, and its threaded rows show what goes
 * wrong without it. Never link //:nolock into a program that attaches a
 * second thread for real work.
 *
 * With one thread it is correct: it is the GIL strategy minus the lock, and
 * every single-threaded test passes under it. Thread attach, detach and the
 * release region are per-thread bookkeeping only, so that
 * rcs_thread_is_attached (and the debug checks built on it) still say
 * whether the caller may touch objects.
 *
 * Included only through locking/strategy.h, which documents every name.
 */
#ifndef RC_LOCKING_NOLOCK_H
#define RC_LOCKING_NOLOCK_H

#ifndef RC_LOCKING_STRATEGY_H
#error "include locking/strategy.h, not a strategy header"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RCS_NAME "nolock"
#define RCS_ABI_NAME nolock
#define RCS_THREAD_SAFE 0 /* the whole point: see the top of this file */
#define RCS_PARALLEL 1    /* threads do run at once, and race */
#define RCS_LOCKFREE_READS 0

/* The GIL strategy's plain counts and empty object locks, without the GIL:
 * immortal headers are never written, so immortal objects (None, small ints,
 * interned strings) are the one thing threads can share safely even here;
 * everything else is a plain read-modify-write another thread can lose. */
#include "locking/plain/plain.h"

/* ---- threads: bookkeeping only -------------------------------------------- */

/* Per-thread state, in thread-local storage (see nolock.c). */
typedef struct rcs_nolock_thread {
    bool attached; /* between rcs_thread_attach and rcs_thread_detach */
    bool released; /* inside the release region */
} rcs_nolock_thread;

extern _Thread_local rcs_nolock_thread rcs_nolock_self;


/* Nothing is ever pending: no lock to hand over, no counts to merge. */
static inline void rcs_checkpoint(void) {}

static inline bool rcs_thread_is_attached(void) {
    return rcs_nolock_self.attached && !rcs_nolock_self.released;
}

/* ---- stop the world: nothing. Correct only when there is one thread, which
 * is the only case this strategy is correct in anyway; with more, the
 * collector runs beside mutators and corrupts memory. -------------------- */
static inline void rcs_stop_world(void) {}
static inline void rcs_start_world(void) {}



/* ---- safe reclamation: readers take no references safely either, so
 * retired memory is freed at once (strategy.h's default rcs_retire_sized). */

#endif /* RC_LOCKING_NOLOCK_H */
