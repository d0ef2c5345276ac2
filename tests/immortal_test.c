/*
 * tests/immortal_test.c -- rc_immortalize on one thread (every strategy);
 * tests/immortal_threads_test.c has the threads. And rc_mark_shared on one
 * thread, where it must change nothing (tests/per_thread_counts_test.c
 * has it with threads).
 *
 * What is checked: an immortalized object's count never moves and it is no
 * longer counted as live, while what it holds is counted as usual; already
 * immortal objects and a second call are no-ops; the errors. And that
 * rc_runtime_stop frees everything with no leak reported: a list and its
 * items, a cycle of immortal lists, a mortal cycle that hung off an
 * immortal list, a non-container holding an immortal list that holds it
 * (freeing through the counts would free one of them twice: ASan sees it),
 * and a type's finalizer, weak reference callback and dealloc, each run
 * exactly once.
 *
 * Each test starts and stops the runtime itself: the stop is what frees
 * immortalized objects, and it is under test.
 */
#include "tests/support.h"

#include <stddef.h>
#include <string.h>

/* ---- a container type that records what the runtime does to it -------------- */

typedef struct probe {
    rc_object base;
    rc_object *ref;      /* a strong reference, or NULL */
    rc_object *weaklist; /* the runtime's */
} probe;

static int finalized, deallocated, callbacks;
static bool immortalize_in_finalizer, mark_in_finalizer;
static rc_status finalizer_status;

static void probe_finalize(rc_object *self) {
    finalized++;
    if (immortalize_in_finalizer)
        finalizer_status = rc_immortalize(self);
    else if (mark_in_finalizer)
        finalizer_status = rc_mark_shared(self);
}

static int probe_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    RC_VISIT(((probe *)self)->ref);
    return 0;
}

static void probe_clear(rc_object *self) {
    rc_clear_ref(&((probe *)self)->ref);
}

static void probe_dealloc(rc_object *self) {
    deallocated++;
    probe_clear(self);
}

static rc_type probe_type = {
    .name = "probe",
    .basicsize = sizeof(probe),
    .flags = RC_TYPE_GC,
    .dealloc = probe_dealloc,
    .traverse = probe_traverse,
    .clear = probe_clear,
    .finalize = probe_finalize,
    .weaklist_offset = offsetof(probe, weaklist),
};

static void count_callback(rc_object *weakref, rc_object *arg) {
    (void)weakref;
    (void)arg;
    callbacks++;
}

static void reset_probe_counts(void) {
    finalized = deallocated = callbacks = 0;
    immortalize_in_finalizer = mark_in_finalizer = false;
    finalizer_status = RC_OK;
}

/* A type that holds a reference without being a container (like a code
 * object holding its constants): only its dealloc lets go of it. */
typedef struct box {
    rc_object base;
    rc_object *item;
} box;

static void box_dealloc(rc_object *self) {
    rc_clear_ref(&((box *)self)->item);
}

static rc_type box_type = {.name = "box", .basicsize = sizeof(box), .dealloc = box_dealloc};

/* ---- the tests ------------------------------------------------------------------ */

static void test_immortal_list_and_its_items(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    rc_object *l = rc_list_new();
    for (int i = 0; i < 3; i++)
        assert_status(rc_list_append_steal(l, rct_big_int(i)), RC_OK);
    assert_int_equal(rc_live_objects(), 4);

    assert_status(rc_immortalize(l), RC_OK);
    assert_true(rc_is_immortal(l));
    assert_true(rc_refcount(l) == RC_IMMORTAL_COUNT);
    assert_int_equal(rc_live_objects_of(&rc_list_type), 0); /* the runtime's now */
    assert_int_equal(rc_live_objects(), 3);                 /* its items still count */
    for (int k = 0; k < 1000; k++) {
        rc_incref(l);
        rc_decref(l);
        rc_decref(l); /* more decrefs than increfs: nothing moves */
    }
    assert_true(rc_refcount(l) == RC_IMMORTAL_COUNT);

    /* Still a working list, whose items are counted as usual. */
    assert_status(rc_list_append_steal(l, rct_big_int(3)), RC_OK);
    rc_object *item = rc_list_get(l, 0);
    assert_int_equal(rc_refcount(item), 2); /* the list's and ours */
    rc_decref(item);
    assert_int_equal(rc_refcount(item), 1);
    assert_int_equal(rc_list_size(l), 4);
    assert_int_equal(rc_live_objects(), 4);

    /* The caller drops its reference as it would have: a no-op. */
    rc_decref(l);
    /* Stop frees the list and its items: no leak. */
    assert_status(rc_runtime_stop(), RC_OK);
}

