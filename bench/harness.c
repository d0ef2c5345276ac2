/*
 * bench/harness.c -- threads behind a barrier, the clock, repetitions, and
 * the RESULT lines (see harness.h for the workload's side of the contract).
 *
 * One measurement. The main thread (attached since rc_runtime_start) runs
 * the workload's setup, creates the worker threads and then enters a
 * release region, so that under a global lock the workers can attach and
 * prepare. Each worker, in bench_start, enters its own release region and
 * waits at two barriers: "ready" (everyone prepared) and "go". The main
 * thread reads the clock between the two, and again after the "done"
 * barrier that bench_stop waits at. So the time covers exactly the measured
 * work of the slowest thread, including any time the threads spent waiting
 * for each other's locks, and none of their preparation or cleanup.
 *
 * Processes (--processes P): the parent forks P children and never starts a
 * runtime itself. Each child starts its own runtime and runs the threaded
 * measurement above; between its "ready" and "go" barriers the child's main
 * thread writes a byte to a shared ready pipe and reads one from a shared go
 * pipe. The parent reads the clock when all P are ready and it writes the P
 * go bytes, and again when it has read P bytes from the done pipe. A child
 * that crashes closes its pipe ends, so the parent never waits forever: it
 * sees end-of-file and reports the signal.
 *
 * Correctness: the workload's own checks (bench_fail), plus the live-object
 * count, which must be the same after the run as before it (a leak, or an
 * object freed twice, shows there).
 */
#include "bench/harness.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The pipes of a measurement that spans processes; -1 when it does not. */
typedef struct proc_sync {
    int ready_w, go_r, done_w;
} proc_sync;

typedef struct run_sync {
    pthread_barrier_t ready, go, done;
    pthread_mutex_t fail_lock;
    const proc_sync *procs;
} run_sync;

/* ---- time and small helpers ------------------------------------------------ */

