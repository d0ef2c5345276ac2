/*
 * runtime/borrow.c -- borrowed reads: container items handed out without a
 * count, valid until the reading thread's next quiescent point.
 *
 * rc_list_get_borrowed and rc_dict_get_borrowed return an item without
 * counting it, so a read of a shared container writes nothing shared and
 * readers scale (with counted reads every reader writes the item's count:
 * bench/workload_read_shared.c). The item stays alive because a writer that
 * removes an item from a container that was ever read this way (a *lent*
 * container) does not drop the container's reference at once: it defers the
 * drop until no thread that might have loaded the item still holds it.
 *
 * Quiescent points of borrowing: rc_checkpoint, the release region,
 * rc_release_borrows, detach. Fewer than the strategies' own (under
 * //:nogil a lock wait is quiescent for freeing memory) on purpose: a
 * borrowed item may be passed to any call, an append to another list that
 * waits for that list's lock included, under every strategy, as under
 * //:gil, where another thread runs only at a checkpoint or in the release
 * region. The code is the same for every strategy.
 *
 * The protocol. `lend_clock` starts at 1 and only grows.
 *   Reader: at its first borrowed read after a quiescent point the thread
 *     opens its *window*: it stores the clock's value in its
 *     rci_tstate.borrow_since, then a seq_cst fence, then reads the
 *     container. At its next quiescent point it closes the window: a
 *     release store of 0.
 *   Writer: it unlinks the item (under the container's lock), and appends it
 *     to its own deferred list. Later (a checkpoint, or when the list grows)
 *     the new entries are *sealed*: a seq_cst fence, then the clock advanced
 *     by one, the new value being their goal. An entry is *ripe*, its drop
 *     safe, when every thread's borrow_since is 0 or >= its goal:
 *       - 0, loaded with acquire: the thread holds no borrow now. A window
 *         in which it could have loaded the item ended with a release store
 *         of 0, so its uses of the item happen before our drop. A window it
 *         opens after our load cannot load the item: reader (store since;
 *         fence; load slot) against writer (unlink; fence; load since), the
 *         two fences make one of the two loads see the other's store, and
 *         ours did not.
 *       - >= goal: the window opened with a clock value our advance (or a
 *         later one) wrote; our fence before the advance is a release, the
 *         reader's load of the clock an acquire, so the unlink happened
 *         before its reads: it never loaded the item.
 *   The writer's own window counts too, so what a thread removes while it
 *   holds borrows waits for its own next quiescent point (which closes the
 *   window before it drops anything).
 *
 * Lent flag. A container's `lent` is set once, under its lock, by its first
 * borrowed read (where threads run in parallel; the debug checks set it
 * under //:gil too, plainly, and nothing is deferred there); a writer reads
 * it under the lock. A writer that saw it
 * clear finished its removal before the flag was set, and a reader loads
 * the flag with acquire (rci_lend), so it sees that removal done and never
 * loads the item. Containers that are never read this way pay nothing.
 *
 * Memory. A writer makes room for one deferred drop before it takes the
 * lock (rci_lock_for_removal), so a failed allocation fails the call, with
 * the container unchanged, instead of forcing an unsafe drop. Entries wait
 * as long as some other thread keeps a window open: a thread that borrows
 * and never reaches a quiescent point holds back the drops of every lent
 * container's removed items (as a reader with no checkpoint holds back the
 * frees of //:nogil's reclamation). At detach, entries that are not ripe go
 * to a list that any thread's quiescent point drains.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <pthread.h>

#include "objects/object_internal.h"
#include "runtime/runtime.h"

typedef struct rci_deferred {
    rc_object *object;
    uint64_t goal; /* 0 until sealed */
} rci_deferred;

/* Starts at 1, so that a window's borrow_since is never 0. */
static _Atomic uint64_t lend_clock = 1;

/* Entries that threads left behind as they detached, sealed, not yet ripe
 * then. Drained by rc_release_borrows, by detaching threads and at stop;
 * not by checkpoints, so that a checkpoint never takes a global lock. */
static pthread_mutex_t orphans_lock = PTHREAD_MUTEX_INITIALIZER;
static rci_deferred *orphans;
static size_t orphans_len, orphans_cap;
/* orphans_len, read without the lock to skip taking it when empty. */
static _Atomic size_t orphans_count;

/* The seq_cst fences of the protocol. ThreadSanitizer does not model
 * fences, and GCC refuses them under -fsanitize=thread (RC_TSAN builds):
 * there a seq_cst read-modify-write of a thread-local word stands in, the
 * same full barrier on x86, and one that creates no happens-before between
 * threads which could hide a race from TSan. */
