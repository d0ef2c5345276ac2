/*
 * lang/process.c -- the multiprocessing module: Process(target=f, args=())
 * runs f in a forked child process, as CPython's multiprocessing does with
 * its "fork" start method.
 *
 * start() forks with rc_fork (runtime/runtime.h): the child has a copy of
 * every object, f included, and goes on with the runtime as the thread
 * that called start(). It runs f there, flushes its output and ends with
 * _exit: the exit status is 0, sys.exit's value, or 1 after an error,
 * which it prints as a thread does. The parent keeps the child's pid;
 * join() waits for it and sets exitcode. rc_fork refuses while other
 * threads are attached (a Thread still running): Python allows that fork
 * and warns that it may deadlock; refpy reports an error instead
 * (lang/README.md).
 *
 * A process handle is shared like any object: its state (pid, exit code,
 * reaped) changes under its mutex, which join() holds through waitpid, so
 * two threads joining one process reap it once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lang/builtins.h"
#include "lang/exceptions.h"
#include "lang/lang.h"
#include "lang/modules.h"
#include "lang/ops.h"

typedef struct process_handle {
    rc_object base;
    rc_object *fn;   /* the target, or NULL */
    rc_object *args; /* a tuple */
    rc_object *name; /* "Process-N" or the name given */
    pthread_mutex_t mutex; /* guards the fields below */
    int64_t pid;           /* 0 until started */
    bool reaped;           /* waitpid has returned it */
    int exitcode;          /* once reaped: the status, or -signal */
} process_handle;

static int process_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    process_handle *p = (process_handle *)self;
    RC_VISIT(p->fn);
    RC_VISIT(p->args);
    return 0;
}

static void process_clear(rc_object *self) {
    process_handle *p = (process_handle *)self;
    rc_clear_ref(&p->fn);
    rc_clear_ref(&p->args);
}

/* A handle dropped without join() leaves its child to be reaped when the
 * program ends (as Python's does), or by the system. */
static void process_dealloc(rc_object *self) {
    process_handle *p = (process_handle *)self;
    process_clear(self);
    rc_clear_ref(&p->name);
    pthread_mutex_destroy(&p->mutex);
}

/* p's state, read under its mutex. The mutex is taken in the release
 * region: join() holds it while it waits for the child, and a reader that
 * waits for it must not hold up other threads (the GIL, a stop). */
static void process_state(process_handle *p, int64_t *pid, bool *reaped, int *code) {
    RC_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&p->mutex);
    *pid = p->pid;
    *reaped = p->reaped;
    *code = p->exitcode;
    pthread_mutex_unlock(&p->mutex);
    RC_END_ALLOW_THREADS
}

static rc_object *process_repr(rc_object *self) {
    process_handle *p = (process_handle *)self;
    int64_t pid;
    bool reaped;
    int code;
    process_state(p, &pid, &reaped, &code);
    if (pid == 0)
        return rc_str_from_format("<Process name='%s' initial>", rc_str_data(p->name));
    if (!reaped)
        return rc_str_from_format("<Process name='%s' pid=%lld started>", rc_str_data(p->name),
                                  (long long)pid);
    return rc_str_from_format("<Process name='%s' pid=%lld stopped exitcode=%d>",
                              rc_str_data(p->name), (long long)pid, code);
}

static rc_type process_type = {
    .name = "Process",
    .basicsize = sizeof(process_handle),
    .flags = RC_TYPE_GC,
    .dealloc = process_dealloc,
    .traverse = process_traverse,
    .clear = process_clear,
    .repr = process_repr,
};

/* multiprocessing.Process(group=None, target=None, name=None, args=(),
 * daemon=None): made, not started. */
