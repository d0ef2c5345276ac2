/*
 * tests/consumer/embed.c -- a small embedder, built outside Bazel against an
 * installed refcore (tests/consumer/install_test.sh, with nothing but
 * pkg-config's flags) and inside another Bazel workspace
 * (tests/consumer/bazel). It starts the runtime, builds a list, a dict and
 * a cycle through the list, drops them, collects, and fails unless every
 * object is gone and the runtime stops without a leak report.
 *
 *   embed [VARIANT]    with VARIANT, also checks that the headers it was
 *                      compiled against are that variant's.
 */
#include <stdio.h>
#include <string.h>

#include "refcore.h"

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "embed: check failed: %s (line %d): %s\n", #cond, \
                    __LINE__, rc_error_message());                           \
            return 1;                                                        \
        }                                                                    \
    } while (0)

static int use_objects(void) {
    rc_object *list = rc_list_new();
    rc_object *dict = rc_dict_new();
    CHECK(list && dict);
    for (int64_t i = 0; i < 100; i++) {
        rc_object *n = rc_int_from_i64(i);
        CHECK(n);
        CHECK(rc_list_append_steal(list, n) == RC_OK);
    }
    rc_object *key = rc_str_from_cstr("list");
    CHECK(key);
    CHECK(rc_dict_set(dict, key, list) == RC_OK);
    rc_object *got = rc_dict_get(dict, key);
    CHECK(got == list);
    rc_decref(got);
    rc_decref(key);
    /* A cycle: only the collector frees it. */
    CHECK(rc_list_append(list, dict) == RC_OK);
    /* An inline lock fast path of the strategy, through the public macro. */
    RC_CRITICAL_BEGIN(list)
    RC_CRITICAL_END(list)
    rc_object *item = rc_list_get(list, 99);
    CHECK(item);
    rc_decref(item);
    rc_decref(dict);
    rc_decref(list);
    CHECK(rc_live_objects() > 0);
    rc_gc_collect();
    CHECK(rc_live_objects() == 0);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], RC_STRATEGY_NAME) != 0) {
        fprintf(stderr, "embed: compiled for %s, expected %s\n", RC_STRATEGY_NAME, argv[1]);
        return 1;
    }
    if (rc_runtime_start() != RC_OK) {
        fprintf(stderr, "embed: rc_runtime_start: %s\n", rc_error_message());
        return 1;
    }
    int failed = use_objects();
    rc_status stopped = rc_runtime_stop();
    if (failed || stopped != RC_OK) {
        fprintf(stderr, "embed: failed (stop: %d)\n", (int)stopped);
        return 1;
    }
    printf("embed: ok (%s, RC_DEBUG=%d)\n", RC_STRATEGY_NAME, RC_DEBUG);
    return 0;
}
