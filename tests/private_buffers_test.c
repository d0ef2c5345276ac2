/*
 * tests/private_buffers_test.c -- a list or dict that only its own thread
 * uses frees the item arrays and tables it outgrows at once, and waits for
 * no other thread; one that another thread reads or writes hands them to
 * deferred freeing (rcs_retire), and its readers stay safe (issue 16).
 *
 * Under //:nogil a replaced buffer may still be read by another thread
 * without the lock, so it is freed after a grace period that every
 * attached thread must pass; a thread in a long loop without a checkpoint
 * holds that up, and the growing thread then waits at the bound
 * (RCS_RETIRE_BOUND_BYTES). A container no other thread has read is exempt
 * (objects/object_internal.h, "the shared mark"). What each test checks,
 * through rc_runtime_get_stats (a level, retired_peak_bytes, restarts with
 * the runtime, so each test is a group of its own, with a runtime of its
 * own):
 *   - private: the main thread makes a list and a dict and grows them
 *     (GROW items each, so they are replaced many times) while a second
 *     attached thread spins with no checkpoint until told to stop: no
 *     retire wait, nothing held for deferred freeing, every item reads
 *     back;
 *   - read by another thread: a reader reads both (which marks them
 *     shared), then reads continuously, checking every value, while the
 *     owner grows them: where frees are deferred, the owner held retired
 *     bytes (it deferred);
 *   - written by another thread: a thread appends to the main thread's
 *     list and sets keys in its dict while the main thread (the owner,
 *     whose reads mark nothing) reads them continuously: every read value
 *     checked, and, where frees are deferred, the writer deferred.
 * Use after free of an old buffer is AddressSanitizer's to see (asan
 * pass); ThreadSanitizer checks the ordering of the mark (tsan pass).
 * Nothing is timed: threads meet through atomic flags, and under a global
 * lock (RC_PARALLEL 0) the spinning thread calls the checkpoint, without
 * which the main thread could never run.
 */
#include "tests/support.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

_Static_assert(RC_THREAD_SAFE, "threaded tests are built only for thread-safe strategies");

#define GROW 20000       /* items appended and keys set: the list's array is replaced ~20 times */
#define BASE 1000000     /* list item i and dict key i are BASE + i (past the small ints) */
#define OFFSET 5000000   /* the value under key k is k + OFFSET */

static rc_runtime_stats stats_now(void) {
    rc_runtime_stats s;
    rc_runtime_get_stats(&s);
    return s;
}

/* A new int of value v (allocated: every v used here is past the small
 * ints). */
static rc_object *new_int(int64_t v) {
    rc_object *o = rc_int_from_i64(v);
    assert_non_null(o);
    return o;
}

/* Appends BASE + i to list and sets key BASE + i to BASE + i + OFFSET in
 * dict (the dict first: a reader that finds index i in the list finds the
 * key too). Checkpoints every `every` items (0: never). */
static void grow(rc_object *list, rc_object *dict, int from, int to, int every) {
    for (int i = from; i < to; i++) {
        rc_object *k = new_int(BASE + i), *v = new_int(BASE + i + OFFSET);
        assert_status(rc_dict_set(dict, k, v), RC_OK);
        assert_status(rc_list_append(list, k), RC_OK);
        rc_decref(k);
        rc_decref(v);
        if (every && i % every == 0)
            rc_checkpoint();
    }
}

/* Reads item i of list and its key in dict; false if either is wrong.
 * pre: list has more than i items (so dict has the key). */
static bool read_back(rc_object *list, rc_object *dict, int64_t i) {
    rc_object *item = rc_list_get(list, i);
    if (!item)
        return false;
    bool ok = rc_int_check(item) && rct_int(item) == BASE + i;
    rc_object *v = ok ? rc_dict_get(dict, item) : NULL;
    ok = ok && v && rc_int_check(v) && rct_int(v) == BASE + i + OFFSET;
    rc_xdecref(v);
    rc_decref(item);
    return ok;
}

/* ---- private: nobody else reads, so nothing is deferred -------------------- */

typedef struct spin_job {
    atomic_int ready, stop;
} spin_job;

/* Attached and online, in a loop with no checkpoint: a thread in a long C
 * loop. Under a global lock it must checkpoint, or nobody else could run
 * (and there is nothing deferred to hold up there). */
static void *spinner(void *arg) {
    spin_job *j = arg;
    assert_int_equal(rc_thread_attach(), RC_OK);
    atomic_store(&j->ready, 1);
    while (!atomic_load(&j->stop))
        if (!RC_PARALLEL)
            rc_checkpoint();
    rc_thread_detach();
    return NULL;
}

static void test_private_containers_never_wait(void **state) {
    (void)state;
    spin_job j = {0};
    pthread_t t;
    /* No collection may stop the world: the spinner would never pause. */
    rc_gc_disable();
    RC_BEGIN_ALLOW_THREADS
    assert_int_equal(pthread_create(&t, NULL, spinner, &j), 0);
    while (!atomic_load(&j.ready))
        sched_yield();
    RC_END_ALLOW_THREADS
    rc_object *list = rc_list_new(), *dict = rc_dict_new();
    assert_non_null(list);
    assert_non_null(dict);
    rc_runtime_stats before = stats_now();
    grow(list, dict, 0, GROW, 0);
    /* The owner's own reads (without the lock where the strategy allows
     * it) mark nothing, so later growth stays private too. Counted, not
     * asserted, until the spinner has stopped. */
    long bad = 0;
    for (int64_t i = 0; i < GROW; i += 97)
        bad += !read_back(list, dict, i);
    grow(list, dict, GROW, 2 * GROW, 0);
    rc_runtime_stats after = stats_now(); /* the spinner still spins */
    atomic_store(&j.stop, 1);
    RC_BEGIN_ALLOW_THREADS
    pthread_join(t, NULL);
    RC_END_ALLOW_THREADS
    rc_gc_enable();

    assert_int_equal(bad, 0);
    assert_int_equal(after.retire_waits, before.retire_waits);
    /* Every old array and table was freed at once: none is held, and the
     * most any thread held did not move. */
    assert_true(after.retired_bytes <= before.retired_bytes);
    assert_int_equal(after.retired_peak_bytes, before.retired_peak_bytes);
    assert_int_equal(rc_list_size(list), 2 * GROW);
    assert_int_equal(rc_dict_size(dict), 2 * GROW);
    for (int64_t i = 0; i < 2 * GROW; i++)
        assert_true(read_back(list, dict, i));
    rc_decref(list);
    rc_decref(dict);
}

