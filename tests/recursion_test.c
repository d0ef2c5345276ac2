/*
 * tests/recursion_test.c -- the C recursion limit (runtime/recursion.h):
 * repr, hash and equality of structures nested far deeper than the limit
 * (100,000 and 300,000 levels, built-in containers and a client type whose
 * slots call back) fail with RC_ERECURSION and CPython's message instead of
 * overflowing the C stack, leak nothing, leave the depth at zero and the
 * runtime usable; the limit is exact, settable, and checked; cycles still
 * print as [...] and {...}; the collector and freeing need no limit.
 */
#include "tests/support.h"

#include <string.h>

#define DEEP 100000
#define DEEPER 300000

/* The call failed with RC_ERECURSION, a message naming `what`, and left the
 * depth where it was. */
#define assert_recursion_error(what)                                                     \
    do {                                                                                 \
        assert_int_equal(rc_error_code(), RC_ERECURSION);                                \
        assert_non_null(strstr(rc_error_message(), "maximum recursion depth exceeded")); \
        assert_non_null(strstr(rc_error_message(), (what)));                             \
        assert_int_equal(rc_recursion_depth(), 0);                                       \
    } while (0)

static void assert_repr(rc_object *o, const char *expected) {
    rc_object *r = rc_object_repr(o);
    assert_non_null(r);
    assert_string_equal(rc_str_data(r), expected);
    rc_decref(r);
}

/* A list holding a list ... depth times, around leaf (stolen; NULL for an
 * empty innermost list). Returns a new reference. */
static rc_object *nested_lists(int depth, rc_object *leaf) {
    rc_object *x = rc_list_new();
    assert_non_null(x);
    if (leaf)
        assert_int_equal(rc_list_append_steal(x, leaf), RC_OK);
    for (int i = 1; i < depth; i++) {
        rc_object *outer = rc_list_new();
        assert_non_null(outer);
        assert_int_equal(rc_list_append_steal(outer, x), RC_OK);
        x = outer;
    }
    return x;
}

/* (((leaf,),),) with `depth` tuples; leaf stolen. Returns a new reference. */
static rc_object *nested_tuples(int depth, rc_object *leaf) {
    rc_object *x = leaf;
    for (int i = 0; i < depth; i++) {
        rc_object *t = rc_tuple_new(1);
        assert_non_null(t);
        assert_int_equal(rc_tuple_set_steal(t, 0, x), RC_OK);
        x = t;
    }
    return x;
}

/* {'k': {'k': ... {}}} with `depth` dicts. Returns a new reference. */
static rc_object *nested_dicts(int depth) {
    rc_object *key = rc_str_from_cstr("k");
    rc_object *x = rc_dict_new();
    assert_non_null(x);
    for (int i = 1; i < depth; i++) {
        rc_object *outer = rc_dict_new();
        assert_non_null(outer);
        assert_int_equal(rc_dict_set(outer, key, x), RC_OK);
        rc_decref(x);
        x = outer;
    }
    rc_decref(key);
    return x;
}

/* After an error, ordinary nesting still works on this thread. */
static void assert_still_usable(void) {
    rc_object *small = nested_lists(3, rc_int_from_i64(7));
    assert_repr(small, "[[[7]]]");
    rc_object *twin = nested_lists(3, rc_int_from_i64(7));
    assert_int_equal(rc_object_equal(small, twin), 1);
    rc_decref(twin);
    rc_decref(small);
    assert_int_equal(rc_recursion_depth(), 0);
}

/* ---- the cases of issue 11 ---------------------------------------------- */

static void test_repr_of_deep_list(void **state) {
    (void)state;
    rc_object *x = nested_lists(DEEP, NULL);
    int64_t live = rc_live_objects();
    rc_error_clear();
    assert_null(rc_object_repr(x));
    assert_recursion_error("while getting the repr of an object");
    assert_int_equal(rc_live_objects(), live); /* every snapshot and part freed */
    rc_decref(x);
    assert_still_usable();
}

static void test_hash_of_deep_tuple(void **state) {
    (void)state;
    rc_object *t = nested_tuples(DEEP, rc_int_from_i64(1));
    uint64_t h = 0;
    rc_error_clear();
    assert_int_equal(rc_object_hash(t, &h), RC_ERECURSION);
    assert_recursion_error("while hashing an object");

    /* As a dict key: every dict operation that hashes reports it. */
    rc_object *d = rc_dict_new();
    rc_object *v = rc_str_from_cstr("v");
    rc_error_clear();
    assert_int_equal(rc_dict_set(d, t, v), RC_ERECURSION);
    assert_recursion_error("while hashing an object");
    assert_int_equal(rc_dict_size(d), 0);
    rc_error_clear();
    assert_int_equal(rc_dict_contains(d, t), RC_ERECURSION);
    assert_recursion_error("while hashing an object");
    rc_error_clear();
    assert_null(rc_dict_get(d, t));
    assert_recursion_error("while hashing an object");
    rc_decref(v);
    rc_decref(d);
    rc_decref(t);
    assert_still_usable();
}

