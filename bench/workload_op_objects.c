/*
 * The single-thread cost of the basic object operations (op_int_new,
 * op_list_append, op_dict_set, op_dict_get, op_tuple3, and the generic
 * protocols a language's loops and subscripts go through: op_iter_list,
 * op_getitem_list), on one thread
 * (BENCH_SHAPE_SINGLE), beside CPython 3.13's figures for the same
 * operations through its C API (bench/README.md says where they come
 * from). Ints start at 1000, beyond the small ints, which are immortal.
 * Failures that leave nothing to measure end the process (bench_die).
 */
#include <stdlib.h>

#include "bench/workloads.h"

static void int_new_thread(bench_thread *t) {
    bench_start(t);
    for (int64_t i = 0; i < t->ops; i++) {
        rc_object *o = wl_int(1000 + i);
        BENCH_OPAQUE(o);
        rc_decref(o);
    }
    bench_stop(t);
}

static void list_append_thread(bench_thread *t) {
    rc_object *list = wl_list();
    bench_start(t);
    for (int64_t i = 0; i < t->ops; i++)
        if (rc_list_append_steal(list, rc_int_from_i64(1000 + i)) != RC_OK)
            bench_die("rc_list_append_steal");
    bench_stop(t);
    if (rc_list_size(list) != t->ops)
        bench_fail(t->run, "the list holds %lld items, expected %lld",
                   (long long)rc_list_size(list), (long long)t->ops);
    rc_decref(list);
}

/* ---- dict set and get: 100,000 int keys --------------------------------------- */

#define DICT_KEYS 100000

static rc_object *keys[DICT_KEYS]; /* one thread's (BENCH_SHAPE_SINGLE) */

static void keys_make(void) {
    for (int64_t i = 0; i < DICT_KEYS; i++)
        keys[i] = wl_int(1000 + i);
}

static void keys_drop(void) {
    for (int64_t i = 0; i < DICT_KEYS; i++)
        rc_decref(keys[i]);
}

static rc_object *new_dict(void) {
    rc_object *d = rc_dict_new();
    if (!d)
        bench_die("rc_dict_new");
    return d;
}

/* Sets keys [0, n) into d, each mapped to itself. */
static void dict_fill(rc_object *d, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        if (rc_dict_set(d, keys[i], keys[i]) != RC_OK)
            bench_die("rc_dict_set");
}

/* Every op sets a new key: the keys go into fresh dicts, DICT_KEYS each,
 * made before the clock starts and freed after it stops, so that neither
 * a dict's creation nor its release is timed. */
static void dict_set_thread(bench_thread *t) {
    int64_t ndicts = (t->ops + DICT_KEYS - 1) / DICT_KEYS;
    rc_object **dicts = calloc((size_t)ndicts, sizeof *dicts);
    if (!dicts)
        bench_die("calloc");
    keys_make();
    for (int64_t d = 0; d < ndicts; d++)
        dicts[d] = new_dict();
    bench_start(t);
    for (int64_t d = 0; d < ndicts; d++)
        dict_fill(dicts[d], d < ndicts - 1 ? DICT_KEYS : t->ops - d * DICT_KEYS);
    bench_stop(t);
    for (int64_t d = 0; d < ndicts; d++)
        rc_decref(dicts[d]);
    free(dicts);
    keys_drop();
}

static void dict_get_thread(bench_thread *t) {
    keys_make();
    rc_object *d = new_dict();
    dict_fill(d, DICT_KEYS);
    bench_start(t);
    for (int64_t i = 0; i < t->ops; i++) {
        rc_object *v = rc_dict_get(d, keys[i % DICT_KEYS]);
        if (!v)
            bench_die("rc_dict_get");
        rc_decref(v);
    }
    bench_stop(t);
    rc_decref(d);
    keys_drop();
}

/* ---- tuple of 3 ------------------------------------------------------------------ */

/* Made the cheap way, from items at hand (rc_tuple_from_array_steal), as
 * CPython's C code fills a fresh tuple with PyTuple_SET_ITEM. */
static void tuple3_thread(bench_thread *t) {
    rc_object *a = wl_int(1), *b = wl_int(2), *c = wl_int(3);
    bench_start(t);
    for (int64_t i = 0; i < t->ops; i++) {
        rc_incref(a);
        rc_incref(b);
        rc_incref(c);
        rc_object *items[3] = {a, b, c};
        rc_object *tup = rc_tuple_from_array_steal(3, items);
        if (!tup)
            bench_die("rc_tuple_from_array_steal");
        BENCH_OPAQUE(tup);
        rc_decref(tup);
    }
    bench_stop(t);
    rc_decref(a);
    rc_decref(b);
    rc_decref(c);
}

