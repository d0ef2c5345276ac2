/*
 * gc/gc.c -- the cycle collector: generational trial deletion.
 *
 * Mechanism (after CPython's Modules/gcmodule.c, later Python/gc.c). Every
 * GC object sits on a doubly linked list (gc_internal.h). To collect
 * generation g, the lists of generations 0..g are joined into one `young`
 * set, and then:
 *
 *   1. update_refs     each object's scratch count := its reference count;
 *   2. subtract_refs   for every reference from one young object to another,
 *                      the target's scratch count is decremented. What is
 *                      left is the number of references from outside the set:
 *                      from older generations, from atoms, from C variables;
 *   3. move_unreachable objects with outside references are reachable, and so
 *                      is everything they reach; the rest moves to a list of
 *                      unreachable objects. One pass over a list that grows
 *                      at its tail: no recursion, so a chain of a million
 *                      objects costs no C stack;
 *   4. the survivors move to generation g + 1;
 *   5. the garbage: the collector holds a reference to each unreachable
 *      object so that none is freed while it works, then
 *        a. clears weak references to them, and runs the callbacks of those
 *           weak references that are themselves reachable (a callback of a
 *           garbage weak reference could see garbage);
 *        b. runs finalizers that have not run yet, with everything intact;
 *        c. if a finalizer or callback ran, checks for resurrection: steps
 *           1-3 again on the garbage alone, minus the collector's own
 *           references; what is reachable now survives;
 *        d. clears (type's clear slot) every remaining object, which breaks
 *           the cycles, and drops its own references: reference counting then
 *           frees them, through the deallocation work list.
 *      In debug mode (rc_gc_set_debug_keep_garbage) step d keeps them instead.
 *
 * Deferred counts: a strategy may defer some decrefs (biased counting's
 * merge queues). Such a pending reference would look like one from outside
 * the set and keep garbage alive for one more collection, so the collector
 * settles them (rcs_settle_counts) before step 1, and again after step 5d,
 * whose decrefs may have been deferred in their turn.
 *
 * Scheduling: count[0] is tracked allocations minus deallocations since the
 * last collection of generation 0; count[g] for g > 0 is the number of
 * collections of generation g - 1 since the last collection of g. Full
 * collections also wait until the objects that survived into the oldest
 * generation since the last full one are a quarter of the long-lived ones.
 *
 * Threads: the collector's state is runtime-wide, except generation 0's
 * newest objects. Each thread links the GC objects it allocates into a young
 * list of its own (gc_young), under that list's lock, which nobody else
 * takes unless it frees one of those objects: so two threads that allocate
 * and free their own objects never meet on a shared list head or lock (with
 * one global generation 0 they bounced both on every allocation). A tracked
 * object records in its flags which young list it is on (none: a global
 * list). A collection, a freeze or a count first empties every young list
 * into generation 0 (young_gather). The generations, settings and counts
 * take the runtime lock (rcs_runtime_lock: free under the GIL). A
 * collection stops the world (rcs_stop_world) for its whole length,
 * finalizers and callbacks included; the thread that stopped it takes no
 * lock, since every other thread is paused.
 *
 * Lock order: the runtime lock, then a young list's lock.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "gc/gc.h"
#include "locking/clock.h"
#include "gc/gc_internal.h"
#include "objects/object_internal.h"
#include "objects/weakref.h"
#include "refcount/dealloc_internal.h"

#ifndef RC_GC_STRESS
#define RC_GC_STRESS 0 /* > 0: collect generation 0 every RC_GC_STRESS allocations */
#endif

#define DEFAULT_THRESHOLD0 700
#define DEFAULT_THRESHOLD1 10
#define DEFAULT_THRESHOLD2 10

static struct gc_state {
    rci_gc_head generations[RC_GC_GENERATIONS]; /* list sentinels */
    rci_gc_head frozen, kept;
    int64_t count[RC_GC_GENERATIONS];
    int64_t threshold[RC_GC_GENERATIONS];
    int64_t long_lived_total;   /* objects in the oldest generation after the
                                   last full collection */
    int64_t long_lived_pending; /* objects moved there since */
    bool enabled;
    bool keep_garbage;
    rc_gc_stats stats[RC_GC_GENERATIONS];
} gc;

