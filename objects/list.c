/*
 * objects/list.c -- mutable sequences.
 *
 * Layout (rci_list, object_internal.h): the header, a pointer to a separate
 * array of `capacity` slots, and `size`, the number of slots in use. Slots
 * [0, size) hold strong references; the rest are garbage.
 *
 * Locking. Every operation that changes a list runs inside the list's
 * object lock (rcs_lock), which compiles to nothing under the GIL and is a
 * real lock under the free-threaded strategies; operations on two lists
 * take both with rcs_lock2, which orders them by address. No object code
 * runs under a list's lock: an item whose reference the list drops is
 * collected under the lock and decref'd after the unlock, because its
 * dealloc may do anything, including touching this list again.
 *
 * Reading without the lock (where the strategy has RCS_LOCKFREE_READS):
 * rc_list_get loads the array, the item in it, takes a reference only if
 * the item is still alive (rcs_try_incref), and checks that the slot still
 * holds it and the array is still the list's; anything else falls back to
 * the locked path. For that, writers keep these invariants:
 *   - slots, `size` and `items` are written with atomic stores (slots and
 *     `items` with release, so a reader that sees a pointer sees what it
 *     points to filled in); a shift (insert, pop) moves slot by slot, never
 *     with memmove, so a reader never sees a torn pointer;
 *   - a slot at or past `size` holds NULL (a new array is zeroed, a popped
 *     slot cleared), so a stale index never finds the address of an object
 *     that died and whose memory now holds another;
 *   - an array that was ever published is freed through rcs_retire, unless
 *     no other thread can be reading it: a reader other than the list's
 *     owner first marks the list shared (rci_lockfree_read_begin), and the
 *     owner frees at once what it replaces in a list with no mark
 *     (objects/object_internal.h, "the shared mark");
 *   - an item's memory stays object memory (runtime/memory.c).
 * rc_list_size reads `size` with an atomic load and no lock: a snapshot.
 *
 * Growth. The array never grows in place. A larger one is allocated, the
 * slots copied, the new array published and the old one freed: at once
 * where no other thread can be reading it, else through rcs_retire, once no
 * lock-free reader can still be looking at it. Capacity grows by half plus
 * 4, so appends are amortised O(1).
 * Allocating first and publishing only on success is also what keeps a
 * list unchanged on RC_ENOMEM.
 */
#include <stddef.h>
#include <string.h>

#include "objects/dict.h"
#include "objects/list.h"
#include "objects/object_internal.h"
#include "objects/str.h"
#include "objects/tuple.h"

/* The most slots whose byte size fits in a ptrdiff_t. */
#define LIST_MAX_SIZE ((int64_t)(PTRDIFF_MAX / sizeof(rc_object *)))

static inline rci_list *as_list(rc_object *o) {
    return (rci_list *)o;
}

bool rc_list_check(const rc_object *o) {
    return o && o->type == &rc_list_type;
}

/* ---- errors and indexes -------------------------------------------------- */

/* Every entry point takes this branch when the thread may not touch
 * objects (rci_may_touch), or when l is NULL or not a list: it checks them
 * in that order and sets the error. */
static rc_status list_type_error(const char *fn, const rc_object *o) {
    if (!rci_may_touch())
        return rci_state_error(fn);
    if (!o)
        return rc_error_set(RC_EVALUE, "%s: NULL list", fn);
    return rc_error_set(RC_ETYPE, "%s: expected a list, got %s", fn, o->type->name);
}

/* The error for a bad (list, item) pair: l is not a list, or item is NULL. */
static rc_status list_args_error(const char *fn, const rc_object *l) {
    if (!rci_may_touch() || !rc_list_check(l))
        return list_type_error(fn, l);
    return rc_error_set(RC_EVALUE, "%s: NULL item", fn);
}

static rc_status list_index_error(const char *fn, int64_t i, int64_t size) {
    return rc_error_set(RC_EINDEX, "%s: index %lld out of range for a list of size %lld", fn,
                     (long long)i, (long long)size);
}

