/*
 * lang/exceptions.c -- refpy's exceptions (exceptions.h): the classes,
 * raising, catching, and the `with` protocol.
 *
 * How a try statement runs (compiler.c emits it, vm.c runs it): each code
 * object has an exception table of ranges; an error inside a range unwinds
 * the frame's value stack to the range's depth, pushes the exception
 * (lang_exc_take) and jumps to the handler. The handler marks it handled
 * (OP_PUSH_HANDLED: the target of a bare `raise`, and the __context__ of
 * anything raised meanwhile), matches it against each except clause
 * (OP_EXC_MATCH), and re-raises it when none matches (OP_RERAISE). Every
 * handler body lies in a range of its own whose handler pops the handled
 * exception and re-raises the new one, so the handled stack stays exact
 * however a handler is left. `finally` bodies are compiled once for each
 * way out of the try (normal, exception, and each return, break and
 * continue that leaves it), so no state says which way is being taken.
 */
#include "lang/exceptions.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lang/builtins.h"
#include "lang/classes.h"
#include "lang/ops.h"

_Static_assert(LANG_EXC_COUNT <= sizeof ((lang_interp *)0)->exc_classes /
                                       sizeof ((lang_interp *)0)->exc_classes[0],
               "lang_interp.exc_classes holds every builtin class");

/* ---- the classes ------------------------------------------------------------------ */

static void exc_class_dealloc(rc_object *self) {
    lang_exc_class *c = (lang_exc_class *)self;
    rc_xdecref(c->name);
    rc_xdecref(c->base_class);
    for (int i = 0; i < 3; i++)
        rc_xdecref(c->methods[i]);
}

static rc_object *exc_class_repr(rc_object *self) {
    return rc_str_from_format("<class '%s'>", rc_str_data(((lang_exc_class *)self)->name));
}

/* Not collected: a class refers only to its base, and bases form a tree. */
rc_type lang_exc_class_type = {
    .name = "type",
    .basicsize = sizeof(lang_exc_class),
    .dealloc = exc_class_dealloc,
    .repr = exc_class_repr,
    .instance_size = rc_fixed_instance_size,
};

/* Python's hierarchy, for the classes refpy has. code 0: the base's. */
static const struct {
    const char *name;
    int base; /* a lang_exc_kind, or -1 */
    rc_status code;
} class_table[LANG_EXC_COUNT] = {
    [LANG_EXC_BASE] = {"BaseException", -1, RC_EVALUE},
    [LANG_EXC_EXCEPTION] = {"Exception", LANG_EXC_BASE, 0},
    [LANG_EXC_ARITHMETIC] = {"ArithmeticError", LANG_EXC_EXCEPTION, 0},
    [LANG_EXC_ZERODIV] = {"ZeroDivisionError", LANG_EXC_ARITHMETIC, RC_EZERODIV},
    [LANG_EXC_OVERFLOW] = {"OverflowError", LANG_EXC_ARITHMETIC, RC_EOVERFLOW},
    [LANG_EXC_LOOKUP] = {"LookupError", LANG_EXC_EXCEPTION, 0},
    [LANG_EXC_INDEX] = {"IndexError", LANG_EXC_LOOKUP, RC_EINDEX},
    [LANG_EXC_KEY] = {"KeyError", LANG_EXC_LOOKUP, RC_EKEY},
    [LANG_EXC_VALUE] = {"ValueError", LANG_EXC_EXCEPTION, RC_EVALUE},
    [LANG_EXC_TYPE] = {"TypeError", LANG_EXC_EXCEPTION, RC_ETYPE},
    [LANG_EXC_ATTRIBUTE] = {"AttributeError", LANG_EXC_EXCEPTION, RC_EKEY},
    [LANG_EXC_NAME] = {"NameError", LANG_EXC_EXCEPTION, RC_EKEY},
    [LANG_EXC_UNBOUND_LOCAL] = {"UnboundLocalError", LANG_EXC_NAME, 0},
    [LANG_EXC_RUNTIME] = {"RuntimeError", LANG_EXC_EXCEPTION, RC_ESTATE},
    [LANG_EXC_NOT_IMPLEMENTED] = {"NotImplementedError", LANG_EXC_RUNTIME, 0},
    [LANG_EXC_RECURSION] = {"RecursionError", LANG_EXC_RUNTIME, RC_ERECURSION},
    [LANG_EXC_ASSERTION] = {"AssertionError", LANG_EXC_EXCEPTION, 0},
    [LANG_EXC_STOP_ITERATION] = {"StopIteration", LANG_EXC_EXCEPTION, 0},
    [LANG_EXC_KEYBOARD_INTERRUPT] = {"KeyboardInterrupt", LANG_EXC_BASE, 0},
    [LANG_EXC_MEMORY] = {"MemoryError", LANG_EXC_EXCEPTION, RC_ENOMEM},
    [LANG_EXC_IMPORT] = {"ImportError", LANG_EXC_EXCEPTION, RC_EKEY},
    [LANG_EXC_MODULE_NOT_FOUND] = {"ModuleNotFoundError", LANG_EXC_IMPORT, 0},
};

