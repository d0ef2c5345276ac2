/*
 * lang/compiler.c -- a one-pass compiler: recursive descent over the tokens,
 * emitting bytecode as it goes, as Lua's parser does (no syntax tree).
 *
 * Scopes. Module-level names are globals. In a function, a name is local if
 * the body assigns it (=, +=, for, def) or it is a parameter, unless the
 * body declares it `global`; that is Python's rule, and it needs the whole
 * body, so compile_def first scans the body's tokens for assignments
 * (scan_locals). Any other name resolves to the innermost enclosing
 * function that has it as a local (a closure variable, OP_LOAD_DEREF), else
 * to a global. Every call gets a heap env holding its locals; a function
 * closes over the env of the call that created it. A class body is
 * compiled as a function too (class_statement), whose locals become the
 * class's attributes; the functions nested in it skip its names when they
 * resolve theirs, but for __class__, which super() reads.
 *
 * Assignment. Python evaluates the value before the targets, which come
 * first in the source: a statement with a top-level '=' (found by looking
 * ahead along its line, last_assign) is compiled value first, and then
 * the compiler goes back to read its targets (target_list), as `for` does
 * with its targets after the iterable. A target c[i] is parsed as an
 * expression and turned around: its last instruction, OP_SUBSCR, is taken
 * back and a store emitted instead. An augmented assignment (`x += 1`)
 * reads its target as an expression the same way.
 *
 * Defaults of parameters are evaluated when the def runs, in the
 * enclosing function: they are compiled there (c->fs switched back to it
 * for each) while the function's own state waits on a pending chain.
 *
 * Lookups. A function may have tens of thousands of local names and
 * constants, and every use of a name resolves it and every literal and
 * global name looks for an equal constant: linear searches made compile time
 * quadratic (20,000 locals took seconds). Names and constants are therefore
 * indexed by small open-addressing tables of positions (slot_table), built
 * beside the arrays that keep their order. Not the runtime's rc dict: a name
 * is a span of the source, and looking one up in a dict would allocate a str
 * for every use of a name; and constants must match by type as well as value
 * (1, 1.0 and True are one dict key, but three constants).
 *
 * Errors. A syntax error longjmps back to lang_compile, which frees every
 * function state still open. Everything allocated (constants included) is
 * owned by an open function state from the moment it exists, so the jump
 * leaks nothing. Nesting depth is bounded, so hostile input cannot exhaust
 * the C stack.
 */
#include "lang/compiler.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/code.h"

#define MAX_NEST 200        /* nested expressions and blocks together */
#define MAX_ARGS 255        /* OP_CALL_METHOD keeps the count in 8 bits */
#define MAX_KWARGS 32       /* keyword arguments in one call (a stack array) */
#define MAX_LOCALS 65535    /* OP_LOAD_DEREF keeps the index in 16 bits */
#define MAX_DEPTH 255       /* ... and the number of levels up in 8 */
#define MAX_LITERAL 10000   /* items in one list/tuple/dict literal (stack) */
#define NO_JUMP LANG_ARG_MAX

/* A name: a span of the source. */
typedef struct name {
    const char *s;
    size_t len;
} name;

/* Positions in an array, found by hash: open addressing with linear
 * probing. Invariants: nslots is 0 or a power of two; a slot holds a
 * position + 1, 0 when empty; at most half the slots are full, so a probe
 * ends at an empty slot soon. Positions are never removed one by one (the
 * table is rebuilt instead), so a probe never needs a tombstone. */
typedef struct slot_table {
    int *slots;
    int nslots, used;
} slot_table;

/* Names in order of first addition (local i is slot i of a call's env),
 * with an index. */
typedef struct name_list {
    name *items;
    int n, cap;
    slot_table index;
} name_list;

typedef struct loop_ctx {
    struct loop_ctx *up;
    int start;       /* where `continue` jumps */
    uint32_t breaks; /* a chain of break jumps through their arguments */
    bool is_for;     /* break must pop the iterator */
    int line;        /* of the loop's header */
} loop_ctx;

/* A block that a try, except, finally or with statement opens: the range
 * of instructions an exception table entry covers, and what leaving it by
 * return, break or continue must do (exit_blocks). Blocks live on the C
 * stack of the statement that opens them, chained innermost first. */
typedef enum block_kind {
    B_TRY,     /* a try body with except clauses: nothing to do on leaving */
    B_FINALLY, /* a try (with its except and else parts) that has a finally */
    B_HANDLER, /* an except/finally body or with's exit: the exception on the
                  stack top is being handled (OP_PUSH_HANDLED) */
    B_WITH,    /* a with body: the manager on the stack top; __exit__ on leaving */
} block_kind;

typedef struct block {
    struct block *up;
    block_kind kind;
    loop_ctx *loop; /* the innermost loop when it opened: break leaves the
                       blocks opened inside the loop it breaks */
    int id;         /* its entries' target is -(id + 1) until place_handler */
    int seg_start;  /* the first instruction of the range being covered; -1
                       while an exit sequence runs outside it */
    int depth;      /* the stack depth its handler unwinds to */
    int fin_colon;  /* B_FINALLY: the token index of the finally block's ':' */
} block;

#define MAX_BLOCKS 20   /* statically nested blocks, Python's limit */
#define MAX_FIN_NEST 4  /* finally blocks compiled inside finally blocks */

/* The state of one function (or the module) being compiled. Heap-allocated
 * and chained through parent, so that a syntax error can free them all. */
typedef struct fstate {
    struct fstate *parent;
    bool is_module;
    uint32_t *ins;
    int32_t *lines;
    int n, cap;
    rc_object **consts;
    int nconsts, constcap;
    slot_table const_index; /* of every constant but code objects */
    name_list locals; /* parameters first */
    name_list globals;
    int nparams;
    int depth, maxdepth;
    loop_ctx *loop;
    block *blocks;      /* innermost first */
    int nblocks, next_block;
    int32_t *handlers;  /* the exception table (code.h), 4 ints an entry */
    int n_handlers, cap_handlers;
    name fname;
    /* While the defaults of a function's parameters compile (in the
     * enclosing function, which is c->fs then), the function's own state is
     * off the c->fs chain; it is on the compiler's pending chain instead,
     * through this link, so that a syntax error frees it too. */
    struct fstate *pending_up;
    /* A class body (class_statement): its names are not visible to the
     * functions nested in it, but for __class__ (super()). */
    bool is_class;
    bool varargs; /* `*args` (parameters) */
    bool varkw;   /* `**kwargs` (parameters), after varargs */
    int nkwonly;  /* the last nkwonly of the nparams are keyword-only */
    uint32_t kwdefaults; /* bit j: keyword-only parameter j has a default */
} fstate;

/* EK_ATTR: the expression ended with OP_LOAD_ATTR (a target o.x). */
typedef enum expr_kind { EK_OTHER, EK_NAME, EK_SUBSCR, EK_ATTR } expr_kind;

typedef struct compiler {
    lang_tokens toks;
    int pos;
    int nest;
    int last_name; /* token index of the name an EK_NAME expression loaded */
    fstate *fs;    /* innermost open function state */
    fstate *pending; /* function states waiting for their defaults (fstate) */
    lang_syntax_error *err;
    int fin_nest; /* finally bodies being compiled, one inside another */
    jmp_buf fail;
} compiler;

static expr_kind expression(compiler *c);
static void statement(compiler *c);
static int parameters(compiler *c, fstate *fs, lang_tok close);
static void make_function(compiler *c, int ndefaults);
static void testlist(compiler *c);
static expr_kind bool_op(compiler *c, lang_tok tok, lang_op jump);
static bool ends_list(lang_tok k);
static bool is_opener(lang_tok k);
static bool is_closer(lang_tok k);
static bool is_aug(lang_tok k);
static void target_list(compiler *c);
static int comprehension_for(compiler *c, lang_tok close);
static void comprehension(compiler *c, int for_at, bool is_dict, lang_tok close);

/* ---- errors and tokens ------------------------------------------------------ */

static RC_NORETURN void fail_at(compiler *c, const lang_token *t, const char *fmt, ...)
    RC_PRINTF(3, 4);

static RC_NORETURN void fail_at(compiler *c, const lang_token *t, const char *fmt, ...) {
    c->err->line = t->line;
    c->err->col = t->col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err->message, sizeof c->err->message, fmt, ap);
    va_end(ap);
    longjmp(c->fail, 1);
}

static lang_token *peek(compiler *c) {
    return &c->toks.items[c->pos];
}

static lang_token *next(compiler *c) {
    lang_token *t = peek(c);
    if (t->kind != TK_EOF) /* EOF is sticky: the parser can never run off the end */
        c->pos++;
    return t;
}

static bool check(compiler *c, lang_tok kind) {
    return peek(c)->kind == kind;
}

static bool accept(compiler *c, lang_tok kind) {
    if (!check(c, kind))
        return false;
    next(c);
    return true;
}

static RC_NORETURN void fail_expected(compiler *c, const char *what) {
    lang_token *t = peek(c);
    if (t->len > 0 && t->len <= 20 && t->kind != TK_NEWLINE)
        fail_at(c, t, "expected %s, found '%.*s'", what, (int)t->len, t->start);
    fail_at(c, t, "expected %s, found %s", what, lang_tok_name(t->kind));
}

static lang_token *expect(compiler *c, lang_tok kind, const char *what) {
    if (!check(c, kind))
        fail_expected(c, what);
    return next(c);
}

static void enter(compiler *c) {
    if (++c->nest > MAX_NEST)
        fail_at(c, peek(c), "too deeply nested");
}

static void leave(compiler *c) {
    c->nest--;
}

/* An rc_mem_* allocation failed (RC_ENOMEM is in refcore's error slot). */
static RC_NORETURN void fail_nomem(compiler *c) {
    c->err->out_of_memory = true;
    fail_at(c, peek(c), "out of memory");
}

/* A refcore call failed at t: its own message, and out of memory marked as
 * such, so that neither is reported as a fault of the source. */
static RC_NORETURN void fail_rc(compiler *c, const lang_token *t) {
    c->err->out_of_memory = rc_error_code() == RC_ENOMEM;
    fail_at(c, t, "%s", rc_error_message());
}

/* ---- function states, names, constants ------------------------------------ */

static void *grow(compiler *c, void *p, int *cap, size_t item) {
    int ncap = *cap ? *cap * 2 : 16;
    void *q = rc_mem_realloc(p, (size_t)ncap * item);
    if (!q)
        fail_nomem(c);
    *cap = ncap;
    return q;
}

/* The first slot to probe for hash h. The hash is mixed first (splitmix64's
 * finalizer): an int's hash is its value, so consecutive int constants
 * would fill a run of consecutive slots, and with linear probing every
 * other hash landing in that run would walk it to its end. */
static int slot_start(const slot_table *t, uint64_t h) {
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9u;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebu;
    h ^= h >> 31;
    return (int)(h & (uint64_t)(t->nslots - 1));
}

static int slot_next(const slot_table *t, int i) {
    return (i + 1) & (t->nslots - 1);
}

/* Replaces t with an empty table that holds count positions at most half
 * full. The caller then puts every position back (slot_put), since where a
 * position goes depends on nslots. */
static void slot_clear(compiler *c, slot_table *t, int count) {
    if (count > INT_MAX / 4) /* 2 * count, and n below, must not overflow */
        fail_nomem(c);
    int n = 16;
    while (n < 2 * count)
        n *= 2;
    int *slots = rc_mem_calloc((size_t)n * sizeof *slots);
    if (!slots)
        fail_nomem(c);
    rc_mem_free(t->slots);
    *t = (slot_table){slots, n, 0};
}

/* Makes room for one more position. Returns true when that emptied the
 * table (slot_clear): the caller must put every position back. Doubling
 * keeps the cost of the rebuilds linear in the number of positions. */
static bool slot_reserve(compiler *c, slot_table *t) {
    if (2 * (t->used + 1) <= t->nslots)
        return false;
    slot_clear(c, t, t->nslots ? t->nslots : 8);
    return true;
}

/* Puts position pos, whose hash is h, in the first empty slot of its probe.
 * pre: slot_reserve made room. */
