/*
 * objects/dict.c -- insertion-ordered hash tables, after CPython 3.6's
 * compact dict.
 *
 * A dict points to one table, a single allocation holding two arrays:
 *
 *   index[]    a power-of-two number of int32_t slots, each an entry
 *              number, IX_EMPTY (never used) or IX_DUMMY (its entry was
 *              deleted). Lookups probe it; it is at most 2/3 full.
 *   entries[]  {hash, key, value} in insertion order. Inserting appends;
 *              deleting sets key and value to NULL and the index slot to
 *              IX_DUMMY, so the order of the others never changes.
 *
 * Probing follows CPython's perturbation: i = (i*5 + perturb + 1) & mask,
 * with perturb starting at the hash and shifted right 5 bits each step.
 * The higher bits of the hash thus decide the path after a collision, so
 * ints (which hash to their value) that share their low bits still spread,
 * and since i*5+1 mod 2^k visits every slot once perturb is 0, a probe
 * always ends at an empty slot (there always is one: entries <= 2/3 slots).
 *
 * When the entries array is full, a new table is built from the live
 * entries alone (which also compacts away deleted ones), sized so that the
 * live keys fill at most a third of its slots. Tables are never changed in
 * size in place: the new one is published with rcs_store_shared_ptr and
 * the old one handed to rcs_retire, so a lock-free reader that still scans
 * the old table never reads freed memory; unless no other thread can be
 * scanning it: a reader other than the dict's owner first marks the dict
 * shared (rci_lockfree_read_begin), and the owner frees at once what it
 * replaces in a dict with no mark (objects/object_internal.h, "the shared
 * mark"). A table that has been replaced (or detached by a clear) is never
 * written again.
 *
 * Reading without the lock (where the strategy has RCS_LOCKFREE_READS):
 * rc_dict_get and rc_dict_contains first probe the table with no lock
 * (dict_find_lockfree). Writers store index slots and entry keys/values
 * with atomic stores (release: an index slot is published after its entry
 * is filled), and entries are append-only, so a deleted entry's key stays
 * NULL for the table's life. The reader compares only keys that run no
 * client code (identity, or two leaf built-ins), and takes a reference to
 * a stored key before it reads the key's fields, since another thread may
 * be deleting and freeing it (its memory stays object memory,
 * runtime/memory.c, so the try-incref itself is safe). It takes the value
 * with rcs_try_incref, then checks that the entry still holds that key and
 * value and the table is still the dict's: all three true at one moment is
 * a correct answer. Anything it cannot settle (a non-leaf key, a dying
 * value, a change under the read) falls back to the locked lookup.
 *
 * Locking. Every operation runs under the dict's object lock (free under
 * the GIL). Nothing that can run arbitrary code happens under it:
 *   - keys are hashed before the lock is taken;
 *   - rc_decref (which may run a dealloc slot) only after it is released:
 *     an operation detaches the old key/value first and drops it later;
 *   - comparing two keys of the leaf built-in types (None, bool, int,
 *     float, str) runs no client code, so it happens under the lock; any
 *     other comparison (tuples, client types) drops the lock around the
 *     call, holding a reference to the stored key, and restarts the lookup
 *     if the table or the key set changed meanwhile (CPython does the same
 *     when a client __eq__ mutates the dict).
 *
 * The version counts changes of the key set (a key added or removed; a
 * replaced value is not one). Iterators remember it and fail with
 * RC_ECHANGED when it moves, which also guards their entry position: a
 * table is only ever rebuilt when a key is added.
 */
#include <inttypes.h>
#include <string.h>

#include "objects/dict.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/object_internal.h"
#include "objects/set.h"
#include "objects/str.h"
#include "objects/tuple.h"

/* ---- layout ------------------------------------------------------------------ */

#define IX_EMPTY (-1)
#define IX_DUMMY (-2)
#define DICT_MIN_SLOTS 8
/* Entry numbers are int32_t: 2/3 of 2^30 slots is well below INT32_MAX. */
#define DICT_MAX_SLOTS ((int64_t)1 << 30)
#define PERTURB_SHIFT 5

typedef struct dict_entry {
    uint64_t hash;
    rc_object *key; /* a strong reference; NULL once deleted */
    rc_object *value;
} dict_entry;

/* The invariants: nentries <= usable = 2/3 of the slots, so at least a
 * third of the index is IX_EMPTY; every index slot >= 0 names an entry
 * whose key is not NULL; every live entry is named by exactly one slot. */
typedef struct dict_table {
    uint64_t mask;       /* index slots - 1 */
    int64_t usable;      /* the entries the table can hold */
    int64_t nentries;    /* entries appended so far, deleted ones included */
    dict_entry *entries; /* just after the index, in the same allocation */
    int32_t index[];     /* mask + 1 slots */
} dict_table;

_Static_assert(sizeof(dict_table) % sizeof(uint64_t) == 0,
               "the index must start 8-byte aligned");
_Static_assert(DICT_MIN_SLOTS * sizeof(int32_t) % sizeof(uint64_t) == 0,
               "the entries after the index must be 8-byte aligned");

