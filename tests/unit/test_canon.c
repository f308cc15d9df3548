/* test_canon.c - canonical JSON text: member order, escapes, numbers, depth bound, SHA-256. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canon.h"

struct buf {
    char text[16384];
    size_t n;
    int calls;
    int fail_at; /* put fails on this call (1-based), 0 = never */
};

static int buf_put(void *opaque, const void *bytes, size_t n)
{
    struct buf *b = opaque;
    if (++b->calls == b->fail_at || b->n + n >= sizeof(b->text))
        return -1;
    memcpy(b->text + b->n, bytes, n);
    b->n += n;
    b->text[b->n] = '\0';
    return 0;
}

/* The canonical text of the JSON text in (parsed by json-c). */
static void expect_canon(const char *in, const char *want)
{
    json_object *v = json_tokener_parse(in);
    struct buf b = {.n = 0};

    assert_int_equal(canon_write(v, 64, buf_put, &b), MCP_OK);
    if (strcmp(b.text, want) != 0)
        fail_msg("canon(%s) = %s, want %s", in, b.text, want);
    json_object_put(v);
}

static void members_are_sorted_at_every_level(void **state)
{
    (void)state;
    expect_canon("{ \"b\": 1, \"a\": [true, false, null, {\"z\": \"q\", \"y\": 1.5}] }",
                 "{\"a\":[true,false,null,{\"y\":1.5,\"z\":\"q\"}],\"b\":1}");
    expect_canon("{\"b\":0,\"\\u00e9\":0,\"ab\":0,\"a\":0,\"B\":0,\"\":0}",
                 "{\"\":0,\"B\":0,\"a\":0,\"ab\":0,\"b\":0,\"\xc3\xa9\":0}");
    expect_canon("{}", "{}");
    expect_canon("[]", "[]");
    expect_canon("[[],{},[{}]]", "[[],{},[{}]]");
    expect_canon("{\"x\":{\"c\":{\"b\":2,\"a\":1}}}", "{\"x\":{\"c\":{\"a\":1,\"b\":2}}}");
}

static void strings_are_escaped_one_way(void **state)
{
    (void)state;
    expect_canon("\"plain\"", "\"plain\"");
    expect_canon("\"q\\\" b\\\\ s\\/ n\\n t\\t u\\u0001 x\\u007f \\u00e9\"",
                 "\"q\\\" b\\\\ s/ n\\u000a t\\u0009 u\\u0001 x\x7f \xc3\xa9\"");
    expect_canon("\"a\\u0000b\"", "\"a\\u0000b\"");
    expect_canon("{\"k\\n\\\"\":\"v\"}", "{\"k\\u000a\\\"\":\"v\"}");
}

static void numbers_are_printed_from_their_value(void **state)
{
    (void)state;
    expect_canon(
        "[1, 1.0, 1.00, 10e-1, -0, -0.0, 0.1, 1e300, -2.5e-3]",
        "[1,1,1,1,0,0,0.10000000000000001,1.0000000000000001e+300,-0.0025000000000000001]");
    expect_canon("[-9223372036854775808, 9223372036854775807, 18446744073709551615]",
                 "[-9223372036854775808,9223372036854775807,18446744073709551615]");
    /* built, not parsed */
    json_object *a = json_object_new_array();
    struct buf b = {.n = 0};
    json_object_array_add(a, json_object_new_double(0.0 / 0.0));
    json_object_array_add(a, json_object_new_double(1.0 / 0.0));
    json_object_array_add(a, json_object_new_double(-1.0 / 0.0));
    json_object_array_add(a, json_object_new_double_s(2.0, "2.000"));
    json_object_array_add(a, json_object_new_uint64(UINT64_MAX - 1));
    json_object_array_add(a, NULL);
    assert_int_equal(canon_write(a, 64, buf_put, &b), MCP_OK);
    assert_string_equal(b.text, "[NaN,Infinity,-Infinity,2,18446744073709551614,null]");
    json_object_put(a);
}

