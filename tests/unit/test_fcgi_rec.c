/* test_fcgi_rec.c - FastCGI STDOUT/END_REQUEST bytes, record splitting, and the incremental
 * reader that watches for ABORT_REQUEST after the hand-off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fcgi_rec.h"

#define GUARD 0xa5

/* Appends a record built by hand (any version, type, padding) to buf at *pos. */
static void put_rec(unsigned char *buf, size_t *pos, uint8_t version, uint8_t type, uint16_t id,
                    const void *content, size_t clen, uint8_t pad)
{
    unsigned char *p = buf + *pos;
    p[0] = version;
    p[1] = type;
    p[2] = (unsigned char)(id >> 8);
    p[3] = (unsigned char)(id & 0xff);
    p[4] = (unsigned char)(clen >> 8);
    p[5] = (unsigned char)(clen & 0xff);
    p[6] = pad;
    p[7] = 0;
    if (clen > 0)
        memcpy(p + 8, content, clen);
    memset(p + 8 + clen, 0x77, pad);
    *pos += 8 + clen + pad;
}

/* Checks one STDOUT record header at p and returns its content length. */
static size_t check_stdout_header(const unsigned char *p, uint16_t id, size_t want_len)
{
    assert_int_equal(p[0], 1);
    assert_int_equal(p[1], FCGI_REC_STDOUT);
    assert_int_equal(p[2], id >> 8);
    assert_int_equal(p[3], id & 0xff);
    assert_int_equal((size_t)p[4] << 8 | p[5], want_len);
    assert_int_equal(p[6], (8 - want_len % 8) % 8);
    assert_int_equal(p[7], 0);
    return want_len;
}

static void stdout_record_bytes_are_exact(void **state)
{
    static const unsigned char want[] = {1, 6, 0, 1, 0, 5, 3, 0, 'h', 'e', 'l', 'l', 'o', 0, 0, 0};
    unsigned char out[64];
    (void)state;
    memset(out, GUARD, sizeof(out));
    assert_int_equal(fcgi_rec_stdout_size(5), sizeof(want));
    assert_int_equal(fcgi_rec_stdout(1, "hello", 5, out, sizeof(out)), sizeof(want));
    assert_memory_equal(out, want, sizeof(want));
    assert_int_equal(out[sizeof(want)], GUARD);
}

static void stdout_ids_and_lengths_are_big_endian(void **state)
{
    unsigned char data[258], out[300];
    (void)state;
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)i;
    memset(out, GUARD, sizeof(out));
    /* 258 = 0x0102 bytes: padding 6, total 8 + 258 + 6 */
    assert_int_equal(fcgi_rec_stdout(0x1234, data, sizeof(data), out, sizeof(out)), 272);
    assert_int_equal(out[2], 0x12);
    assert_int_equal(out[3], 0x34);
    assert_int_equal(out[4], 0x01);
    assert_int_equal(out[5], 0x02);
    assert_int_equal(out[6], 6);
    assert_memory_equal(out + 8, data, sizeof(data));
    for (size_t i = 266; i < 272; i++)
        assert_int_equal(out[i], 0);
    assert_int_equal(out[272], GUARD);
    /* id 0xffff */
    assert_int_equal(fcgi_rec_stdout(0xffff, data, 1, out, sizeof(out)), 16);
    assert_int_equal(out[2], 0xff);
    assert_int_equal(out[3], 0xff);
    assert_int_equal(out[6], 7);
}

static void stdout_padding_is_to_a_multiple_of_8(void **state)
{
    unsigned char data[40] = {0}, out[64];
    (void)state;
    for (size_t len = 1; len <= 33; len++) {
        size_t size = fcgi_rec_stdout_size(len);
        assert_int_equal(size % 8, 0);
        assert_int_equal(size, 8 + len + (8 - len % 8) % 8);
        assert_int_equal(fcgi_rec_stdout(9, data, len, out, sizeof(out)), size);
        check_stdout_header(out, 9, len);
    }
}

static void empty_stdout_closes_the_stream(void **state)
{
    static const unsigned char want[] = {1, 6, 0x01, 0x02, 0, 0, 0, 0};
    unsigned char out[16];
    (void)state;
    memset(out, GUARD, sizeof(out));
    assert_int_equal(fcgi_rec_stdout_size(0), 8);
    assert_int_equal(fcgi_rec_stdout(0x0102, NULL, 0, out, sizeof(out)), 8);
    assert_memory_equal(out, want, sizeof(want));
    assert_int_equal(out[8], GUARD);
    assert_int_equal(fcgi_rec_stdout(0x0102, "x", 0, out, 8), 8);
    assert_int_equal(fcgi_rec_stdout(0x0102, NULL, 0, out, 7), 0);
}

