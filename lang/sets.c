/*
 * lang/sets.c -- Python's set, on refcore's (objects/set.h): the builtin
 * set(), what the literal and the comprehension build (lang_set_from), the
 * methods, and the operators | & - ^ and the subset orderings.
 *
 * The set itself is refcore's: each add, discard and membership test is
 * atomic under its lock, and equality and repr are its type's slots. What
 * walks a set here (a union, a subset test, pop) walks a snapshot taken
 * inside the set's critical section (each, below): one moment of a set
 * that other threads change, never an error or a crash.
 */
#include "lang/sets.h"

#include "lang/exceptions.h"
#include "lang/objects.h"

/* The elements of s (a set) at one moment, new references in a new
 * rc_mem array (*n of them), or NULL with the error set. The walk runs
 * inside s's critical section, so no other thread changes s meanwhile;
 * inside it only s's own lock is taken again (rc_iter_next, which nests)
 * and no reference is dropped (object.h's rules). */
static rc_object **snapshot(rc_object *s, int64_t *n) {
    rc_object **items = NULL, *item, *unstored = NULL;
    int64_t cap = 0;
    int r;
    rc_iter it;
    *n = 0;
    RC_CRITICAL_BEGIN(s)
    /* Begun inside: the walk's version check starts from the moment the
     * lock holds. It only takes a reference to s (no code runs). */
    r = rc_iter_begin(&it, s) == RC_OK ? 1 : -1; /* 1: go on; then as rc_iter_next */
    while (r == 1 && (r = rc_iter_next(&it, &item)) == 1) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            rc_object **more = rc_mem_realloc(items, (size_t)cap * sizeof *items);
            if (!more) {
                unstored = item; /* dropped below, outside the section */
                r = -1;
                break;
            }
            items = more;
        }
        items[(*n)++] = item;
    }
    RC_CRITICAL_END(s)
    rc_iter_end(&it); /* safe after a failed begin too (iter.h) */
    rc_xdecref(unstored);
    if (r == 0)
        return items ? items : rc_mem_alloc(sizeof *items);
    while (*n > 0) /* outside the section: dropping may run other code */
        rc_decref(items[--*n]);
    rc_mem_free(items);
    return NULL;
}

/* Calls fn(item, arg) on each element of s (a set) as it was at one moment
 * (snapshot), until fn returns nonzero; returns that, 0 at the end, or a
 * negative status. Another thread may change s meanwhile: the walk sees
 * the moment of the snapshot, as a Python program under a GIL would. */
static int each(rc_object *s, int (*fn)(rc_object *item, void *arg), void *arg) {
    int64_t n = 0;
    rc_object **items = snapshot(s, &n);
    if (!items)
        return rc_error_code();
    int stop = 0;
    for (int64_t i = 0; i < n && !stop; i++)
        stop = fn(items[i], arg);
    for (int64_t i = 0; i < n; i++)
        rc_decref(items[i]);
    rc_mem_free(items);
    return stop;
}

static int add_to(rc_object *item, void *set) {
    rc_status st = rc_set_add(set, item);
    return st == RC_OK ? 0 : st;
}

rc_object *lang_set_from(rc_object *iterable) {
    if (rc_set_check(iterable)) { /* through each, which outlasts other threads' changes */
        rc_object *s = rc_set_new();
        if (s && each(iterable, add_to, s) != 0)
            rc_clear_ref(&s);
        return s;
    }
    rc_object *s = rc_set_new(), *it = s ? lang_iterator_new(iterable) : NULL, *item;
    int r = it ? 0 : -1;
    while (it && (r = lang_iterator_next(it, &item)) == 1) {
        rc_status st = rc_set_add(s, item);
        rc_decref(item);
        if (st != RC_OK) {
            r = st;
            break;
        }
    }
    rc_xdecref(it);
    if (r != 0)
        rc_clear_ref(&s);
    return s;
}

/* ---- the operations, each making a new set ---------------------------------------------- */

typedef struct {
    rc_object *other, *into;
    int keep_if; /* 1: keep the items in other; 0: keep those not in it */
} filter_arg;

