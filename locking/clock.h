/*
 * locking/clock.h -- the one monotonic clock of the runtime, in nanoseconds:
 * the hand-off rule of the one-byte mutex and the bounded waits built on it
 * (locking/lock), the global lock's switch interval (locking/gil), and the
 * collector's timings (gc/gc.c). Inline: a call is one vDSO clock_gettime.
 */
#ifndef RC_LOCKING_CLOCK_H
#define RC_LOCKING_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t rcs_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif /* RC_LOCKING_CLOCK_H */
