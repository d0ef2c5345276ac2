/*
 * bench/workloads.c -- the command line of the comparative suite's
 * workloads, built once per variant (workloads_gil, workloads_nolock, ...).
 *
 *   workloads_<variant> --workload NAME [--threads N] [--processes P]
 *                       [--ops N] [--reps R] [--no-warmup]
 *   workloads_<variant> --list      one JSON line per workload
 *   workloads_<variant> --info      the variant's name and capabilities
 *
 * --ops is per thread (and per process): the work grows with the thread
 * count, so a perfect speedup keeps the time constant. Each repetition
 * prints one RESULT line (see bench/harness.h), after one untimed warm-up
 * round at a tenth of the ops (all of them for a single-thread operation)
 * unless --no-warmup; the last line is END.
 * bench/compare.py runs this once per repetition so that it can interleave
 * the variants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/workloads.h"

/* Every BENCH_WORKLOAD of the binary (bench/harness.h): the linker's
 * bounds of their section. */
extern const bench_workload *const __start_bench_workloads[];
extern const bench_workload *const __stop_bench_workloads[];

static int nworkloads(void) {
    return (int)(__stop_bench_workloads - __start_bench_workloads);
}

static const bench_workload *find_workload(const char *name) {
    for (int i = 0; i < nworkloads(); i++)
        if (strcmp(__start_bench_workloads[i]->name, name) == 0)
            return __start_bench_workloads[i];
    return NULL;
}

static int by_rank(const void *a, const void *b) {
    const bench_workload *x = *(const bench_workload *const *)a;
    const bench_workload *y = *(const bench_workload *const *)b;
    return x->rank != y->rank ? (x->rank > y->rank) - (x->rank < y->rank)
                              : strcmp(x->name, y->name);
}

static void list_workloads(void) {
    static const char *const shapes[] = {"threads", "seeds", "io", "latency", "gc", "single",
                                         "program"};
    int n = nworkloads();
    const bench_workload **order = malloc((size_t)n * sizeof *order);
    if (!order)
        bench_die("--list: out of memory");
    for (int i = 0; i < n; i++)
        order[i] = __start_bench_workloads[i];
    qsort(order, (size_t)n, sizeof *order, by_rank);
    for (int i = 0; i < n; i++) {
        const bench_workload *w = order[i];
        printf("{\"name\":\"%s\",\"summary\":\"%s\",\"default_ops\":%lld,\"param\":%g,"
               "\"shape\":\"%s\",\"min_ops\":%lld,\"shares_objects\":%s,\"in_cost\":%s,"
               "\"roles\":\"%s\",\"cpython_ns\":\"%s\",\"cpython_ft_ns\":\"%s\"}\n",
               w->name, w->summary, (long long)w->default_ops, w->param, shapes[w->shape],
               (long long)(w->min_ops > 0 ? w->min_ops : 1), w->shares_objects ? "true" : "false",
               w->not_in_cost ? "false" : "true", w->roles ? w->roles : "",
               w->cpython_ns ? w->cpython_ns : "", w->cpython_ft_ns ? w->cpython_ft_ns : "");
    }
    free(order);
}

static void print_info(void) {
    printf("{\"variant\":\"%s\",\"thread_safe\":%s,\"parallel\":%s,\"lockfree_reads\":%s}\n",
           RC_STRATEGY_NAME, RC_THREAD_SAFE ? "true" : "false", RC_PARALLEL ? "true" : "false",
           RC_LOCKFREE_READS ? "true" : "false");
}

static int usage(const char *argv0) {
    fprintf(stderr,
            "usage: %s --workload NAME [--threads N] [--processes P] [--ops N] [--reps R]"
            " [--no-warmup]\n       %s --list | --info\n",
            argv0, argv0);
    return 2;
}

/* Parses the options into *o; returns -1 on a usage error, 1 when a
 * listing was printed instead, 0 to run. */
static int parse(int argc, char **argv, bench_options *o) {
    const char *name = NULL;
    *o = (bench_options){.threads = 1, .processes = 1, .ops = -1, .reps = 1, .warmup = 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--list"))
            return list_workloads(), 1;
        if (!strcmp(a, "--info"))
            return print_info(), 1;
        if (!strcmp(a, "--no-warmup")) {
            o->warmup = 0;
            continue;
        }
        if (!v)
            return -1;
        if (!strcmp(a, "--workload"))
            name = v;
        else if (!strcmp(a, "--threads"))
            o->threads = atoi(v);
        else if (!strcmp(a, "--processes"))
            o->processes = atoi(v);
        else if (!strcmp(a, "--ops"))
            o->ops = atoll(v);
        else if (!strcmp(a, "--reps"))
            o->reps = atoi(v);
        else
            return -1;
        i++;
    }
    if (!name || !(o->workload = find_workload(name)))
        return -1;
    if (o->ops < 0)
        o->ops = o->workload->default_ops;
    /* A single-thread operation keeps its state in the file, for one thread;
     * a program starts its own threads. */
    bench_shape shape = o->workload->shape;
    bool one = shape == BENCH_SHAPE_SINGLE    ? o->threads == 1
               : shape == BENCH_SHAPE_PROGRAM ? o->threads == 1 && o->processes == 1
                                              : true;
    if (shape == BENCH_SHAPE_PROGRAM && !RC_THREAD_SAFE) {
        fprintf(stderr, "%s: %s runs threads that share objects; variant %s is not thread-safe\n",
                argv[0], name, RC_STRATEGY_NAME);
        return -1;
    }
    bool ok = o->threads >= 1 && o->threads <= 256 && o->processes >= 1 &&
              o->processes <= 256 && o->ops >= 1 && o->reps >= 1 && one;
    return ok ? 0 : -1;
}

int main(int argc, char **argv) {
    bench_options opt;
    int r = parse(argc, argv, &opt);
    if (r < 0)
        return usage(argv[0]);
    if (r > 0)
        return 0;
    return bench_main(&opt);
}
