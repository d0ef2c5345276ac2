/*
 * locking/biased/biased.c -- biased counting's slow paths, the merge queues,
 * threads and stop-the-world.
 *
 * Counting (header fields: biased.h). The owner's paths are inline; here are
 * the others, after CPython's Objects/object.c and Python/brc.c:
 *   - a non-owner incref adds to `shared`; the first one also raises the
 *     state DEFAULT -> MAYBE_WEAKREF, so that lock-free readers' try-increfs
 *     (which refuse a whole word of 0, the owner's atomic-free free) succeed
 *     from then on;
 *   - a non-owner decref subtracts from `shared`, unless the count part is 0
 *     and the state DEFAULT or MAYBE_WEAKREF: then it sets QUEUED without
 *     subtracting (its reference now belongs to the queue) and pushes the
 *     object onto the owner's merge queue;
 *   - the owner whose local count reaches 0 frees at once if `shared` is 0;
 *     otherwise it gives up ownership (tid 0, then MERGED by CAS) and frees
 *     only if the merged count is 0.
 *
 * Merge queues. One per thread: a lock-free stack of malloc'd nodes (the
 * rare path). Producers push with a CAS; the owner takes the whole stack
 * with one exchange, so there is no ABA (nodes are never popped one by one
 * from a shared head). It then merges each object -- local + shared - 1 (the
 * queue's reference) into `shared`, state MERGED, tid 0 -- and frees those
 * that reach 0 through rcs_hooks.dealloc. The owner merges at its
 * checkpoint (a MERGE bit in its breaker word, which the checkpoint's fast
 * path reads), at the end of a release region, and when it exits.
 *
 * Exit. rcs_thread_flush (called by the object layer while the thread can
 * still deallocate) exchanges the queue head for QUEUE_DEAD and merges what
 * it took. After that no push succeeds: a thread that would queue an object
 * of a dead owner merges it itself, reading the dead owner's frozen local
 * count, with the same CAS to MERGED (only one merger can win that CAS; a
 * loser sees MERGED and just decrements).
 *
 * Records. A detached thread's record goes on a free list, and the next
 * thread to attach takes it with a new id (the generation part goes up),
 * so memory and the reports' work follow the most threads attached at
 * once, not the attachments ever made (issue 11, item 4). An object's tid
 * names the attachment, not the record: a non-owner finds the record
 * through the index table (records are never freed, so a stale pointer
 * stays readable) and treats the owner as gone unless the record's id is
 * still the tid. The counters stay in the record for the next thread (the
 * reports sum every record); the hot-object table is folded into a
 * per-run summary at detach.
 *
 * Contention report: every non-owner count operation is counted
 * (shared_ops), and about one in 256 is sampled into a small table of the
 * thread's own, which rcs_hot_objects merges (see "hot objects" below).
 *
 * Stop the world: the protocol of locking/threads (threads.h: registry
 * mutex, states RUNNING / BLOCKED / PAUSED, one stop at a time, waiting on
 * a mutex is a blocking point), with the request delivered through each
 * thread's breaker word.
 * Once everyone is paused, the stopper merges every thread's queue so the
 * collector reads true counts (local + shared). An object that reaches 0
 * there is not freed with the world stopped: it keeps one reference, which
 * the stopper drops after the world restarts (CPython does the same).
 *
 * Memory orders. Each atomic operation says why its order is enough; most
 * rest on one of these paragraphs:
 *   (O1) A field only its own thread writes (the counters, the hot table,
 *        the slot arrays, a record's id outside the registry mutex):
 *        relaxed load and store, no RMW; a reader on another thread wants
 *        a snapshot, or holds the registry mutex, or has stopped the
 *        world, which orders it after the writer (O2).
 *   (O2) With the world stopped, or under the registry mutex: the stop's
 *        handshake (locking/threads/threads.h, paragraph (3)) or the mutex
 *        orders every paused thread's writes before the stopper's reads,
 *        and the stopper's writes before their next steps: relaxed.
 *   (O3) A breaker bit only sends a thread to its checkpoint's slow path;
 *        what that path then reads is ordered by the queue's exchange, the
 *        registry mutex or the QSBR sequence, so setting and clearing the
 *        bits is relaxed.
 *   (O4) A CAS loop's first load is only a guess at the value, and its
 *        failure order only a new guess: relaxed; the successful CAS
 *        carries the ordering.
 */
#include "locking/biased/biased_internal.h"

#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "locking/alloc/alloc.h"

/* The entry of threads that are not attached: owns nothing, never written
 * (no attached flag, so no counter is bumped in it). */
static rcs_bi_thread detached_entry;
_Thread_local rcs_bi_thread *rcs_bi_self = &detached_entry;
_Thread_local uintptr_t rcs_bi_self_tid = RCS_BI_TID_NONE;
_Thread_local uintptr_t rcs_bi_bias_tid = RCS_BI_TID_NO_BIAS;
_Thread_local _Atomic int64_t *rcs_bi_self_slots;

/* Index -> record (index 0: none). Each entry is written once, with
 * release, when its record is made, and records are never freed, so a
 * lookup needs no lock (acquire: the record's initial contents). */
static _Atomic(rcs_bi_thread *) records[(size_t)1 << RCS_BI_INDEX_BITS];

/* The record a tid names, whoever holds it now; NULL for none. */
static rcs_bi_thread *record_of(uintptr_t tid) {
    return atomic_load_explicit(&records[tid & RCS_BI_INDEX_MASK], memory_order_acquire);
}

/* The records (all, free, how many), under the registry mutex. */
static struct {
    rcs_bi_thread *all;  /* every record ever made (never freed), newest first */
    rcs_bi_thread *free; /* records whose thread detached, to be taken again */
    uint64_t records;    /* how many records `all` holds (also the last index) */
} rcs_bi_reg;

/* The record that holds a thread state of the registry's list. */
static rcs_bi_thread *record_holding(rcs_thread_state *ts) {
    return ts ? (rcs_bi_thread *)((char *)ts - offsetof(rcs_bi_thread, ts)) : NULL;
}

/* The attached threads' records, newest first. pre: registry mutex held. */
static rcs_bi_thread *attached_first_locked(void) {
    return record_holding(rcs_threads_first_locked());
}

static rcs_bi_thread *attached_next_locked(rcs_bi_thread *t) {
    return record_holding(t->ts.next);
}

static const rcs_hooks *hooks;

/* A merge queue's node. The queue is written out rather than taken from
 * ConcurrencyKit's ck_stack (push_upmc, batch_pop_upmc), which costs the
 * same (a push and its share of a drain: 199 against 200 instructions,
 * 30 ns both, issue 13) but cannot be sealed: the owner's exit needs
 * the QUEUE_DEAD head and the id check inside the push's CAS loop. */
typedef struct rcs_bi_node {
    struct rcs_bi_node *next;
    rcs_header *h;
} rcs_bi_node;

#define QUEUE_DEAD ((rcs_bi_node *)1)

/* Objects the stopper merged to 0: released after the world restarts. Only
 * the stopper touches it (one stop at a time). */
static rcs_bi_node *after_stop;

/* Counter baseline at rcs_runtime_start (records and their counters outlive
 * runs and the threads that held them). */
static rcs_stats stats_base;

static inline uint64_t bump(_Atomic uint64_t *c) {
    /* Owner-only counter: relaxed load + store, no RMW. */
    uint64_t n = atomic_load_explicit(c, memory_order_relaxed) + 1;
    atomic_store_explicit(c, n, memory_order_relaxed);
    return n;
}

static inline void count(_Atomic uint64_t *c) {
    if (rcs_bi_self->ts.attached)
        bump(c);
}

/* ---- hot objects -------------------------------------------------------------- */

/* Each attached thread samples its non-owner count operations into a small
 * table of its own, so that rcs_hot_objects can name the shared objects
 * that cost the most atomic operations. The fast path pays a decrement and
 * a branch on a field only its thread touches; the gap between two samples
 * is drawn at random (uniform in 1 .. 2 * HOT_PERIOD - 1, so HOT_PERIOD on
 * average), so that a loop whose pattern of objects repeats with a fixed
 * period cannot hide one of them. The table keeps the heavy hitters by
 * space-saving (Metwally, Agrawal, El Abbadi 2005): a sample of an object
 * already there adds one; any other takes the entry with the fewest samples
 * and counts one more than it had, so an object that gets more than 1/16
 * of a thread's samples is never evicted, and no count is ever low. */
#define HOT_PERIOD 256

static uint32_t hot_random(rcs_bi_thread *t) {
    uint32_t x = t->hot_rng; /* xorshift32: stays nonzero once seeded so */
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    t->hot_rng = x;
    return x;
}

