/*
 * tests/biased_test.c -- ownership and merging of counts across threads.
 *
 * Written for biased counting (//:nogil), where an object's count is split
 * between its owner thread and the others, and built for every thread-safe
 * strategy (public API only; the expectations hold everywhere, and the
 * biased-only ones are chosen by the strategy's counters, not its name).
 * Workloads (small; nothing is timed):
 *   - 1,000 objects made by the main thread, released last by a worker:
 *     each freed exactly once; where the strategy queued them to their
 *     owner (stats.queued > 0), freed by the owner's merge, on its thread;
 *   - a worker makes 1,000 objects, stores them in a list, and exits; the
 *     main thread then releases them: each freed exactly once;
 *   - two workers hand each other self-referencing objects (cycles) and drop
 *     them, while the main thread collects: every object freed once;
 *   - readers get items of a list and values of a dict while a writer makes
 *     both grow and shrink (array and table replaced): every read is a value
 *     that was stored;
 *   - two workers count one object of the main thread's very often, a few
 *     others now and then, and objects of their own: where counts are
 *     sampled (stats.shared_ops > 0), the often counted object comes first
 *     in rc_runtime_hot_objects, and their own objects never appear;
 *   - a thread retires 128 MiB of blocks (rcs_retire_sized, the seam's call)
 *     while another attached thread reaches no checkpoint until the first
 *     has waited at the bound once, then checkpoints in a loop: what the
 *     first holds never passes the contract's bound (RCS_RETIRE_BOUND_BYTES
 *     plus one block, plus 128 KiB and a block per wait that timed out),
 *     and every block is freed exactly once.
 */
#include "tests/support.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

_Static_assert(RC_THREAD_SAFE, "threaded tests are built only for thread-safe strategies");

/* ---- a client type that counts its deallocations ------------------------ */

typedef struct counted {
    rc_object base;
    rc_object *ref; /* a strong reference (itself, for cycles) or NULL */
    pthread_t freed_on;
} counted;

static atomic_int deallocs;
static atomic_int freed_on_main;
static pthread_t main_thread;

static void counted_dealloc(rc_object *self) {
    counted *c = (counted *)self;
    rc_clear_ref(&c->ref);
    atomic_fetch_add(&deallocs, 1);
    if (pthread_equal(pthread_self(), main_thread))
        atomic_fetch_add(&freed_on_main, 1);
}

static int counted_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    RC_VISIT(((counted *)self)->ref);
    return 0;
}

static void counted_clear(rc_object *self) {
    rc_clear_ref(&((counted *)self)->ref);
}

static rc_type counted_type = {
    .name = "counted",
    .basicsize = sizeof(counted),
    .flags = RC_TYPE_GC,
    .dealloc = counted_dealloc,
    .traverse = counted_traverse,
    .clear = counted_clear,
};

static void reset_counts(void) {
    atomic_store(&deallocs, 0);
    atomic_store(&freed_on_main, 0);
    main_thread = pthread_self();
}

/* ---- released last by another thread ------------------------------------------ */

#define N_OBJECTS 1000

static void *release_all(void *arg) {
    rc_object **objs = arg;
    assert_int_equal(rc_thread_attach(), RC_OK);
    for (int i = 0; i < N_OBJECTS; i++)
        rc_decref(objs[i]);
    rc_thread_detach();
    return NULL;
}

static void test_released_last_by_other_thread(void **state) {
    (void)state;
    reset_counts();
    rc_runtime_stats before, after;
    rc_runtime_get_stats(&before);
    static rc_object *objs[N_OBJECTS];
    for (int i = 0; i < N_OBJECTS; i++) {
        objs[i] = rc_object_new(&counted_type);
        assert_non_null(objs[i]);
    }
    pthread_t t;
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&t, NULL, release_all, objs);
    pthread_join(t, NULL);
    RC_END_ALLOW_THREADS
    rc_checkpoint(); /* the owner merges what was queued to it */
    rc_gc_collect();
    assert_int_equal(atomic_load(&deallocs), N_OBJECTS);
    rc_runtime_get_stats(&after);
    if (after.queued > before.queued) {
        /* Queued to the owner: the owner's merge freed them, on its thread. */
        assert_true(after.merges - before.merges >= after.queued - before.queued);
        assert_int_equal(atomic_load(&freed_on_main), N_OBJECTS);
    }
    assert_int_equal(rc_live_objects_of(&counted_type), 0);
}

