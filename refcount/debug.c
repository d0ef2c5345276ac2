/*
 * refcount/debug.c -- the checks of debug builds, and rc_fatal.
 *
 * With RC_DEBUG >= 1 (--config=debug), rc_incref and rc_decref check, at
 * the call site, that:
 *   - the calling thread is attached (and outside the release region);
 *   - the object is not freed: freed objects are kept in a per-thread
 *     quarantine of QUARANTINE_SIZE entries, with their type replaced by the
 *     sentinel rci_freed_type, before their memory is given back, so a late
 *     decref finds the sentinel rather than reused memory;
 *   - a decref does not take the count below zero.
 * RC_CRITICAL_BEGIN checks the first of these too (rci_debug_check_section).
 * A failed check prints the object and the call site and aborts.
 *
 * Borrowed items (runtime/runtime.h, borrowed reads). A borrow is a plain
 * pointer, the same as a counted one, so a borrow kept past the quiescent
 * point that ended it cannot be told from a reference while its item is
 * still alive. What can be caught is the use that does harm: once the
 * container has dropped the item (after the quiescent point, when no
 * borrow window can hold it), the borrow points at a freed object. The
 * drop of a container that lent items goes through rci_debug_drop_lent,
 * and an item it frees is quarantined with the sentinel
 * rci_freed_lent_type, so the escaped borrow's next count operation aborts
 * with a message that names borrowing. (An item whose last reference was
 * elsewhere, or whose free was handed to its owner thread under //:nogil,
 * is freed later by another call, and gets the plain sentinel: caught
 * all the same, with the general message.)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "gc/gc_internal.h"
#include "objects/object_internal.h"

#define QUARANTINE_SIZE 4096

rc_type rci_freed_type = {.name = "<freed object>",
                          .basicsize = sizeof(rc_object),
                          .id = RCI_TYPE_ID_FREED};
rc_type rci_freed_lent_type = {.name = "<freed object, dropped by a container that lent it>",
                               .basicsize = sizeof(rc_object),
                               .id = RCI_TYPE_ID_FREED};

/* The item a lending container's drop is dropping now, if any. */
static _Thread_local const rc_object *lent_drop;

void rci_debug_drop_lent(rc_object *o) {
    const rc_object *outer = lent_drop; /* a drop may run code that drops more */
    lent_drop = o;
    rc_decref(o);
    lent_drop = outer;
}

void rc_fatal(const rc_object *o, const char *file, int line, const char *msg) {
    fprintf(stderr, "refcore: fatal: %s\n", msg);
    if (file)
        fprintf(stderr, "refcore:   at %s:%d\n", file, line);
    if (o) {
        const rc_type *type = o->type;
        fprintf(stderr, "refcore:   object %p of type %s, count %" PRId64 "\n",
                (const void *)o, type && type->name ? type->name : "?",
                rcs_refcount(&o->rc));
    }
    fflush(stderr);
    abort();
}

void rci_debug_check_ref(rc_object *o, bool is_decref, const char *file, int line) {
    const char *op = is_decref ? "decref" : "incref";
    char msg[320];
    if (!o) {
        snprintf(msg, sizeof msg, "%s of NULL", op);
        rc_fatal(NULL, file, line, msg);
    }
    if (!rcs_thread_is_attached()) {
        snprintf(msg, sizeof msg, "%s from a thread that is not attached", op);
        rc_fatal(o, file, line, msg);
    }
    if (o->type == &rci_freed_type) {
        snprintf(msg, sizeof msg, "%s of a freed object", op);
        rc_fatal(o, file, line, msg);
    }
    if (o->type == &rci_freed_lent_type) {
        snprintf(msg, sizeof msg,
                 "%s of a freed object that a container dropped after lending it: a borrowed "
                 "item used past the quiescent point that ended the borrow? (take a reference "
                 "before that point)",
                 op);
        rc_fatal(o, file, line, msg);
    }
    if (is_decref && !rcs_is_immortal(&o->rc) && rcs_refcount(&o->rc) <= 0)
        rc_fatal(o, file, line, "decref would take the count below zero");
}

void rci_debug_check_section(const rc_object *o, const char *file, int line) {
    if (!o)
        rc_fatal(NULL, file, line, "critical section on NULL");
    if (!rci_may_touch())
        rc_fatal(o, file, line,
                 rci_current ? "critical section begun inside the release region"
                             : "critical section begun on a thread that is not attached");
}

/* Frees the memory block of a quarantined object. */
static void quarantine_release(void *block) {
    rcs_retire(block, rci_mem_free);
}

/* Debug builds: keep o (already uncounted) in the quarantine; the entry it
 * replaces is given back now. Returns false if there is no quarantine
 * (allocation failed), and the caller frees o directly. */
bool rci_debug_quarantine(rci_tstate *t, rc_object *o) {
    if (!t->quarantine) {
        /* No error on failure: the caller recovers (it frees o directly). */
        t->quarantine = rcs_mem_calloc(QUARANTINE_SIZE * sizeof *t->quarantine);
        if (!t->quarantine)
            return false;
    }
    /* The block may start before the object (a GC object's head): keep the
     * block, since the type that says so is about to be overwritten. */
    void *block = rci_gc_is_gc_type(o->type) ? (void *)rci_gc_head_of(o) : (void *)o;
    o->type = o == lent_drop ? &rci_freed_lent_type : &rci_freed_type;
    void **slot = &t->quarantine[t->quarantine_next];
    if (*slot)
        quarantine_release(*slot);
    *slot = block;
    t->quarantine_next = (t->quarantine_next + 1) % QUARANTINE_SIZE;
    return true;
}

void rci_debug_quarantine_flush(rci_tstate *t) {
    if (!t->quarantine)
        return;
    for (size_t i = 0; i < QUARANTINE_SIZE; i++)
        if (t->quarantine[i])
            quarantine_release(t->quarantine[i]);
    rcs_mem_free(t->quarantine);
    t->quarantine = NULL;
    t->quarantine_next = 0;
}