static inline void full_fence(void) {
#if defined(RC_TSAN) && RC_TSAN
    static _Thread_local _Atomic int fence_word;
    atomic_fetch_add_explicit(&fence_word, 1, memory_order_seq_cst);
#else
    atomic_thread_fence(memory_order_seq_cst);
#endif
}

/* rc_checkpoint's test (runtime/runtime.h): the thread has a window open or
 * drops pending. Its own thread's only. */
_Thread_local bool rci_borrow_work;

/* With this many drops pending a writer tries to drop the ripe ones at
 * once, not only at its next quiescent point; if some window holds them,
 * it tries again only once the pending count has doubled, so that a window
 * held open costs a scan per doubling, not one per removal. */
#define DEFERRED_EAGER 256

static size_t deferred_pending(const rci_tstate *t) {
    return t->deferred_len - t->deferred_head;
}

static void work_update(rci_tstate *t) {
    rci_borrow_work = atomic_load_explicit(&t->borrow_since, memory_order_relaxed) != 0 ||
                      deferred_pending(t) != 0;
}

/* ---- readers ------------------------------------------------------------------ */

void rci_lend_slow(rc_object *c, bool *lent) {
    rcs_lock(&c->rc);
    /* Release, not only the unlock's: a reader that loads the flag set
     * (acquire, rci_lend) without taking the lock must see what this thread
     * saw when it locked, every removal done before the flag included. */
    rcs_shared_store(lent, true, memory_order_release);
    rcs_unlock(&c->rc);
}

void rci_borrow_open(rci_tstate *t) {
    /* Acquire: pairs with the release fence before a writer's advance (see
     * the top: a window that opens at or past a goal sees its unlinks). */
    uint64_t now = atomic_load_explicit(&lend_clock, memory_order_acquire);
    /* Release: a writer that loads this value also sees the end of this
     * thread's earlier windows (their uses of borrowed items). */
    atomic_store_explicit(&t->borrow_since, now, memory_order_release);
    /* The reader's half of the Dekker pair: our store before our loads of
     * the container, against the writer's unlink before its load of ours. */
    full_fence();
    rci_borrow_work = true;
}

static void window_close(rci_tstate *t) {
    if (t->borrow_pins)
        return; /* inside a borrowed read: see rci_borrow_pin */
    if (atomic_load_explicit(&t->borrow_since, memory_order_relaxed))
        /* Release: our uses of borrowed items are done before a writer that
         * loads the 0 drops them. */
        atomic_store_explicit(&t->borrow_since, 0, memory_order_release);
}

/* ---- the clock ------------------------------------------------------------------ */

/* Advances the clock for entries whose items are unlinked (every unlink
 * before this call); returns their goal. */
static uint64_t clock_advance(void) {
    /* The writer's half of the Dekker pair, and a release for the advance
     * (see the top of the file). */
    full_fence();
    return atomic_fetch_add_explicit(&lend_clock, 1, memory_order_relaxed) + 1;
}

/* ---- orphans ------------------------------------------------------------------- */

/* Appends n sealed entries; returns how many fit (the rest stay the
 * caller's). pre: orphans_lock held. */
static size_t orphans_add(const rci_deferred *e, size_t n) {
    if (orphans_cap - orphans_len < n) {
        size_t cap = orphans_cap ? orphans_cap : 64;
        while (cap - orphans_len < n)
            cap *= 2;
        rci_deferred *grown = rcs_mem_realloc(orphans, cap * sizeof *grown);
        if (grown) {
            orphans = grown;
            orphans_cap = cap;
        }
    }
    size_t fit = orphans_cap - orphans_len < n ? orphans_cap - orphans_len : n;
    for (size_t k = 0; k < fit; k++)
        orphans[orphans_len++] = e[k];
    atomic_store_explicit(&orphans_count, orphans_len, memory_order_relaxed);
    return fit;
}

/* Drops the orphans that are ripe now, if the lock is free (wait = false)
 * or always (wait = true). The windows are read under the lock: entries a
 * thread orphans later were sealed later, and are judged by a later read. */
