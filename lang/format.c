/*
 * lang/format.c -- the format mini-language (format.h).
 *
 * A spec is parsed once into a format_spec; the value then becomes a body
 * (digits and point, or the text) with a sign and a prefix kept apart, and
 * pad() lays the three out in the width with the fill and alignment, as
 * Python's formatter does: '=' puts the padding between the sign (and
 * prefix) and the digits, which is what a '0' flag asks for.
 *
 * Widths count code points, not bytes, so a str with non-ASCII text pads
 * as in Python.
 */
#include "lang/format.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/ops.h"

#define MAX_WIDTH 100000 /* width and precision: a bound on what one field allocates */

typedef struct format_spec {
    char fill[5];    /* one UTF-8 character */
    char align;      /* '<' '>' '^' '=' or 0 for the type's default */
    char sign;       /* '+' '-' ' ' or 0 */
    bool alternate;  /* '#' */
    char grouping;   /* ',' '_' or 0 */
    int width;       /* -1 if none */
    int precision;   /* -1 if none */
    char type;       /* 0 if none */
} format_spec;

/* ---- parsing --------------------------------------------------------------- */

/* The length of the UTF-8 character at p (1 for a stray byte). */
static size_t char_len(const char *p, const char *end) {
    size_t n = 1;
    while (p + n < end && ((unsigned char)p[n] & 0xc0) == 0x80)
        n++;
    return n;
}

static bool is_align(char c) {
    return c == '<' || c == '>' || c == '^' || c == '=';
}

/* Reads a decimal number of at most MAX_WIDTH at *p; -1 if there is none. */
static int read_number(const char **p, const char *end) {
    if (*p == end || **p < '0' || **p > '9')
        return -1;
    long n = 0;
    while (*p < end && **p >= '0' && **p <= '9') {
        n = n * 10 + (**p - '0');
        if (n > MAX_WIDTH)
            n = MAX_WIDTH + 1; /* reported by the caller */
        (*p)++;
    }
    return (int)n;
}

static rc_status parse_spec(const char *s, size_t len, format_spec *f) {
    const char *p = s, *end = s + len;
    *f = (format_spec){.fill = " ", .width = -1, .precision = -1};
    size_t cl = p < end ? char_len(p, end) : 0;
    if (p + cl < end && is_align(p[cl])) { /* a fill, then the alignment */
        memcpy(f->fill, p, cl);
        f->fill[cl] = '\0';
        f->align = p[cl];
        p += cl + 1;
    } else if (p < end && is_align(*p)) {
        f->align = *p++;
    }
    if (p < end && (*p == '+' || *p == '-' || *p == ' '))
        f->sign = *p++;
    if (p < end && *p == '#')
        f->alternate = true, p++;
    if (p < end && *p == '0') { /* zero padding after the sign, unless aligned otherwise */
        if (!f->align)
            strcpy(f->fill, "0"), f->align = '=';
        p++;
    }
    f->width = read_number(&p, end);
    if (p < end && (*p == ',' || *p == '_'))
        f->grouping = *p++;
    if (p < end && *p == '.') {
        p++;
        if ((f->precision = read_number(&p, end)) < 0)
            return rc_error_set(RC_EVALUE, "Format specifier missing precision");
    }
    if (p < end)
        f->type = *p++;
    if (p != end)
        return rc_error_set(RC_EVALUE, "Invalid format specifier '%.*s'", (int)len, s);
    if (f->width > MAX_WIDTH || f->precision > MAX_WIDTH)
        return rc_error_set(RC_EVALUE, "Too many decimal digits in format string");
    return RC_OK;
}

/* ---- laying out ------------------------------------------------------------ */

static int64_t code_points(const char *s, size_t n) {
    int64_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xc0) != 0x80;
    return k;
}

/* sign + prefix + body, padded to the width with the fill as f->align
 * (or dflt) says. Returns: a new str, or NULL. */
