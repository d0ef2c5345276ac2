/*
 * objects/weaklist.c -- the referents' side of weak references: each weakly
 * referable object's list of the weak references to it, and clearing it
 * when the object dies. The deallocation pipeline (refcount/dealloc.c) and
 * the collector (gc/gc.c) call in here; the weak reference type is
 * objects/weakref.c, whose header comment tells the invariants.
 *
 * Clearing runs callbacks and drops references, which may deallocate more
 * objects: a call back into refcount/dealloc.c, inside the lifecycle core
 * (README.md, Layout, says which calls run back up and why).
 */
#include "gc/gc_internal.h"
#include "objects/weakref_internal.h"

static inline weakref_object **weaklist_of(rc_object *referent) {
    return (weakref_object **)((char *)referent + referent->type->weaklist_offset);
}

/* ---- the referent's list ------------------------------------------------------ */

void rci_weakref_link(weakref_object *wr, rc_object *referent) {
    weakref_object **head = weaklist_of(referent);
    wr->referent = referent;
    wr->prev = NULL;
    wr->next = *head;
    if (*head)
        (*head)->prev = wr;
    *head = wr;
}

void rci_weakref_unlink(weakref_object *wr) {
    if (!wr->referent)
        return;
    if (wr->prev)
        wr->prev->next = wr->next;
    else
        *weaklist_of(wr->referent) = wr->next;
    if (wr->next)
        wr->next->prev = wr->prev;
    wr->referent = NULL;
    wr->next = wr->prev = NULL;
}

/* ---- callbacks -------------------------------------------------------------------- */

static void pending_push(rci_weakref_pending *pending, weakref_object *wr) {
    rc_incref(&wr->base);
    wr->pending_next = as_weakref(pending->first);
    pending->first = &wr->base;
}

bool rci_weakref_run_callbacks(rci_weakref_pending *pending) {
    bool ran = false;
    while (pending->first) {
        weakref_object *wr = as_weakref(pending->first);
        pending->first = wr->pending_next ? &wr->pending_next->base : NULL;
        wr->pending_next = NULL;
        if (wr->callback) {
            wr->callback(&wr->base, wr->arg);
            ran = true;
        }
        rc_decref(&wr->base);
    }
    return ran;
}

/* Clears every weak reference to referent and queues their callbacks
 * (for the collector: only those of weak references that are not garbage). */
static void clear_list(rc_object *referent, rci_weakref_pending *pending, bool for_gc) {
    rcs_runtime_lock();
    weakref_object **head = weaklist_of(referent);
    while (*head) {
        weakref_object *wr = *head;
        rci_weakref_unlink(wr);
        /* A weak reference that is itself garbage must not call back: its
         * callback or argument could reach the rest of the garbage. */
        bool garbage = for_gc && (rci_gc_head_of(&wr->base)->flags & RCI_GC_UNREACHABLE);
        if (wr->callback && !garbage)
            pending_push(pending, wr);
    }
    rcs_runtime_unlock();
}

void rci_weakref_clear_all(rc_object *referent) {
    rci_weakref_pending pending = {NULL};
    clear_list(referent, &pending, false);
    rci_weakref_run_callbacks(&pending);
}

void rci_weakref_clear_for_gc(rc_object *referent, rci_weakref_pending *pending) {
    clear_list(referent, pending, true);
}
