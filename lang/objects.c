/*
 * lang/objects.c -- the interpreter's object types (see objects.h), and the
 * code object's type (code.h).
 *
 * Every type here goes through rc_object_new / rc_object_new_var and the
 * public slots only. The GC types give the collector each strong reference
 * (traverse) and a way to drop them all (clear); dealloc drops what clear
 * would, because a type's dealloc also runs for objects the collector never
 * cleared.
 */
#include "lang/objects.h"

#include <stdlib.h>

/* ---- code ---------------------------------------------------------------- */

static void code_dealloc(rc_object *self) {
    lang_code *co = (lang_code *)self;
    for (int32_t i = 0; i < co->n_consts; i++)
        rc_xdecref(co->consts[i]);
    for (int32_t i = 0; co->localnames && i < co->nlocals; i++)
        rc_xdecref(co->localnames[i]);
    rc_xdecref(co->name);
    rc_mem_free(co->consts);
    rc_mem_free(co->localnames);
    rc_mem_free(co->ins);
    rc_mem_free(co->lines);
    rc_mem_free(co->handlers);
}

/* Not RC_TYPE_GC: code objects form a tree (see code.h). */
rc_type lang_code_type = {
    .name = "code",
    .basicsize = sizeof(lang_code),
    .dealloc = code_dealloc,
    .instance_size = rc_fixed_instance_size,
};

/* ---- env ----------------------------------------------------------------- */

static int env_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    lang_env *e = (lang_env *)self;
    RC_VISIT(e->parent);
    for (int64_t i = 0; i < e->n; i++)
        RC_VISIT(e->slots[i]);
    return 0;
}

static void env_clear(rc_object *self) {
    lang_env *e = (lang_env *)self;
    rc_clear_ref(&e->parent);
    for (int64_t i = 0; i < e->n; i++)
        rc_clear_ref(&e->slots[i]);
}

/* The bytes lang_env_new asked for: n survives env_clear. */
static size_t env_instance_size(const rc_object *self) {
    return sizeof(lang_env) + (size_t)((const lang_env *)self)->n * sizeof(rc_object *);
}

/* Every lang type tells its size (instance_size): its memory then goes back
 * to the runtime's block cache at once. Without the slot it would go
 * through the strategy's deferred path; under //:nogil that is a QSBR
 * retire, and with two threads every call's env and every loop's iterator
 * went that way: perf of fannkuch on 2 threads put 10% of the time in
 * retiring and in the quiescent-state scans it sets off. */
rc_type lang_env_type = {
    .name = "env",
    .basicsize = sizeof(lang_env),
    .flags = RC_TYPE_GC,
    .dealloc = env_clear,
    .traverse = env_traverse,
    .clear = env_clear,
    .instance_size = env_instance_size,
};

rc_object *lang_env_new(rc_object *parent, int64_t n) {
    lang_env *e = (lang_env *)rc_object_new_var(&lang_env_type, (size_t)n * sizeof(rc_object *));
    if (!e)
        return NULL;
    e->n = n;
    e->parent = parent ? rc_newref(parent) : NULL;
    return &e->base;
}

/* ---- function ------------------------------------------------------------------ */

/* The code is not visited: it is immutable and untracked, so no cycle can
 * pass through it. */
static int function_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    RC_VISIT(((lang_function *)self)->env);
    RC_VISIT(((lang_function *)self)->defaults);
    return 0;
}

static void function_clear(rc_object *self) {
    rc_clear_ref(&((lang_function *)self)->env);
    rc_clear_ref(&((lang_function *)self)->defaults);
}

static void function_dealloc(rc_object *self) {
    lang_function *f = (lang_function *)self;
    function_clear(self);
    rc_clear_ref(&f->code);
}

static rc_object *function_repr(rc_object *self) {
    lang_code *co = (lang_code *)((lang_function *)self)->code;
    return rc_str_from_format("<function %s>", rc_str_data(co->name));
}

rc_type lang_function_type = {
    .name = "function",
    .basicsize = sizeof(lang_function),
    .flags = RC_TYPE_GC,
    .dealloc = function_dealloc,
    .traverse = function_traverse,
    .clear = function_clear,
    .repr = function_repr,
    .instance_size = rc_fixed_instance_size,
};

