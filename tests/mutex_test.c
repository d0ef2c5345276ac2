/*
 * tests/mutex_test.c -- the one-byte mutex (locking/lock/mutex.h), on its
 * own: it does not depend on a strategy, so it is built once.
 *
 * Workloads: 4 threads x 200,000 increments of a plain counter under one
 * mutex (exact total, and ThreadSanitizer sees no race); 20 rounds in which
 * a waiter sleeps on a mutex a hog holds, and the hog's unlock more than
 * 1 ms later hands the mutex over (each round, by construction: no
 * assertion depends on scheduling); the blocking hooks run around every
 * sleep; misuse aborts. Nothing is timed.
 */
#include <pthread.h>
#include <sched.h>
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

/* The contract (locking/lock/mutex.c): an unlock hands the mutex straight to
 * the first sleeping waiter if that waiter went to sleep more than 1 ms ago,
 * so a thread that keeps re-taking the mutex cannot starve it. The test
 * makes every step of that happen on every run, whatever the scheduling:
 * in each round the hog takes the mutex, the main thread then asks for it
 * and goes to sleep (seen through the blocking hook, which runs after the
 * waiter is queued), and the hog unlocks only once 2 ms have passed since
 * that hook ran. The waiter then has slept more than 1 ms at the unlock (a
 * descheduled hog only makes it longer), so the unlock must hand over. The
 * clock is read only to wait at least that long, never to bound a wait. */

#define HANDOFF_ROUNDS 20
#define HANDOFF_MARGIN_NS 2000000ull /* more than the mutex's 1 ms */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static rcs_mutex busy_lock = RCS_MUTEX_INIT;
static pthread_t waiter_thread;            /* whose sleeps the hooks record */
static _Atomic int hooks_begun, hooks_ended;
static _Atomic int waiter_sleeps;          /* times the waiter went to sleep */
static _Atomic uint64_t waiter_slept_at;   /* when it last did */
static _Atomic int hog_holds;              /* the round the hog holds the mutex for */
static _Atomic int waiter_got;             /* rounds in which the waiter got it */

static void hook_begin(void) {
    atomic_fetch_add(&hooks_begun, 1);
    if (pthread_equal(pthread_self(), waiter_thread)) {
        /* seq_cst: the time is stored before the count that publishes it. */
        atomic_store(&waiter_slept_at, now_ns());
        atomic_fetch_add(&waiter_sleeps, 1);
    }
}
static void hook_end(void) {
    atomic_fetch_add(&hooks_ended, 1);
}

static void *hog(void *arg) {
    (void)arg;
    for (int round = 1; round <= HANDOFF_ROUNDS; round++) {
        int sleeps = atomic_load(&waiter_sleeps);
        rcs_mutex_lock(&busy_lock);
        atomic_store(&hog_holds, round);
        while (atomic_load(&waiter_sleeps) == sleeps) /* until the waiter sleeps */
            sched_yield();
        while (now_ns() - atomic_load(&waiter_slept_at) <= HANDOFF_MARGIN_NS)
            sched_yield();
        rcs_mutex_unlock(&busy_lock);
        /* Next round only once the waiter has had this one. */
        while (atomic_load(&waiter_got) < round)
            sched_yield();
    }
    return NULL;
}

static void test_waiters_are_not_starved(void **state) {
    (void)state;
    rcs_block_hooks hooks = {hook_begin, hook_end};
    waiter_thread = pthread_self();
    rcs_mutex_set_block_hooks(&hooks);
    uint64_t waits_before = rcs_mutex_waits();
    uint64_t handoffs_before = rcs_mutex_handoffs();
    pthread_t thread;
    pthread_create(&thread, NULL, hog, NULL);
    for (int round = 1; round <= HANDOFF_ROUNDS; round++) {
        while (atomic_load(&hog_holds) < round) /* ask only while the hog holds it */
            sched_yield();
        rcs_mutex_lock(&busy_lock);
        rcs_mutex_unlock(&busy_lock);
        atomic_store(&waiter_got, round);
    }
    pthread_join(thread, NULL);
    rcs_mutex_set_block_hooks(NULL);
    /* Every round: the waiter slept, and the hog's unlock handed it over. */
    assert_true(atomic_load(&waiter_sleeps) >= HANDOFF_ROUNDS);
    assert_true(rcs_mutex_waits() - waits_before >= HANDOFF_ROUNDS);
    assert_true(rcs_mutex_handoffs() - handoffs_before >= HANDOFF_ROUNDS);
    assert_int_equal(atomic_load(&hooks_begun), atomic_load(&hooks_ended));
    assert_false(rcs_mutex_is_locked(&busy_lock));
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
