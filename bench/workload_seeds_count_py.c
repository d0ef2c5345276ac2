/*
 * Workload seeds_count_py: the seeds' counting program itself,
 * lang/seeds/count.py, as a user runs it (`refpy_<variant> count.py N`): one
 * interpreter, whose program counts to N twice in a row and then in two
 * threads of its own that share the function and the int n. It differs
 * from interp_count (one interpreter per harness thread, each with its own
 * objects) in exactly what issue 16 found: here both threads count objects
 * the main thread made, so under //:nogil every `i < n` is a non-owner
 * count of one int unless the strategy switches it to per-thread counts.
 *
 * The file is compiled in verbatim (bench/BUILD runs bench/embed_text.sh
 * on it), so the benchmark cannot drift from the program. Its own timings
 * become the row's metrics: sequential_s, threaded_s and ratio
 * (threaded / sequential: about 1 when the threads take turns, 0.5 when
 * they run at once). The harness times the whole program. Check: the two
 * totals it prints are 2N. Thread-safe variants only (BENCH_SHAPE_PROGRAM).
 */
#include <stdio.h>
#include <string.h>

#include "bench/count_py_source.h"
#include "bench/workloads.h"
#include "lang/lang.h"

/* Checks the printed lines against N and records the program's timings. */
static void check_output(bench_thread *t, const char *out) {
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
    char n[32], out[512] = "", err[256] = "";
    snprintf(n, sizeof n, "%lld", (long long)t->ops);
    char *argv[] = {"count.py", n};
    FILE *sink = fmemopen(out, sizeof out - 1, "w");
    if (!sink)
        bench_die("fmemopen");
    lang_interp *in = lang_interp_new(sink, 2, argv);
    if (!in)
        bench_die("lang_interp_new");
    bench_start(t);
    int status = lang_run_source(in, count_py, strlen(count_py), err, sizeof err);
    int failed_threads = lang_interp_free(in); /* joins the program's threads */
    bench_stop(t);
    fclose(sink);
    if (status != LANG_OK || failed_threads)
        bench_fail(t->run, "count.py failed (%d thread(s) with an error): %s", failed_threads,
                   err);
    else
        check_output(t, out);
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
