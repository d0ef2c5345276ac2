/*
 * objects/object_internal.h -- shared internals of the object layer: object
 * allocation, immortality, the layouts of the built-in types that more
 * than one file needs, and the fixed ids of the built-in types.
 */
#ifndef RC_OBJECTS_OBJECT_INTERNAL_H
#define RC_OBJECTS_OBJECT_INTERNAL_H

#ifndef RC_BUILD_CORE
#error "internal header: include refcore.h"
#endif

#include <stddef.h>
#include <stdint.h>

#include "gc/gc_internal.h"
#include "objects/object.h"
#include "refcount/refcount.h"
#include "runtime/runtime_internal.h"

/* The header is the first member: the seam hands back header pointers
 * (rcs_hooks.dealloc) that are object pointers. */
_Static_assert(offsetof(rc_object, rc) == 0, "rcs_header must come first");

/* Built-in types have fixed ids; client types are numbered from
 * RCI_FIRST_CLIENT_TYPE_ID by rc_type_ready. 0 means "not ready". */
enum {
    RCI_TYPE_ID_NONE = 1,
    RCI_TYPE_ID_BOOL,
    RCI_TYPE_ID_INT,
    RCI_TYPE_ID_BIGINT, /* an int beyond int64_t (objects/int.h) */
    RCI_TYPE_ID_FLOAT,
    RCI_TYPE_ID_STR,
    RCI_TYPE_ID_TUPLE,
    RCI_TYPE_ID_LIST,
    RCI_TYPE_ID_DICT,
    RCI_TYPE_ID_FREED, /* debug builds: the type of a quarantined object */
    RCI_TYPE_ID_WEAKREF,
    RCI_TYPE_ID_SET,
    RCI_TYPE_ID_BYTES,
    RCI_FIRST_CLIENT_TYPE_ID = 16,
};

/* None, bool, int (both sizes), float, str: leaf types, whose slots run no client code
 * and call no other object's (they only look at their own kinds of
 * built-in objects), so comparing or hashing one never recurses. */
_Static_assert(RCI_TYPE_ID_STR - RCI_TYPE_ID_NONE == 5 &&
                   RCI_TYPE_ID_BOOL > RCI_TYPE_ID_NONE &&
                   RCI_TYPE_ID_INT < RCI_TYPE_ID_STR &&
                   RCI_TYPE_ID_BIGINT < RCI_TYPE_ID_STR &&
                   RCI_TYPE_ID_FLOAT < RCI_TYPE_ID_STR,
               "the leaf built-in types must have the ids NONE..STR");

static inline bool rci_is_leaf(const rc_object *o) {
    return o->type->id - (uint32_t)RCI_TYPE_ID_NONE <=
           (uint32_t)(RCI_TYPE_ID_STR - RCI_TYPE_ID_NONE);
}

/* rc_object_traverse, inline for the collector, which calls it once per
 * tracked object in each pass. */
static inline int rci_traverse(rc_object *o, rc_visit_fn visit, void *arg) {
    if (!o || !o->type->traverse)
        return 0;
    return o->type->traverse(o, visit, arg);
}

/* Allocates size bytes for an object of type (which must be ready),
 * initialises the header (count 1, owned by this thread) and counts it as
 * live. The bytes after the header are NOT zeroed. Returns NULL with the
 * error set (RC_ESTATE if not attached, RC_ENOMEM). */
rc_object *rci_object_alloc(const rc_type *type, size_t size);

/* As rci_object_alloc, for a GC type whose creator writes every field at
 * once (a tuple made from an array): the fields are not zeroed and the
 * object is not yet linked where the collector finds it. The caller writes
 * every field its traverse slot reads, then calls rci_object_link_new(o),
 * before o can be dropped or reach another thread. Until then the
 * collector does not see o, which is safe: what o holds is counted, and so
 * seen from outside the collected set. It saves zeroing what the caller is
 * about to write. */
rc_object *rci_object_alloc_unlinked(const rc_type *type, size_t size);
void rci_object_link_new(rc_object *o);

/* Gives back the memory of an object whose dealloc slot has run, and stops
 * counting it. Called only from refcount/ (dealloc.c, and immortal.c at
 * stop). */
void rci_object_free(rci_tstate *t, rc_object *o);

/* Makes o immortal and stops counting it as live (the runtime owns it now).
 * pre: no other thread can reach o yet, or the caller has stopped the world
 * (rcs_make_immortal's contract; rc_immortalize does that). */
void rci_make_immortal(rc_object *o);

