/*
 * objects/str.c -- immutable UTF-8 strings and the intern table.
 *
 * Layout: the header, the lengths, a cached hash, then the bytes inline with
 * a terminating NUL. The bytes are validated once, at creation, so every
 * str holds well-formed UTF-8 (no overlong forms, no surrogates, nothing
 * past U+10FFFF).
 *
 * The hash is computed on first use and cached. Two threads may compute it
 * at once; they compute the same value, and the word is written and read
 * with relaxed atomics, so the race is benign under every strategy. 0 means
 * "not computed yet"; a hash that happens to be 0 is stored as 1.
 *
 * The intern table maps contents to immortal strings. It is runtime-wide and
 * guarded by a plain mutex: interning is rare and the critical section never
 * blocks or runs object code. Interned strings are freed by rc_runtime_stop.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objects/object_internal.h"
#include "objects/str.h"

typedef struct str_object {
    rc_object base;
    int64_t byte_length;
    int64_t length; /* code points */
    uint64_t hash;  /* 0 until computed; relaxed atomic */
    char data[];    /* byte_length bytes, then NUL */
} str_object;

static inline str_object *as_str(rc_object *o) {
    return (str_object *)o;
}

bool rc_str_check(const rc_object *o) {
    return o && o->type == &rc_str_type;
}

/* ---- UTF-8 ------------------------------------------------------------------ */

/* Returns the number of code points in s[0..len), or -1 if it is not valid
 * UTF-8. */
static int64_t utf8_count(const unsigned char *s, size_t len) {
    int64_t count = 0;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            count++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return -1;
        }
        if (len - i <= n)
            return -1;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return -1;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return -1;
        i += n + 1;
        count++;
    }
    return count;
}

/* ---- creation --------------------------------------------------------------- */

/* A str of byte_length bytes, not yet filled (data[byte_length] is NUL). */
static str_object *str_alloc(size_t byte_length, int64_t length) {
    if (byte_length > (size_t)INT64_MAX - sizeof(str_object) - 1)
        return rci_error_null(RC_ENOMEM, "string too long");
    str_object *s =
        (str_object *)rci_object_alloc(&rc_str_type, sizeof(str_object) + byte_length + 1);
    if (!s)
        return NULL;
    s->byte_length = (int64_t)byte_length;
    s->length = length;
    s->hash = 0;
    s->data[byte_length] = '\0';
    return s;
}

static size_t str_instance_size(const rc_object *o) {
    return sizeof(str_object) + (size_t)((const str_object *)o)->byte_length + 1;
}

rc_object *rc_str_from_utf8(const char *utf8, size_t len) {
    if (!utf8 && len > 0)
        return rci_error_null(RC_EVALUE, "rc_str_from_utf8: NULL bytes");
    int64_t length = utf8_count((const unsigned char *)utf8, len);
    if (length < 0)
        return rci_error_null(RC_EVALUE, "rc_str_from_utf8: invalid UTF-8");
    str_object *s = str_alloc(len, length);
    if (!s)
        return NULL;
    if (len)
        memcpy(s->data, utf8, len);
    return &s->base;
}

rc_object *rc_str_from_cstr(const char *cstr) {
    if (!cstr)
        return rci_error_null(RC_EVALUE, "rc_str_from_cstr: NULL string");
    return rc_str_from_utf8(cstr, strlen(cstr));
}

rc_object *rc_str_from_vformat(const char *fmt, va_list ap) {
    if (!fmt)
        return rci_error_null(RC_EVALUE, "rc_str_from_format: NULL format");
    char small[256];
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    if (n < 0)
        return rci_error_null(RC_EVALUE, "rc_str_from_format: bad format");
    if ((size_t)n < sizeof small)
        return rc_str_from_utf8(small, (size_t)n);
    char *big = rci_mem_alloc((size_t)n + 1);
    if (!big)
        return NULL;
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    rc_object *s = rc_str_from_utf8(big, (size_t)n);
    rci_mem_free(big);
    return s;
}

