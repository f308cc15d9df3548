/*
 * schema.c - validation of tool arguments against a tool's inputSchema.
 *
 * SUPPORTED SUBSET OF JSON SCHEMA 2020-12
 *
 * Dialect ($schema): absent (= 2020-12), "https://json-schema.org/draft/2020-12/schema" or
 *   "http://json-schema.org/draft-07/schema#" (either with or without the empty fragment
 *   "#"). Both are evaluated with the 2020-12 rules below. Any other $schema value makes
 *   the schema unusable (MCP_E_INTERNAL, the message names the dialect).
 * Any instance: type (a name or an array of names; "integer" also accepts numbers with a zero
 *   fraction such as 1.0), enum, const (deep JSON equality: 1 equals 1.0, member order of
 *   objects does not matter).
 * Numbers: minimum, maximum, exclusiveMinimum, exclusiveMaximum (numeric form), multipleOf
 *   (> 0; exact for integers, relative tolerance of 4 DBL_EPSILON for fractions, so that
 *   0.3 is a multiple of 0.1).
 * Strings: minLength, maxLength (counted in Unicode code points of the UTF-8 text), pattern.
 * Arrays: prefixItems, items (applies to the items after prefixItems), minItems, maxItems,
 *   uniqueItems, contains, minContains, maxContains.
 * Objects: properties, patternProperties, additionalProperties (boolean or schema),
 *   propertyNames, required, dependentRequired, dependentSchemas, minProperties,
 *   maxProperties.
 * Applicators: allOf, anyOf, oneOf, not, if/then/else; the boolean schemas true and false.
 * References: $ref within the same document only: "#", "#/json/pointer" (with ~0 ~1 and %XX
 *   escapes; e.g. "#/$defs/name", "#/definitions/name") and "#name", resolved through
 *   $anchor. $defs and definitions hold referenced schemas. $id is not used for resolution:
 *   every "#..." resolves against the root of the schema. $ref is applied together with its
 *   sibling keywords (2020-12 rule, also for draft-07).
 * Ignored: annotations and unknown keywords (title, description, default, examples, format,
 *   deprecated, readOnly, writeOnly, $comment, $id, contentMediaType, x-*, ...).
 * Rejected, so that no constraint is ever silently skipped (MCP_E_INTERNAL): remote $ref
 *   (anything not starting with '#'; nothing is ever fetched), a $ref that does not resolve,
 *   unevaluatedProperties, unevaluatedItems, $dynamicRef, $recursiveRef, the draft-07 forms
 *   dependencies, additionalItems and array-valued items (use prefixItems), and malformed
 *   keyword values (e.g. "minLength": -1, "required": "name").
 *
 * PATTERNS (pattern, patternProperties) are POSIX extended regular expressions, compiled with
 *   regcomp(REG_EXTENDED | REG_NOSUB) and, as in ECMA-262, found anywhere in the string unless
 *   anchored with ^ or $. The common ECMA-262 syntax is rewritten first: \d \D \w \W \s \S
 *   (also inside [...]), \t \n \r \f \v, \b \B, escaped punctuation, lazy quantifiers
 *   (*? +? ?? {n}?, accepted because they cannot change whether a string matches), "{" that
 *   does not start {n}, {n,} or {n,m} (a literal) and "." (any character but \n and \r).
 *   ECMA-262-only syntax is NOT supported and makes the schema unusable (MCP_E_INTERNAL):
 *   (?:...), lookaround, named groups, backreferences \1..\9, \0, \xHH, \uHHHH, \p{...},
 *   \cX, [] and [^]; so do ECMA-262 syntax errors such as a quantifier with nothing to repeat
 *   or after another quantifier ("a**", "a{2}{3}"), and patterns that do not compile.
 *   Characters are UTF-8 code points: in the usual single-byte locale (the validator never
 *   calls setlocale) the rewrite makes ".", \D \W \S and negated classes match one whole
 *   UTF-8 character and groups non-ASCII literals and class members, so "^.{3}$" matches
 *   "héé" and "é+" repeats "é"; a range of non-ASCII characters ("[à-ü]") or a negated class
 *   with non-ASCII members ("[^é]") is then not supported (both work in a UTF-8 locale).
 *   \w, \s, \b and [[:classes:]] are ASCII-only.
 *
 * RESULT: only the first error is reported, as "<JSON Pointer of the instance>: <rule>" with
 *   "/" for the root, e.g. "/age: expected type integer, got string". Keywords are checked in
 *   this order: $ref, type, enum, const, the keywords for the instance's type, allOf, anyOf,
 *   oneOf, not, if/then/else; object members in the instance's order. A failed anyOf or
 *   oneOf is reported as such ("/: does not match any schema in anyOf"); allOf, $ref and
 *   then/else report the error found inside.
 *
 * LIMITS (MCP_E_INTERNAL "schema too complex: ..."), so that neither a hostile schema nor a
 *   hostile instance can exhaust the stack or the CPU:
 *   - 64 nested schema applications (every subschema applied and every $ref followed is one
 *     level; a $ref cycle such as {"$ref": "#"} ends here);
 *   - 1000000 work units per validation: one per subschema applied, keyword checked, array
 *     item or object member visited, node compared by enum, const or uniqueItems (which
 *     compares n*(n-1)/2 pairs) and node searched for an $anchor; compiling a pattern costs
 *     16 + 64 per pattern atom, a match 1 + length * atoms / 16;
 *   - patterns of at most 1024 bytes, 32 nested groups and 4000 atoms once rewritten and
 *     counted repetitions expanded ("a{10}" counts 10, "(a{10}){10}" 110, "." about 5).
 *   Property names and strings quoted in messages are cut at 48 bytes.
 *
 * The validator never modifies the schema or the instance (json-c objects are only read,
 * never serialised), so one schema may be shared by concurrent validations.
 */
#include "schema.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

#define SCHEMA_MAX_DEPTH     64
#define SCHEMA_MAX_WORK      1000000UL
#define SCHEMA_LOC_MAX       512 /* bytes of the instance location kept */
#define SCHEMA_LOC_SHOWN     96  /* bytes of the instance location shown in a message */
#define SCHEMA_NAME_SHOWN    48  /* bytes of a name or string value quoted in a message */
#define SCHEMA_RE_MAX_LEN    1024
#define SCHEMA_RE_MAX_UNITS  4000UL
#define SCHEMA_RE_MAX_GROUPS 32
#define SCHEMA_RE_CACHE      32 /* compiled patterns kept per validation */
#define SCHEMA_RE_SAT        (1UL << 40)
/* Per byte: UTF-8 continuation bytes (inside [...]); a character is any other byte followed by
 * continuation bytes, so "[^" X SCHEMA_RE_CONT "]" SCHEMA_RE_TAIL is one character not in X. */
#define SCHEMA_RE_CONT "\x80-\xbf"
#define SCHEMA_RE_TAIL "[\x80-\xbf]*"

/* Numbers are compared as long double: exact for every int64, uint64 and double. */
_Static_assert(LDBL_MANT_DIG >= 64, "exact integer comparison needs a 64-bit long double");

struct schema_re {
    const char *src; /* the pattern text, borrowed from the schema: the cache key */
    regex_t re;
    unsigned long units; /* size estimate from schema_re_units() */
};

/* The state of one schema_validate() call. */
struct schema_ctx {
    json_object *root; /* borrowed: the schema "#" refers to */
    struct rpc_fail *fail;
    unsigned long work;
    int depth;
    int quiet;      /* > 0 while evaluating inside anyOf/oneOf/not/if/contains/propertyNames */
    size_t loc_len; /* the instance location, a JSON Pointer ("" is the root) */
    char loc[SCHEMA_LOC_MAX];
    size_t re_count;
    struct schema_re re[SCHEMA_RE_CACHE];
};

/* A growable string; memory from alloc.h. */
struct schema_sbuf {
    char *p;
    size_t len, cap;
};

static enum mcp_err schema_eval(struct schema_ctx *c, json_object *s, json_object *inst);

/* --- messages ------------------------------------------------------------------------- */

