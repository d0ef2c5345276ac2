/*
 * lang/random.c -- the random module, with CPython's generator: MT19937
 * seeded as CPython's random.seed(int) seeds it, and CPython's ways of
 * drawing from it (random() from two 32-bit outputs, ints by rejection on
 * getrandbits, shuffle's and choice's order of draws). So a program that
 * seeds the generator prints the same numbers under refpy and CPython 3:
 * the benchmark programs rely on it. Our own code rather than a library's
 * MT19937 (GSL has one): the output must match CPython's seeding
 * (init_by_array over the seed's 32-bit words) bit for bit.
 *
 * Where refpy differs: the generator starts as random.seed(0) leaves it
 * (Python seeds from the operating system), so unseeded runs repeat too;
 * seed() without an argument does the same; seeds and bounds are ints
 * that fit 64 bits. The state is the interpreter's, shared by its
 * threads under the interp's mutex (each call is atomic, as under the GIL).
 */
#include <stdint.h>
#include <string.h>

#include "lang/builtins.h"
#include "lang/lang.h"
#include "lang/modules.h"
#include "lang/ops.h"

#define MT_N 624
#define MT_M 397

/* ---- MT19937 (Matsumoto and Nishimura, 1998) -------------------------------- */

static void mt_init_genrand(lang_random *r, uint32_t s) {
    r->mt[0] = s;
    for (int i = 1; i < MT_N; i++)
        r->mt[i] = 1812433253u * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
    r->index = MT_N;
}

static void mt_init_by_array(lang_random *r, const uint32_t *key, int key_length) {
    mt_init_genrand(r, 19650218u);
    int i = 1, j = 0;
    for (int k = MT_N > key_length ? MT_N : key_length; k; k--) {
        r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1664525u)) + key[j] +
                   (uint32_t)j;
        i++, j++;
        if (i >= MT_N) {
            r->mt[0] = r->mt[MT_N - 1];
            i = 1;
        }
        if (j >= key_length)
            j = 0;
    }
    for (int k = MT_N - 1; k; k--) {
        r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1566083941u)) -
                   (uint32_t)i;
        i++;
        if (i >= MT_N) {
            r->mt[0] = r->mt[MT_N - 1];
            i = 1;
        }
    }
    r->mt[0] = 0x80000000u; /* the state is never all zero */
}