static void orphans_drain(bool wait) {
    if (!atomic_load_explicit(&orphans_count, memory_order_relaxed))
        return;
    if (wait)
        pthread_mutex_lock(&orphans_lock);
    else if (pthread_mutex_trylock(&orphans_lock) != 0)
        return;
    uint64_t oldest = rci_oldest_borrow_window();
    /* The ripe ones move out before they are dropped: a drop may run code
     * that detaches a thread, which appends here. */
    rci_deferred *ripe = NULL;
    size_t n_ripe = 0, kept = 0;
    for (size_t k = 0; k < orphans_len; k++) {
        if (orphans[k].goal <= oldest) {
            if (!ripe)
                ripe = rcs_mem_alloc(orphans_len * sizeof *ripe);
            if (ripe) {
                ripe[n_ripe++] = orphans[k];
                continue;
            }
        }
        orphans[kept++] = orphans[k]; /* not ripe, or no memory to move it: later */
    }
    orphans_len = kept;
    atomic_store_explicit(&orphans_count, kept, memory_order_relaxed);
    pthread_mutex_unlock(&orphans_lock);
    for (size_t k = 0; k < n_ripe; k++)
        rci_drop_lent(ripe[k].object);
    rcs_mem_free(ripe);
}

/* ---- writers ------------------------------------------------------------------ */

static void deferred_drop_ripe(rci_tstate *t);

/* Room for one more entry: dropping the ripe ones first, growing the list
 * only if that is not enough. pre: t is the caller's, no lock held. */
static rc_status deferred_reserve(rci_tstate *t) {
    if (t->deferred_len < t->deferred_cap)
        return RC_OK;
    if (!t->deferred_busy)
        deferred_drop_ripe(t);
    if (t->deferred_len < t->deferred_cap)
        return RC_OK;
    if (t->deferred_head > 0 && !t->deferred_busy) {
        /* Slide the pending entries down over the dropped ones. */
        size_t n = deferred_pending(t);
        for (size_t k = 0; k < n; k++)
            t->deferred[k] = t->deferred[t->deferred_head + k];
        t->deferred_sealed -= t->deferred_head;
        t->deferred_len = n;
        t->deferred_head = 0;
        if (n < t->deferred_cap)
            return RC_OK;
    }
    size_t cap = t->deferred_cap ? 2 * t->deferred_cap : 64;
    rci_deferred *grown = rci_mem_realloc(t->deferred, cap * sizeof *grown);
    if (!grown)
        return RC_ENOMEM;
    t->deferred = grown;
    t->deferred_cap = cap;
    return RC_OK;
}

rc_status rci_lock_for_removal(rc_object *c, const bool *lent, bool *lent_out) {
    bool reserved = false;
    for (;;) {
        /* A first look without the lock, to make room before taking it.
         * The thread state is only touched for a lent container, so that an
         * unlent one pays one load. A thread past rci_borrow_thread_end
         * hands its drops over one by one (rci_drop_removed_deferred): it
         * needs no room of its own. Without parallel threads a lent
         * container (debug builds mark them) drops at once: no room. */
        if (RCS_PARALLEL && rcs_shared_load(lent, memory_order_relaxed) && !reserved) {
            rci_tstate *t = rci_current;
            if (!t->borrow_ended && deferred_reserve(t) != RC_OK)
                return RC_ENOMEM;
            reserved = true;
        }
        rcs_lock(&c->rc);
        *lent_out = rcs_shared_load(lent, memory_order_relaxed);
        if (!*lent_out || reserved || !RCS_PARALLEL)
            return RC_OK;
        /* Lent meanwhile: make room without the lock, then lock again. */
        rcs_unlock(&c->rc);
    }
}

/* Seals t's unsealed entries with one advance of the clock. */
static void deferred_seal(rci_tstate *t) {
    if (t->deferred_sealed == t->deferred_len)
        return;
    uint64_t goal = clock_advance();
    for (size_t k = t->deferred_sealed; k < t->deferred_len; k++)
        t->deferred[k].goal = goal;
    t->deferred_sealed = t->deferred_len;
}

/* Drops t's ripe entries: seals the new ones, then drops from the front
 * while the goal has been passed by every thread's window. */
static void deferred_drop_ripe(rci_tstate *t) {
    if (t->deferred_busy)
        return; /* a drop below ran code that deferred more: the loop sees it */
    t->deferred_busy = true;
    deferred_seal(t);
    uint64_t oldest = rci_oldest_borrow_window();
    /* Entries appended by the drops (code they run) are unsealed: the loop
     * stops at deferred_sealed, which only this function moves. */
    while (t->deferred_head < t->deferred_sealed &&
           t->deferred[t->deferred_head].goal <= oldest) {
        rc_object *o = t->deferred[t->deferred_head++].object;
        rci_drop_lent(o); /* may append to t->deferred, or grow it */
    }
    if (t->deferred_head == t->deferred_len) {
        t->deferred_head = t->deferred_sealed = t->deferred_len = 0;
        t->deferred_eager_at = 0;
    }
    t->deferred_busy = false;
}

/* One drop of a thread past rci_borrow_thread_end: ripe at once (nobody
 * holds a window), or handed to the orphans. */
