#!/usr/bin/env python3
"""Call circles of the object layer: which source files call into which.

    bazel build //:gil && python3 scripts/call-circles.py bazel-bin/_objs/gil

File A depends on file B when A's object file uses a symbol B's defines
(nm: an undefined symbol in A, defined in B). A circle is a strongly
connected set of files: each reaches every other by calls. The layered
core (docs/design.md) wants none, except where a comment says why an
arrow must run back up. Inline functions in headers do not show; they are
the seam's fast paths and the layers' own small accessors.
"""
import collections
import os
import subprocess
import sys

LAYER_DIRS = ("runtime", "refcount", "objects", "gc", "locking")


def source_dirs(root):
    """Maps a file stem (list) to its folder (objects)."""
    where = {}
    for d in LAYER_DIRS:
        for dirpath, _, files in os.walk(os.path.join(root, d)):
            for f in files:
                if f.endswith(".c"):
                    where[f[:-2]] = os.path.relpath(dirpath, root)
    return where


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        kind, name = parts[-2], parts[-1]
        if kind == "U":
            used.add(name)
        elif kind in "TDBRCV":
            defined.add(name)
    return defined, used


def strongly_connected(nodes, edges):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main():
    objdir = sys.argv[1]
    root = sys.argv[2] if len(sys.argv) > 2 else "."
    where = source_dirs(root)
    files = {}
    for f in sorted(os.listdir(objdir)):
        stem = f[:-2]
        if f.endswith(".o") and not f.endswith(".pic.o") and stem in where:
            files[os.path.join(where[stem], stem + ".c")] = symbols(os.path.join(objdir, f))
    owner = {s: name for name, (defined, _) in files.items() for s in defined}
    edges = collections.defaultdict(set)
    for name, (_, used) in files.items():
        edges[name] |= {owner[s] for s in used if s in owner and owner[s] != name}
    circles = [c for c in strongly_connected(files, edges) if len(c) > 1]
    for c in circles:
        print("circle of %d files:" % len(c))
        for name in c:
            print("  %s -> %s" % (name, ", ".join(sorted(w for w in edges[name] if w in c))))
    print("%d circle(s), %d file(s) in them, of %d" %
          (len(circles), sum(map(len, circles)), len(files)))


if __name__ == "__main__":
    main()
