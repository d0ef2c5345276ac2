/*
 * locking/lock/object_locks.c -- the slow paths of the object locks'
 * nesting record (see locking/lock/object_locks.h).
 *
 * rcs_held (locking/lock/held.h) lists the object locks the calling thread
 * holds. The paths here run when the lock fast path's CAS failed (another
 * thread holds the mutex, or this one does) and when an unlock is not of
 * the innermost, singly held lock.
 */
#include "locking/lock/held.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Thread_local rcs_held_locks rcs_held;

/* The index of m in the record, innermost first; -1 if this thread does
 * not hold it. */
static int held_find(const rcs_mutex *m) {
    for (int i = rcs_held.n - 1; i >= 0; i--)
        if (rcs_held.held[i].m == m)
            return i;
    return -1;
}

void rcs_held_push(rcs_mutex *m) {
    if (rcs_held.n == RCS_HELD_MAX) {
        /* Only sections on different objects begun one inside another get
         * here, which the rules of RC_CRITICAL_BEGIN forbid (they can
         * deadlock); no status can be returned from a lock. */
        fprintf(stderr,
                "refcore: fatal: a thread holds more than %d object locks at once "
                "(critical sections on different objects begun one inside another; "
                "see RC_CRITICAL_BEGIN in objects/object.h)\n",
                RCS_HELD_MAX);
        abort();
    }
    rcs_held.held[rcs_held.n].m = m;
    rcs_held.held[rcs_held.n].depth = 1;
    rcs_held.n++;
}

void rcs_lock_contended(rcs_mutex *m) {
    int i = held_find(m);
    if (i >= 0) {
        rcs_held.held[i].depth++; /* nested: the mutex is ours already */
        return;
    }
    rcs_mutex_lock(m); /* another thread holds it: wait */
    rcs_held_push(m);
}

void rcs_unlock_unusual(rcs_mutex *m) {
    int i = held_find(m);
    if (i < 0) {
        /* Not recorded: an unlock with no matching lock on this thread, a
         * misuse the record cannot repair; do what an unrecorded mutex
         * would. */
        rcs_mutex_unlock(m);
        return;
    }
    if (--rcs_held.held[i].depth > 0)
        return; /* an inner section ended; the outermost still holds m */
    memmove(&rcs_held.held[i], &rcs_held.held[i + 1],
            (size_t)(rcs_held.n - i - 1) * sizeof rcs_held.held[0]);
    rcs_held.n--;
    rcs_mutex_unlock(m);
}

void rcs_lock2_contended(rcs_mutex *lo, rcs_mutex *hi) {
    int i = held_find(lo);
    if (i >= 0) {
        rcs_held.held[i].depth++;
        return;
    }
    if (held_find(hi) < 0) {
        rcs_mutex_lock(lo); /* in address order: safe to wait */
        rcs_held_push(lo);
        return;
    }
    /* This thread holds hi and must wait for lo: waiting while holding hi
     * could deadlock with a thread that holds lo and waits for hi (the
     * order every lock2 keeps). Let hi go while waiting, then take it again
     * after lo. Its record stays: the caller's lock of hi then nests. */
    rcs_mutex_unlock(hi);
    rcs_mutex_lock(lo);
    rcs_held_push(lo);
    rcs_mutex_lock(hi);
}
