/*
 * tests/gc_test.c -- the cycle collector: what is tracked, cycles through
 * every container and through client types, reachability, generations and
 * thresholds, freeze, finalizers and resurrection, weak references and their
 * callbacks, statistics, debug mode, deep chains, and errors.
 *
 * Tests that count what a collection finds turn automatic collection off
 * first, so that a collection triggered by an allocation (very frequent
 * under --config=gcstress) cannot take their garbage before they look.
 */
#include "tests/gc_node.h"
#include "tests/support.h"

#include <string.h>

/* Collects everything, with automatic collection off; returns what was found. */
static int64_t collect_quietly(void) {
    rc_gc_disable();
    int64_t n = rc_gc_collect();
    assert_true(n >= 0);
    return n;
}

static int group_setup(void **state) {
    int r = rct_group_setup(state);
    rc_gc_disable();
    return r;
}

/* ---- tracking ------------------------------------------------------------------ */

static void test_what_is_tracked(void **state) {
    (void)state;
    rc_object *atoms[] = {rct_big_int(1), rc_float_from_double(1.5), rc_str_from_cstr("s")};
    for (int i = 0; i < 3; i++) {
        assert_false(rc_gc_is_tracked(atoms[i]));
        rc_decref(atoms[i]);
    }
    assert_false(rc_gc_is_tracked(rc_none()));
    int64_t before = rc_gc_tracked_count(0);
    rc_object *containers[] = {rc_list_new(), rc_dict_new(), rc_tuple_new(2), node_new(0)};
    for (int i = 0; i < 4; i++)
        assert_true(rc_gc_is_tracked(containers[i]));
    assert_int_equal(rc_gc_tracked_count(0), before + 4);
    for (int i = 0; i < 4; i++)
        rc_decref(containers[i]);
    assert_int_equal(rc_gc_tracked_count(0), before);
    assert_int_equal(rc_gc_tracked_count(-1), -1);
}

/* ---- cycles -------------------------------------------------------------------- */

static void test_self_cycles(void **state) {
    (void)state;
    rc_object *l = rc_list_new();
    rc_list_append(l, l);
    rc_object *d = rc_dict_new();
    rc_object *k = rc_str_from_cstr("me");
    rc_dict_set(d, k, d);
    rc_decref(k);
    rc_object *n = node_new(1);
    node_link(n, n);
    rc_decref(l);
    rc_decref(d);
    rc_decref(n);
    /* Refcounting alone leaks them (and the dict's str key). */
    assert_int_equal(rc_live_objects(), 4);
    assert_int_equal(collect_quietly(), 3); /* the tracked ones; the key goes too */
    assert_int_equal(rc_live_objects(), 0);
}

static void test_cycles_through_every_container(void **state) {
    (void)state;
    /* list -> dict -> tuple -> node -> list */
    rc_object *l = rc_list_new(), *d = rc_dict_new(), *n = node_new(2);
    rc_object *t = rc_tuple_new(1);
    rc_tuple_set_steal(t, 0, rc_newref(n));
    rc_list_append(l, d);
    rc_object *key = rct_big_int(5);
    rc_dict_set(d, key, t);
    rc_decref(key);
    node_link(n, l);
    rc_decref(l);
    rc_decref(d);
    rc_decref(t);
    rc_decref(n);
    assert_int_equal(collect_quietly(), 4);
    assert_int_equal(rc_live_objects(), 0);
}

/* A hashable client type, to make a cycle through a dict key: the key
 * points back at the dict that holds it. */
static rc_status node_hash(rc_object *self, uint64_t *out) {
    *out = (uint64_t)((node *)self)->id;
    return RC_OK;
}

static rc_type hashable_node_type = {
    .name = "hashable_node",
    .basicsize = sizeof(node),
    .flags = RC_TYPE_GC,
    .dealloc = node_dealloc,
    .traverse = node_traverse,
    .clear = node_clear,
    .hash = node_hash,
};

