/* test_http.c - the worker's HTTP edge: request parsing, Accept/Content-Type, Host/Origin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "http.h"

static void test_accept_lists(void **state)
{
    (void)state;
    assert_true(http_accepts("application/json, text/event-stream", "application/json"));
    assert_true(http_accepts("text/event-stream,application/json", "text/event-stream"));
    assert_true(http_accepts(" Application/JSON ;q=0.5 , x/y", "application/json"));
    assert_false(http_accepts("application/json;q=0, text/event-stream", "application/json"));
    assert_false(http_accepts("application/json;q=0.000", "application/json"));
    assert_true(http_accepts("application/json;q=0.001", "application/json"));
    assert_false(http_accepts("*/*", "application/json"));
    assert_false(http_accepts("application/jsonx", "application/json"));
    assert_false(http_accepts(NULL, "application/json"));
    assert_false(http_accepts("", "application/json"));
}

static void test_content_type(void **state)
{
    (void)state;
    assert_true(http_content_type_is("application/json", "application/json"));
    assert_true(http_content_type_is("application/json; charset=UTF-8", "application/json"));
    assert_true(http_content_type_is("application/json;charset=\"utf-8\"", "application/json"));
    assert_false(http_content_type_is("application/json; charset=latin1", "application/json"));
    assert_false(http_content_type_is("text/plain", "application/json"));
    assert_false(http_content_type_is(NULL, "application/json"));
}

static struct mcp_cfg cfg;

static int setup(void **state)
{
    (void)state;
    cfg_defaults(&cfg);
    return 0;
}

static enum mcp_err host(const char *h, const char *addr)
{
    struct http_req r;
    memset(&r, 0, sizeof(r));
    r.host = h;
    r.server_addr = addr;
    return http_check_host(&cfg, &r);
}

static void test_host_on_loopback(void **state)
{
    (void)state;
    assert_int_equal(host("localhost:8080", "127.0.0.1"), MCP_OK);
    assert_int_equal(host("127.0.0.5", "127.0.0.1"), MCP_OK);
    assert_int_equal(host("[::1]:80", "::1"), MCP_OK);
    assert_int_equal(host("LOCALHOST", "127.0.0.1"), MCP_OK);
    assert_int_equal(host("evil.example.com", "127.0.0.1"), MCP_E_FORBIDDEN_HOST);
    assert_int_equal(host("evil.example.com:8080", "::ffff:127.0.0.1"), MCP_E_FORBIDDEN_HOST);
    assert_int_equal(host(NULL, "127.0.0.1"), MCP_E_FORBIDDEN_HOST);
    assert_int_equal(host("[::1", "127.0.0.1"), MCP_E_FORBIDDEN_HOST);
    /* a public deployment: the web server's vhosts decide */
    assert_int_equal(host("mcp.example.com", "192.0.2.10"), MCP_OK);
}

static void test_host_allow_list(void **state)
{
    (void)state;
    cfg.n_allowed_hosts = 2;
    strcpy(cfg.allowed_hosts[0], "mcp.example.com");
    strcpy(cfg.allowed_hosts[1], "localhost:9000");
    assert_int_equal(host("mcp.example.com:443", "192.0.2.10"), MCP_OK);
    assert_int_equal(host("localhost:9000", "127.0.0.1"), MCP_OK);
    assert_int_equal(host("localhost:9001", "127.0.0.1"), MCP_E_FORBIDDEN_HOST);
    assert_int_equal(host("other.example.com", "192.0.2.10"), MCP_E_FORBIDDEN_HOST);
    cfg.n_allowed_hosts = 0;
}

static enum mcp_err origin(const char *o, const char *h)
{
    struct http_req r;
    memset(&r, 0, sizeof(r));
    r.origin = o;
    r.host = h;
    return http_check_origin(&cfg, &r);
}

static void test_origin_same_host_default(void **state)
{
    (void)state;
    assert_int_equal(origin(NULL, "x"), MCP_OK);
    assert_int_equal(origin("http://127.0.0.1:8080", "127.0.0.1:8080"), MCP_OK);
    assert_int_equal(origin("http://LOCALHOST:8080", "localhost:8080"), MCP_OK);
    assert_int_equal(origin("https://mcp.example.com", "mcp.example.com:443"), MCP_OK);
    assert_int_equal(origin("http://mcp.example.com", "mcp.example.com"), MCP_OK);
    assert_int_equal(origin("http://evil.example.com", "127.0.0.1:8080"), MCP_E_FORBIDDEN_ORIGIN);
    assert_int_equal(origin("http://127.0.0.1:1", "127.0.0.1:8080"), MCP_E_FORBIDDEN_ORIGIN);
    assert_int_equal(origin("https://mcp.example.com", "mcp.example.com:80"),
                     MCP_E_FORBIDDEN_ORIGIN);
    assert_int_equal(origin("null", "127.0.0.1"), MCP_E_FORBIDDEN_ORIGIN);
    assert_int_equal(origin("http://127.0.0.1:8080/x", "127.0.0.1:8080"), MCP_E_FORBIDDEN_ORIGIN);
    assert_int_equal(origin("http://[::1]:8080", "[::1]:8080"), MCP_OK);
}

