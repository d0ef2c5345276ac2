/*
 * tests/stress_test.c -- many threads on shared containers, for every
 * thread-safe strategy.
 *
 * Each thread does RC_STRESS_ROUNDS rounds of 64 operations (environment;
 * default 200, and more for a long run on demand: `bazel test
 * //tests:stress_test --test_env=RC_STRESS_ROUNDS=30000 --test_timeout=600`).
 * Work is bounded by counts, never by a clock: a thread that is descheduled
 * on a busy machine does the same work later, and every check below holds
 * however the threads interleave. Workloads:
 *   - 4 threads doing random appends, inserts, pops, sets, reads, slices
 *     and extends on one shared list, and sets, gets, deletes and lookups on
 *     one shared dict. Every item is a distinct allocated int; each thread
 *     counts what it added and removed. At the end: the list's length is
 *     exactly what was added minus what was removed, no item appears twice,
 *     and every object is freed after teardown.
 *   - the same threads incref and decref one shared object and one immortal
 *     one: both counts end where they started;
 *   - one thread collecting in a loop while the others mutate shared
 *     containers and make cycles;
 *   - readers iterating over a list and a dict that writers change: every
 *     step gives an item or a clear error, never a crash; the list never
 *     has fewer than FLOOR items, so every pass gives at least one.
 * Never timed.
 */
#include "tests/support.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

_Static_assert(RC_THREAD_SAFE, "threaded tests are built only for thread-safe strategies");

#define THREADS 4
#define DICT_KEYS 200 /* small ints: immortal keys */
#define FLOOR 8       /* items the iterated list always holds */
#define LIST_CAP 512  /* about the most items the shared list holds */

static int64_t stress_rounds(void) {
    const char *s = getenv("RC_STRESS_ROUNDS");
    long long v = s ? atoll(s) : 0;
    return v > 0 ? v : 200;
}

