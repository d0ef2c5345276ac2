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

#include <stdint.h>

#include "locking/lock/mutex.h"

#define RCS_HELD_MAX 32 /* distinct object locks one thread may hold at once */

typedef struct rcs_held_locks {
    int n;
    struct {
        rcs_mutex *m;
        uint32_t depth; /* >= 1 */
    } held[RCS_HELD_MAX];
} rcs_held_locks;

extern _Thread_local rcs_held_locks rcs_held;

/* Slow paths (object_locks.c). */
void rcs_lock_contended(rcs_mutex *m);
void rcs_unlock_unusual(rcs_mutex *m);
void rcs_lock2_contended(rcs_mutex *lo, rcs_mutex *hi);
void rcs_held_push(rcs_mutex *m); /* aborts with a message past RCS_HELD_MAX */

static inline void rcs_held_push_fast(rcs_mutex *m) {
    int n = rcs_held.n;
    if (__builtin_expect(n == RCS_HELD_MAX, 0)) {
        rcs_held_push(m);
        return;
    }
    rcs_held.held[n].m = m;
    rcs_held.held[n].depth = 1;
    rcs_held.n = n + 1;
}

#endif /* RC_LOCKING_LOCK_HELD_H */
