/*
 * lang/builtins.c -- print, len, range, str, int, float, gc_collect,
 * strategy, and the methods of lists, dicts and strs.
 *
 * Each is a thin layer over refcore's public API: the argument checks and
 * Python's conventions (default arguments, None results) are all that is
 * added here.
 */
#include "lang/builtins.h"
#include "lang/exceptions.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lang/classes.h"
#include "lang/format.h"
#include "lang/modules.h"
#include "lang/ops.h"
#include "lang/sets.h"

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

/* len(o): refcore's generic length, which knows the containers and calls
 * an instance's length slot (__len__). */
static rc_object *bi_len(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("len", nargs, 1, 1))
        return NULL;
    int64_t n = 0;
    return rc_object_length(args[0], &n) == RC_OK ? rc_int_from_i64(n) : NULL;
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
        return rc_int_from_str(rc_str_data(o), (size_t)rc_str_byte_length(o));
    double d = 0;
    if (rc_float_as_double(o, &d) != RC_OK)
        return NULL;
    return lang_int_from_double(d);
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

/* ord(c): the code point of a one-character str. */
static rc_object *bi_ord(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("ord", nargs, 1, 1))
        return NULL;
    if (!rc_str_check(args[0])) {
        rc_error_set(RC_ETYPE, "ord() expected string of length 1, but %s found",
                     rc_object_type_name(args[0]));
        return NULL;
    }
    if (rc_str_length(args[0]) != 1) {
        rc_error_set(RC_ETYPE, "ord() expected a character, but string of length %lld found",
                     (long long)rc_str_length(args[0]));
        return NULL;
    }
    const unsigned char *p = (const unsigned char *)rc_str_data(args[0]);
    int64_t n = rc_str_byte_length(args[0]);
    /* Valid UTF-8 (refcore checks it): the lead byte says how many follow. */
    uint32_t cp = n == 1 ? p[0] : p[0] & (0x7F >> n);
    for (int64_t i = 1; i < n; i++)
        cp = cp << 6 | (p[i] & 0x3F);
    return rc_int_from_i64(cp);
}

