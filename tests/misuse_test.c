/*
 * tests/misuse_test.c -- misuse that is cheap to detect (issue 11, item 5):
 * calls from the release region or from an unattached thread refused with
 * RC_ESTATE, nested critical sections on one thread, a repr slot that
 * returns something other than a str, bad switch intervals, size functions
 * whose error is a status, and dict misses that report "absent" cheaply.
 *
 * Single-threaded except where a helper thread must be unattached; the
 * two-thread critical-section case is in misuse_threads_test.c.
 */
#include "tests/support.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

/* The error message of the last failure contains needle. */
static void assert_message_has(const char *needle) {
    const char *m = rc_error_message();
    if (!strstr(m, needle))
        fail_msg("expected '%s' in the error message '%s'", needle, m);
}

/* ---- (b) the release region and unattached threads ---------------------- */

/* Every call below touches objects; each must refuse with RC_ESTATE and
 * change nothing. Returns NULL if all did, or the text of the first call
 * that did not (the caller asserts: this may run on a thread that cmocka's
 * assertions must not fail on). */
static const char *first_call_not_refused(rc_object *l, rc_object *d, rc_object *t,
                                          rc_object *s, rc_object *item) {
    rc_object *out = NULL;
    rc_iter it;
#define REFUSED(call)                                                                    \
    do {                                                                                 \
        rc_error_clear();                                                                \
        int64_t got_ = (int64_t)(call);                                                  \
        if (got_ != RC_ESTATE || rc_error_code() != RC_ESTATE)                           \
            return #call;                                                                \
    } while (0)
#define REFUSED_NULL(call)                                                               \
    do {                                                                                 \
        rc_error_clear();                                                                \
        if ((call) != NULL || rc_error_code() != RC_ESTATE)                              \
            return #call;                                                                \
    } while (0)
    REFUSED_NULL(rc_list_new());
    REFUSED_NULL(rc_dict_new());
    REFUSED_NULL(rc_tuple_new(2));
    REFUSED_NULL(rc_tuple_from_array_steal(1, &item)); /* refused: item stays the caller's */
    REFUSED_NULL(rc_bytes_from(NULL, 5));
    REFUSED_NULL(rc_dict_get_default(d, item, NULL));
    REFUSED_NULL(rc_str_from_cstr("new"));
    REFUSED_NULL(rc_int_from_i64(123456789));
    REFUSED(rc_list_append(l, item));
    REFUSED(rc_list_append_steal(l, item)); /* refused: item stays the caller's */
    REFUSED(rc_list_insert(l, 0, item));
    REFUSED(rc_list_set(l, 0, item));
    REFUSED(rc_list_extend(l, l));
    REFUSED(rc_list_size(l));
    REFUSED_NULL(rc_list_get(l, 0));
    REFUSED_NULL(rc_list_pop(l, 0));
    REFUSED_NULL(rc_list_slice(l, 0, 1));
    REFUSED(rc_dict_set(d, item, item));
    REFUSED_NULL(rc_dict_get(d, item));
    REFUSED(rc_dict_get_ref(d, item, &out));
    REFUSED(rc_dict_contains(d, item));
    REFUSED(rc_dict_delete(d, item));
    REFUSED(rc_dict_size(d));
    REFUSED_NULL(rc_dict_keys(d));
    REFUSED(rc_tuple_size(t));
    REFUSED_NULL(rc_tuple_get(t, 0));
    REFUSED(rc_str_length(s));
    REFUSED(rc_str_byte_length(s));
    REFUSED_NULL(rc_str_data(s));
    REFUSED_NULL(rc_str_intern(s));
    REFUSED(rc_iter_begin(&it, l));
    REFUSED_NULL(rc_object_repr(item));
    REFUSED(rc_object_equal(item, s));
    uint64_t h;
    REFUSED(rc_object_hash(item, &h));
#undef REFUSED
#undef REFUSED_NULL
    return NULL;
}

typedef struct fixture {
    rc_object *l, *d, *t, *s, *item;
} fixture;

