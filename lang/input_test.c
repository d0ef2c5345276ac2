/*
 * lang/input_test.c -- input refpy must take in its stride (issue 11,
 * item 6): programs with tens of thousands of names, which compiled in time
 * quadratic in their number, and indentation that mixes tabs and spaces,
 * which must be read as Python reads it: accepted where the meaning does not
 * depend on how wide a tab is, rejected with the line where it does.
 *
 * The big programs assert their result, never a time: the run time of a
 * test on a shared machine proves nothing. (The README's numbers were
 * measured by hand with `refpy_gil`; lang/README.md says how.)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/lang.h"
#include "lang/test_support.h"
#include "tests/support.h"

#define MANY 20000

/* A growing source buffer. */
typedef struct src_buf {
    char *s;
    size_t len, cap;
} src_buf;

static void add(src_buf *b, const char *fmt, ...) RC_PRINTF(2, 3);

static void add(src_buf *b, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        assert_true(n >= 0);
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        b->cap = (b->cap + (size_t)n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        assert_non_null(b->s);
    }
}

/* The sum 0 + 1 + ... + (MANY - 1), as the programs below print it. */
static char *expected_sum(void) {
    static char buf[32];
    snprintf(buf, sizeof buf, "%lld\n", (long long)MANY * (MANY - 1) / 2);
    return buf;
}

/* A function with MANY locals, each assigned its own constant and each read
 * back once: every name and every constant is new to the compiler. */
static void test_many_locals(void **state) {
    (void)state;
    src_buf b = {0};
    add(&b, "def f():\n");
    for (int i = 0; i < MANY; i++)
        add(&b, "    v%d = %d\n", i, i);
    add(&b, "    s = 0\n");
    for (int i = 0; i < MANY; i++)
        add(&b, "    s += v%d\n", i);
    add(&b, "    return s\nprint(f())\n");
    lt_expect_output(b.s, expected_sum());
    free(b.s);
}

/* The same at module level: MANY globals, each name an interned constant. */
static void test_many_globals(void **state) {
    (void)state;
    src_buf b = {0};
    for (int i = 0; i < MANY; i++)
        add(&b, "g%d = %d\n", i, i);
    add(&b, "s = 0\n");
    for (int i = 0; i < MANY; i++)
        add(&b, "s += g%d\n", i);
    add(&b, "print(s)\n");
    lt_expect_output(b.s, expected_sum());
    free(b.s);
}

/* Names that the index must keep apart and bring together: a closure's
 * reads of its parent's locals, a `global` declared after the name was
 * assigned (the name is then not local), and equal constants of different
 * types, which must stay distinct constants (1, 1.0 and True are equal). */
static void test_names_and_constants_resolve(void **state) {
    (void)state;
    src_buf b = {0};
    add(&b, "def outer():\n");
    for (int i = 0; i < 300; i++)
        add(&b, "    a%d = %d\n", i, i);
    add(&b, "    def inner():\n        return a0 + a150 + a299\n    return inner()\n");
    add(&b, "def setg():\n    g = 5\n    global g\n    x = 1\n    y = 1.0\n    z = True\n"
            "    return [x, y, z, 1, 1.0, True]\n");
    add(&b, "print(outer())\nprint(setg())\nprint(g)\n");
    lt_expect_output(b.s, "449\n[1, 1.0, True, 1, 1.0, True]\n5\n");
    free(b.s);
}

/* ---- indentation --------------------------------------------------------------- */

/* Tabs and spaces that Python accepts: the same characters at the same
 * level, or a deeper level that is deeper whether a tab is 1 or 8 wide. */
static void test_consistent_indentation_accepted(void **state) {
    (void)state;
    lt_expect_output("if 1:\n\tx = 1\n\tif x:\n\t\tprint(x)\n\tprint(2)\n", "1\n2\n");
    lt_expect_output("if 1:\n        x = 1\n        print(x)\n", "1\n");
    /* a tab, then a tab and four spaces, then back to the tab */
    lt_expect_output("if 1:\n\tx = 1\n\tif x:\n\t    print(3)\n\tprint(4)\nprint(5)\n",
                     "3\n4\n5\n");
    /* four spaces and a tab, consistently */
    lt_expect_output("for i in range(2):\n    \tprint(i)\n    \tprint(-i)\n", "0\n0\n1\n-1\n");
    /* blank and comment-only lines do not count, whatever their whitespace */
    lt_expect_output("if 1:\n\tx = 7\n        \n  # c\n\tprint(x)\n", "7\n");
}

