/*
 * lang/threads.c -- thread(fn, args...), Lock(), sleep(s), time().
 *
 * Every blocking wait happens inside refcore's release region
 * (RC_BEGIN_ALLOW_THREADS ... RC_END_ALLOW_THREADS): joining a thread,
 * waiting for a Lock, sleeping. While a thread waits there it holds no
 * right to touch objects, so under //:gil the global lock goes to the others;
 * and since it never waits for a Lock while holding the global lock, a
 * Lock can never deadlock against it.
 *
 * A started thread attaches itself to the runtime, runs the function with a
 * lang_thread of its own, keeps the result for join(), drops its reference
 * to its handle, and detaches. The interp counts running threads, so that
 * the program ends only after all of them have (lang_interp_free).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lang/builtins.h"
#include "lang/lang.h"
#include "lang/modules.h"
#include "lang/ops.h"

/* ---- thread handles ------------------------------------------------------- */

/* A thread, started or not. native_id and finished are written by the
 * thread itself and read by any other: atomics, published with release
 * and read with acquire, so a reader that sees them set also sees what
 * the thread did before. `state` says how far start() got (THREAD_NEW,
 * THREAD_STARTING, THREAD_STARTED): the starter claims the handle with a
 * compare-and-swap, so two start() calls on one handle cannot both go on,
 * and tid is valid only once the state is THREAD_STARTED. The changes of
 * state after the claim, and `joined`, are made under join_mutex, and
 * each is broadcast on `running`. */
enum { THREAD_NEW, THREAD_STARTING, THREAD_STARTED };

typedef struct thread_handle {
    rc_object base;
    rc_object *fn;     /* what the thread calls; NULL for the main thread */
    rc_object *args;   /* a tuple */
    rc_object *result; /* set by the thread when the call returned */
    rc_object *name;   /* str */
    lang_interp *interp;
    pthread_t tid;
    _Atomic int state; /* THREAD_NEW .. THREAD_STARTED */
    bool joined, failed, is_main;
    _Atomic int64_t native_id; /* 0 until the thread runs */
    _Atomic bool finished;
    struct thread_handle *next; /* in interp->alive, under interp->mutex */
    pthread_mutex_t join_mutex; /* one joiner at a time calls pthread_join */
    pthread_cond_t running;     /* with join_mutex: native_id or state changed */
} thread_handle;

static int handle_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    thread_handle *t = (thread_handle *)self;
    RC_VISIT(t->fn);
    RC_VISIT(t->args);
    RC_VISIT(t->result);
    return 0;
}

static void handle_clear(rc_object *self) {
    thread_handle *t = (thread_handle *)self;
    rc_clear_ref(&t->fn);
    rc_clear_ref(&t->args);
    rc_clear_ref(&t->result);
}

/* A handle dropped without join(): the thread is over or finishing (it held
 * a reference until its end), so detaching lets the system reclaim it. */
static void handle_dealloc(rc_object *self) {
    thread_handle *t = (thread_handle *)self;
    handle_clear(self);
    rc_clear_ref(&t->name);
    if (atomic_load(&t->state) == THREAD_STARTED && !t->joined && !t->is_main)
        pthread_detach(t->tid);
    pthread_cond_destroy(&t->running);
    pthread_mutex_destroy(&t->join_mutex);
}

/* Python's: <Thread(Thread-1 (f), started 1234)>. */
static rc_object *handle_repr(rc_object *self) {
    thread_handle *t = (thread_handle *)self;
    bool started = atomic_load(&t->state) != THREAD_NEW;
    const char *state = atomic_load_explicit(&t->finished, memory_order_acquire) ? "stopped"
                                                                                : "started";
    int64_t id = atomic_load_explicit(&t->native_id, memory_order_acquire);
    if (!started)
        return rc_str_from_format("<Thread(%s, initial)>", rc_str_data(t->name));
    return rc_str_from_format("<%s(%s, %s %lld)>", t->is_main ? "_MainThread" : "Thread",
                              rc_str_data(t->name), state, (long long)id);
}

static rc_type thread_type = {
    .name = "thread",
    .basicsize = sizeof(thread_handle),
    .flags = RC_TYPE_GC,
    .dealloc = handle_dealloc,
    .traverse = handle_traverse,
    .clear = handle_clear,
    .repr = handle_repr,
};

