/*
 * tests/oom_test.c -- running out of memory anywhere: for each scenario,
 * the k-th allocation fails, for every k from 1 until the scenario no
 * longer reaches the failure (rct_sweep_alloc_failures). Every run must
 * end in RC_OK or a clear RC_ENOMEM (code and a message about memory),
 * with no crash and no object left behind, and the runtime must still work
 * afterwards: the scenario runs again without a failure and succeeds, and
 * the runtime stops with RC_OK at the end. Under --config=asan the same
 * runs also prove that no failure path leaks or touches freed memory.
 *
 * Every allocation of the runtime counts (the strategies' included, see
 * locking/alloc/alloc.h), so these sweeps reach the failure paths of
 * rc_runtime_start and rc_thread_attach too, which need the runtime
 * stopped or the thread detached: they run outside the usual group setup.
 */
#include "tests/support.h"

#include <string.h>

/* ---- a client type: a GC node with a finalizer and weak references -------- */

typedef struct node {
    rc_object base;
    rc_object *ref;      /* strong, or NULL */
    rc_object *weaklist; /* the runtime's */
} node;

static int64_t finalized; /* nodes finalized so far */
static int64_t callbacks; /* weak reference callbacks run so far */

static int node_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    RC_VISIT(((node *)self)->ref);
    return 0;
}

static void node_clear(rc_object *self) {
    rc_clear_ref(&((node *)self)->ref);
}

static void node_dealloc(rc_object *self) {
    rc_xdecref(((node *)self)->ref);
}

static void node_finalize(rc_object *self) {
    (void)self;
    finalized++;
}

static rc_type node_type = {
    .name = "oom_node",
    .basicsize = sizeof(node),
    .flags = RC_TYPE_GC,
    .dealloc = node_dealloc,
    .traverse = node_traverse,
    .clear = node_clear,
    .finalize = node_finalize,
    .weaklist_offset = offsetof(node, weaklist),
};

static void on_cleared(rc_object *weakref, rc_object *arg) {
    (void)weakref;
    (void)arg;
    callbacks++;
}

/* The status of a scenario that stopped at a failed call. */
static rc_status failed(void) {
    rc_status st = rc_error_code();
    return st != RC_OK ? st : RC_EVALUE; /* a failure without an error is a bug */
}

/* Sweeps op and requires at least `at_least` failure points (the scenario
 * must really allocate that often); prints the count, for the record. */
static void sweep(const char *name, rc_status (*op)(void *), void *arg, int at_least) {
    int points = rct_sweep_alloc_failures(op, arg);
    print_message("%s: %d allocation failure points\n", name, points);
    assert_true(points >= at_least);
}

/* ---- runtime start and thread attach ------------------------------------------ */

static rc_status start_and_stop(void *arg) {
    (void)arg;
    rc_status st = rc_runtime_start();
    if (st != RC_OK)
        return st;
    return rc_runtime_stop();
}

static void test_runtime_start(void **state) {
    (void)state;
    /* The very first allocation: out of memory, not a state error. */
    rc_testing_fail_alloc_after(1);
    rc_status st = rc_runtime_start();
    rc_testing_fail_alloc_after(0);
    rct_assert_out_of_memory(st);
    /* Every allocation of the start (and of a stop after it). */
    sweep("start_and_stop", start_and_stop, NULL, 1);
    assert_status(rc_runtime_start(), RC_OK);
    assert_status(rc_runtime_stop(), RC_OK);
}

static rc_status attach_and_detach(void *arg) {
    (void)arg;
    rc_status st = rc_thread_attach();
    if (st != RC_OK)
        return st;
    return rc_thread_detach();
}

static void test_thread_attach(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    assert_status(rc_thread_detach(), RC_OK);
    rc_testing_fail_alloc_after(1);
    rc_status st = rc_thread_attach();
    rc_testing_fail_alloc_after(0);
    rct_assert_out_of_memory(st);
    assert_false(rc_thread_is_attached());
    sweep("attach_and_detach", attach_and_detach, NULL, 1);
    assert_status(rc_thread_attach(), RC_OK);
    assert_status(rc_runtime_stop(), RC_OK);
}

/* ---- creating each type ------------------------------------------------------ */

