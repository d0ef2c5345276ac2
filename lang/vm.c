/*
 * lang/vm.c -- the bytecode loop.
 *
 * One C call of run_frame per language call. Each call is one level of
 * refcore's C recursion limit (runtime/recursion.h), counted together with
 * the repr, hash and equality calls the program makes, so a program's
 * recursion and deep data together stay within the C stack: past the limit
 * a call fails with RC_ERECURSION, "maximum recursion depth exceeded". The
 * value stack is one array per thread, each frame taking the slice its code
 * object says it needs. Locals live in a heap env
 * (objects.h), so closures can keep them.
 *
 * The loop calls rc_checkpoint() on every backward jump and every call:
 * that is where, under //:gil, the global lock changes hands when another
 * thread has been waiting, and where other strategies do their pending work.
 *
 * Errors unwind by returning NULL: the frame drops every reference on its
 * slice of the stack and records the line (the innermost one, once) in the
 * thread's state.
 */
#include "lang/vm.h"

#include <stdlib.h>
#include <string.h>

#include "lang/builtins.h"
#include "lang/classes.h"
#include "lang/exceptions.h"
#include "lang/format.h"
#include "lang/modules.h"
#include "lang/objects.h"
#include "lang/ops.h"
#include "lang/sets.h"

int lang_thread_init(lang_thread *ts, lang_interp *interp) {
    memset(ts, 0, sizeof *ts);
    ts->interp = interp;
    ts->handle = interp->main_thread;
    ts->steps_left = interp->step_limit > 0 ? interp->step_limit : -1;
    ts->stack = rc_mem_alloc(LANG_STACK_SLOTS * sizeof *ts->stack);
    if (!ts->stack)
        return rc_error_set(RC_ENOMEM, "out of memory for the value stack");
    lang_classes_set_thread(ts);
    return 0;
}

/* Counts one step (a backward jump or a call) against the thread's limit.
 * Returns false, with RC_ELIMIT set, when none is left. Every loop
 * iteration and every call takes a step, and the code between two steps is
 * straight-line, so a limit bounds the instructions a program runs. */
static bool take_step(lang_thread *ts) {
    if (ts->steps_left < 0 || ts->steps_left-- > 0)
        return true;
    ts->steps_left = 0; /* stays spent: the unwinding must not get more */
    rc_error_set(RC_ELIMIT, "step limit exceeded");
    return false;
}

void lang_thread_fini(lang_thread *ts) {
    lang_exc_thread_fini(ts);
    rc_mem_free(ts->stack);
    ts->stack = NULL;
    lang_classes_set_thread(NULL);
}

void lang_format_error(lang_thread *ts, char *buf, size_t size) {
    /* Python's last line, "ValueError: message", after refpy's line. */
    char what[300];
    lang_exc_describe(ts, what, sizeof what);
    if (ts->err_line > 0)
        snprintf(buf, size, "line %d: %s", ts->err_line, what);
    else
        snprintf(buf, size, "%s", what);
    ts->err_line = 0; /* refcore's slot keeps the code, for callers that ask */
}

/* ---- names ---------------------------------------------------------------- */

/* Globals first, then builtins: a miss in the globals is the usual case for
 * every call of a builtin, so it goes through rc_dict_get_ref, which
 * reports it without setting an error. One lookup per dict. */
static rc_object *load_global(lang_thread *ts, rc_object *name) {
    lang_interp *in = ts->interp;
    rc_object *v;
    int r = rc_dict_get_ref(in->globals, name, &v);
    if (r == 0)
        r = rc_dict_get_ref(in->builtins, name, &v);
    if (r == 0)
        lang_raise(ts, LANG_EXC_NAME, "name '%s' is not defined", rc_str_data(name));
    return v;
}

/* globals[name] = v (borrowed). A module-level function bound to a name
 * for the first time is made immortal first, with its code
 * (lang_function_share): every thread that calls it loads it from the
 * globals, and under a free-threaded strategy its count, and its
 * constants', would be writes they all share. Only the first binding of a
 * name, because immortal objects live until the runtime stops: a def run
 * again and again (in a loop) makes a new function each time, and those
 * stay mortal. Closures are left mortal too: their env is mutable state. */
static rc_status store_global(lang_interp *in, rc_object *name, rc_object *v) {
    if (lang_function_is_module_level(v) && !rc_is_immortal(v)) {
        int bound = rc_dict_contains(in->globals, name);
        if (bound < 0)
            return bound;
        rc_status st = bound ? RC_OK : lang_function_share(v);
        if (st != RC_OK)
            return st;
    }
    return rc_dict_set(in->globals, name, v);
}

