/*
 * lang/modules.h -- refpy's built-in modules (time, threading, sys, math)
 * and attribute access.
 *
 * A module is a client type: a name and a dict of its attributes. Every
 * interpreter builds its modules when it starts (they are few and small),
 * and `import` finds them by name in lang_interp.modules. A module, its
 * dict and every value in it are immortal: every thread that calls
 * time.sleep loads the module and the function (README, "Under a
 * free-threaded strategy"). What must stay mortal is computed when asked
 * for (a hook): sys.argv is the program's list.
 */
#ifndef LANG_MODULES_H
#define LANG_MODULES_H

#include "lang/objects.h"
#include "lang/vm.h"
#include "refcore.h"

/* An attribute computed per lookup: returns a new reference, or NULL with
 * the error unset when the module has no such computed attribute. */
typedef rc_object *(*lang_attr_hook)(lang_thread *ts, const char *name);

typedef struct lang_module {
    rc_object base;
    rc_object *name;      /* str */
    rc_object *dict;      /* immortal, its values too */
    lang_attr_hook hook;  /* or NULL */
} lang_module;

extern rc_type lang_module_type;

/* Builds every built-in module into in->modules (a dict). Returns RC_OK or
 * a failure status. */
rc_status lang_modules_install(lang_interp *in);

/* `import name`: returns a new reference to the module, or NULL with
 * RC_EKEY set ("No module named ..."). */
rc_object *lang_import(lang_thread *ts, rc_object *name);

/* o.name (name a str): a module's attribute, a thread's name / native_id /
 * ident / daemon. Returns a new reference, or NULL with RC_EKEY set
 * ("... has no attribute ..."). */
rc_object *lang_getattr(lang_thread *ts, rc_object *o, rc_object *name);

/* Adds a module named name, with the builtins in fns (NULL-ended) and an
 * optional hook, to in->modules. Returns: the module (borrowed: the dict
 * holds it, and it is immortal), or NULL with the error set. For threads.c,
 * which fills time and threading. */
typedef struct lang_module_fn {
    const char *name;
    lang_cfunc fn;
    lang_cfunc_kw kwfn;
} lang_module_fn;
rc_object *lang_module_add(lang_interp *in, const char *name, const lang_module_fn *fns,
                           lang_attr_hook hook);

/* Sets an immortal constant (made so here) in a module's dict. v stolen. */
rc_status lang_module_set(rc_object *module, const char *name, rc_object *v);

/* From threads.c: the time and threading modules, and the attributes of
 * thread objects (NULL, error unset, for anything else). */
rc_status lang_threads_modules_install(lang_interp *in);
rc_object *lang_threads_getattr(lang_thread *ts, rc_object *o, const char *name);

/* From random.c: the random module, its generator seeded as seed(0). */
rc_status lang_random_install(lang_interp *in);

/* From process.c: the multiprocessing module, and the attributes of
 * Process objects (NULL, error unset, for anything else). */
rc_status lang_process_module_install(lang_interp *in);
rc_object *lang_process_getattr(lang_thread *ts, rc_object *o, const char *name);

#endif /* LANG_MODULES_H */
