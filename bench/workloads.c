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
 * round at a tenth of the ops unless --no-warmup; the last line is END.
 * bench/compare.py runs this once per repetition so that it can interleave
 * the variants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/workloads.h"

static const bench_workload *const all_workloads[] = {
    &wl_refcount_private, &wl_refcount_shared, &wl_refcount_immortal, &wl_alloc,
    &wl_containers_private, &wl_containers_shared, &wl_read_shared, &wl_read_shared_borrowed,
    &wl_attr_shared, &wl_refcount_cooling,
    &wl_cpu_count,
    &wl_io_sleep, &wl_io_pipe, &wl_latency_1ms, &wl_latency_5ms, &wl_native,
    &wl_gc_100k, &wl_gc_1m, &wl_interp_count, &wl_interp_containers,
    &wl_control,
};
enum { NWORKLOADS = sizeof all_workloads / sizeof all_workloads[0] };

static const bench_workload *find_workload(const char *name) {
    for (int i = 0; i < NWORKLOADS; i++)
        if (strcmp(all_workloads[i]->name, name) == 0)
            return all_workloads[i];
    return NULL;
}

static void list_workloads(void) {
    for (int i = 0; i < NWORKLOADS; i++)
        printf("{\"name\":\"%s\",\"summary\":\"%s\",\"default_ops\":%lld}\n",
               all_workloads[i]->name, all_workloads[i]->summary,
               (long long)all_workloads[i]->default_ops);
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
    bool ok = o->threads >= 1 && o->threads <= 256 && o->processes >= 1 &&
              o->processes <= 256 && o->ops >= 1 && o->reps >= 1;
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