/* ---- the list of running threads ------------------------------------------ */

static void alive_add(lang_interp *in, thread_handle *t) {
    pthread_mutex_lock(&in->mutex);
    thread_handle **end = &in->alive;
    while (*end) /* at the end: enumerate() lists threads in the order they started */
        end = &(*end)->next;
    *end = t;
    t->next = NULL;
    pthread_mutex_unlock(&in->mutex);
}

static void alive_remove(lang_interp *in, thread_handle *t) {
    pthread_mutex_lock(&in->mutex);
    thread_handle **p = &in->alive;
    while (*p && *p != t)
        p = &(*p)->next;
    if (*p)
        *p = t->next;
    pthread_mutex_unlock(&in->mutex);
}

/* threading.enumerate(): a list of the running threads' handles. They are
 * counted under the mutex (a count never blocks), so none can go while it
 * is built; the list itself is made outside. */
static rc_object *alive_list(lang_interp *in) {
    int64_t n = 0;
    pthread_mutex_lock(&in->mutex);
    for (thread_handle *t = in->alive; t; t = t->next)
        n++;
    rc_object **items = rc_mem_alloc((size_t)(n ? n : 1) * sizeof *items);
    int64_t k = 0;
    for (thread_handle *t = in->alive; items && t; t = t->next)
        items[k++] = rc_newref(&t->base);
    pthread_mutex_unlock(&in->mutex);
    if (!items)
        return NULL;
    rc_object *l = rc_list_new();
    for (int64_t i = 0; i < k; i++)
        if (!l || rc_list_append_steal(l, items[i]) != RC_OK) /* stolen even on failure */
            rc_clear_ref(&l);
    rc_mem_free(items);
    return l;
}

/* ---- running a thread ---------------------------------------------------------- */

/* Runs t's call on this thread's own lang_thread; reports an error to
 * stderr, as Python prints an exception that ends a thread (sys.exit()
 * ends the thread quietly). */
static bool thread_run(thread_handle *t) {
    lang_thread ts;
    if (lang_thread_init(&ts, t->interp) != 0) {
        fprintf(stderr, "error in thread: %s\n", rc_error_message());
        return false;
    }
    ts.handle = &t->base;
    rc_object *argv[256];
    int n = (int)rc_tuple_size(t->args);
    for (int i = 0; i < n; i++)
        argv[i] = rc_tuple_get(t->args, i);
    t->result = lang_call(&ts, t->fn, argv, n);
    bool ok = t->result || ts.exiting;
    if (!ok) {
        char msg[320];
        lang_format_error(&ts, msg, sizeof msg);
        fprintf(stderr, "error in thread: %s\n", msg);
    }
    lang_thread_fini(&ts);
    return ok;
}

/* pre: the creator gave this thread a reference to t. */
static void *thread_main(void *arg) {
    thread_handle *t = arg;
    lang_interp *in = t->interp;
    /* release: pairs with the acquire in the readers of native_id */
    pthread_mutex_lock(&t->join_mutex);
    atomic_store_explicit(&t->native_id, (int64_t)gettid(), memory_order_release);
    pthread_cond_broadcast(&t->running);
    pthread_mutex_unlock(&t->join_mutex);
    if (rc_thread_attach() != RC_OK) {
        /* Unattached, it may not even drop its reference: it leaks. */
        fprintf(stderr, "error in thread: cannot attach: %s\n", rc_error_message());
        alive_remove(in, t);
        lang_interp_thread_finished(in, true);
        return NULL;
    }
    t->failed = !thread_run(t);
    bool failed = t->failed;
    alive_remove(in, t);
    /* release: is_alive() that reads true from it sees the result set */
    atomic_store_explicit(&t->finished, true, memory_order_release);
    rc_decref(&t->base);
    rc_thread_detach();
    lang_interp_thread_finished(in, failed); /* last: the interp may go after this */
    return NULL;
}

/* A handle for a thread not started yet: fn and the args tuple borrowed;
 * name NULL for "Thread-N (fn's name)". */
