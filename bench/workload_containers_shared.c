/*
 * Workload 5, containers_shared: all threads append to one list and add
 * keys to one dict. Each thread adds values of its own range, so the final
 * sizes and the sum of the list are known exactly. A thread-safe strategy
 * must get them exact; without protection appends are lost (two threads
 * write the same slot) and a resize that races with an append writes into
 * freed memory.
 */
#include "bench/workloads.h"

typedef struct shared {
    rc_object *list, *dict;
} shared;

static shared the_shared;

static void shared_setup(bench_run *run) {
    the_shared.list = rc_list_new();
    the_shared.dict = rc_dict_new();
    if (!the_shared.list || !the_shared.dict)
        bench_die("rc_list_new/rc_dict_new");
    run->shared = &the_shared;
}

static int64_t value_of(int thread, int64_t ops, int64_t i) {
    return 1000 + (int64_t)thread * ops + i;
}

static void shared_thread(bench_thread *t) {
    shared *s = t->run->shared;
    int64_t errors = 0;
    bench_start(t);
    for (int64_t i = 0; i < t->ops; i++) {
        rc_object *v = rc_int_from_i64(value_of(t->index, t->ops, i));
        if (!v)
            bench_die("rc_int_from_i64");
        errors += rc_list_append(s->list, v) != RC_OK;
        errors += rc_dict_set(s->dict, v, v) != RC_OK;
        rc_decref(v);
        rc_checkpoint();
    }
    bench_stop(t);
    if (errors)
        bench_fail(t->run, "thread %d: %lld append/set call(s) failed", t->index,
                   (long long)errors);
}

/* The sum of the list's items, or -1 if an item is not an int. */
static int64_t list_sum(rc_object *list) {
    int64_t sum = 0, n = rc_list_size(list);
    for (int64_t i = 0; i < n; i++) {
        rc_object *o = rc_list_get(list, i);
        int64_t v = 0;
        if (!o || rc_int_as_i64(o, &v) != RC_OK) {
            rc_xdecref(o);
            return -1;
        }
        sum += v;
        rc_decref(o);
    }
    return sum;
}

static void shared_finish(bench_run *run) {
    shared *s = run->shared;
    int64_t want = run->ops * run->threads, want_sum = 0;
    for (int t = 0; t < run->threads; t++)
        for (int64_t i = 0; i < run->ops; i++)
            want_sum += value_of(t, run->ops, i);
    int64_t len = rc_list_size(s->list), keys = rc_dict_size(s->dict), sum = list_sum(s->list);
    if (len != want || keys != want)
        bench_fail(run, "lost appends: list has %lld of %lld items, dict %lld of %lld keys",
                   (long long)len, (long long)want, (long long)keys, (long long)want);
    else if (sum != want_sum)
        bench_fail(run, "list items corrupted: sum %lld, expected %lld", (long long)sum,
                   (long long)want_sum);
    rc_decref(s->list);
    rc_decref(s->dict);
}

BENCH_WORKLOAD(wl_containers_shared) = {
    .name = "containers_shared",
    .summary = "all threads append to one list and add keys to one dict",
    .default_ops = 1000000,
    .setup = shared_setup,
    .thread = shared_thread,
    .finish = shared_finish,
    .rank = 6,
    .shares_objects = true,
};
