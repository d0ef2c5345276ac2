/*
 * locking/gil/gil.c -- the global interpreter lock and its hand-off.
 *
 * Mechanism (after CPython's Python/ceval_gil.c, since 3.2):
 *
 * The GIL is a flag `locked` guarded by `mutex`, with `cond` to wait for it.
 * A thread that wants it waits on `cond` for at most one switch interval
 * (default 5 ms). If the interval passes and nobody else has taken the GIL
 * meanwhile (switch_number unchanged), the waiter sets rcs_gil_drop_request.
 * The holder sees the request at its next rcs_checkpoint, drops the GIL, and
 * then waits on `switch_cond` until some other thread has actually taken it.
 * That last wait is the "forced switching" that stops the convoy effect on
 * multi-core machines, where the releasing thread, still running, would
 * otherwise take the lock straight back before the woken waiter is scheduled.
 *
 * Voluntary drops (the release region, detach) do not wait: the thread goes
 * off to block anyway.
 *
 * Invariants:
 *   - locked == true  <=>  exactly one thread has holds_gil set.
 *   - last_holder is written only with switch_mutex held; switch_number
 *     counts changes of last_holder.
 *   - rcs_gil_drop_request is set and cleared only with `mutex` held; it is
 *     read without it by rcs_checkpoint (a stale read only delays a switch).
 *
 * Counters (switches, forced drops, wait time) are updated with `mutex` held
 * and read through rcs_get_stats.
 */
#include "locking/strategy.h"
#include "locking/clock.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define GIL_DEFAULT_INTERVAL_NS 5000000ull /* 5 ms, as CPython */

_Thread_local rcs_gil_thread rcs_gil_self;
atomic_int rcs_gil_drop_request;

static struct gil_state {
    atomic_bool started; /* read by attach without the mutex */
    pthread_mutex_t mutex;
    pthread_cond_t cond; /* signalled when locked goes false */
    bool locked;
    uint64_t switch_number;
    uint64_t interval_ns;

    pthread_mutex_t switch_mutex;
    pthread_cond_t switch_cond;        /* signalled when a thread takes the GIL */
    _Atomic(const void *) last_holder; /* an rcs_gil_self address */

    rcs_stats stats;
} gil = {
    .mutex = PTHREAD_MUTEX_INITIALIZER,
    .switch_mutex = PTHREAD_MUTEX_INITIALIZER,
    .interval_ns = GIL_DEFAULT_INTERVAL_NS,
};

/* ---- time ------------------------------------------------------------------ */

static struct timespec gil_deadline(uint64_t from_now_ns) {
    uint64_t t = rcs_monotonic_ns() + from_now_ns;
    struct timespec ts = {(time_t)(t / 1000000000ull), (long)(t % 1000000000ull)};
    return ts;
}

static int gil_cond_init_monotonic(pthread_cond_t *c) {
    pthread_condattr_t attr;
    int rc = pthread_condattr_init(&attr);
    if (rc == 0)
        rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(c, &attr);
    pthread_condattr_destroy(&attr);
    return rc;
}

/* ---- take and drop ------------------------------------------------------- */

static void gil_take(void) {
    const void *self = &rcs_gil_self;
    pthread_mutex_lock(&gil.mutex);
    uint64_t wait_start = gil.locked ? rcs_monotonic_ns() : 0;
    while (gil.locked) {
        uint64_t seen = gil.switch_number;
        struct timespec deadline = gil_deadline(gil.interval_ns);
        int rc = pthread_cond_timedwait(&gil.cond, &gil.mutex, &deadline);
        /* Waited a whole interval and nobody else got the GIL meanwhile:
         * ask the holder to drop it at its next checkpoint. Relaxed, load
         * and store: every write of the request is under gil.mutex (or at
         * start, before any thread attaches), which we hold, so the load
         * reads the latest; the holder's read without the mutex is argued
         * at rcs_gil_drop_request (gil.h). */
        if (rc == ETIMEDOUT && gil.locked && gil.switch_number == seen &&
            !atomic_load_explicit(&rcs_gil_drop_request, memory_order_relaxed)) {
            atomic_store_explicit(&rcs_gil_drop_request, 1, memory_order_relaxed);
            gil.stats.drop_requests++;
        }
    }
    if (wait_start)
        gil.stats.wait_ns += rcs_monotonic_ns() - wait_start;

    pthread_mutex_lock(&gil.switch_mutex);
    gil.locked = true;
    /* Relaxed, here and in gil_drop: last_holder is read and written only
     * under switch_mutex (and at start, before `started` publishes it), so
     * the mutex orders every access. */
    if (atomic_load_explicit(&gil.last_holder, memory_order_relaxed) != self) {
        atomic_store_explicit(&gil.last_holder, self, memory_order_relaxed);
        gil.switch_number++;
        gil.stats.switches++;
    }
    /* Wake a holder that dropped on request and waits to see a switch. */
    pthread_cond_signal(&gil.switch_cond);
    pthread_mutex_unlock(&gil.switch_mutex);

    /* Any pending request was aimed at the previous holder. Relaxed: under
     * gil.mutex, as above. A holder's checkpoint cannot act on an older 1:
     * it wrote this 0 itself, so it reads this or a later value; a thread
     * without the GIL ignores the request (rcs_checkpoint_slow). */
    atomic_store_explicit(&rcs_gil_drop_request, 0, memory_order_relaxed);
    rcs_gil_self.holds_gil = true;
    pthread_mutex_unlock(&gil.mutex);
}

