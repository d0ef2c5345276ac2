/*
 * runtime/memory.c -- the one allocator interface of the object layer.
 *
 * mimalloc in normal builds (its per-thread heaps make the common
 * allocate/free pair thread-local); the system allocator when
 * RC_USE_SYSTEM_MALLOC is set, as the sanitizer configs do, because
 * AddressSanitizer only poisons memory that goes through the malloc it
 * intercepts.
 *
 * Failure injection: rc_testing_fail_alloc_after(n) makes the n-th
 * allocation on this thread fail. The countdown is thread-local, so tests
 * on other threads are unaffected, and costs one predictable branch.
 */
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"
#include "runtime/runtime_internal.h"

#ifndef RC_USE_SYSTEM_MALLOC
#define RC_USE_SYSTEM_MALLOC 0
#endif

#if RC_USE_SYSTEM_MALLOC
#define mem_malloc malloc
#define mem_calloc calloc
#define mem_realloc realloc
#define mem_free free
#else
#include <mimalloc.h>
#define mem_malloc mi_malloc
#define mem_calloc mi_calloc
#define mem_realloc mi_realloc
#define mem_free mi_free
#endif

static _Thread_local int64_t fail_countdown; /* 0: no failure pending */

void rc_testing_fail_alloc_after(int64_t n) {
    fail_countdown = n > 0 ? n : 0;
}

int64_t rc_testing_alloc_countdown(void) {
    return fail_countdown;
}

/* True if this allocation is the one chosen to fail. */
static inline bool mem_injected_failure(void) {
    if (RC_UNLIKELY(fail_countdown > 0))
        return --fail_countdown == 0;
    return false;
}

static void *mem_out_of_memory(size_t size) {
    return rci_error_null(RC_ENOMEM, "out of memory (allocating %zu bytes)", size);
}

void *rci_mem_alloc(size_t size) {
    void *p = mem_injected_failure() ? NULL : mem_malloc(size);
    return p ? p : mem_out_of_memory(size);
}

void *rci_mem_calloc(size_t size) {
    void *p = mem_injected_failure() ? NULL : mem_calloc(1, size);
    return p ? p : mem_out_of_memory(size);
}

void *rci_mem_realloc(void *old, size_t size) {
    void *p = mem_injected_failure() ? NULL : mem_realloc(old, size);
    return p ? p : mem_out_of_memory(size);
}

void rci_mem_free(void *p) {
    mem_free(p);
}