static void hot_seed(rcs_bi_thread *t) {
    /* The id too: each thread that takes the record samples differently. */
    /* Relaxed: the caller's own record, claimed under the mutex (O1). */
    uintptr_t id = atomic_load_explicit(&t->id, memory_order_relaxed);
    t->hot_rng = (uint32_t)(((uintptr_t)t >> 4) ^ id ^ (id >> 32)) * 2654435761u | 1u;
    t->hot_countdown = hot_random(t) % (2 * HOT_PERIOD - 1);
}

static bool per_thread_nominate(rcs_bi_thread *t, rcs_header *h, bool pin);

/* Samples to an object, in one thread's table, between two nominations of
 * it for per-thread counts: about 2,048 count operations by that thread
 * (HOT_PERIOD 256). Fewer would switch objects that are only warm, for a
 * stop of the world each; the cost of waiting is what these operations
 * cost before the switch (2,048 atomic operations: microseconds). */
#define NOMINATE_EVERY 8

/* pre: t is the caller's entry, and the caller holds a reference to h, so
 * its type (and the type's name) can be read. */
static void hot_sample(rcs_bi_thread *t, rcs_header *h) {
    t->hot_countdown = hot_random(t) % (2 * HOT_PERIOD - 1);
    const char *name = hooks && hooks->type_name ? hooks->type_name(h) : NULL;
    rcs_bi_hot_entry *victim = &t->hot[0];
    uint64_t fewest = UINT64_MAX;
    for (int i = 0; i < RCS_BI_HOT_ENTRIES; i++) {
        rcs_bi_hot_entry *e = &t->hot[i];
        /* Relaxed: this thread is the table's only writer (O1); the order a
         * reader needs is the publication below. */
        uint64_t n = atomic_load_explicit(&e->samples, memory_order_relaxed);
        /* The name is part of the key: a freed object's address reused by
         * another type is another object. */
        if (atomic_load_explicit(&e->object, memory_order_relaxed) == h &&
            atomic_load_explicit(&e->type_name, memory_order_relaxed) == name) {
            atomic_store_explicit(&e->samples, n + 1, memory_order_relaxed);
            if ((n + 1) % NOMINATE_EVERY == 0)
                per_thread_nominate(t, h, false);
            return;
        }
        if (n < fewest) {
            fewest = n;
            victim = e;
        }
    }
    /* The object goes to NULL before the name changes (release), and gets
     * the new value last (release): a reader that reads the object, then
     * the name (acquire), then the object again, and finds the object
     * unchanged, has a name that belongs with it (see hot_read). */
    atomic_store_explicit(&victim->object, NULL, memory_order_relaxed);
    atomic_store_explicit(&victim->type_name, name, memory_order_release);
    atomic_store_explicit(&victim->samples, fewest + 1, memory_order_relaxed);
    atomic_store_explicit(&victim->object, (const void *)h, memory_order_release);
}

/* A count change by a thread other than h's owner: counted, and sampled now
 * and then. pre: the caller holds a reference to h. */
static inline void count_shared(rcs_header *h) {
    rcs_bi_thread *t = rcs_bi_self;
    if (!t->ts.attached)
        return;
    bump(&t->shared_ops);
    if (__builtin_expect(t->hot_countdown == 0, 0))
        hot_sample(t, h);
    else
        t->hot_countdown--;
}

/* Reads one entry of another thread's table; false if it is empty or was
 * being replaced (the sample is then simply not reported this time). */
static bool hot_read(rcs_bi_hot_entry *e, rcs_hot_object *out) {
    const void *o = atomic_load_explicit(&e->object, memory_order_acquire);
    if (!o)
        return false;
    out->type_name = atomic_load_explicit(&e->type_name, memory_order_acquire);
    /* Relaxed: a count may be a sample stale; the re-check of the object
     * (after the acquire above) is what ties the name to it. */
    out->samples = atomic_load_explicit(&e->samples, memory_order_relaxed);
    out->object = o;
    return atomic_load_explicit(&e->object, memory_order_relaxed) == o;
}

/* The most distinct objects one report merges (16 per thread of the run).
 * Past it, an entry with fewer samples than every kept one is dropped. */
#define HOT_MERGE_MAX 256

/* Adds e to the n entries of acc; returns the new n. */
static int hot_merge(rcs_hot_object *acc, int n, const rcs_hot_object *e) {
    int fewest = 0;
    for (int i = 0; i < n; i++) {
        if (acc[i].object == e->object && acc[i].type_name == e->type_name) {
            acc[i].samples += e->samples;
            return n;
        }
        if (acc[i].samples < acc[fewest].samples)
            fewest = i;
    }
    if (n < HOT_MERGE_MAX)
        acc[n++] = *e;
    else if (e->samples > acc[fewest].samples)
        acc[fewest] = *e;
    return n;
}

/* The samples of the threads that detached since rcs_runtime_start, merged
 * as a report would merge them; under the registry mutex. */
static rcs_hot_object hot_exited[HOT_MERGE_MAX];
static int hot_exited_n;

/* The calling thread detaches: its samples join hot_exited, and its table
 * is emptied for the record's next thread. pre: registry mutex held, t is
 * the caller's record (the only writer of its table). */
static void hot_fold_locked(rcs_bi_thread *t) {
    for (int i = 0; i < RCS_BI_HOT_ENTRIES; i++) {
        rcs_hot_object e;
        if (hot_read(&t->hot[i], &e))
            hot_exited_n = hot_merge(hot_exited, hot_exited_n, &e);
        /* Relaxed: every reader of the table holds the registry mutex now (O2). */
        atomic_store_explicit(&t->hot[i].object, NULL, memory_order_relaxed);
        atomic_store_explicit(&t->hot[i].type_name, NULL, memory_order_relaxed);
        atomic_store_explicit(&t->hot[i].samples, 0, memory_order_relaxed);
    }
}

/* Operations on an object that counts per thread are not sampled (its
 * path stays as short as the counting); the review and the detach fold
 * count them exactly instead, and add them here with the samples' weight,
 * one per HOT_PERIOD. pre: registry mutex held, h alive. */
static void hot_note_locked(rcs_header *h, int64_t ops) {
    if (ops < HOT_PERIOD)
        return;
    rcs_hot_object e = {.object = h,
                        .type_name = hooks && hooks->type_name ? hooks->type_name(h) : NULL,
                        .samples = (uint64_t)ops / HOT_PERIOD};
    hot_exited_n = hot_merge(hot_exited, hot_exited_n, &e);
}

static int hot_cmp(const void *a, const void *b) {
    const rcs_hot_object *x = a, *y = b;
    if (x->samples != y->samples)
        return x->samples < y->samples ? 1 : -1; /* most samples first */
    return (uintptr_t)x->object < (uintptr_t)y->object ? -1 :
           (uintptr_t)x->object > (uintptr_t)y->object;
}

int rcs_hot_objects(rcs_hot_object *out, int max) {
    if (max <= 0)
        return 0;
    rcs_hot_object acc[HOT_MERGE_MAX];
    /* The registry mutex keeps the lists and the summary of exited threads
     * still; the tables of attached threads are read with atomics while
     * their owners write. Work: the attached threads, not every thread
     * since the start (exited ones were folded into hot_exited). */
    rcs_threads_lock();
    int n = hot_exited_n;
    memcpy(acc, hot_exited, (size_t)n * sizeof *acc);
    for (rcs_bi_thread *t = attached_first_locked(); t; t = attached_next_locked(t)) {
        for (int i = 0; i < RCS_BI_HOT_ENTRIES; i++) {
            rcs_hot_object e;
            if (hot_read(&t->hot[i], &e))
                n = hot_merge(acc, n, &e);
        }
    }
    rcs_threads_unlock();
    qsort(acc, (size_t)n, sizeof *acc, hot_cmp);
    if (n > max)
        n = max;
    if (n > 0)
        memcpy(out, acc, (size_t)n * sizeof *out);
    return n;
}

/* ---- merging ------------------------------------------------------------------- */

/* Sets h's owner to none (tid 0). A thread that then locks h finds no owner
 * to wait for and ends the bias at once (rcs_lock_end_bias), so if the
 * caller, being the owner, holds h's lock by the bias, that hold must
 * become a held mutex first: rcs_held_unbias, ordered before the tid store
 * by its release, which pairs with the acquire load of tid there. (Merges
 * done for a paused owner find it with no biased hold: bias points.) */
static void bias_tid_clear(rcs_header *h) {
    rcs_held_unbias();
    atomic_store_explicit(&h->tid, 0, memory_order_release);
}

