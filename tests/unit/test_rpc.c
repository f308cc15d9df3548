/* test_rpc.c - the JSON-RPC envelope: parsing, classification, response shapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rpc.h"

static enum mcp_err parse(const char *s, json_object **out)
{
    return rpc_parse(s, strlen(s), 16, out);
}

static void test_parse_accepts_one_value_with_trailing_space(void **state)
{
    (void)state;
    json_object *o = NULL;
    assert_int_equal(parse("{\"a\":1}  \r\n", &o), MCP_OK);
    assert_non_null(o);
    json_object_put(o);
    /* json-c keeps a bare number open until the input ends; it must still parse */
    assert_int_equal(parse("42", &o), MCP_OK);
    assert_int_equal(json_object_get_int(o), 42);
    json_object_put(o);
    assert_int_equal(parse("-1.5e3 ", &o), MCP_OK);
    json_object_put(o);
}

static void test_parse_rejects_garbage_truncation_and_trailing_data(void **state)
{
    (void)state;
    const char *bad[] = {"",           "{",          "{\"a\":1} x", "{\"a\":1}{}",
                         "nul",        "{'a':1}",    "[1,]",        "{\"a\":\"\xc3\x28\"}",
                         "[NaN]",      "[Infinity]", "[-Infinity]", "[1.]",
                         "[\"a\tb\"]", "[truex]",    "[\"a\"",      "{\"a\":1}\x01"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_object *o = (json_object *)1;
        assert_int_equal(rpc_parse(bad[i], strlen(bad[i]), 16, &o), MCP_E_PARSE);
        assert_null(o);
    }
}

static void test_parse_enforces_depth(void **state)
{
    (void)state;
    json_object *o = NULL;
    assert_int_equal(rpc_parse("[[[[1]]]]", 9, 3, &o), MCP_E_PARSE);
    assert_int_equal(rpc_parse("[[[1]]]", 7, 4, &o), MCP_OK);
    json_object_put(o);
}

static enum mcp_err classify(const char *s, struct rpc_msg *m, json_object **keep)
{
    const char *why;
    *keep = json_tokener_parse(s);
    assert_non_null(*keep);
    return rpc_classify(*keep, m, &why);
}

static void test_classify_kinds(void **state)
{
    (void)state;
    struct rpc_msg m;
    json_object *o;
    assert_int_equal(classify("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", &m, &o),
                     MCP_OK);
    assert_int_equal(m.kind, RPC_REQUEST);
    assert_string_equal(m.method, "ping");
    assert_null(m.params);
    json_object_put(o);
    assert_int_equal(classify("{\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":{}}", &m, &o),
                     MCP_OK);
    assert_int_equal(m.kind, RPC_NOTIFICATION);
    assert_null(m.id);
    assert_non_null(m.params);
    json_object_put(o);
    assert_int_equal(classify("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"result\":{}}", &m, &o), MCP_OK);
    assert_int_equal(m.kind, RPC_RESPONSE);
    json_object_put(o);
    assert_int_equal(
        classify("{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":1,\"message\":\"m\"}}", &m, &o),
        MCP_OK);
    assert_int_equal(m.kind, RPC_RESPONSE);
    json_object_put(o);
}

static void test_classify_invalid_keeps_readable_id(void **state)
{
    (void)state;
    struct rpc_msg m;
    json_object *o;
    assert_int_equal(classify("{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"ping\"}", &m, &o),
                     MCP_E_INVALID_REQUEST);
    assert_non_null(m.id);
    assert_int_equal(json_object_get_int(m.id), 7);
    json_object_put(o);
    assert_int_equal(classify("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", &m, &o),
                     MCP_E_INVALID_REQUEST);
    assert_null(m.id);
    json_object_put(o);
    const char *bad[] = {
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\",\"params\":[]}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\",\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1}",
        "{\"jsonrpc\":\"2.0\",\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":5}",
        "[1]",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(classify(bad[i], &m, &o), MCP_E_INVALID_REQUEST);
        json_object_put(o);
    }
}

static void test_ids_at_clamp_points_are_refused(void **state)
{
    (void)state;
    struct rpc_msg m;
    json_object *o;
    const char *bad[] = {
        "{\"jsonrpc\":\"2.0\",\"id\":99999999999999999999,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":-9223372036854775809,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"ping\\u0000x\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(classify(bad[i], &m, &o), MCP_E_INVALID_REQUEST);
        json_object_put(o);
    }
    assert_int_equal(
        classify("{\"jsonrpc\":\"2.0\",\"id\":9223372036854775806,\"method\":\"p\"}", &m, &o),
        MCP_OK);
    json_object_put(o);
}

static void test_messages_stay_valid_utf8(void **state)
{
    (void)state;
    struct rpc_fail f = {{0}, NULL};
    char name[300];
    memset(name, 'a', 254);
    strcpy(name + 254, "\xc3\xa9"); /* the 2-byte character straddles the 256-byte buffer */
    rpc_fail_set(&f, MCP_E_METHOD_NOT_FOUND, "%s", name);
    assert_int_equal(strlen(f.message), 255);
    assert_int_equal(f.message[254], '?');
    char s[] = "ok \xff \xc3\xa9 \xe2\x82";
    rpc_utf8_sanitize(s);
    assert_string_equal(s, "ok ? \xc3\xa9 ??");
}

static void test_response_shapes(void **state)
{
    (void)state;
    json_object *id = json_object_new_string("a");
    json_object *r = rpc_result_new(id, NULL);
    assert_string_equal(
        json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
        "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":{}}");
    json_object_put(r);
    r = rpc_error_new(NULL, MCP_E_PARSE, NULL, NULL);
    assert_string_equal(
        json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":"
        "\"Parse error: the body is not valid JSON.\"}}");
    json_object_put(r);
    struct rpc_fail f = {{0}, json_object_new_object()};
    assert_int_equal(rpc_fail_set(&f, MCP_E_INVALID_PARAMS, "bad %s", "cursor"),
                     MCP_E_INVALID_PARAMS);
    r = rpc_error_from_fail(id, MCP_E_INVALID_PARAMS, &f);
    assert_null(f.data);
    assert_string_equal(
        json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
        "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"error\":{\"code\":-32602,"
        "\"message\":\"bad cursor\",\"data\":{}}}");
    json_object_put(r);
    rpc_fail_clear(&f);
    json_object_put(id);
    r = rpc_notification_new("notifications/x", NULL);
    assert_string_equal(
        json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}");
    json_object_put(r);
}

static void test_error_table_is_complete(void **state)
{
    (void)state;
    for (int e = 0; e < MCP_E__COUNT; e++) {
        const struct mcp_err_info *i = mcp_err_info((enum mcp_err)e);
        assert_non_null(i->name);
        assert_true(i->http_status >= 200 && i->http_status < 600);
        assert_true(e == MCP_OK || i->rpc_code < 0);
    }
    assert_int_equal(mcp_err_info((enum mcp_err)999)->rpc_code, -32603);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_accepts_one_value_with_trailing_space),
        cmocka_unit_test(test_parse_rejects_garbage_truncation_and_trailing_data),
        cmocka_unit_test(test_parse_enforces_depth),
        cmocka_unit_test(test_classify_kinds),
        cmocka_unit_test(test_classify_invalid_keeps_readable_id),
        cmocka_unit_test(test_ids_at_clamp_points_are_refused),
        cmocka_unit_test(test_messages_stay_valid_utf8),
        cmocka_unit_test(test_response_shapes),
        cmocka_unit_test(test_error_table_is_complete),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("rpc", tests, NULL, NULL);
}
