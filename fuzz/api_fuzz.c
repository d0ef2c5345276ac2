/*
 * fuzz/api_fuzz.c -- libFuzzer target: a byte-coded sequence of refcore's
 * public API operations on a small pool of objects.
 *
 * The input is a program for a tiny machine: one byte picks an operation,
 * the bytes after it its operands (pool slots, indexes, values). The pool
 * holds POOL owned references (or NULL); weak references live in their own
 * slots. Every operation's result is checked against what the API promises
 * (the headers in objects/): sizes after a change, identity of what was stored and read
 * back, the documented error for each misuse, hash consistent with
 * equality, equality symmetric and reflexive, a weak reference alive
 * exactly while its referent is, finalizers run once per object. At the
 * end every reference is dropped, a full collection runs, and nothing may
 * be left alive; the runtime then stops cleanly.
 *
 * Everything runs on one thread, on a fresh runtime per input, so a crash
 * reproduces from its input alone.
 */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz/fuzz.h"

#define POOL 8
#define WEAK 4
/* Operations that double a list or a str (extend by itself, s + s) stop
 * here, so that no input takes long for its length. */
#define MAX_ITEMS 10000

/* ---- the input, read as a stream ------------------------------------------------ */

typedef struct input {
    const uint8_t *p, *end;
} input;

static bool more(const input *in) {
    return in->p < in->end;
}

/* The next byte; 0 past the end (the operation then still runs, on slot 0). */
static uint8_t byte(input *in) {
    return in->p < in->end ? *in->p++ : 0;
}

/* A signed index in about -8..23: mostly in range for small containers,
 * sometimes past either end. */
static int64_t index_of(input *in) {
    return (int64_t)(byte(in) % 32) - 8;
}

/* ---- a client type: a node with one reference, a finalizer, weakly referable -- */

typedef struct node {
    rc_object base;
    rc_object *ref;      /* strong, or NULL */
    rc_object *weaklist; /* the runtime's */
} node;

static int64_t nodes_made, nodes_finalized;

static int node_traverse(rc_object *self, rc_visit_fn visit, void *arg) {
    RC_VISIT(((node *)self)->ref);
    return 0;
}

static void node_clear(rc_object *self) {
    rc_clear_ref(&((node *)self)->ref);
}

static void node_dealloc(rc_object *self) {
    rc_xdecref(((node *)self)->ref);
}

static void node_finalize(rc_object *self) {
    (void)self;
    nodes_finalized++;
}

static rc_type node_type = {
    .name = "fuzz_node",
    .basicsize = sizeof(node),
    .flags = RC_TYPE_GC,
    .dealloc = node_dealloc,
    .traverse = node_traverse,
    .clear = node_clear,
    .finalize = node_finalize,
    .weaklist_offset = offsetof(node, weaklist),
};

/* ---- the machine's state ----------------------------------------------------------- */

static rc_object *pool[POOL];
/* A weak reference and the referent it was made for: target is cleared by
 * the callback when the referent dies, so "target != NULL" is exactly
 * "the referent is alive" (and its address cannot have been reused). */
static rc_object *weak[WEAK];
static rc_object *target[WEAK];
static int64_t callbacks;

static void weak_callback(rc_object *wr, rc_object *arg) {
    int64_t i;
    FUZZ_CHECK(rc_int_as_i64(arg, &i) == RC_OK && i >= 0 && i < WEAK, "callback arg");
    FUZZ_CHECK(weak[i] == wr, "callback for weak slot %" PRId64, i);
    FUZZ_CHECK(target[i] != NULL, "callback twice");
    target[i] = NULL;
    callbacks++;
}

/* Checks every weak reference against its referent. */
static void check_weak(void) {
    for (int i = 0; i < WEAK; i++) {
        if (!weak[i])
            continue;
        int alive = rc_weakref_is_alive(weak[i]);
        FUZZ_CHECK(alive == (target[i] != NULL), "weak %d alive %d", i, alive);
        rc_object *r = rc_weakref_get(weak[i]);
        FUZZ_CHECK(r == (target[i] ? target[i] : rc_none()), "weak %d get", i);
        rc_decref(r);
    }
}

