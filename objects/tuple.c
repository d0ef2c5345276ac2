/*
 * objects/tuple.c -- fixed-size immutable sequences.
 *
 * Layout (rci_tuple, object_internal.h): the header, the size, then the
 * slots inline, so a tuple is one allocation. A new tuple's slots are NULL;
 * its builder fills each one with rc_tuple_set_steal while it still holds
 * the only reference. Once a tuple is shared it never changes, so readers
 * need no lock and rc_tuple_get may lend items out (borrowed).
 *
 * The only mutation after construction is the collector's clear slot, which
 * empties the slots to break a cycle; every other function therefore
 * tolerates an empty (NULL) slot instead of assuming a full tuple.
 *
 * The hash mixes the items' hashes as CPython's tuple hash does (xxHash's
 * round function, per item), so tuples differing only in item order hash
 * apart.
 */
#include <stdarg.h>
#include <string.h>

#include "objects/object_internal.h"
#include "objects/str.h"
#include "objects/tuple.h"

static inline rci_tuple *as_tuple(rc_object *o) {
    return (rci_tuple *)o;
}

bool rc_tuple_check(const rc_object *o) {
    return o && o->type == &rc_tuple_type;
}

/* Sets the error for a tuple argument that is NULL or not a tuple. */
/* The error of an entry point called from a thread that may not touch
 * objects (rci_may_touch), or with t NULL or not a tuple. */
static rc_status tuple_type_error(const char *fn, const rc_object *o) {
    if (!rci_may_touch())
        return rci_state_error(fn);
    if (!o)
        return rc_error_set(RC_EVALUE, "%s: NULL tuple", fn);
    return rc_error_set(RC_ETYPE, "%s: expected a tuple, got %s", fn, o->type->name);
}

/* Turns a possibly negative index into a slot number; false if out of range. */
static bool tuple_index(const rci_tuple *t, int64_t *i) {
    if (*i < 0)
        *i += t->size;
    return *i >= 0 && *i < t->size;
}

/* ---- slots --------------------------------------------------------------- */

static void tuple_dealloc(rc_object *self) {
    rci_tuple *t = as_tuple(self);
    /* Items that die here are only queued by rci_dealloc's work list, so a
     * chain of nested tuples is freed without recursion. */
    for (int64_t i = 0; i < t->size; i++)
        rc_xdecref(t->items[i]);
}

static int tuple_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    rci_tuple *t = as_tuple(self);
    for (int64_t i = 0; i < t->size; i++)
        RC_VISIT(t->items[i]);
    return 0;
}

static void tuple_clear(rc_object *self) {
    rci_tuple *t = as_tuple(self);
    for (int64_t i = 0; i < t->size; i++)
        rc_clear_ref(&t->items[i]);
}

/* xxHash64's primes and round, as CPython's tuplehash uses them. */
#define XXPRIME_1 11400714785074694791ull
#define XXPRIME_2 14029467366897019727ull
#define XXPRIME_5 2870177450012600261ull
#define XXROTATE(x) (((x) << 31) | ((x) >> 33))

static rc_status tuple_hash(rc_object *self, uint64_t *out) {
    rci_tuple *t = as_tuple(self);
    uint64_t acc = XXPRIME_5;
    for (int64_t i = 0; i < t->size; i++) {
        uint64_t lane;
        if (!t->items[i])
            return rc_error_set(RC_ETYPE, "unhashable tuple: slot %lld is empty",
                             (long long)i);
        rc_status st = rc_object_hash(t->items[i], &lane);
        if (st != RC_OK)
            return st;
        acc += lane * XXPRIME_2;
        acc = XXROTATE(acc);
        acc *= XXPRIME_1;
    }
    /* The length goes in last, so () and (x,) differ even when x hashes to 0. */
    acc += (uint64_t)t->size ^ (XXPRIME_5 ^ 3527539ull);
    *out = acc;
    return RC_OK;
}

/* 1 if both slots are empty or hold equal items, 0, or a negative status. */
static int tuple_slot_equal(rc_object *a, rc_object *b) {
    if (!a || !b)
        return a == b;
    return rc_object_equal(a, b);
}

static int tuple_equal(rc_object *self, rc_object *other) {
    if (!rc_tuple_check(other))
        return 0;
    rci_tuple *a = as_tuple(self), *b = as_tuple(other);
    if (a->size != b->size)
        return 0;
    for (int64_t i = 0; i < a->size; i++) {
        int r = tuple_slot_equal(a->items[i], b->items[i]);
        if (r != 1)
            return r;
    }
    return 1;
}

/* ---- repr: "(1, 'a')", "(1,)", "()" -------------------------------------- */

/* Fills parts[i] with a new str for each item; an empty slot reads "<NULL>".
 * On failure (error set), decrefs the parts made so far. */