BENCH_WORKLOAD(wl_op_int_new) = {
    .name = "op_int_new",
    .summary = "int create+free (beyond the small ints), one thread",
    .default_ops = 5000000,
    .thread = int_new_thread,
    .rank = 25,
    .shape = BENCH_SHAPE_SINGLE,
    .not_in_cost = true,
    .cpython_ns = "9.6",
    .cpython_ft_ns = "11.0",
};

/* ---- the generic protocols (objects/iter.h, objects/protocol.h) ------------------- */

#define WALK_ITEMS 1000

static rc_object *int_list(void) {
    rc_object *l = wl_list();
    for (int64_t i = 0; i < WALK_ITEMS; i++)
        if (rc_list_append_steal(l, wl_int(1000 + i)) != RC_OK)
            bench_die("rc_list_append_steal");
    return l;
}

/* One op is one rc_iter_next: walks of a 1000-item list, each begun and
 * ended with the walk (so rc_iter_begin and rc_iter_end are amortised over
 * 1000 items). */
static void iter_list_thread(bench_thread *t) {
    rc_object *l = int_list(), *item;
    int64_t seen = 0;
    bench_start(t);
    while (seen < t->ops) {
        rc_iter it;
        if (rc_iter_begin(&it, l) != RC_OK)
            bench_die("rc_iter_begin");
        while (seen < t->ops && rc_iter_next(&it, &item) == 1) {
            BENCH_OPAQUE(item);
            rc_decref(item);
            seen++;
        }
        rc_iter_end(&it);
    }
    bench_stop(t);
    rc_decref(l);
}

/* rc_object_getitem(list, int): what a language's l[i] goes through. */
static void getitem_list_thread(bench_thread *t) {
    rc_object *l = int_list(), *index[WALK_ITEMS];
    for (int64_t i = 0; i < WALK_ITEMS; i++)
        index[i] = rc_int_from_i64(i); /* small ints up to 256, then boxed */
    bench_start(t);
    for (int64_t i = 0; i < t->ops; i++) {
        rc_object *v = rc_object_getitem(l, index[i % WALK_ITEMS]);
        if (!v)
            bench_die("rc_object_getitem");
        BENCH_OPAQUE(v);
        rc_decref(v);
    }
    bench_stop(t);
    for (int64_t i = 0; i < WALK_ITEMS; i++)
        rc_decref(index[i]);
    rc_decref(l);
}

BENCH_WORKLOAD(wl_op_iter_list) = {
    .name = "op_iter_list",
    .summary = "rc_iter_next over a list of 1000 ints, one thread",
    .default_ops = 5000000,
    .thread = iter_list_thread,
    .rank = 33,
    .shape = BENCH_SHAPE_SINGLE,
    .not_in_cost = true,
};

BENCH_WORKLOAD(wl_op_getitem_list) = {
    .name = "op_getitem_list",
    .summary = "rc_object_getitem(list, int), one thread",
    .default_ops = 5000000,
    .thread = getitem_list_thread,
    .rank = 34,
    .shape = BENCH_SHAPE_SINGLE,
    .not_in_cost = true,
};

BENCH_WORKLOAD(wl_op_list_append) = {
    .name = "op_list_append",
    .summary = "list append of a new int, one thread",
    .default_ops = 2000000,
    .thread = list_append_thread,
    .rank = 26,
    .shape = BENCH_SHAPE_SINGLE,
    .not_in_cost = true,
    .cpython_ns = "28.7",
};

BENCH_WORKLOAD(wl_op_dict_set) = {
    .name = "op_dict_set",
    .summary = "dict set of a new key, dicts of 100,000 int keys, one thread",
    .default_ops = 1000000,
    .thread = dict_set_thread,
    .rank = 27,
    .shape = BENCH_SHAPE_SINGLE,
    .not_in_cost = true,
    .cpython_ns = "19.1",
    .cpython_ft_ns = "37.6",
};

BENCH_WORKLOAD(wl_op_dict_get) = {
    .name = "op_dict_get",
    .summary = "dict get, a dict of 100,000 int keys, one thread",
    .default_ops = 2000000,
    .thread = dict_get_thread,
    .rank = 28,
    .shape = BENCH_SHAPE_SINGLE,
    .not_in_cost = true,
    .cpython_ns = "7.9",
    .cpython_ft_ns = "12.4",
};

BENCH_WORKLOAD(wl_op_tuple3) = {
    .name = "op_tuple3",
    .summary = "tuple of 3 create+fill+free, one thread",
    .default_ops = 5000000,
    .thread = tuple3_thread,
    .rank = 29,
    .shape = BENCH_SHAPE_SINGLE,
    .not_in_cost = true,
    .cpython_ns = "12.2",
    .cpython_ft_ns = "12.9",
};