static void test_already_immortal_is_a_no_op(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    rc_object *interned = rc_str_intern_cstr("already immortal");
    rc_object *atoms[] = {rc_none(), rc_true(), rc_int_from_i64(7), interned};
    for (size_t i = 0; i < sizeof atoms / sizeof atoms[0]; i++) {
        assert_status(rc_immortalize(atoms[i]), RC_OK);
        assert_true(rc_is_immortal(atoms[i]));
    }
    rc_object *l = rc_list_new();
    assert_status(rc_immortalize(l), RC_OK);
    assert_status(rc_immortalize(l), RC_OK); /* registered once: freed once */
    assert_int_equal(rc_live_objects(), 0);
    assert_status(rc_runtime_stop(), RC_OK);
}

/* call(o) made from inside the release region, where it must refuse: its
 * status. o is not touched before the call's check. */
static rc_status called_in_release_region(rc_status (*call)(rc_object *), rc_object *o) {
    rc_status st = RC_OK;
    RC_BEGIN_ALLOW_THREADS
    st = call(o);
    RC_END_ALLOW_THREADS
    return st;
}

static void test_errors(void **state) {
    (void)state;
    rc_object *none = rc_none(); /* static: valid without a runtime */
    assert_status(rc_immortalize(none), RC_ESTATE); /* not started, not attached */
    assert_status(rc_runtime_start(), RC_OK);
    assert_status(rc_immortalize(NULL), RC_EVALUE);
    rc_object *l = rc_list_new();
    assert_int_equal(called_in_release_region(rc_immortalize, l), RC_ESTATE);
    assert_false(rc_is_immortal(l)); /* left as it was: our reference counts */
    assert_int_equal(rc_refcount(l), 1);
    rc_decref(l);
    assert_status(rc_runtime_stop(), RC_OK);
}

static void test_cycle_of_immortal_lists_freed_at_stop(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    rc_object *a = rc_list_new(), *b = rc_list_new();
    assert_status(rc_list_append(a, b), RC_OK);
    assert_status(rc_list_append(b, a), RC_OK);
    assert_status(rc_list_append_steal(a, rct_big_int(1)), RC_OK);
    assert_status(rc_immortalize(a), RC_OK);
    assert_status(rc_immortalize(b), RC_OK);
    rc_decref(a);
    rc_decref(b);
    assert_int_equal(rc_gc_collect(), 0); /* immortal: never garbage */
    assert_int_equal(rc_live_objects(), 1);
    assert_status(rc_runtime_stop(), RC_OK);
}

static void test_mortal_cycle_under_an_immortal_freed_at_stop(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    rc_object *root = rc_list_new(), *c = rc_list_new();
    assert_status(rc_list_append(c, c), RC_OK);
    assert_status(rc_list_append_steal(c, rct_big_int(2)), RC_OK);
    assert_status(rc_list_append_steal(root, c), RC_OK);
    assert_status(rc_immortalize(root), RC_OK);
    /* Reachable from an immortal object: the collector keeps it. */
    assert_int_equal(rc_gc_collect(), 0);
    assert_int_equal(rc_live_objects(), 2);
    assert_status(rc_runtime_stop(), RC_OK);
}

static void test_non_container_holding_an_immortal(void **state) {
    (void)state;
    assert_status(rc_runtime_start(), RC_OK);
    /* bx -> l -> bx: l's reference to bx was counted; bx's to l was made
     * while l was immortal, so l's count never knew it. */
    box *bx = (box *)rc_object_new(&box_type);
    rc_object *l = rc_list_new();
    assert_non_null(bx);
    assert_status(rc_list_append(l, &bx->base), RC_OK);
    assert_status(rc_immortalize(&bx->base), RC_OK);
    assert_status(rc_immortalize(l), RC_OK);
    bx->item = rc_newref(l);
    rc_decref(&bx->base);
    rc_decref(l);
    assert_int_equal(rc_live_objects(), 0);
    assert_status(rc_runtime_stop(), RC_OK);
}

static void test_finalizer_callback_and_dealloc_run_once_at_stop(void **state) {
    (void)state;
    reset_probe_counts();
    assert_status(rc_runtime_start(), RC_OK);
    probe *p = (probe *)rc_object_new(&probe_type);
    assert_non_null(p);
    p->ref = rct_big_int(3);
    rc_object *wr = rc_weakref_new(&p->base, count_callback, NULL);
    assert_non_null(wr);
    assert_status(rc_immortalize(&p->base), RC_OK);
    assert_status(rc_immortalize(wr), RC_OK); /* so that it lives until stop too */
    assert_int_equal(rc_weakref_is_alive(wr), 1);
    assert_int_equal(finalized + deallocated + callbacks, 0);
    assert_status(rc_runtime_stop(), RC_OK);
    assert_int_equal(finalized, 1);
    assert_int_equal(callbacks, 1);
    assert_int_equal(deallocated, 1);
}

