/*
 * lang/recursion_lang_test.c -- refpy programs that nest deeper than the C
 * stack allows: printing, comparing and hashing data 100,000 and 300,000
 * levels deep, self-containing lists compared, recursion of functions, and
 * source text nested 100,000 deep. Each ends with a clear error (a
 * RecursionError at run time, a syntax error at compile time), leaves no
 * object alive (lt_run checks) and no recursion depth behind, and the next
 * program runs normally.
 */
#include <stdlib.h>
#include <string.h>

#include "lang/lang.h"
#include "lang/test_support.h"
#include "tests/support.h"

#define REPR_ERROR "RecursionError: maximum recursion depth exceeded while getting the repr"
#define COMPARE_ERROR "RecursionError: maximum recursion depth exceeded in comparison"
#define HASH_ERROR "RecursionError: maximum recursion depth exceeded while hashing"

/* Runs src, which must fail at run time with `message`, then checks that
 * the thread's depth is back to zero and that a normal program still runs. */
static void expect_recursion_error(const char *src, const char *message) {
    lt_expect_error(src, LANG_RUNTIME_ERROR, message);
    assert_int_equal(rc_recursion_depth(), 0);
    lt_expect_output("x = [[1], (2,), {'k': [3]}]\nprint(x)\nprint(x == [[1], (2,), {'k': [3]}])\n",
                     "[[1], (2,), {'k': [3]}]\nTrue\n");
}

/* ---- deep data --------------------------------------------------------------------- */

static void test_print_of_deep_list(void **state) {
    (void)state;
    expect_recursion_error("x = []\nfor i in range(100000):\n    x = [x]\nprint(x)\n",
                           "line 4: " REPR_ERROR);
    /* str() of a container is its repr, with the same limit. */
    expect_recursion_error("x = []\nfor i in range(100000):\n    x = [x]\ny = str(x)\n",
                           "line 4: " REPR_ERROR);
    expect_recursion_error("x = {}\nfor i in range(100000):\n    x = {'k': x}\nprint(x)\n",
                           "line 4: " REPR_ERROR);
}

static void test_self_containing_lists(void **state) {
    (void)state;
    expect_recursion_error("a = []\na.append(a)\nb = []\nb.append(b)\nprint(a == b)\n",
                           "line 5: " COMPARE_ERROR);
    /* Printing one still stops at the repeat, and `in` compares too. */
    lt_expect_output("a = []\na.append(a)\nprint(a)\nprint(a in a)\n", "[[...]]\nTrue\n");
    expect_recursion_error("a = []\na.append(a)\nb = []\nb.append(b)\nprint(b in [a])\n",
                           "line 5: " COMPARE_ERROR);
}

static void test_compare_deep_lists(void **state) {
    (void)state;
    expect_recursion_error("a = []\nb = []\nfor i in range(300000):\n    a = [a]\n    b = [b]\n"
                           "print(a == b)\n",
                           "line 6: " COMPARE_ERROR);
}

static void test_deep_tuple_as_dict_key(void **state) {
    (void)state;
    expect_recursion_error("t = ()\nfor i in range(100000):\n    t = (t,)\nd = {}\nd[t] = 1\n",
                           "line 5: " HASH_ERROR);
    expect_recursion_error("t = ()\nfor i in range(100000):\n    t = (t,)\nprint(t in {})\n",
                           "line 4: " HASH_ERROR);
}

/* ---- deep calls ---------------------------------------------------------------------- */