/* Moves local into shared (+ extra), state MERGED, tid 0. pre: the caller is
 * the owner, or the world is stopped and the owner is paused, or the owner
 * has detached (its local count is frozen, and only the holder of the
 * queue's reference merges: see queue_object). Returns the merged count. A
 * state already MERGED means local no longer counts. */
static int64_t explicit_merge(rcs_header *h, int64_t extra) {
    /* Relaxed: the owner's own field (O1), a paused owner's (O2), or a
     * dead owner's frozen one, ordered by queue_object's acquire loads. */
    int64_t l = atomic_load_explicit(&h->local, memory_order_relaxed);
    /* tid first (CPython gh-121794): whoever sees tid 0 may assume a merge.
     * Release: the owner's biased holds end first (bias_tid_clear). */
    bias_tid_clear(h);
    /* Relaxed: local stops counting once MERGED is set below, whose CAS
     * is what others read; the shared load is the CAS's guess (O4). */
    atomic_store_explicit(&h->local, 0, memory_order_relaxed);
    int64_t s = atomic_load_explicit(&h->shared, memory_order_relaxed), ns;
    do {
        int64_t add = (s & RCS_BI_STATE_MASK) == RCS_BI_MERGED ? 0 : l;
        ns = ((s >> RCS_BI_SHIFT) + add + extra) * RCS_BI_ONE + RCS_BI_MERGED;
        /* acq_rel: release our writes before a free elsewhere; acquire
         * everybody's before a free here. */
    } while (!atomic_compare_exchange_weak_explicit(&h->shared, &s, ns, memory_order_acq_rel,
                                                    memory_order_relaxed));
    count(&rcs_bi_self->merges);
    return ns >> RCS_BI_SHIFT;
}

/* The queue's reference of an object whose owner has exited: merge here.
 * The dead owner's local count is frozen; we do not write it (another
 * merger may be reading it), and MERGED tells everyone it no longer counts.
 * Returns true if the object is now dead (the caller frees it). */
static bool merge_dead_owner(rcs_header *h) {
    /* Relaxed: local is frozen, and queue_object's acquire loads (of the
     * sealed queue or the new id) ordered its last write before us; the
     * shared load is the CAS's guess (O4). */
    int64_t l = atomic_load_explicit(&h->local, memory_order_relaxed);
    int64_t s = atomic_load_explicit(&h->shared, memory_order_relaxed), ns;
    do {
        if ((s & RCS_BI_STATE_MASK) == RCS_BI_MERGED)
            ns = s - RCS_BI_ONE;
        else
            ns = ((s >> RCS_BI_SHIFT) + l - 1) * RCS_BI_ONE + RCS_BI_MERGED;
    /* acq_rel, as in explicit_merge: release our writes before a free
     * elsewhere, acquire everybody's before a free here. */
    } while (!atomic_compare_exchange_weak_explicit(&h->shared, &s, ns, memory_order_acq_rel,
                                                    memory_order_relaxed));
    count(&rcs_bi_self->merges);
    return ns == RCS_BI_MERGED;
}

bool rcs_bi_merge_zero_local(rcs_header *h) {
    /* The owner's local count just reached 0 and others have counted (or
     * queued) it: give up ownership and merge. tid 0 first. */
    bias_tid_clear(h);
    /* The guess (O4); the CAS is acq_rel as in explicit_merge: release our
     * writes before a free elsewhere, acquire everybody's before one here. */
    int64_t s = atomic_load_explicit(&h->shared, memory_order_relaxed), ns;
    do {
        ns = (s & ~(int64_t)RCS_BI_STATE_MASK) | RCS_BI_MERGED;
    } while (!atomic_compare_exchange_weak_explicit(&h->shared, &s, ns, memory_order_acq_rel,
                                                    memory_order_relaxed));
    count(&rcs_bi_self->merges);
    return ns == RCS_BI_MERGED;
}

/* Out of memory for a queue node: stop the world and merge the object here
 * (its owner is paused), keeping the queue's reference, then drop it. */
static bool merge_stopped(rcs_header *h) {
    bool stopper = rcs_bi_self->ts.stopped_world;
    if (!stopper)
        rcs_stop_world();
    /* The queue's reference (ours) dropped in the merge: with the world
     * stopped nobody else changes the count, so 0 means we free it. */
    bool dead = explicit_merge(h, -1) == 0;
    if (!stopper)
        rcs_start_world();
    return dead;
}

/* The queue now holds the caller's reference to h. Returns true if the
 * caller must free h (its owner was gone and the merge reached 0). */
static bool queue_object(rcs_header *h) {
    /* Relaxed: only a merge changes a live object's tid, and one racing us
     * is settled by the CAS on shared (acq_rel); a stale owner is caught
     * below by the acquire loads of its queue and id. */
    uintptr_t tid = atomic_load_explicit(&h->tid, memory_order_relaxed);
    if (!tid) /* already merged: an ordinary shared decref */
        return rcs_decref_slow(h);
    rcs_bi_thread *owner = record_of(tid);
    if (!owner) /* made by a thread that was not attached: nobody to merge it */
        return merge_dead_owner(h);
    rcs_bi_node *n = rcs_mem_alloc(sizeof *n);
    if (!n)
        return merge_stopped(h);
    n->h = h;
    /* Acquire on the loads: a sealed queue, or an id that moved on, comes
     * after the owner's last write of h's local count (its flush's exchange
     * is acq_rel, and the record changes hands under the registry mutex,
     * after that flush), which merge_dead_owner then reads. */
    rcs_bi_node *head = atomic_load_explicit(&owner->queue, memory_order_acquire);
    do {
        /* The owner is gone once its queue is sealed, or once its record
         * has changed hands (checked after the queue: a record is reset
         * only after its id changed). If it goes between this check and the
         * CAS, and the record's next thread has a queue again, the push
         * lands there: that thread merges h as a dead owner's (see
         * explicit_merge), which is just as correct. */
        if (head == QUEUE_DEAD ||
            atomic_load_explicit(&owner->id, memory_order_acquire) != tid) {
            rcs_mem_free(n);
            return merge_dead_owner(h);
        }
        n->next = head;
        /* Release: the owner's exchange (acquire) sees the node filled. */
    } while (!atomic_compare_exchange_weak_explicit(&owner->queue, &head, n,
                                                    memory_order_release,
                                                    memory_order_acquire));
    /* Relaxed (O3): the owner's exchange of the queue (acquire) orders the node. */
    atomic_fetch_or_explicit(&owner->breaker, RCS_BI_BREAK_MERGE, memory_order_relaxed);
    count(&rcs_bi_self->queued);
    return false;
}

/* Merges a list taken from a queue, dropping the queue's reference of
 * each; frees those that reach 0 (pre: the caller may deallocate). */
static void merge_list(rcs_bi_node *n) {
    while (n) {
        rcs_bi_node *next = n->next;
        rcs_header *h = n->h;
        rcs_mem_free(n);
        if (explicit_merge(h, -1) == 0)
            hooks->dealloc(h);
        n = next;
    }
}

static void merge_own_queue(void) {
    rcs_bi_thread *t = rcs_bi_self;
    /* Clear the bit before taking the stack: a push after the exchange sets
     * it again, so nothing is left behind unnoticed. */
    /* Relaxed (O3). */
    atomic_fetch_and_explicit(&t->breaker, ~RCS_BI_BREAK_MERGE, memory_order_relaxed);
    /* Acquire: pairs with the pushes' release (queue_object): the nodes are filled. */
    rcs_bi_node *n = atomic_exchange_explicit(&t->queue, NULL, memory_order_acquire);
    merge_list(n);
}

/* ---- non-owner counting ----------------------------------------------------------- */

/* DEFAULT -> MAYBE_WEAKREF by CAS, given a recent value s of `shared`: a
 * fetch_or could turn a concurrent QUEUED into MERGED. */
static void raise_to_maybe_weakref(rcs_header *h, int64_t s) {
    /* Relaxed: the bit publishes no other memory, and whoever acts on the
     * state (the owner's free test, a try-incref) reads this same word,
     * whose modification order is all it needs. */
    while ((s & RCS_BI_STATE_MASK) == RCS_BI_DEFAULT &&
           !atomic_compare_exchange_weak_explicit(&h->shared, &s, s | RCS_BI_MAYBE_WEAKREF,
                                                  memory_order_relaxed, memory_order_relaxed))
        ;
}

void rcs_bi_set_maybe_weakref(rcs_header *h) {
    /* The guess (O4). */
    raise_to_maybe_weakref(h, atomic_load_explicit(&h->shared, memory_order_relaxed));
}

/* The rest of a non-owner incref (the add itself is inline in biased.h,
 * which returned `old`): the first one raises the state, and the counter
 * and the sampling. */
