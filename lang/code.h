/*
 * lang/code.h -- bytecode: the instruction set and the code object.
 *
 * An instruction is one 32-bit word: the opcode in the low 8 bits, an
 * unsigned argument in the high 24. Jumps name an absolute instruction
 * index. Every instruction has a source line (lines[i]), for runtime errors.
 *
 * The value stack of a frame holds strong references. The comment on each
 * opcode gives its stack effect (before -- after).
 */
#ifndef LANG_CODE_H
#define LANG_CODE_H

#include <stdint.h>

#include "refcore.h"

typedef enum lang_op {
    OP_LOAD_CONST,     /* -- consts[arg] */
    OP_LOAD_FAST,      /* -- local arg (error if unassigned) */
    OP_STORE_FAST,     /* v -- */
    OP_LOAD_DEREF,     /* -- local (arg & 0xffff) of the enclosing frame arg >> 16 levels up */
    OP_STORE_DEREF,    /* v -- */
    OP_LOAD_GLOBAL,    /* -- globals[consts[arg]], else builtins[...] */
    OP_STORE_GLOBAL,   /* v -- */
    OP_POP_TOP,        /* v -- */
    OP_DUP_TOP,        /* v -- v v */
    OP_DUP_TOP2,       /* a b -- a b a b */
    OP_ROT_TWO,        /* a b -- b a */
    OP_ROT_THREE,      /* a b c -- c a b */
    OP_BINARY,         /* a b -- a OP b; arg is a lang_binop */
    OP_NEGATE,         /* v -- -v (arg 0), ~v (arg 1) or +v (arg 2) */
    OP_NOT,            /* v -- not v */
    OP_JUMP,           /* -- ; to arg (a backward jump is a checkpoint) */
    OP_POP_JUMP_IF_FALSE, /* v -- ; to arg if v is false */
    OP_JUMP_IF_FALSE_OR_POP, /* v -- v (jumps) | -- (falls through) */
    OP_JUMP_IF_TRUE_OR_POP,
    OP_BUILD_LIST,     /* v1..vn -- list */
    OP_BUILD_TUPLE,    /* v1..vn -- tuple */
    OP_BUILD_DICT,     /* k1 v1 .. kn vn -- dict */
    OP_BUILD_STRING,   /* s1..sn -- the strs joined */
    OP_FORMAT_VALUE,   /* v [spec] -- str; arg = the conversion ('r', 's', 'a' or 0)
                          | FORMAT_HAS_SPEC when a spec str is on top (format.h) */
    OP_SUBSCR,         /* c i -- c[i] */
    OP_SLICE,          /* c start stop step -- c[start:stop:step] (None where omitted) */
    OP_LIST_APPEND,    /* v -- ; appends v to the list arg values below the top */
    OP_MAP_ADD,        /* k v -- ; sets d[k] = v in the dict arg values below the top */
    OP_STORE_SUBSCR,   /* v c i -- ; c[i] = v (the value first: Python evaluates it first) */
    OP_UNPACK_SEQUENCE, /* s -- s[arg-1] .. s[0]; s must have exactly arg items */
    OP_CALL,           /* f a1..an -- result; arg = n (a checkpoint) */
    OP_CALL_METHOD,    /* o a1..an -- result; arg = name const << 8 | n */
    OP_CALL_KW,        /* f a1..an names -- result; names: a tuple of the last
                          len(names) arguments' keywords; arg = n (a checkpoint) */
    OP_CALL_METHOD_KW, /* o a1..an names -- result; arg as OP_CALL_METHOD */
    OP_RETURN,         /* v -- */
    OP_GET_ITER,       /* c -- iterator */
    OP_FOR_ITER,       /* it -- it item | (exhausted) -- ; jumps to arg */
    OP_IMPORT_NAME,    /* -- the module named consts[arg] */
    OP_IMPORT_FROM,    /* m -- m m.consts[arg] */
    OP_LOAD_ATTR,      /* o -- o.consts[arg] */
    OP_MAKE_FUNCTION,  /* -- function of code consts[arg], closing over this frame */
    OP_MAKE_FUNCTION_DEFAULTS, /* defaults -- function; as OP_MAKE_FUNCTION, with a
                                  tuple of the values of its last parameters' defaults */
    /* classes (classes.h) */
    OP_STORE_ATTR,     /* v o -- ; o.consts[arg] = v */
    OP_MAKE_CLASS,     /* -- class; the class named consts[arg] from this (class
                          body's) env, also stored in its local 1, __class__ */
    OP_SUPER,          /* cls self -- super() */
    /* calls with `*seq` arguments: the positional ones gathered in a list */
    OP_LIST_EXTEND,    /* l s -- l; appends the items of s (anything `for` walks) */
    OP_CALL_SPREAD,    /* f list -- f(*list) (a checkpoint) */
    OP_CALL_METHOD_SPREAD, /* o list -- o.consts[arg](*list) */
    /* Exceptions, `with` and `assert` (lang/exceptions.c; the exception
     * table below says where an error in a range of instructions goes). */
    OP_RAISE,          /* arg RAISE_*: [x [cause]] -- (raises) */
    OP_RERAISE,        /* e -- (raises e again, keeping the line where it arose);
                          arg 1: e is the innermost handled exception, and stops being */
    OP_EXC_MATCH,      /* e cls -- bool: is e an instance of cls (or of one in a tuple) */
    OP_PUSH_HANDLED,   /* e -- e; e is the exception being handled (bare raise,
                          __context__) until OP_POP_HANDLED or a reraise of it */
    OP_POP_HANDLED,    /* -- */
    OP_WITH_ENTER,     /* mgr -- mgr mgr.__enter__() */
    OP_WITH_EXIT,      /* arg 0: mgr -- ; mgr.__exit__(None, None, None). arg k > 0:
                          -- ; the same on the frame's stack slot k - 1 (a return) */
    OP_WITH_EXIT_EXC,  /* mgr e -- mgr e suppress: mgr.__exit__(type(e), e, None) */
    OP_EXC_VALUE,      /* e -- the object the program sees for e (lang_exc_value) */
    OP_CALL_DSTAR,     /* f a1..an names map -- f(a1.., names=.., **map); arg = n, the
                          values, keywords' included (a checkpoint) */
    OP_CALL_METHOD_DSTAR, /* o a1..an names map -- the same for o.m; arg as
                             OP_CALL_METHOD */
    /* sets (lang/sets.c) */
    OP_SET_FROM_LIST,  /* l -- set: a set literal's or comprehension's items */
    /* del */
    OP_DELETE_FAST,    /* -- ; unbinds local arg (an error if unbound) */
    OP_DELETE_GLOBAL,  /* -- ; removes globals[consts[arg]] (NameError if absent) */
    OP_DELETE_SUBSCR,  /* c i -- ; del c[i] */
} lang_op;

