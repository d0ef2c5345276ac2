/*
 * runtime/runtime.c -- runtime start and stop, thread attachment, and the
 * live-object accounting.
 *
 * The strategy (through the seam) decides when a thread may run object
 * code; this file keeps the object layer's own per-thread state beside it:
 * an rci_tstate per attached thread, on a registry list guarded by
 * registry_lock. The registry is touched only at attach, detach, and when
 * somebody reads the live counts, never on an object operation.
 *
 * Live counts: each thread counts the objects it allocates and frees in its
 * own rci_tstate.live. A detaching thread folds its counts into
 * retired_live. The number of live objects of a type is retired_live plus
 * the sum over attached threads, read with relaxed loads (a snapshot).
 *
 * A thread that ends while attached (it forgot rc_thread_detach, or called
 * pthread_exit) would leave the strategy waiting for it for ever: the GIL
 * never handed back, a stop-the-world that never sees it pause, a runtime
 * that can never stop. So every attached thread holds a value under
 * exit_key, whose destructor (run by the thread library as the thread
 * ends, while its thread-locals are still there) reports the mistake on
 * stderr and detaches it, leaving the release region first if the thread
 * was in it.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "gc/gc_internal.h"
#include "objects/object_internal.h"
#include "runtime/runtime.h"

_Thread_local rci_tstate *rci_current;
/* rci_current outside the release region, NULL inside it. Only this file
 * writes either, and only on its own thread: plain thread-local stores. */
_Thread_local rci_tstate *rci_active;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static rci_tstate *registry;              /* attached threads */
static int64_t retired_live[RC_MAX_TYPES]; /* counts of detached threads */
static atomic_bool started;

/* ---- threads that end attached ------------------------------------------------ */

static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static bool exit_key_made;

static void thread_ended_attached(void *value) {
    (void)value; /* the thread's rci_tstate, which rci_current still names */
    if (!rci_current)
        return;
    fprintf(stderr, "refcore: warning: a thread ended while attached to the runtime; "
                    "detaching it (call rc_thread_detach before a thread ends)\n");
    /* rci_current set but not attached: the thread is in the release region
     * (RC_BEGIN_ALLOW_THREADS), where it may not run object code. */
    if (!rcs_thread_is_attached())
        rc_allow_threads_end();
    rc_thread_detach();
}

static void exit_key_make(void) {
    exit_key_made = pthread_key_create(&exit_key, thread_ended_attached) == 0;
}

/* Arms (t) or disarms (NULL) the calling thread's exit check. Without a key
 * (the system refused one) the check is simply off. */
static void exit_check_set(rci_tstate *t) {
    pthread_once(&exit_key_once, exit_key_make);
    if (exit_key_made)
        pthread_setspecific(exit_key, t);
}


bool rci_runtime_started(void) {
    return atomic_load(&started);
}

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

/* ---- per-thread state ------------------------------------------------------ */

static rc_status tstate_create(void) {
    rci_tstate *t = rci_mem_calloc(sizeof *t);
    if (!t)
        return rc_error_set(RC_ENOMEM, "out of memory (thread state)");
    pthread_mutex_lock(&registry_lock);
    t->next = registry;
    registry = t;
    pthread_mutex_unlock(&registry_lock);
    rci_current = rci_active = t;
    exit_check_set(t);
    return RC_OK;
}

