/*
 * lang/builtins.c -- print, len, range, str, int, float, gc_collect,
 * strategy, and the methods of lists, dicts and strs.
 *
 * Each is a thin layer over refcore's public API: the argument checks and
 * Python's conventions (default arguments, None results) are all that is
 * added here.
 */
#include "lang/builtins.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lang/format.h"
#include "lang/modules.h"
#include "lang/ops.h"

bool lang_check_args(const char *fname, int nargs, int min, int max) {
    if (nargs >= min && nargs <= max)
        return true;
    if (min == max)
        rc_error_set(RC_ETYPE, "%s() takes %d argument%s (%d given)", fname, min,
                     min == 1 ? "" : "s", nargs);
    else
        rc_error_set(RC_ETYPE, "%s() takes %d to %d arguments (%d given)", fname, min, max,
                     nargs);
    return false;
}

static rc_status want_int(rc_object *o, const char *what, int64_t *out) {
    if (!rc_int_check(o))
        return rc_error_set(RC_ETYPE, "%s must be an int, not '%s'", what, rc_object_type_name(o));
    return rc_int_as_i64(o, out);
}

/* Returns None for a status, as statement-like methods do. */
static rc_object *none_or_null(rc_status st) {
    return st == RC_OK ? rc_none() : NULL;
}

/* ---- functions ---------------------------------------------------------------- */

rc_status lang_kwargs(const char *fname, rc_object **args, int nargs, rc_object *kwnames,
                      const char *const *names, rc_object **out) {
    for (int i = 0; names[i]; i++)
        out[i] = NULL;
    for (int64_t k = 0; kwnames && k < rc_tuple_size(kwnames); k++) {
        const char *nm = rc_str_data(rc_tuple_get(kwnames, k));
        int i = 0;
        while (names[i] && strcmp(names[i], nm) != 0)
            i++;
        if (!names[i])
            return rc_error_set(RC_ETYPE, "%s() got an unexpected keyword argument '%s'", fname,
                                nm);
        out[i] = args[nargs + k];
    }
    return RC_OK;
}

/* sep= and end= as print's keywords: a str, or None for the default. */
static rc_status print_text(rc_object *o, const char *what, const char *dflt, const char **out,
                            size_t *len) {
    if (!o || rc_is_none(o)) {
        *out = dflt, *len = strlen(dflt);
        return RC_OK;
    }
    if (!rc_str_check(o))
        return rc_error_set(RC_ETYPE, "%s must be None or a string, not %s", what,
                            rc_object_type_name(o));
    *out = rc_str_data(o), *len = (size_t)rc_str_byte_length(o);
    return RC_OK;
}

/* Writes the line under the stream's lock, so lines printed by different
 * threads never interleave. Takes sep=, end= and flush= (every line is
 * flushed as the stream decides; flush is accepted and ignored). */
static rc_object *bi_print(lang_thread *ts, rc_object **args, int nargs, rc_object *kwnames) {
    static const char *const names[] = {"sep", "end", "flush", NULL};
    rc_object *text[256], *kw[3];
    const char *sep, *end;
    size_t seplen, endlen;
    if (!lang_check_args("print", nargs, 0, 255) ||
        lang_kwargs("print", args, nargs, kwnames, names, kw) != RC_OK ||
        print_text(kw[0], "sep", " ", &sep, &seplen) != RC_OK ||
        print_text(kw[1], "end", "\n", &end, &endlen) != RC_OK)
        return NULL;
    int n = 0;
    for (; n < nargs; n++)
        if (!(text[n] = lang_str(args[n])))
            break;
    FILE *out = ts->interp->out;
    if (n == nargs) {
        flockfile(out);
        for (int i = 0; i < n; i++) {
            fwrite(sep, 1, i ? seplen : 0, out);
            fwrite(rc_str_data(text[i]), 1, (size_t)rc_str_byte_length(text[i]), out);
        }
        fwrite(end, 1, endlen, out);
        funlockfile(out);
    }
    for (int i = 0; i < n; i++)
        rc_decref(text[i]);
    return n == nargs ? rc_none() : NULL;
}

