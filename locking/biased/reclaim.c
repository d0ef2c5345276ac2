/*
 * locking/biased/reclaim.c -- safe reclamation for lock-free readers: a QSBR
 * of our own, in the shape of CPython's Python/qsbr.c.
 *
 * A global write sequence `wr_seq` (odd, +2 per advance). Each attached
 * thread has a slot holding the wr_seq it saw at its last quiescent point,
 * or 0 while offline (release region, lock wait, exited). A retired block
 * goes on its thread's list of chunks; when a chunk is sealed it gets the
 * goal wr_seq + 2 from an advance made after every one of its blocks was
 * unlinked; it may be freed once every other online thread's slot has
 * reached the goal. The retiring thread itself counts as quiescent whenever
 * it reclaims, because no lock-free read window calls rcs_retire (the rule
 * in strategy.h), which is also what lets a lone thread free at once.
 *
 * Quiescent points: checkpoints, and every reclaim of the thread's own
 * list (each CHUNK_ITEMS retires). Offline: release regions and sleeps on
 * an object mutex. The thread that has stopped the world frees at once:
 * every other thread is paused at a quiescent point or offline.
 *
 * Bound: a thread reclaims each time a chunk fills, and asks the threads
 * that hold it back (their breaker's QSBR bit, read at their checkpoint) to
 * report quiescence. Memory held is then bounded by how often the others
 * reach a checkpoint, a lock wait or a retire of their own; a thread that
 * does none of these for long holds reclamation back, as in CPython.
 *
 * Exit: a thread's leftovers move to the abandoned list (sealed, with a
 * goal), which any thread's reclaim drains when it can take its lock.
 */
#include "locking/biased/biased_internal.h"

#include <stdlib.h>

#define CHUNK_ITEMS 64

typedef struct rcs_bi_item {
    void *p;
    void (*free_fn)(void *);
} rcs_bi_item;

typedef struct rcs_bi_chunk {
    struct rcs_bi_chunk *next;
    uint64_t goal; /* 0: still open */
    uint32_t n;
    rcs_bi_item items[CHUNK_ITEMS];
} rcs_bi_chunk;

/* A thread's QSBR slot; never freed, reused by later threads. */
typedef struct rcs_bi_qslot {
    _Atomic uint64_t seq;                  /* 0: offline */
    _Atomic(rcs_bi_thread *) owner;        /* to ask for a quiescent point */
    struct rcs_bi_qslot *all_next;         /* immutable once published */
    struct rcs_bi_qslot *free_next;        /* under slots_mutex */
} rcs_bi_qslot;

static _Atomic uint64_t wr_seq = 1;
static _Atomic(rcs_bi_qslot *) slots;      /* every slot ever made */
static pthread_mutex_t slots_mutex = PTHREAD_MUTEX_INITIALIZER;
static rcs_bi_qslot *free_slots;           /* under slots_mutex */
static rcs_bi_chunk *abandoned_head, *abandoned_tail; /* under slots_mutex */

/* ---- slots --------------------------------------------------------------------- */

static rcs_bi_qslot *slot_get(void) {
    pthread_mutex_lock(&slots_mutex);
    rcs_bi_qslot *s = free_slots;
    if (s)
        free_slots = s->free_next;
    pthread_mutex_unlock(&slots_mutex);
    if (s)
        return s;
    s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    rcs_bi_qslot *head = atomic_load_explicit(&slots, memory_order_relaxed);
    do {
        s->all_next = head;
    } while (!atomic_compare_exchange_weak_explicit(&slots, &head, s, memory_order_release,
                                                    memory_order_relaxed));
    return s;
}

static void slot_put(rcs_bi_qslot *s) {
    atomic_store_explicit(&s->owner, NULL, memory_order_relaxed);
    pthread_mutex_lock(&slots_mutex);
    s->free_next = free_slots;
    free_slots = s;
    pthread_mutex_unlock(&slots_mutex);
}

