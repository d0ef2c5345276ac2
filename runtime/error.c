/*
 * runtime/error.c -- the per-thread error slot.
 *
 * Plain thread-local storage, independent of attachment, so that even
 * "this thread is not attached" can be reported. Messages are formatted
 * into a fixed buffer: reporting an out-of-memory error must not allocate.
 */
#include <stdarg.h>
#include <stdio.h>

#include "runtime/runtime_internal.h"

#define ERROR_MESSAGE_MAX 256

static _Thread_local struct {
    rc_status code;
    char message[ERROR_MESSAGE_MAX];
} error_slot;

rc_status rc_error_code(void) {
    return error_slot.code;
}

const char *rc_error_message(void) {
    return error_slot.message;
}

void rc_error_clear(void) {
    error_slot.code = RC_OK;
    error_slot.message[0] = '\0';
}

static void error_vset(rc_status code, const char *fmt, va_list ap) {
    error_slot.code = code;
    vsnprintf(error_slot.message, sizeof error_slot.message, fmt, ap);
}

rc_status rc_error_set(rc_status code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    error_vset(code, fmt, ap);
    va_end(ap);
    return code;
}

void *rci_error_null(rc_status code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    error_vset(code, fmt, ap);
    va_end(ap);
    return NULL;
}

const char *rc_status_name(rc_status status) {
    switch (status) {
    case RC_OK: return "RC_OK";
    case RC_ENOMEM: return "RC_ENOMEM";
    case RC_ETYPE: return "RC_ETYPE";
    case RC_EINDEX: return "RC_EINDEX";
    case RC_EKEY: return "RC_EKEY";
    case RC_EOVERFLOW: return "RC_EOVERFLOW";
    case RC_EZERODIV: return "RC_EZERODIV";
    case RC_EVALUE: return "RC_EVALUE";
    case RC_ECHANGED: return "RC_ECHANGED";
    case RC_ESTATE: return "RC_ESTATE";
    case RC_ELIMIT: return "RC_ELIMIT";
    case RC_ELEAK: return "RC_ELEAK";
    case RC_ERECURSION: return "RC_ERECURSION";
    }
    return "RC_?";
}