/* Whether generation 0 is over its threshold (with collection enabled):
 * kept up to date under the runtime lock, read without it at every GC
 * allocation, so that the common case takes no lock just to learn that no
 * collection is due. A stale read only moves a collection by one allocation. */
static atomic_bool collection_due;

/* pre: the runtime lock held (or the world stopped). Relaxed: the flag
 * publishes no other memory. A thread that reads it set decides again
 * with the world stopped (rci_gc_before_alloc), and one that reads it
 * stale clear collects at a later allocation. */
static void update_due_locked(void) {
    atomic_store_explicit(&collection_due, gc.enabled && gc.count[0] > gc.threshold[0],
                          memory_order_relaxed);
}

/* ---- lists ------------------------------------------------------------------ */

static void list_init(rci_gc_head *l) {
    l->next = l->prev = l;
}

static bool list_is_empty(const rci_gc_head *l) {
    return l->next == l;
}

static void list_unlink(rci_gc_head *h) {
    h->prev->next = h->next;
    h->next->prev = h->prev;
}

static void list_append(rci_gc_head *l, rci_gc_head *h) {
    h->prev = l->prev;
    h->next = l;
    l->prev->next = h;
    l->prev = h;
}

static void list_move(rci_gc_head *h, rci_gc_head *to) {
    list_unlink(h);
    list_append(to, h);
}

/* Moves every element of from to the end of to, in constant time. */
static void list_merge(rci_gc_head *from, rci_gc_head *to) {
    if (list_is_empty(from))
        return;
    from->next->prev = to->prev;
    to->prev->next = from->next;
    from->prev->next = to;
    to->prev = from->prev;
    list_init(from);
}

static int64_t list_length(const rci_gc_head *l) {
    int64_t n = 0;
    for (const rci_gc_head *h = l->next; h != l; h = h->next)
        n++;
    return n;
}

/* ---- young lists ------------------------------------------------------------------ */

/* A thread's young list: the GC objects it allocated since the last
 * collection, minus those freed since. Never freed (a thread freeing one of
 * its objects may still be waiting on its lock after the owner detached);
 * reused by later threads. */
typedef struct gc_young {
    rcs_lock_word lock;
    rci_gc_head list;       /* sentinel */
    /* Allocations minus deallocations by the owning thread not yet added to
     * gc.count[0]; written by that thread only, or with the world stopped. */
    int64_t pending;
    bool in_use;
    struct gc_young *next_all; /* under the runtime lock */
} gc_young;

/* The flags of a tracked object hold its young list's address (16-aligned:
 * malloc'd), or 0 when it is on a global list; the low bits are RCI_GC_*. */
#define YOUNG_MASK (~(uint64_t)15)
_Static_assert((RCI_GC_FINALIZED | RCI_GC_COLLECTING | RCI_GC_UNREACHABLE | RCI_GC_SHARED) < 16,
               "the flag bits must fit below a young list's address");

static gc_young *all_young; /* every young list ever made, under the runtime lock */
static _Thread_local gc_young *my_young;

/* Objects counted in one go into gc.count[0]: a thread takes the runtime
 * lock once per this many of its allocations or deallocations. */
#define COUNT_BATCH (RC_GC_STRESS > 0 ? 1 : 32)

/* Atomic: a thread freeing h reads it without the list's lock, while the
 * owner may be emptying its list (young_empty_locked). Relaxed: the answer
 * only says which lock to take; rci_gc_untrack reads it again under that
 * lock, and the lock's acquire (the young list's, or the runtime lock,
 * which young_empty_locked's caller holds too) orders the list itself. */
static inline gc_young *young_of(const rci_gc_head *h) {
    return (gc_young *)(uintptr_t)(rcs_shared_load(&h->flags, memory_order_relaxed) & YOUNG_MASK);
}

static inline void young_lock(gc_young *y) {
    rcs_lock_word_lock(&y->lock);
}