static bool tuple_item_reprs(rci_tuple *t, rc_object **parts) {
    for (int64_t i = 0; i < t->size; i++) {
        /* rc_object_repr checks that a client's slot returned a str */
        rc_object *p =
            t->items[i] ? rc_object_repr(t->items[i]) : rc_str_from_cstr("<NULL>");
        if (!p) {
            while (i > 0)
                rc_decref(parts[--i]);
            return false;
        }
        parts[i] = p;
    }
    return true;
}

/* Joins n strs as "(a, b)", with the one-item form "(a,)". One allocation
 * for the text, so a long tuple costs linear time, not quadratic. */
static rc_object *tuple_join(rc_object **parts, int64_t n) {
    size_t len = 2 + (n == 1);
    for (int64_t i = 0; i < n; i++)
        len += (size_t)rc_str_byte_length(parts[i]) + (i ? 2 : 0);
    char *buf = rci_mem_alloc(len);
    if (!buf)
        return NULL;
    size_t at = 0;
    buf[at++] = '(';
    for (int64_t i = 0; i < n; i++) {
        if (i) {
            memcpy(buf + at, ", ", 2);
            at += 2;
        }
        size_t k = (size_t)rc_str_byte_length(parts[i]);
        memcpy(buf + at, rc_str_data(parts[i]), k);
        at += k;
    }
    if (n == 1)
        buf[at++] = ',';
    buf[at++] = ')';
    rc_object *s = rc_str_from_utf8(buf, at);
    rci_mem_free(buf);
    return s;
}

static rc_object *tuple_repr(rc_object *self) {
    rci_tuple *t = as_tuple(self);
    if (t->size == 0)
        return rc_str_from_cstr("()");
    rc_object **parts = rci_mem_alloc((size_t)t->size * sizeof *parts);
    if (!parts)
        return NULL;
    rc_object *s = NULL;
    if (tuple_item_reprs(t, parts)) {
        s = tuple_join(parts, t->size);
        for (int64_t i = 0; i < t->size; i++)
            rc_decref(parts[i]);
    }
    rci_mem_free(parts);
    return s;
}

static size_t tuple_instance_size(const rc_object *o) {
    return sizeof(rci_tuple) + (size_t)((const rci_tuple *)o)->size * sizeof(rc_object *);
}

rc_type rc_tuple_type = {
    .name = "tuple",
    .basicsize = sizeof(rci_tuple),
    .instance_size = tuple_instance_size,
    .flags = RC_TYPE_GC,
    .dealloc = tuple_dealloc,
    .traverse = tuple_traverse,
    .clear = tuple_clear,
    .hash = tuple_hash,
    .equal = tuple_equal,
    .repr = tuple_repr,
    .id = RCI_TYPE_ID_TUPLE,
};

/* ---- construction -------------------------------------------------------- */

/* The most slots whose byte size still fits in a size_t beside the header. */
#define TUPLE_MAX_SIZE                                                                   \
    ((int64_t)((PTRDIFF_MAX - sizeof(rci_tuple)) / sizeof(rc_object *)))

rc_object *rc_tuple_new(int64_t size) {
    if (size < 0)
        return rci_error_null(RC_EVALUE, "rc_tuple_new: negative size %lld",
                              (long long)size);
    if (size > TUPLE_MAX_SIZE)
        return rci_error_null(RC_ENOMEM, "rc_tuple_new: %lld slots is too many",
                              (long long)size);
    size_t slots = (size_t)size * sizeof(rc_object *);
    rci_tuple *t =
        (rci_tuple *)rci_object_alloc(&rc_tuple_type, sizeof(rci_tuple) + slots);
    if (!t)
        return NULL;
    t->size = size;
    if (slots)
        memset(t->items, 0, slots);
    return &t->base;
}

/* Drops the n references of items (the caller's, stolen), where this
 * thread may (rc_tuple_from_array_steal's contract); NULL items are skipped. */
static void tuple_drop_items(int64_t n, rc_object *const *items) {
    if (!rci_may_touch())
        return;
    for (int64_t i = 0; i < n; i++)
        rc_xdecref(items[i]);
}

/* rc_tuple_from_array_steal's failures, out of line so that its common path
 * stays a few instructions. */
static RC_NOINLINE rc_object *tuple_from_array_refused(int64_t n, rc_object *const *items) {
    static const char fn[] = "rc_tuple_from_array_steal";
    if (!rci_may_touch()) {
        rci_state_error(fn);
        return NULL;
    }
    if (n < 0 || !items)
        return rci_error_null(RC_EVALUE, "%s: %s", fn, n < 0 ? "negative size" : "NULL items array");
    tuple_drop_items(n, items);
    return rci_error_null(RC_ENOMEM, "%s: %lld slots is too many", fn, (long long)n);
}

/* Slot i of t came out NULL while copying: t is complete but for slots i..n-1,
 * which take the rest of the items (NULL or not), so that dropping t drops
 * every reference the call was given. */