/* xorshift: each thread its own sequence, no shared state. */
static uint64_t next_random(uint64_t *state) {
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

typedef struct worker {
    int id;
    rc_object *list, *dict, *shared; /* borrowed from the main thread */
    int64_t rounds;
    int64_t added, removed;          /* items into and out of the list */
    int64_t operations, failures;
    bool make_cycles;
    atomic_int *done; /* bumped when this worker has finished */
} worker;

static _Atomic int64_t next_item;

/* A distinct allocated int (never a small, shared one). */
static rc_object *new_item(void) {
    return rc_int_from_i64(1000000 + atomic_fetch_add(&next_item, 1));
}

static void expect(worker *w, bool ok) {
    if (!ok)
        w->failures++;
}

/* One random list operation. Errors that a concurrent change can cause
 * (an index gone out of range) are expected; anything else is a failure. */
static void list_step(worker *w, uint64_t r) {
    rc_object *l = w->list;
    int64_t size = rc_list_size(l);
    int64_t i = size > 0 ? (int64_t)(r >> 8) % size : 0;
    unsigned op = (unsigned)(r % 8);
    /* Past LIST_CAP items a growing operation pops instead: the copies
     * (case 6) then cost at most LIST_CAP each, so the run's time grows
     * with its rounds, not with their square. */
    if (size >= LIST_CAP && (op <= 2 || op == 7))
        op = 3;
    switch (op) {
    case 0:
    case 1:
        expect(w, rc_list_append_steal(l, new_item()) == RC_OK);
        w->added++;
        break;
    case 2:
        expect(w, rc_list_insert(l, i, rc_none()) == RC_OK);
        w->added++;
        break;
    case 3: {
        rc_object *item = rc_list_pop(l, -1);
        if (item) {
            w->removed++;
            rc_decref(item);
        } else {
            expect(w, rc_error_code() == RC_EINDEX);
        }
        break;
    }
    case 4: { /* replace: one item out, one in */
        rc_object *item = new_item();
        rc_status st = rc_list_set(l, i, item);
        expect(w, st == RC_OK || st == RC_EINDEX);
        rc_decref(item);
        break;
    }
    case 5: {
        rc_object *item = rc_list_get(l, i);
        if (item) {
            expect(w, rc_int_check(item) || rc_is_none(item) || rc_list_check(item));
            rc_decref(item);
        } else {
            expect(w, rc_error_code() == RC_EINDEX);
        }
        break;
    }
    case 6: { /* copies: a slice, or an extend from the shared list */
        rc_object *copy = (r >> 20) & 1 ? rc_list_slice(l, 0, 16) : rc_list_new();
        if (copy && rc_list_size(copy) == 0)
            expect(w, rc_list_extend(copy, l) == RC_OK);
        for (int64_t k = 0; copy && k < rc_list_size(copy); k++) {
            rc_object *item = rc_list_get(copy, k);
            expect(w, item && (rc_int_check(item) || rc_is_none(item)));
            rc_xdecref(item);
        }
        expect(w, copy != NULL);
        rc_xdecref(copy);
        break;
    }
    default: {
        rc_object *t = rc_tuple_pack(2, rc_none(), rc_none());
        expect(w, t && rc_list_extend(l, t) == RC_OK);
        w->added += 2;
        rc_xdecref(t);
        break;
    }
    }
}

static void dict_step(worker *w, uint64_t r) {
    rc_object *key = rc_int_from_i64((int64_t)((r >> 8) % DICT_KEYS));
    switch (r % 4) {
    case 0: {
        rc_object *v = new_item();
        expect(w, rc_dict_set(w->dict, key, v) == RC_OK);
        rc_decref(v);
        break;
    }
    case 1: {
        rc_status st = rc_dict_delete(w->dict, key);
        expect(w, st == RC_OK || st == RC_EKEY);
        break;
    }
    case 2: {
        rc_object *v = rc_dict_get(w->dict, key);
        if (v) {
            expect(w, rc_int_check(v));
            rc_decref(v);
        } else {
            expect(w, rc_error_code() == RC_EKEY);
        }
        break;
    }
    default:
        expect(w, rc_dict_contains(w->dict, key) >= 0);
        break;
    }
}

/* Counting on one shared and one immortal object, in balanced pairs. */
static void count_step(worker *w) {
    rc_incref(w->shared);
    rc_incref(rc_none());
    rc_decref(rc_none());
    rc_decref(w->shared);
}

/* Now and then a cycle (a list holding itself) for the collector. */
static void cycle_step(worker *w) {
    rc_object *c = rc_list_new();
    expect(w, c && rc_list_append(c, c) == RC_OK);
    rc_xdecref(c);
}

static void *mutator(void *arg) {
    worker *w = arg;
    if (rc_thread_attach() != RC_OK) {
        w->failures++;
        return NULL;
    }
    uint64_t seed = 0x9e3779b97f4a7c15ull * (uint64_t)(w->id + 1);
    for (int64_t round = 0; round < w->rounds; round++) {
        for (int k = 0; k < 64; k++, w->operations++) {
            uint64_t r = next_random(&seed);
            if (r % 3 == 0)
                dict_step(w, r >> 2);
            else
                list_step(w, r >> 2);
            count_step(w);
            if (w->make_cycles && r % 16 == 0)
                cycle_step(w);
        }
        rc_checkpoint();
    }
    atomic_fetch_add(w->done, 1);
    rc_thread_detach();
    return NULL;
}

/* Runs THREADS mutators over fresh shared containers; checks them. */
static void run_mutators(bool collector_too, bool make_cycles) {
    rc_object *list = rc_list_new(), *dict = rc_dict_new(), *shared = rct_big_int(42);
    int64_t shared_count = rc_refcount(shared);
    atomic_int done = 0;
    worker workers[THREADS];
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++)
        workers[t] = (worker){.id = t, .list = list, .dict = dict, .shared = shared,
                              .rounds = stress_rounds(), .make_cycles = make_cycles,
                              .done = &done};
    RC_BEGIN_ALLOW_THREADS
    for (int t = 0; t < THREADS; t++)
        pthread_create(&threads[t], NULL, mutator, &workers[t]);
    RC_END_ALLOW_THREADS
    int64_t collections = 0;
    /* At least one collection, however early the mutators finish. */
    while (collector_too && (collections == 0 || atomic_load(&done) < THREADS)) {
        assert_true(rc_gc_collect() >= 0);
        collections++;
        rc_checkpoint();
    }
    RC_BEGIN_ALLOW_THREADS
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    RC_END_ALLOW_THREADS

    int64_t added = 0, removed = 0, operations = 0;
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(workers[t].failures, 0);
        added += workers[t].added;
        removed += workers[t].removed;
        operations += workers[t].operations;
    }
    assert_int_equal(operations, THREADS * stress_rounds() * 64);
    assert_true(!collector_too || collections > 0);
    /* No item lost or duplicated: the length is exactly added - removed, and
     * the allocated ints in the list are all different objects. */
    assert_int_equal(rc_list_size(list), added - removed);
    rc_object *seen = rc_dict_new();
    for (int64_t i = 0; i < rc_list_size(list); i++) {
        rc_object *item = rc_list_get(list, i);
        if (rc_int_check(item)) {
            assert_int_equal(rc_dict_contains(seen, item), 0);
            assert_int_equal(rc_dict_set(seen, item, rc_none()), RC_OK);
        }
        rc_decref(item);
    }
    assert_true(rc_dict_size(dict) <= DICT_KEYS);
    assert_int_equal(rc_refcount(shared), shared_count);
    assert_true(rc_refcount(rc_none()) == RC_IMMORTAL_COUNT);
    rc_decref(seen);
    rc_decref(list);
    rc_decref(dict);
    rc_decref(shared);
    rc_gc_collect();
    assert_int_equal(rc_live_objects(), 0);
}