/* The object (rci_table, object_internal.h, since objects/set.c allocates
 * sets of the same layout): `table` is the dict_table, or NULL until the
 * first insertion or after a clear; only dict_table_of and dict_publish
 * touch it. */
typedef rci_table dict_object;

static inline dict_object *as_dict(rc_object *o) {
    return (dict_object *)o;
}

static inline dict_table *dict_table_of(dict_object *d) {
    return rcs_load_shared_ptr(&d->table);
}

/* pre: the dict's lock is held. Release (where the strategy has readers
 * without the lock): a reader that sees the new table sees it filled. */
static inline void dict_publish(dict_object *d, dict_table *t) {
    rcs_store_shared_ptr(&d->table, t);
}

static inline void dict_lock(dict_object *d) {
    rcs_lock(&d->base.rc);
}

static inline void dict_unlock(dict_object *d) {
    rcs_unlock(&d->base.rc);
}

bool rc_dict_check(const rc_object *o) {
    return o && o->type == &rc_dict_type;
}

/* A dict or a set: the objects with this file's table (iteration). */
static bool is_table(const rc_object *o) {
    return rc_dict_check(o) || rc_set_check(o);
}

/* ---- tables ------------------------------------------------------------------ */

/* The slot count for a table that is to hold `used` live keys and room to
 * grow: a power of two >= 3 * used, so they fill at most a third of it
 * (and at most half of its entries). 0 if that is past DICT_MAX_SLOTS. */
static int64_t table_slots_for(int64_t used) {
    int64_t slots = DICT_MIN_SLOTS;
    while (slots < used * 3) {
        if (slots >= DICT_MAX_SLOTS)
            return 0;
        slots *= 2;
    }
    return slots;
}

/* The stores and loads a lock-free reader may race with (see the top). */
static inline void index_store(dict_table *t, uint64_t slot, int32_t ix) {
    rcs_lockfree_store(&t->index[slot], ix, memory_order_release);
}

static inline int32_t index_load(const dict_table *t, uint64_t slot) {
    return rcs_lockfree_load(&t->index[slot], memory_order_acquire);
}

static inline rc_object *entry_load(rc_object *const *field) {
    return rcs_load_shared_ptr((void *const *)field);
}

/* A table with every index slot empty and no entries, or NULL (RC_ENOMEM). */
/* The bytes of a table of `slots` index slots (and 2/3 as many entries). */
static size_t table_bytes(int64_t slots) {
    return sizeof(dict_table) + (size_t)slots * sizeof(int32_t) +
           (size_t)(slots * 2 / 3) * sizeof(dict_entry);
}

/* A table that was published and has just been replaced: freed at once
 * if no other thread can be scanning it (`at_once`, decided under the lock
 * by rci_unpublished_is_private), else once no lock-free reader can still
 * scan it (rcs_retire_sized, so that the bytes held back are bounded). */
static void table_release(dict_table *t, bool at_once) {
    rci_buffer_release(at_once, t, table_bytes((int64_t)t->mask + 1), rci_mem_free);
}

static dict_table *table_new(int64_t slots) {
    int64_t usable = slots * 2 / 3;
    dict_table *t = rci_mem_alloc(table_bytes(slots));
    if (!t)
        return NULL;
    t->mask = (uint64_t)slots - 1;
    t->usable = usable;
    t->nentries = 0;
    t->entries = (dict_entry *)(void *)&t->index[slots];
    memset(t->index, 0xff, (size_t)slots * sizeof(int32_t)); /* all IX_EMPTY */
    return t;
}

/* The first index slot on hash's probe path that names no entry (empty or
 * dummy): where a new key with that hash goes. */
static uint64_t table_free_slot(const dict_table *t, uint64_t hash) {
    uint64_t mask = t->mask, i = hash & mask, perturb = hash;
    while (t->index[i] >= 0) {
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + perturb + 1) & mask;
    }
    return i;
}

/* Appends an entry and points index slot `slot` at it. The references to
 * key and value pass to the table. pre: nentries < usable; slot is free. */
static void table_append(dict_table *t, uint64_t slot, uint64_t hash, rc_object *key,
                         rc_object *value) {
    int64_t ix = t->nentries++;
    dict_entry *e = &t->entries[ix];
    e->hash = hash;
    rcs_store_shared_ptr((void **)&e->key, key);
    rcs_store_shared_ptr((void **)&e->value, value);
    index_store(t, slot, (int32_t)ix); /* release: the entry first */
}

/* A new table holding old's live entries (old may be NULL), in order, with
 * room for more. The references move over: old must then be retired, not
 * cleared. NULL with RC_ENOMEM if the table cannot be made. */
static dict_table *table_rebuild(const dict_table *old, int64_t used) {
    int64_t slots = table_slots_for(used);
    if (!slots)
        return rci_error_null(RC_ENOMEM, "dict too large (%" PRId64 " keys)", used);
    dict_table *t = table_new(slots);
    if (!t)
        return NULL;
    for (int64_t i = 0; old && i < old->nentries; i++) {
        const dict_entry *e = &old->entries[i];
        if (e->key)
            table_append(t, table_free_slot(t, e->hash), e->hash, e->key, e->value);
    }
    return t;
}