static uint32_t mt_next(lang_random *r) {
    static const uint32_t mag01[2] = {0, 0x9908b0dfu};
    if (r->index >= MT_N) {
        int k;
        for (k = 0; k < MT_N - MT_M; k++) {
            uint32_t y = (r->mt[k] & 0x80000000u) | (r->mt[k + 1] & 0x7fffffffu);
            r->mt[k] = r->mt[k + MT_M] ^ (y >> 1) ^ mag01[y & 1];
        }
        for (; k < MT_N - 1; k++) {
            uint32_t y = (r->mt[k] & 0x80000000u) | (r->mt[k + 1] & 0x7fffffffu);
            r->mt[k] = r->mt[k + (MT_M - MT_N)] ^ (y >> 1) ^ mag01[y & 1];
        }
        uint32_t y = (r->mt[MT_N - 1] & 0x80000000u) | (r->mt[0] & 0x7fffffffu);
        r->mt[MT_N - 1] = r->mt[MT_M - 1] ^ (y >> 1) ^ mag01[y & 1];
        r->index = 0;
    }
    uint32_t y = r->mt[r->index++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    return y ^ (y >> 18);
}

/* CPython's random.seed(n) for an int: the key is |n| in 32-bit words,
 * least significant first, at least one. */
static void seed_from(lang_random *r, int64_t n) {
    uint64_t u = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
    uint32_t key[2] = {(uint32_t)u, (uint32_t)(u >> 32)};
    mt_init_by_array(r, key, key[1] ? 2 : 1);
}

/* CPython's getrandbits(k), 0 <= k <= 64: 32-bit words from the generator,
 * least significant first, the last one shifted down to what is left. */
static uint64_t getrandbits(lang_random *r, int k) {
    uint64_t v = 0;
    for (int shift = 0; k > 0; shift += 32, k -= 32) {
        uint32_t w = mt_next(r);
        if (k < 32)
            w >>= 32 - k;
        v |= (uint64_t)w << shift;
    }
    return v;
}

/* CPython's _randbelow(n), n >= 1: getrandbits(n.bit_length()) until the
 * draw is below n. */
static uint64_t randbelow(lang_random *r, uint64_t n) {
    int k = 64 - __builtin_clzll(n);
    uint64_t v;
    while ((v = getrandbits(r, k)) >= n) {
    }
    return v;
}

/* CPython's random(): 53 bits from two outputs. */
static double random_double(lang_random *r) {
    uint32_t a = mt_next(r) >> 5, b = mt_next(r) >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

/* ---- the module's functions ----------------------------------------------------- */

static lang_random *gen_lock(lang_thread *ts) {
    pthread_mutex_lock(&ts->interp->mutex);
    return &ts->interp->random;
}

static void gen_unlock(lang_thread *ts) {
    pthread_mutex_unlock(&ts->interp->mutex);
}

static rc_status want_int(rc_object *o, const char *fname, int64_t *out) {
    if (!rc_int_check(o) || rc_bool_check(o) || rc_int_as_i64(o, out) != RC_OK)
        return rc_error_set(RC_ETYPE, "%s() needs an int that fits 64 bits, not '%s'", fname,
                            rc_object_type_name(o));
    return RC_OK;
}

static rc_status want_num(rc_object *o, const char *fname, double *out) {
    int64_t i = 0;
    if (rc_float_check(o))
        return rc_float_as_double(o, out);
    if (rc_int_check(o) && rc_int_as_i64(o, &i) == RC_OK) {
        *out = (double)i;
        return RC_OK;
    }
    return rc_error_set(RC_ETYPE, "%s() needs a number, not '%s'", fname,
                        rc_object_type_name(o));
}

/* seed(n=0) */
static rc_object *random_seed(lang_thread *ts, rc_object **args, int nargs) {
    int64_t n = 0;
    if (!lang_check_args("seed", nargs, 0, 1) ||
        (nargs == 1 && !rc_is_none(args[0]) && want_int(args[0], "seed", &n) != RC_OK))
        return NULL;
    seed_from(gen_lock(ts), n);
    gen_unlock(ts);
    return rc_newref(rc_none());
}

static rc_object *random_random(lang_thread *ts, rc_object **args, int nargs) {
    (void)args;
    if (!lang_check_args("random", nargs, 0, 0))
        return NULL;
    double d = random_double(gen_lock(ts));
    gen_unlock(ts);
    return rc_float_from_double(d);
}

/* uniform(a, b) = a + (b - a) * random(), as CPython computes it. */
static rc_object *random_uniform(lang_thread *ts, rc_object **args, int nargs) {
    double a = 0, b = 0;
    if (!lang_check_args("uniform", nargs, 2, 2) || want_num(args[0], "uniform", &a) != RC_OK ||
        want_num(args[1], "uniform", &b) != RC_OK)
        return NULL;
    double d = random_double(gen_lock(ts));
    gen_unlock(ts);
    return rc_float_from_double(a + (b - a) * d);
}

static rc_object *random_getrandbits(lang_thread *ts, rc_object **args, int nargs) {
    int64_t k = 0;
    if (!lang_check_args("getrandbits", nargs, 1, 1) || want_int(args[0], "getrandbits", &k) != RC_OK)
        return NULL;
    if (k < 0 || k > 63) {
        rc_error_set(k < 0 ? RC_EVALUE : RC_EOVERFLOW, "getrandbits: k must be in 0..63, not %lld",
                     (long long)k);
        return NULL;
    }
    uint64_t v = getrandbits(gen_lock(ts), (int)k);
    gen_unlock(ts);
    return rc_int_from_i64((int64_t)v);
}

/* start + step * randbelow(n) for the n values of range(start, stop, step),
 * with CPython's errors. */
static rc_object *randrange_of(lang_thread *ts, int64_t start, int64_t stop, int64_t step) {
    if (step == 0) {
        rc_error_set(RC_EVALUE, "zero step for randrange()");
        return NULL;
    }
    /* The count of values, in 128 bits: stop - start may not fit 64. */
    __int128 width = (__int128)stop - start;
    __int128 n = step > 0 ? (width + step - 1) / step : (width + step + 1) / step;
    if (n <= 0 && step != 1) {
        rc_error_set(RC_EVALUE, "empty range for randrange()");
        return NULL;
    }
    if (n <= 0) { /* CPython names the width, which is <= 0 and may pass INT64_MIN */
        uint64_t magnitude = (uint64_t)(-width);
        rc_error_set(RC_EVALUE, "empty range for randrange() (%lld, %lld, %s%llu)",
                     (long long)start, (long long)stop, magnitude ? "-" : "",
                     (unsigned long long)magnitude);
        return NULL;
    }
    uint64_t k = randbelow(gen_lock(ts), (uint64_t)n);
    gen_unlock(ts);
    return rc_int_from_i64((int64_t)(start + (__int128)step * (__int128)k));
}

/* randrange(stop) or randrange(start, stop[, step]) */
static rc_object *random_randrange(lang_thread *ts, rc_object **args, int nargs) {
    int64_t v[3] = {0, 0, 1};
    if (!lang_check_args("randrange", nargs, 1, 3))
        return NULL;
    for (int i = 0; i < nargs; i++)
        if (want_int(args[i], "randrange", &v[i]) != RC_OK)
            return NULL;
    if (nargs == 1)
        return randrange_of(ts, 0, v[0], 1);
    return randrange_of(ts, v[0], v[1], v[2]);
}

/* randint(a, b): a <= N <= b, as randrange(a, b + 1). */
static rc_object *random_randint(lang_thread *ts, rc_object **args, int nargs) {
    int64_t a = 0, b = 0;
    if (!lang_check_args("randint", nargs, 2, 2) || want_int(args[0], "randint", &a) != RC_OK ||
        want_int(args[1], "randint", &b) != RC_OK)
        return NULL;
    if (b == INT64_MAX) {
        rc_error_set(RC_EOVERFLOW, "randint: b must be below 2**63 - 1");
        return NULL;
    }
    return randrange_of(ts, a, b + 1, 1);
}

static int64_t seq_size(rc_object *seq) {
    if (rc_list_check(seq))
        return rc_list_size(seq);
    if (rc_tuple_check(seq))
        return rc_tuple_size(seq);
    return rc_str_check(seq) ? rc_str_length(seq) : -1;
}

/* choice(seq): seq[randbelow(len(seq))] */
static rc_object *random_choice(lang_thread *ts, rc_object **args, int nargs) {
    if (!lang_check_args("choice", nargs, 1, 1))
        return NULL;
    int64_t n = seq_size(args[0]);
    if (n < 0) {
        rc_error_set(RC_ETYPE, "choice() needs a list, tuple or str, not '%s'",
                     rc_object_type_name(args[0]));
        return NULL;
    }
    if (n == 0) {
        rc_error_set(RC_EINDEX, "Cannot choose from an empty sequence");
        return NULL;
    }
    uint64_t i = randbelow(gen_lock(ts), (uint64_t)n);
    gen_unlock(ts);
    rc_object *index = rc_int_from_i64((int64_t)i);
    rc_object *item = index ? lang_subscr(args[0], index) : NULL;
    rc_xdecref(index);
    return item;
}

/* shuffle(list), in place: CPython's order, i from the end down to 1
 * swapped with randbelow(i + 1). */
static rc_object *random_shuffle(lang_thread *ts, rc_object **args, int nargs) {
    if (!lang_check_args("shuffle", nargs, 1, 1))
        return NULL;
    rc_object *l = args[0];
    if (!rc_list_check(l)) {
        rc_error_set(RC_ETYPE, "shuffle() needs a list, not '%s'", rc_object_type_name(l));
        return NULL;
    }
    for (int64_t i = rc_list_size(l) - 1; i >= 1; i--) {
        int64_t j = (int64_t)randbelow(gen_lock(ts), (uint64_t)i + 1);
        gen_unlock(ts);
        rc_object *a = rc_list_get(l, i), *b = a ? rc_list_get(l, j) : NULL;
        rc_status st = b ? rc_list_set(l, i, b) : rc_error_code();
        if (st == RC_OK)
            st = rc_list_set(l, j, a);
        rc_xdecref(a);
        rc_xdecref(b);
        if (st != RC_OK)
            return NULL;
    }
    return rc_newref(rc_none());
}

rc_status lang_random_install(lang_interp *in) {
    static const lang_module_fn fns[] = {
        {"seed", random_seed, NULL},           {"random", random_random, NULL},
        {"uniform", random_uniform, NULL},     {"randint", random_randint, NULL},
        {"randrange", random_randrange, NULL}, {"choice", random_choice, NULL},
        {"shuffle", random_shuffle, NULL},     {"getrandbits", random_getrandbits, NULL},
        {NULL, NULL, NULL},
    };
    seed_from(&in->random, 0);
    return lang_module_add(in, "random", fns, NULL) ? RC_OK : rc_error_code();
}
