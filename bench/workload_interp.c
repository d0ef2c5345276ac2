/*
 * The refpy workloads: the strategies under a real interpreter loop (lang/),
 * not only under C loops. The interpreter calls the checkpoint on backward
 * jumps and calls, as CPython's eval loop does.
 *
 * interp_count and interp_containers: each thread runs its own interpreter
 * on the same runtime (so a global lock is shared by all of them, as one
 * process's GIL is) and executes a small program: the seeds' counting loop,
 * or a container-heavy loop of list and dict operations. Check: the value
 * each program prints is the one C computes for the same N.
 *
 * seeds_count_py: lang/seeds/count.py itself, as a user runs it
 * (`refpy_<variant> count.py N`): one interpreter, whose program counts to
 * N twice in a row and then in two threads of its own that share the
 * function and the int n. It differs from interp_count in exactly what
 * issue 16 found: both threads count objects the main thread made, so
 * under //:nogil every `i < n` is a non-owner count of one int unless the
 * strategy moves it to per-thread counts. The file is compiled in as it is
 * (bench/BUILD runs bench/embed_text.sh on it), so the benchmark cannot
 * drift from the program. Its own timings become the row's metrics:
 * sequential_s, threaded_s and ratio (threaded / sequential: about 1 when
 * the threads take turns, 0.5 when they run at once). The harness times
 * the whole program. Check: the two totals it prints are 2N. Thread-safe
 * variants only (BENCH_SHAPE_PROGRAM).
 */
#include <stdio.h>
#include <string.h>

#include "bench/count_py_source.h"
#include "bench/workloads.h"
#include "lang/lang.h"

static const char count_program[] = "def count(n):\n"
                                    "    i = 0\n"
                                    "    while i < n:\n"
                                    "        i = i + 1\n"
                                    "    return i\n"
                                    "print(count(N))\n";

static const char containers_program[] = "def work(n):\n"
                                         "    rows = []\n"
                                         "    by_key = {}\n"
                                         "    total = 0\n"
                                         "    for i in range(n):\n"
                                         "        rows.append(i)\n"
                                         "        by_key[i % 100] = by_key.get(i % 100, 0) + i\n"
                                         "        if len(rows) >= 1000:\n"
                                         "            total = total + rows.pop()\n"
                                         "            rows = []\n"
                                         "    return total + len(by_key)\n"
                                         "print(work(N))\n";

/* What containers_program prints for n. */
static int64_t containers_expected(int64_t n) {
    int64_t total = 0, rows = 0;
    for (int64_t i = 0; i < n; i++) {
        rows++;
        if (rows >= 1000) {
            total += i;
            rows = 0;
        }
    }
    return total + (n < 100 ? n : 100);
}

/* Runs src in a fresh interpreter on this thread, with the global argv
 * [argc], its print going to out; times the program (not the freeing of
 * the interpreter, which runs a collection). Returns true if the program
 * and every thread it started ended without an error; else records why
 * (bench_fail). */
static bool run_refpy(bench_thread *t, const char *src, int argc, char **argv, char *out,
                      size_t out_size) {
    char err[256] = "";
    FILE *sink = fmemopen(out, out_size - 1, "w");
    if (!sink)
        bench_die("fmemopen");
    lang_interp *in = lang_interp_new(sink, argc, argv);
    if (!in)
        bench_die("lang_interp_new");
    bench_start(t);
    int status = lang_run_source(in, src, strlen(src), err, sizeof err);
    bench_stop(t);
    int failed_threads = lang_interp_free(in); /* joins the program's threads */
    fclose(sink);
    if (status != LANG_OK || failed_threads) {
        bench_fail(t->run, "thread %d: the program failed (%d of its threads too): %s",
                   t->index, failed_threads, err);
        return false;
    }
    return true;
}

/* Runs program with the global N = n; returns what it printed (an
 * integer), or -1 on any failure. */
static int64_t run_program(bench_thread *t, const char *program, int64_t n) {
    char src[1024], out[64] = "";
    snprintf(src, sizeof src, "N = %lld\n%s", (long long)n, program);
    if (!run_refpy(t, src, 0, NULL, out, sizeof out))
        return -1;
    long long printed = -1;
    sscanf(out, "%lld", &printed);
    return printed;
}

static void count_thread(bench_thread *t) {
    int64_t got = run_program(t, count_program, t->ops);
    if (got != t->ops)
        bench_fail(t->run, "thread %d: counted to %lld, expected %lld", t->index,
                   (long long)got, (long long)t->ops);
}

static void containers_thread(bench_thread *t) {
    int64_t got = run_program(t, containers_program, t->ops);
    if (got != containers_expected(t->ops))
        bench_fail(t->run, "thread %d: the program printed %lld, expected %lld", t->index,
                   (long long)got, (long long)containers_expected(t->ops));
}

BENCH_WORKLOAD(wl_interp_count) = {
    .name = "interp_count",
    .summary = "refpy counting loop (the seeds' program), one interpreter per thread",
    .default_ops = 3000000,
    .thread = count_thread,
    .rank = 19,
    .roles = "interp",
};

BENCH_WORKLOAD(wl_interp_containers) = {
    .name = "interp_containers",
    .summary = "refpy list and dict loop, one interpreter per thread",
    .default_ops = 300000,
    .thread = containers_thread,
    .rank = 20,
};

/* Checks the printed lines against N and records the program's timings. */
static void count_py_check(bench_thread *t, const char *out) {
    long long seq_total = -1, two_total = -1;
    double seq = 0, two = 0, ratio = 0;
    const char *line2 = strstr(out, "two threads:"), *line3 = strstr(out, "elapsed ");
    if (sscanf(out, "twice in a row: %lld", &seq_total) != 1 || !line2 ||
        sscanf(line2, "two threads: %lld", &two_total) != 1 || !line3 ||
        sscanf(line3, "elapsed %*s sequential %lf s; two threads %lf s; ratio %lf", &seq,
               &two, &ratio) != 3) {
        bench_fail(t->run, "count.py printed something else: %.160s", out);
        return;
    }
    if (seq_total != 2 * t->ops || two_total != 2 * t->ops)
        bench_fail(t->run, "count.py counted %lld and %lld, expected %lld twice", seq_total,
                   two_total, (long long)(2 * t->ops));
    bench_metric_set(t->run, "sequential_s", seq);
    bench_metric_set(t->run, "threaded_s", two);
    bench_metric_set(t->run, "ratio", ratio);
}

static void count_py_thread(bench_thread *t) {
    char n[32], out[512] = "";
    snprintf(n, sizeof n, "%lld", (long long)t->ops);
    char *argv[] = {"count.py", n};
    if (run_refpy(t, count_py, 2, argv, out, sizeof out))
        count_py_check(t, out);
}

BENCH_WORKLOAD(wl_seeds_count_py) = {
    .name = "seeds_count_py",
    .summary = "lang/seeds/count.py itself: twice in a row, then in 2 threads of the program",
    .default_ops = 3000000,
    .thread = count_py_thread,
    .rank = 20,
    .shape = BENCH_SHAPE_PROGRAM,
    .not_in_cost = true,
    .roles = "seeds_program",
};