/* ---- lookup ------------------------------------------------------------------ */

/* Where a lookup ended: the index slot and the entry number (found), or
 * the free slot where the key would go (absent; meaningful only if the
 * dict has a table). */
typedef struct dict_pos {
    uint64_t slot;
    int64_t ix;
} dict_pos;

enum { LOOKUP_RESTART = 2 };

/* rc_object_hash without the call: the hash slot directly. */
static inline rc_status key_hash(rc_object *key, uint64_t *out) {
    rc_status (*hash)(rc_object *, uint64_t *) = key->type->hash;
    if (RC_UNLIKELY(!hash))
        return rc_object_hash(key, out); /* sets RC_ETYPE: unhashable */
    return hash(key, out);
}

/* Compares the stored key of e with key for a type that may run client
 * code: drops d's lock around the call (pre: held; post: held again).
 * Returns as rc_object_equal, or LOOKUP_RESTART if the dict's table or key
 * set changed meanwhile, which makes e and the probe state meaningless. */
RC_NOINLINE static int keys_equal_unlocked(dict_object *d, dict_table *t, dict_entry *e,
                                           rc_object *key) {
    rc_object *stored = e->key;
    uint64_t version = d->version;
    rc_incref(stored); /* keeps it alive if the call deletes it */
    dict_unlock(d);
    int cmp = rc_object_equal(stored, key);
    if (cmp > 0)
        cmp = 1; /* any positive answer means equal; 2 is LOOKUP_RESTART */
    rc_decref(stored);
    dict_lock(d);
    /* The table is checked first: if it is another one, t may be freed. */
    if (dict_table_of(d) != t || d->version != version || e->key != stored)
        return LOOKUP_RESTART;
    return cmp;
}

/* 1 if e's key equals key (whose hash equals e's), 0 if not, a negative
 * status, or LOOKUP_RESTART. pre: d's lock held. */
static inline int keys_equal(dict_object *d, dict_table *t, dict_entry *e,
                             rc_object *key) {
    rc_object *stored = e->key;
    /* Ints hash to their value (objects/int.h): equal hashes, equal ints. */
    if (stored->type == &rc_int_type && key->type == &rc_int_type)
        return 1;
    if (rci_is_leaf(stored) && rci_is_leaf(key))
        return rc_object_equal(stored, key);
    return keys_equal_unlocked(d, t, e, key);
}

/* Looks key up. Returns 1 (found: pos->slot, pos->ix), 0 (absent:
 * pos->slot is the free slot for it) or a negative status (a comparison
 * failed). pre: d's lock held; post: held, and pos refers to the table
 * installed now (the lock may have been dropped meanwhile, see
 * keys_equal_unlocked). The fast path is identity, then hash, then the
 * leaf comparison. */
static inline int dict_lookup(dict_object *d, rc_object *key, uint64_t hash,
                              dict_pos *pos) {
restart:;
    dict_table *t = dict_table_of(d);
    if (!t) {
        pos->slot = 0; /* unused: inserting builds the first table */
        return 0;
    }
    uint64_t mask = t->mask, i = hash & mask, perturb = hash;
    int64_t free_slot = -1;
    for (;;) {
        int32_t ix = t->index[i];
        if (ix >= 0) {
            dict_entry *e = &t->entries[ix];
            int cmp = e->key == key ? 1 : e->hash == hash ? keys_equal(d, t, e, key) : 0;
            if (cmp == 1) {
                pos->slot = i;
                pos->ix = ix;
                return 1;
            }
            if (cmp == LOOKUP_RESTART)
                goto restart;
            if (cmp < 0)
                return cmp;
        } else if (ix == IX_EMPTY) {
            pos->slot = free_slot >= 0 ? (uint64_t)free_slot : i;
            return 0;
        } else if (free_slot < 0) {
            free_slot = (int64_t)i;
        }
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + perturb + 1) & mask;
    }
}

/* ---- argument checks and errors ----------------------------------------------- */

/* The check of every entry point: the thread may touch objects
 * (rci_may_touch), and d is of the type the entry point serves (a dict,
 * or for objects/set.c a set). RC_OK, or the error set. */
static rc_status table_expect(rc_object *d, const rc_type *type, const char *fn) {
    if (RC_UNLIKELY(!rci_may_touch()))
        return rci_state_error(fn);
    if (!d)
        return rc_error_set(RC_EVALUE, "%s: NULL %s", fn, type->name);
    if (d->type != type)
        return rc_error_set(RC_ETYPE, "%s: expected a %s, got %s", fn, type->name,
                            d->type->name);
    return RC_OK;
}

