/*
 * refcount/refcount.h -- reference counting, and the ownership rules that
 * every public function's documentation refers to.
 *
 * ---- ownership vocabulary ---------------------------------------------------
 *
 * A *reference* is the right to use an object, counted in its header. The
 * object is freed when its last reference is dropped.
 *
 *   new reference       "Returns: a new reference". The caller owns it and
 *                       must drop it with rc_decref (or pass it on to a
 *                       call that steals it).
 *   borrowed reference  "Returns: borrowed". The caller may use the object
 *                       while whatever lent it (a tuple the caller holds, for
 *                       instance) keeps it alive, and must not decref it.
 *                       Arguments are borrowed unless the function says
 *                       otherwise: the callee takes its own reference if it
 *                       keeps the object.
 *   stolen reference    A function whose name ends in _steal takes over the
 *                       caller's reference to that argument, also when it
 *                       fails; the caller must not decref it afterwards.
 *   lent item           "Returns: lent" (rc_list_get_borrowed,
 *                       rc_dict_get_borrowed). A borrowed reference that
 *                       stays valid until the calling thread's next
 *                       quiescent point of borrowing, whatever other threads
 *                       do to the container: see "borrowed reads" in
 *                       runtime/runtime.h.
 *
 * Other reads from mutable containers (rc_list_get, rc_dict_get,
 * iteration) return new references: under a free-threaded strategy another
 * thread may remove the item and free it at any moment, so a plain
 * borrowed item would be unsafe the instant it was returned. The lent
 * reads are safe because the container's writers defer their drops.
 *
 * ---- immortal objects -------------------------------------------------------
 *
 * None, True, False, the small ints (-5..256) and interned strings are
 * immortal: counting them changes nothing and they are never freed while the
 * runtime runs. Code need not know which objects are immortal; it counts as
 * usual and the count simply does not move.
 *
 * rc_immortalize makes any object immortal, for objects that every thread
 * counts (a function every thread calls, a constant every thread loads):
 * the count of an immortal object is never written, by any thread, so it
 * cannot become a contention point. Under //:nogil counting a mortal object
 * costs every thread but its owner an atomic add on the object's shared
 * count; under //:finegrained every thread pays one, on the same cache line.
 * An immortal container's items are still counted as usual, and its
 * contents and lock are still written by whoever changes it.
 *
 * ---- debug checks (--config=debug, RC_DEBUG >= 1) ---------------------------
 *
 * A decref of a freed object, a count going below zero, and counting from a
 * thread that is not attached print the object and the call site, then
 * abort, instead of corrupting memory silently. To catch decrefs of freed
 * objects, a debug build keeps freed memory in a per-thread quarantine for a
 * while before giving it back.
 */
#ifndef RC_REFCOUNT_REFCOUNT_H
#define RC_REFCOUNT_REFCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "locking/strategy.h"
#include "objects/object.h"
#include "runtime/compiler.h"

#ifndef RC_DEBUG
#define RC_DEBUG 0
#endif

/* Deallocates an object whose last reference was just dropped: calls its
 * type's dealloc slot and frees it, through a per-thread work list so that
 * freeing a structure nested a million deep uses no C stack. Not for direct
 * use: rc_decref calls it. */
void rci_dealloc(rc_object *o);

/* Debug-build checks behind rc_incref/rc_decref (no-ops otherwise). */
void rci_debug_check_ref(rc_object *o, bool is_decref, const char *file, int line);
/* Debug builds: rc_decref for a container that lent o, so that o, if this
 * frees it, is quarantined as a freed lent item (refcount/debug.c). */
void rci_debug_drop_lent(rc_object *o);

/* Prints msg, the object (address, type, count) and the call site to stderr,
 * then aborts. For broken invariants that no error code can report. */
RC_NORETURN void rc_fatal(const rc_object *o, const char *file, int line,
                          const char *msg);

static inline void rc_incref_at(rc_object *o, const char *file, int line) {
    if (RC_DEBUG)
        rci_debug_check_ref(o, false, file, line);
    rcs_incref(&o->rc);
}

static inline void rc_decref_at(rc_object *o, const char *file, int line) {
    if (RC_DEBUG)
        rci_debug_check_ref(o, true, file, line);
    if (rcs_decref(&o->rc))
        rci_dealloc(o);
}

/* Adds a reference. pre: attached; o is live and the caller holds a
 * reference to it (or borrows one). */
#define rc_incref(o) rc_incref_at((o), __FILE__, __LINE__)

/* Drops a reference; frees the object if it was the last. pre: attached;
 * the caller owns the reference it drops. */
#define rc_decref(o) rc_decref_at((o), __FILE__, __LINE__)

