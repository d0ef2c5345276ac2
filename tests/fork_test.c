/*
 * tests/fork_test.c -- rc_fork on one thread, under every strategy: the
 * child goes on using the runtime it inherited (its copy of the parent's
 * objects, containers, a garbage cycle, a nested fork) and can stop it
 * with nothing leaked once it drops what it held; the parent is
 * unchanged; misuse makes no process.
 *
 * A child reports through its exit status (0: every check held, k: check
 * k failed), never through cmocka, whose failures would unwind into the
 * copy of the parent's test runner.
 */
#include "tests/gc_node.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ITEMS 1000

/* The parent's objects at the fork: a list of ITEMS ints (rct_big_int(i * 7)), a dict
 * from the same ints to their index, and a garbage cycle of two nodes. */
typedef struct inherited {
    rc_object *list;
    rc_object *dict;
} inherited;

static inherited inherited_make(void) {
    inherited in = {rc_list_new(), rc_dict_new()};
    assert_non_null(in.list);
    assert_non_null(in.dict);
    for (int64_t i = 0; i < ITEMS; i++) {
        rc_object *v = rct_big_int(i * 7);
        rc_object *k = rct_big_int(i);
        assert_int_equal(rc_list_append(in.list, v), RC_OK);
        assert_int_equal(rc_dict_set(in.dict, v, k), RC_OK);
        rc_decref(v);
        rc_decref(k);
    }
    rc_object *a = node_new(1), *b = node_new(2);
    node_link(a, b);
    node_link(b, a);
    rc_decref(a);
    rc_decref(b); /* garbage now: only the cycle holds them */
    return in;
}

/* 0 if `in` still holds what inherited_make put there, else a check number. */
static int inherited_check(const inherited *in) {
    if (rc_list_size(in->list) != ITEMS)
        return 10;
    for (int64_t i = 0; i < ITEMS; i++) {
        rc_object *v = rc_list_get(in->list, i);
        if (!v || rct_int(v) != 1000000 + i * 7)
            return 11;
        rc_object *k = rc_dict_get(in->dict, v);
        bool ok = k && rct_int(k) == 1000000 + i;
        rc_xdecref(k);
        rc_decref(v);
        if (!ok)
            return 12;
    }
    return 0;
}

static void inherited_drop(inherited *in) {
    rc_decref(in->list);
    rc_decref(in->dict);
}

/* The parent's side: waits for the child and returns its exit status, or
 * -1 if it did not exit normally. */
static int child_exit_status(int64_t pid) {
    int status = 0;
    assert_int_equal(waitpid((pid_t)pid, &status, 0), (pid_t)pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The child's work after the fork: the inherited objects are intact, new
 * ones can be made, the inherited cycle is gone after a collection, and with its
 * references dropped the child's runtime stops with nothing leaked. */
static int child_main(inherited *in) {
    int failed = inherited_check(in);
    if (failed)
        return failed;
    rc_object *more = rc_list_new();
    for (int64_t i = 0; more && i < ITEMS; i++) {
        rc_object *v = rct_big_int(-i);
        if (rc_list_append(more, v) != RC_OK)
            return 20;
        rc_decref(v);
    }
    if (!more || rc_list_size(more) != ITEMS)
        return 21;
    rc_decref(more);
    rc_gc_collect(); /* the two nodes of the inherited cycle, if no
                      * collection (gcstress) freed them before the fork */
    if (rc_live_objects_of(&node_type) != 0)
        return 22;
    inherited_drop(in);
    if (rc_live_objects() != 0)
        return 23;
    if (rc_runtime_stop() != RC_OK)
        return 24;
    return 0;
}

static void test_child_uses_the_runtime(void **state) {
    (void)state;
    inherited in = inherited_make();
    int64_t pid = -1;
    fflush(NULL);
    assert_int_equal(rc_fork(&pid), RC_OK);
    if (pid == 0)
        _exit(child_main(&in));
    assert_true(pid > 0);
    assert_int_equal(child_exit_status(pid), 0);
    /* The parent's copy is its own: unchanged by the child's frees. */
    assert_int_equal(inherited_check(&in), 0);
    rc_gc_collect();
    assert_live_objects_of(&node_type, 0);
    inherited_drop(&in);
    assert_live_objects(0);
}

/* A child forks again: the grandchild inherits the child's runtime, which
 * came from rc_fork itself. */
static void test_fork_in_the_child(void **state) {
    (void)state;
    inherited in = inherited_make();
    int64_t pid = -1;
    fflush(NULL);
    assert_int_equal(rc_fork(&pid), RC_OK);
    if (pid == 0) {
        int64_t grandchild = -1;
        if (rc_fork(&grandchild) != RC_OK)
            _exit(30);
        if (grandchild == 0)
            _exit(child_main(&in));
        int status = 0;
        if (waitpid((pid_t)grandchild, &status, 0) != (pid_t)grandchild)
            _exit(31);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 32);
        _exit(child_main(&in));
    }
    assert_int_equal(child_exit_status(pid), 0);
    assert_int_equal(inherited_check(&in), 0);
    rc_gc_collect();
    assert_live_objects_of(&node_type, 0);
    inherited_drop(&in);
    assert_live_objects(0);
}

/* No child process exists: waitpid has none to report. */
static void assert_no_child(void) {
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

static void test_misuse_makes_no_process(void **state) {
    (void)state;
    assert_status(rc_fork(NULL), RC_EVALUE);
    int64_t pid = 12345;
    rc_status st = RC_OK;
    RC_BEGIN_ALLOW_THREADS
    st = rc_fork(&pid); /* inside the release region: not allowed */
    RC_END_ALLOW_THREADS
    assert_int_equal(st, RC_ESTATE);
    assert_int_equal(rc_error_code(), RC_ESTATE);
    assert_non_null(strstr(rc_error_message(), "release region"));
    assert_int_equal(pid, 12345); /* untouched on failure */
    assert_no_child();
    assert_string_equal(rc_status_name(RC_EOS), "RC_EOS");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        RCT_SERIAL(test_child_uses_the_runtime, "forks the process"),
        RCT_SERIAL(test_fork_in_the_child, "forks the process"),
        RCT_SERIAL(test_misuse_makes_no_process, "forks the process"),
    };
    return RCT_RUN_GROUP(tests);
}
