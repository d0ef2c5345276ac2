/*
 * runtime/recursion_internal.h -- the recursion limit's fast path, inline
 * for the object layer: rc_object_equal and rc_object_hash run on every
 * dict lookup that compares keys, where two out-of-line calls and their
 * thread-local lookups would cost more than the comparison of two short
 * strings. The public rc_recursion_enter/leave (runtime/recursion.h) are
 * these same functions, out of line.
 */
#ifndef RC_RUNTIME_RECURSION_INTERNAL_H
#define RC_RUNTIME_RECURSION_INTERNAL_H

#ifndef RC_BUILD_CORE
#error "internal header: include refcore.h"
#endif

#include <stdatomic.h>

#include "runtime/compiler.h"
#include "runtime/recursion.h"

/* The calling thread's depth (runtime/recursion.c says why thread-local). */
extern _Thread_local int rci_recursion_depth;
/* The limit; relaxed loads and stores (recursion.c argues it). */
extern atomic_int rci_recursion_limit;

/* Sets RC_ERECURSION with the message for `where`; returns it. */
RC_NOINLINE rc_status rci_recursion_exceeded(const char *where);

static inline rc_status rci_recursion_enter(const char *where) {
    /* Compared before counting: the depth never passes the limit, so it
     * cannot overflow whatever the limit. */
    if (RC_UNLIKELY(rci_recursion_depth >=
                    atomic_load_explicit(&rci_recursion_limit, memory_order_relaxed)))
        return rci_recursion_exceeded(where);
    rci_recursion_depth++;
    return RC_OK;
}

static inline void rci_recursion_leave(void) {
    rci_recursion_depth--;
}

#endif /* RC_RUNTIME_RECURSION_INTERNAL_H */
