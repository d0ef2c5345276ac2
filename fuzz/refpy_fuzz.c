/*
 * fuzz/refpy_fuzz.c -- libFuzzer target: refpy's compile-and-run entry
 * point (lang_run_source) on arbitrary bytes.
 *
 * Each input is a whole program, run on a fresh runtime and interpreter.
 * What must hold, whatever the bytes:
 *   - no crash, no sanitizer report (the build is ASan+UBSan);
 *   - the result is one of OK, a syntax error or a runtime error, and an
 *     error comes with a message;
 *   - nothing is left alive when the interpreter is freed, and the runtime
 *     stops cleanly (no leak, not even of immortal objects' memory: ASan's
 *     leak check runs at exit).
 * Programs are untrusted: a step limit ends the ones that loop or recurse
 * without end, print goes to /dev/null, and the builtins and modules
 * (time, threading) that start threads, sleep or read the clock are
 * removed, so that a run depends on its input alone.
 */
#include <string.h>

#include "fuzz/fuzz.h"
#include "lang/lang.h"

/* Loop iterations and calls per program: enough for the seeds' programs to
 * do real work, few enough for about a millisecond per input. */
#define STEP_LIMIT 20000

static FILE *devnull;

/* Takes name out of one of the interpreter's tables (its builtins, or its
 * modules, which import reads). */
static void remove_name(rc_object *table, const char *name) {
    rc_object *key = rc_str_from_cstr(name);
    FUZZ_CHECK(key != NULL, "str");
    rc_status st = rc_dict_delete(table, key);
    FUZZ_CHECK(st == RC_OK, "%s: %s", name, rc_status_name(st));
    rc_decref(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!devnull) {
        devnull = fopen("/dev/null", "w");
        FUZZ_CHECK(devnull != NULL, "/dev/null");
    }
    fuzz_runtime_start();
    char *argv[] = {"fuzz"};
    lang_interp *in = lang_interp_new(devnull, 1, argv);
    FUZZ_CHECK(in != NULL, "lang_interp_new");
    static const char *const unsafe[] = {"thread", "Lock", "sleep", "time"};
    for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++)
        remove_name(in->builtins, unsafe[i]);
    /* The modules that start threads, sleep or read the clock: importing
     * them is then an error, as for any unknown module. */
    static const char *const unsafe_modules[] = {"time", "threading"};
    for (size_t i = 0; i < sizeof unsafe_modules / sizeof unsafe_modules[0]; i++)
        remove_name(in->modules, unsafe_modules[i]);
    lang_interp_set_step_limit(in, STEP_LIMIT);

    char err[512];
    err[0] = '\0';
    int st = lang_run_source(in, (const char *)data, size, err, sizeof err);
    FUZZ_CHECK(st == LANG_OK || st == LANG_SYNTAX_ERROR || st == LANG_RUNTIME_ERROR,
               "status %d", st);
    FUZZ_CHECK(st == LANG_OK || err[0] != '\0', "an error without a message");
    FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL, "message not terminated");
    rc_error_clear();

    int thread_errors = lang_interp_free(in);
    FUZZ_CHECK(thread_errors == 0, "%d thread error(s) without threads", thread_errors);
    fuzz_runtime_stop();
    return 0;
}
