/*
 * tests/support.c -- see support.h.
 */
#include "tests/support.h"

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

int rct_sweep_alloc_failures(rc_status (*op)(void *arg), void *arg) {
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