/* Checks d and key and hashes key. */
static inline rc_status table_key_args(rc_object *d, const rc_type *type, rc_object *key,
                                       const char *fn, uint64_t *hash) {
    if (RC_UNLIKELY(!rci_may_touch() || !d || d->type != type))
        return table_expect(d, type, fn);
    if (RC_UNLIKELY(!key))
        return rc_error_set(RC_EVALUE, "%s: NULL key", fn);
    return key_hash(key, hash);
}

static inline rc_status dict_key_args(rc_object *d, rc_object *key, const char *fn,
                                      uint64_t *hash) {
    return table_key_args(d, &rc_dict_type, key, fn, hash);
}

/* RC_EKEY, naming the key when that costs no allocation (an int, or the
 * start of a str). Cheap: the message is written only if someone reads it
 * (rci_error_set_key). Also rc_list_remove's (object_internal.h). */
RC_NOINLINE rc_status rci_key_error(const char *fn, rc_object *key) {
    rci_key_desc desc;
    desc.kind = RCI_KEY_OTHER;
    desc.type_name = key->type->name;
    if (rc_int_check(key) && rc_int_as_i64(key, &desc.i) == RC_OK) {
        desc.kind = RCI_KEY_INT;
    } else if (rc_str_check(key)) {
        int64_t n = rc_str_byte_length(key);
        desc.kind = RCI_KEY_STR;
        desc.cut = n > RCI_KEY_TEXT_MAX;
        desc.len = desc.cut ? RCI_KEY_TEXT_MAX : (size_t)n;
        memcpy(desc.text, rc_str_data(key), desc.len + desc.cut);
    }
    return rci_error_set_key(fn, &desc);
}

/* ---- creation and size ---------------------------------------------------------- */

rc_object *rci_table_new(rc_type *type) {
    dict_object *d = (dict_object *)rci_object_alloc(type, sizeof *d);
    if (!d)
        return NULL;
    d->table = NULL;
    d->used = 0;
    d->version = 0;
    d->lent = false;
    return &d->base;
}

rc_object *rc_dict_new(void) {
    return rci_table_new(&rc_dict_type);
}

int64_t rci_table_size(rc_object *o, const rc_type *type, const char *fn) {
    rc_status st = table_expect(o, type, fn);
    if (st != RC_OK)
        return st;
    dict_object *d = as_dict(o);
    dict_lock(d);
    int64_t n = d->used;
    dict_unlock(d);
    return n;
}

int64_t rc_dict_size(rc_object *o) {
    return rci_table_size(o, &rc_dict_type, "rc_dict_size");
}

/* ---- set, get, contains, delete -------------------------------------------------- */

/* Adds a new key at free slot `slot` of the current table, first building
 * a bigger (or compacted) table if the entries are used up. pre: d's lock
 * held; key absent. On RC_ENOMEM nothing changed. */
static rc_status dict_insert(dict_object *d, uint64_t slot, uint64_t hash, rc_object *key,
                             rc_object *value) {
    dict_table *t = dict_table_of(d);
    if (!t || t->nentries == t->usable) {
        dict_table *bigger = table_rebuild(t, d->used);
        if (!bigger)
            return RC_ENOMEM;
        dict_publish(d, bigger);
        /* Another thread's lock-free read may still scan it, unless the
         * dict is private to this thread (object_internal.h, "the shared
         * mark"). */
        if (t)
            table_release(t, rci_unpublished_is_private(&d->base));
        t = bigger;
        slot = table_free_slot(t, hash);
    }
    rc_incref(key);
    rc_incref(value);
    table_append(t, slot, hash, key, value);
    d->used++;
    d->version++;
    return RC_OK;
}

/* dict_lock then dict_lookup (its result in *found), for a call that may
 * remove a value: as rci_lock_for_removal (*lent: the dict was lent, read
 * under the lock at the lookup's end). Returns RC_OK with the lock held,
 * or RC_ENOMEM with nothing held. The lookup may let go of the lock
 * (keys_equal_unlocked); if the dict got lent meanwhile, without room made
 * for a deferred drop, it starts again. */
static rc_status dict_lock_and_find(dict_object *d, rc_object *key, uint64_t hash,
                                    dict_pos *pos, bool *lent, int *found) {
    for (;;) {
        if (rci_lock_for_removal(&d->base, &d->lent, lent) != RC_OK)
            return RC_ENOMEM;
        *found = dict_lookup(d, key, hash, pos);
        if (*lent || !rcs_shared_load(&d->lent, memory_order_relaxed))
            return RC_OK;
        dict_unlock(d);
    }
}

rc_status rc_dict_set(rc_object *o, rc_object *key, rc_object *value) {
    return rci_table_set(o, &rc_dict_type, key, value, "rc_dict_set");
}

