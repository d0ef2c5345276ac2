/*
 * tests/random_stress.c -- a randomized multi-threaded stress program with
 * invariant checks, built per thread-safe variant (random_stress_test_gil,
 * ...). CI runs a bounded number of operations; scripts/soak.sh runs it for
 * as long as asked with fresh seeds.
 *
 *   random_stress_test_nogil [--seed S] [--ops N] [--seconds T] [--threads K]
 *   (or RC_STRESS_SEED, RC_STRESS_OPS, RC_STRESS_SECONDS, RC_STRESS_THREADS)
 *
 * K threads (default 4) each run random operations, EPOCH_OPS at a time:
 *   - move a token (an allocated int, TOKENS of them, made once) from one
 *     place to another: the shared lists, the shared dict (keyed by the
 *     token's number), or the thread's own hand (a list only it touches);
 *     a token is "in transit" only inside one operation;
 *   - build a cycle of two nodes (a client GC type with a finalizer and
 *     weak references), keep it in the shared garden or drop it (garbage),
 *     and sometimes take a weak reference to it (with a callback);
 *   - drop a garden entry; read a weak reference; collect (generation 0 or
 *     all); make a fresh list immortal; sit in a release region.
 * After every epoch all threads meet at a barrier, in their release
 * regions, and one of them, with every other thread offline, checks:
 *   - every token is in exactly one place, once, and is the object it was
 *     made as; the places' sizes add up to TOKENS;
 *   - after one full collection, the live objects (rc_live_objects) are
 *     exactly the objects reachable from the roots (immortal ones are not
 *     counted, their contents are), and the live nodes likewise;
 *   - every node freed was finalized exactly once, and no weak reference
 *     reaches an unreachable node; every callback found its reference dead.
 * At the end the roots are dropped: nothing may be left alive, and
 * rc_runtime_stop must report no leak.
 *
 * Nothing is timed: --seconds (soak runs only) is read by the checker
 * between epochs to decide whether to go on, and the work and the checks do
 * not depend on how the threads are scheduled; the seed fixes each thread's
 * choices, not their interleaving. A failure prints the seed.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "refcore.h"

_Static_assert(RC_THREAD_SAFE, "threaded tests are built only for thread-safe strategies");

#define TOKENS 200          /* numbers 0..199: small ints, immortal dict keys */
#define TOKEN_BASE 7000000  /* a token's value is TOKEN_BASE + its number */
#define SHARED_LISTS 3
#define EPOCH_OPS 2000      /* operations per thread between two checks */
#define GARDEN_MAX 64       /* cycles kept reachable */
#define WEAK_MAX 32         /* weak references each thread keeps */
#define IMMORTAL_MAX 32     /* fresh lists made immortal, in all */
#define MAX_THREADS 16
#define NODE_MAGIC 0x6e6f6465u

/* ---- failures ---------------------------------------------------------------- */

static uint64_t seed;

/* A broken invariant: says so with the seed, and ends the process (the
 * other threads' state is no longer worth checking). */
static void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "random_stress: FAILED (seed %llu): ", (unsigned long long)seed);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    fflush(stderr);
    _Exit(1);
}

#define CHECK(cond, ...)                                                                 \
    do {                                                                                 \
        if (!(cond))                                                                     \
            fail(__VA_ARGS__);                                                           \
    } while (0)

/* ---- nodes: a client GC type with a finalizer and weak references ------------- */

typedef struct node {
    rc_object base;
    uint32_t magic;
    _Atomic int finalized; /* times its finalizer ran: must end at 1 */
    rc_object *next;       /* a strong reference (the other node of its cycle) */
    rc_object *weaklist;   /* the runtime's */
} node;

static atomic_llong nodes_made, nodes_freed, nodes_finalized, double_finalized;
static atomic_llong callbacks_run, callbacks_bad;

