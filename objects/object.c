/*
 * objects/object.c -- allocating objects, registering types, and the
 * generic operations (hash, equality, repr, traverse) that dispatch on the
 * type's slots.
 *
 * Type ids: built-in types carry fixed ids (object_internal.h); client types
 * get the next free id when first made ready. The id indexes the per-thread
 * live counters, so a type's instances are counted without any lookup.
 */
#include <pthread.h>
#include <string.h>

#include "gc/gc_internal.h"
#include "objects/object_internal.h"

/* Readying a type happens once per type, so a mutex costs nothing that
 * matters, and it keeps the id's one store the only write anyone sees (a
 * compare-and-swap race would leave a losing thread's failed CAS looking
 * like a write to ThreadSanitizer, beside plain reads of the id). */
static pthread_mutex_t type_ready_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned next_client_type_id = RCI_FIRST_CLIENT_TYPE_ID; /* under the lock */

/* ---- types ----------------------------------------------------------------- */

static rc_status type_check_definition(const rc_type *type) {
    if (!type->name)
        return rc_error_set(RC_EVALUE, "rc_type_ready: the type has no name");
    if (type->basicsize < sizeof(rc_object))
        return rc_error_set(RC_EVALUE,
                         "rc_type_ready: type '%s' has basicsize %zu, less than "
                         "the header (%zu)",
                         type->name, type->basicsize, sizeof(rc_object));
    if ((type->flags & RC_TYPE_GC) && (!type->traverse || !type->clear))
        return rc_error_set(RC_EVALUE,
                         "rc_type_ready: type '%s' has RC_TYPE_GC but no "
                         "traverse or clear slot",
                         type->name);
    if (type->finalize && !(type->flags & RC_TYPE_GC))
        return rc_error_set(RC_EVALUE,
                            "rc_type_ready: type '%s' has a finalizer but not RC_TYPE_GC",
                            type->name);
    size_t off = type->weaklist_offset;
    if (off && (off < sizeof(rc_object) || off + sizeof(rc_object *) > type->basicsize ||
                off % sizeof(rc_object *) != 0))
        return rc_error_set(RC_EVALUE,
                            "rc_type_ready: type '%s' has weaklist_offset %zu outside "
                            "its fields",
                            type->name, off);
    return RC_OK;
}

rc_status rc_type_ready(rc_type *type) {
    if (!type)
        return rc_error_set(RC_EVALUE, "rc_type_ready: NULL type");
    /* Acquire: pairs with the release store below, so a thread that sees
     * the id also sees rci_type_names[id], and may then read the id as a
     * plain field (rci_object_alloc and every count of the type do). */
    if (rcs_shared_load(&type->id, memory_order_acquire) != 0)
        return RC_OK;
    rc_status st = type_check_definition(type);
    if (st != RC_OK)
        return st;
    pthread_mutex_lock(&type_ready_lock);
    /* Relaxed: a thread that readied it first did so under this lock. */
    if (rcs_shared_load(&type->id, memory_order_relaxed) == 0) {
        if (next_client_type_id >= RC_MAX_TYPES) {
            pthread_mutex_unlock(&type_ready_lock);
            return rc_error_set(RC_ELIMIT, "rc_type_ready: more than %d types", RC_MAX_TYPES);
        }
        unsigned id = next_client_type_id++;
        rci_type_names[id] = type->name;
        rcs_shared_store(&type->id, id, memory_order_release);
    }
    pthread_mutex_unlock(&type_ready_lock);
    return RC_OK;
}

void rci_types_fork_prepare(void) {
    pthread_mutex_lock(&type_ready_lock);
}

void rci_types_fork_after(void) {
    pthread_mutex_unlock(&type_ready_lock);
}

/* ---- allocation ------------------------------------------------------------ */

/* A GC object, not yet linked where the collector finds it: collect first
 * if a threshold has passed (the new object must not exist yet when the
 * collector looks), then allocate the collector's head in front of the
 * object and set the header and type. The fields are the caller's to
 * write before rci_object_link_new. */