void rcs_bi_qsbr_online(void) {
    rcs_bi_thread *t = rcs_bi_self;
    if (!t->qslot) {
        t->qslot = slot_get();
        if (!t->qslot)
            return; /* no slot: this thread never reads lock-free safely... */
        atomic_store_explicit(&t->qslot->owner, t, memory_order_relaxed);
    }
    /* seq_cst: pairs with the fence in reclaim. Either the reclaimer sees us
     * online, or our later loads see its unlinking stores. */
    atomic_store_explicit(&t->qslot->seq, atomic_load(&wr_seq), memory_order_seq_cst);
}

void rcs_bi_qsbr_offline(void) {
    rcs_bi_thread *t = rcs_bi_self;
    if (t->qslot) /* release: our reads are done before anyone sees us offline */
        atomic_store_explicit(&t->qslot->seq, 0, memory_order_release);
}

void rcs_bi_qsbr_quiescent(void) {
    rcs_bi_thread *t = rcs_bi_self;
    if (!t->qslot)
        return;
    /* Acquire on wr_seq: what was unlinked before that advance is visible
     * to our later reads; release on seq: our earlier reads are done. */
    uint64_t w = atomic_load_explicit(&wr_seq, memory_order_acquire);
    atomic_store_explicit(&t->qslot->seq, w, memory_order_release);
}

/* The least seq of the other online threads (UINT64_MAX: none online).
 * Asks those behind `want` to report a quiescent point. */
static uint64_t others_min_seq(const rcs_bi_qslot *mine, uint64_t want) {
    uint64_t min = UINT64_MAX;
    for (rcs_bi_qslot *s = atomic_load_explicit(&slots, memory_order_acquire); s;
         s = s->all_next) {
        if (s == mine)
            continue;
        uint64_t q = atomic_load_explicit(&s->seq, memory_order_acquire);
        if (q == 0)
            continue;
        if (q < min)
            min = q;
        if (q < want) {
            rcs_bi_thread *o = atomic_load_explicit(&s->owner, memory_order_relaxed);
            if (o)
                atomic_fetch_or_explicit(&o->breaker, RCS_BI_BREAK_QSBR, memory_order_relaxed);
        }
    }
    return min;
}

static void abandon_chunk(rcs_bi_chunk *c);

/* ---- chunks --------------------------------------------------------------------- */

static void chunk_free_items(rcs_bi_chunk *c) {
    for (uint32_t i = 0; i < c->n; i++)
        c->items[i].free_fn(c->items[i].p);
    c->n = 0;
}

/* Frees the ripe chunks at the front of a list; returns the new head. */
static rcs_bi_chunk *free_ripe(rcs_bi_chunk *c, uint64_t min, rcs_bi_chunk **spare,
                               uint64_t *count) {
    while (c && c->goal && c->goal <= min) {
        rcs_bi_chunk *next = c->next;
        if (count)
            *count -= c->n;
        chunk_free_items(c);
        if (spare && !*spare) {
            *spare = c;
        } else {
            free(c);
        }
        c = next;
    }
    return c;
}

/* Seals every open chunk of t: one advance after all their blocks were
 * unlinked (the seq_cst fence orders our unlinking stores before it). */
static uint64_t seal(rcs_bi_thread *t) {
    atomic_thread_fence(memory_order_seq_cst);
    uint64_t goal = atomic_fetch_add(&wr_seq, 2) + 2;
    for (rcs_bi_chunk *c = t->retired_head; c; c = c->next)
        if (!c->goal)
            c->goal = goal;
    return goal;
}

/* wait = false: only if the lock is free (a miss only delays the frees). */
static void abandoned_reclaim(uint64_t min, bool wait) {
    if (wait)
        pthread_mutex_lock(&slots_mutex);
    else if (pthread_mutex_trylock(&slots_mutex) != 0)
        return;
    abandoned_head = free_ripe(abandoned_head, min, NULL, NULL);
    if (!abandoned_head)
        abandoned_tail = NULL;
    pthread_mutex_unlock(&slots_mutex);
}