static RC_NOINLINE rc_object *tuple_from_array_hole(rci_tuple *t, int64_t n,
                                                    rc_object *const *items, int64_t i) {
    for (int64_t k = i; k < n; k++)
        t->items[k] = items[k];
    rci_object_link_new(&t->base);
    rc_decref(&t->base);
    return rci_error_null(RC_EVALUE, "rc_tuple_from_array_steal: item %lld is NULL", (long long)i);
}

rc_object *rc_tuple_from_array_steal(int64_t n, rc_object *const *items) {
    if (RC_UNLIKELY(n < 0 || n > TUPLE_MAX_SIZE || (n > 0 && !items)))
        return tuple_from_array_refused(n, items);
    /* Unlinked and unzeroed: every field is written below, before the
     * collector can see the tuple (rci_object_alloc_unlinked's contract). */
    rci_tuple *t = (rci_tuple *)rci_object_alloc_unlinked(
        &rc_tuple_type, sizeof(rci_tuple) + (size_t)n * sizeof(rc_object *));
    if (RC_UNLIKELY(!t)) {
        tuple_drop_items(n, items); /* not where the thread may not touch objects */
        return NULL;
    }
    t->size = n;
    for (int64_t i = 0; i < n; i++)
        if (RC_UNLIKELY(!(t->items[i] = items[i])))
            return tuple_from_array_hole(t, n, items, i);
    rci_object_link_new(&t->base);
    return &t->base;
}

/* pre: ap holds n objects. NULL if any of them is NULL. */
static bool tuple_args_present(int64_t n, va_list ap) {
    for (int64_t i = 0; i < n; i++)
        if (!va_arg(ap, rc_object *))
            return false;
    return true;
}

rc_object *rc_tuple_pack(int64_t n, ...) {
    va_list ap;
    va_start(ap, n);
    /* Check every item before allocating, so a bad call leaves nothing. */
    bool ok = tuple_args_present(n, ap);
    va_end(ap);
    if (!ok)
        return rci_error_null(RC_EVALUE, "rc_tuple_pack: NULL item");
    rc_object *t = rc_tuple_new(n);
    if (!t)
        return NULL;
    va_start(ap, n);
    for (int64_t i = 0; i < n; i++)
        as_tuple(t)->items[i] = rc_newref(va_arg(ap, rc_object *));
    va_end(ap);
    return t;
}

/* The error paths of rc_tuple_set_steal, kept out of line so that filling a
 * fresh tuple (the common case, once per item) stays a few instructions. */
static RC_NOINLINE rc_status tuple_set_steal_failed(rc_object *t, int64_t i,
                                                    rc_object *item) {
    int64_t index = i;
    rc_status st;
    if (!rci_may_touch())
        return rci_state_error("rc_tuple_set_steal"); /* may not drop item here */
    if (!rc_tuple_check(t))
        st = tuple_type_error("rc_tuple_set_steal", t);
    else if (!item)
        st = rc_error_set(RC_EVALUE, "rc_tuple_set_steal: NULL item");
    else if (!tuple_index(as_tuple(t), &index))
        st = rc_error_set(RC_EINDEX,
                       "rc_tuple_set_steal: index %lld out of range for size %lld",
                       (long long)i, (long long)as_tuple(t)->size);
    else
        st = rc_error_set(RC_EVALUE, "rc_tuple_set_steal: slot %lld is already filled",
                       (long long)i);
    rc_xdecref(item); /* stolen, also on failure */
    return st;
}

rc_status rc_tuple_set_steal(rc_object *t, int64_t i, rc_object *item) {
    int64_t index = i;
    if (RC_UNLIKELY(!rci_may_touch() || !rc_tuple_check(t) || !item ||
                    !tuple_index(as_tuple(t), &index) ||
                    as_tuple(t)->items[index]))
        return tuple_set_steal_failed(t, i, item);
    as_tuple(t)->items[index] = item;
    return RC_OK;
}

/* ---- access -------------------------------------------------------------- */

int64_t rc_tuple_size(rc_object *t) {
    if (RC_UNLIKELY(!rci_may_touch() || !rc_tuple_check(t)))
        return tuple_type_error("rc_tuple_size", t);
    return as_tuple(t)->size;
}

rc_object *rc_tuple_get(rc_object *t, int64_t i) {
    if (RC_UNLIKELY(!rci_may_touch() || !rc_tuple_check(t))) {
        tuple_type_error("rc_tuple_get", t);
        return NULL;
    }
    int64_t index = i;
    if (!tuple_index(as_tuple(t), &index))
        return rci_error_null(RC_EINDEX,
                              "rc_tuple_get: index %lld out of range for size %lld",
                              (long long)i, (long long)as_tuple(t)->size);
    rc_object *item = as_tuple(t)->items[index];
    if (!item)
        return rci_error_null(RC_EVALUE, "rc_tuple_get: slot %lld is empty",
                              (long long)i);
    return item;
}
