/*
 * lang/lexer.c -- the tokenizer (see lexer.h).
 *
 * One pass over the bytes. A stack of indentation widths turns the leading
 * whitespace of each logical line into INDENT/DEDENT tokens, as Python's
 * tokenizer does; blank and comment-only lines do not count, and neither do
 * line breaks inside brackets. Every error carries the line and column of
 * the offending byte.
 *
 * Tabs. Each indentation is measured twice, as Python's tokenizer does: with
 * a tab advancing to the next multiple of 8 (the width that decides the
 * level) and with a tab 1 wide. Two lines must compare the same way under
 * both measures; if they do not, the program's meaning depends on how wide
 * an editor shows a tab, and it is rejected (Python's TabError) rather than
 * read one way silently.
 */
#include "lang/lexer.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refcore.h"

#define MAX_INDENT 100
#define MAX_INDENT_WIDTH 100000 /* columns */

typedef struct lexer {
    const char *p, *end;
    const char *line_start;
    int line;
    /* The open indentation levels, outermost (0) first: widths with a tab
     * to the next multiple of 8, and with a tab 1 wide (see the top). Both
     * strictly increase from the bottom of the stack up. */
    int indents[MAX_INDENT];
    int alt_indents[MAX_INDENT];
    int nindent;
    int paren; /* bracket depth: line breaks inside brackets are ignored */
    lang_tokens *out;
    lang_syntax_error *err;
} lexer;

static const struct {
    const char *word;
    lang_tok kind;
} keywords[] = {
    {"and", TK_AND}, {"as", TK_AS}, {"break", TK_BREAK}, {"continue", TK_CONTINUE}, {"def", TK_DEF},
    {"elif", TK_ELIF}, {"else", TK_ELSE}, {"False", TK_FALSE}, {"for", TK_FOR}, {"from", TK_FROM},
    {"global", TK_GLOBAL}, {"if", TK_IF}, {"import", TK_IMPORT}, {"in", TK_IN}, {"is", TK_IS},
    {"lambda", TK_LAMBDA}, {"None", TK_NONE},
    {"not", TK_NOT}, {"or", TK_OR}, {"pass", TK_PASS}, {"return", TK_RETURN},
    {"True", TK_TRUE}, {"while", TK_WHILE},
    {"class", TK_CLASS},
    {"try", TK_TRY}, {"except", TK_EXCEPT}, {"finally", TK_FINALLY}, {"raise", TK_RAISE},
    {"with", TK_WITH}, {"assert", TK_ASSERT}, {"del", TK_DEL},
};

static int lex_error(lexer *lx, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int lex_error(lexer *lx, const char *at, const char *fmt, ...) {
    lx->err->line = lx->line;
    lx->err->col = (int)(at - lx->line_start) + 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lx->err->message, sizeof lx->err->message, fmt, ap);
    va_end(ap);
    return -1;
}

/* An allocation failed (rc_mem_*, which set RC_ENOMEM): not the source's
 * fault, and marked so. */
static int lex_out_of_memory(lexer *lx, const char *at) {
    lex_error(lx, at, "out of memory");
    lx->err->out_of_memory = true;
    return -1;
}

/* Appends a token starting at `at`, len bytes long. Returns it, or NULL
 * with the error set when memory runs out. */
static lang_token *push(lexer *lx, lang_tok kind, const char *at, size_t len) {
    lang_tokens *t = lx->out;
    if (t->count == t->cap) {
        int cap = t->cap ? t->cap * 2 : 256;
        lang_token *items = rc_mem_realloc(t->items, (size_t)cap * sizeof *items);
        if (!items) {
            lex_out_of_memory(lx, at);
            return NULL;
        }
        t->items = items;
        t->cap = cap;
    }
    lang_token *tok = &t->items[t->count++];
    memset(tok, 0, sizeof *tok);
    tok->kind = kind;
    tok->line = lx->line;
    tok->col = (int)(at - lx->line_start) + 1;
    tok->start = at;
    tok->len = len;
    return tok;
}

static lang_tok last_kind(lexer *lx) {
    return lx->out->count ? lx->out->items[lx->out->count - 1].kind : TK_NEWLINE;
}

/* ---- indentation ---------------------------------------------------------- */

/* The indentation at p compares with an open level one way when a tab is 8
 * wide and another way when it is 1 wide (see the top of the file). */