/* forced: the holder drops because a waiter asked; it then waits until some
 * other thread has taken the GIL, so that it cannot take it straight back. */
static void gil_drop(bool forced) {
    const void *self = &rcs_gil_self;
    pthread_mutex_lock(&gil.mutex);
    rcs_gil_self.holds_gil = false;
    gil.locked = false;
    if (forced)
        gil.stats.forced_drops++;
    pthread_cond_signal(&gil.cond);
    pthread_mutex_unlock(&gil.mutex);

    if (!forced)
        return;
    pthread_mutex_lock(&gil.switch_mutex);
    /* Relaxed: under switch_mutex (see gil_take). */
    while (atomic_load_explicit(&gil.last_holder, memory_order_relaxed) == self)
        pthread_cond_wait(&gil.switch_cond, &gil.switch_mutex);
    pthread_mutex_unlock(&gil.switch_mutex);
}

/* ---- the seam's thread operations ---------------------------------------- */

int rcs_runtime_start(const rcs_hooks *hooks) {
    (void)hooks; /* the GIL strategy never defers a deallocation */
    /* seq_cst, more than needed: by the contract's pre (strategy.h) no start
     * or stop runs meanwhile, so this only catches a misuse and any order
     * would do; harmless, once per start. */
    if (atomic_load(&gil.started))
        return -1;
    if (gil_cond_init_monotonic(&gil.cond) != 0 ||
        gil_cond_init_monotonic(&gil.switch_cond) != 0)
        return -1;
    gil.locked = false;
    gil.switch_number = 0;
    atomic_store_explicit(&gil.last_holder, NULL, memory_order_relaxed);
    gil.stats = (rcs_stats){0};
    atomic_store_explicit(&rcs_gil_drop_request, 0, memory_order_relaxed);
    /* The stores above are relaxed or plain: no other thread uses gil before
     * it attaches, and attach first loads `started`. This store's release
     * (seq_cst is more than needed; harmless, once per start) pairs with
     * that load's acquire, so an attaching thread sees the conds, `locked`,
     * last_holder and the request initialised. */
    atomic_store(&gil.started, true);
    return rcs_thread_attach();
}

void rcs_runtime_stop(void) {
    rcs_thread_detach();
    /* seq_cst, more than needed: this store publishes nothing (the caller
     * is the only attached thread; a later start is ordered after this stop
     * by the contract); harmless, once per stop. */
    atomic_store(&gil.started, false);
    pthread_cond_destroy(&gil.cond);
    pthread_cond_destroy(&gil.switch_cond);
}

int rcs_thread_attach(void) {
    /* Acquire is what counts (seq_cst is more than needed; harmless, once
     * per attach): pairs with the release of the store in rcs_runtime_start,
     * so this thread sees the state start initialised. */
    if (!atomic_load(&gil.started) || rcs_gil_self.attached)
        return -1;
    rcs_gil_self.attached = true;
    gil_take();
    return 0;
}

void rcs_thread_detach(void) {
    if (rcs_gil_self.holds_gil)
        gil_drop(false);
    rcs_gil_self.attached = false;
}

void rcs_allow_threads_begin(void) {
    gil_drop(false);
}

void rcs_allow_threads_end(void) {
    gil_take();
}

void rcs_checkpoint_slow(void) {
    if (!rcs_gil_self.holds_gil)
        return;
    gil_drop(true);
    gil_take();
}

/* ---- settings and counters ------------------------------------------------ */

void rcs_set_switch_interval_ns(uint64_t ns) {
    pthread_mutex_lock(&gil.mutex);
    gil.interval_ns = ns ? ns : 1;
    pthread_mutex_unlock(&gil.mutex);
}

void rcs_get_stats(rcs_stats *out) {
    pthread_mutex_lock(&gil.mutex);
    *out = gil.stats;
    pthread_mutex_unlock(&gil.mutex);
}
