/*
 * lang/classes.c -- classes, instances, bound methods and super() (see
 * classes.h).
 *
 * A class statement compiles to a function, its body, whose locals become
 * the class's attributes: the body ends with OP_MAKE_CLASS, which builds
 * the class from its env (lang_class_build) and stores it in the body's
 * hidden local __class__. Methods are closures over that env, so super()
 * in a method finds its class there, as CPython's __class__ cell does; the
 * compiler lets methods see no other name of the class body (Python's
 * rule). The class then holds its methods, and they hold it through the
 * env: a cycle, which the collector frees.
 *
 * Attribute lookup is Python's for classes without descriptors: an
 * instance's own dict, then its class and the bases in order; a function
 * found in a class is bound to the instance. A method call (`o.m(x)`) binds
 * without making a method object: self goes before the arguments.
 *
 * Special methods are looked up on the class only, as Python does. Those
 * reached from refcore's type slots (repr, equal, hash, and the container
 * protocols: length, getitem, setitem, iter, next) run on the thread's
 * current lang_thread; without one (a host printing an instance after its
 * program ended) they fall back to the defaults: the `<__main__.C object at
 * 0x...>` repr, identity equality and hash, and the container slots fail
 * as for a class without the method.
 */
#include "lang/classes.h"

#include <stdint.h>
#include <string.h>

#include "lang/builtins.h"
#include "lang/exceptions.h"
#include "lang/modules.h"
#include "lang/ops.h"

/* Set by lang_thread_init on the thread that runs that lang_thread, and
 * read only by that thread: no sharing, no ordering to argue. */
static _Thread_local lang_thread *current_thread;

void lang_classes_set_thread(lang_thread *ts) {
    current_thread = ts;
}

/* ---- the types ---------------------------------------------------------------- */

static int class_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    lang_class *c = (lang_class *)self;
    RC_VISIT(c->super);
    RC_VISIT(c->dict);
    return 0;
}

/* The name stays: a str holds nothing, and messages may still use it. */
static void class_clear(rc_object *self) {
    lang_class *c = (lang_class *)self;
    rc_clear_ref(&c->super);
    rc_clear_ref(&c->dict);
}

static void class_dealloc(rc_object *self) {
    class_clear(self);
    rc_clear_ref(&((lang_class *)self)->name);
}

static rc_object *class_repr(rc_object *self) {
    lang_class *c = (lang_class *)self;
    return rc_str_from_format("<class '__main__.%s'>", c->name ? rc_str_data(c->name) : "?");
}

rc_type lang_class_type = {
    .name = "type",
    .basicsize = sizeof(lang_class),
    .flags = RC_TYPE_GC,
    .dealloc = class_dealloc,
    .traverse = class_traverse,
    .clear = class_clear,
    .repr = class_repr,
    .instance_size = rc_fixed_instance_size,
};

static int instance_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    RC_VISIT(((lang_instance *)self)->cls);
    RC_VISIT(((lang_instance *)self)->dict);
    return 0;
}

static void instance_clear(rc_object *self) {
    rc_clear_ref(&((lang_instance *)self)->cls);
    rc_clear_ref(&((lang_instance *)self)->dict);
}

static rc_status instance_hash(rc_object *self, uint64_t *out);
static int instance_equal(rc_object *self, rc_object *other);
static rc_object *instance_repr(rc_object *self);
static int64_t instance_len(rc_object *self);
static rc_object *instance_getitem(rc_object *self, rc_object *key);
static rc_status instance_setitem(rc_object *self, rc_object *key, rc_object *value);
static rc_object *instance_iter(rc_object *self);
static int instance_next(rc_object *self, rc_object **item);

rc_type lang_instance_type = {
    .name = "object",
    .basicsize = sizeof(lang_instance),
    .flags = RC_TYPE_GC,
    .dealloc = instance_clear,
    .traverse = instance_traverse,
    .clear = instance_clear,
    .hash = instance_hash,
    .equal = instance_equal,
    .repr = instance_repr,
    .instance_size = rc_fixed_instance_size,
    /* refcore's container protocols (objects/protocol.h, objects/iter.h):
     * len(), o[k], o[k] = v and `for` reach __len__, __getitem__,
     * __setitem__, __iter__ and __next__ through refcore's generic calls,
     * as a built-in container's operations are reached. */
    .length = instance_len,
    .getitem = instance_getitem,
    .setitem = instance_setitem,
    .iter = instance_iter,
    .next = instance_next,
};

/* A bound method, and super(): two references each. */
typedef struct lang_pair {
    rc_object base;
    rc_object *a; /* method: the function; super: the class */
    rc_object *self;
} lang_pair;

static int pair_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    RC_VISIT(((lang_pair *)self)->a);
    RC_VISIT(((lang_pair *)self)->self);
    return 0;
}