static void node_finalize(rc_object *self) {
    node *n = (node *)self;
    if (atomic_fetch_add(&n->finalized, 1) != 0)
        atomic_fetch_add(&double_finalized, 1);
    atomic_fetch_add(&nodes_finalized, 1);
}

static void node_dealloc(rc_object *self) {
    node *n = (node *)self;
    if (atomic_load(&n->finalized) != 1)
        atomic_fetch_add(&double_finalized, 1); /* freed unfinalized, or twice */
    rc_clear_ref(&n->next);
    n->magic = 0;
    atomic_fetch_add(&nodes_freed, 1);
}

static int node_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    RC_VISIT(((node *)self)->next);
    return 0;
}

static void node_clear(rc_object *self) {
    rc_clear_ref(&((node *)self)->next);
}

static rc_type node_type = {
    .name = "stress_node",
    .basicsize = sizeof(node),
    .flags = RC_TYPE_GC,
    .dealloc = node_dealloc,
    .traverse = node_traverse,
    .clear = node_clear,
    .finalize = node_finalize,
    .weaklist_offset = offsetof(node, weaklist),
};

static void weak_callback(rc_object *weakref, rc_object *arg) {
    (void)arg;
    atomic_fetch_add(&callbacks_run, 1);
    if (rc_weakref_is_alive(weakref) != 0) /* cleared before the callback */
        atomic_fetch_add(&callbacks_bad, 1);
}

/* ---- the shared state ------------------------------------------------------------ */

typedef struct worker {
    int index;
    uint64_t rng;
    rc_object *hand; /* tokens this thread holds; only this thread changes it */
    rc_object *weak; /* weak references to nodes; only this thread changes it */
    int64_t ops;
} worker;

