/*
 * locking/biased/biased.h -- biased reference counting (target //:nogil):
 * fast paths.
 *
 * After CPython's free-threaded build (PEP 703; notes: cpython-reference.md
 * sections 1.2, 2 and 4). Every object is biased to the thread that made it:
 * that thread (the owner) counts in `local` with plain loads and stores;
 * every other thread counts atomically in `shared`. The true count is
 * local + (shared >> 2); `shared` alone may go negative, the sum never does.
 *
 * The header (24 bytes; 32 with the type pointer, like CPython's):
 *   tid     the owner: the id of its attachment (rcs_bi_thread.id: the
 *           index of its registry record in the low RCS_BI_INDEX_BITS, and
 *           above them the record's generation, which goes up each time a
 *           new thread takes the record). Records are reused, ids never
 *           (2^48 generations per record), so a live thread never
 *           inherits a dead one's objects. 0: unowned (immortal, or merged
 *           by its owner).
 *   local   the owner's count. Only the owner writes it (relaxed atomic
 *           load/store: plain moves, and ThreadSanitizer sees no race when
 *           others read it), except a stop-the-world merge, which writes it
 *           for a paused owner, and rcs_make_immortal on a published object,
 *           also with the world stopped. UINT32_MAX: immortal; nobody writes
 *           it again.
 *   lock    the per-object mutex (locking/lock/mutex.h, shared with
 *           //:finegrained), biased to the owner until another thread
 *           locks it (locking/lock/object_locks.h; biased.c).
 *   counts_slot  0, or the object counts per thread: every thread then
 *           counts it in slot counts_slot of its own array of counts, with
 *           plain stores; it is MERGED, and the true count is shared -
 *           runtime_refs + every thread's slot + the slot's orphans
 *           (biased.c, "per-thread counts"). Set and cleared only with the
 *           world stopped.
 *   runtime_refs  references the runtime itself holds in `shared` for
 *           per-thread counting (0 or 1: a nomination's, which becomes the
 *           mode's), which rcs_refcount leaves out. Written under the
 *           registry mutex.
 *   shared  others' count << 2 | state. The state only ever moves up:
 *             DEFAULT  0  the owner may free at local 0 with no atomic RMW
 *                         when the whole word is 0;
 *             MAYBE_WEAKREF 1  some other thread has counted the object (so
 *                         a lock-free reader may be about to try-incref it):
 *                         the owner must merge with a CAS before freeing;
 *             QUEUED   2  a non-owner's decref would have taken `shared`
 *                         below zero; instead of subtracting, it handed its
 *                         reference to the owner's merge queue;
 *             MERGED   3  the counts were merged into `shared`: `local` no
 *                         longer counts, and whoever takes `shared` to
 *                         exactly MERGED (count 0) frees the object.
 *
 * The collector keeps its own flag bits in rci_gc_head, so the header needs
 * no gc byte (there is room for one beside the lock).
 *
 * Included only through locking/strategy.h, which documents every name.
 */
#ifndef RC_LOCKING_BIASED_H
#define RC_LOCKING_BIASED_H

#ifndef RC_LOCKING_STRATEGY_H
#error "include locking/strategy.h, not a strategy header"
#endif

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "locking/lock/held.h"
#include "locking/lock/mutex.h"
#include "locking/threads/threads.h"

#define RCS_NAME "nogil"
#define RCS_ABI_NAME nogil
#define RCS_THREAD_SAFE 1
#define RCS_PARALLEL 1
#define RCS_LOCKFREE_READS 1

/* ---- header --------------------------------------------------------------- */

typedef struct rcs_header {
    _Atomic uintptr_t tid;
    _Atomic uint32_t local;
    rcs_mutex lock;
    _Atomic uint8_t runtime_refs;
    _Atomic uint16_t counts_slot;
    _Atomic int64_t shared;
} rcs_header;

_Static_assert(sizeof(rcs_header) == 24, "the biased header must stay 24 bytes (32 with the type)");
/* RCS_LOCKFREE_READS's layout rule (strategy.h): the first word, which a
 * cached free block's link overwrites, is the owner's id, not a count. */