static void pair_clear(rc_object *self) {
    rc_clear_ref(&((lang_pair *)self)->a);
    rc_clear_ref(&((lang_pair *)self)->self);
}

static rc_object *method_repr(rc_object *self) {
    rc_object *f = ((lang_pair *)self)->a;
    lang_code *co = f ? (lang_code *)((lang_function *)f)->code : NULL;
    return rc_str_from_format("<bound method %s>", co ? rc_str_data(co->name) : "?");
}

rc_type lang_bound_method_type = {
    .name = "method",
    .basicsize = sizeof(lang_pair),
    .flags = RC_TYPE_GC,
    .dealloc = pair_clear,
    .traverse = pair_traverse,
    .clear = pair_clear,
    .repr = method_repr,
    .instance_size = rc_fixed_instance_size,
};

/* classmethod(f) and staticmethod(f): f wrapped (in a), self NULL; what
 * they do happens when a class's attribute is read (resolve_found). */
rc_type lang_classmethod_type = {
    .name = "classmethod",
    .basicsize = sizeof(lang_pair),
    .flags = RC_TYPE_GC,
    .dealloc = pair_clear,
    .traverse = pair_traverse,
    .clear = pair_clear,
    .instance_size = rc_fixed_instance_size,
};

rc_type lang_staticmethod_type = {
    .name = "staticmethod",
    .basicsize = sizeof(lang_pair),
    .flags = RC_TYPE_GC,
    .dealloc = pair_clear,
    .traverse = pair_traverse,
    .clear = pair_clear,
    .instance_size = rc_fixed_instance_size,
};

rc_type lang_super_type = {
    .name = "super",
    .basicsize = sizeof(lang_pair),
    .flags = RC_TYPE_GC,
    .dealloc = pair_clear,
    .traverse = pair_traverse,
    .clear = pair_clear,
    .instance_size = rc_fixed_instance_size,
};

/* a and self borrowed; self may be NULL. */
static rc_object *pair_new(rc_type *type, rc_object *a, rc_object *self) {
    lang_pair *p = (lang_pair *)rc_object_new(type);
    if (!p)
        return NULL;
    p->a = rc_newref(a);
    p->self = self ? rc_newref(self) : NULL;
    return &p->base;
}

rc_object *lang_super_new(rc_object *cls, rc_object *self) {
    if (!lang_is_class(cls)) { /* __class__ is bound only once the class exists */
        rc_error_set(RC_ETYPE, "super(): __class__ is not a class");
        return NULL;
    }
    return pair_new(&lang_super_type, cls, self);
}

const char *lang_type_name(const rc_object *o) {
    if (lang_is_instance(o)) {
        lang_class *c = (lang_class *)((const lang_instance *)o)->cls;
        if (c && c->name)
            return rc_str_data(c->name);
    }
    return rc_object_type_name(o);
}

bool lang_classes_owns(const rc_object *o) {
    const rc_type *t = rc_object_type(o);
    return t == &lang_instance_type || t == &lang_class_type || t == &lang_super_type ||
           t == &lang_bound_method_type || t == &lang_classmethod_type ||
           t == &lang_staticmethod_type;
}

/* ---- lookup -------------------------------------------------------------------- */

/* name in the class start and its bases, in order, then, for an exception
 * class (exc_base set), in BaseException's methods. 1: found, *out a new
 * reference; 0: absent; <0: an error status. start may be NULL (only the
 * exception methods to search). */
static int lookup_from(rc_object *start, rc_object *exc_base, rc_object *name, rc_object **out) {
    *out = NULL;
    for (lang_class *c = (lang_class *)start; c && c->dict; c = (lang_class *)c->super) {
        int r = rc_dict_get_ref(c->dict, name, out);
        if (r != 0)
            return r;
    }
    return exc_base ? lang_exc_method(exc_base, name, out) : 0;
}

/* name in cls and its bases (cls may be NULL: nothing to search). */
static int class_lookup(rc_object *cls, rc_object *name, rc_object **out) {
    return lookup_from(cls, cls ? ((lang_class *)cls)->exc_base : NULL, name, out);
}

bool lang_instance_has_method(rc_object *o, const char *name) {
    rc_object *nm = rc_str_intern_cstr(name), *found = NULL;
    int r = nm ? class_lookup(((lang_instance *)o)->cls, nm, &found) : -1;
    rc_xdecref(nm);
    rc_xdecref(found);
    if (r < 0)
        rc_error_clear(); /* a failed lookup reads as absent; the caller says what is missing */
    return r == 1;
}

/* name above the class of a super() object: from its base on. */
static int super_lookup(rc_object *sup, rc_object *name, rc_object **out) {
    lang_class *c = (lang_class *)((lang_pair *)sup)->a;
    return lookup_from(c->super, c->exc_base, name, out);
}