/* A new class, immortal with its name (nothing mortal may hang off an
 * immortal object: it would never be freed, and count as live). */
static rc_object *class_new(const char *name, rc_object *base, rc_status code) {
    rc_object *nm = rc_str_from_cstr(name);
    lang_exc_class *c = nm ? (lang_exc_class *)rc_object_new(&lang_exc_class_type) : NULL;
    if (!c) {
        rc_xdecref(nm);
        return NULL;
    }
    c->name = nm;
    c->base_class = base ? rc_newref(base) : NULL;
    c->code = code ? code : ((lang_exc_class *)base)->code;
    c->str_is_repr = base ? ((lang_exc_class *)base)->str_is_repr : false;
    if (strcmp(name, "KeyError") == 0)
        c->str_is_repr = true;
    if (rc_immortalize(nm) != RC_OK || rc_immortalize(&c->base) != RC_OK) {
        rc_decref(&c->base);
        return NULL;
    }
    return &c->base;
}

static rc_object *exc_init(lang_thread *ts, rc_object **args, int nargs);
static rc_object *exc_str(lang_thread *ts, rc_object **args, int nargs);
static rc_object *exc_repr(lang_thread *ts, rc_object **args, int nargs);

static const char *const method_names[3] = {"__init__", "__str__", "__repr__"};

/* BaseException's methods, immortal with it. */
static rc_status install_methods(lang_exc_class *root) {
    static const lang_cfunc fns[3] = {exc_init, exc_str, exc_repr};
    for (int i = 0; i < 3; i++) {
        rc_object *f = lang_builtin_new(method_names[i], fns[i]);
        if (!f || rc_immortalize(f) != RC_OK) {
            rc_xdecref(f);
            return rc_error_code();
        }
        root->methods[i] = f;
    }
    return RC_OK;
}

rc_status lang_exceptions_install(lang_interp *in) {
    for (int k = 0; k < LANG_EXC_COUNT; k++) {
        rc_object *base = class_table[k].base >= 0 ? in->exc_classes[class_table[k].base] : NULL;
        rc_object *c = class_new(class_table[k].name, base, class_table[k].code);
        rc_object *key = c ? rc_str_intern_cstr(class_table[k].name) : NULL;
        /* Immortal as the other builtins (builtins.c): every thread loads
         * them by name; the dict holds the reference, exc_classes borrows. */
        rc_status st = key ? rc_dict_set(in->builtins, key, c) : rc_error_code();
        if (st == RC_OK)
            in->exc_classes[k] = c;
        rc_xdecref(key);
        rc_xdecref(c);
        if (st != RC_OK)
            return st;
    }
    return install_methods((lang_exc_class *)in->exc_classes[LANG_EXC_BASE]);
}

static bool is_class(const rc_object *o) {
    return rc_object_type(o) == &lang_exc_class_type;
}

bool lang_exc_is_class(const rc_object *o) {
    return is_class(o) || (lang_is_class(o) && ((const lang_class *)o)->exc_base);
}