/* A finalizer may immortalize its object when the count dropped it (the
 * object survives, and stop frees it without finalizing it again), but not
 * while a collection runs. */
static void test_immortalize_from_a_finalizer(void **state) {
    (void)state;
    reset_probe_counts();
    assert_status(rc_runtime_start(), RC_OK);
    immortalize_in_finalizer = true;

    probe *p = (probe *)rc_object_new(&probe_type);
    p->ref = rct_big_int(4);
    rc_decref(&p->base);
    assert_int_equal(finalizer_status, RC_OK);
    assert_true(rc_is_immortal(&p->base));
    assert_int_equal(deallocated, 0);

    probe *q = (probe *)rc_object_new(&probe_type);
    q->ref = rc_newref(&q->base); /* a cycle */
    rc_decref(&q->base);
    assert_int_equal(rc_gc_collect(), 1);
    assert_int_equal(finalizer_status, RC_ESTATE);
    assert_int_equal(finalized, 2);
    assert_int_equal(deallocated, 1); /* q, collected */

    assert_int_equal(rc_live_objects(), 1); /* p's int */
    assert_status(rc_runtime_stop(), RC_OK);
    assert_int_equal(finalized, 2); /* p's ran once, before */
    assert_int_equal(deallocated, 2);
}

/* rc_mark_shared: the same refusals as rc_immortalize, each with a message
 * that names the call; on one thread nothing switches under any strategy
 * (per-thread counts need two), and counts, the collector and the objects'
 * lives are what they would be without the call. */
static void test_mark_shared_on_one_thread(void **state) {
    (void)state;
    reset_probe_counts();
    assert_status(rc_mark_shared(rc_none()), RC_ESTATE); /* not started */
    assert_status(rc_runtime_start(), RC_OK);
    int64_t live = rc_live_objects();
    assert_status(rc_mark_shared(NULL), RC_EVALUE);
    assert_non_null(strstr(rc_error_message(), "rc_mark_shared"));
    rc_object *l = rc_list_new();
    assert_int_equal(called_in_release_region(rc_mark_shared, l), RC_ESTATE);
    assert_non_null(strstr(rc_error_message(), "not attached"));

    rc_object *x = rct_big_int(5);
    assert_status(rc_list_append(l, x), RC_OK);
    assert_status(rc_mark_shared(l), RC_OK);
    assert_status(rc_mark_shared(l), RC_OK); /* again: the same */
    assert_status(rc_mark_shared(rc_none()), RC_OK); /* immortal: nothing to do */
    rc_runtime_stats stats;
    rc_runtime_get_stats(&stats);
    assert_int_equal(stats.per_thread_starts, 0);
    assert_int_equal(stats.per_thread_objects, 0);
    assert_int_equal(rc_refcount(l), 1);
    assert_int_equal(rc_refcount(x), 2);
    rc_decref(x);
    rc_decref(l); /* freed at once: it never left ordinary counting */
    assert_int_equal(rc_live_objects(), live);

    /* From a finalizer that a collection runs: refused, the object
     * collected all the same. */
    mark_in_finalizer = true;
    probe *q = (probe *)rc_object_new(&probe_type);
    q->ref = rc_newref(&q->base); /* a cycle */
    rc_decref(&q->base);
    assert_int_equal(rc_gc_collect(), 1);
    assert_int_equal(finalizer_status, RC_ESTATE);
    assert_int_equal(deallocated, 1);
    mark_in_finalizer = false;
    assert_int_equal(rc_live_objects(), live);
    assert_status(rc_runtime_stop(), RC_OK);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_immortal_list_and_its_items),
        cmocka_unit_test(test_already_immortal_is_a_no_op),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_cycle_of_immortal_lists_freed_at_stop),
        cmocka_unit_test(test_mortal_cycle_under_an_immortal_freed_at_stop),
        cmocka_unit_test(test_non_container_holding_an_immortal),
        cmocka_unit_test(test_finalizer_callback_and_dealloc_run_once_at_stop),
        cmocka_unit_test(test_immortalize_from_a_finalizer),
        cmocka_unit_test(test_mark_shared_on_one_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
