/*
 * lang/threads_lang_test.c -- threads inside programs, under the
 * thread-safe variants. Workloads are small and nothing is timed.
 *   - thread() runs a function with arguments; join() returns its result;
 *   - threads share globals and containers; a Lock keeps a read-modify-write
 *     of a shared counter whole even when threads are forced to switch often;
 *   - sleep() and a blocked acquire() let other threads run (the release
 *     region): a thread that waits for a Lock held by a sleeping thread
 *     gets it, with no deadlock against the global lock;
 *   - one class instance iterated by several threads at once (__iter__
 *     gives each loop its own iterator): every walk complete and in order;
 *   - an error in a thread is reported, counted, and leaks nothing;
 *   - the program ends only after threads it did not join;
 *   - multiprocessing.Process runs its target in a forked child, whose exit
 *     status (sys.exit's value, 1 after an error) join() makes the
 *     exitcode; the child's changes stay in the child.
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

/* The same with `with lock:`, the body left by continue, by return and by
 * an exception in turn: the lock is released on each way out, or the
 * other threads would wait for ever and the count be short. */
static void test_with_lock_protects_counter(void **state) {
    (void)state;
    rc_set_switch_interval(0.0001);
    lt_expect_output("n = 0\nlock = Lock()\n"
                     "def bump(i):\n    global n\n    with lock:\n        v = n\n        sleep(0)\n"
                     "        n = v + 1\n        if i % 3 == 0:\n            return 'r'\n"
                     "        if i % 3 == 1:\n            raise ValueError(i)\n"
                     "def work(k):\n    for i in range(k):\n        try:\n            bump(i)\n"
                     "        except ValueError:\n            continue\n    return k\n"
                     "ts = []\nfor i in range(4):\n    ts.append(thread(work, 150))\n"
                     "s = 0\nfor t in ts:\n    s += t.join()\nprint(n, s, lock.acquire())\n",
                     "600 600 True\n");
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

/* Instances shared between threads (classes.c): attributes live in refcore
 * dicts, so each read and write is atomic; a Lock makes a read-modify-write
 * whole. Each thread also makes instances of its own, with special methods
 * (run on that thread's interpreter state), and leaves a cycle behind. */
static void test_shared_instances(void **state) {
    (void)state;
    lt_expect_output("class Counter:\n    def __init__(self):\n        self.n = 0\n        self.lock = Lock()\n"
                     "    def bump(self):\n        self.lock.acquire()\n        self.n += 1\n"
                     "        self.lock.release()\n"
                     "class V:\n    def __init__(self, x):\n        self.x = x\n        self.me = self\n"
                     "    def __add__(self, o):\n        return V(self.x + o.x)\n"
                     "    def __repr__(self):\n        return 'V' + str(self.x)\n"
                     "c = Counter()\n"
                     "def work(k):\n    v = V(0)\n    for i in range(k):\n        c.bump()\n"
                     "        v = v + V(1)\n        c.last = v\n    return repr(v)\n"
                     "ts = [thread(work, 500) for i in range(4)]\n"
                     "print([t.join() for t in ts], c.n, c.last)\n",
                     "['V500', 'V500', 'V500', 'V500'] 2000 V500\n");
}

/* One container instance iterated by several threads at once: each `for`
 * gets an iterator of its own from __iter__ (through refcore's iter slot),
 * so every walk sees every item, in order, whatever the interleaving. */
static void test_shared_iterable_instance(void **state) {
    (void)state;
    rc_set_switch_interval(0.0001); /* switch as often as the runtime will */
    lt_expect_output("class Seq:\n    def __init__(self, n):\n        self.items = list(range(n))\n"
                     "    def __len__(self):\n        return len(self.items)\n"
                     "    def __getitem__(self, i):\n        return self.items[i]\n"
                     "    def __iter__(self):\n        return It(self)\n"
                     "class It:\n    def __init__(self, s):\n        self.s = s\n        self.i = 0\n"
                     "    def __next__(self):\n        if self.i == len(self.s):\n"
                     "            raise StopIteration\n        self.i += 1\n"
                     "        return self.s[self.i - 1]\n"
                     "seq = Seq(50)\n"
                     "def work(k):\n    ok = 0\n    for r in range(k):\n"
                     "        if list(seq) == seq.items and sum(x for x in seq) == 1225:\n"
                     "            ok += 1\n    return ok\n"
                     "ts = [thread(work, 20) for i in range(2)]\n"
                     "print([t.join() for t in ts], 49 in seq, len(seq))\n",
                     "[20, 20] True 50\n");
    rc_set_switch_interval(0.005);
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

/* A program's exception class raised and caught in threads, each its own
 * instance (output CPython 3.11's); one uncaught in a thread is that
 * thread's error, and the program goes on. */
static void test_exception_classes_in_threads(void **state) {
    (void)state;
    lt_result r = lt_run("import threading\n"
                         "class Fail(RuntimeError):\n"
                         "    def __init__(self, n):\n"
                         "        super().__init__(f'worker {n} failed')\n"
                         "        self.n = n\n"
                         "results = {}\n"
                         "def work(n):\n"
                         "    try:\n"
                         "        if n % 2:\n"
                         "            raise Fail(n)\n"
                         "        results[n] = 'ok'\n"
                         "    except Fail as e:\n"
                         "        results[n] = (e.n, str(e))\n"
                         "ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]\n"
                         "for t in ts:\n"
                         "    t.start()\n"
                         "for t in ts:\n"
                         "    t.join()\n"
                         "print(sorted(results.items()))\n"
                         "def boom():\n"
                         "    raise Fail(9)\n"
                         "t = threading.Thread(target=boom)\n"
                         "t.start()\n"
                         "t.join()\n"
                         "print('after')\n");
    assert_int_equal(r.status, LANG_OK);
    assert_int_equal(r.thread_errors, 1); /* printed to stderr: "error in thread: line 21:
                                             Fail: worker 9 failed" */
    assert_string_equal(r.out, "[(0, 'ok'), (1, (1, 'worker 1 failed')), (2, 'ok'), "
                               "(3, (3, 'worker 3 failed'))]\nafter\n");
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

/* threading's API: a Thread is made, then started; while it waits for a
 * Lock the main thread holds it is certainly alive (no timing involved). */
static void test_threading_module(void **state) {
    (void)state;
    lt_expect_output("import threading\nfrom threading import Thread, Lock\n"
                     "gate = Lock()\ngate.acquire()\nseen = []\n"
                     "def work(k, tag='t'):\n    gate.acquire()\n    gate.release()\n"
                     "    me = threading.current_thread()\n    seen.append((tag, k, me.name))\n"
                     "    return me.native_id\n"
                     "t = Thread(target=work, args=(1,))\nu = Thread(target=work, args=[2, 'u'], name='U')\n"
                     "print(t.name, u.name, t.is_alive(), t.native_id, threading.active_count())\n"
                     "t.start()\nu.start()\nnames = []\nfor x in threading.enumerate():\n"
                     "    names.append(x.name)\n"
                     "print(names, t.is_alive(), threading.active_count(), t.native_id > 0)\n"
                     "gate.release()\nr1 = t.join()\nr2 = u.join()\n"
                     "print(t.is_alive(), u.is_alive(), threading.active_count(), len(seen))\n"
                     "m = threading.main_thread()\n"
                     "print(m.name, m.is_alive(), m is threading.current_thread(), r1 == t.native_id,\n"
                     "      r1 != m.native_id, r1 != r2)\n"
                     "l = Thread(target=lambda: 5)\nl.start()\nprint(l.join(), l.name)\n",
                     "Thread-1 (work) U False None 1\n"
                     "['MainThread', 'Thread-1 (work)', 'U'] True 3 True\n"
                     "False False 1 2\n"
                     "MainThread True True True True True\n"
                     "5 Thread-3 (<lambda>)\n");
    int E = LANG_RUNTIME_ERROR;
    lt_expect_error("import threading\nt = threading.Thread(target=len, args=([],))\nt.start()\n"
                    "t.join()\nt.start()\n", E, "line 5: RuntimeError: threads can only be started once");
    lt_expect_error("import threading\nthreading.Thread(target=len).join()\n", E,
                    "line 2: RuntimeError: cannot join thread before it is started");
    lt_expect_error("import threading\nthreading.current_thread().join()\n", E,
                    "line 2: RuntimeError: cannot join current thread");
    lt_expect_error("import threading\nthreading.Thread(tagret=len)\n", E,
                    "line 2: TypeError: Thread() got an unexpected keyword argument 'tagret'");
    lt_expect_error("import threading\nthreading.Thread(target=len, args=1)\n", E,
                    "line 2: TypeError: Thread args must be a tuple, not 'int'");
}

/* multiprocessing: each child runs its target on a copy of the program's
 * objects. Its prints go to its copy of the output buffer, so the parent
 * sees only exit codes and its own unchanged objects. */
static void test_multiprocessing(void **state) {
    (void)state;
    lt_expect_output("import sys\nimport multiprocessing\nfrom multiprocessing import Process\n"
                     "box = []\n"
                     "def work(n):\n    box.append(n)\n    sys.exit(n)\n"
                     "def fails():\n    return [1] + 1\n"
                     "p = Process(target=work, args=(3,))\n"
                     "print(p.name, p.pid, p.exitcode, p.is_alive())\n"
                     "p.start()\np.join()\np.join()\n"
                     "print(p.exitcode, p.is_alive(), p.pid > 0, box)\n"
                     "q = Process(target=fails)\nq.start()\nq.join()\n"
                     "r = Process(target=lambda: box.append(1), name='R')\nr.start()\nr.join()\n"
                     "s = Process()\ns.start()\ns.join()\n"
                     "print(q.exitcode, r.name, r.exitcode, s.exitcode, box)\n"
                     "print(multiprocessing.cpu_count() >= 1)\n",
                     "Process-1 None None False\n"
                     "3 False True []\n"
                     "1 R 0 0 []\n"
                     "True\n");
    int E = LANG_RUNTIME_ERROR;
    lt_expect_error("from multiprocessing import Process\np = Process(target=len, args=([],))\n"
                    "p.start()\np.join()\np.start()\n", E,
                    "line 5: AssertionError: cannot start a process twice");
    lt_expect_error("from multiprocessing import Process\nProcess(target=len).join()\n", E,
                    "line 2: AssertionError: can only join a started process");
    lt_expect_error("from multiprocessing import Process\nProcess(target=len, args=1)\n", E,
                    "line 2: TypeError: Process args must be a tuple, not 'int'");
    lt_expect_error("from multiprocessing import Process\nProcess(name=1)\n", E,
                    "line 2: TypeError: Process name must be a str, not 'int'");
}

/* sys.exit() in a thread ends that thread quietly, not the program. */
static void test_sys_exit_in_thread(void **state) {
    (void)state;
    lt_result r = lt_run("import sys\nimport threading\ndef f():\n    sys.exit(4)\n"
                         "t = threading.Thread(target=f)\nt.start()\nprint(t.join())\n");
    assert_int_equal(r.status, LANG_OK);
    assert_string_equal(r.out, "None\n");
    assert_int_equal(r.thread_errors, 0);
    lt_result_free(&r);
}

/* One set shared by four threads: every element popped exactly once, and
 * the operators that walk it (| & issubset copy) never fail while a writer
 * adds and discards (they walk a copy taken under the set's lock,
 * lang/sets.c). Counts only: how the pops interleave is the scheduler's. */
static void test_shared_set(void **state) {
    (void)state;
    lt_result r = lt_run("import threading\n"
                         "s = set(range(4000))\n"
                         "popped = []\n"
                         "def drain():\n"
                         "    mine = 0\n"
                         "    while True:\n"
                         "        try:\n"
                         "            s.pop()\n"
                         "        except KeyError:\n"
                         "            break\n"
                         "        mine += 1\n"
                         "    popped.append(mine)\n"
                         "ts = [threading.Thread(target=drain) for _ in range(4)]\n"
                         "for t in ts: t.start()\n"
                         "for t in ts: t.join()\n"
                         "print(sum(popped), len(s))\n"
                         "w = set(range(300))\n"
                         "def write():\n"
                         "    for i in range(3000):\n"
                         "        w.add(300 + i % 50)\n"
                         "        w.discard(300 + (i + 25) % 50)\n"
                         "def read():\n"
                         "    ok = 0\n"
                         "    for i in range(300):\n"
                         "        u = w | {1}\n"
                         "        v = w & w\n"
                         "        ok += set(range(300)) <= w.copy() and len(u) >= 300\n"
                         "    print('reads', ok)\n"
                         "ts = [threading.Thread(target=write), threading.Thread(target=read)]\n"
                         "for t in ts: t.start()\n"
                         "for t in ts: t.join()\n");
    assert_int_equal(r.status, LANG_OK);
    assert_string_equal(r.out, "4000 0\nreads 300\n");
    assert_int_equal(r.thread_errors, 0);
    lt_result_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thread_join_result),
        cmocka_unit_test(test_threading_module),
        cmocka_unit_test(test_sys_exit_in_thread),
        RCT_SERIAL(test_multiprocessing, "forks the process"),
        cmocka_unit_test(test_lock_protects_counter),
        cmocka_unit_test(test_with_lock_protects_counter),
        cmocka_unit_test(test_shared_list),
        cmocka_unit_test(test_blocked_acquire_lets_others_run),
        cmocka_unit_test(test_shared_instances),
        cmocka_unit_test(test_shared_iterable_instance),
        cmocka_unit_test(test_error_in_thread),
        cmocka_unit_test(test_exception_classes_in_threads),
        cmocka_unit_test(test_unjoined_threads_finish),
        cmocka_unit_test(test_closure_across_threads),
        cmocka_unit_test(test_closure_variable_read_while_written),
        cmocka_unit_test(test_shared_set),
    };
    return RCT_RUN_GROUP(tests);
}