rc_status rci_table_set(rc_object *o, const rc_type *type, rc_object *key, rc_object *value,
                        const char *fn) {
    uint64_t hash;
    rc_status st = table_key_args(o, type, key, fn, &hash);
    if (st != RC_OK)
        return st;
    if (RC_UNLIKELY(!value))
        return rc_error_set(RC_EVALUE, "%s: NULL value", fn);
    dict_object *d = as_dict(o);
    dict_pos pos = {0}; /* set by the lookup (the compiler cannot see it through the loop) */
    rc_object *old = NULL;
    bool lent;
    int found;
    if (dict_lock_and_find(d, key, hash, &pos, &lent, &found) != RC_OK)
        return RC_ENOMEM;
    if (found == 1) {
        /* Replace the value; the key object stays, and so does its place. */
        dict_entry *e = &dict_table_of(d)->entries[pos.ix];
        old = e->value;
        rc_incref(value);
        rcs_store_shared_ptr((void **)&e->value, value);
        st = RC_OK;
    } else if (found == 0) {
        st = dict_insert(d, pos.slot, hash, key, value);
    } else {
        st = (rc_status)found;
    }
    dict_unlock(d);
    if (old)
        rci_drop_removed(lent, old); /* after unlocking: it may run a dealloc slot */
    return st;
}

enum { LOCKFREE_UNSURE = -1 };

/* Compares key with the stored key of e, which another thread may be
 * deleting and freeing meanwhile: first a reference (so that its fields
 * stay its own while they are read), then a check that e still holds it.
 * Returns 1 or 0, or LOCKFREE_UNSURE. The reference goes to *held, which
 * the caller drops once it is done with the table (a drop may free, and a
 * free may let the table's memory go); one at a time. */
static int lockfree_keys_equal(dict_entry *e, rc_object *stored, rc_object *key,
                               rc_object **held) {
    if (*held || !rci_is_leaf(key) || !rcs_try_incref(&stored->rc))
        return LOCKFREE_UNSURE;
    *held = stored;
    if (entry_load(&e->key) != stored || !rci_is_leaf(stored))
        return LOCKFREE_UNSURE; /* gone, or a comparison that may run client code */
    if (stored->type == &rc_int_type && key->type == &rc_int_type)
        return 1; /* equal hashes: equal ints (objects/int.h) */
    int cmp = rc_object_equal(stored, key);
    return cmp < 0 ? LOCKFREE_UNSURE : cmp > 0;
}

/* Entry e holds the key: takes its value (into *value, if value is not
 * NULL: a new reference if count, else lent), then checks that e still holds that key and value and
 * t is still d's table, all of which makes the answer true at one moment. */
static int lockfree_take_value(dict_object *d, dict_table *t, dict_entry *e, rc_object *stored,
                               rc_object **value, bool count) {
    rc_object *v = entry_load(&e->value);
    /* Not counted (a borrowed read): the open borrow window keeps it
     * alive (runtime/borrow.c). */
    count = count && value;
    if (!v || (count && !rcs_try_incref(&v->rc)))
        return LOCKFREE_UNSURE;
    if (entry_load(&e->key) != stored || entry_load(&e->value) != v || dict_table_of(d) != t) {
        if (count)
            rc_decref(v);
        return LOCKFREE_UNSURE;
    }
    if (value)
        *value = v;
    return 1;
}

/* The lock-free lookup (see the top of the file). Returns 1 (found; with
 * the value in *value if value is not NULL, a new reference if count),
 * 0 (absent at some moment of the call) or LOCKFREE_UNSURE (ask again
 * under the lock). pre: the caller holds a reference to key. */
static int dict_find_lockfree(dict_object *d, rc_object *key, uint64_t hash,
                              rc_object **value, bool count) {
    dict_table *t = dict_table_of(d);
    if (!t)
        return 0;
    rc_object *held = NULL;
    int result = LOCKFREE_UNSURE; /* if no empty slot is met: the table changed */
    uint64_t mask = t->mask, i = hash & mask, perturb = hash;
    for (uint64_t probes = 0; probes <= mask; probes++) {
        int32_t ix = index_load(t, i);
        if (ix == IX_EMPTY) {
            result = 0;
            break;
        }
        if (ix >= 0) {
            dict_entry *e = &t->entries[ix];
            rc_object *stored = entry_load(&e->key);
            int cmp = stored == key;
            if (!cmp && stored && e->hash == hash)
                cmp = lockfree_keys_equal(e, stored, key, &held);
            if (cmp) {
                result = cmp == 1 ? lockfree_take_value(d, t, e, stored, value, count) : cmp;
                break;
            }
        }
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + perturb + 1) & mask;
    }
    if (held)
        rc_decref(held); /* done with t */
    return result;
}

/* 1 (found; with the value in *value unless value is NULL: a new
 * reference if count, else lent), 0 if key is absent (no error set), or a
 * negative status. Without the lock first where the strategy allows it. */
static inline int dict_get_ref(dict_object *d, rc_object *key, uint64_t hash,
                               rc_object **value, bool count) {
    if (rci_lockfree_read_begin(&d->base)) {
        int found = dict_find_lockfree(d, key, hash, value, count);
        if (found != LOCKFREE_UNSURE)
            return found;
    }
    dict_pos pos;
    dict_lock(d);
    int found = dict_lookup(d, key, hash, &pos);
    if (found == 1 && value) {
        *value = dict_table_of(d)->entries[pos.ix].value;
        if (count)
            rc_incref(*value);
    }
    dict_unlock(d);
    return found;
}