static int tab_error(lexer *lx, const char *p) {
    return lex_error(lx, p, "inconsistent use of tabs and spaces in indentation");
}

/* At the start of a line outside brackets: measures the indentation and
 * emits INDENT/DEDENTs. Blank and comment-only lines are skipped whole.
 * Returns 0, or -1 on error. */
static int lex_indent(lexer *lx) {
    for (;;) {
        int width = 0, alt = 0;
        const char *p = lx->p;
        for (; p < lx->end && (*p == ' ' || *p == '\t' || *p == '\r'); p++, alt++) {
            if (width > MAX_INDENT_WIDTH) /* before either measure can overflow */
                return lex_error(lx, p, "indentation too wide");
            width = *p == '\t' ? (width / 8 + 1) * 8 : width + 1;
        }
        if (p < lx->end && *p == '#')
            while (p < lx->end && *p != '\n')
                p++;
        if (p < lx->end && *p == '\n') { /* blank line: does not count */
            lx->p = p + 1;
            lx->line++;
            lx->line_start = lx->p;
            continue;
        }
        lx->p = p;
        if (p == lx->end)
            return 0;
        int top = lx->indents[lx->nindent - 1];
        if (width > top) {
            if (alt <= lx->alt_indents[lx->nindent - 1])
                return tab_error(lx, p);
            if (lx->nindent == MAX_INDENT)
                return lex_error(lx, p, "too many levels of indentation");
            lx->indents[lx->nindent] = width;
            lx->alt_indents[lx->nindent++] = alt;
            return push(lx, TK_INDENT, p, 0) ? 0 : -1;
        }
        while (width < lx->indents[lx->nindent - 1]) {
            lx->nindent--;
            if (!push(lx, TK_DEDENT, p, 0))
                return -1;
        }
        if (width != lx->indents[lx->nindent - 1])
            return lex_error(lx, p, "unindent does not match any outer indentation level");
        if (alt != lx->alt_indents[lx->nindent - 1])
            return tab_error(lx, p);
        return 0;
    }
}

/* ---- names, numbers, strings ------------------------------------------------ */

static int lex_name(lexer *lx) {
    const char *s = lx->p;
    while (lx->p < lx->end && (isalnum((unsigned char)*lx->p) || *lx->p == '_'))
        lx->p++;
    size_t len = (size_t)(lx->p - s);
    lang_tok kind = TK_NAME;
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strlen(keywords[i].word) == len && memcmp(keywords[i].word, s, len) == 0)
            kind = keywords[i].kind;
    return push(lx, kind, s, len) ? 0 : -1;
}

/* 0x, 0o or 0b and digits of that base (with single `_` separators), an
 * int that fits in 63 bits: a longer one is an error that says to write it
 * in decimal (lang/README.md). */
static int lex_based_int(lexer *lx) {
    const char *s = lx->p;
    char b = (char)(lx->p[1] | 0x20);
    int base = b == 'x' ? 16 : b == 'o' ? 8 : 2;
    lx->p += 2;
    uint64_t v = 0;
    int digits = 0;
    for (; lx->p < lx->end; lx->p++) {
        int c = (unsigned char)*lx->p, d;
        if (c == '_' && lx->p + 1 < lx->end && isxdigit((unsigned char)lx->p[1]))
            continue; /* between digits, or after the prefix: 0x_ff */
        if (isdigit(c))
            d = c - '0';
        else if (isxdigit(c))
            d = (c | 0x20) - 'a' + 10;
        else
            break;
        if (d >= base)
            return lex_error(lx, lx->p, "invalid digit in a base-%d literal", base);
        if (v > (UINT64_C(0x7FFFFFFFFFFFFFFF) - (uint64_t)d) / (uint64_t)base)
            return lex_error(lx, s, "int literal past 63 bits (write it in decimal)");
        v = v * (uint64_t)base + (uint64_t)d;
        digits++;
    }
    if (digits == 0)
        return lex_error(lx, s, "invalid base-%d literal", base);
    lang_token *tok = push(lx, TK_INT, s, (size_t)(lx->p - s));
    if (!tok)
        return -1;
    tok->ival = (int64_t)v;
    return 0;
}

/* Decimal digits, with `_` between them as Python allows. */
static void skip_digits(lexer *lx) {
    while (lx->p < lx->end && (isdigit((unsigned char)*lx->p) ||
                               (*lx->p == '_' && lx->p + 1 < lx->end &&
                                isdigit((unsigned char)lx->p[1]))))
        lx->p++;
}

