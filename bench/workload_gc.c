/*
 * Workload 11, gc_100k and gc_1m: the cycle collector. The main thread
 * builds a heap of N tracked objects (--ops N: a root list of empty lists,
 * and a tenth of N as garbage: pairs of lists that hold each other, which
 * only the collector can free), with automatic collection off. Thread 0
 * then runs one full collection, timed. Threads 1.. are mutators: they
 * allocate, free and call the checkpoint in a loop, and record the longest
 * gap between two of their iterations: the pause the collection imposed on
 * them. Under the GIL that is the whole collection; a strategy that stops
 * the world pauses them at a checkpoint; the unprotected one does not pause
 * them at all (it is correct with one thread only). Throughput is tracked
 * objects scanned per second. Check: the collection found exactly the
 * garbage.
 */
#include "bench/workloads.h"

#include "gc/gc.h"

typedef struct gc_state {
    rc_object *root;
    int64_t garbage; /* objects the collection must find */
    int64_t found;
    uint64_t collect_ns;
    atomic_int running; /* mutators that have started their loop */
    atomic_int stop;
} gc_state;

static gc_state the_state;

static void gc_setup(bench_run *run) {
    gc_state *s = &the_state;
    rc_gc_disable();
    rc_gc_collect(); /* start from a clean heap: only this run's objects count */
    s->garbage = run->ops / 10 / 2 * 2;
    s->root = wl_list();
    for (int64_t i = 1; i < run->ops - s->garbage; i++)
        if (rc_list_append_steal(s->root, wl_list()) != RC_OK)
            bench_die("rc_list_append_steal");
    for (int64_t i = 0; i < s->garbage / 2; i++)
        wl_make_cycle();
    s->found = -1;
    atomic_store(&s->running, 0);
    atomic_store(&s->stop, 0);
    run->shared = s;
}

static void collector(gc_state *s, int mutators) {
    /* Collect only once every mutator is in its loop, so that each one is
     * running when the pause begins. The checkpoint lets them get the
     * lock meanwhile under a global lock. */
    while (atomic_load(&s->running) < mutators)
        rc_checkpoint();
    uint64_t t0 = bench_now_ns();
    s->found = rc_gc_collect();
    s->collect_ns = bench_now_ns() - t0;
    atomic_store(&s->stop, 1);
}

/* Returns the longest gap between two iterations, in ns. */
static uint64_t mutator(gc_state *s) {
    uint64_t last = bench_now_ns(), longest = 0;
    for (int64_t i = 0; !atomic_load_explicit(&s->stop, memory_order_relaxed); i++) {
        rc_object *o = rc_int_from_i64(1000 + i);
        if (!o)
            bench_die("rc_int_from_i64");
        rc_decref(o);
        rc_checkpoint();
        if (i == 0)
            atomic_fetch_add(&s->running, 1);
        uint64_t now = bench_now_ns();
        if (now - last > longest)
            longest = now - last;
        last = now;
    }
    return longest;
}

static void gc_thread(bench_thread *t) {
    gc_state *s = t->run->shared;
    bench_start(t);
    if (t->index == 0) {
        collector(s, t->run->threads - 1);
    } else {
        t->checksum = mutator(s);
    }
    bench_stop(t);
    if (t->index > 0)
        bench_metric_set(t->run, "pause_max_ms", (double)t->checksum / 1e6); /* one mutator's */
}

static void gc_finish(bench_run *run) {
    gc_state *s = run->shared;
    if (s->found != s->garbage)
        bench_fail(run, "the collection found %lld unreachable objects, expected %lld",
                   (long long)s->found, (long long)s->garbage);
    bench_metric_set(run, "collect_ms", (double)s->collect_ns / 1e6);
    rc_gc_stats st;
    if (rc_gc_get_stats(RC_GC_GENERATIONS - 1, &st) == RC_OK)
        bench_metric_set(run, "gc_last_pause_ms", (double)st.last_pause_ns / 1e6);
    run->total_ops = run->ops; /* tracked objects scanned */
    rc_decref(s->root);
    rc_gc_enable();
}

BENCH_WORKLOAD(wl_gc_100k) = {
    .name = "gc_100k",
    .summary = "one full collection of 100,000 tracked objects (10% cyclic garbage)",
    .default_ops = 100000,
    .setup = gc_setup,
    .thread = gc_thread,
    .finish = gc_finish,
    .rank = 17,
    .shape = BENCH_SHAPE_GC,
};

BENCH_WORKLOAD(wl_gc_1m) = {
    .name = "gc_1m",
    .summary = "one full collection of 1,000,000 tracked objects (10% cyclic garbage)",
    .default_ops = 1000000,
    .setup = gc_setup,
    .thread = gc_thread,
    .finish = gc_finish,
    .rank = 18,
    .shape = BENCH_SHAPE_GC,
};