static lang_env *env_up(lang_env *e, uint32_t levels) {
    while (levels--)
        e = (lang_env *)e->parent;
    return e;
}

static void unbound_local(lang_thread *ts, lang_code *co, uint32_t i) {
    lang_raise(ts, LANG_EXC_UNBOUND_LOCAL,
               "cannot access local variable '%s' where it is not associated with a value",
               rc_str_data(co->localnames[i]));
}

/* Replaces slot's reference with v (stolen). */
static void set_slot(rc_object **slot, rc_object *v) {
    rc_object *old = *slot;
    *slot = v;
    rc_xdecref(old); /* last: its dealloc may run arbitrary code */
}

/* Local variables. An env that a closure captured can be used by several
 * threads at once (the closure called on another thread): its slots are
 * then read, with the reference taken, and replaced only inside the env's
 * critical section, so that no thread can free a value another is about to
 * count. An env nobody captured belongs to its frame's thread alone. Under
 * the GIL the critical section costs nothing. */
static rc_object *env_load(lang_env *e, uint32_t i) {
    rc_object *v;
    if (!e->captured) {
        v = e->slots[i];
        return v ? rc_newref(v) : NULL;
    }
    RC_CRITICAL_BEGIN(&e->base)
    v = e->slots[i];
    if (v)
        rc_incref(v);
    RC_CRITICAL_END(&e->base)
    return v;
}

/* Stores v (stolen) in slot i. */
static void env_store(lang_env *e, uint32_t i, rc_object *v) {
    if (!e->captured) {
        set_slot(&e->slots[i], v);
        return;
    }
    rc_object *old;
    RC_CRITICAL_BEGIN(&e->base)
    old = e->slots[i];
    e->slots[i] = v;
    RC_CRITICAL_END(&e->base)
    rc_xdecref(old); /* outside: its dealloc may run arbitrary code */
}

/* ---- building containers ------------------------------------------------------ */

/* Each takes the n values at v (stolen, always). */
static rc_object *build_list(rc_object **v, int64_t n) {
    rc_object *l = rc_list_new();
    int64_t i = 0;
    while (l && i < n)
        if (rc_list_append_steal(l, v[i++]) != RC_OK) /* stolen even on failure */
            rc_clear_ref(&l);
    for (; i < n; i++)
        rc_decref(v[i]);
    return l;
}

static rc_object *build_tuple(rc_object **v, int64_t n) {
    rc_object *t = rc_tuple_new(n);
    for (int64_t i = 0; i < n; i++)
        if (t)
            rc_tuple_set_steal(t, i, v[i]); /* cannot fail: fresh, in range */
        else
            rc_decref(v[i]);
    return t;
}

static rc_object *build_dict(rc_object **v, int64_t pairs) {
    rc_object *d = rc_dict_new();
    for (int64_t i = 0; i < pairs; i++)
        if (d && rc_dict_set(d, v[2 * i], v[2 * i + 1]) != RC_OK)
            rc_clear_ref(&d);
    for (int64_t i = 0; i < 2 * pairs; i++)
        rc_decref(v[i]);
    return d;
}

/* Joins the n strs at v (stolen, always). */
static rc_object *build_string(rc_object **v, int64_t n) {
    size_t total = 0;
    for (int64_t i = 0; i < n; i++)
        total += (size_t)rc_str_byte_length(v[i]);
    char *buf = rc_mem_alloc(total + 1), *q = buf;
    for (int64_t i = 0; buf && i < n; i++) {
        memcpy(q, rc_str_data(v[i]), (size_t)rc_str_byte_length(v[i]));
        q += rc_str_byte_length(v[i]);
    }
    rc_object *s = buf ? rc_str_from_utf8(buf, total) : NULL;
    rc_mem_free(buf);
    for (int64_t i = 0; i < n; i++)
        rc_decref(v[i]);
    return s;
}

/* An f-string field's value: v converted (conv 0 for none), then
 * formatted by spec (a str, or NULL). Returns: a new str, or NULL. */
static rc_object *format_value(rc_object *v, char conv, rc_object *spec) {
    rc_object *cv = conv ? lang_convert(v, conv) : rc_newref(v);
    if (!cv)
        return NULL;
    rc_object *r = spec ? lang_format(cv, rc_str_data(spec), (size_t)rc_str_byte_length(spec))
                        : lang_format(cv, "", 0);
    rc_decref(cv);
    return r;
}