static inline void young_unlock(gc_young *y) {
    rcs_lock_word_unlock(&y->lock);
}

/* The calling thread's young list, made or reused on its first GC
 * allocation; NULL if out of memory (the caller then uses generation 0). */
static gc_young *young_mine(void) {
    if (RC_LIKELY(my_young != NULL))
        return my_young;
    rcs_runtime_lock();
    gc_young *y = all_young;
    while (y && y->in_use)
        y = y->next_all;
    /* No error on failure: the caller falls back to generation 0. */
    if (!y && (y = rcs_mem_calloc(sizeof *y)) != NULL) {
        /* Owned by this thread: where the strategy biases a lock to its
         * owner, the thread's own tracking then takes no atomic step. */
        rcs_lock_word_init(&y->lock);
        list_init(&y->list);
        y->next_all = all_young;
        all_young = y;
    }
    if (y)
        y->in_use = true;
    rcs_runtime_unlock();
    return my_young = y;
}

/* Adds delta (tracked minus untracked objects) to generation 0's count,
 * which never goes below 0. pre: the runtime lock. */
static void gen0_count_locked(int64_t delta) {
    gc.count[0] += delta;
    if (gc.count[0] < 0)
        gc.count[0] = 0;
    update_due_locked();
}

/* Adds a thread's pending count to gc.count[0]. pre: the runtime lock. */
static void young_count_locked(gc_young *y) {
    gen0_count_locked(y->pending);
    y->pending = 0;
}

/* Moves y's objects to generation 0 and marks them as on a global list.
 * Its pending count stays with its thread. pre: the runtime lock held (or
 * the world stopped); y's lock held. */
static void young_empty_locked(gc_young *y) {
    for (rci_gc_head *h = y->list.next; h != &y->list; h = h->next)
        rcs_shared_fetch_and(&h->flags, ~YOUNG_MASK, memory_order_relaxed); /* young_of says why relaxed */
    list_merge(&y->list, &gc.generations[0]);
}

/* Empties every young list into generation 0 before generation 0 is
 * collected, frozen or counted. pre: the runtime lock held or the world
 * stopped by this thread. */
static void young_gather(void) {
    for (gc_young *y = all_young; y; y = y->next_all) {
        if (!y->in_use)
            continue;
        young_lock(y);
        young_empty_locked(y);
        young_unlock(y);
    }
}

void rci_gc_thread_end(void) {
    gc_young *y = my_young;
    if (!y)
        return;
    rcs_runtime_lock();
    young_lock(y);
    young_empty_locked(y);
    young_count_locked(y);
    y->in_use = false;
    young_unlock(y);
    rcs_runtime_unlock();
    my_young = NULL;
}

/* ---- tracking ------------------------------------------------------------------ */

void rci_gc_init(void) {
    for (gc_young *y = all_young; y; y = y->next_all) { /* kept from an earlier run */
        list_init(&y->list);
        y->pending = 0;
        y->in_use = false;
    }
    for (int g = 0; g < RC_GC_GENERATIONS; g++) {
        list_init(&gc.generations[g]);
        gc.count[g] = 0;
        gc.stats[g] = (rc_gc_stats){0};
    }
    list_init(&gc.frozen);
    list_init(&gc.kept);
    gc.threshold[0] = RC_GC_STRESS > 0 ? RC_GC_STRESS : DEFAULT_THRESHOLD0;
    gc.threshold[1] = DEFAULT_THRESHOLD1;
    gc.threshold[2] = DEFAULT_THRESHOLD2;
    gc.long_lived_total = gc.long_lived_pending = 0;
    gc.enabled = true;
    gc.keep_garbage = false;
    update_due_locked();
}

void rci_gc_fini(void) {
    /* Objects still tracked are leaks, reported by the live counts; the
     * lists are simply forgotten with the runtime. pre: no thread attached
     * (the last one has emptied its young list). */
    rci_gc_init();
}

/* Moves this thread's pending count into gc.count[0] once it has grown by
 * a batch either way. */
