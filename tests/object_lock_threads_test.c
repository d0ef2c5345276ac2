/*
 * tests/object_lock_threads_test.c -- object locks between an object's
 * owner and other threads, under every thread-safe strategy.
 *
 * Under //:nogil an object's lock starts biased to the thread that made it
 * (locking/lock/object_locks.h): the owner takes it without writing the
 * lock byte, and the first other thread to lock it waits for the owner's
 * next checkpoint or blocking point, then uses the byte as a mutex. These
 * tests hold that to what a critical section promises under every
 * strategy: sections on one object never overlap, and each sees what the
 * ones before it wrote, whoever owns the object, while the owner holds a
 * section across a blocking point, and after the owner has exited.
 *
 * Threads meet through flags they wait for in release regions (so that
 * under //:gil the waiting thread does not hold the global lock); no
 * assertion depends on timing.
 */
#include "tests/support.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>


/* ---- mutual exclusion, owner against another thread ------------------------------ */

#define ROUNDS 2000

typedef struct counting {
    rc_object *list;   /* made by the owner thread; its section guards `count` */
    long count;        /* plain on purpose: only sections may touch it */
    atomic_int made;   /* the owner has made the list */
    rc_status st;
} counting;

/* One round: a read-yield-write of the count inside the list's section
 * (lost updates if two sections overlap; a data race for TSan), then a
 * checkpoint outside it, where the owner passes a bias point. */
static void count_rounds(counting *c) {
    for (int i = 0; i < ROUNDS; i++) {
        RC_CRITICAL_BEGIN(c->list)
            long v = c->count;
            if (i % 64 == 0)
                sched_yield();
            c->count = v + 1;
        RC_CRITICAL_END(c->list)
        rc_checkpoint();
    }
}

static void *counting_owner(void *p) {
    counting *c = p;
    if (rc_thread_attach() != RC_OK)
        return NULL;
    c->list = rc_list_new();
    c->st = c->list ? RC_OK : RC_ENOMEM;
    atomic_store(&c->made, 1);
    if (c->list)
        count_rounds(c);
    rc_thread_detach();
    return NULL;
}

static void test_owner_and_other_thread_exclude_each_other(void **state) {
    (void)state;
    counting c = {.st = RC_ESTATE};
    pthread_t owner;
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&owner, NULL, counting_owner, &c);
    RC_END_ALLOW_THREADS
    rct_wait_flag(&c.made);
    assert_int_equal(c.st, RC_OK);
    count_rounds(&c); /* this thread is not the list's owner */
    RC_BEGIN_ALLOW_THREADS
    pthread_join(owner, NULL);
    RC_END_ALLOW_THREADS
    RC_CRITICAL_BEGIN(c.list)
        assert_int_equal(c.count, 2 * ROUNDS);
    RC_CRITICAL_END(c.list)
    rc_decref(c.list);
}

/* ---- a section the owner holds across a blocking point ---------------------------- */

typedef struct across {
    rc_object *low, *high; /* both made by the owner; low at the lower address */
    rc_object *item;
    atomic_int made;       /* owner: the lists exist */
    atomic_int high_held;  /* holder: it holds high's section */
    atomic_int in_low;     /* owner: it holds low's section, one item in */
    int64_t seen;          /* reader: low's size in its own section */
    rc_status st_owner, st_holder;
} across;

/* Makes both lists, then holds low's section (by the bias, under //:nogil)
 * while it begins (low, high), which waits for high, held by the holder:
 * a blocking point inside the section. The reader must not see low's
 * section half done. Ascending addresses: the nested begin keeps low. */
static void *across_owner(void *p) {
    across *a = p;
    if (rc_thread_attach() != RC_OK)
        return NULL;
    rc_object *x = rc_list_new(), *y = rc_list_new();
    a->st_owner = x && y ? RC_OK : RC_ENOMEM;
    a->low = x < y ? x : y;
    a->high = x < y ? y : x;
    atomic_store(&a->made, 1);
    if (a->st_owner == RC_OK) {
        rct_wait_flag(&a->high_held);
        rc_status st;
        RC_CRITICAL_BEGIN(a->low)
            st = rc_list_append(a->low, a->item);
            atomic_store(&a->in_low, 1);
            RC_CRITICAL_BEGIN2(a->low, a->high)
                if (st == RC_OK)
                    st = rc_list_append(a->low, a->item);
            RC_CRITICAL_END2(a->low, a->high)
        RC_CRITICAL_END(a->low)
        a->st_owner = st;
    }
    rc_thread_detach();
    return NULL;
}

/* Holds high's section until the owner is inside low's. */
static void *across_holder(void *p) {
    across *a = p;
    if (rc_thread_attach() != RC_OK)
        return NULL;
    rct_wait_flag(&a->made);
    RC_CRITICAL_BEGIN(a->high)
        atomic_store(&a->high_held, 1);
        rct_wait_flag(&a->in_low);
        a->st_holder = rc_list_append(a->high, a->item);
    RC_CRITICAL_END(a->high)
    rc_thread_detach();
    return NULL;
}

static void test_section_held_across_a_blocking_point(void **state) {
    (void)state;
    across a = {.seen = -1, .st_owner = RC_ESTATE, .st_holder = RC_ESTATE};
    a.item = rct_big_int(11);
    pthread_t owner, holder;
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&owner, NULL, across_owner, &a);
    pthread_create(&holder, NULL, across_holder, &a);
    RC_END_ALLOW_THREADS
    /* The reader: begins low's section once the owner is inside it. */
    rct_wait_flag(&a.in_low);
    RC_CRITICAL_BEGIN(a.low)
        a.seen = rc_list_size(a.low);
    RC_CRITICAL_END(a.low)
    RC_BEGIN_ALLOW_THREADS
    pthread_join(owner, NULL);
    pthread_join(holder, NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(a.st_owner, RC_OK);
    assert_int_equal(a.st_holder, RC_OK);
    assert_int_equal(a.seen, 2); /* the owner's whole section, never half */
    assert_int_equal(rc_list_size(a.high), 1);
    rc_decref(a.low);
    rc_decref(a.high);
    rc_decref(a.item);
}

