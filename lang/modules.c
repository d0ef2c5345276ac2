/*
 * lang/modules.c -- the module type, import, attribute access, and the
 * sys and math modules (time and threading are in threads.c, beside the
 * threads and sleep).
 */
#include "lang/modules.h"

#include "lang/exceptions.h"

#include <math.h>
#include <string.h>

#include "lang/builtins.h"
#include "lang/classes.h"
#include "lang/lang.h"
#include "lang/ops.h"

/* ---- the type ------------------------------------------------------------- */

/* Never runs in practice (modules are immortal), but a module that failed
 * half-built is freed through it. */
static void module_dealloc(rc_object *self) {
    lang_module *m = (lang_module *)self;
    rc_clear_ref(&m->name);
    rc_clear_ref(&m->dict);
}

static rc_object *module_repr(rc_object *self) {
    return rc_str_from_format("<module '%s' (built-in)>",
                              rc_str_data(((lang_module *)self)->name));
}

/* Not RC_TYPE_GC: it holds only immortal objects, so it is in no cycle. */
rc_type lang_module_type = {
    .name = "module",
    .basicsize = sizeof(lang_module),
    .dealloc = module_dealloc,
    .repr = module_repr,
    .instance_size = rc_fixed_instance_size,
};

rc_status lang_module_set(rc_object *module, const char *name, rc_object *v) {
    rc_object *key = v ? rc_str_intern_cstr(name) : NULL;
    rc_status st = key ? rc_immortalize(v) : rc_error_code();
    if (st == RC_OK)
        st = rc_dict_set(((lang_module *)module)->dict, key, v);
    rc_xdecref(key);
    rc_xdecref(v);
    return st;
}

rc_object *lang_module_add(lang_interp *in, const char *name, const lang_module_fn *fns,
                           lang_attr_hook hook) {
    lang_module *m = (lang_module *)rc_object_new(&lang_module_type);
    if (!m)
        return NULL;
    m->hook = hook;
    m->name = rc_str_intern_cstr(name);
    m->dict = rc_dict_new();
    rc_status st = m->name && m->dict ? RC_OK : rc_error_code();
    for (; st == RC_OK && fns && fns->name; fns++)
        st = fns->fn ? lang_add_builtin(m->dict, fns->name, fns->fn)
                     : lang_add_builtin_kw(m->dict, fns->name, fns->kwfn);
    if (st == RC_OK)
        st = rc_immortalize(m->dict);
    if (st == RC_OK)
        st = rc_immortalize(&m->base);
    if (st == RC_OK)
        st = rc_dict_set(in->modules, m->name, &m->base);
    rc_decref(&m->base); /* immortal: a no-op, unless it failed half-built */
    return st == RC_OK ? &m->base : NULL;
}

rc_object *lang_import(lang_thread *ts, rc_object *name) {
    rc_object *m;
    int r = rc_dict_get_ref(ts->interp->modules, name, &m);
    if (r == 0)
        lang_raise(ts, LANG_EXC_MODULE_NOT_FOUND, "No module named '%s'", rc_str_data(name));
    return r == 1 ? m : NULL;
}

rc_object *lang_getattr(lang_thread *ts, rc_object *o, rc_object *name) {
    const char *nm = rc_str_data(name);
    rc_object *v = NULL;
    if (lang_classes_owns(o))
        return lang_classes_getattr(ts, o, name);
    if (rc_object_type(o) == &lang_module_type) {
        lang_module *m = (lang_module *)o;
        if (m->hook && (v = m->hook(ts, nm)) != NULL)
            return v;
        int r = rc_dict_get_ref(m->dict, name, &v);
        if (r == 1)
            return v;
        if (r == 0)
            lang_raise(ts, LANG_EXC_ATTRIBUTE, "module '%s' has no attribute '%s'",
                       rc_str_data(m->name), nm);
        return NULL;
    }
    if ((v = lang_threads_getattr(ts, o, nm)) != NULL ||
        (v = lang_process_getattr(ts, o, nm)) != NULL || (v = lang_exc_getattr(o, nm)) != NULL)
        return v;
    lang_raise(ts, LANG_EXC_ATTRIBUTE, "'%s' object has no attribute '%s'", rc_object_type_name(o),
               nm);
    return NULL;
}

/* ---- sys ------------------------------------------------------------------------ */

