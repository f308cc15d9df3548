/* sse.c - Server-Sent Events framing and event ids (see sse.h). */
#include "sse.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define SSE_KEY_MAX    999999u
#define SSE_KEY_DIGITS 6
#define SSE_SEQ_MAX    ((uint64_t)1 << 53)
#define SSE_SEQ_DIGITS 16 /* 2^53 = 9007199254740992 */

#define SSE_DATA_PREFIX   "data: "
#define SSE_DATA_LINE_MIN (sizeof(SSE_DATA_PREFIX) - 1 + 1) /* "data: " + "\n" */
/* "retry: " + the digits of LONG_MAX (at most 19) + "\n" */
#define SSE_RETRY_LINE_MAX (sizeof("retry: ") - 1 + 19 + 1)

/* Bounded output: a write that does not fit sets full and writes nothing more. */
struct sse_buf {
    char *out;
    size_t cap;
    size_t pos;
    int full;
};

static void sse_put(struct sse_buf *b, const char *s, size_t n)
{
    if (b->full || n > b->cap - b->pos) {
        b->full = 1;
        return;
    }
    if (n > 0)
        memcpy(b->out + b->pos, s, n);
    b->pos += n;
}

static void sse_puts(struct sse_buf *b, const char *s)
{
    sse_put(b, s, strlen(s));
}

/* 1 when s holds CR or LF (a field value that would end its line early). */
static int sse_has_break(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

/* a + b, or SIZE_MAX when it does not fit. */
static size_t sse_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/*
 * Data of len bytes is at most len + 1 lines (every byte a line break), each costing
 * "data: " + "\n" and its share of len; a line break byte costs nothing itself, so the data
 * lines take at most SSE_DATA_LINE_MIN * (len + 1) bytes. Saturates at SIZE_MAX.
 */
size_t sse_event_size(const char *id, const char *event, size_t len)
{
    size_t n = SSE_RETRY_LINE_MAX + 1; /* retry line and the blank line */

    if (id != NULL)
        n = sse_add(n, sse_add(sizeof("id: ") - 1 + 1, strlen(id)));
    if (event != NULL)
        n = sse_add(n, sse_add(sizeof("event: ") - 1 + 1, strlen(event)));
    if (len >= SIZE_MAX / SSE_DATA_LINE_MIN)
        return SIZE_MAX;
    return sse_add(n, SSE_DATA_LINE_MIN * (len + 1));
}

/*
 * Also returns 0, writing nothing useful, when id or event holds CR or LF (the field would
 * end early and the rest would be read as other fields). NUL bytes in data are copied as they
 * are. A line break at the very end of data starts one more, empty, line, so a client that
 * joins the lines with LF gets data back with CR and CRLF turned into LF.
 */
size_t sse_event(char *out, size_t cap, const char *id, const char *event, long retry_ms,
                 const char *data, size_t len)
{
    struct sse_buf b = {out, cap, 0, 0};
    size_t start = 0, i;

    if ((id != NULL && sse_has_break(id)) || (event != NULL && sse_has_break(event)))
        return 0;
    if (id != NULL) {
        sse_puts(&b, "id: ");
        sse_puts(&b, id);
        sse_put(&b, "\n", 1);
    }
    if (event != NULL) {
        sse_puts(&b, "event: ");
        sse_puts(&b, event);
        sse_put(&b, "\n", 1);
    }
    if (retry_ms >= 0) {
        char line[SSE_RETRY_LINE_MAX + 1];
        int w = snprintf(line, sizeof(line), "retry: %ld\n", retry_ms);
        if (w < 0 || (size_t)w >= sizeof(line))
            return 0;
        sse_put(&b, line, (size_t)w);
    }
    if (data == NULL) {
        data = "";
        len = 0;
    }
    for (i = 0; i <= len; i++) {
        if (i < len && data[i] != '\r' && data[i] != '\n')
            continue;
        sse_puts(&b, SSE_DATA_PREFIX);
        sse_put(&b, data + start, i - start);
        sse_put(&b, "\n", 1);
        if (i + 1 < len && data[i] == '\r' && data[i + 1] == '\n')
            i++;
        start = i + 1;
    }
    sse_put(&b, "\n", 1);
    return b.full ? 0 : b.pos;
}

/* Also returns 0 when text holds CR or LF. text NULL writes ": \n\n". */
size_t sse_comment(char *out, size_t cap, const char *text)
{
    struct sse_buf b = {out, cap, 0, 0};

    if (text == NULL)
        text = "";
    if (sse_has_break(text))
        return 0;
    sse_put(&b, ": ", 2);
    sse_puts(&b, text);
    sse_put(&b, "\n\n", 2);
    return b.full ? 0 : b.pos;
}

void sse_id_format(char *out, uint32_t key, uint64_t seq)
{
    /* At most 10 + 1 + 20 digits and the NUL: always fits in SSE_ID_MAX. */
    (void)snprintf(out, SSE_ID_MAX, "%" PRIu32 ".%" PRIu64, key, seq);
}

/*
 * Reads a decimal of 1..max_digits digits at *s with no leading zero (except "0" itself)
 * into *out and advances *s past it. Returns 0 when there is no such number; a longer digit
 * run is refused before it can overflow.
 */
static int sse_id_number(const char **s, size_t max_digits, uint64_t *out)
{
    const char *p = *s;
    uint64_t v = 0;
    size_t n = 0;

    while (*p >= '0' && *p <= '9') {
        if (++n > max_digits)
            return 0;
        v = v * 10 + (uint64_t)(*p - '0');
        p++;
    }
    if (n == 0 || (n > 1 && **s == '0'))
        return 0;
    *s = p;
    *out = v;
    return 1;
}

/* *key and *seq are written only on MCP_OK. */
enum mcp_err sse_id_parse(const char *s, uint32_t *key, uint64_t *seq)
{
    uint64_t k, q;

    if (s == NULL || !sse_id_number(&s, SSE_KEY_DIGITS, &k) || k > SSE_KEY_MAX || *s != '.')
        return MCP_E_BAD_EVENT_ID;
    s++;
    if (!sse_id_number(&s, SSE_SEQ_DIGITS, &q) || q > SSE_SEQ_MAX || *s != '\0')
        return MCP_E_BAD_EVENT_ID;
    *key = (uint32_t)k;
    *seq = q;
    return MCP_OK;
}
