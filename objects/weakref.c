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
#include "objects/bool.h"
#include "objects/weakref.h"
#include "objects/weakref_internal.h"

bool rc_weakref_check(const rc_object *o) {
    return o && o->type == &rc_weakref_type;
}

/* ---- the type ----------------------------------------------------------------------- */

static void weakref_dealloc(rc_object *self) {
    weakref_object *wr = as_weakref(self);
    rcs_runtime_lock();
    rci_weakref_unlink(wr);
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
    .instance_size = rc_fixed_instance_size,
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
    rci_weakref_link(wr, referent);
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
