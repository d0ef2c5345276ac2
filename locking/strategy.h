/*
 * locking/strategy.h -- the seam between the object layer and a locking
 * strategy.
 *
 * The object layer (objects/, refcount/, runtime/, gc/) is written once. All
 * that differs between the ways of making it thread-safe sits behind the
 * names below, which every strategy under locking/<name>/ defines. A variant
 * target (//:gil, ...) compiles the object layer against exactly one of
 * them, so the fast paths are static inline and vanish where a strategy
 * needs nothing (an object lock under the GIL compiles to no code at all).
 *
 * This file is the contract and the only place that names the strategies.
 * The object layer never tests which one it is built with: where it must
 * behave differently it asks a capability (RCS_THREAD_SAFE, ...). A CI check
 * (tests/no_strategy_ifdef_test.sh) keeps it so.
 *
 * The four strategies (see docs/seam.md for the long form):
 *   gil          one global lock, taken by every attached thread; plain
 *                counts; object locks are empty.
 *   finegrained  no global lock; atomic counts; a small lock per object.
 *   biased       (target //:nogil) no global lock; biased counts (the owner
 *                thread counts plainly, others atomically in a second
 *                field); per-object locks for writers, lock-free readers with
 *                safe reclamation (CPython's PEP 703).
 *   nolock       no protection at all. Unsafe with more than one thread; it
 *                exists only so the benchmarks can show what protection costs.
 *
 * ------------------------------------------------------------------------
 * The contract. "Cost" lines give gil / finegrained / biased / nolock.
 *
 * Capabilities (integer constant expressions, 0 or 1):
 *   RCS_NAME            "gil", "finegrained", "nogil" or "nolock"; reports only.
 *   RCS_THREAD_SAFE     several attached threads may use the runtime.
 *   RCS_PARALLEL        attached threads run object code at the same time.
 *   RCS_LOCKFREE_READS  container reads may run beside a writer.
 *
 * Object header fields:
 *   rcs_header                  the strategy's part of every object header
 *                               (the count, and whatever else it needs).
 *   RCS_HEADER_IMMORTAL_INIT    static initialiser of an immortal header.
 *   void rcs_header_init(rcs_header *h)
 *       post: count 1, owned by the calling thread, no other state.
 *       Plain stores: the object is not yet published to any other thread.
 *
 * Reference counts. pre: the caller is attached and holds a reference (or,
 * for try_incref, may reach the object through a published slot).
 *   void rcs_incref(rcs_header *h)
 *       post: count + 1; immortal headers are not written.
 *       Cost: plain add / atomic add / plain add by the owner, atomic add by
 *       others / plain add. Ordering: relaxed (a new reference is only ever
 *       made from an existing one, which orders it).
 *       Also allowed on a count that just reached 0, by the thread that is
 *       deallocating the object, to resurrect it while a finalizer runs.
 *   bool rcs_decref(rcs_header *h)
 *       post: count - 1. Returns true when the caller dropped the last
 *       reference: the object is then exclusively the caller's, to deallocate.
 *       The seam never calls back into the object layer here, so the
 *       dependency stays one-way. Ordering: release on the decrement, acquire
 *       before returning true, so the deallocating thread sees every write
 *       made while others held references.
 *   bool rcs_try_incref(rcs_header *h)
 *       For lock-free readers: takes a reference only if the object is not
 *       being freed (count already 0). Returns false otherwise.
 *       pre: the memory behind h is still a header, not freed to the system
 *       (guaranteed by rcs_retire below under the strategies whose readers
 *       run beside writers).
 *   int64_t rcs_refcount(const rcs_header *h)
 *       The current count, for the collector and for debugging; RCS_IMMORTAL_COUNT
 *       for immortal objects. Exact only when no other thread changes it.
 *   void rcs_make_immortal(rcs_header *h)
 *       pre: no other thread can reach h yet. post: no incref or decref ever
 *       writes h again, and rcs_decref never returns true for it.
 *   bool rcs_is_immortal(const rcs_header *h)
 *
 * Object locks. Critical sections on one or two objects; under the GIL (and
 * nolock) they compile to nothing.
 *   void rcs_lock(rcs_header *h) / void rcs_unlock(rcs_header *h)
 *       pre: the caller is attached and does not hold h's lock already.
 *       A thread that must wait passes through the blocking point, so a
 *       waiting thread never holds up a stop-the-world request.
 *   void rcs_lock2(rcs_header *a, rcs_header *b) / rcs_unlock2(a, b)
 *       Both locks, deadlock-free: a == b takes one lock; otherwise the
 *       lower address is locked first, so every thread agrees on the order.
 *
 * Fields read without the object lock (RCS_LOCKFREE_READS):
 *   void *rcs_load_shared_ptr(void *const *pp)
 *       acquire: pairs with the release in rcs_store_shared_ptr, so a
 *       reader that sees a new item array also sees it filled.
 *   void rcs_store_shared_ptr(void **pp, void *v)
 *       release. Plain loads and stores where readers take the lock too.
 *   The lock-free read window (from loading a container's storage to
 *   re-checking the slot after rcs_try_incref) never calls rcs_lock,
 *   rcs_decref, rcs_retire or rcs_checkpoint. So each of those calls is a
 *   quiescent point for its thread, which the biased strategy's reclamation
 *   relies on (a lock wait and a retire count as quiescent).
 *
 * Threads. A thread must be attached to touch objects.
 *   int rcs_runtime_start(const rcs_hooks *hooks)
 *       pre: not started. post: started, and the caller is attached.
 *       Returns 0, or -1 if the strategy cannot start (errno-style reason in
 *       the object layer's error slot).
 *   void rcs_runtime_stop(void)
 *       pre: the caller is the only attached thread. post: not started;
 *       the caller is detached.
 *   void rcs_thread_flush(void)
 *       pre: attached; called once by the object layer as the thread
 *       detaches, while it can still deallocate (rci_current is set).
 *       Finishes the thread's deferred work: under biased, merges its merge
 *       queue (freeing what reaches 0 through rcs_hooks.dealloc), seals the
 *       queue so other threads merge its objects themselves from then on,
 *       and hands its deferred frees to the others. Nothing elsewhere.
 *   int rcs_thread_attach(void) / void rcs_thread_detach(void)
 *       Attach blocks until the thread may run object code (under the GIL:
 *       until it holds the GIL). Detach gives that up.
 *   void rcs_allow_threads_begin(void) / void rcs_allow_threads_end(void)
 *       The release region around a blocking call (Py_BEGIN_ALLOW_THREADS).
 *       Inside it the thread must not touch objects; it counts as paused for
 *       stop-the-world and as quiescent for safe reclamation.
 *   void rcs_checkpoint(void)
 *       A cheap periodic call from an interpreter loop: one load and a
 *       branch when nothing is pending. Where the GIL changes hands on
 *       request, merges biased counts, pauses for stop-the-world, and marks
 *       a quiescent point.
 *   bool rcs_thread_is_attached(void)
 *       True when the calling thread may touch objects now: attached, and
 *       not inside the release region.
 *   void rcs_set_switch_interval_ns(uint64_t ns) / uint64_t rcs_switch_interval_ns(void)
 *       How long a GIL waiter waits before asking the holder to drop it.
 *       Strategies without a global lock keep the value and ignore it.
 *   void rcs_get_stats(rcs_stats *out)
 *       Counters since rcs_runtime_start (zeros where not applicable).
 *
 * Stop the world (the collector's pause):
 *   void rcs_stop_world(void) / void rcs_start_world(void)
 *       pre: attached. post of stop: no other attached thread runs object
 *       code until start. Under the GIL holding the GIL already gives this.
 *
 * Runtime-wide structures (the collector's lists, the weak-reference lists):
 *   void rcs_runtime_lock(void) / void rcs_runtime_unlock(void)
 *       One lock for the object layer's own shared structures. Held briefly,
 *       never across a blocking call or object code. A no-op for the thread
 *       that has stopped the world, so the collector can free objects while
 *       a paused thread is about to take it. Empty under gil (the GIL
 *       already excludes everyone) and nolock.
 *
 * Safe reclamation:
 *   void rcs_retire(void *p, void (*free_fn)(void *))
 *       Frees p with free_fn once no lock-free reader can still be looking
 *       at it. Immediately, where readers take locks (gil, finegrained,
 *       nolock); after every thread has passed a quiescent point (biased).
 * ------------------------------------------------------------------------
 */
