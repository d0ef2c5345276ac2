/*
 * lang/objects.h -- the interpreter's own object types, defined through
 * refcore's public client-type API (objects/object.h) like any embedder's.
 *
 *   function   code + the environment it closes over. RC_TYPE_GC: a closure
 *              can reach itself (a function stored in a variable of the
 *              frame it closes over), and the collector must see that.
 *   env        one call's local variables, plus the enclosing call's env.
 *              RC_TYPE_GC for the same reason.
 *   builtin    a C function with a name. Holds no references.
 *   range      start, stop, step. Holds no references.
 *   iterator   what `for` walks: a refcore rc_iter over a list, tuple or
 *              dict, or a position in a range. RC_TYPE_GC: it holds its
 *              container.
 */
#ifndef LANG_OBJECTS_H
#define LANG_OBJECTS_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/code.h"
#include "refcore.h"

struct lang_thread;

/* A builtin: args are borrowed; returns a new reference, or NULL with the
 * refcore error slot set. */
typedef rc_object *(*lang_cfunc)(struct lang_thread *ts, rc_object **args, int nargs);

/* A builtin that takes keyword arguments: args holds nargs positional
 * values, then one for each name in kwnames (a tuple of strs, or NULL). */
typedef rc_object *(*lang_cfunc_kw)(struct lang_thread *ts, rc_object **args, int nargs,
                                    rc_object *kwnames);

typedef struct lang_env {
    rc_object base;
    rc_object *parent;   /* the enclosing call's env, or NULL */
    bool captured;       /* a function closes over it: other threads may use its
                            slots, so they change only in its critical section
                            (vm.c); set before any such function exists */
    int64_t n;
    rc_object *slots[];  /* strong references, or NULL while unassigned */
} lang_env;

typedef struct lang_function {
    rc_object base;
    rc_object *code;     /* a lang_code */
    rc_object *env;      /* the env it was defined in; NULL at module level */
    rc_object *defaults; /* tuple: the values of the last parameters' defaults, or NULL */
} lang_function;

typedef struct lang_builtin {
    rc_object base;
    const char *name;
    lang_cfunc fn;       /* exactly one of fn and kwfn is set */
    lang_cfunc_kw kwfn;
} lang_builtin;

typedef struct lang_range {
    rc_object base;
    int64_t start, stop, step;
} lang_range;

extern rc_type lang_env_type, lang_function_type, lang_builtin_type, lang_range_type,
    lang_iterator_type;

/* Returns: a new reference, or NULL with the error set. parent borrowed. */
rc_object *lang_env_new(rc_object *parent, int64_t n);
/* code, env and defaults borrowed (env and defaults may be NULL). */
rc_object *lang_function_new(rc_object *code, rc_object *env, rc_object *defaults);

/* True for a function defined at module level (it closes over no env). */
bool lang_function_is_module_level(const rc_object *o);

/* Makes a module-level function immortal (rc_immortalize), together with
 * its code: the code objects of it and of the functions nested in it, their
 * constants and names. All of that is immutable, so nothing mortal is left
 * hanging off an immortal object, and all of it is counted by every thread
 * that calls the function (a constant at each load). It stays alive until
 * the runtime stops. Its defaults' values are made immortal with it when
 * they are all immutable atoms (None, bools, numbers, strs, tuples of
 * them); otherwise (`def f(acc=[])`) f stays mortal, for a mutable default
 * is program data. Returns RC_OK, or rc_immortalize's error (some of it
 * may be immortal then, which is harmless). pre: f is module-level. */
rc_status lang_function_share(rc_object *f);
rc_object *lang_builtin_new(const char *name, lang_cfunc fn);
rc_object *lang_builtin_new_kw(const char *name, lang_cfunc_kw kwfn);
rc_object *lang_range_new(int64_t start, int64_t stop, int64_t step);

/* Returns: a new reference to an iterator over o (a range, a str: its
 * characters, or anything rc_iter_begin takes: a list, tuple, dict, set, an
 * instance with __iter__), or NULL (RC_ETYPE "'X' object is not iterable"
 * for anything else, or the error of __iter__). */
rc_object *lang_iterator_new(rc_object *o);

/* 1: *item is the next item (new reference); 0: exhausted; <0: error. */
int lang_iterator_next(rc_object *it, rc_object **item);

#endif /* LANG_OBJECTS_H */