_Static_assert(offsetof(rcs_header, local) >= sizeof(void *) &&
                   offsetof(rcs_header, shared) >= sizeof(void *),
               "no count may share the header's first word with the free-list link");

#define RCS_BI_IMMORTAL UINT32_MAX
#define RCS_BI_SHIFT 2
#define RCS_BI_STATE_MASK 3
#define RCS_BI_DEFAULT 0
#define RCS_BI_MAYBE_WEAKREF 1
#define RCS_BI_QUEUED 2
#define RCS_BI_MERGED 3
#define RCS_BI_ONE ((int64_t)1 << RCS_BI_SHIFT)

#define RCS_HEADER_IMMORTAL_INIT {0, RCS_BI_IMMORTAL, RCS_MUTEX_INIT, 0, 0, 0}

/* Slots of per-thread counts: at most RCS_BI_SLOTS - 1 objects count per
 * thread at once (slot 0 means none), and each thread that counts one
 * keeps an array of 2 * RCS_BI_SLOTS counts (16 KiB). Hot shared objects are
 * few: the hot-object report of a run rarely names more than a dozen. */
#define RCS_BI_SLOTS 1024

/* ---- threads ---------------------------------------------------------------- */

struct rcs_bi_node;
struct rcs_bi_chunk;
struct rcs_bi_qslot;

/* One entry of a thread's hot-object table (biased.c): written by the
 * owner thread only, read by rcs_hot_objects on another thread, so each
 * field is atomic (relaxed, except the publication order in biased.c). */
typedef struct rcs_bi_hot_entry {
    _Atomic(const void *) object; /* NULL: empty, or being replaced */
    _Atomic(const char *) type_name;
    _Atomic uint64_t samples;
} rcs_bi_hot_entry;

#define RCS_BI_HOT_ENTRIES 16

/* A thread's registry record. Made at attach when no free one is left,
 * never freed, and taken again by a later thread once its thread has
 * detached: so the records number the most threads ever attached at once,
 * not every attachment (issue 11, item 4). Reached through rcs_bi_self,
 * which points at a static dummy entry (owner of nothing) while the thread
 * is not attached. Other threads may still hold a stale pointer to a
 * record that changed hands (a merge-queue push, a QSBR slot's owner): it
 * stays valid memory, and `id` tells whose it is now (biased.c). */
typedef struct rcs_bi_thread {
    /* The tid of the objects its thread makes; changes only under the
     * registry mutex, when the record changes hands. 0 while free. */
    _Atomic uintptr_t id;
    /* What the checkpoint's fast path reads: one load of one word. Bits
     * RCS_BI_BREAK_*; set by other threads, cleared by the owner. */
    _Atomic uint32_t breaker;
    /* Registry list, state, attached, owner of the stop (locking/threads);
     * in the record, not in thread-local storage, because other threads
     * read a record's state after its thread may have exited (biased.c,
     * the owner's bias). */
    rcs_thread_state ts;
    bool flushed;
    _Atomic(struct rcs_bi_node *) queue;   /* objects to merge; DEAD once exited */
    struct rcs_bi_qslot *qslot;            /* QSBR slot (reclaim.c); reused after exit */
    struct rcs_bi_chunk *retired_head;     /* deferred frees, oldest first */
    struct rcs_bi_chunk *retired_tail;
    struct rcs_bi_chunk *spare_chunk;
    uint64_t retired_count;                /* items on the retired list */
    uint64_t retire_wait_at;               /* wait for the others past this many bytes
                                            * (0: RCS_RETIRE_BOUND_BYTES; reclaim.c) */
    /* Goes up at each of the thread's bias points (biased.c): a thread
     * that ends this thread's bias on a lock waits for it to move. */
    _Atomic uint64_t bias_epoch;
    /* Counters, written by the owner only (relaxed), summed on read. */
    _Atomic uint64_t shared_ops, merges, queued, retire_waits, bias_ends;
    _Atomic uint64_t per_thread_starts, per_thread_ends;
    /* The thread's counts of objects that count per thread: for slot s,
     * increments at 2s and decrements at 2s + 1 (2 * RCS_BI_SLOTS in all);
     * NULL until it first needs one. Only its thread writes them (relaxed load + store); others read
     * them with the world stopped, or for a snapshot (rcs_refcount). Kept
     * with the record, which is never freed, for the record's next thread
     * (all zero by then: detach folds them). */
    _Atomic(_Atomic int64_t *) slot_counts;
    /* Set by rcs_thread_flush (under the registry mutex): the thread is on
     * its way out, so it no longer counts as one of the threads that make
     * per-thread counts worth having (biased.c). */
    bool leaving;
    _Atomic uint64_t retired_bytes;        /* bytes on the retired list */
    _Atomic uint64_t retired_peak;         /* the most retired_bytes has been */
    /* Hot objects (biased.c): non-owner count operations left before the
     * next sample, the sampler's random state, and the sampled objects. */
    uint32_t hot_countdown, hot_rng;
    rcs_bi_hot_entry hot[RCS_BI_HOT_ENTRIES];
    struct rcs_bi_thread *all_next;        /* every record ever made */
    struct rcs_bi_thread *free_next;       /* free records, under the registry mutex */
} rcs_bi_thread;