static void test_cycles_through_dict_keys_and_values(void **state) {
    (void)state;
    rc_object *d = rc_dict_new();
    node *key = (node *)rc_object_new(&hashable_node_type);
    key->id = 9;
    key->ref = rc_newref(d); /* key -> dict */
    assert_status(rc_dict_set(d, &key->base, rc_none()), RC_OK); /* dict -> key */
    rc_decref(&key->base);

    rc_object *d2 = rc_dict_new(); /* a cycle through a value */
    rc_object *k = rc_str_from_cstr("v");
    rc_object *l = rc_list_new();
    rc_list_append(l, d2);
    rc_dict_set(d2, k, l);
    rc_decref(k);
    rc_decref(l);
    rc_decref(d2);
    rc_decref(d);
    assert_int_equal(collect_quietly(), 4);
    assert_int_equal(rc_live_objects(), 0);
}

static void test_reachable_cycles_are_kept(void **state) {
    (void)state;
    rc_object *a = node_new(1), *b = node_new(2);
    node_link(a, b);
    node_link(b, a);
    rc_object *holder = rc_list_new();
    rc_list_append(holder, a); /* the cycle is reachable from holder */
    rc_decref(a);
    rc_decref(b);
    assert_int_equal(collect_quietly(), 0);
    assert_int_equal(rc_live_objects(), 3);
    assert_int_equal(((node *)((node *)a)->ref)->id, 2); /* intact */
    rc_decref(holder);
    assert_int_equal(collect_quietly(), 2);
    assert_int_equal(rc_live_objects(), 0);
}

static void test_many_two_object_cycles(void **state) {
    (void)state;
    for (int i = 0; i < 1000; i++) {
        rc_object *a = rc_list_new(), *b = rc_list_new();
        rc_list_append(a, b);
        rc_list_append(b, a);
        rc_decref(a);
        rc_decref(b);
    }
    assert_int_equal(collect_quietly(), 2000);
    assert_int_equal(rc_live_objects(), 0);
}

static void test_deep_cyclic_chain(void **state) {
    (void)state;
    const int64_t length = 1000000;
    rc_object *first = node_new(0), *prev = first;
    rc_incref(prev);
    for (int64_t i = 1; i < length; i++) {
        rc_object *n = node_new(i);
        node_link(prev, n);
        rc_decref(prev);
        prev = n;
    }
    node_link(prev, first); /* close the cycle */
    rc_decref(prev);
    rc_decref(first);
    assert_int_equal(rc_live_objects(), length);
    assert_int_equal(collect_quietly(), length);
    assert_int_equal(rc_live_objects(), 0);
}

/* ---- generations ------------------------------------------------------------------ */

static void test_generations_and_thresholds(void **state) {
    (void)state;
    assert_int_equal(rc_gc_threshold(1), 10);
    assert_status(rc_gc_set_threshold(3, 5), RC_EVALUE);
    assert_status(rc_gc_set_threshold(0, 0), RC_EVALUE);
    assert_int_equal(rc_gc_threshold(7), -1);
    rc_gc_collect(); /* start from empty generations */
    rc_object *keep = rc_list_new();
    assert_int_equal(rc_gc_tracked_count(0), 1);
    assert_int_equal(rc_gc_collect_generation(0), 0);
    assert_int_equal(rc_gc_tracked_count(0), 0); /* survivors move up */
    assert_int_equal(rc_gc_tracked_count(1), 1);
    assert_int_equal(rc_gc_collect_generation(1), 0);
    assert_int_equal(rc_gc_tracked_count(2), 1);
    rc_decref(keep);
    assert_int_equal(rc_gc_tracked_count(2), 0);
}

