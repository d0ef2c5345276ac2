/*
 * objects/generic.c -- the generic operations (hash, equality, repr,
 * traverse) that dispatch on an object's type slots, for every type, the
 * client's included.
 */
#include <string.h>

#include "objects/object_internal.h"
#include "objects/str.h"
#include "runtime/recursion_internal.h"

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

/* The hash of an object whose type has neither a hash nor an equality
 * slot: such an object is equal only to itself (rc_object_equal), so its
 * address is a hash that agrees with equality, and stays the same for the
 * object's life (objects never move). Rotated as CPython's
 * _Py_HashPointer rotates: the low bits of an address are mostly 0
 * (alignment), and the dict's probing starts from the low bits. A
 * rotation is one-to-one, so two live objects never share this hash. */
static uint64_t identity_hash(const rc_object *o) {
    uint64_t p = (uint64_t)(uintptr_t)o;
    return (p >> 4) | (p << 60);
}

/* No hash slot: a client type hashes by identity if it has no equality
 * either; a type that compares by value but says nothing about hashing is
 * unhashable, as in Python (a class that defines __eq__ alone gets
 * __hash__ = None). Built-in types without a hash slot (list, dict, set,
 * weakref) stay unhashable: a weak reference would hash by its referent in
 * Python, which identity would contradict. */
static RC_NOINLINE rc_status hash_without_slot(rc_object *o, uint64_t *out) {
    if (o->type->equal || o->type->id < RCI_FIRST_CLIENT_TYPE_ID)
        return rc_error_set(RC_ETYPE, "unhashable type: '%s'", o->type->name);
    *out = identity_hash(o);
    return RC_OK;
}

rc_status rc_object_hash(rc_object *o, uint64_t *out) {
    if (RC_UNLIKELY(!rci_may_touch()))
        return rci_state_error("rc_object_hash");
    if (!o || !out)
        return rc_error_set(RC_EVALUE, "rc_object_hash: NULL argument");
    if (!o->type->hash)
        return hash_without_slot(o, out);
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

static _Thread_local rci_repr_frame *repr_active; /* this thread's, innermost first */

bool rci_repr_enter(rci_repr_frame *frame, const rc_object *o) {
    for (rci_repr_frame *f = repr_active; f; f = f->outer)
        if (f->container == o)
            return false;
    *frame = (rci_repr_frame){.container = o, .outer = repr_active};
    repr_active = frame;
    return true;
}

void rci_repr_leave(rci_repr_frame *frame) {
    repr_active = frame->outer;
}

rc_object *rci_repr_rebracket(rc_object *text, char open, char close, size_t drop) {
    const char *s = rc_str_data(text);
    size_t inner = (size_t)rc_str_byte_length(text) - 2 - drop;
    char *buf = rci_mem_alloc(inner + 2);
    if (!buf)
        return NULL;
    buf[0] = open;
    memcpy(buf + 1, s + 1, inner);
    buf[inner + 1] = close;
    rc_object *r = rc_str_from_utf8(buf, inner + 2);
    rci_mem_free(buf);
    return r;
}

int rc_object_traverse(rc_object *o, rc_visit_fn visit, void *arg) {
    return rci_traverse(o, visit, arg);
}
