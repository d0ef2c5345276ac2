/*
 * refcount/debug.c -- the checks of debug builds, and rc_fatal.
 *
 * With RC_DEBUG >= 1 (--config=debug), rc_incref and rc_decref check, at
 * the call site, that:
 *   - the calling thread is attached (and outside the release region);
 *   - the object is not freed: freed objects are kept in a per-thread
 *     quarantine of QUARANTINE_SIZE entries, with their type replaced by the
 *     sentinel rci_freed_type, before their memory is given back, so a late
 *     decref finds the sentinel rather than reused memory;
 *   - a decref does not take the count below zero.
 * RC_CRITICAL_BEGIN checks the first of these too (rci_debug_check_section).
 * A failed check prints the object and the call site and aborts.
 *
 * Borrowed items (runtime/runtime.h, borrowed reads). A borrow is a plain
 * pointer, the same as a counted one, so a borrow kept past the quiescent
 * point that ended it cannot be told from a reference while its item is
 * still alive. What can be caught is the use that does harm: once the
 * container has dropped the item (after the quiescent point, when no
 * borrow window can hold it), the borrow points at a freed object. The
 * drop of a container that lent items goes through rci_debug_drop_lent,
 * which records the item in `lent_drops`; whenever that item is freed
 * (by this drop, or later: another reference was left, or under //:nogil
 * the free was handed to its owner thread), it is quarantined with the
 * sentinel rci_freed_lent_type, so the escaped borrow's next count
 * operation aborts with a message that names borrowing. Should the table
 * be full, the item gets the plain sentinel: caught all the same, with the
 * general message.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "gc/gc_internal.h"
#include "objects/object_internal.h"

#define QUARANTINE_SIZE 4096

rc_type rci_freed_type = {.name = "<freed object>",
                          .basicsize = sizeof(rc_object),
                          .id = RCI_TYPE_ID_FREED};
rc_type rci_freed_lent_type = {.name = "<freed object, dropped by a container that lent it>",
                               .basicsize = sizeof(rc_object),
                               .id = RCI_TYPE_ID_FREED};

/* ---- items dropped by lending containers, not yet freed ---------------------
 * A set of addresses, open addressing with linear probing and tombstones,
 * under a mutex (debug builds only, and only while it holds anything: an
 * atomic count lets every other free skip it). An address leaves the set
 * when its object is freed, before its memory can be reused, so an entry
 * never names another object. Probing stops after LENT_PROBES slots: an
 * address that finds no room is not recorded (the general message then).
 * A fixed array rather than ConcurrencyKit's ck_hs (issue 13): it never
 * allocates on the free path, and an add and a take cost 243 instructions
 * against ck_hs's 488 under the same mutex (43 against 54 ns, best of 11). */
#define LENT_DROPS 4096
#define LENT_PROBES 64
#define LENT_TOMBSTONE ((const rc_object *)1)
static const rc_object *lent_drops[LENT_DROPS];
static _Atomic int lent_drops_n;
static pthread_mutex_t lent_drops_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t lent_hash(const rc_object *o) {
    return (size_t)(((uintptr_t)o >> 4) * 0x9E3779B97F4A7C15ull >> 20) % LENT_DROPS;
}

