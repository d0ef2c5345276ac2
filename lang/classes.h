/*
 * lang/classes.h -- user-defined classes: the class, instance, bound method
 * and super types, attribute access on them, calling a class, and the
 * special methods (__init__, __repr__, __str__, __eq__, __lt__, __hash__,
 * __len__, __getitem__, __iter__, __next__, __add__, ...) the rest of the
 * interpreter defers to.
 *
 *   class      a name, its base class (or NULL), and a dict of its
 *              attributes (the class body's names: methods, class
 *              attributes). RC_TYPE_GC: a method's globals, or the class
 *              body's env that its methods close over (for super()), hold
 *              the class.
 *   instance   its class and a dict of its own attributes. RC_TYPE_GC: an
 *              instance can hold itself.
 *   method     a function bound to an instance (`f = o.m`). RC_TYPE_GC.
 *   super      what `super()` gives inside a method: the class the method
 *              was defined in and self; attributes are looked up from the
 *              class's base on. RC_TYPE_GC.
 *   classmethod, staticmethod  a function wrapped by the decorators of
 *              those names: read from a class, the first binds to the
 *              class, the second to nothing. RC_TYPE_GC.
 *
 * Thread safety: the attribute dicts are refcore dicts, so each attribute
 * read or write is atomic under every strategy, and instances may be shared
 * between refpy threads. A class's name and base, an instance's class and a
 * method's parts are set when the object is made and never change.
 *
 * Special methods run program code from inside refcore's type slots (repr,
 * equal, hash, length, getitem, setitem, iter, next), which take no
 * interpreter state: they use the thread's current lang_thread
 * (lang_classes_set_thread), one per OS thread.
 */
#ifndef LANG_CLASSES_H
#define LANG_CLASSES_H

#include <stdbool.h>

#include "lang/code.h"
#include "lang/objects.h"
#include "lang/vm.h"
#include "refcore.h"

typedef struct lang_class {
    rc_object base;
    rc_object *name;  /* str */
    rc_object *super; /* the base class, or NULL */
    rc_object *dict;  /* refcore dict: attribute name -> value */
    rc_object *exc_base; /* the builtin exception class it derives from (its
                            base's, inherited down the chain), or NULL; borrowed:
                            the builtin classes are immortal. An exception
                            class of the program's has super NULL at its root:
                            lookups fall back to BaseException's methods
                            (lang_exc_method) there. */
} lang_class;

typedef struct lang_instance {
    rc_object base;
    rc_object *cls;   /* a lang_class */
    rc_object *dict;  /* refcore dict: the instance's own attributes */
} lang_instance;

extern rc_type lang_class_type, lang_instance_type, lang_bound_method_type, lang_super_type,
    lang_classmethod_type, lang_staticmethod_type;

/* The special methods' names, as indexes into lang_interp.special_names:
 * interned once per interpreter (lang_classes_install), since interning
 * takes one process-wide mutex and a lookup happens at every operator and
 * instantiation. */
typedef enum lang_special {
    SP_INIT, SP_REPR, SP_STR, SP_EQ, SP_NE, SP_LT, SP_LE,
    SP_GT, SP_GE, SP_HASH, SP_LEN, SP_GETITEM, SP_SETITEM, SP_ADD,
    SP_SUB, SP_MUL, SP_TRUEDIV, SP_FLOORDIV, SP_MOD, SP_RADD, SP_RSUB,
    SP_RMUL, SP_RTRUEDIV, SP_RFLOORDIV, SP_RMOD, SP_NEG, SP_CONTAINS, SP_ITER,
    SP_NEXT, SP_COUNT
} lang_special;

/* The lang_thread running on this OS thread (NULL: none), for the special
 * methods called from type slots. lang_thread_init/fini set and clear it. */
void lang_classes_set_thread(lang_thread *ts);

static inline bool lang_is_instance(const rc_object *o) {
    return rc_object_type(o) == &lang_instance_type;
}

static inline bool lang_is_class(const rc_object *o) {
    return rc_object_type(o) == &lang_class_type;
}

/* Whether the class of the instance o (or a base) defines the method name
 * (the `with` protocol asks for __enter__ and __exit__). */
bool lang_instance_has_method(rc_object *o, const char *name);

/* The name Python would give o's type: an instance's class name, else the
 * refcore type's name. Borrowed (lives as long as o). */
const char *lang_type_name(const rc_object *o);

/* True for the types whose attributes and method calls this file handles
 * (all of the above). */
bool lang_classes_owns(const rc_object *o);

/* OP_MAKE_CLASS: the class named name (a str) whose attributes are the
 * assigned locals of the class body's env, from slot first on (the slots
 * before hold the base and __class__); slot 0 holds the base class or
 * None. Returns: a new reference, or NULL with the error set. */
rc_object *lang_class_build(rc_object *name, lang_code *body, lang_env *env, int first);

/* OP_SUPER: super() in a method of cls with self. New reference or NULL. */
rc_object *lang_super_new(rc_object *cls, rc_object *self);

/* o.name for an owned type (lang_classes_owns). New reference, or NULL with
 * RC_EKEY set: "'Point' object has no attribute 'z'". */
rc_object *lang_classes_getattr(lang_thread *ts, rc_object *o, rc_object *name);

/* o.name = v (v borrowed): an instance's or a class's attribute. RC_ETYPE
 * for other values. */
rc_status lang_setattr(rc_object *o, rc_object *name, rc_object *v);

/* o.name(args) for an owned type, without making a bound method: the
 * arguments as lang_call_kw takes them. */
rc_object *lang_classes_call_method(lang_thread *ts, rc_object *o, rc_object *name,
                                    rc_object **args, int nargs, rc_object *kwnames);

/* Calls a class (makes an instance and runs __init__) or a bound method.
 * Returns NULL with the error unset when callee is neither. */
rc_object *lang_classes_call(lang_thread *ts, rc_object *callee, rc_object **args, int nargs,
                             rc_object *kwnames, bool *handled);

/* a OP b when either is an instance: __add__ / __radd__ and the like,
 * __eq__, __ne__, __lt__ (and its reflection __gt__), ... */
rc_object *lang_instance_binary(lang_binop op, rc_object *a, rc_object *b);

/* str(o) for an instance: __str__, else its repr. New reference or NULL. */
rc_object *lang_instance_str(rc_object *o);

/* -o (__neg__), and item in o (__contains__, else, as Python falls back,
 * iteration by __iter__: 1 or 0, or a negative status). len(o), o[i], o[i] = v and iteration are not here: an
 * instance's refcore type has the length, getitem, setitem, iter and next
 * slots (__len__, __getitem__, __setitem__, __iter__, __next__), reached
 * through rc_object_length and the other generic calls. */
rc_object *lang_instance_negate(rc_object *o);
int lang_instance_contains(rc_object *o, rc_object *item);

/* Adds type, issubclass, hasattr, getattr, setattr, object, super,
 * classmethod and staticmethod to in's builtins, and fills
 * in->special_names. */
rc_status lang_classes_install(lang_interp *in);

/* isinstance(x, cls) for a class: 1 or 0. */
bool lang_class_isinstance(rc_object *x, rc_object *cls);

#endif /* LANG_CLASSES_H */
