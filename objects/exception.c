/*
 * objects/exception.c -- errors as objects (objects/exception.h).
 *
 * A plain collected object: the fixed parts are written before the object
 * is returned and never again; cause and context are the only fields that
 * change, always inside the object's critical section, and what they held
 * is dropped after the section ends (a decref may run a finalizer).
 */
#include "objects/exception.h"

#include "objects/bool.h"
#include "objects/object_internal.h"
#include "objects/str.h"
#include "objects/tuple.h"

typedef struct exc_object {
    rc_object base;
    rc_status code;
    rc_object *name;    /* str */
    rc_object *kind;    /* any, or NULL */
    rc_object *message; /* str */
    rc_object *value;   /* any, or NULL */
    rc_object *cause;   /* exception, or NULL; under the critical section */
    rc_object *context; /* likewise */
} exc_object;

static inline exc_object *as_exc(rc_object *o) {
    return (exc_object *)o;
}

bool rc_exception_check(const rc_object *o) {
    return o && o->type == &rc_exception_type;
}

/* The error of an entry point given something other than an exception. */
static RC_NOINLINE rc_status exc_arg_error(rc_object *o, const char *what) {
    if (!rci_may_touch())
        return rci_state_error(what);
    if (!o)
        return rc_error_set(RC_EVALUE, "%s: NULL argument", what);
    return rc_error_set(RC_ETYPE, "%s: expected an exception, got %s", what, o->type->name);
}

static inline bool exc_ok(rc_object *o) {
    return RC_LIKELY(rci_may_touch() && rc_exception_check(o));
}

rc_object *rc_exception_new(rc_status code, rc_object *name, rc_object *kind, rc_object *message,
                            rc_object *value) {
    if (RC_UNLIKELY(!rci_may_touch())) {
        rci_state_error("rc_exception_new");
        return NULL;
    }
    if (code >= 0)
        return rci_error_null(RC_EVALUE, "rc_exception_new: status %d is no error", (int)code);
    if ((name && !rc_str_check(name)) || (message && !rc_str_check(message)))
        return rci_error_null(RC_ETYPE, "rc_exception_new: the %s must be a str, got %s",
                              name && !rc_str_check(name) ? "name" : "message",
                              (name && !rc_str_check(name) ? name : message)->type->name);
    rc_object *nm = name ? rc_newref(name) : rc_str_from_cstr(rc_status_name(code));
    rc_object *msg = message ? rc_newref(message) : rc_str_from_cstr("");
    exc_object *e = nm && msg ? (exc_object *)rc_object_new(&rc_exception_type) : NULL;
    if (!e) {
        rc_xdecref(nm);
        rc_xdecref(msg);
        return NULL;
    }
    e->code = code;
    e->name = nm;
    e->message = msg;
    e->kind = kind ? rc_newref(kind) : NULL;
    e->value = value ? rc_newref(value) : NULL;
    return &e->base;
}

rc_object *rc_exception_fetch(rc_object *value) {
    if (RC_UNLIKELY(!rci_may_touch())) {
        rci_state_error("rc_exception_fetch");
        return NULL;
    }
    rc_status code = rc_error_code();
    if (code == RC_OK)
        return rci_error_null(RC_ESTATE, "rc_exception_fetch: no error to fetch");
    /* The message first: an allocation that fails replaces the slot. */
    rc_object *msg = rc_str_from_cstr(rc_error_message());
    if (!msg)
        return NULL;
    rc_object *e = rc_exception_new(code, NULL, NULL, msg, value);
    rc_decref(msg);
    if (e)
        rc_error_clear();
    return e;
}

rc_status rc_exception_raise(rc_object *e) {
    if (!exc_ok(e))
        return exc_arg_error(e, "rc_exception_raise");
    exc_object *x = as_exc(e);
    return rc_error_set(x->code, "%s", rc_str_data(x->message));
}

rc_status rc_exception_code(rc_object *e) {
    return exc_ok(e) ? as_exc(e)->code : exc_arg_error(e, "rc_exception_code");
}

/* A fixed part, borrowed (None for an absent one); NULL for misuse. */
static rc_object *fixed_part(rc_object *e, size_t offset, const char *what) {
    if (!exc_ok(e)) {
        exc_arg_error(e, what);
        return NULL;
    }
    rc_object *p = *(rc_object **)((char *)e + offset);
    return p ? p : rc_none();
}

