/*
 * objects/exception.h -- errors as objects.
 *
 * refcore reports an error as a status and a message in a per-thread slot
 * (runtime/error.h): cheap, and enough for a C caller that handles it at
 * once. A language on refcore needs more: an error it can keep, pass
 * around, store in a variable, chain to another and raise again later. An
 * exception object is that: its kind (an rc_status code, a name the host
 * chooses, and optionally a host object such as a language's class), a
 * message, an optional value (the missing key of a failed lookup, a
 * language's argument tuple), and a chain: cause (Python's __cause__, set by
 * `raise X from Y`) and context (__context__, the exception being handled
 * when this one was raised).
 *
 * The slot and the object meet in two calls: rc_exception_fetch turns the
 * thread's current error into an object (and clears the slot), and
 * rc_exception_raise writes an object's code and message back into the
 * slot, so that code which reads the slot (rc_error_code, rc_error_message)
 * sees it. The slot itself holds no reference to any object: it must stay
 * writable from any thread, attached or not, without allocating. A host
 * that raises an object and wants the same object back where it is caught
 * keeps it itself (refpy keeps it in its thread state, lang/exceptions.c).
 *
 * A failed lookup's key: a dict miss is an ordinary outcome, so
 * rc_dict_get records it without taking a reference to the key or making
 * any object (runtime/error.c). The key becomes part of an exception only
 * when the host makes one: rc_exception_fetch takes it as its value
 * argument, from the caller, which still holds the key it looked up. A miss
 * nobody turns into an exception costs what it did before.
 *
 * Ownership: every object argument is borrowed; the exception takes its own
 * references. Getters of the fixed parts (name, kind, message, value) lend
 * them (borrowed, valid while the caller holds the exception: they never
 * change). cause and context may change after the exception is made, so
 * their getters return new references.
 *
 * Threads: code, name, kind, message and value are written once, before
 * the exception is returned, so any number of threads may read them with
 * no lock. cause and context are read and replaced inside the exception's
 * critical section, so threads may set and read them at once. The chain
 * may form a cycle (`raise a from b` then `raise b from a`): the type is
 * collected (RC_TYPE_GC).
 *
 * Its repr is Python's: Name(args) when value is a tuple (a host keeping
 * the arguments it was made with there, as Python's args), else
 * Name('message'). It is equal only to itself, and hashed by identity.
 *
 * Every function fails with RC_ESTATE when the calling thread is not
 * attached or is inside the release region; with RC_EVALUE for a NULL
 * exception and RC_ETYPE for an object that is not one.
 */
#ifndef RC_OBJECTS_EXCEPTION_H
#define RC_OBJECTS_EXCEPTION_H

#include <stdbool.h>

#include "objects/object.h"

extern rc_type rc_exception_type;

/* Returns: a new reference to an exception, or NULL.
 *   code:    its status, < 0 (RC_OK is no error: RC_EVALUE).
 *   name:    a str naming its kind ("KeyError"), or NULL for the status's
 *            name (rc_status_name: "RC_EKEY").
 *   kind:    any host object that says what it is (refpy: its exception
 *            class), or NULL for none.
 *   message: a str, or NULL for "".
 *   value:   any object, or NULL for none.
 * Errors: RC_EVALUE for code >= 0; RC_ETYPE for a name or message that is
 * not a str; RC_ENOMEM. */
rc_object *rc_exception_new(rc_status code, rc_object *name, rc_object *kind, rc_object *message,
                            rc_object *value);

/* The thread's current error as an exception: the slot's code and message
 * (rc_error_code, rc_error_message), name and kind left to their defaults,
 * and value (borrowed, may be NULL): what the host knows about the error
 * that the slot cannot hold, such as the key of a failed lookup. Clears the
 * slot on success (the error now lives in the object, as Python's
 * PyErr_Fetch). Returns: a new reference, or NULL: RC_ESTATE "no error to
 * fetch" when the slot holds RC_OK; RC_ENOMEM, which replaces the error in
 * the slot. */
rc_object *rc_exception_fetch(rc_object *value);

/* Makes e the thread's current error: its code and message go into the
 * slot (the message cut at 255 bytes, as rc_error_set cuts). Returns e's
 * code (< 0), so a function can `return rc_exception_raise(e);`; or, for
 * misuse, RC_EVALUE / RC_ETYPE / RC_ESTATE with that error in the slot.
 * Takes no reference to e (see the top of this file). */
rc_status rc_exception_raise(rc_object *e);

bool rc_exception_check(const rc_object *o);

/* e's status (< 0); for misuse the error's status, set in the slot (an
 * exception never holds those from misuse of itself: call rc_exception_check
 * first to tell them apart). */
rc_status rc_exception_code(rc_object *e);

/* Borrowed (see the top): the name (a str), the message (a str), the kind
 * and value (None when it has none). NULL only for misuse. */
rc_object *rc_exception_name(rc_object *e);
rc_object *rc_exception_message(rc_object *e);
rc_object *rc_exception_kind(rc_object *e);
rc_object *rc_exception_value(rc_object *e);

/* New references: the cause and the context (None when unset). NULL only
 * for misuse. */
rc_object *rc_exception_cause(rc_object *e);
rc_object *rc_exception_context(rc_object *e);

/* Sets the cause / the context to x (borrowed): an exception, or None (or
 * NULL) to unset it. Setting the cause is what `raise e from x` does; it
 * does not touch the context. Errors: RC_ETYPE for an x that is neither.
 * The old one is dropped after the critical section ends. */
rc_status rc_exception_set_cause(rc_object *e, rc_object *x);
rc_status rc_exception_set_context(rc_object *e, rc_object *x);

#endif /* RC_OBJECTS_EXCEPTION_H */