static rc_object *pad(const format_spec *f, char dflt, const char *sign, const char *prefix,
                      const char *body, size_t body_len) {
    size_t ls = strlen(sign), lp = strlen(prefix), lf = strlen(f->fill);
    int64_t used = (int64_t)(ls + lp) + code_points(body, body_len);
    int64_t padding = f->width > used ? f->width - used : 0;
    char align = f->align ? f->align : dflt;
    int64_t left = align == '>' || align == '=' ? padding : align == '^' ? padding / 2 : 0;
    int64_t right = padding - left;
    size_t total = ls + lp + body_len + (size_t)padding * lf;
    char *buf = rc_mem_alloc(total + 1), *q = buf;
    if (!buf)
        return NULL;
    if (align == '=') { /* sign and prefix, then the padding */
        memcpy(q, sign, ls), q += ls;
        memcpy(q, prefix, lp), q += lp;
    }
    for (int64_t i = 0; i < left; i++)
        memcpy(q, f->fill, lf), q += lf;
    if (align != '=') {
        memcpy(q, sign, ls), q += ls;
        memcpy(q, prefix, lp), q += lp;
    }
    memcpy(q, body, body_len), q += body_len;
    for (int64_t i = 0; i < right; i++)
        memcpy(q, f->fill, lf), q += lf;
    rc_object *r = rc_str_from_utf8(buf, (size_t)(q - buf));
    rc_mem_free(buf);
    return r;
}

/* Inserts f->grouping every 3 digits of the integer part of digits (no
 * sign), into out (size at least 2 * strlen(digits) + 1). */
static void group(const char *digits, char sep, char *out) {
    size_t n = strspn(digits, "0123456789");
    size_t i = 0;
    for (; i < n; i++) {
        *out++ = digits[i];
        if (sep && (n - i - 1) % 3 == 0 && i + 1 < n)
            *out++ = sep;
    }
    strcpy(out, digits + n);
}

static const char *sign_of(const format_spec *f, bool negative) {
    if (negative)
        return "-";
    return f->sign == '+' ? "+" : f->sign == ' ' ? " " : "";
}

/* ---- by type ------------------------------------------------------------------ */

static rc_object *bad_type(const format_spec *f, rc_object *v) {
    rc_error_set(RC_EVALUE, "Unknown format code '%c' for object of type '%s'", f->type,
                 rc_object_type_name(v));
    return NULL;
}

/* The digits of |d| as f asks (before grouping and padding), in a new
 * rc_mem buffer; NULL with the error set. */
static char *float_digits(const format_spec *f, rc_object *v, double a) {
    char type = f->type, conv[16];
    int prec = f->precision < 0 ? 6 : f->precision;
    if (!type && f->precision < 0) { /* str(v), without its sign */
        rc_object *s = rc_object_repr(v);
        if (!s)
            return NULL;
        const char *t = rc_str_data(s);
        t += t[0] == '-';
        char *out = rc_mem_alloc(strlen(t) + 1);
        if (out)
            strcpy(out, t);
        rc_decref(s);
        return out;
    }
    if (!type) /* 'g', keeping a digit after the point (below) */
        prec = prec ? prec : 1;
    else if (!strchr("eEfFgG%", type))
        return NULL;
    snprintf(conv, sizeof conv, "%%%s.*%c", f->alternate ? "#" : "",
             !type ? 'g' : type == '%' ? 'f' : type);
    int n = snprintf(NULL, 0, conv, prec, a);
    char *out = n < 0 ? NULL : rc_mem_alloc((size_t)n + 4);
    if (!out)
        return NULL;
    snprintf(out, (size_t)n + 1, conv, prec, a);
    if (!type && isfinite(a) && !strpbrk(out, ".e"))
        strcat(out, ".0");
    if (type == '%')
        strcat(out, "%");
    return out;
}

static rc_object *format_float(const format_spec *f, rc_object *v, double d) {
    if (f->type && !strchr("eEfFgG%", f->type))
        return bad_type(f, v);
    bool negative = signbit(d) && !isnan(d);
    double a = f->type == '%' ? fabs(d) * 100 : fabs(d);
    char *raw = float_digits(f, v, a);
    char *body = raw ? rc_mem_alloc(2 * strlen(raw) + 1) : NULL;
    rc_object *r = NULL;
    if (body) {
        group(raw, f->grouping, body);
        r = pad(f, '>', sign_of(f, negative), "", body, strlen(body));
    }
    rc_mem_free(raw);
    rc_mem_free(body);
    return r;
}

/* Encodes code point cp (pre: at most 0x10ffff) as UTF-8 in out (5 bytes
 * at least, NUL-ended); returns its length. */
static size_t utf8_encode(uint32_t cp, char *out) {
    size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const unsigned char lead[] = {0, 0, 0xc0, 0xe0, 0xf0};
    for (size_t i = n - 1; i > 0; i--, cp >>= 6)
        out[i] = (char)(0x80 | (cp & 0x3f));
    out[0] = (char)(n == 1 ? cp : (lead[n] | cp));
    out[n] = '\0';
    return n;
}