static rc_object *bi_len(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("len", nargs, 1, 1))
        return NULL;
    rc_object *o = args[0];
    int64_t n = rc_str_check(o)     ? rc_str_length(o)
                : rc_list_check(o)  ? rc_list_size(o)
                : rc_dict_check(o)  ? rc_dict_size(o)
                : rc_tuple_check(o) ? rc_tuple_size(o)
                                    : rc_error_set(RC_ETYPE, "object of type '%s' has no len()",
                                                   rc_object_type_name(o));
    /* A size function's error is a negative rc_status, already in the slot. */
    return n < 0 ? NULL : rc_int_from_i64(n);
}

static rc_object *bi_range(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    int64_t v[3] = {0, 0, 1};
    if (!lang_check_args("range", nargs, 1, 3))
        return NULL;
    for (int i = 0; i < nargs; i++)
        if (want_int(args[i], "range() argument", &v[nargs == 1 ? 1 : i]) != RC_OK)
            return NULL;
    if (v[2] == 0) {
        rc_error_set(RC_EVALUE, "range() step must not be zero");
        return NULL;
    }
    return lang_range_new(v[0], v[1], v[2]);
}

static rc_object *bi_str(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("str", nargs, 1, 1))
        return NULL;
    return lang_str(args[0]);
}

static rc_object *int_from_str(rc_object *s) {
    const char *p = rc_str_data(s);
    char *end;
    errno = 0;
    long long v = strtoll(p, &end, 10);
    while (*end == ' ' || *end == '\t' || *end == '\n')
        end++;
    if (end == p || *end != '\0' || errno == ERANGE) {
        rc_error_set(RC_EVALUE, "invalid literal for int(): '%.60s'", p);
        return NULL;
    }
    return rc_int_from_i64(v);
}

static rc_object *bi_int(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("int", nargs, 1, 1))
        return NULL;
    rc_object *o = args[0];
    if (rc_int_check(o))
        return rc_newref(o);
    if (rc_bool_check(o))
        return rc_int_from_i64(rc_bool_value(o));
    if (rc_str_check(o))
        return int_from_str(o);
    double d = 0;
    if (rc_float_as_double(o, &d) != RC_OK)
        return NULL;
    if (!(d > -9.2e18 && d < 9.2e18)) { /* NaN fails both */
        rc_error_set(RC_EOVERFLOW, "cannot convert float %g to int", d);
        return NULL;
    }
    return rc_int_from_i64((int64_t)d);
}

static rc_object *bi_float(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("float", nargs, 1, 1))
        return NULL;
    double d = 0;
    if (rc_str_check(args[0])) {
        const char *p = rc_str_data(args[0]);
        char *end;
        d = strtod(p, &end);
        if (end == p || *end != '\0') {
            rc_error_set(RC_EVALUE, "could not convert string to float: '%.60s'", p);
            return NULL;
        }
    } else if (rc_float_as_double(args[0], &d) != RC_OK) {
        return NULL;
    }
    return rc_float_from_double(d);
}

static rc_object *bi_repr(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    return lang_check_args("repr", nargs, 1, 1) ? rc_object_repr(args[0]) : NULL;
}

/* format(v[, spec]) */
static rc_object *bi_format(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("format", nargs, 1, 2))
        return NULL;
    if (nargs == 2 && !rc_str_check(args[1])) {
        rc_error_set(RC_ETYPE, "format() argument 2 must be str, not %s",
                     rc_object_type_name(args[1]));
        return NULL;
    }
    if (nargs == 1)
        return lang_format(args[0], "", 0);
    return lang_format(args[0], rc_str_data(args[1]), (size_t)rc_str_byte_length(args[1]));
}

static rc_object *bi_gc_collect(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts, (void)args;
    if (!lang_check_args("gc_collect", nargs, 0, 0))
        return NULL;
    int64_t n = rc_gc_collect();
    return n < 0 ? NULL : rc_int_from_i64(n);
}

static rc_object *bi_strategy(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts, (void)args;
    if (!lang_check_args("strategy", nargs, 0, 0))
        return NULL;
    return rc_str_from_cstr(RC_STRATEGY_NAME);
}

/* ---- list methods ------------------------------------------------------------------ */

static rc_object *list_append(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("append", nargs, 1, 1))
        return NULL;
    return none_or_null(rc_list_append(self, args[0]));
}

static rc_object *list_pop(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    int64_t i = -1;
    if (!lang_check_args("pop", nargs, 0, 1) || (nargs && want_int(args[0], "index", &i)))
        return NULL;
    return rc_list_pop(self, i);
}