static struct {
    int threads;
    int64_t epochs;       /* 0: until `seconds` have passed */
    double seconds;
    uint64_t start_ns;
    rc_object *lists[SHARED_LISTS];
    rc_object *dict;      /* token number -> token */
    rc_object *garden;    /* kept cycles (their first node) */
    rc_object *immortals; /* fresh lists made immortal */
    rc_object *tokens[TOKENS]; /* borrowed: each token's object, for identity */
    atomic_int immortalized;
    worker workers[MAX_THREADS];
    pthread_barrier_t barrier;
    atomic_int stop;      /* set by the checker: leave after this epoch */
    int64_t checks;
} g;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* splitmix64: each thread's own sequence from the seed. */
static uint64_t next_random(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* ---- token moves ----------------------------------------------------------------- */

/* Takes a token out of place `from` (0..SHARED_LISTS-1: a shared list,
 * SHARED_LISTS: the dict, SHARED_LISTS + 1: the hand). Returns a new
 * reference, or NULL if there was none to take there (not an error). */
static rc_object *take_token(worker *w, int from, uint64_t r) {
    rc_object *list = from < SHARED_LISTS ? g.lists[from] : w->hand;
    if (from != SHARED_LISTS) {
        int64_t size = rc_list_size(list);
        /* Another thread may empty a shared list meanwhile: RC_EINDEX. */
        rc_object *t = rc_list_pop(list, size > 0 ? (int64_t)(r % (uint64_t)size) : -1);
        if (!t) {
            CHECK(rc_error_code() == RC_EINDEX, "pop: %s", rc_error_message());
            rc_error_clear();
        }
        return t;
    }
    /* The dict: pick a number; whoever deletes its key owns the token. */
    rc_object *key = rc_int_from_i64((int64_t)(r % TOKENS));
    rc_object *t = rc_dict_get(g.dict, key);
    if (!t) {
        CHECK(rc_error_code() == RC_EKEY, "dict get: %s", rc_error_message());
        rc_error_clear();
        rc_decref(key);
        return NULL;
    }
    rc_status st = rc_dict_delete(g.dict, key);
    rc_decref(key); /* a small int: immortal, but counted as the API says */
    if (st == RC_OK)
        return t; /* the key is the token's number: what we got is what we took */
    CHECK(st == RC_EKEY, "dict delete: %s", rc_error_message());
    rc_error_clear();
    rc_decref(t); /* another thread took it first */
    return NULL;
}

/* Puts token t (stolen) into place `to`. */
static void put_token(worker *w, int to, rc_object *t, uint64_t r) {
    if (to == SHARED_LISTS) {
        int64_t number = 0;
        CHECK(rc_int_as_i64(t, &number) == RC_OK, "token is not an int");
        rc_object *key = rc_int_from_i64(number - TOKEN_BASE);
        CHECK(rc_dict_contains(g.dict, key) == 0, "token %lld twice", (long long)number);
        CHECK(rc_dict_set(g.dict, key, t) == RC_OK, "dict set: %s", rc_error_message());
        rc_decref(key);
        rc_decref(t);
        return;
    }
    rc_object *list = to < SHARED_LISTS ? g.lists[to] : w->hand;
    rc_status st = (r & 1) ? rc_list_append_steal(list, t) : rc_list_insert(list, 0, t);
    CHECK(st == RC_OK, "put: %s", rc_error_message());
    if (!(r & 1))
        rc_decref(t); /* insert borrows */
}

static void move_token(worker *w, uint64_t r) {
    int from = (int)(r % (SHARED_LISTS + 2));
    int to = (int)((r >> 8) % (SHARED_LISTS + 2));
    rc_object *t = take_token(w, from, r >> 16);
    if (t)
        put_token(w, to, t, r >> 24);
}

/* ---- cycles, weak references, immortals ----------------------------------------- */

static rc_object *node_new(void) {
    node *n = (node *)rc_object_new(&node_type);
    CHECK(n != NULL, "rc_object_new: %s", rc_error_message());
    n->magic = NODE_MAGIC;
    atomic_fetch_add(&nodes_made, 1);
    return &n->base;
}

static void make_cycle(worker *w, uint64_t r) {
    rc_object *a = node_new(), *b = node_new();
    ((node *)a)->next = rc_newref(b);
    ((node *)b)->next = rc_newref(a);
    rc_decref(b);
    if (r & 1) { /* a weak reference, with a callback one time in two */
        rc_object *wr = rc_weakref_new(a, (r & 2) ? weak_callback : NULL, NULL);
        CHECK(wr != NULL, "rc_weakref_new: %s", rc_error_message());
        CHECK(rc_list_append_steal(w->weak, wr) == RC_OK, "append weak");
        if (rc_list_size(w->weak) > WEAK_MAX)
            rc_decref(rc_list_pop(w->weak, 0));
    }
    if (r & 4) { /* kept, for a while */
        CHECK(rc_list_append(g.garden, a) == RC_OK, "garden append");
        if (rc_list_size(g.garden) > GARDEN_MAX) {
            rc_object *old = rc_list_pop(g.garden, 0);
            if (old)
                rc_decref(old); /* the cycle is garbage now */
            else
                rc_error_clear(); /* emptied by other threads meanwhile */
        }
    }
    rc_decref(a); /* if not kept: the pair is cyclic garbage now */
}

static void read_weak(worker *w, uint64_t r) {
    int64_t size = rc_list_size(w->weak);
    if (size == 0)
        return;
    rc_object *wr = rc_list_get(w->weak, (int64_t)(r % (uint64_t)size));
    CHECK(wr != NULL, "weak get");
    rc_object *o = rc_weakref_get(wr);
    CHECK(o != NULL, "rc_weakref_get: %s", rc_error_message());
    if (!rc_is_none(o)) {
        CHECK(rc_object_type(o) == &node_type && ((node *)o)->magic == NODE_MAGIC,
              "a weak reference reached something that is not a live node");
    }
    rc_decref(o);
    rc_decref(wr);
}

static void make_immortal(void) {
    if (atomic_fetch_add(&g.immortalized, 1) >= IMMORTAL_MAX)
        return;
    rc_object *l = rc_list_new();
    CHECK(l && rc_list_append_steal(l, rc_int_from_i64(TOKEN_BASE * 2)) == RC_OK, "immortal");
    CHECK(rc_immortalize(l) == RC_OK, "rc_immortalize: %s", rc_error_message());
    CHECK(rc_list_append(g.immortals, l) == RC_OK, "immortals append");
    rc_decref(l); /* a no-op now */
}

static void one_op(worker *w) {
    uint64_t r = next_random(&w->rng);
    unsigned pick = (unsigned)(r % 1000);
    r >>= 10;
    if (pick < 600) {
        move_token(w, r);
    } else if (pick < 800) {
        make_cycle(w, r);
    } else if (pick < 880) {
        read_weak(w, r);
    } else if (pick < 930) {
        rc_object *old = rc_list_size(g.garden) > 0 ? rc_list_pop(g.garden, -1) : NULL;
        rc_error_clear();
        rc_xdecref(old);
    } else if (pick < 960) {
        RC_BEGIN_ALLOW_THREADS
        sched_yield();
        RC_END_ALLOW_THREADS
    } else if (pick < 990) {
        CHECK(rc_gc_collect_generation(0) >= 0, "collect gen 0: %s", rc_error_message());
    } else if (pick < 997) {
        CHECK(rc_gc_collect() >= 0, "collect: %s", rc_error_message());
    } else {
        make_immortal();
    }
    w->ops++;
}

/* ---- the check ------------------------------------------------------------------- */

/* A set of object addresses (open addressing), for the walk. */
typedef struct ptr_set {
    const void **slots;
    size_t cap, n;
} ptr_set;

static bool set_add(ptr_set *s, const void *p) {
    if (2 * (s->n + 1) > s->cap) {
        ptr_set bigger = {calloc(s->cap ? 2 * s->cap : 1024, sizeof(void *)),
                          s->cap ? 2 * s->cap : 1024, 0};
        CHECK(bigger.slots != NULL, "out of memory in the checker");
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i])
                set_add(&bigger, s->slots[i]);
        free(s->slots);
        *s = bigger;
    }
    size_t i = ((uintptr_t)p >> 4) * 0x9e3779b97f4a7c15ull % s->cap;
    while (s->slots[i]) {
        if (s->slots[i] == p)
            return false;
        i = (i + 1) % s->cap;
    }
    s->slots[i] = p;
    s->n++;
    return true;
}

