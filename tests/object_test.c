/*
 * tests/object_test.c -- the object header, client-defined types, the
 * generic operations, None/bool, int and float, immortal objects, and live
 * accounting.
 */
#include "tests/support.h"

#include <math.h>
#include <string.h>

/* ---- a client type: a point with a label (a strong reference) ------------- */

typedef struct point {
    rc_object base;
    rc_object *label;
    double x, y;
} point;

/* Per thread: in parallel mode (RCT_PARALLEL_THREADS) other tests' bodies
 * free points on other threads at the same time. */
static _Thread_local int point_deallocs;

static void point_dealloc(rc_object *self) {
    point_deallocs++;
    rc_xdecref(((point *)self)->label);
}

static int point_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    RC_VISIT(((point *)self)->label);
    return 0;
}

static void point_clear(rc_object *self) {
    rc_clear_ref(&((point *)self)->label);
}

static rc_status point_hash(rc_object *self, uint64_t *out) {
    point *p = (point *)self;
    *out = (uint64_t)(p->x * 31 + p->y);
    return RC_OK;
}

static int point_equal(rc_object *self, rc_object *other) {
    if (rc_object_type(other) != rc_object_type(self))
        return 0;
    point *a = (point *)self, *b = (point *)other;
    return a->x == b->x && a->y == b->y;
}

static rc_type point_type = {
    .name = "point",
    .basicsize = sizeof(point),
    .flags = RC_TYPE_GC,
    .dealloc = point_dealloc,
    .traverse = point_traverse,
    .clear = point_clear,
    .hash = point_hash,
    .equal = point_equal,
};

static int count_visit(rc_object *child, void *arg) {
    (void)child;
    (*(int *)arg)++;
    return 0;
}

static void test_client_type(void **state) {
    (void)state;
    point_deallocs = 0;
    point *p = (point *)rc_object_new(&point_type);
    assert_non_null(p);
    assert_null(p->label); /* zeroed */
    assert_true(p->x == 0.0);
    assert_ptr_equal(rc_object_type(&p->base), &point_type);
    assert_string_equal(rc_object_type_name(&p->base), "point");
    assert_live_objects_of(&point_type, 1);

    p->label = rc_str_from_cstr("origin");
    int visited = 0;
    assert_int_equal(rc_object_traverse(&p->base, count_visit, &visited), 0);
    assert_int_equal(visited, 1);

    point_clear(&p->base); /* what the collector does to break a cycle */
    assert_null(p->label);
    visited = 0;
    rc_object_traverse(&p->base, count_visit, &visited);
    assert_int_equal(visited, 0);

    p->label = rc_str_from_cstr("again");
    rc_decref(&p->base);
    assert_int_equal(point_deallocs, 1);
    assert_live_objects_of(&point_type, 0);
    assert_live_objects_of(&rc_str_type, 0);
}

static void test_client_type_default_repr_and_equality(void **state) {
    (void)state;
    rc_object *a = rc_object_new(&point_type);
    rc_object *b = rc_object_new(&point_type);
    ((point *)b)->x = 1;
    assert_int_equal(rc_object_equal(a, a), 1);
    assert_int_equal(rc_object_equal(a, b), 0);
    ((point *)b)->x = 0;
    assert_int_equal(rc_object_equal(a, b), 1);
    uint64_t ha, hb;
    assert_status(rc_object_hash(a, &ha), RC_OK);
    assert_status(rc_object_hash(b, &hb), RC_OK);
    assert_true(ha == hb);

    rc_object *r = rc_object_repr(a);
    assert_non_null(r);
    assert_true(strncmp(rc_str_data(r), "<point object at 0x", 19) == 0);
    rc_decref(r);
    rc_decref(a);
    rc_decref(b);
}

/* A client slot reports its own failure with rc_error_set. */
static rc_status refusing_hash(rc_object *self, uint64_t *out) {
    (void)out;
    return rc_error_set(RC_EVALUE, "%s refuses to be hashed", rc_object_type_name(self));
}

static void test_client_slot_reports_an_error(void **state) {
    (void)state;
    static rc_type refusing_type = {
        .name = "refusing", .basicsize = sizeof(rc_object), .hash = refusing_hash};
    rc_object *o = rc_object_new(&refusing_type);
    uint64_t h;
    assert_status(rc_object_hash(o, &h), RC_EVALUE);
    assert_string_equal(rc_error_message(), "refusing refuses to be hashed");
    rc_object *d = rc_dict_new();
    assert_status(rc_dict_set(d, o, o), RC_EVALUE);
    assert_int_equal(rc_dict_size(d), 0);
    rc_decref(d);
    rc_decref(o);
}

