/*
 * lang/exceptions.h -- refpy's exceptions: the builtin exception classes,
 * raising and catching, and the `with` protocol.
 *
 * An exception instance is a refcore exception (objects/exception.h) whose
 * kind is its class, whose name is the class's name, whose value is its
 * args tuple and whose message is str(e). A class is a lang_exc_class: a
 * name, a status (what refcore reports for it, inherited from its base when
 * it has none of its own) and a base class, so that matching walks the
 * bases (lang_exc_is_subclass). A program's exception classes are
 * lang_classes (classes.h) whose exc_base names the builtin class they
 * derive from; their instances travel in carriers (below, lang_exc_value).
 *
 * An error travels as every refpy error does: NULL, with refcore's slot
 * set. An error raised as an object (`raise`, KeyError(key) for a dict
 * miss) is also kept in ts->exc, so that the handler that catches it gets
 * that very object; an error that is only in the slot (refcore's, or a
 * builtin's rc_error_set) becomes an instance of the class its status maps
 * to (lang_exc_take) when a handler catches it, or is named by that class
 * when the program ends with it.
 */
#ifndef LANG_EXCEPTIONS_H
#define LANG_EXCEPTIONS_H

#include <stdbool.h>

#include "lang/vm.h"
#include "refcore.h"

/* The builtin classes (lang_interp.exc_classes), bases before subclasses. */
typedef enum lang_exc_kind {
    LANG_EXC_BASE, LANG_EXC_EXCEPTION, LANG_EXC_ARITHMETIC, LANG_EXC_ZERODIV, LANG_EXC_OVERFLOW,
    LANG_EXC_LOOKUP, LANG_EXC_INDEX, LANG_EXC_KEY, LANG_EXC_VALUE, LANG_EXC_TYPE,
    LANG_EXC_ATTRIBUTE, LANG_EXC_NAME, LANG_EXC_UNBOUND_LOCAL, LANG_EXC_RUNTIME,
    LANG_EXC_NOT_IMPLEMENTED, LANG_EXC_RECURSION, LANG_EXC_ASSERTION, LANG_EXC_STOP_ITERATION,
    LANG_EXC_KEYBOARD_INTERRUPT, LANG_EXC_MEMORY, LANG_EXC_IMPORT, LANG_EXC_MODULE_NOT_FOUND,
    LANG_EXC_COUNT
} lang_exc_kind;

typedef struct lang_exc_class {
    rc_object base;
    rc_object *name;       /* str */
    rc_object *base_class; /* a lang_exc_class, or NULL for BaseException */
    rc_status code;        /* what refcore's slot says for its instances */
    bool str_is_repr;      /* str(e) of one argument is its repr (KeyError and
                              its subclasses, as Python's KeyError.__str__) */
    rc_object *methods[3]; /* BaseException only (NULL in the others): its
                              __init__, __str__ and __repr__, builtins that a
                              program's exception classes inherit */
} lang_exc_class;

extern rc_type lang_exc_class_type;

/* Makes the builtin classes, immortal as the other builtins, into the
 * builtins dict and in->exc_classes. */
rc_status lang_exceptions_install(lang_interp *in);

/* True if cls is sub, or one of sub's bases. Both are exception classes:
 * builtin ones, or the program's (a lang_class with exc_base set), whose
 * chain of bases goes on in the builtin classes from its exc_base. */
bool lang_exc_is_subclass(rc_object *sub, rc_object *cls);

/* Whether o is an exception class: a builtin one or the program's. */
bool lang_exc_is_class(const rc_object *o);

/* An exception of the program's: an instance of its class (the object the
 * program makes, raises and catches, with the attributes it gives it, and
 * args, __cause__ and __context__ in its dict) travels inside a refcore
 * exception, its carrier, made when it is raised: kind its class, name the
 * class's name, message str(instance) at that raise, value the instance.
 * The handlers, the handled stack and the slot see carriers; the program
 * sees the instance (OP_EXC_VALUE at `except ... as e`, __exit__'s
 * argument, __cause__ and __context__).
 *
 * lang_exc_value: the object the program sees for e (borrowed): the
 * instance a carrier holds, else e itself. */
