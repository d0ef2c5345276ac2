/*
 * locking/threads/threads.c -- the registry, thread states and
 * stop-the-world of threads.h, which states the protocol (paragraphs (1)
 * to (3) there).
 */
#include "locking/threads/threads.h"

#include <pthread.h>

static struct registry {
    pthread_mutex_t mutex;
    pthread_cond_t changed;
    rcs_thread_state *threads;
    bool started;
    bool stopped; /* a stop is in force (or being established) */
} registry = {
    .mutex = PTHREAD_MUTEX_INITIALIZER,
    .changed = PTHREAD_COND_INITIALIZER,
};

void rcs_threads_lock(void) {
    pthread_mutex_lock(&registry.mutex);
}

void rcs_threads_unlock(void) {
    pthread_mutex_unlock(&registry.mutex);
}

/* pre: mutex held, self is the caller's. */
static void set_state(rcs_thread_state *self, int state) {
    /* Release: what this thread wrote before leaving RUNNING happens before
     * what a reader that sees the new state (acquire) does next, mutex or
     * not (paragraph (3)); biased's bias ending reads it without the mutex. */
    atomic_store_explicit(&self->state, state, memory_order_release);
}

/* pre: mutex held. Waits while a stop is in force, in `state` (PAUSED or
 * BLOCKED), then becomes RUNNING. */
static void wait_out_stop_locked(rcs_thread_state *self, int state) {
    while (registry.stopped && !self->stopped_world) {
        set_state(self, state);
        pthread_cond_broadcast(&registry.changed);
        pthread_cond_wait(&registry.changed, &registry.mutex);
    }
    set_state(self, RCS_THREAD_RUNNING);
}

/* ---- runtime -------------------------------------------------------------- */

bool rcs_threads_open_locked(void) {
    bool already = registry.started;
    registry.started = true;
    return !already;
}

void rcs_threads_close(void) {
    pthread_mutex_lock(&registry.mutex);
    registry.started = false;
    pthread_mutex_unlock(&registry.mutex);
}

bool rcs_threads_started_locked(void) {
    return registry.started;
}

bool rcs_threads_stopped_locked(void) {
    return registry.stopped;
}

rcs_thread_state *rcs_threads_first_locked(void) {
    return registry.threads;
}

/* ---- attach and detach ------------------------------------------------------ */

void rcs_threads_link_locked(rcs_thread_state *self) {
    self->next = registry.threads;
    registry.threads = self;
    self->attached = true;
    wait_out_stop_locked(self, RCS_THREAD_BLOCKED);
}

void rcs_threads_unlink_locked(rcs_thread_state *self) {
    for (rcs_thread_state **p = &registry.threads; *p; p = &(*p)->next) {
        if (*p == self) {
            *p = self->next;
            break;
        }
    }
    self->attached = false;
    set_state(self, RCS_THREAD_DETACHED);
    pthread_cond_broadcast(&registry.changed); /* the stopper may wait for it */
}

/* ---- blocking points and checkpoints ------------------------------------------ */

void rcs_threads_block_begin(rcs_thread_state *self) {
    pthread_mutex_lock(&registry.mutex);
    set_state(self, RCS_THREAD_BLOCKED);
    if (registry.stopped)
        pthread_cond_broadcast(&registry.changed); /* the stopper may be waiting */
    pthread_mutex_unlock(&registry.mutex);
}

void rcs_threads_block_end(rcs_thread_state *self) {
    pthread_mutex_lock(&registry.mutex);
    wait_out_stop_locked(self, RCS_THREAD_BLOCKED);
    pthread_mutex_unlock(&registry.mutex);
}

void rcs_threads_pause(rcs_thread_state *self) {
    pthread_mutex_lock(&registry.mutex);
    wait_out_stop_locked(self, RCS_THREAD_PAUSED);
    pthread_mutex_unlock(&registry.mutex);
}

/* ---- stop the world ------------------------------------------------------------ */

static bool others_all_stopped_locked(const rcs_thread_state *self) {
    for (rcs_thread_state *t = registry.threads; t; t = t->next)
        /* Acquire: pairs with set_state's release (paragraph (3)). */
        if (t != self && atomic_load_explicit(&t->state, memory_order_acquire) ==
                             RCS_THREAD_RUNNING)
            return false;
    return true;
}

void rcs_threads_stop_locked(rcs_thread_state *self, rcs_threads_request_fn request) {
    wait_out_stop_locked(self, RCS_THREAD_PAUSED); /* one stop at a time */
    registry.stopped = true;
    self->stopped_world = true;
    request(self, true);
    while (!others_all_stopped_locked(self))
        pthread_cond_wait(&registry.changed, &registry.mutex);
}

void rcs_threads_restart_locked(rcs_thread_state *self, rcs_threads_request_fn request) {
    registry.stopped = false;
    self->stopped_world = false;
    request(self, false);
    pthread_cond_broadcast(&registry.changed);
}