static inline void young_count(gc_young *y, int64_t delta) {
    y->pending += delta;
    if (RC_UNLIKELY(y->pending >= COUNT_BATCH || y->pending <= -COUNT_BATCH)) {
        rcs_runtime_lock();
        young_count_locked(y);
        rcs_runtime_unlock();
    }
}

/* Counts one tracked (+1) or untracked (-1) object: in the calling thread's
 * pending count, or, for a thread without a young list (out of memory),
 * straight into generation 0's. */
static void count_change(gc_young *mine, int64_t delta) {
    if (RC_LIKELY(mine != NULL)) {
        young_count(mine, delta);
        return;
    }
    rcs_runtime_lock();
    gen0_count_locked(delta);
    rcs_runtime_unlock();
}

void rci_gc_track_new(rci_gc_head *h) {
    h->refs = 0;
    gc_young *y = young_mine();
    if (RC_UNLIKELY(!y)) {
        h->flags = 0;
        rcs_runtime_lock();
        list_append(&gc.generations[0], h);
        rcs_runtime_unlock();
    } else {
        h->flags = (uint64_t)(uintptr_t)y;
        young_lock(y);
        list_append(&y->list, h);
        young_unlock(y);
    }
    count_change(y, 1);
}

void rci_gc_untrack(rci_gc_head *h) {
    for (;;) {
        gc_young *y = young_of(h);
        if (!y) {
            /* On a global list; objects never move back to a young one. */
            rcs_runtime_lock();
            list_unlink(h);
            rcs_runtime_unlock();
            break;
        }
        young_lock(y);
        /* Waiting for the lock is a blocking point, where a collection may
         * have moved h to a global list meanwhile: look again. */
        if (young_of(h) == y) {
            list_unlink(h);
            young_unlock(y);
            break;
        }
        young_unlock(y);
    }
    count_change(young_mine(), -1);
}

bool rc_gc_is_tracked(const rc_object *o) {
    return o && rci_gc_is_gc_type(o->type);
}

/* ---- the passes ----------------------------------------------------------------- */

/* The head of a child that belongs to the set being collected, or NULL. */
static rci_gc_head *collecting_head(rc_object *child) {
    if (!rci_gc_is_gc_type(child->type))
        return NULL;
    rci_gc_head *h = rci_gc_head_of(child);
    return (h->flags & RCI_GC_COLLECTING) ? h : NULL;
}

/* Step 1: scratch count := reference count, minus `bias` (the collector's
 * own references, when it checks for resurrection). Returns the set's size.
 * An immortal container reads RCS_IMMORTAL_COUNT, which no subtraction
 * brings near 0: it is always reachable, and so is everything it holds,
 * whose counts include its references as usual. No count turns immortal
 * during a collection: rc_immortalize stops the world too. */
static int64_t update_refs(rci_gc_head *set, int64_t bias) {
    int64_t n = 0;
    for (rci_gc_head *h = set->next; h != set; h = h->next, n++) {
        int64_t count = rcs_refcount(&rci_gc_object_of(h)->rc);
        /* A count of 0 on a tracked object: it is being deallocated, by a
         * thread paused before it untracked it (waiting for a lock), or
         * queued on this thread's deallocation work list. Its deallocation
         * will free it: the collector must not, so it counts as referenced
         * from outside, which keeps it and what it holds out of the garbage. */
        h->refs = count > 0 ? count - bias : 1;
        h->flags |= RCI_GC_COLLECTING;
    }
    return n;
}

static int visit_subtract(rc_object *child, void *arg) {
    (void)arg;
    rci_gc_head *h = collecting_head(child);
    if (h)
        h->refs--;
    return 0;
}

/* Step 2: remove the references that objects of the set hold to each other. */
static void subtract_refs(rci_gc_head *set) {
    for (rci_gc_head *h = set->next; h != set; h = h->next)
        rci_traverse(rci_gc_object_of(h), visit_subtract, NULL);
}

/* The state of move_unreachable's scan. */
typedef struct scan {
    rci_gc_head *set;         /* the set being scanned; reachable objects stay */
    rci_gc_head *unreachable; /* where the others go */
    int64_t unreachable_count;
} scan;

