/*
 * tests/recursion_threads_test.c -- the C recursion limit on other threads.
 *
 * Workloads:
 *   - a thread created with a 1 MB stack (an eighth of the default; 2 MB
 *     under TSan, whose frames are bigger) takes
 *     the repr, hash and equality of structures 100,000 deep (lists,
 *     tuples, dicts: the deepest stack per level) at the default limit:
 *     each fails with RC_ERECURSION, none overflows the stack
 *     (runtime/recursion.h has the bytes per level);
 *   - the depth is counted per thread: with one thread holding levels, a
 *     second starts from zero and can reach the whole limit. The two meet
 *     at barriers, in release regions, so the order is fixed.
 */
#include "tests/support.h"

#include <pthread.h>
#include <string.h>

_Static_assert(RC_THREAD_SAFE, "threaded tests are built only for thread-safe strategies");

#define DEEP 100000
/* ThreadSanitizer's instrumentation makes frames bigger: at the default
 * limit a 1 MB stack overflows under it (1.25 MB was enough, measured). */
#if defined(RC_TSAN)
#define SMALL_STACK (2 * 1024 * 1024)
#else
#define SMALL_STACK (1024 * 1024)
#endif

/* Runs fn(arg) on a new thread with a stack of `stack` bytes, the calling
 * thread in a release region meanwhile. */
static void run_on_thread(size_t stack, void *(*fn)(void *), void *arg) {
    pthread_attr_t attr;
    pthread_t thread;
    assert_int_equal(pthread_attr_init(&attr), 0);
    assert_int_equal(pthread_attr_setstacksize(&attr, stack), 0);
    RC_BEGIN_ALLOW_THREADS
    assert_int_equal(pthread_create(&thread, &attr, fn, arg), 0);
    pthread_join(thread, NULL);
    RC_END_ALLOW_THREADS
    pthread_attr_destroy(&attr);
}

/* ---- a small stack ------------------------------------------------------ */

typedef struct deep_job {
    int failures; /* checks that did not give RC_ERECURSION */
    int depth_after;
    int64_t live_before, live_after;
} deep_job;

static rc_object *wrap(int kind, rc_object *x) {
    rc_object *w;
    if (kind == 0) {
        w = rc_list_new();
        rc_list_append_steal(w, x);
    } else if (kind == 1) {
        w = rc_tuple_new(1);
        rc_tuple_set_steal(w, 0, x);
    } else {
        rc_object *k = rc_str_from_cstr("k");
        w = rc_dict_new();
        rc_dict_set(w, k, x);
        rc_decref(k);
        rc_decref(x);
    }
    return w;
}

static rc_object *nested(int kind) {
    rc_object *x = rc_int_from_i64(1);
    for (int i = 0; i < DEEP; i++)
        x = wrap(kind, x);
    return x;
}

static void *deep_worker(void *arg) {
    deep_job *job = arg;
    if (rc_thread_attach() != RC_OK) {
        job->failures = -1;
        return NULL;
    }
    job->live_before = rc_live_objects();
    for (int kind = 0; kind < 3; kind++) {
        rc_object *a = nested(kind), *b = nested(kind);
        uint64_t h;
        rc_object *r = rc_object_repr(a);
        job->failures += r != NULL || rc_error_code() != RC_ERECURSION;
        rc_xdecref(r);
        job->failures += rc_object_equal(a, b) != RC_ERECURSION;
        if (kind == 1)
            job->failures += rc_object_hash(a, &h) != RC_ERECURSION;
        rc_decref(a);
        rc_decref(b);
    }
    job->depth_after = rc_recursion_depth();
    job->live_after = rc_live_objects();
    rc_thread_detach();
    return NULL;
}

static void test_small_stack_thread(void **state) {
    (void)state;
    assert_int_equal(rc_recursion_limit(), RC_RECURSION_LIMIT_DEFAULT);
    deep_job job = {0};
    run_on_thread(SMALL_STACK, deep_worker, &job);
    assert_int_equal(job.failures, 0);
    assert_int_equal(job.depth_after, 0);
    assert_int_equal(job.live_after, job.live_before);
}

/* ---- one depth per thread ----------------------------------------------- */

#define HELD 10

typedef struct per_thread {
    pthread_barrier_t held, checked;
    int other_start_depth, other_reached, holder_depth_after;
} per_thread;

/* Holds HELD levels while the other thread looks. No object is touched,
 * so it needs no attachment. */
static void *holder(void *arg) {
    per_thread *p = arg;
    for (int i = 0; i < HELD; i++)
        rc_recursion_enter("");
    pthread_barrier_wait(&p->held);
    pthread_barrier_wait(&p->checked);
    p->holder_depth_after = rc_recursion_depth();
    for (int i = 0; i < HELD; i++)
        rc_recursion_leave();
    return NULL;
}

static void *climber(void *arg) {
    per_thread *p = arg;
    pthread_barrier_wait(&p->held);
    p->other_start_depth = rc_recursion_depth();
    while (rc_recursion_enter("") == RC_OK)
        p->other_reached++;
    for (int i = 0; i < p->other_reached; i++)
        rc_recursion_leave();
    pthread_barrier_wait(&p->checked);
    return NULL;
}

static void test_depth_is_per_thread(void **state) {
    (void)state;
    per_thread p = {0};
    pthread_barrier_init(&p.held, NULL, 2);
    pthread_barrier_init(&p.checked, NULL, 2);
    pthread_t a, b;
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&a, NULL, holder, &p);
    pthread_create(&b, NULL, climber, &p);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    RC_END_ALLOW_THREADS
    pthread_barrier_destroy(&p.held);
    pthread_barrier_destroy(&p.checked);
    assert_int_equal(p.other_start_depth, 0);
    assert_int_equal(p.other_reached, rc_recursion_limit());
    assert_int_equal(p.holder_depth_after, HELD);
    assert_int_equal(rc_recursion_depth(), 0); /* this thread's own */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_stack_thread),
        cmocka_unit_test(test_depth_is_per_thread),
    };
    return RCT_RUN_GROUP(tests);
}