rc_object *lang_function_new(rc_object *code, rc_object *env, rc_object *defaults) {
    lang_function *f = (lang_function *)rc_object_new(&lang_function_type);
    if (!f)
        return NULL;
    f->code = rc_newref(code);
    f->env = env ? rc_newref(env) : NULL;
    f->defaults = defaults ? rc_newref(defaults) : NULL;
    if (env) /* before f can reach another thread */
        ((lang_env *)env)->captured = true;
    return &f->base;
}

bool lang_function_is_module_level(const rc_object *o) {
    return rc_object_type(o) == &lang_function_type && !((const lang_function *)o)->env;
}

static rc_status immortalize_atom(rc_object *o) {
    return o ? rc_immortalize(o) : RC_OK;
}

/* The code object last: an immortal code object's whole tree is immortal,
 * which lets a second walk stop at once; a walk that failed half way is
 * simply done again. Nesting is bounded by the compiler's depth limit. */
static rc_status code_share(lang_code *co) {
    if (rc_is_immortal(&co->base))
        return RC_OK;
    rc_status st = immortalize_atom(co->name);
    for (int32_t i = 0; st == RC_OK && co->localnames && i < co->nlocals; i++)
        st = immortalize_atom(co->localnames[i]);
    for (int32_t i = 0; st == RC_OK && i < co->n_consts; i++) {
        rc_object *k = co->consts[i];
        st = k && rc_object_type(k) == &lang_code_type ? code_share((lang_code *)k)
                                                        : immortalize_atom(k);
    }
    return st == RC_OK ? rc_immortalize(&co->base) : st;
}

/* True for None, a bool, an int, a float, a str, or a tuple of them
 * (nested no deeper than depth): values nothing can change. */
static bool is_immutable_atom(rc_object *o, int depth) {
    if (rc_is_none(o) || rc_bool_check(o) || rc_int_check(o) || rc_float_check(o) ||
        rc_str_check(o))
        return true;
    if (!rc_tuple_check(o) || depth == 0)
        return false;
    for (int64_t i = 0; i < rc_tuple_size(o); i++)
        if (!is_immutable_atom(rc_tuple_get(o, i), depth - 1))
            return false;
    return true;
}

/* Makes an immutable atom immortal, a tuple's items first. */
static rc_status immortalize_value(rc_object *o) {
    for (int64_t i = 0; rc_tuple_check(o) && i < rc_tuple_size(o); i++) {
        rc_status st = immortalize_value(rc_tuple_get(o, i));
        if (st != RC_OK)
            return st;
    }
    return rc_immortalize(o);
}

rc_status lang_function_share(rc_object *f) {
    lang_function *fn = (lang_function *)f;
    if (fn->defaults && !is_immutable_atom(fn->defaults, 8))
        return RC_OK; /* stays mortal: see objects.h */
    rc_status st = code_share((lang_code *)fn->code);
    if (st == RC_OK && fn->defaults)
        st = immortalize_value(fn->defaults);
    return st == RC_OK ? rc_immortalize(f) : st;
}

/* ---- builtin ------------------------------------------------------------------- */

static rc_object *builtin_repr(rc_object *self) {
    return rc_str_from_format("<built-in function %s>", ((lang_builtin *)self)->name);
}

rc_type lang_builtin_type = {
    .name = "builtin_function",
    .basicsize = sizeof(lang_builtin),
    .repr = builtin_repr,
    .instance_size = rc_fixed_instance_size,
};

rc_object *lang_builtin_new(const char *name, lang_cfunc fn) {
    lang_builtin *b = (lang_builtin *)rc_object_new(&lang_builtin_type);
    if (!b)
        return NULL;
    b->name = name;
    b->fn = fn;
    return &b->base;
}

rc_object *lang_builtin_new_kw(const char *name, lang_cfunc_kw kwfn) {
    rc_object *b = lang_builtin_new(name, NULL);
    if (b)
        ((lang_builtin *)b)->kwfn = kwfn;
    return b;
}

/* ---- range ------------------------------------------------------------------------ */

static rc_object *range_repr(rc_object *self) {
    lang_range *r = (lang_range *)self;
    return rc_str_from_format("range(%lld, %lld, %lld)", (long long)r->start,
                              (long long)r->stop, (long long)r->step);
}

/* len(range): the count of values, in unsigned arithmetic so that no
 * distance between two int64_t overflows. The step is never 0 (range()
 * refuses it). */