/* Slot operand: the object there, or None for an empty slot (borrowed). */
static rc_object *obj(input *in) {
    rc_object *o = pool[byte(in) % POOL];
    return o ? o : rc_none();
}

/* Puts o (a new reference, or NULL) in slot i, dropping what was there. */
static void put(int i, rc_object *o) {
    rc_object *old = pool[i];
    pool[i] = o;
    rc_xdecref(old);
}

/* After a call that failed with st: its error slot agrees, and st is one of
 * the statuses its header documents (ok1, ok2). Clears the error. */
static void expect_error(int st, int ok1, int ok2, const char *what) {
    FUZZ_CHECK(st < 0 && (st == ok1 || st == ok2), "%s: %s", what, rc_status_name(st));
    FUZZ_CHECK(rc_error_code() == st, "%s: error slot %s", what, rc_status_name(rc_error_code()));
    rc_error_clear();
}

/* Ends the operation after a failure that expect_error accepts. */
#define FAIL_WITH(...)                                                                   \
    do {                                                                                 \
        expect_error(__VA_ARGS__);                                                       \
        return;                                                                          \
    } while (0)

/* Whether repr, hash and equality of o take a bounded time. Tuples in the
 * pool share items, so a chain of k tuples built from each other can stand
 * for 3^k items: repr and hash walk all of them (as Python's do), and the
 * fuzzer would soon build one that takes minutes. This walks o as repr
 * does (descending into every item, stopping at an object already on the
 * path, which repr prints as [...]) and gives up past a budget. */
typedef struct walk {
    int64_t left;
    int depth;
    rc_object *path[256];
} walk;

static int walk_visit(rc_object *child, void *arg) {
    walk *w = arg;
    /* A str costs its length too: repr copies it once per path to it. */
    w->left -= 1 + (rc_str_check(child) ? rc_str_byte_length(child) / 16 : 0);
    if (w->left < 0 || w->depth == 256)
        return 1;
    for (int i = 0; i < w->depth; i++)
        if (w->path[i] == child)
            return 0;
    w->path[w->depth++] = child;
    int r = rc_object_traverse(child, walk_visit, w);
    w->depth--;
    return r;
}

static bool small(rc_object *o) {
    walk w = {.left = 2000};
    return walk_visit(o, &w) == 0;
}

static bool hashable(rc_object *o) {
    uint64_t h;
    if (rc_object_hash(o, &h) == RC_OK)
        return true;
    FUZZ_CHECK(rc_error_code() == RC_ETYPE || rc_error_code() == RC_ERECURSION, "hash error");
    rc_error_clear();
    return false;
}

/* ---- operations ---------------------------------------------------------------------- */

static void op_new_int(input *in) {
    static const int64_t specials[] = {0, 1, -1, -5, -6, 256, 257, INT64_MAX, INT64_MIN,
                                       (int64_t)1 << 53, 1000000007};
    uint8_t b = byte(in);
    int64_t v = b < 2 * 11 ? specials[b % 11] : (int64_t)b - 128;
    rc_object *o = rc_int_from_i64(v);
    int64_t back;
    FUZZ_CHECK(o && rc_int_as_i64(o, &back) == RC_OK && back == v, "int %" PRId64, v);
    put(byte(in) % POOL, o);
}

static void op_new_float(input *in) {
    static const double specials[] = {0.0, -0.0, 1.5, -2.25, 1e300, NAN, INFINITY};
    uint8_t b = byte(in);
    double v = b < 7 ? specials[b] : (double)b / 4;
    rc_object *o = rc_float_from_double(v);
    double back;
    FUZZ_CHECK(o && rc_float_as_double(o, &back) == RC_OK, "float");
    FUZZ_CHECK(memcmp(&back, &v, sizeof v) == 0, "float round trip");
    put(byte(in) % POOL, o);
}

