/*
 * tests/threads_test.c -- threads on a thread-safe strategy.
 *
 * Workloads:
 *   - 4 threads x 100,000 appends of one shared object to one shared list:
 *     exactly 400,000 items, and the object's count back to 1 at the end;
 *   - two CPU-bound threads that call the checkpoint each see the other
 *     make progress between two of their own steps 10 times (where the
 *     strategy has a global lock, only forced switching makes this end);
 *   - a thread blocked inside the release region does not hold up others.
 * Nothing here is timed, and no assertion depends on scheduling: threads
 * meet through condition variables and counters, never sleeps or deadlines.
 * The stop-the-world check spins 30 ms to give the paused threads a chance
 * to (wrongly) move; a thread that is not scheduled then only makes the
 * check weaker, never false.
 */
#include "tests/support.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

_Static_assert(RC_THREAD_SAFE, "threaded tests are built only for thread-safe strategies");

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- shared appends ---------------------------------------------------------- */

#define APPEND_THREADS 4
#define APPENDS_PER_THREAD 100000

typedef struct append_job {
    rc_object *list; /* borrowed from the main thread, which outlives us */
    rc_object *item;
    int failures;
} append_job;

static void *append_worker(void *arg) {
    append_job *job = arg;
    if (rc_thread_attach() != RC_OK) {
        job->failures = -1;
        return NULL;
    }
    for (int i = 0; i < APPENDS_PER_THREAD; i++) {
        if (rc_list_append(job->list, job->item) != RC_OK)
            job->failures++;
        rc_checkpoint();
    }
    rc_thread_detach();
    return NULL;
}

static void test_shared_list_appends(void **state) {
    (void)state;
    rc_object *list = rc_list_new();
    rc_object *item = rct_big_int(7);
    pthread_t threads[APPEND_THREADS];
    append_job jobs[APPEND_THREADS];

    RC_BEGIN_ALLOW_THREADS
    for (int t = 0; t < APPEND_THREADS; t++) {
        jobs[t] = (append_job){.list = list, .item = item};
        pthread_create(&threads[t], NULL, append_worker, &jobs[t]);
    }
    for (int t = 0; t < APPEND_THREADS; t++)
        pthread_join(threads[t], NULL);
    RC_END_ALLOW_THREADS

    for (int t = 0; t < APPEND_THREADS; t++)
        assert_int_equal(jobs[t].failures, 0);
    assert_int_equal(rc_list_size(list), APPEND_THREADS * APPENDS_PER_THREAD);
    assert_int_equal(rc_refcount(item), 1 + APPEND_THREADS * APPENDS_PER_THREAD);
    rc_decref(list);
    assert_int_equal(rc_refcount(item), 1);
    rc_decref(item);
    assert_int_equal(rc_live_objects(), 0);
}

/* ---- CPU-bound threads take turns ---------------------------------------------- */

/* Two CPU-bound threads that never block, only call the checkpoint. Each
 * counts its steps, and counts a "turn of the other" each time the other's
 * step count moved between two of its own steps. Both go on until both
 * have seen TURNS turns of the other. Under a global lock the other can only
 * step while this one is inside its checkpoint, having dropped the lock, and
 * it drops only because a waiter asked (forced switching). So the loop ends
 * under every correct strategy however the machine schedules the threads,
 * and without forced switching it never ends (the test then fails by
 * timing out): nothing here depends on how long anything takes. */
#define TURNS 10

typedef struct spin_job {
    _Atomic uint64_t steps;      /* this thread's steps, read by the other */
    _Atomic int turns_seen;      /* turns of the other it saw, read by the other */
    struct spin_job *other;
    int failures;
} spin_job;

static void *spin_worker(void *arg) {
    spin_job *job = arg;
    if (rc_thread_attach() != RC_OK) {
        job->failures++;
        return NULL;
    }
    for (int64_t i = 0; atomic_load(&job->turns_seen) < TURNS ||
                        atomic_load(&job->other->turns_seen) < TURNS;
         i++) {
        uint64_t other_before = atomic_load(&job->other->steps);
        /* A step of object work: allocate, compute, free. */
        rc_object *a = rc_int_from_i64(1000 + i);
        rc_object *b = a ? rc_int_add(a, a) : NULL;
        if (!b)
            job->failures++;
        rc_xdecref(a);
        rc_xdecref(b);
        atomic_fetch_add(&job->steps, 1);
        rc_checkpoint();
        if (atomic_load(&job->other->steps) != other_before)
            atomic_fetch_add(&job->turns_seen, 1);
    }
    rc_thread_detach();
    return NULL;
}