static int64_t range_length(rc_object *self) {
    const lang_range *r = (const lang_range *)self;
    bool up = r->step > 0;
    if (up ? r->start >= r->stop : r->start <= r->stop)
        return 0;
    uint64_t span = up ? (uint64_t)r->stop - (uint64_t)r->start
                       : (uint64_t)r->start - (uint64_t)r->stop;
    uint64_t step = up ? (uint64_t)r->step : 0 - (uint64_t)r->step;
    uint64_t n = (span - 1) / step + 1;
    if (n > INT64_MAX)
        return rc_error_set(RC_EOVERFLOW, "Python int too large to convert to C ssize_t");
    return (int64_t)n;
}

rc_type lang_range_type = {
    .name = "range",
    .basicsize = sizeof(lang_range),
    .repr = range_repr,
    .length = range_length,
    .instance_size = rc_fixed_instance_size,
};

rc_object *lang_range_new(int64_t start, int64_t stop, int64_t step) {
    lang_range *r = (lang_range *)rc_object_new(&lang_range_type);
    if (!r)
        return NULL;
    r->start = start;
    r->stop = stop;
    r->step = step;
    return &r->base;
}

/* ---- iterator ------------------------------------------------------------------------ */

typedef struct lang_iterator {
    rc_object base;
    rc_iter it;            /* over a container; it.container is NULL for a range */
    bool is_range;
    int64_t next, stop, step;
} lang_iterator;

static int iterator_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    RC_VISIT(((lang_iterator *)self)->it.container);
    return 0;
}

static void iterator_clear(rc_object *self) {
    rc_iter_end(&((lang_iterator *)self)->it);
}

rc_type lang_iterator_type = {
    .name = "iterator",
    .basicsize = sizeof(lang_iterator),
    .flags = RC_TYPE_GC,
    .dealloc = iterator_clear,
    .traverse = iterator_traverse,
    .clear = iterator_clear,
    .instance_size = rc_fixed_instance_size,
};

/* A list of the code points of a str, each a str: what `for` walks over a
 * str (a snapshot, like the other containers' iteration). */
static rc_object *str_chars(rc_object *s) {
    rc_object *l = rc_list_new();
    const char *p = rc_str_data(s), *end = p + rc_str_byte_length(s);
    while (l && p < end) {
        const char *q = p + 1;
        while (q < end && ((unsigned char)*q & 0xc0) == 0x80)
            q++;
        rc_object *ch = rc_str_from_utf8(p, (size_t)(q - p));
        if (!ch || rc_list_append_steal(l, ch) != RC_OK)
            rc_clear_ref(&l);
        p = q;
    }
    return l;
}

rc_object *lang_iterator_new(rc_object *o) {
    if (rc_str_check(o)) {
        rc_object *chars = str_chars(o);
        rc_object *it = chars ? lang_iterator_new(chars) : NULL;
        rc_xdecref(chars);
        return it;
    }
    /* Anything else rc_iter_begin takes (the containers, an instance with
     * __iter__ through its iter slot), or it fails with "'X' object is not
     * iterable". */
    bool is_range = rc_object_type(o) == &lang_range_type;
    lang_iterator *it = (lang_iterator *)rc_object_new(&lang_iterator_type);
    if (!it)
        return NULL;
    if (is_range) {
        lang_range *r = (lang_range *)o;
        it->is_range = true;
        it->next = r->start;
        it->stop = r->stop;
        it->step = r->step;
    } else if (rc_iter_begin(&it->it, o) != RC_OK) {
        rc_decref(&it->base);
        return NULL;
    }
    return &it->base;
}

static int range_next(lang_iterator *it, rc_object **item) {
    bool more = it->step > 0 ? it->next < it->stop : it->next > it->stop;
    if (!more)
        return 0;
    *item = rc_int_from_i64(it->next);
    if (!*item)
        return -1;
    /* A step past INT64_MAX ends the range instead of wrapping. */
    if (__builtin_add_overflow(it->next, it->step, &it->next))
        it->stop = it->next = it->step > 0 ? INT64_MAX : INT64_MIN;
    return 1;
}

int lang_iterator_next(rc_object *o, rc_object **item) {
    lang_iterator *it = (lang_iterator *)o;
    *item = NULL;
    if (it->is_range)
        return range_next(it, item);
    return rc_iter_next(&it->it, item);
}