/* For a reachable object's child: the child is reachable too. If it was
 * already moved to the unreachable list, it goes back to the end of the set
 * (to be scanned, and its own children marked, in turn). A child already
 * scanned and found reachable has left the collecting state: ignored. */
static int visit_reachable(rc_object *child, void *arg) {
    scan *s = arg;
    rci_gc_head *h = collecting_head(child);
    if (!h)
        return 0;
    if (h->flags & RCI_GC_UNREACHABLE) {
        h->flags &= ~RCI_GC_UNREACHABLE;
        list_move(h, s->set);
        s->unreachable_count--;
        h->refs = 1;
    } else if (h->refs <= 0) {
        h->refs = 1; /* not scanned yet: it will be found reachable */
    }
    return 0;
}

/* Step 3: splits the set into reachable (stays) and unreachable (moved), in
 * one scan of a list that may grow at its tail. A reachable object leaves
 * the collecting state as it is scanned, so no later pass is needed to
 * reset it. Returns the number of unreachable objects. */
static int64_t move_unreachable(rci_gc_head *set, rci_gc_head *unreachable) {
    scan s = {set, unreachable, 0};
    rci_gc_head *h = set->next;
    while (h != set) {
        if (h->refs > 0) {
            h->flags &= ~RCI_GC_COLLECTING;
            rci_traverse(rci_gc_object_of(h), visit_reachable, &s);
            h = h->next; /* read after the traversal, which may append */
        } else {
            rci_gc_head *next = h->next;
            h->flags |= RCI_GC_UNREACHABLE;
            list_move(h, unreachable);
            s.unreachable_count++;
            h = next;
        }
    }
    return s.unreachable_count;
}

/* Steps 1-3 on a set: on return, set holds what is reachable from outside
 * it (in no collecting state), unreachable the rest (flagged UNREACHABLE and
 * COLLECTING). Returns the number of unreachable objects; *scanned is the
 * size of the set before. */
static int64_t find_unreachable(rci_gc_head *set, rci_gc_head *unreachable, int64_t bias,
                                int64_t *scanned) {
    *scanned = update_refs(set, bias);
    subtract_refs(set);
    return move_unreachable(set, unreachable);
}

/* ---- the garbage ------------------------------------------------------------------ */

/* Step 5a, first half, in one pass: hold a reference to every unreachable
 * object (nothing may be freed while the collector walks them), clear the
 * weak references to them, and queue the callbacks of those that are not
 * garbage. Returns true if some object's finalizer has yet to run. */
static bool hold_and_clear_weakrefs(rci_gc_head *garbage, rci_weakref_pending *callbacks) {
    bool finalizers = false;
    for (rci_gc_head *h = garbage->next; h != garbage; h = h->next) {
        rc_object *o = rci_gc_object_of(h);
        rcs_incref(&o->rc);
        if (o->type->weaklist_offset)
            rci_weakref_clear_for_gc(o, callbacks);
        finalizers |= rci_dealloc_finalizer_pending(o); /* refcount/dealloc_internal.h */
    }
    return finalizers;
}

/* Step 5b. Returns true if a finalizer ran. */
static bool finalize_garbage(rci_gc_head *garbage) {
    bool ran = false;
    for (rci_gc_head *h = garbage->next; h != garbage; h = h->next) {
        rc_object *o = rci_gc_object_of(h);
        if (rci_dealloc_claim_finalizer(o)) { /* phase 1 of refcount/dealloc_internal.h */
            o->type->finalize(o);
            ran = true;
        }
    }
    return ran;
}

/* Step 5c: what a finalizer or callback made reachable again moves to
 * `survivors`; garbage keeps the rest. Returns how many are left. */