rc_object *rc_str_from_format(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    rc_object *s = rc_str_from_vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* ---- access ----------------------------------------------------------------- */

/* The error of an entry point below when str_ok fails: the thread may not
 * touch objects (rci_may_touch), or o is NULL or not a str. */
static RC_NOINLINE rc_status str_arg_error(rc_object *o, const char *what) {
    if (!rci_may_touch())
        return rci_state_error(what);
    if (!o)
        return rc_error_set(RC_EVALUE, "%s: NULL argument", what);
    return rc_error_set(RC_ETYPE, "%s: expected a str, got %s", what, o->type->name);
}

static inline bool str_ok(rc_object *o) {
    return RC_LIKELY(rci_may_touch() && rc_str_check(o));
}

/* True if str_ok(o); otherwise sets the error. */
static bool str_expect(rc_object *o, const char *what) {
    if (str_ok(o))
        return true;
    str_arg_error(o, what);
    return false;
}

const char *rc_str_data(rc_object *o) {
    return str_expect(o, "rc_str_data") ? as_str(o)->data : NULL;
}

int64_t rc_str_byte_length(rc_object *o) {
    return str_ok(o) ? as_str(o)->byte_length : str_arg_error(o, "rc_str_byte_length");
}

int64_t rc_str_length(rc_object *o) {
    return str_ok(o) ? as_str(o)->length : str_arg_error(o, "rc_str_length");
}

rc_object *rc_str_concat(rc_object *a, rc_object *b) {
    if (!str_expect(a, "rc_str_concat") || !str_expect(b, "rc_str_concat"))
        return NULL;
    str_object *x = as_str(a), *y = as_str(b);
    str_object *s =
        str_alloc((size_t)x->byte_length + (size_t)y->byte_length, x->length + y->length);
    if (!s)
        return NULL;
    memcpy(s->data, x->data, (size_t)x->byte_length);
    memcpy(s->data + x->byte_length, y->data, (size_t)y->byte_length);
    return &s->base;
}

/* ---- slots ------------------------------------------------------------------ */

/* FNV-1a, 64-bit: simple, and good enough for dict keys of text. */
static uint64_t hash_bytes(const char *p, int64_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (int64_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x100000001b3ull;
    }
    return h ? h : 1;
}

/* Also bytes' (object_internal.h). The race of two first uses is benign:
 * see the top of this file. */
uint64_t rci_cached_hash_bytes(uint64_t *cache, const char *p, int64_t n) {
    uint64_t h = rcs_shared_load(cache, memory_order_relaxed);
    if (h == 0) {
        h = hash_bytes(p, n);
        rcs_shared_store(cache, h, memory_order_relaxed);
    }
    return h;
}

static uint64_t str_cached_hash(str_object *s) {
    return rci_cached_hash_bytes(&s->hash, s->data, s->byte_length);
}

static rc_status str_hash(rc_object *self, uint64_t *out) {
    *out = str_cached_hash(as_str(self));
    return RC_OK;
}

static bool str_same_bytes(str_object *x, str_object *y) {
    return x->byte_length == y->byte_length &&
           memcmp(x->data, y->data, (size_t)x->byte_length) == 0;
}

static int str_equal(rc_object *self, rc_object *other) {
    return rc_str_check(other) && str_same_bytes(as_str(self), as_str(other));
}

rc_object *rci_quoted_repr(const char *prefix, const char *p, int64_t len,
                           bool escape_non_ascii) {
    size_t plen = strlen(prefix);
    size_t cap = plen + (size_t)len * 4 + 2;
    char *buf = rci_mem_alloc(cap);
    if (!buf)
        return NULL;
    memcpy(buf, prefix, plen);
    size_t n = plen;
    buf[n++] = '\'';
    for (int64_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        const char *esc = c == '\\' ? "\\\\" : c == '\'' ? "\\'" : c == '\n' ? "\\n"
                        : c == '\t' ? "\\t" : c == '\r' ? "\\r" : NULL;
        if (esc) {
            memcpy(buf + n, esc, 2);
            n += 2;
        } else if (c < 0x20 || c == 0x7f || (escape_non_ascii && c > 0x7f)) {
            n += (size_t)snprintf(buf + n, 5, "\\x%02x", c);
        } else {
            buf[n++] = (char)c;
        }
    }
    buf[n++] = '\'';
    rc_object *r = rc_str_from_utf8(buf, n);
    rci_mem_free(buf);
    return r;
}

/* 'text': non-ASCII characters as they are. */
static rc_object *str_repr(rc_object *self) {
    str_object *s = as_str(self);
    return rci_quoted_repr("", s->data, s->byte_length, false);
}

rc_type rc_str_type = {
    .name = "str",
    .basicsize = sizeof(str_object),
    .instance_size = str_instance_size,
    .hash = str_hash,
    .equal = str_equal,
    .repr = str_repr,
    .id = RCI_TYPE_ID_STR,
};

/* ---- interning -------------------------------------------------------------
 * An open-addressing set of immortal strs, linear probing, at most half
 * full. Guarded by intern_lock.
 *
 * Not ConcurrencyKit's ck_hs (measured on 1024 names, issue 13): under the
 * same mutex a hit costs 308 instructions against these 167, and an insert
 * 573 against 238 (42 against 23 ns, best of 11). Its lock-free hits (13
 * against 19 ns, 28 against 39 with two threads) would need the old tables
 * kept until rc_runtime_stop where rcs_retire frees at once, and
 * ThreadSanitizer reports them as races (the publication happens inside the
 * uninstrumented libck); and interning happens when programs are compiled
 * and builtins registered, not while they run. */

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static str_object **intern_slots;
static size_t intern_capacity; /* a power of two, or 0 */
static size_t intern_count;

rc_status rci_intern_init(void) {
    intern_slots = NULL;
    intern_capacity = intern_count = 0;
    return RC_OK;
}

void rci_intern_fini(void) {
    for (size_t i = 0; i < intern_capacity; i++)
        if (intern_slots[i])
            rcs_retire(intern_slots[i], rci_mem_free); /* immortal: uncounted */
    rcs_mem_free(intern_slots);
    rci_intern_init();
}

/* The slot holding a str with s's bytes, or the empty slot where it goes. */
static str_object **intern_find(str_object **slots, size_t cap, str_object *s) {
    size_t mask = cap - 1;
    for (size_t i = str_cached_hash(s) & mask;; i = (i + 1) & mask)
        if (!slots[i] || str_same_bytes(slots[i], s))
            return &slots[i];
}

static bool intern_grow(void) {
    size_t cap = intern_capacity ? intern_capacity * 2 : 64;
    str_object **slots = rcs_mem_calloc(cap * sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < intern_capacity; i++)
        if (intern_slots[i])
            *intern_find(slots, cap, intern_slots[i]) = intern_slots[i];
    rcs_mem_free(intern_slots);
    intern_slots = slots;
    intern_capacity = cap;
    return true;
}

rc_object *rc_str_intern(rc_object *o) {
    if (!str_expect(o, "rc_str_intern"))
        return NULL;
    str_object *s = as_str(o);
    rc_object *result = NULL;
    pthread_mutex_lock(&intern_lock);
    if ((intern_count + 1) * 2 > intern_capacity && !intern_grow()) {
        rc_error_set(RC_ENOMEM, "out of memory (intern table)");
        goto done;
    }
    str_object **slot = intern_find(intern_slots, intern_capacity, s);
    if (!*slot) {
        str_object *copy = as_str(rc_str_from_utf8(s->data, (size_t)s->byte_length));
        if (!copy)
            goto done;
        rci_make_immortal(&copy->base);
        *slot = copy;
        intern_count++;
    }
    result = &(*slot)->base;
done:
    pthread_mutex_unlock(&intern_lock);
    return result;
}

rc_object *rc_str_intern_cstr(const char *cstr) {
    rc_object *s = rc_str_from_cstr(cstr);
    if (!s)
        return NULL;
    rc_object *interned = rc_str_intern(s);
    rc_decref(s);
    return interned;
}
