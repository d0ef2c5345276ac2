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

/* RC_ASAN: 1 when AddressSanitizer instruments this build (GCC's macro, or
 * clang's feature test), so that its interface (sanitizer/asan_interface.h)
 * is there to use. */
#if defined(__SANITIZE_ADDRESS__)
#define RC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RC_ASAN 1
#endif
#endif
#ifndef RC_ASAN
#define RC_ASAN 0
#endif

#endif /* RC_RUNTIME_COMPILER_H */