static void slot_put(slot_table *t, uint64_t h, int pos) {
    int i = slot_start(t, h);
    while (t->slots[i] != 0)
        i = slot_next(t, i);
    t->slots[i] = pos + 1;
    t->used++;
}

/* FNV-1a: names are short, and any decent spread will do. */
static uint64_t name_hash(name nm) {
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < nm.len; i++)
        h = (h ^ (unsigned char)nm.s[i]) * 1099511628211u;
    return h;
}

static bool name_eq(name a, name b) {
    return a.len == b.len && memcmp(a.s, b.s, a.len) == 0;
}

static int name_find(const name_list *l, name nm) {
    const slot_table *t = &l->index;
    if (t->nslots == 0)
        return -1;
    for (int i = slot_start(t, name_hash(nm)); t->slots[i] != 0; i = slot_next(t, i))
        if (name_eq(l->items[t->slots[i] - 1], nm))
            return t->slots[i] - 1;
    return -1;
}

/* Puts the first n names of l in its (empty) index. */
static void name_index_all(name_list *l, int n) {
    for (int i = 0; i < n; i++)
        slot_put(&l->index, name_hash(l->items[i]), i);
}

/* Rebuilds l's index after names moved or went. */
static void name_reindex(compiler *c, name_list *l) {
    slot_clear(c, &l->index, l->n);
    name_index_all(l, l->n);
}

/* Adds nm unless present; returns its index. */
static int name_add(compiler *c, name_list *l, name nm) {
    int i = name_find(l, nm);
    if (i >= 0)
        return i;
    if (l->n == l->cap)
        l->items = grow(c, l->items, &l->cap, sizeof *l->items);
    l->items[l->n] = nm;
    if (slot_reserve(c, &l->index))
        name_index_all(l, l->n);
    slot_put(&l->index, name_hash(nm), l->n);
    return l->n++;
}

static name tok_name(const lang_token *t) {
    return (name){t->start, t->len};
}

static void fstate_free(fstate *fs) {
    for (int i = 0; i < fs->nconsts; i++)
        rc_xdecref(fs->consts[i]);
    rc_mem_free(fs->consts);
    rc_mem_free(fs->ins);
    rc_mem_free(fs->lines);
    rc_mem_free(fs->handlers);
    rc_mem_free(fs->const_index.slots);
    rc_mem_free(fs->locals.items);
    rc_mem_free(fs->locals.index.slots);
    rc_mem_free(fs->globals.items);
    rc_mem_free(fs->globals.index.slots);
    rc_mem_free(fs);
}

static fstate *fstate_open(compiler *c, name fname, bool is_module) {
    fstate *fs = rc_mem_calloc(sizeof *fs);
    if (!fs)
        fail_nomem(c);
    fs->parent = c->fs;
    fs->is_module = is_module;
    fs->fname = fname;
    c->fs = fs; /* owned by the chain from here on */
    return fs;
}

/* The position of a constant of o's type equal to o, whose hash is h;
 * -1 if there is none. */
static int find_const(const fstate *fs, rc_object *o, uint64_t h) {
    const slot_table *t = &fs->const_index;
    if (t->nslots == 0)
        return -1;
    for (int i = slot_start(t, h); t->slots[i] != 0; i = slot_next(t, i)) {
        rc_object *k = fs->consts[t->slots[i] - 1];
        if (rc_object_type(k) == rc_object_type(o) && rc_object_equal(k, o) == 1)
            return t->slots[i] - 1;
    }
    return -1;
}

/* Puts every constant but the code objects in the (empty) index. Their
 * hashes succeeded when they were added, and a hash does not change. */
static void index_consts(fstate *fs) {
    for (int j = 0; j < fs->nconsts; j++) {
        uint64_t h;
        if (rc_object_type(fs->consts[j]) != &lang_code_type &&
            rc_object_hash(fs->consts[j], &h) == RC_OK)
            slot_put(&fs->const_index, h, j);
    }
}

/* Adds o (a new reference, stolen; NULL means an allocation failed) to the
 * constants, reusing an equal constant of the same type. Returns its index. */
static uint32_t add_const(compiler *c, rc_object *o) {
    fstate *fs = c->fs;
    if (!o)
        fail_rc(c, peek(c));
    /* Code objects are never shared (and have no hash); every other
     * constant (None, bool, int, float, str) is hashable. */
    bool indexed = rc_object_type(o) != &lang_code_type;
    uint64_t h = 0;
    if (indexed && rc_object_hash(o, &h) != RC_OK) {
        rc_decref(o);
        fail_rc(c, peek(c));
    }
    int i = indexed ? find_const(fs, o, h) : -1;
    if (i >= 0) {
        rc_decref(o);
        return (uint32_t)i;
    }
    if (fs->nconsts == fs->constcap) {
        void *p = rc_mem_realloc(fs->consts, (size_t)(fs->constcap ? fs->constcap * 2 : 16) *
                                          sizeof *fs->consts);
        if (!p) {
            rc_decref(o);
            fail_nomem(c);
        }
        fs->consts = p;
        fs->constcap = fs->constcap ? fs->constcap * 2 : 16;
    }
    if (fs->nconsts >= 65535) {
        rc_decref(o);
        fail_at(c, peek(c), "too many constants in one function");
    }
    int pos = fs->nconsts++;
    fs->consts[pos] = o; /* owned by the function state from here on */
    if (indexed && slot_reserve(c, &fs->const_index))
        index_consts(fs); /* o included */
    else if (indexed)
        slot_put(&fs->const_index, h, pos);
    return (uint32_t)pos;
}

/* An interned str constant for a name: interned strs are immortal and have
 * their hash cached, so global lookups by name cost one probe. */
static uint32_t name_const(compiler *c, name nm) {
    rc_object *tmp = rc_str_from_utf8(nm.s, nm.len);
    rc_object *s = tmp ? rc_str_intern(tmp) : NULL;
    rc_xdecref(tmp);
    return add_const(c, s);
}

/* ---- emitting ------------------------------------------------------------------ */

/* Emits one instruction whose stack effect is delta; returns its index. */
static int emit(compiler *c, lang_op op, uint32_t arg, int delta) {
    fstate *fs = c->fs;
    if (arg > LANG_ARG_MAX)
        fail_at(c, peek(c), "function too large");
    if (fs->n == fs->cap) {
        int cap = fs->cap;
        fs->ins = grow(c, fs->ins, &cap, sizeof *fs->ins);
        int cap2 = fs->cap;
        fs->lines = grow(c, fs->lines, &cap2, sizeof *fs->lines);
        fs->cap = cap;
    }
    const lang_token *last = &c->toks.items[c->pos > 0 ? c->pos - 1 : 0];
    fs->ins[fs->n] = LANG_INS(op, arg);
    fs->lines[fs->n] = last->line;
    fs->depth += delta;
    if (fs->depth > fs->maxdepth)
        fs->maxdepth = fs->depth;
    return fs->n++;
}

/* Takes back the last instruction, which had stack effect delta. */
static void unemit(compiler *c, int delta) {
    c->fs->n--;
    c->fs->depth -= delta;
}

static void patch(compiler *c, int at, int target) {
    c->fs->ins[at] = LANG_INS(LANG_OP(c->fs->ins[at]), (uint32_t)target);
}

static int here(compiler *c) {
    return c->fs->n;
}

/* ---- names: resolve, load, store ----------------------------------------------- */

/* The hidden locals of a class body (class_statement): its base, a
 * parameter (a name no source can spell), and __class__, for super(). */
static const name class_base = {".base", 5}, class_cell = {"__class__", 9};
#define CLASS_FIRST_ATTR 2 /* the locals from here on are the class's attributes */

typedef struct resolved {
    lang_op load, store;
    uint32_t arg;
} resolved;

static resolved resolve_name(compiler *c, const lang_token *t, name nm) {
    fstate *fs = c->fs;
    if (!fs->is_module && name_find(&fs->globals, nm) < 0) {
        int i = name_find(&fs->locals, nm);
        if (i >= 0)
            return (resolved){OP_LOAD_FAST, OP_STORE_FAST, (uint32_t)i};
        uint32_t depth = 1;
        for (fstate *p = fs->parent; p && !p->is_module; p = p->parent, depth++) {
            if (p->is_class && !name_eq(nm, class_cell))
                continue; /* a class body's names are not a method's */
            if (name_find(&p->globals, nm) >= 0)
                break;
            i = name_find(&p->locals, nm);
            if (i >= 0) {
                if (depth > MAX_DEPTH || i > MAX_LOCALS)
                    fail_at(c, t, "closure too deeply nested");
                return (resolved){OP_LOAD_DEREF, OP_STORE_DEREF, depth << 16 | (uint32_t)i};
            }
        }
    }
    return (resolved){OP_LOAD_GLOBAL, OP_STORE_GLOBAL, name_const(c, nm)};
}

static resolved resolve(compiler *c, const lang_token *t) {
    return resolve_name(c, t, tok_name(t));
}

static void load_name(compiler *c, const lang_token *t) {
    resolved r = resolve(c, t);
    emit(c, r.load, r.arg, +1);
}

static void store_name(compiler *c, const lang_token *t) {
    resolved r = resolve(c, t);
    emit(c, r.store, r.arg, -1);
}

/* ---- expressions ------------------------------------------------------------------ */

/* Comma-separated expressions up to `close`; returns how many. */
static int expr_list(compiler *c, lang_tok close, int max, const char *what) {
    int n = 0;
    while (!check(c, close)) {
        if (n == max)
            fail_at(c, peek(c), "too many %s", what);
        expression(c);
        n++;
        if (!accept(c, TK_COMMA))
            break;
    }
    return n;
}

/* The tuple of the keyword names at the tokens kw[0..n), interned, as a
 * constant; a repeated keyword is a syntax error. */
static uint32_t kwnames_const(compiler *c, const int *kw, int n) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (name_eq(tok_name(&c->toks.items[kw[i]]), tok_name(&c->toks.items[kw[j]])))
                fail_at(c, &c->toks.items[kw[i]], "keyword argument repeated");
    rc_object *names = rc_tuple_new(n);
    for (int i = 0; names && i < n; i++) {
        const lang_token *t = &c->toks.items[kw[i]];
        rc_object *tmp = rc_str_from_utf8(t->start, t->len);
        rc_object *nm = tmp ? rc_str_intern(tmp) : NULL;
        rc_xdecref(tmp);
        if (!nm)
            rc_clear_ref(&names);
        else
            rc_tuple_set_steal(names, i, nm); /* cannot fail: fresh, in range */
    }
    return add_const(c, names); /* fails (longjmp) for NULL */
}

/* A call's arguments up to ')': positional ones, then `name=value` ones.
 * Leaves the values on the stack and, when there are keywords, the tuple
 * of their names above them (OP_CALL_KW). Returns how many values;
 * *has_kw tells whether the tuple is there. With a `*seq` argument the
 * values go into one list instead (*spread set, for OP_CALL_SPREAD): the
 * ones before it by OP_BUILD_LIST, then each one appended or, for
 * `*seq`, extended by. A `**map` argument, last and without `*seq`,
 * leaves the names' tuple (empty if none) and the map above the values
 * (*dstar set, for OP_CALL_DSTAR), the names before the map: Python
 * evaluates the arguments left to right. */
