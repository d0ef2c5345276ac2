/*
 * tests/protocol_threads_test.c -- one client container (tests/protocol_vec.h)
 * shared by two threads: each walks it with rc_iter many times while the
 * other rewrites its items through rc_object_setitem with equal values, and
 * reads it through rc_object_length and rc_object_getitem. Every walk must
 * give exactly N items, item k being rct_big_int(k) (the vec holds that
 * value at k however the writes interleave), and nothing may leak. No
 * assertion depends on timing.
 */
#include "tests/protocol_vec.h"

#include <pthread.h>

#define N 64
#define WALKS 200
#define THREADS 2

typedef struct worker {
    rc_object *v; /* borrowed: the main thread keeps it */
    int failures;
} worker;

/* One walk: N items, item k equal to k. */
static bool walk_ok(rc_object *v) {
    rc_iter it;
    rc_object *item;
    int r = -1;
    int64_t k = 0;
    bool ok = rc_iter_begin(&it, v) == RC_OK;
    while (ok && (r = rc_iter_next(&it, &item)) == 1) {
        ok = rct_int(item) == 1000000 + k++; /* rct_big_int(k) */
        rc_decref(item);
    }
    rc_iter_end(&it);
    return ok && r == 0 && k == N;
}

static void *work(void *arg) {
    worker *w = arg;
    if (rc_thread_attach() != RC_OK) {
        w->failures++;
        return NULL;
    }
    for (int walk = 0; walk < WALKS; walk++) {
        if (!walk_ok(w->v))
            w->failures++;
        /* Replace one item with a new int of the same value. */
        int64_t k = walk % N, n = 0;
        rc_object *key = rc_int_from_i64(k), *x = rct_big_int(k), *got = NULL;
        if (!key || !x || rc_object_setitem(w->v, key, x) != RC_OK ||
            rc_object_length(w->v, &n) != RC_OK || n != N ||
            !(got = rc_object_getitem(w->v, key)) || rct_int(got) != 1000000 + k)
            w->failures++;
        rc_xdecref(got), rc_xdecref(key), rc_xdecref(x);
        rc_checkpoint();
    }
    if (rc_thread_detach() != RC_OK)
        w->failures++;
    return NULL;
}

static void test_shared_client_container(void **state) {
    (void)state;
    rc_object *v = vec_new(N);
    for (int64_t k = 0; k < N; k++) {
        rc_object *key = rc_int_from_i64(k), *x = rct_big_int(k);
        assert_status(rc_object_setitem(v, key, x), RC_OK);
        rc_decref(key), rc_decref(x);
    }
    worker w[THREADS];
    pthread_t threads[THREADS];
    int created = 0;
    for (int t = 0; t < THREADS; t++)
        w[t] = (worker){.v = v};
    RC_BEGIN_ALLOW_THREADS
    for (; created < THREADS; created++)
        if (pthread_create(&threads[created], NULL, work, &w[created]) != 0)
            break;
    for (int t = 0; t < created; t++)
        pthread_join(threads[t], NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(created, THREADS);
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(w[t].failures, 0);
    assert_true(walk_ok(v));
    assert_live_objects_of(&vec_iter_type, 0);
    rc_decref(v);
    assert_live_objects_of(&vec_type, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_client_container),
    };
    return RCT_RUN_GROUP(tests);
}