/* Writes |x| in base (2, 8, 10 or 16) into out, backwards from its end;
 * returns where the digits start. */
static char *digits_of(uint64_t x, int base, bool upper, char *end) {
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    *--end = '\0';
    do
        *--end = set[x % (uint64_t)base];
    while ((x /= (uint64_t)base) != 0);
    return end;
}

static rc_object *format_int(const format_spec *f, rc_object *v, int64_t x) {
    char type = f->type ? f->type : 'd';
    if (strchr("eEfFgG%", type))
        return format_float(f, v, (double)x);
    if (type == 'c') {
        if (x < 0 || x > 0x10ffff) {
            rc_error_set(RC_EOVERFLOW, "%%c arg not in range(0x110000)");
            return NULL;
        }
        char ch[5];
        return pad(f, '<', "", "", ch, utf8_encode((uint32_t)x, ch));
    }
    int base = type == 'b' ? 2 : type == 'o' ? 8 : (type == 'x' || type == 'X') ? 16 : 10;
    if (base == 10 && type != 'd' && type != 'n')
        return bad_type(f, v);
    char raw[80], body[160];
    uint64_t mag = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
    const char *d = digits_of(mag, base, type == 'X', raw + sizeof raw);
    const char *prefix = !f->alternate ? ""
                         : base == 2   ? "0b"
                         : base == 8   ? "0o"
                         : base == 16  ? (type == 'X' ? "0X" : "0x")
                                       : "";
    group(d, f->grouping, body);
    return pad(f, '>', sign_of(f, x < 0), prefix, body, strlen(body));
}

/* An int beyond int64_t: its decimal text, grouped and padded as
 * format_int lays out a small one; a float type goes through the nearest
 * double (an error past the double range). Bases other than 10 are not
 * supported (refcore gives only the decimal text of a big int). */
static rc_object *format_big_int(const format_spec *f, rc_object *v) {
    char type = f->type ? f->type : 'd';
    if (strchr("eEfFgG%", type)) {
        double d = 0;
        return rc_float_as_double(v, &d) == RC_OK ? format_float(f, v, d) : NULL;
    }
    if (type == 'c') {
        rc_error_set(RC_EOVERFLOW, "%%c arg not in range(0x110000)");
        return NULL;
    }
    if (strchr("bBoxX", type)) {
        rc_error_set(RC_EVALUE, "format code '%c' is not supported for an int beyond 64 bits",
                     type);
        return NULL;
    }
    if (type != 'd' && type != 'n')
        return bad_type(f, v);
    rc_object *text = rc_object_repr(v);
    if (!text)
        return NULL;
    const char *digits = rc_str_data(text);
    bool negative = digits[0] == '-';
    digits += negative;
    char *body = rc_mem_alloc(2 * strlen(digits) + 1);
    rc_object *r = NULL;
    if (body) {
        group(digits, f->grouping, body);
        r = pad(f, '>', sign_of(f, negative), "", body, strlen(body));
    }
    rc_mem_free(body);
    rc_decref(text);
    return r;
}

static rc_object *format_str(const format_spec *f, rc_object *v) {
    if (f->type && f->type != 's')
        return bad_type(f, v);
    if (f->sign || f->alternate || f->align == '=') {
        rc_error_set(RC_EVALUE, "Sign, '#' and '=' alignment not allowed in string format");
        return NULL;
    }
    const char *s = rc_str_data(v);
    size_t n = (size_t)rc_str_byte_length(v);
    if (f->precision >= 0) { /* keep the first precision code points */
        size_t cut = 0;
        for (int64_t k = 0; cut < n && k < f->precision; k++)
            cut += char_len(s + cut, s + n);
        n = cut;
    }
    return pad(f, '<', "", "", s, n);
}

rc_object *lang_format(rc_object *v, const char *spec, size_t len) {
    if (len == 0)
        return lang_str(v);
    format_spec f;
    if (parse_spec(spec, len, &f) != RC_OK)
        return NULL;
    if (rc_int_check(v) && !rc_int_fits_i64(v))
        return format_big_int(&f, v);
    if (rc_int_check(v) || rc_bool_check(v)) {
        int64_t x = 0;
        if (rc_bool_check(v))
            x = rc_bool_value(v);
        else if (rc_int_as_i64(v, &x) != RC_OK)
            return NULL;
        return format_int(&f, v, x);
    }
    if (rc_float_check(v)) {
        double d = 0;
        rc_float_as_double(v, &d);
        return format_float(&f, v, d);
    }
    if (rc_str_check(v))
        return format_str(&f, v);
    rc_error_set(RC_ETYPE, "unsupported format string passed to %s.__format__",
                 rc_object_type_name(v));
    return NULL;
}