/* Cuts s (of length len) back so that it does not end inside a UTF-8 sequence. */
static void schema_utf8_trim(char *s, size_t len)
{
    size_t j = len;
    while (j > 0 && ((unsigned char)s[j - 1] & 0xC0) == 0x80)
        j--;
    if (j == 0)
        return;
    unsigned char lead = (unsigned char)s[j - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (len - (j - 1) < need)
        s[j - 1] = '\0';
}

/* Sets fail->message to the formatted rule, prefixed by "<location>: " when with_loc; never
 * cut inside a UTF-8 sequence. */
static void schema_vmessage(struct schema_ctx *c, bool with_loc, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void schema_vmessage(struct schema_ctx *c, bool with_loc, const char *fmt, va_list ap)
{
    char rule[RPC_MSG_LEN];
    int n = vsnprintf(rule, sizeof rule, fmt, ap);
    if (n < 0)
        rule[0] = '\0';
    else if ((size_t)n >= sizeof rule)
        schema_utf8_trim(rule, sizeof rule - 1);

    char *msg = c->fail->message;
    if (!with_loc) {
        n = snprintf(msg, RPC_MSG_LEN, "%s", rule);
    } else {
        const char *loc = c->loc_len > 0 ? c->loc : "/";
        size_t shown = c->loc_len > 0 ? c->loc_len : 1;
        const char *more = "";
        if (shown > SCHEMA_LOC_SHOWN) {
            char cut[SCHEMA_LOC_SHOWN + 1];
            memcpy(cut, loc, SCHEMA_LOC_SHOWN);
            cut[SCHEMA_LOC_SHOWN] = '\0';
            schema_utf8_trim(cut, SCHEMA_LOC_SHOWN);
            shown = strlen(cut);
            more = "...";
        }
        n = snprintf(msg, RPC_MSG_LEN, "%.*s%s: %s", (int)shown, loc, more, rule);
    }
    if (n < 0)
        msg[0] = '\0';
    else if ((size_t)n >= RPC_MSG_LEN)
        schema_utf8_trim(msg, RPC_MSG_LEN - 1);
}

/* The instance is invalid: records "<location>: <rule>" unless quiet. Returns
 * MCP_E_INVALID_PARAMS. */
static enum mcp_err schema_fail(struct schema_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static enum mcp_err schema_fail(struct schema_ctx *c, const char *fmt, ...)
{
    if (c->quiet > 0)
        return MCP_E_INVALID_PARAMS;
    va_list ap;
    va_start(ap, fmt);
    schema_vmessage(c, true, fmt, ap);
    va_end(ap);
    return MCP_E_INVALID_PARAMS;
}

/* The schema is unusable: always records the message. Returns MCP_E_INTERNAL. */
static enum mcp_err schema_fatal(struct schema_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static enum mcp_err schema_fatal(struct schema_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    schema_vmessage(c, false, fmt, ap);
    va_end(ap);
    return MCP_E_INTERNAL;
}

static enum mcp_err schema_bad_kw(struct schema_ctx *c, const char *kw, const char *what)
{
    return schema_fatal(c, "invalid schema: \"%s\" must be %s", kw, what);
}

/* Charges n work units; MCP_E_INTERNAL once the budget is spent. */
static enum mcp_err schema_work(struct schema_ctx *c, unsigned long n)
{
    if (n > SCHEMA_MAX_WORK - c->work) {
        c->work = SCHEMA_MAX_WORK;
        return schema_fatal(c, "schema too complex: validation needs more than %lu steps",
                            SCHEMA_MAX_WORK);
    }
    c->work += n;
    return MCP_OK;
}

static void schema_sbuf_put(struct schema_sbuf *b, const char *s, size_t n)
{
    if (b->cap - b->len <= n) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap - b->len <= n)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void schema_sbuf_puts(struct schema_sbuf *b, const char *s)
{
    schema_sbuf_put(b, s, strlen(s));
}

/* Length of the UTF-8 sequence starting at s (at most avail; 1 for stray bytes). */
static size_t schema_utf8_seq(const char *s, size_t avail)
{
    unsigned char lead = (unsigned char)s[0];
    size_t n = lead >= 0xF0 && lead < 0xF8 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return n < avail ? n : avail;
}

/* Writes s (len bytes) into buf quoted, with " \\ and control characters escaped, cut after
 * SCHEMA_NAME_SHOWN bytes or when buf is full, on a UTF-8 boundary and marked "...".
 * size must be at least 16. */
static void schema_fmt_str(char *buf, size_t size, const char *s, size_t len)
{
    size_t o = 0, i = 0;
    buf[o++] = '"';
    while (i < len && i < SCHEMA_NAME_SHOWN) {
        size_t n = schema_utf8_seq(s + i, len - i);
        unsigned char ch = (unsigned char)s[i];
        char esc[8];
        size_t w = 0;
        if (ch == '"' || ch == '\\') {
            esc[w++] = '\\';
            esc[w++] = (char)ch;
        } else if (ch < 0x20 || ch == 0x7F) {
            w = (size_t)snprintf(esc, sizeof esc, "\\u%04x", ch);
        } else {
            memcpy(esc, s + i, n);
            w = n;
        }
        if (o + w + 5 > size) /* keep room for ..." and NUL */
            break;
        memcpy(buf + o, esc, w);
        o += w;
        i += n;
    }
    if (i < len) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o++] = '"';
    buf[o] = '\0';
}

/* Reads a JSON number; false for anything else. */
static bool schema_num(json_object *v, long double *out)
{
    switch (json_object_get_type(v)) {
    case json_type_int: {
        int64_t i = json_object_get_int64(v);
        if (i == INT64_MAX)
            *out = (long double)json_object_get_uint64(v);
        else
            *out = (long double)i;
        return true;
    }
    case json_type_double:
        *out = (long double)json_object_get_double(v);
        return true;
    default:
        return false;
    }
}

/* True when d is finite and has no fractional part (no libm: the Makefile does not link it). */
static bool schema_dbl_integral(double d)
{
    if (!isfinite(d))
        return false;
    if (d >= 9007199254740992.0 || d <= -9007199254740992.0)
        return true; /* 2^53: every double this large is an integer */
    return (double)(int64_t)d == d;
}

/* True for JSON integers and numbers with a zero fraction (1.0). */
static bool schema_integral(json_object *v)
{
    if (json_object_is_type(v, json_type_int))
        return true;
    return json_object_is_type(v, json_type_double) &&
           schema_dbl_integral(json_object_get_double(v));
}

/* Writes a JSON number as its shortest round-trip text. */
static void schema_fmt_number(char *buf, size_t size, json_object *v)
{
    if (json_object_is_type(v, json_type_int)) {
        int64_t i = json_object_get_int64(v);
        if (i == INT64_MAX)
            snprintf(buf, size, "%" PRIu64, json_object_get_uint64(v));
        else
            snprintf(buf, size, "%" PRId64, i);
        return;
    }
    double d = json_object_get_double(v);
    if (isnan(d)) {
        snprintf(buf, size, "NaN");
        return;
    }
    if (isinf(d)) {
        snprintf(buf, size, "%sInfinity", d < 0 ? "-" : "");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

/* Writes a short text for any JSON value (arrays and objects abbreviated). */
static void schema_fmt_value(char *buf, size_t size, json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null:
        snprintf(buf, size, "null");
        break;
    case json_type_boolean:
        snprintf(buf, size, "%s", json_object_get_boolean(v) ? "true" : "false");
        break;
    case json_type_int:
    case json_type_double:
        schema_fmt_number(buf, size, v);
        break;
    case json_type_string:
        schema_fmt_str(buf, size, json_object_get_string(v), (size_t)json_object_get_string_len(v));
        break;
    case json_type_array:
        snprintf(buf, size, "[...]");
        break;
    case json_type_object:
        snprintf(buf, size, "{...}");
        break;
    }
}

static const char *schema_type_of(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "boolean";
    case json_type_int:
        return "integer";
    case json_type_double:
        return "number";
    case json_type_string:
        return "string";
    case json_type_array:
        return "array";
    case json_type_object:
        return "object";
    }
    return "unknown";
}

static const char *schema_plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* --- instance location ---------------------------------------------------------------- */

static void schema_loc_putc(struct schema_ctx *c, char ch)
{
    if (c->loc_len + 1 < sizeof c->loc) {
        c->loc[c->loc_len++] = ch;
        c->loc[c->loc_len] = '\0';
    }
}

/* Appends "/key" (JSON Pointer escaped); returns the length to restore with _pop. */
static size_t schema_loc_push_key(struct schema_ctx *c, const char *key)
{
    size_t saved = c->loc_len;
    schema_loc_putc(c, '/');
    for (const char *p = key; *p != '\0' && c->loc_len + 1 < sizeof c->loc; p++) {
        if (*p == '~') {
            schema_loc_putc(c, '~');
            schema_loc_putc(c, '0');
        } else if (*p == '/') {
            schema_loc_putc(c, '~');
            schema_loc_putc(c, '1');
        } else {
            schema_loc_putc(c, *p);
        }
    }
    return saved;
}

static size_t schema_loc_push_index(struct schema_ctx *c, size_t i)
{
    char num[32];
    size_t saved = c->loc_len;
    snprintf(num, sizeof num, "/%zu", i);
    for (const char *p = num; *p != '\0'; p++)
        schema_loc_putc(c, *p);
    return saved;
}

static void schema_loc_pop(struct schema_ctx *c, size_t saved)
{
    c->loc_len = saved;
    c->loc[saved] = '\0';
}

static enum mcp_err schema_eval_key(struct schema_ctx *c, json_object *s, json_object *inst,
                                    const char *key)
{
    size_t saved = schema_loc_push_key(c, key);
    enum mcp_err err = schema_eval(c, s, inst);
    schema_loc_pop(c, saved);
    return err;
}

static enum mcp_err schema_eval_index(struct schema_ctx *c, json_object *s, json_object *inst,
                                      size_t i)
{
    size_t saved = schema_loc_push_index(c, i);
    enum mcp_err err = schema_eval(c, s, inst);
    schema_loc_pop(c, saved);
    return err;
}

/* Evaluates without recording a message: MCP_OK, MCP_E_INVALID_PARAMS or MCP_E_INTERNAL. */
static enum mcp_err schema_eval_quiet(struct schema_ctx *c, json_object *s, json_object *inst)
{
    c->quiet++;
    enum mcp_err err = schema_eval(c, s, inst);
    c->quiet--;
    return err;
}

/* --- JSON equality -------------------------------------------------------------------- */

/* Sets *eq to the JSON equality of a and b (numbers by value). */
static enum mcp_err schema_equal(struct schema_ctx *c, json_object *a, json_object *b, int depth,
                                 bool *eq)
{
    enum mcp_err err = schema_work(c, 1);
    if (err != MCP_OK)
        return err;
    if (depth > SCHEMA_MAX_DEPTH)
        return schema_fatal(c, "schema too complex: values nested deeper than %d levels",
                            SCHEMA_MAX_DEPTH);
    long double x, y;
    *eq = false;
    if (schema_num(a, &x) && schema_num(b, &y)) {
        *eq = x == y;
        return MCP_OK;
    }
    enum json_type ta = json_object_get_type(a);
    if (ta != json_object_get_type(b))
        return MCP_OK;
    switch (ta) {
    case json_type_null:
        *eq = true;
        return MCP_OK;
    case json_type_boolean:
        *eq = json_object_get_boolean(a) == json_object_get_boolean(b);
        return MCP_OK;
    case json_type_string: {
        int la = json_object_get_string_len(a);
        *eq = la == json_object_get_string_len(b) &&
              memcmp(json_object_get_string(a), json_object_get_string(b), (size_t)la) == 0;
        return MCP_OK;
    }
    case json_type_array: {
        size_t n = json_object_array_length(a);
        if (n != json_object_array_length(b))
            return MCP_OK;
        for (size_t i = 0; i < n; i++) {
            err = schema_equal(c, json_object_array_get_idx(a, i), json_object_array_get_idx(b, i),
                               depth + 1, eq);
            if (err != MCP_OK || !*eq)
                return err;
        }
        *eq = true;
        return MCP_OK;
    }
    case json_type_object: {
        if (json_object_object_length(a) != json_object_object_length(b))
            return MCP_OK;
        struct json_object_iterator it = json_object_iter_begin(a);
        struct json_object_iterator end = json_object_iter_end(a);
        for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
            json_object *bv;
            if (!json_object_object_get_ex(b, json_object_iter_peek_name(&it), &bv))
                return MCP_OK;
            err = schema_equal(c, json_object_iter_peek_value(&it), bv, depth + 1, eq);
            if (err != MCP_OK || !*eq)
                return err;
        }
        *eq = true;
        return MCP_OK;
    }
    default:
        return MCP_OK;
    }
}

/* --- patterns ------------------------------------------------------------------------- */

/* Appends one character to a POSIX bracket expression, quoting the ones special there. */
static void schema_re_class_char(struct schema_sbuf *out, const char *ch, size_t n)
{
    if (n == 1 && strchr("]-^[", ch[0]) != NULL) {
        char sym[6] = {'[', '.', ch[0], '.', ']', '\0'};
        schema_sbuf_puts(out, sym);
    } else {
        schema_sbuf_put(out, ch, n);
    }
}

/*
 * Reads one member of an ECMA-262 character class at src[*i]: either a character (*cls NULL,
 * bytes in ch/chn) or a class escape (*cls its POSIX bracket text). Returns a reason when the
 * syntax is not supported, NULL otherwise.
 */
static const char *schema_re_class_atom(const char *src, size_t len, size_t *i, const char **cls,
                                        char *ch, size_t *chn)
{
    *cls = NULL;
    if (src[*i] != '\\') {
        *chn = schema_utf8_seq(src + *i, len - *i);
        memcpy(ch, src + *i, *chn);
        *i += *chn;
        return NULL;
    }
    if (*i + 1 >= len)
        return "a trailing backslash";
    char e = src[*i + 1];
    *i += 2;
    *chn = 1;
    switch (e) {
    case 'd':
        *cls = "0-9";
        return NULL;
    case 'w':
        *cls = "[:alnum:]_";
        return NULL;
    case 's':
        *cls = "[:space:]";
        return NULL;
    case 'D':
    case 'W':
    case 'S':
        return "a negated class escape inside [...]";
    case 't':
        ch[0] = '\t';
        return NULL;
    case 'n':
        ch[0] = '\n';
        return NULL;
    case 'r':
        ch[0] = '\r';
        return NULL;
    case 'f':
        ch[0] = '\f';
        return NULL;
    case 'v':
        ch[0] = '\v';
        return NULL;
    case 'b':
        ch[0] = '\b';
        return NULL;
    default:
        if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9'))
            return "an ECMA-262 escape";
        *i -= 1; /* identity escape: the character itself, possibly multi-byte */
        *chn = schema_utf8_seq(src + *i, len - *i);
        memcpy(ch, src + *i, *chn);
        *i += *chn;
        return NULL;
    }
}

/*
 * Translates the ECMA-262 class starting at src[*i] == '[' into ERE. In a multibyte locale it
 * is one bracket expression. Per byte (bytewise), non-ASCII members become alternatives
 * ("[aé]" -> "([a]|é)") and a negated class matches one whole UTF-8 character; a range of
 * non-ASCII characters or a negated class with non-ASCII members is not supported then.
 */
static const char *schema_re_class(const char *src, size_t len, size_t *i, bool bytewise,
                                   struct schema_sbuf *out)
{
    struct schema_sbuf set = {0}, alts = {0};
    const char *why = NULL;
    size_t p = *i + 1;
    bool neg = p < len && src[p] == '^';
    if (neg)
        p++;
    if (p < len && src[p] == ']') {
        why = "an empty class [] or [^]";
        goto out;
    }
    schema_sbuf_put(&set, "", 0);
    for (;;) {
        if (p >= len) {
            why = "an unterminated [...]";
            goto out;
        }
        if (src[p] == ']')
            break;
        const char *cls;
        char lo[4], hi[4];
        size_t lon, hin;
        if ((why = schema_re_class_atom(src, len, &p, &cls, lo, &lon)) != NULL)
            goto out;
        if (cls != NULL) {
            schema_sbuf_puts(&set, cls);
            continue;
        }
        if (p + 1 < len && src[p] == '-' && src[p + 1] != ']') {
            p++;
            if ((why = schema_re_class_atom(src, len, &p, &cls, hi, &hin)) != NULL)
                goto out;
            if (cls != NULL) {
                why = "a range ending in a class escape";
                goto out;
            }
            if (bytewise && (lon > 1 || hin > 1)) {
                why = "a range of non-ASCII characters (needs a UTF-8 locale)";
                goto out;
            }
            schema_re_class_char(&set, lo, lon);
            schema_sbuf_puts(&set, "-");
            schema_re_class_char(&set, hi, hin);
            continue;
        }
        if (bytewise && lon > 1) {
            if (alts.len > 0)
                schema_sbuf_puts(&alts, "|");
            schema_sbuf_put(&alts, lo, lon);
            continue;
        }
        schema_re_class_char(&set, lo, lon);
    }
    *i = p + 1;
    if (!bytewise) {
        schema_sbuf_puts(out, neg ? "[^" : "[");
        schema_sbuf_put(out, set.p, set.len);
        schema_sbuf_puts(out, "]");
    } else if (neg) {
        if (alts.len > 0) {
            why = "a negated class with non-ASCII characters (needs a UTF-8 locale)";
            goto out;
        }
        schema_sbuf_puts(out, "([^");
        schema_sbuf_put(out, set.p, set.len);
        schema_sbuf_puts(out, SCHEMA_RE_CONT "]" SCHEMA_RE_TAIL ")");
    } else if (alts.len == 0) {
        schema_sbuf_puts(out, "[");
        schema_sbuf_put(out, set.p, set.len);
        schema_sbuf_puts(out, "]");
    } else {
        schema_sbuf_puts(out, "(");
        if (set.len > 0) {
            schema_sbuf_puts(out, "[");
            schema_sbuf_put(out, set.p, set.len);
            schema_sbuf_puts(out, "]|");
        }
        schema_sbuf_put(out, alts.p, alts.len);
        schema_sbuf_puts(out, ")");
    }
out:
    free(set.p);
    free(alts.p);
    return why;
}

/* Length of the ECMA-262 quantifier at src[i] ("*", "+", "?", "{n}", "{n,}", "{n,m}"), or 0. */
static size_t schema_re_quantifier(const char *src, size_t len, size_t i)
{
    if (src[i] == '*' || src[i] == '+' || src[i] == '?')
        return 1;
    if (src[i] != '{')
        return 0;
    size_t j = i + 1, digits = 0;
    for (; j < len && src[j] >= '0' && src[j] <= '9'; j++)
        digits++;
    if (digits == 0)
        return 0;
    if (j < len && src[j] == ',')
        for (j++; j < len && src[j] >= '0' && src[j] <= '9'; j++)
            ;
    return j < len && src[j] == '}' ? j + 1 - i : 0;
}

/* Appends the ERE for the ECMA-262 escape \e outside [...] (\D \W \S match one whole UTF-8
 * character when bytewise); *atom says whether it can be repeated. Returns why it is not
 * supported, or NULL. */
static const char *schema_re_escape(char e, bool bytewise, struct schema_sbuf *out, bool *atom)
{
    static const struct {
        char e;
        const char *ere;
    } negated[] = {{'D', "([^0-9" SCHEMA_RE_CONT "]" SCHEMA_RE_TAIL ")"},
                   {'W', "([^[:alnum:]_" SCHEMA_RE_CONT "]" SCHEMA_RE_TAIL ")"},
                   {'S', "([^[:space:]" SCHEMA_RE_CONT "]" SCHEMA_RE_TAIL ")"}};
    for (size_t k = 0; bytewise && k < sizeof negated / sizeof negated[0]; k++) {
        if (negated[k].e == e) {
            schema_sbuf_puts(out, negated[k].ere);
            *atom = true;
            return NULL;
        }
    }
    static const struct {
        char e;
        const char *ere;
    } map[] = {{'d', "[0-9]"},
               {'D', "[^0-9]"},
               {'w', "[[:alnum:]_]"},
               {'W', "[^[:alnum:]_]"},
               {'s', "[[:space:]]"},
               {'S', "[^[:space:]]"},
               {'t', "\t"},
               {'n', "\n"},
               {'r', "\r"},
               {'f', "\f"},
               {'v', "\v"}};
    *atom = true;
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++) {
        if (map[k].e == e) {
            schema_sbuf_puts(out, map[k].ere);
            return NULL;
        }
    }
    if (e == 'b' || e == 'B') {
        char esc[2] = {'\\', e};
        schema_sbuf_put(out, esc, 2);
        *atom = false;
        return NULL;
    }
    if (e >= '1' && e <= '9')
        return "a backreference";
    if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || e == '0')
        return "an ECMA-262 escape";
    if (strchr("^$\\.*+?()[]{}|", e) != NULL) {
        char esc[2] = {'\\', e};
        schema_sbuf_put(out, esc, 2);
    } else {
        schema_sbuf_put(out, &e, 1); /* identity escape of a character literal in an ERE */
    }
    return NULL;
}

