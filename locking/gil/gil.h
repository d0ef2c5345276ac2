/*
 * locking/gil/gil.h -- the global interpreter lock strategy: fast paths.
 *
 * One lock protects every object. A thread must hold it to run object code,
 * so reference counts are plain integers and object locks are empty: the
 * GIL serialises all of it. Threads take turns: a waiter that has waited a
 * switch interval asks the holder to drop the lock at its next checkpoint
 * (see gil.c for the hand-off protocol, modelled on CPython's since 3.2).
 *
 * Included only through locking/strategy.h, which documents every name.
 */
#ifndef RC_LOCKING_GIL_H
#define RC_LOCKING_GIL_H

#ifndef RC_LOCKING_STRATEGY_H
#error "include locking/strategy.h, not a strategy header"
#endif

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define RCS_NAME "gil"
#define RCS_THREAD_SAFE 1
#define RCS_PARALLEL 0
#define RCS_LOCKFREE_READS 0

/* ---- header and counts ---------------------------------------------------
 * refcnt >= 0: the number of references. refcnt < 0: immortal. The sign
 * test costs the same as a saturation test and keeps immortal headers
 * unwritten, so static objects can live in read-only-in-spirit memory and
 * never cause a cache line to bounce. Every access happens with the GIL
 * held, so plain loads and stores suffice: the GIL's mutex orders them. */
typedef struct rcs_header {
    int64_t refcnt;
} rcs_header;

#define RCS_GIL_IMMORTAL INT64_MIN
#define RCS_HEADER_IMMORTAL_INIT {RCS_GIL_IMMORTAL}

static inline void rcs_header_init(rcs_header *h) {
    h->refcnt = 1;
}

static inline void rcs_incref(rcs_header *h) {
    if (h->refcnt >= 0)
        h->refcnt++;
}

static inline bool rcs_decref(rcs_header *h) {
    int64_t c = h->refcnt;
    if (c < 0)
        return false;
    h->refcnt = c - 1;
    return c == 1;
}

static inline bool rcs_try_incref(rcs_header *h) {
    if (h->refcnt == 0)
        return false;
    rcs_incref(h);
    return true;
}

static inline int64_t rcs_refcount(const rcs_header *h) {
    return h->refcnt < 0 ? RCS_IMMORTAL_COUNT : h->refcnt;
}

static inline void rcs_make_immortal(rcs_header *h) {
    h->refcnt = RCS_GIL_IMMORTAL;
}

static inline bool rcs_is_immortal(const rcs_header *h) {
    return h->refcnt < 0;
}

/* ---- object locks: the GIL already excludes every other thread ---------- */
static inline void rcs_lock(rcs_header *h) {
    (void)h;
}
static inline void rcs_unlock(rcs_header *h) {
    (void)h;
}
static inline void rcs_lock2(rcs_header *a, rcs_header *b) {
    (void)a;
    (void)b;
}
static inline void rcs_unlock2(rcs_header *a, rcs_header *b) {
    (void)a;
    (void)b;
}

/* Readers hold the GIL too: plain loads and stores. */
static inline void *rcs_load_shared_ptr(void *const *pp) {
    return *pp;
}
static inline void rcs_store_shared_ptr(void **pp, void *v) {
    *pp = v;
}

/* ---- threads -------------------------------------------------------------- */

/* Per-thread state; lives in thread-local storage (see gil.c). */
typedef struct rcs_gil_thread {
    bool attached;  /* between rcs_thread_attach and rcs_thread_detach */
    bool holds_gil; /* attached and not inside the release region */
} rcs_gil_thread;

extern _Thread_local rcs_gil_thread rcs_gil_self;

/* Set (under the GIL's mutex) by a waiter that has waited a whole switch
 * interval; read by the checkpoint without the mutex. Relaxed is enough: a
 * stale 0 only delays the hand-off to the next checkpoint, and the hand-off
 * itself synchronises through the mutex. (C11 atomics rather than ck_pr
 * here: ck 0.7.1's loads and stores are plain volatile accesses, which
 * ThreadSanitizer cannot tell from a race.) */
extern atomic_int rcs_gil_drop_request;

int rcs_runtime_start(const rcs_hooks *hooks);
void rcs_runtime_stop(void);
int rcs_thread_attach(void);
void rcs_thread_detach(void);
void rcs_allow_threads_begin(void);
void rcs_allow_threads_end(void);
void rcs_checkpoint_slow(void);
void rcs_set_switch_interval_ns(uint64_t ns);
uint64_t rcs_switch_interval_ns(void);
void rcs_get_stats(rcs_stats *out);

static inline void rcs_checkpoint(void) {
    if (__builtin_expect(atomic_load_explicit(&rcs_gil_drop_request, memory_order_relaxed), 0))
        rcs_checkpoint_slow();
}

static inline bool rcs_thread_is_attached(void) {
    return rcs_gil_self.holds_gil;
}

/* ---- stop the world: holding the GIL already stops every other thread --- */
static inline void rcs_stop_world(void) {}
static inline void rcs_start_world(void) {}

/* ---- runtime-wide structures: the GIL protects them ---------------------- */
static inline void rcs_runtime_lock(void) {}
static inline void rcs_runtime_unlock(void) {}

/* ---- safe reclamation: no reader runs without the GIL, so free now ------- */
static inline void rcs_retire(void *p, void (*free_fn)(void *)) {
    free_fn(p);
}

#endif /* RC_LOCKING_GIL_H */