/* ---- shared: another thread reads or writes, so old buffers are deferred ---- */

typedef struct share_job {
    rc_object *list, *dict;
    atomic_int marked, done, stop;
    atomic_long reads, bad;
} share_job;

/* Reads random items below the list's size, checking each, until stop (at
 * least one pass); checkpoints now and then, as an interpreter does. */
static void read_until(share_job *j, atomic_int *stop) {
    uint64_t seed = (uint64_t)(uintptr_t)&seed;
    long reads = 0, bad = 0;
    do {
        int64_t n = rc_list_size(j->list);
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        if (n > 0)
            bad += !read_back(j->list, j->dict, (int64_t)((seed >> 33) % (uint64_t)n));
        if (++reads % 64 == 0)
            rc_checkpoint();
    } while (!atomic_load(stop));
    atomic_fetch_add(&j->reads, reads);
    atomic_fetch_add(&j->bad, bad);
}

static void *reader(void *arg) {
    share_job *j = arg;
    assert_int_equal(rc_thread_attach(), RC_OK);
    /* The first reads by a thread that is not the owner mark both shared. */
    if (!read_back(j->list, j->dict, 0))
        atomic_fetch_add(&j->bad, 1);
    atomic_store(&j->marked, 1);
    read_until(j, &j->stop);
    rc_thread_detach();
    return NULL;
}

static void share_job_init(share_job *j) {
    *j = (share_job){.list = rc_list_new(), .dict = rc_dict_new()};
    assert_non_null(j->list);
    assert_non_null(j->dict);
}

/* Joins t (the other thread), then checks: every read was right, and the
 * old buffers were deferred where the strategy defers
 * (RCS_RETIRE_BOUND_BYTES > 0): some thread held retired bytes past what
 * it held at `before`. Elsewhere nothing is ever held. */
static void share_job_end(share_job *j, pthread_t t, const rc_runtime_stats *before) {
    RC_BEGIN_ALLOW_THREADS
    pthread_join(t, NULL);
    RC_END_ALLOW_THREADS
    rc_runtime_stats after = stats_now();
    if (RCS_RETIRE_BOUND_BYTES > 0)
        assert_true(after.retired_peak_bytes > before->retired_peak_bytes);
    else
        assert_int_equal(after.retired_peak_bytes, 0);
    assert_int_equal(atomic_load(&j->bad), 0);
    assert_true(atomic_load(&j->reads) > 0);
    assert_int_equal(rc_list_size(j->list), GROW);
    assert_int_equal(rc_dict_size(j->dict), GROW);
    rc_decref(j->list);
    rc_decref(j->dict);
}

static void test_read_by_another_thread_defers(void **state) {
    (void)state;
    share_job j;
    share_job_init(&j);
    grow(j.list, j.dict, 0, 1, 0);
    pthread_t t;
    RC_BEGIN_ALLOW_THREADS
    assert_int_equal(pthread_create(&t, NULL, reader, &j), 0);
    while (!atomic_load(&j.marked))
        sched_yield();
    RC_END_ALLOW_THREADS
    rc_runtime_stats before = stats_now();
    /* Checkpoints: a reader that falls back to the lock waits for one
     * (the owner's bias on the lock, locking/lock/object_locks.h). */
    grow(j.list, j.dict, 1, GROW, 256);
    atomic_store(&j.stop, 1);
    share_job_end(&j, t, &before);
}

static void *writer(void *arg) {
    share_job *j = arg;
    assert_int_equal(rc_thread_attach(), RC_OK);
    grow(j->list, j->dict, 0, GROW, 256);
    atomic_store(&j->done, 1);
    rc_thread_detach();
    return NULL;
}

static void test_written_by_another_thread_defers(void **state) {
    (void)state;
    share_job j;
    share_job_init(&j);
    rc_runtime_stats before = stats_now();
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, writer, &j), 0);
    /* The owner's reads, beside a writer that is not the owner: it must
     * defer what it replaces, as these reads mark nothing. */
    read_until(&j, &j.done);
    share_job_end(&j, t, &before);
}

int main(void) {
    /* One group each: retired_peak_bytes restarts with the runtime. They
     * read runtime-wide statistics, so parallel mode leaves them out. */
    const struct CMUnitTest private_tests[] = {
        RCT_SERIAL(test_private_containers_never_wait, "reads runtime-wide statistics"),
    };
    const struct CMUnitTest read_tests[] = {
        RCT_SERIAL(test_read_by_another_thread_defers, "reads runtime-wide statistics"),
    };
    const struct CMUnitTest write_tests[] = {
        RCT_SERIAL(test_written_by_another_thread_defers, "reads runtime-wide statistics"),
    };
    int failed = RCT_RUN_GROUP(private_tests);
    failed += RCT_RUN_GROUP(read_tests);
    failed += RCT_RUN_GROUP(write_tests);
    return failed;
}
