/*
 * tests/protocol_vec.h -- a client container for the protocol tests: a
 * fixed-size vector with the length, getitem and setitem slots, whose iter
 * slot makes a vec_iter (a separate iterator type with a next slot).
 * Shared by protocol_test.c and protocol_threads_test.c.
 *
 * Thread safety, as a client type must provide it (the runtime takes no
 * lock around slots): a vec's items are read and replaced inside its
 * critical section, and an item being replaced is dropped after the
 * section ends (never rc_decref inside one). A vec_iter's position is
 * advanced inside the iterator's own section, ended before the vec's is
 * begun (never two sections nested).
 */
#ifndef RC_TESTS_PROTOCOL_VEC_H
#define RC_TESTS_PROTOCOL_VEC_H

#include "tests/support.h"

typedef struct vec {
    rc_object base;
    int64_t n;
    rc_object *items[]; /* n strong references, never NULL (None at first) */
} vec;

typedef struct vec_iter {
    rc_object base;
    rc_object *v; /* the vec, a strong reference */
    int64_t position;
} vec_iter;

static int vec_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    vec *v = (vec *)self;
    for (int64_t i = 0; i < v->n; i++)
        RC_VISIT(v->items[i]);
    return 0;
}

static void vec_clear(rc_object *self) {
    vec *v = (vec *)self;
    for (int64_t i = 0; i < v->n; i++)
        rc_clear_ref(&v->items[i]);
}

static size_t vec_instance_size(const rc_object *self) {
    return sizeof(vec) + (size_t)((const vec *)self)->n * sizeof(rc_object *);
}

static int64_t vec_length(rc_object *self) {
    return ((vec *)self)->n; /* fixed at creation: no lock */
}

/* key as an index of v: RC_OK, or RC_ETYPE / RC_EINDEX set. */
static rc_status vec_index(vec *v, rc_object *key, int64_t *i) {
    if (!rc_int_check(key))
        return rc_error_set(RC_ETYPE, "vec indices must be integers, not %s",
                            rc_object_type_name(key));
    if (rc_int_as_i64(key, i) != RC_OK || *i < 0 || *i >= v->n)
        return rc_error_set(RC_EINDEX, "vec index out of range");
    return RC_OK;
}

static rc_object *vec_getitem(rc_object *self, rc_object *key) {
    vec *v = (vec *)self;
    int64_t i;
    if (vec_index(v, key, &i) != RC_OK)
        return NULL;
    rc_object *item;
    RC_CRITICAL_BEGIN(self)
    item = rc_newref(v->items[i]);
    RC_CRITICAL_END(self)
    return item;
}

/* value NULL (del v[i]) puts None back: a vec never changes its size. */
static rc_status vec_setitem(rc_object *self, rc_object *key, rc_object *value) {
    vec *v = (vec *)self;
    int64_t i;
    if (vec_index(v, key, &i) != RC_OK)
        return rc_error_code();
    rc_object *item = rc_newref(value ? value : rc_none()), *old;
    RC_CRITICAL_BEGIN(self)
    old = v->items[i];
    v->items[i] = item;
    RC_CRITICAL_END(self)
    rc_decref(old);
    return RC_OK;
}

static int vec_iter_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    RC_VISIT(((vec_iter *)self)->v);
    return 0;
}

static void vec_iter_clear(rc_object *self) {
    rc_clear_ref(&((vec_iter *)self)->v);
}

static int vec_iter_next(rc_object *self, rc_object **item) {
    vec_iter *it = (vec_iter *)self;
    int64_t i;
    RC_CRITICAL_BEGIN(self)
    i = it->position;
    if (it->v && i < ((vec *)it->v)->n)
        it->position++;
    RC_CRITICAL_END(self)
    vec *v = (vec *)it->v; /* set at creation; cleared only when unreachable */
    if (!v || i >= v->n)
        return 0;
    RC_CRITICAL_BEGIN(&v->base)
    *item = rc_newref(v->items[i]);
    RC_CRITICAL_END(&v->base)
    return 1;
}

static rc_type vec_iter_type = {
    .name = "vec_iter",
    .basicsize = sizeof(vec_iter),
    .flags = RC_TYPE_GC,
    .dealloc = vec_iter_clear,
    .traverse = vec_iter_traverse,
    .clear = vec_iter_clear,
    .instance_size = rc_fixed_instance_size,
    .next = vec_iter_next,
};

static rc_object *vec_iter_slot(rc_object *self) {
    vec_iter *it = (vec_iter *)rc_object_new(&vec_iter_type);
    if (it)
        it->v = rc_newref(self);
    return it ? &it->base : NULL;
}

static rc_type vec_type = {
    .name = "vec",
    .basicsize = sizeof(vec),
    .flags = RC_TYPE_GC,
    .dealloc = vec_clear,
    .traverse = vec_traverse,
    .clear = vec_clear,
    .instance_size = vec_instance_size,
    .length = vec_length,
    .getitem = vec_getitem,
    .setitem = vec_setitem,
    .iter = vec_iter_slot,
};

/* A new vec of n Nones. */
static rc_object *vec_new(int64_t n) {
    vec *v = (vec *)rc_object_new_var(&vec_type, (size_t)n * sizeof(rc_object *));
    assert_non_null(v);
    v->n = n;
    for (int64_t i = 0; i < n; i++)
        v->items[i] = rc_none();
    return &v->base;
}

#endif /* RC_TESTS_PROTOCOL_VEC_H */