static rc_object *bi_Process(lang_thread *ts, rc_object **args, int nargs, rc_object *kwnames) {
    static const char *const names[] = {"group", "target", "name", "args", "daemon", NULL};
    rc_object *kw[5];
    if (!lang_check_args("Process", nargs, 0, 0) ||
        lang_kwargs("Process", args, nargs, kwnames, names, kw) != RC_OK)
        return NULL;
    rc_object *targs = kw[3] ? kw[3] : NULL;
    rc_object *name = kw[2] && !rc_is_none(kw[2]) ? kw[2] : NULL;
    if (name && !rc_str_check(name)) {
        rc_error_set(RC_ETYPE, "Process name must be a str, not '%s'", rc_object_type_name(name));
        return NULL;
    }
    if (targs && !rc_tuple_check(targs)) {
        rc_error_set(RC_ETYPE, "Process args must be a tuple, not '%s'",
                     rc_object_type_name(targs));
        return NULL;
    }
    if (targs && rc_tuple_size(targs) > 255) {
        rc_error_set(RC_ETYPE, "Process args: at most 255");
        return NULL;
    }
    process_handle *p = (process_handle *)rc_object_new(&process_type);
    if (!p)
        return NULL;
    pthread_mutex_init(&p->mutex, NULL);
    p->fn = kw[1] && !rc_is_none(kw[1]) ? rc_newref(kw[1]) : NULL;
    p->args = targs ? rc_newref(targs) : rc_tuple_new(0);
    if (name) {
        p->name = rc_newref(name);
    } else {
        pthread_mutex_lock(&ts->interp->mutex);
        int64_t k = ++ts->interp->processes_made;
        pthread_mutex_unlock(&ts->interp->mutex);
        p->name = rc_str_from_format("Process-%lld", (long long)k);
    }
    if (!p->args || !p->name) {
        rc_decref(&p->base);
        return NULL;
    }
    return &p->base;
}

/* The child's side of start(): runs the target on the forking thread's
 * lang_thread and returns the exit status. */
static int process_run(lang_thread *ts, process_handle *p) {
    if (!p->fn)
        return 0; /* Python's Process.run does nothing without a target */
    rc_object *argv[256];
    int n = (int)rc_tuple_size(p->args);
    for (int i = 0; i < n; i++)
        argv[i] = rc_tuple_get(p->args, i); /* borrowed: the tuple keeps them */
    rc_object *r = lang_call(ts, p->fn, argv, n);
    if (r) {
        rc_decref(r);
        return 0;
    }
    if (ts->exiting)
        return ts->exit_status;
    char msg[320];
    lang_format_error(ts, msg, sizeof msg);
    fprintf(stderr, "error in process %s: %s\n", rc_str_data(p->name), msg);
    return 1;
}

static rc_object *process_start(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)args;
    process_handle *p = (process_handle *)self;
    if (!lang_check_args("start", nargs, 0, 0))
        return NULL;
    pthread_mutex_lock(&p->mutex);
    if (p->pid != 0) {
        pthread_mutex_unlock(&p->mutex);
        lang_raise(ts, LANG_EXC_ASSERTION, "cannot start a process twice");
        return NULL;
    }
    /* What the parent printed must not be printed again by the child. */
    fflush(NULL);
    int64_t pid = 0;
    /* The interp's mutex is held across the fork: a finished thread takes
     * it after it has detached (lang_interp_thread_finished), which
     * rc_fork cannot see, and the child must not inherit it held. */
    lang_interp *in = ts->interp;
    pthread_mutex_lock(&in->mutex);
    rc_status st = rc_fork(&pid);
    pthread_mutex_unlock(&in->mutex); /* in the child too: this thread locked it */
    if (st != RC_OK) {
        pthread_mutex_unlock(&p->mutex);
        return NULL; /* rc_fork's error says why (other threads running) */
    }
    if (pid == 0) {
        /* The child: its copy of the mutex was the parent's, held by this
         * thread; nothing else in the child can wait for it. */
        pthread_mutex_unlock(&p->mutex);
        int status = process_run(ts, p);
        fflush(NULL);
        _exit(status);
    }
    p->pid = pid;
    pthread_mutex_unlock(&p->mutex);
    return rc_newref(rc_none());
}

