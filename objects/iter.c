/*
 * objects/iter.c -- iterating over lists, tuples and dicts.
 *
 * An rc_iter is a cursor on the caller's stack: the container (a reference
 * the iterator owns), a position, and for a dict the key-set version seen
 * at the start. Nothing is locked between two calls, so the caller may do
 * anything with the container meanwhile, including mutating it:
 *
 *   list   walked by index. Each step takes the list's lock just long enough
 *          to read slot `position` and take a reference to it, so an item
 *          is never handed out after another thread freed it. Appended
 *          items are seen; removals shift items under the cursor, which may
 *          then skip one, but never fail or read past the end.
 *   tuple  walked by index, without a lock: a shared tuple never changes.
 *   dict   delegated to rci_dict_iter_next, which checks the version and
 *          fails with RC_ECHANGED once a key was added or removed.
 */
#include "objects/iter.h"
#include "objects/dict.h"
#include "objects/list.h"
#include "objects/object_internal.h"
#include "objects/set.h"
#include "objects/tuple.h"

rc_status rc_iter_begin(rc_iter *it, rc_object *container) {
    if (!it)
        return rc_error_set(RC_EVALUE, "rc_iter_begin: NULL iterator");
    /* Ended first, so a failed begin leaves an iterator that is safe to
     * pass to rc_iter_next (which reports the end) and rc_iter_end. */
    it->container = NULL;
    it->position = 0;
    it->version = 0;
    if (RC_UNLIKELY(!rci_may_touch()))
        return rci_state_error("rc_iter_begin");
    if (!container)
        return rc_error_set(RC_EVALUE, "rc_iter_begin: NULL container");
    if (rc_dict_check(container) || rc_set_check(container))
        it->version = rci_dict_version(container);
    else if (!rc_list_check(container) && !rc_tuple_check(container))
        return rc_error_set(RC_ETYPE,
                         "rc_iter_begin: expected a list, a tuple, a dict or a set, got %s",
                         rc_object_type_name(container));
    it->container = rc_newref(container);
    return RC_OK;
}

/* The next list item, a new reference, or NULL at the end. */
static rc_object *iter_list_next(rc_iter *it) {
    rci_list *l = (rci_list *)it->container;
    rc_object *item = NULL;
    rcs_lock(&l->base.rc);
    if (it->position < l->size)
        item = rc_newref(l->items[it->position++]);
    rcs_unlock(&l->base.rc);
    return item;
}

/* The next filled tuple slot, a new reference, or NULL at the end. Empty
 * slots (only a cleared tuple has them) are skipped. */
static rc_object *iter_tuple_next(rc_iter *it) {
    rci_tuple *t = (rci_tuple *)it->container;
    while (it->position < t->size) {
        rc_object *item = t->items[it->position++];
        if (item)
            return rc_newref(item);
    }
    return NULL;
}

int rc_iter_next(rc_iter *it, rc_object **item) {
    if (RC_UNLIKELY(!rci_may_touch()))
        return rci_state_error("rc_iter_next");
    if (!it || !item)
        return rc_error_set(RC_EVALUE, "rc_iter_next: NULL argument");
    *item = NULL;
    rc_object *c = it->container;
    if (!c)
        return 0; /* ended */
    if (rc_dict_check(c) || rc_set_check(c)) /* a set's elements: its table's keys */
        return rci_dict_iter_next(c, &it->position, it->version, item, NULL);
    *item = rc_list_check(c) ? iter_list_next(it) : iter_tuple_next(it);
    return *item != NULL;
}

int rc_iter_next_item(rc_iter *it, rc_object **key, rc_object **value) {
    if (RC_UNLIKELY(!rci_may_touch()))
        return rci_state_error("rc_iter_next_item");
    if (!it || !key || !value)
        return rc_error_set(RC_EVALUE, "rc_iter_next_item: NULL argument");
    *key = *value = NULL;
    rc_object *c = it->container;
    if (!c)
        return 0; /* ended */
    if (!rc_dict_check(c))
        return rc_error_set(RC_ETYPE,
                         "rc_iter_next_item: expected an iterator over a dict, "
                         "got one over a %s",
                         rc_object_type_name(c));
    return rci_dict_iter_next(c, &it->position, it->version, key, value);
}

void rc_iter_end(rc_iter *it) {
    if (it)
        rc_clear_ref(&it->container);
}
