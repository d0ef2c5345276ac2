/*
 * runtime/runtime_internal.h -- what the object layer shares internally:
 * per-thread state, memory, and setting errors.
 */
#ifndef RC_RUNTIME_RUNTIME_INTERNAL_H
#define RC_RUNTIME_RUNTIME_INTERNAL_H

#ifndef RC_BUILD_CORE
#error "internal header: include refcore.h"
#endif

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "locking/alloc/alloc.h"
#include "objects/object.h"
#include "refcount/refcount.h"
#include "runtime/compiler.h"
#include "runtime/error.h"

/* ---- per-thread state of the object layer ---------------------------------
 * One per attached thread, created by rc_thread_attach (or rc_runtime_start)
 * and freed by rc_thread_detach. Only its own thread writes it; readers of
 * `live` (rc_live_objects) use relaxed atomic loads, the owner relaxed
 * stores, so counting an object costs no locked instruction. */
typedef struct rci_tstate {
    uint64_t live[RC_MAX_TYPES]; /* allocated minus freed here, per type id
                                    (wraps below zero when objects made
                                    elsewhere are freed here; the sum is right) */

    /* Objects waiting to be deallocated (refcount/dealloc.c). */
    rc_object **dealloc_stack;
    size_t dealloc_len, dealloc_cap;
    bool deallocating;

    /* Debug builds: memory blocks of freed objects kept back
     * (refcount/debug.c). */
    void **quarantine;
    size_t quarantine_next;

    /* Borrowed reads (runtime/borrow.c). borrow_since: 0 while the thread
     * holds no borrowed item, else the lend clock when its window opened;
     * written only by its own thread, read by writers that free removed
     * items. The rest is the thread's own: items it removed from lent
     * containers, whose references it drops once no window can hold them
     * ([head, len) pending, [head, sealed) with a goal). */
    _Atomic uint64_t borrow_since;
    struct rci_deferred *deferred;
    size_t deferred_head, deferred_sealed, deferred_len, deferred_cap;
    size_t deferred_eager_at; /* drop early at this many pending (0: the default) */
    int borrow_pins;    /* > 0: quiescent points leave the window open */
    bool deferred_busy; /* dropping them now (a drop may defer more) */
    bool borrow_ended;  /* detaching: past rci_borrow_thread_end */

    struct rci_tstate *next; /* the registry of attached threads */
} rci_tstate;

/* The calling thread's state; NULL when it is not attached. */
extern _Thread_local rci_tstate *rci_current;

/* The calling thread's state while it may touch objects: attached and
 * outside the release region. NULL otherwise: runtime/lifecycle.c sets it with
 * rci_current and clears it for the release region, so the check that
 * guards object creation and every container entry point is one
 * thread-local load and a branch (rci_may_touch). */
extern _Thread_local rci_tstate *rci_active;

/* True when the calling thread may touch objects now. */
static inline bool rci_may_touch(void) {
    return rci_active != NULL;
}

/* Sets RC_ESTATE for a call of fn from a thread that may not touch
 * objects, saying which case it is (not attached, or inside the release
 * region), and returns RC_ESTATE. Cold: the misuse path. */
rc_status rci_state_error(const char *fn);

/* Returns the calling thread's state, or NULL with RC_ESTATE set (naming
 * fn) when it may not touch objects (see rci_active). */
rci_tstate *rci_tstate_checked(const char *fn);

/* A load and a store, not an atomic add: t's own thread is the only
 * writer. Relaxed: other threads read the slot for a snapshot of the live
 * counts (runtime/thread_state.c), which orders nothing else. */
static inline void rci_live_add(rci_tstate *t, uint32_t type_id, int64_t delta) {
    uint64_t *slot = &t->live[type_id];
    rcs_shared_store(slot, rcs_shared_load(slot, memory_order_relaxed) + (uint64_t)delta,
                     memory_order_relaxed);
}

/* ---- memory ----------------------------------------------------------------
 * Every allocation of the object layer goes through these or, one layer
 * down, through rcs_mem_* (locking/alloc/alloc.h): the same allocator
 * (mimalloc normally, the system allocator under the sanitizers, by
 * RC_USE_SYSTEM_MALLOC, so ASan sees every free), and each allocation
 * counts down the failure injection of rc_testing_fail_alloc_after.
 * rci_mem_* return NULL and set RC_ENOMEM on failure: use them where the
 * failure is reported to the caller. Where it is recovered from silently
 * (a fallback that needs no memory), call rcs_mem_* directly, which set no
 * error, so that a recovered failure never overwrites an error being
 * reported (a deallocation runs inside the cleanup of failed calls).
 * Free either with rci_mem_free (or rcs_mem_free: the same). */
void *rci_mem_alloc(size_t size);
void *rci_mem_calloc(size_t size);
void *rci_mem_realloc(void *p, size_t size);
void rci_mem_free(void *p);

/* Small blocks, through the per-thread block cache (see memory.c). The
 * kind says what the block holds, and a block is only ever reused for the
 * same kind: object memory stays object memory, with its header at the same
 * offset, so a lock-free reader holding a stale item pointer finds a header
 * it can try to count (and fail). rci_mem_free_block must be given the size
 * and kind the block was allocated with. Object blocks are released through
 * rcs_retire; free a data block (or an object block whose size you do not
 * know, after rcs_retire) with rci_mem_free. */