/* A tid: record index (1 ..) in the low bits, generation above. */
#define RCS_BI_INDEX_BITS 16
#define RCS_BI_INDEX_MASK (((uintptr_t)1 << RCS_BI_INDEX_BITS) - 1)
/* The tid of threads that are not attached: index 0 is no record, so no
 * object's owner; not 0 either, which would own merged objects. */
#define RCS_BI_TID_NONE ((uintptr_t)1 << RCS_BI_INDEX_BITS)

#define RCS_BI_BREAK_STOP 1u  /* a stop-the-world is requested */
#define RCS_BI_BREAK_MERGE 2u /* the merge queue is not empty */
#define RCS_BI_BREAK_QSBR 4u  /* someone waits for this thread to be quiescent */
#define RCS_BI_BREAK_SWITCH 8u /* it nominated objects for per-thread counts: stop to switch them */

extern _Thread_local rcs_bi_thread *rcs_bi_self;
/* rcs_bi_self->id (RCS_BI_TID_NONE when detached), kept beside it so that
 * the owner test of every count is one thread-local load, as before. */
extern _Thread_local uintptr_t rcs_bi_self_tid;

/* The tid whose objects' locks this thread may take by the bias: its own
 * while attached and not flushed, else RCS_BI_TID_NO_BIAS (the last
 * generation of the last index, which no record reaches: no object's tid). */
extern _Thread_local uintptr_t rcs_bi_bias_tid;
#define RCS_BI_TID_NO_BIAS UINTPTR_MAX

static inline uintptr_t rcs_bi_tid(void) {
    return rcs_bi_self_tid;
}

/* ---- counts ------------------------------------------------------------------- */

static inline void rcs_header_init(rcs_header *h) {
    /* Not yet published: relaxed stores. */
    atomic_store_explicit(&h->tid, rcs_bi_tid(), memory_order_relaxed);
    atomic_store_explicit(&h->local, 1, memory_order_relaxed);
    rcs_object_lock_init_biased(&h->lock);
    atomic_store_explicit(&h->runtime_refs, 0, memory_order_relaxed);
    atomic_store_explicit(&h->counts_slot, 0, memory_order_relaxed);
    atomic_store_explicit(&h->shared, 0, memory_order_relaxed);
}

void rcs_bi_incref_shared_slow(rcs_header *h, int64_t old);
bool rcs_decref_slow(rcs_header *h);
bool rcs_bi_merge_zero_local(rcs_header *h);
bool rcs_bi_try_incref_shared(rcs_header *h);

/* strategy.h: whether this thread made h and h has not been merged since. */
static inline bool rcs_is_owner(const rcs_header *h) {
    /* Relaxed: only this thread stores its own tid into a header
     * (rcs_header_init), and only it, or a stopper while it is paused
     * (biased.c, O2), clears it; any other value is "not ours". */
    return atomic_load_explicit(&((rcs_header *)h)->tid, memory_order_relaxed) == rcs_bi_tid();
}