bool lang_exc_is_subclass(rc_object *sub, rc_object *cls) {
    rc_object *c = sub;
    for (; lang_is_class(c); c = ((lang_class *)c)->super ? ((lang_class *)c)->super
                                                          : ((lang_class *)c)->exc_base)
        if (c == cls)
            return true;
    for (; c; c = ((lang_exc_class *)c)->base_class)
        if (c == cls)
            return true;
    return false;
}

int lang_exc_method(rc_object *cls, rc_object *name, rc_object **out) {
    while (((lang_exc_class *)cls)->base_class)
        cls = ((lang_exc_class *)cls)->base_class;
    lang_exc_class *root = (lang_exc_class *)cls;
    for (int i = 0; i < 3; i++)
        if (root->methods[i] && strcmp(rc_str_data(name), method_names[i]) == 0) {
            *out = rc_newref(root->methods[i]);
            return 1;
        }
    return 0;
}

bool lang_exc_is_method(const rc_object *v) {
    if (rc_object_type(v) != &lang_builtin_type)
        return false;
    lang_cfunc fn = ((const lang_builtin *)v)->fn;
    return fn == exc_init || fn == exc_str || fn == exc_repr;
}

rc_object *lang_exc_value(rc_object *e) {
    rc_object *v = rc_exception_check(e) ? rc_exception_value(e) : NULL;
    return v && lang_is_instance(v) ? v : e;
}

/* str(e) from its class and args: "" for none, str(arg) for one (repr for
 * a KeyError, as Python), repr(args) for more. */
static rc_object *message_of(rc_object *cls, rc_object *args) {
    int64_t n = rc_tuple_size(args);
    if (n == 0)
        return rc_str_from_cstr("");
    if (n > 1)
        return rc_object_repr(args);
    rc_object *a = rc_tuple_get(args, 0);
    return ((lang_exc_class *)cls)->str_is_repr ? rc_object_repr(a) : lang_str(a);
}

/* An instance of cls with args (a tuple, borrowed). */
static rc_object *instance_of(rc_object *cls, rc_object *args) {
    rc_object *msg = message_of(cls, args);
    if (!msg)
        return NULL;
    lang_exc_class *c = (lang_exc_class *)cls;
    rc_object *e = rc_exception_new(c->code, c->name, cls, msg, args);
    rc_decref(msg);
    return e;
}

rc_object *lang_exc_instance(rc_object *cls, rc_object **args, int nargs) {
    rc_object *t = rc_tuple_new(nargs);
    for (int i = 0; t && i < nargs; i++)
        rc_tuple_set_steal(t, i, rc_newref(args[i])); /* cannot fail: fresh, in range */
    rc_object *e = t ? instance_of(cls, t) : NULL;
    rc_xdecref(t);
    return e;
}

/* ---- exceptions of the program's classes --------------------------------------------- */

/* inst.name = v (borrowed) in an instance's dict. */
static rc_status set_attr(rc_object *inst, const char *name, rc_object *v) {
    rc_object *key = rc_str_intern_cstr(name);
    rc_status st = key ? rc_dict_set(((lang_instance *)inst)->dict, key, v) : rc_error_code();
    rc_xdecref(key);
    return st;
}

rc_status lang_exc_init_attrs(rc_object *dict, rc_object **args, int nargs) {
    rc_object *t = rc_tuple_new(nargs), *keys[3] = {NULL, NULL, NULL};
    for (int i = 0; t && i < nargs; i++)
        rc_tuple_set_steal(t, i, rc_newref(args[i])); /* cannot fail: fresh, in range */
    static const char *const names[3] = {"args", "__cause__", "__context__"};
    rc_status st = t ? RC_OK : rc_error_code();
    for (int i = 0; st == RC_OK && i < 3; i++) {
        keys[i] = rc_str_intern_cstr(names[i]);
        st = keys[i] ? rc_dict_set(dict, keys[i], i ? rc_none() : t) : rc_error_code();
        rc_xdecref(keys[i]);
    }
    rc_xdecref(t);
    return st;
}