static void test_equality_of_deep_lists(void **state) {
    (void)state;
    rc_object *a = nested_lists(DEEPER, NULL), *b = nested_lists(DEEPER, NULL);
    rc_error_clear();
    assert_int_equal(rc_object_equal(a, b), RC_ERECURSION);
    assert_recursion_error("in comparison");
    /* The same object is equal to itself without looking inside. */
    assert_int_equal(rc_object_equal(a, a), 1);
    rc_decref(a);
    rc_decref(b);
    assert_still_usable();
}

/* a = [a]; b = [b]; a == b recurses forever: each compares its item with
 * the other's, which are a and b again. */
static void test_equality_of_self_containing_lists(void **state) {
    (void)state;
    rc_object *a = rc_list_new(), *b = rc_list_new();
    assert_int_equal(rc_list_append(a, a), RC_OK);
    assert_int_equal(rc_list_append(b, b), RC_OK);
    rc_error_clear();
    assert_int_equal(rc_object_equal(a, b), RC_ERECURSION);
    assert_recursion_error("in comparison");
    /* repr of a self-containing list still stops at the repeat. */
    assert_repr(a, "[[...]]");
    rc_decref(a);
    rc_decref(b);
    assert_true(rc_gc_collect() >= 2);
    assert_still_usable();
}

static void test_deep_dicts(void **state) {
    (void)state;
    rc_object *a = nested_dicts(DEEP), *b = nested_dicts(DEEP);
    rc_error_clear();
    assert_null(rc_object_repr(a));
    assert_recursion_error("while getting the repr of an object");
    rc_error_clear();
    assert_int_equal(rc_object_equal(a, b), RC_ERECURSION);
    assert_recursion_error("in comparison");
    rc_decref(a);
    rc_decref(b);

    /* A dict inside itself still shows as {...}. */
    rc_object *d = rc_dict_new(), *k = rc_str_from_cstr("me");
    assert_int_equal(rc_dict_set(d, k, d), RC_OK);
    assert_repr(d, "{'me': {...}}");
    rc_decref(k);
    rc_decref(d);
    assert_true(rc_gc_collect() >= 1);
    assert_still_usable();
}

/* ---- a client type whose slots call the generic operations back ---------- */

typedef struct box {
    rc_object base;
    rc_object *item; /* strong, or NULL */
} box;

static int box_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    RC_VISIT(((box *)self)->item);
    return 0;
}

static void box_clear(rc_object *self) {
    rc_clear_ref(&((box *)self)->item);
}

static void box_dealloc(rc_object *self) {
    rc_xdecref(((box *)self)->item);
}

static rc_status box_hash(rc_object *self, uint64_t *out) {
    box *b = (box *)self;
    return b->item ? rc_object_hash(b->item, out) : (*out = 0, RC_OK);
}

static int box_equal(rc_object *self, rc_object *other) {
    if (other->type != self->type)
        return 0;
    rc_object *x = ((box *)self)->item, *y = ((box *)other)->item;
    return x && y ? rc_object_equal(x, y) : x == y;
}

static rc_object *box_repr(rc_object *self) {
    rc_object *item = ((box *)self)->item;
    if (!item)
        return rc_str_from_cstr("box()");
    rc_object *inner = rc_object_repr(item);
    if (!inner)
        return NULL;
    rc_object *r = rc_str_from_format("box(%s)", rc_str_data(inner));
    rc_decref(inner);
    return r;
}

static rc_type box_type = {
    .name = "box",
    .basicsize = sizeof(box),
    .flags = RC_TYPE_GC,
    .dealloc = box_dealloc,
    .traverse = box_traverse,
    .clear = box_clear,
    .hash = box_hash,
    .equal = box_equal,
    .repr = box_repr,
};

static rc_object *nested_boxes(int depth) {
    rc_object *x = NULL;
    for (int i = 0; i < depth; i++) {
        box *b = (box *)rc_object_new(&box_type);
        assert_non_null(b);
        b->item = x;
        x = &b->base;
    }
    return x;
}

static void test_client_slots_calling_back(void **state) {
    (void)state;
    rc_object *a = nested_boxes(DEEP), *b = nested_boxes(DEEP);
    uint64_t h;
    rc_error_clear();
    assert_null(rc_object_repr(a));
    assert_recursion_error("while getting the repr of an object");
    rc_error_clear();
    assert_int_equal(rc_object_hash(a, &h), RC_ERECURSION);
    assert_recursion_error("while hashing an object");
    rc_error_clear();
    assert_int_equal(rc_object_equal(a, b), RC_ERECURSION);
    assert_recursion_error("in comparison");
    rc_decref(a);
    rc_decref(b);

    rc_object *shallow = nested_boxes(3);
    assert_repr(shallow, "box(box(box()))");
    rc_decref(shallow);
    assert_still_usable();
}

/* ---- the limit ---------------------------------------------------------- */

static void test_default_limit(void **state) {
    (void)state;
    assert_int_equal(rc_recursion_limit(), RC_RECURSION_LIMIT_DEFAULT);
    assert_int_equal(rc_recursion_depth(), 0);
}