static int lex_number(lexer *lx) {
    const char *s = lx->p;
    bool is_float = false;
    if (lx->p + 1 < lx->end && *lx->p == '0' && strchr("xXoObB", lx->p[1]) && lx->p[1])
        return lex_based_int(lx);
    skip_digits(lx);
    if (lx->p < lx->end && *lx->p == '.') {
        is_float = true;
        lx->p++;
        skip_digits(lx);
    }
    if (lx->p < lx->end && (*lx->p == 'e' || *lx->p == 'E')) {
        const char *q = lx->p + 1;
        if (q < lx->end && (*q == '+' || *q == '-'))
            q++;
        if (q < lx->end && isdigit((unsigned char)*q)) {
            is_float = true;
            lx->p = q;
            skip_digits(lx);
        }
    }
    size_t len = (size_t)(lx->p - s);
    if (!is_float && len > 18) /* maybe past int64_t: the compiler reads the text (rc_int_from_str takes `_`) */
        return push(lx, TK_INT, s, len) ? 0 : -1;
    char buf[64];
    size_t n = 0; /* the digits without their `_` separators */
    for (size_t i = 0; i < len && n < sizeof buf; i++)
        if (s[i] != '_')
            buf[n++] = s[i];
    if (n >= sizeof buf || (!is_float && n > 18))
        return lex_error(lx, s, "number literal too long");
    buf[n] = '\0';
    lang_token *tok = push(lx, is_float ? TK_FLOAT : TK_INT, s, len);
    if (!tok)
        return -1;
    errno = 0;
    if (is_float)
        tok->fval = strtod(buf, NULL);
    else
        tok->ival = strtoll(buf, NULL, 10);
    return 0;
}

static char unescape(char c) {
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case '0': return '\0';
    default: return c; /* \\ \' \" and anything else: the character itself */
    }
}

static int lex_token(lexer *lx);

/* Where the body of a string that starts at p ends: at its closing quote
 * (or the first of three), escapes skipped. NULL if it has none: a
 * one-line string may not span lines. */
static const char *string_end(lexer *lx, const char *p, char quote, bool triple) {
    for (; p < lx->end; p++) {
        if (*p == '\\' && p + 1 < lx->end && (triple || p[1] != '\n'))
            p++;
        else if (!triple && *p == '\n')
            return NULL;
        else if (*p == quote && (!triple || (p + 2 < lx->end && p[1] == quote && p[2] == quote)))
            return p;
    }
    return NULL;
}

/* A line break at p, inside a token: the next token's column counts from
 * after it. */
static void line_break(lexer *lx, const char *p) {
    lx->line++;
    lx->line_start = p + 1;
}

/* A literal piece [from, to) of a string: its bytes unescaped (a backslash
 * before a line break joins the lines) into a new TK_STRING token, line
 * breaks counted. stop_at_brace: an f-string's piece, which ends at a '{'
 * that is not doubled, and where '{{' and '}}' stand for one brace. Sets
 * *next to where the piece ended. */
static int lex_piece(lexer *lx, const char *from, const char *to, bool stop_at_brace,
                     const char **next) {
    int line = lx->line;
    const char *line_start = lx->line_start, *p = from;
    char *buf = rc_mem_alloc((size_t)(to - from) + 1); /* never longer than the source */
    if (!buf)
        return lex_out_of_memory(lx, from);
    size_t n = 0;
    while (p < to) {
        if (stop_at_brace && (*p == '{' || *p == '}')) {
            if (p + 1 < to && p[1] == *p) {
                buf[n++] = *p;
                p += 2;
                continue;
            }
            if (*p == '{')
                break;
            rc_mem_free(buf);
            return lex_error(lx, p, "f-string: single '}' is not allowed");
        }
        if (*p == '\\' && p + 1 < to) {
            if (*++p == '\n')
                line_break(lx, p);
            else
                buf[n++] = unescape(*p);
            p++;
            continue;
        }
        if (*p == '\n')
            line_break(lx, p);
        buf[n++] = *p++;
    }
    buf[n] = '\0';
    *next = p;
    lang_token *tok = push(lx, TK_STRING, from, (size_t)(p - from));
    if (!tok) {
        rc_mem_free(buf);
        return -1;
    }
    tok->line = line, tok->col = (int)(from - line_start) + 1;
    tok->sval = buf;
    tok->slen = n;
    return 0;
}