/* ---- the owner exits while others hold references -------------------------------------- */

static void *make_and_exit(void *arg) {
    rc_object *list = arg;
    assert_int_equal(rc_thread_attach(), RC_OK);
    for (int i = 0; i < N_OBJECTS; i++) {
        rc_object *o = rc_object_new(&counted_type);
        assert_non_null(o);
        assert_int_equal(rc_list_append(list, o), RC_OK);
        if (i % 2 == 0) /* half of them twice */
            assert_int_equal(rc_list_append(list, o), RC_OK);
        rc_decref(o); /* only the list holds them now */
    }
    rc_thread_detach();
    return NULL;
}

static void test_owner_exits_first(void **state) {
    (void)state;
    reset_counts();
    rc_object *list = rc_list_new();
    pthread_t t;
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&t, NULL, make_and_exit, list);
    pthread_join(t, NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(atomic_load(&deallocs), 0);
    assert_int_equal(rc_list_size(list), N_OBJECTS + N_OBJECTS / 2);
    /* Reading them counts them from this thread (the owner is gone). */
    for (int64_t i = 0; i < rc_list_size(list); i++) {
        rc_object *o = rc_list_get(list, i);
        assert_non_null(o);
        assert_true(rc_refcount(o) >= 2);
        rc_decref(o);
    }
    rc_decref(list);
    rc_checkpoint();
    assert_int_equal(atomic_load(&deallocs), N_OBJECTS);
    assert_int_equal(rc_live_objects_of(&counted_type), 0);
}

/* ---- collection while threads hand objects over ----------------------------------------- */

#define HANDOFF_ROUNDS 2000

typedef struct handoff {
    _Atomic(rc_object *) slot[2]; /* slot[i]: an object for worker i to drop */
    atomic_int done;
} handoff;

static void *handoff_worker(void *arg) {
    handoff *h = arg;
    static atomic_int next_id;
    int me = atomic_fetch_add(&next_id, 1) % 2;
    assert_int_equal(rc_thread_attach(), RC_OK);
    for (int i = 0; i < HANDOFF_ROUNDS; i++) {
        counted *c = (counted *)rc_object_new(&counted_type);
        assert_non_null(c);
        c->ref = rc_newref(&c->base); /* a cycle: only the collector frees it */
        rc_object *expected = NULL;
        while (!atomic_compare_exchange_weak(&h->slot[1 - me], &expected, &c->base)) {
            expected = NULL;
            rc_object *mine = atomic_exchange(&h->slot[me], NULL);
            rc_xdecref(mine); /* drops the other thread's object: queued to its owner */
            rc_checkpoint();
        }
        rc_object *mine = atomic_exchange(&h->slot[me], NULL);
        rc_xdecref(mine);
        rc_checkpoint();
    }
    atomic_fetch_add(&h->done, 1);
    while (atomic_load(&h->done) < 2) {
        rc_object *mine = atomic_exchange(&h->slot[me], NULL);
        rc_xdecref(mine);
        rc_checkpoint();
    }
    rc_object *mine = atomic_exchange(&h->slot[me], NULL);
    rc_xdecref(mine);
    rc_thread_detach();
    return NULL;
}

static void test_collect_while_merging(void **state) {
    (void)state;
    reset_counts();
    /* Every round needs the other worker to run: under a global lock that
     * is a forced switch, one interval each. The shortest interval keeps
     * 4,000 of them well inside the test's time limit on a busy machine. */
    rc_set_switch_interval(0.0001);
    handoff h = {0};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, handoff_worker, &h);
    while (atomic_load(&h.done) < 2) {
        rc_gc_collect();
        RC_BEGIN_ALLOW_THREADS
        sched_yield();
        RC_END_ALLOW_THREADS
    }
    RC_BEGIN_ALLOW_THREADS
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    RC_END_ALLOW_THREADS
    rc_set_switch_interval(0.005);
    rc_gc_collect();
    assert_int_equal(atomic_load(&deallocs), 2 * HANDOFF_ROUNDS);
    assert_int_equal(rc_live_objects_of(&counted_type), 0);
}

/* ---- readers beside a resizing writer ------------------------------------------------------ */