static void test_bad_type_definitions(void **state) {
    (void)state;
    rc_type no_name = {.basicsize = sizeof(rc_object)};
    assert_status(rc_type_ready(&no_name), RC_EVALUE);
    rc_type too_small = {.name = "small", .basicsize = 4};
    assert_null_error(rc_object_new(&too_small), RC_EVALUE);
    rc_type gc_without_traverse = {
        .name = "bad", .basicsize = sizeof(rc_object), .flags = RC_TYPE_GC};
    assert_status(rc_type_ready(&gc_without_traverse), RC_EVALUE);
    assert_status(rc_type_ready(NULL), RC_EVALUE);
    assert_live_objects(0);
}

static void test_object_new_var(void **state) {
    (void)state;
    static rc_type blob_type = {.name = "blob", .basicsize = sizeof(rc_object) + 8};
    rc_object *o = rc_object_new_var(&blob_type, 1000);
    assert_non_null(o);
    unsigned char *bytes = (unsigned char *)o + sizeof(rc_object);
    for (int i = 0; i < 1008; i++)
        assert_int_equal(bytes[i], 0);
    rc_decref(o);
    assert_null_error(rc_object_new_var(&blob_type, SIZE_MAX), RC_EOVERFLOW);
}

/* A client type that tells the runtime its instances' sizes: the runtime
 * asks it once per free, and gives the memory back to the block cache. */
typedef struct sized_blob {
    rc_object base;
    size_t extra;
} sized_blob;

/* Per thread: in parallel mode each thread frees only its own instances,
 * on itself (their owner drops the last reference). */
static _Thread_local int sized_blob_asked;

static size_t sized_blob_size(const rc_object *self) {
    sized_blob_asked++;
    return sizeof(sized_blob) + ((const sized_blob *)self)->extra;
}

static void test_instance_size_slot(void **state) {
    (void)state;
    static rc_type sized_type = {
        .name = "sized", .basicsize = sizeof(sized_blob), .instance_size = sized_blob_size};
    static rc_type fixed_type = {.name = "fixed",
                                 .basicsize = sizeof(rc_object) + 24,
                                 .instance_size = rc_fixed_instance_size};
    sized_blob_asked = 0;
    for (size_t i = 0; i < 200; i++) {
        size_t extra = (i % 7) * 40;
        sized_blob *b = (sized_blob *)rc_object_new_var(&sized_type, extra);
        assert_non_null(b);
        b->extra = extra;
        memset((char *)b + sizeof(sized_blob), 0xab, extra); /* all of it is ours */
        rc_object *f = rc_object_new(&fixed_type);
        assert_non_null(f);
        assert_int_equal(rc_fixed_instance_size(f), sizeof(rc_object) + 24);
        rc_decref(f);
        rc_decref(&b->base);
    }
    /* Once per object, in every build (debug ones keep freed objects in a
     * quarantine, but ask the slot first). */
    assert_int_equal(sized_blob_asked, 200);
    assert_live_objects(0);
}

static void test_unhashable_and_null(void **state) {
    (void)state;
    uint64_t h;
    rc_object *l = rc_list_new();
    assert_status(rc_object_hash(l, &h), RC_ETYPE);
    assert_non_null(strstr(rc_error_message(), "list"));
    assert_status(rc_object_hash(NULL, &h), RC_EVALUE);
    assert_status(rc_object_equal(NULL, l), RC_EVALUE);
    assert_null_error(rc_object_repr(NULL), RC_EVALUE);
    rc_decref(l);
}

/* Client types without a hash slot: hashed by identity when they have no
 * equality either, unhashable when they compare by value. */
static rc_type plain_type = {.name = "plain",
                             .basicsize = sizeof(rc_object),
                             .instance_size = rc_fixed_instance_size};

static int always_equal(rc_object *self, rc_object *other) {
    (void)self;
    return other->type == self->type;
}

static rc_type valued_type = {.name = "valued",
                              .basicsize = sizeof(rc_object),
                              .instance_size = rc_fixed_instance_size,
                              .equal = always_equal};

