/*
 * gc/gc.h -- the cycle collector.
 *
 * Reference counting frees an object when its last reference goes, but a
 * cycle (a list that contains itself, two objects pointing at each other)
 * keeps every count above zero forever. The collector finds such garbage:
 * among the tracked objects, those that no reference from outside the set
 * reaches (trial deletion; see gc/gc.c and docs/gc.md).
 *
 * What is tracked: every instance of a type with RC_TYPE_GC (list, tuple,
 * dict, weak references, and client types that provide traverse and clear),
 * from its allocation until its deallocation. Atoms (int, float, str, None,
 * bool) cannot be part of a cycle and are never tracked.
 *
 * Generations: new objects start in generation 0; the survivors of a
 * collection move to the next one; generation 2 is the oldest. A collection
 * runs automatically when a new tracked object is allocated and the number of
 * tracked allocations minus deallocations since the last collection of
 * generation 0 exceeds threshold 0; generation 1 is collected with it every
 * threshold-1 collections of generation 0, and generation 2 every threshold-2
 * collections of generation 1, and then only when the objects that survived
 * since the last full collection are at least a quarter of the long-lived
 * ones (as CPython does, so a growing heap costs amortised linear time).
 *
 * Finalizers (the type's finalize slot) run at most once per object, before
 * anything in its cycle is cleared, so a finalizer sees every object intact.
 * An object that a finalizer makes reachable again survives; if it becomes
 * garbage again later, it is collected then, without a second finalizer call
 * (CPython's PEP 442 rules).
 *
 * Threads: a collection stops the world (rcs_stop_world): under //:gil the
 * collecting thread holds the GIL, so every other attached thread waits; no
 * thread outside a release region touches an object until the collection
 * ends. Finalizers and weak reference callbacks run on the collecting thread
 * while the world is stopped: they must not wait for another thread.
 *
 * All functions here: pre: the caller is attached.
 */
#ifndef RC_GC_GC_H
#define RC_GC_GC_H

#include <stdbool.h>
#include <stdint.h>

#include "objects/object.h"
#include "runtime/error.h"

#define RC_GC_GENERATIONS 3

/* Collects generation gen and all younger ones (gen 2: everything but the
 * frozen objects). Returns the number of unreachable objects found (freed,
 * or kept for inspection in debug mode), or a negative rc_status:
 * RC_EVALUE for a bad gen, RC_ESTATE if a collection is already running on
 * this thread (a finalizer called it). Collects even when automatic
 * collection is disabled. */
int64_t rc_gc_collect_generation(int gen);

/* A full collection: rc_gc_collect_generation(RC_GC_GENERATIONS - 1). */
int64_t rc_gc_collect(void);

/* Automatic collection on or off (on at start). Explicit collections run
 * either way. */
void rc_gc_enable(void);
void rc_gc_disable(void);
bool rc_gc_is_enabled(void);

/* Thresholds (see above); defaults 700, 10, 10. Errors: RC_EVALUE for a bad
 * generation or a threshold below 1. */
rc_status rc_gc_set_threshold(int gen, int64_t threshold);
int64_t rc_gc_threshold(int gen);

/* Freeze: moves every tracked object into a permanent generation that no
 * collection scans (for example before fork, so that collections in the
 * child do not touch, and copy, the parent's pages). Objects made later are
 * tracked as usual. Unfreeze moves them back into the oldest generation. */
void rc_gc_freeze(void);
void rc_gc_unfreeze(void);
int64_t rc_gc_frozen_count(void);

/* The number of objects tracked in generation gen (RC_GC_GENERATIONS: the
 * frozen ones); -1 for a bad gen. */
int64_t rc_gc_tracked_count(int gen);

/* True if o is tracked by the collector. */
bool rc_gc_is_tracked(const rc_object *o);

/* Statistics per generation since rc_runtime_start. A collection of
 * generation g counts for g only. Pauses are the wall time of the whole
 * collection, the world stopped. */
typedef struct rc_gc_stats {
    uint64_t collections;
    uint64_t collected;        /* unreachable objects freed */
    uint64_t uncollectable;    /* unreachable objects kept (debug mode) */
    uint64_t last_pause_ns;
    uint64_t longest_pause_ns;
} rc_gc_stats;

/* Errors: RC_EVALUE for a bad gen or a NULL out. */
rc_status rc_gc_get_stats(int gen, rc_gc_stats *out);

/* Debug mode: unreachable objects are kept, not freed (their finalizers still
 * run), so a program can inspect what would have been collected. */
void rc_gc_set_debug_keep_garbage(bool on);

/* Calls visit(o, arg) on each object kept in debug mode, in the order they
 * were found, until visit returns nonzero; returns that value, or 0 (so
 * visit should stop with a positive value: the errors are negative). o is
 * borrowed: rc_incref it to keep it past the call; the objects stay kept.
 * The world is stopped during the walk, as during a collection, and other
 * threads may be paused inside an object's critical section: visit may read
 * the kept objects and take references to them, and create and change
 * objects of its own, but must not change a kept object or any object
 * another thread can reach, drop a reference it did not take, or wait for
 * another thread. Inside it a collection does not start, and rc_gc_collect
 * and rc_gc_release_garbage fail with RC_ESTATE.
 * Errors: RC_EVALUE for a NULL visit; RC_ESTATE if not attached or called
 * during a collection or another walk. */
int rc_gc_visit_garbage(rc_visit_fn visit, void *arg);

/* Lets the objects kept in debug mode go: they are untracked from the kept
 * set and collected by the next collection if still unreachable.
 * Errors: RC_ESTATE if not attached, or called during a collection (from a
 * finalizer or a weak reference callback) or a walk of the kept objects. */
rc_status rc_gc_release_garbage(void);

#endif /* RC_GC_GC_H */