#define RW_ROUNDS 60
#define RW_MAX 200

typedef struct rw_job {
    rc_object *list, *dict;
    atomic_int stop;
    atomic_int bad;
} rw_job;

static void *rw_reader(void *arg) {
    rw_job *j = arg;
    assert_int_equal(rc_thread_attach(), RC_OK);
    while (!atomic_load(&j->stop)) {
        for (int64_t i = 0; i < RW_MAX; i++) {
            rc_error_clear();
            rc_object *o = rc_list_get(j->list, i);
            if (o) {
                int64_t v = rct_int(o);
                j->bad += v < 1000000 || v >= 1000000 + RW_MAX; /* rct_big_int(i) */
                rc_decref(o);
            }
            rc_object *k = rct_big_int(i);
            rc_object *v = rc_dict_get(j->dict, k);
            if (v) {
                j->bad += rct_int(v) != 1000000 + i;
                rc_decref(v);
            }
            rc_decref(k);
        }
        rc_checkpoint();
    }
    rc_thread_detach();
    return NULL;
}

static void test_readers_beside_resizing_writer(void **state) {
    (void)state;
    rw_job j = {.list = rc_list_new(), .dict = rc_dict_new()};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, rw_reader, &j);
    for (int r = 0; r < RW_ROUNDS; r++) {
        for (int i = 0; i < RW_MAX; i++) {
            rc_object *v = rct_big_int(i);
            assert_int_equal(rc_list_append(j.list, v), RC_OK);
            assert_int_equal(rc_dict_set(j.dict, v, v), RC_OK);
            rc_decref(v);
        }
        rc_checkpoint();
        while (rc_list_size(j.list) > 0) {
            rc_object *o = rc_list_pop(j.list, -1);
            assert_non_null(o);
            assert_int_equal(rc_dict_delete(j.dict, o), RC_OK);
            rc_decref(o);
        }
        rc_checkpoint();
    }
    atomic_store(&j.stop, 1);
    RC_BEGIN_ALLOW_THREADS
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(j.bad, 0);
    rc_decref(j.list);
    rc_decref(j.dict);
}

/* ---- the hot shared object ----------------------------------------------------------- */

#define HOT_ROUNDS 100000
#define HOT_WARM 8 /* objects the workers count now and then */
#define HOT_PRIVATE 4 /* objects each worker makes and counts itself */
#define HOT_WORKERS 2

typedef struct hot_job {
    rc_object *hot;
    rc_object *warm[HOT_WARM];
    const void *private_objects[HOT_WORKERS][HOT_PRIVATE];
    atomic_int next_worker;
} hot_job;

static void *hot_worker(void *arg) {
    hot_job *j = arg;
    int me = atomic_fetch_add(&j->next_worker, 1);
    assert_int_equal(rc_thread_attach(), RC_OK);
    rc_object *mine[HOT_PRIVATE];
    for (int i = 0; i < HOT_PRIVATE; i++) {
        mine[i] = rc_object_new(&counted_type);
        assert_non_null(mine[i]);
        j->private_objects[me][i] = mine[i];
    }
    for (int i = 0; i < HOT_ROUNDS; i++) {
        rc_incref(j->hot);
        rc_incref(mine[i % HOT_PRIVATE]); /* the owner's: never a shared operation */
        rc_decref(mine[i % HOT_PRIVATE]);
        rc_decref(j->hot);
        if (i % 16 == 0) {
            rc_object *w = j->warm[(i / 16) % HOT_WARM];
            rc_incref(w);
            rc_decref(w);
        }
        if (i % 1024 == 0)
            rc_checkpoint();
    }
    for (int i = 0; i < HOT_PRIVATE; i++)
        rc_decref(mine[i]);
    rc_thread_detach();
    return NULL;
}