static void tstate_destroy(void) {
    rci_tstate *t = rci_current;
    /* First: the drops it still owes may free objects, into the caches below. */
    rci_borrow_thread_end(t);
    /* Object blocks leave the cache through rcs_retire, cheapest while the
     * strategy still counts this thread as running; the flush at the end
     * only meets what the strategy's last merges free. */
    rci_mem_cache_flush();
    rci_dealloc_fini(t);
    rci_debug_quarantine_flush(t); /* after the last frees, which it may hold */
    rci_gc_thread_end();
    pthread_mutex_lock(&registry_lock);
    for (rci_tstate **p = &registry; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    for (size_t i = 0; i < RC_MAX_TYPES; i++)
        retired_live[i] += (int64_t)__atomic_load_n(&t->live[i], __ATOMIC_RELAXED);
    pthread_mutex_unlock(&registry_lock);
    rci_current = rci_active = NULL;
    exit_check_set(NULL);
    rci_mem_free(t);
    rci_mem_cache_flush();
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

/* ---- live counts ----------------------------------------------------------- */

static int64_t live_sum_locked(size_t id) {
    int64_t n = retired_live[id];
    for (rci_tstate *t = registry; t; t = t->next)
        n += (int64_t)__atomic_load_n(&t->live[id], __ATOMIC_RELAXED);
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

const char *rci_type_names[RC_MAX_TYPES];

static int64_t report_leaks(void) {
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

/* ---- start and stop -------------------------------------------------------- */

static void runtime_dealloc_hook(void *header) {
    rci_dealloc((rc_object *)header);
}

/* For rcs_hot_objects: called with a reference held; types are static. */
static const char *runtime_type_name_hook(void *header) {
    return ((rc_object *)header)->type->name;
}

static const rcs_hooks runtime_hooks = {.dealloc = runtime_dealloc_hook,
                                        .type_name = runtime_type_name_hook};

/* The object layer's error for a failed rcs_runtime_start or
 * rcs_thread_attach (their codes are in locking/strategy.h). */
static rc_status strategy_error(int code, const char *what) {
    if (code == RCS_ENOMEM)
        return rc_error_set(RC_ENOMEM, "%s: out of memory (the %s strategy's thread record)",
                            what, RCS_NAME);
    return rc_error_set(RC_ESTATE, "%s: the %s strategy refused", what, RCS_NAME);
}

rc_status rc_runtime_start(void) {
    if (atomic_load(&started))
        return rc_error_set(RC_ESTATE, "the runtime is already started");
    int code = rcs_runtime_start(&runtime_hooks);
    if (code != RCS_OK)
        return strategy_error(code, "rc_runtime_start");
    rc_status st = tstate_create();
    if (st == RC_OK) {
        rci_builtin_types_init();
        rci_small_ints_init();
        rci_gc_init();
        st = rci_intern_init();
        if (st != RC_OK)
            tstate_destroy();
    }
    if (st != RC_OK) {
        rcs_runtime_stop();
        return st;
    }
    atomic_store(&started, true);
    return RC_OK;
}

rc_status rc_runtime_stop(void) {
    if (!atomic_load(&started))
        return rc_error_set(RC_ESTATE, "the runtime is not started");
    if (!rci_current)
        return rc_error_set(RC_ESTATE, "rc_runtime_stop: this thread is not attached");
    pthread_mutex_lock(&registry_lock);
    bool alone = registry == rci_current && rci_current->next == NULL;
    pthread_mutex_unlock(&registry_lock);
    if (!alone)
        return rc_error_set(RC_ESTATE,
                         "rc_runtime_stop: other threads are still attached");

    /* The drops this thread and detached ones deferred: no other thread is
     * left to hold a borrow. First, so that the objects are gone before the
     * release of immortals and strings they may point at. */
    rc_release_borrows();
    rci_immortal_release(); /* they may still point at interned strings */
    rci_intern_fini();
    tstate_destroy(); /* its last merges may still free (and untrack) objects */
    rci_borrow_stop();
    rci_gc_fini();
    int64_t leaked = report_leaks();
    atomic_store(&started, false);
    rcs_runtime_stop();
    if (leaked)
        return rc_error_set(RC_ELEAK, "%lld object(s) were still alive at shutdown",
                         (long long)leaked);
    return RC_OK;
}

/* ---- threads --------------------------------------------------------------- */

rc_status rc_thread_attach(void) {
    if (!atomic_load(&started))
        return rc_error_set(RC_ESTATE, "rc_thread_attach: the runtime is not started");
    if (rci_current)
        return rc_error_set(RC_ESTATE, "rc_thread_attach: this thread is already attached");
    rc_status st = tstate_create();
    if (st != RC_OK)
        return st;
    int code = rcs_thread_attach();
    if (code != RCS_OK) {
        tstate_destroy();
        return strategy_error(code, "rc_thread_attach");
    }
    return RC_OK;
}

rc_status rc_thread_detach(void) {
    if (!rci_current)
        return rc_error_set(RC_ESTATE, "rc_thread_detach: this thread is not attached");
    /* Free what this thread still has queued while it may run object code. */
    tstate_destroy();
    rcs_thread_detach();
    return RC_OK;
}

bool rc_thread_is_attached(void) {
    return rci_current != NULL && rcs_thread_is_attached();
}

/* rci_active is cleared after the strategy's begin and set again before its
 * end: both may deallocate objects on this thread (under //:nogil, merged
 * counts that reach zero), and deallocation may run a client's slots, which
 * may call the API. */
void rc_allow_threads_begin(void) {
    /* A quiescent point of borrowing (runtime/borrow.c), while the thread
     * may still drop what it deferred. */
    if (rci_borrow_work && rci_active)
        rci_borrow_quiescent(rci_active);
    rcs_allow_threads_begin();
    rci_active = NULL;
}

void rc_allow_threads_end(void) {
    rci_active = rci_current;
    rcs_allow_threads_end();
}

/* ---- settings and counters ------------------------------------------------- */

rc_status rc_set_switch_interval(double seconds) {
    /* Written so that NaN fails the test too (every comparison with it is
     * false). The upper bound keeps the conversion to uint64_t nanoseconds
     * defined: a double above 2^64 converts to an undefined value. */
    if (!(seconds > 0.0 && seconds <= RC_SWITCH_INTERVAL_MAX))
        return rc_error_set(RC_EVALUE,
                            "rc_set_switch_interval: %g s is not in (0, %g] seconds",
                            seconds, RC_SWITCH_INTERVAL_MAX);
    double ns = seconds * 1e9;
    rcs_set_switch_interval_ns(ns < 1.0 ? 1 : (uint64_t)ns);
    return RC_OK;
}

double rc_switch_interval(void) {
    return (double)rcs_switch_interval_ns() / 1e9;
}

void rc_runtime_get_stats(rc_runtime_stats *out) {
    rcs_get_stats(out);
}

int rc_runtime_hot_objects(rc_hot_object *out, int max) {
    if (max < 0 || (max > 0 && !out))
        return rc_error_set(RC_EVALUE, "rc_runtime_hot_objects: out must have room for "
                                       "max >= 0 entries (max %d)", max);
    return max > 0 ? rcs_hot_objects(out, max) : 0;
}