static void test_shared_containers(void **state) {
    (void)state;
    run_mutators(false, false);
}

static void test_collection_while_mutating(void **state) {
    (void)state;
    run_mutators(true, true);
}

/* ---- iteration beside writers ----------------------------------------------------- */

typedef struct reader {
    rc_object *list, *dict;
    int64_t rounds;
    int64_t passes, items, changed_errors, failures; /* the iterating thread's */
    int64_t writer_failures;                   /* the writing thread's */
} reader;

static void *iterate(void *arg) {
    reader *r = arg;
    if (rc_thread_attach() != RC_OK) {
        r->failures++;
        return NULL;
    }
    for (int64_t round = 0; round < r->rounds; round++, r->passes++) {
        rc_object *containers[2] = {r->list, r->dict};
        for (int c = 0; c < 2; c++) {
            rc_iter it;
            rc_object *item;
            int got;
            if (rc_iter_begin(&it, containers[c]) != RC_OK) {
                r->failures++;
                continue;
            }
            while ((got = rc_iter_next(&it, &item)) == 1) {
                r->items++;
                if (!rc_int_check(item))
                    r->failures++;
                rc_decref(item);
            }
            rc_iter_end(&it);
            if (got < 0 && got == RC_ECHANGED)
                r->changed_errors++; /* the documented outcome for a dict */
            else if (got < 0)
                r->failures++;
        }
        rc_checkpoint();
    }
    rc_thread_detach();
    return NULL;
}

static void *write_containers(void *arg) {
    reader *r = arg;
    if (rc_thread_attach() != RC_OK) {
        r->writer_failures++;
        return NULL;
    }
    uint64_t seed = 12345;
    for (int64_t round = 0; round < r->rounds; round++) {
        for (int k = 0; k < 64; k++) {
            uint64_t x = next_random(&seed);
            rc_object *key = rc_int_from_i64((int64_t)(x % 50));
            if (x & 1) {
                rc_list_append_steal(r->list, new_item());
                rc_dict_set(r->dict, key, key);
            } else {
                /* This is the only thread that removes: the list keeps at
                 * least FLOOR items. */
                if (rc_list_size(r->list) > FLOOR) {
                    rc_object *item = rc_list_pop(r->list, 0);
                    rc_xdecref(item);
                }
                rc_dict_delete(r->dict, key);
            }
        }
        rc_checkpoint();
    }
    rc_thread_detach();
    return NULL;
}

static void test_iteration_beside_writers(void **state) {
    (void)state;
    reader r = {.list = rc_list_new(), .dict = rc_dict_new(), .rounds = stress_rounds()};
    for (int i = 0; i < FLOOR; i++)
        assert_int_equal(rc_list_append_steal(r.list, new_item()), RC_OK);
    pthread_t threads[2];
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&threads[0], NULL, write_containers, &r);
    pthread_create(&threads[1], NULL, iterate, &r);
    pthread_join(threads[0], NULL);
    pthread_join(threads[1], NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(r.failures, 0);
    assert_int_equal(r.writer_failures, 0);
    /* Every pass over the list gave at least its first item. */
    assert_int_equal(r.passes, r.rounds);
    assert_true(r.items >= r.passes);
    rc_decref(r.list);
    rc_decref(r.dict);
    assert_int_equal(rc_live_objects(), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_containers),
        cmocka_unit_test(test_collection_while_mutating),
        cmocka_unit_test(test_iteration_beside_writers),
    };
    return RCT_RUN_GROUP(tests);
}
