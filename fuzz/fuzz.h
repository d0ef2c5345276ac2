/*
 * fuzz/fuzz.h -- what the two libFuzzer targets share (fuzz/README.md).
 *
 * A target checks invariants after every operation; a broken one is a bug,
 * reported the way libFuzzer sees crashes: a message, then abort(), so the
 * input that broke it is saved as a crash artifact.
 */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "refcore.h"

/* libFuzzer's entry point, called once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                            \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: invariant broken: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                                \
            fprintf(stderr, " (last error: %s %s)\n", rc_status_name(rc_error_code()),  \
                    rc_error_message());                                                 \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* Starts the runtime for one input: every input runs on a fresh runtime, so
 * one cannot hide or cause a failure in the next, and a crash reproduces
 * from its input alone. */
static inline void fuzz_runtime_start(void) {
    rc_status st = rc_runtime_start();
    FUZZ_CHECK(st == RC_OK, "rc_runtime_start: %s", rc_status_name(st));
}

/* Stops it: nothing may be left alive (rc_runtime_stop reports leaks per
 * type on stderr and returns RC_ELEAK). */
static inline void fuzz_runtime_stop(void) {
    FUZZ_CHECK(rc_live_objects() == 0, "%lld object(s) leaked", (long long)rc_live_objects());
    rc_status st = rc_runtime_stop();
    FUZZ_CHECK(st == RC_OK, "rc_runtime_stop: %s", rc_status_name(st));
}

#endif /* FUZZ_FUZZ_H */