/*
 * Rewrites an ECMA-262 pattern into a POSIX ERE; returns why it cannot, or NULL.
 * ECMA-262 rules kept: a quantifier needs something to repeat and cannot follow another one
 * (one lazy "?" after it is allowed and dropped: it cannot change whether a string matches),
 * and "{" that does not start {n}, {n,} or {n,m} is a literal. When bytewise (a single-byte
 * locale, where regexec sees bytes), ".", \D \W \S and negated classes match one whole UTF-8
 * character and a non-ASCII literal is grouped, so that counts and quantifiers see code points.
 */
static const char *schema_re_translate(const char *src, size_t len, bool bytewise,
                                       struct schema_sbuf *out)
{
    size_t i = 0;
    bool atom = false; /* the previous item can take a quantifier */
    schema_sbuf_put(out, "", 0);
    while (i < len) {
        char ch = src[i];
        size_t q = schema_re_quantifier(src, len, i);
        if (q > 0) {
            if (!atom)
                return "a quantifier with nothing to repeat";
            schema_sbuf_put(out, src + i, q);
            i += q;
            if (i < len && src[i] == '?')
                i++; /* lazy */
            atom = false;
            continue;
        }
        switch (ch) {
        case '[': {
            const char *why = schema_re_class(src, len, &i, bytewise, out);
            if (why != NULL)
                return why;
            atom = true;
            continue;
        }
        case '\\': {
            if (i + 1 >= len)
                return "a trailing backslash";
            if ((unsigned char)src[i + 1] >= 0x80) {
                i++; /* identity escape of a non-ASCII character: the literal itself */
                continue;
            }
            const char *why = schema_re_escape(src[i + 1], bytewise, out, &atom);
            if (why != NULL)
                return why;
            i += 2;
            continue;
        }
        case '(':
            if (i + 1 < len && src[i + 1] == '?')
                return "a (?...) group";
            atom = false;
            break;
        case '|':
        case '^':
        case '$':
            atom = false;
            break;
        case '{':
            schema_sbuf_puts(out, "\\{"); /* not a quantifier: a literal */
            atom = true;
            i++;
            continue;
        case '.': /* as in ECMA-262: not a line terminator */
            atom = true;
            schema_sbuf_puts(out, bytewise ? "([^\n\r" SCHEMA_RE_CONT "]" SCHEMA_RE_TAIL ")"
                                           : "[^\n\r]");
            i++;
            continue;
        default: /* ")" and literals */
            atom = true;
            if (bytewise && (unsigned char)ch >= 0xC0) {
                /* group a multi-byte character so that a quantifier repeats all of it */
                size_t n = schema_utf8_seq(src + i, len - i);
                schema_sbuf_puts(out, "(");
                schema_sbuf_put(out, src + i, n);
                schema_sbuf_puts(out, ")");
                i += n;
                continue;
            }
            break;
        }
        schema_sbuf_put(out, &ch, 1);
        i++;
    }
    return NULL;
}

