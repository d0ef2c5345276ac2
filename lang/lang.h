/*
 * lang/lang.h -- the interpreter's entry points, for the command-line
 * program and the tests.
 *
 * A small Python-like language whose values are refcore objects (see
 * lang/README.md for what it covers). Everything here requires a started
 * runtime and an attached calling thread.
 */
#ifndef LANG_LANG_H
#define LANG_LANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lang/vm.h"

/* Returns a new interpreter whose print writes to out and whose global
 * `argv` is the list of the argc strings, or NULL with refcore's error set. */
lang_interp *lang_interp_new(FILE *out, int argc, char **argv);

/* Waits for the threads the program started, frees the interpreter and its
 * globals, and runs a full collection so that cycles through functions and
 * globals go too. Returns the number of threads that ended with an error.
 * Builtins and module-level functions are immortal, and are freed only when
 * the runtime stops (README.md, "Under a free-threaded strategy"). */
int lang_interp_free(lang_interp *in);

/* Limits the steps (loop iterations and calls) each thread of the program
 * may take; past them the program fails with RC_ELIMIT, "step limit
 * exceeded". 0 (the default) means no limit. For running untrusted or
 * generated programs (the fuzzer); call it before lang_run_source. */
void lang_interp_set_step_limit(lang_interp *in, int64_t steps);

enum { LANG_OK = 0, LANG_SYNTAX_ERROR = 1, LANG_RUNTIME_ERROR = 2 };

/* Compiles and runs len bytes of src as the main program. Returns LANG_OK,
 * or an error kind with the message in err ("line 3, column 7: syntax
 * error: ..." or "line 9: ..."). Running out of memory, while compiling
 * too, is a LANG_RUNTIME_ERROR whose message says so, with RC_ENOMEM in
 * refcore's error slot. */
int lang_run_source(lang_interp *in, const char *src, size_t len, char *err, size_t err_size);

/* Only for compile-only checks (the fuzz test): compiles and drops the code.
 * Returns LANG_OK or LANG_SYNTAX_ERROR, with the message in err (or
 * LANG_RUNTIME_ERROR when memory runs out, as above). */
int lang_check_syntax(const char *src, size_t len, char *err, size_t err_size);

/* The status the program gave sys.exit() (lang_run_source returned LANG_OK
 * then), 0 if it did not call it. */
int lang_interp_exit_status(const lang_interp *in);

/* Bookkeeping for threads.c. */
void lang_interp_thread_started(lang_interp *in);
void lang_interp_thread_finished(lang_interp *in, bool failed);

#endif /* LANG_LANG_H */
