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
#include "objects/str.h"
#include "runtime/recursion_internal.h"

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
    if (__atomic_load_n(&type->id, __ATOMIC_ACQUIRE) != 0)
        return RC_OK;
    rc_status st = type_check_definition(type);
    if (st != RC_OK)
        return st;
    pthread_mutex_lock(&type_ready_lock);
    /* Relaxed: a thread that readied it first did so under this lock. */
    if (__atomic_load_n(&type->id, __ATOMIC_RELAXED) == 0) {
        if (next_client_type_id >= RC_MAX_TYPES) {
            pthread_mutex_unlock(&type_ready_lock);
            return rc_error_set(RC_ELIMIT, "rc_type_ready: more than %d types", RC_MAX_TYPES);
        }
        unsigned id = next_client_type_id++;
        rci_type_names[id] = type->name;
        __atomic_store_n(&type->id, id, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&type_ready_lock);
    return RC_OK;
}

/* ---- allocation ------------------------------------------------------------ */

/* A GC object: collect first if a threshold has passed (the new object must
 * not exist yet when the collector looks), then allocate the collector's
 * head in front of the object. The object is complete (header, type, fields
 * zeroed) before it is linked where the collector, perhaps on another
 * thread, can see it; the caller's filling in later is safe because zeroed
 * fields traverse as nothing. */
static rc_object *object_alloc_gc(const rc_type *type, size_t size) {
    rci_gc_before_alloc();
    rci_gc_head *h = rci_mem_alloc_block(sizeof(rci_gc_head) + size, RCI_BLOCK_GC_OBJECT);
    if (!h)
        return NULL;
    rc_object *o = rci_gc_object_of(h);
    rcs_header_init(&o->rc);
    o->type = type;
    memset((char *)o + sizeof(rc_object), 0, size - sizeof(rc_object));
    rci_gc_track_new(h);
    return o;
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

/* The bytes an object was allocated with, where the runtime knows them
 * (built-in types); 0 for client types, whose instances may have been
 * allocated with extra bytes (rc_object_new_var). */
static size_t object_allocated_size(const rc_object *o) {
    switch (o->type->id) {
    case RCI_TYPE_ID_INT:
    case RCI_TYPE_ID_FLOAT:
    case RCI_TYPE_ID_LIST:
    case RCI_TYPE_ID_DICT:
    case RCI_TYPE_ID_WEAKREF:
        return o->type->basicsize;
    case RCI_TYPE_ID_STR:
        return rci_str_allocated_size(o);
    case RCI_TYPE_ID_TUPLE:
        return sizeof(rci_tuple) + (size_t)((const rci_tuple *)o)->size * sizeof(rc_object *);
    default:
        return 0;
    }
}

/* Gives an object's memory back: to the block cache of its kind, where it
 * stays object memory (runtime/memory.c says why a lock-free reader needs
 * that), or, when the runtime does not know its size, to rcs_retire. A GC
 * object's block starts at its collector head. */
static void object_release_memory(rc_object *o) {
    size_t size = object_allocated_size(o);
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
    if (RC_DEBUG && rci_debug_quarantine(t, o))
        return;
    object_release_memory(o);
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

/* ---- generic operations ----------------------------------------------------
 * hash, equality and repr of a container call these again for its items, so
 * each call is one level of C recursion, counted by rci_recursion_enter
 * (the inline rc_recursion_enter, runtime/recursion.h): a structure nested
 * deeper than the limit fails with RC_ERECURSION instead of overflowing the
 * stack. Counting here covers every type at once, client types whose slots
 * call these for their children included. What cannot recurse is not
 * counted: the cheap answers (a NULL argument, an object equal to itself,
 * no slot) and the slots of the leaf types (rci_is_leaf), which keeps the
 * count (about 2 ns) off the comparisons of strings and ints that dict
 * lookups make. */

rc_status rc_object_hash(rc_object *o, uint64_t *out) {
    if (RC_UNLIKELY(!rci_may_touch()))
        return rci_state_error("rc_object_hash");
    if (!o || !out)
        return rc_error_set(RC_EVALUE, "rc_object_hash: NULL argument");
    if (!o->type->hash)
        return rc_error_set(RC_ETYPE, "unhashable type: '%s'", o->type->name);
    if (rci_is_leaf(o))
        return o->type->hash(o, out);
    rc_status st = rci_recursion_enter(" while hashing an object");
    if (st != RC_OK)
        return st;
    st = o->type->hash(o, out);
    rci_recursion_leave();
    return st;
}

int rc_object_equal(rc_object *a, rc_object *b) {
    if (RC_UNLIKELY(!rci_may_touch()))
        return rci_state_error("rc_object_equal");
    if (!a || !b)
        return rc_error_set(RC_EVALUE, "rc_object_equal: NULL argument");
    if (a == b)
        return 1;
    /* a's slot decides, or b's if a has none. */
    rc_object *self = a->type->equal ? a : b, *other = self == a ? b : a;
    if (!self->type->equal)
        return 0;
    if (rci_is_leaf(self))
        return self->type->equal(self, other);
    rc_status st = rci_recursion_enter(" in comparison");
    if (st != RC_OK)
        return st;
    int r = self->type->equal(self, other);
    rci_recursion_leave();
    return r;
}

rc_object *rc_object_repr(rc_object *o) {
    if (RC_UNLIKELY(!rci_may_touch())) {
        rci_state_error("rc_object_repr");
        return NULL;
    }
    if (!o)
        return rci_error_null(RC_EVALUE, "rc_object_repr: NULL argument");
    if (!o->type->repr)
        return rc_str_from_format("<%s object at %p>", o->type->name, (void *)o);
    if (rci_is_leaf(o))
        return o->type->repr(o);
    if (rci_recursion_enter(" while getting the repr of an object") != RC_OK)
        return NULL;
    rc_object *r = o->type->repr(o);
    rci_recursion_leave();
    if (RC_UNLIKELY(r && !rc_str_check(r))) { /* a client repr slot broke its contract */
        rc_error_set(RC_ETYPE, "repr of a %s returned a %s, not a str", o->type->name,
                     rc_object_type_name(r));
        rc_decref(r);
        return NULL;
    }
    return r;
}

int rc_object_traverse(rc_object *o, rc_visit_fn visit, void *arg) {
    if (!o || !o->type->traverse)
        return 0;
    return o->type->traverse(o, visit, arg);
}

/* ---- built-in types -------------------------------------------------------- */

#include "objects/bool.h"
#include "objects/dict.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/tuple.h"
#include "objects/weakref.h"

void rci_builtin_types_init(void) {
    rc_type *builtins[] = {&rc_none_type, &rc_bool_type,  &rc_int_type,
                           &rc_float_type, &rc_str_type,  &rc_tuple_type,
                           &rc_list_type,  &rc_dict_type, &rci_freed_type,
                           &rc_weakref_type};
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        rci_type_names[builtins[i]->id] = builtins[i]->name;
}