static int call_args(compiler *c, bool *has_kw, bool *spread, bool *dstar) {
    int n = 0, nkw = 0, kw[MAX_KWARGS], gen_for;
    *spread = *dstar = false;
    while (!check(c, TK_RPAREN)) {
        if (n == MAX_ARGS)
            fail_at(c, peek(c), "too many arguments");
        if (check(c, TK_DSTAR)) {
            if (*spread)
                fail_at(c, peek(c), "**map with *args in one call is not supported");
            next(c);
            emit(c, OP_LOAD_CONST, kwnames_const(c, kw, nkw), +1);
            expression(c);
            *dstar = true;
            accept(c, TK_COMMA);
            if (!check(c, TK_RPAREN))
                fail_at(c, peek(c), "arguments after **map are not supported");
            *has_kw = false;
            return n;
        }
        if (check(c, TK_STAR) && nkw == 0) {
            if (!*spread)
                emit(c, OP_BUILD_LIST, (uint32_t)n, 1 - n);
            *spread = true;
            next(c);
            expression(c);
            emit(c, OP_LIST_EXTEND, 0, -1);
            n++;
            if (!accept(c, TK_COMMA))
                break;
            continue;
        }
        if (*spread && check(c, TK_NAME) && c->toks.items[c->pos + 1].kind == TK_ASSIGN)
            fail_at(c, peek(c), "keyword arguments with *args are not supported");
        if (check(c, TK_NAME) && c->toks.items[c->pos + 1].kind == TK_ASSIGN) {
            if (nkw == MAX_KWARGS)
                fail_at(c, peek(c), "too many keyword arguments");
            kw[nkw++] = c->pos;
            c->pos += 2;
        } else if (nkw > 0) {
            fail_at(c, peek(c), "positional argument follows keyword argument");
        } else if (n == 0 && (gen_for = comprehension_for(c, TK_RPAREN)) >= 0) {
            comprehension(c, gen_for, false, TK_RPAREN);
            n++;
            break; /* `f(x for x in l)`: the only argument */
        }
        expression(c);
        if (*spread)
            emit(c, OP_LIST_APPEND, 0, -1);
        n++;
        if (!accept(c, TK_COMMA))
            break;
    }
    *has_kw = nkw > 0;
    if (nkw > 0)
        emit(c, OP_LOAD_CONST, kwnames_const(c, kw, nkw), +1);
    return n;
}

/* `lambda params: expression`, the 'lambda' consumed: a function whose
 * body returns the expression. It assigns no names, so its locals are its
 * parameters and it needs no scan_locals. */
static void lambda_expr(compiler *c) {
    static const char lambda_name[] = "<lambda>";
    fstate *fs = fstate_open(c, (name){lambda_name, sizeof lambda_name - 1}, false);
    int ndefaults = parameters(c, fs, TK_COLON);
    expect(c, TK_COLON, "':'");
    expression(c);
    emit(c, OP_RETURN, 0, -1);
    make_function(c, ndefaults);
}

/* ---- comprehensions ---------------------------------------------------------- */

/* The 'for' of a comprehension whose element starts at c->pos, inside
 * brackets closed by close: a 'for' outside nested brackets before the
 * first ',' or the close; -1 if there is none (a plain literal). */
static int comprehension_for(compiler *c, lang_tok close) {
    const lang_token *t = c->toks.items;
    for (int i = c->pos, depth = 0; t[i].kind != TK_EOF; i++) {
        lang_tok k = t[i].kind;
        if (depth == 0 && (k == close || k == TK_COMMA))
            return -1;
        if (depth == 0 && k == TK_FOR)
            return i;
        if (is_opener(k))
            depth++;
        else if (is_closer(k) && --depth < 0)
            return -1;
    }
    return -1;
}

/* The clauses of a comprehension from c->pos ('for' or 'if' or the end),
 * then, innermost, its element (at token elem, which ends at the first
 * 'for', for_at): one nested loop per 'for', one skip per 'if'. depth is
 * how many iterators are on the stack above the result. */
static void comp_clauses(compiler *c, int elem, int for_at, bool is_dict, int depth) {
    enter(c);
    if (accept(c, TK_FOR)) {
        int targets = c->pos;
        for (int d = 0; !check(c, TK_EOF) && !(d == 0 && ends_list(peek(c)->kind));) {
            lang_tok k = next(c)->kind; /* to the 'in' */
            d += is_opener(k) ? 1 : is_closer(k) ? -1 : 0;
        }
        expect(c, TK_IN, "'in'");
        bool_op(c, TK_OR, OP_JUMP_IF_TRUE_OR_POP); /* not a lambda: its ':' would be taken */
        int after = c->pos;
        emit(c, OP_GET_ITER, 0, 0);
        int start = here(c), jf = emit(c, OP_FOR_ITER, NO_JUMP, +1);
        c->pos = targets;
        target_list(c);
        c->pos = after;
        comp_clauses(c, elem, for_at, is_dict, depth + 1);
        emit(c, OP_JUMP, (uint32_t)start, 0);
        patch(c, jf, here(c));
        c->fs->depth--; /* the exhausted FOR_ITER popped the iterator */
    } else if (accept(c, TK_IF)) {
        bool_op(c, TK_OR, OP_JUMP_IF_TRUE_OR_POP);
        int jf = emit(c, OP_POP_JUMP_IF_FALSE, NO_JUMP, -1);
        comp_clauses(c, elem, for_at, is_dict, depth);
        patch(c, jf, here(c)); /* to the enclosing loop's jump back */
    } else { /* the element, read now from before the first 'for' */
        int end = c->pos;
        c->pos = elem;
        expression(c);
        if (is_dict) {
            expect(c, TK_COLON, "':'");
            expression(c);
        }
        if (c->pos != for_at)
            fail_expected(c, "'for'");
        emit(c, is_dict ? OP_MAP_ADD : OP_LIST_APPEND, (uint32_t)depth, is_dict ? -2 : -1);
        c->pos = end;
    }
    leave(c);
}

/* `[e for ...]`, `{k: v for ...}`, and `(e for ...)`, which refpy makes a
 * list at once (README): the element is compiled last, inside the loops
 * (comp_clauses); the loops' variables are the enclosing scope's. Leaves
 * c->pos at close. */
static void comprehension(compiler *c, int for_at, bool is_dict, lang_tok close) {
    int elem = c->pos;
    emit(c, is_dict ? OP_BUILD_DICT : OP_BUILD_LIST, 0, +1);
    c->pos = for_at;
    comp_clauses(c, elem, for_at, is_dict, 0);
    if (!check(c, close)) {
        char what[16];
        snprintf(what, sizeof what, "'%s'", lang_tok_name(close));
        fail_expected(c, what);
    }
}

static void paren_or_tuple(compiler *c) {
    if (accept(c, TK_RPAREN)) {
        emit(c, OP_BUILD_TUPLE, 0, +1);
        return;
    }
    int for_at = comprehension_for(c, TK_RPAREN);
    if (for_at >= 0) {
        comprehension(c, for_at, false, TK_RPAREN);
        next(c);
        return;
    }
    expression(c);
    if (accept(c, TK_COMMA)) {
        int n = 1 + expr_list(c, TK_RPAREN, MAX_LITERAL - 1, "items in a tuple");
        emit(c, OP_BUILD_TUPLE, (uint32_t)n, 1 - n);
    }
    expect(c, TK_RPAREN, "')'");
}

/* Whether the braces at c->pos hold a dict: empty, or a ':' at their top
 * level before the first ',' or 'for' (a set's items have none, but for a
 * lambda's, which a set literal rarely holds and which then fails to
 * compile as a dict). */
static bool braces_hold_dict(compiler *c) {
    const lang_token *t = c->toks.items;
    for (int i = c->pos, depth = 0; t[i].kind != TK_EOF; i++) {
        lang_tok k = t[i].kind;
        if (is_opener(k) || k == TK_FSTRING_START)
            depth++;
        else if (depth > 0 && (is_closer(k) || k == TK_FSTRING_END))
            depth--;
        else if (k == TK_RBRACE)
            return i == c->pos;
        else if (depth == 0 && (k == TK_COMMA || k == TK_FOR))
            return false;
        else if (depth == 0 && k == TK_COLON)
            return true;
    }
    return true;
}

/* `{...}`: a dict, a set, or a comprehension of either. A set is built as
 * a list first, then OP_SET_FROM_LIST (its items are evaluated in order,
 * as Python does, and an unhashable one fails there). */
static void brace_literal(compiler *c) {
    bool is_dict = braces_hold_dict(c);
    int n = 0, for_at = comprehension_for(c, TK_RBRACE);
    if (for_at >= 0) {
        comprehension(c, for_at, is_dict, TK_RBRACE);
        next(c);
        if (!is_dict)
            emit(c, OP_SET_FROM_LIST, 0, 0);
        return;
    }
    if (!is_dict) {
        n = expr_list(c, TK_RBRACE, MAX_LITERAL, "items in a set literal");
        expect(c, TK_RBRACE, "'}'");
        emit(c, OP_BUILD_LIST, (uint32_t)n, 1 - n);
        emit(c, OP_SET_FROM_LIST, 0, 0);
        return;
    }
    while (!check(c, TK_RBRACE)) {
        if (n == MAX_LITERAL)
            fail_at(c, peek(c), "too many items in a dict literal");
        expression(c);
        expect(c, TK_COLON, "':'");
        expression(c);
        n++;
        if (!accept(c, TK_COMMA))
            break;
    }
    expect(c, TK_RBRACE, "'}'");
    emit(c, OP_BUILD_DICT, (uint32_t)n, 1 - 2 * n);
}

/* Loads the str of a TK_STRING token's bytes, or of len bytes at s. */
static void load_str(compiler *c, const lang_token *t, const char *s, size_t len) {
    rc_object *o = rc_str_from_utf8(s, len);
    if (!o && rc_error_code() == RC_EVALUE)
        fail_at(c, t, "invalid UTF-8 in string literal");
    if (!o)
        fail_rc(c, t);
    emit(c, OP_LOAD_CONST, add_const(c, o), +1);
}

/* One {field} of an f-string, its FEXPR_BEGIN consumed: the `x=` text of
 * the = specifier, then the value converted and formatted (format.h).
 * With `=` and neither a conversion nor a spec, the value's repr, as in
 * Python. Returns how many strs it left on the stack. */
static int fstring_field(compiler *c, const lang_token *begin) {
    int n = 0;
    if (begin->ival) {
        load_str(c, begin, begin->start, begin->len);
        n++;
    }
    expression(c);
    const lang_token *end = expect(c, TK_FEXPR_END, "'}'");
    uint32_t conv = (uint32_t)end->ival;
    bool spec = end->sval && end->slen > 0;
    if (begin->ival && !conv && !spec)
        conv = 'r';
    if (spec)
        load_str(c, end, end->sval, end->slen);
    emit(c, OP_FORMAT_VALUE, conv | (spec ? FORMAT_HAS_SPEC : 0), spec ? -1 : 0);
    return n + 1;
}

/* String literals side by side, joined as in Python ('a' "b" f"{c}"). A
 * single plain literal is one constant; anything else is joined at run
 * time from its pieces (OP_BUILD_STRING). */
static void strings(compiler *c) {
    int n = 0;
    bool plain = true;
    while (check(c, TK_STRING) || check(c, TK_FSTRING_START)) {
        lang_token *t = next(c);
        if (n >= MAX_LITERAL)
            fail_at(c, t, "too many pieces in a string");
        if (t->kind == TK_STRING) {
            load_str(c, t, t->sval, t->slen);
            n++;
            continue;
        }
        plain = false;
        while (!accept(c, TK_FSTRING_END)) {
            if (n >= MAX_LITERAL)
                fail_at(c, peek(c), "too many pieces in a string");
            lang_token *p = next(c);
            if (p->kind == TK_STRING)
                load_str(c, p, p->sval, p->slen), n++;
            else
                n += fstring_field(c, p); /* the lexer made p a FEXPR_BEGIN */
        }
    }
    if (n == 0) /* f"" */
        emit(c, OP_LOAD_CONST, add_const(c, rc_str_from_cstr("")), +1);
    else if (n > 1 || !plain)
        emit(c, OP_BUILD_STRING, (uint32_t)n, 1 - n);
}

/* `super()`, its name consumed: in a method (a def directly in a class
 * body), the class the method is defined in (the body's __class__) and
 * the method's first parameter, as Python's zero-argument super() takes
 * them. */
static void super_call(compiler *c, const lang_token *t) {
    fstate *fs = c->fs;
    if (fs->is_module || fs->is_class || !fs->parent || !fs->parent->is_class)
        fail_at(c, t, "super() without arguments is supported only in a method");
    if (fs->nparams == 0)
        fail_at(c, t, "super(): the method has no arguments");
    next(c), next(c); /* ( ) */
    resolved r = resolve_name(c, t, class_cell);
    emit(c, r.load, r.arg, +1);
    emit(c, OP_LOAD_FAST, 0, +1);
    emit(c, OP_SUPER, 0, -1);
}