/* Whether this thread's next non-owner count operation can take the inline
 * path: it is not the one to be sampled (biased.c samples one in HOT_PERIOD
 * for rcs_hot_objects), and the thread is attached. The slow paths count
 * and sample; rcs_bi_count_unsampled counts the inline ones. */
static inline bool rcs_bi_unsampled(const rcs_bi_thread *t) {
    return __builtin_expect(t->hot_countdown != 0 && t->ts.attached, 1);
}

static inline void rcs_bi_count_unsampled(rcs_bi_thread *t) {
    t->hot_countdown--;
    atomic_store_explicit(&t->shared_ops,
                          atomic_load_explicit(&t->shared_ops, memory_order_relaxed) + 1,
                          memory_order_relaxed); /* only its thread writes it */
}

/* The calling thread's rcs_bi_thread.slot_counts (NULL while it has none,
 * or is not attached), kept beside it so that the fast path below is one
 * thread-local load. */
extern _Thread_local _Atomic int64_t *rcs_bi_self_slots;

/* A count change on an object that counts per thread (every thread's,
 * the owner's too: such an object has none, biased.c): one of the
 * thread's two counters of the slot, increments or decrements, goes up by
 * one, a plain load and store. Returns false if h does not count per
 * thread (the caller counts as usual; the slow path may find that h left
 * the mode, for a thread that is not attached and so not stopped). Two
 * counters, not one: the review sees that the object was used even when
 * they cancel (it then stays per thread). Relaxed: the
 * slot is read by a review with the world stopped (the pause orders this
 * thread's stores before the stopper's loads, as for every other write the
 * thread made), or for a snapshot. The slot number stays valid until the
 * world stops, which cannot happen between this load and the store: this
 * thread is not paused in between. pre: the caller holds a reference. */
bool rcs_bi_per_thread_slow(rcs_header *h, uint16_t slot, int delta);
static inline bool rcs_bi_count_per_thread(rcs_header *h, int delta) {
    uint16_t slot = atomic_load_explicit(&h->counts_slot, memory_order_relaxed);
    if (__builtin_expect(slot == 0, 1))
        return false;
    _Atomic int64_t *c = rcs_bi_self_slots;
    if (__builtin_expect(c != NULL, 1)) {
        _Atomic int64_t *n = &c[2 * (size_t)slot + (delta < 0)];
        atomic_store_explicit(n, atomic_load_explicit(n, memory_order_relaxed) + 1,
                              memory_order_relaxed);
        return true;
    }
    return rcs_bi_per_thread_slow(h, slot, delta);
}

/* Non-owner incref: one atomic add, inline; the first one on an object
 * (which raises its state) and the sampled ones finish in biased.c. */
static inline void rcs_bi_incref_shared(rcs_header *h) {
    if (rcs_bi_count_per_thread(h, 1))
        return;
    /* Relaxed: a new reference is made from an existing one (strategy.h). */
    int64_t old = atomic_fetch_add_explicit(&h->shared, RCS_BI_ONE, memory_order_relaxed);
    rcs_bi_thread *t = rcs_bi_self;
    if (__builtin_expect((old & RCS_BI_STATE_MASK) != RCS_BI_DEFAULT, 1) && rcs_bi_unsampled(t))
        rcs_bi_count_unsampled(t);
    else
        rcs_bi_incref_shared_slow(h, old);
}

/* Non-owner decref: inline while the shared count part stays at or above
 * zero (one CAS); queueing to the owner, and the sampled ones, in biased.c. */
static inline bool rcs_bi_decref_shared(rcs_header *h) {
    rcs_bi_thread *t = rcs_bi_self;
    /* Never the last reference: an object that counts per thread is freed
     * only by a review (biased.c), which finds its count 0. */
    if (rcs_bi_count_per_thread(h, -1))
        return false;
    int64_t s = atomic_load_explicit(&h->shared, memory_order_relaxed);
    /* Release: our writes happen before the free; acquire: the freeing
     * thread sees everybody's (as in rcs_decref_slow). */
    while ((s >> RCS_BI_SHIFT) > 0 && rcs_bi_unsampled(t)) {
        /* A failed CAS reloads s: retry here while other threads race us. */
        if (atomic_compare_exchange_weak_explicit(&h->shared, &s, s - RCS_BI_ONE,
                                                  memory_order_acq_rel, memory_order_relaxed)) {
            rcs_bi_count_unsampled(t);
            return s - RCS_BI_ONE == RCS_BI_MERGED;
        }
    }
    return rcs_decref_slow(h);
}