static void test_cpu_bound_threads_take_turns(void **state) {
    (void)state;
    const double interval = 0.005;
    rc_set_switch_interval(interval);
    assert_true(rc_switch_interval() > 0.0049 && rc_switch_interval() < 0.0051);
    rc_runtime_stats before, after;
    rc_runtime_get_stats(&before);

    spin_job jobs[2] = {{.failures = 0}, {.failures = 0}};
    jobs[0].other = &jobs[1];
    jobs[1].other = &jobs[0];
    pthread_t threads[2];
    RC_BEGIN_ALLOW_THREADS
    for (int t = 0; t < 2; t++)
        pthread_create(&threads[t], NULL, spin_worker, &jobs[t]);
    for (int t = 0; t < 2; t++)
        pthread_join(threads[t], NULL);
    RC_END_ALLOW_THREADS
    rc_runtime_get_stats(&after);

    for (int t = 0; t < 2; t++) {
        assert_int_equal(jobs[t].failures, 0);
        assert_true(atomic_load(&jobs[t].turns_seen) >= TURNS);
        assert_true(atomic_load(&jobs[t].steps) >= TURNS);
    }
    if (!RC_PARALLEL) {
        /* Each turn a thread saw was the lock going to the other and coming
         * back (two switches), and the other got it only because this one
         * dropped it at a checkpoint on request (a forced drop): neither
         * thread ever blocks or leaves its loop before both saw TURNS. */
        assert_true(after.switches - before.switches >= 2 * TURNS);
        assert_true(after.forced_drops - before.forced_drops >= TURNS);
        assert_true(after.wait_ns > before.wait_ns);
    }
    rc_set_switch_interval(0.005);
    assert_int_equal(rc_live_objects(), 0);
}

/* ---- the release region ---------------------------------------------------------- */

typedef struct blocker {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    bool in_region; /* the blocker is inside its release region */
    bool release;   /* the main thread is done: the blocker may leave */
    rc_object *kept; /* an object the blocker holds across its region */
} blocker;

static void *blocking_worker(void *arg) {
    blocker *b = arg;
    if (rc_thread_attach() != RC_OK)
        return NULL;
    b->kept = rct_big_int(99);
    RC_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&b->mutex);
    b->in_region = true;
    pthread_cond_broadcast(&b->cond);
    /* No time limit: if the release region held others up, the main thread
     * would never reach its release below, and the test would time out. */
    while (!b->release)
        pthread_cond_wait(&b->cond, &b->mutex);
    pthread_mutex_unlock(&b->mutex);
    RC_END_ALLOW_THREADS
    rc_decref(b->kept);
    rc_thread_detach();
    return NULL;
}

static void test_release_region_does_not_block_others(void **state) {
    (void)state;
    blocker b = {.mutex = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    pthread_t thread;
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&thread, NULL, blocking_worker, &b);
    pthread_mutex_lock(&b.mutex);
    while (!b.in_region)
        pthread_cond_wait(&b.cond, &b.mutex);
    pthread_mutex_unlock(&b.mutex);
    RC_END_ALLOW_THREADS

    /* The blocker is parked inside its region; this thread must be able to
     * run object code meanwhile (under a global lock: the blocker let go). */
    rc_object *list = rc_list_new();
    for (int i = 0; i < 10000; i++)
        assert_int_equal(rc_list_append_steal(list, rct_big_int(i)), RC_OK);
    assert_int_equal(rc_list_size(list), 10000);
    rc_decref(list);

    pthread_mutex_lock(&b.mutex);
    assert_true(b.in_region);
    b.release = true;
    pthread_cond_broadcast(&b.cond);
    pthread_mutex_unlock(&b.mutex);
    RC_BEGIN_ALLOW_THREADS
    pthread_join(thread, NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(rc_live_objects(), 0);
}

/* ---- client critical sections ------------------------------------------------------ */

typedef struct account {
    rc_object base;
    int64_t balance; /* changed only inside the account's critical section */
} account;

static rc_type account_type = {.name = "account", .basicsize = sizeof(account)};

typedef struct transfer_job {
    account *a, *b;
    int direction;
} transfer_job;

#define TRANSFERS 50000

/* Moves one unit at a time between two accounts, locking both (in the
 * order the caller names them: RC_CRITICAL_BEGIN2 makes any order safe),
 * and bumps a's balance alone now and then. */
static void *transfer_worker(void *arg) {
    transfer_job *job = arg;
    if (rc_thread_attach() != RC_OK)
        return NULL;
    account *from = job->direction ? job->a : job->b;
    account *to = job->direction ? job->b : job->a;
    for (int i = 0; i < TRANSFERS; i++) {
        RC_CRITICAL_BEGIN2(&from->base, &to->base)
        from->balance--;
        to->balance++;
        RC_CRITICAL_END2(&from->base, &to->base)
        RC_CRITICAL_BEGIN(&job->a->base)
        job->a->balance += 2;
        RC_CRITICAL_END(&job->a->base)
        rc_checkpoint();
    }
    rc_thread_detach();
    return NULL;
}

static void test_client_critical_sections(void **state) {
    (void)state;
    account *a = (account *)rc_object_new(&account_type);
    account *b = (account *)rc_object_new(&account_type);
    transfer_job jobs[4];
    pthread_t threads[4];
    RC_BEGIN_ALLOW_THREADS
    for (int t = 0; t < 4; t++) {
        jobs[t] = (transfer_job){a, b, t % 2};
        pthread_create(&threads[t], NULL, transfer_worker, &jobs[t]);
    }
    for (int t = 0; t < 4; t++)
        pthread_join(threads[t], NULL);
    RC_END_ALLOW_THREADS
    /* Transfers in both directions cancel out; only the bumps remain, and
     * none was lost. */
    assert_int_equal(a->balance + b->balance, 4 * TRANSFERS * 2);
    assert_int_equal(b->balance, 0);
    rc_decref(&a->base);
    rc_decref(&b->base);
}

/* ---- stop the world ---------------------------------------------------------------- */

static atomic_long ticks;        /* incremented by attached spinning threads */
static atomic_int spinners_stop;
static long ticks_during_stop = -1; /* what the finalizer saw change */

static void *spinner(void *arg) {
    (void)arg;
    if (rc_thread_attach() != RC_OK)
        return NULL;
    while (!atomic_load(&spinners_stop)) {
        atomic_fetch_add(&ticks, 1);
        rc_checkpoint(); /* where a stop pauses this thread */
    }
    rc_thread_detach();
    return NULL;
}

/* Runs inside a collection, that is with the world stopped: for 30 ms,
 * no attached thread may tick. */
static void watch_ticks(rc_object *self) {
    (void)self;
    long before = atomic_load(&ticks);
    uint64_t until = now_ns() + 30000000ull;
    while (now_ns() < until)
        ;
    ticks_during_stop = atomic_load(&ticks) - before;
}

/* A watcher holds one reference, right after its header. */
static int watcher_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    RC_VISIT(*(rc_object **)(self + 1));
    return 0;
}