/* Puts the n items of s (a list, tuple, or anything an iterator walks) at
 * out[n-1] .. out[0], new references: the first item on top of the stack,
 * for the first target. Returns RC_OK, or an error with out untouched. */
static rc_status unpack(rc_object *s, rc_object **out, uint32_t n) {
    rc_object *it = lang_iterator_new(s), *item;
    if (!it)
        return rc_error_code();
    uint32_t got = 0;
    int r;
    while ((r = lang_iterator_next(it, &item)) == 1 && got < n)
        out[n - 1 - got++] = item;
    if (r == 1)
        rc_decref(item);
    rc_decref(it);
    if (r == 0 && got == n)
        return RC_OK;
    for (uint32_t i = 0; i < got; i++)
        rc_decref(out[n - 1 - i]);
    if (r < 0)
        return rc_error_code();
    if (got < n)
        return rc_error_set(RC_EVALUE, "not enough values to unpack (expected %u, got %u)", n,
                            got);
    return rc_error_set(RC_EVALUE, "too many values to unpack (expected %u)", n);
}

/* l (a list this frame built) += the items of s. */
static rc_status extend_list(rc_object *l, rc_object *s) {
    rc_object *it = lang_iterator_new(s), *item;
    if (!it)
        return rc_error_code();
    int r;
    while ((r = lang_iterator_next(it, &item)) == 1)
        if (rc_list_append_steal(l, item) != RC_OK) { /* stolen even on failure */
            r = -1;
            break;
        }
    rc_decref(it);
    return r == 0 ? RC_OK : rc_error_code();
}

/* f(*args), or o.name(*args) when name is set: args is the list of the
 * positional arguments that this frame built (call_args), so no other
 * thread can change it while its items are read. */
static rc_object *call_spread(lang_thread *ts, rc_object *f, rc_object *name, rc_object *args) {
    int64_t n = rc_list_size(args), got = 0;
    if (n > INT32_MAX / 2) {
        rc_error_set(RC_ELIMIT, "too many arguments");
        return NULL;
    }
    rc_object **a = rc_mem_alloc((size_t)(n + 1) * sizeof *a), *r = NULL;
    while (a && got < n && (a[got] = rc_list_get(args, got)) != NULL)
        got++;
    if (a && got == n)
        r = name ? lang_call_method(ts, f, name, a, (int)n) : lang_call(ts, f, a, (int)n);
    while (got > 0)
        rc_decref(a[--got]);
    rc_mem_free(a);
    return r;
}

/* f(a[0..n), **map) (or f.name(...), name not NULL): the n values, of
 * which the last size(names) are keywords named by names, and map's items
 * as more keywords. Python's errors for a map that is not a dict, a key
 * that is not a str, and a keyword given twice. */
static rc_object *call_dstar(lang_thread *ts, rc_object *f, rc_object *name, rc_object **a, int n,
                             rc_object *names, rc_object *map) {
    if (!rc_dict_check(map)) {
        rc_error_set(RC_ETYPE, "argument after ** must be a mapping, not %s",
                     rc_object_type_name(map));
        return NULL;
    }
    rc_object *items = rc_dict_items(map); /* a snapshot: the call may change map */
    int64_t nk0 = rc_tuple_size(names), m = items ? rc_list_size(items) : 0;
    if (items && n + m > INT32_MAX / 2) {
        rc_error_set(RC_ELIMIT, "too many arguments");
        rc_clear_ref(&items);
    }
    rc_object **vals = items ? rc_mem_alloc((size_t)(n + m + 1) * sizeof *vals) : NULL;
    rc_object *all = vals ? rc_tuple_new(nk0 + m) : NULL, *r = NULL;
    rc_status st = all ? RC_OK : rc_error_code();
    for (int i = 0; all && i < n; i++)
        vals[i] = a[i]; /* borrowed: the stack holds them */
    for (int64_t k = 0; all && k < nk0; k++)
        rc_tuple_set_steal(all, k, rc_newref(rc_tuple_get(names, k))); /* fresh, in range */
    for (int64_t k = 0; st == RC_OK && k < m; k++) {
        rc_object *kv = rc_list_get_borrowed(items, k), *key = rc_tuple_get(kv, 0);
        if (!rc_str_check(key)) {
            st = rc_error_set(RC_ETYPE, "keywords must be strings");
            break;
        }
        for (int64_t j = 0; st == RC_OK && j < nk0 + k; j++)
            if (strcmp(rc_str_data(rc_tuple_get(all, j)), rc_str_data(key)) == 0)
                st = rc_error_set(RC_ETYPE, "got multiple values for keyword argument '%s'",
                                  rc_str_data(key));
        if (st == RC_OK) {
            rc_tuple_set_steal(all, nk0 + k, rc_newref(key)); /* fresh, in range */
            vals[n + k] = rc_tuple_get(kv, 1); /* borrowed: items holds it */
        }
    }
    int npos = n - (int)nk0, nkw = (int)(nk0 + m);
    if (st == RC_OK) /* every slot of all is set: a complete tuple */
        r = name ? lang_call_method_kw(ts, f, name, vals, npos, nkw ? all : NULL)
                 : lang_call_kw(ts, f, vals, npos, nkw ? all : NULL);
    rc_xdecref(all);
    rc_mem_free(vals);
    rc_xdecref(items);
    return r;
}