static unsigned long schema_sat_add(unsigned long a, unsigned long b)
{
    return a + b >= SCHEMA_RE_SAT ? SCHEMA_RE_SAT : a + b;
}

static unsigned long schema_sat_mul(unsigned long a, unsigned long b)
{
    if (a != 0 && b > SCHEMA_RE_SAT / a)
        return SCHEMA_RE_SAT;
    return a * b;
}

/* Parses "{n}", "{n,}", "{,m}" or "{n,m}" at *p; sets *count to the copies regcomp makes. */
static bool schema_re_interval(const char **p, unsigned long *count)
{
    const char *q = *p + 1;
    unsigned long n = 0, m = 0;
    bool nd = false, md = false, comma = false;
    for (; *q >= '0' && *q <= '9'; q++, nd = true)
        n = n > 100000 ? n : n * 10 + (unsigned long)(*q - '0');
    if (*q == ',') {
        comma = true;
        for (q++; *q >= '0' && *q <= '9'; q++, md = true)
            m = m > 100000 ? m : m * 10 + (unsigned long)(*q - '0');
    }
    if (*q != '}' || (!nd && !md))
        return false;
    unsigned long k = md ? (m > n ? m : n) : comma ? n + 1 : n;
    *count = k > 0 ? k : 1;
    *p = q + 1;
    return true;
}

/*
 * Estimates how many NFA atoms regcomp builds for the POSIX ERE p: counted repetitions
 * copy what they repeat, so "(a{100}){100}" is about 10000. Fails on deep group nesting
 * (regcomp parses groups recursively).
 */
static const char *schema_re_units(const char *p, unsigned long *units)
{
    struct {
        unsigned long total, alt, last;
    } st[SCHEMA_RE_MAX_GROUPS + 1];
    int top = 0;
    memset(&st[0], 0, sizeof st[0]);
    while (*p != '\0') {
        unsigned long atom = 1, count;
        switch (*p) {
        case '(':
            if (top == SCHEMA_RE_MAX_GROUPS)
                return "groups nested too deeply";
            top++;
            memset(&st[top], 0, sizeof st[top]);
            p++;
            continue;
        case ')':
            p++;
            if (top > 0) {
                atom = schema_sat_add(schema_sat_add(st[top].total, st[top].alt), 1);
                top--;
            }
            break;
        case '|':
            st[top].total = schema_sat_add(st[top].total, st[top].alt);
            st[top].alt = st[top].last = 0;
            p++;
            continue;
        case '*':
        case '?':
            st[top].alt = schema_sat_add(st[top].alt, 1);
            p++;
            continue;
        case '+':
            st[top].alt = schema_sat_add(st[top].alt, st[top].last);
            st[top].last = schema_sat_mul(st[top].last, 2);
            p++;
            continue;
        case '{':
            if (schema_re_interval(&p, &count)) {
                st[top].alt = schema_sat_add(st[top].alt, schema_sat_mul(st[top].last, count - 1));
                st[top].last = schema_sat_mul(st[top].last, count);
                continue;
            }
            p++;
            break;
        case '[':
            p++;
            if (*p == '^')
                p++;
            if (*p == ']')
                p++;
            while (*p != '\0' && *p != ']') {
                if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
                    char delim = p[1];
                    for (p += 2; *p != '\0' && !(p[0] == delim && p[1] == ']'); p++)
                        ;
                    if (*p != '\0')
                        p += 2;
                    continue;
                }
                p++;
            }
            if (*p == ']')
                p++;
            break;
        case '\\':
            p++;
            if (*p != '\0')
                p++;
            break;
        default:
            p++;
            break;
        }
        st[top].alt = schema_sat_add(st[top].alt, atom);
        st[top].last = atom;
    }
    while (top > 0) {
        unsigned long group = schema_sat_add(schema_sat_add(st[top].total, st[top].alt), 1);
        top--;
        st[top].alt = schema_sat_add(st[top].alt, group);
    }
    *units = schema_sat_add(st[0].total, st[0].alt);
    return NULL;
}

/*
 * Compiles pattern src (len bytes, borrowed from the schema) into slot->re.
 * MCP_E_INTERNAL (message set) when the pattern is unusable; slot->re is then not allocated.
 */
