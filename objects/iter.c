/*
 * objects/iter.c -- iterating over lists, tuples, dicts, sets and client
 * iterables.
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
 *   client any other object whose type has an iter or a next slot: the
 *          iterator holds the iterator object the iter slot made (or the
 *          object itself, for a type with only next) in place of a
 *          container, and each step calls its next slot. The built-in
 *          containers have neither slot, so the type id alone tells the
 *          cases apart.
 */
#include "objects/iter.h"
#include "objects/dict.h"
#include "objects/list.h"
#include "objects/object_internal.h"
#include "objects/set.h"
#include "objects/tuple.h"
#include "runtime/recursion_internal.h"

/* A client iterable: its iterator (from the iter slot, or the object
 * itself when its type has only a next slot), a new reference whose type
 * has a next slot, or NULL with the error set. */
static rc_object *client_iterator(rc_object *container) {
    const rc_type *t = container->type;
    if (!t->iter)
        return rc_newref(container); /* t->next is set: its own iterator */
    if (rci_recursion_enter(" while starting an iteration") != RC_OK)
        return NULL;
    rc_object *r = t->iter(container);
    rci_recursion_leave();
    if (!r) {
        if (rc_error_code() == RC_OK) /* a slot that broke its contract */
            rc_error_set(RC_EVALUE, "the iter slot of '%s' failed without setting the error",
                         t->name);
        return NULL;
    }
    if (!r->type->next) { /* Python's check on what __iter__ returned */
        rc_error_set(RC_ETYPE, "iter() returned non-iterator of type '%s'", r->type->name);
        rc_decref(r);
        return NULL;
    }
    return r;
}

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
    switch (container->type->id) {
    case RCI_TYPE_ID_DICT:
    case RCI_TYPE_ID_SET:
        it->version = rci_dict_version(container);
        /* fall through */
    case RCI_TYPE_ID_LIST:
    case RCI_TYPE_ID_TUPLE:
        it->container = rc_newref(container);
        return RC_OK;
    default:
        break;
    }
    if (!container->type->iter && !container->type->next)
        return rc_error_set(RC_ETYPE, "'%s' object is not iterable", container->type->name);
    it->container = client_iterator(container);
    return it->container ? RC_OK : rc_error_code();
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

/* The next item from a client iterator's next slot. The iterator is not
 * ended at its end or on an error: rc_iter_end drops it, as it drops a
 * container, and the slot should go on returning 0 if asked again. */
static RC_NOINLINE int iter_client_next(rc_object *c, rc_object **item) {
    rc_status st = rci_recursion_enter(" while iterating");
    if (st != RC_OK)
        return st;
    int r = c->type->next(c, item);
    rci_recursion_leave();
    if (r <= 0)
        rc_clear_ref(item); /* a slot that ended or failed with an item: not handed on */
    if (r > 0 && !*item) /* a slot that broke its contract */
        r = rc_error_set(RC_EVALUE, "the next slot of '%s' gave no item", c->type->name);
    else if (r < 0 && rc_error_code() == RC_OK)
        r = rc_error_set(RC_EVALUE, "the next slot of '%s' failed without setting the error",
                         c->type->name);
    return r > 0 ? 1 : r;
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
    switch (c->type->id) { /* one load and one jump: the list's walk costs no more */
    case RCI_TYPE_ID_LIST:
        *item = iter_list_next(it);
        return *item != NULL;
    case RCI_TYPE_ID_TUPLE:
        *item = iter_tuple_next(it);
        return *item != NULL;
    case RCI_TYPE_ID_DICT:
    case RCI_TYPE_ID_SET: /* a set's elements: its table's keys */
        return rci_dict_iter_next(c, &it->position, it->version, item, NULL);
    default:
        return iter_client_next(c, item);
    }
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
