/*
 * tests/lockfree_read_test.c -- readers of a list and a dict beside a writer
 * that resizes, shifts, deletes and replaces, on every thread-safe strategy.
 *
 * Under //:nogil (RCS_LOCKFREE_READS) the reads take no lock (objects/list.c
 * and objects/dict.c give the protocol). What could go wrong there, and what
 * each test looks for:
 *   - a reader returns an object that is no longer in the container and
 *     whose memory now holds another object (a stale slot, or a stale array
 *     or table, meeting a reused address): the writer keeps allocating and
 *     freeing "noise" ints, whose values no container ever holds, so such a
 *     read returns a value outside the expected range;
 *   - a reader touches freed memory (an old array or table, a freed item):
 *     AddressSanitizer in the asan pass; ThreadSanitizer checks that every
 *     racing access is atomic;
 *   - a torn or uninitialised slot: a crash, or a value out of range.
 * Under the locking strategies the same reads lock, and the same checks hold.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "tests/support.h"

#define VALUES 300          /* list items and dict keys are in [BASE, BASE + VALUES) */
#define BASE 1000000
#define DICT_OFFSET 5000000 /* the value stored under key k is k + DICT_OFFSET */
#define NOISE (-7000000)    /* noise ints: never in a container */
#define ROUNDS 150 /* even */
#define LIST_ROUNDS 1500
#define READERS 2

typedef struct job {
    rc_object *list, *dict, *noise;
    atomic_int stop;
    atomic_long reads, found, bad;
} job;

/* A new int of value v (all values used here are past the small ints, so
 * each call allocates). */
static rc_object *new_int(int64_t v) {
    rc_object *o = rc_int_from_i64(v);
    assert_non_null(o);
    return o;
}

/* Noise ints pass through a shared list that readers also read, so that
 * other threads count them (as they count real items) before they die;
 * their memory is then what a reader with a stale address would find. */
static void make_noise(job *j, int n) {
    for (int i = 0; i < n; i++) {
        rc_object *o = new_int(NOISE - i);
        assert_status(rc_list_append_steal(j->noise, o), RC_OK);
        if (rc_list_size(j->noise) > 32)
            rc_decref(rc_list_pop(j->noise, 0));
    }
}

static void check_list_item(job *j, rc_object *o) {
    int64_t v = rct_int(o);
    if (!rc_int_check(o) || v < BASE || v >= BASE + VALUES || rc_refcount(o) < 1)
        atomic_fetch_add(&j->bad, 1);
}

static void *reader(void *arg) {
    job *j = arg;
    assert_int_equal(rc_thread_attach(), RC_OK);
    uint64_t seed = (uint64_t)(uintptr_t)&seed;
    long reads = 0, found = 0;
    /* At least one pass, even if the writer is done before this thread
     * first runs (a busy machine): the count of reads checked below must
     * not depend on scheduling. */
    do {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        int64_t i = (int64_t)((seed >> 33) % VALUES);
        rc_object *o = rc_list_get(j->list, i);
        if (o) {
            check_list_item(j, o);
            rc_decref(o);
            found++;
        }
        rc_object *n = rc_list_get(j->noise, (int64_t)(seed >> 40) % 32);
        if (n) {
            if (!rc_int_check(n) || rct_int(n) > NOISE)
                atomic_fetch_add(&j->bad, 1);
            rc_decref(n);
        }
        rc_error_clear(); /* an index past the end is an ordinary miss here */
        rc_object *k = new_int(BASE + i);
        rc_object *v = rc_dict_get(j->dict, k);
        if (v) {
            if (!rc_int_check(v) || rct_int(v) != BASE + i + DICT_OFFSET)
                atomic_fetch_add(&j->bad, 1);
            rc_decref(v);
            found++;
        }
        int c = rc_dict_contains(j->dict, k);
        if (c != 0 && c != 1)
            atomic_fetch_add(&j->bad, 1);
        rc_error_clear();
        rc_decref(k);
        reads += 3;
        if (reads % 64 == 0)
            rc_checkpoint();
    } while (!atomic_load_explicit(&j->stop, memory_order_relaxed));
    atomic_fetch_add(&j->reads, reads);
    atomic_fetch_add(&j->found, found);
    rc_thread_detach();
    return NULL;
}