static rc_object *sys_hook(lang_thread *ts, const char *name) {
    if (strcmp(name, "argv") == 0)
        return rc_newref(ts->interp->argv);
    return NULL;
}

/* sys.exit([status]): ends the program (from the main thread; from another
 * thread, that thread) without an error message. The status: 0 for none,
 * an int as given, and anything else is printed to stderr and gives 1, as
 * in Python. It unwinds as an error does, marked as an exit
 * (lang_thread.exiting), so that nothing is reported. */
static rc_object *sys_exit(lang_thread *ts, rc_object **args, int nargs) {
    if (!lang_check_args("exit", nargs, 0, 1))
        return NULL;
    int64_t status = 0;
    if (nargs == 1 && rc_int_check(args[0])) {
        rc_int_as_i64(args[0], &status);
    } else if (nargs == 1 && !rc_is_none(args[0])) {
        rc_object *s = lang_str(args[0]);
        if (!s)
            return NULL;
        fprintf(stderr, "%s\n", rc_str_data(s));
        rc_decref(s);
        status = 1;
    }
    ts->exiting = true;
    ts->exit_status = (int)status;
    rc_error_set(RC_ESTATE, "SystemExit: %lld", (long long)status);
    return NULL;
}

/* ---- math ----------------------------------------------------------------------- */

static rc_status want_number(rc_object *o, const char *fname, double *out) {
    if (!rc_int_check(o) && !rc_float_check(o) && !rc_bool_check(o))
        return rc_error_set(RC_ETYPE, "%s() needs a number, not '%s'", fname,
                            rc_object_type_name(o));
    if (rc_bool_check(o)) {
        *out = rc_bool_value(o);
        return RC_OK;
    }
    return rc_float_as_double(o, out);
}

/* A float result of a math function: NaN from numbers that were not NaN,
 * or an infinity from finite ones, is Python's domain or range error. */
static rc_object *math_result(double r, double x, double y) {
    if (isnan(r) && !isnan(x) && !isnan(y)) {
        rc_error_set(RC_EVALUE, "math domain error");
        return NULL;
    }
    if (isinf(r) && isfinite(x) && isfinite(y)) {
        rc_error_set(RC_EOVERFLOW, "math range error");
        return NULL;
    }
    return rc_float_from_double(r);
}

static rc_object *math1(const char *fname, double (*fn)(double), rc_object **args, int nargs) {
    double x = 0;
    if (!lang_check_args(fname, nargs, 1, 1) || want_number(args[0], fname, &x) != RC_OK)
        return NULL;
    if (x == 0 && (fn == log || fn == log2 || fn == log10)) { /* -inf: Python says domain */
        rc_error_set(RC_EVALUE, "math domain error");
        return NULL;
    }
    return math_result(fn(x), x, 0);
}

static rc_object *math2(const char *fname, double (*fn)(double, double), rc_object **args,
                        int nargs) {
    double x = 0, y = 0;
    if (!lang_check_args(fname, nargs, 2, 2) || want_number(args[0], fname, &x) != RC_OK ||
        want_number(args[1], fname, &y) != RC_OK)
        return NULL;
    return math_result(fn(x, y), x, y);
}

/* One builtin per C function: a builtin carries no data of its own. */
#define MATH1(pyname, cfn)                                                               \
    static rc_object *math_##pyname(lang_thread *ts, rc_object **args, int nargs) {      \
        (void)ts;                                                                        \
        return math1(#pyname, cfn, args, nargs);                                         \
    }
#define MATH2(pyname, cfn)                                                               \
    static rc_object *math_##pyname(lang_thread *ts, rc_object **args, int nargs) {      \
        (void)ts;                                                                        \
        return math2(#pyname, cfn, args, nargs);                                         \
    }
MATH1(sqrt, sqrt)
MATH1(exp, exp)
MATH1(log2, log2)
MATH1(log10, log10)
MATH1(sin, sin)
MATH1(cos, cos)
MATH1(tan, tan)
MATH1(asin, asin)
MATH1(acos, acos)
MATH1(atan, atan)
MATH1(fabs, fabs)
MATH2(atan2, atan2)
MATH2(pow, pow)
MATH2(hypot, hypot)
MATH2(fmod, fmod)