/* Where the meaning depends on the width of a tab: Python's TabError. */
static void test_inconsistent_indentation_rejected(void **state) {
    (void)state;
    int S = LANG_SYNTAX_ERROR;
    const char *msg = "inconsistent use of tabs and spaces in indentation";
    char want[160];
    /* the case: a tab, then eight spaces at the same level */
    snprintf(want, sizeof want, "line 3, column 9: syntax error: %s", msg);
    lt_expect_error("if 1:\n\tx = 1\n        print(x)\n", S, want);
    /* eight spaces, then a tab */
    snprintf(want, sizeof want, "line 3, column 2: syntax error: %s", msg);
    lt_expect_error("if 1:\n        x = 1\n\tprint(x)\n", S, want);
    /* deeper with a tab 8 wide, shallower with a tab 1 wide */
    snprintf(want, sizeof want, "line 3, column 3: syntax error: %s", msg);
    lt_expect_error("if 1:\n        if 1:\n\t x = 1\n", S, want);
    /* a dedent that lands on an outer level's width with other characters */
    snprintf(want, sizeof want, "line 4, column 9: syntax error: %s", msg);
    lt_expect_error("if 1:\n\tif 1:\n\t\tx = 1\n        y = 2\n", S, want);
    /* the same inside a function, after a valid first block */
    snprintf(want, sizeof want, "line 5, column 9: syntax error: %s", msg);
    lt_expect_error("def f():\n    return 1\nif 1:\n\tx = f()\n        print(x)\n", S, want);
}

/* ---- programs that never end --------------------------------------------------- */

/* Runs src with a step limit; returns its status, with the error in err. */
static int run_limited(const char *src, int64_t steps, char *err, size_t size) {
    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    char *argv[] = {"test"};
    lang_interp *in = lang_interp_new(out, 1, argv);
    assert_non_null(in);
    lang_interp_set_step_limit(in, steps);
    int st = lang_run_source(in, src, strlen(src), err, size);
    assert_int_equal(lang_interp_free(in), 0);
    fclose(out);
    assert_int_equal(rc_live_objects(), 0);
    return st;
}

/* A step is a loop iteration or a call: a loop or a recursion that never
 * ends stops at the limit with an error naming its line, and a program
 * within the limit runs as it would without one. */
static void test_step_limit(void **state) {
    (void)state;
    char err[256];
    assert_int_equal(run_limited("x = 0\nwhile True:\n    x += 1\n", 1000, err, sizeof err),
                     LANG_RUNTIME_ERROR);
    assert_string_equal(err, "line 2: RuntimeError: step limit exceeded");
    /* No handler catches it (else a loop that catches everything would
     * never end), and finally blocks do not run on the way out. */
    assert_int_equal(run_limited("while True:\n    try:\n        while True:\n            pass\n"
                                 "    except:\n        pass\n    finally:\n        pass\n",
                                 1000, err, sizeof err),
                     LANG_RUNTIME_ERROR);
    assert_string_equal(err, "line 3: RuntimeError: step limit exceeded");
    assert_int_equal(run_limited("def f(n):\n    return f(n + 1)\nf(0)\n", 100, err, sizeof err),
                     LANG_RUNTIME_ERROR);
    assert_non_null(strstr(err, "step limit exceeded"));
    assert_int_equal(run_limited("l = []\nfor i in range(99):\n    l.append(i)\n", 100, err,
                                 sizeof err),
                     LANG_OK);
    assert_int_equal(run_limited("for i in range(101):\n    pass\n", 100, err, sizeof err),
                     LANG_RUNTIME_ERROR);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_locals),
        cmocka_unit_test(test_many_globals),
        cmocka_unit_test(test_names_and_constants_resolve),
        cmocka_unit_test(test_consistent_indentation_accepted),
        cmocka_unit_test(test_inconsistent_indentation_rejected),
        cmocka_unit_test(test_step_limit),
    };
    return RCT_RUN_GROUP(tests);
}