void rcs_bi_incref_shared_slow(rcs_header *h, int64_t old) {
    if ((old & RCS_BI_STATE_MASK) == RCS_BI_DEFAULT) /* once per object */
        raise_to_maybe_weakref(h, old + RCS_BI_ONE);
    count_shared(h);
}

bool rcs_decref_slow(rcs_header *h) {
    count_shared(h); /* before the decrement, while our reference holds it */
    int64_t s = atomic_load_explicit(&h->shared, memory_order_relaxed), ns;
    bool queue;
    do {
        /* Count part 0 and not queued or merged: going below zero would need
         * the owner's local count; hand the reference to the owner instead. */
        queue = s == RCS_BI_DEFAULT || s == RCS_BI_MAYBE_WEAKREF;
        ns = queue ? RCS_BI_QUEUED : s - RCS_BI_ONE;
        /* Release: our writes happen before the free; acquire: the freeing
         * thread sees everybody's. */
    } while (!atomic_compare_exchange_weak_explicit(&h->shared, &s, ns, memory_order_acq_rel,
                                                    memory_order_relaxed));
    if (queue)
        return queue_object(h);
    return ns == RCS_BI_MERGED;
}

bool rcs_bi_try_incref_shared(rcs_header *h) {
    int64_t s = atomic_load_explicit(&h->shared, memory_order_relaxed); /* the guess (O4) */
    for (;;) {
        /* 0: the owner may be freeing it with no atomic operation;
         * MERGED with count 0: dead. Refuse both (CPython's _Py_TryIncRefShared). */
        if (s == 0 || s == RCS_BI_MERGED)
            return false;
        /* Acquire on success: a lock-free reader's re-check of the slot
         * (objects/list.c, dict.c) must not be done before the increment,
         * or it could confirm an address whose object changed under it
         * (CPython's _Py_TryIncrefCompare uses sequential consistency). */
        if (atomic_compare_exchange_weak_explicit(&h->shared, &s, s + RCS_BI_ONE,
                                                  memory_order_acquire, memory_order_relaxed))
            break;
    }
    count_shared(h);
    return true;
}

/* ---- per-thread counts ----------------------------------------------------------------
 * Under biased counting every count change by a thread other than the
 * owner is an atomic add on the object's `shared` word, and when many
 * threads count one object (a shared dict, a module's function) they
 * serialise on its cache line. Such an object switches to per-thread
 * counts: each thread adds to a slot of its own (rcs_bi_thread.slot_counts,
 * slot counts_slot), with plain stores, and the count's zero is found only
 * lazily, when the world stops (Refcache, and CPython 3.14's per-thread
 * counts of types, find it the same way: shared-read-scaling.md).
 *
 * Life of an object h in this mode:
 *   1. Nomination: a thread whose samples of h (hot_sample) reach another
 *      NOMINATE_EVERY takes a reference for the runtime (a shared add) and
 *      puts h on `candidates`, then asks for a stop at its next checkpoint
 *      (RCS_BI_BREAK_SWITCH). Nobody nominates while fewer than two
 *      threads stay attached. A host that knows h is shared nominates it
 *      itself (rcs_count_per_thread, for rc_mark_shared), and stops the
 *      world at once.
 *   2. Switch, at the end of a stop of the world (rcs_start_world, the
 *      world still stopped): h is merged (tid 0, local moved into shared,
 *      MERGED) and takes a free slot; the candidate's reference becomes
 *      the *mode reference*. If it was the only reference, or no slot is
 *      free, or fewer than two threads stay, the reference is dropped.
 *   3. Counting: every thread, the former owner included (h has none now),
 *      counts h in its own slot: increments and decrements apart, with
 *      plain stores and no sampling.
 *   4. Review, at the start of every stop (rcs_stop_world, once the queues
 *      are merged): each slot's counts, every thread's and the orphans'
 *      (of threads that detached), are added into shared. If only the mode
 *      reference is left, h is freed after the restart; if no attached
 *      thread counted h since the last review (it cooled; unless the host
 *      nominated it, slot_pinned), or fewer than two threads stay, it
 *      returns to shared counting (the mode reference is dropped, the slot
 *      freed); else it stays, with its slot. A
 *      collection (rcs_settle_counts) returns every object to shared
 *      counting and drops the candidates' references, so the collector
 *      sees true counts, frees nothing that a slot names, and no reference
 *      of the runtime's own keeps garbage alive.
 *
 * Why nothing frees h while it counts per thread (invariants, slot s):
 *   (a) h is MERGED with tid 0, so no owner path runs on it, and no merge
 *       queue holds it (the stop that switched it merged them all, and a
 *       thread that counts in a slot never queues).
 *   (b) shared's count part is 1 (the mode reference) plus the references
 *       counted in shared that are still held (or dropped in a slot, which
 *       the next review folds in), so it never reaches the MERGED-and-0
 *       that frees: only a review frees h. What decrements shared in the
 *       mode drops a reference it holds (merge_stopped's queue reference).
 *   (c) counts_slot is set and cleared only with the world stopped, when
 *       no attached thread is part way through a count operation; the
 *       stop's handshake (the registry mutex, the thread states' release
 *       and acquire) orders each thread's slot stores before the review's
 *       loads, and the new counts_slot before its count operations after
 *       the restart. A thread that is not attached is not stopped: it
 *       counts into the orphans under the registry mutex, which the review
 *       holds (rcs_bi_per_thread_slow). (The object layer gives no object
 *       to a thread that is not attached; this only keeps such a count out
 *       of a slot that went to another object.)
 *   (d) try-increfs succeed (biased.h): h cannot have been freed.
 * So the true count is shared - runtime_refs + orphans + every thread's
 * slot, exact with the world stopped; rcs_refcount reads a snapshot. The
 * price: an object that counts per thread and is dropped for good lives on
 * until the next stop (a collection, a switch, or the exit of a thread that
 * leaves at most one behind), at most RCS_BI_SLOTS - 1 of them, and a weak
 * reference still returns it until then.
 *
 * The tables below change with the world stopped, or under the registry
 * mutex (candidates, orphans of unattached threads). */
static rcs_header *slot_object[RCS_BI_SLOTS]; /* NULL: free, or never used */
static uint16_t slot_free[RCS_BI_SLOTS];      /* freed slots, to take again */
static int slot_free_n;
static int slot_high = 1;                     /* slots 1 .. slot_high - 1 were used */
static int slots_in_use;
/* Counts of threads that detached while objects counted per thread, of a
 * thread that has no memory for its array, and of one not attached. */
static _Atomic int64_t slot_orphans[RCS_BI_SLOTS];
static rcs_header *candidates[RCS_BI_SLOTS]; /* each holds a reference */
static bool candidate_pinned[RCS_BI_SLOTS];   /* nominated by the host */
static int candidates_n;
/* Objects the host switched (rcs_count_per_thread): kept by reviews while
 * cold, since the host said they are shared and its threads may not have
 * counted them yet; marking a second object must not return the first. */
static bool slot_pinned[RCS_BI_SLOTS];
/* Objects a stop found held only by the runtime's reference: the stopper
 * drops it after the restart (stop_leftovers). */
static rcs_header *released[2 * RCS_BI_SLOTS];
static int released_n;

/* Whether at least two attached threads are staying (not flushing): with
 * fewer, nothing counts per thread. pre: registry mutex held. */
static bool threads_share_locked(void) {
    int staying = 0;
    for (rcs_bi_thread *t = attached_first_locked(); t && staying < 2;
         t = attached_next_locked(t))
        staying += !t->leaving;
    return staying >= 2;
}

static void runtime_refs_add(rcs_header *h, int d) {
    /* Relaxed: written under the registry mutex (O2), read by snapshots. */
    atomic_store_explicit(&h->runtime_refs,
                          (uint8_t)(atomic_load_explicit(&h->runtime_refs, memory_order_relaxed) + d),
                          memory_order_relaxed);
}

/* Step 1. Returns whether h is a candidate now (taken here, or by another
 * thread before); pin (the host's nomination) keeps it in the mode while
 * cold, and pins it if it is in the mode already. pre: attached, the
 * caller holds a reference to h. */
