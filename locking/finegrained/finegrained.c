/*
 * locking/finegrained/finegrained.c -- threads and stop-the-world for the
 * fine-grained strategy.
 *
 * Every attached thread is on a registry list, with a state:
 *   RUNNING  may touch objects;
 *   BLOCKED  inside a release region, or asleep on a mutex: touches no object
 *            until it comes back, and then first waits for any stop to end;
 *   PAUSED   stopped at a checkpoint because a stop was requested.
 * All state changes other than the owner's own RUNNING <-> BLOCKED go
 * through `registry.mutex`, and `registry.changed` is broadcast whenever a
 * thread pauses, blocks, detaches, or the world restarts.
 *
 * Stop the world: the stopper sets rcs_fg_stop_requested (which every
 * checkpoint reads), then waits until no other registered thread is RUNNING.
 * A RUNNING thread reaches a checkpoint or a blocking point soon (an
 * interpreter loop calls the checkpoint often; a lock wait is a blocking
 * point), and pauses there. Whatever blocks goes through fg_block_begin and
 * fg_block_end, which is what lets a stop proceed past a waiting thread:
 * the lock's sleep (through the mutex's blocking hooks) and the release
 * region alike. Only one stop at a time: a thread that wants to stop the
 * world while another one does pauses first, like everybody else.
 */
#include "locking/strategy.h"

#include <pthread.h>

_Thread_local rcs_fg_thread rcs_fg_self;
atomic_int rcs_fg_stop_requested;

static struct registry {
    pthread_mutex_t mutex;
    pthread_cond_t changed;
    rcs_fg_thread *threads;
    bool started;
    bool stopped;         /* a stop is in force (or being established) */
    uint64_t switch_interval_ns;
} registry = {
    .mutex = PTHREAD_MUTEX_INITIALIZER,
    .changed = PTHREAD_COND_INITIALIZER,
    .switch_interval_ns = 5000000,
};

static void set_state(int state) {
    atomic_store_explicit(&rcs_fg_self.state, state, memory_order_release);
}

/* pre: registry.mutex held. Waits while a stop is in force, in `state`
 * (PAUSED or BLOCKED), then becomes RUNNING. */
static void wait_out_stop_locked(int state) {
    while (registry.stopped && !rcs_fg_self.stopped_world) {
        set_state(state);
        pthread_cond_broadcast(&registry.changed);
        pthread_cond_wait(&registry.changed, &registry.mutex);
    }
    set_state(RCS_FG_RUNNING);
}

/* ---- blocking points --------------------------------------------------------- */

static void fg_block_begin(void) {
    if (!rcs_fg_self.attached || rcs_fg_self.stopped_world)
        return;
    pthread_mutex_lock(&registry.mutex);
    set_state(RCS_FG_BLOCKED);
    if (registry.stopped)
        pthread_cond_broadcast(&registry.changed); /* the stopper may be waiting */
    pthread_mutex_unlock(&registry.mutex);
}

static void fg_block_end(void) {
    if (!rcs_fg_self.attached || rcs_fg_self.stopped_world)
        return;
    pthread_mutex_lock(&registry.mutex);
    wait_out_stop_locked(RCS_FG_BLOCKED);
    pthread_mutex_unlock(&registry.mutex);
}

static const rcs_block_hooks fg_block_hooks = {fg_block_begin, fg_block_end};

void rcs_lock_end_bias(rcs_mutex *m) {
    atomic_fetch_or_explicit(&m->bits, RCS_LOCK_PLAIN, memory_order_relaxed);
}

void rcs_allow_threads_begin(void) {
    fg_block_begin();
}

void rcs_allow_threads_end(void) {
    fg_block_end();
}

void rcs_checkpoint_slow(void) {
    if (rcs_fg_self.stopped_world)
        return;
    pthread_mutex_lock(&registry.mutex);
    wait_out_stop_locked(RCS_FG_PAUSED);
    pthread_mutex_unlock(&registry.mutex);
}