rc_object *rc_dict_get(rc_object *o, rc_object *key) {
    uint64_t hash;
    if (dict_key_args(o, key, "rc_dict_get", &hash) != RC_OK)
        return NULL;
    rc_object *value = NULL;
    int found = dict_get_ref(as_dict(o), key, hash, &value, true);
    if (RC_UNLIKELY(found != 1)) {
        if (found == 0)
            rci_key_error("rc_dict_get", key);
        return NULL;
    }
    return value;
}

int rc_dict_get_ref(rc_object *o, rc_object *key, rc_object **value) {
    if (RC_UNLIKELY(!value))
        return rc_error_set(RC_EVALUE, "rc_dict_get_ref: NULL out pointer");
    *value = NULL;
    uint64_t hash;
    rc_status st = dict_key_args(o, key, "rc_dict_get_ref", &hash);
    if (st != RC_OK)
        return st;
    return dict_get_ref(as_dict(o), key, hash, value, true);
}

rc_object *rc_dict_get_default(rc_object *o, rc_object *key, rc_object *fallback) {
    if (RC_UNLIKELY(!rci_may_touch())) { /* before the argument checks: dict.h */
        rci_state_error("rc_dict_get_default");
        return NULL;
    }
    if (RC_UNLIKELY(!fallback))
        return rci_error_null(RC_EVALUE, "rc_dict_get_default: NULL default");
    rc_object *value = NULL;
    int found = rc_dict_get_ref(o, key, &value); /* sets the error of a failure */
    if (found < 0)
        return NULL;
    return found ? value : rc_newref(fallback);
}

int rc_dict_get_borrowed(rc_object *o, rc_object *key, rc_object **value) {
    if (RC_UNLIKELY(!value))
        return rc_error_set(RC_EVALUE, "rc_dict_get_borrowed: NULL out pointer");
    *value = NULL;
    uint64_t hash;
    rc_status st = dict_key_args(o, key, "rc_dict_get_borrowed", &hash);
    if (st != RC_OK)
        return st;
    dict_object *d = as_dict(o);
    rci_tstate *t = rci_active;
    rci_lend(o, &d->lent);
    rci_borrow_window(t);
    /* The lookup may run client code (a key's equality; a dealloc when it
     * drops a key it held): the pin keeps the window open through it. */
    rci_borrow_pin(t);
    int found = dict_get_ref(d, key, hash, value, false);
    rci_borrow_unpin(t);
    return found;
}

int rci_table_contains(rc_object *o, const rc_type *type, rc_object *key, const char *fn) {
    uint64_t hash;
    rc_status st = table_key_args(o, type, key, fn, &hash);
    if (st != RC_OK)
        return st;
    return dict_get_ref(as_dict(o), key, hash, NULL, true);
}

int rc_dict_contains(rc_object *o, rc_object *key) {
    return rci_table_contains(o, &rc_dict_type, key, "rc_dict_contains");
}

rc_status rc_dict_delete(rc_object *o, rc_object *key) {
    int found = rci_table_delete(o, &rc_dict_type, key, "rc_dict_delete");
    if (found == 0)
        return rci_key_error("rc_dict_delete", key);
    return found == 1 ? RC_OK : (rc_status)found;
}

int rci_table_delete(rc_object *o, const rc_type *type, rc_object *key, const char *fn) {
    uint64_t hash;
    rc_status st = table_key_args(o, type, key, fn, &hash);
    if (st != RC_OK)
        return st;
    dict_object *d = as_dict(o);
    dict_pos pos = {0}; /* set by the lookup, as in rc_dict_set */
    rc_object *old_key = NULL, *old_value = NULL;
    bool lent;
    int found;
    if (dict_lock_and_find(d, key, hash, &pos, &lent, &found) != RC_OK)
        return RC_ENOMEM;
    if (found == 1) {
        dict_table *t = dict_table_of(d);
        dict_entry *e = &t->entries[pos.ix];
        old_key = e->key;
        old_value = e->value;
        rcs_store_shared_ptr((void **)&e->key, NULL);
        rcs_store_shared_ptr((void **)&e->value, NULL);
        index_store(t, pos.slot, IX_DUMMY); /* keeps the probe paths through it */
        d->used--;
        d->version++;
    }
    dict_unlock(d);
    if (found != 1)
        return found; /* 0: absent, no error set */
    /* After unlocking: they may run dealloc slots. A key is never lent
     * (lock-free readers count a key before they read it). */
    rc_decref(old_key);
    rci_drop_removed(lent, old_value);
    return 1;
}

/* ---- iteration (objects/iter.c) ----------------------------------------------- */

uint64_t rci_dict_version(rc_object *o) {
    if (!is_table(o))
        return 0;
    dict_object *d = as_dict(o);
    dict_lock(d);
    uint64_t v = d->version;
    dict_unlock(d);
    return v;
}

