/*
 * objects/object.h -- the object header, the type object, and the
 * operations every object supports (hash, equality, text).
 *
 * Every object starts with an rc_object header: the strategy's fields (the
 * reference count, and per-object lock where the strategy has one) and a
 * pointer to its type. Types are plain static structs, not objects: they are
 * never counted, so instances do not touch their type's cache line when they
 * are created or freed, and no thread ever contends on a type.
 *
 * ---- defining a type of your own ------------------------------------------
 *
 *     typedef struct point {
 *         rc_object base;        // first member, always
 *         rc_object *label;      // a strong reference, or NULL
 *         double x, y;
 *     } point;
 *
 *     static void point_dealloc(rc_object *self) {
 *         rc_xdecref(((point *)self)->label);
 *     }
 *     static int point_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
 *         RC_VISIT(((point *)self)->label);
 *         return 0;
 *     }
 *     static void point_clear(rc_object *self) {
 *         rc_clear_ref(&((point *)self)->label);
 *     }
 *     static rc_type point_type = {
 *         .name = "point", .basicsize = sizeof(point), .flags = RC_TYPE_GC,
 *         .dealloc = point_dealloc, .traverse = point_traverse,
 *         .clear = point_clear,
 *     };
 *
 *     point *p = (point *)rc_object_new(&point_type);   // zeroed fields
 *
 * Slots left NULL get the defaults described on each slot below. See
 * docs/embedding.md for a complete, compiled example.
 */
#ifndef RC_OBJECTS_OBJECT_H
#define RC_OBJECTS_OBJECT_H

#include <stddef.h>
#include <stdint.h>

#include "locking/strategy.h"
#include "runtime/abi.h"
#include "runtime/error.h"

typedef struct rc_type rc_type;

/* The header of every object. Clients embed it as their first member and
 * never touch its fields: use refcount/refcount.h and rc_object_type(). */
typedef struct rc_object {
    rcs_header rc;      /* the strategy's fields: count, lock, ... */
    const rc_type *type;
} rc_object;

/* A traversal callback: called once per strong reference an object holds.
 * Returns 0 to go on, nonzero to stop (the traversal returns that value). */
typedef int (*rc_visit_fn)(rc_object *child, void *arg);

/* Visit a possibly-NULL member; for use inside a traverse slot whose
 * parameters are named visit and arg. */
#define RC_VISIT(member)                                                                 \
    do {                                                                                 \
        rc_object *rc_visit_child_ = (rc_object *)(member);                              \
        if (rc_visit_child_) {                                                           \
            int rc_visit_result_ = visit(rc_visit_child_, arg);                          \
            if (rc_visit_result_)                                                        \
                return rc_visit_result_;                                                 \
        }                                                                                \
    } while (0)

/* Type flags. */
enum {
    /* Instances may hold references to other objects, so they can be part of
     * a reference cycle: traverse and clear are required, and the cycle
     * collector tracks the instances. */
    RC_TYPE_GC = 1u << 0,
};

struct rc_type {
    const char *name;    /* for messages and reprs; required */
    size_t basicsize;    /* bytes per instance, >= sizeof(rc_object) */
    uint32_t flags;      /* RC_TYPE_* */

    /* Releases what the instance owns: decrefs its references, frees its
     * buffers. It must not free the instance itself: the runtime does that
     * after the slot returns. Runs on the thread that dropped the last
     * reference. NULL: nothing to release. */
    void (*dealloc)(rc_object *self);

    /* Calls visit on every strong reference the instance holds (use
     * RC_VISIT). Required with RC_TYPE_GC. */
    int (*traverse)(rc_object *self, rc_visit_fn visit, void *arg);

    /* Drops the instance's references to other objects, leaving it valid
     * but empty, to break a cycle. Required with RC_TYPE_GC. */
    void (*clear)(rc_object *self);

    /* Stores a hash in *out and returns RC_OK, or fails with a status.
     * Objects that compare equal must hash equal. NULL: if equal is NULL
     * too, the object is hashed by identity (it is equal only to itself),
     * as Python's object is; if the type defines equal, it is unhashable
     * (rc_object_hash fails with RC_ETYPE), as a Python class that defines
     * __eq__ without __hash__. (The built-in types without a hash slot,
     * list, dict, set and weakref, are unhashable.) */
    rc_status (*hash)(rc_object *self, uint64_t *out);

    /* 1 if equal, 0 if not, or a negative rc_status. Called with self of
     * this type and other of any type. NULL: equal only to itself. */
    int (*equal)(rc_object *self, rc_object *other);

