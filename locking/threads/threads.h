/*
 * locking/threads/threads.h -- the registry of attached threads, their
 * states, and stop-the-world, for the strategies with no global lock
 * (finegrained and biased; the GIL's lock already orders its threads, and
 * nolock has nothing to stop).
 *
 * The protocol.
 *
 * (1) States. Every attached thread is on the registry's list with a state:
 *   RUNNING  may touch objects;
 *   BLOCKED  inside a release region, or asleep on a mutex (or another wait
 *            of the strategy's): touches no object until it comes back, and
 *            then first waits for any stop to end;
 *   PAUSED   stopped at a checkpoint because a stop was requested.
 * A thread writes only its own state, always under the registry mutex
 * (rcs_threads_lock), and with a release store; the registry's condition
 * is broadcast whenever a thread pauses, blocks while a stop is in force,
 * detaches, or the world restarts.
 *
 * (2) Stop the world. The stopper marks the registry stopped, asks the
 * running threads to come to a checkpoint (how is the strategy's: the
 * request function below), and waits until no other listed thread is
 * RUNNING. A RUNNING thread reaches a checkpoint or a blocking point soon
 * (an interpreter loop calls the checkpoint often; a lock wait is a
 * blocking point) and pauses there. Whatever blocks goes through
 * rcs_threads_block_begin and rcs_threads_block_end, which is what lets a
 * stop proceed past a waiting thread. Only one stop at a time: a thread
 * that wants to stop the world while another one does pauses first, like
 * everybody else.
 *
 * (3) Ordering. Everything a paused or blocked thread wrote before it left
 * RUNNING happens before the stopper's next step: the thread left RUNNING
 * under the registry mutex, which the stopper takes after it (the state's
 * release store and the stopper's acquire load say the same for a reader
 * that does not hold the mutex, as biased's bias ending does). And
 * everything the stopper wrote happens before a paused thread runs again:
 * it returns to RUNNING only after it has seen, under the mutex, that the
 * stop ended. So the stopper's work needs no ordering of its own.
 *
 * The thread state is embedded by the strategy where it keeps its
 * per-thread data (finegrained: thread-local storage; biased: its
 * registry records, which outlive their threads), and every operation
 * takes the caller's own as `self`.
 */
#ifndef RC_LOCKING_THREADS_THREADS_H
#define RC_LOCKING_THREADS_THREADS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum { RCS_THREAD_DETACHED, RCS_THREAD_RUNNING, RCS_THREAD_BLOCKED, RCS_THREAD_PAUSED };

typedef struct rcs_thread_state {
    _Atomic int state;                   /* RCS_THREAD_*; only its thread writes it */
    bool attached;                       /* between attach and detach */
    bool stopped_world;                  /* this thread owns the current stop */
    struct rcs_thread_state *next;       /* the list, under the registry mutex */
} rcs_thread_state;

/* The calling thread may touch objects: attached, not blocked or paused.
 * Relaxed: the caller asks about its own state, which only it writes. */
static inline bool rcs_thread_state_running(const rcs_thread_state *self) {
    return atomic_load_explicit(&((rcs_thread_state *)self)->state, memory_order_relaxed) ==
           RCS_THREAD_RUNNING;
}

/* Whether self takes part in stops: attached, and not their owner. */
static inline bool rcs_threads_taking_part(const rcs_thread_state *self) {
    return self->attached && !self->stopped_world;
}

/* The registry mutex: guards the list, the flags below, every state change,
 * and whatever a strategy keeps beside them (biased: its records). Never
 * held across object code. */
void rcs_threads_lock(void);
void rcs_threads_unlock(void);

/* Runtime start and stop. Open marks the registry started and returns
 * false if it was already (pre: mutex held); close marks it not started. */
bool rcs_threads_open_locked(void);
void rcs_threads_close(void);
bool rcs_threads_started_locked(void);
/* A stop is in force, or being established. pre: mutex held. */
bool rcs_threads_stopped_locked(void);

/* The attached threads, newest first (t->next for the rest). pre: mutex held. */
rcs_thread_state *rcs_threads_first_locked(void);

/* Attach: self joins the list and becomes RUNNING, first waiting out a
 * stop in force, as BLOCKED (a new thread joins a stopped world paused).
 * Detach: self leaves the list, DETACHED, and the stopper is told.
 * pre: mutex held. */
void rcs_threads_link_locked(rcs_thread_state *self);
void rcs_threads_unlink_locked(rcs_thread_state *self);

/* A blocking point (paragraph (2)): self counts as stopped from begin to
 * end, and end waits out a stop in force before it returns to RUNNING.
 * pre: rcs_threads_taking_part(self); self touches no object in between. */
void rcs_threads_block_begin(rcs_thread_state *self);
void rcs_threads_block_end(rcs_thread_state *self);

/* A checkpoint that found a stop requested: waits it out, PAUSED. */
void rcs_threads_pause(rcs_thread_state *self);

/* How the strategy asks the threads to come to a checkpoint (stop: true)
 * and withdraws the request at the restart (false). Called under the
 * mutex; self is the stopper. */
typedef void (*rcs_threads_request_fn)(rcs_thread_state *self, bool stop);

/* Stop: waits out another thread's stop (paused), then establishes its own
 * and returns once no other listed thread is RUNNING, mutex held throughout
 * (released only while waiting). Restart ends it and wakes everybody.
 * pre: mutex held, self attached; restart: self is the stopper. */
void rcs_threads_stop_locked(rcs_thread_state *self, rcs_threads_request_fn request);
void rcs_threads_restart_locked(rcs_thread_state *self, rcs_threads_request_fn request);

#endif /* RC_LOCKING_THREADS_THREADS_H */
