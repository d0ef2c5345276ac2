/*
 * objects/set.c -- sets, on the dict's hash table.
 *
 * A set is an object of the dict's layout (rci_table, object_internal.h)
 * and of its own type, whose every value is None. So a set gets the dict's
 * hashing, probing, resizing, lock-free membership test, iteration and
 * collector slots from objects/dict.c, through the rci_table_* calls,
 * instead of a second hash table to keep correct under four strategies.
 * The price is one unused value pointer per element (None, immortal, so
 * storing it costs no count); CPython's separate set table saves it, and
 * can be had later without changing this header.
 *
 * What is a set's own: its type, its equality (same elements) and its repr
 * ({1, 2}, or set() when empty). Neither runs under the set's lock: both
 * work on a snapshot of the elements.
 */
#include <string.h>

#include "objects/bool.h"
#include "objects/list.h"
#include "objects/object_internal.h"
#include "objects/set.h"
#include "objects/str.h"

bool rc_set_check(const rc_object *o) {
    return o && o->type == &rc_set_type;
}

rc_object *rc_set_new(void) {
    return rci_table_new(&rc_set_type);
}

int64_t rc_set_size(rc_object *s) {
    return rci_table_size(s, &rc_set_type, "rc_set_size");
}

rc_status rc_set_add(rc_object *s, rc_object *key) {
    /* rci_table_set keeps an equal key already there and replaces its
     * value, None by None: the element stays. */
    return rci_table_set(s, &rc_set_type, key, rc_none() /* immortal: no reference to drop */, "rc_set_add");
}

int rc_set_discard(rc_object *s, rc_object *key) {
    return rci_table_delete(s, &rc_set_type, key, "rc_set_discard");
}

int rc_set_contains(rc_object *s, rc_object *key) {
    return rci_table_contains(s, &rc_set_type, key, "rc_set_contains");
}

/* Same size, and every element of self is in other. */
static int set_equal(rc_object *self, rc_object *other) {
    if (!rc_set_check(other))
        return 0;
    if (rc_set_size(self) != rc_set_size(other))
        return 0;
    rc_object *keys = rci_table_keys(self, &rc_set_type, "set equality");
    if (!keys)
        return rc_error_code();
    int result = 1;
    for (int64_t i = 0; result == 1 && i < rc_list_size(keys); i++) {
        rc_object *k = rc_list_get(keys, i);
        result = k ? rc_set_contains(other, k) : rc_error_code();
        rc_xdecref(k);
    }
    rc_decref(keys);
    return result;
}

/* The repr of the set's keys (a list) with braces for brackets, or
 * "set()" when empty. A set can hold a client object whose repr shows the
 * set again (its identity hash makes it a key): inside itself the set
 * shows as "set(...)", as in CPython (rci_repr_enter). */
static rc_object *set_repr(rc_object *self) {
    rci_repr_frame frame;
    if (!rci_repr_enter(&frame, self))
        return rc_str_from_cstr("set(...)");
    rc_object *keys = rci_table_keys(self, &rc_set_type, "set repr");
    rc_object *text = keys && rc_list_size(keys) > 0 ? rc_object_repr(keys) : NULL;
    rci_repr_leave(&frame);
    rc_object *r = NULL;
    if (keys && rc_list_size(keys) == 0)
        r = rc_str_from_cstr("set()");
    else if (text)
        r = rci_repr_rebracket(text, '{', '}', 0);
    rc_xdecref(text);
    rc_xdecref(keys);
    return r;
}

rc_type rc_set_type = {
    .name = "set",
    .basicsize = sizeof(rci_table),
    .instance_size = rc_fixed_instance_size,
    .flags = RC_TYPE_GC, /* a client element may refer back to the set */
    .dealloc = rci_table_dealloc,
    .traverse = rci_table_traverse,
    .clear = rci_table_clear,
    .equal = set_equal,
    .repr = set_repr,
    .id = RCI_TYPE_ID_SET,
};