static void test_hot_shared_object_comes_first(void **state) {
    (void)state;
    reset_counts();
    hot_job j = {.hot = rc_object_new(&counted_type)};
    assert_non_null(j.hot);
    for (int i = 0; i < HOT_WARM; i++) {
        j.warm[i] = rct_big_int(i);
        assert_non_null(j.warm[i]);
    }
    rc_runtime_stats before, after;
    rc_runtime_get_stats(&before);
    pthread_t t[HOT_WORKERS];
    RC_BEGIN_ALLOW_THREADS
    for (int i = 0; i < HOT_WORKERS; i++)
        pthread_create(&t[i], NULL, hot_worker, &j);
    /* Read the report, unattached, while the workers write their tables. */
    for (int r = 0; r < 100; r++) {
        rc_hot_object some[3];
        int n = rc_runtime_hot_objects(some, 3);
        assert_true(n >= 0 && n <= 3);
        sched_yield();
    }
    for (int i = 0; i < HOT_WORKERS; i++)
        pthread_join(t[i], NULL);
    RC_END_ALLOW_THREADS
    rc_runtime_get_stats(&after);

    rc_hot_object top[2 * HOT_WARM];
    int n = rc_runtime_hot_objects(top, 2 * HOT_WARM);
    assert_true(n >= 0 && n <= 2 * HOT_WARM);
    if (after.shared_ops > before.shared_ops) {
        /* The workers' counts of the main thread's objects were shared
         * operations, and were sampled. */
        assert_true(n >= 1);
        assert_ptr_equal(top[0].object, j.hot);
        assert_true(top[0].samples > 0);
        assert_non_null(top[0].type_name);
        assert_string_equal(top[0].type_name, "counted");
        for (int i = 1; i < n; i++)
            assert_true(top[i - 1].samples >= top[i].samples);
        /* About 1 in 256 operations: far fewer samples than operations. */
        assert_true(top[0].samples < after.shared_ops - before.shared_ops);
        for (int i = 0; i < n; i++)
            for (int w = 0; w < HOT_WORKERS; w++)
                for (int k = 0; k < HOT_PRIVATE; k++)
                    assert_ptr_not_equal(top[i].object, j.private_objects[w][k]);
        /* The warm objects were sampled too, each well behind the hot one. */
        for (int i = 1; i < n; i++)
            if (top[i].object != j.hot)
                assert_true(top[i].samples < top[0].samples);
    } else {
        assert_int_equal(n, 0); /* no owner to count against: nothing sampled */
    }
    for (int i = 0; i < HOT_WARM; i++)
        rc_decref(j.warm[i]);
    rc_decref(j.hot);
    rc_checkpoint();
    assert_int_equal(atomic_load(&deallocs), 1 + HOT_WORKERS * HOT_PRIVATE);
}

/* ---- memory held for deferred freeing is bounded ------------------------------------- */

/* The contract (locking/strategy.h, RCS_RETIRE_BOUND_BYTES): past the bound
 * a retiring thread waits for the others to pass a quiescent point, for at
 * most 50 ms; a wait that times out lets it go on until it holds another
 * 128 KiB (a sixty-fourth of the bound), where it waits again. So whatever
 * the scheduler does, after W waits the thread holds at most
 *     bound + block + W * (RETIRE_SLACK + block),
 * and with no wait at all, at most bound + block. A thread descheduled for
 * longer than 50 ms on a busy machine makes waits time out; it never breaks
 * this bound, which is what the test asserts. */
#define RETIRE_BLOCK ((size_t)64 * 1024)
#define RETIRE_BLOCKS 2048 /* 128 MiB in all, 16 times the bound */
#define RETIRE_SLACK (RCS_RETIRE_BOUND_BYTES / 64)

typedef struct retire_job {
    uint64_t waits_before; /* stats.retire_waits when the test began */
    atomic_int slow_ready; /* the slow thread is attached */
    atomic_int stop;      /* tells the slow thread to leave */
    atomic_int slow_gone; /* the slow thread has detached */
    atomic_llong retired, freed; /* blocks */
    long long most_over;  /* the worst of held - waits * (RETIRE_SLACK + block) */
    atomic_int frees[RETIRE_BLOCKS]; /* per block */
} retire_job;

static retire_job *retire; /* for the free function, which gets no argument */

static void retire_block_free(void *p) {
    int i = *(int *)p;
    atomic_fetch_add(&retire->frees[i], 1);
    atomic_fetch_add(&retire->freed, 1);
    free(p);
}

static uint64_t retire_waits_now(void) {
    rc_runtime_stats s;
    rc_runtime_get_stats(&s);
    return s.retire_waits;
}

