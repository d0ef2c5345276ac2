/*
 * bench/workloads.h -- what the workloads share: the harness, and the few
 * helpers several of them use. A workload is one file,
 * bench/workload_<name>.c, that registers itself (BENCH_WORKLOAD,
 * bench/harness.h); bench/BUILD takes every such file.
 */
#ifndef RC_BENCH_WORKLOADS_H
#define RC_BENCH_WORKLOADS_H

#include <stdatomic.h>

#include "bench/harness.h"


/* The seeds' CPU-bound loop: counts with boxed ints (each step a new int
 * object and a checkpoint, as an interpreter loop would) until n steps are
 * done or *stop becomes non-zero (stop may be NULL). Returns the steps
 * taken, or -1 if the count the ints reached disagrees with them (a
 * corrupted object). pre: attached. */
int64_t wl_count_boxed(int64_t n, const atomic_int *stop);

/* n incref+decref pairs on o, with a checkpoint every 64 (as often as an
 * interpreter would check, without the check dominating a two-instruction
 * operation): refcount_shared's loop, and each phase of refcount_cooling's.
 * BENCH_OPAQUE keeps the compiler from folding a pair away. */
static inline void wl_count_pairs(rc_object *o, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        BENCH_OPAQUE(o);
        rc_incref(o);
        BENCH_OPAQUE(o);
        rc_decref(o);
        if ((i & 63) == 0)
            rc_checkpoint();
    }
}

/* A new int, or a new empty list; out of memory ends the process. */
static inline rc_object *wl_int(int64_t v) {
    rc_object *o = rc_int_from_i64(v);
    if (!o)
        bench_die("rc_int_from_i64");
    return o;
}

static inline rc_object *wl_list(void) {
    rc_object *l = rc_list_new();
    if (!l)
        bench_die("rc_list_new");
    return l;
}

/* Two lists holding each other, then dropped: garbage only the collector
 * can free (the gc_* workloads' heap, and the op_cycle_* rows). */
static inline void wl_make_cycle(void) {
    rc_object *a = wl_list(), *b = wl_list();
    if (rc_list_append(a, b) != RC_OK || rc_list_append(b, a) != RC_OK)
        bench_die("rc_list_append");
    rc_decref(a);
    rc_decref(b);
}

#endif /* RC_BENCH_WORKLOADS_H */