static int64_t move_resurrected(rci_gc_head *garbage, rci_gc_head *survivors) {
    for (rci_gc_head *h = garbage->next; h != garbage; h = h->next)
        h->flags &= ~RCI_GC_UNREACHABLE; /* start the search afresh */
    rci_gc_head still_garbage;
    list_init(&still_garbage);
    int64_t scanned;
    int64_t left = find_unreachable(garbage, &still_garbage, 1 /* our hold */, &scanned);
    while (!list_is_empty(garbage)) {
        rci_gc_head *h = garbage->next;
        list_move(h, survivors);
        rcs_decref(&rci_gc_object_of(h)->rc); /* cannot reach 0: it is referenced */
    }
    list_merge(&still_garbage, garbage);
    return left;
}

/* Step 5d, in one pass: each object leaves the garbage list for the
 * survivors' list, is cleared, and loses the collector's hold. Clearing one
 * object frees the others it held only once they too have lost the hold,
 * that is once they are on the survivors' list, which their deallocation
 * leaves again; what is still referenced at the end (a clear slot that kept
 * a reference) simply survives there. */
static void clear_garbage(rci_gc_head *garbage, rci_gc_head *survivors) {
    while (!list_is_empty(garbage)) {
        rci_gc_head *h = garbage->next;
        rc_object *o = rci_gc_object_of(h);
        h->flags &= ~(RCI_GC_COLLECTING | RCI_GC_UNREACHABLE);
        list_move(h, survivors);
        o->type->clear(o);
        rc_decref(o); /* the hold: frees o unless garbage not yet cleared holds it */
    }
}

/* Debug mode: the garbage is kept on the kept list, alive. */
static void keep_garbage(rci_gc_head *garbage) {
    while (!list_is_empty(garbage)) {
        rci_gc_head *h = garbage->next;
        h->flags &= ~(RCI_GC_COLLECTING | RCI_GC_UNREACHABLE);
        list_move(h, &gc.kept);
        rcs_decref(&rci_gc_object_of(h)->rc); /* kept alive by its cycle */
    }
}

/* Step 5: returns how many objects were garbage in the end. */
static int64_t handle_garbage(rci_gc_head *garbage, int64_t found, rci_gc_head *survivors) {
    rci_weakref_pending callbacks = {NULL};
    bool finalizers = hold_and_clear_weakrefs(garbage, &callbacks);
    bool ran = rci_weakref_run_callbacks(&callbacks);
    if (finalizers)
        ran |= finalize_garbage(garbage);
    if (ran)
        found = move_resurrected(garbage, survivors);
    if (gc.keep_garbage)
        keep_garbage(garbage);
    else
        clear_garbage(garbage, survivors);
    return found;
}

/* ---- one collection ------------------------------------------------------------------ */

/* Joins generations 0..gen into gen; returns its list. Updates the
 * scheduling counts. */
static rci_gc_head *gather_young(int gen) {
    young_gather();
    /* The counts start again: so do the threads' pending parts (which only
     * their threads write, and they are paused). */
    for (gc_young *y = all_young; y; y = y->next_all)
        y->pending = 0;
    rci_gc_head *young = &gc.generations[gen];
    for (int g = 0; g < gen; g++)
        list_merge(&gc.generations[g], young);
    if (gen + 1 < RC_GC_GENERATIONS)
        gc.count[gen + 1]++;
    for (int g = 0; g <= gen; g++)
        gc.count[g] = 0;
    update_due_locked();
    return young;
}

/* Moves the survivors on, and keeps the count of long-lived objects that
 * paces full collections. */
static void promote_survivors(rci_gc_head *young, int gen, int64_t survivors) {
    if (gen + 1 < RC_GC_GENERATIONS) {
        list_merge(young, &gc.generations[gen + 1]);
        if (gen + 1 == RC_GC_GENERATIONS - 1)
            gc.long_lived_pending += survivors;
    } else {
        gc.long_lived_total = survivors;
        gc.long_lived_pending = 0;
    }
}

static void record_stats(int gen, int64_t found, uint64_t pause_ns) {
    rc_gc_stats *s = &gc.stats[gen];
    s->collections++;
    if (gc.keep_garbage)
        s->uncollectable += (uint64_t)found;
    else
        s->collected += (uint64_t)found;
    s->last_pause_ns = pause_ns;
    if (pause_ns > s->longest_pause_ns)
        s->longest_pause_ns = pause_ns;
}

