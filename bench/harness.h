/*
 * bench/harness.h -- what every workload of the comparative suite shares.
 *
 * A workload (bench/workload_<name>.c) is a function that each of N worker
 * threads runs, plus optional setup and finish steps on the main thread.
 * The harness starts the runtime, creates the threads, lines them up behind
 * a barrier so they start together, times the section between
 * bench_start() and bench_stop() on the monotonic clock, checks the result,
 * and prints one machine-readable line per measurement:
 *
 *   RESULT {"variant":"gil","workload":"alloc","threads":2,"processes":1,
 *           "rep":0,"ops":...,"seconds":...,"correct":true,"detail":"...",
 *           "metrics":{...},"stats":{...}}
 *
 * bench/compare_run.py reads those lines; bench/workloads.c is the command
 * line.
 *
 * The worker's contract: it attaches nothing itself (the harness attaches it
 * before calling the workload and detaches it after), it does its untimed
 * preparation, calls bench_start() exactly once, does the measured work,
 * calls bench_stop() exactly once, then checks and cleans up. Every thread
 * must reach both calls even when its preparation failed (call
 * bench_fail() and go on), or the others wait at the barrier forever.
 *
 * With --processes P > 1 the same run happens in P forked processes, each
 * with its own runtime started after the fork (one runtime per process, as
 * Python's multiprocessing has one interpreter per process); the barrier
 * and the clock then span the processes.
 */
#ifndef RC_BENCH_HARNESS_H
#define RC_BENCH_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refcore.h"

/* Keeps the compiler from merging or deleting the operations measured. */
#define BENCH_OPAQUE(p) __asm__ volatile("" : "+r"(p) : : "memory")

#define BENCH_DETAIL_LEN 240
#define BENCH_MAX_METRICS 8

typedef struct bench_run bench_run;

/* One worker thread. */
typedef struct bench_thread {
    bench_run *run;
    int index;           /* 0 .. threads-1 */
    int64_t ops;         /* operations this thread is asked to do */
    uint64_t checksum;   /* free for the workload (for example a result to check) */
} bench_thread;

/* A metric a workload reports beside the time (a latency, a pause). */
typedef struct bench_metric {
    const char *name;
    double value;
} bench_metric;

/* One measurement: every thread of one repetition. */
struct bench_run {
    const struct bench_workload *workload;
    int threads;
    int64_t ops;       /* per thread, from --ops */
    int64_t total_ops; /* counted for the throughput: ops * threads unless set */
    int rep;
    bool warmup;       /* an untimed warm-up round (results are still checked) */
    void *shared;      /* the workload's shared state, made by setup */
    double param;      /* the workload's own parameter (see its registration) */

    /* Written by the harness. */
    uint64_t start_ns, stop_ns;

    /* Failure report: the first bench_fail wins, later ones are counted. */
    bool failed;
    int failures;
    char detail[BENCH_DETAIL_LEN];
    bench_metric metrics[BENCH_MAX_METRICS];
    int nmetrics;
    void *sync; /* the harness's barriers (opaque) */
};

/* Which rows bench/compare.py runs of a workload. */
typedef enum bench_shape {
    BENCH_SHAPE_THREADS, /* 1 .. the most threads asked for (the default) */
    BENCH_SHAPE_SEEDS,   /* the seeds' program: 1 thread doing the work twice,
                          * 2 threads, 2 processes */
    BENCH_SHAPE_IO,      /* as THREADS, and beyond the CPUs (waits need none) */
    BENCH_SHAPE_LATENCY, /* 1 sleeper, then 1 .. max CPU-bound threads beside it */
    BENCH_SHAPE_GC,      /* the collector alone, then beside one mutator */
    BENCH_SHAPE_SINGLE,  /* 1 thread only (more are refused), automatic
                          * collection off: the cost of one basic operation
                          * (workload_op_*.c) */
    BENCH_SHAPE_PROGRAM, /* 1 harness thread running a whole program that
                          * starts threads of its own and reports its own
                          * timings as metrics; thread-safe variants only
                          * (refused elsewhere, where its threads would race) */
} bench_shape;