static rc_object *list_insert(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    int64_t i = 0;
    if (!lang_check_args("insert", nargs, 2, 2) || want_int(args[0], "index", &i))
        return NULL;
    return none_or_null(rc_list_insert(self, i, args[1]));
}

static rc_object *list_extend(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("extend", nargs, 1, 1))
        return NULL;
    return none_or_null(rc_list_extend(self, args[0]));
}

static const lang_method list_methods[] = {
    {"append", list_append}, {"pop", list_pop}, {"insert", list_insert},
    {"extend", list_extend}, {NULL, NULL},
};

/* ---- dict methods ------------------------------------------------------------------ */

/* d.get(k[, default]) and d.pop(k[, default]) */
static rc_object *dict_lookup(rc_object *self, rc_object **args, int nargs, bool pop) {
    if (!lang_check_args(pop ? "pop" : "get", nargs, 1, 2))
        return NULL;
    rc_object *v;
    int r = rc_dict_get_ref(self, args[0], &v);
    if (r < 0)
        return NULL;
    if (r == 0) {
        if (nargs == 2 || !pop)
            return rc_newref(nargs == 2 ? args[1] : rc_none());
        rc_error_set(RC_EKEY, "key not found");
        return NULL;
    }
    if (pop && rc_dict_delete(self, args[0]) != RC_OK)
        rc_clear_ref(&v);
    return v;
}

static rc_object *dict_get(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return dict_lookup(self, args, nargs, false);
}

static rc_object *dict_pop(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return dict_lookup(self, args, nargs, true);
}

static rc_object *dict_keys(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts, (void)args;
    return lang_check_args("keys", nargs, 0, 0) ? rc_dict_keys(self) : NULL;
}

static rc_object *dict_values(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts, (void)args;
    return lang_check_args("values", nargs, 0, 0) ? rc_dict_values(self) : NULL;
}

static rc_object *dict_items(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts, (void)args;
    return lang_check_args("items", nargs, 0, 0) ? rc_dict_items(self) : NULL;
}

static const lang_method dict_methods[] = {
    {"get", dict_get}, {"pop", dict_pop}, {"keys", dict_keys},
    {"values", dict_values}, {"items", dict_items}, {NULL, NULL},
};

/* ---- str methods -------------------------------------------------------------------- */

/* sep.join(items): items a list or tuple of strs. */
static rc_object *str_join(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("join", nargs, 1, 1))
        return NULL;
    rc_object *acc = rc_str_from_cstr(""), *item;
    rc_iter it;
    int r = 0;
    if (!acc || rc_iter_begin(&it, args[0]) != RC_OK) {
        rc_xdecref(acc);
        return NULL;
    }
    for (int64_t i = 0; acc && (r = rc_iter_next(&it, &item)) == 1; i++) {
        rc_object *sep = i ? rc_str_concat(acc, self) : rc_newref(acc);
        rc_object *next = sep ? rc_str_concat(sep, item) : NULL; /* RC_ETYPE for a non-str */
        rc_xdecref(sep);
        rc_decref(item);
        rc_decref(acc);
        acc = next;
    }
    rc_iter_end(&it);
    if (r < 0)
        rc_clear_ref(&acc);
    return acc;
}

/* s.split() splits at runs of whitespace; s.split(sep) at each sep. */
static rc_object *str_split(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("split", nargs, 0, 1))
        return NULL;
    const char *sep = nargs ? rc_str_data(args[0]) : NULL;
    if (nargs && (!sep || !*sep)) {
        rc_error_set(sep ? RC_EVALUE : RC_ETYPE, "split() needs a non-empty str separator");
        return NULL;
    }
    rc_object *l = rc_list_new();
    const char *p = rc_str_data(self), *end = p + rc_str_byte_length(self);
    while (l && p <= end) {
        if (!sep)
            while (p < end && strchr(" \t\n\r", *p))
                p++;
        if (!sep && p == end)
            break;
        const char *q = sep ? strstr(p, sep) : p;
        if (!sep)
            while (q < end && !strchr(" \t\n\r", *q))
                q++;
        if (!q)
            q = end;
        rc_object *piece = rc_str_from_utf8(p, (size_t)(q - p));
        if (!piece || rc_list_append_steal(l, piece) != RC_OK)
            rc_clear_ref(&l);
        p = q + (sep ? strlen(sep) : 0);
        if (sep && q == end)
            break;
    }
    return l;
}