rc_object *lang_exc_value(rc_object *e);

/* BaseException's method name (__init__, __str__, __repr__), for a lookup
 * in a class whose exc_base is cls that found nothing in the program's
 * classes: 1 with *out a new reference, or 0. */
int lang_exc_method(rc_object *cls, rc_object *name, rc_object **out);

/* Whether v is one of those methods (bound to an instance when read
 * through it, as a function is). */
bool lang_exc_is_method(const rc_object *v);

/* Sets an exception instance's args (the nargs args, borrowed), __cause__
 * and __context__ (None) in its dict, as BaseException.__new__ does before
 * __init__ runs. */
rc_status lang_exc_init_attrs(rc_object *dict, rc_object **args, int nargs);

/* Calling a class: an instance with args (borrowed) as its args.
 * Returns: a new reference, or NULL. */
rc_object *lang_exc_instance(rc_object *cls, rc_object **args, int nargs);

/* Raises a new instance of the builtin class kind with this message: it
 * becomes the current exception. Returns its status (< 0). */
rc_status lang_raise(lang_thread *ts, lang_exc_kind kind, const char *fmt, ...) RC_PRINTF(3, 4);

/* Raises KeyError(key): the key of a failed lookup, attached here, where
 * the error becomes an object, not by the lookup itself. */
rc_status lang_raise_key(lang_thread *ts, rc_object *key);

/* OP_RAISE: x (a class or an instance; NULL for a bare raise) and cause
 * (NULL for none), borrowed. Always returns a negative status: the error
 * to unwind with. */
rc_status lang_do_raise(lang_thread *ts, int how, rc_object *x, rc_object *cause);

/* OP_RERAISE: raises e (stolen) again. handled: e is the innermost
 * handled exception, which it stops being, and the line is the one where
 * it was raised; else e is one just caught, and keeps the line where it
 * arose. */
rc_status lang_reraise(lang_thread *ts, rc_object *e, bool handled);

/* Whether a handler may catch the error being unwound: not sys.exit(),
 * not the step limit. */
bool lang_exc_catchable(lang_thread *ts);

/* The error being unwound as an exception object, made from the slot if it
 * is only there (its context then the exception being handled, if any).
 * Forgets ts->exc and the line. Returns: a new reference, or NULL (out of
 * memory, the error set). */
rc_object *lang_exc_take(lang_thread *ts);

/* 1 if e (an exception, a carrier, or an instance of a program's class)
 * is an instance of cls (a class, or a tuple of classes), 0 if not, or an
 * error (RC_ETYPE: cls is not an exception class). */
int lang_exc_match(rc_object *e, rc_object *cls);

/* The handled-exception stack: e (borrowed: the frame's value stack holds
 * it) is being handled. Returns RC_OK, or RC_ENOMEM. */
rc_status lang_handled_push(lang_thread *ts, rc_object *e);
void lang_handled_pop(lang_thread *ts);

/* str(e), and the attributes args, __cause__, __context__ (NULL with no
 * error set for another name). */
rc_object *lang_exc_str(rc_object *e);
rc_object *lang_exc_getattr(rc_object *o, const char *name);

/* "Name: message" (or "Name") for the error being unwound, into buf. */
void lang_exc_describe(lang_thread *ts, char *buf, size_t size);

/* `with`: mgr.__enter__(), and mgr.__exit__(type, e, None) with e NULL for a
 * normal exit; *suppress is set to whether __exit__ returned a true value. */
rc_object *lang_with_enter(lang_thread *ts, rc_object *mgr);
rc_status lang_with_exit(lang_thread *ts, rc_object *mgr, rc_object *e, bool *suppress);

/* Drops what a thread's exception state holds (lang_thread_fini). */
void lang_exc_thread_fini(lang_thread *ts);

#endif /* LANG_EXCEPTIONS_H */
