/*
 * Workload 8, io_sleep and io_pipe: I/O-bound threads. Each op does a
 * little object work (a 3-item list, summed) and then blocks for about a
 * millisecond inside the release region: in nanosleep (io_sleep), or in a
 * read from a pipe that a plain C thread, never attached, writes a byte to
 * every millisecond (io_pipe). While a thread blocks it holds no lock, so
 * the threads' waits overlap under every strategy: throughput grows with
 * the thread count even beyond the number of cores. Check: the sums, and
 * every byte read.
 */
#include "bench/workloads.h"

#include <pthread.h>
#include <unistd.h>

#define WAIT_NS 1000000ull /* 1 ms */

/* A little object work: returns false if the list sums wrong. */
static bool io_object_work(int64_t i) {
    rc_object *l = rc_list_new();
    if (!l)
        bench_die("rc_list_new");
    for (int k = 0; k < 3; k++)
        if (rc_list_append_steal(l, rc_int_from_i64(1000 + i + k)) != RC_OK)
            bench_die("rc_list_append_steal");
    int64_t sum = 0;
    for (int k = 0; k < 3; k++) {
        rc_object *o = rc_list_get(l, k);
        int64_t v = 0;
        if (o && rc_int_as_i64(o, &v) == RC_OK)
            sum += v;
        rc_xdecref(o);
    }
    rc_decref(l);
    return sum == 3 * (1000 + i) + 3;
}

/* ---- the pipe's writer: plain C, never attached ------------------------- */

typedef struct feeder {
    int fd;
    int64_t bytes;
} feeder;

static void *feeder_main(void *arg) {
    feeder *f = arg;
    for (int64_t i = 0; i < f->bytes; i++) {
        bench_sleep_ns(WAIT_NS);
        char b = (char)i;
        if (write(f->fd, &b, 1) != 1)
            break;
    }
    return NULL;
}

/* One blocking wait in the release region; false if the read failed. */
static bool io_wait(int fd) {
    bool ok = true;
    RC_BEGIN_ALLOW_THREADS
    if (fd < 0) {
        bench_sleep_ns(WAIT_NS);
    } else {
        char b;
        ok = read(fd, &b, 1) == 1;
    }
    RC_END_ALLOW_THREADS
    return ok;
}

static void io_thread(bench_thread *t) {
    bool use_pipe = t->run->param != 0;
    int fds[2] = {-1, -1};
    pthread_t writer;
    feeder f = {0, t->ops};
    if (use_pipe && pipe(fds) != 0)
        bench_die("pipe");
    int64_t bad = 0;
    bench_start(t);
    f.fd = fds[1];
    if (use_pipe && pthread_create(&writer, NULL, feeder_main, &f) != 0)
        bench_die("pthread_create");
    for (int64_t i = 0; i < t->ops; i++) {
        bad += !io_object_work(i);
        bad += !io_wait(fds[0]);
        rc_checkpoint();
    }
    bench_stop(t);
    if (use_pipe) {
        pthread_join(writer, NULL);
        close(fds[0]);
        close(fds[1]);
    }
    if (bad)
        bench_fail(t->run, "thread %d: %lld wrong sum(s) or failed read(s)", t->index,
                   (long long)bad);
}

BENCH_WORKLOAD(wl_io_sleep) = {
    .name = "io_sleep",
    .summary = "a little object work, then a 1 ms sleep in the release region",
    .default_ops = 250,
    .thread = io_thread,
    .rank = 12,
    .shape = BENCH_SHAPE_IO,
    .min_ops = 20,
    .not_in_cost = true,
};

BENCH_WORKLOAD(wl_io_pipe) = {
    .name = "io_pipe",
    .summary = "a little object work, then a blocking pipe read (1 byte/ms) in the release region",
    .default_ops = 250,
    .param = 1,
    .thread = io_thread,
    .rank = 13,
    .shape = BENCH_SHAPE_IO,
    .min_ops = 20,
    .not_in_cost = true,
};