static void start_readers(job *j, pthread_t *t) {
    for (int i = 0; i < READERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, reader, j), 0);
}

static void stop_readers(job *j, pthread_t *t) {
    atomic_store(&j->stop, 1);
    RC_BEGIN_ALLOW_THREADS
    for (int i = 0; i < READERS; i++)
        pthread_join(t[i], NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(atomic_load(&j->bad), 0);
    assert_true(atomic_load(&j->reads) > 0);
}

/* The list grows from empty to VALUES items (several new arrays), is
 * shifted by inserts and pops in the middle, has slots replaced, and is
 * emptied again, every round. */
static void test_list_reads_beside_shifts_and_resizes(void **state) {
    (void)state;
    job j = {.list = rc_list_new(), .dict = rc_dict_new(), .noise = rc_list_new()};
    assert_non_null(j.list);
    pthread_t t[READERS];
    start_readers(&j, t);
    for (int r = 0; r < LIST_ROUNDS; r++) {
        for (int i = 0; i < VALUES; i++) {
            rc_object *v = new_int(BASE + i);
            /* Alternate: append, or insert at the front (a shift right). */
            assert_status(i % 2 ? rc_list_append(j.list, v) : rc_list_insert(j.list, 0, v),
                          RC_OK);
            rc_decref(v);
        }
        for (int i = 0; i < VALUES; i += 7) { /* replace: the old item dies */
            rc_object *v = new_int(BASE + i);
            assert_status(rc_list_set(j.list, i, v), RC_OK);
            rc_decref(v);
        }
        make_noise(&j, 64);
        while (rc_list_size(j.list) > 0) { /* pops from the middle: shifts left */
            rc_object *o = rc_list_pop(j.list, rc_list_size(j.list) / 2);
            assert_non_null(o);
            check_list_item(&j, o);
            rc_decref(o);
            make_noise(&j, 1);
        }
        rc_checkpoint();
    }
    stop_readers(&j, t);
    assert_int_equal(rc_list_size(j.list), 0);
    rc_decref(j.list);
    rc_decref(j.dict);
    rc_decref(j.noise);
}

/* The dict gains VALUES keys (several rebuilt tables), has values replaced
 * (the old ones die) and keys deleted and added back (dummies, then a
 * compacting rebuild), and every other round it is emptied. */
static void test_dict_reads_beside_rebuilds(void **state) {
    (void)state;
    job j = {.list = rc_list_new(), .dict = rc_dict_new(), .noise = rc_list_new()};
    assert_non_null(j.dict);
    pthread_t t[READERS];
    start_readers(&j, t);
    for (int r = 0; r < ROUNDS; r++) {
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < VALUES; i++) {
                rc_object *k = new_int(BASE + i), *v = new_int(BASE + i + DICT_OFFSET);
                assert_status(rc_dict_set(j.dict, k, v), RC_OK); /* pass 1: a replace */
                rc_decref(k);
                rc_decref(v);
            }
            make_noise(&j, 64);
        }
        for (int i = 0; i < VALUES; i += 3) {
            rc_object *k = new_int(BASE + i);
            assert_status(rc_dict_delete(j.dict, k), RC_OK);
            rc_decref(k);
            make_noise(&j, 1);
        }
        if (r % 2 == 0) { /* emptied key by key */
            for (int i = 0; i < VALUES; i++) {
                if (i % 3 == 0)
                    continue;
                rc_object *k = new_int(BASE + i);
                assert_status(rc_dict_delete(j.dict, k), RC_OK);
                rc_decref(k);
            }
        }
        rc_checkpoint();
    }
    stop_readers(&j, t);
    /* The last round (odd: ROUNDS is even) kept the keys not divisible by 3. */
    assert_int_equal(rc_dict_size(j.dict), VALUES - (VALUES + 2) / 3);
    rc_decref(j.list);
    rc_decref(j.dict);
    rc_decref(j.noise);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_reads_beside_shifts_and_resizes),
        cmocka_unit_test(test_dict_reads_beside_rebuilds),
    };
    return RCT_RUN_GROUP(tests);
}
