/*
 * bench/single_thread.c -- the single-thread cost of the basic operations,
 * in nanoseconds per operation.
 *
 * Built once per variant (single_thread_<variant>). Each repetition runs
 * every operation once, in a fixed interleaved order, so that a slow phase
 * of the machine hits all of them alike; the table gives the median and the
 * minimum over the repetitions, and the spread (max / min) as a measure of
 * how noisy the run was. A control loop that touches no runtime object runs
 * in every repetition too: if its spread is large, so was the machine's.
 *
 * The last two rows time the cycle collector: a full collection of 100,000
 * two-object cycles (per unreachable object), and a full collection over a
 * heap of 1,000,000 live tracked objects (per object). Automatic collection
 * is off for the whole run, so that no other row pays for one.
 *
 * The CPython columns give CPython 3.13's figures for the same operations
 * through its C API, for comparison only (they are not measured here):
 * "CPython 3.13" as first recorded with this table, "3.13 FT" the
 * free-threaded build, 3.13.5 built -O3 without PGO, from the comparison in
 * issue 12 (median of 5 rounds x 3). "-" where there is no such figure.
 *
 *   single_thread_gil [--reps N] [--scale F]
 *
 * --scale multiplies every operation count (0.01 for a smoke test).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "refcore.h"

/* Keeps the compiler from merging or deleting the operations measured. */
#define OPAQUE(p) __asm__ volatile("" : "+r"(p) : : "memory")

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
    fprintf(stderr, "single_thread: %s failed: %s (%s)\n", what,
            rc_status_name(rc_error_code()), rc_error_message());
    exit(1);
}

/* Each benchmark runs `ops` operations and returns the elapsed ns. */
typedef struct bench {
    const char *name;
    const char *cpython;    /* CPython 3.13's figure (see the top) */
    const char *cpython_ft; /* its free-threaded build's */
    uint64_t (*run)(int64_t ops);
    int64_t ops;
} bench;

/* ---- the operations ------------------------------------------------------------ */

static uint64_t bench_control(int64_t ops) {
    uint64_t x = 88172645463325252ull, t0 = now_ns();
    for (int64_t i = 0; i < ops; i++) { /* xorshift: work no compiler can skip */
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        OPAQUE(x);
    }
    return now_ns() - t0;
}

#define SPREAD_OBJECTS 8

static uint64_t bench_incref_decref_spread(int64_t ops) {
    rc_object *objs[SPREAD_OBJECTS];
    for (int k = 0; k < SPREAD_OBJECTS; k++)
        if (!(objs[k] = rc_int_from_i64(100000 + k)))
            die("rc_int_from_i64");
    uint64_t t0 = now_ns();
    for (int64_t i = 0; i < ops; i++) {
        rc_object *o = objs[i & (SPREAD_OBJECTS - 1)];
        OPAQUE(o);
        rc_incref(o);
        OPAQUE(o);
        rc_decref(o);
    }
    uint64_t t = now_ns() - t0;
    for (int k = 0; k < SPREAD_OBJECTS; k++)
        rc_decref(objs[k]);
    return t;
}

static uint64_t bench_incref_decref_one(int64_t ops) {
    rc_object *o = rc_int_from_i64(100000);
    if (!o)
        die("rc_int_from_i64");
    uint64_t t0 = now_ns();
    for (int64_t i = 0; i < ops; i++) {
        OPAQUE(o);
        rc_incref(o);
        OPAQUE(o);
        rc_decref(o);
    }
    uint64_t t = now_ns() - t0;
    rc_decref(o);
    return t;
}

/* An object another thread made and still owns: under //:nogil every
 * count operation on it is a non-owner's, an atomic add on its shared
 * count (CPython's free-threaded build: the same). The owner stays attached,
 * parked in the release region, until the run ends. */
typedef struct foreign_owner {
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    rc_object *object; /* set by the owner */
    bool made, done;
} foreign_owner;

