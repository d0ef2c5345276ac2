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
 * list (each time a chunk closes). Offline: release regions, sleeps on an
 * object mutex, and waits at the bound below. The thread that has stopped
 * the world frees at once: every other thread is paused at a quiescent
 * point or offline.
 *
 * Bound, in the bytes the retires declared (rcs_retire counts a nominal
 * size; rcs_retire_sized the true one). A thread reclaims each time a
 * chunk closes, at CHUNK_ITEMS blocks or CHUNK_BYTES, and asks the threads
 * that hold it back (their breaker's QSBR bit, read at their checkpoint) to
 * report quiescence. Holding more than SOFT_BYTES, it also frees what is
 * ripe at every retire, without sealing (CPython's qsbr_poll, done when
 * its should-process test says the deferred memory is too large). Holding
 * more than RCS_RETIRE_BOUND_BYTES, it seals everything and waits for the
 * others to pass, offline (a blocking point, like a lock wait: the others
 * never wait for it meanwhile, and a stop-the-world proceeds), but at most
 * WAIT_NS: a thread that reaches no quiescent point for that long (a loop
 * with no checkpoint) must not stall the retiring one for ever. After a
 * wait that timed out, the next waits only once it holds another
 * CHUNK_BYTES, so a stuck thread slows the retiring one down to one wait
 * per chunk rather than one per retire. So with every thread reaching a
 * quiescent point within WAIT_NS, a thread never holds more than the
 * bound plus the block that crossed it.
 *
 * Exit: a thread's leftovers move to the abandoned list (sealed, with a
 * goal), which any thread's reclaim drains when it can take its lock.
 *
 * Why not ConcurrencyKit's ck_epoch (issue 13): its sections would bracket
 * every lock-free read, which QSBR leaves unmarked: 31 instructions per
 * read against 17 (7.3 against 1.5 ns, best of 11: the begin is a locked
 * exchange). Its entries live inside the retired block, and these blocks
 * (item arrays, tables, object memory) have no room, so each retire would
 * allocate one: 407 instructions against 229 here (42 against 22 ns). The
 * bound on what a thread holds, and its wait that gives up, would still be
 * ours.
 */
#include "locking/biased/biased_internal.h"

#include <pthread.h>
#include <stdlib.h>

#include "locking/alloc/alloc.h"
#include <time.h>

#define CHUNK_ITEMS 64
#define CHUNK_BYTES (RCS_RETIRE_BOUND_BYTES / 64) /* 128 KiB */
#define SOFT_BYTES (RCS_RETIRE_BOUND_BYTES / 8)   /* 1 MiB */
#define WAIT_NS 50000000ull                       /* the most one wait at the bound lasts */
#define WAIT_POLL_NS 20000                        /* between two looks at the others */

typedef struct rcs_bi_item {
    void *p;
    void (*free_fn)(void *);
} rcs_bi_item;

typedef struct rcs_bi_chunk {
    struct rcs_bi_chunk *next;
    uint64_t goal;  /* 0: still open */
    uint64_t bytes; /* what its items' retires declared */
    uint32_t n;
    rcs_bi_item items[CHUNK_ITEMS];
} rcs_bi_chunk;

/* What free_ripe freed, for the caller's accounts. */
typedef struct rcs_bi_tally {
    uint64_t items, bytes;
} rcs_bi_tally;

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
/* The bytes on the abandoned list: written under slots_mutex, read by the
 * counters without it. */
static _Atomic uint64_t abandoned_bytes;

/* ---- bytes held ------------------------------------------------------------------ */

/* A thread's retired_bytes and retired_peak change only on its own thread
 * (the counters read them from others): loads and stores, no RMW, relaxed
 * (biased.c, O1: the counters want a snapshot). */
static uint64_t held(rcs_bi_thread *t) {
    return atomic_load_explicit(&t->retired_bytes, memory_order_relaxed);
}

static void held_set(rcs_bi_thread *t, uint64_t bytes) {
    atomic_store_explicit(&t->retired_bytes, bytes, memory_order_relaxed);
    if (bytes > atomic_load_explicit(&t->retired_peak, memory_order_relaxed))
        atomic_store_explicit(&t->retired_peak, bytes, memory_order_relaxed);
}

/* pre: slots_mutex held. */
static void abandoned_bytes_add(int64_t delta) {
    /* Relaxed: written only under slots_mutex; read as a snapshot. */
    uint64_t b = atomic_load_explicit(&abandoned_bytes, memory_order_relaxed);
    atomic_store_explicit(&abandoned_bytes, b + (uint64_t)delta, memory_order_relaxed);
}

uint64_t rcs_bi_abandoned_bytes(void) {
    /* Relaxed: a level for the counters, a snapshot. */
    return atomic_load_explicit(&abandoned_bytes, memory_order_relaxed);
}

/* ---- slots --------------------------------------------------------------------- */

