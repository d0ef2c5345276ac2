/*
 * objects/object_internal.h -- shared internals of the object layer: object
 * allocation, immortality, the layouts of the built-in types that more
 * than one file needs, and the fixed ids of the built-in types.
 */
#ifndef RC_OBJECTS_OBJECT_INTERNAL_H
#define RC_OBJECTS_OBJECT_INTERNAL_H

#ifndef RC_BUILD_CORE
#error "internal header: include refcore.h"
#endif

#include <stddef.h>
#include <stdint.h>

#include "objects/object.h"
#include "refcount/refcount.h"
#include "runtime/runtime_internal.h"

/* The header is the first member: the seam hands back header pointers
 * (rcs_hooks.dealloc) that are object pointers. */
_Static_assert(offsetof(rc_object, rc) == 0, "rcs_header must come first");

/* Built-in types have fixed ids; client types are numbered from
 * RCI_FIRST_CLIENT_TYPE_ID by rc_type_ready. 0 means "not ready". */
enum {
    RCI_TYPE_ID_NONE = 1,
    RCI_TYPE_ID_BOOL,
    RCI_TYPE_ID_INT,
    RCI_TYPE_ID_FLOAT,
    RCI_TYPE_ID_STR,
    RCI_TYPE_ID_TUPLE,
    RCI_TYPE_ID_LIST,
    RCI_TYPE_ID_DICT,
    RCI_TYPE_ID_FREED, /* debug builds: the type of a quarantined object */
    RCI_TYPE_ID_WEAKREF,
    RCI_FIRST_CLIENT_TYPE_ID = 16,
};

/* None, bool, int, float, str: leaf types, whose slots run no client code
 * and call no other object's (they only look at their own kinds of
 * built-in objects), so comparing or hashing one never recurses. */
_Static_assert(RCI_TYPE_ID_STR - RCI_TYPE_ID_NONE == 4 &&
                   RCI_TYPE_ID_BOOL > RCI_TYPE_ID_NONE &&
                   RCI_TYPE_ID_INT < RCI_TYPE_ID_STR &&
                   RCI_TYPE_ID_FLOAT < RCI_TYPE_ID_STR,
               "the leaf built-in types must have the ids NONE..STR");

static inline bool rci_is_leaf(const rc_object *o) {
    return o->type->id - (uint32_t)RCI_TYPE_ID_NONE <=
           (uint32_t)(RCI_TYPE_ID_STR - RCI_TYPE_ID_NONE);
}

/* rc_object_traverse, inline for the collector, which calls it once per
 * tracked object in each pass. */
static inline int rci_traverse(rc_object *o, rc_visit_fn visit, void *arg) {
    if (!o || !o->type->traverse)
        return 0;
    return o->type->traverse(o, visit, arg);
}

/* Allocates size bytes for an object of type (which must be ready),
 * initialises the header (count 1, owned by this thread) and counts it as
 * live. The bytes after the header are NOT zeroed. Returns NULL with the
 * error set (RC_ESTATE if not attached, RC_ENOMEM). */
rc_object *rci_object_alloc(const rc_type *type, size_t size);

/* As rci_object_alloc, for a GC type whose creator writes every field at
 * once (a tuple made from an array): the fields are not zeroed and the
 * object is not yet linked where the collector finds it. The caller writes
 * every field its traverse slot reads, then calls rci_object_link_new(o),
 * before o can be dropped or reach another thread. Until then the
 * collector does not see o, which is safe: what o holds is counted, and so
 * seen from outside the collected set. It saves zeroing what the caller is
 * about to write. */
rc_object *rci_object_alloc_unlinked(const rc_type *type, size_t size);
void rci_object_link_new(rc_object *o);

/* Gives back the memory of an object whose dealloc slot has run, and stops
 * counting it. Called only from refcount/ (dealloc.c, and immortal.c at
 * stop). */
void rci_object_free(rci_tstate *t, rc_object *o);

/* Makes o immortal and stops counting it as live (the runtime owns it now).
 * pre: no other thread can reach o yet, or the caller has stopped the world
 * (rcs_make_immortal's contract; rc_immortalize does that). */
void rci_make_immortal(rc_object *o);

/* ---- layouts shared between files ---------------------------------------- */

typedef struct rci_list {
    rc_object base;
    rc_object **items; /* published with rcs_store_shared_ptr */
    int64_t size;
    int64_t capacity;
    bool lent; /* ever read with rc_list_get_borrowed (runtime/borrow.c) */
} rci_list;

typedef struct rci_tuple {
    rc_object base;
    int64_t size;
    rc_object *items[]; /* size slots; NULL until filled */
} rci_tuple;

/* Iteration over a dict: the entry at *position or after it. Returns 1 with
 * new references in *key and *value (value may be NULL if not wanted),
 * 0 at the end, or RC_ECHANGED if the key set is no longer `version`. */
int rci_dict_iter_next(rc_object *d, int64_t *position, uint64_t version,
                       rc_object **key, rc_object **value);
/* The dict's key-set version, which changes whenever a key is added or
 * removed. */
uint64_t rci_dict_version(rc_object *d);

/* ---- weak references: the referents' lists (objects/weaklist.c) --------- */

/* Weak references whose callbacks are waiting to run, each held by a
 * reference of the list's. */
typedef struct rci_weakref_pending {
    rc_object *first;
} rci_weakref_pending;

/* The referent is dying by its count: clears every weak reference to it,
 * then runs their callbacks. */
void rci_weakref_clear_all(rc_object *referent);

/* The referent is cyclic garbage: clears every weak reference to it, and
 * queues the callbacks of those that are not garbage themselves. */
void rci_weakref_clear_for_gc(rc_object *referent, rci_weakref_pending *pending);

/* Runs and empties the queue; true if any callback ran. */
bool rci_weakref_run_callbacks(rci_weakref_pending *pending);

/* Interned strings: runtime start and stop (objects/str.c). */
rc_status rci_intern_init(void);
void rci_intern_fini(void);

/* Small ints (objects/int.c): built at runtime start. */
void rci_small_ints_init(void);

/* The type of a quarantined object in debug builds (refcount/debug.c); the
 * second, of one freed by the drop of a container that lent it, names the
 * likely cause (a borrow kept too long) when the object is used. */
extern rc_type rci_freed_type, rci_freed_lent_type;

#endif /* RC_OBJECTS_OBJECT_INTERNAL_H */