/* As rc_incref / rc_decref, doing nothing for NULL. */
static inline void rc_xincref_at(rc_object *o, const char *file, int line) {
    if (o)
        rc_incref_at(o, file, line);
}
static inline void rc_xdecref_at(rc_object *o, const char *file, int line) {
    if (o)
        rc_decref_at(o, file, line);
}
#define rc_xincref(o) rc_xincref_at((o), __FILE__, __LINE__)
#define rc_xdecref(o) rc_xdecref_at((o), __FILE__, __LINE__)

/* Returns: a new reference to o (o itself, counted once more). */
static inline rc_object *rc_newref_at(rc_object *o, const char *file, int line) {
    rc_incref_at(o, file, line);
    return o;
}
#define rc_newref(o) rc_newref_at((o), __FILE__, __LINE__)

/* Sets *slot to NULL and then drops the reference it held (if any). The
 * order matters: the decref may run arbitrary deallocation code, which must
 * not find the slot still pointing at a dying object. */
static inline void rc_clear_ref_at(rc_object **slot, const char *file, int line) {
    rc_object *old = *slot;
    *slot = NULL;
    rc_xdecref_at(old, file, line);
}
#define rc_clear_ref(slot) rc_clear_ref_at((slot), __FILE__, __LINE__)

/* The current count, for tests and debugging; RC_IMMORTAL_COUNT for an
 * immortal object. Exact only while no other thread counts o. */
static inline int64_t rc_refcount(const rc_object *o) {
    return rcs_refcount(&o->rc);
}

#define RC_IMMORTAL_COUNT RCS_IMMORTAL_COUNT

static inline bool rc_is_immortal(const rc_object *o) {
    return rcs_is_immortal(&o->rc);
}

/* Makes o immortal: from now on no thread writes its count, and rc_incref
 * and rc_decref on it do nothing. The runtime takes over o's lifetime: it
 * stays alive until rc_runtime_stop, which frees it (running its finalizer,
 * clearing weak references to it, and collecting the cycles of mortal
 * objects that hung off it), so it is never reported as a leak. The caller's
 * reference, and every other holder's, stays usable and stops counting:
 * code that later drops it with rc_decref, as it would have, is still right.
 * An object already immortal (None, a small int, an interned string, or
 * one made immortal before) is left as it is: RC_OK.
 *
 * Use it for objects that live as long as the runtime, and that several
 * threads count; every call adds an object that is kept until stop.
 * Referents of o are unaffected: a container made immortal still holds
 * counted references to its items (dropped at stop), and the collector
 * still sees them.
 *
 * Threads: safe at any time, with o shared or not. The change is made with
 * the world stopped (as the collector stops it), so that no other thread is
 * counting o at that moment; this costs one pause of the other threads, or
 * none if o is already immortal.
 * pre: attached, holding a reference to o (or borrowing one), outside any
 * critical section. Errors: RC_EVALUE for NULL;
 * RC_ESTATE when the thread is not attached, from a finalizer or callback
 * that a collection runs (the world is stopped already) or while the
 * runtime is stopping; RC_ENOMEM. On an error o is left as it was, and the
 * caller's reference still counts. */
rc_status rc_immortalize(rc_object *o);

/* Tells the runtime that several threads will count o, for an object that
 * must stay collectable (else rc_immortalize is cheaper still). Under
 * //:nogil, where every thread but o's owner counts it with an atomic add
 * on one shared word, o switches to per-thread counts: each thread then
 * counts it in a slot of its own with plain stores, and its zero is found
 * at stops of the world (docs/seam.md, per-thread counts). This is what the
 * runtime does by itself for an object its sampling finds hot, after about
 * 2,000 count operations by other threads; the call skips that wait. The
 * switch takes one stop of the world, made by the call; it happens only
 * while at least two attached threads run (call it once the threads that
 * share o have attached). Unlike an object the sampling switched, o stays
 * in the mode while no thread counts it; it returns to shared counting
 * when its last reference goes, at a collection (which needs true counts:
 * mark it again after one, or let the sampling find it), or when fewer than
 * two threads stay. Under the other strategies counts have no owner to
 * bypass, and nothing happens. What a program may see while o counts per
 * thread: rc_refcount reads a snapshot (never below 1 while the caller
 * holds a reference), and once its last reference goes o is freed, its
 * finalizer run and its weak references cleared, at the next stop of the
 * world (a collection; rc_gc_collect forces one), not at the rc_decref;
 * a weak reference returns it until then (the stats count switches in
 * per_thread_starts).
 * pre and errors: as rc_immortalize (RC_EVALUE for NULL; RC_ESTATE when not
 * attached, during a collection or while the runtime stops). */
rc_status rc_mark_shared(rc_object *o);

#endif /* RC_REFCOUNT_REFCOUNT_H */