static expr_kind atom(compiler *c) {
    lang_token *t = next(c);
    switch (t->kind) {
    case TK_NAME:
        if (name_eq(tok_name(t), (name){"super", 5}) && check(c, TK_LPAREN) &&
            c->toks.items[c->pos + 1].kind == TK_RPAREN) {
            super_call(c, t);
            break;
        }
        load_name(c, t);
        c->last_name = (int)(t - c->toks.items);
        return EK_NAME;
    case TK_INT: {
        /* A decimal literal of more than 18 characters may pass int64_t:
         * read from its text. A based one (0x...) always has ival. */
        bool based = t->len > 1 && t->start[0] == '0' && strchr("xXoObB", t->start[1]);
        emit(c, OP_LOAD_CONST,
             add_const(c, t->len > 18 && !based ? rc_int_from_str(t->start, t->len)
                                                : rc_int_from_i64(t->ival)),
             +1);
        break;
    }
    case TK_FLOAT:
        emit(c, OP_LOAD_CONST, add_const(c, rc_float_from_double(t->fval)), +1);
        break;
    case TK_STRING:
    case TK_FSTRING_START:
        c->pos--;
        strings(c);
        break;
    case TK_TRUE:
    case TK_FALSE:
    case TK_NONE: {
        rc_object *k = t->kind == TK_NONE ? rc_none() : rc_bool_from(t->kind == TK_TRUE);
        emit(c, OP_LOAD_CONST, add_const(c, k), +1);
        break;
    }
    case TK_LPAREN:
        paren_or_tuple(c);
        break;
    case TK_LBRACKET: {
        int for_at = comprehension_for(c, TK_RBRACKET);
        if (for_at >= 0) {
            comprehension(c, for_at, false, TK_RBRACKET);
            next(c);
            break;
        }
        int n = expr_list(c, TK_RBRACKET, MAX_LITERAL, "items in a list literal");
        expect(c, TK_RBRACKET, "']'");
        emit(c, OP_BUILD_LIST, (uint32_t)n, 1 - n);
        break;
    }
    case TK_LBRACE:
        brace_literal(c);
        break;
    default:
        if (t->kind != TK_EOF)
            c->pos--; /* report the token itself */
        fail_expected(c, "an expression");
    }
    return EK_OTHER;
}

/* `.name`: an attribute (EK_ATTR), or a method call when '(' follows. */
static expr_kind attribute(compiler *c) {
    lang_token *nm = expect(c, TK_NAME, "an attribute name");
    uint32_t k = name_const(c, tok_name(nm));
    if (!accept(c, TK_LPAREN)) {
        emit(c, OP_LOAD_ATTR, k, 0);
        return EK_ATTR;
    }
    bool kw, spread, dstar;
    int n = call_args(c, &kw, &spread, &dstar);
    expect(c, TK_RPAREN, "')'");
    if (dstar)
        emit(c, OP_CALL_METHOD_DSTAR, k << 8 | (uint32_t)n, -n - 2);
    else if (spread)
        emit(c, OP_CALL_METHOD_SPREAD, k, -1);
    else if (kw)
        emit(c, OP_CALL_METHOD_KW, k << 8 | (uint32_t)n, -n - 1);
    else
        emit(c, OP_CALL_METHOD, k << 8 | (uint32_t)n, -n);
    return EK_OTHER;
}

/* One bound of a slice: an expression, or None when it is omitted. */
static void slice_part(compiler *c) {
    if (check(c, TK_COLON) || check(c, TK_RBRACKET))
        emit(c, OP_LOAD_CONST, add_const(c, rc_none()), +1);
    else
        expression(c);
}

/* `[i]` or a slice `[a:b]`, `[a:b:c]` (any part may be omitted), the '['
 * consumed. Returns true for a slice. */
static bool subscript(compiler *c) {
    slice_part(c);
    bool slice = accept(c, TK_COLON);
    if (slice) {
        slice_part(c);
        if (accept(c, TK_COLON))
            slice_part(c);
        else
            emit(c, OP_LOAD_CONST, add_const(c, rc_none()), +1);
    }
    expect(c, TK_RBRACKET, "']'");
    if (slice)
        emit(c, OP_SLICE, 0, -3);
    else
        emit(c, OP_SUBSCR, 0, -1);
    return slice;
}

static expr_kind postfix(compiler *c) {
    expr_kind kind = atom(c);
    for (;;) {
        if (accept(c, TK_LPAREN)) {
            bool kw, spread, dstar;
            int n = call_args(c, &kw, &spread, &dstar);
            expect(c, TK_RPAREN, "')'");
            if (dstar)
                emit(c, OP_CALL_DSTAR, (uint32_t)n, -n - 2);
            else if (spread)
                emit(c, OP_CALL_SPREAD, 0, -1);
            else if (kw)
                emit(c, OP_CALL_KW, (uint32_t)n, -n - 1);
            else
                emit(c, OP_CALL, (uint32_t)n, -n);
            kind = EK_OTHER;
        } else if (accept(c, TK_LBRACKET)) {
            kind = subscript(c) ? EK_OTHER : EK_SUBSCR;
        } else if (accept(c, TK_DOT)) {
            kind = attribute(c);
        } else {
            return kind;
        }
    }
}

static expr_kind unary(compiler *c);

/* a ** b: binds tighter than a unary minus on its left (-2 ** 2 is -4)
 * and looser than one on its right (2 ** -1), and groups to the right
 * (2 ** 3 ** 2 is 2 ** 9), as in Python. */
static expr_kind power(compiler *c) {
    expr_kind kind = postfix(c);
    if (!accept(c, TK_DSTAR))
        return kind;
    enter(c);
    unary(c);
    leave(c);
    emit(c, OP_BINARY, BIN_POW, -1);
    return EK_OTHER;
}

static expr_kind unary(compiler *c) {
    if (accept(c, TK_MINUS) || accept(c, TK_PLUS) || accept(c, TK_TILDE)) {
        lang_tok k = c->toks.items[c->pos - 1].kind;
        enter(c);
        unary(c);
        leave(c);
        emit(c, OP_NEGATE, k == TK_MINUS ? 0 : k == TK_TILDE ? 1 : 2, 0); /* -x, ~x, +x */
        return EK_OTHER;
    }
    return power(c);
}

/* Binary operator levels, loosest last, as Python's: * / // %, then + -,
 * then << >>, &, ^, | (comparisons bind looser still). */
static bool binop_of(lang_tok t, int level, lang_binop *op) {
    static const struct {
        lang_tok tok;
        int level;
        lang_binop op;
    } table[] = {
        {TK_STAR, 0, BIN_MUL}, {TK_SLASH, 0, BIN_DIV}, {TK_DSLASH, 0, BIN_FLOORDIV},
        {TK_PERCENT, 0, BIN_MOD}, {TK_PLUS, 1, BIN_ADD}, {TK_MINUS, 1, BIN_SUB},
        {TK_LSHIFT, 2, BIN_LSHIFT}, {TK_RSHIFT, 2, BIN_RSHIFT}, {TK_AMP, 3, BIN_AND},
        {TK_CARET, 4, BIN_XOR}, {TK_PIPE, 5, BIN_OR},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].tok == t && table[i].level == level) {
            *op = table[i].op;
            return true;
        }
    return false;
}

#define ARITH_LOOSEST 5 /* | */

static expr_kind arith(compiler *c, int level) {
    expr_kind kind = level == 0 ? unary(c) : arith(c, level - 1);
    lang_binop op;
    while (binop_of(peek(c)->kind, level, &op)) {
        next(c);
        if (level == 0)
            unary(c);
        else
            arith(c, level - 1);
        emit(c, OP_BINARY, op, -1);
        kind = EK_OTHER;
    }
    return kind;
}

/* A comparison operator at the current token, consumed; false if none. */
static bool compare_op(compiler *c, lang_binop *op) {
    static const struct {
        lang_tok tok;
        lang_binop op;
    } table[] = {
        {TK_EQ, BIN_EQ}, {TK_NE, BIN_NE}, {TK_LT, BIN_LT}, {TK_LE, BIN_LE},
        {TK_GT, BIN_GT}, {TK_GE, BIN_GE}, {TK_IN, BIN_IN},
    };
    lang_tok t = peek(c)->kind;
    if (t == TK_NOT && c->toks.items[c->pos + 1].kind == TK_IN) {
        c->pos += 2;
        *op = BIN_NOT_IN;
        return true;
    }
    if (t == TK_IS) {
        next(c);
        *op = accept(c, TK_NOT) ? BIN_IS_NOT : BIN_IS;
        return true;
    }
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].tok == t) {
            next(c);
            *op = table[i].op;
            return true;
        }
    return false;
}

/* Points every jump of a chain (linked through their arguments, the last
 * one's argument NO_JUMP) at target. */
static void patch_chain(compiler *c, uint32_t head, int target) {
    for (uint32_t j = head; j != NO_JUMP;) {
        uint32_t prev = LANG_ARG(c->fs->ins[j]);
        patch(c, (int)j, target);
        j = prev;
    }
}

/* `a < b`, and chains: `a < b <= c` is `a < b and b <= c` with b evaluated
 * once. Each inner operand is kept (DUP_TOP, under the result by
 * ROT_THREE) for the next comparison; a false result jumps to the cleanup,
 * which drops the kept operand and leaves False. */
static expr_kind comparison(compiler *c) {
    expr_kind kind = arith(c, ARITH_LOOSEST);
    lang_binop op;
    if (!compare_op(c, &op))
        return kind;
    uint32_t to_cleanup = NO_JUMP;
    for (;;) {
        arith(c, ARITH_LOOSEST);
        lang_binop this_op = op;
        if (!compare_op(c, &op)) {
            emit(c, OP_BINARY, this_op, -1);
            break;
        }
        emit(c, OP_DUP_TOP, 0, +1);
        emit(c, OP_ROT_THREE, 0, 0);
        emit(c, OP_BINARY, this_op, -1);
        to_cleanup = (uint32_t)emit(c, OP_JUMP_IF_FALSE_OR_POP, to_cleanup, -1);
    }
    if (to_cleanup != NO_JUMP) {
        int end = emit(c, OP_JUMP, NO_JUMP, 0);
        patch_chain(c, to_cleanup, here(c));
        c->fs->depth++; /* here: the kept operand and the false result */
        emit(c, OP_ROT_TWO, 0, 0);
        emit(c, OP_POP_TOP, 0, -1);
        patch(c, end, here(c));
    }
    return EK_OTHER;
}

static expr_kind not_expr(compiler *c) {
    if (!accept(c, TK_NOT))
        return comparison(c);
    enter(c);
    not_expr(c);
    leave(c);
    emit(c, OP_NOT, 0, 0);
    return EK_OTHER;
}

/* `a and b` / `a or b`: the left value stays as the result if it decides. */
static expr_kind bool_op(compiler *c, lang_tok tok, lang_op jump) {
    expr_kind kind = tok == TK_AND ? not_expr(c) : bool_op(c, TK_AND, OP_JUMP_IF_FALSE_OR_POP);
    while (accept(c, tok)) {
        int j = emit(c, jump, NO_JUMP, -1);
        if (tok == TK_AND)
            not_expr(c);
        else
            bool_op(c, TK_AND, OP_JUMP_IF_FALSE_OR_POP);
        patch(c, j, here(c));
        kind = EK_OTHER;
    }
    return kind;
}

/* The 'if' of a conditional expression `x if c else y` starting at
 * c->pos: an 'if' outside brackets (and f-strings) before anything that
 * ends the expression; -1 if there is none. The scan stops at its
 * expression's end, so nested expressions together scan each token at
 * most once per enclosing bracket level (bounded by MAX_NEST). */
static int conditional_if(compiler *c) {
    const lang_token *t = c->toks.items;
    for (int i = c->pos, depth = 0; t[i].kind != TK_EOF; i++) {
        lang_tok k = t[i].kind;
        if (is_opener(k) || k == TK_FSTRING_START) {
            depth++;
        } else if (is_closer(k) || k == TK_FSTRING_END) {
            if (--depth < 0)
                return -1;
        } else if (depth == 0) {
            if (k == TK_IF)
                return i;
            if (k == TK_NEWLINE || k == TK_COMMA || k == TK_COLON || k == TK_ASSIGN ||
                is_aug(k) || k == TK_FOR || k == TK_ELSE || k == TK_LAMBDA ||
                k == TK_FEXPR_END)
                return -1;
        }
    }
    return -1;
}

