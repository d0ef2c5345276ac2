/*
 * locking/alloc/alloc.h -- the one allocator of refcore, with its
 * allocation-failure injection.
 *
 * Every allocation of the runtime goes through here: the object layer's
 * memory interface (runtime/memory.c, which adds the error message and the
 * block cache on top), the strategies' own records and queues (locking/),
 * and, through the public rc_mem_* of runtime/runtime.h, refpy (lang/).
 * It sits below the strategies because they cannot depend on runtime/ (the
 * object layer is compiled against a strategy, so runtime/ is above them).
 *
 * mimalloc normally; the system allocator when RC_USE_SYSTEM_MALLOC is set
 * (the sanitizer configs set it: AddressSanitizer only sees memory that
 * goes through the malloc it intercepts). Memory from these functions must
 * be freed with rcs_mem_free, never with free().
 *
 * These functions set no error: the layers above report RC_ENOMEM in their
 * own way (the object layer's error slot, a strategy's return code).
 */
#ifndef RC_LOCKING_ALLOC_ALLOC_H
#define RC_LOCKING_ALLOC_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* NULL when out of memory, or when this call is the injected failure.
 * rcs_mem_calloc zeroes size bytes. rcs_mem_realloc leaves p untouched
 * (still owned by the caller) when it fails; p may be NULL. */
void *rcs_mem_alloc(size_t size);
void *rcs_mem_calloc(size_t size);
void *rcs_mem_realloc(void *p, size_t size);
void rcs_mem_free(void *p); /* NULL is allowed */

/* ---- failure injection ------------------------------------------------------
 * rcs_mem_fail_after(n): the n-th allocation from now on the calling thread
 * fails (n >= 1); n <= 0 turns it off. The countdown is thread-local, so
 * other threads are unaffected, and costs one predictable branch. */
void rcs_mem_fail_after(int64_t n);

/* The allocations left before the injected failure (0: none pending). */
int64_t rcs_mem_countdown(void);

/* Counts one allocation against the countdown without allocating; true if
 * it is the one that must fail. For allocators layered on top that satisfy
 * some requests without calling rcs_mem_alloc (the object layer's block
 * cache), so that every request counts exactly once. */
bool rcs_mem_fail_now(void);

#endif /* RC_LOCKING_ALLOC_ALLOC_H */
