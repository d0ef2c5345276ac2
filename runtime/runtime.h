/*
 * runtime/runtime.h -- starting the runtime, and threads.
 *
 * A thread must be *attached* to touch objects. rc_runtime_start attaches
 * the thread that calls it; every other OS thread calls rc_thread_attach
 * before its first object operation and rc_thread_detach before it exits.
 * What "attached" means depends on the strategy the program links: under
 * //:gil an attached thread holds the global lock, and other attached threads
 * wait for it; threads take turns at rc_checkpoint.
 *
 * Two calls let other threads run:
 *   - rc_checkpoint(): call it often from long-running loops (an interpreter
 *     calls it on backward jumps and calls). It costs one load and a branch
 *     when nothing is pending.
 *   - RC_BEGIN_ALLOW_THREADS / RC_END_ALLOW_THREADS around a blocking call
 *     (I/O, sleep, a pure C computation). Between them the thread must not
 *     touch any object, not even to count a reference.
 */
#ifndef RC_RUNTIME_RUNTIME_H
#define RC_RUNTIME_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "locking/strategy.h"
#include "runtime/abi.h"
#include "runtime/error.h"

/* The name of the strategy this program is linked with: "gil", ... */
#define RC_STRATEGY_NAME RCS_NAME
/* Capabilities of that strategy (1 or 0); see locking/strategy.h. */
#define RC_THREAD_SAFE RCS_THREAD_SAFE
#define RC_PARALLEL RCS_PARALLEL
#define RC_LOCKFREE_READS RCS_LOCKFREE_READS

/* Starts the runtime and attaches the calling thread.
 * Errors: RC_ESTATE if it is already started; RC_ENOMEM. */
rc_status rc_runtime_start(void);

/* Stops the runtime: frees the objects made immortal with rc_immortalize
 * (refcount/refcount.h; if there are any, a full collection runs with them,
 * see refcount/immortal.c), interned strings and the runtime's own memory,
 * and detaches the calling thread. If objects are still alive it prints
 * a report per type to stderr and returns RC_ELEAK (it stops all the same).
 * pre: the caller is attached and is the only attached thread; otherwise
 * RC_ESTATE and nothing happens. The runtime may be started again later. */
rc_status rc_runtime_stop(void);

/* Attaches the calling OS thread; blocks until it may run object code.
 * Errors: RC_ESTATE if the runtime is not started or the thread is already
 * attached; RC_ENOMEM. */
rc_status rc_thread_attach(void);

/* Detaches the calling thread. Its references stay valid: objects belong to
 * the runtime, not to threads. Errors: RC_ESTATE if it is not attached. */
rc_status rc_thread_detach(void);

/* True if the calling thread may touch objects now (attached, and not in a
 * release region). */
bool rc_thread_is_attached(void);

/* Internal, for rc_checkpoint: the calling thread holds borrowed items or
 * owes deferred drops (runtime/borrow.c). */
extern _Thread_local bool rci_borrow_work;
void rci_borrow_checkpoint(void);

/* The checkpoint. pre: attached. Never fails. It is a quiescent point of
 * borrowing: it ends the calling thread's borrowed items (see
 * rc_release_borrows). */
static inline void rc_checkpoint(void) {
    /* Without parallel threads nothing is ever deferred or held open
     * (runtime/runtime_internal.h, borrowed reads): no test at all. */
    if (RC_PARALLEL && __builtin_expect(rci_borrow_work, 0))
        rci_borrow_checkpoint();
    rcs_checkpoint();
}

/* ---- borrowed reads ---------------------------------------------------------
 * rc_list_get_borrowed and rc_dict_get_borrowed return an item without a
 * reference of the caller's: "Returns: lent". A lent item stays valid until
 * the calling thread's next quiescent point of borrowing: rc_checkpoint,
 * RC_BEGIN_ALLOW_THREADS, rc_release_borrows or rc_thread_detach, provided
 * that meanwhile the caller keeps its reference to the container and does
 * not itself remove the item from it. Other calls may come between, one
 * that passes the item on included (rc_list_append(other, item) takes its
 * own reference, even if it waits for the other list's lock), except that
 * code of the program's own which a call runs (a dealloc slot or finalizer
 * run by a decref or a collection, a key's equality) and which reaches a
 * quiescent point ends the borrows as well. To keep the item past the
 * quiescent point, take a reference (rc_incref) before it. Never rc_decref
 * a lent item.
 *
 * Why: the read writes nothing shared, not even the item's count, so
 * threads reading one shared container do not contend (a counted read
 * under //:nogil writes the item's count with an atomic add, and readers
 * of one hot item then serialise on its cache line). The price is paid by
 * writers of a container that was ever read this way: the drop of an item
 * they remove or replace waits until every thread that may have read it
 * passes a quiescent point (runtime/borrow.c), so a thread that borrows
 * and never reaches one holds those items alive. The contract is the same
 * under every strategy; under //:gil, where no other thread runs while this
 * one holds borrows, nothing waits and a borrowed read costs no more than a
 * plain one (runtime/runtime_internal.h, borrowed reads).
 *
 * Debug builds (--config=debug) catch a borrow kept too long once its
 * container has dropped the item: the item is then quarantined as freed,
 * and the kept borrow's next rc_incref or rc_decref aborts with a message
 * that names borrowing (refcount/debug.c). While the item is still in its
 * container a kept borrow is a valid pointer and is not caught. */