static thread_handle *thread_new(lang_interp *in, rc_object *fn, rc_object *args,
                                 rc_object *name) {
    thread_handle *t = (thread_handle *)rc_object_new(&thread_type);
    if (!t)
        return NULL;
    pthread_mutex_init(&t->join_mutex, NULL);
    pthread_cond_init(&t->running, NULL);
    t->interp = in;
    t->fn = fn ? rc_newref(fn) : NULL;
    t->args = rc_newref(args);
    pthread_mutex_lock(&in->mutex);
    int64_t k = ++in->threads_made;
    pthread_mutex_unlock(&in->mutex);
    if (name) {
        t->name = rc_str_check(name) ? rc_newref(name) : lang_str(name);
    } else if (fn && rc_object_type(fn) == &lang_function_type) {
        lang_code *co = (lang_code *)((lang_function *)fn)->code;
        t->name = rc_str_from_format("Thread-%lld (%s)", (long long)k, rc_str_data(co->name));
    } else {
        t->name = rc_str_from_format("Thread-%lld", (long long)k);
    }
    if (t->name)
        return t;
    rc_decref(&t->base);
    return NULL;
}

/* t.start(): the thread runs; returns once it has its native_id, as
 * Python's start() waits for the thread to start. */
/* Moves t to `state` under its join_mutex and wakes its waiters. */
static void thread_set_state(thread_handle *t, int state) {
    pthread_mutex_lock(&t->join_mutex);
    atomic_store(&t->state, state);
    pthread_cond_broadcast(&t->running);
    pthread_mutex_unlock(&t->join_mutex);
}

static rc_status thread_start(lang_thread *ts, thread_handle *t) {
    int expected = THREAD_NEW;
    if (t->is_main || !atomic_compare_exchange_strong(&t->state, &expected, THREAD_STARTING))
        return rc_error_set(RC_ESTATE, "threads can only be started once");
    if (!t->fn)
        return rc_error_set(RC_ETYPE, "Thread has no target");
    lang_interp *in = ts->interp;
    lang_interp_thread_started(in);
    alive_add(in, t);
    rc_incref(&t->base); /* the new thread's reference */
    int e = pthread_create(&t->tid, NULL, thread_main, t);
    if (e != 0) {
        alive_remove(in, t);
        lang_interp_thread_finished(in, false);
        rc_decref(&t->base);
        thread_set_state(t, THREAD_NEW);
        return rc_error_set(RC_ELIMIT, "cannot start a thread: %s", strerror(e));
    }
    thread_set_state(t, THREAD_STARTED); /* tid is written: joiners may use it */
    RC_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&t->join_mutex);
    while (atomic_load_explicit(&t->native_id, memory_order_acquire) == 0)
        pthread_cond_wait(&t->running, &t->join_mutex);
    pthread_mutex_unlock(&t->join_mutex);
    RC_END_ALLOW_THREADS
    return RC_OK;
}

/* thread(fn, args...): made and started. */
static rc_object *bi_thread(lang_thread *ts, rc_object **args, int nargs) {
    if (!lang_check_args("thread", nargs, 1, 255))
        return NULL;
    rc_object *tuple = rc_tuple_new(nargs - 1);
    for (int i = 1; tuple && i < nargs; i++)
        rc_tuple_set_steal(tuple, i - 1, rc_newref(args[i]));
    thread_handle *t = tuple ? thread_new(ts->interp, args[0], tuple, NULL) : NULL;
    rc_xdecref(tuple);
    if (!t || thread_start(ts, t) == RC_OK)
        return t ? &t->base : NULL;
    rc_decref(&t->base);
    return NULL;
}

/* threading.Thread(target=None, name=None, args=(), daemon=None): made, not
 * started. daemon is accepted; every thread is waited for at the end. */
