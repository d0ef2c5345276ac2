/*
 * lang/lexer.h -- turns source text into tokens, all at once.
 *
 * The lexer works the way Python's does: indentation at the start of a
 * logical line becomes INDENT and DEDENT tokens, a line ends with NEWLINE,
 * and inside brackets lines join implicitly. Tokenizing the whole file
 * before parsing lets the compiler look ahead freely (it scans a function's
 * body for assignments before compiling it, to know its local names).
 */
#ifndef LANG_LEXER_H
#define LANG_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum lang_tok {
    TK_EOF,
    TK_NEWLINE,
    TK_INDENT,
    TK_DEDENT,
    TK_NAME,
    TK_INT,
    TK_FLOAT,
    TK_STRING,
    /* An f-string is FSTRING_START, then its literal pieces (TK_STRING) and
     * fields, then FSTRING_END. A field is FEXPR_BEGIN, the expression's
     * own tokens, and FEXPR_END. FEXPR_BEGIN: ival 1 for a field with the
     * `=` specifier, and then start/len are the text before the value
     * ("x=" of {x=}). FEXPR_END: ival the conversion ('r', 's', 'a' or 0),
     * sval/slen the format spec (NULL for none). */
    TK_FSTRING_START, TK_FSTRING_END, TK_FEXPR_BEGIN, TK_FEXPR_END,
    /* keywords */
    TK_AND, TK_AS, TK_BREAK, TK_CONTINUE, TK_DEF, TK_ELIF, TK_ELSE, TK_FALSE, TK_FOR, TK_FROM,
    TK_GLOBAL, TK_IF, TK_IMPORT, TK_IN, TK_IS, TK_LAMBDA, TK_NONE, TK_NOT, TK_OR, TK_PASS, TK_RETURN,
    TK_TRUE, TK_WHILE,
    /* punctuation */
    TK_LPAREN, TK_RPAREN, TK_LBRACKET, TK_RBRACKET, TK_LBRACE, TK_RBRACE,
    TK_COMMA, TK_COLON, TK_DOT,
    TK_PLUS, TK_MINUS, TK_STAR, TK_DSTAR, TK_SLASH, TK_DSLASH, TK_PERCENT,
    TK_ASSIGN, TK_PLUSEQ, TK_MINUSEQ, TK_STAREQ,
    TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE,
    /* added later, kept last so that other additions merge: keywords */
    TK_CLASS,
    /* punctuation: decorators, and more augmented assignments */
    TK_AT, TK_SLASHEQ, TK_DSLASHEQ, TK_PERCENTEQ,
    /* keywords of exceptions, `with` and `assert` (lang/exceptions.c) */
    TK_TRY, TK_EXCEPT, TK_FINALLY, TK_RAISE, TK_WITH, TK_ASSERT,
    /* bitwise operators and their augmented assignments */
    TK_AMP, TK_PIPE, TK_CARET, TK_TILDE, TK_LSHIFT, TK_RSHIFT,
    TK_AMPEQ, TK_PIPEEQ, TK_CARETEQ, TK_LSHIFTEQ, TK_RSHIFTEQ,
    /* x **= y */
    TK_DSTAREQ,
    /* del */
    TK_DEL,
} lang_tok;

typedef struct lang_token {
    lang_tok kind;
    int line, col;      /* 1-based, where the token starts */
    const char *start;  /* the token's text in the source (names, errors) */
    size_t len;
    int64_t ival;       /* TK_INT of at most 18 digits; a longer one is read from its text */
    double fval;        /* TK_FLOAT */
    char *sval;         /* TK_STRING: the unescaped bytes, malloc'd, NUL-ended */
    size_t slen;
} lang_token;

typedef struct lang_tokens {
    lang_token *items;
    int count, cap;
} lang_tokens;

/* Why a compile failed: where, and what. out_of_memory: the failure was
 * memory running out (an allocation that failed), not the source; the
 * message then says so, and refcore's error slot holds RC_ENOMEM. */
typedef struct lang_syntax_error {
    int line, col;
    char message[160];
    bool out_of_memory;
} lang_syntax_error;

/* Tokenizes len bytes of src (which must stay alive while the tokens are
 * used). Returns 0 with *out filled, or -1 with *err filled and *out empty.
 * Never reads past src + len. */
int lang_tokenize(const char *src, size_t len, lang_tokens *out, lang_syntax_error *err);

/* Frees the token array and the strings it owns. Safe on an empty array. */
void lang_tokens_free(lang_tokens *toks);

/* A short printable description of a token kind, for messages. */
const char *lang_tok_name(lang_tok kind);

#endif /* LANG_LEXER_H */
