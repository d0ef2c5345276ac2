/*
 * runtime/abi.c -- defines the one symbol that names this build's variant
 * and debug level, which every program compiled against the public headers
 * refers to (runtime/abi.h says why).
 */
#include "runtime/abi.h"

void RC_ABI_SYMBOL(void) {}
