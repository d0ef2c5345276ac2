/*
 * locking/nolock/nolock.c -- the unprotected strategy's thread bookkeeping.
 *
 * There is no lock to take, so attaching, detaching and the release region
 * only flip per-thread flags (for rcs_thread_is_attached and the debug
 * checks). The runtime-wide state is a started flag, a C11 atomic: the strategy leaves
 * objects unprotected on purpose, but its own bookkeeping should not add
 * races of its own to what the benchmarks measure. No global lock, so no
 * switch interval (strategy.h's default ignores it).
 *
 * UNSAFE WITH MORE THAN ONE THREAD; see nolock.h.
 */
#include "locking/strategy.h"

#include <stdatomic.h>

_Thread_local rcs_nolock_thread rcs_nolock_self;

static atomic_bool nolock_started;

int rcs_runtime_start(const rcs_hooks *hooks) {
    (void)hooks; /* never defers a deallocation */
    bool expected = false;
    /* seq_cst, more than needed: start publishes nothing (the thread flags
     * are thread-local), so the flag is
     * wanted only for its value and this CAS for its atomicity, which any
     * order gives; harmless, once per start. The same holds for the store
     * in stop and the load in attach. */
    if (!atomic_compare_exchange_strong(&nolock_started, &expected, true))
        return -1;
    return rcs_thread_attach();
}

void rcs_runtime_stop(void) {
    rcs_thread_detach();
    atomic_store(&nolock_started, false); /* seq_cst: more than needed, see start */
}

int rcs_thread_attach(void) {
    /* seq_cst: more than needed, nothing to acquire (see start). */
    if (!atomic_load(&nolock_started) || rcs_nolock_self.attached)
        return -1;
    rcs_nolock_self.attached = true;
    rcs_nolock_self.released = false;
    return 0;
}

void rcs_thread_detach(void) {
    rcs_nolock_self.attached = false;
    rcs_nolock_self.released = false;
}

void rcs_allow_threads_begin(void) {
    rcs_nolock_self.released = true;
}

void rcs_allow_threads_end(void) {
    rcs_nolock_self.released = false;
}

/* No lock, so nothing to count. */
void rcs_get_stats(rcs_stats *out) {
    *out = (rcs_stats){0};
}
