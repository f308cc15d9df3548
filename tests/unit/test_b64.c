/* test_b64.c - base64 in both alphabets: RFC 4648 vectors, strict decoding, bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "b64.h"

static const struct {
    const char *raw, *padded, *unpadded;
} b64_vectors[] = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

static void expect_decode(enum b64_alphabet a, enum b64_pad pad, const char *text, const void *want,
                          size_t want_len)
{
    unsigned char buf[128];
    size_t n = 99;
    assert_int_equal(b64_decode(a, pad, text, strlen(text), buf, sizeof(buf), &n), MCP_OK);
    assert_int_equal(n, want_len);
    if (want_len > 0)
        assert_memory_equal(buf, want, want_len);
}

static void expect_reject(enum b64_alphabet a, enum b64_pad pad, const char *text)
{
    unsigned char buf[128];
    size_t n = 99;
    assert_int_equal(b64_decode(a, pad, text, strlen(text), buf, sizeof(buf), &n),
                     MCP_E_INVALID_PARAMS);
    assert_int_equal(n, 0);
}

static void encodes_rfc4648_vectors(void **state)
{
    char out[32];
    (void)state;
    for (size_t i = 0; i < sizeof(b64_vectors) / sizeof(b64_vectors[0]); i++) {
        size_t n = strlen(b64_vectors[i].raw);
        assert_int_equal(b64_encode(B64_STD, B64_PAD, b64_vectors[i].raw, n, out, sizeof(out)),
                         MCP_OK);
        assert_string_equal(out, b64_vectors[i].padded);
        assert_int_equal(b64_encoded_size(n, B64_PAD), strlen(b64_vectors[i].padded) + 1);
        assert_int_equal(b64_encode(B64_URL, B64_NOPAD, b64_vectors[i].raw, n, out, sizeof(out)),
                         MCP_OK);
        assert_string_equal(out, b64_vectors[i].unpadded);
        assert_int_equal(b64_encoded_size(n, B64_NOPAD), strlen(b64_vectors[i].unpadded) + 1);
    }
}

static void decodes_rfc4648_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(b64_vectors) / sizeof(b64_vectors[0]); i++) {
        const char *raw = b64_vectors[i].raw;
        expect_decode(B64_STD, B64_PAD, b64_vectors[i].padded, raw, strlen(raw));
        expect_decode(B64_URL, B64_NOPAD, b64_vectors[i].unpadded, raw, strlen(raw));
        expect_decode(B64_STD, B64_PAD_ANY, b64_vectors[i].padded, raw, strlen(raw));
        expect_decode(B64_STD, B64_PAD_ANY, b64_vectors[i].unpadded, raw, strlen(raw));
    }
}

static void alphabets_differ_in_two_characters(void **state)
{
    static const unsigned char bytes[] = {0xfb, 0xff, 0xbf};
    char out[16];
    (void)state;
    assert_int_equal(b64_encode(B64_STD, B64_PAD, bytes, 3, out, sizeof(out)), MCP_OK);
    assert_string_equal(out, "+/+/");
    assert_int_equal(b64_encode(B64_URL, B64_PAD, bytes, 3, out, sizeof(out)), MCP_OK);
    assert_string_equal(out, "-_-_");
    expect_decode(B64_STD, B64_PAD, "+/+/", bytes, 3);
    expect_decode(B64_URL, B64_PAD, "-_-_", bytes, 3);
    expect_reject(B64_URL, B64_PAD, "+/+/");
    expect_reject(B64_STD, B64_PAD, "-_-_");
}

static void padding_rules_are_enforced(void **state)
{
    (void)state;
    expect_reject(B64_STD, B64_PAD, "Zg");      /* padding required */
    expect_reject(B64_STD, B64_PAD, "Zg=");     /* incomplete padding */
    expect_reject(B64_STD, B64_NOPAD, "Zg==");  /* padding refused */
    expect_reject(B64_STD, B64_PAD_ANY, "Zg="); /* present but incomplete */
    expect_reject(B64_STD, B64_PAD, "Zm8==");   /* too much padding */
    expect_reject(B64_STD, B64_PAD, "Zm9v====");
    expect_reject(B64_STD, B64_PAD, "Z===");
    expect_reject(B64_STD, B64_PAD, "====");
    expect_reject(B64_STD, B64_PAD, "Zg==Zg=="); /* padding inside */
    expect_reject(B64_STD, B64_PAD_ANY, "Zm=9v");
    expect_reject(B64_STD, B64_NOPAD, "Z"); /* a lone character is never a byte */
    expect_reject(B64_STD, B64_NOPAD, "Zm9vY");
}