rc_object *rc_exception_name(rc_object *e) {
    return fixed_part(e, offsetof(exc_object, name), "rc_exception_name");
}
rc_object *rc_exception_message(rc_object *e) {
    return fixed_part(e, offsetof(exc_object, message), "rc_exception_message");
}
rc_object *rc_exception_kind(rc_object *e) {
    return fixed_part(e, offsetof(exc_object, kind), "rc_exception_kind");
}
rc_object *rc_exception_value(rc_object *e) {
    return fixed_part(e, offsetof(exc_object, value), "rc_exception_value");
}

/* A link of the chain, as a new reference (None when unset). The reference
 * is taken inside the section: another thread may replace the link and drop
 * the old one as soon as the section ends. */
static rc_object *get_link(rc_object *e, size_t offset, const char *what) {
    if (!exc_ok(e)) {
        exc_arg_error(e, what);
        return NULL;
    }
    rc_object *p;
    RC_CRITICAL_BEGIN(e)
    p = *(rc_object **)((char *)e + offset);
    if (p)
        rc_incref(p);
    RC_CRITICAL_END(e)
    return p ? p : rc_newref(rc_none());
}

static rc_status set_link(rc_object *e, size_t offset, rc_object *x, const char *what) {
    if (!exc_ok(e))
        return exc_arg_error(e, what);
    if (x == rc_none())
        x = NULL;
    if (x && !rc_exception_check(x))
        return rc_error_set(RC_ETYPE, "%s: expected an exception or None, got %s", what,
                            x->type->name);
    if (x)
        rc_incref(x);
    rc_object *old;
    RC_CRITICAL_BEGIN(e)
    rc_object **slot = (rc_object **)((char *)e + offset);
    old = *slot;
    *slot = x;
    RC_CRITICAL_END(e)
    rc_xdecref(old); /* outside: its dealloc may run arbitrary code */
    return RC_OK;
}

rc_object *rc_exception_cause(rc_object *e) {
    return get_link(e, offsetof(exc_object, cause), "rc_exception_cause");
}
rc_object *rc_exception_context(rc_object *e) {
    return get_link(e, offsetof(exc_object, context), "rc_exception_context");
}
rc_status rc_exception_set_cause(rc_object *e, rc_object *x) {
    return set_link(e, offsetof(exc_object, cause), x, "rc_exception_set_cause");
}
rc_status rc_exception_set_context(rc_object *e, rc_object *x) {
    return set_link(e, offsetof(exc_object, context), x, "rc_exception_set_context");
}

/* ---- slots ------------------------------------------------------------------ */

static void exc_clear(rc_object *self) {
    exc_object *e = as_exc(self);
    rc_clear_ref(&e->kind);
    rc_clear_ref(&e->value);
    rc_clear_ref(&e->cause);
    rc_clear_ref(&e->context);
}

/* name and message are strs: they cannot reach a cycle, and stay until the
 * dealloc so that a repr during a collection still finds them. */
static void exc_dealloc(rc_object *self) {
    exc_clear(self);
    rc_clear_ref(&as_exc(self)->name);
    rc_clear_ref(&as_exc(self)->message);
}

static int exc_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    exc_object *e = as_exc(self);
    RC_VISIT(e->kind);
    RC_VISIT(e->value);
    RC_VISIT(e->cause);
    RC_VISIT(e->context);
    return 0;
}

/* As Python writes an exception: Name(args...). A host that keeps the
 * arguments its exception was made with as a tuple in value (Python's
 * args, as refpy does) gets exactly Python's form, Name('a', 1), Name('k');
 * otherwise Name('message'), or Name() for an empty message. */
static rc_object *exc_repr(rc_object *self) {
    exc_object *e = as_exc(self);
    const char *name = rc_str_data(e->name);
    if (e->value && rc_tuple_check(e->value)) {
        int64_t n = rc_tuple_size(e->value);
        rc_object *r = rc_object_repr(n == 1 ? rc_tuple_get(e->value, 0) : e->value);
        if (!r)
            return NULL;
        rc_object *s = rc_str_from_format(n == 1 ? "%s(%s)" : "%s%s", name, rc_str_data(r));
        rc_decref(r);
        return s;
    }
    if (rc_str_byte_length(e->message) == 0)
        return rc_str_from_format("%s()", name);
    rc_object *m = rc_object_repr(e->message);
    if (!m)
        return NULL;
    rc_object *r = rc_str_from_format("%s(%s)", name, rc_str_data(m));
    rc_decref(m);
    return r;
}

rc_type rc_exception_type = {
    .name = "exception",
    .basicsize = sizeof(exc_object),
    .flags = RC_TYPE_GC,
    .dealloc = exc_dealloc,
    .traverse = exc_traverse,
    .clear = exc_clear,
    .repr = exc_repr,
    .instance_size = rc_fixed_instance_size,
};