#ifndef RC_LOCKING_STRATEGY_H
#define RC_LOCKING_STRATEGY_H

#include <stdbool.h>
#include <stdint.h>

/* Callbacks from a strategy up to the object layer, for work it defers (for
 * example a biased count merged to zero on the owner's thread). Passed to
 * rcs_runtime_start, so that locking/ depends on nothing above it. */
typedef struct rcs_hooks {
    /* The object whose header is h lost its last reference: deallocate it. */
    void (*dealloc)(void *header);
} rcs_hooks;

/* Strategy counters. Fields a strategy has no use for stay zero. */
typedef struct rcs_stats {
    uint64_t switches;      /* the global lock changed hands */
    uint64_t forced_drops;  /* the holder dropped it because a waiter asked */
    uint64_t drop_requests; /* a waiter asked the holder to drop it */
    uint64_t wait_ns;       /* total time threads waited for the global lock */
    uint64_t lock_waits;    /* object-lock acquisitions that had to wait */
    /* Biased counting (//:nogil) only: */
    uint64_t shared_ops;    /* count changes by a non-owner thread (atomic) */
    uint64_t merges;        /* local + shared counts merged (owner gave up an object) */
    uint64_t queued;        /* objects handed to their owner's merge queue */
} rcs_stats;

/* The operations every strategy implements out of line (in its .c); the
 * rest of the contract is each strategy's own header, inline where it can
 * be. Documented above. */
int rcs_runtime_start(const rcs_hooks *hooks);
void rcs_runtime_stop(void);
int rcs_thread_attach(void);
void rcs_thread_detach(void);
void rcs_allow_threads_begin(void);
void rcs_allow_threads_end(void);
void rcs_set_switch_interval_ns(uint64_t ns);
uint64_t rcs_switch_interval_ns(void);
void rcs_get_stats(rcs_stats *out);

/* The count that rcs_refcount reports for an immortal object. */
#define RCS_IMMORTAL_COUNT INT64_MAX

#if defined(RCS_STRATEGY_GIL)
#include "locking/gil/gil.h"
#elif defined(RCS_STRATEGY_FINEGRAINED)
#include "locking/finegrained/finegrained.h"
#elif defined(RCS_STRATEGY_BIASED)
#include "locking/biased/biased.h"
#elif defined(RCS_STRATEGY_NOLOCK)
#include "locking/nolock/nolock.h"
#else
#error "build against exactly one strategy target under //locking"
#endif

#endif /* RC_LOCKING_STRATEGY_H */
