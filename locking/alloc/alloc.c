/*
 * locking/alloc/alloc.c -- see alloc.h.
 *
 * Each allocation counts down the calling thread's injection countdown
 * first: a test that fails the k-th allocation for every k then reaches
 * every allocation of the runtime, whichever layer makes it.
 */
#include "locking/alloc/alloc.h"

#include <stdlib.h>

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

void rcs_mem_fail_after(int64_t n) {
    fail_countdown = n > 0 ? n : 0;
}

int64_t rcs_mem_countdown(void) {
    return fail_countdown;
}

bool rcs_mem_fail_now(void) {
    if (__builtin_expect(fail_countdown > 0, 0))
        return --fail_countdown == 0;
    return false;
}

void *rcs_mem_alloc(size_t size) {
    return rcs_mem_fail_now() ? NULL : mem_malloc(size);
}

void *rcs_mem_calloc(size_t size) {
    return rcs_mem_fail_now() ? NULL : mem_calloc(1, size);
}

void *rcs_mem_realloc(void *p, size_t size) {
    return rcs_mem_fail_now() ? NULL : mem_realloc(p, size);
}

void rcs_mem_free(void *p) {
    mem_free(p);
}