static enum mcp_err schema_re_compile(struct schema_ctx *c, const char *src, size_t len,
                                      struct schema_re *slot)
{
    struct schema_sbuf ere = {0};
    char shown[SCHEMA_NAME_SHOWN * 2 + 16];
    const char *why = NULL;
    enum mcp_err err = MCP_OK;

    schema_fmt_str(shown, sizeof shown, src, len);
    if (len > SCHEMA_RE_MAX_LEN) {
        err = schema_fatal(c, "invalid schema: pattern %s is longer than %d bytes", shown,
                           SCHEMA_RE_MAX_LEN);
        goto out;
    }
    if (memchr(src, '\0', len) != NULL) {
        err = schema_fatal(c, "invalid schema: pattern %s contains a NUL character", shown);
        goto out;
    }
    if ((why = schema_re_translate(src, len, MB_CUR_MAX == 1, &ere)) != NULL) {
        err = schema_fatal(c, "invalid schema: pattern %s: %s is not supported", shown, why);
        goto out;
    }
    if ((why = schema_re_units(ere.p, &slot->units)) != NULL) {
        err = schema_fatal(c, "schema too complex: pattern %s has %s", shown, why);
        goto out;
    }
    if (slot->units > SCHEMA_RE_MAX_UNITS) {
        err = schema_fatal(c, "schema too complex: pattern %s expands to more than %lu atoms",
                           shown, SCHEMA_RE_MAX_UNITS);
        goto out;
    }
    if ((err = schema_work(c, 16 + slot->units * 64)) != MCP_OK)
        goto out;
    int rc = regcomp(&slot->re, ere.p, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char reason[128];
        regerror(rc, &slot->re, reason, sizeof reason);
        regfree(&slot->re);
        err = schema_fatal(c, "invalid schema: pattern %s does not compile: %s", shown, reason);
        goto out;
    }
    slot->src = src;
out:
    free(ere.p);
    return err;
}

/* Sets *matched to whether pattern pat (borrowed from the schema) occurs in subj. */
static enum mcp_err schema_re_match(struct schema_ctx *c, const char *pat, size_t patlen,
                                    const char *subj, size_t subjlen, bool *matched)
{
    struct schema_re tmp, *slot = NULL;
    enum mcp_err err = MCP_OK;

    for (size_t k = 0; k < c->re_count; k++) {
        if (c->re[k].src == pat) {
            slot = &c->re[k];
            break;
        }
    }
    if (slot == NULL) {
        /* compile into the cache while it has room, else into tmp (freed below) */
        struct schema_re *into = c->re_count < SCHEMA_RE_CACHE ? &c->re[c->re_count] : &tmp;
        if ((err = schema_re_compile(c, pat, patlen, into)) != MCP_OK)
            return err;
        if (into != &tmp)
            c->re_count++;
        slot = into;
    }
    unsigned long cost = schema_sat_add(1, schema_sat_mul(subjlen, slot->units) / 16);
    if ((err = schema_work(c, cost)) != MCP_OK)
        goto out;
    regmatch_t range[1] = {{.rm_so = 0, .rm_eo = (regoff_t)subjlen}};
    *matched = regexec(&slot->re, subj, 1, range, REG_STARTEND) == 0;
out:
    if (slot == &tmp)
        regfree(&tmp.re);
    return err;
}

/* --- $ref ----------------------------------------------------------------------------- */

static int schema_hexval(char h)
{
    if (h >= '0' && h <= '9')
        return h - '0';
    if (h >= 'a' && h <= 'f')
        return h - 'a' + 10;
    if (h >= 'A' && h <= 'F')
        return h - 'A' + 10;
    return -1;
}

/* Where subschemas live, for the $anchor search: objects of schemas, and schemas or arrays of
 * schemas. */
static const char *const schema_kw_schema_maps[] = {"$defs", "definitions", "properties",
                                                    "patternProperties", "dependentSchemas"};
static const char *const schema_kw_schema_ones[] = {
    "items",    "additionalProperties", "not",   "if",    "then",  "else",
    "contains", "propertyNames",        "allOf", "anyOf", "oneOf", "prefixItems"};

/* Finds the subschema whose $anchor is name, searching schema locations only (depth first). */
static enum mcp_err schema_anchor_find(struct schema_ctx *c, json_object *s, const char *name,
                                       int depth, json_object **found)
{
    enum mcp_err err = schema_work(c, 1);
    if (err != MCP_OK)
        return err;
    if (depth > SCHEMA_MAX_DEPTH)
        return schema_fatal(c, "schema too complex: nested deeper than %d levels",
                            SCHEMA_MAX_DEPTH);
    if (!json_object_is_type(s, json_type_object))
        return MCP_OK;
    json_object *v;
    if (json_object_object_get_ex(s, "$anchor", &v) && json_object_is_type(v, json_type_string) &&
        strcmp(json_object_get_string(v), name) == 0) {
        *found = s;
        return MCP_OK;
    }
    for (size_t k = 0; k < sizeof schema_kw_schema_maps / sizeof schema_kw_schema_maps[0]; k++) {
        if (!json_object_object_get_ex(s, schema_kw_schema_maps[k], &v) ||
            !json_object_is_type(v, json_type_object))
            continue;
        struct json_object_iterator it = json_object_iter_begin(v);
        struct json_object_iterator end = json_object_iter_end(v);
        for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
            err = schema_anchor_find(c, json_object_iter_peek_value(&it), name, depth + 1, found);
            if (err != MCP_OK || *found != NULL)
                return err;
        }
    }
    for (size_t k = 0; k < sizeof schema_kw_schema_ones / sizeof schema_kw_schema_ones[0]; k++) {
        if (!json_object_object_get_ex(s, schema_kw_schema_ones[k], &v))
            continue;
        if (json_object_is_type(v, json_type_array)) {
            size_t n = json_object_array_length(v);
            for (size_t i = 0; i < n; i++) {
                err =
                    schema_anchor_find(c, json_object_array_get_idx(v, i), name, depth + 1, found);
                if (err != MCP_OK || *found != NULL)
                    return err;
            }
        } else {
            err = schema_anchor_find(c, v, name, depth + 1, found);
            if (err != MCP_OK || *found != NULL)
                return err;
        }
    }
    return MCP_OK;
}

/* Follows JSON Pointer ptr (unescaped in place) from the root; *found NULL when absent. */
static enum mcp_err schema_pointer_walk(struct schema_ctx *c, char *ptr, json_object **found)
{
    json_object *cur = c->root;
    char *tok = ptr;
    while (*tok == '/') {
        enum mcp_err err = schema_work(c, 1);
        if (err != MCP_OK)
            return err;
        tok++;
        char *end = strchr(tok, '/');
        char saved = end != NULL ? *end : '\0';
        if (end != NULL)
            *end = '\0';
        /* unescape ~1 -> '/', ~0 -> '~' */
        char *w = tok;
        for (char *r = tok; *r != '\0'; r++) {
            if (*r == '~') {
                if (r[1] != '0' && r[1] != '1')
                    return MCP_OK;
                *w++ = r[1] == '0' ? '~' : '/';
                r++;
            } else {
                *w++ = *r;
            }
        }
        *w = '\0';
        json_object *next = NULL;
        if (json_object_is_type(cur, json_type_object)) {
            if (!json_object_object_get_ex(cur, tok, &next))
                return MCP_OK;
        } else if (json_object_is_type(cur, json_type_array)) {
            size_t idx = 0, n = json_object_array_length(cur);
            if (*tok == '\0' || (tok[0] == '0' && tok[1] != '\0'))
                return MCP_OK;
            for (const char *d = tok; *d != '\0'; d++) {
                if (*d < '0' || *d > '9' || idx > n)
                    return MCP_OK;
                idx = idx * 10 + (size_t)(*d - '0');
            }
            if (idx >= n)
                return MCP_OK;
            next = json_object_array_get_idx(cur, idx);
        } else {
            return MCP_OK;
        }
        cur = next;
        if (end == NULL) {
            *found = cur;
            return MCP_OK;
        }
        *end = saved;
        tok = end;
    }
    if (*tok == '\0')
        *found = cur;
    return MCP_OK;
}

/* Resolves a $ref value (borrowed) within the root document into *target. */
static enum mcp_err schema_ref_resolve(struct schema_ctx *c, json_object *ref, json_object **target)
{
    char shown[SCHEMA_NAME_SHOWN * 2 + 16];
    char *frag = NULL;
    enum mcp_err err = MCP_OK;

    *target = NULL;
    if (!json_object_is_type(ref, json_type_string))
        return schema_bad_kw(c, "$ref", "a string");
    const char *r = json_object_get_string(ref);
    size_t len = (size_t)json_object_get_string_len(ref);
    schema_fmt_str(shown, sizeof shown, r, len);
    if (len == 0 || r[0] != '#')
        return schema_fatal(c,
                            "unsupported $ref %s: only references within the schema (\"#...\")"
                            " are resolved, nothing is fetched",
                            shown);
    if ((err = schema_work(c, 1 + len / 16)) != MCP_OK)
        return err;