static bool set_has(const ptr_set *s, const void *p) {
    if (!s->cap)
        return false;
    size_t i = ((uintptr_t)p >> 4) * 0x9e3779b97f4a7c15ull % s->cap;
    while (s->slots[i]) {
        if (s->slots[i] == p)
            return true;
        i = (i + 1) % s->cap;
    }
    return false;
}

typedef struct walk {
    ptr_set seen;
    rc_object **stack; /* a work list: no recursion */
    size_t depth, stack_cap;
    int64_t mortal, nodes;
} walk;

static void walk_push(walk *k, rc_object *o) {
    if (!o || !set_add(&k->seen, o))
        return;
    if (!rc_is_immortal(o)) {
        k->mortal++;
        if (rc_object_type(o) == &node_type)
            k->nodes++;
    }
    if (k->depth == k->stack_cap) {
        k->stack_cap = k->stack_cap ? 2 * k->stack_cap : 1024;
        k->stack = realloc(k->stack, k->stack_cap * sizeof *k->stack);
        CHECK(k->stack != NULL, "out of memory in the checker");
    }
    k->stack[k->depth++] = o;
}

/* Every strong reference o holds, by the public API (the world is quiet:
 * every other thread is offline at the barrier). Borrowed pointers are
 * enough: the roots keep everything reachable alive during the walk. */