/* Turns a possibly negative index into a slot number; false if out of range. */
static inline bool list_index(int64_t size, int64_t *i) {
    if (*i < 0)
        *i += size;
    return *i >= 0 && *i < size;
}

/* Python's slice-bound clamping: negative counts from the end, then into
 * [0, size]. */
static int64_t list_clamp(int64_t i, int64_t size) {
    if (i < 0) {
        i += size;
        return i < 0 ? 0 : i;
    }
    return i > size ? size : i;
}

/* ---- the items array -----------------------------------------------------
 * An array carries its capacity in the word before its first slot, so that
 * whoever frees it, possibly later through rcs_retire, knows its size and
 * can give small ones to the per-thread block cache; a lock-free reader can
 * also bounds-check against the array it actually loaded. */

typedef struct list_array {
    int64_t capacity;
    rc_object *items[];
} list_array;

static inline size_t list_array_bytes(int64_t cap) {
    return sizeof(list_array) + (size_t)cap * sizeof(rc_object *);
}

/* Returns the first slot of a new array of cap slots, all NULL, or NULL
 * (RC_ENOMEM). */
static rc_object **list_array_new(int64_t cap) {
    list_array *a = rci_mem_alloc_block(list_array_bytes(cap), RCI_BLOCK_DATA);
    if (!a)
        return NULL;
    a->capacity = cap;
    /* slots past size hold NULL (invariant above) */
    memset(a->items, 0, (size_t)cap * sizeof(rc_object *));
    return a->items;
}

static inline int64_t list_array_capacity(rc_object *const *items) {
    return ((const list_array *)(const void *)((const char *)items -
                                               offsetof(list_array, items)))->capacity;
}

/* Frees an array given its first slot (NULL: nothing). */
static void list_array_free(void *items) {
    if (!items)
        return;
    list_array *a = (list_array *)((char *)items - offsetof(list_array, items));
    rci_mem_free_block(a, list_array_bytes(a->capacity), RCI_BLOCK_DATA);
}

/* An array that was published and has just been replaced: freed at once
 * if no other thread can be reading it (`at_once`, decided under the lock
 * by rci_unpublished_is_private), else once no lock-free reader can still
 * hold it (rcs_retire_sized, so that the bytes held back are bounded). */
static void list_array_release(rc_object **items, bool at_once) {
    if (items)
        rci_buffer_release(at_once, items, list_array_bytes(list_array_capacity(items)),
                           list_array_free);
}

/* The writes a lock-free reader may race with (pre: the lock is held). */
static inline void slot_store(rc_object **slot, rc_object *item) {
    rcs_store_shared_ptr((void **)slot, item);
}

static inline void size_store(rci_list *self, int64_t size) {
    rcs_shared_store(&self->size, size, memory_order_relaxed);
}

static inline int64_t size_load(rci_list *self) {
    return rcs_shared_load(&self->size, memory_order_relaxed);
}

/* Moves n slots from src to dst one pointer at a time, in the direction
 * that is safe for overlapping ranges. */
static void slots_move(rc_object **dst, rc_object **src, int64_t n) {
    if (dst < src)
        for (int64_t k = 0; k < n; k++)
            slot_store(dst + k, src[k]);
    else
        for (int64_t k = n - 1; k >= 0; k--)
            slot_store(dst + k, src[k]);
}

/* Replaces the array by one of at least `need` slots. pre: locked. On
 * failure (RC_ENOMEM, error set) the list is unchanged. */
