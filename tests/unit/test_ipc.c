/* test_ipc.c - the worker <-> sessiond framing: encoder, incremental decoder, reply helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ipc.h"

/* A frame with a hand-made header and payload text (for malformed cases). *len set. */
static unsigned char *raw_frame(uint32_t magic, uint16_t version, uint16_t type, uint32_t seq,
                                uint32_t len_field, const char *payload, size_t *len)
{
    size_t plen = strlen(payload);
    unsigned char *f = calloc(1, IPC_HDR_LEN + plen);

    assert_non_null(f);
    memcpy(f + 0, &magic, 4);
    memcpy(f + 4, &version, 2);
    memcpy(f + 6, &type, 2);
    memcpy(f + 8, &seq, 4);
    memcpy(f + 12, &len_field, 4);
    memcpy(f + IPC_HDR_LEN, payload, plen);
    *len = IPC_HDR_LEN + plen;
    return f;
}

/* Feeds all of data at once; expects exactly one frame and no leftover. */
static json_object *decode_one(const void *data, size_t len, uint16_t *type, uint32_t *seq)
{
    struct ipc_dec *d = ipc_dec_new();
    struct ipc_frame f;
    size_t used = 0;

    assert_int_equal(ipc_dec_feed(d, data, len, &used, &f), MCP_OK);
    assert_int_equal(used, len);
    assert_non_null(f.payload);
    assert_false(ipc_dec_partial(d));
    *type = f.type;
    *seq = f.seq;
    ipc_dec_free(d);
    return f.payload;
}

/* Expects MCP_E_PROTO from feeding data at once, and from any later feed. */
static void expect_proto(const void *data, size_t len)
{
    struct ipc_dec *d = ipc_dec_new();
    struct ipc_frame f;
    size_t used = 0;

    assert_int_equal(ipc_dec_feed(d, data, len, &used, &f), MCP_E_PROTO);
    assert_null(f.payload);
    assert_int_equal(ipc_dec_feed(d, "{}", 2, &used, &f), MCP_E_PROTO);
    ipc_dec_free(d);
}

static void test_roundtrip(void **state)
{
    (void)state;
    json_object *p = json_tokener_parse("{\"id\":\"abc\",\"uri\":\"file:///x/y\",\"n\":[1,2,{}]}");
    unsigned char buf[256];
    size_t len = 0;
    uint16_t type;
    uint32_t seq;

    assert_int_equal(ipc_encode(IPC_SESS_GET, 77, p, buf, sizeof(buf), &len), MCP_OK);
    uint32_t magic;
    memcpy(&magic, buf, 4);
    assert_int_equal(magic, IPC_MAGIC);
    /* No slash escaping: URIs travel as they are. */
    assert_non_null(memmem(buf, len, "file:///x/y", 11));
    json_object *q = decode_one(buf, len, &type, &seq);
    assert_int_equal(type, IPC_SESS_GET);
    assert_int_equal(seq, 77);
    assert_true(json_object_equal(p, q));
    json_object_put(q);

    void *nb = NULL;
    size_t nlen = 0;
    assert_int_equal(ipc_encode_new(IPC_STATUS | IPC_REPLY, 0xffffffffu, p, &nb, &nlen), MCP_OK);
    assert_int_equal(nlen, len);
    q = decode_one(nb, nlen, &type, &seq);
    assert_int_equal(type, IPC_STATUS | IPC_REPLY);
    assert_int_equal(seq, 0xffffffffu);
    assert_true(json_object_equal(p, q));
    json_object_put(q);
    free(nb);
    json_object_put(p);
}