void rcs_bi_reclaim(rcs_bi_thread *t) {
    if (!t->retired_head)
        return;
    uint64_t goal = seal(t);
    rcs_bi_qsbr_quiescent(); /* we hold nothing read lock-free here */
    uint64_t min = others_min_seq(t->qslot, goal);
    t->retired_head = free_ripe(t->retired_head, min, &t->spare_chunk, &t->retired_count);
    if (!t->retired_head)
        t->retired_tail = NULL;
    abandoned_reclaim(min, false);
}

void rcs_retire(void *p, void (*free_fn)(void *)) {
    rcs_bi_thread *t = rcs_bi_self;
    if (t->stopped_world) {
        /* Every other thread is paused at a quiescent point or offline. */
        free_fn(p);
        return;
    }
    if (!t->attached || t->flushed) { /* exiting: hand it to the others */
        rcs_bi_chunk *one = malloc(sizeof *one);
        if (!one) {
            free_fn(p); /* leaking would be worse; exiting threads read nothing */
            return;
        }
        *one = (rcs_bi_chunk){.n = 1};
        one->items[0] = (rcs_bi_item){p, free_fn};
        atomic_thread_fence(memory_order_seq_cst);
        one->goal = atomic_fetch_add(&wr_seq, 2) + 2;
        abandon_chunk(one);
        return;
    }
    rcs_bi_chunk *c = t->retired_tail;
    if (!c || c->goal || c->n == CHUNK_ITEMS) {
        c = t->spare_chunk;
        t->spare_chunk = NULL;
        if (!c)
            c = malloc(sizeof *c);
        if (!c) { /* out of memory: stop the world, which makes it safe */
            rcs_stop_world();
            free_fn(p);
            rcs_start_world();
            return;
        }
        c->next = NULL;
        c->goal = 0;
        c->n = 0;
        if (t->retired_tail)
            t->retired_tail->next = c;
        else
            t->retired_head = c;
        t->retired_tail = c;
    }
    c->items[c->n++] = (rcs_bi_item){p, free_fn};
    t->retired_count++;
    if (c->n == CHUNK_ITEMS)
        rcs_bi_reclaim(t);
}

/* Appends a list of sealed chunks to the abandoned list. */
static void abandon_chunk(rcs_bi_chunk *c) {
    pthread_mutex_lock(&slots_mutex);
    if (abandoned_tail)
        abandoned_tail->next = c;
    else
        abandoned_head = c;
    for (; c; c = c->next)
        abandoned_tail = c;
    pthread_mutex_unlock(&slots_mutex);
}

void rcs_bi_reclaim_exit(rcs_bi_thread *t) {
    rcs_bi_qsbr_offline();
    if (t->retired_head) {
        seal(t);
        uint64_t min = others_min_seq(t->qslot, 0);
        t->retired_head = free_ripe(t->retired_head, min, NULL, NULL);
        if (t->retired_head) {
            abandon_chunk(t->retired_head);
        }
        abandoned_reclaim(min, true);
    } else {
        abandoned_reclaim(others_min_seq(t->qslot, 0), true);
    }
    t->retired_head = t->retired_tail = NULL;
    t->retired_count = 0;
    free(t->spare_chunk);
    t->spare_chunk = NULL;
    if (t->qslot) {
        slot_put(t->qslot);
        t->qslot = NULL;
    }
}

void rcs_bi_reclaim_all(void) {
    pthread_mutex_lock(&slots_mutex);
    rcs_bi_chunk *c = abandoned_head;
    abandoned_head = abandoned_tail = NULL;
    pthread_mutex_unlock(&slots_mutex);
    while (c) {
        rcs_bi_chunk *next = c->next;
        chunk_free_items(c);
        free(c);
        c = next;
    }
}