static RC_NOINLINE rc_status list_grow(rci_list *self, int64_t need) {
    if (need > LIST_MAX_SIZE)
        return rc_error_set(RC_ENOMEM, "list too large (%lld items)", (long long)need);
    int64_t cap = self->capacity + self->capacity / 2 + 4;
    if (cap < need || cap > LIST_MAX_SIZE)
        cap = need;
    rc_object **items = list_array_new(cap);
    if (!items)
        return RC_ENOMEM;
    rc_object **old = self->items;
    if (self->size) /* not yet published: a plain copy */
        memcpy(items, old, (size_t)self->size * sizeof *items);
    rcs_store_shared_ptr((void **)&self->items, items);
    self->capacity = cap;
    /* Another thread's lock-free read may still hold it, unless the list
     * is private to this thread (object_internal.h, "the shared mark"). */
    list_array_release(old, rci_unpublished_is_private(&self->base));
    return RC_OK;
}

/* Ensures room for `need` slots. pre: locked. */
static inline rc_status list_reserve(rci_list *self, int64_t need) {
    return need <= self->capacity ? RC_OK : list_grow(self, need);
}

/* Appends n items, taking a new reference to each. pre: locked, and room
 * for n more (list_reserve). src may be self's own array. */
static void list_copy_in(rci_list *self, rc_object *const *src, int64_t n) {
    if (n == 0)
        return; /* self->items may still be NULL */
    rc_object **dst = self->items + self->size;
    for (int64_t i = 0; i < n; i++)
        slot_store(dst + i, rc_newref(src[i]));
    size_store(self, self->size + n);
}

/* The lock-free read: a new reference to slot `index` (pre: 0 <= index),
 * or NULL (no error set) where it cannot tell without the lock: the slot
 * is past the array or empty, the item is dying, or the list changed under
 * the read. The checks after the try-incref make the answer true of one
 * moment: the array was still the list's (arrays are never reused while
 * published) and its slot still held the item, which our reference now
 * keeps alive, so it cannot be another object at the same address. */
static rc_object *list_get_lockfree(rci_list *self, int64_t index, bool count) {
    rc_object **items = rcs_load_shared_ptr((void *const *)&self->items);
    if (!items || index >= list_array_capacity(items))
        return NULL;
    rc_object *item = rcs_load_shared_ptr((void *const *)&items[index]);
    /* A borrowed read (count false) takes no reference: the open borrow
     * window keeps any item it loads alive (runtime/borrow.c). */
    if (!item || (count && !rcs_try_incref(&item->rc)))
        return NULL;
    if (rcs_load_shared_ptr((void *const *)&items[index]) != item ||
        rcs_load_shared_ptr((void *const *)&self->items) != items) {
        if (count)
            rc_decref(item);
        return NULL;
    }
    return item;
}

/* Returns: a new reference to item i, or NULL (no error set) if i is out of
 * range. For walks that must not hold the lock between items. */
static rc_object *list_item_ref(rci_list *self, int64_t i) {
    rc_object *item = NULL;
    if (rci_lockfree_read_begin(&self->base) && i < size_load(self) &&
        (item = list_get_lockfree(self, i, true)))
        return item;
    rcs_lock(&self->base.rc);
    if (i < self->size)
        item = rc_newref(self->items[i]);
    rcs_unlock(&self->base.rc);
    return item;
}

/* ---- slots --------------------------------------------------------------- */

static void list_dealloc(rc_object *self) {
    rci_list *l = as_list(self);
    /* Items that die here are only queued by rci_dealloc's work list, so a
     * list nested a million deep is freed without recursion. */
    for (int64_t i = 0; i < l->size; i++)
        rc_decref(l->items[i]);
    /* No reader can reach a list whose last reference is gone: free now. */
    list_array_free(l->items);
}

/* Called with the world stopped (by the collector), so without the lock:
 * no other thread can run, and visit must not wait on a lock we hold. */
static int list_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    rci_list *l = as_list(self);
    for (int64_t i = 0; i < l->size; i++)
        RC_VISIT(l->items[i]);
    return 0;
}

static void list_clear(rc_object *self) {
    rci_list *l = as_list(self);
    rcs_lock(&self->rc);
    rc_object **items = l->items;
    int64_t n = l->size;
    rcs_store_shared_ptr((void **)&l->items, NULL);
    size_store(l, 0);
    l->capacity = 0;
    /* Decided under the lock; stays true: nobody can load it any more. */
    bool at_once = rci_unpublished_is_private(self);
    rcs_unlock(&self->rc);
    for (int64_t i = 0; i < n; i++)
        rc_decref(items[i]);
    list_array_release(items, at_once);
}

