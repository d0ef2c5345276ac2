/*
 * lang/vm.h -- the interpreter: its shared state, a thread's state, and the
 * bytecode loop.
 *
 * One lang_interp is one program: its globals, its builtins, where print
 * writes, and the threads it started. Each OS thread running the program's
 * code has a lang_thread: its value stack and the line of the error being
 * unwound (its call depth is refcore's recursion depth, runtime/recursion.h).
 * Errors travel as refcore's do: NULL, with the code and message in
 * refcore's per-thread error slot.
 */
#ifndef LANG_VM_H
#define LANG_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "lang/code.h"
#include "refcore.h"

#define LANG_STACK_SLOTS (1 << 16) /* value stack slots, per thread */

/* The random module's generator (random.c): MT19937's state. */
typedef struct lang_random {
    uint32_t mt[624];
    int index; /* the next word of mt to hand out; 624: refill first */
} lang_random;

typedef struct lang_interp {
    rc_object *globals;  /* dict; shared by every thread, never counted by
                            them: mortal (README, free-threaded strategy) */
    rc_object *builtins; /* dict; read-only once built; its values immortal */
    rc_object *modules;  /* dict: name -> module (modules.h); read-only once built */
    rc_object *argv;     /* list: the global argv, and sys.argv */
    int exit_status;     /* what sys.exit() gave, 0 if it was not called */
    FILE *out;           /* where print writes */
    /* Threads started by thread() that have not finished: the program ends
     * only when they have (as Python waits for its non-daemon threads). */
    pthread_mutex_t mutex;
    pthread_cond_t threads_done;
    int running_threads;
    int thread_errors; /* threads that ended with an uncaught error */
    /* threading's view (threads.c): the main thread's handle, the running
     * threads' handles in a list through their links (the main one first;
     * borrowed: each thread holds its handle until it has left the list),
     * and how many Threads were made, for their names. The list and the
     * counts change under mutex. */
    rc_object *main_thread;
    struct thread_handle *alive;
    int64_t threads_made;
    int64_t processes_made; /* Process objects made, for their names (process.c) */
    lang_random random;     /* under mutex */
    /* The steps (backward jumps and calls) each thread may take; 0 for no
     * limit. Set before running (lang_interp_set_step_limit). */
    int64_t step_limit;
    /* classes.c: the special methods' names (lang_special), interned, so
     * immortal: nothing to free. Read-only once built. */
    rc_object *special_names[32];
    /* The builtin exception classes, by lang_exc_kind (exceptions.h);
     * borrowed from the builtins dict, immortal. */
    rc_object *exc_classes[32];
} lang_interp;

typedef struct lang_thread {
    lang_interp *interp;
    rc_object **stack; /* LANG_STACK_SLOTS; frames take consecutive slices */
    int64_t sp;        /* first free slot */
    int err_line;      /* line of the error being unwound; 0 if none yet */
    int64_t steps_left; /* before RC_ELIMIT; -1 for no limit */
    bool exiting;       /* the error being unwound is sys.exit(exit_status) */
    rc_object *handle;  /* this thread's handle for threading (borrowed) */
    int exit_status;
    /* Exceptions (exceptions.c). exc: the exception object being unwound,
     * or NULL when the error is only in refcore's slot; it is the current
     * one only while the slot still holds its status and message (a later
     * error that no one caught replaces the slot, not exc).
     * handled[0 .. n_handled): the exceptions whose except/finally blocks
     * run, innermost last, each with the line where it was raised; borrowed
     * (a frame's value stack holds each). caught_line: the line of the last
     * exception a handler caught, for its PUSH_HANDLED or reraise. */
    rc_object *exc;
    rc_object **handled;
    int *handled_lines;
    int n_handled, cap_handled;
    int caught_line;
} lang_thread;

/* Returns 0, or -1 (RC_ENOMEM) with the error set. pre: attached. */
int lang_thread_init(lang_thread *ts, lang_interp *interp);
void lang_thread_fini(lang_thread *ts);

/* Calls callee (a function or builtin) with nargs borrowed args.
 * Returns: a new reference, or NULL with the error set and ts->err_line
 * naming the line where it arose. A checkpoint. */
rc_object *lang_call(lang_thread *ts, rc_object *callee, rc_object **args, int nargs);

/* The same with keyword arguments: args holds nargs positional values and
 * then one value for each name in kwnames (a tuple of strs, or NULL for
 * none), all borrowed. A function binds them to its parameters as Python
 * does, and fills the rest from its defaults; a builtin that takes no
 * keywords refuses them (RC_ETYPE). */
rc_object *lang_call_kw(lang_thread *ts, rc_object *callee, rc_object **args, int nargs,
                        rc_object *kwnames);

/* Runs a module's code with the interp's globals. Returns as lang_call. */
rc_object *lang_run_module(lang_thread *ts, rc_object *code);

/* Formats the error being unwound on this thread ("line N: message") into
 * buf, and forgets its line; rc_error_code() still gives its status. */
void lang_format_error(lang_thread *ts, char *buf, size_t size);

#endif /* LANG_VM_H */
