/*
 * refcount/dealloc_internal.h -- the phases of deallocation, in one place.
 *
 * Every object that dies goes through the same phases, in this order:
 *   1. finalize: its finalizer, once in its life, with the object whole;
 *      the finalizer may store a new reference to it (resurrection);
 *   2. clear weak references: the object is intact but already dead, so a
 *      weak reference's callback sees its referent gone;
 *   3. destroy: it leaves the collector's lists, then its type's dealloc
 *      slot lets go of what it owns;
 *   4. release: rci_object_free counts it out and gives its memory back.
 * Two paths run them: the count path (refcount/dealloc.c) one object at a
 * time, and the release of immortal objects at stop (refcount/immortal.c),
 * each phase over all of them before the next, with a clear and a
 * collection between 2 and 3 (immortal.c says why). The collector runs
 * phases 1 and 2 itself before it breaks a cycle, and the count path then
 * finishes the objects (gc/gc.c). Each phase is a static inline function,
 * so the count path compiles to what it did as one function.
 */
#ifndef RC_REFCOUNT_DEALLOC_INTERNAL_H
#define RC_REFCOUNT_DEALLOC_INTERNAL_H

#ifndef RC_BUILD_CORE
#error "internal header: include refcore.h"
#endif

#include "gc/gc_internal.h"
#include "objects/object_internal.h"

/* Phase 1, its test: whether o's finalizer is to run now, that is, o's
 * type has one and it has not run before; claims the run if so. The caller
 * runs it (o->type->finalize(o)), with o's count what its path needs. */
static inline bool rci_dealloc_claim_finalizer(rc_object *o) {
    if (!o->type->finalize)
        return false;
    rci_gc_head *h = rci_gc_head_of(o); /* finalizers require RC_TYPE_GC */
    /* Atomic: the thread whose young list holds o may be rewriting the
     * other bits of the word meanwhile (gc/gc.c). Relaxed: the flag orders
     * no other memory, and only one caller can find it clear, since o is
     * dead to every other thread (no reference is left to reach it). */
    return !(rcs_shared_fetch_or(&h->flags, RCI_GC_FINALIZED, memory_order_relaxed) &
             RCI_GC_FINALIZED);
}

/* Phase 1, a look only: whether o has a finalizer that has not run yet,
 * without claiming the run (the collector asks it of each piece of garbage
 * to skip step 5b when none has). Relaxed, as the claim above. */
static inline bool rci_dealloc_finalizer_pending(rc_object *o) {
    return o->type->finalize &&
           !(rcs_shared_load(&rci_gc_head_of(o)->flags, memory_order_relaxed) & RCI_GC_FINALIZED);
}

/* Phase 2. */
static inline void rci_dealloc_clear_weakrefs(rc_object *o) {
    size_t off = o->type->weaklist_offset;
    if (off && *(rc_object **)((char *)o + off))
        rci_weakref_clear_all(o);
}

/* Phase 3. */
static inline void rci_dealloc_destroy(rc_object *o) {
    const rc_type *type = o->type;
    if (rci_gc_is_gc_type(type))
        rci_gc_untrack(rci_gc_head_of(o));
    if (type->dealloc)
        type->dealloc(o);
}

#endif /* RC_REFCOUNT_DEALLOC_INTERNAL_H */
