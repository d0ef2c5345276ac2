/*
 * runtime/compiler.h -- the few compiler attributes refcore uses, in one
 * place, with plain fallbacks for compilers that lack them.
 */
#ifndef RC_RUNTIME_COMPILER_H
#define RC_RUNTIME_COMPILER_H

#if defined(__GNUC__)
#define RC_NOINLINE __attribute__((noinline))
#define RC_NORETURN __attribute__((noreturn))
#define RC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define RC_LIKELY(x) __builtin_expect(!!(x), 1)
#define RC_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define RC_NOINLINE
#define RC_NORETURN
#define RC_UNLIKELY(x) (x)
#define RC_LIKELY(x) (x)
#define RC_PRINTF(fmt_index, first_arg)
#endif

#endif /* RC_RUNTIME_COMPILER_H */
