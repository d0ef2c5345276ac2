/*
 * lang/compiler.h -- source text to a code object.
 */
#ifndef LANG_COMPILER_H
#define LANG_COMPILER_H

#include <stddef.h>

#include "lang/lexer.h"
#include "refcore.h"

/* Compiles len bytes of src as a module. Returns: a new reference to its
 * lang_code, or NULL with *err filled (a syntax error, with its line and
 * column; or "out of memory" at the token being compiled). Leaves nothing
 * allocated on failure. pre: attached. */
rc_object *lang_compile(const char *src, size_t len, lang_syntax_error *err);

#endif /* LANG_COMPILER_H */
