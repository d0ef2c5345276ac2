/*
 * refcount/dealloc.c -- freeing objects without recursion.
 *
 * When a list's last reference goes, its dealloc slot drops its items'
 * references; an item whose count reaches zero would be deallocated from
 * inside the list's dealloc, and so on down: a list nested a million deep
 * would take a million C stack frames. Instead, each thread keeps a work
 * list. The first rci_dealloc on a thread runs the loop; any rci_dealloc
 * that happens inside a dealloc slot (deallocating is set) only pushes the
 * object and returns. The loop pops until the list is empty, so the stack
 * depth stays constant and the work list holds at most the objects that
 * became garbage and were not yet processed (CPython's trashcan and
 * QuickJS's zero-count list solve the same problem).
 *
 * The work list is plain malloc memory, not object memory: it must not be
 * subject to failure injection. If it cannot grow, the object is freed at
 * once by recursion, which is correct, only not stack-bounded.
 */
#include <stdlib.h>

#include "refcount/dealloc_internal.h"

/* The phases of dealloc_internal.h, for one object. Its finalizer runs
 * with the count raised back to one: if the finalizer stores a new
 * reference, o came back to life and is not freed now. */
static void dealloc_one(rci_tstate *t, rc_object *o) {
    if (rci_dealloc_claim_finalizer(o)) {
        rcs_incref(&o->rc);
        o->type->finalize(o);
        if (!rcs_decref(&o->rc))
            return;
    }
    rci_dealloc_clear_weakrefs(o);
    rci_dealloc_destroy(o);
    rci_object_free(t, o);
}

static bool dealloc_push(rci_tstate *t, rc_object *o) {
    if (t->dealloc_len == t->dealloc_cap) {
        size_t cap = t->dealloc_cap ? t->dealloc_cap * 2 : 64;
        /* No error on failure: the caller recovers (it deallocates at once). */
        rc_object **stack = rcs_mem_realloc(t->dealloc_stack, cap * sizeof *stack);
        if (!stack)
            return false;
        t->dealloc_stack = stack;
        t->dealloc_cap = cap;
    }
    t->dealloc_stack[t->dealloc_len++] = o;
    return true;
}

void rci_dealloc(rc_object *o) {
    rci_tstate *t = rci_current;
    if (RC_UNLIKELY(!t))
        rc_fatal(o, __FILE__, __LINE__,
                 "last reference dropped on a thread that is not attached");
    if (t->deallocating) {
        if (!dealloc_push(t, o))
            dealloc_one(t, o);
        return;
    }
    t->deallocating = true;
    dealloc_one(t, o);
    while (t->dealloc_len)
        dealloc_one(t, t->dealloc_stack[--t->dealloc_len]);
    t->deallocating = false;
}

/* Called when the thread detaches: the work list is empty by then (the
 * loop above always drains it), only its memory remains, once the
 * strategy's flush has run its last deallocations through it. */
void rci_dealloc_fini(rci_tstate *t) {
    /* The strategy's per-thread deferred work may still free objects: do it
     * while this thread can (biased counting merges its queue here). */
    rcs_thread_flush();
    rcs_mem_free(t->dealloc_stack);
    t->dealloc_stack = NULL;
    t->dealloc_len = t->dealloc_cap = 0;
}
