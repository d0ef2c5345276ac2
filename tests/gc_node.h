/*
 * tests/gc_node.h -- the client GC type the collector tests share: a node
 * with one strong reference, weakly referable. Header-only (static inline)
 * so that only the tests that use it compile it.
 */
#ifndef RC_TESTS_GC_NODE_H
#define RC_TESTS_GC_NODE_H

#include "tests/support.h"

#include <stddef.h>

/* ---- a client type: a node with one reference, weakly referable ---------- */

typedef struct node {
    rc_object base;
    rc_object *ref;      /* strong, or NULL */
    rc_object *weaklist; /* the runtime's: weak references to this node */
    int64_t id;
} node;

static inline int node_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    RC_VISIT(((node *)self)->ref);
    return 0;
}

static inline void node_clear(rc_object *self) {
    rc_clear_ref(&((node *)self)->ref);
}

static inline void node_dealloc(rc_object *self) {
    rc_xdecref(((node *)self)->ref);
}

static rc_type node_type = {
    .name = "node",
    .basicsize = sizeof(node),
    .flags = RC_TYPE_GC,
    .dealloc = node_dealloc,
    .traverse = node_traverse,
    .clear = node_clear,
    .weaklist_offset = offsetof(node, weaklist),
};

static inline rc_object *node_new(int64_t id) {
    node *n = (node *)rc_object_new(&node_type);
    assert_non_null(n);
    n->id = id;
    return &n->base;
}

/* Points a at b (a takes a reference). */
static inline void node_link(rc_object *a, rc_object *b) {
    rc_object *old = ((node *)a)->ref;
    ((node *)a)->ref = rc_newref(b);
    rc_xdecref(old);
}

#endif /* RC_TESTS_GC_NODE_H */
