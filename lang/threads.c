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
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lang/builtins.h"
#include "lang/lang.h"

/* ---- thread handles ------------------------------------------------------- */

typedef struct thread_handle {
    rc_object base;
    rc_object *fn;     /* what the thread calls */
    rc_object *args;   /* a tuple */
    rc_object *result; /* set by the thread when the call returned */
    lang_interp *interp;
    pthread_t tid;
    bool started, joined, failed;
    pthread_mutex_t join_mutex; /* one joiner at a time calls pthread_join */
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
    if (t->started && !t->joined)
        pthread_detach(t->tid);
    pthread_mutex_destroy(&t->join_mutex);
}

static rc_type thread_type = {
    .name = "thread",
    .basicsize = sizeof(thread_handle),
    .flags = RC_TYPE_GC,
    .dealloc = handle_dealloc,
    .traverse = handle_traverse,
    .clear = handle_clear,
};

/* Runs t's call on this thread's own lang_thread; reports an error to
 * stderr, as Python prints an exception that ends a thread. */
static bool thread_run(thread_handle *t) {
    lang_thread ts;
    if (lang_thread_init(&ts, t->interp) != 0) {
        fprintf(stderr, "error in thread: %s\n", rc_error_message());
        return false;
    }
    rc_object *argv[256];
    int n = (int)rc_tuple_size(t->args);
    for (int i = 0; i < n; i++)
        argv[i] = rc_tuple_get(t->args, i);
    t->result = lang_call(&ts, t->fn, argv, n);
    if (!t->result) {
        char msg[320];
        lang_format_error(&ts, msg, sizeof msg);
        fprintf(stderr, "error in thread: %s\n", msg);
    }
    lang_thread_fini(&ts);
    return t->result != NULL;
}

/* pre: the creator gave this thread a reference to t. */
static void *thread_main(void *arg) {
    thread_handle *t = arg;
    lang_interp *in = t->interp;
    if (rc_thread_attach() != RC_OK) {
        /* Unattached, it may not even drop its reference: it leaks. */
        fprintf(stderr, "error in thread: cannot attach: %s\n", rc_error_message());
        lang_interp_thread_finished(in, true);
        return NULL;
    }
    t->failed = !thread_run(t);
    bool failed = t->failed;
    rc_decref(&t->base);
    rc_thread_detach();
    lang_interp_thread_finished(in, failed); /* last: the interp may go after this */
    return NULL;
}

static rc_object *bi_thread(lang_thread *ts, rc_object **args, int nargs) {
    if (!lang_check_args("thread", nargs, 1, 255))
        return NULL;
    thread_handle *t = (thread_handle *)rc_object_new(&thread_type);
    if (!t)
        return NULL;
    pthread_mutex_init(&t->join_mutex, NULL);
    t->interp = ts->interp;
    t->fn = rc_newref(args[0]);
    t->args = rc_tuple_new(nargs - 1);
    for (int i = 1; t->args && i < nargs; i++)
        rc_tuple_set_steal(t->args, i - 1, rc_newref(args[i]));
    if (!t->args) {
        rc_decref(&t->base);
        return NULL;
    }
    lang_interp_thread_started(ts->interp);
    rc_incref(&t->base); /* the new thread's reference */
    int e = pthread_create(&t->tid, NULL, thread_main, t);
    if (e != 0) {
        lang_interp_thread_finished(ts->interp, false);
        rc_decref(&t->base);
        rc_decref(&t->base);
        rc_error_set(RC_ELIMIT, "cannot start a thread: %s", strerror(e));
        return NULL;
    }
    t->started = true;
    return &t->base;
}

/* t.join(): waits for the thread; returns what its function returned
 * (None if it failed). */
static rc_object *thread_join(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts, (void)args;
    thread_handle *t = (thread_handle *)self;
    if (!lang_check_args("join", nargs, 0, 0))
        return NULL;
    if (pthread_equal(t->tid, pthread_self())) {
        rc_error_set(RC_ESTATE, "a thread cannot join itself");
        return NULL;
    }
    /* The handle stays alive: the caller's stack holds it. */
    RC_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&t->join_mutex);
    if (!t->joined) {
        pthread_join(t->tid, NULL);
        t->joined = true;
    }
    pthread_mutex_unlock(&t->join_mutex);
    RC_END_ALLOW_THREADS
    return rc_newref(t->result ? t->result : rc_none());
}

static const lang_method thread_methods[] = {{"join", thread_join}, {NULL, NULL}};

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

static const lang_method lock_methods[] = {
    {"acquire", lock_acquire}, {"release", lock_release}, {NULL, NULL},
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

/* Seconds from a monotonic clock: for measuring, not for dates. */
static rc_object *bi_time(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts, (void)args;
    if (!lang_check_args("time", nargs, 0, 0))
        return NULL;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return rc_float_from_double((double)now.tv_sec + (double)now.tv_nsec * 1e-9);
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
