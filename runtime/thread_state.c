/*
 * runtime/thread_state.c -- the object layer's per-thread state and the
 * live-object accounting: the ground floor, which calls nothing above
 * runtime/memory.c and runtime/error.c. runtime/lifecycle.c, the top,
 * creates and deletes thread states in the order start, stop, attach and
 * detach need.
 *
 * The strategy (through the seam) decides when a thread may run object
 * code; this file keeps the object layer's own state beside it: an
 * rci_tstate per attached thread, on a registry list guarded by
 * registry_lock. The registry is touched only at attach, detach, and when
 * somebody reads the live counts or the borrow windows, never on an object
 * operation.
 *
 * Live counts: each thread counts the objects it allocates and frees in its
 * own rci_tstate.live. A thread whose state is deleted folds its counts
 * into retired_live. The number of live objects of a type is retired_live
 * plus the sum over attached threads, read with relaxed loads (a snapshot).
 */
#include <pthread.h>
#include <stdio.h>

#include "runtime/runtime.h"
#include "runtime/runtime_internal.h"

_Thread_local rci_tstate *rci_current;
/* rci_current outside the release region, NULL inside it. Only this file
 * and runtime/lifecycle.c write either, and only on their own thread:
 * plain thread-local stores. */
_Thread_local rci_tstate *rci_active;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static rci_tstate *registry;               /* attached threads */
static int64_t retired_live[RC_MAX_TYPES]; /* counts of deleted states */

const char *rci_type_names[RC_MAX_TYPES];

rc_status rci_state_error(const char *fn) {
    if (rci_current)
        return rc_error_set(RC_ESTATE, "%s: called inside the release region "
                                       "(between RC_BEGIN_ALLOW_THREADS and "
                                       "RC_END_ALLOW_THREADS), where the thread "
                                       "must not touch objects", fn);
    return rc_error_set(RC_ESTATE, "%s: this thread is not attached to the runtime "
                                   "(call rc_thread_attach first)", fn);
}

rci_tstate *rci_tstate_checked(const char *fn) {
    rci_tstate *t = rci_active;
    if (RC_UNLIKELY(!t))
        rci_state_error(fn);
    return t;
}

bool rc_thread_is_attached(void) {
    return rci_current != NULL && rcs_thread_is_attached();
}

/* ---- creating and deleting --------------------------------------------------- */

rci_tstate *rci_tstate_new(void) {
    rci_tstate *t = rci_mem_calloc(sizeof *t);
    if (!t)
        return rci_error_null(RC_ENOMEM, "out of memory (thread state)");
    pthread_mutex_lock(&registry_lock);
    t->next = registry;
    registry = t;
    pthread_mutex_unlock(&registry_lock);
    rci_current = rci_active = t;
    return t;
}

void rci_tstate_delete(rci_tstate *t) {
    pthread_mutex_lock(&registry_lock);
    for (rci_tstate **p = &registry; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    /* Relaxed: t's own thread wrote them, and it is this thread. */
    for (size_t i = 0; i < RC_MAX_TYPES; i++)
        retired_live[i] += (int64_t)rcs_shared_load(&t->live[i], memory_order_relaxed);
    pthread_mutex_unlock(&registry_lock);
    rci_current = rci_active = NULL;
    rci_mem_free(t);
}

bool rci_tstate_alone(void) {
    pthread_mutex_lock(&registry_lock);
    bool alone = registry == rci_current && rci_current && rci_current->next == NULL;
    pthread_mutex_unlock(&registry_lock);
    return alone;
}

uint64_t rci_oldest_borrow_window(void) {
    uint64_t oldest = UINT64_MAX;
    pthread_mutex_lock(&registry_lock);
    for (rci_tstate *t = registry; t; t = t->next) {
        /* Acquire: pairs with the release store of 0 that closes a window
         * (runtime/borrow.c), so that thread's uses of borrowed items are
         * done before the caller drops them. */
        uint64_t since = atomic_load_explicit(&t->borrow_since, memory_order_acquire);
        if (since && since < oldest)
            oldest = since;
    }
    pthread_mutex_unlock(&registry_lock);
    return oldest;
}

/* ---- fork ------------------------------------------------------------------ */

void rci_tstate_fork_prepare(void) {
    pthread_mutex_lock(&registry_lock);
}

void rci_tstate_fork_after(void) {
    pthread_mutex_unlock(&registry_lock);
}

/* ---- live counts ----------------------------------------------------------- */

/* Relaxed loads: each slot has one writer, its thread; a reader wants a
 * snapshot, and the registry lock keeps the list itself still. */
static int64_t live_sum_locked(size_t id) {
    int64_t n = retired_live[id];
    for (rci_tstate *t = registry; t; t = t->next)
        n += (int64_t)rcs_shared_load(&t->live[id], memory_order_relaxed);
    return n;
}

int64_t rc_live_objects_of(const rc_type *type) {
    if (!type || type->id == 0 || type->id >= RC_MAX_TYPES)
        return 0;
    pthread_mutex_lock(&registry_lock);
    int64_t n = live_sum_locked(type->id);
    pthread_mutex_unlock(&registry_lock);
    return n;
}

int64_t rc_live_objects(void) {
    int64_t n = 0;
    pthread_mutex_lock(&registry_lock);
    for (size_t id = 1; id < RC_MAX_TYPES; id++)
        n += live_sum_locked(id);
    pthread_mutex_unlock(&registry_lock);
    return n;
}

int64_t rci_live_report_leaks(void) {
    int64_t total = 0;
    pthread_mutex_lock(&registry_lock);
    for (size_t id = 1; id < RC_MAX_TYPES; id++) {
        int64_t n = live_sum_locked(id);
        if (n == 0)
            continue;
        total += n;
        fprintf(stderr, "refcore: leak: %lld %s object(s) still alive at shutdown\n",
                (long long)n, rci_type_names[id] ? rci_type_names[id] : "?");
    }
    for (size_t id = 0; id < RC_MAX_TYPES; id++)
        retired_live[id] = 0;
    pthread_mutex_unlock(&registry_lock);
    return total;
}
