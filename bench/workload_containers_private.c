/*
 * Workload 4, containers_private: each thread builds and reads its own
 * lists and dicts (append, set, get), starting over every 1024 items so
 * that memory stays small. No object is shared, so every strategy should
 * scale here; what differs is the price of the object locks. Check: every
 * item and value reads back, and every container has the expected size.
 */
#include "bench/workloads.h"

#define BATCH 1024

typedef struct pair {
    rc_object *list, *dict;
} pair;

static pair pair_new(void) {
    pair p = {rc_list_new(), rc_dict_new()};
    if (!p.list || !p.dict)
        bench_die("rc_list_new/rc_dict_new");
    return p;
}

/* One op: append, set, and read both back. Returns false on a wrong read. */
static bool private_op(pair *p, int64_t k) {
    rc_object *v = rc_int_from_i64(1000 + k);
    if (!v || rc_list_append(p->list, v) != RC_OK || rc_dict_set(p->dict, v, v) != RC_OK)
        bench_die("append/set");
    rc_decref(v);
    rc_object *a = rc_list_get(p->list, k);
    rc_object *b = a ? rc_dict_get(p->dict, a) : NULL;
    bool ok = a && b && a == b;
    rc_xdecref(a);
    rc_xdecref(b);
    return ok;
}

static bool pair_close(pair *p) {
    bool ok = rc_list_size(p->list) == BATCH && rc_dict_size(p->dict) == BATCH;
    rc_decref(p->list);
    rc_decref(p->dict);
    return ok;
}

static void private_thread(bench_thread *t) {
    int64_t bad = 0;
    pair p = pair_new();
    bench_start(t);
    for (int64_t i = 0; i < t->ops; i++) {
        int64_t k = i % BATCH;
        bad += !private_op(&p, k);
        if (k == BATCH - 1) {
            bad += !pair_close(&p);
            p = pair_new();
        }
        rc_checkpoint();
    }
    bench_stop(t);
    rc_decref(p.list);
    rc_decref(p.dict);
    if (bad)
        bench_fail(t->run, "thread %d: %lld wrong read(s) or size(s)", t->index, (long long)bad);
}

BENCH_WORKLOAD(wl_containers_private) = {
    .name = "containers_private",
    .summary = "each thread appends to, sets in and reads its own lists and dicts",
    .default_ops = 3000000,
    .thread = private_thread,
    .rank = 5,
    .roles = "private",
};