static void test_byte_by_byte_and_back_to_back(void **state)
{
    (void)state;
    json_object *a = json_tokener_parse("{\"a\":1}");
    json_object *b = json_tokener_parse("{\"b\":\"two\"}");
    unsigned char buf[128];
    size_t la = 0, lb = 0;

    assert_int_equal(ipc_encode(IPC_SESS_CREATE, 1, a, buf, sizeof(buf), &la), MCP_OK);
    assert_int_equal(ipc_encode(IPC_SESS_DELETE, 2, b, buf + la, sizeof(buf) - la, &lb), MCP_OK);

    /* One byte at a time: a frame completes exactly on its last byte. */
    struct ipc_dec *d = ipc_dec_new();
    int frames = 0;
    for (size_t i = 0; i < la + lb; i++) {
        struct ipc_frame f;
        size_t used = 0;
        assert_int_equal(ipc_dec_feed(d, buf + i, 1, &used, &f), MCP_OK);
        assert_int_equal(used, 1);
        if (i + 1 == la || i + 1 == la + lb) {
            assert_non_null(f.payload);
            assert_int_equal(f.type, frames == 0 ? IPC_SESS_CREATE : IPC_SESS_DELETE);
            assert_true(json_object_equal(f.payload, frames == 0 ? a : b));
            json_object_put(f.payload);
            frames++;
            assert_false(ipc_dec_partial(d));
        } else {
            assert_null(f.payload);
            assert_true(ipc_dec_partial(d));
        }
    }
    assert_int_equal(frames, 2);

    /* Both frames in one buffer: the first feed stops after frame one. */
    struct ipc_frame f;
    size_t used = 0;
    assert_int_equal(ipc_dec_feed(d, buf, la + lb, &used, &f), MCP_OK);
    assert_int_equal(used, la);
    assert_int_equal(f.seq, 1);
    json_object_put(f.payload);
    assert_int_equal(ipc_dec_feed(d, buf + la, lb, &used, &f), MCP_OK);
    assert_int_equal(used, lb);
    assert_int_equal(f.seq, 2);
    json_object_put(f.payload);

    /* Split inside the header, then inside the payload. */
    assert_int_equal(ipc_dec_feed(d, buf, 7, &used, &f), MCP_OK);
    assert_null(f.payload);
    assert_int_equal(ipc_dec_feed(d, buf + 7, IPC_HDR_LEN + 2 - 7, &used, &f), MCP_OK);
    assert_null(f.payload);
    assert_int_equal(ipc_dec_feed(d, buf + IPC_HDR_LEN + 2, la - IPC_HDR_LEN - 2, &used, &f),
                     MCP_OK);
    assert_non_null(f.payload);
    json_object_put(f.payload);

    /* Zero bytes is a no-op. */
    assert_int_equal(ipc_dec_feed(d, buf, 0, &used, &f), MCP_OK);
    assert_int_equal(used, 0);
    assert_null(f.payload);

    ipc_dec_free(d);
    json_object_put(a);
    json_object_put(b);
}

static void test_bad_header(void **state)
{
    (void)state;
    size_t len;
    unsigned char *f;

    f = raw_frame(0x49504d43u, IPC_VERSION, 1, 1, 2, "{}", &len); /* magic byte-swapped */
    expect_proto(f, len);
    free(f);
    f = raw_frame(IPC_MAGIC, 2, 1, 1, 2, "{}", &len); /* version */
    expect_proto(f, len);
    free(f);
    f = raw_frame(IPC_MAGIC, 0, 1, 1, 2, "{}", &len);
    expect_proto(f, len);
    free(f);
    f = raw_frame(IPC_MAGIC, IPC_VERSION, 1, 1, IPC_MAX_PAYLOAD + 1, "", &len); /* oversize */
    expect_proto(f, len);
    free(f);
    f = raw_frame(IPC_MAGIC, IPC_VERSION, 1, 1, 0xffffffffu, "", &len);
    expect_proto(f, len);
    free(f);
    f = raw_frame(IPC_MAGIC, IPC_VERSION, 1, 1, 0, "", &len); /* empty payload */
    expect_proto(f, len);
    free(f);
    f = raw_frame(IPC_MAGIC, IPC_VERSION, 1, 1, 1, "{", &len);
    expect_proto(f, len);
    free(f);

    /* The error is reported as soon as the header is complete, before any payload. */
    f = raw_frame(IPC_MAGIC, IPC_VERSION, 1, 1, IPC_MAX_PAYLOAD + 1, "", &len);
    struct ipc_dec *d = ipc_dec_new();
    struct ipc_frame fr;
    size_t used;
    assert_int_equal(ipc_dec_feed(d, f, IPC_HDR_LEN - 1, &used, &fr), MCP_OK);
    assert_int_equal(ipc_dec_feed(d, f + IPC_HDR_LEN - 1, 1, &used, &fr), MCP_E_PROTO);
    ipc_dec_free(d);
    free(f);
}