/* ---- the shared mark: freeing a private container's old buffer at once ----
 * Where the strategy lets containers be read without their lock
 * (RCS_LOCKFREE_READS), a writer that replaces a list's item array or a
 * dict's table hands the old one to rcs_retire, which waits until no
 * lock-free reader can still be looking at it. Most containers are only
 * ever used by the thread that made them, and deferring their buffers
 * makes that thread wait for the others (up to 50 ms each time, when one
 * of them runs long without a checkpoint: strategy.h,
 * RCS_RETIRE_BOUND_BYTES). So, as CPython's free-threaded build does with
 * _PyObject_GC_SET_SHARED, a container is marked shared (RCI_GC_SHARED in
 * its collector head) by the first thread other than its owner
 * (rcs_is_owner) that reads it without the lock, before that read, and a
 * writer frees the buffer it has just unpublished at once when it owns the
 * container and finds no mark.
 *
 * Why that is safe: which threads can be reading buffer B without the lock
 * when its writer W (holding the container's lock, B unpublished, the new
 * buffer or NULL published) frees it?
 *   - Readers that lock: none; W holds the lock.
 *   - The owner, which reads without marking: only one thread can ever be
 *     the owner (rcs_is_owner: ownership is never handed on, only ended),
 *     and W is that thread; it is not part way through a read (a lock-free
 *     read window calls nothing that writes a container: strategy.h).
 *   - Any other thread R: it set the mark with an atomic OR before its
 *     read. W's test of the mark is an atomic OR too (of nothing), so the
 *     two are ordered in the flag word's modification order. If R's came
 *     first, W sees the mark and defers B. If W's came first, W's release
 *     OR (after its store publishing the new buffer) is read by R's
 *     acquire OR, directly or through later read-modify-writes of the word
 *     (a release sequence: other readers' ORs, the collector's young-list
 *     ANDs; its plain writes happen only with the world stopped, which
 *     orders them by itself): W's store happens before R's loads, and R
 *     loads the new pointer, never B. A reader that finds the mark already
 *     set, with an acquire load, reaches back the same way through the OR
 *     that set it.
 *   - A writer that is not the owner cannot rule the owner out, so it
 *     always defers; so does every writer once the mark is set. The mark
 *     is never cleared.
 * Without RCS_LOCKFREE_READS every reader locks: nothing is marked and
 * every buffer is freed at once (as rcs_retire would). */

/* A reader: whether it may read container c's buffers without c's lock
 * (the protocols of objects/list.c and objects/dict.c). Marks c shared
 * first if the caller is not its owner. pre: the caller holds a reference
 * to c (every GC object has the mark's word). */
static inline bool rci_lockfree_read_begin(rc_object *c) {
    if (!RCS_LOCKFREE_READS)
        return false;
    if (rcs_is_owner(&c->rc))
        return true;
    uint64_t *flags = &rci_gc_head_of(c)->flags;
    /* Acquire: the frees made at once before the mark was set happened
     * before our loads of c's buffers (the essay above). */
    if (RC_UNLIKELY(!(rcs_shared_load(flags, memory_order_acquire) & RCI_GC_SHARED)))
        /* acq_rel: acquire as the load above, and release so that a later
         * reader that loads the mark reaches, through it, what we saw. */
        rcs_shared_fetch_or(flags, RCI_GC_SHARED, memory_order_acq_rel);
    return true;
}

/* A writer: whether the buffer it has just unpublished from container c
 * may be freed at once (no other thread can be reading it: the essay
 * above). pre: c's lock held, the replacement (or NULL) published. */
static inline bool rci_unpublished_is_private(rc_object *c) {
    if (!RCS_LOCKFREE_READS)
        return true;
    uint64_t *flags = &rci_gc_head_of(c)->flags;
    /* Relaxed: a set mark only sends the buffer to rcs_retire, which is
     * always safe. */
    if (!rcs_is_owner(&c->rc) || (rcs_shared_load(flags, memory_order_relaxed) & RCI_GC_SHARED))
        return false;
    /* An OR of nothing, not a load, so that it is ordered against a
     * reader's OR in the word's modification order. Release: our store of
     * the new pointer reaches a reader whose OR comes after this one. No
     * acquire needed: a mark seen only defers. */
    return !(rcs_shared_fetch_or(flags, 0, memory_order_release) & RCI_GC_SHARED);
}

/* Frees buffer p (of `bytes` bytes, with free_fn) at once if `at_once`
 * (rci_unpublished_is_private said so while the lock was held), else once
 * no lock-free reader can still hold it (rcs_retire_sized). */
static inline void rci_buffer_release(bool at_once, void *p, size_t bytes,
                                      void (*free_fn)(void *)) {
    if (at_once)
        free_fn(p);
    else
        rcs_retire_sized(p, bytes, free_fn);
}

/* ---- layouts shared between files ---------------------------------------- */

typedef struct rci_list {
    rc_object base;
    rc_object **items; /* published with rcs_store_shared_ptr */
    int64_t size;
    int64_t capacity;
    bool lent; /* ever read with rc_list_get_borrowed (runtime/borrow.c) */
} rci_list;

typedef struct rci_tuple {
    rc_object base;
    int64_t size;
    rc_object *items[]; /* size slots; NULL until filled */
} rci_tuple;

/* ---- the hash table of dict and set (objects/dict.c) -------------------------
 * A set is an object of the dict's layout and table, of its own type,
 * whose every value is None (objects/set.c says why). These are the dict's
 * operations for either type: each checks that o is of `type` (the error
 * names fn) and otherwise behaves as the rc_dict_* call of the same name. */
typedef struct rci_table {
    rc_object base;
    void *table;      /* void *: the seam's shared-pointer calls take it so */
    int64_t used;     /* live keys */
    uint64_t version; /* changes whenever a key is added or removed */
    bool lent;        /* ever read with rc_dict_get_borrowed (runtime/borrow.c) */
} rci_table;