static int filter_one(rc_object *item, void *p) {
    filter_arg *f = p;
    int in = rc_set_contains(f->other, item);
    if (in < 0)
        return in;
    return in == f->keep_if ? add_to(item, f->into) : 0;
}

/* The items of a that are (keep_if 1) or are not (0) in b: a new set. */
static rc_object *filtered(rc_object *a, rc_object *b, int keep_if) {
    filter_arg f = {b, rc_set_new(), keep_if};
    if (f.into && each(a, filter_one, &f) != 0)
        rc_clear_ref(&f.into);
    return f.into;
}

static rc_object *set_union(rc_object *a, rc_object *b) {
    rc_object *s = rc_set_new();
    if (s && (each(a, add_to, s) != 0 || each(b, add_to, s) != 0))
        rc_clear_ref(&s);
    return s;
}

static rc_object *set_symmetric(rc_object *a, rc_object *b) {
    rc_object *s = filtered(a, b, 0), *t = s ? filtered(b, a, 0) : NULL;
    if (t && each(t, add_to, s) != 0)
        rc_clear_ref(&s);
    if (!t)
        rc_clear_ref(&s);
    rc_xdecref(t);
    return s;
}

static int not_in(rc_object *item, void *other) {
    int in = rc_set_contains(other, item);
    return in < 0 ? in : !in; /* 1 (stop): found one outside */
}

/* 1 if every element of a is in b, 0 if not, or a negative status. */
static int is_subset(rc_object *a, rc_object *b) {
    int r = each(a, not_in, b);
    return r < 0 ? r : !r;
}

/* a < b, a <= b, a > b, a >= b as Python's sets order: by inclusion. */
static rc_object *set_order(lang_binop op, rc_object *a, rc_object *b) {
    if (op == BIN_GT || op == BIN_GE) {
        rc_object *t = a;
        a = b, b = t;
    }
    int64_t na = rc_set_size(a), nb = rc_set_size(b);
    int sub = is_subset(a, b);
    if (sub < 0)
        return NULL;
    bool strict = op == BIN_LT || op == BIN_GT;
    return rc_bool_from(sub && (!strict || na < nb));
}

rc_object *lang_set_binary(lang_binop op, rc_object *a, rc_object *b) {
    switch (op) {
    case BIN_OR: return set_union(a, b);
    case BIN_AND: return filtered(a, b, 1);
    case BIN_SUB: return filtered(a, b, 0);
    case BIN_XOR: return set_symmetric(a, b);
    default: return set_order(op, a, b);
    }
}

/* ---- methods --------------------------------------------------------------------- */

/* The one argument of a method that takes any iterable, as a set: a new
 * reference (the argument itself when it is a set already). */
static rc_object *set_arg(const char *name, rc_object **args, int nargs) {
    if (!lang_check_args(name, nargs, 1, 1))
        return NULL;
    return rc_set_check(args[0]) ? rc_newref(args[0]) : lang_set_from(args[0]);
}

/* s.union(x), s.intersection(x), ...: the operator's set, x any iterable. */
static rc_object *with_arg(const char *name, lang_binop op, rc_object *self, rc_object **args,
                           int nargs) {
    rc_object *other = set_arg(name, args, nargs);
    rc_object *r = other ? lang_set_binary(op, self, other) : NULL;
    rc_xdecref(other);
    return r;
}

static rc_object *m_union(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return with_arg("union", BIN_OR, self, args, nargs);
}

static rc_object *m_intersection(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return with_arg("intersection", BIN_AND, self, args, nargs);
}

static rc_object *m_difference(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return with_arg("difference", BIN_SUB, self, args, nargs);
}

static rc_object *m_symmetric_difference(lang_thread *ts, rc_object *self, rc_object **args,
                                         int nargs) {
    (void)ts;
    return with_arg("symmetric_difference", BIN_XOR, self, args, nargs);
}

static rc_object *m_issubset(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return with_arg("issubset", BIN_LE, self, args, nargs);
}