static rc_object *bi_Thread(lang_thread *ts, rc_object **args, int nargs, rc_object *kwnames) {
    static const char *const names[] = {"group", "target", "name", "args", "daemon", NULL};
    rc_object *kw[5];
    if (!lang_check_args("Thread", nargs, 0, 0) ||
        lang_kwargs("Thread", args, nargs, kwnames, names, kw) != RC_OK)
        return NULL;
    rc_object *target = kw[1] && !rc_is_none(kw[1]) ? kw[1] : NULL;
    rc_object *name = kw[2] && !rc_is_none(kw[2]) ? kw[2] : NULL;
    rc_object *targs = kw[3] ? rc_newref(kw[3]) : rc_tuple_new(0);
    if (targs && rc_list_check(targs)) { /* args=[...] works in Python too */
        rc_object *tuple = rc_tuple_new(rc_list_size(targs));
        for (int64_t i = 0; tuple && i < rc_list_size(targs); i++) {
            rc_object *item = rc_list_get(targs, i);
            if (!item)
                rc_clear_ref(&tuple);
            else
                rc_tuple_set_steal(tuple, i, item);
        }
        rc_decref(targs);
        targs = tuple;
    }
    if (targs && !rc_tuple_check(targs)) {
        rc_error_set(RC_ETYPE, "Thread args must be a tuple, not '%s'", rc_object_type_name(targs));
        rc_clear_ref(&targs);
    }
    if (targs && rc_tuple_size(targs) > 255) {
        rc_error_set(RC_ETYPE, "Thread args: at most 255");
        rc_clear_ref(&targs);
    }
    thread_handle *t = targs ? thread_new(ts->interp, target, targs, name) : NULL;
    rc_xdecref(targs);
    return t ? &t->base : NULL;
}

static rc_object *thread_start_method(lang_thread *ts, rc_object *self, rc_object **args,
                                      int nargs) {
    (void)args;
    if (!lang_check_args("start", nargs, 0, 0))
        return NULL;
    return thread_start(ts, (thread_handle *)self) == RC_OK ? rc_none() : NULL;
}

/* t.join(): waits for the thread; returns what its function returned
 * (None if it failed). */
static rc_object *thread_join(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts, (void)args;
    thread_handle *t = (thread_handle *)self;
    if (!lang_check_args("join", nargs, 0, 0))
        return NULL;
    if (t->is_main) {
        rc_error_set(RC_ESTATE, "cannot join current thread");
        return NULL;
    }
    /* The handle stays alive: the caller's stack holds it. Wait until the
     * start is over and the thread has published its id: past that it
     * never takes join_mutex again, so holding it through pthread_join
     * cannot keep it from finishing. */
    bool own = false, started = false;
    RC_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&t->join_mutex);
    while (atomic_load(&t->state) == THREAD_STARTING ||
           (atomic_load(&t->state) == THREAD_STARTED &&
            atomic_load_explicit(&t->native_id, memory_order_acquire) == 0))
        pthread_cond_wait(&t->running, &t->join_mutex);
    started = atomic_load(&t->state) == THREAD_STARTED;
    own = started && pthread_equal(t->tid, pthread_self());
    if (started && !own && !t->joined) {
        pthread_join(t->tid, NULL);
        t->joined = true;
    }
    pthread_mutex_unlock(&t->join_mutex);
    RC_END_ALLOW_THREADS
    if (own) {
        rc_error_set(RC_ESTATE, "cannot join current thread");
        return NULL;
    }
    if (!started) {
        rc_error_set(RC_ESTATE, "cannot join thread before it is started");
        return NULL;
    }
    return rc_newref(t->result ? t->result : rc_none());
}

static bool thread_alive(thread_handle *t) {
    return t->is_main || (atomic_load(&t->state) != THREAD_NEW &&
                          !atomic_load_explicit(&t->finished, memory_order_acquire));
}

static rc_object *thread_is_alive(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts, (void)args;
    if (!lang_check_args("is_alive", nargs, 0, 0))
        return NULL;
    return rc_bool_from(thread_alive((thread_handle *)self));
}

static const lang_method thread_methods[] = {
    {"start", thread_start_method, NULL}, {"join", thread_join, NULL},
    {"is_alive", thread_is_alive, NULL}, {NULL, NULL, NULL},
};

rc_object *lang_threads_getattr(lang_thread *ts, rc_object *o, const char *name) {
    (void)ts;
    if (rc_object_type(o) != &thread_type)
        return NULL;
    thread_handle *t = (thread_handle *)o;
    int64_t id = atomic_load_explicit(&t->native_id, memory_order_acquire);
    if (strcmp(name, "name") == 0)
        return rc_newref(t->name);
    if (strcmp(name, "native_id") == 0 || strcmp(name, "ident") == 0)
        return id ? rc_int_from_i64(id) : rc_newref(rc_none());
    if (strcmp(name, "daemon") == 0)
        return rc_bool_from(false);
    return NULL;
}