rc_object *rci_table_new(rc_type *type);
int64_t rci_table_size(rc_object *o, const rc_type *type, const char *fn);
rc_status rci_table_set(rc_object *o, const rc_type *type, rc_object *key, rc_object *value,
                        const char *fn);
int rci_table_contains(rc_object *o, const rc_type *type, rc_object *key, const char *fn);
/* 1 if key was there and is removed, 0 if absent (no error set), or a
 * negative rc_status. */
int rci_table_delete(rc_object *o, const rc_type *type, rc_object *key, const char *fn);
/* Returns: a new list of the keys, in insertion order (a snapshot). */
rc_object *rci_table_keys(rc_object *o, const rc_type *type, const char *fn);
/* The slots. */
void rci_table_dealloc(rc_object *self);
int rci_table_traverse(rc_object *self, rc_visit_fn visit, void *arg);
void rci_table_clear(rc_object *self);

/* Iteration over a dict or a set: the entry at *position or after it. Returns 1 with
 * new references in *key and *value (value may be NULL if not wanted),
 * 0 at the end, or RC_ECHANGED if the key set is no longer `version`. */
int rci_dict_iter_next(rc_object *d, int64_t *position, uint64_t version,
                       rc_object **key, rc_object **value);
/* The dict's key-set version, which changes whenever a key is added or
 * removed. */
uint64_t rci_dict_version(rc_object *d);

/* Sets RC_EKEY for a key (or item) that is not there, naming it when that
 * costs no allocation, and returns RC_EKEY (objects/dict.c). */
rc_status rci_key_error(const char *fn, rc_object *key);

/* ---- weak references: the referents' lists (objects/weaklist.c) --------- */

/* Weak references whose callbacks are waiting to run, each held by a
 * reference of the list's. */
typedef struct rci_weakref_pending {
    rc_object *first;
} rci_weakref_pending;

/* The referent is dying by its count: clears every weak reference to it,
 * then runs their callbacks. */
void rci_weakref_clear_all(rc_object *referent);

/* The referent is cyclic garbage: clears every weak reference to it, and
 * queues the callbacks of those that are not garbage themselves. */
void rci_weakref_clear_for_gc(rc_object *referent, rci_weakref_pending *pending);

/* Runs and empties the queue; true if any callback ran. */
bool rci_weakref_run_callbacks(rci_weakref_pending *pending);

/* The hash of n bytes at p, computed once into *cache (0: not yet; the
 * hash is never 0) with relaxed atomics: str's and bytes' (objects/str.c). */
uint64_t rci_cached_hash_bytes(uint64_t *cache, const char *p, int64_t n);

/* Returns: a new str, prefix then the len bytes at p in single quotes, with
 * backslash escapes for the quote, the backslash, \n, \t, \r, and \xNN
 * for other control bytes (and, if escape_non_ascii, bytes past 0x7f):
 * str's and bytes' repr (objects/str.c). */
rc_object *rci_quoted_repr(const char *prefix, const char *p, int64_t len,
                           bool escape_non_ascii);

/* ---- the repr of containers (objects/generic.c) ------------------------------
 * A container whose repr reaches itself (a list in itself, a dict in a
 * value of its own, a set holding a client object whose repr shows the
 * set) shows as "[...]", "{...}" or "set(...)" inside itself, as CPython's
 * Py_ReprEnter makes it. Each thread keeps the containers whose repr is in
 * progress on a stack of frames that live on the C stack of the reprs. */
typedef struct rci_repr_frame {
    const rc_object *container;
    struct rci_repr_frame *outer;
} rci_repr_frame;

/* Pushes frame for o and returns true, or returns false (nothing pushed)
 * if o's repr is already in progress on this thread. */
bool rci_repr_enter(rci_repr_frame *frame, const rc_object *o);
/* Pops frame, which the matching rci_repr_enter pushed. */
void rci_repr_leave(rci_repr_frame *frame);

/* Returns: a new str, text (a repr such as "(a, b)") with its first and
 * last characters replaced by open and close, and the `drop` characters
 * before the last removed ("(a,)" -> "[a]" drops the comma). */
rc_object *rci_repr_rebracket(rc_object *text, char open, char close, size_t drop);

/* Interned strings: runtime start and stop (objects/str.c). */
rc_status rci_intern_init(void);
void rci_intern_fini(void);

/* Small ints (objects/int.c): built at runtime start. */
void rci_small_ints_init(void);

/* The type of ints beyond int64_t (objects/int.c), named "int" too. */
extern rc_type rci_bigint_type;

/* The hash of a float of value d (objects/float.c), which a big int equal
 * to d shares. */
uint64_t rci_float_hash_double(double d);

/* The type of a quarantined object in debug builds (refcount/debug.c); the
 * second, of one freed by the drop of a container that lent it, names the
 * likely cause (a borrow kept too long) when the object is used. */
extern rc_type rci_freed_type, rci_freed_lent_type;

#endif /* RC_OBJECTS_OBJECT_INTERNAL_H */
