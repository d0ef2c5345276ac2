/*
 * runtime/memory.c -- the one allocator interface of the object layer.
 *
 * The allocation itself, and the failure injection of
 * rc_testing_fail_alloc_after, live one layer down, in locking/alloc (the
 * strategies allocate there too, and cannot depend on this layer): mimalloc
 * normally, the system allocator when RC_USE_SYSTEM_MALLOC is set. This
 * file adds what the object layer needs on top: RC_ENOMEM with a message in
 * the error slot, the public rc_mem_* for code built on refcore, and the
 * block cache.
 *
 * Block cache: object memory of up to CACHE_CLASSES * CACHE_GRAIN bytes is
 * allocated in whole size classes, and freed blocks whose size the caller
 * knows go to a small per-thread cache (a free list per class, at most
 * CACHE_DEPTH blocks each, so the memory it holds is bounded) instead of
 * back to the allocator. Creating and freeing small objects is the
 * runtime's most frequent operation, and a thread-local pop or push costs a
 * few instructions against the allocator's full path (CPython keeps free
 * lists for the same reason). With RC_USE_SYSTEM_MALLOC there is no cache,
 * so AddressSanitizer sees every free.
 *
 * Object memory stays object memory. Where the strategy lets containers be
 * read without their lock (RCS_LOCKFREE_READS), a reader may load an item
 * pointer just before the item is removed and freed, and then try-increment
 * its count (rcs_try_incref). That is safe only if the memory still holds an
 * object header at the same place, in a state the try refuses. So blocks
 * come in kinds (rci_block_kind) with a cache per kind: an object's block
 * is only ever reused for an object whose header sits at the same offset
 * (a freed header keeps its dead count: the free-list link overwrites the
 * block's first word, which is the collector head of a GC object and the
 * owner field of others, never the counts: a layout rule of the contract,
 * strategy.h under RCS_LOCKFREE_READS). An object block that leaves
 * the cache (the class is full, the size is not cached, the thread exits)
 * goes through rcs_retire, so it reaches the allocator only when no
 * lock-free reader can still hold its address; where readers lock,
 * rcs_retire frees at once. CPython gets the same guarantee from mimalloc
 * pages kept per kind and reused only after a QSBR grace period.
 *
 * Dead objects under AddressSanitizer. A retired object block may wait a
 * long time for its free (//:nogil defers it until every thread has passed
 * a quiescent point), and ASan sees the block as allocated until then: a
 * use after free (a decref too many, then a read through a stale pointer)
 * would read a dead object without a report. So, in ASan builds, an object
 * block is poisoned as it is retired (rci_mem_retire_object), all but its
 * reference-count header: a lock-free reader may still try-increment that
 * (strategy.h, rcs_try_incref), which reads the dead count and refuses, and
 * must not be reported. Anything else read or written there -- the type,
 * the value, the collector's head -- is reported as a use-after-poison.
 * The allocator unpoisons a block when it hands it out again (ASan's
 * malloc does); blocks are only cached, and so never poisoned, in builds
 * without RC_USE_SYSTEM_MALLOC, which the ASan configuration always sets.
 */
#include <stdlib.h>
#include <string.h>

#include "gc/gc_internal.h"
#include "locking/alloc/alloc.h"
#include "runtime/runtime.h"
#include "runtime/runtime_internal.h"

#if RC_ASAN
#include <malloc.h> /* malloc_usable_size: ASan's, for blocks of unknown size */
#include <sanitizer/asan_interface.h>
#endif

#ifndef RC_USE_SYSTEM_MALLOC
#define RC_USE_SYSTEM_MALLOC 0
#endif

void rc_testing_fail_alloc_after(int64_t n) {
    rcs_mem_fail_after(n);
}

int64_t rc_testing_alloc_countdown(void) {
    return rcs_mem_countdown();
}

static void *mem_out_of_memory(size_t size) {
    return rci_error_null(RC_ENOMEM, "out of memory (allocating %zu bytes)", size);
}

void *rci_mem_alloc(size_t size) {
    void *p = rcs_mem_alloc(size);
    return p ? p : mem_out_of_memory(size);
}

void *rci_mem_calloc(size_t size) {
    void *p = rcs_mem_calloc(size);
    return p ? p : mem_out_of_memory(size);
}

void *rci_mem_realloc(void *old, size_t size) {
    void *p = rcs_mem_realloc(old, size);
    return p ? p : mem_out_of_memory(size);
}

void rci_mem_free(void *p) {
    rcs_mem_free(p);
}