/* Up to 15 bytes of the input as UTF-8: valid or not. */
static void op_new_str(input *in) {
    size_t len = byte(in) % 16;
    char buf[16];
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)byte(in);
    rc_object *o = rc_str_from_utf8(buf, len);
    if (!o) {
        expect_error(rc_error_code(), RC_EVALUE, RC_EVALUE, "str");
        return;
    }
    FUZZ_CHECK(rc_str_byte_length(o) == (int64_t)len, "str length");
    FUZZ_CHECK(memcmp(rc_str_data(o), buf, len) == 0 && rc_str_data(o)[len] == '\0', "str data");
    if (byte(in) & 1) { /* sometimes interned */
        rc_object *s = rc_str_intern(o);
        FUZZ_CHECK(s && rc_object_equal(s, o) == 1, "intern");
        rc_decref(o);
        o = s;
    }
    put(byte(in) % POOL, o);
}

static void op_new_tuple(input *in) {
    int64_t n = byte(in) % 4;
    rc_object *t = rc_tuple_new(n);
    FUZZ_CHECK(t != NULL, "tuple");
    for (int64_t i = 0; i < n; i++) {
        rc_object *item = obj(in);
        FUZZ_CHECK(rc_tuple_set_steal(t, i, rc_newref(item)) == RC_OK, "tuple set");
        FUZZ_CHECK(rc_tuple_get(t, i) == item, "tuple get");
    }
    FUZZ_CHECK(rc_tuple_size(t) == n, "tuple size");
    put(byte(in) % POOL, t);
}

static void op_new_container(input *in, int kind) {
    rc_object *o = kind == 0 ? rc_list_new() : kind == 1 ? rc_dict_new() : NULL;
    if (kind == 2) {
        o = rc_object_new(&node_type);
        nodes_made += o != NULL;
    }
    FUZZ_CHECK(o != NULL, "new %d", kind);
    put(byte(in) % POOL, o);
}

static void op_list_append(input *in) {
    rc_object *l = obj(in), *item = obj(in);
    bool is_list = rc_list_check(l);
    int64_t n = is_list ? rc_list_size(l) : 0;
    rc_status st = rc_list_append(l, item);
    if (!is_list)
        FAIL_WITH(st, RC_ETYPE, RC_ETYPE, "append");
    FUZZ_CHECK(st == RC_OK && rc_list_size(l) == n + 1, "append");
    rc_object *got = rc_list_get(l, -1);
    FUZZ_CHECK(got == item, "append then get");
    rc_decref(got);
}

static void op_list_insert(input *in) {
    rc_object *l = obj(in), *item = obj(in);
    int64_t i = index_of(in);
    bool is_list = rc_list_check(l);
    int64_t n = is_list ? rc_list_size(l) : 0;
    rc_status st = rc_list_insert(l, i, item);
    if (!is_list)
        FAIL_WITH(st, RC_ETYPE, RC_ETYPE, "insert");
    FUZZ_CHECK(st == RC_OK && rc_list_size(l) == n + 1, "insert");
    /* Python's clamping: negative from the end, then into 0..n. */
    int64_t at = i < 0 ? i + n : i;
    at = at < 0 ? 0 : at > n ? n : at;
    rc_object *got = rc_list_get(l, at);
    FUZZ_CHECK(got == item, "insert at %" PRId64 " (%" PRId64 " of %" PRId64 ")", i, at, n);
    rc_decref(got);
}

static bool in_range(int64_t i, int64_t n) {
    return i >= -n && i < n;
}

static void op_list_set(input *in) {
    rc_object *l = obj(in), *item = obj(in);
    int64_t i = index_of(in);
    bool is_list = rc_list_check(l);
    int64_t n = is_list ? rc_list_size(l) : 0;
    rc_status st = rc_list_set(l, i, item);
    if (!is_list || !in_range(i, n))
        FAIL_WITH(st, is_list ? RC_EINDEX : RC_ETYPE, RC_ETYPE, "list set");
    FUZZ_CHECK(st == RC_OK && rc_list_size(l) == n, "list set");
    rc_object *got = rc_list_get(l, i);
    FUZZ_CHECK(got == item, "set then get");
    rc_decref(got);
}

