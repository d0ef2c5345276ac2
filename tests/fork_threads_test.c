/*
 * tests/fork_threads_test.c -- rc_fork in a program that has threads, on
 * the thread-safe strategies:
 *   - refused, with no process made, while another thread is attached
 *     (even one waiting in the release region), and allowed once it has
 *     detached;
 *   - objects that threads counted and shared before they ended keep
 *     exact counts in the child, which starts threads of its own on them
 *     and stops its runtime with nothing leaked.
 * Threads meet through flags and joins, never sleeps.
 */
#include "tests/support.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

_Static_assert(RC_THREAD_SAFE, "threaded tests are built only for thread-safe strategies");

#define APPENDERS 2
#define APPENDS 10000

static void assert_no_child(void) {
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

/* ---- refused while another thread is attached ------------------------------- */

typedef struct waiter {
    atomic_int attached; /* set by the waiter once attached */
    atomic_int go;       /* set by the main thread: detach now */
    rc_status status;
} waiter;

static void *waiter_main(void *arg) {
    waiter *w = arg;
    w->status = rc_thread_attach();
    atomic_store(&w->attached, 1);
    if (w->status == RC_OK) {
        rct_wait_flag(&w->go); /* in the release region: still attached */
        w->status = rc_thread_detach();
    }
    return NULL;
}

static void test_refused_while_another_thread_is_attached(void **state) {
    (void)state;
    waiter w = {0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, waiter_main, &w), 0);
    rct_wait_flag(&w.attached);
    assert_int_equal(w.status, RC_OK);

    int64_t pid = 12345;
    assert_status(rc_fork(&pid), RC_ESTATE);
    assert_non_null(strstr(rc_error_message(), "other threads are attached"));
    assert_int_equal(pid, 12345);
    assert_no_child();

    atomic_store(&w.go, 1);
    RC_BEGIN_ALLOW_THREADS
    pthread_join(th, NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(w.status, RC_OK);

    /* Alone again: the fork goes ahead. */
    fflush(NULL);
    assert_int_equal(rc_fork(&pid), RC_OK);
    if (pid == 0)
        _exit(rc_live_objects() == 0 && rc_runtime_stop() == RC_OK ? 0 : 1);
    int status = 0;
    assert_int_equal(waitpid((pid_t)pid, &status, 0), (pid_t)pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- shared objects counted by threads, before and after -------------------- */

typedef struct appender {
    rc_object *list; /* the main thread's reference, shared */
    rc_object *item; /* likewise: every append counts it */
    rc_status status;
} appender;

static void *appender_main(void *arg) {
    appender *a = arg;
    a->status = rc_thread_attach();
    if (a->status != RC_OK)
        return NULL;
    for (int i = 0; i < APPENDS && a->status == RC_OK; i++)
        a->status = rc_list_append(a->list, a->item);
    rc_status detached = rc_thread_detach();
    if (a->status == RC_OK)
        a->status = detached;
    return NULL;
}

/* Runs APPENDERS threads that each append item to list APPENDS times.
 * Returns 0, or a check number. */
static int append_in_threads(rc_object *list, rc_object *item) {
    appender a[APPENDERS];
    pthread_t th[APPENDERS];
    for (int i = 0; i < APPENDERS; i++) {
        a[i] = (appender){list, item, RC_OK};
        if (pthread_create(&th[i], NULL, appender_main, &a[i]) != 0)
            return 40;
    }
    RC_BEGIN_ALLOW_THREADS
    for (int i = 0; i < APPENDERS; i++)
        pthread_join(th[i], NULL);
    RC_END_ALLOW_THREADS
    for (int i = 0; i < APPENDERS; i++)
        if (a[i].status != RC_OK)
            return 41;
    return 0;
}

/* The child: the counts the parent's threads left are exact, its own
 * threads append as many again, and dropping everything frees everything. */
static int child_main(rc_object *list, rc_object *item) {
    int64_t before = APPENDERS * APPENDS;
    if (rc_list_size(list) != before || rc_refcount(item) != before + 1)
        return 50;
    int failed = append_in_threads(list, item);
    if (failed)
        return failed;
    if (rc_list_size(list) != 2 * before || rc_refcount(item) != 2 * before + 1)
        return 51;
    rc_decref(list);
    if (rc_refcount(item) != 1)
        return 52;
    rc_decref(item);
    if (rc_live_objects() != 0)
        return 53;
    return rc_runtime_stop() == RC_OK ? 0 : 54;
}

static void test_child_inherits_what_threads_shared(void **state) {
    (void)state;
    rc_object *list = rc_list_new();
    rc_object *item = rct_big_int(424242);
    assert_non_null(list);
    assert_int_equal(append_in_threads(list, item), 0);

    int64_t pid = -1;
    fflush(NULL);
    assert_int_equal(rc_fork(&pid), RC_OK);
    if (pid == 0)
        _exit(child_main(list, item));
    int status = 0;
    assert_int_equal(waitpid((pid_t)pid, &status, 0), (pid_t)pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    /* The parent's counts are its own. */
    assert_int_equal(rc_list_size(list), APPENDERS * APPENDS);
    assert_int_equal(rc_refcount(item), APPENDERS * APPENDS + 1);
    rc_decref(list);
    rc_decref(item);
    assert_live_objects(0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        RCT_SERIAL(test_refused_while_another_thread_is_attached, "forks the process"),
        RCT_SERIAL(test_child_inherits_what_threads_shared, "forks the process"),
    };
    return RCT_RUN_GROUP(tests);
}