static void test_automatic_collection(void **state) {
    (void)state;
    int64_t old = rc_gc_threshold(0);
    rc_gc_stats before, after;
    rc_gc_get_stats(0, &before);
    assert_status(rc_gc_set_threshold(0, 50), RC_OK);
    rc_gc_enable();
    assert_true(rc_gc_is_enabled());
    for (int i = 0; i < 1000; i++) { /* 1000 self-cycles, never collected by hand */
        rc_object *l = rc_list_new();
        rc_list_append(l, l);
        rc_decref(l);
    }
    rc_gc_get_stats(0, &after);
    assert_true(after.collections >= before.collections + 10);
    assert_true(rc_live_objects() < 1000); /* automatic collections freed most */

    rc_gc_disable();
    assert_false(rc_gc_is_enabled());
    rc_gc_get_stats(0, &before);
    for (int i = 0; i < 200; i++) {
        rc_object *l = rc_list_new();
        rc_list_append(l, l);
        rc_decref(l);
    }
    rc_gc_get_stats(0, &after);
    assert_int_equal(after.collections, before.collections); /* disabled: none */
    rc_gc_set_threshold(0, old);
    collect_quietly();
    assert_int_equal(rc_live_objects(), 0);
}

static void test_freeze(void **state) {
    (void)state;
    collect_quietly();
    rc_object *a = rc_list_new();
    rc_list_append(a, a);
    rc_decref(a);
    rc_gc_freeze();
    assert_int_equal(rc_gc_frozen_count(), 1);
    assert_int_equal(rc_gc_tracked_count(RC_GC_GENERATIONS), 1);
    assert_int_equal(collect_quietly(), 0); /* frozen: never scanned */
    assert_int_equal(rc_live_objects(), 1);
    rc_gc_unfreeze();
    assert_int_equal(rc_gc_frozen_count(), 0);
    assert_int_equal(collect_quietly(), 1);
    assert_int_equal(rc_live_objects(), 0);
}

/* ---- finalizers ------------------------------------------------------------------------- */

typedef struct fnode {
    node n;
    int finalized;   /* times the finalizer ran */
    bool saw_intact; /* the finalizer found its reference not cleared */
} fnode;

static rc_object *resurrect_into; /* a list, when a test wants resurrection */
static int finalizer_calls;

static void fnode_finalize(rc_object *self) {
    fnode *f = (fnode *)self;
    f->finalized++;
    finalizer_calls++;
    f->saw_intact = f->n.ref != NULL && ((node *)f->n.ref)->ref != NULL;
    if (resurrect_into)
        rc_list_append(resurrect_into, self);
}

static rc_type fnode_type = {
    .name = "fnode",
    .basicsize = sizeof(fnode),
    .flags = RC_TYPE_GC,
    .dealloc = node_dealloc,
    .traverse = node_traverse,
    .clear = node_clear,
    .finalize = fnode_finalize,
};

static void test_finalizers_see_intact_cycle(void **state) {
    (void)state;
    finalizer_calls = 0;
    fnode *a = (fnode *)rc_object_new(&fnode_type), *b = (fnode *)rc_object_new(&fnode_type);
    node_link(&a->n.base, &b->n.base);
    node_link(&b->n.base, &a->n.base);
    rc_decref(&a->n.base);
    rc_decref(&b->n.base);
    resurrect_into = NULL;
    assert_int_equal(collect_quietly(), 2);
    assert_int_equal(finalizer_calls, 2);
    assert_int_equal(rc_live_objects(), 0);
}

static void test_finalizer_order_and_resurrection(void **state) {
    (void)state;
    finalizer_calls = 0;
    resurrect_into = rc_list_new();
    fnode *a = (fnode *)rc_object_new(&fnode_type), *b = (fnode *)rc_object_new(&fnode_type);
    node_link(&a->n.base, &b->n.base);
    node_link(&b->n.base, &a->n.base);
    rc_decref(&a->n.base);
    rc_decref(&b->n.base);
    /* Both finalizers run, see everything intact, and resurrect both. */
    assert_int_equal(collect_quietly(), 0);
    assert_int_equal(finalizer_calls, 2);
    assert_int_equal(rc_list_size(resurrect_into), 2);
    assert_true(a->saw_intact && b->saw_intact);
    assert_int_equal(a->finalized, 1);
    assert_int_equal(rc_live_objects(), 3);

    /* Garbage again: collected, with no second finalizer call. */
    rc_object *list = resurrect_into;
    resurrect_into = NULL;
    rc_decref(list);
    assert_int_equal(collect_quietly(), 2);
    assert_int_equal(finalizer_calls, 2);
    assert_int_equal(rc_live_objects(), 0);
}