static void op_list_get_pop(input *in, bool pop) {
    rc_object *l = obj(in);
    int64_t i = index_of(in);
    int dest = byte(in) % POOL;
    bool is_list = rc_list_check(l);
    int64_t n = is_list ? rc_list_size(l) : 0;
    rc_object *got = pop ? rc_list_pop(l, i) : rc_list_get(l, i);
    if (!is_list || !in_range(i, n)) {
        FUZZ_CHECK(got == NULL, "get/pop out of range");
        FAIL_WITH(rc_error_code(), is_list ? RC_EINDEX : RC_ETYPE, RC_ETYPE, "get");
    }
    FUZZ_CHECK(got != NULL && rc_list_size(l) == n - pop, "get/pop");
    put(dest, got); /* got is a reference of its own, whatever dest held (l, perhaps) */
}

static void op_dict_set(input *in) {
    rc_object *d = obj(in), *k = obj(in), *v = obj(in);
    if (!small(k))
        return;
    bool is_dict = rc_dict_check(d), can_hash = hashable(k);
    int64_t n = is_dict ? rc_dict_size(d) : 0;
    int had = is_dict && can_hash ? rc_dict_contains(d, k) : 0;
    FUZZ_CHECK(had == 0 || had == 1, "contains");
    rc_status st = rc_dict_set(d, k, v);
    if (!is_dict || !can_hash) {
        FUZZ_CHECK(!is_dict || rc_dict_size(d) == n, "failed set changed the size");
        FAIL_WITH(st, RC_ETYPE, RC_ERECURSION, "dict set");
    }
    FUZZ_CHECK(st == RC_OK && rc_dict_size(d) == n + !had, "dict set");
    FUZZ_CHECK(rc_dict_contains(d, k) == 1, "set then contains");
    rc_object *got = rc_dict_get(d, k);
    FUZZ_CHECK(got == v, "set then get");
    rc_decref(got);
}

static void op_dict_get_del(input *in, bool del) {
    rc_object *d = obj(in), *k = obj(in);
    int dest = byte(in) % POOL;
    if (!small(k))
        return;
    bool is_dict = rc_dict_check(d), can_hash = hashable(k);
    if (!is_dict || !can_hash) {
        if (del)
            FAIL_WITH(rc_dict_delete(d, k), RC_ETYPE, RC_ERECURSION, "dict del");
        FUZZ_CHECK(rc_dict_get(d, k) == NULL, "get");
        FAIL_WITH(rc_error_code(), RC_ETYPE, RC_ERECURSION, "dict get");
    }
    int64_t n = rc_dict_size(d);
    int had = rc_dict_contains(d, k);
    FUZZ_CHECK(had == 0 || had == 1, "contains");
    if (del) {
        rc_status st = rc_dict_delete(d, k);
        if (!had)
            FAIL_WITH(st, RC_EKEY, RC_EKEY, "del absent");
        FUZZ_CHECK(st == RC_OK && rc_dict_size(d) == n - 1 && rc_dict_contains(d, k) == 0,
                   "del");
        return;
    }
    rc_object *got = rc_dict_get(d, k);
    if (!had) {
        FUZZ_CHECK(got == NULL, "get absent");
        FAIL_WITH(rc_error_code(), RC_EKEY, RC_EKEY, "get absent");
    }
    FUZZ_CHECK(got != NULL, "get present");
    put(dest, got);
}

/* keys, values and items: snapshots as long as the dict. */
static void op_dict_views(input *in) {
    rc_object *d = obj(in);
    rc_object *(*const view[])(rc_object *) = {rc_dict_keys, rc_dict_values, rc_dict_items};
    rc_object *l = view[byte(in) % 3](d);
    if (!rc_dict_check(d)) {
        FUZZ_CHECK(l == NULL, "view of a non-dict");
        FAIL_WITH(rc_error_code(), RC_ETYPE, RC_ETYPE, "view");
    }
    FUZZ_CHECK(l && rc_list_size(l) == rc_dict_size(d), "view size");
    put(byte(in) % POOL, l);
}