static void watcher_clear(rc_object *self) {
    rc_clear_ref((rc_object **)(self + 1));
}

static rc_type watcher_type = {.name = "watcher",
                               .basicsize = sizeof(rc_object) + sizeof(rc_object *),
                               .flags = RC_TYPE_GC,
                               .traverse = watcher_traverse,
                               .clear = watcher_clear,
                               .finalize = watch_ticks};

static void test_stop_the_world_pauses_others(void **state) {
    (void)state;
    atomic_store(&spinners_stop, 0);
    pthread_t threads[2];
    RC_BEGIN_ALLOW_THREADS
    for (int t = 0; t < 2; t++)
        pthread_create(&threads[t], NULL, spinner, NULL);
    RC_END_ALLOW_THREADS
    /* Let the spinners run first. */
    long start = atomic_load(&ticks);
    while (atomic_load(&ticks) - start < 1000) {
        RC_BEGIN_ALLOW_THREADS
        sched_yield();
        RC_END_ALLOW_THREADS
    }
    rc_object *w = rc_object_new(&watcher_type);
    *(rc_object **)(w + 1) = rc_newref(w); /* a self-cycle */
    rc_decref(w);
    assert_int_equal(rc_gc_collect(), 1); /* runs watch_ticks, world stopped */
    atomic_store(&spinners_stop, 1);
    RC_BEGIN_ALLOW_THREADS
    for (int t = 0; t < 2; t++)
        pthread_join(threads[t], NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(ticks_during_stop, 0);
    assert_int_equal(rc_live_objects(), 0);
}

/* ---- stop refuses while other threads are attached ------------------------------- */

static void *attach_and_wait(void *arg) {
    blocker *b = arg;
    if (rc_thread_attach() != RC_OK)
        return NULL;
    RC_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&b->mutex);
    b->in_region = true;
    pthread_cond_broadcast(&b->cond);
    while (!b->release)
        pthread_cond_wait(&b->cond, &b->mutex);
    pthread_mutex_unlock(&b->mutex);
    RC_END_ALLOW_THREADS
    rc_thread_detach();
    return NULL;
}

static void test_stop_refused_while_threads_attached(void **state) {
    (void)state;
    blocker b = {.mutex = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    pthread_t thread;
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&thread, NULL, attach_and_wait, &b);
    pthread_mutex_lock(&b.mutex);
    while (!b.in_region)
        pthread_cond_wait(&b.cond, &b.mutex);
    pthread_mutex_unlock(&b.mutex);
    RC_END_ALLOW_THREADS

    assert_status(rc_runtime_stop(), RC_ESTATE);

    pthread_mutex_lock(&b.mutex);
    b.release = true;
    pthread_cond_broadcast(&b.cond);
    pthread_mutex_unlock(&b.mutex);
    RC_BEGIN_ALLOW_THREADS
    pthread_join(thread, NULL);
    RC_END_ALLOW_THREADS
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_list_appends),
        cmocka_unit_test(test_cpu_bound_threads_take_turns),
        cmocka_unit_test(test_release_region_does_not_block_others),
        cmocka_unit_test(test_stop_refused_while_threads_attached),
        cmocka_unit_test(test_client_critical_sections),
        cmocka_unit_test(test_stop_the_world_pauses_others),
    };
    return RCT_RUN_GROUP(tests);
}
