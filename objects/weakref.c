/*
 * objects/weakref.c -- weak references.
 *
 * Each weakly referable object has a field (at its type's weaklist_offset)
 * heading a doubly linked list of the weak references to it. A weak
 * reference holds its referent uncounted; the invariant is that a weak
 * reference's referent is non-NULL exactly while it is on the referent's
 * list, and every path that ends a referent's life (deallocation by count,
 * clearing by the collector) empties the list first. A weak reference that
 * dies before its referent takes itself off the list.
 *
 * The lists are shared by every thread that creates, reads or drops weak
 * references, so every list operation and every read of a referent takes
 * the runtime lock (rcs_runtime_lock: free under the GIL); callbacks run
 * after it is released.
 *
 * Callbacks run after all the weak references to the dying object are
 * cleared, so a callback never sees a weak reference to an object that is
 * half gone. Each pending callback holds a reference to its weak reference,
 * so a callback that drops the last other reference to it is safe.
 */
#include "gc/gc_internal.h"
#include "objects/bool.h"
#include "objects/object_internal.h"
#include "objects/weakref.h"

typedef struct weakref_object {
    rc_object base;
    rc_object *referent; /* uncounted; NULL once cleared */
    rc_weakref_callback callback;
    rc_object *arg;      /* counted; passed to the callback */
    struct weakref_object *next, *prev; /* the referent's list */
    struct weakref_object *pending_next; /* callbacks waiting to run */
} weakref_object;

static inline weakref_object *as_weakref(rc_object *o) {
    return (weakref_object *)o;
}

static inline weakref_object **weaklist_of(rc_object *referent) {
    return (weakref_object **)((char *)referent + referent->type->weaklist_offset);
}

bool rc_weakref_check(const rc_object *o) {
    return o && o->type == &rc_weakref_type;
}

/* ---- the referent's list ------------------------------------------------------ */

static void weakref_link(weakref_object *wr, rc_object *referent) {
    weakref_object **head = weaklist_of(referent);
    wr->referent = referent;
    wr->prev = NULL;
    wr->next = *head;
    if (*head)
        (*head)->prev = wr;
    *head = wr;
}

/* Takes wr off its referent's list and clears it. */
static void weakref_unlink(weakref_object *wr) {
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
        weakref_unlink(wr);
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

/* ---- the type ----------------------------------------------------------------------- */

static void weakref_dealloc(rc_object *self) {
    weakref_object *wr = as_weakref(self);
    rcs_runtime_lock();
    weakref_unlink(wr);
    rcs_runtime_unlock();
    rc_xdecref(wr->arg);
}

static int weakref_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    RC_VISIT(as_weakref(self)->arg);
    return 0;
}

/* Breaking a cycle through a weak reference: drop its argument, and with it
 * the callback, which could no longer be called with what it expects. */
static void weakref_clear(rc_object *self) {
    weakref_object *wr = as_weakref(self);
    wr->callback = NULL;
    rc_clear_ref(&wr->arg);
}

rc_type rc_weakref_type = {
    .name = "weakref",
    .basicsize = sizeof(weakref_object),
    .flags = RC_TYPE_GC,
    .dealloc = weakref_dealloc,
    .traverse = weakref_traverse,
    .clear = weakref_clear,
    .id = RCI_TYPE_ID_WEAKREF,
};

/* ---- the public API ---------------------------------------------------------------- */

rc_object *rc_weakref_new(rc_object *referent, rc_weakref_callback callback,
                          rc_object *arg) {
    if (!referent)
        return rci_error_null(RC_EVALUE, "rc_weakref_new: NULL referent");
    if (!referent->type->weaklist_offset)
        return rci_error_null(RC_ETYPE, "cannot create a weak reference to a '%s' object",
                              referent->type->name);
    weakref_object *wr = (weakref_object *)rci_object_alloc(&rc_weakref_type, sizeof *wr);
    if (!wr)
        return NULL;
    wr->callback = callback;
    wr->arg = arg;
    rc_xincref(arg);
    wr->pending_next = NULL;
    /* rc_weakref_get may run on any thread: its try-incref must succeed
     * while the referent lives (biased counting refuses a never-shared
     * object to non-owners otherwise). */
    rcs_allow_try_incref(&referent->rc);
    rcs_runtime_lock();
    weakref_link(wr, referent);
    rcs_runtime_unlock();
    return &wr->base;
}

static rc_status weakref_expect(rc_object *o, const char *fn) {
    if (RC_UNLIKELY(!rci_may_touch()))
        return rci_state_error(fn);
    if (!o)
        return rc_error_set(RC_EVALUE, "%s: NULL argument", fn);
    if (!rc_weakref_check(o))
        return rc_error_set(RC_ETYPE, "%s: expected a weakref, got %s", fn, o->type->name);
    return RC_OK;
}

rc_object *rc_weakref_get(rc_object *o) {
    if (weakref_expect(o, "rc_weakref_get") != RC_OK)
        return NULL;
    /* The referent may be dying on another thread (count 0, its weak
     * references not yet cleared): take a reference only if it is not. */
    rcs_runtime_lock();
    rc_object *referent = as_weakref(o)->referent;
    if (referent && !rcs_try_incref(&referent->rc))
        referent = NULL;
    rcs_runtime_unlock();
    return referent ? referent : rc_none();
}

int rc_weakref_is_alive(rc_object *o) {
    rc_status st = weakref_expect(o, "rc_weakref_is_alive");
    if (st != RC_OK)
        return st;
    rcs_runtime_lock();
    bool alive = as_weakref(o)->referent != NULL;
    rcs_runtime_unlock();
    return alive;
}