static rc_object *object_alloc_gc_unlinked(const rc_type *type, size_t size) {
    rci_gc_before_alloc(); /* a call up into the collector (README, Layout) */
    rci_gc_head *h = rci_mem_alloc_block(sizeof(rci_gc_head) + size, RCI_BLOCK_GC_OBJECT);
    if (!h)
        return NULL;
    rc_object *o = rci_gc_object_of(h);
    rcs_header_init(&o->rc);
    o->type = type;
    return o;
}

/* A GC object complete (header, type, fields zeroed) before it is linked
 * where the collector, perhaps on another thread, can see it; the caller's
 * filling in later is safe because zeroed fields traverse as nothing. */
static rc_object *object_alloc_gc(const rc_type *type, size_t size) {
    rc_object *o = object_alloc_gc_unlinked(type, size);
    if (o) {
        memset((char *)o + sizeof(rc_object), 0, size - sizeof(rc_object));
        rci_gc_track_new(rci_gc_head_of(o));
    }
    return o;
}

rc_object *rci_object_alloc_unlinked(const rc_type *type, size_t size) {
    rci_tstate *t = rci_tstate_checked("creating an object");
    if (!t)
        return NULL;
    rc_object *o = object_alloc_gc_unlinked(type, size);
    if (o)
        rci_live_add(t, type->id, 1);
    return o;
}

void rci_object_link_new(rc_object *o) {
    rci_gc_track_new(rci_gc_head_of(o));
}

rc_object *rci_object_alloc(const rc_type *type, size_t size) {
    rci_tstate *t = rci_tstate_checked("creating an object");
    if (!t)
        return NULL;
    rc_object *o;
    if (rci_gc_is_gc_type(type)) {
        o = object_alloc_gc(type, size);
    } else {
        o = rci_mem_alloc_block(size, RCI_BLOCK_OBJECT);
        if (o) {
            rcs_header_init(&o->rc);
            o->type = type;
        }
    }
    if (!o)
        return NULL;
    rci_live_add(t, type->id, 1);
    return o;
}

size_t rc_fixed_instance_size(const rc_object *self) {
    return self->type->basicsize;
}

/* Gives an object's memory back: to the block cache of its kind, where it
 * stays object memory (runtime/memory.c says why a lock-free reader needs
 * that), or, when its type cannot tell its size (no instance_size slot),
 * to rcs_retire. size: what the slot said, 0 without one. A GC object's
 * block starts at its collector head. */
static void object_release_memory(rc_object *o, size_t size) {
    if (rci_gc_is_gc_type(o->type)) {
        void *block = rci_gc_head_of(o);
        if (size)
            rci_mem_free_block(block, sizeof(rci_gc_head) + size, RCI_BLOCK_GC_OBJECT);
        else
            rci_mem_retire_object(block, 0, RCI_BLOCK_GC_OBJECT);
    } else if (size) {
        rci_mem_free_block(o, size, RCI_BLOCK_OBJECT);
    } else {
        rci_mem_retire_object(o, 0, RCI_BLOCK_OBJECT);
    }
}

void rci_object_free(rci_tstate *t, rc_object *o) {
    rci_live_add(t, o->type->id, -1);
    /* Asked before the debug quarantine can keep o, so that a type's slot
     * runs once per object in every build, the debug one too. */
    size_t size = o->type->instance_size ? o->type->instance_size(o) : 0;
    if (RC_DEBUG && rci_debug_quarantine(t, o))
        return;
    object_release_memory(o, size);
}

rc_object *rc_object_new_var(rc_type *type, size_t extra_bytes) {
    if (rc_type_ready(type) != RC_OK)
        return NULL;
    size_t size = type->basicsize + extra_bytes;
    if (size < extra_bytes)
        return rci_error_null(RC_EOVERFLOW, "rc_object_new_var: size overflows");
    rc_object *o = rci_object_alloc(type, size);
    if (o && !rci_gc_is_gc_type(type)) /* GC objects come zeroed */
        memset((char *)o + sizeof(rc_object), 0, size - sizeof(rc_object));
    return o;
}

rc_object *rc_object_new(rc_type *type) {
    return rc_object_new_var(type, 0);
}

void rci_make_immortal(rc_object *o) {
    rci_live_add(rci_current, o->type->id, -1);
    rcs_make_immortal(&o->rc);
}
