/*
 * runtime/lifecycle.c -- the top of the object layer: runtime start and
 * stop, thread attach and detach. This file alone sequences the layers
 * below: the strategy, the thread state (runtime/thread_state.c), the
 * built-in types, small ints, interned strings, the collector, borrowed
 * reads, immortal objects. Nothing below calls into it.
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
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gc/gc_internal.h"
#include "objects/bool.h"
#include "objects/bytes.h"
#include "objects/dict.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/object_internal.h"
#include "objects/set.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "objects/weakref.h"
#include "runtime/runtime.h"

/* Seq-cst loads and stores: start and stop are rare, and a thread that
 * attaches must see a started runtime whole (a plain flag would race). */
static atomic_bool started;

/* Set from the moment a start begins until the start fails or its stop
 * has ended: one start at a time. Taken with an exchange, so that of two
 * threads that start at once exactly one goes on (a load of `started`
 * and a later store would let both through). */
static atomic_bool claimed;

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

/* ---- thread states, in the order their layers need ------------------------- */

static rc_status tstate_create(void) {
    rci_tstate *t = rci_tstate_new();
    if (!t)
        return rc_error_code();
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
    rci_tstate_delete(t);
    exit_check_set(NULL);
    rci_mem_cache_flush();
}

/* Names the built-in types for the leak report; their ids are fixed. */
static void builtin_types_init(void) {
    rc_type *builtins[] = {&rc_none_type, &rc_bool_type,  &rc_int_type, &rci_bigint_type,
                           &rc_float_type, &rc_str_type,  &rc_tuple_type,
                           &rc_list_type,  &rc_dict_type, &rci_freed_type,
                           &rc_weakref_type, &rc_set_type, &rc_bytes_type};
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        rci_type_names[builtins[i]->id] = builtins[i]->name;
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
    if (atomic_exchange(&claimed, true))
        return rc_error_set(RC_ESTATE,
                            "the runtime is already started (or another thread is starting "
                            "or stopping it)");
    int code = rcs_runtime_start(&runtime_hooks);
    if (code != RCS_OK) {
        atomic_store(&claimed, false);
        return strategy_error(code, "rc_runtime_start");
    }
    rc_status st = tstate_create();
    if (st == RC_OK) {
        builtin_types_init();
        rci_small_ints_init();
        rci_gc_init();
        st = rci_intern_init();
        if (st != RC_OK)
            tstate_destroy();
    }
    if (st != RC_OK) {
        rcs_runtime_stop();
        atomic_store(&claimed, false);
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
    if (!rci_tstate_alone())
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
    int64_t leaked = rci_live_report_leaks();
    atomic_store(&started, false);
    rcs_runtime_stop();
    atomic_store(&claimed, false); /* a new start may begin */
    if (leaked)
        return rc_error_set(RC_ELEAK, "%lld object(s) were still alive at shutdown",
                         (long long)leaked);
    return RC_OK;
}

/* ---- threads --------------------------------------------------------------- */

/* The attach gate: the number of threads part way through attaching or
 * detaching, from their first step to their last, or through a call that
 * any thread may make and that takes a strategy lock (the switch
 * interval, the counters, the hot objects), under gate_lock. rc_fork
 * holds gate_lock across the fork and goes ahead only when the number is
 * 0: so a fork never happens while a thread is half attached (holding the
 * strategy's registry mutex, say, which the child would inherit locked),
 * and rc_fork never waits for such a thread, which may itself wait for the
 * caller (under //:gil an attaching thread waits for the global lock). A
 * counter under a mutex rather than a reader-writer lock: the child
 * releases the locks its fork held (runtime_internal.h says why that is
 * sound for a mutex), and glibc's rwlock takes an unlock in the child,
 * whose thread has a new id, for a reader's. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static int gate_passing; /* under gate_lock */

static void gate_enter(void) {
    pthread_mutex_lock(&gate_lock);
    gate_passing++;
    pthread_mutex_unlock(&gate_lock);
}

static void gate_leave(void) {
    pthread_mutex_lock(&gate_lock);
    gate_passing--;
    pthread_mutex_unlock(&gate_lock);
}

rc_status rc_thread_attach(void) {
    if (!atomic_load(&started))
        return rc_error_set(RC_ESTATE, "rc_thread_attach: the runtime is not started");
    if (rci_current)
        return rc_error_set(RC_ESTATE, "rc_thread_attach: this thread is already attached");
    gate_enter();
    rc_status st = tstate_create();
    if (st == RC_OK) {
        int code = rcs_thread_attach();
        if (code != RCS_OK) {
            tstate_destroy();
            st = strategy_error(code, "rc_thread_attach");
        }
    }
    gate_leave();
    return st;
}

rc_status rc_thread_detach(void) {
    if (!rci_current)
        return rc_error_set(RC_ESTATE, "rc_thread_detach: this thread is not attached");
    gate_enter();
    /* Free what this thread still has queued while it may run object code. */
    tstate_destroy();
    rcs_thread_detach();
    gate_leave();
    return RC_OK;
}

rc_status rc_fork(int64_t *pid) {
    if (!pid)
        return rc_error_set(RC_EVALUE, "rc_fork: pid is NULL");
    if (!rci_tstate_checked("rc_fork"))
        return rc_error_code();
    pthread_mutex_lock(&gate_lock);
    if (gate_passing > 0) {
        pthread_mutex_unlock(&gate_lock);
        return rc_error_set(RC_ESTATE, "rc_fork: another thread is attaching to or detaching "
                                       "from the runtime (or reading its counters); fork when "
                                       "the calling thread is the only one attached");
    }
    if (!rci_tstate_alone()) {
        pthread_mutex_unlock(&gate_lock);
        return rc_error_set(RC_ESTATE, "rc_fork: other threads are attached to the runtime "
                                       "(join or detach them first: the child would inherit "
                                       "locks they may hold, and they would not exist there)");
    }
    rci_tstate_fork_prepare();
    rci_types_fork_prepare();
    pid_t child = fork();
    int fork_errno = errno;
    rci_types_fork_after();
    rci_tstate_fork_after();
    pthread_mutex_unlock(&gate_lock);
    if (child < 0)
        return rc_error_set(RC_EOS, "rc_fork: fork failed: %s", strerror(fork_errno));
    *pid = child;
    return RC_OK;
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

/* ---- entering from a callback ------------------------------------------------
 * rc_thread_ensure brings the calling thread to "may touch objects" from
 * whichever of the three states it is in, and records which one in the
 * returned rc_ensured; rc_thread_restore goes back to it. The calls nest
 * because each one's record is kept by its caller, and the innermost
 * restore undoes only what the innermost ensure did.
 *
 * Misuse is caught with one thread-local counter: ensure_depth is the
 * number of this thread's ensures not yet restored, and each record holds
 * the depth its ensure reached and the address of this thread's counter
 * (unique among live threads). A restore is accepted only for the
 * innermost open record of its own thread. Thread-local: only the own
 * thread reads or writes it, so plain accesses. */
static _Thread_local uint32_t ensure_depth;

enum { ENSURED_NONE = 0, ENSURED_WAS_ACTIVE, ENSURED_WAS_RELEASED, ENSURED_WAS_DETACHED };

rc_status rc_thread_ensure(rc_ensured *state) {
    if (!state)
        return rc_error_set(RC_EVALUE, "rc_thread_ensure: state is NULL");
    *state = (rc_ensured){0}; /* a failed ensure leaves a record restore refuses */
    int prior;
    if (rci_active) {
        prior = ENSURED_WAS_ACTIVE;
    } else if (rci_current) {
        prior = ENSURED_WAS_RELEASED; /* inside RC_BEGIN_ALLOW_THREADS */
        rc_allow_threads_end();
    } else {
        if (!atomic_load(&started))
            return rc_error_set(RC_ESTATE, "rc_thread_ensure: the runtime is not started");
        rc_status st = rc_thread_attach();
        if (st != RC_OK)
            return st; /* its error (RC_ENOMEM) is in the slot */
        prior = ENSURED_WAS_DETACHED;
    }
    state->thread = &ensure_depth;
    state->depth = ++ensure_depth;
    state->prior = prior;
    return RC_OK;
}

/* RC_OK if state is the innermost open record of this thread, else the
 * error that says what is wrong with it. */
static rc_status ensured_check(const rc_ensured *state) {
    if (state->prior == ENSURED_NONE || state->depth == 0)
        return rc_error_set(RC_ESTATE, "rc_thread_restore: no open rc_thread_ensure made this "
                                       "state (it failed, was never called, or was restored "
                                       "already)");
    if (state->thread != &ensure_depth)
        return rc_error_set(RC_ESTATE, "rc_thread_restore: the state was made by "
                                       "rc_thread_ensure on another thread");
    if (state->depth > ensure_depth) /* a copy of a restored record */
        return rc_error_set(RC_ESTATE, "rc_thread_restore: this state was already restored");
    if (state->depth < ensure_depth)
        return rc_error_set(RC_ESTATE, "rc_thread_restore: out of order: restore the inner "
                                       "rc_thread_ensure (%u open, this is number %u) first",
                            (unsigned)ensure_depth, (unsigned)state->depth);
    if (!rci_active)
        return rci_state_error("rc_thread_restore");
    return RC_OK;
}

rc_status rc_thread_restore(rc_ensured *state) {
    if (!state)
        return rc_error_set(RC_EVALUE, "rc_thread_restore: state is NULL");
    rc_status st = ensured_check(state);
    if (st != RC_OK)
        return st;
    int prior = state->prior;
    *state = (rc_ensured){0}; /* a second restore of it is refused */
    ensure_depth--;
    if (prior == ENSURED_WAS_RELEASED)
        rc_allow_threads_begin();
    else if (prior == ENSURED_WAS_DETACHED)
        return rc_thread_detach();
    return RC_OK;
}

/* ---- settings and counters ------------------------------------------------- */

/* The one home of the value rc_switch_interval reads back; the strategy is
 * told it too, and only a global lock uses it (RCS_SWITCH_INTERVAL).
 * Relaxed: a lone setting that guards no other data. */
static _Atomic uint64_t switch_interval_ns = 5000000; /* 5 ms, as CPython */

rc_status rc_set_switch_interval(double seconds) {
    /* Written so that NaN fails the test too (every comparison with it is
     * false). The upper bound keeps the conversion to uint64_t nanoseconds
     * defined: a double above 2^64 converts to an undefined value. */
    if (!(seconds > 0.0 && seconds <= RC_SWITCH_INTERVAL_MAX))
        return rc_error_set(RC_EVALUE,
                            "rc_set_switch_interval: %g s is not in (0, %g] seconds",
                            seconds, RC_SWITCH_INTERVAL_MAX);
    double ns = seconds * 1e9;
    uint64_t whole = ns < 1.0 ? 1 : (uint64_t)ns;
    atomic_store_explicit(&switch_interval_ns, whole, memory_order_relaxed);
    gate_enter(); /* the strategy may lock (//:gil: its mutex): not across a fork */
    rcs_set_switch_interval_ns(whole);
    gate_leave();
    return RC_OK;
}

double rc_switch_interval(void) {
    return (double)atomic_load_explicit(&switch_interval_ns, memory_order_relaxed) / 1e9;
}

void rc_runtime_get_stats(rc_runtime_stats *out) {
    gate_enter(); /* the strategy's registry lock: not across a fork */
    rcs_get_stats(out);
    gate_leave();
}

int rc_runtime_hot_objects(rc_hot_object *out, int max) {
    if (max < 0 || (max > 0 && !out))
        return rc_error_set(RC_EVALUE, "rc_runtime_hot_objects: out must have room for "
                                       "max >= 0 entries (max %d)", max);
    if (max == 0)
        return 0;
    gate_enter(); /* callable unattached; the strategy's registry lock: not across a fork */
    int n = rcs_hot_objects(out, max);
    gate_leave();
    return n;
}
