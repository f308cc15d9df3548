/* test_cfg.c - configuration loading: defaults, overrides, and errors naming file/line/setting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cfg.h"

static char path[64];

static enum mcp_err load_text(struct mcp_cfg *cfg, const char *text, const char *rundir, char *err)
{
    strcpy(path, "/tmp/test_cfg.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    enum mcp_err rc = cfg_load(cfg, path, rundir, err, CFG_ERR_LEN);
    unlink(path);
    return rc;
}

static void test_defaults_and_values(void **state)
{
    (void)state;
    struct mcp_cfg cfg;
    char err[CFG_ERR_LEN];
    assert_int_equal(load_text(&cfg, "", NULL, err), MCP_OK);
    assert_string_equal(cfg.sessiond_socket, "/run/mcp/sessiond.sock");
    assert_int_equal(cfg.max_body, 4u * 1024 * 1024);
    assert_int_equal(cfg.session_idle_timeout, 3600);
    assert_int_equal(cfg.sets, 0);
    assert_string_equal(cfg.state_key, "");
    assert_int_equal(cfg.state_ttl_s, 600);
    assert_int_equal(load_text(&cfg,
                               "runtime_dir = \"/srv/mcp\";\n"
                               "server: { sets = [\"conformance\"]; page_size = 7; };\n"
                               "http: { allowed_origins = [\"https://a.example\", \"*\"]; "
                               "max_body = 2048; };\n"
                               "sessiond: { socket = \"/abs/s.sock\"; };\n",
                               NULL, err),
                     MCP_OK);
    assert_int_equal(cfg.sets, CFG_SET_CONFORMANCE);
    assert_int_equal(cfg.page_size, 7);
    assert_int_equal(cfg.n_allowed_origins, 2);
    assert_string_equal(cfg.allowed_origins[1], "*");
    assert_int_equal(cfg.max_body, 2048);
    assert_string_equal(cfg.sessiond_socket, "/abs/s.sock");
}

static void test_runtime_dir_override(void **state)
{
    (void)state;
    struct mcp_cfg cfg;
    char err[CFG_ERR_LEN];
    assert_int_equal(load_text(&cfg, "runtime_dir = \"/x\";\n", "/tmp/rd", err), MCP_OK);
    assert_string_equal(cfg.sessiond_socket, "/tmp/rd/sessiond.sock");
}

static void expect_error(const char *text, const char *want)
{
    struct mcp_cfg cfg;
    char err[CFG_ERR_LEN];
    assert_int_equal(load_text(&cfg, text, NULL, err), MCP_E_CONFIG);
    char full[CFG_ERR_LEN + 64];
    snprintf(full, sizeof(full), "%s:%s", path, want);
    if (strncmp(err, full, strlen(full)) != 0)
        fail_msg("got \"%s\", want prefix \"%s\"", err, full);
}

static void test_errors_name_file_line_setting(void **state)
{
    (void)state;
    expect_error("\nserver: { page_size = 0; };\n", "2: server.page_size: 0 is out of range");
    expect_error("sessions: {\n max = \"x\"; };\n", "2: sessions.max: must be an integer");
    expect_error("http: {\n\n nope = 1; };\n", "3: http.nope: unknown setting");
    expect_error("server: { sets = [\"toys\"]; };\n", "1: server.sets: unknown set \"toys\"");
    expect_error("server: { name = \"\"; };\n", "1: server.name: must not be empty");
    expect_error("x = ;\n", "1: ");
    expect_error("http = 1;\n", "1: http: must be a group");
    expect_error(
        "\nsessiond: { socket = \"/run/"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/s.sock\"; };\n",
        "2: sessiond.socket: the path");
    expect_error(
        "runtime_dir = \"/tmp/"
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\";\n",
        "1: sessiond.socket: the path");
}

static void test_missing_file(void **state)
{
    (void)state;
    struct mcp_cfg cfg;
    char err[CFG_ERR_LEN];
    assert_int_equal(cfg_load(&cfg, "/nonexistent/mcp.conf", NULL, err, sizeof(err)), MCP_E_CONFIG);
    assert_string_equal(err, "/nonexistent/mcp.conf: cannot read the file");
}

static void test_state_key_and_ttl(void **state)
{
    (void)state;
    struct mcp_cfg cfg;
    char err[CFG_ERR_LEN];
    assert_int_equal(load_text(&cfg,
                               "server: { state_key = \"0123456789abcdef0123456789abcdef\";\n"
                               "          state_ttl_s = 10; };\n",
                               NULL, err),
                     MCP_OK);
    assert_string_equal(cfg.state_key, "0123456789abcdef0123456789abcdef");
    assert_int_equal(cfg.state_ttl_s, 10);
    expect_error("server: {\n state_key = \"0123456789abcdef0123456789abcde\"; };\n",
                 "2: server.state_key: must be at least 32 bytes long");
    expect_error("server: { state_key = 32; };\n", "1: server.state_key: must be a string");
    expect_error("server: { state_ttl_s = 9; };\n",
                 "1: server.state_ttl_s: 9 is out of range (10 to 86400)");
    expect_error("server: { state_ttl_s = 86401; };\n", "1: server.state_ttl_s: 86401 is out");
    /* the error never shows the key */
    assert_int_equal(load_text(&cfg, "server: { state_key = \"secret-but-short\"; };\n", NULL, err),
                     MCP_E_CONFIG);
    assert_null(strstr(err, "secret"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_values),
        cmocka_unit_test(test_runtime_dir_override),
        cmocka_unit_test(test_state_key_and_ttl),
        cmocka_unit_test(test_errors_name_file_line_setting),
        cmocka_unit_test(test_missing_file),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("cfg", tests, NULL, NULL);
}