static inline void rcs_incref(rcs_header *h) {
    /* Relaxed: only the owner writes local, or a stopper while it is
     * paused (biased.c, O1 and O2); immortality is set before publication
     * or with the world stopped (strategy.h), so the immortal test is
     * never stale. */
    uint32_t l = atomic_load_explicit(&h->local, memory_order_relaxed);
    if (l == RCS_BI_IMMORTAL)
        return;
    if (__builtin_expect(rcs_is_owner(h), 1))
        /* Plain: only the owner writes local. A count that climbs to
         * UINT32_MAX simply makes the object immortal (as in CPython). */
        atomic_store_explicit(&h->local, l + 1, memory_order_relaxed);
    else
        rcs_bi_incref_shared(h);
}

static inline bool rcs_decref(rcs_header *h) {
    /* Relaxed, the load and the owner's store: as in rcs_incref. */
    uint32_t l = atomic_load_explicit(&h->local, memory_order_relaxed);
    if (l == RCS_BI_IMMORTAL)
        return false;
    if (__builtin_expect(rcs_is_owner(h), 1)) {
        atomic_store_explicit(&h->local, l - 1, memory_order_relaxed);
        if (l != 1)
            return false;
        /* Acquire: pairs with the release of other threads' shared decrefs,
         * so we see their writes. A whole word of 0 (no other thread ever
         * counted it, nothing queued) means nobody else can reach the object,
         * and a try-incref refuses exactly that value: free with no RMW. */
        if (atomic_load_explicit(&h->shared, memory_order_acquire) == 0)
            return true;
        return rcs_bi_merge_zero_local(h);
    }
    return rcs_bi_decref_shared(h);
}

static inline bool rcs_try_incref(rcs_header *h) {
    /* Relaxed, the load and the owner's store: as in rcs_incref. */
    uint32_t l = atomic_load_explicit(&h->local, memory_order_relaxed);
    if (l == RCS_BI_IMMORTAL)
        return true;
    if (rcs_is_owner(h) && l != 0) {
        atomic_store_explicit(&h->local, l + 1, memory_order_relaxed);
        return true;
    }
    /* Non-owner, inline for one CAS: refuses 0 (the owner may be freeing it
     * with no atomic operation) and MERGED with count 0 (dead), as the
     * out-of-line path; acquire on success, see there. */
    rcs_bi_thread *t = rcs_bi_self;
    /* Per-thread counts: never freed before a review, so always alive here
     * (its count may have reached 0 unseen: the increment revives it, as
     * the object has not gone yet). No ordering needed for a lock-free
     * reader's re-check: the object's memory cannot change hands before a
     * review, which this thread is not part way through. */
    if (rcs_bi_count_per_thread(h, 1))
        return true;
    /* The CAS's guess (biased.c, O4). */
    int64_t s = atomic_load_explicit(&h->shared, memory_order_relaxed);
    while (s != 0 && s != RCS_BI_MERGED && rcs_bi_unsampled(t)) {
        if (atomic_compare_exchange_weak_explicit(&h->shared, &s, s + RCS_BI_ONE,
                                                  memory_order_acquire, memory_order_relaxed)) {
            rcs_bi_count_unsampled(t);
            return true;
        }
    }
    return rcs_bi_try_incref_shared(h);
}

void rcs_bi_set_maybe_weakref(rcs_header *h);

static inline void rcs_allow_try_incref(rcs_header *h) {
    /* Relaxed: a hint; rcs_bi_set_maybe_weakref decides by CAS. */
    if ((atomic_load_explicit(&h->shared, memory_order_relaxed) & RCS_BI_STATE_MASK) ==
            RCS_BI_DEFAULT &&
        atomic_load_explicit(&h->local, memory_order_relaxed) != RCS_BI_IMMORTAL)
        rcs_bi_set_maybe_weakref(h);
}

