/*
 * lang/seq_builtins.c -- the builtins over sequences and numbers: list,
 * tuple, dict, bool, abs, round, min, max, sum, any, all, enumerate, zip,
 * sorted, reversed, isinstance, map, filter, hex, oct, bin, id.
 *
 * Each takes anything `for` walks (lang_iterator) and first copies its
 * items into a C array (items_of): the builtins then work on a snapshot,
 * which other threads changing the container cannot disturb. enumerate,
 * zip and reversed return lists where Python returns iterators (README).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/builtins.h"
#include "lang/classes.h"
#include "lang/exceptions.h"
#include "lang/format.h"
#include "lang/ops.h"

/* The items of o, new references, in a new rc_mem array (*n of them).
 * NULL with the error set on failure (nothing left to free). */
static rc_object **items_of(rc_object *o, int64_t *n) {
    rc_object *it = lang_iterator_new(o), *item, **items = NULL;
    int64_t cap = 0;
    int r = 0;
    *n = 0;
    while (it && (r = lang_iterator_next(it, &item)) == 1) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            rc_object **more = rc_mem_realloc(items, (size_t)cap * sizeof *items);
            if (!more) {
                rc_decref(item);
                r = -1;
                break;
            }
            items = more;
        }
        items[(*n)++] = item;
    }
    rc_xdecref(it);
    if (it && r == 0)
        return items ? items : rc_mem_alloc(sizeof *items);
    while (*n > 0)
        rc_decref(items[--*n]);
    rc_mem_free(items);
    return NULL;
}

static void items_free(rc_object **items, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        rc_decref(items[i]);
    rc_mem_free(items);
}

/* A list (or tuple) of the n items (stolen, always). */
static rc_object *list_of(rc_object **items, int64_t n, bool tuple) {
    rc_object *r = tuple ? rc_tuple_new(n) : rc_list_new();
    for (int64_t i = 0; i < n; i++)
        if (!r)
            rc_decref(items[i]);
        else if (tuple)
            rc_tuple_set_steal(r, i, items[i]);
        else if (rc_list_append_steal(r, items[i]) != RC_OK)
            rc_clear_ref(&r);
    rc_mem_free(items);
    return r;
}

static rc_object *bi_list(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    int64_t n = 0;
    if (!lang_check_args("list", nargs, 0, 1))
        return NULL;
    if (nargs == 0)
        return rc_list_new();
    rc_object **items = items_of(args[0], &n);
    return items ? list_of(items, n, false) : NULL;
}

static rc_object *bi_tuple(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    int64_t n = 0;
    if (!lang_check_args("tuple", nargs, 0, 1))
        return NULL;
    if (nargs == 0)
        return rc_tuple_new(0);
    rc_object **items = items_of(args[0], &n);
    return items ? list_of(items, n, true) : NULL;
}

/* dict(), dict(a dict), dict(pairs) */
static rc_object *bi_dict(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    int64_t n = 0;
    if (!lang_check_args("dict", nargs, 0, 1))
        return NULL;
    rc_object *d = rc_dict_new();
    if (!d || nargs == 0)
        return d;
    rc_object *src = rc_dict_check(args[0]) ? rc_dict_items(args[0]) : rc_newref(args[0]);
    rc_object **pairs = src ? items_of(src, &n) : NULL;
    rc_xdecref(src);
    for (int64_t i = 0; d && pairs && i < n; i++) {
        rc_object *kv[2];
        rc_object *it = lang_iterator_new(pairs[i]);
        int ok = it && lang_iterator_next(it, &kv[0]) == 1;
        if (ok && !(ok = lang_iterator_next(it, &kv[1]) == 1))
            rc_decref(kv[0]);
        rc_xdecref(it);
        if (!ok) {
            if (it)
                rc_error_set(RC_EVALUE, "dictionary update sequence element #%lld has the "
                                        "wrong length", (long long)i);
            rc_clear_ref(&d);
            break;
        }
        if (rc_dict_set(d, kv[0], kv[1]) != RC_OK)
            rc_clear_ref(&d);
        rc_decref(kv[0]);
        rc_decref(kv[1]);
    }
    if (pairs)
        items_free(pairs, n);
    else
        rc_clear_ref(&d);
    return d;
}