/* log(x[, base]) */
static rc_object *math_log(lang_thread *ts, rc_object **args, int nargs) {
    double b = 0;
    if (nargs != 2)
        return math1("log", log, args, nargs);
    if (want_number(args[1], "log", &b) != RC_OK)
        return NULL;
    rc_object *lx = math1("log", log, args, 1), *lb = lx ? math1("log", log, args + 1, 1) : NULL;
    rc_object *r = lb ? lang_binary(BIN_DIV, lx, lb) : NULL;
    (void)ts;
    rc_xdecref(lx);
    rc_xdecref(lb);
    return r;
}

/* floor, ceil and trunc give ints, as in Python 3. */
static rc_object *math_to_int(const char *fname, double (*fn)(double), rc_object **args,
                              int nargs) {
    double x = 0;
    if (!lang_check_args(fname, nargs, 1, 1))
        return NULL;
    if (rc_int_check(args[0]))
        return rc_newref(args[0]);
    if (want_number(args[0], fname, &x) != RC_OK)
        return NULL;
    return lang_int_from_double(fn(x));
}

static rc_object *math_floor(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    return math_to_int("floor", floor, args, nargs);
}

static rc_object *math_ceil(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    return math_to_int("ceil", ceil, args, nargs);
}

static rc_object *math_trunc(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    return math_to_int("trunc", trunc, args, nargs);
}

/* math.gcd(*ints): the greatest common divisor, Euclid's way on refcore's
 * ints of any size; 0 for none or all zeros. */
static rc_object *math_gcd(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    rc_object *g = rc_int_from_i64(0);
    for (int i = 0; g && i < nargs; i++) {
        if (!rc_int_check(args[i])) {
            rc_error_set(RC_ETYPE, "'%s' object cannot be interpreted as an integer",
                         rc_object_type_name(args[i]));
            rc_clear_ref(&g);
            break;
        }
        rc_object *a = g, *b = rc_int_abs(args[i]);
        int sign = 0;
        while (b && rc_int_compare(b, rc_int_from_i64(0), &sign) == RC_OK && sign != 0) {
            rc_object *r = rc_int_mod(a, b);
            rc_decref(a);
            a = b, b = r;
        }
        rc_xdecref(b);
        g = b ? a : NULL; /* b NULL: a mod failed (memory) */
        if (!b)
            rc_xdecref(a);
    }
    return g;
}

static rc_status math_install(lang_interp *in) {
    static const lang_module_fn fns[] = {
        {"sqrt", math_sqrt, NULL},   {"exp", math_exp, NULL},     {"log", math_log, NULL},
        {"log2", math_log2, NULL},   {"log10", math_log10, NULL}, {"sin", math_sin, NULL},
        {"cos", math_cos, NULL},     {"tan", math_tan, NULL},     {"asin", math_asin, NULL},
        {"acos", math_acos, NULL},   {"atan", math_atan, NULL},   {"atan2", math_atan2, NULL},
        {"fabs", math_fabs, NULL},   {"pow", math_pow, NULL},     {"hypot", math_hypot, NULL},
        {"fmod", math_fmod, NULL},   {"floor", math_floor, NULL}, {"ceil", math_ceil, NULL},
        {"trunc", math_trunc, NULL}, {"gcd", math_gcd, NULL},     {NULL, NULL, NULL},
    };
    rc_object *m = lang_module_add(in, "math", fns, NULL);
    if (!m || lang_module_set(m, "pi", rc_float_from_double(M_PI)) != RC_OK ||
        lang_module_set(m, "e", rc_float_from_double(M_E)) != RC_OK ||
        lang_module_set(m, "tau", rc_float_from_double(2 * M_PI)) != RC_OK ||
        lang_module_set(m, "inf", rc_float_from_double(INFINITY)) != RC_OK ||
        lang_module_set(m, "nan", rc_float_from_double(NAN)) != RC_OK)
        return rc_error_code();
    return RC_OK;
}

rc_status lang_modules_install(lang_interp *in) {
    static const lang_module_fn sys_fns[] = {{"exit", sys_exit, NULL}, {NULL, NULL, NULL}};
    if (!lang_module_add(in, "sys", sys_fns, sys_hook) || math_install(in) != RC_OK)
        return rc_error_code();
    if (lang_process_module_install(in) != RC_OK || lang_random_install(in) != RC_OK)
        return rc_error_code();
    return lang_threads_modules_install(in);
}