/* `x if c else y`, with the 'if' at if_at: c is evaluated first, then x or
 * y, as in Python; so c is compiled first, and x read after it. */
static void conditional(compiler *c, int if_at) {
    int x_at = c->pos;
    c->pos = if_at + 1;
    bool_op(c, TK_OR, OP_JUMP_IF_TRUE_OR_POP);
    int jf = emit(c, OP_POP_JUMP_IF_FALSE, NO_JUMP, -1);
    int else_at = c->pos;
    c->pos = x_at;
    bool_op(c, TK_OR, OP_JUMP_IF_TRUE_OR_POP);
    if (c->pos != if_at)
        fail_expected(c, "'if'");
    int jend = emit(c, OP_JUMP, NO_JUMP, 0);
    patch(c, jf, here(c));
    c->fs->depth--; /* y's value takes x's place */
    c->pos = else_at;
    expect(c, TK_ELSE, "'else'");
    expression(c);
    patch(c, jend, here(c));
}

static expr_kind expression(compiler *c) {
    enter(c);
    expr_kind kind = EK_OTHER;
    int if_at;
    if (accept(c, TK_LAMBDA))
        lambda_expr(c);
    else if ((if_at = conditional_if(c)) >= 0)
        conditional(c, if_at);
    else
        kind = bool_op(c, TK_OR, OP_JUMP_IF_TRUE_OR_POP);
    leave(c);
    return kind;
}

/* True for a token that ends a list of expressions or targets. */
static bool ends_list(lang_tok k) {
    return k == TK_NEWLINE || k == TK_EOF || k == TK_ASSIGN || k == TK_COLON || k == TK_IN ||
           k == TK_RPAREN || k == TK_RBRACKET || k == TK_RBRACE;
}

/* An expression, or several separated by commas, which make a tuple
 * (`return a, b`, the value of `a, b = b, a`). */
static void testlist(compiler *c) {
    expression(c);
    if (!check(c, TK_COMMA))
        return;
    int n = 1;
    while (accept(c, TK_COMMA) && !ends_list(peek(c)->kind)) {
        if (n == MAX_LITERAL)
            fail_at(c, peek(c), "too many items in a tuple");
        expression(c);
        n++;
    }
    emit(c, OP_BUILD_TUPLE, (uint32_t)n, 1 - n);
}

/* ---- simple statements ------------------------------------------------------------ */

static lang_binop aug_op(lang_tok t) {
    switch (t) {
    case TK_PLUSEQ: return BIN_ADD;
    case TK_MINUSEQ: return BIN_SUB;
    case TK_SLASHEQ: return BIN_DIV;
    case TK_DSLASHEQ: return BIN_FLOORDIV;
    case TK_PERCENTEQ: return BIN_MOD;
    case TK_AMPEQ: return BIN_AND;
    case TK_PIPEEQ: return BIN_OR;
    case TK_CARETEQ: return BIN_XOR;
    case TK_LSHIFTEQ: return BIN_LSHIFT;
    case TK_RSHIFTEQ: return BIN_RSHIFT;
    case TK_DSTAREQ: return BIN_POW;
    default: return BIN_MUL;
    }
}

static bool is_aug(lang_tok k) {
    return k == TK_PLUSEQ || k == TK_MINUSEQ || k == TK_STAREQ || k == TK_SLASHEQ ||
           k == TK_DSLASHEQ || k == TK_PERCENTEQ || k == TK_AMPEQ || k == TK_PIPEEQ ||
           k == TK_CARETEQ || k == TK_LSHIFTEQ || k == TK_RSHIFTEQ || k == TK_DSTAREQ;
}

/* `x += v`, `c[i] += v`: the target was compiled as an expression (a load
 * of x, or c, i and OP_SUBSCR), and stays one: its value is the left
 * operand. For c[i], the container and index are kept (DUP_TOP2) for the
 * store. */
static void aug_assignment(compiler *c, expr_kind kind, const lang_token *op_tok) {
    const lang_token *target = &c->toks.items[c->last_name];
    if (kind == EK_NAME) {
        expression(c);
        emit(c, OP_BINARY, aug_op(op_tok->kind), -1);
        store_name(c, target);
        return;
    }
    if (kind == EK_ATTR) { /* o.x += v: o kept for the store */
        uint32_t k = LANG_ARG(c->fs->ins[c->fs->n - 1]);
        unemit(c, 0);
        emit(c, OP_DUP_TOP, 0, +1);
        emit(c, OP_LOAD_ATTR, k, 0);
        expression(c);
        emit(c, OP_BINARY, aug_op(op_tok->kind), -1);
        emit(c, OP_ROT_TWO, 0, 0); /* o r -- r o */
        emit(c, OP_STORE_ATTR, k, -2);
        return;
    }
    if (kind != EK_SUBSCR)
        fail_at(c, op_tok, "cannot assign to this expression");
    unemit(c, -1); /* container and index stay on the stack */
    emit(c, OP_DUP_TOP2, 0, +2);
    emit(c, OP_SUBSCR, 0, -1);
    expression(c);
    emit(c, OP_BINARY, aug_op(op_tok->kind), -1);
    emit(c, OP_ROT_THREE, 0, 0); /* c i r -- r c i */
    emit(c, OP_STORE_SUBSCR, 0, -3);
}

static bool is_opener(lang_tok k) {
    return k == TK_LPAREN || k == TK_LBRACKET || k == TK_LBRACE;
}

static bool is_closer(lang_tok k) {
    return k == TK_RPAREN || k == TK_RBRACKET || k == TK_RBRACE;
}

/* The last '=' outside brackets in the simple statement that starts at
 * token i, or -1; *count gets how many there are (`a = b = 0` has two).
 * The search ends at the end of the line, at a ':' (of a compound
 * statement's header) and at a 'lambda' (an '=' after it is a default of
 * its parameters); each stop keeps the scans of a line linear. */
static int last_assign(compiler *c, int i, int *count) {
    const lang_token *t = c->toks.items;
    int depth = 0, last = -1;
    *count = 0;
    for (;; i++) {
        lang_tok k = t[i].kind;
        if (k == TK_EOF ||
            (depth == 0 && (k == TK_NEWLINE || k == TK_COLON || k == TK_LAMBDA)))
            break;
        if (is_opener(k))
            depth++;
        else if (is_closer(k) && --depth < 0)
            break;
        else if (k == TK_ASSIGN && depth == 0)
            last = i, (*count)++;
    }
    return last;
}

/* How many comma-separated targets start at token i; *tuple: whether
 * there is a comma (`a, = v` unpacks one item). */
static int count_targets(compiler *c, int i, bool *tuple) {
    const lang_token *t = c->toks.items;
    int depth = 0, n = 1;
    *tuple = false;
    for (;; i++) {
        lang_tok k = t[i].kind;
        if (k == TK_EOF || (depth == 0 && (ends_list(k) || is_aug(k))))
            break;
        if (is_opener(k)) {
            depth++;
        } else if (is_closer(k)) {
            depth--;
        } else if (k == TK_COMMA && depth == 0) {
            *tuple = true;
            if (ends_list(t[i + 1].kind))
                break;
            n++;
        }
    }
    return n;
}

static void target_list(compiler *c);

/* One assignment target, which stores the value on top of the stack and
 * pops it: a name, c[i], or a parenthesized or bracketed target list. */
static void target(compiler *c) {
    enter(c);
    lang_token *t = peek(c);
    lang_tok after = c->toks.items[c->pos + 1].kind;
    if (t->kind == TK_LPAREN || t->kind == TK_LBRACKET) {
        next(c);
        target_list(c);
        if (t->kind == TK_LPAREN)
            expect(c, TK_RPAREN, "')'");
        else
            expect(c, TK_RBRACKET, "']'");
    } else if (t->kind == TK_NAME && after != TK_LPAREN && after != TK_LBRACKET &&
               after != TK_DOT) {
        next(c);
        store_name(c, t);
    } else {
        expr_kind kind = postfix(c);
        if (kind == EK_ATTR) { /* v o: o.x = v */
            uint32_t k = LANG_ARG(c->fs->ins[c->fs->n - 1]);
            unemit(c, 0);
            emit(c, OP_STORE_ATTR, k, -2);
        } else if (kind == EK_SUBSCR) {
            unemit(c, -1);                   /* v c i: the container and index stay */
            emit(c, OP_STORE_SUBSCR, 0, -3); /* c[i] = v */
        } else {
            fail_at(c, peek(c), "cannot assign to this expression");
        }
    }
    leave(c);
}

/* Targets separated by commas: several unpack the value (a list, tuple or
 * anything `for` walks) into as many items, first target first. */
static void target_list(compiler *c) {
    bool tuple;
    int n = count_targets(c, c->pos, &tuple);
    if (tuple)
        emit(c, OP_UNPACK_SEQUENCE, (uint32_t)n, n - 1);
    for (int i = 0; i < n; i++) {
        target(c);
        if (i < n - 1)
            expect(c, TK_COMMA, "','");
    }
    if (tuple)
        accept(c, TK_COMMA); /* a trailing one */
}

/* `t1 = t2 = value`: the value first (as Python does), then each target
 * from the left, reading the tokens before the value again. last_eq is the
 * last '=' (last_assign), ntargets how many there are. */
static void assign_statement(compiler *c, int last_eq, int ntargets) {
    int start = c->pos;
    c->pos = last_eq + 1;
    testlist(c);
    int end = c->pos;
    c->pos = start;
    for (int k = 0; k < ntargets; k++) {
        if (k < ntargets - 1)
            emit(c, OP_DUP_TOP, 0, +1);
        target_list(c);
        expect(c, TK_ASSIGN, "'='");
    }
    c->pos = end;
}

static void expr_statement(compiler *c) {
    int ntargets;
    int last_eq = last_assign(c, c->pos, &ntargets);
    if (last_eq >= 0) {
        assign_statement(c, last_eq, ntargets);
        return;
    }
    expr_kind kind = expression(c);
    if (is_aug(peek(c)->kind)) {
        aug_assignment(c, kind, next(c));
        return;
    }
    emit(c, OP_POP_TOP, 0, -1);
}

static void exit_blocks(compiler *c, bool to_return);
static void reopen_blocks(compiler *c, bool to_return);
static void raise_statement(compiler *c);
static void assert_statement(compiler *c);

static void jump_statement(compiler *c, const lang_token *t) {
    loop_ctx *loop = c->fs->loop;
    if (!loop)
        fail_at(c, t, "'%s' outside loop", t->kind == TK_BREAK ? "break" : "continue");
    exit_blocks(c, false);
    if (t->kind == TK_CONTINUE) {
        emit(c, OP_JUMP, (uint32_t)loop->start, 0);
    } else {
        if (loop->is_for)
            emit(c, OP_POP_TOP, 0, 0); /* the iterator; the code after this is unreachable */
        loop->breaks = (uint32_t)emit(c, OP_JUMP, loop->breaks, 0);
    }
    reopen_blocks(c, false);
}

/* A module name (refpy's modules have no dots), imported: on the stack. */
static lang_token *import_module(compiler *c) {
    lang_token *m = expect(c, TK_NAME, "a module name");
    if (check(c, TK_DOT))
        fail_at(c, peek(c), "dotted module names are not supported");
    emit(c, OP_IMPORT_NAME, name_const(c, tok_name(m)), +1);
    return m;
}

/* Stores the value on the stack under `as NAME`, or under dflt. */
static void store_as(compiler *c, lang_token *dflt) {
    store_name(c, accept(c, TK_AS) ? expect(c, TK_NAME, "a name") : dflt);
}

/* `import m [as n], ...`, the 'import' consumed. */
static void import_statement(compiler *c) {
    do
        store_as(c, import_module(c));
    while (accept(c, TK_COMMA));
}