static void non_canonical_and_foreign_characters_are_refused(void **state)
{
    (void)state;
    expect_reject(B64_STD, B64_PAD, "Zh==");   /* unused bits set */
    expect_reject(B64_STD, B64_PAD, "Zm9=");   /* unused bits set */
    expect_reject(B64_URL, B64_NOPAD, "Zh");   /* same without padding */
    expect_reject(B64_STD, B64_PAD, "Zm9v\n"); /* no whitespace */
    expect_reject(B64_STD, B64_PAD, "Zm 9v");
    expect_reject(B64_STD, B64_PAD, "Zm9*");
    expect_reject(B64_STD, B64_PAD, "\xc3\xa9==");
    {
        unsigned char buf[8];
        size_t n;
        static const char with_nul[] = {'Z', 'm', '\0', 'v'};
        assert_int_equal(b64_decode(B64_STD, B64_PAD, with_nul, 4, buf, sizeof(buf), &n),
                         MCP_E_INVALID_PARAMS);
    }
}

static void bounded_buffers_are_respected(void **state)
{
    unsigned char buf[4];
    char out[5];
    size_t n = 7;
    (void)state;
    assert_int_equal(b64_decode(B64_STD, B64_PAD, "Zm9vYg==", 8, buf, 3, &n), MCP_E_TOO_LARGE);
    assert_int_equal(n, 0);
    assert_int_equal(b64_decode(B64_STD, B64_PAD, "Zm9vYg==", 8, buf, 4, &n), MCP_OK);
    assert_int_equal(n, 4);
    assert_int_equal(b64_encode(B64_STD, B64_PAD, "foob", 4, out, sizeof(out)), MCP_E_TOO_LARGE);
    assert_string_equal(out, "");
    assert_int_equal(b64_encode(B64_STD, B64_NOPAD, "foo", 3, out, sizeof(out)), MCP_OK);
    assert_string_equal(out, "Zm9v");
    assert_int_equal(b64_decoded_max(8), 6);
    assert_int_equal(b64_decoded_max(6), 4);
    assert_int_equal(b64_decoded_max(7), 5);
}

static void every_length_round_trips(void **state)
{
    unsigned char raw[96], back[96];
    (void)state;
    srand(4648);
    for (size_t len = 0; len <= sizeof(raw); len++) {
        for (size_t i = 0; i < len; i++)
            raw[i] = (unsigned char)rand();
        for (int a = B64_STD; a <= B64_URL; a++) {
            for (int p = B64_PAD; p <= B64_NOPAD; p++) {
                char *text = b64_encode_dup((enum b64_alphabet)a, (enum b64_pad)p, raw, len);
                size_t n;
                assert_int_equal(strlen(text) + 1, b64_encoded_size(len, (enum b64_pad)p));
                assert_int_equal(b64_decode((enum b64_alphabet)a, (enum b64_pad)p, text,
                                            strlen(text), back, sizeof(back), &n),
                                 MCP_OK);
                assert_int_equal(n, len);
                if (len > 0)
                    assert_memory_equal(raw, back, len);
                assert_int_equal(b64_decode((enum b64_alphabet)a, B64_PAD_ANY, text, strlen(text),
                                            back, sizeof(back), &n),
                                 MCP_OK);
                free(text);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encodes_rfc4648_vectors),
        cmocka_unit_test(decodes_rfc4648_vectors),
        cmocka_unit_test(alphabets_differ_in_two_characters),
        cmocka_unit_test(padding_rules_are_enforced),
        cmocka_unit_test(non_canonical_and_foreign_characters_are_refused),
        cmocka_unit_test(bounded_buffers_are_respected),
        cmocka_unit_test(every_length_round_trips),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("b64", tests, NULL, NULL);
}