/* The end of an f-string field's expression, at p: a '}', '!', ':' or '='
 * outside the expression's own brackets ('!=' and '==' are operators). */
static bool field_stop(const char *p, const char *end) {
    bool eq_follows = p + 1 < end && p[1] == '=';
    return *p == '}' || *p == ':' || ((*p == '!' || *p == '=') && !eq_follows);
}

/* The part of a field after its expression, at p: `=`, `!conv`, `:spec`
 * and the '}' (format spec without nested fields). Completes the field's
 * FEXPR_BEGIN (token index begin) and pushes its FEXPR_END. */
static int lex_field_tail(lexer *lx, const char *p, const char *q, int begin,
                          const char **next) {
    lang_token *b = &lx->out->items[begin];
    if (*p == '=') { /* the text up to here, and spaces after the '=', are printed */
        for (p++; p < q && *p == ' '; p++)
            ;
        b->ival = 1;
        b->len = (size_t)(p - (b->start + 1));
        b->start++;
    }
    char conv = 0;
    if (p < q && *p == '!') {
        conv = ++p < q ? *p++ : 0;
        if (conv != 'r' && conv != 's' && conv != 'a')
            return lex_error(lx, p - 1, "f-string: invalid conversion character");
    }
    const char *spec = p < q && *p == ':' ? ++p : NULL;
    for (; spec && p < q && *p != '}'; p++)
        if (*p == '{')
            return lex_error(lx, p, "f-string: nested fields in a format spec are not supported");
    if (p >= q || *p != '}')
        return lex_error(lx, p, "f-string: expecting '}'");
    lang_token *e = push(lx, TK_FEXPR_END, p, 1);
    if (!e)
        return -1;
    e->ival = conv;
    if (spec) {
        if (!(e->sval = rc_mem_alloc((size_t)(p - spec) + 1)))
            return lex_out_of_memory(lx, spec);
        memcpy(e->sval, spec, (size_t)(p - spec));
        e->sval[p - spec] = '\0';
        e->slen = (size_t)(p - spec);
    }
    *next = p + 1;
    return 0;
}

/* One {field} of an f-string whose body ends at q; *pp is at its '{' and
 * is left past its '}'. The expression is tokenized in place, with the
 * lexer's end moved to q so that nothing runs past the string. */
static int lex_field(lexer *lx, const char **pp, const char *q) {
    const char *open = *pp, *saved_end = lx->end;
    int begin = lx->out->count, paren = lx->paren, r = 0;
    if (!push(lx, TK_FEXPR_BEGIN, open, 1))
        return -1;
    lx->end = q;
    lx->p = open + 1;
    while (r == 0) {
        if (lx->p >= q)
            r = lex_error(lx, open, "f-string: expecting '}'");
        else if (lx->paren == paren && field_stop(lx->p, q))
            break;
        else if (*lx->p == '\n')
            line_break(lx, lx->p++);
        else if (*lx->p == '\\' || *lx->p == '#')
            r = lex_error(lx, lx->p, "f-string expression part cannot include '%c'", *lx->p);
        else
            r = lex_token(lx);
    }
    lx->end = saved_end;
    lx->paren = paren;
    return r < 0 ? -1 : lex_field_tail(lx, lx->p, q, begin, pp);
}

/* f"...", whose body is [body, q): its pieces and fields (lexer.h). */
static int lex_fstring(lexer *lx, const char *s, const char *body, const char *q) {
    if (!push(lx, TK_FSTRING_START, s, (size_t)(body - s)))
        return -1;
    const char *p = body;
    while (p < q) {
        if (*p != '{' || (p + 1 < q && p[1] == '{')) {
            if (lex_piece(lx, p, q, true, &p) < 0)
                return -1;
        } else if (lex_field(lx, &p, q) < 0) {
            return -1;
        }
    }
    return push(lx, TK_FSTRING_END, q, 0) ? 0 : -1;
}

