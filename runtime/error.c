/*
 * runtime/error.c -- the per-thread error slot, and rc_fatal for the
 * broken invariants no error slot can report.
 *
 * Plain thread-local storage, independent of attachment, so that even
 * "this thread is not attached" can be reported. Messages are formatted
 * into a fixed buffer: reporting an out-of-memory error must not allocate.
 *
 * A key error (a dict miss) is recorded without formatting: a miss is an
 * ordinary outcome that callers often expect and never read the message
 * of, and formatting cost more than the lookup itself. Its parts are
 * copied into the slot and the text is written on the first
 * rc_error_message().
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/runtime_internal.h"

#define ERROR_MESSAGE_MAX 256

/* A key error whose message is not written yet: the parts, copied (the key
 * itself may be gone by the time anyone reads the message). */
typedef struct pending_key {
    const char *fn;        /* NULL: nothing pending */
    rci_key_desc desc;
} pending_key;

static _Thread_local struct {
    rc_status code;
    char message[ERROR_MESSAGE_MAX];
    pending_key key;
} error_slot;

rc_status rc_error_code(void) {
    return error_slot.code;
}

/* Writes the message of a pending key error. A str key cut at
 * RCI_KEY_TEXT_MAX bytes is cut back to a character boundary here, so the
 * failing lookup never looks at more than the bytes it copies. */
static void format_pending_key(void) {
    const pending_key *k = &error_slot.key;
    char *out = error_slot.message;
    size_t size = sizeof error_slot.message;
    switch (k->desc.kind) {
    case RCI_KEY_INT:
        snprintf(out, size, "%s: key not found: %" PRId64, k->fn, k->desc.i);
        break;
    case RCI_KEY_STR: {
        size_t shown = k->desc.len;
        if (k->desc.cut)
            while (shown > 0 && ((unsigned char)k->desc.text[shown] & 0xc0) == 0x80)
                shown--;
        snprintf(out, size, "%s: key not found: '%.*s'%s", k->fn, (int)shown, k->desc.text,
                 k->desc.cut ? "..." : "");
        break;
    }
    default:
        snprintf(out, size, "%s: key not found (a %s key)", k->fn, k->desc.type_name);
    }
    error_slot.key.fn = NULL;
}

const char *rc_error_message(void) {
    if (error_slot.key.fn)
        format_pending_key();
    return error_slot.message;
}

void rc_error_clear(void) {
    error_slot.code = RC_OK;
    error_slot.message[0] = '\0';
    error_slot.key.fn = NULL;
}

rc_status rci_error_set_key(const char *fn, const rci_key_desc *desc) {
    error_slot.code = RC_EKEY;
    error_slot.key.fn = fn;
    error_slot.key.desc = *desc;
    return RC_EKEY;
}

static void error_vset(rc_status code, const char *fmt, va_list ap) {
    error_slot.code = code;
    error_slot.key.fn = NULL;
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
    case RC_EOS: return "RC_EOS";
    }
    return "RC_?";
}

/* ---- fatal errors ---------------------------------------------------------- */

void rc_fatal(const rc_object *o, const char *file, int line, const char *msg) {
    fprintf(stderr, "refcore: fatal: %s\n", msg);
    if (file)
        fprintf(stderr, "refcore:   at %s:%d\n", file, line);
    if (o) {
        const rc_type *type = o->type;
        fprintf(stderr, "refcore:   object %p of type %s, count %" PRId64 "\n",
                (const void *)o, type && type->name ? type->name : "?",
                rcs_refcount(&o->rc));
    }
    fflush(stderr);
    abort();
}