/* ---- the threading module's functions --------------------------------------------- */

static rc_object *bi_enumerate_threads(lang_thread *ts, rc_object **args, int nargs) {
    (void)args;
    return lang_check_args("enumerate", nargs, 0, 0) ? alive_list(ts->interp) : NULL;
}

static rc_object *bi_active_count(lang_thread *ts, rc_object **args, int nargs) {
    (void)args;
    if (!lang_check_args("active_count", nargs, 0, 0))
        return NULL;
    int64_t n = 0;
    pthread_mutex_lock(&ts->interp->mutex);
    for (thread_handle *t = ts->interp->alive; t; t = t->next)
        n++;
    pthread_mutex_unlock(&ts->interp->mutex);
    return rc_int_from_i64(n);
}

static rc_object *bi_main_thread(lang_thread *ts, rc_object **args, int nargs) {
    (void)args;
    return lang_check_args("main_thread", nargs, 0, 0) ? rc_newref(ts->interp->main_thread)
                                                       : NULL;
}

static rc_object *bi_current_thread(lang_thread *ts, rc_object **args, int nargs) {
    (void)args;
    return lang_check_args("current_thread", nargs, 0, 0) ? rc_newref(ts->handle) : NULL;
}

/* ---- Lock ------------------------------------------------------------------------ */

/* A lock any thread may release (as Python's), built from a pthread mutex
 * and a condition variable. The mutex is only ever held for a few
 * instructions and never while waiting for the runtime. */
typedef struct lock_object {
    rc_object base;
    pthread_mutex_t mutex;
    pthread_cond_t released;
    bool locked;
} lock_object;

static void lock_dealloc(rc_object *self) {
    lock_object *l = (lock_object *)self;
    pthread_cond_destroy(&l->released);
    pthread_mutex_destroy(&l->mutex);
}

static rc_type lock_type = {
    .name = "Lock",
    .basicsize = sizeof(lock_object),
    .dealloc = lock_dealloc,
};

static rc_object *bi_lock(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts, (void)args;
    if (!lang_check_args("Lock", nargs, 0, 0))
        return NULL;
    lock_object *l = (lock_object *)rc_object_new(&lock_type);
    if (!l)
        return NULL;
    pthread_mutex_init(&l->mutex, NULL);
    pthread_cond_init(&l->released, NULL);
    return &l->base;
}

static bool lock_try(lock_object *l) {
    pthread_mutex_lock(&l->mutex);
    bool got = !l->locked;
    l->locked = true;
    pthread_mutex_unlock(&l->mutex);
    return got;
}

static rc_object *lock_acquire(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts, (void)args;
    lock_object *l = (lock_object *)self;
    if (!lang_check_args("acquire", nargs, 0, 0))
        return NULL;
    if (!lock_try(l)) { /* uncontended: no trip through the release region */
        RC_BEGIN_ALLOW_THREADS
        pthread_mutex_lock(&l->mutex);
        while (l->locked)
            pthread_cond_wait(&l->released, &l->mutex);
        l->locked = true;
        pthread_mutex_unlock(&l->mutex);
        RC_END_ALLOW_THREADS
    }
    return rc_true();
}

static rc_object *lock_release(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts, (void)args;
    lock_object *l = (lock_object *)self;
    if (!lang_check_args("release", nargs, 0, 0))
        return NULL;
    pthread_mutex_lock(&l->mutex);
    bool was = l->locked;
    l->locked = false;
    pthread_cond_signal(&l->released);
    pthread_mutex_unlock(&l->mutex);
    if (!was) {
        rc_error_set(RC_ESTATE, "release of an unlocked lock");
        return NULL;
    }
    return rc_none();
}

/* `with lock:` (exceptions.c): __enter__ acquires and returns True, as
 * Python's; __exit__(type, value, tb) releases and lets any exception go on. */
static rc_object *lock_enter(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    return lock_acquire(ts, self, args, nargs);
}

static rc_object *lock_exit(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)args;
    if (!lang_check_args("__exit__", nargs, 3, 3))
        return NULL;
    rc_object *r = lock_release(ts, self, NULL, 0);
    if (!r)
        return NULL;
    rc_decref(r);
    return rc_false();
}

