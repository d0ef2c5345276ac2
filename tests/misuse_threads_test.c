/*
 * tests/misuse_threads_test.c -- nested critical sections with a second
 * thread (issue 11, item 5): a two-object section begun by a thread that
 * already holds the higher-addressed object, while another thread holds
 * the lower one and then wants the higher (the order every two-object
 * section keeps). Before nesting was recorded this deadlocked under
 * //:finegrained and //:nogil; it passed under //:gil, whose object locks
 * are empty. Now it completes under every strategy, whatever the
 * interleaving: the nested begin lets the held object go while it waits.
 *
 * The threads meet at barriers (inside release regions, so that under
 * //:gil the waiting thread does not hold the global lock); nothing depends
 * on timing.
 */
#include "tests/support.h"

#include <pthread.h>

typedef struct shared {
    rc_object *lo, *hi; /* lists, lo at the lower address */
    rc_object *item;
    pthread_barrier_t held;   /* both threads hold their first section */
    pthread_barrier_t going;  /* the holder of hi is about to begin both */
    rc_status st_hi_holder, st_lo_holder;
} shared;

static void barrier_wait(pthread_barrier_t *b) {
    RC_BEGIN_ALLOW_THREADS
    pthread_barrier_wait(b);
    RC_END_ALLOW_THREADS
}

/* Holds hi, then begins (lo, hi): must wait for lo, which the other thread
 * holds, without holding up that thread's wait for hi. */
static void *hi_holder(void *p) {
    shared *s = p;
    if (rc_thread_attach() != RC_OK)
        return NULL;
    rc_status st = RC_OK;
    RC_CRITICAL_BEGIN(s->hi)
        barrier_wait(&s->held);
        barrier_wait(&s->going);
        RC_CRITICAL_BEGIN2(s->lo, s->hi)
            if (st == RC_OK)
                st = rc_list_append(s->lo, s->item); /* nests on lo */
        RC_CRITICAL_END2(s->lo, s->hi)
        if (st == RC_OK)
            st = rc_list_append(s->hi, s->item); /* hi is still this thread's */
    RC_CRITICAL_END(s->hi)
    s->st_hi_holder = st;
    rc_thread_detach();
    return NULL;
}

/* Holds lo, then takes hi: in address order, as every thread may. */
static void *lo_holder(void *p) {
    shared *s = p;
    if (rc_thread_attach() != RC_OK)
        return NULL;
    rc_status st = RC_OK;
    RC_CRITICAL_BEGIN(s->lo)
        barrier_wait(&s->held);
        barrier_wait(&s->going);
        RC_CRITICAL_BEGIN(s->hi)
            st = rc_list_append(s->hi, s->item);
        RC_CRITICAL_END(s->hi)
    RC_CRITICAL_END(s->lo)
    s->st_lo_holder = st;
    rc_thread_detach();
    return NULL;
}

static void test_two_object_section_with_higher_held(void **state) {
    (void)state;
    shared s = {.st_hi_holder = RC_ESTATE, .st_lo_holder = RC_ESTATE};
    rc_object *a = rc_list_new(), *b = rc_list_new();
    assert_non_null(a);
    assert_non_null(b);
    s.lo = a < b ? a : b;
    s.hi = a < b ? b : a;
    s.item = rct_big_int(7);
    pthread_barrier_init(&s.held, NULL, 2);
    pthread_barrier_init(&s.going, NULL, 2);
    pthread_t t1, t2;
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&t1, NULL, hi_holder, &s);
    pthread_create(&t2, NULL, lo_holder, &s);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(s.st_hi_holder, RC_OK);
    assert_int_equal(s.st_lo_holder, RC_OK);
    assert_int_equal(rc_list_size(s.lo), 1);
    assert_int_equal(rc_list_size(s.hi), 2);
    /* Both locks are free again: this thread takes them without waiting. */
    RC_CRITICAL_BEGIN2(s.lo, s.hi)
    RC_CRITICAL_END2(s.lo, s.hi)
    pthread_barrier_destroy(&s.held);
    pthread_barrier_destroy(&s.going);
    rc_decref(a);
    rc_decref(b);
    rc_decref(s.item);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_object_section_with_higher_held),
    };
    return RCT_RUN_GROUP(tests);
}