/* Tuples nested n deep around an int make n nested reprs and hashes (the
 * int's own are not counted: a leaf type cannot recurse); nested lists
 * compare with one level each. */
static void test_limit_is_exact(void **state) {
    (void)state;
    const int limit = 50;
    assert_int_equal(rc_set_recursion_limit(limit), RC_OK);
    assert_int_equal(rc_recursion_limit(), limit);

    rc_object *fits = nested_tuples(limit, rc_int_from_i64(1));
    rc_object *over = nested_tuples(limit + 1, rc_int_from_i64(1));
    rc_object *r = rc_object_repr(fits);
    assert_non_null(r);
    assert_int_equal(rc_str_byte_length(r), 1 + 3 * limit); /* "(" * n + "1" + ",)" * n */
    rc_decref(r);
    rc_error_clear();
    assert_null(rc_object_repr(over));
    assert_recursion_error("repr");
    uint64_t h;
    assert_int_equal(rc_object_hash(fits, &h), RC_OK);
    assert_int_equal(rc_object_hash(over, &h), RC_ERECURSION);
    rc_decref(fits);
    rc_decref(over);

    /* Lists nested `limit` deep: limit equality calls, the innermost
     * comparing two empty lists. One more level is one too many. */
    rc_object *a = nested_lists(limit, NULL), *b = nested_lists(limit, NULL);
    assert_int_equal(rc_object_equal(a, b), 1);
    rc_decref(a);
    rc_decref(b);
    a = nested_lists(limit + 1, NULL);
    b = nested_lists(limit + 1, NULL);
    assert_int_equal(rc_object_equal(a, b), RC_ERECURSION);
    rc_decref(a);
    rc_decref(b);

    assert_int_equal(rc_set_recursion_limit(RC_RECURSION_LIMIT_DEFAULT), RC_OK);
}

static void test_bad_limits_are_refused(void **state) {
    (void)state;
    assert_status(rc_set_recursion_limit(0), RC_EVALUE);
    assert_status(rc_set_recursion_limit(-5), RC_EVALUE);
    assert_int_equal(rc_recursion_limit(), RC_RECURSION_LIMIT_DEFAULT);
}

/* The helper pair itself, as a client type or an interpreter uses it. */
static void test_enter_and_leave(void **state) {
    (void)state;
    assert_int_equal(rc_set_recursion_limit(3), RC_OK);
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(rc_recursion_enter(" in a test"), RC_OK);
        assert_int_equal(rc_recursion_depth(), i);
    }
    assert_status(rc_recursion_enter(" in a test"), RC_ERECURSION);
    assert_string_equal(rc_error_message(), "maximum recursion depth exceeded in a test");
    assert_int_equal(rc_recursion_depth(), 3); /* a failed enter counts nothing */
    assert_status(rc_recursion_enter(NULL), RC_ERECURSION);
    assert_string_equal(rc_error_message(), "maximum recursion depth exceeded");

    /* A limit lowered below the depth already reached fails the next enter
     * and leaves the levels entered to be left. */
    assert_int_equal(rc_set_recursion_limit(1), RC_OK);
    assert_status(rc_recursion_enter(""), RC_ERECURSION);
    for (int i = 0; i < 3; i++)
        rc_recursion_leave();
    assert_int_equal(rc_recursion_depth(), 0);
    assert_int_equal(rc_recursion_enter(""), RC_OK);
    rc_recursion_leave();
    assert_int_equal(rc_set_recursion_limit(RC_RECURSION_LIMIT_DEFAULT), RC_OK);
}

/* ---- paths that need no limit -------------------------------------------- */

/* The collector marks through a work list and freeing goes through one:
 * a cycle 1,000,000 lists long is found and freed without recursion. */
static void test_collector_and_free_of_deep_cycle(void **state) {
    (void)state;
    int64_t live = rc_live_objects();
    rc_object *first = rc_list_new();
    rc_object *x = first;
    rc_incref(first);
    for (int i = 1; i < 10 * DEEP; i++) {
        rc_object *outer = rc_list_new();
        assert_non_null(outer);
        assert_int_equal(rc_list_append_steal(outer, x), RC_OK);
        x = outer;
    }
    assert_int_equal(rc_list_append_steal(first, x), RC_OK); /* closes the cycle */
    rc_decref(first);
    assert_int_equal(rc_gc_collect(), 10 * DEEP);
    assert_int_equal(rc_live_objects(), live);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repr_of_deep_list),
        cmocka_unit_test(test_hash_of_deep_tuple),
        cmocka_unit_test(test_equality_of_deep_lists),
        cmocka_unit_test(test_equality_of_self_containing_lists),
        cmocka_unit_test(test_deep_dicts),
        cmocka_unit_test(test_client_slots_calling_back),
        cmocka_unit_test(test_default_limit),
        cmocka_unit_test(test_limit_is_exact),
        cmocka_unit_test(test_bad_limits_are_refused),
        cmocka_unit_test(test_enter_and_leave),
        cmocka_unit_test(test_collector_and_free_of_deep_cycle),
    };
    return RCT_RUN_GROUP(tests);
}
