/*
 * tests/borrow_threads_test.c -- borrowed reads beside writers, under every
 * thread-safe strategy.
 *
 * A lent item must stay valid until its reader's next quiescent point
 * whatever other threads do to the container meanwhile (runtime/borrow.c).
 * What could go wrong, and what each test looks for:
 *   - a writer drops a removed item while a reader still holds it borrowed:
 *     the item is freed under the reader (AddressSanitizer in the asan
 *     pass; elsewhere the reader finds a value that was never at that
 *     place, since freed ints are reused for other values);
 *   - the deferred drop never happens, or happens twice: the live-object
 *     counts at the end, and the leak check at stop;
 *   - a writer that detaches before its drops are safe loses them, or drops
 *     them early (the first test makes exactly that happen).
 * Under //:gil another thread runs only at a quiescent point, so a reader
 * there never holds a borrow while a writer runs; the same checks hold.
 */
#include "tests/support.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

/* rct_big_int(v) makes the int 1000000 + v: its v. */
static int64_t val(rc_object *o) {
    return rct_int(o) - 1000000;
}

/* ---- a writer that detaches while a reader holds its removed items ---------- */

typedef struct scene {
    rc_object *list, *dict, *key;
    atomic_int borrowed, replaced;
    int64_t seen_item, seen_value; /* what the reader read after the writer left */
    int64_t passed_on;             /* the item, read back from a list it was appended to */
    rc_status st;
} scene;

static void *scene_reader(void *p) {
    scene *s = p;
    if (rc_thread_attach() != RC_OK)
        return NULL;
    rc_object *item = rc_list_get_borrowed(s->list, 0);
    rc_object *value = NULL;
    int found = rc_dict_get_borrowed(s->dict, s->key, &value);
    s->st = item && found == 1 ? RC_OK : RC_EVALUE;
    atomic_store(&s->borrowed, 1);
    if (RC_PARALLEL) {
        /* Wait with the window open: no checkpoint, no release region. */
        while (!atomic_load(&s->replaced))
            sched_yield();
        s->seen_item = val(item);
        s->seen_value = val(value);
        /* Passing a lent item on: the append takes its own reference. */
        rc_object *mine = rc_list_new();
        if (mine && rc_list_append(mine, item) == RC_OK) {
            rc_object *back = rc_list_get(mine, 0);
            s->passed_on = val(back);
            rc_decref(back);
        }
        rc_xdecref(mine);
    } else {
        /* Under the GIL the writer runs only once this thread lets it,
         * which ends its borrows: it reads its items again. */
        rct_wait_flag(&s->replaced);
        rc_object *again = rc_list_get_borrowed(s->list, 0);
        s->seen_item = again ? val(again) : -1;
        s->seen_value = -1;
        if (rc_dict_get_borrowed(s->dict, s->key, &value) == 1)
            s->seen_value = val(value);
        s->passed_on = s->seen_item;
    }
    rc_thread_detach(); /* with the window open: detach ends it */
    return NULL;
}

static void *scene_writer(void *p) {
    scene *s = p;
    if (rc_thread_attach() != RC_OK)
        return NULL;
    rct_wait_flag(&s->borrowed);
    rc_object *y = rct_big_int(5001), *w = rct_big_int(5002);
    rc_status a = rc_list_set(s->list, 0, y);
    rc_status b = rc_dict_set(s->dict, s->key, w);
    rc_decref(y);
    rc_decref(w);
    if (a != RC_OK || b != RC_OK)
        s->st = RC_ESTATE;
    rc_thread_detach(); /* its drops are not safe yet: handed over */
    atomic_store(&s->replaced, 1);
    return NULL;
}