static rc_object *str_format(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return lang_format_template(self, args, nargs);
}

static const lang_method str_methods[] = {
    {"join", str_join}, {"split", str_split}, {"format", str_format}, {NULL, NULL},
};

/* ---- dispatch and installation ---------------------------------------------------------- */

static const lang_method *methods_of(const rc_type *type) {
    if (type == &rc_list_type)
        return list_methods;
    if (type == &rc_dict_type)
        return dict_methods;
    if (type == &rc_str_type)
        return str_methods;
    const lang_method *m = lang_threads_methods(type);
    return m ? m : lang_process_methods(type);
}

rc_object *lang_builtin_call(lang_thread *ts, lang_builtin *b, rc_object **args, int nargs,
                             rc_object *kwnames) {
    if (b->kwfn)
        return b->kwfn(ts, args, nargs, kwnames);
    if (kwnames && rc_tuple_size(kwnames) > 0) {
        rc_error_set(RC_ETYPE, "%s() takes no keyword arguments", b->name);
        return NULL;
    }
    return b->fn(ts, args, nargs);
}

rc_object *lang_call_method(lang_thread *ts, rc_object *self, rc_object *name, rc_object **args,
                            int nargs) {
    return lang_call_method_kw(ts, self, name, args, nargs, NULL);
}

/* m.f(...) for a module calls its attribute f; other values look the name
 * up in their type's method table. */
rc_object *lang_call_method_kw(lang_thread *ts, rc_object *self, rc_object *name,
                               rc_object **args, int nargs, rc_object *kwnames) {
    if (rc_object_type(self) == &lang_module_type) {
        rc_object *f = lang_getattr(ts, self, name);
        rc_object *r = f ? lang_call_kw(ts, f, args, nargs, kwnames) : NULL;
        rc_xdecref(f);
        return r;
    }
    if (kwnames && rc_tuple_size(kwnames) > 0) {
        rc_error_set(RC_ETYPE, "%s() takes no keyword arguments", rc_str_data(name));
        return NULL;
    }
    rc_checkpoint();
    const char *nm = rc_str_data(name);
    const lang_method *m = methods_of(rc_object_type(self));
    for (; m && m->name; m++)
        if (strcmp(m->name, nm) == 0)
            return m->fn(ts, self, args, nargs);
    rc_error_set(RC_ETYPE, "'%s' object has no method '%s'", rc_object_type_name(self), nm);
    return NULL;
}

/* Builtins are immortal: every thread that calls len or str loads the same
 * object by name, and under a free-threaded strategy its count would be a
 * write they all share. They hold no references, and live until the
 * runtime stops (a few per interpreter). */
static rc_status add_builtin(rc_object *builtins, const char *name, lang_cfunc fn,
                             lang_cfunc_kw kwfn) {
    rc_object *key = rc_str_intern_cstr(name);
    rc_object *f = !key ? NULL : fn ? lang_builtin_new(name, fn) : lang_builtin_new_kw(name, kwfn);
    rc_status st = f ? rc_immortalize(f) : rc_error_code();
    if (st == RC_OK)
        st = rc_dict_set(builtins, key, f);
    rc_xdecref(f);
    rc_xdecref(key);
    return st;
}

rc_status lang_add_builtin(rc_object *builtins, const char *name, lang_cfunc fn) {
    return add_builtin(builtins, name, fn, NULL);
}

rc_status lang_add_builtin_kw(rc_object *builtins, const char *name, lang_cfunc_kw kwfn) {
    return add_builtin(builtins, name, NULL, kwfn);
}

rc_status lang_builtins_install(rc_object *builtins) {
    static const struct {
        const char *name;
        lang_cfunc fn;
    } table[] = {
        {"len", bi_len}, {"range", bi_range}, {"str", bi_str},
        {"int", bi_int}, {"float", bi_float}, {"gc_collect", bi_gc_collect},
        {"repr", bi_repr}, {"format", bi_format},
        {"strategy", bi_strategy},
    };
    if (lang_add_builtin_kw(builtins, "print", bi_print) != RC_OK)
        return rc_error_code();
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (lang_add_builtin(builtins, table[i].name, table[i].fn) != RC_OK)
            return rc_error_code();
    if (lang_seq_builtins_install(builtins) != RC_OK)
        return rc_error_code();
    return lang_threads_install(builtins);
}