/* True on the thread that is collecting, while it does: a finalizer that
 * allocates must not start a collection inside this one. */
static _Thread_local bool collecting_here;

bool rci_gc_collecting_here(void) {
    return collecting_here;
}

/* One collection. pre: the world is stopped by this thread. */
static int64_t collect_stopped(int gen) {
    uint64_t start = rcs_monotonic_ns();
    collecting_here = true;
    /* Counts the strategy still defers (biased merge queues) would read as
     * references from outside: apply them first, freeing what they kill. */
    rcs_settle_counts();
    rci_gc_head *young = gather_young(gen);
    rci_gc_head garbage;
    list_init(&garbage);
    int64_t scanned;
    int64_t found = find_unreachable(young, &garbage, 0, &scanned);
    promote_survivors(young, gen, scanned - found);
    if (found > 0) {
        int older = gen + 1 < RC_GC_GENERATIONS ? gen + 1 : gen;
        found = handle_garbage(&garbage, found, &gc.generations[older]);
        /* Clearing dropped references to objects that other threads own;
         * where the strategy queued those (biased), the objects would live
         * until their owners next merge, perhaps long after (an owner in
         * the release region): free them as part of this collection. */
        rcs_settle_counts();
    }
    collecting_here = false;
    record_stats(gen, found, rcs_monotonic_ns() - start);
    return found;
}

/* ---- scheduling ------------------------------------------------------------------------ */

/* The generation an automatic collection should collect now, or -1. */
static int due_generation(void) {
    if (!gc.enabled || gc.count[0] <= gc.threshold[0])
        return -1;
    for (int g = RC_GC_GENERATIONS - 1; g >= 0; g--) {
        if (gc.count[g] <= gc.threshold[g])
            continue;
        /* A full collection waits until enough has survived since the last
         * one: collecting a growing heap stays linear overall. */
        if (g == RC_GC_GENERATIONS - 1 && gc.long_lived_pending < gc.long_lived_total / 4)
            continue;
        return g;
    }
    return -1;
}

void rci_gc_before_alloc(void) {
    /* Relaxed: update_due_locked says why a stale flag is harmless. */
    if (RC_LIKELY(!atomic_load_explicit(&collection_due, memory_order_relaxed)) ||
        collecting_here)
        return;
    /* Decide again with the world stopped: another thread may have
     * collected in between. */
    rcs_stop_world();
    int g = due_generation();
    if (g >= 0)
        collect_stopped(g);
    rcs_start_world();
}

/* ---- the public API ----------------------------------------------------------------------- */

static bool gc_valid_generation(int gen) {
    return gen >= 0 && gen < RC_GC_GENERATIONS;
}

int64_t rc_gc_collect_generation(int gen) {
    if (!gc_valid_generation(gen))
        return rc_error_set(RC_EVALUE, "rc_gc_collect_generation: no generation %d", gen);
    if (!rci_tstate_checked("rc_gc_collect"))
        return RC_ESTATE;
    if (collecting_here)
        return rc_error_set(RC_ESTATE, "rc_gc_collect: a collection is already running");
    rcs_stop_world();
    int64_t found = collect_stopped(gen);
    rcs_start_world();
    return found;
}

int64_t rc_gc_collect(void) {
    return rc_gc_collect_generation(RC_GC_GENERATIONS - 1);
}

/* The settings, lists and counters below are shared by all threads: each
 * access takes the runtime lock (free under the GIL). */

void rc_gc_enable(void) {
    rcs_runtime_lock();
    gc.enabled = true;
    update_due_locked();
    rcs_runtime_unlock();
}

void rc_gc_disable(void) {
    rcs_runtime_lock();
    gc.enabled = false;
    update_due_locked();
    rcs_runtime_unlock();
}

bool rc_gc_is_enabled(void) {
    rcs_runtime_lock();
    bool on = gc.enabled;
    rcs_runtime_unlock();
    return on;
}

