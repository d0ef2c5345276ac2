/*
 * objects/bytes.c -- immutable byte strings.
 *
 * Layout as str's: the header, the size, a cached hash, then the bytes
 * inline with a NUL after them. The hash is str's (rci_cached_hash_bytes,
 * objects/str.c), computed on first use and cached the same way. Nothing
 * here ever writes an object after it is made, except that cache, so no
 * function takes a lock.
 */
#include <string.h>

#include "objects/bytes.h"
#include "objects/object_internal.h"
#include "objects/str.h"

typedef struct bytes_object {
    rc_object base;
    int64_t size;
    uint64_t hash; /* 0 until computed; relaxed atomic */
    char data[];   /* size bytes, then NUL */
} bytes_object;

static inline bytes_object *as_bytes(rc_object *o) {
    return (bytes_object *)o;
}

bool rc_bytes_check(const rc_object *o) {
    return o && o->type == &rc_bytes_type;
}

/* Bytes of `size`, not yet filled (data[size] is NUL). */
static bytes_object *bytes_alloc(size_t size) {
    if (size > (size_t)INT64_MAX - sizeof(bytes_object) - 1)
        return rci_error_null(RC_ENOMEM, "bytes too long");
    bytes_object *b =
        (bytes_object *)rci_object_alloc(&rc_bytes_type, sizeof(bytes_object) + size + 1);
    if (!b)
        return NULL;
    b->size = (int64_t)size;
    b->hash = 0;
    b->data[size] = '\0';
    return b;
}

static size_t bytes_instance_size(const rc_object *o) {
    return sizeof(bytes_object) + (size_t)((const bytes_object *)o)->size + 1;
}

rc_object *rc_bytes_from(const void *data, size_t len) {
    if (RC_UNLIKELY(!rci_may_touch())) { /* before the argument checks: bytes.h */
        rci_state_error("rc_bytes_from");
        return NULL;
    }
    if (!data && len > 0)
        return rci_error_null(RC_EVALUE, "rc_bytes_from: NULL data");
    bytes_object *b = bytes_alloc(len);
    if (!b)
        return NULL;
    if (len)
        memcpy(b->data, data, len);
    return &b->base;
}

/* ---- access ----------------------------------------------------------------- */

/* The error of an entry point when bytes_ok fails. */
static RC_NOINLINE rc_status bytes_arg_error(rc_object *o, const char *what) {
    if (!rci_may_touch())
        return rci_state_error(what);
    if (!o)
        return rc_error_set(RC_EVALUE, "%s: NULL argument", what);
    return rc_error_set(RC_ETYPE, "%s: expected bytes, got %s", what, o->type->name);
}

static inline bool bytes_ok(rc_object *o) {
    return RC_LIKELY(rci_may_touch() && rc_bytes_check(o));
}

int64_t rc_bytes_size(rc_object *o) {
    return bytes_ok(o) ? as_bytes(o)->size : bytes_arg_error(o, "rc_bytes_size");
}

const char *rc_bytes_data(rc_object *o) {
    if (bytes_ok(o))
        return as_bytes(o)->data;
    bytes_arg_error(o, "rc_bytes_data");
    return NULL;
}

rc_object *rc_bytes_concat(rc_object *a, rc_object *b) {
    if (!bytes_ok(a) || !bytes_ok(b)) {
        bytes_arg_error(bytes_ok(a) ? b : a, "rc_bytes_concat");
        return NULL;
    }
    bytes_object *x = as_bytes(a), *y = as_bytes(b);
    bytes_object *r = bytes_alloc((size_t)x->size + (size_t)y->size);
    if (!r)
        return NULL;
    memcpy(r->data, x->data, (size_t)x->size);
    memcpy(r->data + x->size, y->data, (size_t)y->size);
    return &r->base;
}

/* ---- slots ------------------------------------------------------------------ */

static rc_status bytes_hash(rc_object *self, uint64_t *out) {
    bytes_object *b = as_bytes(self);
    *out = rci_cached_hash_bytes(&b->hash, b->data, b->size);
    return RC_OK;
}

static int bytes_equal(rc_object *self, rc_object *other) {
    if (!rc_bytes_check(other))
        return 0;
    bytes_object *x = as_bytes(self), *y = as_bytes(other);
    return x->size == y->size && memcmp(x->data, y->data, (size_t)x->size) == 0;
}

/* b'...' as Python writes it: every byte past ASCII as \xNN. */
static rc_object *bytes_repr(rc_object *self) {
    bytes_object *b = as_bytes(self);
    return rci_quoted_repr("b", b->data, b->size, true);
}

rc_type rc_bytes_type = {
    .name = "bytes",
    .basicsize = sizeof(bytes_object),
    .instance_size = bytes_instance_size,
    .hash = bytes_hash,
    .equal = bytes_equal,
    .repr = bytes_repr,
    .id = RCI_TYPE_ID_BYTES,
};