/* Ends the calling thread's borrowed items now (they are no longer valid),
 * and drops the items removed from lent containers, by this thread or by
 * threads that have detached since, that no thread can hold any more.
 * pre: attached; otherwise nothing happens. */
void rc_release_borrows(void);

/* The release region. pre: attached, outside any release region, holding
 * no object lock. Between the two calls the thread must not touch objects.
 * Prefer the macros: their braces make an unbalanced pair a compile error. */
void rc_allow_threads_begin(void);
void rc_allow_threads_end(void);

#define RC_BEGIN_ALLOW_THREADS                                                           \
    {                                                                                    \
        rc_allow_threads_begin();
#define RC_END_ALLOW_THREADS                                                             \
    rc_allow_threads_end();                                                              \
    }

/* ---- entering the runtime from a callback -----------------------------------
 * A callback that a library calls on a thread of its own, or on a host
 * thread inside the release region, enters the runtime with one call and
 * leaves it with another, as CPython's PyGILState_Ensure / Release:
 *
 *     rc_ensured g;
 *     if (rc_thread_ensure(&g) != RC_OK)
 *         return;                  // rc_error_message() says why
 *     ... touch objects ...
 *     rc_thread_restore(&g);
 *
 * rc_thread_ensure makes the calling thread able to touch objects from any
 * state: an unattached thread is attached (rc_thread_attach), a thread in
 * the release region leaves it (rc_allow_threads_end: under //:gil it
 * waits for the global lock), an attached thread is left as it is.
 * rc_thread_restore puts the thread back as it was: it detaches, re-enters
 * the release region, or does nothing. Pairs nest: restore the innermost
 * first. A thread the runtime attached for an ensure holds its per-thread
 * state only until the matching restore, so a callback that runs often on
 * one foreign thread pays an attach and a detach each time.
 *
 * rc_ensured is the caller's record of one ensure: keep it on the stack
 * and read none of its fields. Each call concerns the calling thread
 * only; any thread may call them. */
typedef struct rc_ensured {
    const void *thread; /* the ensuring thread (private) */
    uint32_t depth;     /* its open ensures, this one included (private) */
    int prior;          /* the state to restore (private) */
} rc_ensured;

/* Fills *state and returns RC_OK with the thread able to touch objects.
 * Errors (*state then restores nothing and restore refuses it): RC_ESTATE
 * if the runtime is not started (and the thread was not attached);
 * RC_ENOMEM (attaching); RC_EVALUE if state is NULL. */
rc_status rc_thread_ensure(rc_ensured *state);

/* Undoes the rc_thread_ensure that filled *state, and clears *state.
 * pre: the thread may touch objects (as the ensure left it), holds no
 * object lock when it goes back to the release region, and *state is the
 * innermost ensure of this thread not yet restored. Errors, with nothing
 * changed: RC_ESTATE for a state that is not that (never ensured, failed,
 * restored already, out of order, from another thread; a copy of a
 * record kept past its restore is caught only until the thread's ensures
 * reach the same depth again), or for a thread
 * that is not attached or is in the release region; RC_EVALUE if state is
 * NULL. */
rc_status rc_thread_restore(rc_ensured *state);

/* ---- fork --------------------------------------------------------------------
 * A process that uses the runtime forks with rc_fork, not fork(2): the
 * child gets a runtime it can go on using, with every object the parent
 * had (a copy) and the calling thread attached, as it was in the parent.
 *
 * The rule that makes the child sound: the caller must be the only thread
 * attached to the runtime (others joined, or detached; a thread inside the
 * release region is still attached). Every lock of the runtime is then
 * free or the caller's, so none is left held by a thread that does not
 * exist in the child. rc_fork checks it, and also that no thread is part
 * way through attaching or detaching at that moment.
 *
 * Flush stdio buffers before the call, as with fork(2), or the child
 * prints their contents a second time. The child may start threads and
 * fork again. It usually ends with _exit: the parent's objects are alive
 * in its copy too, so an rc_runtime_stop there reports them as leaks
 * unless the child drops its references first.
 *
 * *pid: the child's process id in the parent, 0 in the child.
 * Errors, with no process made: RC_ESTATE if the caller is not attached
 * (or is in the release region), if another thread is attached, or if
 * one is attaching or detaching (or reading the runtime's counters); RC_EOS if fork(2) failed (the message
 * says why); RC_EVALUE if pid is NULL. */
rc_status rc_fork(int64_t *pid);

