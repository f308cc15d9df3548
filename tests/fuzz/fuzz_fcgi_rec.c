/*
 * fuzz_fcgi_rec.c - libFuzzer driver for fcgi_rec_read. Input: 2 bytes of request id, 4
 * bytes seeding the chunk sizes, then the byte stream. The stream is fed in random chunks
 * (empty ones included) and must give the same first event as a whole-buffer reference
 * parser; with no event, the reader must end in the same state as one fed the whole stream
 * at once. Also checks that STDOUT records written for the stream read back as nothing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi_rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The first event of the whole stream, parsed record by record. */
static enum fcgi_rec_event reference(uint16_t id, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (p[i] != 1)
            return FCGI_REC_BAD;
        if (n - i < FCGI_REC_HEADER_LEN)
            return FCGI_REC_NOTHING;
        if (p[i + 1] == FCGI_REC_ABORT_REQUEST && (uint16_t)(p[i + 2] << 8 | p[i + 3]) == id)
            return FCGI_REC_ABORT;
        i += FCGI_REC_HEADER_LEN + ((size_t)p[i + 4] << 8 | p[i + 5]) + p[i + 6];
    }
    return FCGI_REC_NOTHING;
}

static uint32_t next_rand(uint32_t *s)
{
    /* xorshift32; a zero state stays zero, so it is never seeded with 0 */
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fcgi_rec_reader whole = {0}, chunked = {0};
    enum fcgi_rec_event want, ev = FCGI_REC_NOTHING, ev_whole;
    uint32_t seed;
    uint16_t id;
    size_t pos = 0;

    if (size < 6)
        return 0;
    id = (uint16_t)(data[0] << 8 | data[1]);
    seed = ((uint32_t)data[2] << 24 | (uint32_t)data[3] << 16 | (uint32_t)data[4] << 8 | data[5]);
    seed |= 1;
    data += 6;
    size -= 6;

    want = reference(id, data, size);
    ev_whole = fcgi_rec_read(&whole, id, data, size);
    if (ev_whole != want)
        abort();

    while (pos <= size) {
        uint32_t r = next_rand(&seed);
        /* Mostly small chunks, sometimes empty, sometimes large. */
        size_t take = (r & 3) == 0 ? 0 : (r & 0x300) == 0 ? (r >> 16) : (r >> 16) % 17 + 1;
        if (take > size - pos)
            take = size - pos;
        ev = fcgi_rec_read(&chunked, id, data + pos, take);
        pos += take;
        if (ev != FCGI_REC_NOTHING || pos == size)
            break;
    }
    if (ev != want)
        abort();
    if (want == FCGI_REC_NOTHING &&
        (chunked.hdr_have != whole.hdr_have || chunked.skip != whole.skip ||
         chunked.type != whole.type || memcmp(chunked.hdr, whole.hdr, chunked.hdr_have) != 0))
        abort();
    if (want == FCGI_REC_BAD && fcgi_rec_read(&chunked, id, NULL, 0) != FCGI_REC_BAD)
        abort();

    /* What we write never looks like an ABORT or a bad record to the reader. */
    {
        size_t cap = fcgi_rec_stdout_size(size);
        uint8_t *out = malloc(cap);
        struct fcgi_rec_reader r = {0};
        size_t n = fcgi_rec_stdout(id, data, size, out, cap);
        if (n != cap || fcgi_rec_read(&r, id, out, n) != FCGI_REC_NOTHING || r.hdr_have != 0 ||
            r.skip != 0)
            abort();
        free(out);
    }
    return 0;
}