static void op_extend(input *in) {
    rc_object *l = obj(in), *src = obj(in);
    bool is_list = rc_list_check(l);
    int64_t n = is_list ? rc_list_size(l) : 0;
    int64_t m = rc_list_check(src) ? rc_list_size(src) : rc_tuple_check(src) ? rc_tuple_size(src)
                : rc_dict_check(src) ? rc_dict_size(src) : -1;
    if (n + m > MAX_ITEMS) /* extending a list by itself doubles it */
        return;
    rc_status st = rc_list_extend(l, src);
    if (!is_list || m < 0) {
        FUZZ_CHECK(!is_list || rc_list_size(l) == n, "failed extend changed the list");
        FAIL_WITH(st, RC_ETYPE, RC_ETYPE, "extend");
    }
    FUZZ_CHECK(st == RC_OK && rc_list_size(l) == n + m, "extend by %" PRId64, m);
}

static void op_repr(input *in) {
    rc_object *o = obj(in);
    if (!small(o))
        return;
    rc_object *r = rc_object_repr(o);
    if (!r) /* only a structure nested past the recursion limit may fail */
        FAIL_WITH(rc_error_code(), RC_ERECURSION, RC_ERECURSION, "repr");
    FUZZ_CHECK(rc_str_check(r) && rc_str_byte_length(r) > 0, "repr is a non-empty str");
    int64_t v;
    if (rc_int_check(o) && rc_int_fits_i64(o) && rc_int_as_i64(o, &v) == RC_OK) {
        char buf[32];
        snprintf(buf, sizeof buf, "%" PRId64, v);
        FUZZ_CHECK(strcmp(rc_str_data(r), buf) == 0, "repr of %s", buf);
    }
    rc_decref(r);
}

/* Equality: reflexive (identical objects are always equal), symmetric, and
 * equal hashable objects hash equal. */
static void op_hash_eq(input *in) {
    rc_object *a = obj(in), *b = obj(in);
    if (!small(a) || !small(b))
        return;
    FUZZ_CHECK(rc_object_equal(a, a) == 1, "not equal to itself");
    int ab = rc_object_equal(a, b), ba = rc_object_equal(b, a);
    if (ab < 0 || ba < 0) {
        FUZZ_CHECK(ab == RC_ERECURSION || ba == RC_ERECURSION, "equal failed: %d %d", ab, ba);
        rc_error_clear();
        return;
    }
    FUZZ_CHECK(ab == ba && (ab == 0 || ab == 1), "equal not symmetric: %d %d", ab, ba);
    uint64_t ha, ha2, hb;
    if (!hashable(a))
        return;
    FUZZ_CHECK(rc_object_hash(a, &ha2) == RC_OK && rc_object_hash(a, &ha) == RC_OK && ha == ha2,
               "hash not stable");
    if (ab == 1 && hashable(b)) {
        FUZZ_CHECK(rc_object_hash(b, &hb) == RC_OK && ha == hb, "equal but hashes differ");
    }
}

static void op_iterate(input *in) {
    rc_object *c = obj(in);
    int64_t n = rc_list_check(c) ? rc_list_size(c) : rc_tuple_check(c) ? rc_tuple_size(c)
                : rc_dict_check(c) ? rc_dict_size(c) : -1;
    rc_iter it;
    rc_status st = rc_iter_begin(&it, c);
    if (n < 0)
        FAIL_WITH(st, RC_ETYPE, RC_ETYPE, "iter");
    FUZZ_CHECK(st == RC_OK, "iter begin");
    int64_t count = 0;
    rc_object *item;
    int r;
    while ((r = rc_iter_next(&it, &item)) == 1) {
        FUZZ_CHECK(item != NULL, "iter item");
        rc_decref(item);
        count++;
    }
    FUZZ_CHECK(r == 0 && count == n, "iterated %" PRId64 " of %" PRId64, count, n);
    rc_iter_end(&it);
}

