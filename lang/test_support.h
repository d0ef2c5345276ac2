/*
 * lang/test_support.h -- running a program inside a test and capturing what
 * it prints. Used with tests/support.h (refcore_test compiles that in).
 */
#ifndef LANG_TEST_SUPPORT_H
#define LANG_TEST_SUPPORT_H

#include <stddef.h>

/* The outcome of one run. */
typedef struct lt_result {
    int status;      /* LANG_OK, LANG_SYNTAX_ERROR or LANG_RUNTIME_ERROR */
    char *out;       /* everything print wrote (malloc'd; lt_result_free) */
    char err[512];   /* the error message, "" if none */
    int thread_errors;
} lt_result;

/* Runs src (NUL-terminated) as a whole program with argv = ["test"], frees
 * the interpreter, and checks that no object is left alive. */
lt_result lt_run(const char *src);
void lt_result_free(lt_result *r);

/* Runs src and asserts it succeeded with exactly this output. */
void lt_expect_output(const char *src, const char *expected);

/* Runs src and asserts it failed with this status and an error message
 * containing `message`. */
void lt_expect_error(const char *src, int status, const char *message);

#endif /* LANG_TEST_SUPPORT_H */
