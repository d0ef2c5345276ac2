/*
 * Workload 7, cpu_count: the seeds' CPU-bound program. Count to N with
 * boxed ints: each step makes a new int object and drops the old one, and
 * calls the checkpoint as an interpreter loop would. The driver runs it as
 * the seeds do: twice in a row on one thread (threads 1, ops 2N), in two
 * threads (N each), and in two processes (N each, one runtime per process).
 * Under a global lock the two threads take turns, so they take as long as
 * the sequential run; two processes do not share a lock. Check: the count
 * each thread reached is N.
 */
#include "bench/workloads.h"

int64_t wl_count_boxed(int64_t n, const atomic_int *stop) {
    rc_object *one = rc_int_from_i64(1), *i = rc_int_from_i64(0);
    int64_t steps = 0;
    if (!one || !i)
        bench_die("rc_int_from_i64");
    for (; steps < n; steps++) {
        /* Relaxed: the flag only ends the loop; nothing is read after it. */
        if (stop && (steps & 1023) == 0 && atomic_load_explicit(stop, memory_order_relaxed))
            break;
        rc_object *next = rc_int_add(i, one);
        if (!next)
            bench_die("rc_int_add");
        rc_decref(i);
        i = next;
        rc_checkpoint();
    }
    int64_t reached = -1;
    rc_int_as_i64(i, &reached);
    rc_decref(i);
    rc_decref(one);
    return reached == steps ? steps : -1;
}

static void count_thread(bench_thread *t) {
    bench_start(t);
    int64_t got = wl_count_boxed(t->ops, NULL);
    bench_stop(t);
    if (got != t->ops)
        bench_fail(t->run, "thread %d counted to %lld, expected %lld", t->index,
                   (long long)got, (long long)t->ops);
}

BENCH_WORKLOAD(wl_cpu_count) = {
    .name = "cpu_count",
    .summary = "the seeds' loop: count to N with boxed ints (sequential, threads, processes)",
    .default_ops = 10000000,
    .thread = count_thread,
    .rank = 11,
    .shape = BENCH_SHAPE_SEEDS,
    .roles = "seeds",
};