static bool per_thread_nominate(rcs_bi_thread *t, rcs_header *h, bool pin) {
    /* Relaxed: a hint; the answer that counts is re-read under the mutex. */
    if (!pin && atomic_load_explicit(&h->counts_slot, memory_order_relaxed))
        return false; /* in the mode already (a count by a thread with no array) */
    /* Made by a thread that was not attached: such threads all count it as
     * its owner, unstopped, so a merge could lose their counts. */
    /* Relaxed: the caller holds a reference; only the index part matters,
     * and a merge (tid 0) racing us is decided again at the switch (O2). */
    uintptr_t tid = atomic_load_explicit(&h->tid, memory_order_relaxed);
    if (tid != 0 && !(tid & RCS_BI_INDEX_MASK))
        return false;
    rcs_threads_lock();
    /* counts_slot changes only under this mutex (with the world stopped). */
    uint16_t slot = atomic_load_explicit(&h->counts_slot, memory_order_relaxed);
    if (slot) {
        slot_pinned[slot] = slot_pinned[slot] || pin;
        rcs_threads_unlock();
        return false;
    }
    bool take = !rcs_threads_stopped_locked() && !t->leaving && candidates_n < RCS_BI_SLOTS &&
                threads_share_locked();
    bool listed = false;
    for (int i = 0; !listed && i < candidates_n; i++)
        if ((listed = candidates[i] == h))
            candidate_pinned[i] = candidate_pinned[i] || pin;
    take = take && !listed;
    if (take) {
        /* The runtime's reference, counted as a non-owner's incref (which
         * raises the state DEFAULT -> MAYBE_WEAKREF the first time), then
         * marked as the runtime's, so that a snapshot in between reads one
         * too many rather than one too few. Relaxed: as any incref by a
         * holder of a reference. */
        int64_t old = atomic_fetch_add_explicit(&h->shared, RCS_BI_ONE, memory_order_relaxed);
        if ((old & RCS_BI_STATE_MASK) == RCS_BI_DEFAULT)
            raise_to_maybe_weakref(h, old + RCS_BI_ONE);
        runtime_refs_add(h, 1);
        candidate_pinned[candidates_n] = pin;
        candidates[candidates_n++] = h;
        /* Relaxed (O3): the checkpoint re-reads the candidates under the mutex. */
        atomic_fetch_or_explicit(&t->breaker, RCS_BI_BREAK_SWITCH, memory_order_relaxed);
    }
    rcs_threads_unlock();
    return take || listed;
}

/* Steps 1 and 2 at once, for a host that knows h is shared (strategy.h):
 * the stop is the one rcs_checkpoint_slow would make for the nomination,
 * made now. */
bool rcs_count_per_thread(rcs_header *h) {
    if (rcs_is_immortal(h))
        return false;
    /* Not a candidate: in the mode already (now pinned), or refused. */
    if (per_thread_nominate(rcs_bi_self, h, true)) {
        rcs_stop_world();
        rcs_start_world();
    }
    /* Our reference keeps h alive; a relaxed load, a snapshot as the
     * result is: a later stop may change it. */
    return atomic_load_explicit(&h->counts_slot, memory_order_relaxed) != 0;
}

bool rcs_bi_per_thread_slow(rcs_header *h, uint16_t slot, int delta) {
    rcs_bi_thread *t = rcs_bi_self;
    if (!t->ts.attached) {
        /* Not stopped by a stop: the slot may be reviewed, or given to
         * another object, at any moment. Under the registry mutex, which
         * the review holds, count in the slot h has now, if any; with none,
         * the caller counts as for any object. */
        rcs_threads_lock();
        /* Relaxed: under the registry mutex, which the review holds (O2). */
        uint16_t now = atomic_load_explicit(&h->counts_slot, memory_order_relaxed);
        if (now)
            atomic_fetch_add_explicit(&slot_orphans[now], delta, memory_order_relaxed);
        rcs_threads_unlock();
        return now != 0;
    }
    /* No array yet (a record keeps its array for its next thread). */
    /* Relaxed: our own record's field (O1). */
    _Atomic int64_t *c = atomic_load_explicit(&t->slot_counts, memory_order_relaxed);
    if (!c && (c = rcs_mem_calloc(2 * RCS_BI_SLOTS * sizeof *c)))
        /* Release: a snapshot that finds the array (acquire) reads its zeros. */
        atomic_store_explicit(&t->slot_counts, c, memory_order_release);
    rcs_bi_self_slots = c;
    if (c)
        return rcs_bi_count_per_thread(h, delta);
    /* No memory for the array: to the orphans (attached, so not stopped
     * part way). */
    /* Relaxed: an RMW, so no count is lost; the review reads it with the
     * world stopped, and this attached thread is not part way then (O2). */
    atomic_fetch_add_explicit(&slot_orphans[slot], delta, memory_order_relaxed);
    return true;
}

int64_t rcs_bi_refcount_per_thread(rcs_header *h, uint16_t slot) {
    /* A snapshot: the slots are read one after another while their threads
     * count, so a reference handed from one thread to another may be seen
     * dropped and not yet taken. The caller holds a reference (the
     * collector reads counts with no object in the mode), so never below
     * 1: a debug check of a decref below zero cannot fire for such an
     * object. Records are never freed: no lock needed. */
    /* Relaxed: a snapshot (the paragraph above); the acquire loads below
     * only make sure a found record and array read as initialised. */
    int64_t n = (atomic_load_explicit(&h->shared, memory_order_relaxed) >> RCS_BI_SHIFT) -
                atomic_load_explicit(&h->runtime_refs, memory_order_relaxed) +
                atomic_load_explicit(&slot_orphans[slot], memory_order_relaxed);
    for (size_t i = 1; i <= RCS_BI_INDEX_MASK; i++) {
        rcs_bi_thread *r = atomic_load_explicit(&records[i], memory_order_acquire);
        if (!r)
            break; /* indexes are handed out in order */
        _Atomic int64_t *c = atomic_load_explicit(&r->slot_counts, memory_order_acquire);
        if (c)
            n += atomic_load_explicit(&c[2 * slot], memory_order_relaxed) -
                 atomic_load_explicit(&c[2 * slot + 1], memory_order_relaxed);
    }
    return n < 1 ? 1 : n;
}

/* Drops the runtime's reference to h, given its count now. With others
 * left, a plain decrement (someone else's reference keeps h, and its drop
 * takes the ordinary path); as the last, h is merged, and the stopper drops
 * it after the restart, which frees it (unless revived meanwhile). pre:
 * world stopped by the caller, registry mutex held. */
static void runtime_ref_drop_stopped(rcs_header *h, int64_t count) {
    runtime_refs_add(h, -1);
    if (count > 1) {
        /* Relaxed: not the last reference, and the world is stopped (O2). */
        atomic_fetch_sub_explicit(&h->shared, RCS_BI_ONE, memory_order_relaxed);
        return;
    }
    explicit_merge(h, 0);
    released[released_n++] = h;
}

/* h leaves the mode: its slot is freed, and the mode reference dropped.
 * pre: as runtime_ref_drop_stopped; h's counts are all in shared. */
static void per_thread_end_stopped(rcs_header *h, uint16_t s) {
    /* Relaxed, here and below: the world is stopped (O2). */
    atomic_store_explicit(&h->counts_slot, 0, memory_order_relaxed);
    slot_object[s] = NULL;
    slot_pinned[s] = false;
    slot_free[slot_free_n++] = s;
    slots_in_use--;
    count(&rcs_bi_self->per_thread_ends);
    if (!rcs_is_immortal(h)) /* made immortal: its counts are gone */
        runtime_ref_drop_stopped(h, atomic_load_explicit(&h->shared, memory_order_relaxed) >>
                                        RCS_BI_SHIFT);
}

/* Step 4: keep is false for a collection, or when fewer than two threads
 * stay. pre: world stopped by the caller, registry mutex held, queues
 * merged. */
static void per_thread_review_stopped_locked(bool keep) {
    keep = keep && threads_share_locked();
    for (int s = 1; s < slot_high && slots_in_use; s++) {
        rcs_header *h = slot_object[s];
        if (!h)
            continue;
        /* Relaxed, here and in the loop: the world is stopped (O2). */
        int64_t sum = atomic_exchange_explicit(&slot_orphans[s], 0, memory_order_relaxed);
        int64_t ops = 0; /* counted since the last review: warm if any */
        for (rcs_bi_thread *r = rcs_bi_reg.all; r; r = r->all_next) {
            _Atomic int64_t *c = atomic_load_explicit(&r->slot_counts, memory_order_relaxed);
            if (c) {
                int64_t inc = atomic_load_explicit(&c[2 * s], memory_order_relaxed);
                int64_t dec = atomic_load_explicit(&c[2 * s + 1], memory_order_relaxed);
                sum += inc - dec;
                ops += inc + dec;
                atomic_store_explicit(&c[2 * s], 0, memory_order_relaxed);
                atomic_store_explicit(&c[2 * s + 1], 0, memory_order_relaxed);
            }
        }
        bool warm = ops > 0 || slot_pinned[s];
        hot_note_locked(h, ops);
        /* h is MERGED (invariant (a)): the slots join shared. */
        int64_t n = rcs_is_immortal(h) ? 0 : explicit_merge(h, sum);
        if (!keep || !warm || n <= 1)
            per_thread_end_stopped(h, (uint16_t)s);
    }
}