    /* percent-decode the fragment */
    frag = xmalloc(len);
    size_t o = 0;
    for (size_t i = 1; i < len; i++) {
        if (r[i] == '%') {
            int hi = i + 2 < len ? schema_hexval(r[i + 1]) : -1;
            int lo = i + 2 < len ? schema_hexval(r[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                err = schema_fatal(c, "invalid schema: bad %%-escape in $ref %s", shown);
                goto out;
            }
            frag[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (r[i] == '\0') {
            err = schema_fatal(c, "invalid schema: NUL character in $ref %s", shown);
            goto out;
        } else {
            frag[o++] = r[i];
        }
    }
    frag[o] = '\0';

    if (o == 0)
        *target = c->root;
    else if (frag[0] == '/')
        err = schema_pointer_walk(c, frag, target);
    else
        err = schema_anchor_find(c, c->root, frag, 0, target);
    if (err == MCP_OK && *target == NULL)
        err = schema_fatal(c, "invalid schema: $ref %s does not resolve", shown);
out:
    free(frag);
    return err;
}

/* --- keyword groups ------------------------------------------------------------------- */

/* Reads a non-negative integer keyword; *present false when absent. */
static enum mcp_err schema_count(struct schema_ctx *c, json_object *s, const char *kw,
                                 bool *present, uint64_t *out)
{
    json_object *v;
    long double x;
    *present = json_object_object_get_ex(s, kw, &v);
    if (!*present)
        return MCP_OK;
    if (!schema_num(v, &x) || !schema_integral(v) || x < 0)
        return schema_bad_kw(c, kw, "a non-negative integer");
    *out = x >= 18446744073709551615.0L ? UINT64_MAX : (uint64_t)x;
    return MCP_OK;
}

/* Reads a boolean keyword; *out false when absent. */
static enum mcp_err schema_flag(struct schema_ctx *c, json_object *s, const char *kw, bool *out)
{
    json_object *v;
    *out = false;
    if (!json_object_object_get_ex(s, kw, &v))
        return MCP_OK;
    if (!json_object_is_type(v, json_type_boolean))
        return schema_bad_kw(c, kw, "a boolean");
    *out = json_object_get_boolean(v);
    return MCP_OK;
}

/* Reads a keyword whose value must be of type t (NULL *out when absent). */
static enum mcp_err schema_kw_of(struct schema_ctx *c, json_object *s, const char *kw,
                                 enum json_type t, const char *what, json_object **out)
{
    *out = NULL;
    if (!json_object_object_get_ex(s, kw, out))
        return MCP_OK;
    if (!json_object_is_type(*out, t))
        return schema_bad_kw(c, kw, what);
    return MCP_OK;
}

static bool schema_type_known(const char *t)
{
    static const char *const names[] = {"null",   "boolean", "object", "array",
                                        "string", "number",  "integer"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(t, names[i]) == 0)
            return true;
    return false;
}

static bool schema_type_is(json_object *inst, const char *t)
{
    enum json_type jt = json_object_get_type(inst);
    if (strcmp(t, "integer") == 0)
        return schema_integral(inst);
    if (strcmp(t, "number") == 0)
        return jt == json_type_int || jt == json_type_double;
    return strcmp(t, schema_type_of(inst)) == 0;
}

static enum mcp_err schema_check_type(struct schema_ctx *c, json_object *t, json_object *inst)
{
    if (json_object_is_type(t, json_type_string)) {
        const char *name = json_object_get_string(t);
        if (!schema_type_known(name))
            return schema_bad_kw(c, "type", "a JSON Schema type name");
        if (schema_type_is(inst, name))
            return MCP_OK;
        return schema_fail(c, "expected type %s, got %s", name, schema_type_of(inst));
    }
    if (!json_object_is_type(t, json_type_array))
        return schema_bad_kw(c, "type", "a string or an array of strings");
    size_t n = json_object_array_length(t);
    bool ok = false;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(t, i);
        if (!json_object_is_type(e, json_type_string) ||
            !schema_type_known(json_object_get_string(e)))
            return schema_bad_kw(c, "type", "a string or an array of type names");
        ok = ok || schema_type_is(inst, json_object_get_string(e));
    }
    if (ok || c->quiet > 0)
        return ok ? MCP_OK : MCP_E_INVALID_PARAMS;
    char list[RPC_MSG_LEN] = "";
    size_t o = 0;
    for (size_t i = 0; i < n && o < sizeof list; i++) {
        int w = snprintf(list + o, sizeof list - o, "%s%s", i > 0 ? " or " : "",
                         json_object_get_string(json_object_array_get_idx(t, i)));
        o += w > 0 ? (size_t)w : 0;
    }
    return schema_fail(c, "expected type %s, got %s", n > 0 ? list : "(none)",
                       schema_type_of(inst));
}

static enum mcp_err schema_check_enum(struct schema_ctx *c, json_object *e, json_object *inst)
{
    if (!json_object_is_type(e, json_type_array))
        return schema_bad_kw(c, "enum", "an array");
    size_t n = json_object_array_length(e);
    for (size_t i = 0; i < n; i++) {
        bool eq;
        enum mcp_err err = schema_equal(c, json_object_array_get_idx(e, i), inst, 0, &eq);
        if (err != MCP_OK || eq)
            return err;
    }
    if (c->quiet > 0)
        return MCP_E_INVALID_PARAMS;
    char list[160] = "";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char one[SCHEMA_NAME_SHOWN * 2 + 16];
        schema_fmt_value(one, sizeof one, json_object_array_get_idx(e, i));
        if (o + strlen(one) + 8 >= sizeof list) {
            snprintf(list + o, sizeof list - o, ", ...");
            break;
        }
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i > 0 ? ", " : "", one);
    }
    return schema_fail(c, "must be one of %s", n > 0 ? list : "(nothing)");
}

/*
 * Whether x is a multiple of b (> 0, finite). Exact when both are integers below 2^64;
 * otherwise x / b must be within a relative 4 DBL_EPSILON of an integer, so that decimal
 * fractions work (0.3 is a multiple of 0.1 although neither is exact in binary).
 */
static bool schema_multiple_of(long double x, bool x_int, long double b, bool b_int)
{
    const long double two64 = 18446744073709551616.0L, two62 = 4611686018427387904.0L;
    long double xm = x < 0 ? -x : x;
    if (xm != xm || xm > LDBL_MAX)
        return false; /* NaN or infinite */
    if (x_int && b_int && xm < two64 && b < two64)
        return (uint64_t)xm % (uint64_t)b == 0;
    long double q = xm / b;
    if (q > LDBL_MAX)
        return false;
    if (q >= two62)
        return true; /* the tolerance below exceeds 1/2 */
    long double r = (long double)(uint64_t)(q + 0.5L);
    long double d = q > r ? q - r : r - q;
    return d <= q * 4 * DBL_EPSILON;
}

static enum mcp_err schema_eval_number(struct schema_ctx *c, json_object *s, json_object *inst)
{
    static const struct {
        const char *kw, *op;
    } bounds[] = {
        {"minimum", ">="}, {"maximum", "<="}, {"exclusiveMinimum", ">"}, {"exclusiveMaximum", "<"}};
    long double x, b;
    json_object *v;
    char num[64];
    enum mcp_err err;

    schema_num(inst, &x);
    for (size_t k = 0; k < sizeof bounds / sizeof bounds[0]; k++) {
        if (!json_object_object_get_ex(s, bounds[k].kw, &v))
            continue;
        if ((err = schema_work(c, 1)) != MCP_OK)
            return err;
        if (!schema_num(v, &b) || !isfinite(b))
            return schema_bad_kw(c, bounds[k].kw, "a finite number");
        bool ok = k == 0 ? x >= b : k == 1 ? x <= b : k == 2 ? x > b : x < b;
        if (!ok) {
            schema_fmt_number(num, sizeof num, v);
            return schema_fail(c, "must be %s %s (%s)", bounds[k].op, num, bounds[k].kw);
        }
    }
    if (json_object_object_get_ex(s, "multipleOf", &v)) {
        if ((err = schema_work(c, 1)) != MCP_OK)
            return err;
        if (!schema_num(v, &b) || !isfinite(b) || b <= 0)
            return schema_bad_kw(c, "multipleOf", "a number greater than 0");
        bool ok = schema_multiple_of(x, schema_integral(inst), b, schema_integral(v));
        if (!ok) {
            schema_fmt_number(num, sizeof num, v);
            return schema_fail(c, "must be a multiple of %s (multipleOf)", num);
        }
    }
    return MCP_OK;
}

static enum mcp_err schema_eval_string(struct schema_ctx *c, json_object *s, json_object *inst)
{
    const char *str = json_object_get_string(inst);
    size_t len = (size_t)json_object_get_string_len(inst);
    bool has_min, has_max;
    uint64_t min = 0, max = 0;
    json_object *pat;
    enum mcp_err err;

