/*
 * lang/main.c -- refpy: runs a program file.
 *
 *     refpy_<variant> [-i SECONDS] FILE [ARGS...]
 *
 * The program sees [FILE, ARGS...] as its global `argv`. -i sets the
 * runtime's switch interval (how long a thread waiting for the global lock
 * waits before asking for it). Exit status: 0, or 1 for a syntax or runtime
 * error (in the main program or in a thread), 2 for a bad command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/lang.h"

/* Under `bazel run` the working directory is the runfiles tree; a relative
 * path means one relative to where the command was typed. */
static FILE *open_program(const char *path) {
    const char *dir = getenv("BUILD_WORKING_DIRECTORY");
    char full[4096];
    if (path[0] != '/' && dir && snprintf(full, sizeof full, "%s/%s", dir, path) < (int)sizeof full)
        return fopen(full, "rb");
    return fopen(path, "rb");
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = open_program(path);
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = rc_mem_alloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = rc_mem_realloc(buf, cap *= 2);
            if (!bigger)
                rc_mem_free(buf);
            buf = bigger;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static int run(const char *path, const char *src, size_t len, int argc, char **argv) {
    lang_interp *in = lang_interp_new(stdout, argc, argv);
    if (!in) {
        fprintf(stderr, "refpy: %s\n", rc_error_message());
        return 1;
    }
    char err[512];
    int status = lang_run_source(in, src, len, err, sizeof err);
    if (status != LANG_OK)
        fprintf(stderr, "%s: %s\n", path, err);
    fflush(stdout);
    int exit_status = lang_interp_exit_status(in);
    int thread_errors = lang_interp_free(in);
    if (status == LANG_OK && exit_status != 0)
        return exit_status;
    return status != LANG_OK || thread_errors > 0;
}

int main(int argc, char **argv) {
    int first = 1;
    double interval = -1;
    if (argc > 2 && strcmp(argv[1], "-i") == 0) {
        interval = atof(argv[2]);
        first = 3;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [-i SWITCH_INTERVAL_S] FILE [ARGS...]\n", argv[0]);
        return 2;
    }
    size_t len = 0;
    char *src = read_file(argv[first], &len);
    if (!src) {
        perror(argv[first]);
        return 2;
    }
    if (rc_runtime_start() != RC_OK) {
        fprintf(stderr, "refpy: cannot start the runtime: %s\n", rc_error_message());
        return 1;
    }
    if (first == 3 && rc_set_switch_interval(interval) != RC_OK) {
        fprintf(stderr, "refpy: -i: %s\n", rc_error_message());
        rc_runtime_stop();
        return 2;
    }
    int status = run(argv[first], src, len, argc - first, argv + first);
    rc_mem_free(src);
    if (rc_runtime_stop() != RC_OK) /* reports leaked objects on stderr */
        status = 1;
    return status;
}