static void test_finalizer_on_refcount_death(void **state) {
    (void)state;
    finalizer_calls = 0;
    resurrect_into = NULL;
    rc_object *f = rc_object_new(&fnode_type);
    rc_decref(f); /* no cycle: freed by its count, after its finalizer */
    assert_int_equal(finalizer_calls, 1);
    assert_int_equal(rc_live_objects(), 0);

    resurrect_into = rc_list_new();
    f = rc_object_new(&fnode_type);
    rc_decref(f); /* the finalizer resurrects it */
    assert_int_equal(finalizer_calls, 2);
    assert_int_equal(rc_list_size(resurrect_into), 1);
    assert_int_equal(rc_live_objects(), 2);
    rc_object *list = resurrect_into;
    resurrect_into = NULL;
    rc_decref(list); /* dies again: freed, no second finalizer call */
    assert_int_equal(finalizer_calls, 2);
    assert_int_equal(rc_live_objects(), 0);
}

static void collect_in_finalizer(rc_object *self) {
    (void)self;
    assert_int_equal(rc_gc_collect(), RC_ESTATE);
    finalizer_calls++;
}

static void test_collect_inside_a_collection(void **state) {
    (void)state;
    static rc_type t = {.name = "reentrant",
                        .basicsize = sizeof(node),
                        .flags = RC_TYPE_GC,
                        .dealloc = node_dealloc,
                        .traverse = node_traverse,
                        .clear = node_clear,
                        .finalize = collect_in_finalizer};
    finalizer_calls = 0;
    rc_object *n = rc_object_new(&t);
    node_link(n, n);
    rc_decref(n);
    assert_int_equal(collect_quietly(), 1);
    assert_int_equal(finalizer_calls, 1);
}

/* ---- weak references -------------------------------------------------------------------- */

static int callbacks_run;
static rc_object *callback_log; /* callbacks append their arg here */
static rc_object *other_weakref; /* checked by a callback: cleared already? */
static int other_alive_in_callback = -1;

static void log_callback(rc_object *wr, rc_object *arg) {
    callbacks_run++;
    assert_int_equal(rc_weakref_is_alive(wr), 0);
    rc_object *got = rc_weakref_get(wr);
    assert_true(rc_is_none(got));
    if (callback_log && arg)
        rc_list_append(callback_log, arg); /* touches other objects */
    if (other_weakref)
        other_alive_in_callback = rc_weakref_is_alive(other_weakref);
}

static void test_weakref_basics_and_refcount_death(void **state) {
    (void)state;
    callbacks_run = 0;
    callback_log = rc_list_new();
    rc_object *n = node_new(1);
    rc_object *tag = rc_str_from_cstr("tag");
    rc_object *wr = rc_weakref_new(n, log_callback, tag);
    rc_object *plain = rc_weakref_new(n, NULL, NULL);
    assert_non_null(wr);
    assert_true(rc_weakref_check(wr));
    assert_int_equal(rc_weakref_is_alive(wr), 1);
    /* Unhashable: Python would hash it by its referent, never by identity
     * (objects/generic.c, the built-in types without a hash slot). */
    uint64_t h;
    assert_int_equal(rc_object_hash(wr, &h), RC_ETYPE);
    rc_object *got = rc_weakref_get(wr);
    assert_ptr_equal(got, n);
    assert_int_equal(rc_refcount(n), 2); /* get returned a new reference */
    rc_decref(got);
    rc_decref(n); /* dies by its count */
    assert_int_equal(callbacks_run, 1);
    assert_int_equal(rc_weakref_is_alive(wr), 0);
    assert_int_equal(rc_weakref_is_alive(plain), 0);
    assert_int_equal(rc_list_size(callback_log), 1);
    rc_decref(wr);
    rc_decref(plain);
    rc_decref(tag);
    rc_decref(callback_log);
    callback_log = NULL;
    assert_int_equal(rc_live_objects(), 0);
}