static void test_bad_payload(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "[]",       "\"str\"",    "42",         "null",       "true",
        "{\"a\":1", "{\"a\":1}x", "{\"a\":1} ", " {\"a\":1}", "{\"a\":1}{}",
        "{\"a\":}", "{,}",        "{\"a\"1}",   "}{",         "{\"a\":[1,2}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t len;
        unsigned char *f =
            raw_frame(IPC_MAGIC, IPC_VERSION, 1, 1, (uint32_t)strlen(bad[i]), bad[i], &len);
        expect_proto(f, len);
        free(f);
    }

    /* A NUL byte inside the payload. */
    size_t len;
    unsigned char *f = raw_frame(IPC_MAGIC, IPC_VERSION, 1, 1, 8, "{\"a\":1}x", &len);
    f[IPC_HDR_LEN + 7] = '}';
    f[IPC_HDR_LEN + 6] = '\0';
    expect_proto(f, len);
    free(f);

    /* Nesting beyond IPC_MAX_DEPTH; and exactly at it is fine. */
    char deep[2 * (IPC_MAX_DEPTH + 1) + 16];
    for (int depth = IPC_MAX_DEPTH; depth <= IPC_MAX_DEPTH + 1; depth++) {
        size_t n = 0;
        deep[n++] = '{';
        deep[n++] = '"';
        deep[n++] = 'a';
        deep[n++] = '"';
        deep[n++] = ':';
        for (int i = 1; i < depth; i++)
            deep[n++] = '[';
        for (int i = 1; i < depth; i++)
            deep[n++] = ']';
        deep[n++] = '}';
        deep[n] = '\0';
        f = raw_frame(IPC_MAGIC, IPC_VERSION, 1, 1, (uint32_t)n, deep, &len);
        if (depth == IPC_MAX_DEPTH) {
            uint16_t type;
            uint32_t seq;
            json_object_put(decode_one(f, len, &type, &seq));
        } else {
            expect_proto(f, len);
        }
        free(f);
    }
}

static void test_unknown_type_decodes(void **state)
{
    (void)state;
    size_t len;
    uint16_t type;
    uint32_t seq;
    unsigned char *f = raw_frame(IPC_MAGIC, IPC_VERSION, 0x0123, 9, 2, "{}", &len);

    /* The decoder checks framing only; unknown types are the receiver's business. */
    json_object_put(decode_one(f, len, &type, &seq));
    assert_int_equal(type, 0x0123);
    assert_string_equal(ipc_type_name(0x0123), "unknown");
    assert_string_equal(ipc_type_name(IPC_SESS_UPDATE | IPC_REPLY), "sess_update");
    free(f);
}

static void test_encode_limits(void **state)
{
    (void)state;
    unsigned char small[IPC_HDR_LEN + 4];
    size_t len = 0;
    void *nb = NULL;
    json_object *p = json_tokener_parse("{\"a\":1}");

    assert_int_equal(ipc_encode(1, 1, p, small, sizeof(small), &len), MCP_E_TOO_LARGE);
    assert_int_equal(ipc_encode(1, 1, p, small, 3, &len), MCP_E_TOO_LARGE);
    json_object_put(p);

    /* Not an object. */
    p = json_object_new_array();
    assert_int_equal(ipc_encode_new(1, 1, p, &nb, &len), MCP_E_PROTO);
    assert_null(nb);
    json_object_put(p);
    assert_int_equal(ipc_encode_new(1, 1, NULL, &nb, &len), MCP_E_PROTO);

    /* Over IPC_MAX_PAYLOAD, and exactly at it. */
    size_t fill = IPC_MAX_PAYLOAD - strlen("{\"s\":\"\"}");
    char *s = malloc(fill + 2);
    assert_non_null(s);
    memset(s, 'x', fill + 1);
    s[fill + 1] = '\0';
    p = json_object_new_object();
    json_object_object_add(p, "s", json_object_new_string(s));
    assert_int_equal(ipc_encode_new(1, 1, p, &nb, &len), MCP_E_TOO_LARGE);
    json_object_put(p);
    s[fill] = '\0';
    p = json_object_new_object();
    json_object_object_add(p, "s", json_object_new_string(s));
    assert_int_equal(ipc_encode_new(1, 1, p, &nb, &len), MCP_OK);
    assert_int_equal(len, IPC_HDR_LEN + IPC_MAX_PAYLOAD);
    uint16_t type;
    uint32_t seq;
    json_object *q = decode_one(nb, len, &type, &seq);
    assert_true(json_object_equal(p, q));
    json_object_put(q);
    free(nb);
    json_object_put(p);
    free(s);

    /* Too deep to be read back. */
    p = json_object_new_object();
    json_object *cur = json_object_new_array();
    json_object_object_add(p, "d", cur);
    for (int i = 0; i < IPC_MAX_DEPTH; i++) {
        json_object *next = json_object_new_array();
        json_object_array_add(cur, next);
        cur = next;
    }
    assert_int_equal(ipc_encode_new(1, 1, p, &nb, &len), MCP_E_TOO_LARGE);
    json_object_put(p);

    /* The boundary is the decoder's: IPC_MAX_DEPTH - 1 containers in all encode and read back,
     * one more does not encode. */
    for (int containers = IPC_MAX_DEPTH - 1; containers <= IPC_MAX_DEPTH; containers++) {
        p = json_object_new_object();
        cur = p;
        for (int i = 1; i < containers; i++) {
            json_object *next = json_object_new_array();
            if (json_object_is_type(cur, json_type_object))
                json_object_object_add(cur, "d", next);
            else
                json_object_array_add(cur, next);
            cur = next;
        }
        enum mcp_err want = containers < IPC_MAX_DEPTH ? MCP_OK : MCP_E_TOO_LARGE;
        assert_int_equal(ipc_encode_new(1, 1, p, &nb, &len), want);
        if (want == MCP_OK) {
            struct ipc_dec *d = ipc_dec_new();
            struct ipc_frame f;
            size_t used = 0;
            assert_int_equal(ipc_dec_feed(d, nb, len, &used, &f), MCP_OK);
            assert_non_null(f.payload);
            assert_int_equal(used, len);
            json_object_put(f.payload);
            ipc_dec_free(d);
            free(nb);
        }
        json_object_put(p);
    }
}

