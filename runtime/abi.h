/*
 * runtime/abi.h -- a link-time check that a program and the refcore library
 * it links were built for the same variant and debug level.
 *
 * The public headers differ by variant (the strategy's header lays out the
 * object header and inlines the count and lock fast paths) and by RC_DEBUG
 * (inline debug checks that call into the library). A program compiled
 * against one and linked with another would build and then corrupt memory.
 * So every translation unit that includes a public header keeps a pointer
 * to a function named after what it was compiled for,
 *     rc_abi_<variant>_v2          (rc_abi_gil_v2, rc_abi_nogil_v2, ...)
 *     rc_abi_<variant>_debug_v2    (compiled with RC_DEBUG >= 1)
 * and only the library built the same way defines it (runtime/abi.c). A
 * mismatch fails to link and names what the program expected:
 *     undefined reference to `rc_abi_nogil_v2'
 * CPython's ABI flags ("d", "t") keep the same promise in file names; here
 * the linker checks it. v2 is the layout's version: a change to a public
 * struct or inline function that an old program would misread bumps it
 * (v2: struct rc_type gained the container-protocol slots, length to
 * next, before id, so a v1 program's static types are too short for a v2
 * library to read).
 */
#ifndef RC_RUNTIME_ABI_H
#define RC_RUNTIME_ABI_H

#include "locking/strategy.h"

#ifndef RC_DEBUG
#define RC_DEBUG 0 /* as in refcount/refcount.h: --config=debug sets it */
#endif

#define RC_ABI_PASTE_(a, b, c) a##b##c
#define RC_ABI_PASTE(a, b, c) RC_ABI_PASTE_(a, b, c)
#if RC_DEBUG
#define RC_ABI_SYMBOL RC_ABI_PASTE(rc_abi_, RCS_ABI_NAME, _debug_v2)
#else
#define RC_ABI_SYMBOL RC_ABI_PASTE(rc_abi_, RCS_ABI_NAME, _v2)
#endif

/* Does nothing; only its name matters. */
void RC_ABI_SYMBOL(void);

/* The reference. `used` keeps it in every object file, optimised or not
 * (a static that nothing reads would otherwise be dropped with its
 * relocation). Compilers without the attribute go unchecked. */
#if defined(__GNUC__)
__attribute__((used)) static void (*const rc_abi_check)(void) = RC_ABI_SYMBOL;
#endif

#endif /* RC_RUNTIME_ABI_H */