static void fixture_make(fixture *f) {
    f->item = rct_big_int(1);
    f->l = rc_list_new();
    f->d = rc_dict_new();
    f->s = rc_str_from_cstr("a str");
    f->t = rc_tuple_pack(1, f->item);
    assert_non_null(f->l);
    assert_non_null(f->d);
    assert_non_null(f->s);
    assert_non_null(f->t);
    assert_status(rc_list_append(f->l, f->item), RC_OK);
    assert_status(rc_dict_set(f->d, f->item, f->s), RC_OK);
}

/* Nothing changed: same sizes and the item's count is as fixture_make left it. */
static void fixture_check_and_free(fixture *f, int64_t item_count) {
    assert_int_equal(rc_refcount(f->item), item_count);
    assert_int_equal(rc_list_size(f->l), 1);
    assert_int_equal(rc_dict_size(f->d), 1);
    rc_decref(f->l);
    rc_decref(f->d);
    rc_decref(f->t);
    rc_decref(f->s);
    rc_decref(f->item);
}

static void test_release_region_refused(void **state) {
    (void)state;
    fixture f;
    fixture_make(&f);
    int64_t count = rc_refcount(f.item);
    int64_t live = rc_live_objects();
    const char *not_refused;
    char message[256];
    RC_BEGIN_ALLOW_THREADS
    not_refused = first_call_not_refused(f.l, f.d, f.t, f.s, f.item);
    rc_list_new();
    snprintf(message, sizeof message, "%s", rc_error_message());
    RC_END_ALLOW_THREADS
    if (not_refused)
        fail_msg("not refused in the release region: %s", not_refused);
    assert_non_null(strstr(message, "release region"));
    assert_int_equal(rc_live_objects(), live); /* nothing was created */
    /* And the thread may touch objects again. */
    rc_object *l = rc_list_new();
    assert_non_null(l);
    rc_decref(l);
    fixture_check_and_free(&f, count);
}

typedef struct unattached_arg {
    fixture *f;
    const char *not_refused;
    char message[256];
} unattached_arg;

static void *unattached_calls(void *p) {
    unattached_arg *a = p;
    a->not_refused = first_call_not_refused(a->f->l, a->f->d, a->f->t, a->f->s, a->f->item);
    rc_list_append(a->f->l, a->f->item);
    snprintf(a->message, sizeof a->message, "%s", rc_error_message());
    return NULL;
}

