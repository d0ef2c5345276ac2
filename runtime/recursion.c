/*
 * runtime/recursion.c -- the C recursion limit (runtime/recursion.h).
 *
 * A per-thread depth counter against one process-wide limit. The counter
 * is plain thread-local storage, as the error slot is (runtime/error.c):
 * it belongs to the OS thread, whose stack it protects, and works whether
 * the thread is attached or not. Only its own thread reads or writes it.
 *
 * Stack used per nesting level (x86-64, gcc; the default build -O2, and
 * the asan config -O1 in parentheses), measured by recording the address
 * of a local in a client slot (a refpy builtin for calls) at the bottom of
 * a nesting 400 deep (500 calls) and at the top:
 *   repr of lists      240 B (336)   two enters per list: the list, and
 *                                    the tuple snapshot whose text it uses
 *   repr of tuples     112 B (144)   repr of dicts   224 B (352)
 *   equality of lists  128 B (160)   of tuples 96 B (96), of dicts 192 B (416)
 *   hash of tuples     144 B (240)
 *   a refpy call       256 B (400)   (lang/vm.c counts its calls here too)
 * So one enter costs at most about 260 B (420 B under ASan), and the
 * default limit of 1,000 at most about 0.26 MB (0.42 MB) of stack.
 * tests/recursion_threads_test.c runs 100,000-deep lists, tuples and dicts
 * at the default limit on a thread with a 1 MB stack (2 MB under TSan:
 * there 1 MB overflowed and 1.25 MB did not).
 */
#include "runtime/recursion_internal.h"

/* Relaxed: the limit is a setting that publishes no other data; a thread
 * that reads the old value for a while after a change is as correct as one
 * that ran its check just before it. */
atomic_int rci_recursion_limit = RC_RECURSION_LIMIT_DEFAULT;

_Thread_local int rci_recursion_depth;

int rc_recursion_limit(void) {
    return atomic_load_explicit(&rci_recursion_limit, memory_order_relaxed);
}

rc_status rc_set_recursion_limit(int limit) {
    if (limit < 1)
        return rc_error_set(RC_EVALUE, "rc_set_recursion_limit: limit %d is below 1", limit);
    atomic_store_explicit(&rci_recursion_limit, limit, memory_order_relaxed);
    return RC_OK;
}

rc_status rci_recursion_exceeded(const char *where) {
    return rc_error_set(RC_ERECURSION, "maximum recursion depth exceeded%s", where ? where : "");
}

rc_status rc_recursion_enter(const char *where) {
    return rci_recursion_enter(where);
}

void rc_recursion_leave(void) {
    rci_recursion_leave();
}

int rc_recursion_depth(void) {
    return rci_recursion_depth;
}