/* ---- the loop -------------------------------------------------------------------- */

/* Pops n values (dropping them) off the stack top. */
#define POPN(n)                                                                          \
    do {                                                                                 \
        for (int64_t k_ = (n); k_ > 0; k_--) /* n evaluated once: it may use sp */     \
            rc_decref(*--sp);                                                            \
    } while (0)

/* Replaces the top n values with r (a new reference or NULL). */
#define REPLACE(n, r)                                                                    \
    do {                                                                                 \
        rc_object *r_ = (r);                                                             \
        POPN(n);                                                                         \
        if (!r_)                                                                         \
            goto error;                                                                  \
        *sp++ = r_;                                                                      \
    } while (0)

static rc_object *run_frame(lang_thread *ts, lang_code *co, lang_env *env) {
    if (ts->sp + co->stacksize > LANG_STACK_SLOTS) {
        rc_error_set(RC_ELIMIT, "value stack overflow");
        return NULL;
    }
    rc_object **const base = ts->stack + ts->sp;
    rc_object **sp = base;
    ts->sp += co->stacksize;
    rc_object *const *consts = co->consts;
    const uint32_t *ins = co->ins;
    rc_object *result = NULL, *v;
    uint32_t pc = 0;
    int t;
    bool b;
run:
    for (;;) {
        uint32_t in = ins[pc++], arg = LANG_ARG(in);
        switch (LANG_OP(in)) {
        case OP_LOAD_CONST:
            *sp++ = rc_newref(consts[arg]);
            break;
        case OP_LOAD_FAST:
            if (!(v = env_load(env, arg))) {
                unbound_local(ts, co, arg);
                goto error;
            }
            *sp++ = v;
            break;
        case OP_STORE_FAST:
            env_store(env, arg, *--sp);
            break;
        case OP_LOAD_DEREF:
            if (!(v = env_load(env_up(env, arg >> 16), arg & 0xffff))) {
                lang_raise(ts, LANG_EXC_NAME, "free variable referenced before assignment");
                goto error;
            }
            *sp++ = v;
            break;
        case OP_STORE_DEREF:
            env_store(env_up(env, arg >> 16), arg & 0xffff, *--sp);
            break;
        case OP_LOAD_GLOBAL:
            if (!(v = load_global(ts, consts[arg])))
                goto error;
            *sp++ = v;
            break;
        case OP_STORE_GLOBAL:
            t = store_global(ts->interp, consts[arg], sp[-1]);
            POPN(1);
            if (t != RC_OK)
                goto error;
            break;
        case OP_DELETE_FAST:
            if (!(v = env_load(env, arg))) {
                unbound_local(ts, co, arg);
                goto error;
            }
            rc_decref(v);
            env_store(env, arg, NULL);
            break;
        case OP_DELETE_GLOBAL:
            t = rc_dict_delete(ts->interp->globals, consts[arg]);
            if (t == RC_EKEY) /* Python's words for a name never bound */
                lang_raise(ts, LANG_EXC_NAME, "name '%s' is not defined", rc_str_data(consts[arg]));
            if (t != RC_OK)
                goto error;
            break;
        case OP_DELETE_SUBSCR:
            t = rc_object_delitem(sp[-2], sp[-1]);
            if (t == RC_EKEY && rc_dict_check(sp[-2]))
                lang_raise_key(ts, sp[-1]); /* the key joins the error only now */
            else if (t == RC_EINDEX)
                lang_raise(ts, LANG_EXC_INDEX, "%s assignment index out of range",
                           rc_object_type_name(sp[-2]));
            POPN(2);
            if (t != RC_OK)
                goto error;
            break;
        case OP_POP_TOP:
            POPN(1);
            break;
        case OP_DUP_TOP:
            sp[0] = rc_newref(sp[-1]);
            sp++;
            break;
        case OP_ROT_TWO:
            v = sp[-1];
            sp[-1] = sp[-2];
            sp[-2] = v;
            break;
        case OP_ROT_THREE:
            v = sp[-1];
            sp[-1] = sp[-2];
            sp[-2] = sp[-3];
            sp[-3] = v;
            break;
        case OP_DUP_TOP2:
            sp[0] = rc_newref(sp[-2]);
            sp[1] = rc_newref(sp[-1]);
            sp += 2;
            break;
        case OP_BINARY:
            REPLACE(2, lang_binary((lang_binop)arg, sp[-2], sp[-1]));
            break;
        case OP_NEGATE:
            REPLACE(1, arg == 1   ? lang_invert(sp[-1])
                       : arg == 2 ? lang_positive(sp[-1])
                                  : lang_negate(sp[-1]));
            break;
        case OP_NOT:
            REPLACE(1, rc_bool_from(!lang_truthy(sp[-1])));
            break;
        case OP_JUMP:
            if (arg < pc) {
                rc_checkpoint(); /* a loop: let other threads, and pending work, in */
                if (!take_step(ts))
                    goto error;
            }
            pc = arg;
            break;
        case OP_POP_JUMP_IF_FALSE:
            t = lang_truthy(sp[-1]);
            POPN(1);
            if (!t)
                pc = arg;
            break;
        case OP_JUMP_IF_FALSE_OR_POP:
        case OP_JUMP_IF_TRUE_OR_POP:
            if (lang_truthy(sp[-1]) == (LANG_OP(in) == OP_JUMP_IF_TRUE_OR_POP))
                pc = arg;
            else
                POPN(1);
            break;
        case OP_BUILD_LIST:
            sp -= arg;
            if (!(v = build_list(sp, arg)))
                goto error;
            *sp++ = v;
            break;
        case OP_BUILD_TUPLE:
            sp -= arg;
            if (!(v = build_tuple(sp, arg)))
                goto error;
            *sp++ = v;
            break;
        case OP_BUILD_STRING:
            sp -= arg;
            if (!(v = build_string(sp, arg)))
                goto error;
            *sp++ = v;
            break;
        case OP_FORMAT_VALUE:
            t = (arg & FORMAT_HAS_SPEC) != 0;
            REPLACE(1 + t, format_value(sp[-1 - t], (char)(arg & 0xff), t ? sp[-1] : NULL));
            break;
        case OP_BUILD_DICT:
            sp -= 2 * arg;
            if (!(v = build_dict(sp, arg)))
                goto error;
            *sp++ = v;
            break;
        case OP_SUBSCR:
            v = lang_subscr(sp[-2], sp[-1]);
            if (!v && rc_error_code() == RC_EKEY && rc_dict_check(sp[-2]))
                lang_raise_key(ts, sp[-1]); /* the key joins the error only now */
            else if (!v && rc_error_code() == RC_EINDEX) /* Python's words */
                lang_raise(ts, LANG_EXC_INDEX, "%s index out of range",
                           rc_str_check(sp[-2]) ? "string" : rc_object_type_name(sp[-2]));
            REPLACE(2, v);
            break;
        case OP_SLICE:
            REPLACE(4, lang_slice(sp[-4], sp[-3], sp[-2], sp[-1]));
            break;
        case OP_SET_FROM_LIST:
            REPLACE(1, lang_set_from(sp[-1]));
            break;
        case OP_LIST_APPEND: /* the list a comprehension builds: its own */
            sp--;
            t = rc_list_append_steal(sp[-1 - (int64_t)arg], *sp);
            if (t != RC_OK)
                goto error;
            break;
        case OP_MAP_ADD:
            t = rc_dict_set(sp[-3 - (int64_t)arg], sp[-2], sp[-1]);
            POPN(2);
            if (t != RC_OK)
                goto error;
            break;
        case OP_STORE_SUBSCR:
            t = lang_store_subscr(sp[-2], sp[-1], sp[-3]);
            POPN(3);
            if (t != RC_OK)
                goto error;
            break;
        case OP_UNPACK_SEQUENCE:
            v = sp[-1];
            t = unpack(v, sp - 1, arg);
            rc_decref(v); /* its slot now holds an item, or nothing */
            if (t != RC_OK) {
                sp--;
                goto error;
            }
            sp += arg - 1;
            break;
        case OP_CALL:
            REPLACE(arg + 1, lang_call(ts, sp[-(int64_t)arg - 1], sp - arg, (int)arg));
            break;
        case OP_CALL_METHOD: {
            uint32_t n = arg & 0xff;
            REPLACE(n + 1, lang_call_method(ts, sp[-(int64_t)n - 1], consts[arg >> 8],
                                            sp - n, (int)n));
            break;
        }
        case OP_CALL_KW: { /* f a1..an names: names is a constant tuple */
            int nkw = (int)rc_tuple_size(sp[-1]);
            rc_object **a = sp - 1 - arg;
            REPLACE(arg + 2, lang_call_kw(ts, a[-1], a, (int)arg - nkw, sp[-1]));
            break;
        }
        case OP_CALL_METHOD_KW: {
            uint32_t n = arg & 0xff;
            int nkw = (int)rc_tuple_size(sp[-1]);
            rc_object **a = sp - 1 - n;
            REPLACE(n + 2, lang_call_method_kw(ts, a[-1], consts[arg >> 8], a, (int)n - nkw,
                                               sp[-1]));
            break;
        }
        case OP_CALL_DSTAR: { /* f a1..an names map */
            rc_object **a = sp - 2 - arg;
            REPLACE(arg + 3, call_dstar(ts, a[-1], NULL, a, (int)arg, sp[-2], sp[-1]));
            break;
        }
        case OP_CALL_METHOD_DSTAR: {
            uint32_t n = arg & 0xff;
            rc_object **a = sp - 2 - n;
            REPLACE(n + 3, call_dstar(ts, a[-1], consts[arg >> 8], a, (int)n, sp[-2], sp[-1]));
            break;
        }
        case OP_RETURN:
            result = *--sp;
            goto done;
        case OP_GET_ITER:
            REPLACE(1, lang_iterator_new(sp[-1]));
            break;
        case OP_FOR_ITER:
            t = lang_iterator_next(sp[-1], &v);
            if (t < 0)
                goto error;
            if (t == 0) {
                POPN(1);
                pc = arg;
            } else {
                *sp++ = v;
            }
            break;
        case OP_IMPORT_NAME:
            if (!(v = lang_import(ts, consts[arg])))
                goto error;
            *sp++ = v;
            break;
        case OP_IMPORT_FROM:
            if (!(v = lang_getattr(ts, sp[-1], consts[arg]))) {
                lang_raise(ts, LANG_EXC_IMPORT, "cannot import name '%s' from '%s'",
                           rc_str_data(consts[arg]), rc_str_data(((lang_module *)sp[-1])->name));
                goto error;
            }
            *sp++ = v;
            break;
        case OP_LOAD_ATTR:
            REPLACE(1, lang_getattr(ts, sp[-1], consts[arg]));
            break;
        case OP_MAKE_FUNCTION:
            if (!(v = lang_function_new(consts[arg], (rc_object *)env, NULL)))
                goto error;
            *sp++ = v;
            break;
        case OP_MAKE_FUNCTION_DEFAULTS:
            REPLACE(1, lang_function_new(consts[arg], (rc_object *)env, sp[-1]));
            break;
        case OP_STORE_ATTR:
            t = lang_setattr(sp[-1], consts[arg], sp[-2]);
            POPN(2);
            if (t != RC_OK)
                goto error;
            break;
        case OP_MAKE_CLASS: /* slot 0: the base; 1: __class__, for super() */
            if (!(v = lang_class_build(consts[arg], co, env, 2)))
                goto error;
            env_store(env, 1, rc_newref(v));
            *sp++ = v;
            break;
        case OP_SUPER:
            REPLACE(2, lang_super_new(sp[-2], sp[-1]));
            break;
        case OP_LIST_EXTEND:
            t = extend_list(sp[-2], sp[-1]);
            POPN(1);
            if (t != RC_OK)
                goto error;
            break;
        case OP_CALL_SPREAD:
            REPLACE(2, call_spread(ts, sp[-2], NULL, sp[-1]));
            break;
        case OP_CALL_METHOD_SPREAD:
            REPLACE(2, call_spread(ts, sp[-2], consts[arg], sp[-1]));
            break;
        /* ---- exceptions and `with` (exceptions.c) ---- */
        case OP_RAISE:
            t = arg == RAISE_FROM ? 2 : arg == RAISE_ONE || arg == RAISE_ASSERT_MSG ? 1 : 0;
            lang_do_raise(ts, (int)arg, t ? sp[-t] : NULL, arg == RAISE_FROM ? sp[-1] : NULL);
            POPN(t);
            goto error;
        case OP_RERAISE:
            lang_reraise(ts, *--sp, arg != 0);
            goto error;
        case OP_EXC_MATCH:
            if ((t = lang_exc_match(sp[-2], sp[-1])) < 0)
                goto error;
            REPLACE(2, rc_bool_from(t));
            break;
        case OP_PUSH_HANDLED:
            if (lang_handled_push(ts, sp[-1]) != RC_OK)
                goto error;
            break;
        case OP_POP_HANDLED:
            lang_handled_pop(ts);
            break;
        case OP_WITH_ENTER:
            if (!(v = lang_with_enter(ts, sp[-1])))
                goto error;
            *sp++ = v;
            break;
        case OP_WITH_EXIT:
            t = lang_with_exit(ts, arg ? base[arg - 1] : sp[-1], NULL, &b);
            if (!arg)
                POPN(1);
            if (t != RC_OK)
                goto error;
            break;
        case OP_EXC_VALUE:
            REPLACE(1, rc_newref(lang_exc_value(sp[-1])));
            break;
        case OP_WITH_EXIT_EXC:
            if (lang_with_exit(ts, sp[-2], sp[-1], &b) != RC_OK)
                goto error;
            *sp++ = rc_bool_from(b);
            break;
        }
    }
error:
    if (ts->err_line == 0)
        ts->err_line = co->lines[pc - 1];
    /* The innermost handler whose range holds the failing instruction
     * (code.h): the stack unwinds to its depth, and it gets the exception. */
    for (int32_t i = 0; i < co->n_handlers && lang_exc_catchable(ts); i++) {
        const int32_t *h = &co->handlers[4 * i];
        if ((int32_t)pc - 1 < h[0] || (int32_t)pc - 1 >= h[1])
            continue;
        if (!(v = lang_exc_take(ts))) { /* out of memory: not caught here */
            ts->err_line = ts->caught_line;
            break;
        }
        POPN(sp - (base + h[3]));
        *sp++ = v;
        pc = (uint32_t)h[2];
        goto run;
    }
done:
    POPN(sp - base); /* a return from inside a for loop leaves its iterator */
    ts->sp -= co->stacksize;
    return result;
}

