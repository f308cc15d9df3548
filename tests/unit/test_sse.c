/* test_sse.c - SSE event and comment bytes, the size bound, and event id format/parse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>

#include <cmocka.h>

#include "sse.h"

#define GUARD   '#'
#define SEQ_MAX ((uint64_t)1 << 53)

/* Writes an event into a guarded buffer and checks it against want exactly, and that the
 * bound holds, the exact size fits and one byte less is refused. */
static void expect_event(const char *id, const char *event, long retry, const char *data,
                         size_t len, const char *want)
{
    char out[1024];
    size_t wlen = strlen(want), bound = sse_event_size(id, event, len);

    memset(out, GUARD, sizeof(out));
    assert_true(wlen <= bound);
    assert_true(bound < sizeof(out));
    assert_int_equal(sse_event(out, bound, id, event, retry, data, len), wlen);
    assert_memory_equal(out, want, wlen);
    assert_int_equal(out[wlen], GUARD);
    memset(out, GUARD, sizeof(out));
    assert_int_equal(sse_event(out, wlen, id, event, retry, data, len), wlen);
    assert_memory_equal(out, want, wlen);
    memset(out, GUARD, sizeof(out));
    assert_int_equal(sse_event(out, wlen - 1, id, event, retry, data, len), 0);
    assert_int_equal(out[wlen - 1], GUARD);
}

static void expect_event_str(const char *id, const char *event, long retry, const char *data,
                             const char *want)
{
    expect_event(id, event, retry, data, data ? strlen(data) : 0, want);
}

static void event_fields_in_every_combination(void **state)
{
    static const struct {
        const char *id, *event;
        long retry;
        const char *want;
    } cases[] = {
        {NULL, NULL, -1, "data: x\n\n"},
        {"1.2", NULL, -1, "id: 1.2\ndata: x\n\n"},
        {NULL, "message", -1, "event: message\ndata: x\n\n"},
        {NULL, NULL, 5000, "retry: 5000\ndata: x\n\n"},
        {"1.2", "message", -1, "id: 1.2\nevent: message\ndata: x\n\n"},
        {"1.2", NULL, 5000, "id: 1.2\nretry: 5000\ndata: x\n\n"},
        {NULL, "message", 5000, "event: message\nretry: 5000\ndata: x\n\n"},
        {"1.2", "message", 5000, "id: 1.2\nevent: message\nretry: 5000\ndata: x\n\n"},
        {"", "", 0, "id: \nevent: \nretry: 0\ndata: x\n\n"},
        {"0.0", NULL, LONG_MAX, NULL},
        {NULL, NULL, -12345, "data: x\n\n"},
        {NULL, NULL, LONG_MIN, "data: x\n\n"},
    };
    char want_max[64];
    (void)state;
    snprintf(want_max, sizeof(want_max), "id: 0.0\nretry: %ld\ndata: x\n\n", LONG_MAX);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_event_str(cases[i].id, cases[i].event, cases[i].retry, "x",
                         cases[i].want ? cases[i].want : want_max);
}

static void every_line_of_data_gets_a_prefix(void **state)
{
    static const struct {
        const char *data, *want;
    } cases[] = {
        {"a\nb", "data: a\ndata: b\n\n"},
        {"a\rb", "data: a\ndata: b\n\n"},
        {"a\r\nb", "data: a\ndata: b\n\n"},
        {"a\n\rb", "data: a\ndata: \ndata: b\n\n"},
        {"a\r\rb", "data: a\ndata: \ndata: b\n\n"},
        {"a\n\nb", "data: a\ndata: \ndata: b\n\n"},
        {"a\r\n\r\nb", "data: a\ndata: \ndata: b\n\n"},
        {"a\r\n\nb", "data: a\ndata: \ndata: b\n\n"},
        {"\n", "data: \ndata: \n\n"},
        {"\r", "data: \ndata: \n\n"},
        {"\r\n", "data: \ndata: \n\n"},
        {"a\n", "data: a\ndata: \n\n"},
        {"\na", "data: \ndata: a\n\n"},
        {"one\ntwo\r\nthree\rfour", "data: one\ndata: two\ndata: three\ndata: four\n\n"},
        {" lead", "data:  lead\n\n"},
        {"data: x\nid: 9\n: c", "data: data: x\ndata: id: 9\ndata: : c\n\n"},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}",
         "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n"},
        {"\xc3\xa9t\xc3\xa9", "data: \xc3\xa9t\xc3\xa9\n\n"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_event_str(NULL, NULL, -1, cases[i].data, cases[i].want);
}

