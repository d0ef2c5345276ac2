/*
 * locking/biased/biased_internal.h -- what biased.c and reclaim.c share.
 */
#ifndef RC_LOCKING_BIASED_INTERNAL_H
#define RC_LOCKING_BIASED_INTERNAL_H

#include "locking/strategy.h"

/* A blocking point that is also a quiescent one (biased.c): offline for
 * QSBR, BLOCKED for stop-the-world, so neither waits for this thread. The
 * thread must not touch objects in between; it may hold object locks. End
 * waits out a stop in progress. No-ops for a thread that is not attached,
 * has stopped the world, or has flushed. */
void rcs_bi_blocking_begin(void);
void rcs_bi_blocking_end(void);

/* ---- QSBR (reclaim.c) ---- */
/* pre: attached. The caller holds no pointer read lock-free: report it. */
void rcs_bi_qsbr_quiescent(void);
/* The thread goes offline (release region, lock wait, exit) / back online. */
void rcs_bi_qsbr_offline(void);
void rcs_bi_qsbr_online(void);
/* Gives t (attaching, not yet registered) its slot, offline; false when out
 * of memory. Unreserve gives it back (an attach that fails later). */
bool rcs_bi_qsbr_reserve(rcs_bi_thread *t);
void rcs_bi_qsbr_unreserve(rcs_bi_thread *t);
/* Frees what every other thread has passed (the caller counts as quiescent). */
void rcs_bi_reclaim(rcs_bi_thread *t);
/* Exit: hand what is left to the abandoned list (or free it when alone). */
void rcs_bi_reclaim_exit(rcs_bi_thread *t);
/* Runtime stop: the caller is alone; free everything, drop the spares. */
void rcs_bi_reclaim_all(void);
/* The bytes exited threads left to the others (for the counters). */
uint64_t rcs_bi_abandoned_bytes(void);

#endif /* RC_LOCKING_BIASED_INTERNAL_H */
