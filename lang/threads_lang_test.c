/*
 * lang/threads_lang_test.c -- threads inside programs, under the
 * thread-safe variants. Workloads are small and nothing is timed.
 *   - thread() runs a function with arguments; join() returns its result;
 *   - threads share globals and containers; a Lock keeps a read-modify-write
 *     of a shared counter whole even when threads are forced to switch often;
 *   - sleep() and a blocked acquire() let other threads run (the release
 *     region): a thread that waits for a Lock held by a sleeping thread
 *     gets it, with no deadlock against the global lock;
 *   - an error in a thread is reported, counted, and leaks nothing;
 *   - the program ends only after threads it did not join.
 */
#include <string.h>

#include "lang/lang.h"
#include "lang/test_support.h"
#include "tests/support.h"

static void test_thread_join_result(void **state) {
    (void)state;
    lt_expect_output("def add(a, b):\n    return a + b\n"
                     "t = thread(add, 2, 3)\nu = thread(len, [1, 2])\nprint(t.join(), u.join(), t.join())\n",
                     "5 2 5\n");
}

static void test_lock_protects_counter(void **state) {
    (void)state;
    rc_set_switch_interval(0.0001); /* switch as often as the runtime will */
    lt_expect_output("n = 0\nlock = Lock()\n"
                     "def work(k):\n    global n\n    for i in range(k):\n"
                     "        lock.acquire()\n        v = n\n        sleep(0)\n        n = v + 1\n"
                     "        lock.release()\n    return k\n"
                     "ts = []\nfor i in range(4):\n    ts.append(thread(work, 200))\n"
                     "s = 0\nfor t in ts:\n    s += t.join()\nprint(n, s)\n",
                     "800 800\n");
    rc_set_switch_interval(0.005);
}

static void test_shared_list(void **state) {
    (void)state;
    lt_expect_output("shared = []\n"
                     "def fill(tag, k):\n    for i in range(k):\n        shared.append(tag)\n"
                     "ts = [thread(fill, 'a', 3000), thread(fill, 'b', 3000)]\n"
                     "for t in ts:\n    t.join()\nprint(len(shared))\n",
                     "6000\n");
}

static void test_blocked_acquire_lets_others_run(void **state) {
    (void)state;
    /* ready is released by the other thread: Python's Lock allows that. */
    lt_expect_output("lock = Lock()\nready = Lock()\nready.acquire()\nlog = []\n"
                     "def holder():\n    lock.acquire()\n    log.append('held')\n"
                     "    ready.release()\n    sleep(0.05)\n    log.append('releasing')\n"
                     "    lock.release()\n"
                     "t = thread(holder)\nready.acquire()\nlock.acquire()\n"
                     "log.append('main got it')\nlock.release()\nt.join()\nprint(log)\n",
                     "['held', 'releasing', 'main got it']\n");
}

static void test_error_in_thread(void **state) {
    (void)state;
    lt_result r = lt_run("def bad(x):\n    return [x] + x\nt = thread(bad, 1)\nprint(t.join())\n");
    assert_int_equal(r.status, LANG_OK);
    assert_int_equal(r.thread_errors, 1);
    assert_string_equal(r.out, "None\n");
    lt_result_free(&r);
}

static void test_unjoined_threads_finish(void **state) {
    (void)state;
    lt_result r = lt_run("done = []\ndef late(i):\n    sleep(0.02)\n    done.append(i)\n"
                         "for i in range(5):\n    thread(late, i)\n");
    assert_int_equal(r.status, LANG_OK);
    assert_int_equal(r.thread_errors, 0);
    lt_result_free(&r);
}

static void test_closure_across_threads(void **state) {
    (void)state;
    lt_expect_output("def make(base):\n    box = [base]\n    def inc(k):\n"
                     "        for i in range(k):\n            box[0] += 1\n        return box[0]\n"
                     "    return inc\nf = make(100)\nt = thread(f, 10)\nt.join()\nprint(f(0))\n",
                     "110\n");
}

/* One thread replaces a captured variable (new allocated ints) while a
 * closure on another thread reads it: every read must get a live value (no
 * use after free under the free-threaded strategies: ASan and TSan check). */
static void test_closure_variable_read_while_written(void **state) {
    (void)state;
    lt_expect_output("def run():\n"
                     "    x = 1000\n"
                     "    def reader(n):\n"
                     "        ok = True\n"
                     "        for i in range(n):\n"
                     "            if x < 1000:\n"
                     "                ok = False\n"
                     "        return ok\n"
                     "    t = thread(reader, 20000)\n"
                     "    for i in range(20000):\n"
                     "        x = i + 1000\n"
                     "    print(t.join(), x)\n"
                     "run()\n",
                     "True 20999\n");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thread_join_result),
        cmocka_unit_test(test_lock_protects_counter),
        cmocka_unit_test(test_shared_list),
        cmocka_unit_test(test_blocked_acquire_lets_others_run),
        cmocka_unit_test(test_error_in_thread),
        cmocka_unit_test(test_unjoined_threads_finish),
        cmocka_unit_test(test_closure_across_threads),
        cmocka_unit_test(test_closure_variable_read_while_written),
    };
    return RCT_RUN_GROUP(tests);
}