/* Item by item, each fetched under its list's lock and compared without
 * it (equality may run arbitrary code). A list changing meanwhile gives an
 * answer true of some moment, and never a crash. */
static int list_equal(rc_object *self, rc_object *other) {
    if (!rc_list_check(other))
        return 0;
    if (rc_list_size(self) != rc_list_size(other))
        return 0;
    for (int64_t i = 0;; i++) {
        rc_object *a = list_item_ref(as_list(self), i);
        rc_object *b = list_item_ref(as_list(other), i);
        if (!a || !b) {
            rc_xdecref(a);
            rc_xdecref(b);
            return !a && !b;
        }
        int r = rc_object_equal(a, b);
        rc_decref(a);
        rc_decref(b);
        if (r != 1)
            return r;
    }
}

/* ---- repr ------------------------------------------------------------------
 * A list's text is a snapshot tuple's text with square brackets: the
 * snapshot is taken under the lock, and the items' reprs (arbitrary code)
 * run after it is released. A list that contains itself shows as "[...]"
 * inside itself (rci_repr_enter, objects/object_internal.h). Every cycle
 * of built-in objects passes through a list, a dict or a client object,
 * so tuples need no such guard. */

/* Returns: a new tuple holding new references to the items, or NULL. */
static rc_object *list_snapshot(rci_list *self) {
    /* The tuple is made before the lock is taken: its allocation may run a
     * collection, whose finalizers may change this list (with the world
     * stopped, nobody takes locks). Retried if the size moved meanwhile. */
    for (;;) {
        int64_t n = size_load(self);
        rc_object *t = rc_tuple_new(n);
        if (!t)
            return NULL;
        rcs_lock(&self->base.rc);
        bool same = self->size == n;
        if (same) {
            rci_tuple *tt = (rci_tuple *)t;
            for (int64_t i = 0; i < n; i++)
                tt->items[i] = rc_newref(self->items[i]);
        }
        rcs_unlock(&self->base.rc);
        if (same)
            return t;
        rc_decref(t);
    }
}

/* The repr of a snapshot tuple, rebracketed: "(a,)" -> "[a]". */
static rc_object *list_repr(rc_object *self) {
    rci_repr_frame frame;
    if (!rci_repr_enter(&frame, self))
        return rc_str_from_cstr("[...]");
    rc_object *snap = list_snapshot(as_list(self));
    rc_object *text = snap ? rc_object_repr(snap) : NULL;
    rci_repr_leave(&frame);
    rc_object *r = text ? rci_repr_rebracket(text, '[', ']', rc_tuple_size(snap) == 1) : NULL;
    rc_xdecref(text);
    rc_xdecref(snap);
    return r;
}

rc_type rc_list_type = {
    .name = "list",
    .basicsize = sizeof(rci_list),
    .instance_size = rc_fixed_instance_size,
    .flags = RC_TYPE_GC,
    .dealloc = list_dealloc,
    .traverse = list_traverse,
    .clear = list_clear,
    .equal = list_equal,
    .repr = list_repr,
    .id = RCI_TYPE_ID_LIST,
};

/* ---- creation and size --------------------------------------------------- */

rc_object *rc_list_new(void) {
    rci_list *l = (rci_list *)rci_object_alloc(&rc_list_type, sizeof *l);
    if (!l)
        return NULL;
    l->items = NULL; /* no array until the first item */
    l->size = l->capacity = 0;
    l->lent = false;
    return &l->base;
}

int64_t rc_list_size(rc_object *l) {
    if (RC_UNLIKELY(!rci_may_touch() || !rc_list_check(l)))
        return list_type_error("rc_list_size", l);
    return size_load(as_list(l)); /* a snapshot: see the top of the file */
}