int64_t rcs_bi_refcount_per_thread(rcs_header *h, uint16_t slot);
static inline int64_t rcs_refcount(const rcs_header *h) {
    rcs_header *m = (rcs_header *)h;
    /* Relaxed, every load here: a snapshot, exact only when nobody else
     * counts (strategy.h). */
    uint32_t l = atomic_load_explicit(&m->local, memory_order_relaxed);
    if (l == RCS_BI_IMMORTAL)
        return RCS_IMMORTAL_COUNT;
    uint16_t slot = atomic_load_explicit(&m->counts_slot, memory_order_relaxed);
    if (slot)
        return rcs_bi_refcount_per_thread(m, slot);
    int64_t s = atomic_load_explicit(&m->shared, memory_order_relaxed);
    /* arithmetic: shared may be negative; less the runtime's own */
    int64_t n = (s >> RCS_BI_SHIFT) - atomic_load_explicit(&m->runtime_refs, memory_order_relaxed);
    switch (s & RCS_BI_STATE_MASK) {
    case RCS_BI_MERGED: /* local no longer counts (a dead owner's merger leaves it) */
        return n;
    case RCS_BI_QUEUED:
        /* The decref that queued the object did not subtract: its reference
         * now belongs to the queue, which drops it at the merge. Nobody
         * holds it, so it is not counted; otherwise the debug build's check
         * (refcount/debug.c) would let a non-owner's over-decref pass and
         * blame the owner's later, correct one (issue 11, item 5e). */
        return n + (int64_t)l - 1;
    default:
        return n + (int64_t)l;
    }
}

static inline void rcs_make_immortal(rcs_header *h) {
    /* Relaxed: unpublished, or the world is stopped, whose restart orders
     * the stores (strategy.h). */
    atomic_store_explicit(&h->local, RCS_BI_IMMORTAL, memory_order_relaxed);
    atomic_store_explicit(&h->tid, 0, memory_order_relaxed);
    atomic_store_explicit(&h->shared, 0, memory_order_relaxed);
}

static inline bool rcs_is_immortal(const rcs_header *h) {
    /* Relaxed: as the immortal test of rcs_incref. */
    return atomic_load_explicit(&((rcs_header *)h)->local, memory_order_relaxed) ==
           RCS_BI_IMMORTAL;
}

/* ---- threads ------------------------------------------------------------------ */

void rcs_thread_flush(void);
void rcs_checkpoint_slow(void);
void rcs_stop_world(void);
void rcs_start_world(void);
void rcs_settle_counts(void);
/* Counts have owners (strategy.h): rcs_is_owner (above) and these four
 * are this strategy's own. */
#define RCS_OWNED_COUNTS 1
int rcs_hot_objects(rcs_hot_object *out, int max);
bool rcs_count_per_thread(rcs_header *h);

/* One load of the thread's own breaker word and a branch. */
static inline void rcs_checkpoint(void) {
    /* Relaxed: a bit only sends us to the slow path (biased.c, O3). */
    if (__builtin_expect(atomic_load_explicit(&rcs_bi_self->breaker, memory_order_relaxed), 0))
        rcs_checkpoint_slow();
}

static inline bool rcs_thread_is_attached(void) {
    return rcs_thread_state_running(&rcs_bi_self->ts);
}

/* ---- object locks: as //:finegrained (locking/lock/object_locks.h) ------- */
static inline bool rcs_world_stopped_here(void) {
    return rcs_bi_self->ts.stopped_world;
}

static inline bool rcs_lock_is_biased_to_me(const rcs_header *h) {
    /* Relaxed: as rcs_is_owner. */
    return atomic_load_explicit(&((rcs_header *)h)->tid, memory_order_relaxed) ==
           rcs_bi_bias_tid;
}
/* Ends the owner's bias on m (biased.c). */
void rcs_lock_end_bias(rcs_mutex *m);

#include "locking/lock/object_locks.h"


/* ---- safe reclamation: QSBR (reclaim.c) ------------------------------------------ */
#define RCS_RETIRE_BOUND_BYTES ((uint64_t)8 << 20)

void rcs_retire_sized(void *p, size_t bytes, void (*free_fn)(void *));



#endif /* RC_LOCKING_BIASED_H */