/* An instance of a program's exception class, else NULL with a TypeError
 * naming the method (fname) that needs one. */
static rc_object *exc_self(const char *fname, rc_object **args, int nargs, int max) {
    if (!lang_check_args(fname, nargs, 1, max))
        return NULL;
    rc_object *self = args[0];
    if (!lang_is_instance(self) || !((lang_class *)((lang_instance *)self)->cls)->exc_base) {
        rc_error_set(RC_ETYPE, "descriptor '%s' requires a 'BaseException' object", fname);
        return NULL;
    }
    return self;
}

/* self.args, which must be a tuple. New reference or NULL. */
static rc_object *args_of(rc_object *self) {
    rc_object *key = rc_str_intern_cstr("args"), *a = NULL;
    int r = key ? rc_dict_get_ref(((lang_instance *)self)->dict, key, &a) : -1;
    rc_xdecref(key);
    if (r == 0 || (a && !rc_tuple_check(a))) {
        rc_error_set(RC_ETYPE, "an exception's args must be a tuple");
        rc_clear_ref(&a);
    }
    return a;
}

/* BaseException.__init__(self, *args): self.args = args. */
static rc_object *exc_init(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    rc_object *self = exc_self("__init__", args, nargs, 256);
    rc_object *t = self ? rc_tuple_new(nargs - 1) : NULL;
    for (int i = 1; t && i < nargs; i++)
        rc_tuple_set_steal(t, i - 1, rc_newref(args[i])); /* cannot fail: fresh, in range */
    rc_status st = t ? set_attr(self, "args", t) : rc_error_code();
    rc_xdecref(t);
    return st == RC_OK ? rc_none() : NULL;
}

/* BaseException.__str__: as a builtin exception's str (message_of). */
static rc_object *exc_str(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    rc_object *self = exc_self("__str__", args, nargs, 1);
    rc_object *a = self ? args_of(self) : NULL;
    rc_object *r = a ? message_of(((lang_class *)((lang_instance *)self)->cls)->exc_base, a) : NULL;
    rc_xdecref(a);
    return r;
}

/* BaseException.__repr__: Name(args), Python's: Name('x') for one. */
static rc_object *exc_repr(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    rc_object *self = exc_self("__repr__", args, nargs, 1);
    rc_object *a = self ? args_of(self) : NULL;
    rc_object *r = !a                      ? NULL
                   : rc_tuple_size(a) == 1 ? rc_object_repr(rc_tuple_get(a, 0))
                                           : rc_object_repr(a);
    rc_object *s = NULL;
    if (r)
        s = rc_str_from_format(rc_tuple_size(a) == 1 ? "%s(%s)" : "%s%s", lang_type_name(self),
                               rc_str_data(r));
    rc_xdecref(r);
    rc_xdecref(a);
    return s;
}

/* The carrier of inst, an instance of a program's exception class (see
 * exceptions.h). New reference or NULL (str(inst) may fail: its __str__ is
 * program code). */
static rc_object *carrier_of(rc_object *inst) {
    lang_class *cls = (lang_class *)((lang_instance *)inst)->cls;
    rc_object *msg = lang_str(inst);
    rc_object *e = msg ? rc_exception_new(((lang_exc_class *)cls->exc_base)->code, cls->name,
                                          &cls->base, msg, inst)
                       : NULL;
    rc_xdecref(msg);
    return e;
}

/* What `raise x` raises, as a refcore exception: a builtin class's new
 * instance, a program's class called with no arguments, a program's
 * exception instance in its carrier, or a refcore exception itself. New
 * reference; NULL with *bad set for anything else (no error set), or
 * NULL with the error set. */
static rc_object *to_exception(lang_thread *ts, rc_object *x, bool *bad) {
    *bad = false;
    if (is_class(x))
        return lang_exc_instance(x, NULL, 0);
    if (rc_exception_check(x))
        return rc_newref(x);
    if (lang_exc_is_class(x)) {
        rc_object *inst = lang_call_kw(ts, x, NULL, 0, NULL);
        rc_object *e = inst ? to_exception(ts, inst, bad) : NULL;
        rc_xdecref(inst);
        return e;
    }
    if (lang_is_instance(x) && ((lang_class *)((lang_instance *)x)->cls)->exc_base)
        return carrier_of(x);
    *bad = true;
    return NULL;
}