/* The generic calls (objects/protocol.h) agree with the containers' own
 * functions: len with their sizes, o[k] with their reads (the same
 * object), del o[k] with their removals; any other object (a str, a
 * number, the client node type, which has no protocol slots) fails with
 * RC_ETYPE. */
static void op_protocol(input *in) {
    rc_object *c = obj(in), *k = obj(in);
    bool del = byte(in) & 1;
    if (!small(k))
        return;
    bool is_list = rc_list_check(c), indexed = is_list || rc_tuple_check(c);
    int64_t n = is_list ? rc_list_size(c) : rc_tuple_check(c) ? rc_tuple_size(c)
                : rc_dict_check(c) ? rc_dict_size(c) : rc_str_check(c) ? rc_str_length(c) : -1;
    int64_t len = -1, i = 0;
    rc_status st = rc_object_length(c, &len);
    FUZZ_CHECK(n < 0 ? st == RC_ETYPE && len == -1 : st == RC_OK && len == n,
               "length %" PRId64 " of %" PRId64, len, n);
    rc_error_clear();
    if (!indexed && !rc_dict_check(c)) {
        st = del ? rc_object_delitem(c, k) : rc_object_getitem(c, k) ? RC_OK : rc_error_code();
        FAIL_WITH(st, RC_ETYPE, RC_ETYPE, "getitem/delitem of a non-container");
    }
    if (!indexed) { /* a dict */
        if (!hashable(k)) {
            st = del ? rc_object_delitem(c, k) : rc_object_getitem(c, k) ? RC_OK : rc_error_code();
            FAIL_WITH(st, RC_ETYPE, RC_ERECURSION, "dict getitem/delitem");
        }
        int had = rc_dict_contains(c, k);
        FUZZ_CHECK(had == 0 || had == 1, "contains");
        if (del) {
            st = rc_object_delitem(c, k);
            if (!had)
                FAIL_WITH(st, RC_EKEY, RC_EKEY, "delitem absent");
            FUZZ_CHECK(st == RC_OK && rc_dict_size(c) == n - 1, "dict delitem");
            return;
        }
        rc_object *got = rc_object_getitem(c, k);
        if (!had) {
            FUZZ_CHECK(got == NULL, "getitem absent");
            FAIL_WITH(rc_error_code(), RC_EKEY, RC_EKEY, "getitem absent");
        }
        rc_object *own = rc_dict_get(c, k);
        FUZZ_CHECK(got && got == own, "dict getitem");
        rc_decref(got);
        rc_decref(own);
        return;
    }
    if (!rc_int_check(k) || !rc_int_fits_i64(k)) { /* a big int does not fit an index */
        st = del ? rc_object_delitem(c, k) : rc_object_getitem(c, k) ? RC_OK : rc_error_code();
        FAIL_WITH(st, RC_ETYPE, RC_EOVERFLOW, "index of another type");
    }
    FUZZ_CHECK(rc_int_as_i64(k, &i) == RC_OK, "index");
    if (del) {
        st = rc_object_delitem(c, k);
        if (!is_list)
            FAIL_WITH(st, RC_ETYPE, RC_ETYPE, "tuple delitem");
        if (!in_range(i, n))
            FAIL_WITH(st, RC_EINDEX, RC_EINDEX, "list delitem out of range");
        FUZZ_CHECK(st == RC_OK && rc_list_size(c) == n - 1, "list delitem");
        return;
    }
    rc_object *got = rc_object_getitem(c, k);
    if (!in_range(i, n)) {
        FUZZ_CHECK(got == NULL, "getitem out of range");
        FAIL_WITH(rc_error_code(), RC_EINDEX, RC_EINDEX, "getitem out of range");
    }
    rc_object *own = is_list ? rc_list_get(c, i) : rc_tuple_get(c, i);
    FUZZ_CHECK(got && got == own, "getitem %" PRId64, i);
    rc_decref(got);
    if (is_list)
        rc_decref(own);
}