static foreign_owner the_owner = {.mutex = PTHREAD_MUTEX_INITIALIZER,
                                  .cond = PTHREAD_COND_INITIALIZER};

static void *foreign_owner_main(void *arg) {
    foreign_owner *f = arg;
    if (rc_thread_attach() != RC_OK)
        die("rc_thread_attach");
    rc_object *o = rc_int_from_i64(100001);
    if (!o)
        die("rc_int_from_i64");
    RC_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&f->mutex);
    f->object = o;
    f->made = true;
    pthread_cond_broadcast(&f->cond);
    while (!f->done)
        pthread_cond_wait(&f->cond, &f->mutex);
    pthread_mutex_unlock(&f->mutex);
    RC_END_ALLOW_THREADS
    rc_decref(o);
    rc_thread_detach();
    return NULL;
}

static void foreign_owner_start(void) {
    if (pthread_create(&the_owner.thread, NULL, foreign_owner_main, &the_owner) != 0)
        die("pthread_create");
    RC_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&the_owner.mutex);
    while (!the_owner.made)
        pthread_cond_wait(&the_owner.cond, &the_owner.mutex);
    pthread_mutex_unlock(&the_owner.mutex);
    RC_END_ALLOW_THREADS
}

static void foreign_owner_stop(void) {
    RC_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&the_owner.mutex);
    the_owner.done = true;
    pthread_cond_broadcast(&the_owner.cond);
    pthread_mutex_unlock(&the_owner.mutex);
    pthread_join(the_owner.thread, NULL);
    RC_END_ALLOW_THREADS
}

static uint64_t bench_incref_decref_foreign(int64_t ops) {
    rc_object *o = the_owner.object;
    uint64_t t0 = now_ns();
    for (int64_t i = 0; i < ops; i++) {
        OPAQUE(o);
        rc_incref(o);
        OPAQUE(o);
        rc_decref(o);
    }
    return now_ns() - t0;
}

static uint64_t bench_int_create_free(int64_t ops) {
    uint64_t t0 = now_ns();
    for (int64_t i = 0; i < ops; i++) {
        rc_object *o = rc_int_from_i64(1000 + i);
        if (!o)
            die("rc_int_from_i64");
        OPAQUE(o);
        rc_decref(o);
    }
    return now_ns() - t0;
}

static uint64_t bench_list_append_new_int(int64_t ops) {
    rc_object *list = rc_list_new();
    if (!list)
        die("rc_list_new");
    uint64_t t0 = now_ns();
    for (int64_t i = 0; i < ops; i++)
        if (rc_list_append_steal(list, rc_int_from_i64(1000 + i)) != RC_OK)
            die("rc_list_append_steal");
    uint64_t t = now_ns() - t0;
    if (rc_list_size(list) != ops)
        die("list size check");
    rc_decref(list);
    return t;
}

#define DICT_KEYS 100000

static rc_object *dict_keys[DICT_KEYS];
static rc_object *dict_for_get;

static uint64_t bench_dict_set(int64_t ops) {
    uint64_t t = 0;
    for (int64_t done = 0; done < ops; done += DICT_KEYS) {
        rc_object *d = rc_dict_new();
        if (!d)
            die("rc_dict_new");
        uint64_t t0 = now_ns();
        for (int64_t i = 0; i < DICT_KEYS; i++)
            if (rc_dict_set(d, dict_keys[i], dict_keys[i]) != RC_OK)
                die("rc_dict_set");
        t += now_ns() - t0;
        rc_decref(d);
    }
    return t * (uint64_t)ops / (uint64_t)((ops + DICT_KEYS - 1) / DICT_KEYS * DICT_KEYS);
}

static uint64_t bench_dict_get(int64_t ops) {
    uint64_t t0 = now_ns();
    for (int64_t i = 0; i < ops; i++) {
        rc_object *v = rc_dict_get(dict_for_get, dict_keys[i % DICT_KEYS]);
        if (!v)
            die("rc_dict_get");
        rc_decref(v);
    }
    return now_ns() - t0;
}

