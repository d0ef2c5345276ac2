/*
 * Workload 9, latency_1ms and latency_5ms: how long an I/O-bound thread
 * waits to run object code again after its blocking call returns, while
 * CPU-bound threads run. Thread 0 sleeps 1 ms in the release region, reads
 * the clock when the sleep ends, and again when RC_END_ALLOW_THREADS
 * returns: the difference is its wake-up latency. Threads 1.. count with
 * boxed ints until thread 0 is done. Under a global lock the woken thread
 * must wait for the holder to reach a checkpoint after a whole switch
 * interval (1 ms or 5 ms here): the convoy effect. Without a global lock it
 * waits only for a CPU. Check: the CPU threads' counts, and every wake-up
 * recorded. Throughput counts thread 0's wake-ups only.
 */
#include "bench/workloads.h"

#include <stdlib.h>

#define SLEEP_NS 1000000ull

typedef struct latency_state {
    atomic_int stop;
    uint64_t *wake_ns; /* thread 0's latencies, ops of them */
    atomic_llong cpu_steps;
} latency_state;

static latency_state the_state;

static void latency_setup(bench_run *run) {
    the_state.wake_ns = calloc((size_t)run->ops, sizeof *the_state.wake_ns);
    if (!the_state.wake_ns)
        bench_die("calloc");
    atomic_store(&the_state.stop, 0);
    atomic_store(&the_state.cpu_steps, 0);
    if (rc_set_switch_interval(run->param) != RC_OK)
        bench_die("rc_set_switch_interval");
    run->shared = &the_state;
}

static void io_side(bench_thread *t, latency_state *s) {
    for (int64_t i = 0; i < t->ops; i++) {
        uint64_t woke;
        RC_BEGIN_ALLOW_THREADS
        bench_sleep_ns(SLEEP_NS);
        woke = bench_now_ns();
        RC_END_ALLOW_THREADS
        s->wake_ns[i] = bench_now_ns() - woke;
        rc_object *o = rc_int_from_i64(1000 + i); /* a little object work */
        if (!o)
            bench_die("rc_int_from_i64");
        rc_decref(o);
    }
    atomic_store(&s->stop, 1);
}

static void latency_thread(bench_thread *t) {
    latency_state *s = t->run->shared;
    bench_start(t);
    if (t->index == 0) {
        io_side(t, s);
    } else {
        int64_t steps = wl_count_boxed(INT64_MAX, &s->stop);
        if (steps < 0)
            bench_fail(t->run, "CPU thread %d: its boxed count went wrong", t->index);
        else
            atomic_fetch_add(&s->cpu_steps, steps);
    }
    bench_stop(t);
}

static int compare_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void latency_finish(bench_run *run) {
    latency_state *s = run->shared;
    size_t n = (size_t)run->ops;
    qsort(s->wake_ns, n, sizeof *s->wake_ns, compare_u64);
    double secs = (double)(run->stop_ns - run->start_ns) / 1e9;
    bench_metric_set(run, "wake_p50_us", (double)s->wake_ns[n / 2] / 1e3);
    bench_metric_set(run, "wake_p99_us", (double)s->wake_ns[n - 1 - n / 100] / 1e3);
    bench_metric_set(run, "wake_max_us", (double)s->wake_ns[n - 1] / 1e3);
    bench_metric_set(run, "cpu_steps_per_s", secs > 0 ? (double)atomic_load(&s->cpu_steps) / secs : 0);
    run->total_ops = run->ops; /* the I/O thread's wake-ups */
    rc_set_switch_interval(0.005);
    free(s->wake_ns);
}

BENCH_WORKLOAD(wl_latency_1ms) = {
    .name = "latency_1ms",
    .summary = "wake-up latency of a sleeping thread beside CPU-bound threads, switch interval 1 ms",
    .default_ops = 200,
    .param = 0.001,
    .setup = latency_setup,
    .thread = latency_thread,
    .finish = latency_finish,
    .rank = 14,
    .shape = BENCH_SHAPE_LATENCY,
    .min_ops = 40,
    .not_in_cost = true,
    .roles = "convoy",
};

BENCH_WORKLOAD(wl_latency_5ms) = {
    .name = "latency_5ms",
    .summary = "the same at a switch interval of 5 ms (the default)",
    .default_ops = 200,
    .param = 0.005,
    .setup = latency_setup,
    .thread = latency_thread,
    .finish = latency_finish,
    .rank = 15,
    .shape = BENCH_SHAPE_LATENCY,
    .min_ops = 40,
    .not_in_cost = true,
    .roles = "convoy",
};