int rci_dict_iter_next(rc_object *o, int64_t *position, uint64_t version, rc_object **key,
                       rc_object **value) {
    if (RC_UNLIKELY(!rci_may_touch() || !is_table(o)))
        return table_expect(o, &rc_dict_type, "rci_dict_iter_next");
    dict_object *d = as_dict(o);
    int result = 0;
    *key = NULL;
    if (value)
        *value = NULL;
    dict_lock(d);
    if (d->version != version) {
        result = RC_ECHANGED;
    } else {
        dict_table *t = dict_table_of(d);
        int64_t i = *position, n = t ? t->nentries : 0;
        while (i < n && !t->entries[i].key) /* skip deleted entries */
            i++;
        if (i < n) {
            *key = t->entries[i].key;
            rc_incref(*key);
            if (value) {
                *value = t->entries[i].value;
                rc_incref(*value);
            }
            i++;
            result = 1;
        }
        *position = i;
    }
    dict_unlock(d);
    if (result == RC_ECHANGED)
        return rc_error_set(RC_ECHANGED, "%s changed size during iteration", o->type->name);
    return result;
}

/* ---- snapshots: keys, values, items, repr, equality --------------------------
 * Anything that calls out (builds lists, compares, makes reprs) first copies
 * the live entries under the lock, with new references, and works on the
 * copy after unlocking: the dict's lock is never held across client code. */

typedef struct dict_snapshot {
    dict_entry *entries; /* NULL when n == 0 */
    int64_t n;
} dict_snapshot;

enum { SNAP_KEYS = 1, SNAP_VALUES = 2 };

/* Fills s with the live entries, taking references to the keys and/or the
 * values as `what` asks (the others are NULL). RC_ENOMEM: s is empty. */
static rc_status dict_snapshot_take(dict_object *d, int what, dict_snapshot *s) {
    rc_status st = RC_OK;
    s->entries = NULL;
    s->n = 0;
    dict_lock(d);
    dict_table *t = dict_table_of(d);
    if (d->used > 0) {
        s->entries = rci_mem_alloc((size_t)d->used * sizeof(dict_entry));
        if (!s->entries)
            st = RC_ENOMEM;
    }
    for (int64_t i = 0; s->entries && i < t->nentries; i++) {
        const dict_entry *e = &t->entries[i];
        if (!e->key)
            continue;
        dict_entry *c = &s->entries[s->n++];
        c->hash = e->hash;
        c->key = what & SNAP_KEYS ? e->key : NULL;
        c->value = what & SNAP_VALUES ? e->value : NULL;
        rc_xincref(c->key);
        rc_xincref(c->value);
    }
    dict_unlock(d);
    return st;
}

/* Drops the references still in s and frees it. */
static void dict_snapshot_release(dict_snapshot *s) {
    for (int64_t i = 0; i < s->n; i++) {
        rc_xdecref(s->entries[i].key);
        rc_xdecref(s->entries[i].value);
    }
    rci_mem_free(s->entries);
    s->entries = NULL;
    s->n = 0;
}

/* Returns: a new reference to a (key, value) tuple, stealing both (also on
 * failure), or NULL. */
static rc_object *item_pair_steal(rc_object *key, rc_object *value) {
    rc_object *t = rc_tuple_new(2);
    if (!t) {
        rc_decref(key);
        rc_decref(value);
        return NULL;
    }
    rc_status st = rc_tuple_set_steal(t, 0, key);
    if (rc_tuple_set_steal(t, 1, value) != RC_OK || st != RC_OK) {
        rc_decref(t);
        return NULL;
    }
    return t;
}

/* The list behind rc_dict_keys / _values / _items (and rci_table_keys,
 * for a set's keys). */
static rc_object *table_to_list(rc_object *o, const rc_type *type, int what, const char *fn) {
    if (table_expect(o, type, fn) != RC_OK)
        return NULL;
    dict_snapshot s;
    if (dict_snapshot_take(as_dict(o), what, &s) != RC_OK)
        return NULL;
    rc_object *list = rc_list_new();
    for (int64_t i = 0; list && i < s.n; i++) {
        dict_entry *e = &s.entries[i];
        rc_object *item = what == SNAP_KEYS     ? e->key
                          : what == SNAP_VALUES ? e->value
                                                : item_pair_steal(e->key, e->value);
        e->key = e->value = NULL; /* handed over, to the list or the pair */
        if (!item || rc_list_append_steal(list, item) != RC_OK)
            rc_clear_ref(&list);
    }
    dict_snapshot_release(&s);
    return list;
}

rc_object *rci_table_keys(rc_object *o, const rc_type *type, const char *fn) {
    return table_to_list(o, type, SNAP_KEYS, fn);
}

rc_object *rc_dict_keys(rc_object *d) {
    return table_to_list(d, &rc_dict_type, SNAP_KEYS, "rc_dict_keys");
}

rc_object *rc_dict_values(rc_object *d) {
    return table_to_list(d, &rc_dict_type, SNAP_VALUES, "rc_dict_values");
}

