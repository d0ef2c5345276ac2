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
 *   RCS_ABI_NAME        the same name as a bare identifier: runtime/abi.h
 *                       pastes it into the symbol that ties a program to
 *                       the variant it was compiled for.
 *   RCS_THREAD_SAFE     several attached threads may use the runtime.
 *   RCS_PARALLEL        attached threads run object code at the same time.
 *   RCS_LOCKFREE_READS  container reads (rc_list_get, rc_dict_get,
 *                       rc_dict_contains) take no lock and may run beside a
 *                       writer: the protocol is in objects/list.c and
 *                       objects/dict.c. Layout: rcs_header then keeps no
 *                       count in its first pointer-sized word, which
 *                       runtime/memory.c's block cache overwrites with its
 *                       free-list link while a reader may still
 *                       try-increment the dead object (the strategy's
 *                       header checks it with _Static_assert).
 *   RCS_OWNED_COUNTS    counts have an owner thread (biased): a strategy
 *                       that sets it defines rcs_is_owner, rcs_thread_flush,
 *                       rcs_settle_counts, rcs_hot_objects and
 *                       rcs_count_per_thread; otherwise this file gives
 *                       their do-nothing defaults (the end of the file), so
 *                       no strategy carries a stub. Only the strategies
 *                       read it.
 *   RCS_SWITCH_INTERVAL a global lock changes hands on a timer (gil): the
 *                       strategy defines rcs_set_switch_interval_ns;
 *                       elsewhere this file's default ignores the value.
 *                       The object layer keeps the value that
 *                       rc_switch_interval reads back (runtime/lifecycle.c).
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
 *       being freed (count already 0). Returns false otherwise, and also
 *       (biased) for a live object that only its owner ever counted, unless
 *       the caller is that owner or rcs_allow_try_incref was called on it:
 *       such an object may be on its way to a free with no atomic operation.
 *       A reader that gets false takes the object's lock instead.
 *       pre: the memory behind h is still a header, not freed to the system
 *       and not reused for anything but another object's header at the same
 *       place. The object layer guarantees it where RCS_LOCKFREE_READS is
 *       set: object memory is only reused as object memory, and leaves for
 *       the system through rcs_retire (runtime/memory.c). A freed header's
 *       count stays 0 (or merged-to-0), which makes the try fail.
 *   void rcs_allow_try_incref(rcs_header *h)
 *       pre: the caller holds a reference. post: rcs_try_incref succeeds
 *       on any thread for as long as the count is above 0 (weak references
 *       need it: they have no lock to fall back on). Biased: raises the
 *       state to MAYBE_WEAKREF, once (CPython's _PyObject_SetMaybeWeakref);
 *       no-op elsewhere.
 *   int64_t rcs_refcount(const rcs_header *h)
 *       The current count, for the collector and for debugging; RCS_IMMORTAL_COUNT
 *       for immortal objects. Exact only when no other thread changes it.
 *   void rcs_make_immortal(rcs_header *h)
 *       pre: no other thread can reach h yet, or the caller has stopped the
 *       world (rcs_stop_world below): every other thread is then paused
 *       between operations, none is part way through counting h, and
 *       nothing the strategy defers still holds a count of h (biased: the
 *       stop merged every merge queue). The restart orders the change for
 *       them. post: no incref or decref ever writes h again, and rcs_decref
 *       never returns true for it. Nothing makes h mortal again: the object
 *       layer frees an object made immortal this way without its count
 *       (refcount/immortal.c).
 *   bool rcs_is_immortal(const rcs_header *h)
 *   bool rcs_is_owner(const rcs_header *h)
 *       Whether the calling thread owns h: its id is the owner in h's
 *       header (biased). false where counts have no owner (gil,
 *       finegrained, nolock: this file's default), for a thread that is
 *       not attached, and for an immortal or merged object (no owner).
 *       Ownership only ever ends (a merge or rcs_make_immortal sets the
 *       owner to none); no thread gains it after rcs_header_init. So at
 *       any moment the only thread for which it can be true is the one
 *       that made h. The object layer relies on that to free a private
 *       container's old buffer at once (objects/object_internal.h, "the
 *       shared mark"). Cost: nothing / nothing / one relaxed load and a
 *       compare / nothing.
 *
 * Object locks. Critical sections on one or two objects; under the GIL (and
 * nolock) they compile to nothing.
 *   void rcs_lock(rcs_header *h) / void rcs_unlock(rcs_header *h)
 *       pre: the caller is attached. It may hold h's lock already: the
 *       lock then nests, and only the outermost unlock releases it (as
 *       CPython's critical sections; every strategy, so that code that
 *       works under the GIL works without it). Unlocks in the reverse
 *       order of the locks. A thread that must wait passes through the
 *       blocking point, so a waiting thread never holds up a
 *       stop-the-world request. Cost: nothing / one CAS each way /
 *       nothing atomic for the object's owner until another thread first
 *       locks it, one CAS each way after that (biased: the first other
 *       thread waits for the owner's next checkpoint or blocking point,
 *       locking/lock/object_locks.h) / nothing.
 *   void rcs_lock2(rcs_header *a, rcs_header *b) / rcs_unlock2(a, b)
 *       Both locks, deadlock-free: a == b takes one lock; otherwise the
 *       lower address is locked first, so every thread agrees on the order.
 *       Either may be held by the caller already (it nests); if the caller
 *       holds the higher one and must wait for the lower, it releases the
 *       higher while it waits, so the outer section is not exclusive
 *       across that wait.
 *
 * Fields read without the object lock (RCS_LOCKFREE_READS):
 *   void *rcs_load_shared_ptr(void *const *pp)
 *       acquire: pairs with the release in rcs_store_shared_ptr, so a
 *       reader that sees a new item array also sees it filled.
 *   void rcs_store_shared_ptr(void **pp, void *v)
 *       release. Plain loads and stores where readers take the lock too.
 *   rcs_lockfree_load(p, order) / rcs_lockfree_store(p, v, order)
 *       The same for a scalar field of any integer type (a dict's index
 *       entries): an atomic access with the given C11 memory order where
 *       RCS_LOCKFREE_READS, a plain one elsewhere (every reader holds the
 *       lock). Macros, being type-generic; defined below for every
 *       strategy.
 *   The lock-free read window (from loading a container's storage to
 *   re-checking the slot after rcs_try_incref) never calls rcs_lock,
 *   rcs_decref, rcs_retire or rcs_checkpoint. So each of those calls is a
 *   quiescent point for its thread, which the biased strategy's reclamation
 *   relies on (a lock wait and a retire count as quiescent).
 *
 * Fields shared without any lock:
 *   rcs_shared_load(p, order) / rcs_shared_store(p, v, order)
 *   rcs_shared_fetch_or(p, v, order) / rcs_shared_fetch_and(p, v, order)
 *       A plain scalar field (integer or bool) that threads read and write
 *       with no lock in common: a string's cached hash, a type's id, a
 *       list's size read as a snapshot, a thread's live counts, the
 *       collector's flag bits, the lent flags. Atomic, with the given C11
 *       memory order, in every strategy: some of these a thread reads
 *       without being attached (a type's id, live counts), which even the
 *       GIL does not order. The fetch forms return the old value. The
 *       caller argues the order at the call site. Macros (type-generic),
 *       defined below.
 *
 * A lock not attached to an object:
 *   rcs_lock_word
 *       For the object layer's own structures that one thread mostly uses
 *       (the collector's per-thread young lists). Same semantics and cost
 *       as an object lock (nests; no-op for the thread that stopped the
 *       world; nothing under gil and nolock; biased to the thread that
 *       initialised it under biased).
 *   void rcs_lock_word_init(rcs_lock_word *w)
 *       post: free. Plain stores: w is not yet shared.
 *   void rcs_lock_word_lock(rcs_lock_word *w) / rcs_lock_word_unlock(w)
 *       As rcs_lock / rcs_unlock.
 *   A strategy may define its own (RCS_LOCK_WORD); the default, below, is
 *   an object lock without the object.
 *
 * Threads. A thread must be attached to touch objects.
 *   int rcs_runtime_start(const rcs_hooks *hooks)
 *       pre: not started. post: started, and the caller is attached.
 *       Returns RCS_OK; RCS_ESTATE if already started; RCS_ENOMEM if memory
 *       ran out, and then the strategy is left not started, so that a later
 *       start can succeed. The object layer turns the codes into its errors.
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
 *       until it holds the GIL). Detach gives that up. Attach returns
 *       RCS_OK; RCS_ESTATE if not started or already attached; RCS_ENOMEM
 *       if memory ran out (the thread is then not attached).
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
 *   void rcs_set_switch_interval_ns(uint64_t ns)
 *       How long a GIL waiter waits before asking the holder to drop it
 *       (ns > 0). Only with RCS_SWITCH_INTERVAL; a no-op elsewhere.
 *   void rcs_get_stats(rcs_stats *out)
 *       Counters since rcs_runtime_start (zeros where not applicable).
 *   int rcs_hot_objects(rcs_hot_object *out, int max)
 *       The objects most often counted by threads other than their owner,
 *       to find a hot shared object. pre: out has room for max >= 1 entries.
 *       Writes up to max entries, most samples first, and returns how many.
 *       Approximate by design: a strategy samples the operations into a
 *       small table per thread (how biased does it: docs/seam.md; what the
 *       report can miss or overstate, for its users: rc_runtime_hot_objects
 *       in runtime/runtime.h). The report covers every thread attached
 *       since rcs_runtime_start, exited ones included; the reported
 *       objects may be freed by now, so nothing in an entry is ever
 *       dereferenced by the strategy (the type's name is recorded at
 *       sampling time, through rcs_hooks.type_name, while the sampling
 *       thread holds a reference). Any thread may call it.
 *       Returns 0 (no entries) under gil, finegrained and nolock, which have
 *       no owner to count against.
 *
 * Stop the world (the collector's pause):
 *   void rcs_stop_world(void) / void rcs_start_world(void)
 *       pre: attached. post of stop: no other attached thread runs object
 *       code until start. Under the GIL holding the GIL already gives this.
 *   void rcs_settle_counts(void)
 *       pre: the caller has stopped the world and may deallocate (the
 *       collector, before it reads counts; a nested stop must not follow).
 *       post: no count is deferred any more, and every object whose
 *       deferred counts took it to 0 has been deallocated (rcs_hooks.dealloc),
 *       so rcs_refcount is exact for every object until the world restarts
 *       and nothing is kept alive by the strategy alone. Biased: merges the
 *       merge queues and frees what they take to 0, until no queue has
 *       anything (freeing may queue more). Nothing elsewhere.
 *   bool rcs_count_per_thread(rcs_header *h)
 *       The caller knows that several threads will count h. pre: attached,
 *       holding a reference, the world not stopped, no object lock held
 *       (it may stop the world). Biased: switches h to per-thread counts
 *       (locking/biased/biased.c) with a stop of the world now, if at
 *       least two attached threads stay and a slot is free; returns whether
 *       h counts per thread on return. Unlike one the sampling switched, h
 *       stays in the mode while cold; it returns to shared counting when
 *       its last reference goes, at a collection, or when fewer than two
 *       threads stay. Others: false, and nothing happens (their counts
 *       have no owner to bypass).
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
 *       Counts as RCS_RETIRE_NOMINAL_BYTES toward the bound below.
 *   void rcs_retire_sized(void *p, size_t bytes, void (*free_fn)(void *))
 *       As rcs_retire, for a block of `bytes` bytes: use it for blocks that
 *       may be large (item arrays, hash tables), so the bound counts them.
 *   RCS_RETIRE_BOUND_BYTES (integer constant)
 *       The memory one thread holds for deferred freeing, in the bytes its
 *       retires declared, before it waits for the others: 0 where frees are
 *       immediate. Under biased a thread reclaims at least every 64 blocks
 *       or 128 KiB; past an eighth of the bound it also frees what is ripe
 *       at every retire and asks the threads that hold it back to report a
 *       quiescent point at their next checkpoint; past the bound it waits,
 *       offline like a lock wait (so the waited-for threads and a
 *       stop-the-world proceed; the caller may hold object locks, as it may
 *       while it waits for one) and for at most 50 ms, for them to pass.
 *       So a thread holds at most the bound plus the block that crossed it
 *       while every other attached thread reaches a quiescent point (a
 *       checkpoint, a lock wait, a release region, a reclaim of its own)
 *       within the wait. One that does not (a long loop with no checkpoint)
 *       lets it hold more: the retiring thread then goes on, and waits
 *       again only once it holds another 128 KiB.
 *   RCS_RETIRE_NOMINAL_BYTES
 *       What rcs_retire counts a block as (an object, or a small buffer).
 * ------------------------------------------------------------------------
 */
#ifndef RC_LOCKING_STRATEGY_H
#define RC_LOCKING_STRATEGY_H

#include <stdatomic.h> /* the memory orders of the rcs_shared_* and rcs_lockfree_* macros */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What rcs_runtime_start and rcs_thread_attach return. */
enum { RCS_OK = 0, RCS_ESTATE = -1, RCS_ENOMEM = -2 };

/* Memory: a strategy allocates through locking/alloc/alloc.h (rcs_mem_*),
 * the allocator the object layer uses too, so that the failure injection of
 * rc_testing_fail_alloc_after reaches the strategy's allocations. */

/* Callbacks from a strategy up to the object layer, for work it defers (for
 * example a biased count merged to zero on the owner's thread). Passed to
 * rcs_runtime_start, so that locking/ depends on nothing above it. */
typedef struct rcs_hooks {
    /* The object whose header is h lost its last reference: deallocate it. */
    void (*dealloc)(void *header);
    /* The name of the type of the object whose header is h, a string that
     * lives as long as the process (types are static). Called with a
     * reference to the object held, when a non-owner count is sampled for
     * rcs_hot_objects. NULL: names are not recorded. */
    const char *(*type_name)(void *header);
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
    uint64_t bias_ends;     /* object locks whose owner's bias another thread
                             * ended, by locking it (until then the owner takes
                             * its own locks with plain stores; biased only) */
    /* Per-thread counts (biased only): objects switched to them, objects
     * returned to shared counting, and (a level) how many count per thread
     * now. */
    uint64_t per_thread_starts, per_thread_ends, per_thread_objects;
    /* Deferred freeing (rcs_retire), biased only; the first two are levels,
     * in the bytes the retires declared, not counters: */
    uint64_t retired_bytes;      /* waiting to be freed now, all threads */
    uint64_t retired_peak_bytes; /* the most one thread held at once since start */
    uint64_t retire_waits;       /* times a thread waited at RCS_RETIRE_BOUND_BYTES */
    /* A level: per-thread records the strategy holds, in use or kept for
     * reuse (biased only: at most the most threads ever attached at once;
     * the other strategies keep their per-thread state in thread-locals). */
    uint64_t thread_records;
} rcs_stats;

/* One entry of rcs_hot_objects. */
typedef struct rcs_hot_object {
    /* The object's address (its header's) when it was sampled. It may have
     * been freed, and the address reused, since: compare it, never
     * dereference it. */
    const void *object;
    /* Its type's name, recorded when it was sampled; NULL if not known. */
    const char *type_name;
    /* Sampled non-owner count operations on it (increfs, decrefs and
     * try-increfs by threads other than its owner), summed over threads
     * (rc_runtime_hot_objects in runtime/runtime.h says what one weighs). */
    uint64_t samples;
} rcs_hot_object;

/* What rcs_retire counts a block as toward RCS_RETIRE_BOUND_BYTES. */
#define RCS_RETIRE_NOMINAL_BYTES 64

/* The operations every strategy implements out of line (in its .c); the
 * rest of the contract is each strategy's own header, inline where it can
 * be. Documented above. */
int rcs_runtime_start(const rcs_hooks *hooks);
void rcs_runtime_stop(void);
int rcs_thread_attach(void);
void rcs_thread_detach(void);
void rcs_allow_threads_begin(void);
void rcs_allow_threads_end(void);
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
/* A program outside Bazel gets here without the macro that chooses the
 * strategy: it must be the one the library it links was built with. */
#error "refcore: no locking strategy chosen. Define the one of the library you link: -DRCS_STRATEGY_GIL (librefcore-gil), -DRCS_STRATEGY_FINEGRAINED (librefcore-finegrained), -DRCS_STRATEGY_BIASED (librefcore-nogil) or -DRCS_STRATEGY_NOLOCK (librefcore-nolock); `pkg-config --cflags refcore-<variant>` gives it. In Bazel, depend on exactly one of //:gil, //:finegrained, //:nogil, //:nolock."
#endif

/* Safe reclamation. A strategy whose readers run beside writers defines
 * RCS_RETIRE_BOUND_BYTES and its own rcs_retire_sized (biased); where
 * readers lock, nothing can be looking at a retired block, so it is freed
 * at once and nothing is ever held. rcs_retire is the same call for every
 * strategy. */
#ifndef RCS_RETIRE_BOUND_BYTES
#define RCS_RETIRE_BOUND_BYTES 0
static inline void rcs_retire_sized(void *p, size_t bytes, void (*free_fn)(void *)) {
    (void)bytes;
    free_fn(p);
}
#endif

static inline void rcs_retire(void *p, void (*free_fn)(void *)) {
    rcs_retire_sized(p, RCS_RETIRE_NOMINAL_BYTES, free_fn);
}

/* The whole contract, declared once more now that the strategy has defined
 * it: a strategy whose operation, inline or not, has another signature
 * fails to compile here, not at the first call that happens to use it.
 * (A declaration with no storage class takes the linkage of the definition
 * before it, so static inline ones stay static inline.) */
void rcs_header_init(rcs_header *h);
void rcs_incref(rcs_header *h);
bool rcs_decref(rcs_header *h);
bool rcs_try_incref(rcs_header *h);
void rcs_allow_try_incref(rcs_header *h);
int64_t rcs_refcount(const rcs_header *h);
void rcs_make_immortal(rcs_header *h);
bool rcs_is_immortal(const rcs_header *h);
void rcs_lock(rcs_header *h);
void rcs_unlock(rcs_header *h);
void rcs_lock2(rcs_header *a, rcs_header *b);
void rcs_unlock2(rcs_header *a, rcs_header *b);
void rcs_checkpoint(void);
bool rcs_thread_is_attached(void);
void rcs_stop_world(void);
void rcs_start_world(void);
void rcs_runtime_lock(void);
void rcs_runtime_unlock(void);
void rcs_retire_sized(void *p, size_t bytes, void (*free_fn)(void *));

/* Scalars read or written without a lock (the contract above). GCC's
 * __atomic builtins, because C11's atomic_* take only _Atomic-qualified
 * objects, and these fields are plain ones: a field that lock-free readers
 * race with only where RCS_LOCKFREE_READS is a plain field elsewhere. */
#define rcs_shared_load(p, order) __atomic_load_n((p), (order))
#define rcs_shared_store(p, v, order) __atomic_store_n((p), (v), (order))
#define rcs_shared_fetch_or(p, v, order) __atomic_fetch_or((p), (v), (order))
#define rcs_shared_fetch_and(p, v, order) __atomic_fetch_and((p), (v), (order))

#if RCS_LOCKFREE_READS
#define rcs_lockfree_load(p, order) __atomic_load_n((p), (order))
#define rcs_lockfree_store(p, v, order) __atomic_store_n((p), (v), (order))
#else
#define rcs_lockfree_load(p, order) ((void)(order), *(p))
#define rcs_lockfree_store(p, v, order) ((void)(order), (void)(*(p) = (v)))
#endif

/* The pointer forms (the contract above), one definition for every
 * strategy. Acquire and release where RCS_LOCKFREE_READS: a reader that
 * sees a new array (or item) also sees it initialised. Plain elsewhere. */
static inline void *rcs_load_shared_ptr(void *const *pp) {
    return rcs_lockfree_load(pp, memory_order_acquire);
}
static inline void rcs_store_shared_ptr(void **pp, void *v) {
    rcs_lockfree_store(pp, v, memory_order_release);
}

/* A lock not attached to an object. The default is an object lock without
 * the object: a whole header, because where locks are biased (biased) the
 * bias is read from the header's owner field, and the lock's slow paths
 * find that field from the lock's address. A young list's 8 to 24 bytes,
 * one per thread, are not worth a second lock implementation. */
#ifndef RCS_LOCK_WORD
#define RCS_LOCK_WORD 0
typedef struct rcs_lock_word {
    rcs_header header;
} rcs_lock_word;
static inline void rcs_lock_word_init(rcs_lock_word *w) {
    rcs_header_init(&w->header);
}
static inline void rcs_lock_word_lock(rcs_lock_word *w) {
    rcs_lock(&w->header);
}
static inline void rcs_lock_word_unlock(rcs_lock_word *w) {
    rcs_unlock(&w->header);
}
#endif
void rcs_lock_word_init(rcs_lock_word *w);
void rcs_lock_word_lock(rcs_lock_word *w);
void rcs_lock_word_unlock(rcs_lock_word *w);

/* Counts with owners. A strategy whose counts have an owner thread
 * (biased) defines RCS_OWNED_COUNTS and the four operations below: other
 * threads' count operations are deferred (flushed at exit, settled before
 * a collection), sampled (hot objects) and may move to per-thread counts.
 * Elsewhere every count is exact at once and has no owner to bypass, and
 * these defaults are all there is to it (no thread owns anything). */
#ifndef RCS_OWNED_COUNTS
#define RCS_OWNED_COUNTS 0
static inline bool rcs_is_owner(const rcs_header *h) {
    (void)h;
    return false;
}
static inline void rcs_thread_flush(void) {}
static inline void rcs_settle_counts(void) {}
static inline int rcs_hot_objects(rcs_hot_object *out, int max) {
    (void)out;
    (void)max;
    return 0;
}
static inline bool rcs_count_per_thread(rcs_header *h) {
    (void)h;
    return false;
}
#endif
bool rcs_is_owner(const rcs_header *h);
void rcs_thread_flush(void);
void rcs_settle_counts(void);
int rcs_hot_objects(rcs_hot_object *out, int max);
bool rcs_count_per_thread(rcs_header *h);

/* The switch interval. Only a global lock that changes hands on a timer
 * has a use for it (gil defines RCS_SWITCH_INTERVAL); elsewhere the value
 * is ignored, and the object layer alone keeps it for reading back. */
#ifndef RCS_SWITCH_INTERVAL
#define RCS_SWITCH_INTERVAL 0
static inline void rcs_set_switch_interval_ns(uint64_t ns) {
    (void)ns;
}
#endif
void rcs_set_switch_interval_ns(uint64_t ns);

#endif /* RC_LOCKING_STRATEGY_H */
