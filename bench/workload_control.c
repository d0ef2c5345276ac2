/*
 * Workload 12, control: the same harness running a plain C loop that
 * touches no runtime object. Its speedup with N threads is what this
 * machine gives N spinning threads at this moment (on a shared 2-vCPU
 * machine the second CPU is not always there); every other speedup is
 * also reported as a fraction of it. The loop runs in the release region,
 * so no strategy's lock is held during it. Check: every thread computed the
 * expected value.
 */
#include "bench/workloads.h"

static uint64_t control_loop(int64_t ops) {
    uint64_t x = 88172645463325252ull;
    for (int64_t i = 0; i < ops; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        BENCH_OPAQUE(x); /* one round per op, not folded away */
    }
    return x;
}

static void control_thread(bench_thread *t) {
    uint64_t x;
    bench_start(t);
    /* In the release region: an attached thread that keeps a global lock
     * would make the control take turns too, and then it would measure the
     * lock, not the machine. */
    RC_BEGIN_ALLOW_THREADS
    x = control_loop(t->ops);
    RC_END_ALLOW_THREADS
    t->checksum = x;
    bench_stop(t);
    /* The reference value, computed outside the timed section. */
    if (t->checksum != control_loop(t->ops))
        bench_fail(t->run, "thread %d: wrong result", t->index);
}

BENCH_WORKLOAD(wl_control) = {
    .name = "control",
    .summary = "a plain C loop, no runtime object: the machine's own scaling",
    .default_ops = 60000000,
    .thread = control_thread,
    .rank = 21,
    .not_in_cost = true,
    .roles = "control",
};