static rc_object *bi_bool(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("bool", nargs, 0, 1))
        return NULL;
    return rc_bool_from(nargs && lang_truthy(args[0]));
}

static rc_object *bi_abs(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("abs", nargs, 1, 1))
        return NULL;
    double d = 0;
    if (rc_int_check(args[0]))
        return rc_int_abs(args[0]);
    if (rc_float_check(args[0]) && rc_float_as_double(args[0], &d) == RC_OK)
        return rc_float_from_double(fabs(d));
    rc_error_set(RC_ETYPE, "bad operand type for abs(): '%s'", rc_object_type_name(args[0]));
    return NULL;
}

/* pow(a, b): a ** b (no third, modulus argument). */
static rc_object *bi_pow(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("pow", nargs, 2, 2))
        return NULL;
    return lang_binary(BIN_POW, args[0], args[1]);
}

/* divmod(a, b): (a // b, a % b). */
static rc_object *bi_divmod(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("divmod", nargs, 2, 2))
        return NULL;
    rc_object *pair[2] = {lang_binary(BIN_FLOORDIV, args[0], args[1]), NULL};
    pair[1] = pair[0] ? lang_binary(BIN_MOD, args[0], args[1]) : NULL;
    if (!pair[1]) {
        rc_xdecref(pair[0]);
        return NULL;
    }
    return rc_tuple_from_array_steal(2, pair);
}

/* round(x[, n]): halves to even, as Python's; an int without n, else
 * x's type. */
static rc_object *bi_round(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    int64_t nd = 0;
    double d = 0;
    if (!lang_check_args("round", nargs, 1, 2))
        return NULL;
    bool has_n = nargs == 2 && !rc_is_none(args[1]);
    if (has_n && (!rc_int_check(args[1]) || rc_int_as_i64(args[1], &nd) != RC_OK)) {
        rc_error_set(RC_ETYPE, "round() ndigits must be an int");
        return NULL;
    }
    if (rc_int_check(args[0]) && (!has_n || nd >= 0))
        return rc_newref(args[0]);
    if ((!rc_int_check(args[0]) && !rc_float_check(args[0])) ||
        rc_float_as_double(args[0], &d) != RC_OK) {
        rc_error_set(RC_ETYPE, "type %s doesn't define __round__", rc_object_type_name(args[0]));
        return NULL;
    }
    if (!has_n) {
        return lang_int_from_double(nearbyint(d)); /* the default rounding: halves to even */
    }
    if (rc_int_check(args[0]) && nd >= 0)
        return rc_newref(args[0]); /* an int has no digits after the point */
    if (nd > 300 || nd < -300 || !isfinite(d))
        return rc_int_check(args[0]) ? rc_int_from_i64(0) : rc_float_from_double(nd > 0 ? d : 0);
    double r;
    if (nd >= 0) { /* printf rounds the exact binary value: 2.675 is 2.67499.. */
        char buf[400];
        snprintf(buf, sizeof buf, "%.*f", (int)nd, d);
        r = strtod(buf, NULL);
    } else {
        double p = pow(10.0, (double)-nd);
        r = nearbyint(d / p) * p;
    }
    if (!rc_int_check(args[0]))
        return rc_float_from_double(r);
    return lang_int_from_double(r);
}

/* ---- comparing with a key ----------------------------------------------------- */

/* *out = key(v) (a new reference): v itself without a key. */
static rc_status key_of(lang_thread *ts, rc_object *key, rc_object *v, rc_object **out) {
    *out = key ? lang_call(ts, key, &v, 1) : rc_newref(v);
    return *out ? RC_OK : rc_error_code();
}

/* 1 if a < b, 0 if not, negative on error (RC_ETYPE for values that have
 * no order). */
static int less(rc_object *a, rc_object *b) {
    rc_object *r = lang_binary(BIN_LT, a, b);
    if (!r)
        return rc_error_code();
    int t = lang_truthy(r);
    rc_decref(r);
    return t;
}

/* min and max: of one iterable, or of two or more arguments; key= and
 * default= (for an empty iterable) as in Python. */
