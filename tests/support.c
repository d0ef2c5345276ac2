/*
 * tests/support.c -- see support.h.
 */
#include "tests/support.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int rct_group_setup(void **state) {
    (void)state;
    if (rc_runtime_start() != RC_OK) {
        fprintf(stderr, "rc_runtime_start: %s\n", rc_error_message());
        return -1;
    }
    return 0;
}

int rct_group_teardown(void **state) {
    (void)state;
    int64_t live = rc_live_objects();
    rc_status st = rc_runtime_stop();
    if (live != 0 || st != RC_OK) {
        fprintf(stderr, "group teardown: %lld live object(s); rc_runtime_stop: %s (%s)\n",
                (long long)live, rc_status_name(st), rc_error_message());
        return -1;
    }
    return 0;
}

int64_t rct_int(rc_object *o) {
    int64_t v = 0;
    assert_int_equal(rc_int_as_i64(o, &v), RC_OK);
    return v;
}

rc_object *rct_big_int(int64_t i) {
    rc_object *o = rc_int_from_i64(1000000 + i);
    assert_non_null(o);
    return o;
}

void rct_assert_out_of_memory(rc_status st) {
    const char *msg = rc_error_message();
    if (st != RC_ENOMEM || rc_error_code() != RC_ENOMEM || !strstr(msg, "memory"))
        fail_msg("expected RC_ENOMEM with a message about memory, got %s, error slot %s: "
                 "\"%s\"", rc_status_name(st), rc_status_name(rc_error_code()), msg);
}

/* ---- parallel mode ------------------------------------------------------------ */

static _Thread_local bool in_parallel_body;

bool rct_parallel_body(void) {
    return in_parallel_body;
}

static void refuse_in_parallel(const char *what) {
    if (in_parallel_body)
        fail_msg("%s touches process-global state: list this test with RCT_SERIAL", what);
}

/* One test body to run in `threads` threads at once. */
typedef struct parallel_job {
    CMUnitTestFunction body;
    int threads;
    pthread_barrier_t start; /* the bodies start together, for more overlap */
} parallel_job;

static void *parallel_thread(void *arg) {
    parallel_job *job = arg;
    if (rc_thread_attach() != RC_OK) {
        fprintf(stderr, "parallel mode: rc_thread_attach: %s\n", rc_error_message());
        abort();
    }
    in_parallel_body = true;
    RC_BEGIN_ALLOW_THREADS
    pthread_barrier_wait(&job->start);
    RC_END_ALLOW_THREADS
    void *state = NULL;
    job->body(&state);
    in_parallel_body = false;
    rc_thread_detach();
    return NULL;
}

/* cmocka's test function in parallel mode: *state is the job. */
static void parallel_body(void **state) {
    parallel_job *job = *state;
    pthread_t threads[64];
    pthread_barrier_init(&job->start, NULL, (unsigned)job->threads);
    /* The main thread only waits: offline, so that under a global lock the
     * bodies can run, and under the others a collection need not wait. */
    RC_BEGIN_ALLOW_THREADS
    for (int t = 0; t < job->threads; t++)
        if (pthread_create(&threads[t], NULL, parallel_thread, job) != 0)
            abort();
    for (int t = 0; t < job->threads; t++)
        pthread_join(threads[t], NULL);
    RC_END_ALLOW_THREADS
    pthread_barrier_destroy(&job->start);
}

static const rct_serial_mark *serial_mark(const struct CMUnitTest *t) {
    const rct_serial_mark *m = t->initial_state;
    return m && m->magic == RCT_SERIAL_MAGIC ? m : NULL;
}

int rct_run_group(const char *name, const struct CMUnitTest *tests, size_t n) {
    const char *env = getenv("RCT_PARALLEL_THREADS");
    int threads = env ? atoi(env) : 0;
    if (threads <= 1)
        return _cmocka_run_group_tests(name, tests, n, rct_group_setup, rct_group_teardown);
    if (!RC_THREAD_SAFE || threads > 64) {
        fprintf(stderr, "RCT_PARALLEL_THREADS=%d: needs a thread-safe strategy (this is %s) "
                        "and at most 64 threads\n", threads, RC_STRATEGY_NAME);
        return 1;
    }
    /* A failed assertion on another thread cannot jump back into cmocka's
     * runner on the main thread: it aborts the process instead. */
    setenv("CMOCKA_TEST_ABORT", "1", 1);
    struct CMUnitTest *run = calloc(n, sizeof *run);
    parallel_job *jobs = calloc(n, sizeof *jobs);
    if (!run || !jobs)
        abort();
    printf("parallel mode: each test body in %d threads at once\n", threads);
    size_t n_run = 0;
    for (size_t i = 0; i < n; i++) {
        const rct_serial_mark *m = serial_mark(&tests[i]);
        if (m) { /* the same file's serial target runs it */
            printf("  not in parallel mode: %s (%s)\n", tests[i].name, m->reason);
            continue;
        }
        jobs[n_run] = (parallel_job){.body = tests[i].test_func, .threads = threads};
        run[n_run] = tests[i];
        run[n_run].test_func = parallel_body;
        run[n_run].initial_state = &jobs[n_run];
        n_run++;
    }
    int failed = _cmocka_run_group_tests(name, run, n_run, rct_group_setup, rct_group_teardown);
    free(run);
    free(jobs);
    return failed;
}

/* ---- allocation failures, child processes ---------------------------------------- */

int rct_sweep_alloc_failures(rc_status (*op)(void *arg), void *arg) {
    refuse_in_parallel("rct_sweep_alloc_failures");
    for (int64_t n = 1; n < 1000000; n++) {
        int64_t before = rc_live_objects();
        rc_error_clear();
        rc_testing_fail_alloc_after(n);
        rc_status st = op(arg);
        int64_t left = rc_testing_alloc_countdown();
        rc_testing_fail_alloc_after(0);
        if (rc_live_objects() != before)
            fail_msg("allocation %lld failing left %lld live object(s) behind (was %lld)",
                     (long long)n, (long long)rc_live_objects(), (long long)before);
        if (st != RC_OK) {
            rct_assert_out_of_memory(st);
            /* The runtime still works: the same operation, with no failure
             * injected, succeeds. (What it leaves is checked by the next
             * round's count, the group teardown and ASan: an operation may
             * change the live count on success, rc_immortalize does.) */
            rc_status again = op(arg);
            if (again != RC_OK)
                fail_msg("after allocation %lld failed, the operation fails on its own: "
                         "%s \"%s\"", (long long)n, rc_status_name(again), rc_error_message());
        }
        if (left > 0) { /* the n-th allocation never came: op ran to the end */
            assert_int_equal(st, RC_OK);
            return (int)(n - 1);
        }
    }
    fail_msg("allocation-failure sweep did not finish");
    return -1;
}

int rct_run_in_child(void (*fn)(void), char *out, size_t out_size) {
    refuse_in_parallel("rct_run_in_child");
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        fn();
        fflush(NULL);
        _exit(0); /* no atexit handlers: the child may leak on purpose */
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t got;
    char discard[256];
    for (;;) { /* drain the pipe to the end, keeping what fits */
        bool full = n == out_size - 1;
        got = full ? read(fds[0], discard, sizeof discard)
                   : read(fds[0], out + n, out_size - 1 - n);
        if (got <= 0)
            break;
        if (!full)
            n += (size_t)got;
    }
    out[n] = '\0';
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

void rct_wait_flag(atomic_int *flag) {
    RC_BEGIN_ALLOW_THREADS
    while (!atomic_load(flag))
        sched_yield();
    RC_END_ALLOW_THREADS
}