    /* Returns a new str reference with a text form, or NULL on error.
     * NULL slot: "<name object at 0x...>". */
    rc_object *(*repr)(rc_object *self);

    /* The finalizer: runs once per object, before the object is freed by
     * its count reaching zero or before its cycle is cleared by the
     * collector, with every object still intact. It may create new
     * references to self (the object then survives: "resurrection"); it runs
     * at most once however often that happens. Requires RC_TYPE_GC. NULL:
     * none. See gc/gc.h. */
    void (*finalize)(rc_object *self);

    /* Weak references: the offset of an `rc_object *` field of the instance
     * (zeroed by rc_object_new) where the runtime keeps the list of weak
     * references to it. 0: instances cannot be weakly referenced. See
     * objects/weakref.h. */
    size_t weaklist_offset;

    /* The bytes this instance was allocated with: basicsize, plus the
     * extra_bytes given to rc_object_new_var. With it the runtime puts the
     * instance's memory back in its cache of blocks of that size, to be
     * reused at once; NULL: the runtime cannot tell the size, and the
     * memory goes back through the strategy's slower general path. A type
     * never allocated with extra bytes can use rc_fixed_instance_size. It
     * is called once per object, in every build, after the dealloc slot (and, for collected garbage, after
     * clear), so it must depend only on fields those slots leave intact,
     * and return the true size: a wrong one corrupts the cache. */
    size_t (*instance_size)(const rc_object *self);

    /* ---- the container protocols (objects/protocol.h, objects/iter.h) ----
     * Optional; each NULL slot makes the matching generic call fail with
     * RC_ETYPE naming the type, as Python does for a class without the
     * special method. They are called with self of this type, attached,
     * outside the release region, and not inside any critical section of
     * the caller's. Thread safety is the type's own: the runtime takes no
     * lock around a slot (use RC_CRITICAL_BEGIN on self, as the built-in
     * containers do, if instances are shared). A slot may run any code,
     * including other objects' slots; the generic call counts it as one
     * level of recursion (runtime/recursion.h). */

    /* len(self): the number of items, >= 0, or a negative rc_status with
     * the error set (rc_object_length). */
    int64_t (*length)(rc_object *self);

    /* self[key] (key borrowed): a new reference, or NULL with the error set
     * (RC_EINDEX / RC_EKEY for a missing item, as the built-in containers
     * report it). rc_object_getitem. */
    rc_object *(*getitem)(rc_object *self, rc_object *key);

    /* self[key] = value (both borrowed; the instance takes its own
     * references), or, with value NULL, del self[key]: one slot for both,
     * as CPython's mp_ass_subscript, since a type that can store can
     * almost always delete and shares the lookup. A type that cannot
     * delete fails the NULL case with RC_ETYPE. Returns RC_OK or a status
     * with the error set. rc_object_setitem, rc_object_delitem. */
    rc_status (*setitem)(rc_object *self, rc_object *key, rc_object *value);

    /* iter(self): a new reference to an iterator over self, an object
     * whose type has a next slot (often self itself, for an iterator
     * type), or NULL with the error set. rc_iter_begin calls it and holds
     * the iterator until rc_iter_end. NULL: if the type has a next slot,
     * rc_iter_begin iterates the instance itself (an iterator is its own
     * iterable, as Python's __iter__ returning self); else it is not
     * iterable. */
    rc_object *(*iter)(rc_object *self);

    /* next(self), for an iterator type: 1 with a new reference in *item,
     * 0 at the end (*item NULL, no error set), or a negative rc_status with
     * the error set (*item NULL). Called by rc_iter_next. Once it has
     * returned 0 it should keep returning 0. */
    int (*next)(rc_object *self, rc_object **item);

    /* Set by the runtime (rc_type_ready); leave it 0. */
    uint32_t id;
};

/* An instance_size slot for types whose instances are all basicsize bytes. */
size_t rc_fixed_instance_size(const rc_object *self);

/* The most types a program may have, built-in ones included. */
#define RC_MAX_TYPES 256

/* Checks a type definition and registers it, so its instances are counted.
 * Called by rc_object_new on first use; call it yourself to see the error
 * early. Idempotent, and safe from several threads at once.
 * Errors: RC_EVALUE for a bad definition (no name, basicsize too small,
 * RC_TYPE_GC without traverse or clear); RC_ELIMIT past RC_MAX_TYPES. */
rc_status rc_type_ready(rc_type *type);

/* Returns: a new reference to a new instance of type, with every byte after
 * the header zeroed, or NULL (RC_ENOMEM, RC_ESTATE if not attached or inside
 * the release region, or the
 * errors of rc_type_ready). pre: attached. */
