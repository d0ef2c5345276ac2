/*
 * lang/builtins.h -- builtin functions and the methods of built-in values.
 */
#ifndef LANG_BUILTINS_H
#define LANG_BUILTINS_H

#include "lang/objects.h"
#include "lang/vm.h"
#include "refcore.h"

/* A method: self and args borrowed; returns a new reference or NULL. */
typedef rc_object *(*lang_mfunc)(lang_thread *ts, rc_object *self, rc_object **args, int nargs);

typedef struct lang_method {
    const char *name;
    lang_mfunc fn;
} lang_method;

/* Calls self.name(args...). name is a str. Returns as lang_call. */
rc_object *lang_call_method(lang_thread *ts, rc_object *self, rc_object *name, rc_object **args,
                            int nargs);

/* Adds every builtin to the dict. Returns RC_OK or a failure status. */
rc_status lang_builtins_install(rc_object *builtins);

/* Checks a builtin's argument count; sets RC_ETYPE and returns false if it
 * is outside min..max. */
bool lang_check_args(const char *fname, int nargs, int min, int max);

/* From threads.c: thread(), Lock(), sleep(), time() and the methods of
 * their objects (NULL for a type that is not theirs). */
rc_status lang_threads_install(rc_object *builtins);
const lang_method *lang_threads_methods(const rc_type *type);

/* Adds fn to the dict under name. */
rc_status lang_add_builtin(rc_object *builtins, const char *name, lang_cfunc fn);

#endif /* LANG_BUILTINS_H */
