/*
 * tests/mutex_test.c -- the one-byte mutex (locking/lock/mutex.h), on its
 * own: it does not depend on a strategy, so it is built once.
 *
 * Workloads: 4 threads x 200,000 increments of a plain counter under one
 * mutex (exact total, and ThreadSanitizer sees no race); a holder that
 * keeps re-taking the mutex while another thread takes it 20 times (each
 * within a bounded time, thanks to the hand-off); the blocking hooks run
 * around every sleep; misuse aborts. Only waits are timed, never speed.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "locking/lock/mutex.h"

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- mutual exclusion ------------------------------------------------------------ */

#define THREADS 4
#define INCREMENTS 200000

static rcs_mutex counter_lock = RCS_MUTEX_INIT;
static int64_t counter; /* plain: only the mutex protects it */

static void *increment(void *arg) {
    (void)arg;
    for (int i = 0; i < INCREMENTS; i++) {
        rcs_mutex_lock(&counter_lock);
        counter++;
        rcs_mutex_unlock(&counter_lock);
    }
    return NULL;
}

static void test_mutual_exclusion(void **state) {
    (void)state;
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++)
        pthread_create(&threads[t], NULL, increment, NULL);
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    assert_int_equal(counter, THREADS * INCREMENTS);
    assert_false(rcs_mutex_is_locked(&counter_lock));
}

static void test_trylock(void **state) {
    (void)state;
    rcs_mutex m = RCS_MUTEX_INIT;
    assert_true(rcs_mutex_trylock(&m));
    assert_true(rcs_mutex_is_locked(&m));
    assert_false(rcs_mutex_trylock(&m));
    rcs_mutex_unlock(&m);
    assert_false(rcs_mutex_is_locked(&m));
    assert_int_equal(sizeof(rcs_mutex), 1);
}

/* ---- hand-off: a waiter is not starved ------------------------------------------------ */

static rcs_mutex busy_lock = RCS_MUTEX_INIT;
static _Atomic int hog_running;
static _Atomic int hooks_begun, hooks_ended;

static void hook_begin(void) {
    atomic_fetch_add(&hooks_begun, 1);
}
static void hook_end(void) {
    atomic_fetch_add(&hooks_ended, 1);
}

static _Atomic int hog_stop;

/* Holds the mutex almost all the time, dropping it only for an instant
 * between long critical sections, until told to stop (or 10 s pass). */
static void *hog(void *arg) {
    (void)arg;
    uint64_t end = now_ns() + 10000000000ull;
    atomic_store(&hog_running, 1);
    while (!atomic_load(&hog_stop) && now_ns() < end) {
        rcs_mutex_lock(&busy_lock);
        uint64_t busy_until = now_ns() + 200000; /* 0.2 ms inside */
        while (now_ns() < busy_until)
            ;
        rcs_mutex_unlock(&busy_lock);
    }
    atomic_store(&hog_running, 0);
    return NULL;
}

static void test_waiters_are_not_starved(void **state) {
    (void)state;
    rcs_block_hooks hooks = {hook_begin, hook_end};
    rcs_mutex_set_block_hooks(&hooks);
    uint64_t waits_before = rcs_mutex_waits();
    pthread_t thread;
    pthread_create(&thread, NULL, hog, NULL);
    while (!atomic_load(&hog_running))
        sched_yield();
    uint64_t longest = 0;
    int acquired = 0;
    for (; acquired < 20 && atomic_load(&hog_running); acquired++) {
        uint64_t t0 = now_ns();
        rcs_mutex_lock(&busy_lock);
        uint64_t waited = now_ns() - t0;
        rcs_mutex_unlock(&busy_lock);
        if (waited > longest)
            longest = waited;
        usleep(1000);
    }
    atomic_store(&hog_stop, 1);
    pthread_join(thread, NULL);
    rcs_mutex_set_block_hooks(NULL);
    assert_int_equal(acquired, 20); /* all while the hog was still at it */
    /* With hand-off after 1 ms of sleep, a waiter gets the mutex at the
     * hog's next unlock after that: a few ms. 2 s leaves room for a slow,
     * shared machine; without hand-off a waiter could lose every race for
     * the hog's whole run (10 s). */
    if (longest > 2000000000ull)
        fail_msg("a waiter waited %.1f ms", (double)longest / 1e6);
    assert_true(rcs_mutex_waits() > waits_before); /* it really slept */
    assert_int_equal(atomic_load(&hooks_begun), atomic_load(&hooks_ended));
    assert_true(atomic_load(&hooks_begun) > 0);
}

/* ---- misuse ----------------------------------------------------------------------- */

static void test_unlocking_an_unlocked_mutex_aborts(void **state) {
    (void)state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", 1);
        dup2(devnull, 2);
        rcs_mutex m = RCS_MUTEX_INIT;
        rcs_mutex_unlock(&m);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutual_exclusion),
        cmocka_unit_test(test_trylock),
        cmocka_unit_test(test_waiters_are_not_starved),
        cmocka_unit_test(test_unlocking_an_unlocked_mutex_aborts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