/* A language call is one level of the same limit: f(n) makes n + 1 calls. */
static void test_function_recursion_shares_the_limit(void **state) {
    (void)state;
    char src[256];
    const char *f = "def f(n):\n    if n:\n        return f(n - 1)\n    return 0\n";
    int limit = rc_recursion_limit();
    snprintf(src, sizeof src, "%sprint(f(%d))\n", f, limit - 1);
    lt_expect_output(src, "0\n");
    snprintf(src, sizeof src, "%sprint(f(%d))\n", f, limit);
    expect_recursion_error(src, "line 3: RecursionError: maximum recursion depth exceeded");

    /* Deep calls and nested data count together: at the bottom of `limit`
     * calls, no level is left for the repr print needs. */
    const char *g = "def g(n):\n    if n:\n        return g(n - 1)\n    return str([[1]])\n";
    snprintf(src, sizeof src, "%sprint(g(%d))\n", g, limit - 10);
    lt_expect_output(src, "[[1]]\n");
    snprintf(src, sizeof src, "%sprint(g(%d))\n", g, limit - 1);
    expect_recursion_error(src, "line 4: " REPR_ERROR);

    /* The limit is refcore's: raising it lets deeper programs run. */
    assert_int_equal(rc_set_recursion_limit(limit + 500), RC_OK);
    snprintf(src, sizeof src, "%sprint(f(%d))\n", f, limit + 400);
    lt_expect_output(src, "0\n");
    assert_int_equal(rc_set_recursion_limit(limit), RC_OK);
}

/* ---- deep source text ------------------------------------------------------------------
 * The compiler's recursive descent has its own nesting bound (compiler.c,
 * MAX_NEST; the lexer bounds indentation), a rule of the language that
 * gives a syntax error whatever the runtime's limit is. */

/* prefix * n + middle + suffix * n + "\n", malloc'd. */
static char *repeat3(const char *prefix, int n, const char *middle, const char *suffix) {
    size_t lp = strlen(prefix), lm = strlen(middle), ls = strlen(suffix);
    char *s = malloc((lp + ls) * (size_t)n + lm + 2);
    assert_non_null(s);
    char *p = s;
    for (int i = 0; i < n; i++, p += lp)
        memcpy(p, prefix, lp);
    memcpy(p, middle, lm);
    p += lm;
    for (int i = 0; i < n; i++, p += ls)
        memcpy(p, suffix, ls);
    strcpy(p, "\n");
    return s;
}

static void expect_syntax_error(char *src, const char *message) {
    lt_expect_error(src, LANG_SYNTAX_ERROR, message);
    free(src);
}

static void test_deeply_nested_source(void **state) {
    (void)state;
    const int n = 100000;
    const char *deep = "too deeply nested";
    expect_syntax_error(repeat3("(", n, "1", ")"), deep);
    expect_syntax_error(repeat3("1+(", n, "1", ")"), deep);
    expect_syntax_error(repeat3("[", n, "", "]"), deep);
    expect_syntax_error(repeat3("{1: ", n, "1", "}"), deep);
    expect_syntax_error(repeat3("-", n, "1", ""), deep);
    expect_syntax_error(repeat3("not ", n, "1", ""), deep);
    expect_syntax_error(repeat3("print(", n, "", ")"), deep);
    expect_syntax_error(repeat3("x[", n, "0", "]"), deep);
    /* An elif chain compiles as nested ifs. */
    expect_syntax_error(repeat3("", n, "if 0:\n    pass\n", "elif 0:\n    pass\n"), deep);

    /* Blocks: each level one more indent. */
    size_t cap = (size_t)n * 16;
    char *blocks = malloc(cap), *p = blocks;
    assert_non_null(blocks);
    for (int i = 0; i < 1000; i++) {
        memset(p, ' ', (size_t)i);
        p += i;
        p += sprintf(p, "if 1:\n");
    }
    memset(p, ' ', 1000);
    strcpy(p + 1000, "pass\n");
    expect_syntax_error(blocks, "indentation");

    /* Nesting that fits still compiles and runs. */
    lt_expect_output("print(((((((((((1)))))))))))\nprint(- - - -1)\nprint([[[[]]]])\n",
                     "1\n1\n[[[[]]]]\n");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_print_of_deep_list),
        cmocka_unit_test(test_self_containing_lists),
        cmocka_unit_test(test_compare_deep_lists),
        cmocka_unit_test(test_deep_tuple_as_dict_key),
        cmocka_unit_test(test_function_recursion_shares_the_limit),
        cmocka_unit_test(test_deeply_nested_source),
    };
    return RCT_RUN_GROUP(tests);
}