static void lent_drops_add(const rc_object *o) {
    pthread_mutex_lock(&lent_drops_lock);
    const rc_object **room = NULL;
    size_t i = lent_hash(o);
    for (int k = 0; k < LENT_PROBES; k++, i = (i + 1) % LENT_DROPS) {
        if (lent_drops[i] == o) {
            room = NULL; /* dropped by a lending container before, still alive */
            break;
        }
        if (!room && (lent_drops[i] == NULL || lent_drops[i] == LENT_TOMBSTONE))
            room = &lent_drops[i];
        if (lent_drops[i] == NULL)
            break;
    }
    if (room) {
        *room = o;
        atomic_fetch_add_explicit(&lent_drops_n, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&lent_drops_lock);
}

/* Whether o (being freed) was in the set; it is not any more. */
static bool lent_drops_take(const rc_object *o) {
    /* Relaxed: an add for o happened before o's last decref, which happens
     * before this free (the count's own ordering). */
    if (!atomic_load_explicit(&lent_drops_n, memory_order_relaxed))
        return false;
    bool found = false;
    pthread_mutex_lock(&lent_drops_lock);
    size_t i = lent_hash(o);
    for (int k = 0; k < LENT_PROBES && lent_drops[i]; k++, i = (i + 1) % LENT_DROPS) {
        if (lent_drops[i] == o) {
            lent_drops[i] = LENT_TOMBSTONE;
            atomic_fetch_sub_explicit(&lent_drops_n, 1, memory_order_relaxed);
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&lent_drops_lock);
    return found;
}

void rci_debug_drop_lent(rc_object *o) {
    if (!rc_is_immortal(o)) /* never freed: nothing to name */
        lent_drops_add(o);
    rc_decref(o);
}

void rci_debug_check_ref(rc_object *o, bool is_decref, const char *file, int line) {
    const char *op = is_decref ? "decref" : "incref";
    char msg[320];
    if (!o) {
        snprintf(msg, sizeof msg, "%s of NULL", op);
        rc_fatal(NULL, file, line, msg);
    }
    if (!rcs_thread_is_attached()) {
        snprintf(msg, sizeof msg, "%s from a thread that is not attached", op);
        rc_fatal(o, file, line, msg);
    }
    if (o->type == &rci_freed_type) {
        snprintf(msg, sizeof msg, "%s of a freed object", op);
        rc_fatal(o, file, line, msg);
    }
    if (o->type == &rci_freed_lent_type) {
        snprintf(msg, sizeof msg,
                 "%s of a freed object that a container dropped after lending it: a borrowed "
                 "item kept past the quiescent point that ended the borrow, or removed by its "
                 "borrower? (take a reference while the borrow is valid)",
                 op);
        rc_fatal(o, file, line, msg);
    }
    if (is_decref && !rcs_is_immortal(&o->rc) && rcs_refcount(&o->rc) <= 0)
        rc_fatal(o, file, line, "decref would take the count below zero");
}

void rci_debug_check_section(const rc_object *o, const char *file, int line) {
    if (!o)
        rc_fatal(NULL, file, line, "critical section on NULL");
    if (!rci_may_touch())
        rc_fatal(o, file, line,
                 rci_current ? "critical section begun inside the release region"
                             : "critical section begun on a thread that is not attached");
}

/* Frees the memory block of a quarantined object. */
static void quarantine_release(void *block) {
    rcs_retire(block, rci_mem_free);
}

/* Debug builds: keep o (already uncounted) in the quarantine; the entry it
 * replaces is given back now. Returns false if there is no quarantine
 * (allocation failed), and the caller frees o directly. */
bool rci_debug_quarantine(rci_tstate *t, rc_object *o) {
    /* First, so that o leaves the set even if o is freed directly. */
    bool lent_taken = lent_drops_take(o);
    if (!t->quarantine) {
        /* No error on failure: the caller recovers (it frees o directly). */
        t->quarantine = rcs_mem_calloc(QUARANTINE_SIZE * sizeof *t->quarantine);
        if (!t->quarantine)
            return false;
    }
    /* The block may start before the object (a GC object's head): keep the
     * block, since the type that says so is about to be overwritten. */
    void *block = rci_gc_is_gc_type(o->type) ? (void *)rci_gc_head_of(o) : (void *)o;
    o->type = lent_taken ? &rci_freed_lent_type : &rci_freed_type;
    void **slot = &t->quarantine[t->quarantine_next];
    if (*slot)
        quarantine_release(*slot);
    *slot = block;
    t->quarantine_next = (t->quarantine_next + 1) % QUARANTINE_SIZE;
    return true;
}

void rci_debug_quarantine_flush(rci_tstate *t) {
    if (!t->quarantine)
        return;
    for (size_t i = 0; i < QUARANTINE_SIZE; i++)
        if (t->quarantine[i])
            quarantine_release(t->quarantine[i]);
    rcs_mem_free(t->quarantine);
    t->quarantine = NULL;
    t->quarantine_next = 0;
}