typedef enum rci_block_kind {
    RCI_BLOCK_DATA,      /* buffers: list arrays and the like */
    RCI_BLOCK_OBJECT,    /* an object, its header at offset 0 */
    RCI_BLOCK_GC_OBJECT, /* the collector's head, then the object */
    RCI_BLOCK_KINDS
} rci_block_kind;

void *rci_mem_alloc_block(size_t size, rci_block_kind kind);
void rci_mem_free_block(void *p, size_t size, rci_block_kind kind);
/* Gives a dead object's block (kind RCI_BLOCK_OBJECT or _GC_OBJECT; size 0
 * if not known) to rcs_retire, poisoned for AddressSanitizer past its count
 * header until it is freed (memory.c). */
void rci_mem_retire_object(void *block, size_t size, rci_block_kind kind);
/* Gives the calling thread's cached blocks back (at detach and stop). The
 * object kinds go through rcs_retire. */
void rci_mem_cache_flush(void);

/* ---- errors ---------------------------------------------------------------- */
/* As rc_error_set (runtime/error.h), returning NULL, for functions that
 * return objects. */
void *rci_error_null(rc_status code, const char *fmt, ...) RC_PRINTF(2, 3);

/* A key error with its message formatted only when rc_error_message()
 * reads it (runtime/error.c): what the message says of the key, copied,
 * since the key may be freed before anyone reads it. */
#define RCI_KEY_TEXT_MAX 60
typedef struct rci_key_desc {
    enum { RCI_KEY_OTHER, RCI_KEY_INT, RCI_KEY_STR } kind;
    int64_t i;                   /* RCI_KEY_INT: the value */
    /* RCI_KEY_STR: the first len bytes (at most RCI_KEY_TEXT_MAX), and, when
     * the str is longer (cut), the byte after them, which says whether the
     * cut fell inside a character. */
    char text[RCI_KEY_TEXT_MAX + 1];
    size_t len;
    bool cut;
    const char *type_name;       /* RCI_KEY_OTHER: the key's type (static) */
} rci_key_desc;

/* Sets RC_EKEY, "<fn>: key not found..." (fn a string literal), and returns
 * RC_EKEY. */
rc_status rci_error_set_key(const char *fn, const rci_key_desc *desc);

/* ---- borrowed reads (runtime/borrow.c) ---------------------------------------
 * How a container lends items (the protocol is at the top of borrow.c):
 *   reader: rci_lend(c, &c->lent) once, rci_borrow_window(t), then read a
 *           slot and return the item without counting it;
 *   writer: rci_lock_for_removal(c, &c->lent, &lent) instead of rcs_lock,
 *           unlink the item, unlock, then rci_drop_removed(lent, item)
 *           instead of rc_decref.
 * Where attached threads never run object code at the same time
 * (!RCS_PARALLEL: //:gil) none of it is needed, and the calls below compile
 * to nothing: another thread runs only while this one is at a quiescent
 * point of borrowing (a checkpoint, the release region, detach: the only
 * places such a strategy hands over), so no other thread can remove an item
 * while this one holds it lent, and writers drop at once (a container is
 * marked lent only by the debug checks, with a plain store, so that its
 * drops name borrowing: rci_drop_lent). A borrow is then a plain load, as the issue of
 * a borrowed reference is in CPython with its GIL. callgrind, one op of
 * read_shared_borrowed under //:gil: 259 -> 189
 * instructions (the counted read_shared: 190). */

/* Marks container c as lent (its writers then defer the drops of removed
 * items) if it is not yet: once per container, under c's lock. */
void rci_lend_slow(rc_object *c, bool *lent);
static inline void rci_lend(rc_object *c, bool *lent) {
    if (!RCS_PARALLEL) {
        /* See above. The debug checks mark the container all the same
         * (a plain store: no other thread runs), only so that its drops
         * name borrowing when a kept borrow is used (rci_drop_lent). */
        if (RC_DEBUG)
            *lent = true;
        return;
    }
    /* Acquire: pairs with the unlock after the store in rci_lend_slow. A
     * reader that sees the flag set also sees every removal that happened
     * before it was set, so it never loads an item whose drop was not
     * deferred. */
    if (RC_UNLIKELY(!rcs_shared_load(lent, memory_order_acquire)))
        rci_lend_slow(c, lent);
}

/* Opens the calling thread's borrow window if it is closed. */
void rci_borrow_open(rci_tstate *t);
static inline void rci_borrow_window(rci_tstate *t) {
    if (!RCS_PARALLEL)
        return;
    /* Our own field: a relaxed load. */
    if (RC_UNLIKELY(!atomic_load_explicit(&t->borrow_since, memory_order_relaxed)))
        rci_borrow_open(t);
}

/* Around a borrowed read that may run client code before it loads the
 * item (a dict key's equality, a dealloc): a quiescent point reached by
 * that code (a checkpoint in a finalizer) leaves the window open, so the
 * item the read then loads is still covered by it. */
