/*
 * runtime/recursion.h -- the C recursion limit.
 *
 * repr, hash and equality of a container call the same operation on its
 * items, so the C stack they use grows with the structure's nesting: a list
 * nested 100,000 deep would overflow any thread's stack. Every such path
 * (the generic operations rc_object_repr, rc_object_hash and
 * rc_object_equal, which the built-in containers and well-behaved client
 * slots call for their items; an interpreter's calls) counts its depth on
 * the calling thread with rc_recursion_enter/rc_recursion_leave, and fails
 * with RC_ERECURSION once the depth would pass the limit, the way CPython
 * raises RecursionError. The error propagates like any other (NULL or a
 * negative status), leaves nothing half-done and leaks nothing; the thread
 * can go on as before.
 *
 * The limit is one value for the process (CPython's sys.setrecursionlimit),
 * the depth is counted per thread. The default is sized so that a thread
 * with a small stack is safe: see RC_RECURSION_LIMIT_DEFAULT.
 */
#ifndef RC_RUNTIME_RECURSION_H
#define RC_RUNTIME_RECURSION_H

#include "runtime/error.h"

/* The default limit, CPython's. One level of the built-in operations (and
 * of a refpy call) takes at most about 260 bytes of C stack in the
 * optimised build and 420 bytes under ASan (x86-64, gcc; runtime/recursion.c
 * has the numbers per operation), so the whole limit uses at most about
 * 0.26 MB (0.42 MB): well inside the 8 MB of a default main thread, and a
 * thread created with a 1 MB stack still has room for its own frames
 * under the deepest nesting (tests/recursion_threads_test.c; under TSan,
 * whose frames are bigger, 1 MB is not enough and 1.25 MB is). Client slots
 * with big frames use more per level: lower the limit for threads with
 * smaller stacks, raise it only for threads with bigger ones. */
#define RC_RECURSION_LIMIT_DEFAULT 1000

/* The current limit (process-wide). Any thread may call it. */
int rc_recursion_limit(void);

/* Sets the limit for every thread, from their next rc_recursion_enter on.
 * A depth already reached is not undone: a thread deeper than a lowered
 * limit fails its next enter. Errors: RC_EVALUE if limit < 1 (the limit is
 * unchanged). Any thread may call it. */
rc_status rc_set_recursion_limit(int limit);

/* Enters one level of C recursion on the calling thread. Returns RC_OK, to
 * be paired with one rc_recursion_leave; or, when the thread is already at
 * the limit, RC_ERECURSION with the message "maximum recursion depth
 * exceeded" followed by `where` (CPython's wording: pass, say, " while
 * getting the repr of an object"; NULL or "" for none), and then the depth
 * is unchanged and there is nothing to leave. Any thread may call it,
 * attached or not; it never allocates. */
rc_status rc_recursion_enter(const char *where);

/* Leaves the level of the last successful rc_recursion_enter. */
void rc_recursion_leave(void);

/* The calling thread's depth: the successful enters not yet left. */
int rc_recursion_depth(void);

#endif /* RC_RUNTIME_RECURSION_H */