static rcs_bi_qslot *slot_get(void) {
    pthread_mutex_lock(&slots_mutex);
    rcs_bi_qslot *s = free_slots;
    if (s)
        free_slots = s->free_next;
    pthread_mutex_unlock(&slots_mutex);
    if (s)
        return s;
    s = rcs_mem_calloc(sizeof *s);
    if (!s)
        return NULL;
    /* The CAS's guess (relaxed, as its failure order); release on success:
     * a reader of the list (acquire, others_min_seq) finds the slot zeroed. */
    rcs_bi_qslot *head = atomic_load_explicit(&slots, memory_order_relaxed);
    do {
        s->all_next = head;
    } while (!atomic_compare_exchange_weak_explicit(&slots, &head, s, memory_order_release,
                                                    memory_order_relaxed));
    return s;
}

static void slot_put(rcs_bi_qslot *s) {
    /* Relaxed: the owner is a hint for whom to ask (others_min_seq); a
     * stale one costs a needless breaker bit. */
    atomic_store_explicit(&s->owner, NULL, memory_order_relaxed);
    pthread_mutex_lock(&slots_mutex);
    s->free_next = free_slots;
    free_slots = s;
    pthread_mutex_unlock(&slots_mutex);
}

bool rcs_bi_qsbr_reserve(rcs_bi_thread *t) {
    if (!t->qslot) {
        t->qslot = slot_get();
        if (!t->qslot)
            return false;
        /* Relaxed: a hint, as in slot_put. */
        atomic_store_explicit(&t->qslot->owner, t, memory_order_relaxed);
    }
    return true;
}

void rcs_bi_qsbr_unreserve(rcs_bi_thread *t) {
    if (t->qslot) {
        slot_put(t->qslot);
        t->qslot = NULL;
    }
}