    if ((err = schema_count(c, s, "minLength", &has_min, &min)) != MCP_OK ||
        (err = schema_count(c, s, "maxLength", &has_max, &max)) != MCP_OK)
        return err;
    if (has_min || has_max) {
        if ((err = schema_work(c, 1 + len / 64)) != MCP_OK)
            return err;
        uint64_t points = 0;
        for (size_t i = 0; i < len; i++)
            points += ((unsigned char)str[i] & 0xC0) != 0x80;
        if (has_min && points < min)
            return schema_fail(c, "must be at least %" PRIu64 " character%s long (minLength)", min,
                               schema_plural(min, "", "s"));
        if (has_max && points > max)
            return schema_fail(c, "must be at most %" PRIu64 " character%s long (maxLength)", max,
                               schema_plural(max, "", "s"));
    }
    if ((err = schema_kw_of(c, s, "pattern", json_type_string, "a string", &pat)) != MCP_OK)
        return err;
    if (pat != NULL) {
        bool matched = false;
        const char *p = json_object_get_string(pat);
        size_t plen = (size_t)json_object_get_string_len(pat);
        if ((err = schema_re_match(c, p, plen, str, len, &matched)) != MCP_OK)
            return err;
        if (!matched) {
            if (c->quiet > 0)
                return MCP_E_INVALID_PARAMS;
            char shown[SCHEMA_NAME_SHOWN * 2 + 16];
            schema_fmt_str(shown, sizeof shown, p, plen);
            return schema_fail(c, "does not match pattern %s", shown);
        }
    }
    return MCP_OK;
}

static enum mcp_err schema_eval_array(struct schema_ctx *c, json_object *s, json_object *inst)
{
    size_t n = json_object_array_length(inst);
    bool has, unique;
    uint64_t lim = 0;
    json_object *prefix, *items = NULL, *contains = NULL;
    enum mcp_err err;

    if ((err = schema_count(c, s, "minItems", &has, &lim)) != MCP_OK)
        return err;
    if (has && n < lim)
        return schema_fail(c, "must have at least %" PRIu64 " item%s (minItems)", lim,
                           schema_plural(lim, "", "s"));
    if ((err = schema_count(c, s, "maxItems", &has, &lim)) != MCP_OK)
        return err;
    if (has && n > lim)
        return schema_fail(c, "must have at most %" PRIu64 " item%s (maxItems)", lim,
                           schema_plural(lim, "", "s"));

    if ((err = schema_kw_of(c, s, "prefixItems", json_type_array, "an array of schemas",
                            &prefix)) != MCP_OK)
        return err;
    if (json_object_object_get_ex(s, "items", &items) &&
        json_object_is_type(items, json_type_array))
        return schema_bad_kw(
            c, "items", "a schema (the draft-07 array form is not supported; use prefixItems)");
    size_t plen = prefix != NULL ? json_object_array_length(prefix) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *sub = i < plen ? json_object_array_get_idx(prefix, i) : items;
        if (sub == NULL)
            continue;
        if ((err = schema_work(c, 1)) != MCP_OK)
            return err;
        if (i >= plen && json_object_is_type(sub, json_type_boolean) &&
            !json_object_get_boolean(sub)) {
            size_t saved = schema_loc_push_index(c, i);
            err = schema_fail(c, "item not allowed (items is false)");
            schema_loc_pop(c, saved);
            return err;
        }
        if ((err = schema_eval_index(c, sub, json_object_array_get_idx(inst, i), i)) != MCP_OK)
            return err;
    }

    if ((err = schema_flag(c, s, "uniqueItems", &unique)) != MCP_OK)
        return err;
    for (size_t i = 0; unique && i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            bool eq;
            err = schema_equal(c, json_object_array_get_idx(inst, i),
                               json_object_array_get_idx(inst, j), 0, &eq);
            if (err != MCP_OK)
                return err;
            if (eq)
                return schema_fail(c, "items %zu and %zu are equal (uniqueItems)", i, j);
        }
    }

    if (!json_object_object_get_ex(s, "contains", &contains))
        return MCP_OK;
    bool has_min, has_max;
    uint64_t min = 1, max = 0, found = 0;
    if ((err = schema_count(c, s, "minContains", &has_min, &min)) != MCP_OK ||
        (err = schema_count(c, s, "maxContains", &has_max, &max)) != MCP_OK)
        return err;
    if (!has_min)
        min = 1;
    for (size_t i = 0; i < n; i++) {
        if (found >= min && !has_max)
            break;
        err = schema_eval_quiet(c, contains, json_object_array_get_idx(inst, i));
        if (err == MCP_E_INTERNAL)
            return err;
        found += err == MCP_OK;
    }
    if (found < min) {
        if (!has_min)
            return schema_fail(c, "must contain an item matching the contains schema");
        return schema_fail(c,
                           "must contain at least %" PRIu64
                           " item%s matching the contains schema (minContains)",
                           min, schema_plural(min, "", "s"));
    }
    if (has_max && found > max)
        return schema_fail(
            c, "must contain at most %" PRIu64 " item%s matching the contains schema (maxContains)",
            max, schema_plural(max, "", "s"));
    return MCP_OK;
}

/* Checks a "required"-style array of strings against the instance object. */
static enum mcp_err schema_required(struct schema_ctx *c, const char *kw, json_object *req,
                                    json_object *inst, const char *because)
{
    if (!json_object_is_type(req, json_type_array))
        return schema_bad_kw(c, kw, "an array of strings");
    size_t n = json_object_array_length(req);
    for (size_t i = 0; i < n; i++) {
        json_object *name = json_object_array_get_idx(req, i);
        enum mcp_err err = schema_work(c, 1);
        if (err != MCP_OK)
            return err;
        if (!json_object_is_type(name, json_type_string))
            return schema_bad_kw(c, kw, "an array of strings");
        if (json_object_object_get_ex(inst, json_object_get_string(name), NULL))
            continue;
        if (c->quiet > 0)
            return MCP_E_INVALID_PARAMS;
        char shown[SCHEMA_NAME_SHOWN * 2 + 16], cause[SCHEMA_NAME_SHOWN * 2 + 16];
        schema_fmt_str(shown, sizeof shown, json_object_get_string(name),
                       (size_t)json_object_get_string_len(name));
        if (because == NULL)
            return schema_fail(c, "missing required property %s", shown);
        schema_fmt_str(cause, sizeof cause, because, strlen(because));
        return schema_fail(c, "property %s is required when %s is present (dependentRequired)",
                           shown, cause);
    }
    return MCP_OK;
}

/* properties, patternProperties, additionalProperties and propertyNames for one member. */
static enum mcp_err schema_eval_member(struct schema_ctx *c, json_object *s, const char *key,
                                       json_object *val)
{
    json_object *props, *pprops, *addl, *names, *sub;
    bool matched = false;
    enum mcp_err err;

    if ((err = schema_work(c, 1)) != MCP_OK)
        return err;
    if (json_object_object_get_ex(s, "propertyNames", &names)) {
        json_object *name = json_object_new_string(key);
        err = schema_eval_quiet(c, names, name);
        json_object_put(name);
        if (err == MCP_E_INVALID_PARAMS && c->quiet == 0) {
            char shown[SCHEMA_NAME_SHOWN * 2 + 16];
            schema_fmt_str(shown, sizeof shown, key, strlen(key));
            err = schema_fail(c, "property name %s does not match propertyNames", shown);
        }
        if (err != MCP_OK)
            return err;
    }
    if ((err = schema_kw_of(c, s, "properties", json_type_object, "an object of schemas",
                            &props)) != MCP_OK)
        return err;
    if (props != NULL && json_object_object_get_ex(props, key, &sub)) {
        matched = true;
        if ((err = schema_eval_key(c, sub, val, key)) != MCP_OK)
            return err;
    }
    if ((err = schema_kw_of(c, s, "patternProperties", json_type_object, "an object of schemas",
                            &pprops)) != MCP_OK)
        return err;
    if (pprops != NULL) {
        struct json_object_iterator it = json_object_iter_begin(pprops);
        struct json_object_iterator end = json_object_iter_end(pprops);
        for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
            const char *pat = json_object_iter_peek_name(&it);
            bool hit = false;
            if ((err = schema_re_match(c, pat, strlen(pat), key, strlen(key), &hit)) != MCP_OK)
                return err;
            if (!hit)
                continue;
            matched = true;
            if ((err = schema_eval_key(c, json_object_iter_peek_value(&it), val, key)) != MCP_OK)
                return err;
        }
    }
    if (matched || !json_object_object_get_ex(s, "additionalProperties", &addl))
        return MCP_OK;
    if (json_object_is_type(addl, json_type_boolean) && !json_object_get_boolean(addl)) {
        size_t saved = schema_loc_push_key(c, key);
        err = schema_fail(c, "property not allowed (additionalProperties is false)");
        schema_loc_pop(c, saved);
        return err;
    }
    return schema_eval_key(c, addl, val, key);
}

static enum mcp_err schema_eval_object(struct schema_ctx *c, json_object *s, json_object *inst)
{
    size_t n = (size_t)json_object_object_length(inst);
    json_object *v;
    bool has;
    uint64_t lim = 0;
    enum mcp_err err;

