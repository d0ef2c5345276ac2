/*
 * runtime/recursion.c -- the C recursion limit (runtime/recursion.h).
 *
 * A per-thread depth counter against one process-wide limit. The counter
 * is plain thread-local storage, as the error slot is (runtime/error.c):
 * it belongs to the OS thread, whose stack it protects, and works whether
 * the thread is attached or not. Only its own thread reads or writes it.
 *
 * Stack used per level (x86-64, gcc, -O2 -g, as the default build; the
 * asan config in parentheses), measured by recording the address of a
 * local at the bottom of a nesting 1,000 deep and at the top:
 *   repr of nested lists          ~ 190 B per enter (two enters per list:
 *                                    the list, and the tuple snapshot
 *                                    whose text it borrows) (~ 900 B)
 *   repr of nested tuples / dicts ~ 110 B / 230 B per enter  (~ 1 KB)
 *   equality of nested lists      ~ 100 B per enter          (~ 400 B)
 *   hash of nested tuples         ~  60 B per enter          (~ 250 B)
 * tests/recursion_threads_test.c runs each at the default limit on a
 * thread with a 1 MB stack, every variant, plain and ASan.
 */
#include <stdatomic.h>

#include "runtime/recursion.h"

/* Relaxed: the limit is a setting that publishes no other data; a thread
 * that reads the old value for a while after a change is as correct as one
 * that ran its check just before it. */
static atomic_int recursion_limit = RC_RECURSION_LIMIT_DEFAULT;

static _Thread_local int recursion_depth;

int rc_recursion_limit(void) {
    return atomic_load_explicit(&recursion_limit, memory_order_relaxed);
}

rc_status rc_set_recursion_limit(int limit) {
    if (limit < 1)
        return rc_error_set(RC_EVALUE, "rc_set_recursion_limit: limit %d is below 1", limit);
    atomic_store_explicit(&recursion_limit, limit, memory_order_relaxed);
    return RC_OK;
}

rc_status rc_recursion_enter(const char *where) {
    /* Compared before counting: the depth never passes the limit, so it
     * cannot overflow whatever the limit. */
    if (RC_UNLIKELY(recursion_depth >= rc_recursion_limit()))
        return rc_error_set(RC_ERECURSION, "maximum recursion depth exceeded%s",
                            where ? where : "");
    recursion_depth++;
    return RC_OK;
}

void rc_recursion_leave(void) {
    recursion_depth--;
}

int rc_recursion_depth(void) {
    return recursion_depth;
}