/* Writes len bytes of a pattern and checks the records: full ones of 65535, then the rest. */
static void check_split(size_t len, size_t want_size, size_t want_records)
{
    unsigned char *data = malloc(len), *out = malloc(want_size + 16);
    size_t pos = 0, left = len, records = 0;

    assert_non_null(data);
    assert_non_null(out);
    for (size_t i = 0; i < len; i++)
        data[i] = (unsigned char)(i * 7 + i / 251);
    memset(out, GUARD, want_size + 16);
    assert_int_equal(fcgi_rec_stdout_size(len), want_size);
    assert_int_equal(fcgi_rec_stdout(42, data, len, out, want_size - 1), 0);
    assert_int_equal(out[0], GUARD);
    assert_int_equal(fcgi_rec_stdout(42, data, len, out, want_size), want_size);
    assert_int_equal(out[want_size], GUARD);
    while (left > 0) {
        size_t clen = left < 65535 ? left : 65535, pad = (8 - clen % 8) % 8;
        check_stdout_header(out + pos, 42, clen);
        assert_memory_equal(out + pos + 8, data + (len - left), clen);
        for (size_t i = 0; i < pad; i++)
            assert_int_equal(out[pos + 8 + clen + i], 0);
        pos += 8 + clen + pad;
        left -= clen;
        records++;
    }
    assert_int_equal(pos, want_size);
    assert_int_equal(records, want_records);
    free(out);
    free(data);
}

static void stdout_splits_at_65535(void **state)
{
    (void)state;
    check_split(65535, 8 + 65535 + 1, 1);
    check_split(65536, (8 + 65535 + 1) + (8 + 1 + 7), 2);
    /* 200000 = 3 * 65535 + 3395; 3395 pads to 3400 */
    check_split(200000, 3 * (8 + 65535 + 1) + (8 + 3400), 4);
    check_split(2 * 65535, 2 * (8 + 65535 + 1), 2);
    check_split(65534, 8 + 65534 + 2, 1);
}

static void stdout_refuses_a_short_buffer(void **state)
{
    unsigned char out[32];
    (void)state;
    memset(out, GUARD, sizeof(out));
    assert_int_equal(fcgi_rec_stdout(1, "hello", 5, out, 15), 0);
    assert_int_equal(fcgi_rec_stdout(1, "hello", 5, out, 0), 0);
    for (size_t i = 0; i < sizeof(out); i++)
        assert_int_equal(out[i], GUARD);
    assert_int_equal(fcgi_rec_stdout(1, "hello", 5, out, 16), 16);
}

static void stdout_size_saturates(void **state)
{
    (void)state;
    assert_int_equal(fcgi_rec_stdout_size(SIZE_MAX), SIZE_MAX);
    assert_int_equal(fcgi_rec_stdout_size(SIZE_MAX - 65535), SIZE_MAX);
    /* A length whose size would be SIZE_MAX is refused even with an unbounded cap. */
    assert_int_equal(fcgi_rec_stdout(1, "x", SIZE_MAX, (unsigned char[8]){0}, SIZE_MAX), 0);
}