static void test_origin_allow_list(void **state)
{
    (void)state;
    cfg.n_allowed_origins = 1;
    strcpy(cfg.allowed_origins[0], "https://app.example.com");
    assert_int_equal(origin("https://app.example.com", "mcp.example.com"), MCP_OK);
    assert_int_equal(origin("https://mcp.example.com", "mcp.example.com"), MCP_E_FORBIDDEN_ORIGIN);
    strcpy(cfg.allowed_origins[0], "*");
    assert_int_equal(origin("https://anything.example", "mcp.example.com"), MCP_OK);
    cfg.n_allowed_origins = 0;
}

static void test_request_parse(void **state)
{
    (void)state;
    char *env[] = {"REQUEST_METHOD=POST", "REQUEST_URI=/api/mcp?x=1",
                   "CONTENT_LENGTH=42",   "HTTP_MCP_SESSION_ID=abc",
                   "REMOTE_USER=",        NULL};
    struct http_req r;
    assert_int_equal(http_req_parse(&r, env), MCP_OK);
    assert_string_equal(r.method, "POST");
    assert_string_equal(r.path, "/api/mcp");
    assert_int_equal(r.content_length, 42);
    assert_string_equal(r.session_id, "abc");
    assert_null(r.remote_user);
    char *bad_len[] = {"REQUEST_METHOD=POST", "CONTENT_LENGTH=4x", NULL};
    assert_int_equal(http_req_parse(&r, bad_len), MCP_E_BAD_REQUEST);
    static char user[HTTP_PRINCIPAL_MAX + 32] = "REMOTE_USER=";
    memset(user + 12, 'u', HTTP_PRINCIPAL_MAX + 1);
    char *long_user[] = {"REQUEST_METHOD=POST", user, NULL};
    assert_int_equal(http_req_parse(&r, long_user), MCP_E_BAD_REQUEST);
    char *no_method[] = {"REQUEST_URI=/mcp", NULL};
    assert_int_equal(http_req_parse(&r, no_method), MCP_E_BAD_REQUEST);
    static char big[HTTP_VALUE_MAX + 64] = "HTTP_ORIGIN=";
    memset(big + 12, 'a', HTTP_VALUE_MAX + 1);
    char *too_long[] = {"REQUEST_METHOD=POST", big, NULL};
    assert_int_equal(http_req_parse(&r, too_long), MCP_E_BAD_REQUEST);
}

static void test_session_id_shape(void **state)
{
    (void)state;
    assert_true(http_session_id_valid("0123abcdef"));
    assert_false(http_session_id_valid(""));
    assert_false(http_session_id_valid("a b"));
    assert_false(http_session_id_valid("a\x7f"));
    char long_id[HTTP_SESSION_ID_MAX + 2];
    memset(long_id, 'a', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    assert_false(http_session_id_valid(long_id));
}

static void test_render(void **state)
{
    (void)state;
    struct http_resp resp;
    http_resp_init(&resp);
    resp.status = 202;
    size_t len;
    char *out = http_resp_render(&resp, &len);
    assert_int_equal(len, strlen("Status: 202 Accepted\r\nContent-Length: 0\r\n\r\n"));
    assert_memory_equal(out, "Status: 202 Accepted\r\nContent-Length: 0\r\n\r\n", len);
    free(out);
    resp.status = 200;
    strcpy(resp.session_id, "s1");
    resp.body = json_object_new_object();
    out = http_resp_render(&resp, &len);
    const char *want = "Status: 200 OK\r\nMcp-Session-Id: s1\r\nContent-Type: application/json\r\n"
                       "Content-Length: 3\r\nCache-Control: no-store\r\n\r\n{}\n";
    assert_int_equal(len, strlen(want));
    assert_memory_equal(out, want, len);
    free(out);
    http_resp_clear(&resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accept_lists),
        cmocka_unit_test(test_content_type),
        cmocka_unit_test_setup(test_host_on_loopback, setup),
        cmocka_unit_test_setup(test_host_allow_list, setup),
        cmocka_unit_test_setup(test_origin_same_host_default, setup),
        cmocka_unit_test_setup(test_origin_allow_list, setup),
        cmocka_unit_test(test_request_parse),
        cmocka_unit_test(test_session_id_shape),
        cmocka_unit_test(test_render),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