static void test_reply_helpers(void **state)
{
    (void)state;
    enum mcp_err err = MCP_OK;
    json_object *r = ipc_reply_new(MCP_E_SESSIONS_FULL, "full");

    assert_int_equal(ipc_reply_err(r, &err), MCP_OK);
    assert_int_equal(err, MCP_E_SESSIONS_FULL);
    json_object *m;
    assert_true(json_object_object_get_ex(r, "message", &m));
    assert_string_equal(json_object_get_string(m), "full");
    json_object_put(r);

    r = ipc_reply_new(MCP_OK, "");
    assert_false(json_object_object_get_ex(r, "message", NULL));
    assert_int_equal(ipc_reply_err(r, &err), MCP_OK);
    assert_int_equal(err, MCP_OK);
    json_object_put(r);

    static const char *const bad[] = {"{}",
                                      "{\"err\":\"0\"}",
                                      "{\"err\":-1}",
                                      "{\"err\":1.0}",
                                      "{\"err\":999}",
                                      "{\"err\":null}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = json_tokener_parse(bad[i]);
        assert_int_equal(ipc_reply_err(r, &err), MCP_E_PROTO);
        json_object_put(r);
    }
    r = json_object_new_object();
    json_object_object_add(r, "err", json_object_new_int(MCP_E__COUNT));
    assert_int_equal(ipc_reply_err(r, &err), MCP_E_PROTO);
    json_object_put(r);
    assert_int_equal(ipc_reply_err(NULL, &err), MCP_E_PROTO);
}

static void test_session_id_valid(void **state)
{
    (void)state;
    assert_true(ipc_session_id_valid("0123456789abcdef0123456789abcdef"));
    assert_false(ipc_session_id_valid("0123456789ABCDEF0123456789abcdef"));
    assert_false(ipc_session_id_valid("0123456789abcdef0123456789abcde"));
    assert_false(ipc_session_id_valid("0123456789abcdef0123456789abcdef0"));
    assert_false(ipc_session_id_valid("0123456789abcdef0123456789abcdeg"));
    assert_false(ipc_session_id_valid(""));
    assert_false(ipc_session_id_valid(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_byte_by_byte_and_back_to_back),
        cmocka_unit_test(test_bad_header),
        cmocka_unit_test(test_bad_payload),
        cmocka_unit_test(test_unknown_type_decodes),
        cmocka_unit_test(test_encode_limits),
        cmocka_unit_test(test_reply_helpers),
        cmocka_unit_test(test_session_id_valid),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("ipc", tests, NULL, NULL);
}
