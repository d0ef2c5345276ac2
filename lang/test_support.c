/*
 * lang/test_support.c -- see test_support.h.
 */
#include "lang/test_support.h"

#include <stdlib.h>
#include <string.h>

#include "lang/lang.h"
#include "tests/support.h"

lt_result lt_run(const char *src) {
    lt_result r = {0};
    size_t len = 0;
    FILE *out = open_memstream(&r.out, &len);
    assert_non_null(out);
    char *argv[] = {"test"};
    lang_interp *in = lang_interp_new(out, 1, argv);
    assert_non_null(in);
    r.status = lang_run_source(in, src, strlen(src), r.err, sizeof r.err);
    r.thread_errors = lang_interp_free(in);
    fclose(out);
    if (rc_live_objects() != 0)
        fail_msg("%lld object(s) left alive by:\n%s", (long long)rc_live_objects(), src);
    return r;
}

void lt_result_free(lt_result *r) {
    free(r->out);
    r->out = NULL;
}

void lt_expect_output(const char *src, const char *expected) {
    lt_result r = lt_run(src);
    if (r.status != LANG_OK)
        fail_msg("failed: %s\nprogram:\n%s", r.err, src);
    assert_string_equal(r.out, expected);
    lt_result_free(&r);
}

void lt_expect_error(const char *src, int status, const char *message) {
    lt_result r = lt_run(src);
    if (r.status != status || !strstr(r.err, message))
        fail_msg("expected status %d with \"%s\", got %d: \"%s\"\nprogram:\n%s", status,
                 message, r.status, r.err, src);
    lt_result_free(&r);
}