/* `from m import a [as b], ...` (or in parentheses), the 'from' consumed. */
static void from_statement(compiler *c) {
    import_module(c);
    expect(c, TK_IMPORT, "'import'");
    if (check(c, TK_STAR))
        fail_at(c, peek(c), "'import *' is not supported");
    bool paren = accept(c, TK_LPAREN);
    do {
        if (paren && check(c, TK_RPAREN))
            break; /* a trailing comma */
        lang_token *a = expect(c, TK_NAME, "a name");
        emit(c, OP_IMPORT_FROM, name_const(c, tok_name(a)), +1);
        store_as(c, a);
    } while (accept(c, TK_COMMA));
    if (paren)
        expect(c, TK_RPAREN, "')'");
    emit(c, OP_POP_TOP, 0, -1); /* the module */
}

/* `del t, ...`: a name (a local, or a global: not one of an enclosing
 * function's) or a subscript `c[i]`, each in turn from the left. */
static void del_statement(compiler *c) {
    do {
        lang_token *t = peek(c);
        lang_tok after = c->toks.items[c->pos + 1].kind;
        if (t->kind == TK_NAME && (after == TK_COMMA || after == TK_NEWLINE || after == TK_EOF)) {
            next(c);
            resolved r = resolve(c, t);
            if (r.load == OP_LOAD_DEREF)
                fail_at(c, t, "del of an enclosing function's variable is not supported");
            emit(c, r.load == OP_LOAD_FAST ? OP_DELETE_FAST : OP_DELETE_GLOBAL, r.arg, 0);
        } else if (postfix(c) == EK_SUBSCR) {
            unemit(c, -1); /* c i: the container and index stay */
            emit(c, OP_DELETE_SUBSCR, 0, -2);
        } else {
            fail_at(c, t, "cannot delete this expression (refpy deletes names and c[i])");
        }
    } while (accept(c, TK_COMMA) && !check(c, TK_NEWLINE));
}

static void simple_statement(compiler *c) {
    lang_token *t = peek(c);
    switch (t->kind) {
    case TK_PASS:
        next(c);
        break;
    case TK_BREAK:
    case TK_CONTINUE:
        jump_statement(c, next(c));
        break;
    case TK_RETURN:
        next(c);
        if (c->fs->is_module || c->fs->is_class)
            fail_at(c, t, "'return' outside function");
        if (check(c, TK_NEWLINE))
            emit(c, OP_LOAD_CONST, add_const(c, rc_none()), +1);
        else
            testlist(c);
        exit_blocks(c, true);
        emit(c, OP_RETURN, 0, -1);
        reopen_blocks(c, true);
        break;
    case TK_RAISE:
        raise_statement(c);
        break;
    case TK_ASSERT:
        assert_statement(c);
        break;
    case TK_IMPORT:
        next(c);
        import_statement(c);
        break;
    case TK_FROM:
        next(c);
        from_statement(c);
        break;
    case TK_DEL:
        next(c);
        del_statement(c);
        break;
    case TK_GLOBAL: /* already applied by scan_locals */
        next(c);
        do
            expect(c, TK_NAME, "a name");
        while (accept(c, TK_COMMA));
        break;
    default:
        expr_statement(c);
    }
}

/* A `;` between simple statements: the lexer makes it a NEWLINE of text
 * ";" (lexer.c, lex_semicolon), which every scan here takes for a
 * statement's end. */
static bool is_semicolon(const lang_token *t) {
    return t->kind == TK_NEWLINE && t->len == 1;
}

/* One line of simple statements separated by `;`, and its end. */
static void simple_statements(compiler *c, const char *end_what) {
    simple_statement(c);
    while (is_semicolon(peek(c))) {
        next(c);
        simple_statement(c);
    }
    expect(c, TK_NEWLINE, end_what);
}

/* ---- blocks ------------------------------------------------------------------------- */

static void suite(compiler *c) {
    expect(c, TK_COLON, "':'");
    enter(c);
    if (accept(c, TK_NEWLINE)) {
        expect(c, TK_INDENT, "an indented block");
        do
            statement(c);
        while (!check(c, TK_DEDENT) && !check(c, TK_EOF));
        expect(c, TK_DEDENT, "the end of the block");
    } else {
        simple_statements(c, "the end of the line");
    }
    leave(c);
}

/* `if` and `elif` alike: the elif chain compiles as a nested if. */
static void if_statement(compiler *c) {
    next(c);
    expression(c);
    int jf = emit(c, OP_POP_JUMP_IF_FALSE, NO_JUMP, -1);
    suite(c);
    if (!check(c, TK_ELIF) && !check(c, TK_ELSE)) {
        patch(c, jf, here(c));
        return;
    }
    int jend = emit(c, OP_JUMP, NO_JUMP, 0);
    patch(c, jf, here(c));
    enter(c);
    if (check(c, TK_ELIF))
        if_statement(c);
    else if (accept(c, TK_ELSE))
        suite(c);
    leave(c);
    patch(c, jend, here(c));
}

static void loop_body(compiler *c, loop_ctx *loop) {
    loop->up = c->fs->loop;
    loop->breaks = NO_JUMP;
    c->fs->loop = loop;
    suite(c);
    /* Backward: a checkpoint and a step (vm.c). An error there (the step
     * limit) names the loop's header, not the line the body ended on. */
    int j = emit(c, OP_JUMP, (uint32_t)loop->start, 0);
    c->fs->lines[j] = loop->line;
    c->fs->loop = loop->up;
}

/* A loop's `else:` block, if it has one: run when the loop ends by its
 * condition, skipped by break (whose jumps are patched past it). */
static void loop_else(compiler *c, loop_ctx *loop) {
    if (accept(c, TK_ELSE))
        suite(c);
    patch_chain(c, loop->breaks, here(c));
}

static void while_statement(compiler *c) {
    int line = next(c)->line;
    loop_ctx loop = {.start = here(c), .line = line};
    expression(c);
    int jf = emit(c, OP_POP_JUMP_IF_FALSE, NO_JUMP, -1);
    loop_body(c, &loop);
    patch(c, jf, here(c));
    loop_else(c, &loop);
}

/* The targets come before the iterable in the source but are stored after
 * each OP_FOR_ITER: they are skipped, and read again once the iterable is
 * compiled. */
static void for_statement(compiler *c) {
    int line = next(c)->line;
    int targets = c->pos;
    for (int depth = 0; !check(c, TK_EOF) && !(depth == 0 && ends_list(peek(c)->kind));) {
        lang_tok k = next(c)->kind; /* to the 'in' */
        depth += is_opener(k) ? 1 : is_closer(k) ? -1 : 0;
    }
    expect(c, TK_IN, "'in'");
    testlist(c);
    int after = c->pos;
    emit(c, OP_GET_ITER, 0, 0);
    loop_ctx loop = {.start = here(c), .is_for = true, .line = line};
    int jf = emit(c, OP_FOR_ITER, NO_JUMP, +1);
    c->pos = targets;
    if (check(c, TK_IN))
        fail_expected(c, "a loop variable");
    target_list(c);
    expect(c, TK_IN, "'in'");
    c->pos = after;
    loop_body(c, &loop);
    patch(c, jf, here(c));
    c->fs->depth--; /* the exhausted FOR_ITER popped the iterator */
    loop_else(c, &loop);
}

/* ---- functions ----------------------------------------------------------------------- */

/* The index just past the suite whose ':' is at index i (at most the EOF's). */
static int suite_end(compiler *c, int i) {
    lang_token *t = c->toks.items;
    int last = c->toks.count - 1; /* the EOF token */
    if (i >= last)
        return last;
    i++;
    if (t[i].kind == TK_NEWLINE && i < last && t[i + 1].kind == TK_INDENT) {
        int level = 0;
        for (i++; i < last; i++) {
            level += t[i].kind == TK_INDENT ? 1 : t[i].kind == TK_DEDENT ? -1 : 0;
            if (level == 0)
                return i + 1;
        }
        return last;
    }
    while (i < last && (t[i].kind != TK_NEWLINE || is_semicolon(&t[i])))
        i++;
    return i;
}

/* The ':' that ends the header of the def at index i (or the EOF). */
static int def_colon(compiler *c, int i) {
    lang_token *t = c->toks.items;
    int paren = 0;
    for (; t[i].kind != TK_EOF && t[i].kind != TK_NEWLINE; i++) {
        paren += t[i].kind == TK_LPAREN ? 1 : t[i].kind == TK_RPAREN ? -1 : 0;
        if (paren == 0 && t[i].kind == TK_COLON)
            return i;
    }
    return i;
}

static bool starts_statement(lang_tok prev) {
    return prev == TK_NEWLINE || prev == TK_INDENT || prev == TK_DEDENT || prev == TK_COLON;
}

/* Adds to fs's locals the names that the targets starting at token i
 * store: a name not followed by '(', '[' or '.', outside the brackets of
 * a subscript or a call (c[i]'s c and i are read). Returns the index of
 * the token that ended the targets. */
static int scan_targets(compiler *c, fstate *fs, int i) {
    const lang_token *t = c->toks.items;
    int depth = 0, inner = 0; /* open brackets: of target lists; of subscripts and calls */
    for (int start = i; t[i].kind != TK_EOF; i++) {
        lang_tok k = t[i].kind, before = i > start ? t[i - 1].kind : TK_COMMA;
        if (inner > 0) {
            inner += is_opener(k) ? 1 : is_closer(k) ? -1 : 0;
        } else if (depth == 0 && (ends_list(k) || is_aug(k))) {
            break;
        } else if (is_opener(k)) {
            if (before == TK_NAME || is_closer(before))
                inner = 1;
            else
                depth++;
        } else if (is_closer(k)) {
            depth--;
        } else if (k == TK_NAME && before != TK_DOT && !is_opener(t[i + 1].kind) &&
                   t[i + 1].kind != TK_DOT) {
            name_add(c, &fs->locals, tok_name(&t[i]));
        }
    }
    return i;
}

/* Python's rule for locals (see the top of the file), applied to the body
 * of the function being compiled, which starts at the ':' at c->pos.
 * Nested defs are skipped: their assignments are theirs. */
static void scan_locals(compiler *c, fstate *fs) {
    lang_token *t = c->toks.items;
    int end = suite_end(c, c->pos);
    int paren = 0;
    for (int i = c->pos + 1; i < end && t[i].kind != TK_EOF; i++) {
        lang_tok k = t[i].kind;
        bool stmt_start = paren == 0 && starts_statement(t[i - 1].kind);
        paren += is_opener(k) ? 1 : is_closer(k) ? -1 : 0;
        int count;
        if (k == TK_GLOBAL) {
            for (i++; i < end && t[i].kind == TK_NAME; i += 2) {
                name_add(c, &fs->globals, tok_name(&t[i]));
                if (t[i + 1].kind != TK_COMMA)
                    break;
            }
        } else if ((k == TK_DEF || k == TK_CLASS) && t[i + 1].kind == TK_NAME) {
            name_add(c, &fs->locals, tok_name(&t[i + 1]));
            i = suite_end(c, def_colon(c, i)) - 1;
        } else if (k == TK_FOR) {
            scan_targets(c, fs, i + 1);
        } else if (k == TK_IMPORT) { /* the names it binds: n of `m as n`, else m */
            for (i++; t[i].kind != TK_NEWLINE && t[i].kind != TK_EOF; i++)
                if (t[i].kind == TK_NAME && t[i + 1].kind != TK_AS && t[i + 1].kind != TK_DOT)
                    name_add(c, &fs->locals, tok_name(&t[i]));
            i--;
        } else if (k == TK_AS && t[i + 1].kind == TK_NAME) { /* except E as n, with x as n */
            name_add(c, &fs->locals, tok_name(&t[i + 1]));
        } else if (stmt_start && k == TK_NAME && is_aug(t[i + 1].kind)) {
            name_add(c, &fs->locals, tok_name(&t[i]));
        } else if (stmt_start && (k == TK_NAME || k == TK_LPAREN || k == TK_LBRACKET) &&
                   last_assign(c, i, &count) >= 0) {
            int j = i;
            while (count-- > 0) /* each target list ends at its '=' */
                j = scan_targets(c, fs, j) + 1;
        }
    }
    /* A declared global is never local; parameters stay local. */
    int before = fs->locals.n;
    for (int i = fs->nparams + fs->varargs + fs->varkw; i < fs->locals.n; i++)
        if (name_find(&fs->globals, fs->locals.items[i]) >= 0) {
            fs->locals.items[i--] = fs->locals.items[--fs->locals.n];
        }
    if (fs->locals.n != before) /* names moved: their positions are stale */
        name_reindex(c, &fs->locals);
    if (fs->locals.n > MAX_LOCALS)
        fail_at(c, peek(c), "too many local variables");
}