/* ---- the public interface (runtime/runtime.h) -------------------------------- */

void *rc_mem_alloc(size_t size) {
    return rci_mem_alloc(size);
}

void *rc_mem_calloc(size_t size) {
    return rci_mem_calloc(size);
}

void *rc_mem_realloc(void *p, size_t size) {
    return rci_mem_realloc(p, size);
}

void rc_mem_free(void *p) {
    rcs_mem_free(p);
}

/* ---- the block cache ---------------------------------------------------------- */

#define CACHE_GRAIN 16   /* class k holds blocks of (k + 1) * CACHE_GRAIN bytes */
#define CACHE_CLASSES 8  /* so blocks of up to 128 bytes are cached */
#define CACHE_DEPTH 1024 /* blocks kept per kind, class and thread */
#define CACHE_ENABLED (!RC_USE_SYSTEM_MALLOC)

typedef struct cached_block {
    struct cached_block *next;
} cached_block;

static _Thread_local struct {
    cached_block *head;
    uint32_t count;
} block_cache[RCI_BLOCK_KINDS][CACHE_CLASSES];

static inline bool cache_covers(size_t size) {
    return CACHE_ENABLED && size > 0 && size <= CACHE_GRAIN * CACHE_CLASSES;
}

/* ---- retiring object blocks ------------------------------------------------------ */

/* ASan builds: poisons a dead object's block past its count header (see
 * the top of the file). size 0: not known (a client type's object). */
static void poison_dead_object(void *block, size_t size, rci_block_kind kind) {
#if RC_ASAN
    _Static_assert(offsetof(rc_object, rc) == 0 && offsetof(rc_object, type) % 8 == 0,
                   "the count header comes first, and ends on an ASan granule");
    /* The header is the object's first field; the type follows it. */
    size_t keep = offsetof(rc_object, type) +
                  (kind == RCI_BLOCK_GC_OBJECT ? sizeof(rci_gc_head) : 0);
    if (size == 0)
        size = malloc_usable_size(block);
    if (size > keep) /* ASan poisons whole 8-byte granules: keep is a multiple of 8 */
        ASAN_POISON_MEMORY_REGION((char *)block + keep, size - keep);
#else
    (void)block;
    (void)size;
    (void)kind;
#endif
}

void rci_mem_retire_object(void *block, size_t size, rci_block_kind kind) {
    poison_dead_object(block, size, kind);
    rcs_retire_sized(block, size ? size : RCS_RETIRE_NOMINAL_BYTES, rci_mem_free);
}

/* Memory that no longer belongs to anything: object memory only once no
 * lock-free reader can hold its address (see the top of the file). */
static void block_release(void *p, size_t size, rci_block_kind kind) {
    if (kind == RCI_BLOCK_DATA)
        rcs_mem_free(p);
    else
        rci_mem_retire_object(p, size, kind);
}

void *rci_mem_alloc_block(size_t size, rci_block_kind kind) {
    if (cache_covers(size)) {
        size_t k = (size - 1) / CACHE_GRAIN;
        cached_block *b = block_cache[kind][k].head;
        if (b) {
            /* A cache hit counts as an allocation too, so that the failure
             * injection does not depend on what the cache holds. */
            if (rcs_mem_fail_now())
                return mem_out_of_memory(size);
            block_cache[kind][k].head = b->next;
            block_cache[kind][k].count--;
            return b;
        }
        size = (k + 1) * CACHE_GRAIN; /* the whole class, so the block fits any size in it */
    }
    return rci_mem_alloc(size);
}

void rci_mem_free_block(void *p, size_t size, rci_block_kind kind) {
    if (cache_covers(size)) {
        size_t k = (size - 1) / CACHE_GRAIN;
        if (block_cache[kind][k].count < CACHE_DEPTH) {
            cached_block *b = p;
            b->next = block_cache[kind][k].head;
            block_cache[kind][k].head = b;
            block_cache[kind][k].count++;
            return;
        }
    }
    block_release(p, size, kind);
}

void rci_mem_cache_flush(void) {
    for (int kind = 0; kind < RCI_BLOCK_KINDS; kind++) {
        for (size_t k = 0; k < CACHE_CLASSES; k++) {
            while (block_cache[kind][k].head) {
                cached_block *b = block_cache[kind][k].head;
                block_cache[kind][k].head = b->next;
                block_release(b, (k + 1) * CACHE_GRAIN, (rci_block_kind)kind);
            }
            block_cache[kind][k].count = 0;
        }
    }
}