/* ---- runtime and threads -------------------------------------------------------- */

int rcs_runtime_start(const rcs_hooks *hooks) {
    (void)hooks; /* this strategy never defers a deallocation */
    pthread_mutex_lock(&registry.mutex);
    bool already = registry.started;
    registry.started = true;
    pthread_mutex_unlock(&registry.mutex);
    if (already)
        return -1;
    rcs_mutex_set_block_hooks(&fg_block_hooks);
    return rcs_thread_attach();
}

void rcs_runtime_stop(void) {
    rcs_thread_detach();
    pthread_mutex_lock(&registry.mutex);
    registry.started = false;
    pthread_mutex_unlock(&registry.mutex);
    rcs_mutex_set_block_hooks(NULL);
}

int rcs_thread_attach(void) {
    pthread_mutex_lock(&registry.mutex);
    if (!registry.started || rcs_fg_self.attached) {
        pthread_mutex_unlock(&registry.mutex);
        return -1;
    }
    rcs_fg_self.next = registry.threads;
    registry.threads = &rcs_fg_self;
    rcs_fg_self.attached = true;
    wait_out_stop_locked(RCS_FG_BLOCKED); /* a new thread joins a stopped world paused */
    pthread_mutex_unlock(&registry.mutex);
    return 0;
}

void rcs_thread_detach(void) {
    if (!rcs_fg_self.attached)
        return;
    pthread_mutex_lock(&registry.mutex);
    for (rcs_fg_thread **p = &registry.threads; *p; p = &(*p)->next) {
        if (*p == &rcs_fg_self) {
            *p = rcs_fg_self.next;
            break;
        }
    }
    rcs_fg_self.attached = false;
    set_state(RCS_FG_DETACHED);
    pthread_cond_broadcast(&registry.changed);
    pthread_mutex_unlock(&registry.mutex);
}

/* ---- stop the world ------------------------------------------------------------------ */

static bool others_all_stopped_locked(void) {
    for (rcs_fg_thread *t = registry.threads; t; t = t->next)
        if (t != &rcs_fg_self &&
            atomic_load_explicit(&t->state, memory_order_acquire) == RCS_FG_RUNNING)
            return false;
    return true;
}

void rcs_stop_world(void) {
    pthread_mutex_lock(&registry.mutex);
    wait_out_stop_locked(RCS_FG_PAUSED); /* one stop at a time */
    registry.stopped = true;
    rcs_fg_self.stopped_world = true;
    atomic_store_explicit(&rcs_fg_stop_requested, 1, memory_order_relaxed);
    while (!others_all_stopped_locked())
        pthread_cond_wait(&registry.changed, &registry.mutex);
    pthread_mutex_unlock(&registry.mutex);
}

void rcs_start_world(void) {
    pthread_mutex_lock(&registry.mutex);
    registry.stopped = false;
    rcs_fg_self.stopped_world = false;
    atomic_store_explicit(&rcs_fg_stop_requested, 0, memory_order_relaxed);
    pthread_cond_broadcast(&registry.changed);
    pthread_mutex_unlock(&registry.mutex);
}

/* ---- settings and counters ----------------------------------------------------------- */

void rcs_set_switch_interval_ns(uint64_t ns) {
    pthread_mutex_lock(&registry.mutex);
    registry.switch_interval_ns = ns ? ns : 1; /* kept, and unused: no global lock */
    pthread_mutex_unlock(&registry.mutex);
}

uint64_t rcs_switch_interval_ns(void) {
    pthread_mutex_lock(&registry.mutex);
    uint64_t ns = registry.switch_interval_ns;
    pthread_mutex_unlock(&registry.mutex);
    return ns;
}

void rcs_get_stats(rcs_stats *out) {
    *out = (rcs_stats){.lock_waits = rcs_mutex_waits()};
}