rc_object *lang_convert(rc_object *v, char conversion) {
    return conversion == 's' ? lang_str(v) : rc_object_repr(v);
}

/* ---- templates ------------------------------------------------------------------- */

/* One {field} of a template, p just past its '{'; *pp is left past its
 * '}'. *next_auto counts the {} fields, and is -1 once a {number} was
 * seen: one template uses one kind, as in Python. Returns: a new str, or
 * NULL. */
static rc_object *template_field(const char **pp, const char *end, rc_object **args, int nargs,
                                 int *next_auto) {
    const char *p = *pp;
    const char *close = memchr(p, '}', (size_t)(end - p));
    if (!close) {
        rc_error_set(RC_EVALUE, "Single '{' encountered in format string");
        return NULL;
    }
    *pp = close + 1;
    const char *colon = memchr(p, ':', (size_t)(close - p));
    const char *bang = memchr(p, '!', (size_t)((colon ? colon : close) - p));
    const char *name_end = bang ? bang : colon ? colon : close;
    int index;
    bool automatic = name_end == p;
    if (automatic ? *next_auto < 0 : *next_auto > 0) {
        rc_error_set(RC_EVALUE, "cannot switch from %s field numbering to %s",
                     automatic ? "manual" : "automatic", automatic ? "automatic" : "manual");
        return NULL;
    }
    if (automatic) {
        index = (*next_auto)++;
    } else {
        *next_auto = -1;
        const char *q = p;
        index = read_number(&q, name_end);
        if (q != name_end || index < 0) {
            rc_error_set(RC_EVALUE, "format fields must be {} or {number}, not '{%.*s}'",
                         (int)(name_end - p), p);
            return NULL;
        }
    }
    if (index >= nargs) {
        rc_error_set(RC_EINDEX, "Replacement index %d out of range for positional args tuple",
                     index);
        return NULL;
    }
    char conv = 0;
    if (bang) {
        conv = bang + 1 < close ? bang[1] : 0;
        if ((conv != 'r' && conv != 's' && conv != 'a') || bang + 2 != (colon ? colon : close)) {
            rc_error_set(RC_EVALUE, "Unknown conversion specifier in format string");
            return NULL;
        }
    }
    rc_object *v = conv ? lang_convert(args[index], conv) : rc_newref(args[index]);
    if (!v)
        return NULL;
    const char *spec = colon ? colon + 1 : close;
    rc_object *r = lang_format(v, spec, (size_t)(close - spec));
    rc_decref(v);
    return r;
}

/* Appends piece (stolen; NULL means a failure) to *acc. */
static void append(rc_object **acc, rc_object *piece) {
    rc_object *r = *acc && piece ? rc_str_concat(*acc, piece) : NULL;
    rc_xdecref(piece);
    rc_xdecref(*acc);
    *acc = r;
}

rc_object *lang_format_template(rc_object *tmpl, rc_object **args, int nargs) {
    const char *p = rc_str_data(tmpl), *end = p + rc_str_byte_length(tmpl);
    rc_object *acc = rc_str_from_cstr("");
    int next_auto = 0;
    while (acc && p < end) {
        const char *lit = p;
        while (p < end && *p != '{' && *p != '}')
            p++;
        append(&acc, rc_str_from_utf8(lit, (size_t)(p - lit)));
        if (p == end || !acc)
            break;
        if (p + 1 < end && p[1] == *p) { /* {{ or }} */
            append(&acc, rc_str_from_utf8(p, 1));
            p += 2;
        } else if (*p == '}') {
            rc_error_set(RC_EVALUE, "Single '}' encountered in format string");
            rc_clear_ref(&acc);
        } else {
            p++;
            append(&acc, template_field(&p, end, args, nargs, &next_auto));
        }
    }
    return acc;
}

/* ---- printf-style formatting: fmt % args ------------------------------------------- */

/* The value a %-conversion formats: str() for s, repr() for r and a, an
 * int for d i u (a float truncated, as Python does), the value itself for
 * the others. Returns: a new reference, or NULL. */