static uint64_t bench_tuple3(int64_t ops) {
    rc_object *a = rc_int_from_i64(1), *b = rc_int_from_i64(2), *c = rc_int_from_i64(3);
    uint64_t t0 = now_ns();
    for (int64_t i = 0; i < ops; i++) {
        rc_object *t = rc_tuple_new(3);
        if (!t)
            die("rc_tuple_new");
        rc_incref(a);
        rc_incref(b);
        rc_incref(c);
        rc_tuple_set_steal(t, 0, a);
        rc_tuple_set_steal(t, 1, b);
        rc_tuple_set_steal(t, 2, c);
        OPAQUE(t);
        rc_decref(t);
    }
    return now_ns() - t0;
}

/* A two-object cycle (lists holding each other) built and dropped, ops
 * times, then the collection that frees them all: the whole life of a
 * short-lived cycle, per cycle. */
static uint64_t bench_cycle_life(int64_t ops) {
    uint64_t t0 = now_ns();
    for (int64_t i = 0; i < ops; i++) {
        rc_object *a = rc_list_new(), *b = rc_list_new();
        if (!a || !b || rc_list_append(a, b) != RC_OK || rc_list_append(b, a) != RC_OK)
            die("building a cycle");
        rc_decref(a);
        rc_decref(b);
    }
    int64_t found = rc_gc_collect();
    uint64_t t = now_ns() - t0;
    if (found != 2 * ops)
        die("collecting the cycles");
    return t;
}

/* Collecting garbage: ops / 2 two-object cycles (lists holding each other),
 * built before the clock starts; the time is per unreachable object. */
static uint64_t bench_collect_cycles(int64_t ops) {
    for (int64_t i = 0; i < ops / 2; i++) {
        rc_object *a = rc_list_new(), *b = rc_list_new();
        if (!a || !b || rc_list_append(a, b) != RC_OK || rc_list_append(b, a) != RC_OK)
            die("building cycles");
        rc_decref(a);
        rc_decref(b);
    }
    uint64_t t0 = now_ns();
    int64_t found = rc_gc_collect();
    uint64_t t = now_ns() - t0;
    if (found != ops / 2 * 2)
        die("collecting cycles");
    return t;
}

/* A full collection over ops live tracked objects (tuples of one int, held
 * by one list) and no garbage; the time is per live object. */
static uint64_t bench_collect_live_heap(int64_t ops) {
    rc_object *heap = rc_list_new();
    if (!heap)
        die("rc_list_new");
    for (int64_t i = 1; i < ops; i++)
        if (rc_list_append_steal(heap, rc_tuple_pack(1, rc_none())) != RC_OK)
            die("building the heap");
    uint64_t t0 = now_ns();
    int64_t found = rc_gc_collect();
    uint64_t t = now_ns() - t0;
    if (found != 0)
        die("collecting a heap without garbage");
    rc_decref(heap);
    return t;
}

/* ---- the harness ------------------------------------------------------------ */

static int compare_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void setup_dict_keys(void) {
    for (int64_t i = 0; i < DICT_KEYS; i++)
        if (!(dict_keys[i] = rc_int_from_i64(1000 + i)))
            die("rc_int_from_i64");
    if (!(dict_for_get = rc_dict_new()))
        die("rc_dict_new");
    for (int64_t i = 0; i < DICT_KEYS; i++)
        if (rc_dict_set(dict_for_get, dict_keys[i], dict_keys[i]) != RC_OK)
            die("rc_dict_set");
}

static void teardown_dict_keys(void) {
    rc_decref(dict_for_get);
    for (int64_t i = 0; i < DICT_KEYS; i++)
        rc_decref(dict_keys[i]);
}