static void depth_is_bounded(void **state)
{
    json_object *v = json_object_new_string("leaf");
    struct buf b = {.n = 0};
    (void)state;

    assert_int_equal(canon_write(v, 0, buf_put, &b), MCP_OK); /* a scalar has no level */
    for (int i = 0; i < 10; i++) {
        json_object *outer = i % 2 ? json_object_new_array() : json_object_new_object();
        if (i % 2)
            json_object_array_add(outer, v);
        else
            json_object_object_add(outer, "k", v);
        v = outer;
    }
    b.n = 0;
    assert_int_equal(canon_write(v, 10, buf_put, &b), MCP_OK);
    b.n = 0;
    assert_int_equal(canon_write(v, 9, buf_put, &b), MCP_E_INVALID_PARAMS);
    b.n = 0;
    assert_int_equal(canon_write(v, 0, buf_put, &b), MCP_E_INVALID_PARAMS);
    json_object_put(v);
}

static void long_texts_and_failing_sinks(void **state)
{
    char *big = malloc(5001);
    json_object *v;
    struct buf b = {.n = 0};
    (void)state;

    memset(big, 'x', 5000);
    big[5000] = '\0';
    v = json_object_new_string(big);
    assert_int_equal(canon_write(v, 1, buf_put, &b), MCP_OK);
    assert_int_equal(b.n, 5002);
    assert_true(b.calls > 1 && b.calls < 10); /* buffered, not a call per byte */
    assert_true(b.text[0] == '"' && b.text[5001] == '"' && b.text[2500] == 'x');
    b = (struct buf){.n = 0, .fail_at = 2};
    assert_int_equal(canon_write(v, 1, buf_put, &b), MCP_E_IO);
    assert_int_equal(b.calls, 2); /* nothing more after a failure */
    json_object_put(v);
    free(big);
}

static void sha256_of_the_text(void **state)
{
    /* sha256 of the two bytes "{}" */
    static const unsigned char empty[CANON_SHA256_LEN] = {
        0x44, 0x13, 0x6f, 0xa3, 0x55, 0xb3, 0x67, 0x8a, 0x11, 0x46, 0xad,
        0x16, 0xf7, 0xe8, 0x64, 0x9e, 0x94, 0xfb, 0x4f, 0xc2, 0x1f, 0xe7,
        0x7e, 0x83, 0x10, 0xc0, 0x60, 0xf6, 0x1c, 0xaa, 0xff, 0x8a};
    unsigned char a[CANON_SHA256_LEN], b[CANON_SHA256_LEN];
    json_object *x = json_tokener_parse("{ }");
    json_object *p = json_tokener_parse("{\"a\":1,\"b\":{\"c\":[1,2]}}");
    json_object *q = json_tokener_parse("{\"b\":{\"c\":[1,2.0]},\"a\":1}");
    json_object *r = json_tokener_parse("{\"b\":{\"c\":[2,1]},\"a\":1}");
    (void)state;

    assert_int_equal(canon_sha256(x, 8, a), MCP_OK);
    assert_memory_equal(a, empty, CANON_SHA256_LEN);
    assert_int_equal(canon_sha256(p, 8, a), MCP_OK);
    assert_int_equal(canon_sha256(q, 8, b), MCP_OK);
    assert_memory_equal(a, b, CANON_SHA256_LEN);
    assert_int_equal(canon_sha256(r, 8, b), MCP_OK);
    assert_memory_not_equal(a, b, CANON_SHA256_LEN);
    assert_int_equal(canon_sha256(p, 2, b), MCP_E_INVALID_PARAMS);
    json_object_put(x);
    json_object_put(p);
    json_object_put(q);
    json_object_put(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(members_are_sorted_at_every_level),
        cmocka_unit_test(strings_are_escaped_one_way),
        cmocka_unit_test(numbers_are_printed_from_their_value),
        cmocka_unit_test(depth_is_bounded),
        cmocka_unit_test(long_texts_and_failing_sinks),
        cmocka_unit_test(sha256_of_the_text),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("canon", tests, NULL, NULL);
}
