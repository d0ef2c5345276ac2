/*
 * locking/lock/object_locks.c -- the slow paths of the object locks'
 * nesting record (see locking/lock/object_locks.h).
 *
 * rcs_held (locking/lock/held.h) lists the object locks the calling thread
 * holds. The paths here run when the lock fast path's CAS failed (another
 * thread holds the mutex, or this one does) and when an unlock is not of
 * the innermost, singly held lock; and the owner's side of the bias (see
 * object_locks.h).
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

void rcs_held_push(rcs_mutex *m, uint32_t kind) {
    int i = kind == RCS_HELD_BIASED ? held_find(m) : -1;
    if (i >= 0) {
        rcs_held.held[i].depth++; /* a biased relock of a lock held further out */
        return;
    }
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
    rcs_held.held[rcs_held.n].kind = kind;
    rcs_held.n++;
}

/* Takes m, which this thread does not hold, and records it. */
static void take(rcs_mutex *m, bool mine, void (*end_bias)(rcs_mutex *m)) {
    /* Relaxed: the value only picks a path. A stale "still biased" on the
     * owner's path is allowed as in rcs_object_mutex_lock_fast (see 'the
     * owner's bias' in object_locks.h); every other path takes m by the
     * acquiring CAS of rcs_mutex_lock_slow (end_bias orders its own). */
    uint8_t bits = atomic_load_explicit(&m->bits, memory_order_relaxed);
    if (!(bits & RCS_LOCK_UNBIASED)) {
        if (mine && !(bits & RCS_LOCK_ENDING_BIAS)) {
            /* Still biased to us: before the bias ends only the owner sets
             * LOCKED, and we do not hold m, so the byte is 0. */
            rcs_held_push(m, RCS_HELD_BIASED);
            return;
        }
        if (mine)
            /* Another thread waits for our bias to end, and we are in no
             * section on m: end it here. Release: a thread that sees
             * UNBIASED and takes the mutex (acquire, on this byte) sees
             * what our biased sections wrote. */
            atomic_fetch_or_explicit(&m->bits, RCS_LOCK_UNBIASED, memory_order_release);
        else
            end_bias(m);
    }
    rcs_mutex_lock_slow(m); /* the byte is not 0, so the fast path of rcs_mutex_lock would fail */
    rcs_held_push(m, RCS_HELD_MUTEX);
}

void rcs_lock_contended(rcs_mutex *m, bool mine, void (*end_bias)(rcs_mutex *m)) {
    int i = held_find(m);
    if (i >= 0) {
        rcs_held.held[i].depth++; /* nested: the lock is ours already */
        return;
    }
    take(m, mine, end_bias);
}

void rcs_unlock_unusual(rcs_mutex *m) {
    int i = held_find(m);
    if (i < 0) {
        /* Not recorded: an unlock with no matching lock on this thread, a
         * misuse the record cannot repair; do what an unrecorded mutex
         * would (which aborts with a message if the byte is not locked). */
        rcs_mutex_unlock_slow(m);
        return;
    }
    if (--rcs_held.held[i].depth > 0)
        return; /* an inner section ended; the outermost still holds m */
    uint32_t kind = rcs_held.held[i].kind;
    memmove(&rcs_held.held[i], &rcs_held.held[i + 1],
            (size_t)(rcs_held.n - i - 1) * sizeof rcs_held.held[0]);
    rcs_held.n--;
    if (kind == RCS_HELD_MUTEX)
        rcs_held_mutex_release(m);
}

void rcs_lock2_contended(rcs_mutex *lo, bool lo_mine, rcs_mutex *hi,
                         void (*end_bias)(rcs_mutex *m)) {
    int i = held_find(lo);
    if (i >= 0) {
        rcs_held.held[i].depth++;
        return;
    }
    if (held_find(hi) < 0) {
        take(lo, lo_mine, end_bias); /* in address order: safe to wait */
        return;
    }
    /* This thread holds hi and must wait for lo: waiting while holding hi
     * could deadlock with a thread that holds lo and waits for hi (the
     * order every lock2 keeps). Let hi go while waiting, then take it again
     * after lo. Its record stays: the caller's lock of hi then nests. A
     * hold by the bias has nothing to let go, so first make every biased
     * hold a held mutex; the earliest record of hi then holds its mutex. */
    rcs_held_unbias();
    rcs_held_mutex_release(hi);
    take(lo, lo_mine, end_bias);
    /* hi's bias, if any, is ours or has ended (we held hi): its mutex is
     * the lock now, and its record says so. */
    rcs_mutex_lock_slow(hi);
}

void rcs_held_unbias(void) {
    for (int i = 0; i < rcs_held.n; i++) {
        if (rcs_held.held[i].kind != RCS_HELD_BIASED)
            continue;
        rcs_mutex *m = rcs_held.held[i].m;
        bool outer = false;
        for (int j = 0; j < i && !outer; j++)
            outer = rcs_held.held[j].m == m;
        if (outer) {
            /* A relock by the owner's fast path: the earlier record (already
             * a held mutex, by this loop's order) holds the byte. */
            rcs_held.held[i].kind = RCS_HELD_INNER;
            continue;
        }
        /* Nobody else has set LOCKED while the bias lasts; a thread ending
         * the bias may be setting its bits at this moment, hence an OR.
         * Relaxed: the strategy's point after this publishes it (a
         * release or seq_cst store a thread ending the bias reads before it
         * locks; point (1) of 'the owner's bias on object locks' in
         * locking/biased/biased.c, and bias_tid_clear there). */
        atomic_fetch_or_explicit(&m->bits, RCS_MUTEX_LOCKED, memory_order_relaxed);
        rcs_held.held[i].kind = RCS_HELD_MUTEX;
    }
}