int main(int argc, char **argv) {
    int reps = 11;
    double scale = 1.0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--scale") && i + 1 < argc)
            scale = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--reps N] [--scale F]\n", argv[0]);
            return 2;
        }
    }
    if (reps < 1 || reps > 1000 || !(scale > 0)) {
        fprintf(stderr, "single_thread: --reps must be 1..1000, --scale > 0\n");
        return 2;
    }

    bench benches[] = {
        {"control loop (no runtime object)", "-", "-", bench_control, 20000000},
        {"incref+decref, spread over 8 objects", "1.0", "-", bench_incref_decref_spread,
         20000000},
        {"incref+decref, one object", "4.3", "0.7", bench_incref_decref_one, 20000000},
        {"incref+decref, another thread's object", "4.7", "11.7",
         bench_incref_decref_foreign, 20000000},
        {"int create+free (beyond small ints)", "9.6", "11.0", bench_int_create_free,
         5000000},
        {"list append of a new int", "28.7", "-", bench_list_append_new_int, 2000000},
        {"dict set, 100,000 int keys", "19.1", "37.6", bench_dict_set, 1000000},
        {"dict get, 100,000 int keys", "7.9", "12.4", bench_dict_get, 2000000},
        {"tuple of 3 create+fill+free", "12.2", "12.9", bench_tuple3, 5000000},
        {"cycle of 2 built, dropped, collected", "620", "787", bench_cycle_life, 100000},
        {"collect 100,000 2-cycles, per object", "80-130", "68", bench_collect_cycles,
         200000},
        {"collect 1,000,000 live, per object", "-", "-", bench_collect_live_heap, 1000000},
    };
    enum { N = sizeof benches / sizeof benches[0] };
    for (int b = 0; b < N; b++) {
        benches[b].ops = (int64_t)((double)benches[b].ops * scale);
        if (benches[b].ops < 1)
            benches[b].ops = 1;
    }

    if (rc_runtime_start() != RC_OK)
        die("rc_runtime_start");
    /* Only the collector rows collect: an automatic collection inside
     * another row would be timed as part of it. */
    rc_gc_disable();
    setup_dict_keys();
    foreign_owner_start();

    uint64_t *ns = calloc((size_t)N * (size_t)(reps + 1), sizeof *ns);
    fprintf(stderr, "single_thread (%s): %d repetitions after a warm-up\n",
            RC_STRATEGY_NAME, reps);
    for (int r = 0; r <= reps; r++) { /* round 0 is the warm-up */
        for (int b = 0; b < N; b++)
            ns[b * (reps + 1) + r] = benches[b].run(benches[b].ops);
        fprintf(stderr, "  repetition %d/%d done\n", r, reps);
    }

    printf("\nrefcore single-thread costs, strategy %s, ns per operation\n\n",
           RC_STRATEGY_NAME);
    printf("| %-38s | %8s | %8s | %7s | %12s | %7s |\n", "operation", "median", "min",
           "max/min", "CPython 3.13", "3.13 FT");
    printf("|%s|%s|%s|%s|%s|%s|\n", "----------------------------------------",
           "----------", "----------", "---------", "--------------", "---------");
    for (int b = 0; b < N; b++) {
        uint64_t *row = &ns[b * (reps + 1) + 1];
        qsort(row, (size_t)reps, sizeof *row, compare_u64);
        double ops = (double)benches[b].ops;
        double median = (reps % 2 ? (double)row[reps / 2]
                                  : ((double)row[reps / 2 - 1] + (double)row[reps / 2]) / 2) /
                        ops;
        double min = (double)row[0] / ops, max = (double)row[reps - 1] / ops;
        printf("| %-38s | %8.2f | %8.2f | %6.2fx | %12s | %7s |\n", benches[b].name, median,
               min, min > 0 ? max / min : 0.0, benches[b].cpython, benches[b].cpython_ft);
    }
    printf("\nmax/min is the spread over the repetitions: the control loop's spread is"
           " the machine's own noise.\n");
    free(ns);

    foreign_owner_stop();
    teardown_dict_keys();
    int64_t live = rc_live_objects();
    if (rc_runtime_stop() != RC_OK || live != 0) {
        fprintf(stderr, "single_thread: %lld objects leaked\n", (long long)live);
        return 1;
    }
    return 0;
}