static rc_object *percent_value(rc_object *v, char type) {
    if (type == 's')
        return lang_str(v);
    if (type == 'r' || type == 'a')
        return rc_object_repr(v);
    if ((type == 'd' || type == 'i' || type == 'u') && rc_float_check(v)) {
        double d = 0;
        rc_float_as_double(v, &d);
        if (!(d > -9.2e18 && d < 9.2e18)) {
            rc_error_set(RC_EOVERFLOW, "cannot convert float %g to integer", d);
            return NULL;
        }
        return rc_int_from_i64((int64_t)d);
    }
    if (strchr("diuxXoc", type) && !rc_int_check(v) && !rc_bool_check(v) &&
        !(type == 'c' && rc_str_check(v))) {
        rc_error_set(RC_ETYPE, "%%%c format: a real number is required, not %s", type,
                     rc_object_type_name(v));
        return NULL;
    }
    if (strchr("eEfFgG", type) && !rc_int_check(v) && !rc_float_check(v) && !rc_bool_check(v)) {
        rc_error_set(RC_ETYPE, "must be real number, not %s", rc_object_type_name(v));
        return NULL;
    }
    return rc_newref(v);
}

/* One conversion, p just past its '%' (not "%%"): its flags, width,
 * precision and type become a spec for lang_format: right-aligned unless
 * '-', and zero-padded after the sign for '0' (numbers). *pp is left past
 * the type. Returns: a new str, or NULL. */
static rc_object *percent_field(const char **pp, const char *end, const char *start,
                                rc_object *v) {
    const char *p = *pp;
    bool left = false, zero = false, alt = false;
    char sign = 0;
    for (; p < end && strchr("-+ 0#", *p); p++) {
        left |= *p == '-', zero |= *p == '0', alt |= *p == '#';
        if (*p == '+' || (*p == ' ' && sign != '+'))
            sign = *p;
    }
    int width = read_number(&p, end), prec = -1;
    if (p < end && *p == '.') {
        p++;
        prec = read_number(&p, end);
        prec = prec < 0 ? 0 : prec;
    }
    char type = p < end ? *p++ : 0;
    *pp = p;
    if (!type) {
        rc_error_set(RC_EVALUE, "incomplete format");
        return NULL;
    }
    if (!strchr("sradiuxXocfFeEgG", type)) {
        rc_error_set(RC_EVALUE, "unsupported format character '%c' (0x%x) at index %d",
                     type, (unsigned char)type, (int)(p - 1 - start));
        return NULL;
    }
    rc_object *cv = percent_value(v, type);
    if (!cv)
        return NULL;
    if (type == 'c' && rc_str_check(cv))
        type = 's'; /* %c of a one-character str: the str */
    bool num = !strchr("srac", type);
    char spec[64];
    int n = snprintf(spec, sizeof spec, "%s%s%s%s", left ? "<" : num && zero ? "" : ">",
                     sign == '+' ? "+" : sign == ' ' ? " " : "", alt && num ? "#" : "",
                     num && zero && !left ? "0" : "");
    if (width >= 0)
        n += snprintf(spec + n, sizeof spec - (size_t)n, "%d", width);
    if (prec >= 0 && type != 'c')
        n += snprintf(spec + n, sizeof spec - (size_t)n, ".%d", prec);
    spec[n++] = strchr("srai", type) ? (type == 'i' ? 'd' : 's') : type == 'u' ? 'd' : type;
    rc_object *r = lang_format(cv, spec, (size_t)n);
    rc_decref(cv);
    return r;
}

rc_object *lang_format_percent(rc_object *fmt, rc_object *args) {
    const char *p = rc_str_data(fmt), *start = p, *end = p + rc_str_byte_length(fmt);
    bool many = rc_tuple_check(args);
    int64_t nargs = many ? rc_tuple_size(args) : 1, next = 0;
    rc_object *acc = rc_str_from_cstr("");
    while (acc && p < end) {
        const char *lit = p;
        while (p < end && *p != '%')
            p++;
        append(&acc, rc_str_from_utf8(lit, (size_t)(p - lit)));
        if (p == end || !acc)
            break;
        if (++p < end && *p == '%') {
            append(&acc, rc_str_from_cstr("%"));
            p++;
        } else if (next == nargs) {
            rc_error_set(RC_ETYPE, "not enough arguments for format string");
            rc_clear_ref(&acc);
        } else {
            rc_object *v = many ? rc_tuple_get(args, next) : args;
            next++;
            append(&acc, percent_field(&p, end, start, v));
        }
    }
    if (acc && next < nargs) {
        rc_error_set(RC_ETYPE, "not all arguments converted during string formatting");
        rc_clear_ref(&acc);
    }
    return acc;
}