/* The switch interval: how long a thread waiting for the global lock waits
 * before asking the holder to drop it (default 5 ms). Strategies without a
 * global lock keep the value and ignore it. Any thread may call these.
 * seconds must be above 0 and at most RC_SWITCH_INTERVAL_MAX; the interval
 * is kept in whole nanoseconds, so a value below 1 ns becomes 1 ns.
 * Errors: RC_EVALUE for 0, a negative value, NaN, infinity or a value
 * above the maximum (the interval is then unchanged). */
#define RC_SWITCH_INTERVAL_MAX 60.0
rc_status rc_set_switch_interval(double seconds);
double rc_switch_interval(void);

/* Counters since rc_runtime_start: the global lock's, the object locks',
 * and under //:nogil the cost of sharing and of deferred freeing. Each
 * field is documented once, on rcs_stats in locking/strategy.h. Fields the
 * strategy has no use for are 0. Any attached thread may call it. */
typedef rcs_stats rc_runtime_stats;

void rc_runtime_get_stats(rc_runtime_stats *out);

/* ---- hot shared objects ------------------------------------------------------
 * Which objects cost the most shared counting: under //:nogil a reference
 * count change by a thread other than the object's owner (the thread that
 * made it) is an atomic operation on a cache line other threads write too,
 * and one object counted from many threads (a shared dict, a module-level
 * constant) can dominate the threads' run time. The strategy switches such
 * objects to per-thread counts by itself (docs/seam.md; the stats'
 * per_thread_starts), at the price of finding their zero only at the next
 * stop of the world while several threads run; for an object that lives
 * as long as the program, rc_immortalize is cheaper still.
 *
 * An entry (rcs_hot_object, locking/strategy.h): the object's address, its
 * type's name, and the number of samples. The report is approximate:
 *   - each thread samples about one in 256 of its non-owner count operations
 *     (at random gaps), so samples * 256 estimates the operations, and
 *     objects counted only a few hundred times may be missing; an object
 *     that counts per thread is counted exactly instead, and its operations
 *     join the report (as samples of the same weight) when the world next
 *     stops or a thread that counted it detaches;
 *   - each thread keeps the 16 objects it sampled most, so an object that
 *     is hot only in aggregate, across many threads, can be missed, and a
 *     count can be too high by what an evicted entry had;
 *   - it covers the threads attached since rc_runtime_start, exited ones
 *     included, and is reset by the next start;
 *   - the object may have been freed since it was sampled, and its address
 *     reused: compare the address with the objects you hold, never
 *     dereference it.
 * Other strategies have no owner to count against and report nothing. */
typedef rcs_hot_object rc_hot_object;

/* Fills out[0 .. n-1] with the hottest objects, most samples first, and
 * returns n (0 <= n <= max; 0 when nothing was sampled, and under the
 * strategies other than //:nogil). max == 0 returns 0, and out may then be
 * NULL. Errors: RC_EVALUE if max < 0, or if out is NULL and max > 0. Any
 * thread may call it, attached or not, while other threads run. */
int rc_runtime_hot_objects(rc_hot_object *out, int max);

/* ---- live objects ----------------------------------------------------------
 * Every allocated object is counted per type, on the thread that allocates or
 * frees it, and summed when read, so counting never becomes a write that all
 * threads share. Immortal objects are not counted. */

/* Objects alive now, all types together. Any thread may call it; with other
 * threads running the answer is a snapshot. */
int64_t rc_live_objects(void);

/* The objects of one type alive now (see rc_type in objects/object.h). */
struct rc_type;
int64_t rc_live_objects_of(const struct rc_type *type);

/* ---- memory ------------------------------------------------------------------
 * The runtime's allocator, for code built on refcore (refpy allocates its
 * tokens and bytecode here): the allocator the objects use (mimalloc, or
 * the system's under the sanitizer configs), counted by the failure
 * injection below. On failure the allocating calls return NULL with
 * RC_ENOMEM and a message in the error slot; rc_mem_realloc then leaves p
 * as it was. Memory from them must be freed with rc_mem_free (NULL is
 * allowed), never with free(). Any thread may call them, attached or not. */
void *rc_mem_alloc(size_t size);
void *rc_mem_calloc(size_t size); /* zeroed */
void *rc_mem_realloc(void *p, size_t size);
void rc_mem_free(void *p);

/* ---- testing hooks ----------------------------------------------------------
 * Makes the n-th allocation from now on the calling thread fail with
 * RC_ENOMEM (n >= 1); n == 0 turns it off. Every allocation of the runtime
 * counts, whatever it is for: objects and their buffers, the strategy's
 * thread records and queues, the runtime's own tables (thread states, the
 * intern table, the collector's, the immortal registry), and rc_mem_alloc.
 * For out-of-memory tests. */
void rc_testing_fail_alloc_after(int64_t n);

/* The allocations left before the injected failure (0: none pending). */
int64_t rc_testing_alloc_countdown(void);

#endif /* RC_RUNTIME_RUNTIME_H */