static void walk_children(walk *k, rc_object *o) {
    if (rc_list_check(o)) {
        for (int64_t i = 0; i < rc_list_size(o); i++) {
            rc_object *c = rc_list_get(o, i);
            walk_push(k, c);
            rc_decref(c);
        }
    } else if (rc_tuple_check(o)) {
        for (int64_t i = 0; i < rc_tuple_size(o); i++)
            walk_push(k, rc_tuple_get(o, i));
    } else if (rc_dict_check(o)) {
        rc_iter it;
        rc_object *key, *value;
        CHECK(rc_iter_begin(&it, o) == RC_OK, "iter");
        while (rc_iter_next_item(&it, &key, &value) == 1) {
            walk_push(k, key);
            walk_push(k, value);
            rc_decref(key);
            rc_decref(value);
        }
        rc_iter_end(&it);
    } else if (rc_object_type(o) == &node_type) {
        CHECK(((node *)o)->magic == NODE_MAGIC, "a reachable node was freed");
        walk_push(k, ((node *)o)->next);
    }
    /* ints, weak references (the referent is not a strong reference;
     * callbacks here have no arg): no children. */
}

static void check_tokens(void) {
    int seen[TOKENS] = {0};
    int64_t total = 0;
    rc_object *places[SHARED_LISTS + MAX_THREADS];
    int n_places = 0;
    for (int i = 0; i < SHARED_LISTS; i++)
        places[n_places++] = g.lists[i];
    for (int t = 0; t < g.threads; t++)
        places[n_places++] = g.workers[t].hand;
    for (int p = 0; p < n_places; p++) {
        for (int64_t i = 0; i < rc_list_size(places[p]); i++) {
            rc_object *t = rc_list_get(places[p], i);
            int64_t v = 0;
            CHECK(t && rc_int_as_i64(t, &v) == RC_OK, "a non-token in a token place");
            CHECK(v >= TOKEN_BASE && v < TOKEN_BASE + TOKENS, "token value %lld", (long long)v);
            CHECK(g.tokens[v - TOKEN_BASE] == t, "token %lld is a different object",
                  (long long)(v - TOKEN_BASE));
            seen[v - TOKEN_BASE]++;
            rc_decref(t);
        }
        total += rc_list_size(places[p]);
    }
    for (int i = 0; i < TOKENS; i++) {
        rc_object *key = rc_int_from_i64(i);
        rc_object *t = rc_dict_get(g.dict, key);
        rc_decref(key);
        if (!t) {
            rc_error_clear();
            continue;
        }
        CHECK(g.tokens[i] == t, "dict: token %d is a different object", i);
        seen[i]++;
        rc_decref(t);
    }
    total += rc_dict_size(g.dict);
    for (int i = 0; i < TOKENS; i++)
        CHECK(seen[i] == 1, "token %d is in %d places", i, seen[i]);
    CHECK(total == TOKENS, "the places hold %lld tokens, not %d", (long long)total, TOKENS);
}