static void test_removed_items_outlive_the_writer(void **state) {
    (void)state;
    scene s = {.list = rc_list_new(), .dict = rc_dict_new(), .key = rct_big_int(7)};
    assert_non_null(s.list);
    assert_non_null(s.dict);
    assert_status(rc_list_append_steal(s.list, rct_big_int(4242)), RC_OK);
    rc_object *v = rct_big_int(4343);
    assert_status(rc_dict_set(s.dict, s.key, v), RC_OK);
    rc_decref(v); /* the containers hold the only references */
    pthread_t r, w;
    assert_int_equal(pthread_create(&r, NULL, scene_reader, &s), 0);
    assert_int_equal(pthread_create(&w, NULL, scene_writer, &s), 0);
    RC_BEGIN_ALLOW_THREADS
    pthread_join(r, NULL);
    pthread_join(w, NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(s.st, RC_OK);
    if (RC_PARALLEL) {
        assert_int_equal(s.seen_item, 4242); /* still the item it borrowed */
        assert_int_equal(s.seen_value, 4343);
        assert_int_equal(s.passed_on, 4242);
    } else {
        assert_int_equal(s.seen_item, 5001);
        assert_int_equal(s.seen_value, 5002);
        assert_int_equal(s.passed_on, 5001);
    }
    rc_release_borrows(); /* drops what the writer left when it detached */
    /* list, dict, key, and the two new values: the old ones are freed. */
    assert_live_objects(5);
    rc_decref(s.list);
    rc_decref(s.dict);
    rc_decref(s.key);
    assert_live_objects(0);
}

/* ---- readers beside a writer that replaces, pops and deletes ------------------ */

#define SLOTS 64
#define GEN 1000000 /* an item of slot i and generation g is i * GEN + g */
#define READS 20000
#define WRITES 6000

typedef struct race {
    rc_object *list, *dict;
    rc_object *keys[SLOTS]; /* key i is the int i * GEN + 999999 */
    atomic_int writer_done;
    atomic_long reads, found, bad;
    rc_status writer_st;
} race;

static rc_object *item_for(int slot, int64_t gen) {
    return rct_big_int((int64_t)slot * GEN + gen % (GEN - 1) + 1);
}

static void *race_reader(void *p) {
    race *r = p;
    if (rc_thread_attach() != RC_OK)
        return NULL;
    rc_object *mine = rc_list_new();
    uint64_t seed = (uint64_t)(uintptr_t)&seed;
    long reads = 0, found = 0, bad = !mine;
    /* At least READS reads, and on until the writer is done, so that the
     * reads overlap its writes however the threads are scheduled. */
    for (long n = 0; mine && (n < READS || !atomic_load(&r->writer_done)); n++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        int slot = (int)((seed >> 33) % SLOTS);
        rc_object *item = rc_list_get_borrowed(r->list, slot);
        rc_object *value = NULL;
        int got = rc_dict_get_borrowed(r->dict, r->keys[slot], &value);
        reads += 2;
        if (item ? val(item) / GEN != slot : slot != SLOTS - 1) /* the last may be popped */
            bad++;
        if (got == 1) {
            found++;
            if (val(value) / GEN != slot)
                bad++;
        } else if (got != 0) {
            bad++;
        }
        if (n % 8 == 0 && item && rc_list_append(mine, item) != RC_OK)
            bad++;
        if (n % 16 == 15) {
            /* Items passed on are ours: still what they were. */
            for (int64_t k = 0; k < rc_list_size(mine); k++)
                if (val(rc_list_get_borrowed(mine, k)) / GEN >= SLOTS)
                    bad++;
            rc_checkpoint();
            while (rc_list_size(mine) > 4)
                rc_decref(rc_list_pop(mine, 0));
        }
    }
    rc_xdecref(mine);
    atomic_fetch_add(&r->reads, reads);
    atomic_fetch_add(&r->found, found);
    atomic_fetch_add(&r->bad, bad);
    rc_thread_detach(); /* perhaps with borrows: detach ends them */
    return NULL;
}

static void *race_writer(void *p) {
    race *r = p;
    if (rc_thread_attach() != RC_OK)
        return NULL;
    rc_status st = RC_OK;
    for (int64_t n = 0; n < WRITES && st == RC_OK; n++) {
        int slot = (int)(n * 7 % SLOTS);
        rc_object *item = item_for(slot, n), *value = item_for(slot, n + 1);
        switch (n % 4) {
        case 0:
        case 1:
            st = rc_list_set(r->list, slot, item);
            if (st == RC_OK)
                st = rc_dict_set(r->dict, r->keys[slot], value);
            break;
        case 2: { /* pop the last item and append a new one: a moment without it */
            rc_decref(item);
            item = item_for(SLOTS - 1, n);
            rc_object *old = rc_list_pop(r->list, -1);
            st = old ? rc_list_append(r->list, item) : RC_EINDEX;
            rc_xdecref(old);
            break;
        }
        default: /* delete and set again */
            st = rc_dict_delete(r->dict, r->keys[slot]);
            if (st == RC_OK)
                st = rc_dict_set(r->dict, r->keys[slot], value);
        }
        rc_decref(item);
        rc_decref(value);
        if (n % 4 == 3)
            rc_checkpoint();
    }
    r->writer_st = st;
    atomic_store(&r->writer_done, 1);
    rc_thread_detach();
    return NULL;
}

static void test_readers_beside_a_writer(void **state) {
    (void)state;
    race r = {.list = rc_list_new(), .dict = rc_dict_new()};
    assert_non_null(r.list);
    assert_non_null(r.dict);
    for (int i = 0; i < SLOTS; i++) {
        r.keys[i] = rct_big_int((int64_t)i * GEN + 999999);
        assert_status(rc_list_append_steal(r.list, item_for(i, 0)), RC_OK);
        rc_object *v = item_for(i, 0);
        assert_status(rc_dict_set(r.dict, r.keys[i], v), RC_OK);
        rc_decref(v);
    }
    enum { READERS = 2 };
    pthread_t readers[READERS], writer;
    for (int i = 0; i < READERS; i++)
        assert_int_equal(pthread_create(&readers[i], NULL, race_reader, &r), 0);
    assert_int_equal(pthread_create(&writer, NULL, race_writer, &r), 0);
    RC_BEGIN_ALLOW_THREADS
    pthread_join(writer, NULL);
    for (int i = 0; i < READERS; i++)
        pthread_join(readers[i], NULL);
    RC_END_ALLOW_THREADS
    assert_int_equal(r.writer_st, RC_OK);
    assert_int_equal(atomic_load(&r.bad), 0);
    assert_true(atomic_load(&r.reads) >= 2L * READS * READERS);
    rc_release_borrows(); /* drops what the threads left when they detached */
    for (int i = 0; i < SLOTS; i++) {
        assert_int_equal(val(rc_list_get_borrowed(r.list, i)) / GEN, i);
        rc_object *v = NULL;
        assert_int_equal(rc_dict_get_borrowed(r.dict, r.keys[i], &v), 1);
        assert_int_equal(val(v) / GEN, i);
    }
    rc_checkpoint();
    /* list, dict, and per slot a key, an item and a value: nothing else. */
    assert_live_objects(2 + 3 * SLOTS);
    rc_decref(r.list);
    rc_decref(r.dict);
    for (int i = 0; i < SLOTS; i++)
        rc_decref(r.keys[i]);
    assert_live_objects(0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_removed_items_outlive_the_writer),
        cmocka_unit_test(test_readers_beside_a_writer),
    };
    return RCT_RUN_GROUP(tests);
}
