/*
 * objects/weakref.h -- weak references.
 *
 * A weak reference points at an object (its referent) without keeping it
 * alive. When the referent dies, by its count reaching zero or by the cycle
 * collector, every weak reference to it is cleared first, and then each
 * one's callback, if it has one, is called. For cyclic garbage, all weak
 * references to all of it are cleared before any of it is freed, and the
 * callbacks of weak references that are themselves garbage do not run.
 *
 * Only instances of types with a weaklist_offset (objects/object.h) can be
 * referred to weakly; the built-in types cannot.
 */
#ifndef RC_OBJECTS_WEAKREF_H
#define RC_OBJECTS_WEAKREF_H

#include <stdbool.h>

#include "objects/object.h"

extern rc_type rc_weakref_type;

/* Called once, after the referent died and the weak reference was cleared.
 * weakref and arg are borrowed for the call. Runs on the thread that freed
 * the referent, or on the collecting thread with the world stopped (see
 * gc/gc.h): it may touch objects, but must not wait for another thread. */
typedef void (*rc_weakref_callback)(rc_object *weakref, rc_object *arg);

/* Returns: a new reference to a new weak reference to referent (borrowed,
 * and not kept alive), or NULL. callback may be NULL; arg (borrowed, may be
 * NULL) is kept alive by the weak reference and passed to the callback.
 * Errors: RC_ETYPE if referent's type has no weaklist_offset; RC_EVALUE for
 * a NULL referent; RC_ENOMEM. */
rc_object *rc_weakref_new(rc_object *referent, rc_weakref_callback callback,
                          rc_object *arg);

bool rc_weakref_check(const rc_object *o);

/* Returns: a new reference to the referent if it is alive, else None. NULL
 * (RC_ETYPE, RC_EVALUE) if wr is not a weak reference. */
rc_object *rc_weakref_get(rc_object *wr);

/* 1 if the referent is alive, 0 if the weak reference was cleared, negative
 * rc_status if wr is not a weak reference. */
int rc_weakref_is_alive(rc_object *wr);

#endif /* RC_OBJECTS_WEAKREF_H */