/* ---- adding items -------------------------------------------------------- */

/* The append fast path: the lock, one compare, one store. Takes over the
 * caller's reference to item, also on failure. */
static inline rc_status list_push_steal(rci_list *self, rc_object *item) {
    rc_status st = RC_OK;
    rcs_lock(&self->base.rc);
    if (RC_UNLIKELY(self->size == self->capacity))
        st = list_grow(self, self->size + 1);
    if (st == RC_OK) {
        slot_store(self->items + self->size, item);
        size_store(self, self->size + 1);
    }
    rcs_unlock(&self->base.rc);
    if (RC_UNLIKELY(st != RC_OK))
        rc_decref(item); /* after the unlock: it may run a dealloc */
    return st;
}

rc_status rc_list_append(rc_object *l, rc_object *item) {
    if (RC_UNLIKELY(!rci_may_touch() || !rc_list_check(l) || !item))
        return list_args_error("rc_list_append", l);
    /* The reference the list will own; on failure list_push_steal drops it,
     * which cannot free item: the caller still holds its own. */
    rc_incref(item);
    return list_push_steal(as_list(l), item);
}

rc_status rc_list_append_steal(rc_object *l, rc_object *item) {
    if (RC_UNLIKELY(!rci_may_touch()))
        return list_type_error("rc_list_append_steal", l); /* cannot drop item */
    if (RC_UNLIKELY(!rc_list_check(l) || !item)) {
        rc_status st = list_args_error("rc_list_append_steal", l);
        rc_xdecref(item);
        return st;
    }
    return list_push_steal(as_list(l), item);
}

rc_status rc_list_insert(rc_object *l, int64_t i, rc_object *item) {
    if (!rci_may_touch() || !rc_list_check(l) || !item)
        return list_args_error("rc_list_insert", l);
    rci_list *self = as_list(l);
    rcs_lock(&l->rc);
    rc_status st = list_reserve(self, self->size + 1);
    if (st == RC_OK) {
        int64_t at = list_clamp(i, self->size);
        slots_move(self->items + at + 1, self->items + at, self->size - at);
        slot_store(self->items + at, rc_newref(item));
        size_store(self, self->size + 1);
    }
    rcs_unlock(&l->rc);
    return st;
}

/* ---- extend -------------------------------------------------------------- */

/* From another list, or from l itself. Both locks are held while the
 * items are copied, so the result is a snapshot of src at one moment. */
static rc_status list_extend_list(rci_list *self, rci_list *src) {
    rc_status st;
    rcs_lock2(&self->base.rc, &src->base.rc);
    int64_t n = src->size; /* read before growing: src may be self */
    st = list_reserve(self, self->size + n);
    if (st == RC_OK)
        list_copy_in(self, src->items, n); /* src->items: the array after growth */
    rcs_unlock2(&self->base.rc, &src->base.rc);
    return st;
}

/* From a tuple: immutable once shared, so only self's lock is needed. */
static rc_status list_extend_tuple(rci_list *self, rci_tuple *src) {
    for (int64_t i = 0; i < src->size; i++)
        if (!src->items[i])
            return rc_error_set(RC_EVALUE, "rc_list_extend: tuple slot %lld is empty",
                             (long long)i);
    rcs_lock(&self->base.rc);
    rc_status st = list_reserve(self, self->size + src->size);
    if (st == RC_OK)
        list_copy_in(self, src->items, src->size);
    rcs_unlock(&self->base.rc);
    return st;
}

/* From a dict's keys. They are first gathered into a temporary list,
 * without self's lock: the dict's iteration takes the dict's own lock, and
 * holding two locks in an order nobody else agrees on could deadlock. */
static rc_status list_extend_dict(rci_list *self, rc_object *d) {
    rc_object *keys = rc_list_new();
    if (!keys)
        return RC_ENOMEM;
    uint64_t version = rci_dict_version(d);
    int64_t position = 0;
    rc_object *key;
    int r;
    while ((r = rci_dict_iter_next(d, &position, version, &key, NULL)) == 1)
        if ((r = rc_list_append_steal(keys, key)) != RC_OK)
            break;
    rc_status st = r < 0 ? (rc_status)r : list_extend_list(self, as_list(keys));
    rc_decref(keys);
    return st;
}

