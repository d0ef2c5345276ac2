/*
 * tests/support.h -- what every test shares: a cmocka group setup that
 * starts the runtime, a group teardown that fails unless every object was
 * freed, assertions on refcore's errors, and the allocation-failure sweep.
 */
#ifndef RC_TESTS_SUPPORT_H
#define RC_TESTS_SUPPORT_H

#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "refcore.h"

/* cmocka group setup: starts the runtime on this thread. */
int rct_group_setup(void **state);

/* cmocka group teardown: fails (and names the types) unless zero objects
 * are alive, then stops the runtime, which must report no leak either. */
int rct_group_teardown(void **state);

/* Runs a group with the two above. With RCT_PARALLEL_THREADS=N in the
 * environment (N >= 2; thread-safe strategies only) it runs each test body
 * in N attached threads at once, every thread on objects of its own, as
 * CPython's --parallel-threads does: the TSan pass runs the container and
 * object tests so (their *_parallel_<variant> targets). A test whose body
 * touches process-global state (allocation-failure injection, a fork, a
 * static counter, the switch interval) cannot run so, nor one whose
 * size would only multiply (millions of objects): list it with
 * RCT_SERIAL(test, "reason") instead of cmocka_unit_test(test): parallel
 * mode then names it and leaves it out (the serial target of the same
 * file runs it, on the main thread, as usual). In parallel mode a failed
 * assertion on any thread aborts the process (CMOCKA_TEST_ABORT), after
 * cmocka's message. */
#define RCT_RUN_GROUP(tests) rct_run_group(#tests, tests, sizeof(tests) / sizeof((tests)[0]))
int rct_run_group(const char *name, const struct CMUnitTest *tests, size_t n);

/* A test that parallel mode leaves out (with the reason it prints). */
typedef struct rct_serial_mark {
    uint32_t magic; /* RCT_SERIAL_MAGIC */
    const char *reason;
} rct_serial_mark;
#define RCT_SERIAL_MAGIC 0x53455249u
#define RCT_SERIAL(f, why) \
    {#f, f, NULL, NULL, &(rct_serial_mark){RCT_SERIAL_MAGIC, why}}

/* The reason of every test that injects allocation failures. */
#define RCT_FAILS_ALLOCATIONS "fails allocations process-wide (rc_testing_fail_alloc_after)"

/* True on a thread that runs a test body in parallel mode. */
bool rct_parallel_body(void);

/* The live objects (of a type) are `expected`. A count over the whole
 * process: in parallel mode the other threads' objects are in it, so the
 * check is left to the group teardown, which requires zero once every
 * thread is done. */
#define assert_live_objects(expected) \
    do { \
        if (!rct_parallel_body()) \
            assert_int_equal(rc_live_objects(), (expected)); \
    } while (0)
#define assert_live_objects_of(type, expected) \
    do { \
        if (!rct_parallel_body()) \
            assert_int_equal(rc_live_objects_of(type), (expected)); \
    } while (0)

/* The call returned status `expected`, and left it in the error slot with a
 * message. */
#define assert_status(call, expected)                                                    \
    do {                                                                                 \
        rc_error_clear();                                                                \
        int rct_got_ = (int)(call);                                                      \
        assert_int_equal(rct_got_, (expected));                                          \
        if ((expected) != RC_OK) {                                                       \
            assert_int_equal(rc_error_code(), (expected));                               \
            assert_true(rc_error_message()[0] != '\0');                                  \
        }                                                                                \
    } while (0)

/* The call returned NULL and set error `expected` with a message. */
#define assert_null_error(call, expected)                                                \
    do {                                                                                 \
        rc_error_clear();                                                                \
        assert_null(call);                                                               \
        assert_int_equal(rc_error_code(), (expected));                                   \
        assert_true(rc_error_message()[0] != '\0');                                      \
    } while (0)

/* The int value of o (which must be an int). */
int64_t rct_int(rc_object *o);

/* A new int that is not a small int (so it is really allocated). */
rc_object *rct_big_int(int64_t i);

/* st is RC_ENOMEM, and so is the error slot, with a message that says
 * "memory". */
void rct_assert_out_of_memory(rc_status st);

/* Allocation-failure sweep: runs op(arg) with its 1st allocation failing,
 * then its 2nd, and so on, until op completes without reaching the injected
 * failure. Every allocation of the runtime counts (rc_testing_fail_alloc_after).
 * Each run must return RC_OK or RC_ENOMEM (rct_assert_out_of_memory), and
 * must leave exactly as many live objects as before it: op frees whatever it
 * made. After each failed run, op runs again with no failure injected and
 * must succeed: a failure leaves the runtime working. So op must be
 * repeatable. Returns the number of failure points exercised.
 * Process-global (the failure hook): fails in a parallel test body. */
int rct_sweep_alloc_failures(rc_status (*op)(void *arg), void *arg);

/* Runs fn in a forked child process, capturing what it writes to stderr
 * into out (NUL-terminated, truncated to out_size). The child leaves with
 * _exit(0) when fn returns. Returns the child's wait status. For tests of
 * behaviour that ends a process (an abort from a debug check) or that
 * deliberately leaks. pre: no other thread is running (it fails in a
 * parallel test body). */
int rct_run_in_child(void (*fn)(void), char *out, size_t out_size);

/* Waits until *flag is nonzero, in the release region (so that under
 * //:gil the waiting thread lets the others run, and under //:nogil it is at
 * a blocking point for stop-the-world and lock bias). pre: attached. */
void rct_wait_flag(atomic_int *flag);

#endif /* RC_TESTS_SUPPORT_H */
