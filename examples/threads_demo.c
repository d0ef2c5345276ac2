/*
 * examples/threads_demo.c -- threads on refcore, and what the strategy does
 * with them. Built once per thread-safe variant (threads_demo_<variant>).
 *
 * Three small experiments, each printed with what it shows:
 *   1. CPU-bound: count to N with boxed ints (a new int object per step, and
 *      a checkpoint per step, as an interpreter loop would), twice one after
 *      the other, then in two threads at once.
 *   2. I/O-bound: threads that sleep inside the release region, one after
 *      the other and then together.
 *   3. The global lock's counters over the whole run.
 * This is a demonstration, not the benchmark suite: one run, no repetition.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "refcore.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(bool ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "threads_demo: %s failed: %s\n", what, rc_error_message());
        exit(1);
    }
}

/* ---- the work ------------------------------------------------------------------ */

/* Counts to n with boxed ints; returns the final count. pre: attached. */
static int64_t count_boxed(int64_t n) {
    rc_object *one = rc_int_from_i64(1);
    rc_object *i = rc_int_from_i64(0);
    int64_t v = 0;
    while (v < n) {
        rc_object *next = rc_int_add(i, one);
        check(next != NULL, "rc_int_add");
        rc_decref(i);
        i = next;
        rc_int_as_i64(i, &v);
        rc_checkpoint();
    }
    rc_decref(i);
    return v;
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    RC_BEGIN_ALLOW_THREADS /* other threads run while this one sleeps */
    nanosleep(&ts, NULL);
    RC_END_ALLOW_THREADS
}

typedef enum { CPU_BOUND, IO_BOUND } job_kind;

typedef struct job {
    job_kind kind;
    int64_t amount; /* steps to count, or sleeps of 10 ms */
    int64_t result;
} job;

static void run_job(job *j) {
    if (j->kind == CPU_BOUND) {
        j->result = count_boxed(j->amount);
    } else {
        for (int64_t k = 0; k < j->amount; k++) {
            rc_object *s = rc_str_from_format("request %lld", (long long)k);
            check(s != NULL, "rc_str_from_format");
            rc_decref(s);
            sleep_ms(10);
        }
        j->result = j->amount;
    }
}

static void *thread_main(void *arg) {
    check(rc_thread_attach() == RC_OK, "rc_thread_attach");
    run_job(arg);
    rc_thread_detach();
    return NULL;
}

/* Runs two copies of *proto one after the other on this thread, then in two
 * threads at once; prints both times. Returns threaded / sequential. */
static double compare(const char *title, job proto) {
    job a = proto, b = proto;
    double t0 = now_s();
    run_job(&a);
    run_job(&b);
    double sequential = now_s() - t0;
    check(a.result == proto.amount && b.result == proto.amount, "sequential result");

    a = proto, b = proto;
    pthread_t ta, tb;
    t0 = now_s();
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&ta, NULL, thread_main, &a);
    pthread_create(&tb, NULL, thread_main, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    RC_END_ALLOW_THREADS
    double threaded = now_s() - t0;
    check(a.result == proto.amount && b.result == proto.amount, "threaded result");

    printf("%s\n  twice, one after the other: %7.3f s\n  in two threads at once:     "
           "%7.3f s  (%.2fx the sequential time)\n",
           title, sequential, threaded, threaded / sequential);
    return threaded / sequential;
}

int main(int argc, char **argv) {
    int64_t count_to = 3000000;
    if (argc > 1)
        count_to = atoll(argv[1]);
    if (count_to < 1) {
        fprintf(stderr, "usage: %s [COUNT_TO]\n", argv[0]);
        return 2;
    }
    check(rc_runtime_start() == RC_OK, "rc_runtime_start");
    printf("refcore threads demo, strategy: %s (parallel object code: %s)\n\n",
           RC_STRATEGY_NAME, RC_PARALLEL ? "yes" : "no");

    char title[128];
    snprintf(title, sizeof title, "1. CPU-bound: count to %lld with boxed ints",
             (long long)count_to);
    double cpu = compare(title, (job){CPU_BOUND, count_to, 0});
    printf("  -> %s\n\n",
           RC_PARALLEL ? "object code runs in parallel: about half the time on 2 cores"
           : cpu > 0.8 ? "threads took turns on the global lock: no faster than sequential"
                       : "faster than sequential (unexpected for a global lock)");

    double io = compare("2. I/O-bound: 20 sleeps of 10 ms in the release region",
                        (job){IO_BOUND, 20, 0});
    printf("  -> %s\n\n", io < 0.75 ? "the sleeps overlapped: blocking calls release the lock"
                                    : "the sleeps did not overlap (unexpected)");

    rc_runtime_stats stats;
    rc_runtime_get_stats(&stats);
    printf("3. counters: the lock changed hands %llu times; %llu drops were forced by a\n"
           "   waiter after a %.0f ms switch interval; threads waited %.3f s in total.\n",
           (unsigned long long)stats.switches, (unsigned long long)stats.forced_drops,
           rc_switch_interval() * 1e3, (double)stats.wait_ns / 1e9);

    check(rc_live_objects() == 0, "no live objects at the end");
    check(rc_runtime_stop() == RC_OK, "rc_runtime_stop");
    return 0;
}