static void test_identity_hash_by_default(void **state) {
    (void)state;
    rc_object *a = rc_object_new(&plain_type), *b = rc_object_new(&plain_type);
    assert_non_null(a);
    assert_non_null(b);
    uint64_t ha, ha2, hb;
    assert_status(rc_object_hash(a, &ha), RC_OK);
    assert_status(rc_object_hash(a, &ha2), RC_OK);
    assert_status(rc_object_hash(b, &hb), RC_OK);
    assert_true(ha == ha2);       /* stable */
    assert_true(ha != hb);        /* two live objects never share it */
    assert_int_equal(rc_object_equal(a, b), 0);
    /* Usable as dict keys and set elements: found by identity only. */
    rc_object *d = rc_dict_new(), *s = rc_set_new();
    rc_object *one = rc_int_from_i64(1);
    assert_status(rc_dict_set(d, a, one), RC_OK);
    assert_int_equal(rc_dict_contains(d, a), 1);
    assert_int_equal(rc_dict_contains(d, b), 0);
    assert_status(rc_set_add(s, a), RC_OK);
    assert_status(rc_set_add(s, b), RC_OK);
    assert_int_equal(rc_set_size(s), 2);
    rc_object *t = rc_tuple_pack(2, a, one); /* a tuple of them hashes too */
    uint64_t ht;
    assert_status(rc_object_hash(t, &ht), RC_OK);
    rc_decref(t);
    rc_decref(one);
    rc_decref(s);
    rc_decref(d);

    /* An equality slot without a hash slot: unhashable. */
    rc_object *v = rc_object_new(&valued_type);
    assert_non_null(v);
    assert_status(rc_object_hash(v, &hb), RC_ETYPE);
    assert_non_null(strstr(rc_error_message(), "valued"));
    rc_object *d2 = rc_dict_new();
    assert_status(rc_dict_set(d2, v, v), RC_ETYPE);
    rc_decref(d2);
    rc_decref(v);
    rc_decref(a);
    rc_decref(b);
    assert_live_objects(0);
}

/* ---- None and bool ---------------------------------------------------------- */

static void test_none_and_bool(void **state) {
    (void)state;
    assert_true(rc_is_none(rc_none()));
    assert_false(rc_is_none(rc_true()));
    assert_ptr_equal(rc_bool_from(true), rc_true());
    assert_ptr_equal(rc_bool_from(false), rc_false());
    assert_int_equal(rc_bool_value(rc_true()), 1);
    assert_int_equal(rc_bool_value(rc_false()), 0);
    assert_status(rc_bool_value(rc_none()), RC_ETYPE);
    assert_true(rc_bool_check(rc_true()));
    assert_false(rc_bool_check(rc_none()));

    rc_object *r = rc_object_repr(rc_none());
    assert_string_equal(rc_str_data(r), "None");
    rc_decref(r);
    r = rc_object_repr(rc_false());
    assert_string_equal(rc_str_data(r), "False");
    rc_decref(r);

    /* bool is not int here: True does not equal 1. */
    assert_int_equal(rc_object_equal(rc_true(), rc_int_from_i64(1)), 0);
}

/* ---- immortal objects ------------------------------------------------------- */

static void test_immortals_never_change(void **state) {
    (void)state;
    rc_object *immortals[] = {rc_none(), rc_true(), rc_false(), rc_int_from_i64(-5),
                              rc_int_from_i64(0), rc_int_from_i64(256)};
    for (size_t i = 0; i < sizeof immortals / sizeof immortals[0]; i++) {
        rc_object *o = immortals[i];
        assert_true(rc_is_immortal(o));
        assert_true(rc_refcount(o) == RC_IMMORTAL_COUNT);
        for (int k = 0; k < 1000; k++)
            rc_decref(o); /* far more than anyone ever increfed */
        rc_incref(o);
        assert_true(rc_refcount(o) == RC_IMMORTAL_COUNT);
    }
    assert_live_objects(0); /* immortals are not counted */
}

static void test_small_ints_are_shared(void **state) {
    (void)state;
    assert_ptr_equal(rc_int_from_i64(7), rc_int_from_i64(7));
    assert_ptr_equal(rc_int_from_i64(RC_SMALL_INT_MIN), rc_int_from_i64(-5));
    rc_object *a = rc_int_from_i64(257), *b = rc_int_from_i64(257);
    assert_ptr_not_equal(a, b);
    assert_false(rc_is_immortal(a));
    assert_int_equal(rc_refcount(a), 1);
    assert_live_objects_of(&rc_int_type, 2);
    rc_decref(a);
    rc_decref(b);
    assert_live_objects_of(&rc_int_type, 0);
}