static rc_object *min_max(lang_thread *ts, rc_object **args, int nargs, rc_object *kwnames,
                          const char *fname, bool want_max) {
    static const char *const names[] = {"key", "default", NULL};
    rc_object *kw[2], **items = NULL, *best = NULL, *best_key = NULL;
    int64_t n = 0;
    if (!lang_check_args(fname, nargs, 1, 255) ||
        lang_kwargs(fname, args, nargs, kwnames, names, kw) != RC_OK)
        return NULL;
    rc_object *key = kw[0] && !rc_is_none(kw[0]) ? kw[0] : NULL;
    if (nargs == 1) {
        if (!(items = items_of(args[0], &n)))
            return NULL;
    } else {
        if (kw[1]) {
            rc_error_set(RC_ETYPE, "Cannot specify a default for %s() with multiple positional "
                                   "arguments", fname);
            return NULL;
        }
        if (!(items = rc_mem_alloc((size_t)nargs * sizeof *items)))
            return NULL;
        for (n = 0; n < nargs; n++)
            items[n] = rc_newref(args[n]);
    }
    rc_status st = RC_OK;
    for (int64_t i = 0; st == RC_OK && i < n; i++) {
        rc_object *k;
        if ((st = key_of(ts, key, items[i], &k)) != RC_OK)
            break;
        int better = !best ? 1 : want_max ? less(best_key, k) : less(k, best_key);
        if (better < 0)
            st = better;
        if (better > 0) {
            rc_xdecref(best_key);
            best_key = k, best = items[i];
        } else {
            rc_decref(k);
        }
    }
    rc_object *r = st != RC_OK ? NULL : best ? rc_newref(best) : kw[1] ? rc_newref(kw[1]) : NULL;
    if (st == RC_OK && !r)
        rc_error_set(RC_EVALUE, "%s() arg is an empty sequence", fname);
    rc_xdecref(best_key);
    items_free(items, n);
    return r;
}

static rc_object *bi_min(lang_thread *ts, rc_object **args, int nargs, rc_object *kwnames) {
    return min_max(ts, args, nargs, kwnames, "min", false);
}

static rc_object *bi_max(lang_thread *ts, rc_object **args, int nargs, rc_object *kwnames) {
    return min_max(ts, args, nargs, kwnames, "max", true);
}

/* sum(iterable[, start]): start + the items, with +. */
static rc_object *bi_sum(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    int64_t n = 0;
    if (!lang_check_args("sum", nargs, 1, 2))
        return NULL;
    if (nargs == 2 && rc_str_check(args[1])) {
        rc_error_set(RC_ETYPE, "sum() can't sum strings [use ''.join(seq) instead]");
        return NULL;
    }
    rc_object **items = items_of(args[0], &n);
    rc_object *acc = items ? (nargs == 2 ? rc_newref(args[1]) : rc_int_from_i64(0)) : NULL;
    for (int64_t i = 0; acc && i < n; i++) {
        rc_object *next = lang_binary(BIN_ADD, acc, items[i]);
        rc_decref(acc);
        acc = next;
    }
    if (items)
        items_free(items, n);
    return acc;
}

/* any() and all(): the first item that decides. */
static rc_object *any_all(rc_object **args, int nargs, const char *fname, bool want) {
    int64_t n = 0;
    if (!lang_check_args(fname, nargs, 1, 1))
        return NULL;
    rc_object **items = items_of(args[0], &n);
    if (!items)
        return NULL;
    bool found = false;
    for (int64_t i = 0; !found && i < n; i++)
        found = lang_truthy(items[i]) == want;
    items_free(items, n);
    return rc_bool_from(found == want);
}

static rc_object *bi_any(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    return any_all(args, nargs, "any", true);
}

static rc_object *bi_all(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    return any_all(args, nargs, "all", false);
}

/* ---- new sequences -------------------------------------------------------------- */

