/*
 * Workload 6, read_shared: all threads look up keys in one shared dict and
 * read items of one shared list; nobody writes the containers. Each read
 * returns a new reference, so even pure reading writes the shared values'
 * counts: that is what a lock-free-read strategy (nogil) is built to make
 * cheap, and what races without protection. Check: every value read is
 * the expected one, and every shared value's count is back to 2 (one
 * reference from the dict, one from the list).
 *
 * read_shared_borrowed: the same reads through rc_dict_get_borrowed and
 * rc_list_get_borrowed, which count nothing (runtime/borrow.c): a read
 * writes no shared cache line, so readers should scale as the control does.
 * The checkpoint after each op ends the op's borrows.
 */
#include "bench/workloads.h"

#define KEYS 1024

typedef struct shared {
    rc_object *dict, *list;
    rc_object *keys[KEYS];
} shared;

static shared the_shared;

static void read_setup(bench_run *run) {
    shared *s = &the_shared;
    if (!(s->dict = rc_dict_new()) || !(s->list = rc_list_new()))
        bench_die("rc_dict_new/rc_list_new");
    for (int k = 0; k < KEYS; k++) {
        rc_object *v = rc_int_from_i64(2 * (1000 + k));
        if (!(s->keys[k] = rc_int_from_i64(1000 + k)) || !v ||
            rc_dict_set(s->dict, s->keys[k], v) != RC_OK || rc_list_append(s->list, v) != RC_OK)
            bench_die("read_shared setup");
        rc_decref(v);
    }
    run->shared = s;
}

/* One op: a dict lookup and a list read. Returns false on a wrong value. */
static bool read_op(shared *s, int k) {
    rc_object *a = rc_dict_get(s->dict, s->keys[k]);
    rc_object *b = rc_list_get(s->list, k);
    int64_t va = -1, vb = -1;
    if (a)
        rc_int_as_i64(a, &va);
    if (b)
        rc_int_as_i64(b, &vb);
    rc_xdecref(a);
    rc_xdecref(b);
    return va == 2 * (1000 + k) && vb == va;
}

/* The same op through the borrowed calls: nothing counted, nothing to drop. */
static bool read_op_borrowed(shared *s, int k) {
    rc_object *a = NULL;
    rc_object *b = rc_list_get_borrowed(s->list, k);
    int64_t va = -1, vb = -1;
    if (rc_dict_get_borrowed(s->dict, s->keys[k], &a) == 1)
        rc_int_as_i64(a, &va);
    if (b)
        rc_int_as_i64(b, &vb);
    return va == 2 * (1000 + k) && vb == va;
}

static void read_loop(bench_thread *t, bool (*op)(shared *, int)) {
    shared *s = t->run->shared;
    int64_t bad = 0;
    bench_start(t);
    for (int64_t i = 0; i < t->ops; i++) {
        bad += !op(s, (int)(i % KEYS));
        rc_checkpoint();
    }
    bench_stop(t);
    if (bad)
        bench_fail(t->run, "thread %d: %lld wrong value(s) read", t->index, (long long)bad);
}

static void read_thread(bench_thread *t) {
    read_loop(t, read_op);
}

static void read_borrowed_thread(bench_thread *t) {
    read_loop(t, read_op_borrowed);
}

static void read_finish(bench_run *run) {
    shared *s = run->shared;
    int wrong = 0;
    for (int k = 0; k < KEYS; k++) {
        rc_object *v = rc_list_get(s->list, k);
        wrong += !v || rc_refcount(v) != 3; /* dict + list + the one just taken */
        rc_xdecref(v);
    }
    if (wrong)
        bench_fail(run, "%d of %d shared values have a wrong count after the run", wrong, KEYS);
    rc_decref(s->list);
    rc_decref(s->dict);
    for (int k = 0; k < KEYS; k++)
        rc_decref(s->keys[k]);
}

BENCH_WORKLOAD(wl_read_shared) = {
    .name = "read_shared",
    .summary = "all threads look up one shared dict and read one shared list",
    .default_ops = 12000000,
    .setup = read_setup,
    .thread = read_thread,
    .finish = read_finish,
    .rank = 7,
    .shares_objects = true,
    .roles = "read",
};

BENCH_WORKLOAD(wl_read_shared_borrowed) = {
    .name = "read_shared_borrowed",
    .summary = "read_shared through the borrowed calls, which count nothing",
    .default_ops = 12000000,
    .setup = read_setup,
    .thread = read_borrowed_thread,
    .finish = read_finish,
    .rank = 8,
    .shares_objects = true,
    .not_in_cost = true,
    .roles = "read_borrowed",
};
