/*
 * locking/finegrained/finegrained.c -- threads and stop-the-world for the
 * fine-grained strategy.
 *
 * The registry, the thread states and the stop protocol are
 * locking/threads/ (threads.h states them); this file adds what is its own:
 * the thread's state lives in thread-local storage (rcs_fg_self), the stop
 * request is one global flag that every checkpoint reads, and the blocking
 * points are the release region and the mutex's sleep (through its
 * blocking hooks).
 */
#include "locking/strategy.h"

_Thread_local rcs_thread_state rcs_fg_self;
atomic_int rcs_fg_stop_requested;

/* ---- blocking points --------------------------------------------------------- */

static void fg_block_begin(void) {
    if (rcs_threads_taking_part(&rcs_fg_self))
        rcs_threads_block_begin(&rcs_fg_self);
}

static void fg_block_end(void) {
    if (rcs_threads_taking_part(&rcs_fg_self))
        rcs_threads_block_end(&rcs_fg_self);
}

static const rcs_block_hooks fg_block_hooks = {fg_block_begin, fg_block_end};

void rcs_lock_end_bias(rcs_mutex *m) {
    /* Relaxed: no owner, so no biased section to order with; the mutex's
     * own acquire and release order the holders (object_locks.h). */
    atomic_fetch_or_explicit(&m->bits, RCS_LOCK_PLAIN, memory_order_relaxed);
}

void rcs_allow_threads_begin(void) {
    fg_block_begin();
}

void rcs_allow_threads_end(void) {
    fg_block_end();
}

void rcs_checkpoint_slow(void) {
    if (!rcs_fg_self.stopped_world)
        rcs_threads_pause(&rcs_fg_self);
}

/* ---- runtime and threads -------------------------------------------------------- */

int rcs_runtime_start(const rcs_hooks *hooks) {
    (void)hooks; /* this strategy never defers a deallocation */
    rcs_threads_lock();
    bool fresh = rcs_threads_open_locked();
    rcs_threads_unlock();
    if (!fresh)
        return -1;
    rcs_mutex_set_block_hooks(&fg_block_hooks);
    return rcs_thread_attach();
}

void rcs_runtime_stop(void) {
    rcs_thread_detach();
    rcs_threads_close();
    rcs_mutex_set_block_hooks(NULL);
}

int rcs_thread_attach(void) {
    rcs_threads_lock();
    bool ok = rcs_threads_started_locked() && !rcs_fg_self.attached;
    if (ok)
        rcs_threads_link_locked(&rcs_fg_self);
    rcs_threads_unlock();
    return ok ? 0 : -1;
}

void rcs_thread_detach(void) {
    if (!rcs_fg_self.attached)
        return;
    rcs_threads_lock();
    rcs_threads_unlink_locked(&rcs_fg_self);
    rcs_threads_unlock();
}

/* ---- stop the world ------------------------------------------------------------------ */

/* The request is one flag for everyone (threads.h's request function). */
static void fg_request(rcs_thread_state *self, bool stop) {
    (void)self;
    /* Relaxed: the flag only sends threads to the slow path, which rechecks
     * the stop under the registry mutex; that mutex orders the rest
     * (threads.h, paragraph (3)). */
    atomic_store_explicit(&rcs_fg_stop_requested, stop, memory_order_relaxed);
}

void rcs_stop_world(void) {
    rcs_threads_lock();
    rcs_threads_stop_locked(&rcs_fg_self, fg_request);
    rcs_threads_unlock();
}

void rcs_start_world(void) {
    rcs_threads_lock();
    rcs_threads_restart_locked(&rcs_fg_self, fg_request);
    rcs_threads_unlock();
}

/* ---- counters ----------------------------------------------------------- */

void rcs_get_stats(rcs_stats *out) {
    *out = (rcs_stats){.lock_waits = rcs_mutex_waits()};
}
