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

/* The same for a method that takes keyword arguments: args holds nargs
 * positional values, then one for each name in kwnames (a tuple of strs,
 * or NULL), as lang_call_kw passes them. */
typedef rc_object *(*lang_mfunc_kw)(lang_thread *ts, rc_object *self, rc_object **args, int nargs,
                                    rc_object *kwnames);

/* One of fn and kwfn is set: a method without kwfn takes no keywords. */
typedef struct lang_method {
    const char *name;
    lang_mfunc fn;
    lang_mfunc_kw kwfn;
} lang_method;

/* Calls self.name(args...). name is a str. Returns as lang_call. */
rc_object *lang_call_method(lang_thread *ts, rc_object *self, rc_object *name, rc_object **args,
                            int nargs);

/* The same with keyword arguments (as lang_call_kw takes them): a
 * module's function and a class's method take them as any call does; a
 * built-in value's method takes those it names (its kwfn), others none
 * (RC_ETYPE). */
rc_object *lang_call_method_kw(lang_thread *ts, rc_object *self, rc_object *name,
                               rc_object **args, int nargs, rc_object *kwnames);

/* Calls a builtin (lang_call_kw's arguments). */
rc_object *lang_builtin_call(lang_thread *ts, lang_builtin *b, rc_object **args, int nargs,
                             rc_object *kwnames);

/* Matches a builtin's keyword arguments (args[nargs..], named by kwnames,
 * which may be NULL) with the names it takes (names, NULL-ended): out[i]
 * gets the value given for names[i] (borrowed), or NULL. Returns RC_OK, or
 * RC_ETYPE for a keyword it does not take. */
rc_status lang_kwargs(const char *fname, rc_object **args, int nargs, rc_object *kwnames,
                      const char *const *names, rc_object **out);

/* Adds every builtin to the dict. Returns RC_OK or a failure status. */
/* Whether self's type has a method of this name (the `with` protocol asks
 * for __enter__ and __exit__). A module's functions are not its methods. */
bool lang_has_method(rc_object *self, const char *name);

rc_status lang_builtins_install(rc_object *builtins);

/* Checks a builtin's argument count; sets RC_ETYPE and returns false if it
 * is outside min..max. */
bool lang_check_args(const char *fname, int nargs, int min, int max);

/* sorted(args[0], key=, reverse=): the keywords as lang_kwargs takes
 * them. Returns a new list, or NULL. list.sort(key=, reverse=) uses it. */
rc_object *lang_sorted(lang_thread *ts, rc_object **args, int nargs, rc_object *kwnames);

/* From seq_builtins.c: list, tuple, bool, abs, round, min, max, sum, any,
 * all, enumerate, zip, reversed, sorted, isinstance. */
rc_status lang_seq_builtins_install(rc_object *builtins);

/* From threads.c: thread(), Lock(), sleep(), time() and the methods of
 * their objects (NULL for a type that is not theirs). */
rc_status lang_threads_install(rc_object *builtins);
const lang_method *lang_threads_methods(const rc_type *type);

/* From process.c: the methods of Process objects (NULL for other types). */
const lang_method *lang_process_methods(const rc_type *type);

/* Adds fn (or kwfn, a builtin that takes keywords) to the dict under name. */
rc_status lang_add_builtin(rc_object *builtins, const char *name, lang_cfunc fn);
rc_status lang_add_builtin_kw(rc_object *builtins, const char *name, lang_cfunc_kw kwfn);

#endif /* LANG_BUILTINS_H */