rc_status rc_gc_set_threshold(int gen, int64_t threshold) {
    if (!gc_valid_generation(gen) || threshold < 1)
        return rc_error_set(RC_EVALUE, "rc_gc_set_threshold: bad generation %d or "
                                       "threshold %lld",
                            gen, (long long)threshold);
    rcs_runtime_lock();
    gc.threshold[gen] = threshold;
    update_due_locked();
    rcs_runtime_unlock();
    return RC_OK;
}

int64_t rc_gc_threshold(int gen) {
    if (!gc_valid_generation(gen))
        return -1;
    rcs_runtime_lock();
    int64_t t = gc.threshold[gen];
    rcs_runtime_unlock();
    return t;
}

void rc_gc_freeze(void) {
    rcs_runtime_lock();
    young_gather();
    for (int g = 0; g < RC_GC_GENERATIONS; g++) {
        list_merge(&gc.generations[g], &gc.frozen);
        gc.count[g] = 0;
    }
    gc.long_lived_total = gc.long_lived_pending = 0;
    update_due_locked();
    rcs_runtime_unlock();
}

void rc_gc_unfreeze(void) {
    rcs_runtime_lock();
    list_merge(&gc.frozen, &gc.generations[RC_GC_GENERATIONS - 1]);
    rcs_runtime_unlock();
}

static int64_t locked_length(const rci_gc_head *l) {
    rcs_runtime_lock();
    int64_t n = list_length(l);
    rcs_runtime_unlock();
    return n;
}

int64_t rc_gc_frozen_count(void) {
    return locked_length(&gc.frozen);
}

int64_t rc_gc_tracked_count(int gen) {
    if (gen == RC_GC_GENERATIONS)
        return locked_length(&gc.frozen);
    if (!gc_valid_generation(gen))
        return -1;
    rcs_runtime_lock();
    if (gen == 0)
        young_gather(); /* the young lists are part of generation 0 */
    int64_t n = list_length(&gc.generations[gen]);
    rcs_runtime_unlock();
    return n;
}

rc_status rc_gc_get_stats(int gen, rc_gc_stats *out) {
    if (!gc_valid_generation(gen) || !out)
        return rc_error_set(RC_EVALUE, "rc_gc_get_stats: bad generation %d or NULL", gen);
    rcs_runtime_lock();
    *out = gc.stats[gen];
    rcs_runtime_unlock();
    return RC_OK;
}

void rc_gc_set_debug_keep_garbage(bool on) {
    rcs_runtime_lock();
    gc.keep_garbage = on;
    rcs_runtime_unlock();
}

/* With the world stopped, so that the kept list holds still; marked as
 * collecting, so that what visit does cannot start a collection inside the
 * walk (an allocation's automatic one waits, rc_gc_collect is refused). */
int rc_gc_visit_garbage(rc_visit_fn visit, void *arg) {
    if (!visit)
        return rc_error_set(RC_EVALUE, "rc_gc_visit_garbage: NULL visit");
    if (!rci_tstate_checked("rc_gc_visit_garbage"))
        return RC_ESTATE;
    if (collecting_here)
        return rc_error_set(RC_ESTATE, "rc_gc_visit_garbage: called during a collection "
                                       "or another walk");
    rcs_stop_world();
    collecting_here = true;
    int result = 0;
    for (rci_gc_head *h = gc.kept.next; h != &gc.kept && !result; h = h->next)
        result = visit(rci_gc_object_of(h), arg);
    collecting_here = false;
    rcs_start_world();
    return result;
}

/* Refused inside a walk: it would empty the kept list under its feet. */
rc_status rc_gc_release_garbage(void) {
    if (!rci_tstate_checked("rc_gc_release_garbage"))
        return RC_ESTATE;
    if (collecting_here)
        return rc_error_set(RC_ESTATE, "rc_gc_release_garbage: called during a collection "
                                       "or a walk of the kept garbage");
    rcs_runtime_lock();
    list_merge(&gc.kept, &gc.generations[RC_GC_GENERATIONS - 1]);
    rcs_runtime_unlock();
    return RC_OK;
}