/* Records a reaped status. pre: p->mutex held. */
static void process_reaped(process_handle *p, int status) {
    p->reaped = true;
    p->exitcode = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

/* p.join(): waits for the child to end (in the release region: other
 * threads run meanwhile) and sets exitcode. */
static rc_object *process_join(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)args;
    process_handle *p = (process_handle *)self;
    if (!lang_check_args("join", nargs, 0, 0))
        return NULL;
    bool started = true;
    int wait_errno = 0;
    RC_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&p->mutex);
    if (p->pid == 0) {
        started = false;
    } else if (!p->reaped) {
        int status = 0;
        pid_t got;
        while ((got = waitpid((pid_t)p->pid, &status, 0)) < 0 && errno == EINTR) {
        }
        if (got == (pid_t)p->pid)
            process_reaped(p, status);
        else
            wait_errno = errno;
    }
    pthread_mutex_unlock(&p->mutex);
    RC_END_ALLOW_THREADS
    if (!started) {
        lang_raise(ts, LANG_EXC_ASSERTION, "can only join a started process");
        return NULL;
    }
    if (wait_errno) {
        rc_error_set(RC_EVALUE, "join: waitpid failed: %s", strerror(wait_errno));
        return NULL;
    }
    return rc_newref(rc_none());
}

static rc_object *process_is_alive(lang_thread *ts, rc_object *self, rc_object **args,
                                   int nargs) {
    (void)ts, (void)args;
    process_handle *p = (process_handle *)self;
    if (!lang_check_args("is_alive", nargs, 0, 0))
        return NULL;
    bool alive;
    RC_BEGIN_ALLOW_THREADS /* join() may hold the mutex: see process_state */
    pthread_mutex_lock(&p->mutex);
    if (p->pid != 0 && !p->reaped) {
        int status = 0;
        pid_t got = waitpid((pid_t)p->pid, &status, WNOHANG);
        if (got == (pid_t)p->pid)
            process_reaped(p, status);
        else if (got < 0 && errno == ECHILD) /* reaped elsewhere: its status is lost */
            p->reaped = true, p->exitcode = -1;
    }
    alive = p->pid != 0 && !p->reaped;
    pthread_mutex_unlock(&p->mutex);
    RC_END_ALLOW_THREADS
    return rc_bool_from(alive);
}

static const lang_method process_methods[] = {
    {"start", process_start, NULL}, {"join", process_join, NULL},
    {"is_alive", process_is_alive, NULL}, {NULL, NULL, NULL},
};

const lang_method *lang_process_methods(const rc_type *type) {
    return type == &process_type ? process_methods : NULL;
}

rc_object *lang_process_getattr(lang_thread *ts, rc_object *o, const char *name) {
    (void)ts;
    if (rc_object_type(o) != &process_type)
        return NULL;
    process_handle *p = (process_handle *)o;
    if (strcmp(name, "name") == 0)
        return rc_newref(p->name);
    if (strcmp(name, "daemon") == 0)
        return rc_bool_from(false);
    int64_t pid;
    bool reaped;
    int code;
    process_state(p, &pid, &reaped, &code);
    if (strcmp(name, "pid") == 0)
        return pid ? rc_int_from_i64(pid) : rc_newref(rc_none());
    if (strcmp(name, "exitcode") == 0)
        return reaped ? rc_int_from_i64(code) : rc_newref(rc_none());
    return NULL;
}

/* multiprocessing.cpu_count(): the processors online. */
static rc_object *bi_cpu_count(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts, (void)args;
    if (!lang_check_args("cpu_count", nargs, 0, 0))
        return NULL;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return rc_int_from_i64(n > 0 ? n : 1);
}

rc_status lang_process_module_install(lang_interp *in) {
    static const lang_module_fn fns[] = {
        {"Process", NULL, bi_Process}, {"cpu_count", bi_cpu_count, NULL}, {NULL, NULL, NULL},
    };
    return lang_module_add(in, "multiprocessing", fns, NULL) ? RC_OK : rc_error_code();
}