static inline void rci_borrow_pin(rci_tstate *t) {
    if (RCS_PARALLEL)
        t->borrow_pins++;
}
static inline void rci_borrow_unpin(rci_tstate *t) {
    if (RCS_PARALLEL)
        t->borrow_pins--;
}

/* rcs_lock(&c->rc) for a call that will remove an item: if c is lent, first
 * makes room to defer one drop. *lent says whether it was lent, read under
 * the lock. Returns RC_OK with the lock held, or RC_ENOMEM (error set) with
 * nothing held or changed. */
rc_status rci_lock_for_removal(rc_object *c, const bool *lent, bool *lent_out);

/* Drops a reference to o that a container held, o now unlinked from it
 * (the lock released): at once if the container was not lent, else once
 * no borrow window that could have loaded it is open. Room for the latter
 * was made by rci_lock_for_removal. */
void rci_drop_removed_deferred(rc_object *o);

/* The drop of an item a lent container removed, once no window can hold
 * it: under the debug checks, one that names borrowing if o is used after
 * it frees o (refcount/debug.c). */
static inline void rci_drop_lent(rc_object *o) {
    if (RC_DEBUG)
        rci_debug_drop_lent(o);
    else
        rc_decref(o);
}

static inline void rci_drop_removed(bool lent, rc_object *o) {
    if (RC_LIKELY(!lent))
        rc_decref(o);
    else if (!RCS_PARALLEL)
        rci_drop_lent(o); /* lent under the debug checks only: nothing to wait for */
    else
        rci_drop_removed_deferred(o);
}

/* A quiescent point of borrowing for t (checkpoint, release region):
 * closes its window, and drops the removed items no window can hold. */
void rci_borrow_quiescent(rci_tstate *t);

/* At detach (tstate_destroy, before the strategy's last merges): closes
 * t's window; drops what is ripe and hands the rest to the threads that
 * stay (all of it is ripe when none holds a window). Later drops of t are
 * handed over one by one. */
void rci_borrow_thread_end(rci_tstate *t);

/* At rc_runtime_stop, the caller alone and detached: drops what detached
 * threads left, and frees the list. */
void rci_borrow_stop(void);

/* The oldest open borrow window of the attached threads: the least nonzero
 * borrow_since, or UINT64_MAX if none is open (runtime/thread_state.c,
 * which owns the thread registry). */
uint64_t rci_oldest_borrow_window(void);

/* ---- thread states (runtime/thread_state.c) ----------------------------------- */

/* Creates the calling thread's state, on the registry, and makes it
 * rci_current and rci_active; NULL with RC_ENOMEM set on failure. */
rci_tstate *rci_tstate_new(void);

/* Takes t, the calling thread's state, off the registry, folds its live
 * counts into the totals, clears rci_current and rci_active, and frees it.
 * pre: everything that runs on t is done (runtime/lifecycle.c). */
void rci_tstate_delete(rci_tstate *t);

/* True if the calling thread's state is the only one on the registry. */
bool rci_tstate_alone(void);

/* ---- fork (rc_fork, runtime/lifecycle.c) ---------------------------------------
 * Once rc_fork has made sure that the caller is the only attached thread
 * and that none is inside the attach gate (attaching, detaching, or in a
 * call that takes a strategy lock unattached: lifecycle.c), the only
 * runtime locks another thread can hold are the object layer's own that a
 * thread takes without being attached: the registry's (rc_live_objects)
 * and the types' (rc_type_ready). rc_fork
 * takes them with prepare, so that no thread holds them as the process is
 * copied, and releases them with after, in the parent and in the child.
 *
 * Released in the child, not made anew: the child's only thread is the
 * one that locked them (POSIX leaves an unlock there to the system;
 * glibc's default mutex, which these are, does not check its owner on
 * unlock), and ThreadSanitizer would take pthread_mutex_init of a mutex
 * it saw locked for a second lock of it. */
void rci_tstate_fork_prepare(void);
void rci_tstate_fork_after(void);
void rci_types_fork_prepare(void);
void rci_types_fork_after(void);

/* Prints a line per type with live objects left and returns their total;
 * resets the totals (rc_runtime_stop). */
int64_t rci_live_report_leaks(void);

/* Type names by id, for the leak report (filled by rc_type_ready). */
extern const char *rci_type_names[RC_MAX_TYPES];

/* refcount/immortal.c: frees every object that rc_immortalize made immortal
 * (see there for how). Called by rc_runtime_stop first, while the caller is
 * still attached and the only attached thread. */
void rci_immortal_release(void);

/* refcount/dealloc.c: frees the work list's memory of a detaching thread. */
void rci_dealloc_fini(rci_tstate *t);

/* refcount/debug.c (debug builds): keep a freed object in the quarantine;
 * false if there is none (the caller then frees it directly). */
bool rci_debug_quarantine(rci_tstate *t, rc_object *o);
/* Give back every quarantined object of a detaching thread. */
void rci_debug_quarantine_flush(rci_tstate *t);

#endif /* RC_RUNTIME_RUNTIME_INTERNAL_H */