/* ---- calls --------------------------------------------------------------------------- */

/* The parameter of co named nm, or -1. */
static int param_index(lang_code *co, rc_object *nm) {
    for (int i = 0; i < co->nparams; i++)
        if (rc_str_byte_length(co->localnames[i]) == rc_str_byte_length(nm) &&
            memcmp(rc_str_data(co->localnames[i]), rc_str_data(nm),
                   (size_t)rc_str_byte_length(nm)) == 0)
            return i;
    return -1;
}

/* Binds a call's arguments (as lang_call_kw takes them) to the parameters
 * in slots: positional ones first, keywords by name, then defaults for
 * the rest. Errors name the function, with Python's messages. */
static rc_status bind_args(lang_function *f, rc_object **slots, rc_object **args, int nargs,
                           rc_object *kwnames) {
    lang_code *co = (lang_code *)f->code;
    const char *fname = rc_str_data(co->name);
    int np = co->nparams - co->nkwonly; /* the positional parameters */
    if (nargs > np && !co->varargs)
        return rc_error_set(RC_ETYPE, "%s() takes %d positional argument%s but %d %s given",
                            fname, np, np == 1 ? "" : "s", nargs, nargs == 1 ? "was" : "were");
    int npos = nargs < np ? nargs : np; /* positional ones bound to parameters */
    if (co->varargs) { /* the extra positional ones, as a tuple */
        rc_object *t = rc_tuple_new(nargs - npos);
        if (!t)
            return rc_error_code();
        for (int i = npos; i < nargs; i++)
            rc_tuple_set_steal(t, i - npos, rc_newref(args[i])); /* fresh, in range */
        slots[co->nparams] = t;
    }
    rc_object *extra = NULL; /* **kwargs: the keywords that name no parameter */
    if (co->varkw && !(extra = slots[co->nparams + co->varargs] = rc_dict_new()))
        return rc_error_code();
    for (int i = 0; i < npos; i++)
        slots[i] = rc_newref(args[i]);
    int64_t nkw = kwnames ? rc_tuple_size(kwnames) : 0;
    for (int64_t k = 0; k < nkw; k++) {
        rc_object *nm = rc_tuple_get(kwnames, k);
        int i = param_index(co, nm);
        if (i < 0 && extra) {
            if (rc_dict_set(extra, nm, args[nargs + k]) != RC_OK)
                return rc_error_code();
            continue;
        }
        if (i < 0)
            return rc_error_set(RC_ETYPE, "%s() got an unexpected keyword argument '%s'", fname,
                                rc_str_data(nm));
        if (slots[i])
            return rc_error_set(RC_ETYPE, "%s() got multiple values for argument '%s'", fname,
                                rc_str_data(nm));
        slots[i] = rc_newref(args[nargs + k]);
    }
    /* The defaults tuple: the last ndef positional parameters', then the
     * keyword-only ones that have one (co->kwdefaults), in order. */
    int64_t ndef = (f->defaults ? rc_tuple_size(f->defaults) : 0) -
                   __builtin_popcount(co->kwdefaults);
    for (int i = npos; i < np; i++) {
        if (slots[i])
            continue;
        if (i < np - ndef)
            return rc_error_set(RC_ETYPE, "%s() missing required argument '%s'", fname,
                                rc_str_data(co->localnames[i]));
        slots[i] = rc_newref(rc_tuple_get(f->defaults, i - (np - ndef)));
    }
    for (int j = 0, d = 0; j < co->nkwonly; j++) {
        bool has = co->kwdefaults >> j & 1;
        if (!slots[np + j] && !has)
            return rc_error_set(RC_ETYPE, "%s() missing required keyword-only argument '%s'",
                                fname, rc_str_data(co->localnames[np + j]));
        if (!slots[np + j])
            slots[np + j] = rc_newref(rc_tuple_get(f->defaults, ndef + d));
        d += has;
    }
    return RC_OK;
}