rc_status rc_list_extend(rc_object *l, rc_object *src) {
    if (!rci_may_touch() || !rc_list_check(l))
        return list_type_error("rc_list_extend", l);
    if (!src)
        return rc_error_set(RC_EVALUE, "rc_list_extend: NULL source");
    if (rc_list_check(src))
        return list_extend_list(as_list(l), as_list(src));
    if (rc_tuple_check(src))
        return list_extend_tuple(as_list(l), (rci_tuple *)src);
    if (rc_dict_check(src))
        return list_extend_dict(as_list(l), src);
    return rc_error_set(RC_ETYPE,
                     "rc_list_extend: expected a list, a tuple or a dict, got %s",
                     rc_object_type_name(src));
}

/* ---- reading and replacing ----------------------------------------------- */

/* rc_list_get (count true) and rc_list_get_borrowed (count false). */
static inline rc_object *list_get(rc_object *l, int64_t i, bool count, const char *fn) {
    if (RC_UNLIKELY(!rci_may_touch() || !rc_list_check(l))) {
        list_type_error(fn, l);
        return NULL;
    }
    rci_list *self = as_list(l);
    if (!count) {
        rci_lend(l, &self->lent);
        rci_borrow_window(rci_active);
    }
    rc_object *item = NULL;
    int64_t index = i, size;
    /* Lock-free for i >= 0 only: a negative index counts from a size that
     * the lock-free read could not confirm. */
    if (i >= 0 && rci_lockfree_read_begin(l) && i < size_load(self) &&
        (item = list_get_lockfree(self, i, count)))
        return item;
    rcs_lock(&l->rc);
    size = self->size;
    if (list_index(size, &index)) {
        item = self->items[index];
        if (count)
            rc_incref(item);
    }
    rcs_unlock(&l->rc);
    if (!item)
        list_index_error(fn, i, size);
    return item;
}

rc_object *rc_list_get(rc_object *l, int64_t i) {
    return list_get(l, i, true, "rc_list_get");
}

rc_object *rc_list_get_borrowed(rc_object *l, int64_t i) {
    return list_get(l, i, false, "rc_list_get_borrowed");
}

rc_status rc_list_set(rc_object *l, int64_t i, rc_object *item) {
    if (!rci_may_touch() || !rc_list_check(l) || !item)
        return list_args_error("rc_list_set", l);
    rci_list *self = as_list(l);
    rc_object *old = NULL;
    int64_t index = i, size;
    bool lent;
    if (rci_lock_for_removal(l, &self->lent, &lent) != RC_OK)
        return RC_ENOMEM;
    size = self->size;
    if (list_index(size, &index)) {
        old = self->items[index];
        slot_store(self->items + index, rc_newref(item));
    }
    rcs_unlock(&l->rc);
    if (!old)
        return list_index_error("rc_list_set", i, size);
    rci_drop_removed(lent, old); /* after the unlock: it may run a dealloc */
    return RC_OK;
}

rc_object *rc_list_pop(rc_object *l, int64_t i) {
    if (!rci_may_touch() || !rc_list_check(l)) {
        list_type_error("rc_list_pop", l);
        return NULL;
    }
    rci_list *self = as_list(l);
    rc_object *item = NULL;
    int64_t index = i, size;
    bool lent;
    if (rci_lock_for_removal(l, &self->lent, &lent) != RC_OK)
        return NULL;
    size = self->size;
    if (list_index(size, &index)) {
        item = self->items[index]; /* the list's reference */
        slots_move(self->items + index, self->items + index + 1, size - index - 1);
        slot_store(self->items + size - 1, NULL); /* past the end: NULL */
        size_store(self, size - 1);
    }
    rcs_unlock(&l->rc);
    if (!item) {
        list_index_error("rc_list_pop", i, size);
        return NULL;
    }
    if (!lent)
        return item; /* the list's reference, handed over */
    /* A lent list's reference is dropped later (another thread may be
     * reading the item borrowed); the caller gets a reference of its own. */
    rc_incref(item);
    rci_drop_removed(lent, item);
    return item;
}