static rc_status make_each_type(void *arg) {
    (void)arg;
    enum { N = 11 };
    rc_object *o[N] = {0};
    rc_status st = RC_OK;
    o[0] = rc_int_from_i64(1 << 20);
    o[1] = rc_float_from_double(2.5);
    o[2] = rc_str_from_cstr("a string long enough to need its own buffer, not a small one");
    o[3] = rc_str_from_format("%d-%s", 42, "formatted");
    o[4] = rc_tuple_pack(2, rc_none(), rc_true());
    o[5] = rc_list_new();
    o[6] = rc_dict_new();
    o[7] = rc_object_new(&node_type);
    o[8] = o[7] ? rc_weakref_new(o[7], NULL, NULL) : NULL;
    o[9] = o[2] && o[3] ? rc_str_concat(o[2], o[3]) : NULL;
    o[10] = o[4] ? rc_object_repr(o[4]) : NULL;
    for (int i = 0; i < N; i++)
        if (!o[i])
            st = failed();
    if (st == RC_OK) { /* an iterator over a list with items */
        st = rc_list_append(o[5], o[0]);
        rc_iter it;
        if (st == RC_OK && (st = rc_iter_begin(&it, o[5])) == RC_OK) {
            rc_object *item = NULL;
            int r = rc_iter_next(&it, &item);
            if (r == 1)
                rc_decref(item);
            else
                st = r < 0 ? (rc_status)r : RC_EVALUE;
            rc_iter_end(&it);
        }
    }
    for (int i = N - 1; i >= 0; i--)
        rc_xdecref(o[i]);
    return st;
}

static void test_create_each_type(void **state) {
    (void)state;
    sweep("make_each_type", make_each_type, NULL, 10);
}

/* ---- container growth ------------------------------------------------------- */

static rc_status grow_list(void *arg) {
    (void)arg;
    rc_object *l = rc_list_new();
    if (!l)
        return failed();
    rc_status st = RC_OK;
    for (int i = 0; st == RC_OK && i < 100; i++) {
        rc_object *v = rc_int_from_i64(1000 + i);
        st = v ? rc_list_append_steal(l, v) : failed();
    }
    for (int i = 0; st == RC_OK && i < 100; i++) {
        rc_object *v = rc_int_from_i64(5000 + i);
        if (!v)
            st = failed();
        else if ((st = rc_list_insert(l, i % 7, v)) == RC_OK && rc_list_size(l) != 101 + i)
            st = RC_EVALUE;
        rc_xdecref(v);
    }
    rc_decref(l);
    return st;
}

static void test_list_growth(void **state) {
    (void)state;
    sweep("grow_list", grow_list, NULL, 200);
}

static rc_status grow_dict(void *arg) {
    (void)arg;
    rc_object *d = rc_dict_new();
    if (!d)
        return failed();
    rc_status st = RC_OK;
    for (int i = 0; st == RC_OK && i < 100; i++) {
        rc_object *k = rc_str_from_format("key%d", i);
        rc_object *v = rc_int_from_i64(100000 + i);
        st = k && v ? rc_dict_set(d, k, v) : failed();
        rc_xdecref(k);
        rc_xdecref(v);
    }
    if (st == RC_OK && rc_dict_size(d) != 100)
        st = RC_EVALUE;
    rc_decref(d);
    return st;
}

static void test_dict_growth(void **state) {
    (void)state;
    sweep("grow_dict", grow_dict, NULL, 200);
}

/* ---- str interning ------------------------------------------------------------ */

/* Interns arg, a str made by the caller: the allocations are the intern
 * table's growth (when due) and the interned copy. Once it succeeded,
 * another call finds the copy and allocates nothing. */
static rc_status intern_str(void *arg) {
    rc_object *s = rc_str_intern(arg);
    if (!s)
        return failed();
    bool ok = rc_is_immortal(s) && strcmp(rc_str_data(s), rc_str_data(arg)) == 0;
    rc_decref(s);
    return ok ? RC_OK : RC_EVALUE;
}

/* One sweep per new string, 300 of them: the table grows several times
 * (interned strs live until stop), and each growth is the first
 * allocation of its sweep. */
static void test_str_intern(void **state) {
    (void)state;
    int points = 0;
    for (int i = 0; i < 300; i++) {
        rc_object *s = rc_str_from_format("oom-intern-%d", i);
        assert_non_null(s);
        points += rct_sweep_alloc_failures(intern_str, s);
        rc_decref(s);
    }
    print_message("intern_str x300: %d allocation failure points\n", points);
    /* One per sweep: the growth when due (the rerun after it then makes
     * the copy), else the copy. */
    assert_true(points >= 300);
}

/* ---- tuples ------------------------------------------------------------------- */

static rc_status build_tuples(void *arg) {
    (void)arg;
    rc_object *t = rc_tuple_new(20);
    if (!t)
        return failed();
    rc_status st = RC_OK;
    for (int64_t i = 0; st == RC_OK && i < 20; i++) {
        rc_object *v = rc_int_from_i64(300000 + i);
        rc_object *inner = v ? rc_tuple_pack(2, rc_none(), v) : NULL;
        rc_xdecref(v);
        st = inner ? rc_tuple_set_steal(t, i, inner) : failed();
    }
    uint64_t h = 0;
    if (st == RC_OK)
        st = rc_object_hash(t, &h);
    rc_object *r = st == RC_OK ? rc_object_repr(t) : NULL;
    if (st == RC_OK && !r)
        st = failed();
    rc_xdecref(r);
    rc_decref(t);
    return st;
}