static void check_reachable(void) {
    /* One full collection must free every unreachable object. */
    CHECK(rc_gc_collect() >= 0, "collect: %s", rc_error_message());
    walk k = {0};
    for (int i = 0; i < SHARED_LISTS; i++)
        walk_push(&k, g.lists[i]);
    walk_push(&k, g.dict);
    walk_push(&k, g.garden);
    walk_push(&k, g.immortals);
    for (int t = 0; t < g.threads; t++) {
        walk_push(&k, g.workers[t].hand);
        walk_push(&k, g.workers[t].weak);
    }
    while (k.depth > 0)
        walk_children(&k, k.stack[--k.depth]);
    int64_t live = rc_live_objects(), live_nodes = rc_live_objects_of(&node_type);
    CHECK(live == k.mortal,
          "check %lld: after one full collection %lld live objects, %lld reachable "
          "(%lld live nodes, %lld reachable)",
          (long long)g.checks, (long long)live, (long long)k.mortal, (long long)live_nodes,
          (long long)k.nodes);
    CHECK(live_nodes == k.nodes, "%lld live nodes, %lld reachable", (long long)live_nodes,
          (long long)k.nodes);
    CHECK(atomic_load(&nodes_made) - atomic_load(&nodes_freed) == live_nodes,
          "nodes: %lld made, %lld freed, %lld live", (long long)atomic_load(&nodes_made),
          (long long)atomic_load(&nodes_freed), (long long)live_nodes);
    CHECK(atomic_load(&nodes_finalized) == atomic_load(&nodes_freed),
          "%lld nodes finalized, %lld freed", (long long)atomic_load(&nodes_finalized),
          (long long)atomic_load(&nodes_freed));
    CHECK(atomic_load(&double_finalized) == 0, "a node finalized twice or freed unfinalized");
    CHECK(atomic_load(&callbacks_bad) == 0, "a callback found its weak reference alive");
    /* No weak reference reaches a node that is not reachable (freed ones
     * must have been cleared). */
    for (int t = 0; t < g.threads; t++) {
        rc_object *weak = g.workers[t].weak;
        for (int64_t i = 0; i < rc_list_size(weak); i++) {
            rc_object *wr = rc_list_get(weak, i);
            rc_object *o = rc_weakref_get(wr);
            CHECK(o != NULL, "rc_weakref_get: %s", rc_error_message());
            CHECK(rc_is_none(o) || set_has(&k.seen, o),
                  "a weak reference reaches an unreachable node");
            rc_decref(o);
            rc_decref(wr);
        }
    }
    free(k.seen.slots);
    free(k.stack);
}

static void check_all(void) {
    check_tokens();
    check_reachable();
    g.checks++;
}

/* ---- the threads ------------------------------------------------------------------- */

/* All threads meet, offline (so that a global lock is not held across the
 * wait); one of them checks with every other one still waiting offline. */
static void meet_and_check(void) {
    int serial;
    RC_BEGIN_ALLOW_THREADS
    serial = pthread_barrier_wait(&g.barrier) == PTHREAD_BARRIER_SERIAL_THREAD;
    RC_END_ALLOW_THREADS
    if (serial) {
        check_all();
        bool out_of_time = g.seconds > 0 && (double)(now_ns() - g.start_ns) / 1e9 >= g.seconds;
        /* The first check comes before any operation: epochs + 1 in all. */
        bool out_of_epochs = g.epochs > 0 && g.checks > g.epochs;
        if (out_of_time || out_of_epochs)
            atomic_store(&g.stop, 1);
    }
    RC_BEGIN_ALLOW_THREADS
    /* The barrier's own synchronisation orders the checker's stores before
     * every thread's loads after it. */
    pthread_barrier_wait(&g.barrier);
    RC_END_ALLOW_THREADS
}

static void *worker_main(void *arg) {
    worker *w = arg;
    CHECK(rc_thread_attach() == RC_OK, "rc_thread_attach: %s", rc_error_message());
    w->hand = rc_list_new();
    w->weak = rc_list_new();
    CHECK(w->hand && w->weak, "rc_list_new");
    meet_and_check(); /* every hand exists before the first move */
    while (!atomic_load(&g.stop)) {
        for (int i = 0; i < EPOCH_OPS; i++) {
            one_op(w);
            if (i % 64 == 0)
                rc_checkpoint();
        }
        meet_and_check();
    }
    rc_thread_detach();
    return NULL;
}

/* ---- main -------------------------------------------------------------------------- */

static const char *option(int argc, char **argv, const char *flag, const char *env) {
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], flag) == 0)
            return argv[i + 1];
    return getenv(env);
}

