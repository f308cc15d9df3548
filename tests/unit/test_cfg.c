/* test_cfg.c - configuration loading: defaults, overrides, and errors naming file/line/setting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cfg.h"

#define KEY32 "0123456789abcdef0123456789abcdef"

static char path[64];
static char tdir[64]; /* a fresh directory per test, removed afterwards */

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

static int tdir_setup(void **state)
{
    (void)state;
    snprintf(tdir, sizeof(tdir), "/tmp/test_cfg_dir.XXXXXX");
    return mkdtemp(tdir) != NULL ? 0 : -1;
}

static int tdir_teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes n bytes to tdir/name with mode; returns the full path (static buffer). */
static const char *put_file(const char *name, const void *bytes, size_t n, mode_t mode)
{
    static char full[128];
    snprintf(full, sizeof(full), "%s/%s", tdir, name);
    FILE *fp = fopen(full, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(bytes, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(chmod(full, mode), 0);
    return full;
}

static void test_defaults_and_values(void **state)
{
    (void)state;
    struct mcp_cfg cfg;
    char err[CFG_ERR_LEN];
    assert_int_equal(load_text(&cfg, "server: { state_key = \"" KEY32 "\"; };\n", NULL, err),
                     MCP_OK);
    assert_string_equal(cfg.runtime_dir, "/run/mcp");
    assert_string_equal(cfg.sessiond_socket, "/run/mcp/sessiond.sock");
    assert_int_equal(cfg.max_body, 4u * 1024 * 1024);
    assert_int_equal(cfg.session_idle_timeout, 3600);
    assert_int_equal(cfg.sets, 0);
    assert_int_equal(cfg.state_ttl_s, 600);
    assert_int_equal(load_text(&cfg,
                               "runtime_dir = \"/srv/mcp\";\n"
                               "server: { sets = [\"conformance\"]; page_size = 7;\n"
                               "          state_key = \"" KEY32 "\"; };\n"
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
    char want[128];
    assert_int_equal(load_text(&cfg, "runtime_dir = \"/x\";\n", tdir, err), MCP_OK);
    snprintf(want, sizeof(want), "%s/sessiond.sock", tdir);
    assert_string_equal(cfg.sessiond_socket, want);
    snprintf(want, sizeof(want), "%s/state.key", tdir); /* the default key is there too */
    assert_string_equal(cfg.state_key_file, want);
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
                               "server: { state_key = \"" KEY32 "\";\n"
                               "          state_ttl_s = 10; };\n",
                               NULL, err),
                     MCP_OK);
    assert_int_equal(cfg.state_key_len, 32);
    assert_memory_equal(cfg.state_key, KEY32, 32);
    assert_string_equal(cfg.state_key_file, "");
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

/* "[server]\n state_key_file = \"name\";" with tdir as runtime_dir: line 2 names the file. */
static enum mcp_err load_key_file(struct mcp_cfg *cfg, const char *name, char *err)
{
    char text[256];
    snprintf(text, sizeof(text), "server: {\n state_key_file = \"%s\"; };\n", name);
    return load_text(cfg, text, tdir, err);
}

/* err is "<conf>:<line>: <rest...>" with want in rest. */
static void assert_err(const char *err, int line, const char *want)
{
    char head[128];
    snprintf(head, sizeof(head), "%s:%d: server.state_key_file: ", path, line);
    if (strncmp(err, head, strlen(head)) != 0 || strstr(err, want) == NULL)
        fail_msg("got \"%s\", want \"%s...%s...\"", err, head, want);
}

static void state_key_wins_over_state_key_file(void **state)
{
    struct mcp_cfg cfg;
    char err[CFG_ERR_LEN];
    (void)state;

    assert_int_equal(load_text(&cfg,
                               "server: { state_key = \"" KEY32 "\";\n"
                               " state_key_file = \"/nonexistent/key\"; };\n",
                               tdir, err),
                     MCP_OK);
    assert_int_equal(cfg.state_key_len, 32);
    assert_memory_equal(cfg.state_key, KEY32, 32);
    assert_string_equal(cfg.state_key_file, "");
    /* and nothing was made in runtime_dir */
    char def[128];
    snprintf(def, sizeof(def), "%s/state.key", tdir);
    assert_int_equal(access(def, F_OK), -1);
}

static void state_key_file_is_read_whole(void **state)
{
    unsigned char bytes[40];
    struct mcp_cfg cfg;
    char err[CFG_ERR_LEN], want[128];
    (void)state;

    for (size_t i = 0; i < sizeof(bytes); i++)
        bytes[i] = (unsigned char)(i * 37); /* a NUL and a newline among them */
    const char *full = put_file("k1", bytes, sizeof(bytes), 0600);
    snprintf(want, sizeof(want), "%s", full);
    /* relative to runtime_dir */
    assert_int_equal(load_key_file(&cfg, "k1", err), MCP_OK);
    assert_int_equal(cfg.state_key_len, sizeof(bytes));
    assert_memory_equal(cfg.state_key, bytes, sizeof(bytes));
    assert_string_equal(cfg.state_key_file, want);
    /* absolute */
    assert_int_equal(load_key_file(&cfg, want, err), MCP_OK);
    assert_memory_equal(cfg.state_key, bytes, sizeof(bytes));
    /* CFG_KEY_MIN and CFG_KEY_MAX bytes are both fine */
    unsigned char big[CFG_KEY_MAX + 1];
    memset(big, 'k', sizeof(big));
    put_file("k32", big, CFG_KEY_MIN, 0600);
    assert_int_equal(load_key_file(&cfg, "k32", err), MCP_OK);
    assert_int_equal(cfg.state_key_len, CFG_KEY_MIN);
    put_file("k256", big, CFG_KEY_MAX, 0600);
    assert_int_equal(load_key_file(&cfg, "k256", err), MCP_OK);
    assert_int_equal(cfg.state_key_len, CFG_KEY_MAX);
}

static void bad_state_key_files_are_errors(void **state)
{
    unsigned char big[CFG_KEY_MAX + 1];
    struct mcp_cfg cfg;
    char err[CFG_ERR_LEN];
    (void)state;

    assert_int_equal(load_key_file(&cfg, "missing.key", err), MCP_E_CONFIG);
    assert_err(err, 2, "/missing.key does not exist");
    put_file("short", "secret-but-short-0123456789abcd", 31, 0600);
    assert_int_equal(load_key_file(&cfg, "short", err), MCP_E_CONFIG);
    assert_err(err, 2, "/short holds 31 bytes; a key has 32 to 256");
    assert_null(strstr(err, "secret")); /* never the key's bytes */
    put_file("empty", "", 0, 0600);
    assert_int_equal(load_key_file(&cfg, "empty", err), MCP_E_CONFIG);
    assert_err(err, 2, "/empty holds 0 bytes");
    memset(big, 'k', sizeof(big));
    put_file("long", big, sizeof(big), 0600);
    assert_int_equal(load_key_file(&cfg, "long", err), MCP_E_CONFIG);
    assert_err(err, 2, "/long holds more than 256 bytes");
    assert_int_equal(load_key_file(&cfg, "/", err), MCP_E_CONFIG);
    assert_err(err, 2, "/ is not a regular file");
    assert_int_equal(load_key_file(&cfg, "", err), MCP_E_CONFIG);
    if (geteuid() != 0) { /* root reads anything */
        put_file("locked", big, 64, 0000);
        assert_int_equal(load_key_file(&cfg, "locked", err), MCP_E_CONFIG);
        assert_err(err, 2, "cannot read ");
        assert_non_null(strstr(err, "/locked: Permission denied"));
    }
}

/* Leftover temporary files in tdir (there must be none). */
static int temp_files(void)
{
    DIR *d = opendir(tdir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        n += strncmp(e->d_name, ".state.key.", 11) == 0;
    closedir(d);
    return n;
}

static void the_default_key_file_is_made_once_and_reused(void **state)
{
    struct mcp_cfg a, b;
    char err[CFG_ERR_LEN], def[128];
    unsigned char disk[64];
    struct stat st, st2;
    (void)state;

    snprintf(def, sizeof(def), "%s/state.key", tdir);
    assert_int_equal(load_text(&a, "server: { sets = [\"conformance\"]; };\n", tdir, err), MCP_OK);
    assert_string_equal(a.state_key_file, def);
    assert_int_equal(a.state_key_len, CFG_KEY_MIN);
    assert_int_equal(stat(def, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_size, CFG_KEY_MIN);
    FILE *fp = fopen(def, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(disk, 1, sizeof(disk), fp), CFG_KEY_MIN);
    fclose(fp);
    assert_memory_equal(a.state_key, disk, CFG_KEY_MIN);
    assert_int_equal(temp_files(), 0);
    /* a second load (a reload, the other program) reads the same file */
    assert_int_equal(load_text(&b, "", tdir, err), MCP_OK);
    assert_int_equal(b.state_key_len, CFG_KEY_MIN);
    assert_memory_equal(a.state_key, b.state_key, CFG_KEY_MIN);
    assert_int_equal(stat(def, &st2), 0);
    assert_int_equal(st.st_ino, st2.st_ino);
    /* another runtime_dir, missing yet: created (mode 0750) with another key */
    char other[128];
    snprintf(other, sizeof(other), "%s/other", tdir);
    assert_int_equal(load_text(&b, "", other, err), MCP_OK);
    assert_memory_not_equal(a.state_key, b.state_key, CFG_KEY_MIN);
    assert_int_equal(stat(other, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777 & ~0750, 0);
}

/* Processes loading at the same time into an empty runtime_dir all get the same key. */
static void concurrent_loads_agree_on_the_default_key(void **state)
{
    enum { N = 8 };
    unsigned char keys[N][CFG_KEY_MIN], first[CFG_KEY_MIN];
    int go[2], out[N][2];
    pid_t pids[N];
    char conf[128];
    (void)state;

    snprintf(conf, sizeof(conf), "%s/c.conf", tdir);
    put_file("c.conf", "", 0, 0600);
    assert_int_equal(pipe(go), 0);
    for (int i = 0; i < N; i++) {
        assert_int_equal(pipe(out[i]), 0);
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            static struct mcp_cfg c;
            char e[CFG_ERR_LEN], x;
            close(go[1]);
            (void)!read(go[0], &x, 1); /* all start when the parent closes the pipe */
            if (cfg_load(&c, conf, tdir, e, sizeof(e)) != MCP_OK || c.state_key_len != CFG_KEY_MIN)
                _exit(1);
            _exit(write(out[i][1], c.state_key, CFG_KEY_MIN) == CFG_KEY_MIN ? 0 : 1);
        }
        close(out[i][1]);
    }
    close(go[0]);
    close(go[1]);
    for (int i = 0; i < N; i++) {
        int st;
        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        assert_int_equal(read(out[i][0], keys[i], CFG_KEY_MIN), CFG_KEY_MIN);
        close(out[i][0]);
    }
    memcpy(first, keys[0], CFG_KEY_MIN);
    for (int i = 1; i < N; i++)
        assert_memory_equal(keys[i], first, CFG_KEY_MIN);
    assert_int_equal(temp_files(), 0);
}

static void a_bad_default_key_file_is_an_error(void **state)
{
    struct mcp_cfg cfg;
    char err[CFG_ERR_LEN], want[160], text[160];
    (void)state;

    put_file("state.key", "shortkey", 8, 0600);
    assert_int_equal(load_text(&cfg, "", tdir, err), MCP_E_CONFIG);
    snprintf(want, sizeof(want), "%s:0: server.state_key_file: ", path);
    assert_true(strncmp(err, want, strlen(want)) == 0);
    snprintf(want, sizeof(want), "%s/state.key holds 8 bytes", tdir);
    assert_non_null(strstr(err, want));
    assert_null(strstr(err, "shortkey"));
    /* left as it was, not replaced */
    struct stat st;
    snprintf(want, sizeof(want), "%s/state.key", tdir);
    assert_int_equal(stat(want, &st), 0);
    assert_int_equal(st.st_size, 8);
    /* a runtime_dir named in the file gives the line */
    snprintf(text, sizeof(text), "\nruntime_dir = \"%s\";\n", tdir);
    assert_int_equal(load_text(&cfg, text, NULL, err), MCP_E_CONFIG);
    snprintf(want, sizeof(want), "%s:2: server.state_key_file: ", path);
    assert_true(strncmp(err, want, strlen(want)) == 0);
    /* a runtime_dir that cannot be created */
    assert_int_equal(load_text(&cfg, "", "/nonexistent/mcp-run", err), MCP_E_CONFIG);
    assert_non_null(strstr(err, "cannot create /nonexistent/mcp-run/state.key"));
    if (geteuid() != 0) {
        char key[128];
        snprintf(key, sizeof(key), "%s/state.key", tdir);
        assert_int_equal(chmod(key, 0), 0);
        assert_int_equal(load_text(&cfg, "", tdir, err), MCP_E_CONFIG);
        assert_non_null(strstr(err, "Permission denied"));
    }
}

#define T(name) cmocka_unit_test_setup_teardown(name, tdir_setup, tdir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_defaults_and_values),
        T(test_runtime_dir_override),
        T(test_state_key_and_ttl),
        T(test_errors_name_file_line_setting),
        T(test_missing_file),
        T(state_key_wins_over_state_key_file),
        T(state_key_file_is_read_whole),
        T(bad_state_key_files_are_errors),
        T(the_default_key_file_is_made_once_and_reused),
        T(concurrent_loads_agree_on_the_default_key),
        T(a_bad_default_key_file_is_an_error),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("cfg", tests, NULL, NULL);
}
