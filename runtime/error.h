/*
 * runtime/error.h -- how refcore reports errors.
 *
 * Two families, chosen by return type:
 *   - calls that return an object return NULL on failure;
 *   - calls that return nothing useful return an rc_status (RC_OK == 0,
 *     failures negative); calls that answer yes/no return 1 or 0, or a
 *     negative rc_status on failure.
 * Either way the failing call leaves a code and a message in a per-thread
 * slot, read with rc_error_code() and rc_error_message(). Successful calls
 * do not clear the slot: read it only right after a call reported failure.
 *
 * After any error the runtime is consistent: a failed call changed nothing
 * it did not document changing, and leaked nothing.
 */
#ifndef RC_RUNTIME_ERROR_H
#define RC_RUNTIME_ERROR_H

#include "runtime/compiler.h"

typedef enum rc_status {
    RC_OK = 0,
    RC_ENOMEM = -1,    /* an allocation failed */
    RC_ETYPE = -2,     /* wrong type of argument, or an unhashable key */
    RC_EINDEX = -3,    /* index out of range */
    RC_EKEY = -4,      /* key not found */
    RC_EOVERFLOW = -5, /* a value does not fit the type asked for (int64_t, double) */
    RC_EZERODIV = -6,  /* division or modulo by zero */
    RC_EVALUE = -7,    /* bad value: NULL argument, invalid UTF-8, ... */
    RC_ECHANGED = -8,  /* a container changed size during iteration */
    RC_ESTATE = -9,    /* misuse of the runtime: not started, not attached, ... */
    RC_ELIMIT = -10,   /* a fixed limit was reached (for example, too many types) */
    RC_ELEAK = -11,    /* the runtime stopped with objects still alive */
    RC_ERECURSION = -12, /* a structure nested deeper than the C recursion limit */
    RC_EOS = -13,      /* the operating system refused (fork) */
} rc_status;

/* The code of the last failure on this thread (RC_OK if none since the last
 * rc_error_clear). Any thread may call it, attached or not. */
rc_status rc_error_code(void);

/* The message of the last failure on this thread ("" if none). Borrowed:
 * valid until the next failing call on this thread. */
const char *rc_error_message(void);

/* Resets this thread's slot to RC_OK and "". */
void rc_error_clear(void);

/* Records a failure in this thread's slot: code, and a printf-style message
 * (truncated to 255 bytes). Returns code, so that a client type's slot can
 * `return rc_error_set(RC_EVALUE, "bad point: %d", x);`. Any thread may
 * call it; it never allocates. */
rc_status rc_error_set(rc_status code, const char *fmt, ...) RC_PRINTF(2, 3);

/* A short constant name for a status ("RC_ENOMEM", ...). */
const char *rc_status_name(rc_status status);

#endif /* RC_RUNTIME_ERROR_H */