static void test_tuples(void **state) {
    (void)state;
    sweep("build_tuples", build_tuples, NULL, 40);
}

/* ---- the collector, with finalizers and weak references ------------------------ */

/* A ring of 8 nodes, each with a weak reference with a callback; the ring
 * is dropped and one full collection must finalize and free it all. */
static rc_status collect_ring(void *arg) {
    (void)arg;
    enum { RING = 8 };
    rc_object *n[RING] = {0}, *wr[RING] = {0};
    rc_status st = RC_OK;
    for (int i = 0; st == RC_OK && i < RING; i++) {
        n[i] = rc_object_new(&node_type);
        wr[i] = n[i] ? rc_weakref_new(n[i], on_cleared, NULL) : NULL;
        if (!wr[i])
            st = failed();
    }
    for (int i = 0; st == RC_OK && i < RING; i++)
        ((node *)n[i])->ref = rc_newref(n[(i + 1) % RING]);
    int64_t finalized_before = finalized, callbacks_before = callbacks;
    for (int i = 0; i < RING; i++)
        rc_xdecref(n[i]);
    if (st == RC_OK) {
        int64_t found = rc_gc_collect();
        bool all_gone = true;
        for (int i = 0; i < RING; i++)
            all_gone = all_gone && rc_weakref_is_alive(wr[i]) == 0;
        if (found < RING || !all_gone || finalized - finalized_before != RING ||
            callbacks - callbacks_before != RING)
            st = rc_error_set(RC_EVALUE, "collection: found %lld, finalized %lld, "
                                         "callbacks %lld",
                              (long long)found, (long long)(finalized - finalized_before),
                              (long long)(callbacks - callbacks_before));
    } else {
        rc_status keep = st;
        rc_gc_collect(); /* a partial ring is a cycle too */
        rc_error_set(keep, "%s", "out of memory (kept across the collection)");
    }
    for (int i = 0; i < RING; i++)
        rc_xdecref(wr[i]);
    return st;
}

static void test_gc_collect(void **state) {
    (void)state;
    sweep("collect_ring", collect_ring, NULL, 16);
}

/* ---- rc_immortalize --------------------------------------------------------------- */

/* Makes a new list immortal (it then lives until stop, uncounted, so the
 * live count comes back to where it was). The allocations: the list, then
 * the immortal registry's growth when it is full. */
static rc_status immortalize_new(void *arg) {
    (void)arg;
    rc_object *l = rc_list_new();
    if (!l)
        return failed();
    rc_status st = rc_immortalize(l);
    if (st == RC_OK && !rc_is_immortal(l))
        st = RC_EVALUE;
    rc_decref(l); /* a no-op once immortal; frees it otherwise */
    return st;
}

/* A sweep per step, 200 steps, and one more immortal object every third
 * step: the registry grows (at 64 and 128 entries) and some sweep starts
 * with it one short of full, so that the growth is its 2nd allocation
 * (the run after the 1st failed takes the last free entry). */
static void test_immortalize(void **state) {
    (void)state;
    int points = 0, growths_failed = 0;
    for (int i = 0; i < 200; i++) {
        int p = rct_sweep_alloc_failures(immortalize_new, NULL);
        points += p;
        growths_failed += p == 2;
        if (i % 3 == 0)
            assert_int_equal(immortalize_new(NULL), RC_OK);
    }
    print_message("immortalize_new x200: %d allocation failure points, %d of them "
                  "the registry's growth\n", points, growths_failed);
    assert_true(growths_failed >= 1);
}

int main(void) {
    /* These start and stop the runtime themselves. */
    const struct CMUnitTest lifecycle[] = {
        cmocka_unit_test(test_runtime_start),
        cmocka_unit_test(test_thread_attach),
    };
    const struct CMUnitTest objects[] = {
        cmocka_unit_test(test_create_each_type),
        cmocka_unit_test(test_list_growth),
        cmocka_unit_test(test_dict_growth),
        cmocka_unit_test(test_str_intern),
        cmocka_unit_test(test_tuples),
        cmocka_unit_test(test_gc_collect),
        cmocka_unit_test(test_immortalize),
    };
    int failures = cmocka_run_group_tests_name("lifecycle", lifecycle, NULL, NULL);
    return failures + cmocka_run_group_tests_name("objects", objects, rct_group_setup,
                                                  rct_group_teardown);
}