/* A workload's registration: one file defines it with BENCH_WORKLOAD and
 * nothing else names it (bench/workloads.c finds them all). The fields
 * after `param` tell bench/compare.py how to run and read it, so that
 * compare.py names no workload (--list prints them). */
typedef struct bench_workload {
    const char *name;
    const char *summary; /* one line, for --list and the report */
    int64_t default_ops; /* per thread, for about 0.3 s on one thread */
    double param;        /* copied into bench_run.param */
    int rank;            /* place in the report, smallest first */
    bench_shape shape;
    int64_t min_ops;     /* per thread whatever compare's --scale (0: 1) */
    bool shares_objects; /* its threads count or change the same objects (a
                          * wrong result is then a count race) */
    bool not_in_cost;    /* out of the 1-thread cost geomean: it waits, or is
                          * a form of another row with a column of its own,
                          * or a single-thread operation (a table of its own) */
    /* What the report asks of it, "" for nothing: a claim it serves
     * ("control", "seeds", "immortal", "native", "interp", "convoy",
     * "private_counting") or a goal column ("private", "read",
     * "read_borrowed", "attr"); several are separated by spaces. */
    const char *roles;
    /* CPython 3.13's cost of the same operation through its C API, in ns,
     * and its free-threaded build's: figures quoted for comparison, never
     * measured here (bench/README.md says where they come from); NULL where
     * there is none. The report puts them beside the measured cost. */
    const char *cpython_ns, *cpython_ft_ns;
    /* Main thread, attached, before the threads start (untimed). May fail. */
    void (*setup)(bench_run *run);
    /* Each worker thread, attached. */
    void (*thread)(bench_thread *t);
    /* Main thread, attached, after every thread has finished: check the
     * shared result, release the shared state. */
    void (*finish)(bench_run *run);
} bench_workload;

/* Defines and registers workload `id`, to be followed by its initialiser:
 *     BENCH_WORKLOAD(wl_alloc) = {.name = "alloc", ...};
 * The registration is a pointer in the section bench_workloads, whose
 * bounds the linker provides (__start_/__stop_, GNU ld and lld), so a new
 * workload is one new file and no list to edit. `retain` keeps the section
 * from --gc-sections (opt builds link with it; lld would drop it). The
 * files must be linked as objects (bench/BUILD: srcs of the binary), not
 * from an archive, where nothing would pull them in. */
#define BENCH_WORKLOAD(id)                                                               \
    static const bench_workload id;                                                      \
    __attribute__((used, retain, section("bench_workloads"))) static const bench_workload \
        *const id##_registration = &id;                                                  \
    static const bench_workload id

/* ---- called by workloads --------------------------------------------------- */

/* Waits (outside the runtime, in a release region) until every thread (and
 * every process) is ready, then returns with the clock running. */
void bench_start(bench_thread *t);

/* Marks the end of this thread's measured work; waits for the others. */
void bench_stop(bench_thread *t);

/* Records that the result is wrong, with a printf-style reason. Safe from
 * any thread. The first reason is kept; later ones are only counted. */
void bench_fail(bench_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records a metric for this run (main thread, or under the workload's own
 * care); a second call with the same name replaces the value. */
void bench_metric_set(bench_run *run, const char *name, double value);

/* The monotonic clock in ns. */
uint64_t bench_now_ns(void);

/* Sleeps for ns nanoseconds (the calling thread must not be touching
 * objects: call it inside a release region). */
void bench_sleep_ns(uint64_t ns);

/* Aborts the process with a message naming the failed runtime call (for
 * failures that leave nothing sensible to measure, such as out of memory). */
__attribute__((noreturn)) void bench_die(const char *what);

/* ---- called by bench/workloads.c ------------------------------------------- */

typedef struct bench_options {
    const bench_workload *workload;
    int threads;
    int processes;
    int64_t ops;
    int reps;
    int warmup; /* 0 or 1: one untimed round at a tenth of ops first (all
                 * of them for BENCH_SHAPE_SINGLE) */
} bench_options;

/* Runs the measurement(s) and prints their RESULT lines; returns the exit
 * status for main (0 when it ran, whatever the results were). */
int bench_main(const bench_options *opt);

#endif /* RC_BENCH_HARNESS_H */