/* enumerate(iterable, start=0): a list of (i, item) tuples. */
static rc_object *bi_enumerate(lang_thread *ts, rc_object **args, int nargs, rc_object *kwnames) {
    (void)ts;
    static const char *const names[] = {"start", NULL};
    rc_object *kw[1];
    int64_t n = 0, start = 0;
    if (!lang_check_args("enumerate", nargs, 1, 2) ||
        lang_kwargs("enumerate", args, nargs, kwnames, names, kw) != RC_OK)
        return NULL;
    rc_object *s = nargs == 2 ? args[1] : kw[0];
    if (s && (!rc_int_check(s) || rc_int_as_i64(s, &start) != RC_OK)) {
        rc_error_set(RC_ETYPE, "enumerate() start must be an int");
        return NULL;
    }
    rc_object **items = items_of(args[0], &n);
    if (!items)
        return NULL;
    for (int64_t i = 0; i < n; i++) {
        rc_object *k = rc_int_from_i64(start + i);
        rc_object *pair = k ? rc_tuple_pack(2, k, items[i]) : NULL;
        rc_xdecref(k);
        rc_decref(items[i]);
        items[i] = pair;
        if (!pair) { /* drop the rest, pairs and items alike */
            for (int64_t j = 0; j < n; j++)
                if (j != i)
                    rc_decref(items[j]);
            rc_mem_free(items);
            return NULL;
        }
    }
    return list_of(items, n, false);
}

/* zip(a, b, ...): a list of tuples, as long as the shortest. */
static rc_object *bi_zip(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    rc_object **cols[255] = {NULL};
    int64_t lens[255] = {0}, shortest = INT64_MAX;
    if (!lang_check_args("zip", nargs, 0, 255))
        return NULL;
    int k = 0;
    for (; k < nargs && (cols[k] = items_of(args[k], &lens[k])) != NULL; k++)
        shortest = lens[k] < shortest ? lens[k] : shortest;
    rc_object *r = k == nargs ? rc_list_new() : NULL;
    for (int64_t i = 0; r && nargs > 0 && i < shortest; i++) {
        rc_object *t = rc_tuple_new(nargs);
        for (int j = 0; t && j < nargs; j++)
            rc_tuple_set_steal(t, j, rc_newref(cols[j][i]));
        if (!t || rc_list_append_steal(r, t) != RC_OK)
            rc_clear_ref(&r);
    }
    for (int j = 0; j < k; j++)
        items_free(cols[j], lens[j]);
    return r;
}

static rc_object *bi_reversed(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    int64_t n = 0;
    if (!lang_check_args("reversed", nargs, 1, 1))
        return NULL;
    rc_object **items = items_of(args[0], &n);
    for (int64_t i = 0; items && i < n / 2; i++) {
        rc_object *t = items[i];
        items[i] = items[n - 1 - i];
        items[n - 1 - i] = t;
    }
    return items ? list_of(items, n, false) : NULL;
}

/* map(f, a, b, ...): [f(x, y, ...) for x, y, ... in zip(a, b, ...)], a list
 * where Python returns an iterator (README). */
static rc_object *bi_map(lang_thread *ts, rc_object **args, int nargs) {
    if (!lang_check_args("map", nargs, 2, 255))
        return NULL;
    rc_object *rows = bi_zip(ts, args + 1, nargs - 1);
    rc_object *r = rows ? rc_list_new() : NULL;
    for (int64_t i = 0; r && i < rc_list_size(rows); i++) {
        rc_object *row = rc_list_get(rows, i), *v = NULL;
        if (row) {
            rc_object *argv[255];
            int n = (int)rc_tuple_size(row);
            for (int j = 0; j < n; j++)
                argv[j] = rc_tuple_get(row, j); /* borrowed from row */
            v = lang_call(ts, args[0], argv, n);
            rc_decref(row);
        }
        if (!v || rc_list_append_steal(r, v) != RC_OK)
            rc_clear_ref(&r);
    }
    rc_xdecref(rows);
    return r;
}

/* filter(f, a): the items x of a with f(x) true (x itself when f is None),
 * a list where Python returns an iterator (README). */