/* Step 2 (to_slots), or the candidates' references dropped. pre: world
 * stopped by the caller, registry mutex held. */
static void candidates_settle_stopped_locked(bool to_slots) {
    to_slots = to_slots && threads_share_locked();
    for (int i = 0; i < candidates_n; i++) {
        rcs_header *h = candidates[i];
        if (rcs_is_immortal(h))
            continue; /* made immortal during the stop: our count went with the rest */
        /* Not in the mode: nomination refuses objects that are. */
        /* Relaxed, here and below: the world is stopped (O2). */
        int64_t n = atomic_load_explicit(&h->shared, memory_order_relaxed) >> RCS_BI_SHIFT;
        if (to_slots && (slot_free_n || slot_high < RCS_BI_SLOTS) &&
            (n = explicit_merge(h, 0)) > 1) { /* invariant (a) */
            uint16_t s = slot_free_n ? slot_free[--slot_free_n] : (uint16_t)slot_high++;
            slot_object[s] = h;
            slot_pinned[s] = candidate_pinned[i];
            slots_in_use++;
            atomic_store_explicit(&h->counts_slot, s, memory_order_relaxed);
            count(&rcs_bi_self->per_thread_starts);
        } else {
            runtime_ref_drop_stopped(h, n);
        }
    }
    candidates_n = 0;
    /* Every candidate is settled: no nominator needs a stop of its own. */
    for (rcs_bi_thread *t = attached_first_locked(); t; t = attached_next_locked(t))
        /* Relaxed (O3). */
        atomic_fetch_and_explicit(&t->breaker, ~RCS_BI_BREAK_SWITCH, memory_order_relaxed);
}

/* A detaching thread's slots go to the orphans. pre: registry mutex held. */
static void per_thread_fold_locked(rcs_bi_thread *t) {
    /* Relaxed: our own slots (O1), folded into the orphans under the
     * registry mutex, which the review holds (O2). */
    _Atomic int64_t *c = atomic_load_explicit(&t->slot_counts, memory_order_relaxed);
    for (int s = 1; c && s < slot_high; s++) {
        int64_t inc = atomic_load_explicit(&c[2 * s], memory_order_relaxed);
        int64_t dec = atomic_load_explicit(&c[2 * s + 1], memory_order_relaxed);
        if (inc != dec)
            atomic_fetch_add_explicit(&slot_orphans[s], inc - dec, memory_order_relaxed);
        if (slot_object[s])
            hot_note_locked(slot_object[s], inc + dec);
        atomic_store_explicit(&c[2 * s], 0, memory_order_relaxed);
        atomic_store_explicit(&c[2 * s + 1], 0, memory_order_relaxed);
    }
}

/* What a stop leaves to drop once the world runs again: objects merged to
 * 0 (after_stop) and the runtime's last references (released). Taken under
 * the registry mutex by the stopper before it restarts the world, and
 * dropped from this copy, so that a stop that comes while they are being
 * freed (a finalizer that collects, another thread's stop) starts with
 * empty lists of its own. */
typedef struct stop_leftovers { /* 16 KiB, on the stopper's stack */
    rcs_bi_node *after_stop;
    int released_n;
    rcs_header *released[2 * RCS_BI_SLOTS];
} stop_leftovers;

/* pre: registry mutex held, the caller is the stopper. */
static bool stop_leftovers_take_locked(stop_leftovers *out) {
    out->after_stop = after_stop;
    after_stop = NULL;
    out->released_n = released_n;
    memcpy(out->released, released, (size_t)released_n * sizeof *released);
    released_n = 0;
    return out->after_stop || out->released_n;
}

/* ---- the owner's bias on object locks -----------------------------------------------
 * (locking/lock/object_locks.h.) A thread T that locks an object owned by
 * O, whose lock is still biased, sets ENDING_BIAS in the byte and waits
 * for O's next bias point: a moment at which O holds no section by the
 * bias that it began before it could see ENDING_BIAS. Those points are
 * where O leaves RUNNING (blocking, pause at a stop, detach: each calls
 * rcs_held_unbias first, so a section O holds across one is a held mutex
 * by then, which T then waits for as usual) and every checkpoint slow path
 * and return to RUNNING (from blocking, from a pause), where
 * bias_point_passed moves O's bias_epoch and fences. (Attach needs no
 * fence: it returns to RUNNING under the registry mutex, which T also
 * takes before it can read the new record's state.)
 *
 * Why T may then take the mutex. (1) O's earlier sections happen before
 * T's: O's state store (release: set_state, locking/threads/threads.c)
 * or epoch RMW is read by T's loads (acquire). (2) O cannot begin a new biased section unseen: it
 * begins one only after loading a byte of 0, and T's OR of ENDING_BIAS is
 * seq_cst, before T's seq_cst loads of O's state and epoch. If T read O's
 * RUNNING state or an epoch value that O then replaced, O's next bias
 * point (store of RUNNING or epoch RMW, then the seq_cst fence in
 * bias_point_passed) comes after T's OR in the single total order, and
 * O's later loads of the byte, after that fence, see ENDING_BIAS. */

/* pre: attached; the caller's biased holds were made held mutexes (or it
 * holds none). */
static void bias_point_passed(rcs_bi_thread *t) {
    /* seq_cst, the RMW and the fence: the argument above, (2). */
    atomic_fetch_add_explicit(&t->bias_epoch, 1, memory_order_seq_cst);
    atomic_thread_fence(memory_order_seq_cst); /* see above: (2) */
}

/* Waits until o passes a bias point or is not running, as a blocking point
 * of our own (a stop-the-world, or o waiting for a lock we hold, goes on
 * meanwhile). A thread that never reaches one (a long loop with no
 * checkpoint) holds us up as it holds up a stop-the-world. */
static void wait_for_bias_point(rcs_bi_thread *o) {
    /* seq_cst, these loads and the loop's: T's loads of the argument
     * above, (2). */
    uint64_t e = atomic_load_explicit(&o->bias_epoch, memory_order_seq_cst);
    if (atomic_load_explicit(&o->ts.state, memory_order_seq_cst) != RCS_THREAD_RUNNING)
        return;
    /* Ask for a checkpoint slow path (it reads the breaker word);
     * relaxed (O3). */
    atomic_fetch_or_explicit(&o->breaker, RCS_BI_BREAK_QSBR, memory_order_relaxed);
    rcs_bi_blocking_begin();
    for (int spins = 0;
         atomic_load_explicit(&o->ts.state, memory_order_seq_cst) == RCS_THREAD_RUNNING &&
         atomic_load_explicit(&o->bias_epoch, memory_order_seq_cst) == e;
         spins++) {
        if (spins < 64)
            sched_yield();
        else
            nanosleep(&(struct timespec){0, 20000}, NULL);
    }
    rcs_bi_blocking_end();
}

void rcs_lock_end_bias(rcs_mutex *m) {
    rcs_header *h = (rcs_header *)((char *)m - offsetof(rcs_header, lock));
    /* seq_cst: ordered before the loads of the owner's state and epoch. */
    if (!(atomic_fetch_or_explicit(&m->bits, RCS_LOCK_ENDING_BIAS, memory_order_seq_cst) &
          RCS_LOCK_ENDING_BIAS))
        count(&rcs_bi_self->bias_ends); /* the first of the threads that race to end it */
    /* Acquire: pairs with bias_tid_clear's release, for a merged owner. */
    uintptr_t tid = atomic_load_explicit(&h->tid, memory_order_acquire);
    rcs_bi_thread *o = (tid & RCS_BI_INDEX_MASK) ? record_of(tid) : NULL;
    /* Nobody to wait for: no record; our own (we hold no section on m, or
     * we would not be here); or a record that a later thread has taken
     * (acquire: pairs with record_claim_locked, after the owner's detach,
     * which turned its biased holds into held mutexes at its flush). */
    if (o && o != rcs_bi_self && atomic_load_explicit(&o->id, memory_order_acquire) == tid)
        wait_for_bias_point(o);
    /* Release: a thread that sees UNBIASED and takes the mutex (acquire,
     * on this byte) also sees what the owner's biased sections wrote. */
    atomic_fetch_or_explicit(&m->bits, RCS_LOCK_UNBIASED, memory_order_release);
}

/* ---- blocking points and checkpoints ----------------------------------------------- */

/* Sleeping on an object mutex, or waiting for others to reclaim: a blocking
 * point and a quiescent one (no lock-free read window takes a lock or
 * retires; see strategy.h). No merging here: the caller may hold other
 * locks. */