static void test_unattached_thread_refused(void **state) {
    (void)state;
    fixture f;
    fixture_make(&f);
    int64_t count = rc_refcount(f.item);
    unattached_arg a = {.f = &f};
    pthread_t th;
    /* The helper never attaches, so it needs nothing from this thread: it
     * is refused before it touches anything. This thread waits in the
     * release region all the same, as a host thread would. */
    RC_BEGIN_ALLOW_THREADS
    assert_int_equal(pthread_create(&th, NULL, unattached_calls, &a), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    RC_END_ALLOW_THREADS
    if (a.not_refused)
        fail_msg("not refused on an unattached thread: %s", a.not_refused);
    assert_non_null(strstr(a.message, "rc_list_append"));
    assert_non_null(strstr(a.message, "not attached"));
    fixture_check_and_free(&f, count);
}

/* ---- (c) nested critical sections on one thread -------------------------- */

static void test_nested_section_same_object(void **state) {
    (void)state;
    rc_object *l = rc_list_new();
    rc_object *x = rct_big_int(2);
    RC_CRITICAL_BEGIN(l)
        RC_CRITICAL_BEGIN(l) /* nests: deadlocked under finegrained and nogil */
            assert_status(rc_list_append(l, x), RC_OK); /* locks l a third time */
        RC_CRITICAL_END(l)
        assert_status(rc_list_append(l, x), RC_OK); /* still held: nests again */
        assert_int_equal(rc_list_size(l), 2);
    RC_CRITICAL_END(l)
    /* Released by the outermost end: taking it again must not wait. */
    RC_CRITICAL_BEGIN(l)
    RC_CRITICAL_END(l)
    assert_status(rc_list_append(l, x), RC_OK);
    assert_int_equal(rc_list_size(l), 3);
    rc_decref(l);
    rc_decref(x);
}

static void test_nested_two_object_sections(void **state) {
    (void)state;
    rc_object *a = rc_list_new(), *b = rc_list_new();
    rc_object *x = rct_big_int(3);
    assert_status(rc_list_append(b, x), RC_OK);
    /* a held, then both, in either argument order (one of the two puts the
     * held object at the higher address) */
    RC_CRITICAL_BEGIN(a)
        RC_CRITICAL_BEGIN2(a, b)
        RC_CRITICAL_END2(a, b)
        RC_CRITICAL_BEGIN2(b, a)
        RC_CRITICAL_END2(b, a)
        assert_status(rc_list_extend(a, b), RC_OK); /* lock2 inside a's section */
    RC_CRITICAL_END(a)
    RC_CRITICAL_BEGIN(b)
        assert_status(rc_list_extend(a, b), RC_OK); /* b held: the other order */
        assert_status(rc_list_extend(b, b), RC_OK); /* the same object twice */
    RC_CRITICAL_END(b)
    RC_CRITICAL_BEGIN2(a, b) /* both free again */
    RC_CRITICAL_END2(a, b)
    assert_int_equal(rc_list_size(a), 2);
    assert_int_equal(rc_list_size(b), 2);
    rc_decref(a);
    rc_decref(b);
    rc_decref(x);
}

/* ---- (f) a repr slot that returns something other than a str ------------ */

static rc_object *int_repr(rc_object *self) {
    (void)self;
    return rc_int_from_i64(4242424242); /* a new, really allocated int */
}
static rc_type badrepr_type = {.name = "badrepr", .basicsize = sizeof(rc_object),
                               .repr = int_repr};

static void test_repr_must_return_str(void **state) {
    (void)state;
    rc_object *o = rc_object_new(&badrepr_type);
    assert_non_null(o);
    int64_t live = rc_live_objects();
    assert_null_error(rc_object_repr(o), RC_ETYPE);
    assert_message_has("badrepr");
    assert_message_has("int");
    assert_int_equal(rc_live_objects(), live); /* the int was dropped */
    rc_object *l = rc_list_new(); /* and as before inside a container */
    assert_status(rc_list_append(l, o), RC_OK);
    assert_null_error(rc_object_repr(l), RC_ETYPE);
    assert_message_has("badrepr");
    rc_decref(l);
    rc_decref(o);
}

/* ---- (g) the switch interval -------------------------------------------- */

static void test_switch_interval_rejects_bad_values(void **state) {
    (void)state;
    assert_status(rc_set_switch_interval(0.002), RC_OK);
    double before = rc_switch_interval();
    const double bad[] = {-1.0, 0.0, -0.0, NAN, INFINITY, -INFINITY, 1e300,
                          RC_SWITCH_INTERVAL_MAX * 2};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_status(rc_set_switch_interval(bad[i]), RC_EVALUE);
        assert_message_has("rc_set_switch_interval");
        assert_true(rc_switch_interval() == before); /* unchanged */
    }
    assert_status(rc_set_switch_interval(RC_SWITCH_INTERVAL_MAX), RC_OK);
    assert_true(rc_switch_interval() == RC_SWITCH_INTERVAL_MAX);
    assert_status(rc_set_switch_interval(0.005), RC_OK);
}

/* ---- (h) size functions: a negative rc_status, never -1 ----------------- */

static void test_size_errors_are_statuses(void **state) {
    (void)state;
    rc_object *i = rct_big_int(4);
    assert_status(rc_list_size(i), RC_ETYPE);
    assert_status(rc_dict_size(i), RC_ETYPE);
    assert_status(rc_tuple_size(i), RC_ETYPE);
    assert_status(rc_str_length(i), RC_ETYPE);
    assert_status(rc_str_byte_length(i), RC_ETYPE);
    assert_status(rc_list_size(NULL), RC_EVALUE);
    assert_status(rc_dict_size(NULL), RC_EVALUE);
    assert_status(rc_tuple_size(NULL), RC_EVALUE);
    assert_status(rc_str_length(NULL), RC_EVALUE);
    assert_status(rc_str_byte_length(NULL), RC_EVALUE);
    rc_decref(i);
}