/* A string literal: '...', "...", triple-quoted, and f-strings of each. */
static int lex_string(lexer *lx) {
    const char *s = lx->p;
    bool fstr = *s == 'f' || *s == 'F';
    const char *open = s + fstr;
    char quote = *open;
    bool triple = open + 2 < lx->end && open[1] == quote && open[2] == quote;
    const char *body = open + (triple ? 3 : 1);
    const char *q = string_end(lx, body, quote, triple);
    if (!q)
        return lex_error(lx, s, "unterminated %sstring", triple ? "triple-quoted " : "");
    int r;
    if (fstr) {
        r = lex_fstring(lx, s, body, q);
    } else {
        const char *end;
        r = lex_piece(lx, body, q, false, &end);
        if (r == 0) { /* the token is the whole literal, quotes included */
            lang_token *tok = &lx->out->items[lx->out->count - 1];
            tok->col -= (int)(body - s);
            tok->start = s;
            tok->len = (size_t)(q + (triple ? 3 : 1) - s);
        }
    }
    lx->p = q + (triple ? 3 : 1);
    return r;
}

/* ---- punctuation -------------------------------------------------------------- */

static const struct {
    const char *text;
    lang_tok kind;
} puncts[] = {
    /* longer operators first, so that "//" wins over "/" */
    {"//=", TK_DSLASHEQ}, {"/=", TK_SLASHEQ}, {"%=", TK_PERCENTEQ}, {"@", TK_AT},
    {"**=", TK_DSTAREQ}, {"//", TK_DSLASH}, {"**", TK_DSTAR},
    {"==", TK_EQ}, {"!=", TK_NE}, {"<=", TK_LE}, {">=", TK_GE},
    {"<<=", TK_LSHIFTEQ}, {">>=", TK_RSHIFTEQ}, {"<<", TK_LSHIFT}, {">>", TK_RSHIFT},
    {"&=", TK_AMPEQ}, {"|=", TK_PIPEEQ}, {"^=", TK_CARETEQ},
    {"+=", TK_PLUSEQ}, {"-=", TK_MINUSEQ}, {"*=", TK_STAREQ},
    {"(", TK_LPAREN}, {")", TK_RPAREN}, {"[", TK_LBRACKET}, {"]", TK_RBRACKET},
    {"{", TK_LBRACE}, {"}", TK_RBRACE}, {",", TK_COMMA}, {":", TK_COLON},
    {".", TK_DOT}, {"+", TK_PLUS}, {"-", TK_MINUS}, {"*", TK_STAR},
    {"/", TK_SLASH}, {"%", TK_PERCENT}, {"=", TK_ASSIGN}, {"<", TK_LT},
    {">", TK_GT}, {"&", TK_AMP}, {"|", TK_PIPE}, {"^", TK_CARET}, {"~", TK_TILDE},
};

static int lex_punct(lexer *lx) {
    size_t avail = (size_t)(lx->end - lx->p);
    for (size_t i = 0; i < sizeof puncts / sizeof puncts[0]; i++) {
        size_t len = strlen(puncts[i].text);
        if (len <= avail && memcmp(lx->p, puncts[i].text, len) == 0) {
            lang_tok k = puncts[i].kind;
            if (k == TK_LPAREN || k == TK_LBRACKET || k == TK_LBRACE)
                lx->paren++;
            else if ((k == TK_RPAREN || k == TK_RBRACKET || k == TK_RBRACE) && lx->paren > 0)
                lx->paren--;
            const char *s = lx->p;
            lx->p += len;
            return push(lx, k, s, len) ? 0 : -1;
        }
    }
    unsigned char c = (unsigned char)*lx->p;
    if (c >= 0x20 && c < 0x7f)
        return lex_error(lx, lx->p, "unexpected character '%c'", c);
    return lex_error(lx, lx->p, "unexpected byte 0x%02x", c);
}

/* ---- the driver ------------------------------------------------------------------ */

static int lex_token(lexer *lx) {
    char c = *lx->p;
    if (c == ' ' || c == '\t' || c == '\r') {
        lx->p++;
        return 0;
    }
    if (c == '#') {
        while (lx->p < lx->end && *lx->p != '\n')
            lx->p++;
        return 0;
    }
    if (c == '"' || c == '\'' ||
        ((c == 'f' || c == 'F') && lx->p + 1 < lx->end && (lx->p[1] == '"' || lx->p[1] == '\'')))
        return lex_string(lx);
    if (isalpha((unsigned char)c) || c == '_')
        return lex_name(lx);
    if (isdigit((unsigned char)c) ||
        (c == '.' && lx->p + 1 < lx->end && isdigit((unsigned char)lx->p[1])))
        return lex_number(lx);
    return lex_punct(lx);
}

