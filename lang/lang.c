/*
 * lang/lang.c -- an interpreter's life: globals and builtins, running the
 * main program, waiting for its threads, and freeing it all.
 */
#include "lang/lang.h"

#include "lang/exceptions.h"

#include <stdlib.h>

#include "lang/builtins.h"
#include "lang/classes.h"
#include "lang/compiler.h"
#include "lang/modules.h"

/* globals[name] = v (borrowed). */
static rc_status set_global(lang_interp *in, const char *name, rc_object *v) {
    rc_object *key = rc_str_intern_cstr(name);
    rc_status st = key ? rc_dict_set(in->globals, key, v) : rc_error_code();
    rc_xdecref(key);
    return st;
}

/* The program is the main one: __name__ is "__main__". */
static rc_status set_name(lang_interp *in) {
    rc_object *name = rc_str_from_cstr("__main__");
    rc_status st = name ? set_global(in, "__name__", name) : rc_error_code();
    rc_xdecref(name);
    return st;
}

static rc_status set_argv(lang_interp *in, int argc, char **argv) {
    rc_object *list = rc_list_new();
    for (int i = 0; list && i < argc; i++) {
        rc_object *arg = rc_str_from_cstr(argv[i]);
        if (!arg || rc_list_append_steal(list, arg) != RC_OK)
            rc_clear_ref(&list);
    }
    in->argv = list;
    return list ? set_global(in, "argv", list) : rc_error_code();
}

lang_interp *lang_interp_new(FILE *out, int argc, char **argv) {
    lang_interp *in = rc_mem_calloc(sizeof *in); /* sets RC_ENOMEM when it fails */
    if (!in)
        return NULL;
    in->out = out;
    pthread_mutex_init(&in->mutex, NULL);
    pthread_cond_init(&in->threads_done, NULL);
    in->globals = rc_dict_new();
    in->builtins = rc_dict_new();
    in->modules = rc_dict_new();
    if (!in->globals || !in->builtins || !in->modules ||
        lang_builtins_install(in->builtins) != RC_OK || lang_classes_install(in) != RC_OK ||
        lang_exceptions_install(in) != RC_OK ||
        lang_modules_install(in) != RC_OK ||
        set_argv(in, argc, argv) != RC_OK || set_name(in) != RC_OK) {
        lang_interp_free(in);
        return NULL;
    }
    return in;
}

int lang_interp_exit_status(const lang_interp *in) {
    return in->exit_status;
}

void lang_interp_set_step_limit(lang_interp *in, int64_t steps) {
    in->step_limit = steps > 0 ? steps : 0;
}

void lang_interp_thread_started(lang_interp *in) {
    pthread_mutex_lock(&in->mutex);
    in->running_threads++;
    pthread_mutex_unlock(&in->mutex);
}

void lang_interp_thread_finished(lang_interp *in, bool failed) {
    pthread_mutex_lock(&in->mutex);
    in->running_threads--;
    in->thread_errors += failed;
    pthread_cond_broadcast(&in->threads_done);
    pthread_mutex_unlock(&in->mutex);
}

int lang_interp_free(lang_interp *in) {
    RC_BEGIN_ALLOW_THREADS /* the threads need the runtime to finish */
    pthread_mutex_lock(&in->mutex);
    while (in->running_threads > 0)
        pthread_cond_wait(&in->threads_done, &in->mutex);
    pthread_mutex_unlock(&in->mutex);
    RC_END_ALLOW_THREADS
    int errors = in->thread_errors;
    rc_xdecref(in->globals);
    rc_xdecref(in->builtins);
    rc_xdecref(in->modules);
    rc_xdecref(in->argv);
    rc_xdecref(in->main_thread);
    rc_gc_collect(); /* functions in globals close over envs that hold them */
    pthread_cond_destroy(&in->threads_done);
    pthread_mutex_destroy(&in->mutex);
    rc_mem_free(in);
    return errors;
}

/* The status and message of a failed compile. Running out of memory is no
 * syntax error: it is reported as the runtime error it is, with RC_ENOMEM
 * in refcore's error slot (where the failed allocation put it). */
static int compile_failure(const lang_syntax_error *e, char *err, size_t size) {
    if (e->out_of_memory) {
        snprintf(err, size, "out of memory while compiling (%s)", e->message);
        rc_error_set(RC_ENOMEM, "%s", err);
        return LANG_RUNTIME_ERROR;
    }
    if (e->line > 0)
        snprintf(err, size, "line %d, column %d: syntax error: %s", e->line, e->col, e->message);
    else
        snprintf(err, size, "syntax error: %s", e->message);
    return LANG_SYNTAX_ERROR;
}

int lang_check_syntax(const char *src, size_t len, char *err, size_t err_size) {
    lang_syntax_error e;
    rc_object *code = lang_compile(src, len, &e);
    if (!code)
        return compile_failure(&e, err, err_size);
    rc_decref(code);
    return LANG_OK;
}

int lang_run_source(lang_interp *in, const char *src, size_t len, char *err, size_t err_size) {
    lang_syntax_error e;
    rc_object *code = lang_compile(src, len, &e);
    if (!code)
        return compile_failure(&e, err, err_size);
    lang_thread ts;
    int status = LANG_RUNTIME_ERROR;
    if (lang_thread_init(&ts, in) != 0) {
        snprintf(err, err_size, "%s", rc_error_message());
    } else {
        rc_object *r = lang_run_module(&ts, code);
        if (r) {
            rc_decref(r);
            status = LANG_OK;
        } else if (ts.exiting) { /* sys.exit(): no error, the status for main() */
            in->exit_status = ts.exit_status;
            status = LANG_OK;
            err[0] = '\0';
        } else {
            lang_format_error(&ts, err, err_size);
        }
        lang_thread_fini(&ts);
    }
    rc_decref(code);
    return status;
}