static const lang_method lock_methods[] = {
    {"acquire", lock_acquire, NULL}, {"release", lock_release, NULL},
    {"__enter__", lock_enter, NULL}, {"__exit__", lock_exit, NULL}, {NULL, NULL, NULL},
};

/* ---- time ------------------------------------------------------------------------------ */

static rc_object *bi_sleep(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    double s = 0;
    if (!lang_check_args("sleep", nargs, 1, 1) || rc_float_as_double(args[0], &s) != RC_OK)
        return NULL;
    if (!(s >= 0 && s < 1e9)) {
        rc_error_set(RC_EVALUE, "sleep length must be non-negative");
        return NULL;
    }
    struct timespec left = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    RC_BEGIN_ALLOW_THREADS
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        ;
    RC_END_ALLOW_THREADS
    return rc_none();
}

/* The seconds of clock, as a float, for a builtin taking no arguments. */
static rc_object *clock_seconds(const char *fname, clockid_t clock, int nargs) {
    if (!lang_check_args(fname, nargs, 0, 0))
        return NULL;
    struct timespec now;
    clock_gettime(clock, &now);
    return rc_float_from_double((double)now.tv_sec + (double)now.tv_nsec * 1e-9);
}

/* Seconds from a monotonic clock: for measuring, not for dates. */
static rc_object *bi_time(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts, (void)args;
    return clock_seconds("time", CLOCK_MONOTONIC, nargs);
}

/* Seconds since the epoch: time.time(), for dates (and what the seeds'
 * programs subtract). */
static rc_object *bi_wall_time(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts, (void)args;
    return clock_seconds("time", CLOCK_REALTIME, nargs);
}

/* ---- installation ------------------------------------------------------------------------ */

const lang_method *lang_threads_methods(const rc_type *type) {
    if (type == &thread_type)
        return thread_methods;
    if (type == &lock_type)
        return lock_methods;
    return NULL;
}

rc_status lang_threads_install(rc_object *builtins) {
    if (lang_add_builtin(builtins, "thread", bi_thread) != RC_OK ||
        lang_add_builtin(builtins, "Lock", bi_lock) != RC_OK ||
        lang_add_builtin(builtins, "sleep", bi_sleep) != RC_OK ||
        lang_add_builtin(builtins, "time", bi_time) != RC_OK)
        return rc_error_code();
    return RC_OK;
}

/* The main thread's handle: running, never started by the program. */
static rc_status main_thread_install(lang_interp *in) {
    thread_handle *t = (thread_handle *)rc_object_new(&thread_type);
    if (!t)
        return rc_error_code();
    pthread_mutex_init(&t->join_mutex, NULL);
    pthread_cond_init(&t->running, NULL);
    t->interp = in;
    t->is_main = true;
    atomic_store(&t->state, THREAD_STARTED);
    t->tid = pthread_self();
    atomic_store_explicit(&t->native_id, (int64_t)gettid(), memory_order_relaxed);
    if (!(t->name = rc_str_from_cstr("MainThread"))) {
        rc_decref(&t->base);
        return rc_error_code();
    }
    in->main_thread = &t->base;
    alive_add(in, t);
    return RC_OK;
}

rc_status lang_threads_modules_install(lang_interp *in) {
    static const lang_module_fn time_fns[] = {
        {"time", bi_wall_time, NULL}, {"sleep", bi_sleep, NULL},
        {"perf_counter", bi_time, NULL}, {"monotonic", bi_time, NULL}, {NULL, NULL, NULL},
    };
    static const lang_module_fn threading_fns[] = {
        {"Thread", NULL, bi_Thread}, {"Lock", bi_lock, NULL},
        {"enumerate", bi_enumerate_threads, NULL}, {"active_count", bi_active_count, NULL},
        {"main_thread", bi_main_thread, NULL}, {"current_thread", bi_current_thread, NULL},
        {NULL, NULL, NULL},
    };
    if (main_thread_install(in) != RC_OK || !lang_module_add(in, "time", time_fns, NULL) ||
        !lang_module_add(in, "threading", threading_fns, NULL))
        return rc_error_code();
    return RC_OK;
}