/* Python's // and %, on int64 (INT64_MIN // -1 overflows). */
static void op_int_arith(input *in) {
    rc_object *a = obj(in), *b = obj(in);
    int which = byte(in) % 5;
    rc_object *(*const fn[])(rc_object *, rc_object *) = {rc_int_add, rc_int_sub, rc_int_mul,
                                                          rc_int_div, rc_int_mod};
    rc_object *r = fn[which](a, b);
    int64_t x, y, got;
    if (!rc_int_check(a) || !rc_int_check(b)) {
        FUZZ_CHECK(r == NULL, "int op on a non-int");
        FAIL_WITH(rc_error_code(), RC_ETYPE, RC_ETYPE, "int op");
    }
    if (!rc_int_fits_i64(a) || !rc_int_fits_i64(b)) {
        /* A big operand (an earlier result past 64 bits): GMP computes it
         * (tests/bigint_test checks values); here it must give an int or an
         * error its contract names. */
        if (!r)
            FAIL_WITH(rc_error_code(), RC_EZERODIV, RC_ELIMIT, "big int op");
        FUZZ_CHECK(rc_int_check(r), "big int op gave a %s", rc_object_type_name(r));
        put(byte(in) % POOL, r);
        return;
    }
    FUZZ_CHECK(rc_int_as_i64(a, &x) == RC_OK && rc_int_as_i64(b, &y) == RC_OK, "int values");
    /* The exact result in 128 bits: past 64 bits it must come back a big int. */
    __int128 exact;
    switch (which) {
    case 0: exact = (__int128)x + y; break;
    case 1: exact = (__int128)x - y; break;
    case 2: exact = (__int128)x * y; break;
    default:
        if (y == 0) {
            FUZZ_CHECK(r == NULL, "division by zero");
            FAIL_WITH(rc_error_code(), RC_EZERODIV, RC_EZERODIV, "zero div");
        }
        if (x == INT64_MIN && y == -1) { /* C's x / y is undefined here */
            exact = which == 3 ? -(__int128)x : 0; /* 2^63, and the remainder 0 */
            break;
        }
        int64_t q = x / y, m = x % y; /* C truncates; Python floors */
        if (m != 0 && (m < 0) != (y < 0)) {
            q -= 1;
            m += y;
        }
        exact = which == 3 ? q : m;
    }
    FUZZ_CHECK(r != NULL, "int op %d failed: %s", which, rc_error_message());
    if (exact >= INT64_MIN && exact <= INT64_MAX) {
        FUZZ_CHECK(rc_int_as_i64(r, &got) == RC_OK && got == (int64_t)exact,
                   "int op %d: %" PRId64 ", %" PRId64, which, x, y);
    } else {
        /* its decimal text against the 128-bit value's */
        char want_text[48], *w = want_text + sizeof want_text;
        unsigned __int128 u = exact < 0 ? -(unsigned __int128)exact : (unsigned __int128)exact;
        *--w = '\0';
        do
            *--w = (char)('0' + (int)(u % 10));
        while ((u /= 10) != 0);
        if (exact < 0)
            *--w = '-';
        rc_object *text = rc_object_repr(r);
        FUZZ_CHECK(!rc_int_fits_i64(r) && text && strcmp(rc_str_data(text), w) == 0,
                   "int op %d past 64 bits: %" PRId64 ", %" PRId64, which, x, y);
        rc_decref(text);
    }
    put(byte(in) % POOL, r);
}

static void op_str_concat(input *in) {
    rc_object *a = obj(in), *b = obj(in);
    if (rc_str_check(a) && rc_str_check(b) &&
        rc_str_byte_length(a) + rc_str_byte_length(b) > MAX_ITEMS) /* s + s doubles */
        return;
    rc_object *r = rc_str_concat(a, b);
    if (!rc_str_check(a) || !rc_str_check(b)) {
        FUZZ_CHECK(r == NULL, "concat of a non-str");
        FAIL_WITH(rc_error_code(), RC_ETYPE, RC_ETYPE, "concat");
    }
    FUZZ_CHECK(r && rc_str_byte_length(r) == rc_str_byte_length(a) + rc_str_byte_length(b) &&
                   rc_str_length(r) == rc_str_length(a) + rc_str_length(b),
               "concat length");
    put(byte(in) % POOL, r);
}