static rc_object *bi_filter(lang_thread *ts, rc_object **args, int nargs) {
    int64_t n = 0;
    if (!lang_check_args("filter", nargs, 2, 2))
        return NULL;
    rc_object **items = items_of(args[1], &n);
    rc_object *r = items ? rc_list_new() : NULL;
    for (int64_t i = 0; r && i < n; i++) {
        rc_object *v =
            rc_is_none(args[0]) ? rc_newref(items[i]) : lang_call(ts, args[0], &items[i], 1);
        int keep = v ? lang_truthy(v) : -1;
        rc_xdecref(v);
        if (keep < 0 || (keep && rc_list_append(r, items[i]) != RC_OK))
            rc_clear_ref(&r);
    }
    if (items)
        items_free(items, n);
    return r;
}

/* hex, oct, bin: an int's digits in base 16, 8 or 2 with Python's prefix
 * (the format spec '#x', '#o', '#b' makes them, for ints of any size). */
static rc_object *int_digits(const char *fname, const char *spec, rc_object **args, int nargs) {
    if (!lang_check_args(fname, nargs, 1, 1))
        return NULL;
    if (!rc_int_check(args[0]) && !rc_bool_check(args[0])) {
        rc_error_set(RC_ETYPE, "'%s' object cannot be interpreted as an integer",
                     rc_object_type_name(args[0]));
        return NULL;
    }
    return lang_format(args[0], spec, 2);
}

static rc_object *bi_hex(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    return int_digits("hex", "#x", args, nargs);
}

static rc_object *bi_oct(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    return int_digits("oct", "#o", args, nargs);
}

static rc_object *bi_bin(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    return int_digits("bin", "#b", args, nargs);
}

/* id(o): o's address, unique among the objects alive at once, as
 * CPython's. */
static rc_object *bi_id(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("id", nargs, 1, 1))
        return NULL;
    return rc_int_from_i64((int64_t)(intptr_t)args[0]);
}

/* ---- sorted: a stable merge sort -------------------------------------------------- */

typedef struct sort_item {
    rc_object *key, *value;
} sort_item;

/* Merges the sorted runs a[lo..mid) and a[mid..hi) through tmp. Stable: a
 * later item goes first only when strictly less. Returns 0 or an error. */
static int merge(sort_item *a, sort_item *tmp, int64_t lo, int64_t mid, int64_t hi,
                 bool reverse) {
    int64_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi) {
        /* reverse keeps stability as Python's does: equal items stay in order */
        int lt = reverse ? less(a[i].key, a[j].key) : less(a[j].key, a[i].key);
        if (lt < 0)
            return lt;
        tmp[k++] = lt ? a[j++] : a[i++];
    }
    while (i < mid)
        tmp[k++] = a[i++];
    while (j < hi)
        tmp[k++] = a[j++];
    memcpy(a + lo, tmp + lo, (size_t)(hi - lo) * sizeof *a);
    return 0;
}

/* Bottom-up, so no recursion: runs of width 1, 2, 4, ... */
static int merge_sort(sort_item *a, sort_item *tmp, int64_t n, bool reverse) {
    for (int64_t w = 1; w < n; w *= 2)
        for (int64_t lo = 0; lo + w < n; lo += 2 * w) {
            int64_t hi = lo + 2 * w < n ? lo + 2 * w : n;
            int r = merge(a, tmp, lo, lo + w, hi, reverse);
            if (r < 0)
                return r;
        }
    return 0;
}

/* sorted(iterable, key=None, reverse=False) */
rc_object *lang_sorted(lang_thread *ts, rc_object **args, int nargs, rc_object *kwnames) {
    static const char *const names[] = {"key", "reverse", NULL};
    rc_object *kw[2];
    int64_t n = 0;
    if (!lang_check_args("sorted", nargs, 1, 1) ||
        lang_kwargs("sorted", args, nargs, kwnames, names, kw) != RC_OK)
        return NULL;
    rc_object *key = kw[0] && !rc_is_none(kw[0]) ? kw[0] : NULL;
    bool reverse = kw[1] && lang_truthy(kw[1]);
    rc_object **items = items_of(args[0], &n);
    if (!items)
        return NULL;
    sort_item *a = rc_mem_calloc((size_t)(n ? n : 1) * 2 * sizeof *a);
    int r = a ? 0 : -1;
    /* Every value first, so that the copy back below finds each item in
     * its slot even when a key fails part way. */
    for (int64_t i = 0; a && i < n; i++)
        a[i].value = items[i];
    for (int64_t i = 0; r == 0 && i < n; i++)
        if (key_of(ts, key, items[i], &a[i].key) != RC_OK)
            r = -1;
    if (r == 0)
        r = merge_sort(a, a + n, n, reverse);
    for (int64_t i = 0; a && i < n; i++) {
        rc_xdecref(a[i].key);
        items[i] = a[i].value; /* sorted, or as they were */
    }
    rc_mem_free(a);
    if (r != 0) {
        items_free(items, n);
        return NULL;
    }
    return list_of(items, n, false);
}