/* chr(i): the one-character str of code point i. */
static rc_object *bi_chr(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    int64_t cp = 0;
    if (!lang_check_args("chr", nargs, 1, 1) || want_int(args[0], "chr", &cp))
        return NULL;
    if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        rc_error_set(RC_EVALUE, "chr() arg not in range(0x110000) or a surrogate");
        return NULL;
    }
    char buf[4];
    size_t n;
    if (cp < 0x80) {
        buf[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        buf[0] = (char)(0xC0 | cp >> 6);
        buf[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | cp >> 12);
        buf[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        buf[0] = (char)(0xF0 | cp >> 18);
        buf[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        buf[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        buf[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return rc_str_from_utf8(buf, n);
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

static rc_object *list_remove(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("remove", nargs, 1, 1))
        return NULL;
    rc_status st = rc_list_remove(self, args[0]);
    if (st == RC_EKEY)
        rc_error_set(RC_EVALUE, "list.remove(x): x not in list");
    return none_or_null(st);
}

/* The order of list.sort(): Python's `<`, through the operators. */
static int sort_less(rc_object *a, rc_object *b, void *arg) {
    (void)arg;
    rc_object *r = lang_binary(BIN_LT, a, b);
    int t = r ? lang_truthy(r) : rc_error_code();
    rc_xdecref(r);
    return t;
}

/* l.sort(key=None, reverse=False): in place and stable. Without keywords,
 * refcore's sort by `<`; with them, sorted()'s merge sort (one sort for
 * key= and reverse=), whose result is copied back. A list that another
 * thread resizes meanwhile keeps the items that fit (Python raises "list
 * modified during sort"; refpy's list has no such marker). */
static rc_object *list_sort(lang_thread *ts, rc_object *self, rc_object **args, int nargs,
                            rc_object *kwnames) {
    if (!lang_check_args("sort", nargs, 0, 0))
        return NULL;
    int64_t nkw = kwnames ? rc_tuple_size(kwnames) : 0;
    if (nkw == 0)
        return none_or_null(rc_list_sort(self, sort_less, NULL));
    rc_object *all[3] = {self}; /* self, then key= and reverse= (each once) */
    for (int64_t k = 0; k < nkw; k++) {
        const char *nm = rc_str_data(rc_tuple_get(kwnames, k));
        if (k >= 2 || (strcmp(nm, "key") != 0 && strcmp(nm, "reverse") != 0)) {
            rc_error_set(RC_ETYPE, "'%s' is an invalid keyword argument for sort()", nm);
            return NULL;
        }
        all[1 + k] = args[k];
    }
    rc_object *sorted = lang_sorted(ts, all, 1, kwnames);
    rc_status st = sorted ? RC_OK : rc_error_code();
    for (int64_t i = 0; st == RC_OK && i < rc_list_size(sorted) && i < rc_list_size(self); i++)
        st = rc_list_set(self, i, rc_list_get_borrowed(sorted, i));
    rc_xdecref(sorted);
    return none_or_null(st);
}

/* l.index(x) and l.count(x): by equality, over a walk of the list. */
static rc_object *list_find(rc_object *self, rc_object **args, int nargs, bool count) {
    if (!lang_check_args(count ? "count" : "index", nargs, 1, 1))
        return NULL;
    rc_iter it;
    rc_object *x;
    int r = 0;
    int64_t i = 0, found = 0;
    if (rc_iter_begin(&it, self) != RC_OK)
        return NULL;
    for (; (r = rc_iter_next(&it, &x)) == 1; i++) {
        int eq = rc_object_equal(x, args[0]);
        rc_decref(x);
        if (eq < 0) {
            r = -1;
            break;
        }
        found += eq;
        if (eq && !count)
            break;
    }
    rc_iter_end(&it);
    if (r < 0)
        return NULL;
    if (!count && !found) {
        rc_object *repr = rc_object_repr(args[0]);
        if (repr)
            rc_error_set(RC_EVALUE, "%s is not in list", rc_str_data(repr));
        rc_xdecref(repr);
        return NULL;
    }
    return rc_int_from_i64(count ? found : i);
}

static rc_object *list_index_of(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return list_find(self, args, nargs, false);
}

static rc_object *list_count(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return list_find(self, args, nargs, true);
}

static rc_object *list_copy(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts, (void)args;
    return lang_check_args("copy", nargs, 0, 0) ? rc_list_slice(self, 0, INT64_MAX) : NULL;
}

/* l.clear(): pops from the end until empty, so another thread sees a
 * shorter list at each step (not one atomic step; an append racing with it
 * may survive, as it may in Python under free threading). */
static rc_object *list_clear(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts, (void)args;
    if (!lang_check_args("clear", nargs, 0, 0))
        return NULL;
    for (int64_t n; (n = rc_list_size(self)) > 0;) {
        rc_object *v = rc_list_pop(self, n - 1);
        if (!v)
            return NULL;
        rc_decref(v);
    }
    return rc_none();
}

static const lang_method list_methods[] = {
    {"append", list_append, NULL}, {"pop", list_pop, NULL}, {"insert", list_insert, NULL},
    {"extend", list_extend, NULL}, {"remove", list_remove, NULL}, {"sort", NULL, list_sort},
    {"index", list_index_of, NULL}, {"count", list_count, NULL}, {"copy", list_copy, NULL},
    {"clear", list_clear, NULL}, {NULL, NULL, NULL},
};

/* ---- dict methods ------------------------------------------------------------------ */

/* d.get(k[, default]) and d.pop(k[, default]) */
static rc_object *dict_lookup(lang_thread *ts, rc_object *self, rc_object **args, int nargs,
                              bool pop) {
    if (!lang_check_args(pop ? "pop" : "get", nargs, 1, 2))
        return NULL;
    rc_object *v;
    int r = rc_dict_get_ref(self, args[0], &v);
    if (r < 0)
        return NULL;
    if (r == 0) {
        if (nargs == 2 || !pop)
            return rc_newref(nargs == 2 ? args[1] : rc_none());
        lang_raise_key(ts, args[0]);
        return NULL;
    }
    if (pop && rc_dict_delete(self, args[0]) != RC_OK)
        rc_clear_ref(&v);
    return v;
}

static rc_object *dict_get(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    return dict_lookup(ts, self, args, nargs, false);
}

static rc_object *dict_pop(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    return dict_lookup(ts, self, args, nargs, true);
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

/* d.setdefault(k[, default]): d[k], set to default (None) first if absent.
 * Not atomic: another thread may set k between the look and the set, and
 * then the later set wins. */
static rc_object *dict_setdefault(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("setdefault", nargs, 1, 2))
        return NULL;
    rc_object *v;
    int r = rc_dict_get_ref(self, args[0], &v);
    if (r != 0)
        return r == 1 ? v : NULL;
    v = nargs == 2 ? args[1] : rc_none();
    return rc_dict_set(self, args[0], v) == RC_OK ? rc_newref(v) : NULL;
}

/* d.update(other): sets each of other's items (a dict) in d. */
static rc_object *dict_update(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("update", nargs, 1, 1))
        return NULL;
    if (!rc_dict_check(args[0])) {
        rc_error_set(RC_ETYPE, "update() needs a dict, not '%s'", rc_object_type_name(args[0]));
        return NULL;
    }
    rc_object *items = rc_dict_items(args[0]); /* a snapshot: self may be args[0] */
    rc_status st = items ? RC_OK : rc_error_code();
    for (int64_t i = 0; st == RC_OK && i < rc_list_size(items); i++) {
        rc_object *kv = rc_list_get(items, i);
        st = kv ? rc_dict_set(self, rc_tuple_get(kv, 0), rc_tuple_get(kv, 1)) : rc_error_code();
        rc_xdecref(kv);
    }
    rc_xdecref(items);
    return none_or_null(st);
}

static rc_object *dict_copy(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    rc_object *d = lang_check_args("copy", nargs, 0, 0) ? rc_dict_new() : NULL;
    rc_object *r = d ? dict_update(ts, d, &self, 1) : NULL;
    (void)args;
    if (!r)
        rc_clear_ref(&d);
    rc_xdecref(r);
    return d;
}

/* d.clear(): deletes each key of a snapshot of the keys (not one atomic
 * step under a free-threaded strategy: a key set meanwhile may survive). */
static rc_object *dict_clear(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts, (void)args;
    rc_object *keys = lang_check_args("clear", nargs, 0, 0) ? rc_dict_keys(self) : NULL;
    rc_status st = keys ? RC_OK : rc_error_code();
    for (int64_t i = 0; st == RC_OK && i < rc_list_size(keys); i++) {
        st = rc_dict_delete(self, rc_list_get_borrowed(keys, i));
        if (st == RC_EKEY) /* deleted meanwhile by another thread: gone either way */
            st = RC_OK;
    }
    rc_xdecref(keys);
    return none_or_null(st);
}

static const lang_method dict_methods[] = {
    {"get", dict_get, NULL}, {"pop", dict_pop, NULL}, {"keys", dict_keys, NULL},
    {"values", dict_values, NULL}, {"items", dict_items, NULL},
    {"setdefault", dict_setdefault, NULL}, {"update", dict_update, NULL},
    {"copy", dict_copy, NULL}, {"clear", dict_clear, NULL}, {NULL, NULL, NULL},
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

/* s.split(sep=None, maxsplit=-1): at runs of whitespace (leading and
 * trailing runs give no empty pieces), or at each sep; at most maxsplit
 * splits (negative: no limit), the rest of s the last piece. */
static rc_object *str_split(lang_thread *ts, rc_object *self, rc_object **args, int nargs,
                            rc_object *kwnames) {
    (void)ts;
    static const char *const names[] = {"sep", "maxsplit", NULL};
    rc_object *kw[2];
    int64_t maxsplit = -1;
    if (!lang_check_args("split", nargs, 0, 2) ||
        lang_kwargs("split", args, nargs, kwnames, names, kw) != RC_OK)
        return NULL;
    rc_object *sepo = nargs > 0 ? args[0] : kw[0], *maxo = nargs > 1 ? args[1] : kw[1];
    if ((nargs > 0 && kw[0]) || (nargs > 1 && kw[1])) {
        bool max = nargs > 1 && kw[1];
        rc_error_set(RC_ETYPE, "argument for split() given by name ('%s') and position (%d)",
                     max ? "maxsplit" : "sep", max ? 2 : 1);
        return NULL;
    }
    if (maxo && !rc_int_check(maxo)) {
        rc_error_set(RC_ETYPE, "'%s' object cannot be interpreted as an integer",
                     rc_object_type_name(maxo));
        return NULL;
    }
    if (maxo && rc_int_as_i64(maxo, &maxsplit) != RC_OK)
        return NULL;
    const char *sep = NULL;
    if (sepo && !rc_is_none(sepo)) {
        if (!rc_str_check(sepo)) {
            rc_error_set(RC_ETYPE, "must be str or None, not %s", rc_object_type_name(sepo));
            return NULL;
        }
        sep = rc_str_data(sepo);
        if (!*sep) {
            rc_error_set(RC_EVALUE, "empty separator");
            return NULL;
        }
    }
    rc_object *l = rc_list_new();
    const char *p = rc_str_data(self), *end = p + rc_str_byte_length(self);
    for (int64_t splits = 0; l && p <= end; splits++) {
        if (!sep)
            while (p < end && strchr(" \t\n\r\v\f", *p))
                p++;
        if (!sep && p == end)
            break;
        bool last = maxsplit >= 0 && splits == maxsplit;
        const char *q = last ? end : sep ? strstr(p, sep) : p;
        if (!sep && !last)
            while (q < end && !strchr(" \t\n\r\v\f", *q))
                q++;
        if (!q)
            q = end;
        rc_object *piece = rc_str_from_utf8(p, (size_t)(q - p)); /* the rest keeps its spaces */
        if (!piece || rc_list_append_steal(l, piece) != RC_OK)
            rc_clear_ref(&l);
        p = q + (sep ? strlen(sep) : 0);
        if ((sep && q == end) || last)
            break;
    }
    return l;
}

static rc_object *str_format(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return lang_format_template(self, args, nargs);
}

/* The code points in the first n bytes of UTF-8 text: the bytes that do
 * not continue a sequence. */
static int64_t utf8_count(const char *p, int64_t n) {
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++)
        k += ((unsigned char)p[i] & 0xC0) != 0x80;
    return k;
}

/* s.strip([chars]), lstrip, rstrip: chars defaults to whitespace. Bytes
 * are stripped, so chars must be ASCII (lang/README.md). */
static rc_object *str_strip_sides(rc_object *self, rc_object **args, int nargs, const char *fname,
                                  bool left, bool right) {
    if (!lang_check_args(fname, nargs, 0, 1))
        return NULL;
    const char *chars = " \t\n\r\v\f";
    size_t nchars = 6;
    if (nargs == 1 && !rc_is_none(args[0])) {
        if (!rc_str_check(args[0]) || rc_str_length(args[0]) != rc_str_byte_length(args[0])) {
            rc_error_set(RC_ETYPE, "%s() chars must be an ASCII str", fname);
            return NULL;
        }
        chars = rc_str_data(args[0]);
        nchars = (size_t)rc_str_byte_length(args[0]);
    }
    /* memchr, not strchr: a str may hold NUL, which strchr would match */
    const char *p = rc_str_data(self), *end = p + rc_str_byte_length(self);
    while (left && p < end && memchr(chars, *p, nchars))
        p++;
    while (right && end > p && memchr(chars, end[-1], nchars))
        end--;
    return rc_str_from_utf8(p, (size_t)(end - p));
}

static rc_object *str_strip(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return str_strip_sides(self, args, nargs, "strip", true, true);
}

static rc_object *str_lstrip(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return str_strip_sides(self, args, nargs, "lstrip", true, false);
}

static rc_object *str_rstrip(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return str_strip_sides(self, args, nargs, "rstrip", false, true);
}

/* The one str argument of fname, or NULL with RC_ETYPE. */
static rc_object *str_arg(const char *fname, rc_object **args, int nargs, int min, int max) {
    if (!lang_check_args(fname, nargs, min, max))
        return NULL;
    if (!rc_str_check(args[0])) {
        rc_error_set(RC_ETYPE, "%s() argument must be str, not '%s'", fname,
                     rc_object_type_name(args[0]));
        return NULL;
    }
    return args[0];
}

/* s.startswith(prefix) / s.endswith(suffix) */
static rc_object *str_affix(rc_object *self, rc_object **args, int nargs, bool start) {
    rc_object *a = str_arg(start ? "startswith" : "endswith", args, nargs, 1, 1);
    if (!a)
        return NULL;
    int64_t n = rc_str_byte_length(self), k = rc_str_byte_length(a);
    if (k > n)
        return rc_bool_from(false);
    const char *at = rc_str_data(self) + (start ? 0 : n - k);
    return rc_bool_from(memcmp(at, rc_str_data(a), (size_t)k) == 0);
}

static rc_object *str_startswith(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return str_affix(self, args, nargs, true);
}

static rc_object *str_endswith(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return str_affix(self, args, nargs, false);
}

/* The byte offset of the first (last: the last) sub in self, or -1. */
static int64_t str_search(rc_object *self, rc_object *sub, bool last) {
    const char *p = rc_str_data(self), *end = p + rc_str_byte_length(self), *found = NULL;
    size_t n = (size_t)rc_str_byte_length(sub);
    for (const char *q = p; q <= end && (q = memmem(q, (size_t)(end - q), rc_str_data(sub), n));
         q++) {
        found = q;
        if (!last)
            break;
    }
    return found ? found - p : -1;
}

/* find, rfind, index, rindex: the index in code points; index and rindex
 * raise Python's ValueError where find and rfind give -1. */
static rc_object *str_locate(rc_object *self, rc_object **args, int nargs, const char *fname,
                             bool last, bool raise) {
    rc_object *sub = str_arg(fname, args, nargs, 1, 1);
    if (!sub)
        return NULL;
    int64_t at = str_search(self, sub, last);
    if (at < 0 && raise) {
        rc_error_set(RC_EVALUE, "substring not found");
        return NULL;
    }
    return rc_int_from_i64(at < 0 ? -1 : utf8_count(rc_str_data(self), at));
}

static rc_object *str_find(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return str_locate(self, args, nargs, "find", false, false);
}

static rc_object *str_rfind(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return str_locate(self, args, nargs, "rfind", true, false);
}

static rc_object *str_index(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return str_locate(self, args, nargs, "index", false, true);
}

static rc_object *str_rindex(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return str_locate(self, args, nargs, "rindex", true, true);
}

/* s.count(sub): the occurrences that do not overlap; len(s) + 1 for "", as
 * in Python. */
static rc_object *str_count(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    rc_object *sub = str_arg("count", args, nargs, 1, 1);
    if (!sub)
        return NULL;
    size_t n = (size_t)rc_str_byte_length(sub);
    if (n == 0)
        return rc_int_from_i64(rc_str_length(self) + 1);
    const char *p = rc_str_data(self), *end = p + rc_str_byte_length(self);
    int64_t k = 0;
    for (const char *q = p; (q = memmem(q, (size_t)(end - q), rc_str_data(sub), n)); q += n)
        k++;
    return rc_int_from_i64(k);
}

/* s.partition(sep) / s.rpartition(sep): (before, sep, after) at the first
 * (last) sep; without one, (s, '', '') (('', '', s) for rpartition). */
static rc_object *str_split_at(rc_object *self, rc_object **args, int nargs, bool last) {
    rc_object *sep = str_arg(last ? "rpartition" : "partition", args, nargs, 1, 1);
    if (!sep)
        return NULL;
    if (rc_str_byte_length(sep) == 0) {
        rc_error_set(RC_EVALUE, "empty separator");
        return NULL;
    }
    const char *p = rc_str_data(self);
    int64_t n = rc_str_byte_length(self), k = rc_str_byte_length(sep), at = str_search(self, sep, last);
    rc_object *parts[3];
    if (at < 0) {
        parts[0] = rc_str_from_cstr(""), parts[1] = rc_str_from_cstr(""), parts[2] = rc_newref(self);
        if (!last) {
            rc_object *t = parts[0];
            parts[0] = parts[2], parts[2] = t;
        }
    } else {
        parts[0] = rc_str_from_utf8(p, (size_t)at);
        parts[1] = rc_newref(sep);
        parts[2] = rc_str_from_utf8(p + at + k, (size_t)(n - at - k));
    }
    if (!parts[0] || !parts[1] || !parts[2]) {
        for (int i = 0; i < 3; i++)
            rc_xdecref(parts[i]);
        return NULL;
    }
    return rc_tuple_from_array_steal(3, parts);
}

static rc_object *str_partition(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return str_split_at(self, args, nargs, false);
}

static rc_object *str_rpartition(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return str_split_at(self, args, nargs, true);
}

/* center, ljust, rjust (width[, fillchar]): self padded to width code
 * points; center puts the odd one on the left when width is odd, as
 * CPython does. */
static rc_object *str_pad(rc_object *self, rc_object **args, int nargs, const char *fname,
                          char how) {
    if (!lang_check_args(fname, nargs, 1, 2))
        return NULL;
    int64_t width = 0;
    if (!rc_int_check(args[0]) || rc_int_as_i64(args[0], &width) != RC_OK) {
        if (!rc_int_check(args[0]))
            rc_error_set(RC_ETYPE, "'%s' object cannot be interpreted as an integer",
                         rc_object_type_name(args[0]));
        return NULL;
    }
    const char *fill = " ";
    size_t nfill = 1;
    if (nargs == 2) {
        if (!rc_str_check(args[1]) || rc_str_length(args[1]) != 1) {
            rc_error_set(RC_ETYPE, "The fill character must be exactly one character long");
            return NULL;
        }
        fill = rc_str_data(args[1]), nfill = (size_t)rc_str_byte_length(args[1]);
    }
    int64_t len = rc_str_length(self), pad = width - len;
    if (pad <= 0)
        return rc_newref(self);
    if (pad > (INT64_C(1) << 30)) {
        rc_error_set(RC_EOVERFLOW, "padded string is too long");
        return NULL;
    }
    int64_t left = how == 'l' ? 0 : how == 'r' ? pad : pad / 2 + (pad & width & 1);
    size_t nself = (size_t)rc_str_byte_length(self), total = nself + (size_t)pad * nfill;
    char *buf = rc_mem_alloc(total + 1), *w = buf;
    if (!buf)
        return NULL;
    for (int64_t i = 0; i < left; i++, w += nfill)
        memcpy(w, fill, nfill);
    memcpy(w, rc_str_data(self), nself);
    w += nself;
    for (int64_t i = left; i < pad; i++, w += nfill)
        memcpy(w, fill, nfill);
    rc_object *r = rc_str_from_utf8(buf, total);
    rc_mem_free(buf);
    return r;
}

static rc_object *str_center(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return str_pad(self, args, nargs, "center", 'c');
}

static rc_object *str_ljust(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return str_pad(self, args, nargs, "ljust", 'l');
}

static rc_object *str_rjust(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return str_pad(self, args, nargs, "rjust", 'r');
}

/* isdigit, isalpha, isalnum, isspace, isupper, islower: ASCII classes
 * (lang/README.md): a str holding any other character is not in them. */
static rc_object *str_is(rc_object *self, int nargs, const char *fname, int (*cls)(int)) {
    if (!lang_check_args(fname, nargs, 0, 0))
        return NULL;
    const unsigned char *p = (const unsigned char *)rc_str_data(self);
    int64_t n = rc_str_byte_length(self);
    bool cased = cls == isupper || cls == islower, any_cased = false, ok = n > 0;
    for (int64_t i = 0; ok && i < n; i++) {
        if (p[i] >= 0x80)
            ok = false;
        else if (cased)
            ok = !isalpha(p[i]) || cls(p[i]), any_cased |= isalpha(p[i]) != 0;
        else
            ok = cls(p[i]) != 0;
    }
    return rc_bool_from(ok && (!cased || any_cased));
}

#define STR_IS(name)                                                                     \
    static rc_object *str_##name(lang_thread *ts, rc_object *self, rc_object **args,    \
                                 int nargs) {                                           \
        (void)ts, (void)args;                                                            \
        return str_is(self, nargs, #name, name);                                         \
    }
STR_IS(isdigit)
STR_IS(isalpha)
STR_IS(isalnum)
STR_IS(isspace)
STR_IS(isupper)
STR_IS(islower)
#undef STR_IS

/* s.replace(old, new): every old, left to right, without overlaps. */
static rc_object *str_replace(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    if (!str_arg("replace", args, nargs, 2, 2) || !str_arg("replace", args + 1, 1, 1, 1))
        return NULL;
    const char *p = rc_str_data(self), *end = p + rc_str_byte_length(self);
    const char *old = rc_str_data(args[0]), *repl = rc_str_data(args[1]);
    size_t nold = (size_t)rc_str_byte_length(args[0]), nrepl = (size_t)rc_str_byte_length(args[1]);
    if (nold == 0) { /* Python puts new between the characters too; refpy refuses */
        rc_error_set(RC_EVALUE, "replace() of an empty str is not supported");
        return NULL;
    }
    size_t count = 0;
    for (const char *q = p; (q = memmem(q, (size_t)(end - q), old, nold)) != NULL; q += nold)
        count++;
    size_t size = (size_t)(end - p) - count * nold + count * nrepl;
    char *buf = rc_mem_alloc(size + 1);
    if (!buf)
        return NULL;
    char *w = buf;
    for (const char *q; (q = memmem(p, (size_t)(end - p), old, nold)) != NULL; p = q + nold) {
        memcpy(w, p, (size_t)(q - p));
        w += q - p;
        memcpy(w, repl, nrepl);
        w += nrepl;
    }
    memcpy(w, p, (size_t)(end - p));
    rc_object *r = rc_str_from_utf8(buf, size);
    rc_mem_free(buf);
    return r;
}

/* s.upper() / s.lower(): ASCII letters only (lang/README.md). */
static rc_object *str_case(rc_object *self, int nargs, bool upper) {
    if (!lang_check_args(upper ? "upper" : "lower", nargs, 0, 0))
        return NULL;
    size_t n = (size_t)rc_str_byte_length(self);
    char *buf = rc_mem_alloc(n + 1);
    if (!buf)
        return NULL;
    const char *p = rc_str_data(self);
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        buf[i] = upper && c >= 'a' && c <= 'z' ? (char)(c - 32)
                 : !upper && c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
    }
    rc_object *r = rc_str_from_utf8(buf, n);
    rc_mem_free(buf);
    return r;
}

static rc_object *str_upper(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts, (void)args;
    return str_case(self, nargs, true);
}

static rc_object *str_lower(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts, (void)args;
    return str_case(self, nargs, false);
}

static const lang_method str_methods[] = {
    {"join", str_join, NULL}, {"split", NULL, str_split}, {"format", str_format, NULL},
    {"strip", str_strip, NULL}, {"lstrip", str_lstrip, NULL}, {"rstrip", str_rstrip, NULL},
    {"startswith", str_startswith, NULL}, {"endswith", str_endswith, NULL},
    {"find", str_find, NULL}, {"replace", str_replace, NULL}, {"upper", str_upper, NULL},
    {"lower", str_lower, NULL}, {"rfind", str_rfind, NULL}, {"index", str_index, NULL},
    {"rindex", str_rindex, NULL}, {"count", str_count, NULL},
    {"partition", str_partition, NULL}, {"rpartition", str_rpartition, NULL},
    {"center", str_center, NULL}, {"ljust", str_ljust, NULL}, {"rjust", str_rjust, NULL},
    {"isdigit", str_isdigit, NULL}, {"isalpha", str_isalpha, NULL},
    {"isalnum", str_isalnum, NULL}, {"isspace", str_isspace, NULL},
    {"isupper", str_isupper, NULL}, {"islower", str_islower, NULL}, {NULL, NULL, NULL},
};

/* ---- dispatch and installation ---------------------------------------------------------- */

static const lang_method *methods_of(const rc_type *type) {
    if (type == &rc_list_type)
        return list_methods;
    if (type == &rc_dict_type)
        return dict_methods;
    if (type == &rc_str_type)
        return str_methods;
    if (type == &rc_set_type)
        return lang_set_methods;
    const lang_method *m = lang_threads_methods(type);
    return m ? m : lang_process_methods(type);
}

bool lang_has_method(rc_object *self, const char *name) {
    const lang_method *m = methods_of(rc_object_type(self));
    for (; m && m->name; m++)
        if (strcmp(m->name, name) == 0)
            return true;
    return false;
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
    if (lang_classes_owns(self))
        return lang_classes_call_method(ts, self, name, args, nargs, kwnames);
    if (rc_object_type(self) == &lang_module_type) {
        rc_object *f = lang_getattr(ts, self, name);
        rc_object *r = f ? lang_call_kw(ts, f, args, nargs, kwnames) : NULL;
        rc_xdecref(f);
        return r;
    }
    rc_checkpoint();
    const char *nm = rc_str_data(name);
    const lang_method *m = methods_of(rc_object_type(self));
    for (; m && m->name; m++) {
        if (strcmp(m->name, nm) != 0)
            continue;
        if (m->kwfn)
            return m->kwfn(ts, self, args, nargs, kwnames);
        if (kwnames && rc_tuple_size(kwnames) > 0) {
            rc_error_set(RC_ETYPE, "%s.%s() takes no keyword arguments",
                         rc_object_type_name(self), nm);
            return NULL;
        }
        return m->fn(ts, self, args, nargs);
    }
    lang_raise(ts, LANG_EXC_ATTRIBUTE, "'%s' object has no attribute '%s'",
               rc_object_type_name(self), nm);
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
        {"len", bi_len}, {"range", bi_range}, {"str", bi_str}, {"ord", bi_ord}, {"chr", bi_chr},
        {"set", lang_bi_set},
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