    if (json_object_object_get_ex(s, "required", &v) &&
        (err = schema_required(c, "required", v, inst, NULL)) != MCP_OK)
        return err;
    if ((err = schema_kw_of(c, s, "dependentRequired", json_type_object,
                            "an object of string arrays", &v)) != MCP_OK)
        return err;
    if (v != NULL) {
        struct json_object_iterator it = json_object_iter_begin(v);
        struct json_object_iterator end = json_object_iter_end(v);
        for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
            const char *name = json_object_iter_peek_name(&it);
            if (!json_object_object_get_ex(inst, name, NULL))
                continue;
            err = schema_required(c, "dependentRequired", json_object_iter_peek_value(&it), inst,
                                  name);
            if (err != MCP_OK)
                return err;
        }
    }
    if ((err = schema_count(c, s, "minProperties", &has, &lim)) != MCP_OK)
        return err;
    if (has && n < lim)
        return schema_fail(c, "must have at least %" PRIu64 " %s (minProperties)", lim,
                           schema_plural(lim, "property", "properties"));
    if ((err = schema_count(c, s, "maxProperties", &has, &lim)) != MCP_OK)
        return err;
    if (has && n > lim)
        return schema_fail(c, "must have at most %" PRIu64 " %s (maxProperties)", lim,
                           schema_plural(lim, "property", "properties"));

    struct json_object_iterator it = json_object_iter_begin(inst);
    struct json_object_iterator end = json_object_iter_end(inst);
    for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
        err = schema_eval_member(c, s, json_object_iter_peek_name(&it),
                                 json_object_iter_peek_value(&it));
        if (err != MCP_OK)
            return err;
    }

    if ((err = schema_kw_of(c, s, "dependentSchemas", json_type_object, "an object of schemas",
                            &v)) != MCP_OK)
        return err;
    if (v != NULL) {
        it = json_object_iter_begin(v);
        end = json_object_iter_end(v);
        for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
            if (!json_object_object_get_ex(inst, json_object_iter_peek_name(&it), NULL))
                continue;
            if ((err = schema_eval(c, json_object_iter_peek_value(&it), inst)) != MCP_OK)
                return err;
        }
    }
    return MCP_OK;
}

/* allOf, anyOf, oneOf, not, if/then/else. */
static enum mcp_err schema_eval_logic(struct schema_ctx *c, json_object *s, json_object *inst)
{
    static const char *const combinators[] = {"allOf", "anyOf", "oneOf"};
    json_object *v, *sub;
    enum mcp_err err;

    for (size_t k = 0; k < 3; k++) {
        if (!json_object_object_get_ex(s, combinators[k], &v))
            continue;
        if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
            return schema_bad_kw(c, combinators[k], "a non-empty array of schemas");
        size_t n = json_object_array_length(v), first = 0, hits = 0;
        for (size_t i = 0; i < n; i++) {
            sub = json_object_array_get_idx(v, i);
            if (k == 0) {
                if ((err = schema_eval(c, sub, inst)) != MCP_OK)
                    return err;
                continue;
            }
            err = schema_eval_quiet(c, sub, inst);
            if (err == MCP_E_INTERNAL)
                return err;
            if (err != MCP_OK)
                continue;
            if (k == 1) {
                hits = 1;
                break;
            }
            if (hits++ == 0) {
                first = i;
            } else {
                return schema_fail(c, "matches more than one schema in oneOf (%zu and %zu)", first,
                                   i);
            }
        }
        if (k > 0 && hits == 0)
            return schema_fail(c, "does not match any schema in %s", combinators[k]);
    }
    if (json_object_object_get_ex(s, "not", &v)) {
        err = schema_eval_quiet(c, v, inst);
        if (err == MCP_E_INTERNAL)
            return err;
        if (err == MCP_OK)
            return schema_fail(c, "must not match the schema in not");
    }
    if (json_object_object_get_ex(s, "if", &v)) {
        err = schema_eval_quiet(c, v, inst);
        if (err == MCP_E_INTERNAL)
            return err;
        if (json_object_object_get_ex(s, err == MCP_OK ? "then" : "else", &sub))
            return schema_eval(c, sub, inst);
    }
    return MCP_OK;
}

/* --- evaluation ----------------------------------------------------------------------- */

static const char *const schema_dialects[] = {
    "https://json-schema.org/draft/2020-12/schema",
    "https://json-schema.org/draft/2020-12/schema#",
    "http://json-schema.org/draft-07/schema#",
    "http://json-schema.org/draft-07/schema",
};

static const char *const schema_unsupported[] = {
    "unevaluatedProperties", "unevaluatedItems", "$dynamicRef",
    "$recursiveRef",         "dependencies",     "additionalItems",
};

static enum mcp_err schema_check_header(struct schema_ctx *c, json_object *s)
{
    json_object *v;
    if (json_object_object_get_ex(s, "$schema", &v)) {
        if (!json_object_is_type(v, json_type_string))
            return schema_bad_kw(c, "$schema", "a string");
        const char *d = json_object_get_string(v);
        bool ok = false;
        for (size_t i = 0; i < sizeof schema_dialects / sizeof schema_dialects[0]; i++)
            ok = ok || strcmp(d, schema_dialects[i]) == 0;
        if (!ok) {
            char shown[SCHEMA_NAME_SHOWN * 2 + 16];
            schema_fmt_str(shown, sizeof shown, d, (size_t)json_object_get_string_len(v));
            return schema_fatal(c,
                                "unsupported $schema dialect %s (supported: JSON Schema "
                                "2020-12 and draft-07)",
                                shown);
        }
    }
    for (size_t i = 0; i < sizeof schema_unsupported / sizeof schema_unsupported[0]; i++)
        if (json_object_object_get_ex(s, schema_unsupported[i], NULL))
            return schema_fatal(c, "unsupported schema keyword \"%s\"", schema_unsupported[i]);
    return MCP_OK;
}

/* Applies schema s to inst at the current location. MCP_OK, MCP_E_INVALID_PARAMS (message
 * set unless quiet) or MCP_E_INTERNAL (message always set). */
static enum mcp_err schema_eval(struct schema_ctx *c, json_object *s, json_object *inst)
{
    json_object *v;
    enum mcp_err err;

    if (++c->depth > SCHEMA_MAX_DEPTH) {
        err = schema_fatal(c, "schema too complex: nested deeper than %d levels", SCHEMA_MAX_DEPTH);
        goto out;
    }
    if ((err = schema_work(c, 1)) != MCP_OK)
        goto out;
    if (json_object_is_type(s, json_type_boolean)) {
        if (!json_object_get_boolean(s))
            err = schema_fail(c, "no value is allowed here (schema is false)");
        goto out;
    }
    if (!json_object_is_type(s, json_type_object)) {
        err = schema_fatal(c, "invalid schema: a schema must be an object or a boolean, not %s",
                           s == NULL ? "null" : schema_type_of(s));
        goto out;
    }
    if ((err = schema_check_header(c, s)) != MCP_OK)
        goto out;
    if (json_object_object_get_ex(s, "$ref", &v)) {
        json_object *target;
        if ((err = schema_ref_resolve(c, v, &target)) != MCP_OK ||
            (err = schema_eval(c, target, inst)) != MCP_OK)
            goto out;
    }
    if (json_object_object_get_ex(s, "type", &v) && (err = schema_check_type(c, v, inst)) != MCP_OK)
        goto out;
    if (json_object_object_get_ex(s, "enum", &v) && (err = schema_check_enum(c, v, inst)) != MCP_OK)
        goto out;
    if (json_object_object_get_ex(s, "const", &v)) {
        bool eq;
        if ((err = schema_equal(c, v, inst, 0, &eq)) != MCP_OK)
            goto out;
        if (!eq) {
            char shown[SCHEMA_NAME_SHOWN * 2 + 16];
            schema_fmt_value(shown, sizeof shown, v);
            err = schema_fail(c, "must equal %s (const)", shown);
            goto out;
        }
    }
    switch (json_object_get_type(inst)) {
    case json_type_int:
    case json_type_double:
        err = schema_eval_number(c, s, inst);
        break;
    case json_type_string:
        err = schema_eval_string(c, s, inst);
        break;
    case json_type_array:
        err = schema_eval_array(c, s, inst);
        break;
    case json_type_object:
        err = schema_eval_object(c, s, inst);
        break;
    default:
        break;
    }
    if (err != MCP_OK)
        goto out;
    err = schema_eval_logic(c, s, inst);
out:
    c->depth--;
    return err;
}

/* See schema.h. fail may be NULL when no message is wanted; fail->data is never touched, and
 * fail->message is "" on MCP_OK. */
enum mcp_err schema_validate(json_object *schema, json_object *instance, struct rpc_fail *fail)
{
    struct rpc_fail scratch = {{0}, NULL};
    struct schema_ctx *c = xcalloc(1, sizeof *c);

    c->root = schema;
    c->fail = fail != NULL ? fail : &scratch;
    c->fail->message[0] = '\0';
    enum mcp_err err = schema_eval(c, schema, instance);
    if (err == MCP_OK)
        c->fail->message[0] = '\0';
    for (size_t k = 0; k < c->re_count; k++)
        regfree(&c->re[k].re);
    free(c);
    return err;
}