/* Compiles one default value (the tokens at c->pos) in the function that
 * encloses fs, where defaults are evaluated when the def runs. fs is off
 * the c->fs chain meanwhile, so it goes on the pending one (fstate). */
static void in_enclosing(compiler *c, fstate *fs, bool default_value, int ndefaults) {
    fs->pending_up = c->pending;
    c->pending = fs;
    c->fs = fs->parent;
    if (default_value)
        expression(c);
    else /* all the defaults, on the stack, into one tuple */
        emit(c, OP_BUILD_TUPLE, (uint32_t)ndefaults, 1 - ndefaults);
    c->fs = fs;
    c->pending = fs->pending_up;
}

/* The parameters of a def (up to the ')') or a lambda (up to the ':'),
 * each a name with an optional `= default`. Returns how many have a
 * default; their values are then on the enclosing function's stack as one
 * tuple (OP_MAKE_FUNCTION_DEFAULTS). */
/* One parameter's name (the token p), added to fs's locals. */
static void parameter_name(compiler *c, fstate *fs, lang_token *p) {
    if (name_find(&fs->locals, tok_name(p)) >= 0)
        fail_at(c, p, "duplicate parameter '%.*s'", (int)p->len, p->start);
    if (fs->locals.n == MAX_ARGS)
        fail_at(c, p, "too many parameters");
    name_add(c, &fs->locals, tok_name(p));
}

#define MAX_KWONLY 32 /* fstate.kwdefaults has a bit for each */

/* The parameters: names with an optional `= default`, then optionally
 * `*args` (or a bare `*`) followed by keyword-only ones (with or without
 * defaults, in any order), then optionally `**kwargs`. The locals are laid
 * out as bind_args (vm.c) fills them: the named parameters (keyword-only
 * ones last), then *args's slot, then **kwargs's; so the star names are
 * added after the keyword-only ones. */
static int parameters(compiler *c, fstate *fs, lang_tok close) {
    int ndefaults = 0;
    lang_token *star = NULL, *dstar = NULL;
    bool kwonly = false;
    while (!check(c, close)) {
        if (accept(c, TK_DSTAR)) {
            dstar = expect(c, TK_NAME, "a parameter name");
            accept(c, TK_COMMA);
            if (!check(c, close))
                fail_at(c, peek(c), "arguments cannot follow var-keyword argument");
            break;
        }
        if (kwonly && check(c, TK_STAR))
            fail_at(c, peek(c), "* argument may appear only once");
        if (!kwonly && accept(c, TK_STAR)) {
            kwonly = true;
            star = check(c, TK_NAME) ? next(c) : NULL; /* NULL: a bare `*` */
            if (!star && (!accept(c, TK_COMMA) || !check(c, TK_NAME)))
                fail_at(c, peek(c), "named arguments must follow bare *");
            if (star && !accept(c, TK_COMMA))
                break;
            continue;
        }
        lang_token *p = expect(c, TK_NAME, "a parameter name");
        parameter_name(c, fs, p);
        if (kwonly && fs->nkwonly == MAX_KWONLY)
            fail_at(c, p, "more than %d keyword-only parameters", MAX_KWONLY);
        if (accept(c, TK_ASSIGN)) {
            if (kwonly)
                fs->kwdefaults |= 1u << fs->nkwonly;
            in_enclosing(c, fs, true, ndefaults++);
        } else if (ndefaults > 0 && !kwonly) {
            fail_at(c, p, "parameter without a default follows parameter with a default");
        }
        fs->nkwonly += kwonly;
        if (!accept(c, TK_COMMA))
            break;
    }
    fs->nparams = fs->locals.n;
    if (star)
        parameter_name(c, fs, star);
    if (dstar)
        parameter_name(c, fs, dstar);
    fs->varargs = star != NULL;
    fs->varkw = dstar != NULL;
    if (ndefaults > 0)
        in_enclosing(c, fs, false, ndefaults);
    return ndefaults;
}

/* Moves a finished function state into a new code object and closes it.
 * Returns: a new reference; fails (longjmp) only for lack of memory. */
static rc_object *fstate_finish(compiler *c) {
    fstate *fs = c->fs;
    lang_code *co = (lang_code *)rc_object_new(&lang_code_type);
    if (!co)
        fail_nomem(c);
    /* From here the code object owns the arrays; a failure below frees them
     * through its dealloc (the function state no longer points at them). */
    co->ins = fs->ins, co->lines = fs->lines, co->n_ins = fs->n;
    co->consts = fs->consts, co->n_consts = fs->nconsts;
    fs->ins = NULL, fs->lines = NULL, fs->consts = NULL, fs->nconsts = 0;
    co->handlers = fs->handlers, co->n_handlers = fs->n_handlers;
    fs->handlers = NULL, fs->n_handlers = 0;
    co->nparams = fs->nparams;
    co->varargs = fs->varargs;
    co->varkw = fs->varkw;
    co->nkwonly = fs->nkwonly;
    co->kwdefaults = fs->kwdefaults;
    co->stacksize = fs->maxdepth;
    co->name = fs->is_module ? rc_str_from_cstr("<module>")
                             : rc_str_from_utf8(fs->fname.s, fs->fname.len);
    co->localnames = rc_mem_calloc(((size_t)fs->locals.n + 1) * sizeof *co->localnames);
    bool ok = co->name && co->localnames;
    for (int i = 0; ok && i < fs->locals.n; i++)
        ok = (co->localnames[i] = rc_str_from_utf8(fs->locals.items[i].s,
                                                   fs->locals.items[i].len)) != NULL;
    co->nlocals = fs->locals.n;
    if (!ok) {
        rc_decref(&co->base);
        fail_nomem(c);
    }
    c->fs = fs->parent;
    fstate_free(fs);
    return &co->base;
}

/* Closes the function being compiled, and emits what makes it in the
 * enclosing one (with its defaults, a tuple already on the stack). */
static void make_function(compiler *c, int ndefaults) {
    uint32_t k = add_const(c, fstate_finish(c));
    if (ndefaults > 0)
        emit(c, OP_MAKE_FUNCTION_DEFAULTS, k, 0);
    else
        emit(c, OP_MAKE_FUNCTION, k, +1);
}

/* ndecorators: how many decorators are on the stack (decorated), each
 * called with the function, the innermost first, before it is bound. */
static void def_statement(compiler *c, int ndecorators) {
    next(c);
    lang_token *fname = expect(c, TK_NAME, "a function name");
    fstate *fs = fstate_open(c, tok_name(fname), false);
    expect(c, TK_LPAREN, "'('");
    int ndefaults = parameters(c, fs, TK_RPAREN);
    expect(c, TK_RPAREN, "')'");
    if (!check(c, TK_COLON))
        fail_expected(c, "':'");
    scan_locals(c, fs);
    suite(c);
    emit(c, OP_LOAD_CONST, add_const(c, rc_none()), +1);
    emit(c, OP_RETURN, 0, -1);
    make_function(c, ndefaults);
    for (int i = 0; i < ndecorators; i++)
        emit(c, OP_CALL, 1, -1);
    store_name(c, fname);
}

/* `class Name:` or `class Name(Base):` (classes.c). The body compiles
 * as a function of one parameter, the base (None for none), whose locals
 * are the class's attributes; it ends by making the class (OP_MAKE_CLASS),
 * which it returns. The enclosing code calls it with the base and binds
 * the name. */
static void class_statement(compiler *c, int ndecorators) {
    next(c);
    lang_token *cname = expect(c, TK_NAME, "a class name");
    if (accept(c, TK_LPAREN) && !accept(c, TK_RPAREN)) {
        expression(c);
        if (check(c, TK_COMMA))
            fail_at(c, peek(c), "multiple inheritance is not supported");
        expect(c, TK_RPAREN, "')'");
    } else {
        emit(c, OP_LOAD_CONST, add_const(c, rc_none()), +1);
    }
    if (!check(c, TK_COLON))
        fail_expected(c, "':'");
    fstate *fs = fstate_open(c, tok_name(cname), false);
    fs->is_class = true;
    name_add(c, &fs->locals, class_base);
    fs->nparams = 1;
    name_add(c, &fs->locals, class_cell);
    scan_locals(c, fs);
    suite(c);
    int j = emit(c, OP_MAKE_CLASS, name_const(c, tok_name(cname)), +1);
    c->fs->lines[j] = cname->line; /* its errors (a bad base) name the header */
    emit(c, OP_RETURN, 0, -1);
    make_function(c, 0);
    emit(c, OP_ROT_TWO, 0, 0);
    emit(c, OP_CALL, 1, -1);
    for (int i = 0; i < ndecorators; i++)
        emit(c, OP_CALL, 1, -1);
    store_name(c, cname);
}

/* `@expr` lines before a def or a class: each decorator's value is
 * evaluated first, top to bottom, as in Python, and stays on the stack
 * for def_statement or class_statement to call. */
static void decorated(compiler *c) {
    int n = 0;
    while (accept(c, TK_AT)) {
        if (n == MAX_ARGS)
            fail_at(c, peek(c), "too many decorators");
        expression(c);
        expect(c, TK_NEWLINE, "the end of the line");
        n++;
    }
    if (check(c, TK_DEF))
        def_statement(c, n);
    else if (check(c, TK_CLASS))
        class_statement(c, n);
    else
        fail_expected(c, "'def' or 'class' after a decorator");
}

/* ---- try, with, raise, assert ------------------------------------------------------
 *
 * The exception table (code.h) is built from blocks: a block covers the
 * instructions emitted while it is open, except those of an exit sequence
 * (the code that leaves it for a return, break or continue: a finally
 * body, a with's __exit__), which belong to the blocks outside it. Each
 * stretch it covers becomes one entry when it ends; inner blocks' entries
 * end first, so they come first in the table, as the VM needs.
 */

static void set_depth(compiler *c, int depth) {
    c->fs->depth = depth;
    if (depth > c->fs->maxdepth)
        c->fs->maxdepth = depth;
}

static void open_block(compiler *c, block *b, block_kind kind) {
    fstate *fs = c->fs;
    if (fs->nblocks == MAX_BLOCKS)
        fail_at(c, peek(c), "too many statically nested blocks");
    fs->nblocks++;
    *b = (block){.up = fs->blocks, .kind = kind, .loop = fs->loop, .id = fs->next_block++,
                 .seg_start = here(c), .depth = fs->depth, .fin_colon = b->fin_colon};
    fs->blocks = b;
}

/* Ends the stretch b covers here: one table entry, its target unknown yet. */
static void close_segment(compiler *c, block *b) {
    fstate *fs = c->fs;
    if (b->seg_start >= 0 && b->seg_start < here(c)) {
        if (fs->n_handlers == fs->cap_handlers) {
            int cap = fs->cap_handlers;
            fs->handlers = grow(c, fs->handlers, &cap, 4 * sizeof *fs->handlers);
            fs->cap_handlers = cap;
        }
        int32_t *h = &fs->handlers[4 * fs->n_handlers++];
        h[0] = b->seg_start, h[1] = here(c), h[2] = -(b->id + 1), h[3] = b->depth;
    }
    b->seg_start = -1;
}

static void close_block(compiler *c, block *b) {
    close_segment(c, b);
    c->fs->blocks = b->up;
    c->fs->nblocks--;
}

/* b's handler starts here: its entries jump here. */
static void place_handler(compiler *c, block *b) {
    fstate *fs = c->fs;
    for (int i = 0; i < fs->n_handlers; i++)
        if (fs->handlers[4 * i + 2] == -(b->id + 1))
            fs->handlers[4 * i + 2] = here(c);
}

/* Compiles b's finally body (again) here; the tokens are read again, so
 * each way out of the try gets its own copy. Leaves c->pos after it. */