static const char *const special_text[SP_COUNT] = {
    "__init__",
    "__repr__",
    "__str__",
    "__eq__",
    "__ne__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__hash__",
    "__len__",
    "__getitem__",
    "__setitem__",
    "__add__",
    "__sub__",
    "__mul__",
    "__truediv__",
    "__floordiv__",
    "__mod__",
    "__radd__",
    "__rsub__",
    "__rmul__",
    "__rtruediv__",
    "__rfloordiv__",
    "__rmod__",
    "__neg__",
    "__contains__",
    "__iter__",
    "__next__"
};
_Static_assert(SP_COUNT <= sizeof ((lang_interp *)0)->special_names /
                              sizeof ((lang_interp *)0)->special_names[0],
               "lang_interp.special_names holds every special method's name");

/* A special method of cls, as class_lookup. */
static int special_lookup(lang_thread *ts, rc_object *cls, lang_special which, rc_object **out) {
    return class_lookup(cls, ts->interp->special_names[which], out);
}

/* Calls f with self before the arguments (lang_call_kw's). */
static rc_object *call_with_self(lang_thread *ts, rc_object *f, rc_object *self, rc_object **args,
                                 int nargs, rc_object *kwnames) {
    int total = nargs + (kwnames ? (int)rc_tuple_size(kwnames) : 0);
    rc_object *small[16], **all = small;
    if (total + 1 > (int)(sizeof small / sizeof small[0]) &&
        !(all = rc_mem_alloc((size_t)(total + 1) * sizeof *all)))
        return NULL;
    all[0] = self;
    if (total > 0) /* args may be NULL then */
        memcpy(all + 1, args, (size_t)total * sizeof *all);
    rc_object *r = lang_call_kw(ts, f, all, nargs + 1, kwnames);
    if (all != small)
        rc_mem_free(all);
    return r;
}

/* o.<name>(args) for a special method of an instance's class. *found:
 * whether the class has it (when false, NULL is returned, error unset). */
static rc_object *call_special(rc_object *o, lang_special name, rc_object **args, int nargs,
                               bool *found) {
    lang_thread *ts = current_thread;
    rc_object *f;
    *found = false;
    if (!ts)
        return NULL;
    int r = special_lookup(ts, ((lang_instance *)o)->cls, name, &f);
    if (r <= 0) {
        *found = r < 0; /* an error counts as found: it is the result */
        return NULL;
    }
    *found = true;
    rc_object *res = rc_object_type(f) == &lang_function_type || lang_exc_is_method(f)
                         ? call_with_self(ts, f, o, args, nargs, NULL)
                         : lang_call(ts, f, args, nargs);
    rc_decref(f);
    return res;
}

static bool has_special(lang_thread *ts, rc_object *o, lang_special name) {
    rc_object *f;
    int r = special_lookup(ts, ((lang_instance *)o)->cls, name, &f);
    rc_xdecref(f);
    return r == 1;
}

/* ---- building a class ------------------------------------------------------------- */

/* `class C(object)`: object is a builtin standing for Python's root class,
 * which every class has as its last base anyway. */
static bool is_object_builtin(rc_object *o) {
    return rc_object_type(o) == &lang_builtin_type &&
           strcmp(((lang_builtin *)o)->name, "object") == 0;
}

/* A slot of the body's env, with a reference: the env is captured (its
 * methods close over it), so it is read in its critical section. */
static rc_object *env_slot(lang_env *env, int i) {
    rc_object *v;
    RC_CRITICAL_BEGIN(&env->base)
    v = env->slots[i];
    if (v)
        rc_incref(v);
    RC_CRITICAL_END(&env->base)
    return v;
}

static rc_status class_fill(rc_object *dict, lang_code *body, lang_env *env, int first) {
    rc_status st = RC_OK;
    for (int i = first; st == RC_OK && i < (int)env->n; i++) {
        rc_object *v = env_slot(env, i);
        if (!v)
            continue; /* assigned only on a path the body did not take */
        rc_object *key = rc_str_intern(body->localnames[i]);
        st = key ? rc_dict_set(dict, key, v) : rc_error_code();
        rc_xdecref(key);
        rc_decref(v);
    }
    return st;
}