void rcs_bi_blocking_begin(void) {
    rcs_bi_thread *t = rcs_bi_self;
    if (!rcs_threads_taking_part(&t->ts))
        return;
    rcs_held_unbias(); /* a bias point: see bias_point_passed */
    /* A flushed (exiting) thread has left the QSBR, but it still takes
     * locks (the object layer's last cleanup): it must count as blocked
     * while it sleeps on one, or a stop-the-world would wait for it while
     * it waits for a lock that a paused thread holds. */
    if (!t->flushed)
        rcs_bi_qsbr_offline();
    rcs_threads_block_begin(&t->ts);
}

void rcs_bi_blocking_end(void) {
    rcs_bi_thread *t = rcs_bi_self;
    if (!rcs_threads_taking_part(&t->ts))
        return;
    rcs_threads_block_end(&t->ts);
    if (!t->flushed)
        rcs_bi_qsbr_online();
    bias_point_passed(t);
}

static const rcs_block_hooks bi_block_hooks = {rcs_bi_blocking_begin, rcs_bi_blocking_end};

void rcs_allow_threads_begin(void) {
    if (!rcs_bi_self->flushed) /* as allow_threads_end, which skips it too */
        rcs_bi_blocking_begin();
}

void rcs_allow_threads_end(void) {
    rcs_bi_thread *t = rcs_bi_self;
    if (!rcs_threads_taking_part(&t->ts) || t->flushed)
        return;
    rcs_bi_blocking_end();
    /* Relaxed (O3). */
    if (atomic_load_explicit(&t->breaker, memory_order_relaxed) & RCS_BI_BREAK_MERGE)
        merge_own_queue();
    if (t->retired_count)
        rcs_bi_reclaim(t);
}

void rcs_checkpoint_slow(void) {
    rcs_bi_thread *t = rcs_bi_self;
    if (!rcs_threads_taking_part(&t->ts) || t->flushed)
        return;
    /* Relaxed (O3): STOP stays set until the restart clears it. */
    uint32_t b = atomic_fetch_and_explicit(&t->breaker, ~(RCS_BI_BREAK_QSBR | RCS_BI_BREAK_SWITCH),
                                           memory_order_relaxed);
    rcs_held_unbias();
    bias_point_passed(t);
    rcs_bi_qsbr_quiescent();
    if (b & RCS_BI_BREAK_STOP) {
        rcs_threads_pause(&t->ts);
        /* Back to RUNNING: the fence a return to RUNNING needs before this
         * thread loads a lock byte again (the bias argument, (2)). */
        bias_point_passed(t);
    }
    if (b & RCS_BI_BREAK_MERGE)
        merge_own_queue();
    if (t->retired_count)
        rcs_bi_reclaim(t);
    if (b & RCS_BI_BREAK_SWITCH) {
        /* This thread nominated an object for per-thread counts: a stop
         * switches it (and every other candidate) at its end, unless a stop
         * since (ours to pause for, above, or another's) has done it. */
        rcs_threads_lock();
        bool pending = candidates_n > 0;
        rcs_threads_unlock();
        if (pending) {
            rcs_stop_world();
            rcs_start_world();
        }
    }
}

/* ---- runtime and threads --------------------------------------------------------------- */

static void stats_sum(rcs_stats *out) {
    *out = (rcs_stats){.lock_waits = rcs_mutex_waits()};
    for (rcs_bi_thread *t = rcs_bi_reg.all; t; t = t->all_next) {
        /* Relaxed: owners' counters, summed as a snapshot (O1). */
        out->shared_ops += atomic_load_explicit(&t->shared_ops, memory_order_relaxed);
        out->merges += atomic_load_explicit(&t->merges, memory_order_relaxed);
        out->queued += atomic_load_explicit(&t->queued, memory_order_relaxed);
        out->retire_waits += atomic_load_explicit(&t->retire_waits, memory_order_relaxed);
        out->bias_ends += atomic_load_explicit(&t->bias_ends, memory_order_relaxed);
        out->per_thread_starts += atomic_load_explicit(&t->per_thread_starts, memory_order_relaxed);
        out->per_thread_ends += atomic_load_explicit(&t->per_thread_ends, memory_order_relaxed);
    }
}

int rcs_runtime_start(const rcs_hooks *h) {
    rcs_threads_lock();
    bool already = !rcs_threads_open_locked();
    if (!already) {
        hooks = h;
        stats_sum(&stats_base);
        hot_exited_n = 0; /* the reports cover this run only */
        /* No thread is attached (the last one detached at stop): the peaks
         * restart; written here under the mutex, by nobody else. */
        for (rcs_bi_thread *t = rcs_bi_reg.all; t; t = t->all_next)
            atomic_store_explicit(&t->retired_peak, 0, memory_order_relaxed);
    }
    rcs_threads_unlock();
    if (already)
        return RCS_ESTATE;
    rcs_mutex_set_block_hooks(&bi_block_hooks);
    int st = rcs_thread_attach();
    if (st != RCS_OK) { /* out of memory: not started, so a later start can succeed */
        rcs_mutex_set_block_hooks(NULL);
        rcs_threads_close();
    }
    return st;
}

void rcs_runtime_stop(void) {
    rcs_thread_detach();
    rcs_threads_close();
    rcs_mutex_set_block_hooks(NULL);
    rcs_bi_reclaim_all();
}

/* A record for an attaching thread: a free one, or a new one (NULL if out
 * of memory or of indexes). pre: registry mutex held. */
static rcs_bi_thread *record_take_locked(void) {
    rcs_bi_thread *t = rcs_bi_reg.free;
    if (t) {
        rcs_bi_reg.free = t->free_next;
        return t;
    }
    if (rcs_bi_reg.records == RCS_BI_INDEX_MASK) /* every index in use */
        return NULL;
    t = rcs_mem_calloc(sizeof *t);
    if (!t)
        return NULL;
    uintptr_t index = (uintptr_t)++rcs_bi_reg.records;
    /* Generation 0: the first taker raises it to 1, as every taker does. */
    /* Relaxed, both: published by the release store of records[index]
     * below. */
    atomic_store_explicit(&t->id, index, memory_order_relaxed);
    atomic_store_explicit(&t->queue, QUEUE_DEAD, memory_order_relaxed);
    t->all_next = rcs_bi_reg.all;
    rcs_bi_reg.all = t;
    /* Release: a lookup (acquire) sees the record initialised. */
    atomic_store_explicit(&records[index], t, memory_order_release);
    return t;
}

/* Puts a record on the free list for the next attaching thread. Its queue
 * is sealed, so objects its last thread made are merged by whoever drops
 * them (queue_object). pre: registry mutex held. */
static void record_put_locked(rcs_bi_thread *t) {
    t->free_next = rcs_bi_reg.free;
    rcs_bi_reg.free = t;
}

/* Gives the record to the attaching thread under a new id. What the last
 * thread left: a sealed queue, no QSBR slot or retired blocks (its exit
 * handed them on), an empty hot table (folded at detach), flags false.
 * pre: registry mutex held. */
static void record_claim_locked(rcs_bi_thread *t) {
    /* Relaxed: ids change only under the registry mutex, which we hold (O2). */
    uintptr_t old = atomic_load_explicit(&t->id, memory_order_relaxed);
    uintptr_t gen = (old >> RCS_BI_INDEX_BITS) + 1; /* 2^48 takes: never wraps */
    /* The id first, then the queue (release): a pusher that sees the open
     * queue also sees that the id moved on, and does not push a dead
     * owner's object there believing its owner alive (queue_object). */
    /* Release: a thread ending a bias that sees the new id (acquire, in
     * rcs_lock_end_bias) knows the record's last thread has detached. */
    atomic_store_explicit(&t->id, gen << RCS_BI_INDEX_BITS | (old & RCS_BI_INDEX_MASK),
                          memory_order_release);
    /* Relaxed (O3): a stale bit costs the new thread one slow path. */
    atomic_store_explicit(&t->breaker, 0, memory_order_relaxed);
    atomic_store_explicit(&t->queue, NULL, memory_order_release);
    t->ts.stopped_world = t->flushed = t->leaving = false;
    hot_seed(t);
}

