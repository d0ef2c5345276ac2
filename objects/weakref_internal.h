/*
 * objects/weakref_internal.h -- the weak reference's layout, shared by the
 * type (objects/weakref.c) and the referents' lists (objects/weaklist.c).
 */
#ifndef RC_OBJECTS_WEAKREF_INTERNAL_H
#define RC_OBJECTS_WEAKREF_INTERNAL_H

#ifndef RC_BUILD_CORE
#error "internal header: include refcore.h"
#endif

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

/* Puts wr on referent's list and makes referent its referent. pre: the
 * runtime lock is held. */
void rci_weakref_link(weakref_object *wr, rc_object *referent);

/* Takes wr off its referent's list and clears it; nothing if cleared
 * already. pre: the runtime lock is held. */
void rci_weakref_unlink(weakref_object *wr);

#endif /* RC_OBJECTS_WEAKREF_INTERNAL_H */