/* A backslash that ends a line joins the next line to it (Python's explicit
 * line joining): no NEWLINE, and the next line's indentation is not read.
 * Returns whether it did; pre: *lx->p is the backslash. */
static bool join_lines(lexer *lx) {
    const char *q = lx->p + 1;
    if (q < lx->end && *q == '\r')
        q++;
    if (q >= lx->end || *q != '\n')
        return false;
    lx->p = q + 1;
    lx->line++;
    lx->line_start = lx->p;
    return true;
}

/* `;` between simple statements: a NEWLINE of text ";", so that every scan
 * of the compiler ends a statement there; only the compiler's
 * simple_statements tells it apart, to keep the statements that follow on
 * the line (`if x: a; b` runs both under the if). A `;` that ends the line
 * is the line's end itself (a NEWLINE of no text). Python's errors: a `;`
 * that starts a line or follows another. pre: *lx->p == ';'. */
static int lex_semicolon(lexer *lx) {
    lang_tok before = last_kind(lx);
    if (lx->out->count == 0 || before == TK_NEWLINE || before == TK_INDENT || before == TK_DEDENT ||
        before == TK_COLON)
        return lex_error(lx, lx->p, "invalid syntax: ';' without a statement before it");
    const char *semi = lx->p++;
    const char *q = lx->p;
    while (q < lx->end && (*q == ' ' || *q == '\t' || *q == '\r'))
        q++;
    bool ends_line = q >= lx->end || *q == '\n' || *q == '#';
    return push(lx, TK_NEWLINE, semi, ends_line ? 0 : 1) ? 0 : -1;
}

static int lex_all(lexer *lx) {
    bool line_start = true;
    while (true) {
        if (line_start && lx->paren == 0 && lex_indent(lx) < 0)
            return -1;
        line_start = false;
        if (lx->p >= lx->end)
            break;
        if (*lx->p == '\n') {
            if (lx->paren == 0 && last_kind(lx) != TK_NEWLINE && !push(lx, TK_NEWLINE, lx->p, 0))
                return -1;
            lx->p++;
            lx->line++;
            lx->line_start = lx->p;
            line_start = true;
            continue;
        }
        if (*lx->p == '\\' && join_lines(lx))
            continue;
        if (*lx->p == ';' && lx->paren == 0) {
            if (lex_semicolon(lx) < 0)
                return -1;
            continue;
        }
        if (lex_token(lx) < 0)
            return -1;
    }
    if (last_kind(lx) != TK_NEWLINE && !push(lx, TK_NEWLINE, lx->p, 0))
        return -1;
    for (; lx->nindent > 1; lx->nindent--)
        if (!push(lx, TK_DEDENT, lx->p, 0))
            return -1;
    return push(lx, TK_EOF, lx->p, 0) ? 0 : -1;
}

int lang_tokenize(const char *src, size_t len, lang_tokens *out, lang_syntax_error *err) {
    lexer lx = {.p = src, .end = src + len, .line_start = src, .line = 1, .nindent = 1,
                .out = out, .err = err};
    lx.indents[0] = 0;
    lx.alt_indents[0] = 0;
    memset(out, 0, sizeof *out);
    if (lex_all(&lx) < 0) {
        lang_tokens_free(out);
        return -1;
    }
    return 0;
}

void lang_tokens_free(lang_tokens *toks) {
    for (int i = 0; i < toks->count; i++)
        rc_mem_free(toks->items[i].sval);
    rc_mem_free(toks->items);
    memset(toks, 0, sizeof *toks);
}

const char *lang_tok_name(lang_tok kind) {
    switch (kind) {
    case TK_EOF: return "end of file";
    case TK_NEWLINE: return "end of line";
    case TK_INDENT: return "indent";
    case TK_DEDENT: return "dedent";
    case TK_NAME: return "name";
    case TK_INT: return "integer";
    case TK_FLOAT: return "float";
    case TK_STRING: return "string";
    case TK_FSTRING_START: return "f-string";
    case TK_FSTRING_END: return "the end of the f-string";
    case TK_FEXPR_BEGIN: return "'{'";
    case TK_FEXPR_END: return "'}'";
    default: break;
    }
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (keywords[i].kind == kind)
            return keywords[i].word;
    for (size_t i = 0; i < sizeof puncts / sizeof puncts[0]; i++)
        if (puncts[i].kind == kind)
            return puncts[i].text;
    return "token";
}