static void test_weakref_dies_before_referent(void **state) {
    (void)state;
    callbacks_run = 0;
    rc_object *n = node_new(1);
    rc_object *w1 = rc_weakref_new(n, log_callback, NULL);
    rc_object *w2 = rc_weakref_new(n, log_callback, NULL);
    rc_decref(w1); /* unlinks itself */
    rc_decref(n);
    assert_int_equal(callbacks_run, 1); /* only w2's */
    rc_decref(w2);
    assert_int_equal(rc_live_objects(), 0);
}

static void test_weakref_errors(void **state) {
    (void)state;
    rc_object *l = rc_list_new();
    assert_null_error(rc_weakref_new(l, NULL, NULL), RC_ETYPE);
    assert_null_error(rc_weakref_new(NULL, NULL, NULL), RC_EVALUE);
    assert_null_error(rc_weakref_get(l), RC_ETYPE);
    assert_status(rc_weakref_is_alive(NULL), RC_EVALUE);
    rc_decref(l);
    static rc_type bad_offset = {.name = "bad", .basicsize = sizeof(rc_object) + 8,
                                 .weaklist_offset = 4};
    assert_status(rc_type_ready(&bad_offset), RC_EVALUE);
    static rc_type finalize_without_gc = {.name = "bad2", .basicsize = sizeof(node),
                                          .finalize = fnode_finalize};
    assert_status(rc_type_ready(&finalize_without_gc), RC_EVALUE);
}

static void test_weakrefs_to_cyclic_garbage(void **state) {
    (void)state;
    callbacks_run = 0;
    callback_log = rc_list_new();
    rc_object *a = node_new(1), *b = node_new(2);
    node_link(a, b);
    node_link(b, a);
    rc_object *tag = rc_str_from_cstr("a died");
    rc_object *wa = rc_weakref_new(a, log_callback, tag);
    rc_object *wb = rc_weakref_new(b, NULL, NULL);
    other_weakref = wb; /* wa's callback checks wb was cleared before it ran */
    other_alive_in_callback = -1;
    rc_decref(tag);
    rc_decref(a);
    rc_decref(b);
    assert_int_equal(collect_quietly(), 2);
    assert_int_equal(callbacks_run, 1);
    assert_int_equal(other_alive_in_callback, 0);
    assert_int_equal(rc_weakref_is_alive(wa), 0);
    assert_int_equal(rc_weakref_is_alive(wb), 0);
    assert_int_equal(rc_list_size(callback_log), 1);
    other_weakref = NULL;
    rc_decref(wa);
    rc_decref(wb);
    rc_decref(callback_log);
    callback_log = NULL;
    assert_int_equal(rc_live_objects(), 0);
}

static void test_garbage_weakref_callback_does_not_run(void **state) {
    (void)state;
    callbacks_run = 0;
    /* The cycle a -> holder -> b -> a, and in holder a weak reference to b
     * that only the cycle reaches: it is garbage with the cycle, so its
     * callback must not run. */
    rc_object *a = node_new(1), *b = node_new(2);
    rc_object *holder = rc_list_new();
    rc_object *w = rc_weakref_new(b, log_callback, NULL);
    rc_list_append(holder, w);
    rc_list_append(holder, b);
    rc_decref(w);
    node_link(a, holder);
    node_link(b, a);
    rc_decref(holder);
    rc_decref(a);
    rc_decref(b);
    assert_int_equal(collect_quietly(), 4);
    assert_int_equal(callbacks_run, 0);
    assert_int_equal(rc_live_objects(), 0);
}

/* ---- statistics and debug mode ---------------------------------------------------------- */

static void test_stats(void **state) {
    (void)state;
    rc_gc_stats before, after;
    assert_status(rc_gc_get_stats(2, &before), RC_OK);
    assert_status(rc_gc_get_stats(3, &before), RC_EVALUE);
    assert_status(rc_gc_get_stats(0, NULL), RC_EVALUE);
    rc_gc_get_stats(2, &before);
    for (int i = 0; i < 100; i++) {
        rc_object *l = rc_list_new();
        rc_list_append(l, l);
        rc_decref(l);
    }
    assert_int_equal(collect_quietly(), 100);
    rc_gc_get_stats(2, &after);
    assert_int_equal(after.collections, before.collections + 1);
    assert_int_equal(after.collected, before.collected + 100);
    assert_true(after.last_pause_ns > 0);
    assert_true(after.longest_pause_ns >= after.last_pause_ns);
    assert_status(rc_gc_collect_generation(5), RC_EVALUE);
}

