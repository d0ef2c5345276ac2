/*
 * refcore.h -- the whole public API in one include.
 *
 * refcore is a reference-counted object runtime: objects with types,
 * reference counting with immortal objects, containers, threads. Link one
 * variant (//:gil, ...) to choose how it is made thread-safe.
 * Start with docs/embedding.md.
 */
#ifndef REFCORE_H
#define REFCORE_H

#include "gc/gc.h"
#include "objects/bool.h"
#include "objects/bytes.h"
#include "objects/dict.h"
#include "objects/exception.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/iter.h"
#include "objects/list.h"
#include "objects/object.h"
#include "objects/protocol.h"
#include "objects/set.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "objects/weakref.h"
#include "refcount/refcount.h"
#include "runtime/error.h"
#include "runtime/recursion.h"
#include "runtime/runtime.h"

#endif /* REFCORE_H */