rc_object *lang_class_build(rc_object *name, lang_code *body, lang_env *env, int first) {
    rc_object *base = env_slot(env, 0);
    if (base && (rc_is_none(base) || is_object_builtin(base)))
        rc_clear_ref(&base);
    if (base && !lang_is_class(base) && !lang_exc_is_class(base)) {
        rc_error_set(RC_ETYPE, "a base class must be a class, not '%s'", lang_type_name(base));
        rc_decref(base);
        return NULL;
    }
    lang_class *c = (lang_class *)rc_object_new(&lang_class_type);
    if (!c) {
        rc_xdecref(base);
        return NULL;
    }
    c->name = rc_newref(name);
    c->exc_base = NULL;
    if (base && !lang_is_class(base)) { /* a builtin exception class: immortal */
        c->exc_base = base;
        rc_clear_ref(&base);
    } else if (base) {
        c->exc_base = ((lang_class *)base)->exc_base;
    }
    c->super = base; /* its reference */
    c->dict = rc_dict_new();
    if (!c->dict || class_fill(c->dict, body, env, first) != RC_OK)
        rc_clear_ref((rc_object **)&c);
    return c ? &c->base : NULL;
}

/* ---- attributes -------------------------------------------------------------------- */

static bool name_is(rc_object *name, const char *s) {
    return strcmp(rc_str_data(name), s) == 0;
}

/* What v, found in a class, is when read through obj (an instance, or a
 * class when via_class): returns what to call (borrowed), and in *selfarg
 * what to pass before the arguments, or NULL. A function read through an
 * instance takes it; a classmethod takes the class; a staticmethod, and
 * anything else, nothing. */
static rc_object *resolve_found(rc_object *v, rc_object *obj, bool via_class,
                                rc_object **selfarg) {
    const rc_type *t = rc_object_type(v);
    *selfarg = NULL;
    if ((t == &lang_function_type || lang_exc_is_method(v)) && !via_class)
        *selfarg = obj;
    if (t == &lang_classmethod_type)
        *selfarg = via_class ? obj : ((lang_instance *)obj)->cls;
    if (t == &lang_classmethod_type || t == &lang_staticmethod_type)
        return ((lang_pair *)v)->a;
    return v;
}

/* v (stolen), found in a class, read through obj: bound when
 * resolve_found says it takes a first argument. */
static rc_object *bind(rc_object *v, rc_object *obj, bool via_class) {
    rc_object *selfarg, *f = resolve_found(v, obj, via_class, &selfarg);
    rc_object *r = selfarg ? pair_new(&lang_bound_method_type, f, selfarg) : rc_newref(f);
    rc_decref(v);
    return r;
}

static rc_object *no_attribute(lang_thread *ts, rc_object *o, rc_object *name) {
    if (lang_is_class(o))
        lang_raise(ts, LANG_EXC_ATTRIBUTE, "type object '%s' has no attribute '%s'",
                   rc_str_data(((lang_class *)o)->name), rc_str_data(name));
    else
        lang_raise(ts, LANG_EXC_ATTRIBUTE, "'%s' object has no attribute '%s'",
                   lang_type_name(o), rc_str_data(name));
    return NULL;
}

rc_object *lang_classes_getattr(lang_thread *ts, rc_object *o, rc_object *name) {
    (void)ts;
    rc_object *v = NULL;
    int r = 0;
    const rc_type *t = rc_object_type(o);
    if (t == &lang_instance_type) {
        lang_instance *in = (lang_instance *)o;
        if (name_is(name, "__class__") && in->cls)
            return rc_newref(in->cls);
        if (in->dict && (r = rc_dict_get_ref(in->dict, name, &v)) != 0)
            return r > 0 ? v : NULL;
        if ((r = class_lookup(in->cls, name, &v)) != 0)
            return r > 0 ? bind(v, o, false) : NULL;
    } else if (t == &lang_class_type) {
        if (name_is(name, "__name__"))
            return rc_newref(((lang_class *)o)->name);
        if ((r = class_lookup(o, name, &v)) != 0)
            return r > 0 ? bind(v, o, true) : NULL;
    } else if (t == &lang_super_type) {
        lang_pair *s = (lang_pair *)o;
        if ((r = super_lookup(o, name, &v)) != 0)
            return r > 0 ? bind(v, s->self, lang_is_class(s->self)) : NULL;
    }
    return no_attribute(ts, o, name);
}

rc_status lang_setattr(rc_object *o, rc_object *name, rc_object *v) {
    rc_object *dict = lang_is_instance(o) ? ((lang_instance *)o)->dict
                      : lang_is_class(o)  ? ((lang_class *)o)->dict
                                          : NULL;
    if (!dict)
        return rc_error_set(RC_ETYPE, "cannot set attribute '%s' of '%s' object",
                            rc_str_data(name), lang_type_name(o));
    return rc_dict_set(dict, name, v);
}

