/*
 * tests/tuple_test.c -- tuples: building (new + set_steal, pack,
 * from_array_steal), reading
 * with negative indexes, every error path, ownership and refcounts, hash,
 * equality, repr, out-of-memory sweeps, and freeing a chain of ten million
 * nested tuples without recursion.
 */
#include "tests/support.h"

#include <string.h>
#include <time.h>

/* The repr of o as a C string compared with expected. */
static void assert_repr(rc_object *o, const char *expected) {
    rc_object *r = rc_object_repr(o);
    assert_non_null(r);
    assert_string_equal(rc_str_data(r), expected);
    rc_decref(r);
}

/* a and b are equal and hash alike, as equal keys must. */
static void assert_equal_same_hash(rc_object *a, rc_object *b) {
    assert_int_equal(rc_object_equal(a, b), 1);
    uint64_t h1, h2;
    assert_status(rc_object_hash(a, &h1), RC_OK);
    assert_status(rc_object_hash(b, &h2), RC_OK);
    assert_true(h1 == h2);
}

static double seconds_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) +
           (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* ---- building and reading ------------------------------------------------ */

static void test_new_and_set(void **state) {
    (void)state;
    rc_object *t = rc_tuple_new(3);
    assert_non_null(t);
    assert_true(rc_tuple_check(t));
    assert_false(rc_list_check(t));
    assert_int_equal(rc_tuple_size(t), 3);
    assert_null_error(rc_tuple_get(t, 0), RC_EVALUE); /* empty slot */

    rc_object *a = rct_big_int(1), *b = rc_str_from_cstr("b");
    assert_status(rc_tuple_set_steal(t, 0, a), RC_OK);
    assert_status(rc_tuple_set_steal(t, -1, b), RC_OK); /* negative: slot 2 */
    assert_status(rc_tuple_set_steal(t, 1, rc_none()), RC_OK);
    assert_ptr_equal(rc_tuple_get(t, 0), a);
    assert_ptr_equal(rc_tuple_get(t, 2), b);
    assert_ptr_equal(rc_tuple_get(t, -1), b);
    assert_ptr_equal(rc_tuple_get(t, -3), a);
    assert_ptr_equal(rc_tuple_get(t, 1), rc_none());
    /* Borrowed: reading does not count. */
    assert_int_equal(rc_refcount(a), 1);
    rc_decref(t);
    assert_live_objects(0);
}

static void test_empty_tuple(void **state) {
    (void)state;
    rc_object *t = rc_tuple_new(0);
    assert_non_null(t);
    assert_int_equal(rc_tuple_size(t), 0);
    assert_null_error(rc_tuple_get(t, 0), RC_EINDEX);
    assert_null_error(rc_tuple_get(t, -1), RC_EINDEX);
    assert_repr(t, "()");
    rc_object *p = rc_tuple_pack(0);
    assert_non_null(p);
    assert_equal_same_hash(t, p);
    rc_decref(p);
    rc_decref(t);
}

/* The cheap fill: the items' references move into the tuple, which the
 * collector sees like any other (a cycle through it is collected). */
static void test_from_array_steal(void **state) {
    (void)state;
    rc_object *a = rct_big_int(1), *b = rc_str_from_cstr("b");
    rc_object *items[3] = {rc_newref(a), rc_newref(b), rc_none()};
    rc_object *t = rc_tuple_from_array_steal(3, items);
    assert_non_null(t);
    assert_true(rc_tuple_check(t));
    assert_true(rc_gc_is_tracked(t));
    assert_int_equal(rc_tuple_size(t), 3);
    assert_ptr_equal(rc_tuple_get(t, 0), a);
    assert_ptr_equal(rc_tuple_get(t, -2), b);
    assert_ptr_equal(rc_tuple_get(t, 2), rc_none());
    assert_int_equal(rc_refcount(a), 2); /* stolen: not taken again */
    assert_repr(t, "(1000001, 'b', None)"); /* rct_big_int(1) */
    rc_object *same = rc_tuple_pack(3, a, b, rc_none());
    assert_equal_same_hash(t, same);
    rc_decref(same);
    rc_decref(t);
    assert_int_equal(rc_refcount(a), 1);

    rc_object *empty = rc_tuple_from_array_steal(0, NULL);
    assert_non_null(empty);
    assert_int_equal(rc_tuple_size(empty), 0);
    rc_decref(empty);

    /* A cycle through a tuple made this way: list -> tuple -> list. */
    rc_object *l = rc_list_new();
    rc_object *in_tuple[2] = {rc_newref(l), rc_newref(a)};
    rc_object *c = rc_tuple_from_array_steal(2, in_tuple);
    assert_status(rc_list_append_steal(l, c), RC_OK);
    rc_decref(l);
    /* Collected by this call, or by another thread's in the parallel
     * target: either way it is gone and has dropped its reference to a. */
    rc_gc_collect();
    assert_int_equal(rc_refcount(a), 1);
    rc_decref(a);
    rc_decref(b);
    assert_live_objects(0);
}

/* Every failure drops the references it was given, and says why. */
static void test_from_array_steal_errors(void **state) {
    (void)state;
    rc_object *keep = rct_big_int(7);
    assert_null_error(rc_tuple_from_array_steal(-1, NULL), RC_EVALUE);
    assert_null_error(rc_tuple_from_array_steal(2, NULL), RC_EVALUE);
    rc_object *with_hole[3] = {rc_newref(keep), NULL, rc_newref(keep)};
    assert_null_error(rc_tuple_from_array_steal(3, with_hole), RC_EVALUE);
    assert_non_null(strstr(rc_error_message(), "item 1 is NULL"));
    assert_int_equal(rc_refcount(keep), 1);
    rc_decref(keep);
    assert_live_objects(0);
}

static void test_pack_takes_its_own_references(void **state) {
    (void)state;
    rc_object *a = rct_big_int(1), *b = rc_str_from_cstr("x");
    rc_object *t = rc_tuple_pack(3, a, b, a);
    assert_non_null(t);
    assert_int_equal(rc_tuple_size(t), 3);
    assert_int_equal(rc_refcount(a), 3);
    assert_int_equal(rc_refcount(b), 2);
    assert_ptr_equal(rc_tuple_get(t, 2), a);
    rc_decref(t);
    assert_int_equal(rc_refcount(a), 1);
    assert_int_equal(rc_refcount(b), 1);
    rc_decref(a);
    rc_decref(b);
}

static void test_index_errors(void **state) {
    (void)state;
    rc_object *a = rct_big_int(1);
    rc_object *t = rc_tuple_pack(2, a, a);
    assert_null_error(rc_tuple_get(t, 2), RC_EINDEX);
    assert_null_error(rc_tuple_get(t, -3), RC_EINDEX);
    assert_null_error(rc_tuple_get(t, INT64_MIN), RC_EINDEX);
    assert_null_error(rc_tuple_get(t, INT64_MAX), RC_EINDEX);
    rc_decref(t);
    rc_decref(a);
}

/* ---- errors and ownership of set_steal ----------------------------------- */

static void test_set_steal_steals_on_failure(void **state) {
    (void)state;
    rc_object *t = rc_tuple_new(1);
    rc_object *keep = rct_big_int(7);

    /* Each failing call must consume the reference it was given: pass a
     * fresh one of keep and check that keep's count does not grow. */
    assert_status(rc_tuple_set_steal(t, 1, rc_newref(keep)), RC_EINDEX);
    assert_status(rc_tuple_set_steal(t, -2, rc_newref(keep)), RC_EINDEX);
    assert_status(rc_tuple_set_steal(keep, 0, rc_newref(keep)), RC_ETYPE);
    assert_status(rc_tuple_set_steal(NULL, 0, rc_newref(keep)), RC_EVALUE);
    assert_status(rc_tuple_set_steal(t, 0, NULL), RC_EVALUE);
    assert_int_equal(rc_refcount(keep), 1);

    assert_status(rc_tuple_set_steal(t, 0, rc_newref(keep)), RC_OK);
    assert_int_equal(rc_refcount(keep), 2);
    /* A filled slot is not replaced: tuples are immutable once built. */
    rc_object *other = rct_big_int(8);
    assert_status(rc_tuple_set_steal(t, 0, other), RC_EVALUE);
    assert_live_objects(2); /* other was freed */
    assert_ptr_equal(rc_tuple_get(t, 0), keep);
    rc_decref(t);
    assert_int_equal(rc_refcount(keep), 1);
    rc_decref(keep);
}

static void test_wrong_type_and_bad_arguments(void **state) {
    (void)state;
    rc_object *i = rct_big_int(1);
    rc_object *l = rc_list_new();
    assert_null_error(rc_tuple_get(i, 0), RC_ETYPE);
    assert_null_error(rc_tuple_get(l, 0), RC_ETYPE);
    assert_null_error(rc_tuple_get(NULL, 0), RC_EVALUE);
    rc_error_clear();
    assert_int_equal(rc_tuple_size(l), RC_ETYPE); /* a status, not -1 (RC_ENOMEM) */
    assert_int_equal(rc_error_code(), RC_ETYPE);
    assert_non_null(strstr(rc_error_message(), "expected a tuple, got list"));
    rc_error_clear();
    assert_int_equal(rc_tuple_size(NULL), RC_EVALUE);
    assert_int_equal(rc_error_code(), RC_EVALUE);
    assert_false(rc_tuple_check(NULL));
    assert_false(rc_tuple_check(i));

    assert_null_error(rc_tuple_new(-1), RC_EVALUE);
    assert_null_error(rc_tuple_new(INT64_MAX), RC_ENOMEM); /* never tried */
    assert_null_error(rc_tuple_pack(-1), RC_EVALUE);
    assert_null_error(rc_tuple_pack(3, i, NULL, i), RC_EVALUE);
    assert_int_equal(rc_refcount(i), 1); /* a failed pack took nothing */
    rc_decref(l);
    rc_decref(i);
}

/* ---- hash, equality, repr ------------------------------------------------ */

static void test_hash_and_equal(void **state) {
    (void)state;
    rc_object *one = rc_int_from_i64(1), *f = rc_float_from_double(1.0);
    rc_object *s = rc_str_from_cstr("a"), *s2 = rc_str_from_cstr("a");
    rc_object *a = rc_tuple_pack(2, one, s);
    rc_object *b = rc_tuple_pack(2, f, s2);  /* equal items, other objects */
    rc_object *c = rc_tuple_pack(2, s, one); /* same items, other order */
    rc_object *d = rc_tuple_pack(1, one);
    uint64_t ha, hb, hc;
    assert_status(rc_object_hash(a, &ha), RC_OK);
    assert_status(rc_object_hash(b, &hb), RC_OK);
    assert_status(rc_object_hash(c, &hc), RC_OK);
    assert_true(ha == hb);
    assert_true(ha != hc);
    assert_int_equal(rc_object_equal(a, b), 1);
    assert_int_equal(rc_object_equal(a, c), 0);
    assert_int_equal(rc_object_equal(a, d), 0); /* sizes differ */
    assert_int_equal(rc_object_equal(a, one), 0);
    rc_object *l = rc_list_new();
    assert_int_equal(rc_object_equal(d, l), 0); /* a list is never a tuple */

    /* Nested tuples hash through. */
    rc_object *n1 = rc_tuple_pack(1, a), *n2 = rc_tuple_pack(1, b);
    assert_status(rc_object_hash(n1, &ha), RC_OK);
    assert_status(rc_object_hash(n2, &hb), RC_OK);
    assert_true(ha == hb);
    assert_int_equal(rc_object_equal(n1, n2), 1);

    rc_object *objs[] = {n1, n2, l, d, c, b, a, s2, s, f, one};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(objs[i]);
}

static void test_unhashable_items(void **state) {
    (void)state;
    rc_object *l = rc_list_new();
    rc_object *one = rc_int_from_i64(1);
    rc_object *t = rc_tuple_pack(2, one, l);
    uint64_t h;
    assert_status(rc_object_hash(t, &h), RC_ETYPE);
    rc_object *nested = rc_tuple_pack(1, t);
    assert_status(rc_object_hash(nested, &h), RC_ETYPE);
    rc_object *partial = rc_tuple_new(2);
    assert_status(rc_object_hash(partial, &h), RC_ETYPE); /* an empty slot */
    assert_status(rc_tuple_set_steal(partial, 0, rc_newref(one)), RC_OK);
    rc_object *partial2 = rc_tuple_new(2);
    assert_status(rc_tuple_set_steal(partial2, 0, rc_newref(one)), RC_OK);
    assert_int_equal(rc_object_equal(partial, partial2), 1); /* both second slots empty */
    assert_repr(partial, "(1, <NULL>)");
    rc_decref(partial2);
    rc_decref(partial);
    rc_decref(nested);
    rc_decref(t);
    rc_decref(l);
}

static void test_repr(void **state) {
    (void)state;
    rc_object *one = rc_int_from_i64(1), *a = rc_str_from_cstr("a");
    rc_object *t1 = rc_tuple_pack(1, one);
    rc_object *t2 = rc_tuple_pack(2, one, a);
    rc_object *l = rc_list_new();
    assert_status(rc_list_append(l, t1), RC_OK);
    rc_object *t3 = rc_tuple_pack(4, t1, t2, rc_none(), l);
    assert_repr(t1, "(1,)");
    assert_repr(t2, "(1, 'a')");
    assert_repr(t3, "((1,), (1, 'a'), None, [(1,)])");
    rc_object *objs[] = {t3, l, t2, t1, a, one};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(objs[i]);
}

static void test_repr_of_large_tuple(void **state) {
    (void)state;
    rc_object *t = rc_tuple_new(1000);
    for (int64_t i = 0; i < 1000; i++)
        assert_status(rc_tuple_set_steal(t, i, rc_int_from_i64(i % 10)), RC_OK);
    rc_object *r = rc_object_repr(t);
    assert_int_equal(rc_str_byte_length(r), 2 + 1000 + 2 * 999);
    assert_memory_equal(rc_str_data(r), "(0, 1, 2", 8);
    rc_decref(r);
    rc_decref(t);
}

/* A client type whose repr slot breaks its contract (returns an int). */
static rc_object *bad_repr(rc_object *self) {
    (void)self;
    return rct_big_int(0);
}

static rc_type bad_repr_type = {
    .name = "bad_repr",
    .basicsize = sizeof(rc_object),
    .repr = bad_repr,
};

static void test_repr_of_item_that_is_not_a_str(void **state) {
    (void)state;
    rc_object *bad = rc_object_new(&bad_repr_type);
    assert_non_null(bad);
    rc_object *one = rc_int_from_i64(1);
    rc_object *t = rc_tuple_pack(3, one, one, bad);
    assert_null_error(rc_object_repr(t), RC_ETYPE);
    assert_non_null(strstr(rc_error_message(), "bad_repr"));
    rc_decref(t);
    assert_live_objects(1); /* the parts and the int are gone */
    rc_decref(bad);
}

/* ---- the collector's slots ----------------------------------------------- */

static int count_visit(rc_object *child, void *arg) {
    (void)child;
    ++*(int *)arg;
    return 0;
}

static int stop_visit(rc_object *child, void *arg) {
    (void)child;
    (void)arg;
    return 42;
}

static void test_traverse_and_clear(void **state) {
    (void)state;
    assert_true(rc_tuple_type.flags & RC_TYPE_GC);
    rc_object *a = rct_big_int(1);
    rc_object *t = rc_tuple_new(3);
    assert_status(rc_tuple_set_steal(t, 0, rc_newref(a)), RC_OK);
    assert_status(rc_tuple_set_steal(t, 2, rc_newref(a)), RC_OK);
    int n = 0;
    assert_int_equal(rc_object_traverse(t, count_visit, &n), 0);
    assert_int_equal(n, 2); /* empty slots are not visited */
    assert_int_equal(rc_object_traverse(t, stop_visit, NULL), 42);
    assert_int_equal(rc_refcount(a), 3);
    rc_tuple_type.clear(t);
    assert_int_equal(rc_refcount(a), 1);
    assert_int_equal(rc_tuple_size(t), 3);
    assert_null_error(rc_tuple_get(t, 0), RC_EVALUE);
    rc_decref(t);
    rc_decref(a);
}

/* ---- out of memory ------------------------------------------------------- */

/* Builds tuples of new ints and strs, nests them, hashes and reprs them,
 * then frees everything. Any allocation may fail. */
static rc_status build_tuples(void *arg) {
    (void)arg;
    rc_status st = RC_ENOMEM;
    rc_object *t = NULL, *p = NULL, *r = NULL;
    uint64_t h;
    if (!(t = rc_tuple_new(3)))
        goto done;
    for (int64_t i = 0; i < 3; i++) {
        rc_object *item = i == 1 ? rc_str_from_format("s%lld", (long long)i)
                                 : rc_int_from_i64(5000 + i);
        if (!item || rc_tuple_set_steal(t, i, item) != RC_OK)
            goto done;
    }
    rc_object *s = rc_str_from_cstr("outer");
    if (!s)
        goto done;
    rc_object *pair[2] = {rc_newref(t), s};
    p = rc_tuple_from_array_steal(2, pair); /* drops both if it fails */
    if (!p || !(r = rc_object_repr(p)))
        goto done;
    if (rc_object_hash(p, &h) != RC_OK)
        goto done;
    st = RC_OK;
done:
    rc_xdecref(r);
    rc_xdecref(p);
    rc_xdecref(t);
    return st;
}

static void test_alloc_failure_sweep(void **state) {
    (void)state;
    int points = rct_sweep_alloc_failures(build_tuples, NULL);
    assert_true(points >= 8);
}

/* ---- deep structures ----------------------------------------------------- */

/* Ten million one-item tuples, each holding the next: one decref frees the
 * chain through the dealloc work list. Recursion would need ten million
 * stack frames. */
static void test_deep_chain_dealloc(void **state) {
    (void)state;
    const int64_t depth = 10 * 1000 * 1000;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    rc_object *chain = rc_tuple_new(0);
    assert_non_null(chain);
    for (int64_t i = 0; i < depth; i++) {
        rc_object *t = rc_tuple_new(1);
        assert_non_null(t);
        rc_tuple_set_steal(t, 0, chain);
        chain = t;
    }
    double built = seconds_since(&start);
    assert_live_objects(depth + 1);
    clock_gettime(CLOCK_MONOTONIC, &start);
    rc_decref(chain);
    double freed = seconds_since(&start);
    assert_live_objects(0);
    print_message("deep tuple chain (%lld): built in %.2f s, freed in %.2f s\n",
                  (long long)depth, built, freed);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_and_set),
        cmocka_unit_test(test_empty_tuple),
        cmocka_unit_test(test_from_array_steal),
        cmocka_unit_test(test_from_array_steal_errors),
        cmocka_unit_test(test_pack_takes_its_own_references),
        cmocka_unit_test(test_index_errors),
        cmocka_unit_test(test_set_steal_steals_on_failure),
        cmocka_unit_test(test_wrong_type_and_bad_arguments),
        cmocka_unit_test(test_hash_and_equal),
        cmocka_unit_test(test_unhashable_items),
        cmocka_unit_test(test_repr),
        cmocka_unit_test(test_repr_of_large_tuple),
        cmocka_unit_test(test_repr_of_item_that_is_not_a_str),
        cmocka_unit_test(test_traverse_and_clear),
        RCT_SERIAL(test_alloc_failure_sweep, RCT_FAILS_ALLOCATIONS),
        RCT_SERIAL(test_deep_chain_dealloc,
                   "ten million objects: four copies at once only multiply memory and time"),
    };
    return RCT_RUN_GROUP(tests);
}