static rc_object *m_issuperset(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    return with_arg("issuperset", BIN_GE, self, args, nargs);
}

static rc_object *m_isdisjoint(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    rc_object *common = with_arg("isdisjoint", BIN_AND, self, args, nargs);
    rc_object *r = common ? rc_bool_from(rc_set_size(common) == 0) : NULL;
    rc_xdecref(common);
    return r;
}

static rc_object *m_add(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("add", nargs, 1, 1) || rc_set_add(self, args[0]) != RC_OK)
        return NULL;
    return rc_none();
}

static rc_object *m_update(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    rc_object *other = set_arg("update", args, nargs);
    int r = other ? each(other, add_to, self) : -1;
    rc_xdecref(other);
    return r == 0 ? rc_none() : NULL;
}

static rc_object *m_discard(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("discard", nargs, 1, 1) || rc_set_discard(self, args[0]) < 0)
        return NULL;
    return rc_none();
}

/* s.remove(x): KeyError(x) when x is not there. */
static rc_object *m_remove(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    if (!lang_check_args("remove", nargs, 1, 1))
        return NULL;
    int r = rc_set_discard(self, args[0]);
    if (r == 0)
        lang_raise_key(ts, args[0]);
    return r == 1 ? rc_none() : NULL;
}

static int take_first(rc_object *item, void *out) {
    *(rc_object **)out = rc_newref(item);
    return 1;
}

/* s.pop(): removes and returns some element (the first the walk gives);
 * KeyError on an empty set, Python's words. Another thread may pop the
 * same element at once: then this one tries the next. */
static rc_object *m_pop(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts, (void)args;
    if (!lang_check_args("pop", nargs, 0, 0))
        return NULL;
    while (true) {
        rc_object *item = NULL;
        int r = each(self, take_first, &item);
        if (r < 0)
            return NULL;
        if (!item) {
            rc_error_set(RC_EKEY, "pop from an empty set");
            return NULL;
        }
        int gone = rc_set_discard(self, item);
        if (gone == 1)
            return item;
        rc_decref(item);
        if (gone < 0)
            return NULL;
    }
}

static rc_object *m_clear(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts, (void)args;
    if (!lang_check_args("clear", nargs, 0, 0))
        return NULL;
    rc_object *snapshot = lang_set_from(self); /* discarding while walking self would change it */
    int r = snapshot ? 0 : -1;
    rc_iter it;
    rc_object *item;
    if (snapshot && rc_iter_begin(&it, snapshot) == RC_OK) {
        while (r >= 0 && (r = rc_iter_next(&it, &item)) == 1) {
            r = rc_set_discard(self, item);
            rc_decref(item);
        }
        rc_iter_end(&it);
    }
    rc_xdecref(snapshot);
    return r >= 0 ? rc_none() : NULL;
}

static rc_object *m_copy(lang_thread *ts, rc_object *self, rc_object **args, int nargs) {
    (void)ts, (void)args;
    return lang_check_args("copy", nargs, 0, 0) ? lang_set_from(self) : NULL;
}

const lang_method lang_set_methods[] = {
    {"add", m_add, NULL},
    {"discard", m_discard, NULL},
    {"remove", m_remove, NULL},
    {"pop", m_pop, NULL},
    {"clear", m_clear, NULL},
    {"copy", m_copy, NULL},
    {"update", m_update, NULL},
    {"union", m_union, NULL},
    {"intersection", m_intersection, NULL},
    {"difference", m_difference, NULL},
    {"symmetric_difference", m_symmetric_difference, NULL},
    {"issubset", m_issubset, NULL},
    {"issuperset", m_issuperset, NULL},
    {"isdisjoint", m_isdisjoint, NULL},
    {NULL, NULL, NULL},
};

/* set() and set(iterable) */
rc_object *lang_bi_set(lang_thread *ts, rc_object **args, int nargs) {
    (void)ts;
    if (!lang_check_args("set", nargs, 0, 1))
        return NULL;
    return nargs == 0 ? rc_set_new() : lang_set_from(args[0]);
}