rc_object *rc_dict_items(rc_object *d) {
    return table_to_list(d, &rc_dict_type, SNAP_KEYS | SNAP_VALUES, "rc_dict_items");
}

/* ---- slots -------------------------------------------------------------------- */

/* Empties the dict: detaches the table under the lock, then drops the
 * references with the lock released (each decref may run a dealloc slot,
 * which then finds the dict already empty), then frees the table: at once
 * if `dying` (the last reference is gone, and a reader holds one to the
 * dict it reads, so nobody can be scanning it) or the dict is private,
 * else through rcs_retire. */
static void dict_empty(dict_object *d, bool dying) {
    dict_lock(d);
    dict_table *t = dict_table_of(d);
    dict_publish(d, NULL);
    if (d->used > 0)
        d->version++;
    d->used = 0;
    /* Decided under the lock; stays true: nobody can load t any more. */
    bool at_once = dying || rci_unpublished_is_private(&d->base);
    dict_unlock(d);
    if (!t)
        return;
    for (int64_t i = 0; i < t->nentries; i++) {
        rc_xdecref(t->entries[i].key);
        rc_xdecref(t->entries[i].value);
    }
    table_release(t, at_once);
}

void rci_table_clear(rc_object *self) {
    dict_empty(as_dict(self), false);
}

void rci_table_dealloc(rc_object *self) {
    dict_empty(as_dict(self), true);
}

/* Called by the collector with the world stopped, so without the lock (and
 * RC_VISIT may return early, which would skip an unlock). */
int rci_table_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    dict_table *t = dict_table_of(as_dict(self));
    for (int64_t i = 0; t && i < t->nentries; i++) {
        RC_VISIT(t->entries[i].key);
        RC_VISIT(t->entries[i].value);
    }
    return 0;
}

/* Same size, and every key of self maps in other to an equal value. */
static int dict_equal(rc_object *self, rc_object *other) {
    if (!rc_dict_check(other))
        return 0;
    if (rc_dict_size(self) != rc_dict_size(other))
        return 0;
    dict_snapshot s;
    if (dict_snapshot_take(as_dict(self), SNAP_KEYS | SNAP_VALUES, &s) != RC_OK)
        return RC_ENOMEM;
    int result = 1;
    for (int64_t i = 0; result == 1 && i < s.n; i++) {
        rc_object *theirs = NULL; /* set when found; NULL keeps -O1 -Wmaybe-uninitialized quiet */
        result =
            dict_get_ref(as_dict(other), s.entries[i].key, s.entries[i].hash, &theirs, true);
        if (result == 1) {
            result = rc_object_equal(s.entries[i].value, theirs);
            rc_decref(theirs);
        }
    }
    dict_snapshot_release(&s);
    return result;
}

/* ---- repr ----
 * A dict that contains itself (directly or not) shows as {...} inside
 * itself (rci_repr_enter, objects/object_internal.h). */

typedef struct text_buf {
    char *data;
    size_t len, cap;
} text_buf;

static bool text_append(text_buf *b, const char *s, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n)
            cap *= 2;
        char *data = rci_mem_realloc(b->data, cap);
        if (!data)
            return false;
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return true;
}

/* Appends the repr of o. */
static bool text_append_repr(text_buf *b, rc_object *o) {
    rc_object *r = rc_object_repr(o);
    if (!r)
        return false;
    const char *s = rc_str_data(r);
    bool ok = s && text_append(b, s, (size_t)rc_str_byte_length(r));
    rc_decref(r);
    return ok;
}

static bool repr_entries(text_buf *b, const dict_snapshot *s) {
    if (!text_append(b, "{", 1))
        return false;
    for (int64_t i = 0; i < s->n; i++) {
        if ((i > 0 && !text_append(b, ", ", 2)) ||
            !text_append_repr(b, s->entries[i].key) || !text_append(b, ": ", 2) ||
            !text_append_repr(b, s->entries[i].value))
            return false;
    }
    return text_append(b, "}", 1);
}

static rc_object *dict_repr(rc_object *self) {
    rci_repr_frame frame;
    if (!rci_repr_enter(&frame, self))
        return rc_str_from_cstr("{...}");
    dict_snapshot s;
    if (dict_snapshot_take(as_dict(self), SNAP_KEYS | SNAP_VALUES, &s) != RC_OK) {
        rci_repr_leave(&frame);
        return NULL;
    }
    text_buf b = {0};
    rc_object *result = NULL;
    if (repr_entries(&b, &s))
        result = rc_str_from_utf8(b.data, b.len);
    rci_repr_leave(&frame);
    rci_mem_free(b.data);
    dict_snapshot_release(&s);
    return result;
}

rc_type rc_dict_type = {
    .name = "dict",
    .basicsize = sizeof(dict_object),
    .instance_size = rc_fixed_instance_size,
    .flags = RC_TYPE_GC,
    .dealloc = rci_table_dealloc,
    .traverse = rci_table_traverse,
    .clear = rci_table_clear,
    .equal = dict_equal,
    .repr = dict_repr,
    .id = RCI_TYPE_ID_DICT,
};