static rc_object *call_function(lang_thread *ts, lang_function *f, rc_object **args, int nargs,
                                rc_object *kwnames) {
    lang_code *co = (lang_code *)f->code;
    /* One call level: lang_call, call_function and run_frame take about
     * 260 bytes of C stack together (x86-64, gcc -O2; 400 under ASan). */
    if (rc_recursion_enter("") != RC_OK)
        return NULL;
    rc_object *r = NULL;
    lang_env *env = (lang_env *)lang_env_new(f->env, co->nlocals);
    if (env) {
        if (bind_args(f, env->slots, args, nargs, kwnames) == RC_OK)
            r = run_frame(ts, co, env);
        rc_decref(&env->base);
    }
    rc_recursion_leave();
    return r;
}

rc_object *lang_call(lang_thread *ts, rc_object *callee, rc_object **args, int nargs) {
    return lang_call_kw(ts, callee, args, nargs, NULL);
}

rc_object *lang_call_kw(lang_thread *ts, rc_object *callee, rc_object **args, int nargs,
                        rc_object *kwnames) {
    rc_checkpoint(); /* calls are checkpoints too: recursion has no backward jump */
    if (!take_step(ts))
        return NULL;
    const rc_type *type = rc_object_type(callee);
    if (type == &lang_function_type)
        return call_function(ts, (lang_function *)callee, args, nargs, kwnames);
    if (type == &lang_builtin_type)
        return lang_builtin_call(ts, (lang_builtin *)callee, args, nargs, kwnames);
    bool handled; /* a class (an instance made) or a bound method */
    rc_object *r = lang_classes_call(ts, callee, args, nargs, kwnames, &handled);
    if (handled)
        return r;
    if (type == &lang_exc_class_type) {
        if (kwnames && rc_tuple_size(kwnames) > 0) {
            lang_raise(ts, LANG_EXC_TYPE, "%s() takes no keyword arguments",
                       rc_str_data(((lang_exc_class *)callee)->name));
            return NULL;
        }
        return lang_exc_instance(callee, args, nargs);
    }
    rc_error_set(RC_ETYPE, "'%s' object is not callable", type->name);
    return NULL;
}

rc_object *lang_run_module(lang_thread *ts, rc_object *code) {
    ts->err_line = 0;
    return run_frame(ts, (lang_code *)code, NULL);
}