static void data_is_taken_by_length(void **state)
{
    (void)state;
    /* Only len bytes count: a line break beyond them is not seen. */
    expect_event(NULL, NULL, -1, "ab\ncd", 2, "data: ab\n\n");
    expect_event(NULL, NULL, -1, "ab\r\ncd", 3, "data: ab\ndata: \n\n");
}

static void empty_data_is_one_empty_line(void **state)
{
    (void)state;
    expect_event(NULL, NULL, -1, NULL, 0, "data: \n\n");
    expect_event(NULL, NULL, -1, "", 0, "data: \n\n");
    expect_event(NULL, NULL, -1, "ignored", 0, "data: \n\n");
    expect_event(NULL, NULL, -1, NULL, 99, "data: \n\n");
}

static void priming_event_is_an_id_with_empty_data(void **state)
{
    (void)state;
    expect_event("0.0", NULL, -1, NULL, 0, "id: 0.0\ndata: \n\n");
    expect_event("12.0", NULL, 3000, NULL, 0, "id: 12.0\nretry: 3000\ndata: \n\n");
}

static void line_breaks_in_id_or_event_are_refused(void **state)
{
    static const char *bad[] = {"a\nb", "a\rb", "\n", "\r", "x\r\n"};
    char out[128];
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(sse_event(out, sizeof(out), bad[i], NULL, -1, "x", 1), 0);
        assert_int_equal(sse_event(out, sizeof(out), NULL, bad[i], -1, "x", 1), 0);
        assert_int_equal(sse_event(out, sizeof(out), "1.1", bad[i], 10, "x", 1), 0);
    }
}

static void short_buffers_are_refused(void **state)
{
    char out[64];
    (void)state;
    memset(out, GUARD, sizeof(out));
    assert_int_equal(sse_event(out, 0, NULL, NULL, -1, "x", 1), 0);
    assert_int_equal(out[0], GUARD);
    /* Too small for the id line alone. */
    assert_int_equal(sse_event(out, 3, "1.1", NULL, -1, "x", 1), 0);
    assert_int_equal(out[3], GUARD);
    /* Room for all but the final blank line. */
    assert_int_equal(sse_event(out, 8, NULL, NULL, -1, "x", 1), 0);
    assert_int_equal(out[8], GUARD);
    assert_int_equal(sse_event(out, 9, NULL, NULL, -1, "x", 1), 9);
}

/*
 * A client per the WHATWG event stream interpretation, for one event: returns 1 when an
 * event was dispatched, with its data, id (or "" if none) and event name.
 */