static void finally_body(compiler *c, block *b) {
    if (++c->fin_nest > MAX_FIN_NEST)
        fail_at(c, peek(c), "too deeply nested finally blocks");
    c->pos = b->fin_colon;
    suite(c);
    c->fin_nest--;
}

/* The exit sequence of a return (to_return) or of a break or continue:
 * leaves the blocks it jumps out of, innermost first, each in the blocks
 * outside it. A break or continue pops what each block has on the stack
 * (its items are the top ones: statements leave the stack as they found
 * it); a return leaves them, under its value, for the frame's end to drop.
 * Pops are emitted with no stack effect: the code after the jump is
 * unreachable, and is compiled with the depth the block had. */
static void exit_blocks(compiler *c, bool to_return) {
    fstate *fs = c->fs;
    block *inner = fs->blocks;
    int nblocks = fs->nblocks;
    for (block *b = inner; b && (to_return || b->loop == fs->loop); b = b->up) {
        close_segment(c, b);
        fs->blocks = b->up;
        fs->nblocks--;
        switch (b->kind) {
        case B_TRY:
            break;
        case B_HANDLER:
            emit(c, OP_POP_HANDLED, 0, 0);
            if (!to_return)
                emit(c, OP_POP_TOP, 0, 0);
            break;
        case B_WITH: /* the manager is at slot depth - 1 */
            emit(c, OP_WITH_EXIT, to_return ? (uint32_t)b->depth : 0, 0);
            break;
        case B_FINALLY: {
            int pos = c->pos;
            finally_body(c, b);
            c->pos = pos;
            break;
        }
        }
    }
    fs->blocks = inner;
    fs->nblocks = nblocks;
}

/* After the jump or return: the blocks cover what follows again. */
static void reopen_blocks(compiler *c, bool to_return) {
    fstate *fs = c->fs;
    for (block *b = fs->blocks; b && (to_return || b->loop == fs->loop); b = b->up)
        b->seg_start = here(c);
}

/* The handler of a handler body b (an except or finally body, with's
 * exit): a new exception arose there, on top of the one handled ([e, new]
 * on the stack): e is handled no more, and new goes on. */
static void handler_cleanup(compiler *c, block *b) {
    place_handler(c, b);
    set_depth(c, b->depth + 1);
    emit(c, OP_POP_HANDLED, 0, 0);
    emit(c, OP_ROT_TWO, 0, 0);
    emit(c, OP_POP_TOP, 0, -1);
    emit(c, OP_RERAISE, 0, -1);
}

/* The token index just past the clause whose ':' is at i. */
static int clause_end(compiler *c, int i) {
    int end = suite_end(c, i);
    return c->toks.items[end].kind == TK_NEWLINE ? end + 1 : end;
}

/* The except clauses (after the try body, whose block is tb) and the else. */
static void except_clauses(compiler *c, block *tb) {
    fstate *fs = c->fs;
    close_block(c, tb);
    int d = fs->depth;
    int j_else = emit(c, OP_JUMP, NO_JUMP, 0);
    place_handler(c, tb);
    set_depth(c, d + 1); /* the exception */
    emit(c, OP_PUSH_HANDLED, 0, 0);
    block hb = {0};
    open_block(c, &hb, B_HANDLER);
    uint32_t ends = NO_JUMP;
    bool bare = false;
    while (check(c, TK_EXCEPT)) {
        lang_token *et = next(c);
        if (bare)
            fail_at(c, et, "default 'except:' must be last");
        int jnext = -1;
        if (check(c, TK_COLON)) {
            bare = true;
        } else {
            emit(c, OP_DUP_TOP, 0, +1);
            expression(c);
            emit(c, OP_EXC_MATCH, 0, -1);
            jnext = emit(c, OP_POP_JUMP_IF_FALSE, NO_JUMP, -1);
            if (accept(c, TK_AS)) {
                lang_token *n = expect(c, TK_NAME, "a name");
                emit(c, OP_DUP_TOP, 0, +1);
                emit(c, OP_EXC_VALUE, 0, 0);
                store_name(c, n);
            }
        }
        suite(c);
        emit(c, OP_POP_HANDLED, 0, 0);
        emit(c, OP_POP_TOP, 0, -1);
        ends = (uint32_t)emit(c, OP_JUMP, ends, 0);
        set_depth(c, d + 1);
        if (jnext >= 0)
            patch(c, jnext, here(c));
    }
    close_block(c, &hb);
    emit(c, OP_RERAISE, 1, -1); /* no clause matched (outside hb: it pops e itself) */
    handler_cleanup(c, &hb);
    patch(c, j_else, here(c));
    set_depth(c, d);
    if (accept(c, TK_ELSE))
        suite(c);
    patch_chain(c, ends, here(c));
}

/* The finally clause of the try whose block is fin: once for the normal
 * way out, once for an exception (then re-raised). */
static void finally_clause(compiler *c, block *fin) {
    fstate *fs = c->fs;
    expect(c, TK_FINALLY, "'finally'");
    close_block(c, fin);
    int d = fs->depth;
    int pos = c->pos;
    finally_body(c, fin);
    c->pos = pos;
    int j_end = emit(c, OP_JUMP, NO_JUMP, 0);
    place_handler(c, fin);
    set_depth(c, d + 1);
    emit(c, OP_PUSH_HANDLED, 0, 0);
    block hb = {0};
    open_block(c, &hb, B_HANDLER);
    finally_body(c, fin); /* leaves c->pos after the finally block */
    close_block(c, &hb);
    emit(c, OP_RERAISE, 1, -1);
    handler_cleanup(c, &hb);
    patch(c, j_end, here(c));
    set_depth(c, d);
}

static void try_statement(compiler *c) {
    next(c);
    lang_token *t = c->toks.items;
    /* Where the clauses are: a finally block is compiled at every way out
     * of the try, before the parse reaches it. */
    int i = clause_end(c, c->pos);
    bool has_except = t[i].kind == TK_EXCEPT;
    while (t[i].kind == TK_EXCEPT) { /* to its ':', outside brackets */
        for (int depth = 0; t[i].kind != TK_EOF && t[i].kind != TK_NEWLINE &&
                            (depth > 0 || t[i].kind != TK_COLON);
             i++)
            depth += is_opener(t[i].kind) ? 1 : is_closer(t[i].kind) ? -1 : 0;
        i = clause_end(c, i);
    }
    if (has_except && t[i].kind == TK_ELSE)
        i = clause_end(c, i + 1);
    int fin_colon = t[i].kind == TK_FINALLY ? i + 1 : -1;
    if (!has_except && fin_colon < 0) {
        c->pos = i;
        fail_at(c, &t[i], "expected 'except' or 'finally' block");
    }
    block fin = {.fin_colon = fin_colon}, tb = {0};
    if (fin_colon >= 0)
        open_block(c, &fin, B_FINALLY);
    if (has_except)
        open_block(c, &tb, B_TRY);
    suite(c);
    if (has_except) {
        if (!check(c, TK_EXCEPT))
            fail_expected(c, "'except'");
        except_clauses(c, &tb);
    }
    if (fin_colon >= 0)
        finally_clause(c, &fin);
}

/* with A as a, B as b: one manager after another, each a block around the
 * rest (as nested with statements). */
static void with_items(compiler *c) {
    fstate *fs = c->fs;
    expression(c);
    emit(c, OP_WITH_ENTER, 0, +1);
    if (accept(c, TK_AS))
        store_name(c, expect(c, TK_NAME, "a name"));
    else
        emit(c, OP_POP_TOP, 0, -1);
    int d = fs->depth; /* the manager is at slot d - 1 */
    block wb = {0};
    open_block(c, &wb, B_WITH);
    if (accept(c, TK_COMMA))
        with_items(c);
    else
        suite(c);
    close_block(c, &wb);
    emit(c, OP_WITH_EXIT, 0, -1);
    int j_end = emit(c, OP_JUMP, NO_JUMP, 0);
    place_handler(c, &wb);
    set_depth(c, d + 1); /* mgr e */
    emit(c, OP_PUSH_HANDLED, 0, 0);
    block hb = {0};
    open_block(c, &hb, B_HANDLER);
    emit(c, OP_WITH_EXIT_EXC, 0, +1);
    int j_raise = emit(c, OP_POP_JUMP_IF_FALSE, NO_JUMP, -1);
    emit(c, OP_POP_HANDLED, 0, 0); /* suppressed: __exit__ returned true */
    emit(c, OP_POP_TOP, 0, -1);
    emit(c, OP_POP_TOP, 0, -1);
    int j_sup = emit(c, OP_JUMP, NO_JUMP, 0);
    close_block(c, &hb);
    set_depth(c, d + 1);
    patch(c, j_raise, here(c));
    emit(c, OP_RERAISE, 1, -1); /* the manager stays for the unwinding to drop */
    handler_cleanup(c, &hb);
    patch(c, j_end, here(c));
    patch(c, j_sup, here(c));
    set_depth(c, d - 1);
}

/* raise; raise X; raise X from Y */
static void raise_statement(compiler *c) {
    next(c);
    if (check(c, TK_NEWLINE)) {
        emit(c, OP_RAISE, RAISE_BARE, 0);
        return;
    }
    expression(c);
    if (accept(c, TK_FROM)) {
        expression(c);
        emit(c, OP_RAISE, RAISE_FROM, -2);
    } else {
        emit(c, OP_RAISE, RAISE_ONE, -1);
    }
}

/* assert cond [, msg]: msg is evaluated only when cond is false. */
static void assert_statement(compiler *c) {
    next(c);
    expression(c);
    int jf = emit(c, OP_POP_JUMP_IF_FALSE, NO_JUMP, -1);
    int jok = emit(c, OP_JUMP, NO_JUMP, 0);
    patch(c, jf, here(c));
    if (accept(c, TK_COMMA)) {
        expression(c);
        emit(c, OP_RAISE, RAISE_ASSERT_MSG, -1);
    } else {
        emit(c, OP_RAISE, RAISE_ASSERT, 0);
    }
    patch(c, jok, here(c));
}

static void statement(compiler *c) {
    switch (peek(c)->kind) {
    case TK_IF:
        if_statement(c);
        break;
    case TK_WHILE:
        while_statement(c);
        break;
    case TK_FOR:
        for_statement(c);
        break;
    case TK_DEF:
        def_statement(c, 0);
        break;
    case TK_CLASS:
        class_statement(c, 0);
        break;
    case TK_AT:
        decorated(c);
        break;
    case TK_TRY:
        try_statement(c);
        break;
    case TK_WITH:
        next(c);
        with_items(c);
        break;
    case TK_INDENT:
        fail_at(c, peek(c), "unexpected indent");
    default:
        simple_statements(c, "the end of the statement");
    }
}

/* ---- the driver ------------------------------------------------------------------------- */

static rc_object *compile_module(compiler *c) {
    fstate_open(c, (name){NULL, 0}, true);
    while (!check(c, TK_EOF))
        statement(c);
    emit(c, OP_LOAD_CONST, add_const(c, rc_none()), +1);
    emit(c, OP_RETURN, 0, -1);
    return fstate_finish(c);
}

/* The setjmp point, in a function of its own: nothing in this frame
 * changes between setjmp and a longjmp back to it. */
static rc_object *compile_guarded(compiler *c) {
    if (setjmp(c->fail) == 0)
        return compile_module(c);
    while (c->fs) {
        fstate *up = c->fs->parent;
        fstate_free(c->fs);
        c->fs = up;
    }
    while (c->pending) {
        fstate *up = c->pending->pending_up;
        fstate_free(c->pending);
        c->pending = up;
    }
    return NULL;
}

rc_object *lang_compile(const char *src, size_t len, lang_syntax_error *err) {
    memset(err, 0, sizeof *err);
    /* On the heap: its fields change between setjmp and longjmp, which
     * would leave a non-volatile local of the setjmp frame indeterminate. */
    compiler *c = rc_mem_calloc(sizeof *c);
    if (!c) {
        snprintf(err->message, sizeof err->message, "out of memory");
        err->out_of_memory = true;
        return NULL;
    }
    c->err = err;
    rc_object *code = NULL;
    if (lang_tokenize(src, len, &c->toks, err) == 0)
        code = compile_guarded(c);
    lang_tokens_free(&c->toks);
    rc_mem_free(c);
    return code;
}