rc_object *lang_classes_call_method(lang_thread *ts, rc_object *o, rc_object *name,
                                    rc_object **args, int nargs, rc_object *kwnames) {
    rc_object *f = NULL, *obj = NULL, *selfarg = NULL, *callee;
    bool via_class = false;
    int r = 0;
    if (lang_is_instance(o)) { /* its own attribute (not bound), else a class's */
        lang_instance *in = (lang_instance *)o;
        r = rc_dict_get_ref(in->dict, name, &f);
        if (r == 0 && (r = class_lookup(in->cls, name, &f)) > 0)
            obj = o;
    } else if (lang_is_class(o)) {
        if ((r = class_lookup(o, name, &f)) > 0)
            obj = o, via_class = true;
    } else if (rc_object_type(o) == &lang_super_type) {
        lang_pair *s = (lang_pair *)o;
        if ((r = super_lookup(o, name, &f)) > 0)
            obj = s->self, via_class = lang_is_class(s->self);
    } else {
        f = lang_classes_getattr(ts, o, name);
        r = f ? 1 : -1;
    }
    if (r == 0)
        return no_attribute(ts, o, name);
    if (r < 0)
        return NULL;
    callee = obj ? resolve_found(f, obj, via_class, &selfarg) : f;
    rc_object *res = selfarg ? call_with_self(ts, callee, selfarg, args, nargs, kwnames)
                             : lang_call_kw(ts, callee, args, nargs, kwnames);
    rc_decref(f);
    return res;
}

/* ---- calling a class ------------------------------------------------------------------- */

static rc_object *instantiate(lang_thread *ts, rc_object *cls, rc_object **args, int nargs,
                              rc_object *kwnames) {
    lang_instance *in = (lang_instance *)rc_object_new(&lang_instance_type);
    if (!in)
        return NULL;
    in->cls = rc_newref(cls);
    rc_object *init = NULL;
    int r = (in->dict = rc_dict_new()) ? special_lookup(ts, cls, SP_INIT, &init) : -1;
    /* An exception's args are set before __init__, as BaseException.__new__ */
    if (r >= 0 && ((lang_class *)cls)->exc_base &&
        lang_exc_init_attrs(in->dict, args, nargs) != RC_OK) {
        rc_clear_ref(&init);
        r = -1;
    }
    if (r == 0 && (nargs > 0 || (kwnames && rc_tuple_size(kwnames) > 0))) {
        rc_error_set(RC_ETYPE, "%s() takes no arguments", rc_str_data(((lang_class *)cls)->name));
        r = -1;
    } else if (r == 1) {
        rc_object *res = call_with_self(ts, init, &in->base, args, nargs, kwnames);
        if (res && !rc_is_none(res))
            rc_error_set(RC_ETYPE, "__init__() should return None, not '%s'", lang_type_name(res));
        r = res && rc_is_none(res) ? 1 : -1;
        rc_xdecref(res);
        rc_decref(init);
    }
    if (r < 0)
        rc_clear_ref((rc_object **)&in);
    return in ? &in->base : NULL;
}

rc_object *lang_classes_call(lang_thread *ts, rc_object *callee, rc_object **args, int nargs,
                             rc_object *kwnames, bool *handled) {
    *handled = true;
    if (lang_is_class(callee))
        return instantiate(ts, callee, args, nargs, kwnames);
    if (rc_object_type(callee) == &lang_bound_method_type) {
        lang_pair *m = (lang_pair *)callee;
        return call_with_self(ts, m->a, m->self, args, nargs, kwnames);
    }
    *handled = false;
    return NULL;
}

/* ---- special methods: operators ------------------------------------------------------------ */

/* __eq__ on whichever side has it (a's first), else identity. */
static rc_object *instance_eq(rc_object *a, rc_object *b) {
    bool found = false;
    rc_object *r = lang_is_instance(a) ? call_special(a, SP_EQ, &b, 1, &found) : NULL;
    if (!found && lang_is_instance(b))
        r = call_special(b, SP_EQ, &a, 1, &found);
    return found ? r : rc_bool_from(a == b);
}

static rc_object *instance_compare(lang_binop op, rc_object *a, rc_object *b) {
    static const lang_special fwd[] = {SP_EQ, SP_NE, SP_LT, SP_LE, SP_GT, SP_GE};
    static const lang_special rev[] = {SP_EQ, SP_NE, SP_GT, SP_GE, SP_LT, SP_LE};
    int k = (int)op - (int)BIN_EQ;
    if (op == BIN_EQ)
        return instance_eq(a, b);
    bool found = false;
    rc_object *r = lang_is_instance(a) ? call_special(a, fwd[k], &b, 1, &found) : NULL;
    if (!found && lang_is_instance(b))
        r = call_special(b, rev[k], &a, 1, &found);
    if (found)
        return r;
    if (op == BIN_NE) { /* Python's default __ne__: the inverse of __eq__ */
        rc_object *eq = instance_eq(a, b);
        rc_object *ne = eq ? rc_bool_from(!lang_truthy(eq)) : NULL;
        rc_xdecref(eq);
        return ne;
    }
    rc_error_set(RC_ETYPE, "'%s' not supported between instances of '%s' and '%s'",
                 lang_binop_text(op), lang_type_name(a), lang_type_name(b));
    return NULL;
}

