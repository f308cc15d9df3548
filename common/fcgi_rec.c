/* fcgi_rec.c - STDOUT/END_REQUEST writers and the post-hand-off record reader (see fcgi_rec.h). */
#include "fcgi_rec.h"

#include <string.h>

#define FCGI_REC_VERSION 1
#define FCGI_REC_END_LEN 16 /* END_REQUEST: header + 8-byte body */
/* Bytes of one full STDOUT record: header, FCGI_REC_MAX_CONTENT, 1 byte of padding. */
#define FCGI_REC_FULL_LEN (FCGI_REC_HEADER_LEN + FCGI_REC_MAX_CONTENT + 1)

/* Padding that brings len up to a multiple of 8 (0..7). */
static size_t fcgi_rec_pad(size_t len)
{
    return (8 - len % 8) % 8;
}

/* Writes a header into out[FCGI_REC_HEADER_LEN]; clen <= FCGI_REC_MAX_CONTENT, pad <= 255. */
static void fcgi_rec_header(unsigned char *out, uint8_t type, uint16_t request_id, size_t clen,
                            size_t pad)
{
    out[0] = FCGI_REC_VERSION;
    out[1] = type;
    out[2] = (unsigned char)(request_id >> 8);
    out[3] = (unsigned char)(request_id & 0xff);
    out[4] = (unsigned char)(clen >> 8 & 0xff);
    out[5] = (unsigned char)(clen & 0xff);
    out[6] = (unsigned char)pad;
    out[7] = 0;
}

/* Saturates at SIZE_MAX when the size does not fit in size_t; every real size is a multiple
 * of 8, so SIZE_MAX never names one and fcgi_rec_stdout refuses it whatever cap is. */
size_t fcgi_rec_stdout_size(size_t len)
{
    size_t full = len / FCGI_REC_MAX_CONTENT, rest = len % FCGI_REC_MAX_CONTENT;
    size_t tail;

    if (len == 0)
        return FCGI_REC_HEADER_LEN;
    tail = rest == 0 ? 0 : FCGI_REC_HEADER_LEN + rest + fcgi_rec_pad(rest);
    if (full > (SIZE_MAX - tail) / FCGI_REC_FULL_LEN)
        return SIZE_MAX;
    return full * FCGI_REC_FULL_LEN + tail;
}

size_t fcgi_rec_stdout(uint16_t request_id, const void *data, size_t len, void *out, size_t cap)
{
    const unsigned char *in = data;
    unsigned char *o = out;
    size_t need = fcgi_rec_stdout_size(len), pos = 0;

    if (need == SIZE_MAX || cap < need)
        return 0;
    if (len == 0) {
        fcgi_rec_header(o, FCGI_REC_STDOUT, request_id, 0, 0);
        return FCGI_REC_HEADER_LEN;
    }
    while (len > 0) {
        size_t clen = len < FCGI_REC_MAX_CONTENT ? len : FCGI_REC_MAX_CONTENT;
        size_t pad = fcgi_rec_pad(clen);
        fcgi_rec_header(o + pos, FCGI_REC_STDOUT, request_id, clen, pad);
        pos += FCGI_REC_HEADER_LEN;
        memcpy(o + pos, in, clen);
        pos += clen;
        memset(o + pos, 0, pad);
        pos += pad;
        in += clen;
        len -= clen;
    }
    return pos;
}

size_t fcgi_rec_end_request(uint16_t request_id, uint32_t app_status, void *out)
{
    unsigned char *o = out;

    fcgi_rec_header(o, FCGI_REC_END_REQUEST, request_id, 8, 0);
    o[8] = (unsigned char)(app_status >> 24 & 0xff);
    o[9] = (unsigned char)(app_status >> 16 & 0xff);
    o[10] = (unsigned char)(app_status >> 8 & 0xff);
    o[11] = (unsigned char)(app_status & 0xff);
    o[12] = 0; /* protocolStatus: FCGI_REQUEST_COMPLETE */
    o[13] = o[14] = o[15] = 0;
    return FCGI_REC_END_LEN;
}

/*
 * The version is checked as soon as a record's first byte arrives, and FCGI_REC_BAD is
 * sticky: that byte stays in r->hdr, so every later call answers FCGI_REC_BAD at once.
 * FCGI_REC_ABORT is reported when the ABORT_REQUEST header is complete; its content and
 * padding (0 in a conforming record) are left in r->skip, so a caller that keeps feeding the
 * bytes after the ones consumed stays in step.
 */
enum fcgi_rec_event fcgi_rec_read(struct fcgi_rec_reader *r, uint16_t request_id, const void *data,
                                  size_t n)
{
    const unsigned char *in = data;
    size_t i = 0;

    if (r->hdr_have > 0 && r->hdr[0] != FCGI_REC_VERSION)
        return FCGI_REC_BAD;
    while (i < n) {
        if (r->skip > 0) {
            size_t take = n - i < r->skip ? n - i : r->skip;
            r->skip -= take;
            i += take;
            continue;
        }
        r->hdr[r->hdr_have++] = in[i++];
        if (r->hdr_have == 1 && r->hdr[0] != FCGI_REC_VERSION)
            return FCGI_REC_BAD;
        if (r->hdr_have < FCGI_REC_HEADER_LEN)
            continue;
        r->hdr_have = 0;
        r->type = r->hdr[1];
        r->skip = ((size_t)r->hdr[4] << 8 | r->hdr[5]) + r->hdr[6];
        if (r->type == FCGI_REC_ABORT_REQUEST &&
            ((uint16_t)(r->hdr[2] << 8 | r->hdr[3])) == request_id)
            return FCGI_REC_ABORT;
    }
    return FCGI_REC_NOTHING;
}