int rcs_thread_attach(void) {
    if (rcs_bi_self->ts.attached)
        return RCS_ESTATE;
    rcs_threads_lock();
    if (!rcs_threads_started_locked()) {
        rcs_threads_unlock();
        return RCS_ESTATE;
    }
    rcs_bi_thread *t = record_take_locked();
    /* The QSBR slot now, not lazily: an attached thread without one would
     * read lock-free unseen by the reclaimers. */
    if (!t || !rcs_bi_qsbr_reserve(t)) {
        if (t) /* unclaimed: back on the free list as it came */
            record_put_locked(t);
        rcs_threads_unlock();
        return RCS_ENOMEM;
    }
    record_claim_locked(t);
    rcs_bi_self = t;
    /* Relaxed: our own record now, claimed under the mutex (O1, O2). */
    rcs_bi_self_slots = atomic_load_explicit(&t->slot_counts, memory_order_relaxed);
    rcs_bi_self_tid = atomic_load_explicit(&t->id, memory_order_relaxed);
    rcs_bi_bias_tid = rcs_bi_self_tid;
    rcs_threads_link_locked(&t->ts);
    rcs_threads_unlock();
    rcs_bi_qsbr_online();
    return 0;
}

void rcs_thread_flush(void) {
    rcs_bi_thread *t = rcs_bi_self;
    if (!t->ts.attached || t->flushed)
        return;
    /* A thread that leaves at most one other behind returns every object
     * to shared counting (and frees those that count per thread and
     * died), while it can still deallocate: the thread that stays then
     * sees exact counts and prompt frees again, as before any thread was
     * started, and the runtime's stop finds nothing left. With fewer than
     * two threads staying nobody nominates, so nothing switches again. */
    rcs_threads_lock();
    t->leaving = true;
    bool review = (slots_in_use || candidates_n) && !threads_share_locked();
    rcs_threads_unlock();
    if (review) {
        rcs_stop_world();
        rcs_start_world();
    }
    /* Seal the queue: from now on other threads merge this thread's objects
     * themselves. Acquire: see the nodes pushed before. */
    rcs_bi_node *n = atomic_exchange_explicit(&t->queue, QUEUE_DEAD, memory_order_acq_rel);
    merge_list(n);
    /* No more holds by the bias: the thread's last cleanup locks as any
     * other thread would, and those who end its bias find it not running
     * once it has detached. */
    rcs_held_unbias();
    rcs_bi_bias_tid = RCS_BI_TID_NO_BIAS;
    bias_point_passed(t);
    t->flushed = true;
    rcs_bi_reclaim_exit(t);
}

void rcs_thread_detach(void) {
    rcs_bi_thread *t = rcs_bi_self;
    if (!t->ts.attached)
        return;
    rcs_thread_flush(); /* normally done already, by the object layer */
    rcs_threads_lock();
    rcs_threads_unlink_locked(&t->ts);
    hot_fold_locked(t);
    per_thread_fold_locked(t);
    rcs_bi_self_slots = NULL; /* from now on, counts go to the orphans */
    record_put_locked(t);
    rcs_threads_unlock();
    rcs_bi_self = &detached_entry;
    rcs_bi_self_tid = RCS_BI_TID_NONE;
}

/* ---- stop the world ----------------------------------------------------------------------- */

/* The request travels in each other thread's breaker word, which its
 * checkpoint reads (threads.h's request function); the restart clears
 * every thread's bit. Relaxed: the bit only sends a thread to its slow
 * path, which waits for the stop under the registry mutex, and that mutex
 * orders the rest (threads.h, paragraph (3)). */
static void bi_request(rcs_thread_state *self, bool stop) {
    for (rcs_bi_thread *t = attached_first_locked(); t; t = attached_next_locked(t)) {
        if (stop && &t->ts != self)
            atomic_fetch_or_explicit(&t->breaker, RCS_BI_BREAK_STOP, memory_order_relaxed);
        else if (!stop)
            atomic_fetch_and_explicit(&t->breaker, ~RCS_BI_BREAK_STOP, memory_order_relaxed);
    }
}

/* pre: the world is stopped by the caller. Merges every queue, so counts are
 * true; an object merged to 0 keeps the queue's reference until restart. */
static void merge_all_queues_stopped_locked(void) {
    for (rcs_bi_thread *t = attached_first_locked(); t; t = attached_next_locked(t)) {
        /* Acquire, on the load and the exchange: pairs with the pushes'
         * release (queue_object), so the nodes read filled. */
        rcs_bi_node *n = atomic_load_explicit(&t->queue, memory_order_acquire);
        if (!n || n == QUEUE_DEAD)
            continue;
        n = atomic_exchange_explicit(&t->queue, NULL, memory_order_acquire);
        while (n) {
            rcs_bi_node *next = n->next;
            if (explicit_merge(n->h, 0) == 1) {
                n->next = after_stop; /* only the queue holds it: release later */
                after_stop = n;
            } else {
                /* Release: as any decref that is not the last (the restart
                 * would order it too, O2). */
                atomic_fetch_sub_explicit(&n->h->shared, RCS_BI_ONE, memory_order_release);
                rcs_mem_free(n);
            }
            n = next;
        }
    }
}

void rcs_stop_world(void) {
    /* The stopper may immortalize or merge objects it holds by the bias. */
    rcs_held_unbias();
    rcs_threads_lock();
    rcs_threads_stop_locked(&rcs_bi_self->ts, bi_request);
    merge_all_queues_stopped_locked();
    per_thread_review_stopped_locked(true);
    rcs_threads_unlock();
}

/* Drops the reference the stopper kept on each object merged to 0, freeing
 * them. pre: the caller is the stopper (after_stop is its alone) and may
 * deallocate. */
static void release_after_stop(stop_leftovers *l) {
    /* The runtime's references of per-thread counting: each object is
     * merged, tid 0, so this is a non-owner's decref, and frees it unless
     * it was revived meanwhile. */
    for (int i = 0; i < l->released_n; i++)
        if (rcs_decref(l->released[i]))
            hooks->dealloc(l->released[i]);
    rcs_bi_node *n = l->after_stop;
    while (n) {
        rcs_bi_node *next = n->next;
        rcs_header *h = n->h;
        rcs_mem_free(n);
        if (rcs_decref(h))
            hooks->dealloc(h);
        n = next;
    }
}

/* The collector's pass before it reads counts. A queued object still holds
 * the queue's reference, and one merged to 0 by rcs_stop_world the
 * stopper's: both are references from outside any set the collector scans,
 * so garbage behind them (x -> a <-> b with x queued) would survive a full
 * collection, and only the next one would find it (issue 11, item 1). So
 * free them now, with the world stopped, as the collector itself frees its
 * garbage: a deallocation that drops references to other threads' objects
 * queues those, hence the loop, which ends when a round frees nothing (each
 * round frees at least one object, of which there are finitely many). The
 * caller runs no nested stop (the collector refuses to collect inside a
 * collection), so deallocating here is safe. */
void rcs_settle_counts(void) {
    stop_leftovers l;
    for (;;) {
        rcs_threads_lock();
        merge_all_queues_stopped_locked();
        /* Every object back to shared counting, and the candidates'
         * references dropped (per-thread counts, step 4). */
        per_thread_review_stopped_locked(false);
        candidates_settle_stopped_locked(false);
        bool more = stop_leftovers_take_locked(&l);
        rcs_threads_unlock();
        if (!more)
            return;
        release_after_stop(&l);
    }
}

void rcs_start_world(void) {
    stop_leftovers l;
    rcs_threads_lock();
    candidates_settle_stopped_locked(true); /* per-thread counts, step 2 */
    stop_leftovers_take_locked(&l);
    rcs_threads_restart_locked(&rcs_bi_self->ts, bi_request);
    rcs_threads_unlock();
    release_after_stop(&l);
}

/* ---- counters ----------------------------------------------------------------- */

void rcs_get_stats(rcs_stats *out) {
    rcs_threads_lock();
    stats_sum(out);
    out->lock_waits -= stats_base.lock_waits;
    out->shared_ops -= stats_base.shared_ops;
    out->merges -= stats_base.merges;
    out->queued -= stats_base.queued;
    out->retire_waits -= stats_base.retire_waits;
    out->bias_ends -= stats_base.bias_ends;
    out->per_thread_starts -= stats_base.per_thread_starts;
    out->per_thread_ends -= stats_base.per_thread_ends;
    out->per_thread_objects = (uint64_t)slots_in_use; /* a level */
    /* Levels (a free record holds no retired bytes: its thread's leftovers
     * went to the abandoned list; peaks restart at rcs_runtime_start). */
    out->thread_records = rcs_bi_reg.records;
    for (rcs_bi_thread *t = rcs_bi_reg.all; t; t = t->all_next) {
        /* Relaxed: levels their owners write, read as a snapshot (O1). */
        uint64_t peak = atomic_load_explicit(&t->retired_peak, memory_order_relaxed);
        out->retired_bytes += atomic_load_explicit(&t->retired_bytes, memory_order_relaxed);
        if (peak > out->retired_peak_bytes)
            out->retired_peak_bytes = peak;
    }
    out->retired_bytes += rcs_bi_abandoned_bytes();
    rcs_threads_unlock();
}