rc_object *lang_instance_binary(lang_binop op, rc_object *a, rc_object *b) {
    static const lang_special fwd[] = {SP_ADD, SP_SUB, SP_MUL, SP_TRUEDIV, SP_FLOORDIV, SP_MOD};
    static const lang_special rev[] = {SP_RADD,     SP_RSUB,     SP_RMUL,
                                       SP_RTRUEDIV, SP_RFLOORDIV, SP_RMOD};
    if (op >= BIN_EQ)
        return instance_compare(op, a, b);
    bool found = false;
    rc_object *r = NULL;
    if (op > BIN_MOD) /* ** (no __pow__ yet): the tables end at % */
        goto unsupported;
    r = lang_is_instance(a) ? call_special(a, fwd[op], &b, 1, &found) : NULL;
    if (!found && lang_is_instance(b))
        r = call_special(b, rev[op], &a, 1, &found);
    if (found)
        return r;
unsupported:
    rc_error_set(RC_ETYPE, "unsupported operand types for %s: '%s' and '%s'", lang_binop_text(op),
                 lang_type_name(a), lang_type_name(b));
    return NULL;
}

/* ---- special methods: the type slots, str, len, items ------------------------------------- */

/* A special method's result that must be a str (__repr__, __str__). r
 * stolen. */
static rc_object *check_str(rc_object *r, const char *what) {
    if (r && !rc_str_check(r)) {
        rc_error_set(RC_ETYPE, "%s returned non-string (type %s)", what, lang_type_name(r));
        rc_clear_ref(&r);
    }
    return r;
}

static rc_object *instance_repr(rc_object *self) {
    bool found;
    rc_object *r = call_special(self, SP_REPR, NULL, 0, &found);
    if (found)
        return check_str(r, "__repr__");
    return rc_str_from_format("<__main__.%s object at %p>", lang_type_name(self), (void *)self);
}

rc_object *lang_instance_str(rc_object *o) {
    bool found;
    rc_object *r = call_special(o, SP_STR, NULL, 0, &found);
    return found ? check_str(r, "__str__") : rc_object_repr(o);
}

static int instance_equal(rc_object *self, rc_object *other) {
    rc_object *r = instance_eq(self, other);
    if (!r)
        return rc_error_code();
    int t = lang_truthy(r);
    rc_decref(r);
    return t;
}

/* __hash__ if the class has one; unhashable if it defines __eq__ without
 * one (Python's rule); else identity, as object's. */
static rc_status instance_hash(rc_object *self, uint64_t *out) {
    bool found = false;
    rc_object *r = call_special(self, SP_HASH, NULL, 0, &found);
    if (found) {
        int64_t h = 0;
        rc_status st = !r              ? rc_error_code()
                       : rc_int_check(r) ? rc_int_as_i64(r, &h)
                                         : rc_error_set(RC_ETYPE,
                                                        "__hash__ method should return an integer");
        rc_xdecref(r);
        *out = (uint64_t)h;
        return st;
    }
    if (current_thread && has_special(current_thread, self, SP_EQ))
        return rc_error_set(RC_ETYPE, "unhashable type: '%s'", lang_type_name(self));
    uintptr_t p = (uintptr_t)self;
    *out = (uint64_t)(p >> 4 | p << (sizeof p * 8 - 4)); /* the low bits are alignment */
    return RC_OK;
}

/* The length slot: o.__len__(), an int >= 0. */
static int64_t instance_len(rc_object *o) {
    bool found;
    int64_t n = 0;
    rc_object *r = call_special(o, SP_LEN, NULL, 0, &found);
    if (!found)
        return rc_error_set(RC_ETYPE, "object of type '%s' has no len()", lang_type_name(o));
    if (!r)
        return rc_error_code();
    rc_status st = rc_int_check(r) ? rc_int_as_i64(r, &n)
                                   : rc_error_set(RC_ETYPE, "'%s' object cannot be interpreted "
                                                  "as an integer", lang_type_name(r));
    rc_decref(r);
    if (st == RC_OK && n < 0)
        st = rc_error_set(RC_EVALUE, "__len__() should return >= 0");
    return st == RC_OK ? n : st;
}

rc_object *lang_instance_negate(rc_object *o) {
    bool found;
    rc_object *r = call_special(o, SP_NEG, NULL, 0, &found);
    if (!found)
        rc_error_set(RC_ETYPE, "bad operand type for unary -: '%s'", lang_type_name(o));
    return r;
}