int main(int argc, char **argv) {
    const char *s = option(argc, argv, "--seed", "RC_STRESS_SEED");
    const char *ops = option(argc, argv, "--ops", "RC_STRESS_OPS");
    const char *secs = option(argc, argv, "--seconds", "RC_STRESS_SECONDS");
    const char *threads = option(argc, argv, "--threads", "RC_STRESS_THREADS");
    seed = s ? strtoull(s, NULL, 0) : 1;
    g.threads = threads ? atoi(threads) : 4;
    g.seconds = secs ? atof(secs) : 0;
    int64_t per_thread = ops ? atoll(ops) : (g.seconds > 0 ? 0 : 20000);
    g.epochs = per_thread > 0 ? (per_thread + EPOCH_OPS - 1) / EPOCH_OPS : 0;
    if (g.threads < 1 || g.threads > MAX_THREADS || (g.epochs == 0 && g.seconds <= 0)) {
        fprintf(stderr, "usage: %s [--seed S] [--ops N | --seconds T] [--threads 1..%d]\n",
                argv[0], MAX_THREADS);
        return 2;
    }
    printf("random_stress: %s, seed %llu, %d threads, %s\n", RC_STRATEGY_NAME,
           (unsigned long long)seed, g.threads,
           g.epochs ? "bounded by operations" : "bounded by time");
    fflush(stdout);

    CHECK(rc_runtime_start() == RC_OK, "rc_runtime_start: %s", rc_error_message());
    for (int i = 0; i < SHARED_LISTS; i++)
        g.lists[i] = rc_list_new();
    g.dict = rc_dict_new();
    g.garden = rc_list_new();
    g.immortals = rc_list_new();
    for (int i = 0; i < TOKENS; i++) {
        rc_object *t = rc_int_from_i64(TOKEN_BASE + i);
        CHECK(t != NULL, "token");
        g.tokens[i] = t;
        CHECK(rc_list_append_steal(g.lists[i % SHARED_LISTS], t) == RC_OK, "append token");
    }
    CHECK(pthread_barrier_init(&g.barrier, NULL, (unsigned)g.threads) == 0, "barrier");
    g.start_ns = now_ns();
    pthread_t tids[MAX_THREADS];
    int64_t total_ops = 0;
    RC_BEGIN_ALLOW_THREADS
    for (int t = 0; t < g.threads; t++) {
        g.workers[t] = (worker){.index = t, .rng = seed * 1000003u + (uint64_t)t};
        CHECK(pthread_create(&tids[t], NULL, worker_main, &g.workers[t]) == 0, "thread");
    }
    for (int t = 0; t < g.threads; t++)
        pthread_join(tids[t], NULL);
    RC_END_ALLOW_THREADS
    pthread_barrier_destroy(&g.barrier);
    for (int t = 0; t < g.threads; t++)
        total_ops += g.workers[t].ops;
    /* The workers are gone: check once more from here, then tear down. */
    check_all();
    int64_t garbage_nodes = atomic_load(&nodes_freed);
    for (int t = 0; t < g.threads; t++) {
        rc_decref(g.workers[t].hand);
        rc_decref(g.workers[t].weak);
    }
    for (int i = 0; i < SHARED_LISTS; i++)
        rc_decref(g.lists[i]);
    rc_decref(g.dict);
    rc_decref(g.garden);
    rc_decref(g.immortals);
    CHECK(rc_gc_collect() >= 0, "collect");
    /* What is left: the one int each immortal list holds, until stop. */
    int64_t held = atomic_load(&g.immortalized);
    held = held < IMMORTAL_MAX ? held : IMMORTAL_MAX;
    CHECK(rc_live_objects() == held, "%lld objects left alive at the end (%lld expected)",
          (long long)rc_live_objects(), (long long)held);
    CHECK(atomic_load(&nodes_made) == atomic_load(&nodes_freed), "nodes leaked");
    CHECK(rc_runtime_stop() == RC_OK, "rc_runtime_stop: %s", rc_error_message());
    printf("random_stress: ok: %lld operations, %lld checks, %lld nodes (%lld freed before "
           "the end), %lld weak callbacks\n",
           (long long)total_ops, (long long)g.checks, (long long)atomic_load(&nodes_made),
           (long long)garbage_nodes, (long long)atomic_load(&callbacks_run));
    return 0;
}