/* ---- (i) dict misses ------------------------------------------------------ */

static void test_dict_get_ref(void **state) {
    (void)state;
    rc_object *d = rc_dict_new();
    rc_object *k = rct_big_int(5), *v = rc_str_from_cstr("v"), *absent = rct_big_int(6);
    assert_status(rc_dict_set(d, k, v), RC_OK);
    rc_object *out = NULL;
    assert_int_equal(rc_dict_get_ref(d, k, &out), 1);
    assert_ptr_equal(out, v);
    rc_decref(out); /* a new reference */
    /* Absent: 0, *out NULL, and the error slot left as it was. */
    rc_error_set(RC_EINDEX, "sentinel");
    out = v;
    assert_int_equal(rc_dict_get_ref(d, absent, &out), 0);
    assert_null(out);
    assert_int_equal(rc_error_code(), RC_EINDEX);
    assert_string_equal(rc_error_message(), "sentinel");
    /* Errors. */
    rc_object *l = rc_list_new();
    assert_status(rc_dict_get_ref(d, l, &out), RC_ETYPE); /* unhashable */
    assert_null(out);
    assert_status(rc_dict_get_ref(l, k, &out), RC_ETYPE); /* not a dict */
    assert_status(rc_dict_get_ref(d, NULL, &out), RC_EVALUE);
    assert_status(rc_dict_get_ref(d, k, NULL), RC_EVALUE);
    rc_decref(l);
    rc_decref(d);
    rc_decref(k);
    rc_decref(v);
    rc_decref(absent);
}

static void test_dict_get_miss_message(void **state) {
    (void)state;
    rc_object *d = rc_dict_new();
    /* The message is written when read, from parts copied at the miss: the
     * key may be gone by then. */
    rc_object *k = rc_int_from_i64(-987654321);
    assert_null_error(rc_dict_get(d, k), RC_EKEY);
    rc_decref(k);
    assert_string_equal(rc_error_message(), "rc_dict_get: key not found: -987654321");
    /* A long str key: cut at a character boundary, with "...". 59 ASCII
     * bytes and then a 2-byte character straddle the 60-byte cut. */
    char text[80];
    memset(text, 'a', 59);
    strcpy(text + 59, "\xc3\xa9zzzz");
    k = rc_str_from_cstr(text);
    assert_null_error(rc_dict_get(d, k), RC_EKEY);
    rc_decref(k);
    char expected[120];
    snprintf(expected, sizeof expected, "rc_dict_get: key not found: '%.59s'...", text);
    assert_string_equal(rc_error_message(), expected);
    /* A short str, and a key of another type. */
    k = rc_str_from_cstr("short");
    assert_status(rc_dict_delete(d, k), RC_EKEY);
    assert_string_equal(rc_error_message(), "rc_dict_delete: key not found: 'short'");
    rc_decref(k);
    k = rc_tuple_pack(0);
    assert_null_error(rc_dict_get(d, k), RC_EKEY);
    assert_string_equal(rc_error_message(), "rc_dict_get: key not found (a tuple key)");
    /* A later error replaces a pending one. */
    assert_null_error(rc_dict_get(d, k), RC_EKEY);
    rc_error_set(RC_EINDEX, "later");
    assert_string_equal(rc_error_message(), "later");
    assert_null_error(rc_dict_get(d, k), RC_EKEY);
    rc_error_clear();
    assert_string_equal(rc_error_message(), "");
    rc_decref(k);
    rc_decref(d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_release_region_refused),
        cmocka_unit_test(test_unattached_thread_refused),
        cmocka_unit_test(test_nested_section_same_object),
        cmocka_unit_test(test_nested_two_object_sections),
        cmocka_unit_test(test_repr_must_return_str),
        cmocka_unit_test(test_switch_interval_rejects_bad_values),
        cmocka_unit_test(test_size_errors_are_statuses),
        cmocka_unit_test(test_dict_get_ref),
        cmocka_unit_test(test_dict_get_miss_message),
    };
    return RCT_RUN_GROUP(tests);
}