static void test_refcount_and_newref(void **state) {
    (void)state;
    rc_object *o = rct_big_int(1);
    assert_int_equal(rc_refcount(o), 1);
    rc_object *again = rc_newref(o);
    assert_ptr_equal(again, o);
    assert_int_equal(rc_refcount(o), 2);
    rc_incref(o);
    assert_int_equal(rc_refcount(o), 3);
    rc_decref(o);
    rc_decref(o);
    assert_int_equal(rc_refcount(o), 1);
    rc_xincref(NULL);
    rc_xdecref(NULL);
    rc_object *slot = o;
    rc_clear_ref(&slot);
    assert_null(slot);
    assert_live_objects(0);
}

/* ---- int --------------------------------------------------------------------- */

static int64_t int_op(rc_object *(*op)(rc_object *, rc_object *), int64_t x, int64_t y) {
    rc_object *a = rc_int_from_i64(x), *b = rc_int_from_i64(y);
    rc_object *r = op(a, b);
    assert_non_null(r);
    int64_t v = rct_int(r);
    rc_decref(r);
    rc_decref(a);
    rc_decref(b);
    return v;
}

static void int_op_fails(rc_object *(*op)(rc_object *, rc_object *), int64_t x, int64_t y,
                         rc_status expected) {
    rc_object *a = rc_int_from_i64(x), *b = rc_int_from_i64(y);
    assert_null_error(op(a, b), expected);
    rc_decref(a);
    rc_decref(b);
}

static void test_int_arithmetic(void **state) {
    (void)state;
    assert_int_equal(int_op(rc_int_add, 1000000, 234), 1000234);
    assert_int_equal(int_op(rc_int_sub, 5, 1000000), -999995);
    assert_int_equal(int_op(rc_int_mul, -300000, 300000), -90000000000LL);
    /* floor division and modulo, Python's rules */
    assert_int_equal(int_op(rc_int_div, 7, 2), 3);
    assert_int_equal(int_op(rc_int_div, -7, 2), -4);
    assert_int_equal(int_op(rc_int_div, 7, -2), -4);
    assert_int_equal(int_op(rc_int_mod, -7, 2), 1);
    assert_int_equal(int_op(rc_int_mod, 7, -2), -1);
    assert_int_equal(int_op(rc_int_mod, INT64_MIN, -1), 0);
    assert_int_equal(int_op(rc_int_div, INT64_MAX, -1), -INT64_MAX);

    rc_object *a = rc_int_from_i64(-42);
    rc_object *n = rc_int_neg(a);
    assert_int_equal(rct_int(n), 42);
    rc_decref(n);
    rc_decref(a);
    assert_live_objects(0);
}

/* Overflow makes big ints: tests/bigint_test.c. */
static void test_int_division_by_zero(void **state) {
    (void)state;
    int_op_fails(rc_int_div, 1, 0, RC_EZERODIV);
    int_op_fails(rc_int_mod, 1, 0, RC_EZERODIV);
    assert_live_objects(0);
}

static void test_int_type_errors(void **state) {
    (void)state;
    rc_object *i = rc_int_from_i64(1);
    rc_object *s = rc_str_from_cstr("x");
    assert_null_error(rc_int_add(i, s), RC_ETYPE);
    assert_null_error(rc_int_add(NULL, i), RC_ETYPE);
    assert_null_error(rc_int_neg(s), RC_ETYPE);
    int64_t v;
    assert_status(rc_int_as_i64(s, &v), RC_ETYPE);
    assert_status(rc_int_as_i64(NULL, &v), RC_EVALUE);
    rc_decref(s);
}

static void test_int_repr_hash_equal(void **state) {
    (void)state;
    rc_object *i = rc_int_from_i64(-1234567890123LL);
    rc_object *r = rc_object_repr(i);
    assert_string_equal(rc_str_data(r), "-1234567890123");
    rc_decref(r);
    rc_object *f = rc_float_from_double(-1234567890123.0);
    assert_int_equal(rc_object_equal(i, f), 1);
    assert_int_equal(rc_object_equal(f, i), 1);
    uint64_t hi, hf;
    rc_object_hash(i, &hi);
    rc_object_hash(f, &hf);
    assert_true(hi == hf);
    rc_decref(f);
    f = rc_float_from_double(0.5);
    assert_int_equal(rc_object_equal(rc_int_from_i64(0), f), 0);
    rc_decref(f);
    f = rc_float_from_double(1e30); /* beyond int64: never equal, no UB */
    assert_int_equal(rc_object_equal(i, f), 0);
    rc_decref(f);
    rc_decref(i);
}