/* Attached and online, it reaches no quiescent point (no checkpoint) until
 * the retiring thread has waited at the bound once: so that wait happens
 * on every run. Then it calls the checkpoint in a loop, as a thread of an
 * interpreter does, until told to stop. Where frees are immediate
 * (RCS_RETIRE_BOUND_BYTES == 0) nothing ever waits, and it starts with the
 * checkpoints (under a global lock the retiring thread needs them to run). */
static void *slow_checkpointer(void *arg) {
    retire_job *j = arg;
    assert_int_equal(rc_thread_attach(), RC_OK);
    atomic_store(&j->slow_ready, 1);
    if (RCS_RETIRE_BOUND_BYTES > 0)
        while (retire_waits_now() == j->waits_before && !atomic_load(&j->stop))
            ;
    while (!atomic_load(&j->stop))
        rc_checkpoint();
    rc_thread_detach();
    atomic_store(&j->slow_gone, 1);
    return NULL;
}

static void *retirer(void *arg) {
    retire_job *j = arg;
    while (!atomic_load(&j->slow_ready))
        sched_yield();
    assert_int_equal(rc_thread_attach(), RC_OK);
    for (int i = 0; i < RETIRE_BLOCKS; i++) {
        int *b = malloc(RETIRE_BLOCK);
        assert_non_null(b);
        *b = i;
        atomic_fetch_add(&j->retired, 1);
        rcs_retire_sized(b, RETIRE_BLOCK, retire_block_free);
        /* Only this thread retires, and its own retires are where it waits:
         * held and waits are read at the same point of its program. */
        long long held = (atomic_load(&j->retired) - atomic_load(&j->freed)) *
                         (long long)RETIRE_BLOCK;
        long long waits = (long long)(retire_waits_now() - j->waits_before);
        long long over = held - waits * (long long)(RETIRE_SLACK + RETIRE_BLOCK);
        if (over > j->most_over)
            j->most_over = over;
    }
    atomic_store(&j->stop, 1);
    /* Detach after the slow thread has: nobody is online to hold back what
     * this thread still has, so it is all freed as it detaches. */
    RC_BEGIN_ALLOW_THREADS
    while (!atomic_load(&j->slow_gone))
        sched_yield();
    RC_END_ALLOW_THREADS
    rc_thread_detach();
    return NULL;
}

static void test_retired_memory_is_bounded(void **state) {
    (void)state;
    retire_job *j = calloc(1, sizeof *j);
    assert_non_null(j);
    retire = j;
    rc_runtime_stats before, after;
    rc_runtime_get_stats(&before);
    j->waits_before = before.retire_waits;
    pthread_t slow, ret;
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&slow, NULL, slow_checkpointer, j);
    pthread_create(&ret, NULL, retirer, j);
    pthread_join(ret, NULL);
    pthread_join(slow, NULL);
    RC_END_ALLOW_THREADS
    rc_runtime_get_stats(&after);

    const long long bound = (long long)RCS_RETIRE_BOUND_BYTES + (long long)RETIRE_BLOCK;
    long long waits = (long long)(after.retire_waits - before.retire_waits);
    assert_true(j->most_over <= bound);
    assert_true((long long)after.retired_peak_bytes <=
                bound + waits * (long long)(RETIRE_SLACK + RETIRE_BLOCK));
    if (RCS_RETIRE_BOUND_BYTES > 0) {
        /* Deferred: the slow thread held the retiring one back past the
         * bound (it reached no quiescent point before that), which waited
         * rather than go on. */
        assert_true(waits > 0);
        assert_true(after.retired_peak_bytes > RCS_RETIRE_BOUND_BYTES);
    } else {
        assert_int_equal(waits, 0);
    }
    /* Each block freed exactly once, all of them by now. */
    assert_int_equal(atomic_load(&j->freed), RETIRE_BLOCKS);
    for (int i = 0; i < RETIRE_BLOCKS; i++)
        assert_int_equal(atomic_load(&j->frees[i]), 1);
    retire = NULL;
    free(j);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        /* First: the report covers every thread since the start. */
        cmocka_unit_test(test_hot_shared_object_comes_first),
        cmocka_unit_test(test_retired_memory_is_bounded),
        cmocka_unit_test(test_released_last_by_other_thread),
        cmocka_unit_test(test_owner_exits_first),
        cmocka_unit_test(test_collect_while_merging),
        cmocka_unit_test(test_readers_beside_resizing_writer),
    };
    return RCT_RUN_GROUP(tests);
}