/* e's __cause__ (cause true) or __context__ = x (borrowed, an exception or
 * None): in the instance's dict for a carrier, else refcore's field. */
static rc_status set_link(rc_object *e, rc_object *x, bool cause) {
    rc_object *v = lang_exc_value(e);
    if (v != e)
        return set_attr(v, cause ? "__cause__" : "__context__", lang_exc_value(x));
    return cause ? rc_exception_set_cause(e, x) : rc_exception_set_context(e, x);
}

/* ---- the current exception ----------------------------------------------------------- */

/* Makes e (stolen) the exception being unwound. Returns its status. */
static rc_status set_current(lang_thread *ts, rc_object *e) {
    rc_object *old = ts->exc;
    ts->exc = e;
    rc_xdecref(old);
    return rc_exception_raise(e);
}

/* Sets e's context to the exception being handled, as Python does for
 * every exception raised inside an except or finally block. */
static void set_context(lang_thread *ts, rc_object *e) {
    rc_object *h = ts->n_handled > 0 ? ts->handled[ts->n_handled - 1] : NULL;
    /* Cannot fail for two refcore exceptions; setting an instance's
     * attribute may run out of memory, and then it keeps its old context. */
    if (h && lang_exc_value(h) != lang_exc_value(e) && set_link(e, h, false) != RC_OK)
        rc_error_clear();
}

/* An instance of the builtin class kind with args (msg,), or (value,)
 * when value is given. */
static rc_object *builtin_instance(lang_thread *ts, lang_exc_kind kind, const char *msg,
                                   rc_object *value) {
    rc_object *a = value ? rc_newref(value) : rc_str_from_cstr(msg);
    rc_object *args = a ? rc_tuple_from_array_steal(1, &a) : NULL;
    rc_object *e = args ? instance_of(ts->interp->exc_classes[kind], args) : NULL;
    rc_xdecref(args);
    return e;
}

rc_status lang_raise(lang_thread *ts, lang_exc_kind kind, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rc_object *e = builtin_instance(ts, kind, msg, NULL);
    if (!e)
        return rc_error_code();
    set_context(ts, e);
    return set_current(ts, e);
}

rc_status lang_raise_key(lang_thread *ts, rc_object *key) {
    rc_object *e = builtin_instance(ts, LANG_EXC_KEY, NULL, key);
    if (!e)
        return rc_error_code();
    set_context(ts, e);
    return set_current(ts, e);
}

rc_status lang_do_raise(lang_thread *ts, int how, rc_object *x, rc_object *cause) {
    rc_object *e = NULL;
    switch (how) {
    case RAISE_BARE:
        if (ts->n_handled == 0)
            return lang_raise(ts, LANG_EXC_RUNTIME, "No active exception to reraise");
        /* Its handler's cleanup (compiler.c) pops it from the handled
         * stack, wherever the raise is (a function called in the handler). */
        ts->err_line = ts->handled_lines[ts->n_handled - 1];
        return set_current(ts, rc_newref(ts->handled[ts->n_handled - 1]));
    case RAISE_ASSERT:
    case RAISE_ASSERT_MSG: {
        rc_object *cls = ts->interp->exc_classes[LANG_EXC_ASSERTION];
        e = lang_exc_instance(cls, &x, how == RAISE_ASSERT_MSG);
        break;
    }
    default: {
        bool bad;
        e = to_exception(ts, x, &bad);
        if (bad)
            return lang_raise(ts, LANG_EXC_TYPE, "exceptions must derive from BaseException");
    }
    }
    if (!e)
        return rc_error_code();
    if (cause) {
        bool bad = false;
        rc_object *c = cause == rc_none() ? rc_newref(cause) : to_exception(ts, cause, &bad);
        rc_status st = bad ? lang_raise(ts, LANG_EXC_TYPE,
                                        "exception causes must derive from BaseException")
                       : !c ? rc_error_code()
                            : set_link(e, c, true);
        rc_xdecref(c);
        if (st != RC_OK) {
            rc_decref(e);
            return st;
        }
    }
    set_context(ts, e);
    return set_current(ts, e);
}

