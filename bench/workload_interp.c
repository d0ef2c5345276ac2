/*
 * Workloads 13 and 14, interp_count and interp_containers: the strategies
 * under a real interpreter loop (lang/, refpy), not only under C loops. Each
 * thread runs its own interpreter on the same runtime (so a global lock is
 * shared by all of them, as one process's GIL is) and executes a small
 * program: the seeds' counting loop, or a container-heavy loop of list and
 * dict operations. The interpreter calls the checkpoint on backward jumps
 * and calls, as CPython's eval loop does. Check: the value each program
 * prints is the one C computes for the same N.
 */
#include <stdio.h>
#include <string.h>

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

/* Runs program with the global N = n in a fresh interpreter on this thread;
 * returns what it printed (an integer), or -1 on any failure. */
static int64_t run_program(bench_thread *t, const char *program, int64_t n, bool timed) {
    char src[1024], out[64] = "", err[256] = "";
    snprintf(src, sizeof src, "N = %lld\n%s", (long long)n, program);
    FILE *sink = fmemopen(out, sizeof out - 1, "w");
    if (!sink)
        bench_die("fmemopen");
    lang_interp *in = lang_interp_new(sink, 0, NULL);
    if (!in)
        bench_die("lang_interp_new");
    if (timed)
        bench_start(t);
    int status = lang_run_source(in, src, strlen(src), err, sizeof err);
    if (timed)
        bench_stop(t);
    lang_interp_free(in);
    fclose(sink);
    if (status != LANG_OK) {
        bench_fail(t->run, "thread %d: the program failed: %s", t->index, err);
        return -1;
    }
    long long printed = -1;
    sscanf(out, "%lld", &printed);
    return printed;
}

static void count_thread(bench_thread *t) {
    int64_t got = run_program(t, count_program, t->ops, true);
    if (got != t->ops)
        bench_fail(t->run, "thread %d: counted to %lld, expected %lld", t->index,
                   (long long)got, (long long)t->ops);
}

static void containers_thread(bench_thread *t) {
    int64_t got = run_program(t, containers_program, t->ops, true);
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