/* ---- locks of objects whose owner has exited ----------------------------------------- */

#define EXITED_LISTS 64

typedef struct exited {
    rc_object *lists[EXITED_LISTS];
    struct exited *earlier; /* an exited thread's lists, to lock first (or NULL) */
    int64_t earlier_sizes[EXITED_LISTS];
    rc_status st;
} exited;

/* Makes lists, fills them inside their sections (by the bias, under
 * //:nogil), and exits still owning them; first reads the lists of an
 * earlier such thread, if given, inside their sections. */
static void *exiting_owner(void *p) {
    exited *e = p;
    if (rc_thread_attach() != RC_OK)
        return NULL;
    rc_status st = RC_OK;
    /* Another thread's lists, whose owner has exited: under //:nogil this
     * thread may hold that owner's record now, under a new id. */
    for (int i = 0; e->earlier && i < EXITED_LISTS; i++) {
        RC_CRITICAL_BEGIN(e->earlier->lists[i])
            e->earlier_sizes[i] = rc_list_size(e->earlier->lists[i]);
        RC_CRITICAL_END(e->earlier->lists[i])
    }
    for (int i = 0; i < EXITED_LISTS && st == RC_OK; i++) {
        e->lists[i] = rc_list_new();
        if (!e->lists[i]) {
            st = RC_ENOMEM;
            break;
        }
        RC_CRITICAL_BEGIN(e->lists[i])
            for (int k = 0; k <= i % 4 && st == RC_OK; k++)
                st = rc_list_append(e->lists[i], rc_none());
        RC_CRITICAL_END(e->lists[i])
    }
    e->st = st;
    rc_thread_detach();
    return NULL;
}

static void test_locks_after_the_owner_exited(void **state) {
    (void)state;
    exited e = {.st = RC_ESTATE};
    pthread_t owner;
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&owner, NULL, exiting_owner, &e);
    pthread_join(owner, NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(e.st, RC_OK);
    /* The second thread reuses the exited one's record under //:nogil: it
     * must not be taken for the owner of the first one's objects. */
    exited second = {.earlier = &e, .st = RC_ESTATE};
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&owner, NULL, exiting_owner, &second);
    pthread_join(owner, NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(second.st, RC_OK);
    for (int i = 0; i < EXITED_LISTS; i++) {
        assert_int_equal(second.earlier_sizes[i], i % 4 + 1);
        RC_CRITICAL_BEGIN(e.lists[i])
            assert_int_equal(rc_list_size(e.lists[i]), i % 4 + 1);
            assert_int_equal(rc_list_append(e.lists[i], rc_none()), RC_OK);
        RC_CRITICAL_END(e.lists[i])
        assert_int_equal(rc_list_size(e.lists[i]), i % 4 + 2);
        rc_decref(e.lists[i]);
        rc_decref(second.lists[i]);
    }
}

/* ---- deep nesting by the owner --------------------------------------------------- */

/* One object's section begun 100 times inside itself, more than the 32
 * distinct locks a thread may hold: nesting takes no new record entry,
 * under the bias as with a held mutex. Another thread then takes the lock,
 * which the outermost end released. */
static int nest(rc_object *l, int depth) {
    int n = 0;
    RC_CRITICAL_BEGIN(l)
        n = depth > 1 ? nest(l, depth - 1) + 1 : 1;
    RC_CRITICAL_END(l)
    return n;
}

static void *lock_once(void *p) {
    rc_object *l = p;
    if (rc_thread_attach() != RC_OK)
        return NULL;
    rc_incref(l); /* a non-owner count operation, where counts have owners */
    rc_decref(l);
    RC_CRITICAL_BEGIN(l)
        (void)rc_list_append(l, rc_none());
    RC_CRITICAL_END(l)
    rc_thread_detach();
    return NULL;
}

static void test_owner_nests_one_section_deeply(void **state) {
    (void)state;
    rc_object *l = rc_list_new();
    assert_non_null(l);
    assert_int_equal(nest(l, 100), 100);
    rc_runtime_stats before, after;
    rc_runtime_get_stats(&before);
    pthread_t other;
    RC_BEGIN_ALLOW_THREADS
    pthread_create(&other, NULL, lock_once, l);
    pthread_join(other, NULL);
    RC_END_ALLOW_THREADS
    rc_runtime_get_stats(&after);
    assert_int_equal(rc_list_size(l), 1);
    /* Where counts and locks have owners (//:nogil: its count operation
     * was a shared one), the other thread's lock ended the bias of l's:
     * the stats say so. Elsewhere there is no bias to end. */
    if (after.shared_ops > before.shared_ops)
        assert_true(after.bias_ends - before.bias_ends >= 1);
    else
        assert_int_equal(after.bias_ends, before.bias_ends);
    assert_int_equal(nest(l, 100), 100); /* and again, the bias ended */
    rc_decref(l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_owner_and_other_thread_exclude_each_other),
        cmocka_unit_test(test_section_held_across_a_blocking_point),
        cmocka_unit_test(test_locks_after_the_owner_exited),
        cmocka_unit_test(test_owner_nests_one_section_deeply),
    };
    return RCT_RUN_GROUP(tests);
}