static void end_request_bytes_are_exact(void **state)
{
    static const unsigned char want[] = {1,    3,    0xbe, 0xef, 0, 8, 0, 0,
                                         0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0};
    static const unsigned char want0[] = {1, 3, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    unsigned char out[20];
    (void)state;
    memset(out, GUARD, sizeof(out));
    assert_int_equal(fcgi_rec_end_request(0xbeef, 0x01020304, out), 16);
    assert_memory_equal(out, want, sizeof(want));
    assert_int_equal(out[16], GUARD);
    assert_int_equal(fcgi_rec_end_request(1, 0, out), 16);
    assert_memory_equal(out, want0, sizeof(want0));
    assert_int_equal(fcgi_rec_end_request(1, 0xffffffffu, out), 16);
    assert_int_equal(out[8] & out[9] & out[10] & out[11], 0xff);
}

static void reader_sees_abort_for_our_id(void **state)
{
    unsigned char buf[64];
    size_t n = 0;
    struct fcgi_rec_reader r = {0};
    (void)state;
    put_rec(buf, &n, 1, FCGI_REC_ABORT_REQUEST, 7, NULL, 0, 0);
    assert_int_equal(fcgi_rec_read(&r, 7, buf, n), FCGI_REC_ABORT);
    assert_int_equal(r.type, FCGI_REC_ABORT_REQUEST);
}

static void reader_ignores_abort_for_another_id(void **state)
{
    unsigned char buf[64];
    size_t n = 0;
    struct fcgi_rec_reader r = {0};
    (void)state;
    put_rec(buf, &n, 1, FCGI_REC_ABORT_REQUEST, 8, NULL, 0, 0);
    put_rec(buf, &n, 1, FCGI_REC_ABORT_REQUEST, 0x0700, NULL, 0, 0); /* byte-swapped 7 */
    put_rec(buf, &n, 1, FCGI_REC_ABORT_REQUEST, 0, NULL, 0, 0);
    assert_int_equal(fcgi_rec_read(&r, 7, buf, n), FCGI_REC_NOTHING);
    assert_int_equal(r.hdr_have, 0);
    assert_int_equal(r.skip, 0);
    n = 0;
    put_rec(buf, &n, 1, FCGI_REC_ABORT_REQUEST, 7, NULL, 0, 0);
    assert_int_equal(fcgi_rec_read(&r, 7, buf, n), FCGI_REC_ABORT);
}

static void reader_skips_stdin_params_and_unknown_records(void **state)
{
    static unsigned char big[65535];
    static unsigned char buf[3 * 65600];
    size_t n = 0;
    struct fcgi_rec_reader r = {0};
    (void)state;
    memset(big, 0x01, sizeof(big)); /* content that looks like version bytes */
    put_rec(buf, &n, 1, FCGI_REC_STDIN, 7, "late body", 9, 7);
    put_rec(buf, &n, 1, FCGI_REC_STDIN, 7, NULL, 0, 0);
    put_rec(buf, &n, 1, FCGI_REC_PARAMS, 7,
            "\x01\x01"
            "ab",
            4, 4);
    put_rec(buf, &n, 1, FCGI_REC_PARAMS, 7, NULL, 0, 0);
    put_rec(buf, &n, 1, FCGI_REC_BEGIN_REQUEST, 8, "\0\1\0\0\0\0\0\0", 8, 0);
    put_rec(buf, &n, 1, FCGI_REC_GET_VALUES, 0, NULL, 0, 0);
    put_rec(buf, &n, 1, FCGI_REC_DATA, 7, big, sizeof(big), 255);
    put_rec(buf, &n, 1, 0, 7, "x", 1, 0);
    put_rec(buf, &n, 1, 200, 7, big, 1000, 3);
    put_rec(buf, &n, 1, 255, 7, big, sizeof(big), 0);
    assert_int_equal(fcgi_rec_read(&r, 7, buf, n), FCGI_REC_NOTHING);
    assert_int_equal(r.hdr_have, 0);
    assert_int_equal(r.skip, 0);
    assert_int_equal(r.type, 255);
    /* Still in step: an ABORT afterwards is found. */
    n = 0;
    put_rec(buf, &n, 1, FCGI_REC_ABORT_REQUEST, 7, NULL, 0, 0);
    assert_int_equal(fcgi_rec_read(&r, 7, buf, n), FCGI_REC_ABORT);
}

static void reader_takes_empty_input(void **state)
{
    struct fcgi_rec_reader r = {0};
    (void)state;
    assert_int_equal(fcgi_rec_read(&r, 1, NULL, 0), FCGI_REC_NOTHING);
    assert_int_equal(fcgi_rec_read(&r, 1, "", 0), FCGI_REC_NOTHING);
    assert_int_equal(r.hdr_have, 0);
}

/* A stream of skipped records then our ABORT; *abort_end is the offset just past the
 * ABORT header. */
static size_t build_stream(unsigned char *buf, size_t *abort_end)
{
    size_t n = 0;
    put_rec(buf, &n, 1, FCGI_REC_STDIN, 3, "abcdefghij", 10, 6);
    put_rec(buf, &n, 1, FCGI_REC_ABORT_REQUEST, 4, NULL, 0, 0);
    put_rec(buf, &n, 1, FCGI_REC_PARAMS, 3, "\x03\x01keyv", 6, 2);
    put_rec(buf, &n, 1, 42, 3, "?", 1, 255);
    put_rec(buf, &n, 1, FCGI_REC_STDIN, 3, NULL, 0, 0);
    put_rec(buf, &n, 1, FCGI_REC_ABORT_REQUEST, 3, NULL, 0, 0);
    *abort_end = n;
    /* After the event: a bad version that must not be reached. */
    buf[n++] = 9;
    return n;
}

static void reader_handles_every_split_point(void **state)
{
    unsigned char buf[512];
    size_t abort_end, n = build_stream(buf, &abort_end);
    (void)state;

    /* Two chunks, split anywhere. */
    for (size_t cut = 0; cut <= n; cut++) {
        struct fcgi_rec_reader r = {0};
        enum fcgi_rec_event ev = fcgi_rec_read(&r, 3, buf, cut);
        if (cut >= abort_end) {
            assert_int_equal(ev, FCGI_REC_ABORT);
            continue;
        }
        assert_int_equal(ev, FCGI_REC_NOTHING);
        assert_int_equal(fcgi_rec_read(&r, 3, buf + cut, n - cut), FCGI_REC_ABORT);
    }
    /* Three chunks, both cuts anywhere. */
    for (size_t a = 0; a <= abort_end; a++) {
        for (size_t b = a; b <= n; b++) {
            struct fcgi_rec_reader r = {0};
            enum fcgi_rec_event ev;
            assert_int_equal(fcgi_rec_read(&r, 3, buf, a),
                             a == abort_end ? FCGI_REC_ABORT : FCGI_REC_NOTHING);
            if (a == abort_end)
                continue;
            ev = fcgi_rec_read(&r, 3, buf + a, b - a);
            if (b >= abort_end) {
                assert_int_equal(ev, FCGI_REC_ABORT);
                continue;
            }
            assert_int_equal(ev, FCGI_REC_NOTHING);
            assert_int_equal(fcgi_rec_read(&r, 3, buf + b, n - b), FCGI_REC_ABORT);
        }
    }
    /* One byte at a time: the byte that completes the ABORT header reports it. */
    {
        struct fcgi_rec_reader r = {0};
        for (size_t i = 0; i < abort_end; i++)
            assert_int_equal(fcgi_rec_read(&r, 3, buf + i, 1),
                             i + 1 == abort_end ? FCGI_REC_ABORT : FCGI_REC_NOTHING);
    }
}

static void reader_skips_a_large_record_fed_in_pieces(void **state)
{
    static unsigned char buf[65535 + 255 + 64];
    static unsigned char content[65535];
    size_t n = 0, abort_end;
    struct fcgi_rec_reader r = {0};
    (void)state;
    /* Content that holds a perfect ABORT record for our id: it must be skipped, not read. */
    memset(content, 0, sizeof(content));
    memcpy(content, "\1\2\0\5\0\0\0\0", 8);
    put_rec(buf, &n, 1, FCGI_REC_STDIN, 5, content, sizeof(content), 255);
    put_rec(buf, &n, 1, FCGI_REC_ABORT_REQUEST, 5, NULL, 0, 0);
    abort_end = n;
    for (size_t pos = 0, step = 1; pos < n; pos += step, step = step * 3 + 1) {
        size_t take = step < n - pos ? step : n - pos;
        enum fcgi_rec_event ev = fcgi_rec_read(&r, 5, buf + pos, take);
        assert_int_equal(ev, pos + take >= abort_end ? FCGI_REC_ABORT : FCGI_REC_NOTHING);
    }
}

static void reader_abort_with_content_stays_in_step(void **state)
{
    unsigned char buf[64];
    size_t n = 0, first;
    struct fcgi_rec_reader r = {0};
    (void)state;
    put_rec(buf, &n, 1, FCGI_REC_ABORT_REQUEST, 2, "\1\1\1", 3, 5);
    first = 8; /* the event is reported once the header is in */
    put_rec(buf, &n, 1, FCGI_REC_ABORT_REQUEST, 2, NULL, 0, 0);
    assert_int_equal(fcgi_rec_read(&r, 2, buf, first), FCGI_REC_ABORT);
    assert_int_equal(r.skip, 8);
    assert_int_equal(fcgi_rec_read(&r, 2, buf + first, 8), FCGI_REC_NOTHING);
    assert_int_equal(fcgi_rec_read(&r, 2, buf + 16, n - 16), FCGI_REC_ABORT);
}

static void reader_stops_at_the_first_event(void **state)
{
    unsigned char buf[64];
    size_t n = 0;
    struct fcgi_rec_reader r = {0};
    (void)state;
    put_rec(buf, &n, 1, FCGI_REC_ABORT_REQUEST, 1, NULL, 0, 0);
    put_rec(buf, &n, 0, FCGI_REC_STDIN, 1, NULL, 0, 0);
    assert_int_equal(fcgi_rec_read(&r, 1, buf, n), FCGI_REC_ABORT);
    assert_int_equal(r.hdr_have, 0);
}

static void reader_rejects_a_bad_version(void **state)
{
    static const uint8_t versions[] = {0, 2, 3, 0x7f, 0xff, 'G'};
    unsigned char buf[64];
    (void)state;
    for (size_t v = 0; v < sizeof(versions); v++) {
        size_t n = 0;
        struct fcgi_rec_reader r = {0};
        put_rec(buf, &n, versions[v], FCGI_REC_ABORT_REQUEST, 1, NULL, 0, 0);
        /* Seen at the first byte, even an ABORT for our id. */
        assert_int_equal(fcgi_rec_read(&r, 1, buf, 1), FCGI_REC_BAD);
        /* Sticky: later input cannot make it good again. */
        assert_int_equal(fcgi_rec_read(&r, 1, buf + 1, n - 1), FCGI_REC_BAD);
        assert_int_equal(fcgi_rec_read(&r, 1, NULL, 0), FCGI_REC_BAD);
    }
    /* "GET / HTTP/1.1": a client talking HTTP to the FastCGI socket. */
    {
        struct fcgi_rec_reader r = {0};
        assert_int_equal(fcgi_rec_read(&r, 1, "GET / HTTP/1.1\r\n", 16), FCGI_REC_BAD);
    }
}

static void reader_rejects_a_bad_version_after_good_records(void **state)
{
    unsigned char buf[128];
    size_t n = 0, bad_at;
    (void)state;
    put_rec(buf, &n, 1, FCGI_REC_STDIN, 1, "abc", 3, 5);
    put_rec(buf, &n, 1, FCGI_REC_ABORT_REQUEST, 2, NULL, 0, 0);
    bad_at = n;
    put_rec(buf, &n, 2, FCGI_REC_STDIN, 1, NULL, 0, 0);
    for (size_t cut = 0; cut <= n; cut++) {
        struct fcgi_rec_reader r = {0};
        enum fcgi_rec_event ev = fcgi_rec_read(&r, 1, buf, cut);
        assert_int_equal(ev, cut > bad_at ? FCGI_REC_BAD : FCGI_REC_NOTHING);
        assert_int_equal(fcgi_rec_read(&r, 1, buf + cut, n - cut), FCGI_REC_BAD);
    }
}

static void reader_reads_stdout_it_could_have_written(void **state)
{
    static unsigned char data[70000], out[70100];
    struct fcgi_rec_reader r = {0};
    size_t n;
    (void)state;
    memset(data, 1, sizeof(data));
    n = fcgi_rec_stdout(3, data, sizeof(data), out, sizeof(out));
    assert_int_not_equal(n, 0);
    assert_int_equal(fcgi_rec_read(&r, 3, out, n), FCGI_REC_NOTHING);
    n = fcgi_rec_end_request(3, 0, out);
    assert_int_equal(fcgi_rec_read(&r, 3, out, n), FCGI_REC_NOTHING);
    assert_int_equal(r.hdr_have, 0);
    assert_int_equal(r.skip, 0);
    assert_int_equal(r.type, FCGI_REC_END_REQUEST);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stdout_record_bytes_are_exact),
        cmocka_unit_test(stdout_ids_and_lengths_are_big_endian),
        cmocka_unit_test(stdout_padding_is_to_a_multiple_of_8),
        cmocka_unit_test(empty_stdout_closes_the_stream),
        cmocka_unit_test(stdout_splits_at_65535),
        cmocka_unit_test(stdout_refuses_a_short_buffer),
        cmocka_unit_test(stdout_size_saturates),
        cmocka_unit_test(end_request_bytes_are_exact),
        cmocka_unit_test(reader_sees_abort_for_our_id),
        cmocka_unit_test(reader_ignores_abort_for_another_id),
        cmocka_unit_test(reader_skips_stdin_params_and_unknown_records),
        cmocka_unit_test(reader_takes_empty_input),
        cmocka_unit_test(reader_handles_every_split_point),
        cmocka_unit_test(reader_skips_a_large_record_fed_in_pieces),
        cmocka_unit_test(reader_abort_with_content_stays_in_step),
        cmocka_unit_test(reader_stops_at_the_first_event),
        cmocka_unit_test(reader_rejects_a_bad_version),
        cmocka_unit_test(reader_rejects_a_bad_version_after_good_records),
        cmocka_unit_test(reader_reads_stdout_it_could_have_written),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("fcgi_rec", tests, NULL, NULL);
}