/* ---- float ------------------------------------------------------------------- */

static void expect_float_repr(double d, const char *text) {
    rc_object *f = rc_float_from_double(d);
    rc_object *r = rc_object_repr(f);
    assert_string_equal(rc_str_data(r), text);
    rc_decref(r);
    rc_decref(f);
}

static void test_float(void **state) {
    (void)state;
    rc_object *f = rc_float_from_double(2.5);
    double d = 0;
    assert_status(rc_float_as_double(f, &d), RC_OK);
    assert_true(d == 2.5);
    assert_status(rc_float_as_double(rc_int_from_i64(3), &d), RC_OK);
    assert_true(d == 3.0);
    assert_status(rc_float_as_double(rc_none(), &d), RC_ETYPE);
    assert_true(rc_float_check(f));
    assert_false(rc_float_check(rc_int_from_i64(3)));
    rc_decref(f);

    expect_float_repr(0.1, "0.1");
    expect_float_repr(2.0, "2.0");
    expect_float_repr(-1e300, "-1e+300");
    /* Python's repr: positional below 1e16 and from 1e-4, exponent beyond */
    expect_float_repr(100.0, "100.0");
    expect_float_repr(-12300.0, "-12300.0");
    expect_float_repr(5e15, "5000000000000000.0");
    expect_float_repr(1e16, "1e+16");
    expect_float_repr(0.0001, "0.0001");
    expect_float_repr(0.00001, "1e-05");
    expect_float_repr(INFINITY, "inf");
    expect_float_repr(NAN, "nan");

    rc_object *nan = rc_float_from_double(NAN);
    assert_int_equal(rc_object_equal(nan, nan), 1); /* identity */
    rc_object *nan2 = rc_float_from_double(NAN);
    assert_int_equal(rc_object_equal(nan, nan2), 0);
    rc_decref(nan);
    rc_decref(nan2);
}

/* ---- allocation failure ------------------------------------------------------ */

static rc_status make_numbers(void *arg) {
    (void)arg;
    rc_object *objs[6] = {0};
    rc_status st = RC_OK;
    objs[0] = rc_int_from_i64(100000);
    objs[1] = rc_float_from_double(1.5);
    objs[2] = rc_int_from_i64(5); /* small: no allocation */
    objs[3] = objs[0] ? rc_int_add(objs[0], objs[0]) : NULL;
    objs[4] = rc_object_new(&point_type);
    objs[5] = objs[1] ? rc_object_repr(objs[1]) : NULL;
    for (int i = 0; i < 6; i++) {
        if (!objs[i])
            st = rc_error_code();
        rc_xdecref(objs[i]);
    }
    return st;
}

static void test_allocation_failures(void **state) {
    (void)state;
    int points = rct_sweep_alloc_failures(make_numbers, NULL);
    assert_true(points >= 5);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        RCT_SERIAL(test_client_type, "counts its type's deallocations in a static counter"),
        cmocka_unit_test(test_client_type_default_repr_and_equality),
        cmocka_unit_test(test_client_slot_reports_an_error),
        cmocka_unit_test(test_bad_type_definitions),
        cmocka_unit_test(test_object_new_var),
        cmocka_unit_test(test_instance_size_slot),
        cmocka_unit_test(test_unhashable_and_null),
        cmocka_unit_test(test_identity_hash_by_default),
        cmocka_unit_test(test_none_and_bool),
        cmocka_unit_test(test_immortals_never_change),
        cmocka_unit_test(test_small_ints_are_shared),
        cmocka_unit_test(test_refcount_and_newref),
        cmocka_unit_test(test_int_arithmetic),
        cmocka_unit_test(test_int_division_by_zero),
        cmocka_unit_test(test_int_type_errors),
        cmocka_unit_test(test_int_repr_hash_equal),
        cmocka_unit_test(test_float),
        RCT_SERIAL(test_allocation_failures, RCT_FAILS_ALLOCATIONS),
    };
    return RCT_RUN_GROUP(tests);
}
