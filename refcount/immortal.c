/*
 * refcount/immortal.c -- objects made immortal while the runtime runs
 * (rc_immortalize), and their release when it stops; and objects a host
 * marks as shared (rc_mark_shared), the other answer to an object that
 * every thread counts.
 *
 * Why: an object that every thread counts (a function every thread calls,
 * a constant every thread loads) makes its count a contention point: under
 * //:finegrained every incref is an atomic add on one cache line that
 * bounces between cores, under //:nogil every thread but the owner pays an
 * atomic add on the shared field. The strategies' incref and decref test an
 * immortal header and write nothing, so the line stays shared in every
 * core's cache. Deferred counting (CPython's choice for functions in its
 * free-threaded build) would keep such objects collectable, but needs the
 * interpreter's stack references to be told apart from heap ones; immortal
 * objects need nothing from the caller and fit the seam as it is.
 *
 * Making a published object immortal. Other threads may be counting o at
 * that moment, and under //:nogil its count may be split between the
 * owner's field, the shared field and a merge queue. So the header changes
 * with the world stopped: every other thread is paused between operations
 * (at a checkpoint, or in a release region where it touches no object),
 * and biased counting's stop has merged every queue first, so no queue
 * holds o. Once the world restarts, nobody writes the count again:
 * references taken before and dropped after simply stop counting.
 *
 * The registry. Every object made immortal here is recorded, so that
 * rc_runtime_stop can free it. Invariant: an object is on the registry at
 * most once, since only a mortal object is added, and it is immortal from
 * then on. The registry is written only with the world stopped by the
 * writer (under //:gil holding the GIL is that already), and read by the
 * stopping thread when no other thread is attached.
 *
 * Release. An immortal object's count says nothing of who still points at
 * it: references made or dropped while it was immortal were never counted.
 * So release cannot go through the counts: giving A one reference and
 * dropping it would free A, whose dealloc drops the uncounted reference A
 * holds to B, another registered object, which could then be freed twice.
 * Instead every phase runs over all of them, each object staying immortal
 * (any decref that reaches one does nothing) and in memory until the last:
 *   1. finalizers that have not run yet, with everything intact;
 *   2. weak references to them cleared, and their callbacks run;
 *   3. the containers among them cleared (their type's clear slot): they
 *      let go of their children, and mortal objects only they held are
 *      freed by counting as usual;
 *   4. one full collection: cycles of mortal objects that hung off them
 *      are unreachable now (cycles among them or through them were broken
 *      by 3). It frees any other cyclic garbage still waiting too, which at
 *      stop is garbage all the same;
 *   5. each leaves the collector's lists, and its type's dealloc runs (for
 *      the types that hold references without being containers);
 *   6. the memory of each is given back.
 * These are the phases of refcount/dealloc_internal.h, with 3 and 4 put
 * between its phases 2 and 3. A mortal object still holding a pointer to
 * one of them after that is itself a leak, reported as such, and never used
 * again.
 */
#include <stdlib.h>

#include "gc/gc.h"
#include "refcount/dealloc_internal.h"
#include "runtime/runtime.h"

static rc_object **registry;
static size_t registry_len, registry_cap;

/* Set while rc_runtime_stop releases the registry: a finalizer or a
 * callback run by the release must not add to it. Only the stopping thread
 * is attached then, and only it reads the flag. */
static bool releasing;

/* Room for one more entry; false when out of memory (the caller reports
 * it). */
static bool registry_reserve(void) {
    if (registry_len < registry_cap)
        return true;
    size_t cap = registry_cap ? registry_cap * 2 : 64;
    rc_object **grown = rcs_mem_realloc(registry, cap * sizeof *grown);
    if (!grown)
        return false;
    registry = grown;
    registry_cap = cap;
    return true;
}

/* The refusals of the calls below, which stop the world: RC_OK if `who`
 * may go on with o. */
static rc_status stop_refusal(const char *who, const rc_object *o) {
    if (!o)
        return rc_error_set(RC_EVALUE, "%s: NULL object", who);
    if (!rc_thread_is_attached())
        return rc_error_set(RC_ESTATE, "%s: this thread is not attached (or is inside a release region)",
                            who);
    if (rci_gc_collecting_here())
        return rc_error_set(RC_ESTATE, "%s: called during a collection (from a finalizer or a weak "
                                       "reference callback) or a walk of the kept garbage",
                            who);
    if (releasing)
        return rc_error_set(RC_ESTATE, "%s: the runtime is stopping", who);
    return RC_OK;
}

rc_status rc_mark_shared(rc_object *o) {
    rc_status st = stop_refusal("rc_mark_shared", o);
    if (st == RC_OK)
        (void)rcs_count_per_thread(&o->rc); /* a hint: done or not, nothing to report */
    return st;
}

rc_status rc_immortalize(rc_object *o) {
    rc_status st = stop_refusal("rc_immortalize", o);
    if (st != RC_OK)
        return st;
    /* The common case (None, a small int, an interned string, an object made
     * immortal before) costs no pause. A stale "mortal" is checked again
     * below; a stale "immortal" cannot be: no header ever turns mortal. */
    if (rc_is_immortal(o))
        return RC_OK;
    rcs_stop_world();
    if (!rc_is_immortal(o)) { /* another thread may have been first */
        if (registry_reserve()) {
            registry[registry_len++] = o;
            rci_make_immortal(o);
        } else {
            st = rc_error_set(RC_ENOMEM, "rc_immortalize: out of memory (registry)");
        }
    }
    rcs_start_world();
    return st;
}

void rci_immortal_release(void) {
    rci_tstate *t = rci_current;
    rc_object **objs = registry;
    size_t n = registry_len;
    releasing = true;
    for (size_t i = 0; i < n; i++) /* 1: no count to raise, o is immortal */
        if (rci_dealloc_claim_finalizer(objs[i]))
            objs[i]->type->finalize(objs[i]);
    for (size_t i = 0; i < n; i++) /* 2 */
        rci_dealloc_clear_weakrefs(objs[i]);
    for (size_t i = 0; i < n; i++) /* 3 */
        if (rci_gc_is_gc_type(objs[i]->type))
            objs[i]->type->clear(objs[i]);
    if (n > 0)
        rc_gc_collect(); /* 4 */
    for (size_t i = 0; i < n; i++) /* 5 */
        rci_dealloc_destroy(objs[i]);
    for (size_t i = 0; i < n; i++) { /* 6 */
        rci_live_add(t, objs[i]->type->id, 1); /* rci_make_immortal stopped counting it */
        rci_object_free(t, objs[i]);
    }
    rcs_mem_free(registry);
    registry = NULL;
    registry_len = registry_cap = 0;
    releasing = false;
}