rc_status lang_reraise(lang_thread *ts, rc_object *e, bool handled) {
    if (handled) { /* e is the innermost handled exception: it stops being */
        ts->err_line = ts->handled_lines[ts->n_handled - 1];
        lang_handled_pop(ts);
    } else {
        ts->err_line = ts->caught_line;
    }
    return set_current(ts, e);
}

bool lang_exc_catchable(lang_thread *ts) {
    return !ts->exiting && !(rc_error_code() == RC_ELIMIT && ts->steps_left == 0);
}

/* The builtin class for an error that is only in the slot. */
static lang_exc_kind kind_of_status(rc_status st) {
    switch (st) {
    case RC_ENOMEM: return LANG_EXC_MEMORY;
    case RC_ETYPE: return LANG_EXC_TYPE;
    case RC_EINDEX: return LANG_EXC_INDEX;
    case RC_EKEY: return LANG_EXC_KEY;
    case RC_EOVERFLOW: return LANG_EXC_OVERFLOW;
    case RC_EZERODIV: return LANG_EXC_ZERODIV;
    case RC_EVALUE: return LANG_EXC_VALUE;
    case RC_ERECURSION: return LANG_EXC_RECURSION;
    default: return LANG_EXC_RUNTIME; /* a container changed size, a lock misused, ... */
    }
}

/* ts->exc if it is still the current error: the slot holds its status and
 * its message, which the slot may have cut (rc_error_set keeps 255 bytes). */
static bool exc_is_current(lang_thread *ts) {
    if (!ts->exc || rc_error_code() != rc_exception_code(ts->exc))
        return false;
    const char *slot = rc_error_message(), *msg = rc_str_data(rc_exception_message(ts->exc));
    size_t n = strlen(slot), len = strlen(msg);
    return memcmp(slot, msg, n < len ? n : len) == 0 && (n == len || (n < len && n == 255));
}

rc_object *lang_exc_take(lang_thread *ts) {
    ts->caught_line = ts->err_line;
    ts->err_line = 0;
    if (exc_is_current(ts)) {
        rc_object *e = ts->exc;
        ts->exc = NULL;
        return e;
    }
    rc_clear_ref(&ts->exc);
    rc_object *e = builtin_instance(ts, kind_of_status(rc_error_code()), rc_error_message(), NULL);
    if (e)
        set_context(ts, e);
    return e;
}

int lang_exc_match(rc_object *e, rc_object *cls) {
    if (rc_tuple_check(cls)) {
        for (int64_t i = 0; i < rc_tuple_size(cls); i++) {
            int r = lang_exc_match(e, rc_tuple_get(cls, i));
            if (r != 0)
                return r;
        }
        return 0;
    }
    if (!lang_exc_is_class(cls))
        return rc_error_set(RC_ETYPE,
                            "catching classes that do not inherit from BaseException is not allowed");
    rc_object *kind = rc_exception_check(e) ? rc_exception_kind(e)
                      : lang_is_instance(e)  ? ((lang_instance *)e)->cls
                                             : NULL;
    return kind && lang_exc_is_class(kind) && lang_exc_is_subclass(kind, cls);
}

rc_status lang_handled_push(lang_thread *ts, rc_object *e) {
    if (ts->n_handled == ts->cap_handled) {
        int cap = ts->cap_handled ? 2 * ts->cap_handled : 8;
        rc_object **h = rc_mem_realloc(ts->handled, (size_t)cap * sizeof *h);
        if (h)
            ts->handled = h;
        int *l = h ? rc_mem_realloc(ts->handled_lines, (size_t)cap * sizeof *l) : NULL;
        if (!l)
            return rc_error_set(RC_ENOMEM, "out of memory for the handled exceptions");
        ts->handled_lines = l;
        ts->cap_handled = cap;
    }
    ts->handled[ts->n_handled] = e;
    ts->handled_lines[ts->n_handled++] = ts->caught_line;
    return RC_OK;
}

