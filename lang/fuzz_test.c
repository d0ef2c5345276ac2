/*
 * lang/fuzz_test.c -- garbage in, an error out: never a crash, a hang or a
 * leak. Programs are generated from a fixed seed, so a failure reproduces:
 *   - random bytes;
 *   - random sequences of the language's tokens, with random newlines and
 *     indentation (these get much deeper into the parser than bytes do);
 *   - valid programs with one token deleted, duplicated or replaced.
 * Each goes through the lexer and compiler; the few that compile are dropped
 * without running (a random program may loop forever). After each one no
 * object may be alive. Run it under --config=asan too.
 */
#include <stdint.h>
#include <string.h>

#include "lang/lang.h"
#include "tests/support.h"

#define PROGRAMS 4000
#define MAX_LEN 600

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rnd(uint32_t n) { /* xorshift64*: fixed and portable */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717u) >> 33) % n;
}

static const char *pieces[] = {
    "def", "if", "elif", "else", "while", "for", "in", "not", "and", "or", "return",
    "global", "pass", "break", "continue", "True", "False", "None", "x", "y", "f", "l",
    "print", "range", "0", "1", "2.5", "99999999999999999999", "'s'", "\"t\"", "'unterminated",
    "(", ")", "[", "]", "{", "}", ",", ":", ".", "+", "-", "*", "/", "//", "%", "=", "+=",
    "-=", "*=", "==", "!=", "<", "<=", ">", ">=", "\n", "\n    ", "\n        ", "\n  ", "#c\n",
    " ", "\t", "\\", "$", "\xff", "\xc3\xa9",
};

static const char *valid[] = {
    "def f(a, b):\n    x = a + b\n    for i in range(x):\n        if i > 2:\n            break\n"
    "    return [x, {'k': (1, 2)}]\nprint(f(1, 2))\n",
    "n = 0\nwhile n < 10:\n    n += 1\n    if n % 2 == 0:\n        continue\n"
    "def g():\n    global n\n    def h(q):\n        return n + q\n    return h(1)\n",
    "d = {}\nd['a'] = [1, 2]\nd['a'][0] *= 3\nx = not d and 1 or -2\ny = 'a' in d\n",
};

static size_t gen_bytes(char *buf) {
    size_t n = rnd(MAX_LEN);
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)rnd(256);
    return n;
}

static size_t gen_tokens(char *buf) {
    size_t n = 0, count = rnd(120);
    for (size_t i = 0; i < count; i++) {
        const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
        size_t len = strlen(p);
        if (n + len + 1 >= MAX_LEN)
            break;
        memcpy(buf + n, p, len);
        n += len;
        if (rnd(3) == 0)
            buf[n++] = ' ';
    }
    return n;
}

/* A valid program with one span of bytes deleted, repeated or overwritten. */
static size_t gen_mutant(char *buf) {
    const char *src = valid[rnd(sizeof valid / sizeof valid[0])];
    size_t len = strlen(src), at = rnd((uint32_t)len), span = 1 + rnd(6);
    if (at + span > len)
        span = len - at;
    memcpy(buf, src, len);
    switch (rnd(3)) {
    case 0: /* delete */
        memmove(buf + at, buf + at + span, len - at - span);
        return len - span;
    case 1: /* repeat */
        memmove(buf + at + span, buf + at, len - at);
        return len + span;
    default: /* overwrite */
        for (size_t i = 0; i < span; i++)
            buf[at + i] = pieces[rnd(sizeof pieces / sizeof pieces[0])][0];
        return len;
    }
}

static void fuzz(size_t (*gen)(char *), int *compiled) {
    char buf[2 * MAX_LEN], err[256];
    for (int i = 0; i < PROGRAMS; i++) {
        size_t n = gen(buf);
        int st = lang_check_syntax(buf, n, err, sizeof err);
        assert_true(st == LANG_OK || st == LANG_SYNTAX_ERROR);
        if (st == LANG_OK)
            ++*compiled;
        else
            assert_true(err[0] != '\0');
        if (rc_live_objects() != 0)
            fail_msg("program %d leaked %lld object(s): %.*s", i, (long long)rc_live_objects(),
                     (int)n, buf);
    }
}

static void test_random_bytes(void **state) {
    (void)state;
    int compiled = 0;
    fuzz(gen_bytes, &compiled);
}

static void test_random_tokens(void **state) {
    (void)state;
    int compiled = 0;
    fuzz(gen_tokens, &compiled);
    assert_true(compiled > 0); /* some got through the whole compiler */
}

static void test_mutated_programs(void **state) {
    (void)state;
    int compiled = 0;
    fuzz(gen_mutant, &compiled);
    assert_true(compiled > 0);
}

/* The valid seeds compile, so the mutants start from real programs. */
static void test_valid_programs_compile(void **state) {
    (void)state;
    char err[256];
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
        if (lang_check_syntax(valid[i], strlen(valid[i]), err, sizeof err) != LANG_OK)
            fail_msg("valid program %zu: %s", i, err);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_programs_compile),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_random_tokens),
        cmocka_unit_test(test_mutated_programs),
    };
    return RCT_RUN_GROUP(tests);
}
