/*
 * locking/plain/plain.h -- plain reference counts and no object locks: the
 * part of the seam that the gil and nolock strategies share. Under //:gil it
 * is safe because only the thread holding the global lock runs object code;
 * under //:nolock it is not, and that is what the benchmarks show.
 *
 * Included by locking/gil/gil.h and locking/nolock/nolock.h only; the names
 * are documented in locking/strategy.h.
 */
#ifndef RC_LOCKING_PLAIN_H
#define RC_LOCKING_PLAIN_H

#ifndef RC_LOCKING_STRATEGY_H
#error "include locking/strategy.h, not a strategy header"
#endif

#include <stdbool.h>
#include <stdint.h>

/* ---- header and counts ---------------------------------------------------
 * refcnt >= 0: the number of references. refcnt < 0: immortal. The sign
 * test costs the same as a saturation test and keeps immortal headers
 * unwritten, so static objects can live in read-only-in-spirit memory and
 * never cause a cache line to bounce. Plain loads and stores: under the
 * GIL its mutex orders them; under nolock nothing does. */
typedef struct rcs_header {
    int64_t refcnt;
} rcs_header;

#define RCS_PLAIN_IMMORTAL INT64_MIN
#define RCS_HEADER_IMMORTAL_INIT {RCS_PLAIN_IMMORTAL}

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

static inline void rcs_allow_try_incref(rcs_header *h) {
    (void)h; /* try-incref already succeeds on any live object */
}

static inline int64_t rcs_refcount(const rcs_header *h) {
    return h->refcnt < 0 ? RCS_IMMORTAL_COUNT : h->refcnt;
}

static inline void rcs_make_immortal(rcs_header *h) {
    h->refcnt = RCS_PLAIN_IMMORTAL;
}

static inline bool rcs_is_immortal(const rcs_header *h) {
    return h->refcnt < 0;
}

/* ---- object locks: none (the GIL excludes every other thread already;
 * nolock protects nothing) ---------------------------------------------------- */
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

/* Plain loads and stores: readers hold the GIL too, or (nolock) nothing
 * is promised. */

/* ---- runtime-wide structures: nothing to lock ------------------------------ */
static inline void rcs_runtime_lock(void) {}
static inline void rcs_runtime_unlock(void) {}

#endif /* RC_LOCKING_PLAIN_H */