uint64_t bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bench_sleep_ns(uint64_t ns) {
    struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void bench_die(const char *what) {
    fprintf(stderr, "workloads: %s failed: %s (%s)\n", what, rc_status_name(rc_error_code()),
            rc_error_message());
    exit(3);
}

/* Reads or writes exactly n bytes; false on end-of-file or error. */
static bool io_full(int fd, void *buf, size_t n, bool writing) {
    char *p = buf;
    while (n > 0) {
        ssize_t k = writing ? write(fd, p, n) : read(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        p += k;
        n -= (size_t)k;
    }
    return true;
}

/* ---- failures and metrics -------------------------------------------------- */

void bench_fail(bench_run *run, const char *fmt, ...) {
    run_sync *s = run->sync;
    pthread_mutex_lock(&s->fail_lock);
    if (!run->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(run->detail, sizeof run->detail, fmt, ap);
        va_end(ap);
    }
    run->failed = true;
    run->failures++;
    pthread_mutex_unlock(&s->fail_lock);
}

void bench_metric_set(bench_run *run, const char *name, double value) {
    run_sync *s = run->sync;
    pthread_mutex_lock(&s->fail_lock);
    int i = 0;
    while (i < run->nmetrics && strcmp(run->metrics[i].name, name) != 0)
        i++;
    if (i < BENCH_MAX_METRICS) {
        run->metrics[i] = (bench_metric){name, value};
        if (i == run->nmetrics)
            run->nmetrics++;
    }
    pthread_mutex_unlock(&s->fail_lock);
}

/* ---- the barrier ----------------------------------------------------------- */

void bench_start(bench_thread *t) {
    run_sync *s = t->run->sync;
    /* In a release region: under a global lock, a thread waiting here must
     * not hold it, or the others could never reach the barrier. */
    rc_allow_threads_begin();
    pthread_barrier_wait(&s->ready);
    pthread_barrier_wait(&s->go);
    rc_allow_threads_end();
}

void bench_stop(bench_thread *t) {
    run_sync *s = t->run->sync;
    rc_allow_threads_begin();
    pthread_barrier_wait(&s->done);
    rc_allow_threads_end();
}

/* The main thread's side, between the workers' barriers (in a release
 * region). With processes, "go" waits for the parent. */
static void main_side(bench_run *run) {
    run_sync *s = run->sync;
    pthread_barrier_wait(&s->ready);
    char byte = 1;
    if (s->procs && (!io_full(s->procs->ready_w, &byte, 1, true) ||
                     !io_full(s->procs->go_r, &byte, 1, false)))
        _exit(4); /* the parent is gone: nothing left to measure for */
    run->start_ns = bench_now_ns();
    pthread_barrier_wait(&s->go);
    pthread_barrier_wait(&s->done);
    run->stop_ns = bench_now_ns();
    if (s->procs && !io_full(s->procs->done_w, &byte, 1, true))
        _exit(4);
}

/* ---- one threaded measurement ---------------------------------------------- */

static void *worker_main(void *arg) {
    bench_thread *t = arg;
    if (rc_thread_attach() != RC_OK)
        bench_die("rc_thread_attach");
    t->run->workload->thread(t);
    if (rc_thread_detach() != RC_OK)
        bench_die("rc_thread_detach");
    return NULL;
}

static void sync_init(run_sync *s, int threads, const proc_sync *procs) {
    unsigned n = (unsigned)threads + 1; /* the workers and the main thread */
    pthread_barrier_init(&s->ready, NULL, n);
    pthread_barrier_init(&s->go, NULL, n);
    pthread_barrier_init(&s->done, NULL, n);
    pthread_mutex_init(&s->fail_lock, NULL);
    s->procs = procs;
}

static void sync_destroy(run_sync *s) {
    pthread_barrier_destroy(&s->ready);
    pthread_barrier_destroy(&s->go);
    pthread_barrier_destroy(&s->done);
    pthread_mutex_destroy(&s->fail_lock);
}

static void run_threads(bench_run *run) {
    int n = run->threads;
    pthread_t *tids = calloc((size_t)n, sizeof *tids);
    bench_thread *ts = calloc((size_t)n, sizeof *ts);
    if (!tids || !ts)
        bench_die("calloc");
    for (int i = 0; i < n; i++) {
        ts[i] = (bench_thread){.run = run, .index = i, .ops = run->ops};
        if (pthread_create(&tids[i], NULL, worker_main, &ts[i]) != 0)
            bench_die("pthread_create");
    }
    RC_BEGIN_ALLOW_THREADS
    main_side(run);
    for (int i = 0; i < n; i++)
        pthread_join(tids[i], NULL);
    RC_END_ALLOW_THREADS
    free(tids);
    free(ts);
}

/* Setup, the threads, finish. */
static void run_workload(bench_run *run) {
    /* A single-thread operation is timed alone: no collection that one of
     * its allocations triggers (the collector's rows collect explicitly). */
    bool single = run->workload->shape == BENCH_SHAPE_SINGLE;
    if (single)
        rc_gc_disable();
    if (run->workload->setup)
        run->workload->setup(run);
    run_threads(run);
    if (run->workload->finish)
        run->workload->finish(run);
    if (single)
        rc_gc_enable();
}

/* One run of the workload, and the leak check. */
static void run_once(bench_run *run, const proc_sync *procs) {
    run_sync s;
    sync_init(&s, run->threads, procs);
    run->sync = &s;
    run->total_ops = run->ops * run->threads;
    int64_t live_before = rc_live_objects();
    run_workload(run);
    int64_t leaked = rc_live_objects() - live_before;
    if (leaked != 0)
        bench_fail(run, "%lld object(s) %s after the run", (long long)(leaked < 0 ? -leaked : leaked),
                   leaked > 0 ? "leaked" : "freed more than once (live count below start)");
    run->sync = NULL;
    sync_destroy(&s);
}

/* ---- output ------------------------------------------------------------------ */

static void print_json_string(const char *s) {
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void print_result(const bench_run *run, int processes, const rc_runtime_stats *st) {
    printf("RESULT {\"variant\":\"%s\",\"workload\":", RC_STRATEGY_NAME);
    print_json_string(run->workload->name);
    printf(",\"threads\":%d,\"processes\":%d,\"rep\":%d,\"warmup\":%s,\"ops\":%lld,"
           "\"seconds\":%.9f,\"correct\":%s,\"failures\":%d,\"detail\":",
           run->threads, processes, run->rep, run->warmup ? "true" : "false",
           (long long)run->total_ops, (double)(run->stop_ns - run->start_ns) / 1e9,
           run->failed ? "false" : "true", run->failures);
    print_json_string(run->detail);
    printf(",\"metrics\":{");
    for (int i = 0; i < run->nmetrics; i++) {
        printf("%s", i ? "," : "");
        print_json_string(run->metrics[i].name);
        printf(":%.6g", run->metrics[i].value);
    }
    printf("},\"stats\":{\"switches\":%llu,\"forced_drops\":%llu,\"wait_ns\":%llu,"
           "\"lock_waits\":%llu,\"shared_ops\":%llu,\"bias_ends\":%llu,"
           "\"per_thread_starts\":%llu,\"retired_peak_bytes\":%llu,\"retire_waits\":%llu}}\n",
           (unsigned long long)st->switches, (unsigned long long)st->forced_drops,
           (unsigned long long)st->wait_ns, (unsigned long long)st->lock_waits,
           (unsigned long long)st->shared_ops, (unsigned long long)st->bias_ends,
           (unsigned long long)st->per_thread_starts, (unsigned long long)st->retired_peak_bytes,
           (unsigned long long)st->retire_waits);
    fflush(stdout);
}

static bench_run make_run(const bench_options *opt, int rep, bool warmup) {
    bench_run run = {.workload = opt->workload, .threads = opt->threads, .ops = opt->ops,
                     .rep = rep, .warmup = warmup, .param = opt->workload->param};
    /* A tenth of the work, or all of it for a single-thread operation:
     * its timed run then finds the memory it needs already touched, as a
     * long-running program would (a first touch of a page costs more than
     * many such operations). */
    if (warmup && opt->workload->shape != BENCH_SHAPE_SINGLE)
        run.ops = opt->ops / 10 > 0 ? opt->ops / 10 : 1;
    return run;
}

static void stats_delta(rc_runtime_stats *d, const rc_runtime_stats *a,
                        const rc_runtime_stats *b) {
    d->switches = b->switches - a->switches;
    d->forced_drops = b->forced_drops - a->forced_drops;
    d->drop_requests = b->drop_requests - a->drop_requests;
    d->wait_ns = b->wait_ns - a->wait_ns;
    d->lock_waits = b->lock_waits - a->lock_waits;
    d->shared_ops = b->shared_ops - a->shared_ops;
    d->bias_ends = b->bias_ends - a->bias_ends;
    d->per_thread_starts = b->per_thread_starts - a->per_thread_starts;
    d->retire_waits = b->retire_waits - a->retire_waits;
    /* A level, not a counter: the most one thread held since the runtime
     * started in this process (warm-up and earlier runs included). */
    d->retired_peak_bytes = b->retired_peak_bytes;
}

/* A measurement in this process, with its RESULT line. */
static void measure_here(const bench_options *opt, int rep, bool warmup) {
    bench_run run = make_run(opt, rep, warmup);
    rc_runtime_stats a, b, d;
    rc_runtime_get_stats(&a);
    run_once(&run, NULL);
    rc_runtime_get_stats(&b);
    stats_delta(&d, &a, &b);
    print_result(&run, 1, &d);
}

/* Stops the runtime and prints the END line that tells the driver the
 * process got to the end (a leak found at stop is reported there). */
static int finish_process(void) {
    int64_t live = rc_live_objects();
    rc_status st = rc_runtime_stop();
    printf("END {\"leaked\":%lld,\"stop\":\"%s\"}\n", (long long)(live > 0 ? live : 0),
           rc_status_name(st));
    fflush(stdout);
    return 0;
}

/* ---- processes ----------------------------------------------------------------- */

/* What a child sends back to the parent after its measurement. */
typedef struct child_report {
    int failed;
    int failures;
    int64_t ops;
    char detail[BENCH_DETAIL_LEN];
} child_report;

static void child_main(const bench_options *opt, int rep, const proc_sync *ps, int result_w) {
    if (rc_runtime_start() != RC_OK)
        _exit(5);
    if (opt->warmup) {
        bench_run w = make_run(opt, rep, true);
        run_once(&w, NULL);
    }
    bench_run run = make_run(opt, rep, false);
    run_once(&run, ps);
    child_report r = {.failed = run.failed, .failures = run.failures, .ops = run.total_ops};
    memcpy(r.detail, run.detail, sizeof r.detail);
    int64_t live = rc_live_objects();
    if (rc_runtime_stop() != RC_OK && !r.failed) {
        r.failed = 1;
        snprintf(r.detail, sizeof r.detail, "%lld object(s) alive at runtime stop",
                 (long long)live);
    }
    io_full(result_w, &r, sizeof r, true);
    _exit(0);
}

/* Describes how child k ended, or returns false when it exited 0. */
static bool child_status(int status, int k, char *out, size_t n) {
    if (WIFSIGNALED(status)) {
        snprintf(out, n, "process %d killed by signal %d (%s)", k, WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
        return true;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        snprintf(out, n, "process %d exited with status %d", k, WEXITSTATUS(status));
        return true;
    }
    return false;
}

static void parent_sync(bench_run *run, int procs, int ready_r, int go_w, int done_r) {
    char bytes[256] = {0};
    bool ok = io_full(ready_r, bytes, (size_t)procs, false);
    run->start_ns = bench_now_ns();
    ok = ok && io_full(go_w, bytes, (size_t)procs, true);
    ok = ok && io_full(done_r, bytes, (size_t)procs, false);
    run->stop_ns = bench_now_ns();
    if (!ok)
        snprintf(run->detail, sizeof run->detail, "a process ended before the measurement did");
    run->failed = !ok;
}

/* Copies a reason into a detail field, cut to fit. */
static void copy_detail(char *dst, const char *src) {
    size_t n = strlen(src);
    if (n >= BENCH_DETAIL_LEN)
        n = BENCH_DETAIL_LEN - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void parent_collect(bench_run *run, int procs, const pid_t *pids, const int *result_r) {
    run->total_ops = 0;
    for (int k = 0; k < procs; k++) {
        int status = 0;
        child_report r = {0};
        bool got = io_full(result_r[k], &r, sizeof r, false);
        waitpid(pids[k], &status, 0);
        char why[BENCH_DETAIL_LEN + 32]; /* room for the prefix */
        bool bad = child_status(status, k, why, sizeof why);
        if (!bad && !got)
            snprintf(why, sizeof why, "process %d sent no result", k), bad = true;
        if (!bad && r.failed)
            snprintf(why, sizeof why, "process %d: %s", k, r.detail), bad = true;
        if (bad) {
            if (!run->failed)
                copy_detail(run->detail, why);
            run->failed = true;
            run->failures++;
        }
        run->total_ops += r.ops;
        close(result_r[k]);
    }
}

static void measure_processes(const bench_options *opt, int rep) {
    int procs = opt->processes, ready[2], go[2], done[2];
    pid_t pids[256];
    int result_r[256];
    if (pipe(ready) || pipe(go) || pipe(done))
        bench_die("pipe");
    fflush(stdout);
    for (int k = 0; k < procs; k++) {
        int res[2];
        if (pipe(res))
            bench_die("pipe");
        pids[k] = fork();
        if (pids[k] < 0)
            bench_die("fork");
        if (pids[k] == 0) {
            close(ready[0]), close(go[1]), close(done[0]), close(res[0]);
            proc_sync ps = {ready[1], go[0], done[1]};
            child_main(opt, rep, &ps, res[1]);
        }
        close(res[1]);
        result_r[k] = res[0];
    }
    /* Only the children hold these ends now: end-of-file means they died. */
    close(ready[1]), close(go[0]), close(done[1]);
    bench_run run = make_run(opt, rep, false);
    parent_sync(&run, procs, ready[0], go[1], done[0]);
    close(ready[0]), close(go[1]), close(done[0]);
    parent_collect(&run, procs, pids, result_r);
    rc_runtime_stats none = {0};
    print_result(&run, procs, &none);
}

/* ---- main -------------------------------------------------------------------- */

int bench_main(const bench_options *opt) {
    if (opt->processes > 1) {
        /* No runtime in the parent: each child starts its own after fork. */
        for (int r = 0; r < opt->reps; r++)
            measure_processes(opt, r);
        printf("END {\"leaked\":0,\"stop\":\"RC_OK\"}\n");
        return 0;
    }
    if (rc_runtime_start() != RC_OK)
        bench_die("rc_runtime_start");
    if (opt->warmup)
        measure_here(opt, -1, true);
    for (int r = 0; r < opt->reps; r++)
        measure_here(opt, r, false);
    return finish_process();
}