static int client_parse(const char *s, size_t n, char *data, size_t *data_len, char *id,
                        char *event)
{
    size_t i = 0, dl = 0;
    id[0] = event[0] = '\0';
    while (i < n) {
        size_t start = i, end, colon;
        while (i < n && s[i] != '\r' && s[i] != '\n')
            i++;
        if (i == n)
            return 0; /* an incomplete line is never processed */
        end = i;
        i += (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
        if (end == start) {
            if (dl > 0 && data[dl - 1] == '\n')
                dl--;
            *data_len = dl;
            return 1;
        }
        if (s[start] == ':')
            continue;
        for (colon = start; colon < end && s[colon] != ':'; colon++)
            ;
        {
            size_t fl = colon - start, vs = colon < end ? colon + 1 : end;
            if (vs < end && s[vs] == ' ')
                vs++;
            if (fl == 4 && memcmp(s + start, "data", 4) == 0) {
                memcpy(data + dl, s + vs, end - vs);
                dl += end - vs;
                data[dl++] = '\n';
            } else if (fl == 2 && memcmp(s + start, "id", 2) == 0) {
                memcpy(id, s + vs, end - vs);
                id[end - vs] = '\0';
            } else if (fl == 5 && memcmp(s + start, "event", 5) == 0) {
                memcpy(event, s + vs, end - vs);
                event[end - vs] = '\0';
            }
        }
    }
    return 0;
}

/* Every data of up to 8 bytes over {a, CR, LF}: the bound holds, the exact size fits, and a
 * client gets the data back with CR and CRLF turned into LF. */
static void bound_holds_and_clients_read_data_back(void **state)
{
    static const char alphabet[] = {'a', '\r', '\n'};
    char data[8], want[8], out[256], got[256], id[64], event[64];
    (void)state;
    for (size_t len = 0; len <= sizeof(data); len++) {
        size_t combos = 1;
        for (size_t i = 0; i < len; i++)
            combos *= 3;
        for (size_t c = 0; c < combos; c++) {
            size_t v = c, wl = 0, n, got_len;
            for (size_t i = 0; i < len; i++, v /= 3)
                data[i] = alphabet[v % 3];
            for (size_t i = 0; i < len; i++) {
                if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
                    continue;
                want[wl++] = data[i] == '\r' ? '\n' : data[i];
            }
            n = sse_event(out, sizeof(out), "7.8", "ev", 100, data, len);
            assert_true(n > 0);
            assert_true(n <= sse_event_size("7.8", "ev", len));
            assert_int_equal(sse_event(out, n, "7.8", "ev", 100, data, len), n);
            assert_int_equal(sse_event(out, n - 1, "7.8", "ev", 100, data, len), 0);
            /* "id: 7.8\n" "event: ev\n" "retry: 100\n" */
            assert_int_equal(sse_event(out, sizeof(out), NULL, NULL, -1, data, len) + 29, n);
            n = sse_event(out, sizeof(out), "7.8", "ev", 100, data, len);
            assert_true(client_parse(out, n, got, &got_len, id, event));
            assert_int_equal(got_len, wl);
            if (wl > 0)
                assert_memory_equal(got, want, wl);
            assert_string_equal(id, "7.8");
            assert_string_equal(event, "ev");
        }
    }
}

static void bound_covers_the_worst_case(void **state)
{
    char data[100], out[1024];
    size_t n;
    (void)state;
    memset(data, '\n', sizeof(data));
    n = sse_event(out, sizeof(out), "999999.9007199254740992", "message", LONG_MAX, data,
                  sizeof(data));
    assert_true(n > 0);
    assert_true(n <= sse_event_size("999999.9007199254740992", "message", sizeof(data)));
    memset(data, '\r', sizeof(data));
    assert_int_equal(sse_event(out, sizeof(out), NULL, NULL, -1, data, sizeof(data)),
                     7 * (sizeof(data) + 1) + 1);
    assert_int_equal(sse_event_size(NULL, NULL, SIZE_MAX), SIZE_MAX);
    assert_int_equal(sse_event_size(NULL, NULL, SIZE_MAX / 7), SIZE_MAX);
    assert_true(sse_event_size(NULL, NULL, 0) >= sizeof("retry: 0\ndata: \n\n") - 1);
}

static void comments_are_written_exactly(void **state)
{
    char out[64];
    (void)state;
    memset(out, GUARD, sizeof(out));
    assert_int_equal(sse_comment(out, sizeof(out), "ping"), 8);
    assert_memory_equal(out, ": ping\n\n", 8);
    assert_int_equal(out[8], GUARD);
    assert_int_equal(sse_comment(out, sizeof(out), ""), 4);
    assert_memory_equal(out, ": \n\n", 4);
    assert_int_equal(sse_comment(out, sizeof(out), NULL), 4);
    assert_memory_equal(out, ": \n\n", 4);
    assert_int_equal(sse_comment(out, 8, "ping"), 8);
    memset(out, GUARD, sizeof(out));
    assert_int_equal(sse_comment(out, 7, "ping"), 0);
    assert_int_equal(out[7], GUARD);
    assert_int_equal(sse_comment(out, 0, ""), 0);
    assert_int_equal(sse_comment(out, sizeof(out), "a\nb"), 0);
    assert_int_equal(sse_comment(out, sizeof(out), "a\rb"), 0);
    assert_int_equal(sse_comment(out, sizeof(out), "\r\n"), 0);
}

static void ids_format(void **state)
{
    char out[SSE_ID_MAX + 8];
    (void)state;
    sse_id_format(out, 0, 0);
    assert_string_equal(out, "0.0");
    sse_id_format(out, 12, 345);
    assert_string_equal(out, "12.345");
    sse_id_format(out, 999999, SEQ_MAX);
    assert_string_equal(out, "999999.9007199254740992");
    /* The widest values still fit with room to spare. */
    memset(out, GUARD, sizeof(out));
    sse_id_format(out, UINT32_MAX, UINT64_MAX);
    assert_string_equal(out, "4294967295.18446744073709551615");
    assert_true(strlen(out) < SSE_ID_MAX);
    assert_int_equal(out[SSE_ID_MAX], GUARD);
}

static void expect_round_trip(uint32_t key, uint64_t seq)
{
    char s[SSE_ID_MAX];
    uint32_t k = 1234567;
    uint64_t q = 7;
    sse_id_format(s, key, seq);
    assert_int_equal(sse_id_parse(s, &k, &q), MCP_OK);
    assert_int_equal(k, key);
    assert_int_equal(q, seq);
}

static void ids_round_trip(void **state)
{
    static const uint32_t keys[] = {0, 1, 9, 10, 99, 100, 12345, 99999, 100000, 999998, 999999};
    static const uint64_t seqs[] = {0,
                                    1,
                                    9,
                                    10,
                                    11,
                                    100,
                                    65535,
                                    4294967295u,
                                    4294967296u,
                                    999999999999999u,
                                    1000000000000000u,
                                    SEQ_MAX - 1,
                                    SEQ_MAX};
    (void)state;
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
        for (size_t q = 0; q < sizeof(seqs) / sizeof(seqs[0]); q++)
            expect_round_trip(keys[k], seqs[q]);
    for (uint64_t q = 1; q <= SEQ_MAX / 3; q = q * 3 + 1)
        expect_round_trip((uint32_t)(q % 1000000), q);
}

static void expect_bad_id(const char *s)
{
    uint32_t k = 4242;
    uint64_t q = 4343;
    assert_int_equal(sse_id_parse(s, &k, &q), MCP_E_BAD_EVENT_ID);
    /* Outputs are untouched on failure. */
    assert_int_equal(k, 4242);
    assert_int_equal(q, 4343);
}

static void malformed_ids_are_refused(void **state)
{
    static const char *bad[] = {
        /* empty and partial */
        "",
        ".",
        "1",
        "1.",
        ".1",
        "..",
        "1..1",
        "1.1.",
        "1.1.1",
        ".1.1",
        /* leading zeros */
        "00.0",
        "01.1",
        "0.00",
        "0.01",
        "000001.1",
        "1.0000000000000001",
        "00.00",
        /* bounds */
        "1000000.0",
        "9999999.0",
        "4294967295.0",
        "4294967296.0",
        "0.9007199254740993",
        "0.9007199254740999",
        "0.9999999999999999",
        "0.10000000000000000",
        "0.18446744073709551615",
        "0.18446744073709551616",
        "0.99999999999999999999999",
        "999999999999999999999999.1",
        /* signs, spaces, other characters */
        "+1.1",
        "-1.1",
        "1.+1",
        "1.-1",
        " 1.1",
        "1.1 ",
        "1 .1",
        "1. 1",
        "\t1.1",
        "1.1\t",
        "1.1\n",
        "1.1\r\n",
        "\n1.1",
        "1,1",
        "1:1",
        "1_1",
        "1/1",
        "1.1a",
        "a.1",
        "1.a",
        "0x1.1",
        "1.0x1",
        "1e3.1",
        "1.1e3",
        "1.1.",
        "1.1;",
        "1.1\x7f",
        "\xef\xbc\x91.1",
        "1.\xd9\xa1",
        "1.1\xc2\xa0",
        "abc",
        "null",
        "undefined",
        "-",
        "0.-0",
        "-0.0",
        /* the widest string our own formatter can produce, still out of range */
        "4294967295.18446744073709551615",
        /* long garbage */
        "1.1111111111111111111111111111111111111111111111111111111111111111111111111111",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_bad_id(bad[i]);
    expect_bad_id(NULL);
}

static void ids_at_the_edges_are_accepted(void **state)
{
    uint32_t k;
    uint64_t q;
    (void)state;
    assert_int_equal(sse_id_parse("0.0", &k, &q), MCP_OK);
    assert_int_equal(k, 0);
    assert_int_equal(q, 0);
    assert_int_equal(sse_id_parse("999999.9007199254740992", &k, &q), MCP_OK);
    assert_int_equal(k, 999999);
    assert_int_equal(q, SEQ_MAX);
    assert_int_equal(sse_id_parse("10.10", &k, &q), MCP_OK);
    assert_int_equal(k, 10);
    assert_int_equal(q, 10);
    assert_int_equal(sse_id_parse("100000.9007199254740991", &k, &q), MCP_OK);
    assert_int_equal(k, 100000);
    assert_int_equal(q, SEQ_MAX - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(event_fields_in_every_combination),
        cmocka_unit_test(every_line_of_data_gets_a_prefix),
        cmocka_unit_test(data_is_taken_by_length),
        cmocka_unit_test(empty_data_is_one_empty_line),
        cmocka_unit_test(priming_event_is_an_id_with_empty_data),
        cmocka_unit_test(line_breaks_in_id_or_event_are_refused),
        cmocka_unit_test(short_buffers_are_refused),
        cmocka_unit_test(bound_holds_and_clients_read_data_back),
        cmocka_unit_test(bound_covers_the_worst_case),
        cmocka_unit_test(comments_are_written_exactly),
        cmocka_unit_test(ids_format),
        cmocka_unit_test(ids_round_trip),
        cmocka_unit_test(malformed_ids_are_refused),
        cmocka_unit_test(ids_at_the_edges_are_accepted),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("sse", tests, NULL, NULL);
}