rc_object *rc_object_new(rc_type *type);

/* Like rc_object_new, with extra_bytes more after basicsize (for an inline
 * array). Errors as rc_object_new, and RC_EOVERFLOW if the size overflows. */
rc_object *rc_object_new_var(rc_type *type, size_t extra_bytes);

/* The object's type. Borrowed (types are static). pre: o is a live object. */
static inline const rc_type *rc_object_type(const rc_object *o) {
    return o->type;
}

/* The type's name, for messages. */
static inline const char *rc_object_type_name(const rc_object *o) {
    return o->type->name;
}

/* Hash of o. Returns RC_OK and stores it in *out, or fails: RC_ETYPE for an
 * unhashable object (a list, a dict, a set, a tuple holding one, a client
 * type with an equal slot and no hash slot; see rc_type.hash for the
 * identity hash of client types with neither), RC_EVALUE for NULL,
 * RC_ESTATE when the thread may not touch objects (not attached, or inside
 * the release region). */
rc_status rc_object_hash(rc_object *o, uint64_t *out);

/* 1 if a equals b, 0 if not, or a negative rc_status. Identical objects are
 * always equal. Numbers compare by value across int and float; other
 * types compare equal only to their own type. RC_ESTATE as rc_object_hash. */
int rc_object_equal(rc_object *a, rc_object *b);

/* Returns: a new str reference with the text form of o, or NULL on error:
 * RC_EVALUE for NULL, RC_ETYPE (naming the type) when o's repr slot
 * returned something other than a str, RC_ESTATE when the thread may not
 * touch objects, and the errors of the slot. */
rc_object *rc_object_repr(rc_object *o);

/* Calls the type's traverse slot; 0 for types without one. */
int rc_object_traverse(rc_object *o, rc_visit_fn visit, void *arg);

/* ---- critical sections: a client type locking its own instances ------------
 *
 *     RC_CRITICAL_BEGIN(self)
 *         ... read and change self's fields ...
 *     RC_CRITICAL_END(self)
 *
 * Every object has a lock (a byte of its header, under the strategies that
 * lock objects one by one; nothing at all under //:gil, where the global lock
 * already excludes every other thread). Use it around any change to an
 * instance that other threads may use at the same time, as the built-in
 * containers do. Rules, as for the containers:
 *   - never call rc_decref, or anything that may run other objects' code,
 *     inside: collect what to drop, end the section, then drop it;
 *   - never hold one object's section while beginning another's; for two
 *     objects use RC_CRITICAL_BEGIN2, which locks both in an order every
 *     thread agrees on (and the same object once);
 *   - sections on the same object nest, under every strategy: a thread
 *     that holds o's section may begin it again (or call rc_list_append(o)
 *     and the like, which lock o), and only the outermost end releases it.
 *     RC_CRITICAL_BEGIN2 may name an object whose section is held; if it
 *     must wait for the other object, the held one is released while it
 *     waits (as CPython's critical sections do), so another thread may
 *     change it at that point;
 *   - never block (I/O, a release region) inside.
 * The braces make an unbalanced pair a compile error. pre: attached, outside
 * the release region: the debug config (RC_DEBUG) aborts there, naming the
 * call site, since a lock has no status to return (and under //:gil the
 * section would run without the global lock). */
#ifndef RC_DEBUG
#define RC_DEBUG 0 /* as in refcount/refcount.h: --config=debug sets it */
#endif
void rci_debug_check_section(const rc_object *o, const char *file, int line);
#define RC_CRITICAL_BEGIN(o)                                                             \
    {                                                                                    \
        if (RC_DEBUG)                                                                    \
            rci_debug_check_section((o), __FILE__, __LINE__);                            \
        rcs_lock(&(o)->rc);
#define RC_CRITICAL_END(o)                                                               \
        rcs_unlock(&(o)->rc);                                                            \
    }
#define RC_CRITICAL_BEGIN2(a, b)                                                         \
    {                                                                                    \
        if (RC_DEBUG) {                                                                  \
            rci_debug_check_section((a), __FILE__, __LINE__);                            \
            rci_debug_check_section((b), __FILE__, __LINE__);                            \
        }                                                                                \
        rcs_lock2(&(a)->rc, &(b)->rc);
#define RC_CRITICAL_END2(a, b)                                                           \
        rcs_unlock2(&(a)->rc, &(b)->rc);                                                 \
    }

#endif /* RC_OBJECTS_OBJECT_H */
