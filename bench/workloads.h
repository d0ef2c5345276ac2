/*
 * bench/workloads.h -- the registry of workloads, one per
 * bench/workload_<name>.c, and the few helpers several of them share.
 * To add a workload: write its file, declare its registration here, list it
 * in bench/workloads.c and bench/BUILD (see bench/README.md).
 */
#ifndef RC_BENCH_WORKLOADS_H
#define RC_BENCH_WORKLOADS_H

#include <stdatomic.h>

#include "bench/harness.h"

extern const bench_workload wl_refcount_private;
extern const bench_workload wl_refcount_shared;
extern const bench_workload wl_refcount_immortal;
extern const bench_workload wl_alloc;
extern const bench_workload wl_containers_private;
extern const bench_workload wl_containers_shared;
extern const bench_workload wl_read_shared;
extern const bench_workload wl_read_shared_borrowed;
extern const bench_workload wl_attr_shared;
extern const bench_workload wl_refcount_cooling;
extern const bench_workload wl_cpu_count;
extern const bench_workload wl_io_sleep;
extern const bench_workload wl_io_pipe;
extern const bench_workload wl_latency_1ms;
extern const bench_workload wl_latency_5ms;
extern const bench_workload wl_native;
extern const bench_workload wl_gc_100k;
extern const bench_workload wl_gc_1m;
extern const bench_workload wl_interp_count;
extern const bench_workload wl_interp_containers;
extern const bench_workload wl_control;

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

#endif /* RC_BENCH_WORKLOADS_H */