/* OP_RAISE's argument. */
enum { RAISE_BARE, RAISE_ONE, RAISE_FROM, RAISE_ASSERT, RAISE_ASSERT_MSG };

/* OP_BINARY's argument. The comparison operators are binary ops too. */
typedef enum lang_binop {
    BIN_ADD, BIN_SUB, BIN_MUL, BIN_DIV, BIN_FLOORDIV, BIN_MOD, BIN_POW,
    BIN_LSHIFT, BIN_RSHIFT, BIN_AND, BIN_XOR, BIN_OR, /* ints only: before the comparisons */
    BIN_EQ, BIN_NE, BIN_LT, BIN_LE, BIN_GT, BIN_GE, BIN_IN, BIN_NOT_IN,
    BIN_IS, BIN_IS_NOT,
} lang_binop;

#define FORMAT_HAS_SPEC 0x100

#define LANG_ARG_MAX ((1u << 24) - 1)
#define LANG_INS(op, arg) ((uint32_t)(op) | ((uint32_t)(arg) << 8))
#define LANG_OP(ins) ((lang_op)((ins) & 0xff))
#define LANG_ARG(ins) ((ins) >> 8)

/*
 * A code object: the compiled body of a module or a function. Immutable once
 * built. Its constants are atoms (int, float, str, None, bools) and nested
 * code objects, so code objects form a tree and never a cycle: the type
 * needs no traverse/clear and is not tracked by the collector.
 */
typedef struct lang_code {
    rc_object base;
    uint32_t *ins;
    int32_t *lines;
    int32_t n_ins;
    rc_object **consts;  /* strong references */
    int32_t n_consts;
    int32_t nparams;     /* the first nparams locals are the parameters */
    int32_t nlocals;
    int32_t stacksize;   /* the most values the body ever has on the stack */
    rc_object *name;     /* str: the function's name, or "<module>" */
    rc_object **localnames; /* nlocals strs, for messages */
    bool varargs;        /* `*args`: local nparams is a tuple of the extra
                            positional arguments */
    bool varkw;          /* `**kwargs`: local nparams + varargs is a dict of the
                            keyword arguments that name no parameter */
    int32_t nkwonly;     /* the last nkwonly parameters are keyword-only */
    uint32_t kwdefaults; /* bit j: keyword-only parameter j has a default; the
                            function's defaults tuple holds the positional
                            ones' defaults, then these, in order */
    /* The exception table: n_handlers entries of 4 ints, {start, end,
     * target, depth}: an error at an instruction in [start, end) unwinds
     * the value stack to depth values, pushes the exception and jumps to
     * target. Inner ranges come before the ranges that contain them, so the
     * first entry that covers an instruction is its innermost handler. */
    int32_t *handlers;
    int32_t n_handlers;
} lang_code;

extern rc_type lang_code_type;

#endif /* LANG_CODE_H */