static void drop_after_end(rc_object *o) {
    rci_deferred e = {o, clock_advance()};
    if (rci_oldest_borrow_window() >= e.goal) {
        rci_drop_lent(o);
        return;
    }
    pthread_mutex_lock(&orphans_lock);
    size_t fit = orphans_add(&e, 1);
    pthread_mutex_unlock(&orphans_lock);
    (void)fit; /* no memory: o stays alive (a leak the stop reports) rather
                * than dropped under a window */
}

void rci_drop_removed_deferred(rc_object *o) {
    rci_tstate *t = rci_current;
    if (RC_UNLIKELY(t->borrow_ended)) {
        drop_after_end(o);
        return;
    }
    /* Room was made by rci_lock_for_removal, and nothing runs between it
     * and here that could take it (no strategy deallocates inside a lock
     * wait). Should that change, one more try; failing that, keep o alive
     * (a leak the stop reports) rather than drop what a window may hold. */
    if (RC_UNLIKELY(t->deferred_len == t->deferred_cap) && deferred_reserve(t) != RC_OK)
        return;
    t->deferred[t->deferred_len++] = (rci_deferred){o, 0};
    rci_borrow_work = true;
    size_t eager_at = t->deferred_eager_at ? t->deferred_eager_at : DEFERRED_EAGER;
    if (deferred_pending(t) >= eager_at) {
        deferred_drop_ripe(t);
        t->deferred_eager_at = deferred_pending(t) ? 2 * deferred_pending(t) : 0;
    }
}

/* ---- quiescent points ------------------------------------------------------------ */

/* A checkpoint. The window is left open while the clock has not moved
 * since it opened: no drop has been sealed since, so none waits for it, and
 * the thread's next borrowed reads need not open it again (a store and a
 * fence per checkpoint, in a loop that borrows between checkpoints). Once
 * the clock moves, it closes, so a writer waits for at most one checkpoint
 * of each borrowing thread. Protection that lasts longer than promised is
 * still the promise kept. */
/* Every quiescent point: closes the window (at a checkpoint, keep_open
 * leaves it open while the clock is still), then drops what is ripe. */
static void quiescent(rci_tstate *t, bool keep_open) {
    deferred_seal(t); /* first: our own drops move the clock too */
    uint64_t since = atomic_load_explicit(&t->borrow_since, memory_order_relaxed);
    if (!keep_open || (since && atomic_load_explicit(&lend_clock, memory_order_relaxed) != since))
        window_close(t);
    if (deferred_pending(t))
        deferred_drop_ripe(t);
    work_update(t);
}

void rci_borrow_quiescent(rci_tstate *t) {
    quiescent(t, false);
}

void rc_release_borrows(void) {
    rci_tstate *t = rci_active;
    if (!t)
        return;
    quiescent(t, false);
    orphans_drain(true);
    work_update(t); /* the orphans' drops may have deferred more */
}

void rci_borrow_checkpoint(void) {
    rci_tstate *t = rci_active;
    if (t)
        quiescent(t, true);
    else
        rci_borrow_work = false; /* not attached: nothing of ours to do */
}

void rci_borrow_thread_end(rci_tstate *t) {
    window_close(t);
    if (!t->borrow_ended) {
        /* Drop what is ripe; again while no other window is open, since
         * the drops may defer more. */
        do
            deferred_drop_ripe(t);
        while (deferred_pending(t) && rci_oldest_borrow_window() == UINT64_MAX);
        if (deferred_pending(t)) {
            deferred_seal(t);
            pthread_mutex_lock(&orphans_lock);
            t->deferred_head += orphans_add(t->deferred + t->deferred_head, deferred_pending(t));
            pthread_mutex_unlock(&orphans_lock);
            /* What did not fit stays alive (a leak the stop reports) rather
             * than dropped under a window. */
        }
        rci_mem_free(t->deferred);
        t->deferred = NULL;
        t->deferred_head = t->deferred_sealed = t->deferred_len = t->deferred_cap = 0;
        /* From here on (the strategy's last merges may still free objects
         * that remove items from lent containers) drops go one by one. */
        t->borrow_ended = true;
    }
    orphans_drain(true);
    rci_borrow_work = false;
}

void rci_borrow_stop(void) {
    /* The last thread's rci_borrow_thread_end drained them all (no window
     * was open), and its later drops were ripe at once. */
    pthread_mutex_lock(&orphans_lock);
    rcs_mem_free(orphans); /* empty, unless memory ran out moving them */
    orphans = NULL;
    orphans_len = orphans_cap = 0;
    atomic_store_explicit(&orphans_count, 0, memory_order_relaxed);
    pthread_mutex_unlock(&orphans_lock);
}
