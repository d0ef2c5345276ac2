/*
 * gc/gc_internal.h -- the collector's per-object state, shared with the
 * allocator (objects/object.c) and deallocation (refcount/dealloc.c).
 *
 * Every instance of an RC_TYPE_GC type is allocated with an rci_gc_head in
 * front of it (CPython's PyGC_Head): the links of the list it is on, a
 * scratch count for collections, and flags.
 *
 * Invariant: from allocation to deallocation, a GC instance is on exactly
 * one list: a thread's young list (the newest part of generation 0, see
 * gc.c), a generation (0..2), the frozen list, the kept-garbage list
 * (debug mode), or, during a collection, the collector's own working
 * lists. Unlinking works the same from any of them.
 */
#ifndef RC_GC_GC_INTERNAL_H
#define RC_GC_GC_INTERNAL_H

#ifndef RC_BUILD_CORE
#error "internal header: include refcore.h"
#endif

#include <stdint.h>

#include "objects/object.h"

typedef struct rci_gc_head {
    struct rci_gc_head *next, *prev;
    int64_t refs;   /* during a collection: references from outside the set */
    uint64_t flags; /* RCI_GC_* in the low 4 bits; above: the young list (gc.c) */
} rci_gc_head;

_Static_assert(sizeof(rci_gc_head) % 16 == 0, "objects after the head stay 16-aligned");

enum {
    RCI_GC_FINALIZED = 1u << 0,   /* the finalizer has run */
    RCI_GC_COLLECTING = 1u << 1,  /* in the set being collected */
    RCI_GC_UNREACHABLE = 1u << 2, /* found unreachable by this collection */
    /* Not the collector's: a container another thread may read without its
     * lock (objects/object_internal.h, "the shared mark"). Set, never
     * cleared, by an atomic OR, as RCI_GC_FINALIZED. */
    RCI_GC_SHARED = 1u << 3,
};

static inline rci_gc_head *rci_gc_head_of(const rc_object *o) {
    return (rci_gc_head *)o - 1;
}

static inline rc_object *rci_gc_object_of(rci_gc_head *h) {
    return (rc_object *)(h + 1);
}

static inline bool rci_gc_is_gc_type(const rc_type *type) {
    return (type->flags & RC_TYPE_GC) != 0;
}

/* A tracked object is about to be allocated: runs an automatic collection
 * if a threshold has been passed (before the new object exists, so the
 * collector never sees it half-built). */
void rci_gc_before_alloc(void);

/* Links a new GC object into generation 0. */
void rci_gc_track_new(rci_gc_head *h);

/* Unlinks a GC object that is being deallocated. */
void rci_gc_untrack(rci_gc_head *h);

/* The calling thread detaches: its young list (gc.c) joins generation 0. */
void rci_gc_thread_end(void);

/* True on the thread that is running a collection, while it does (its
 * finalizers and weak reference callbacks run then, with the world stopped
 * by it): such a thread must not stop the world again. */
bool rci_gc_collecting_here(void);

/* Runtime start and stop. */
void rci_gc_init(void);
void rci_gc_fini(void);

#endif /* RC_GC_GC_INTERNAL_H */
