/*
 * objects/protocol.h -- the generic container operations: len(o), o[key],
 * o[key] = value and del o[key] for any object, the built-in containers
 * and client types alike.
 *
 *     int64_t n;
 *     if (rc_object_length(o, &n) != RC_OK) ... error ...
 *     rc_object *v = rc_object_getitem(o, key);   // a new reference, or NULL
 *
 * Each call does the work of the built-in container's own function when o
 * is one (rc_list_get, rc_dict_set, ...: the same results, errors and
 * thread safety), and otherwise calls the slot of o's type (struct
 * rc_type: length, getitem, setitem). A type without the slot fails with
 * RC_ETYPE and Python's message, naming the type. Iteration, the fourth
 * protocol, is rc_iter_begin / rc_iter_next (objects/iter.h), which call
 * the iter and next slots.
 *
 * Threads: for a built-in container each call is atomic, as the container
 * function it uses. For a client type the runtime takes no lock: the
 * call is as safe as the type's slot makes it.
 *
 * Every call fails with RC_ESTATE, touching nothing, when the calling
 * thread is not attached or is inside the release region, and with
 * RC_EVALUE for a NULL argument (value included: deleting is
 * rc_object_delitem). A client slot is one level of recursion
 * (runtime/recursion.h): RC_ERECURSION past the limit.
 */
#ifndef RC_OBJECTS_PROTOCOL_H
#define RC_OBJECTS_PROTOCOL_H

#include <stdint.h>

#include "objects/object.h"

/* len(o) into *out (>= 0). Built-ins: list, tuple, dict, set (their item
 * counts), str (code points, rc_str_length), bytes (bytes). Errors:
 * RC_ETYPE "object of type 'X' has no len()", and the slot's. */
rc_status rc_object_length(rc_object *o, int64_t *out);

/* o[key] (key borrowed). Returns: a new reference, or NULL with the error
 * set. Built-ins: list and tuple (key an int; a negative one counts from
 * the end; RC_EINDEX out of range; RC_ETYPE "list indices must be
 * integers, not X" otherwise), dict (RC_EKEY if absent). str and bytes indexing
 * is left to the host (what an item of text is, is the host's choice).
 * Errors: RC_ETYPE "'X' object is not subscriptable", and the slot's. */
rc_object *rc_object_getitem(rc_object *o, rc_object *key);

/* o[key] = value (both borrowed: o takes its own references). Built-ins:
 * list (an existing index, as rc_list_set), dict. Errors: RC_ETYPE "'X'
 * object does not support item assignment" (a tuple, a type without a
 * setitem slot), and those of the container or slot. */
rc_status rc_object_setitem(rc_object *o, rc_object *key, rc_object *value);

/* del o[key] (key borrowed). Built-ins: list (the item at an index, which
 * is dropped), dict (RC_EKEY if absent). Client types: the setitem slot
 * with value NULL. Errors: RC_ETYPE "'X' object doesn't support item
 * deletion", and those of the container or slot. */
rc_status rc_object_delitem(rc_object *o, rc_object *key);

#endif /* RC_OBJECTS_PROTOCOL_H */