void rcs_bi_qsbr_online(void) {
    rcs_bi_thread *t = rcs_bi_self;
    if (!t->qslot)
        return; /* never: rcs_thread_attach reserved it (rcs_bi_qsbr_reserve) */
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
    /* Acquire: pairs with slot_get's release. On seq too: pairs with the
     * release of offline and quiescent, so those threads' reads are done
     * before we free. The owner and the breaker are relaxed: a hint, and a
     * bit that only sends a thread to its slow path (biased.c, O3). */
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
            /* Load first: a retiring thread over the soft bound asks at
             * every retire, and the bit is usually still set. */
            if (o && !(atomic_load_explicit(&o->breaker, memory_order_relaxed) &
                       RCS_BI_BREAK_QSBR))
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

/* Frees the ripe chunks at the front of a list, adding what they held to
 * *freed; returns the new head. */
static rcs_bi_chunk *free_ripe(rcs_bi_chunk *c, uint64_t min, rcs_bi_chunk **spare,
                               rcs_bi_tally *freed) {
    while (c && c->goal && c->goal <= min) {
        rcs_bi_chunk *next = c->next;
        freed->items += c->n;
        freed->bytes += c->bytes;
        chunk_free_items(c);
        if (spare && !*spare) {
            *spare = c;
        } else {
            rcs_mem_free(c);
        }
        c = next;
    }
    return c;
}

/* Seals every open chunk of t: one advance after all their blocks were
 * unlinked (the seq_cst fence orders our unlinking stores before it). */
static uint64_t seal(rcs_bi_thread *t) {
    atomic_thread_fence(memory_order_seq_cst);
    /* The advance, seq_cst: after the fence in the single total order. */
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
    rcs_bi_tally freed = {0, 0};
    abandoned_head = free_ripe(abandoned_head, min, NULL, &freed);
    if (!abandoned_head)
        abandoned_tail = NULL;
    abandoned_bytes_add(-(int64_t)freed.bytes);
    pthread_mutex_unlock(&slots_mutex);
}

/* Frees t's chunks that every other online thread has passed, asks those
 * behind `want` for a quiescent point, and drains the abandoned list if
 * its lock is free. pre: t is the caller's entry. */
static void free_passed(rcs_bi_thread *t, uint64_t want) {
    uint64_t min = others_min_seq(t->qslot, want);
    rcs_bi_tally freed = {0, 0};
    t->retired_head = free_ripe(t->retired_head, min, &t->spare_chunk, &freed);
    if (!t->retired_head)
        t->retired_tail = NULL;
    t->retired_count -= freed.items;
    held_set(t, held(t) - freed.bytes);
    if (held(t) <= RCS_RETIRE_BOUND_BYTES)
        t->retire_wait_at = 0; /* back under: the next crossing waits again */
    abandoned_reclaim(min, false);
}

void rcs_bi_reclaim(rcs_bi_thread *t) {
    if (!t->retired_head)
        return;
    uint64_t goal = seal(t);
    rcs_bi_qsbr_quiescent(); /* we hold nothing read lock-free here */
    free_passed(t, goal);
}

/* t holds more than the bound: seal everything, and wait (offline) until
 * every other thread has passed the newest goal, or WAIT_NS has gone by.
 * pre: t is the caller's entry, attached, not flushed, not the stopper. */
static void wait_for_others(rcs_bi_thread *t) {
    if (!t->retired_tail->goal) /* held > 0, so there is a tail */
        rcs_bi_reclaim(t);
    if (held(t) <= RCS_RETIRE_BOUND_BYTES)
        return;
    uint64_t goal = t->retired_tail->goal; /* every chunk is sealed: the newest goal */
    /* Relaxed: an owner-only counter (biased.c, O1). */
    atomic_store_explicit(&t->retire_waits,
                          atomic_load_explicit(&t->retire_waits, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    uint64_t deadline = rcs_monotonic_ns() + WAIT_NS;
    bool passed;
    rcs_bi_blocking_begin();
    while (!(passed = others_min_seq(t->qslot, goal) >= goal) &&
           rcs_monotonic_ns() < deadline)
        nanosleep(&(struct timespec){0, WAIT_POLL_NS}, NULL);
    rcs_bi_blocking_end(); /* back online: a quiescent point of our own */
    free_passed(t, goal);
    /* Timed out: somebody is stuck; wait again only one chunk further on. */
    if (!passed && held(t) > RCS_RETIRE_BOUND_BYTES)
        t->retire_wait_at = held(t) + CHUNK_BYTES;
}

void rcs_retire_sized(void *p, size_t bytes, void (*free_fn)(void *)) {
    rcs_bi_thread *t = rcs_bi_self;
    if (t->ts.stopped_world) {
        /* Every other thread is paused at a quiescent point or offline. */
        free_fn(p);
        return;
    }
    if (!t->ts.attached || t->flushed) { /* exiting: hand it to the others */
        rcs_bi_chunk *one = rcs_mem_alloc(sizeof *one);
        if (!one) {
            free_fn(p); /* leaking would be worse; exiting threads read nothing */
            return;
        }
        *one = (rcs_bi_chunk){.n = 1, .bytes = bytes};
        one->items[0] = (rcs_bi_item){p, free_fn};
        /* The fence and the advance as in seal. */
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
            c = rcs_mem_alloc(sizeof *c);
        if (!c) { /* out of memory: stop the world, which makes it safe */
            rcs_stop_world();
            free_fn(p);
            rcs_start_world();
            return;
        }
        c->next = NULL;
        c->goal = 0;
        c->bytes = 0;
        c->n = 0;
        if (t->retired_tail)
            t->retired_tail->next = c;
        else
            t->retired_head = c;
        t->retired_tail = c;
    }
    c->items[c->n++] = (rcs_bi_item){p, free_fn};
    c->bytes += bytes;
    t->retired_count++;
    held_set(t, held(t) + bytes);
    if (c->n == CHUNK_ITEMS || c->bytes >= CHUNK_BYTES)
        rcs_bi_reclaim(t); /* the chunk closes */
    else if (held(t) > SOFT_BYTES)
        /* Relaxed: only the goal to aim for; what is safe to free is decided
         * by others_min_seq's acquire loads. */
        free_passed(t, atomic_load_explicit(&wr_seq, memory_order_relaxed));
    uint64_t wait_at = t->retire_wait_at ? t->retire_wait_at : RCS_RETIRE_BOUND_BYTES;
    if (held(t) > wait_at)
        wait_for_others(t);
}

/* Appends a list of sealed chunks to the abandoned list. */
static void abandon_chunk(rcs_bi_chunk *c) {
    pthread_mutex_lock(&slots_mutex);
    if (abandoned_tail)
        abandoned_tail->next = c;
    else
        abandoned_head = c;
    for (; c; c = c->next) {
        abandoned_bytes_add((int64_t)c->bytes);
        abandoned_tail = c;
    }
    pthread_mutex_unlock(&slots_mutex);
}

void rcs_bi_reclaim_exit(rcs_bi_thread *t) {
    rcs_bi_qsbr_offline();
    if (t->retired_head) {
        seal(t);
        uint64_t min = others_min_seq(t->qslot, 0);
        rcs_bi_tally freed = {0, 0};
        t->retired_head = free_ripe(t->retired_head, min, NULL, &freed);
        if (t->retired_head) {
            abandon_chunk(t->retired_head);
        }
        abandoned_reclaim(min, true);
    } else {
        abandoned_reclaim(others_min_seq(t->qslot, 0), true);
    }
    t->retired_head = t->retired_tail = NULL;
    t->retired_count = 0;
    held_set(t, 0); /* what is left is on the abandoned list, and counted there */
    t->retire_wait_at = 0;
    rcs_mem_free(t->spare_chunk);
    t->spare_chunk = NULL;
    rcs_bi_qsbr_unreserve(t);
}

void rcs_bi_reclaim_all(void) {
    pthread_mutex_lock(&slots_mutex);
    rcs_bi_chunk *c = abandoned_head;
    abandoned_head = abandoned_tail = NULL;
    /* Relaxed: under slots_mutex, as every write of it. */
    atomic_store_explicit(&abandoned_bytes, 0, memory_order_relaxed);
    pthread_mutex_unlock(&slots_mutex);
    while (c) {
        rcs_bi_chunk *next = c->next;
        chunk_free_items(c);
        rcs_mem_free(c);
        c = next;
    }
}