/* rc_gc_visit_garbage's visitor: records what it is shown (borrowed) and
 * whether a collection is refused inside the walk. */
typedef struct kept_seen {
    rc_object *objs[4];
    int n, stop_after;
    int64_t collect_inside;
    rc_status release_inside;
} kept_seen;

static int see_kept(rc_object *o, void *arg) {
    kept_seen *seen = arg;
    if (seen->n < 4)
        seen->objs[seen->n] = o;
    seen->n++;
    seen->collect_inside = rc_gc_collect();
    seen->release_inside = rc_gc_release_garbage(); /* would empty the list walked */
    return seen->stop_after && seen->n >= seen->stop_after ? 7 : 0;
}

static void test_debug_keep_garbage(void **state) {
    (void)state;
    rc_gc_set_debug_keep_garbage(true);
    rc_object *a = node_new(1), *b = node_new(2);
    node_link(a, b);
    node_link(b, a);
    rc_decref(a);
    rc_decref(b);
    rc_gc_stats before, after;
    rc_gc_get_stats(2, &before);
    assert_int_equal(collect_quietly(), 2);
    rc_gc_get_stats(2, &after);
    assert_int_equal(after.uncollectable, before.uncollectable + 2);
    assert_int_equal(rc_live_objects(), 2); /* kept, intact */
    kept_seen seen = {0};
    assert_int_equal(rc_gc_visit_garbage(see_kept, &seen), 0);
    assert_int_equal(seen.n, 2);
    assert_true((seen.objs[0] == a && seen.objs[1] == b) ||
                (seen.objs[0] == b && seen.objs[1] == a));
    assert_non_null(((node *)seen.objs[0])->ref); /* not cleared */
    assert_int_equal(seen.collect_inside, RC_ESTATE);
    assert_int_equal(seen.release_inside, RC_ESTATE);
    seen.stop_after = 1; /* a nonzero return stops the walk and comes back */
    seen.n = 0;
    assert_int_equal(rc_gc_visit_garbage(see_kept, &seen), 7);
    assert_int_equal(seen.n, 1);
    assert_status(rc_gc_visit_garbage(NULL, NULL), RC_EVALUE);
    rc_gc_set_debug_keep_garbage(false);
    assert_status(rc_gc_release_garbage(), RC_OK);
    assert_int_equal(collect_quietly(), 2);
    assert_int_equal(rc_live_objects(), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_what_is_tracked),
        cmocka_unit_test(test_self_cycles),
        cmocka_unit_test(test_cycles_through_every_container),
        cmocka_unit_test(test_cycles_through_dict_keys_and_values),
        cmocka_unit_test(test_reachable_cycles_are_kept),
        cmocka_unit_test(test_many_two_object_cycles),
        cmocka_unit_test(test_deep_cyclic_chain),
        cmocka_unit_test(test_generations_and_thresholds),
        cmocka_unit_test(test_automatic_collection),
        cmocka_unit_test(test_freeze),
        cmocka_unit_test(test_finalizers_see_intact_cycle),
        cmocka_unit_test(test_finalizer_order_and_resurrection),
        cmocka_unit_test(test_finalizer_on_refcount_death),
        cmocka_unit_test(test_collect_inside_a_collection),
        cmocka_unit_test(test_weakref_basics_and_refcount_death),
        cmocka_unit_test(test_weakref_dies_before_referent),
        cmocka_unit_test(test_weakref_errors),
        cmocka_unit_test(test_weakrefs_to_cyclic_garbage),
        cmocka_unit_test(test_garbage_weakref_callback_does_not_run),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_debug_keep_garbage),
    };
    return cmocka_run_group_tests(tests, group_setup, rct_group_teardown);
}