/* ---- isinstance ------------------------------------------------------------------------ */

/* isinstance(v, t): t one of the builtins int, float, str, bool, list,
 * dict, tuple, set (refpy's stand-ins for the types), or a tuple of them. */
static rc_object *bi_isinstance(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("isinstance", nargs, 2, 2))
        return NULL;
    rc_object *t = args[1];
    if (rc_object_type(t) == &lang_exc_class_type) /* an exception class: its bases */
        return rc_bool_from(lang_exc_match(args[0], t) == 1);
    if (rc_tuple_check(t)) {
        for (int64_t i = 0; i < rc_tuple_size(t); i++) {
            rc_object *pair[2] = {args[0], rc_tuple_get(t, i)};
            rc_object *r = bi_isinstance(ts, pair, 2);
            if (!r || lang_truthy(r))
                return r;
            rc_decref(r);
        }
        return rc_bool_from(false);
    }
    static const struct {
        const char *name;
        bool (*check)(const rc_object *);
    } types[] = {
        {"int", rc_int_check}, {"float", rc_float_check}, {"str", rc_str_check},
        {"bool", rc_bool_check}, {"list", rc_list_check}, {"dict", rc_dict_check},
        {"tuple", rc_tuple_check}, {"set", rc_set_check},
    };
    if (lang_is_class(t))
        return rc_bool_from(lang_class_isinstance(args[0], t));
    if (rc_object_type(t) == &lang_builtin_type && strcmp(((lang_builtin *)t)->name, "object") == 0)
        return rc_bool_from(true); /* every value is an object */
    if (rc_object_type(t) == &lang_builtin_type)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcmp(((lang_builtin *)t)->name, types[i].name) == 0) /* bool is an int */
                return rc_bool_from(types[i].check(args[0]) ||
                                    (types[i].check == rc_int_check && rc_bool_check(args[0])));
    rc_error_set(RC_ETYPE, "isinstance() arg 2 must be a type or tuple of types");
    return NULL;
}

rc_status lang_seq_builtins_install(rc_object *builtins) {
    static const struct {
        const char *name;
        lang_cfunc fn;
        lang_cfunc_kw kwfn;
    } table[] = {
        {"list", bi_list, NULL},         {"tuple", bi_tuple, NULL},
        {"dict", bi_dict, NULL},
        {"bool", bi_bool, NULL},         {"abs", bi_abs, NULL},
        {"round", bi_round, NULL},       {"min", NULL, bi_min},
        {"max", NULL, bi_max},           {"sum", bi_sum, NULL},
        {"any", bi_any, NULL},           {"all", bi_all, NULL},
        {"enumerate", NULL, bi_enumerate}, {"zip", bi_zip, NULL},
        {"reversed", bi_reversed, NULL}, {"sorted", NULL, lang_sorted},
        {"isinstance", bi_isinstance, NULL},
        {"pow", bi_pow, NULL},           {"divmod", bi_divmod, NULL},
        {"map", bi_map, NULL},           {"filter", bi_filter, NULL},
        {"hex", bi_hex, NULL},           {"oct", bi_oct, NULL},
        {"bin", bi_bin, NULL},           {"id", bi_id, NULL},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        rc_status st = table[i].fn ? lang_add_builtin(builtins, table[i].name, table[i].fn)
                                   : lang_add_builtin_kw(builtins, table[i].name, table[i].kwfn);
        if (st != RC_OK)
            return st;
    }
    return RC_OK;
}