/* ---- remove ---------------------------------------------------------------
 * Equality may run arbitrary code (a client's slot), so it never runs under
 * the lock: each item is fetched with a reference (list_item_ref) and
 * compared unlocked. The match is removed only if, under the lock, its slot
 * still holds it; otherwise the list changed meanwhile and the search
 * starts again, so the item removed is the first equal one of a moment. */

/* Removes slot i if it still holds item; returns whether it did. pre: the
 * lock is held (rci_lock_for_removal). The list's reference to item stays
 * for the caller to drop, after the unlock. */
static bool list_remove_at_if(rci_list *self, int64_t i, rc_object *item) {
    int64_t size = self->size;
    if (i >= size || self->items[i] != item)
        return false;
    slots_move(self->items + i, self->items + i + 1, size - i - 1);
    slot_store(self->items + size - 1, NULL); /* past the end: NULL */
    size_store(self, size - 1);
    return true;
}

rc_status rc_list_remove(rc_object *l, rc_object *item) {
    if (!rci_may_touch() || !rc_list_check(l) || !item)
        return list_args_error("rc_list_remove", l);
    rci_list *self = as_list(l);
    for (int64_t i = 0;; i++) {
        rc_object *x = list_item_ref(self, i);
        if (!x)
            return rci_key_error("rc_list_remove", item);
        int r = rc_object_equal(x, item);
        if (r == 1) {
            bool lent, removed;
            if (rci_lock_for_removal(l, &self->lent, &lent) != RC_OK) {
                rc_decref(x);
                return RC_ENOMEM;
            }
            removed = list_remove_at_if(self, i, x);
            rcs_unlock(&l->rc);
            if (removed)
                rci_drop_removed(lent, x); /* the list's reference */
            rc_decref(x);                  /* ours */
            if (removed)
                return RC_OK;
            i = -1; /* changed under the comparison: search again */
            continue;
        }
        rc_decref(x);
        if (r < 0)
            return (rc_status)r;
    }
}

/* ---- sort -------------------------------------------------------------------
 * The comparison may run arbitrary code, fail, or change the list, so it
 * never runs under the lock, and a failure must leave the list whole. The
 * sort works on a copy: it takes a snapshot of the items (with references,
 * under the lock), merge-sorts the copy unlocked, and writes the order back
 * under the lock only if the list still holds exactly the snapshot's items
 * in the snapshot's order; otherwise RC_ECHANGED. So the list is either
 * sorted or as it was, never a partial mix, and each slot store is atomic
 * for lock-free readers (each sees a slot's item before or after the sort).
 *
 * Merge sort, bottom-up: stable (of two equal items the left one is taken
 * first), n log n comparisons at most, no recursion. */

/* Merges the sorted runs src[lo, mid) and src[mid, hi) into dst[lo, hi).
 * Returns RC_OK or the comparison's error. */
static rc_status sort_merge(rc_object **dst, rc_object **src, int64_t lo, int64_t mid,
                            int64_t hi, rc_less_fn less, void *arg) {
    int64_t a = lo, b = mid, k = lo;
    while (a < mid && b < hi) {
        int r = less(src[b], src[a], arg); /* strictly less: stability */
        if (r < 0)
            return (rc_status)r;
        dst[k++] = r ? src[b++] : src[a++];
    }
    while (a < mid)
        dst[k++] = src[a++];
    while (b < hi)
        dst[k++] = src[b++];
    return RC_OK;
}

/* Sorts items[0, n) with the help of tmp (n slots). On success the sorted
 * order is in *out (items or tmp). */