int lang_instance_contains(rc_object *o, rc_object *item) {
    bool found;
    rc_object *r = call_special(o, SP_CONTAINS, &item, 1, &found);
    if (!found) { /* Python's fallback: iterate (__iter__), or fail as it does */
        if (!current_thread || !has_special(current_thread, o, SP_ITER))
            return rc_error_set(RC_ETYPE, "argument of type '%s' is not iterable",
                                lang_type_name(o));
        return lang_iter_contains(o, item);
    }
    if (!r)
        return rc_error_code();
    int t = lang_truthy(r);
    rc_decref(r);
    return t;
}

/* The getitem slot: o.__getitem__(i). */
static rc_object *instance_getitem(rc_object *o, rc_object *i) {
    bool found;
    rc_object *r = call_special(o, SP_GETITEM, &i, 1, &found);
    if (!found)
        rc_error_set(RC_ETYPE, "'%s' object is not subscriptable", lang_type_name(o));
    return r;
}

/* The setitem slot: o.__setitem__(i, v). refpy has no `del o[i]`, so
 * nothing asks it to delete (v NULL) but a host; that is refused, as for
 * a class without __delitem__. */
static rc_status instance_setitem(rc_object *o, rc_object *i, rc_object *v) {
    if (!v)
        return rc_error_set(RC_ETYPE, "'%s' object doesn't support item deletion",
                            lang_type_name(o));
    bool found;
    rc_object *args[2] = {i, v};
    rc_object *r = call_special(o, SP_SETITEM, args, 2, &found);
    if (!found)
        return rc_error_set(RC_ETYPE, "'%s' object does not support item assignment",
                            lang_type_name(o));
    if (!r)
        return rc_error_code();
    rc_decref(r);
    return RC_OK;
}

/* The iter slot: o.__iter__(), which must give an iterator: an instance
 * whose class has __next__, or a value of a type with a next slot (which
 * rc_iter_begin checks). Without __iter__ the instance is not iterable:
 * refpy does not fall back to calling __getitem__ with 0, 1, ... as
 * Python does. */
static rc_object *instance_iter(rc_object *o) {
    bool found;
    rc_object *r = call_special(o, SP_ITER, NULL, 0, &found);
    if (!found)
        rc_error_set(RC_ETYPE, "'%s' object is not iterable", lang_type_name(o));
    else if (r && lang_is_instance(r) && !has_special(current_thread, r, SP_NEXT)) {
        rc_error_set(RC_ETYPE, "iter() returned non-iterator of type '%s'", lang_type_name(r));
        rc_clear_ref(&r);
    }
    return r;
}

/* The next slot: o.__next__(); StopIteration raised by it is the end (0),
 * any other exception an error that goes on unwinding. */
static int instance_next(rc_object *o, rc_object **item) {
    lang_thread *ts = current_thread;
    bool found;
    *item = call_special(o, SP_NEXT, NULL, 0, &found);
    if (!found)
        return rc_error_set(RC_ETYPE, "'%s' object is not an iterator", lang_type_name(o));
    if (*item)
        return 1;
    rc_object *e = lang_exc_take(ts); /* found: ts is not NULL */
    if (!e)
        return rc_error_code();
    int m = lang_exc_match(e, ts->interp->exc_classes[LANG_EXC_STOP_ITERATION]);
    if (m == 1) {
        rc_decref(e);
        rc_error_clear();
        return 0;
    }
    return lang_reraise(ts, e, false);
}

/* ---- builtins -------------------------------------------------------------------------------- */

bool lang_class_isinstance(rc_object *x, rc_object *cls) {
    if (!lang_is_instance(x))
        return false;
    for (rc_object *c = ((lang_instance *)x)->cls; c; c = ((lang_class *)c)->super)
        if (c == cls)
            return true;
    return false;
}

/* type(x): an instance's class; for other values the builtin that stands
 * for their type (int, str, list, ...), as isinstance takes them. */
static rc_object *bi_type(lang_thread *ts, rc_object **args, int nargs) {
    if (!lang_check_args("type", nargs, 1, 1))
        return NULL;
    rc_object *x = args[0];
    if (lang_is_instance(x))
        return rc_newref(((lang_instance *)x)->cls);
    rc_object *key = rc_str_from_cstr(rc_object_type_name(x)), *v = NULL;
    int r = key ? rc_dict_get_ref(ts->interp->builtins, key, &v) : -1;
    rc_xdecref(key);
    if (r == 0)
        rc_error_set(RC_ETYPE, "type() of a '%s' is not supported", rc_object_type_name(x));
    return v;
}