static void op_node_link(input *in) {
    rc_object *n = obj(in), *to = obj(in);
    if (rc_object_type(n) != &node_type)
        return;
    rc_object *old = ((node *)n)->ref;
    ((node *)n)->ref = to == rc_none() ? NULL : rc_newref(to);
    rc_xdecref(old);
}

static void op_weakref(input *in) {
    rc_object *o = obj(in);
    int i = byte(in) % WEAK;
    if (weak[i]) { /* drop the old one first: its callback must then never run */
        rc_clear_ref(&weak[i]);
        target[i] = NULL;
    }
    rc_object *arg = rc_int_from_i64(i);
    FUZZ_CHECK(arg != NULL, "int");
    rc_object *wr = rc_weakref_new(o, weak_callback, arg);
    rc_decref(arg);
    if (rc_object_type(o) != &node_type) {
        FUZZ_CHECK(wr == NULL, "weak reference to a %s", rc_object_type_name(o));
        FAIL_WITH(rc_error_code(), RC_ETYPE, RC_ETYPE, "weakref");
    }
    FUZZ_CHECK(wr != NULL && rc_weakref_check(wr), "weakref");
    weak[i] = wr;
    target[i] = o;
}

static void op_gc(input *in) {
    int64_t n = rc_gc_collect_generation(byte(in) % 3);
    FUZZ_CHECK(n >= 0, "collect");
}

/* ---- the driver ---------------------------------------------------------------------- */

static void run(input *in) {
    while (more(in)) {
        uint8_t op = byte(in);
        switch (op % 27) {
        case 0: op_new_int(in); break;
        case 1: op_new_float(in); break;
        case 2: op_new_str(in); break;
        case 3: op_new_tuple(in); break;
        case 4: op_new_container(in, 0); break;
        case 5: op_new_container(in, 1); break;
        case 6: op_new_container(in, 2); break;
        case 7: op_list_append(in); break;
        case 8: op_list_insert(in); break;
        case 9: op_list_set(in); break;
        case 10: op_list_get_pop(in, false); break;
        case 11: op_list_get_pop(in, true); break;
        case 12: op_dict_set(in); break;
        case 13: op_dict_get_del(in, false); break;
        case 14: op_dict_get_del(in, true); break;
        case 15: op_dict_views(in); break;
        case 16: op_extend(in); break;
        case 17: op_repr(in); break;
        case 18: op_hash_eq(in); break;
        case 19: op_iterate(in); break;
        case 20: op_int_arith(in); break;
        case 21: op_str_concat(in); break;
        case 22: op_node_link(in); break;
        case 23: op_weakref(in); break;
        case 24: op_gc(in); break;
        case 25: op_protocol(in); break;
        default: { /* incref into another slot, or decref a slot */
            uint8_t a = byte(in) % POOL, b = byte(in);
            if (b & 0x80)
                put(a, NULL);
            else
                put(b % POOL, pool[a] ? rc_newref(pool[a]) : NULL);
        }
        }
        FUZZ_CHECK(rc_error_code() == RC_OK, "op %d left an error set", op % 27);
        check_weak();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_runtime_start();
    nodes_made = nodes_finalized = callbacks = 0;
    input in = {data, data + size};
    run(&in);

    for (int i = 0; i < POOL; i++)
        put(i, NULL);
    FUZZ_CHECK(rc_gc_collect() >= 0, "final collection");
    check_weak();
    int64_t died = 0;
    for (int i = 0; i < WEAK; i++) {
        FUZZ_CHECK(!weak[i] || target[i] == NULL, "weak %d outlived its referent", i);
        died += weak[i] != NULL;
        rc_clear_ref(&weak[i]);
    }
    FUZZ_CHECK(nodes_finalized == nodes_made, "%" PRId64 " nodes, %" PRId64 " finalized",
               nodes_made, nodes_finalized);
    FUZZ_CHECK(callbacks >= died, "callbacks %" PRId64 " < %" PRId64, callbacks, died);
    fuzz_runtime_stop();
    return 0;
}