static rc_status sort_items(rc_object **items, rc_object **tmp, int64_t n, rc_less_fn less,
                            void *arg, rc_object ***out) {
    rc_object **src = items, **dst = tmp;
    for (int64_t width = 1; width < n; width *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * width) {
            int64_t mid = lo + width < n ? lo + width : n;
            int64_t hi = mid + width < n ? mid + width : n;
            rc_status st = sort_merge(dst, src, lo, mid, hi, less, arg);
            if (st != RC_OK)
                return st;
        }
        rc_object **t = src;
        src = dst;
        dst = t;
    }
    *out = src;
    return RC_OK;
}

/* Writes `sorted` into the list if it still holds `snap` exactly; returns
 * whether it did. pre: locked. The items are the same set, so no count
 * changes. */
static bool sort_write_back(rci_list *self, rc_object *const *snap, rc_object *const *sorted,
                            int64_t n) {
    if (self->size != n)
        return false;
    for (int64_t i = 0; i < n; i++)
        if (self->items[i] != snap[i])
            return false;
    for (int64_t i = 0; i < n; i++)
        slot_store(self->items + i, sorted[i]);
    return true;
}

rc_status rc_list_sort(rc_object *l, rc_less_fn less, void *arg) {
    if (!rci_may_touch() || !rc_list_check(l))
        return list_type_error("rc_list_sort", l);
    if (!less)
        return rc_error_set(RC_EVALUE, "rc_list_sort: NULL comparison");
    rci_list *self = as_list(l);
    /* One block: the snapshot, the work copy, the merge buffer. Allocated
     * before the lock (its allocation may run a collection), and again if
     * the list grew meanwhile. */
    rc_object **snap = NULL;
    int64_t n;
    for (;;) {
        n = size_load(self);
        if (n < 2)
            return RC_OK; /* already sorted; nothing to compare */
        if (n > LIST_MAX_SIZE / 3)
            return rc_error_set(RC_ENOMEM, "rc_list_sort: list too large (%lld items)",
                                (long long)n);
        snap = rci_mem_alloc(3 * (size_t)n * sizeof *snap);
        if (!snap)
            return RC_ENOMEM;
        rcs_lock(&l->rc);
        bool same = self->size == n;
        if (same)
            for (int64_t i = 0; i < n; i++)
                snap[i] = snap[n + i] = rc_newref(self->items[i]);
        rcs_unlock(&l->rc);
        if (same)
            break;
        rci_mem_free(snap);
    }
    rc_object **sorted;
    rc_status st = sort_items(snap + n, snap + 2 * n, n, less, arg, &sorted);
    if (st == RC_OK) {
        rcs_lock(&l->rc);
        bool written = sort_write_back(self, snap, sorted, n);
        rcs_unlock(&l->rc);
        if (!written)
            st = rc_error_set(RC_ECHANGED, "rc_list_sort: the list changed during the sort");
    }
    for (int64_t i = 0; i < n; i++)
        rc_decref(snap[i]); /* after the unlock: the list may have dropped them */
    rci_mem_free(snap);
    return st;
}

rc_object *rc_list_slice(rc_object *l, int64_t start, int64_t stop) {
    if (!rci_may_touch() || !rc_list_check(l)) {
        list_type_error("rc_list_slice", l);
        return NULL;
    }
    rc_object *result = rc_list_new();
    if (!result)
        return NULL;
    rci_list *self = as_list(l), *r = as_list(result);
    rcs_lock(&l->rc);
    int64_t from = list_clamp(start, self->size), to = list_clamp(stop, self->size);
    int64_t n = to > from ? to - from : 0;
    /* result is not shared yet: it needs no lock of its own. */
    rc_status st = list_reserve(r, n);
    if (st == RC_OK && n > 0) /* an empty list's items may be NULL: NULL + 0 is undefined */
        list_copy_in(r, self->items + from, n);
    rcs_unlock(&l->rc);
    if (st != RC_OK) {
        rc_decref(result);
        return NULL;
    }
    return result;
}