void lang_handled_pop(lang_thread *ts) {
    ts->n_handled--;
}

void lang_exc_thread_fini(lang_thread *ts) {
    rc_clear_ref(&ts->exc);
    rc_mem_free(ts->handled);
    rc_mem_free(ts->handled_lines);
    ts->handled = NULL;
    ts->handled_lines = NULL;
    ts->n_handled = ts->cap_handled = 0;
}

/* ---- str, attributes, the last line -------------------------------------------------- */

rc_object *lang_exc_str(rc_object *e) {
    return rc_newref(rc_exception_message(e));
}

rc_object *lang_exc_getattr(rc_object *o, const char *name) {
    if (rc_exception_check(o)) {
        if (strcmp(name, "args") == 0) {
            rc_object *v = rc_exception_value(o);
            return rc_tuple_check(v) ? rc_newref(v) : rc_tuple_pack(1, rc_exception_message(o));
        }
        bool cause = strcmp(name, "__cause__") == 0;
        if (cause || strcmp(name, "__context__") == 0) { /* the program's view of it */
            rc_object *x = cause ? rc_exception_cause(o) : rc_exception_context(o);
            rc_object *v = x ? rc_newref(lang_exc_value(x)) : NULL;
            rc_xdecref(x);
            return v;
        }
    } else if (is_class(o) && strcmp(name, "__name__") == 0) {
        return rc_newref(((lang_exc_class *)o)->name);
    }
    return NULL;
}

void lang_exc_describe(lang_thread *ts, char *buf, size_t size) {
    const char *name, *msg;
    if (exc_is_current(ts)) {
        name = rc_str_data(rc_exception_name(ts->exc));
        msg = rc_str_data(rc_exception_message(ts->exc));
    } else {
        lang_exc_kind k = kind_of_status(rc_error_code());
        name = rc_str_data(((lang_exc_class *)ts->interp->exc_classes[k])->name);
        msg = rc_error_message();
    }
    snprintf(buf, size, "%s%s%s", name, *msg ? ": " : "", msg);
}

/* ---- with -------------------------------------------------------------------------------- */

/* mgr.name(args...): the protocol goes through method calls, so a type
 * with __enter__ and __exit__ methods (a Lock, a program's class) takes part. */
static rc_object *call_named(lang_thread *ts, rc_object *mgr, const char *name, rc_object **args,
                             int nargs) {
    rc_object *nm = rc_str_intern_cstr(name);
    rc_object *r = nm ? lang_call_method(ts, mgr, nm, args, nargs) : NULL;
    rc_xdecref(nm);
    return r;
}

rc_object *lang_with_enter(lang_thread *ts, rc_object *mgr) {
    bool (*has)(rc_object *, const char *) =
        lang_is_instance(mgr) ? lang_instance_has_method : lang_has_method;
    bool has_enter = has(mgr, "__enter__"), has_exit = has(mgr, "__exit__");
    if (!has_enter || !has_exit) { /* CPython 3.11's words, which name __exit__ only */
        lang_raise(ts, LANG_EXC_TYPE,
                   "'%s' object does not support the context manager protocol%s",
                   lang_type_name(mgr), has_enter ? " (missed __exit__ method)" : "");
        return NULL;
    }
    return call_named(ts, mgr, "__enter__", NULL, 0);
}

rc_status lang_with_exit(lang_thread *ts, rc_object *mgr, rc_object *e, bool *suppress) {
    rc_object *args[3] = {rc_none(), rc_none(), rc_none()};
    if (e) {
        args[0] = rc_exception_kind(e);
        args[1] = lang_exc_value(e);
    }
    rc_object *r = call_named(ts, mgr, "__exit__", args, 3);
    if (!r)
        return rc_error_code();
    *suppress = lang_truthy(r);
    rc_decref(r);
    return RC_OK;
}
