/*
 * objects/protocol.c -- len, getitem, setitem and delitem for any object
 * (objects/protocol.h).
 *
 * A built-in container is recognised by its type id and handed to its own
 * function (rc_list_get, rc_dict_set, ...), so there is one piece of code
 * per container operation and the generic call adds only the dispatch.
 * Any other type goes through its slot, counted as one level of recursion
 * as generic.c counts the hash, equal and repr slots: a client's getitem
 * may call rc_object_getitem on its children, and a structure nested
 * deeper than the limit then fails with RC_ERECURSION instead of
 * overflowing the stack. The built-in containers' operations do not
 * recurse into items, so they are not counted.
 */
#include "objects/protocol.h"
#include "objects/bytes.h"
#include "objects/dict.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/object_internal.h"
#include "objects/set.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "runtime/recursion_internal.h"

/* The preconditions every call shares: RC_OK, or the status it fails with. */
static rc_status check_args(const char *fn, const void *a, const void *b) {
    if (RC_UNLIKELY(!rci_may_touch()))
        return rci_state_error(fn);
    if (!a || !b)
        return rc_error_set(RC_EVALUE, "%s: NULL argument", fn);
    return RC_OK;
}

/* A slot's status: a negative result must be the error it set. A slot
 * that broke that contract (a status with no error, or a made-up negative
 * number) is reported as such, rather than handing on a failure with no
 * message or the previous call's. */
static rc_status slot_status(const rc_object *o, const char *slot, int64_t r) {
    if (RC_LIKELY(r >= 0 || (int64_t)rc_error_code() == r))
        return r >= 0 ? RC_OK : (rc_status)r;
    return rc_error_set(RC_EVALUE, "the %s slot of '%s' failed (%lld) without setting the error",
                        slot, o->type->name, (long long)r);
}

rc_status rc_object_length(rc_object *o, int64_t *out) {
    rc_status st = check_args("rc_object_length", o, out);
    if (st != RC_OK)
        return st;
    int64_t n;
    switch (o->type->id) {
    case RCI_TYPE_ID_LIST: n = rc_list_size(o); break;
    case RCI_TYPE_ID_TUPLE: n = rc_tuple_size(o); break;
    case RCI_TYPE_ID_DICT: n = rc_dict_size(o); break;
    case RCI_TYPE_ID_SET: n = rc_set_size(o); break;
    case RCI_TYPE_ID_STR: n = rc_str_length(o); break;
    case RCI_TYPE_ID_BYTES: n = rc_bytes_size(o); break;
    default:
        if (!o->type->length)
            return rc_error_set(RC_ETYPE, "object of type '%s' has no len()", o->type->name);
        if ((st = rci_recursion_enter(" while getting the length of an object")) != RC_OK)
            return st;
        n = o->type->length(o);
        rci_recursion_leave();
        if ((st = slot_status(o, "length", n)) != RC_OK)
            return st;
    }
    if (n < 0) /* a built-in's size function failed: its status, error set */
        return (rc_status)n;
    *out = n;
    return RC_OK;
}

/* key as an index into a list or tuple o. */
static rc_status index_of(rc_object *o, rc_object *key, int64_t *out) {
    if (!rc_int_check(key))
        return rc_error_set(RC_ETYPE, "%s indices must be integers, not %s", o->type->name,
                            key->type->name);
    return rc_int_as_i64(key, out);
}

rc_object *rc_object_getitem(rc_object *o, rc_object *key) {
    if (check_args("rc_object_getitem", o, key) != RC_OK)
        return NULL;
    int64_t i;
    switch (o->type->id) {
    case RCI_TYPE_ID_LIST:
        return index_of(o, key, &i) == RC_OK ? rc_list_get(o, i) : NULL;
    case RCI_TYPE_ID_TUPLE: {
        rc_object *item = index_of(o, key, &i) == RC_OK ? rc_tuple_get(o, i) : NULL;
        return item ? rc_newref(item) : NULL;
    }
    case RCI_TYPE_ID_DICT:
        return rc_dict_get(o, key);
    default:
        break;
    }
    if (!o->type->getitem)
        return rci_error_null(RC_ETYPE, "'%s' object is not subscriptable", o->type->name);
    if (rci_recursion_enter(" while getting an item of an object") != RC_OK)
        return NULL;
    rc_object *r = o->type->getitem(o, key);
    rci_recursion_leave();
    if (!r && rc_error_code() == RC_OK) /* a slot that broke its contract */
        rc_error_set(RC_EVALUE, "the getitem slot of '%s' failed without setting the error",
                     o->type->name);
    return r;
}

/* The setitem slot for value (NULL: delete); what names the operation in
 * the message when the type has none. */
static rc_status call_setitem(rc_object *o, rc_object *key, rc_object *value, const char *missing) {
    if (!o->type->setitem)
        return rc_error_set(RC_ETYPE, "'%s' object %s", o->type->name, missing);
    rc_status st = rci_recursion_enter(" while setting an item of an object");
    if (st != RC_OK)
        return st;
    st = o->type->setitem(o, key, value);
    rci_recursion_leave();
    return slot_status(o, "setitem", st);
}

rc_status rc_object_setitem(rc_object *o, rc_object *key, rc_object *value) {
    rc_status st = check_args("rc_object_setitem", o, key);
    if (st != RC_OK)
        return st;
    if (!value)
        return rc_error_set(RC_EVALUE, "rc_object_setitem: NULL value (use rc_object_delitem)");
    int64_t i;
    switch (o->type->id) {
    case RCI_TYPE_ID_LIST:
        return (st = index_of(o, key, &i)) == RC_OK ? rc_list_set(o, i, value) : st;
    case RCI_TYPE_ID_DICT:
        return rc_dict_set(o, key, value);
    default:
        return call_setitem(o, key, value, "does not support item assignment");
    }
}

rc_status rc_object_delitem(rc_object *o, rc_object *key) {
    rc_status st = check_args("rc_object_delitem", o, key);
    if (st != RC_OK)
        return st;
    int64_t i;
    switch (o->type->id) {
    case RCI_TYPE_ID_LIST: {
        rc_object *item = (st = index_of(o, key, &i)) == RC_OK ? rc_list_pop(o, i) : NULL;
        if (!item)
            return st != RC_OK ? st : rc_error_code();
        rc_decref(item);
        return RC_OK;
    }
    case RCI_TYPE_ID_DICT:
        return rc_dict_delete(o, key);
    default:
        return call_setitem(o, key, NULL, "doesn't support item deletion");
    }
}