static rc_object *bi_issubclass(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("issubclass", nargs, 2, 2))
        return NULL;
    rc_object *t = args[1];
    if (lang_exc_is_class(args[0]) && lang_exc_is_class(t))
        return rc_bool_from(lang_exc_is_subclass(args[0], t));
    if (rc_tuple_check(t)) {
        for (int64_t i = 0; i < rc_tuple_size(t); i++) {
            rc_object *pair[2] = {args[0], rc_tuple_get(t, i)};
            rc_object *r = bi_issubclass(ts, pair, 2);
            if (!r || lang_truthy(r))
                return r;
            rc_decref(r);
        }
        return rc_bool_from(false);
    }
    bool a_class = lang_is_class(args[0]) || lang_exc_is_class(args[0]);
    if (a_class && (rc_object_type(t) == &lang_builtin_type || lang_exc_is_class(t) ||
                    (lang_exc_is_class(args[0]) && lang_is_class(t))))
        return rc_bool_from(false); /* int, str, ...: no class derives from them; an
                                       exception class and another are unrelated */
    if (!lang_is_class(args[0]) || !lang_is_class(t)) {
        rc_error_set(RC_ETYPE, "issubclass() arguments must be classes");
        return NULL;
    }
    for (rc_object *c = args[0]; c; c = ((lang_class *)c)->super)
        if (c == t)
            return rc_bool_from(true);
    return rc_bool_from(false);
}

static bool check_name(const char *fname, rc_object *name) {
    if (rc_str_check(name))
        return true;
    rc_error_set(RC_ETYPE, "%s(): attribute name must be string", fname);
    return false;
}

/* getattr(o, name[, default]); the default stands in for a missing
 * attribute only (RC_EKEY), not for other errors. */
static rc_object *bi_getattr(lang_thread *ts, rc_object **args, int nargs) {
    if (!lang_check_args("getattr", nargs, 2, 3) || !check_name("getattr", args[1]))
        return NULL;
    rc_object *v = lang_getattr(ts, args[0], args[1]);
    if (!v && nargs == 3 && rc_error_code() == RC_EKEY)
        v = rc_newref(args[2]);
    return v;
}

static rc_object *bi_hasattr(lang_thread *ts, rc_object **args, int nargs) {
    if (!lang_check_args("hasattr", nargs, 2, 2) || !check_name("hasattr", args[1]))
        return NULL;
    rc_object *v = lang_getattr(ts, args[0], args[1]);
    if (!v && rc_error_code() != RC_EKEY)
        return NULL;
    rc_xdecref(v);
    return rc_bool_from(v != NULL);
}

static rc_object *bi_setattr(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("setattr", nargs, 3, 3) || !check_name("setattr", args[1]))
        return NULL;
    return lang_setattr(args[0], args[1], args[2]) == RC_OK ? rc_newref(rc_none()) : NULL;
}

/* super(C, self), Python 2's spelling (the zero-argument form is
 * compiled: compiler.c super_call). */
static rc_object *bi_super(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    if (nargs != 2) {
        rc_error_set(RC_ETYPE, "super() takes a class and an instance here (or none, in a method)");
        return NULL;
    }
    if (!lang_is_class(args[0]) || !lang_class_isinstance(args[1], args[0])) {
        rc_error_set(RC_ETYPE, "super(type, obj): obj must be an instance of type");
        return NULL;
    }
    return lang_super_new(args[0], args[1]);
}

/* classmethod(f), staticmethod(f): for decorators in a class body. */
static rc_object *wrap_method(rc_type *type, const char *fname, rc_object **args, int nargs) {
    if (!lang_check_args(fname, nargs, 1, 1))
        return NULL;
    return pair_new(type, args[0], NULL);
}

static rc_object *bi_classmethod(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    return wrap_method(&lang_classmethod_type, "classmethod", args, nargs);
}

static rc_object *bi_staticmethod(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    return wrap_method(&lang_staticmethod_type, "staticmethod", args, nargs);
}

/* object: a base for `class C(object)` (the same as no base). Calling it
 * is not supported: refpy has no instances without a class. */
static rc_object *bi_object(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts, (void)args, (void)nargs;
    rc_error_set(RC_ETYPE, "object() cannot be called in refpy; define a class");
    return NULL;
}

rc_status lang_classes_install(lang_interp *in) {
    for (int i = 0; i < SP_COUNT; i++) /* interned: immortal, never freed */
        if (!(in->special_names[i] = rc_str_intern_cstr(special_text[i])))
            return rc_error_code();
    static const struct {
        const char *name;
        lang_cfunc fn;
    } table[] = {
        {"type", bi_type},       {"issubclass", bi_issubclass}, {"getattr", bi_getattr},
        {"hasattr", bi_hasattr}, {"setattr", bi_setattr},       {"object", bi_object},
        {"super", bi_super},     {"classmethod", bi_classmethod},
        {"staticmethod", bi_staticmethod},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (lang_add_builtin(in->builtins, table[i].name, table[i].fn) != RC_OK)
            return rc_error_code();
    return RC_OK;
}
