/*
 * test_sessc.c - the worker's sessiond client against the real daemon.
 *
 * Starts "$MCP_BUILD/mcp-sessiond" (MCP_BUILD defaults to "build") with a temporary
 * configuration and runtime directory under /tmp, then drives it through sessc: sessions,
 * principals, limits, expiry, reload, protocol errors, a stalled and a killed daemon, and a
 * clean stop. The daemon's log is echoed as TAP comments at the end. Every child started
 * here is killed by its pid and every temporary file removed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon_test.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "ipc.h"
#include "sessc.h"

#define TIMEOUT_MS 300 /* sessiond.timeout_ms of the test configuration */

struct fx {
    char dir[64];        /* the temporary directory */
    char conf[128];      /* its configuration file */
    char log[128];       /* the daemons' stderr */
    char bin[PATH_MAX];  /* mcp-sessiond */
    pid_t pid;           /* the running daemon, 0 when none */
    struct mcp_cfg *cfg; /* loaded from conf, borrowed by sc */
    struct sessc *sc;
};

static int write_conf(const struct fx *f, int max, int idle, const char *extra)
{
    FILE *fp = fopen(f->conf, "w");

    if (fp == NULL)
        return -1;
    fprintf(fp,
            "runtime_dir = \"%s/run\";\n"
            "sessions: { idle_timeout = %d; max = %d; };\n"
            "sessiond: { timeout_ms = %d; };\n%s",
            f->dir, idle, max, TIMEOUT_MS, extra);
    return fclose(fp);
}

/* Waits until the daemon answers a status call (its own sessc, so f->sc is untouched). */
static int wait_ready(struct fx *f)
{
    struct sessc *probe = sessc_new(f->cfg);
    int64_t deadline = now_ms() + 10000;
    int rc = -1;

    while (now_ms() < deadline) {
        json_object *st = NULL;
        if (sessc_status(probe, &st) == MCP_OK) {
            json_object_put(st);
            rc = 0;
            break;
        }
        int ws;
        if (waitpid(f->pid, &ws, WNOHANG) == f->pid) {
            f->pid = 0;
            break;
        }
        sleep_ms(20);
    }
    sessc_free(probe);
    return rc;
}

static int start_daemon(struct fx *f)
{
    const char *args[] = {"-c", f->conf, NULL};

    f->pid = daemon_spawn(f->bin, f->log, args);
    return f->pid > 0 ? wait_ready(f) : -1;
}

static int group_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char err[CFG_ERR_LEN];
    const char *build = getenv("MCP_BUILD");

    if (f == NULL)
        return -1;
    *state = f;
    snprintf(f->dir, sizeof(f->dir), "/tmp/mcp-sessc-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->conf, sizeof(f->conf), "%s/mcp.conf", f->dir);
    snprintf(f->log, sizeof(f->log), "%s/sessiond.log", f->dir);
    snprintf(f->bin, sizeof(f->bin), "%s/mcp-sessiond", build && build[0] ? build : "build");
    if (access(f->bin, X_OK) != 0) {
        printf("# %s: not built\n", f->bin);
        return -1;
    }
    f->cfg = malloc(sizeof(*f->cfg));
    if (f->cfg == NULL || write_conf(f, 3, 1, "") != 0 ||
        cfg_load(f->cfg, f->conf, NULL, err, sizeof(err)) != MCP_OK) {
        printf("# config: %s\n", err);
        return -1;
    }
    f->sc = sessc_new(f->cfg);
    if (start_daemon(f) != 0) {
        daemon_dump_log(f->log);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    struct fx *f = *state;

    if (f == NULL)
        return 0;
    if (f->pid > 0) {
        kill(f->pid, SIGKILL);
        waitpid(f->pid, NULL, 0);
    }
    sessc_free(f->sc);
    daemon_dump_log(f->log);
    if (f->dir[0] != '\0')
        daemon_rm_tree(f->dir);
    free(f->cfg);
    free(f);
    return 0;
}

static const char *str_member(json_object *o, const char *name)
{
    json_object *v;

    assert_true(json_object_object_get_ex(o, name, &v));
    assert_true(json_object_is_type(v, json_type_string));
    return json_object_get_string(v);
}

static int64_t int_member(json_object *o, const char *name)
{
    json_object *v;

    assert_true(json_object_object_get_ex(o, name, &v));
    assert_true(json_object_is_type(v, json_type_int));
    return json_object_get_int64(v);
}

/* Creates a session for principal; copies its id into id. */
static void create(struct fx *f, const char *principal, char id[IPC_SESSION_ID_LEN + 1])
{
    json_object *s = NULL;

    assert_int_equal(sessc_create(f->sc, principal, "2025-06-18", NULL, NULL, &s), MCP_OK);
    memcpy(id, str_member(s, "id"), IPC_SESSION_ID_LEN + 1);
    json_object_put(s);
}

static int64_t held(struct fx *f)
{
    json_object *st = NULL;

    assert_int_equal(sessc_status(f->sc, &st), MCP_OK);
    int64_t n = int_member(st, "sessions");
    json_object_put(st);
    return n;
}

static void test_lifecycle(void **state)
{
    struct fx *f = *state;
    json_object *caps = json_tokener_parse("{\"roots\":{\"listChanged\":true},\"sampling\":{}}");
    json_object *info = json_tokener_parse("{\"name\":\"test-client\",\"version\":\"1.0\"}");
    json_object *s = NULL, *g = NULL, *u = NULL, *v;
    char id[IPC_SESSION_ID_LEN + 1];

    assert_int_equal(sessc_create(f->sc, "alice", "2025-06-18", caps, info, &s), MCP_OK);
    assert_int_equal(json_object_object_length(s), 11);
    memcpy(id, str_member(s, "id"), sizeof(id));
    assert_true(ipc_session_id_valid(id));
    assert_string_equal(str_member(s, "principal"), "alice");
    assert_string_equal(str_member(s, "version"), "2025-06-18");
    assert_string_equal(str_member(s, "log_level"), "");
    assert_true(json_object_object_get_ex(s, "client_capabilities", &v));
    assert_true(json_object_equal(v, caps));
    assert_true(json_object_object_get_ex(s, "client_info", &v));
    assert_true(json_object_equal(v, info));
    int64_t created = int_member(s, "created");
    assert_true(llabs(created - (int64_t)time(NULL)) <= 2);
    assert_true(llabs(int_member(s, "last_active") - created) <= 1);

    assert_int_equal(sessc_get(f->sc, id, "alice", &g), MCP_OK);
    assert_string_equal(str_member(g, "id"), id);
    assert_true(json_object_object_get_ex(g, "initialized", &v));
    assert_false(json_object_get_boolean(v));

    json_object *changes = json_tokener_parse(
        "{\"log_level\":\"warning\",\"initialized\":true,\"subscribe\":\"file:///docs/a.md\"}");
    assert_int_equal(sessc_update(f->sc, id, "alice", changes, &u), MCP_OK);
    json_object_put(changes);
    assert_string_equal(str_member(u, "log_level"), "warning");
    assert_true(json_object_object_get_ex(u, "initialized", &v));
    assert_true(json_object_get_boolean(v));
    assert_true(json_object_object_get_ex(u, "subscriptions", &v));
    assert_int_equal(json_object_array_length(v), 1);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)),
                        "file:///docs/a.md");
    json_object_put(u);

    /* session may be NULL. */
    changes = json_tokener_parse("{\"unsubscribe\":\"file:///docs/a.md\"}");
    assert_int_equal(sessc_update(f->sc, id, "alice", changes, NULL), MCP_OK);
    json_object_put(changes);

    assert_int_equal(sessc_delete(f->sc, id, "alice"), MCP_OK);
    json_object *gone = (json_object *)1;
    assert_int_equal(sessc_get(f->sc, id, "alice", &gone), MCP_E_SESSION_NOT_FOUND);
    assert_null(gone);
    assert_int_equal(sessc_delete(f->sc, id, "alice"), MCP_E_SESSION_NOT_FOUND);

    json_object_put(s);
    json_object_put(g);
    json_object_put(caps);
    json_object_put(info);
}

static void test_principal_mismatch(void **state)
{
    struct fx *f = *state;
    char alice[IPC_SESSION_ID_LEN + 1], anon[IPC_SESSION_ID_LEN + 1];
    json_object *s = NULL;
    json_object *changes = json_tokener_parse("{\"initialized\":true}");

    create(f, "alice", alice);
    create(f, "", anon);
    assert_int_equal(sessc_get(f->sc, alice, "bob", &s), MCP_E_SESSION_NOT_FOUND);
    assert_int_equal(sessc_get(f->sc, alice, "", &s), MCP_E_SESSION_NOT_FOUND);
    assert_int_equal(sessc_get(f->sc, anon, "alice", &s), MCP_E_SESSION_NOT_FOUND);
    assert_int_equal(sessc_update(f->sc, alice, "bob", changes, &s), MCP_E_SESSION_NOT_FOUND);
    assert_int_equal(sessc_delete(f->sc, alice, "bob"), MCP_E_SESSION_NOT_FOUND);
    /* The same answer as for an id that never existed, or a malformed one. */
    assert_int_equal(sessc_get(f->sc, "00000000000000000000000000000000", "alice", &s),
                     MCP_E_SESSION_NOT_FOUND);
    assert_int_equal(sessc_get(f->sc, "not-an-id", "alice", &s), MCP_E_SESSION_NOT_FOUND);
    assert_null(s);
    /* The owners still have them. */
    assert_int_equal(sessc_get(f->sc, anon, "", &s), MCP_OK);
    json_object_put(s);
    assert_int_equal(sessc_delete(f->sc, alice, "alice"), MCP_OK);
    assert_int_equal(sessc_delete(f->sc, anon, ""), MCP_OK);
    json_object_put(changes);
}

static void test_invalid_params(void **state)
{
    struct fx *f = *state;
    json_object *arr = json_object_new_array();
    json_object *s = NULL;
    char id[IPC_SESSION_ID_LEN + 1];

    assert_int_equal(sessc_create(f->sc, NULL, "2025-06-18", NULL, NULL, &s), MCP_E_INVALID_PARAMS);
    assert_int_equal(sessc_create(f->sc, "a", NULL, NULL, NULL, &s), MCP_E_INVALID_PARAMS);
    assert_int_equal(sessc_create(f->sc, "a", "", NULL, NULL, &s), MCP_E_INVALID_PARAMS);
    assert_int_equal(sessc_create(f->sc, "a", "v", arr, NULL, &s), MCP_E_INVALID_PARAMS);
    assert_null(s);

    /* Too large to frame: refused locally, the connection is unaffected. */
    char *big = malloc(IPC_MAX_PAYLOAD + 1);
    assert_non_null(big);
    memset(big, 'x', IPC_MAX_PAYLOAD);
    big[IPC_MAX_PAYLOAD] = '\0';
    json_object *info = json_object_new_object();
    json_object_object_add(info, "name", json_object_new_string(big));
    assert_int_equal(sessc_create(f->sc, "a", "v", NULL, info, &s), MCP_E_INVALID_PARAMS);
    json_object_put(info);
    free(big);

    create(f, "a", id);
    static const char *const bad[] = {"{\"log_level\":\"loud\"}", "{\"bogus\":true}",
                                      "{\"subscribe\":\"\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_object *c = json_tokener_parse(bad[i]);
        assert_int_equal(sessc_update(f->sc, id, "a", c, &s), MCP_E_INVALID_PARAMS);
        assert_null(s);
        json_object_put(c);
    }
    assert_int_equal(sessc_update(f->sc, id, "a", arr, &s), MCP_E_INVALID_PARAMS);
    assert_int_equal(sessc_update(f->sc, id, "a", NULL, &s), MCP_E_INVALID_PARAMS);
    assert_int_equal(sessc_delete(f->sc, id, "a"), MCP_OK);
    json_object_put(arr);
}

static void test_status_and_files(void **state)
{
    struct fx *f = *state;
    json_object *st = NULL;
    struct stat sb;
    char run[128];

    assert_int_equal(sessc_status(f->sc, &st), MCP_OK);
    assert_int_equal(int_member(st, "max_sessions"), 3);
    assert_int_equal(int_member(st, "idle_timeout_s"), 1);
    assert_int_equal(int_member(st, "pid"), f->pid);
    assert_true(int_member(st, "connections") >= 1);
    assert_true(int_member(st, "uptime_s") >= 0);
    assert_int_equal(int_member(st, "sessions"), 0);
    json_object_put(st);

    /* The runtime directory was created 0750, the socket is 0660. */
    snprintf(run, sizeof(run), "%s/run", f->dir);
    assert_int_equal(stat(run, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0750);
    assert_int_equal(stat(f->cfg->sessiond_socket, &sb), 0);
    assert_true(S_ISSOCK(sb.st_mode));
    assert_int_equal(sb.st_mode & 07777, 0660);
}

static void test_sessions_full(void **state)
{
    struct fx *f = *state;
    char ids[3][IPC_SESSION_ID_LEN + 1];
    json_object *s = NULL;

    for (int i = 0; i < 3; i++)
        create(f, "u", ids[i]);
    assert_int_equal(sessc_create(f->sc, "u", "2025-06-18", NULL, NULL, &s), MCP_E_SESSIONS_FULL);
    assert_null(s);
    assert_int_equal(sessc_delete(f->sc, ids[0], "u"), MCP_OK);
    create(f, "u", ids[0]);
    for (int i = 0; i < 3; i++)
        assert_int_equal(sessc_delete(f->sc, ids[i], "u"), MCP_OK);
}

static void test_idle_expiry_and_reaper(void **state)
{
    struct fx *f = *state;
    char a[IPC_SESSION_ID_LEN + 1], b[IPC_SESSION_ID_LEN + 1], c[IPC_SESSION_ID_LEN + 1];
    json_object *s = NULL;

    /* sessions.idle_timeout = 1: gone after 1.5 s idle, before any reaper matters. */
    create(f, "u", a);
    sleep_ms(600);
    assert_int_equal(sessc_get(f->sc, a, "u", &s), MCP_OK); /* activity renews it */
    json_object_put(s);
    sleep_ms(600);
    assert_int_equal(sessc_get(f->sc, a, "u", &s), MCP_OK);
    json_object_put(s);
    sleep_ms(1500);
    assert_int_equal(sessc_get(f->sc, a, "u", &s), MCP_E_SESSION_NOT_FOUND);

    /* The reaper (every 1 s here) frees idle sessions nobody looks up. */
    create(f, "u", a);
    create(f, "u", b);
    assert_int_equal(held(f), 2);
    sleep_ms(2600);
    assert_int_equal(held(f), 0);

    /* A full table is reaped before a create is refused. */
    create(f, "u", a);
    create(f, "u", b);
    create(f, "u", c);
    sleep_ms(1200);
    create(f, "u", a);
    assert_int_equal(sessc_delete(f->sc, a, "u"), MCP_OK);

    /* Leave an empty table to the next test: b and c go at the next reaper tick. */
    int64_t deadline = now_ms() + 3000;
    while (held(f) != 0 && now_ms() < deadline)
        sleep_ms(50);
    assert_int_equal(held(f), 0);
}

static void test_reload(void **state)
{
    struct fx *f = *state;
    char ids[5][IPC_SESSION_ID_LEN + 1];
    json_object *s = NULL;

    /* SIGHUP applies a larger cap and a longer idle timeout. */
    assert_int_equal(write_conf(f, 5, 30, ""), 0);
    assert_int_equal(kill(f->pid, SIGHUP), 0);
    int64_t deadline = now_ms() + 3000;
    int64_t max = 0;
    while (now_ms() < deadline) {
        json_object *st = NULL;
        assert_int_equal(sessc_status(f->sc, &st), MCP_OK);
        max = int_member(st, "max_sessions");
        json_object_put(st);
        if (max == 5)
            break;
        sleep_ms(20);
    }
    assert_int_equal(max, 5);
    for (int i = 0; i < 5; i++)
        create(f, "u", ids[i]);
    assert_int_equal(sessc_create(f->sc, "u", "2025-06-18", NULL, NULL, &s), MCP_E_SESSIONS_FULL);
    sleep_ms(1200); /* would have expired under the old 1 s timeout */
    assert_int_equal(sessc_get(f->sc, ids[0], "u", &s), MCP_OK);
    json_object_put(s);

    /* A bad file is refused; the daemon keeps running with what it had. */
    assert_int_equal(write_conf(f, 5, 30, "bogus = 1;\n"), 0);
    assert_int_equal(kill(f->pid, SIGHUP), 0);
    sleep_ms(300);
    json_object *st = NULL;
    assert_int_equal(sessc_status(f->sc, &st), MCP_OK);
    assert_int_equal(int_member(st, "max_sessions"), 5);
    assert_int_equal(int_member(st, "idle_timeout_s"), 30);
    json_object_put(st);

    for (int i = 0; i < 5; i++)
        assert_int_equal(sessc_delete(f->sc, ids[i], "u"), MCP_OK);
    /* Back to the group's settings. */
    assert_int_equal(write_conf(f, 3, 1, ""), 0);
    assert_int_equal(kill(f->pid, SIGHUP), 0);
    deadline = now_ms() + 3000;
    while (now_ms() < deadline) {
        assert_int_equal(sessc_status(f->sc, &st), MCP_OK);
        max = int_member(st, "max_sessions");
        json_object_put(st);
        if (max == 3)
            break;
        sleep_ms(20);
    }
    assert_int_equal(max, 3);
}

/* A raw connection to the daemon with a receive timeout. */
static int raw_connect(const struct fx *f)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct timeval tv = {2, 0};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    assert_true(fd >= 0);
    size_t len = strlen(f->cfg->sessiond_socket);
    assert_true(len < sizeof(sa.sun_path));
    memcpy(sa.sun_path, f->cfg->sessiond_socket, len + 1);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

/* Reads one frame from fd. */
static void raw_read_frame(int fd, struct ipc_dec *d, struct ipc_frame *out)
{
    unsigned char b;
    size_t used;

    /* One byte at a time, so nothing of a following frame is consumed. */
    for (;;) {
        assert_int_equal(recv(fd, &b, 1, 0), 1);
        assert_int_equal(ipc_dec_feed(d, &b, 1, &used, out), MCP_OK);
        if (out->payload != NULL)
            return;
    }
}

static void test_raw_protocol(void **state)
{
    struct fx *f = *state;
    int fd = raw_connect(f);
    struct ipc_dec *d = ipc_dec_new();
    json_object *empty = json_object_new_object();
    unsigned char buf[256];
    size_t l1 = 0, l2 = 0, l3 = 0;
    struct ipc_frame fr;
    enum mcp_err err;

    /* Pipelined: an unknown type and two status requests in one write, answered in order. */
    assert_int_equal(ipc_encode(0x0123, 10, empty, buf, sizeof(buf), &l1), MCP_OK);
    assert_int_equal(ipc_encode(IPC_STATUS, 11, empty, buf + l1, sizeof(buf) - l1, &l2), MCP_OK);
    assert_int_equal(ipc_encode(IPC_STATUS, 12, empty, buf + l1 + l2, sizeof(buf) - l1 - l2, &l3),
                     MCP_OK);
    assert_int_equal(send(fd, buf, l1 + l2 + l3, MSG_NOSIGNAL), (ssize_t)(l1 + l2 + l3));
    raw_read_frame(fd, d, &fr);
    assert_int_equal(fr.type, 0x0123 | IPC_REPLY);
    assert_int_equal(fr.seq, 10);
    assert_int_equal(ipc_reply_err(fr.payload, &err), MCP_OK);
    assert_int_equal(err, MCP_E_PROTO);
    json_object_put(fr.payload);
    for (uint32_t seq = 11; seq <= 12; seq++) {
        raw_read_frame(fd, d, &fr);
        assert_int_equal(fr.type, IPC_STATUS | IPC_REPLY);
        assert_int_equal(fr.seq, seq);
        assert_int_equal(ipc_reply_err(fr.payload, &err), MCP_OK);
        assert_int_equal(err, MCP_OK);
        json_object_put(fr.payload);
    }

    /* Request members of the wrong type: an error reply, the connection stays. */
    json_object *req = json_tokener_parse("{\"principal\":7,\"version\":\"v\"}");
    assert_int_equal(ipc_encode(IPC_SESS_CREATE, 13, req, buf, sizeof(buf), &l1), MCP_OK);
    json_object_put(req);
    assert_int_equal(send(fd, buf, l1, MSG_NOSIGNAL), (ssize_t)l1);
    raw_read_frame(fd, d, &fr);
    assert_int_equal(ipc_reply_err(fr.payload, &err), MCP_OK);
    assert_int_equal(err, MCP_E_INVALID_PARAMS);
    assert_true(json_object_object_get_ex(fr.payload, "message", NULL));
    json_object_put(fr.payload);

    /* A malformed frame: the daemon closes this connection (EOF) and carries on. */
    memset(buf, 'G', 32);
    assert_int_equal(send(fd, buf, 32, MSG_NOSIGNAL), 32);
    assert_int_equal(recv(fd, buf, 1, 0), 0);
    close(fd);

    /* A reply type sent as a request is malformed too. */
    fd = raw_connect(f);
    assert_int_equal(ipc_encode(IPC_STATUS | IPC_REPLY, 1, empty, buf, sizeof(buf), &l1), MCP_OK);
    assert_int_equal(send(fd, buf, l1, MSG_NOSIGNAL), (ssize_t)l1);
    assert_int_equal(recv(fd, buf, 1, 0), 0);
    close(fd);

    assert_int_equal(held(f), 0);
    json_object_put(empty);
    ipc_dec_free(d);
}

static void test_second_daemon_refused(void **state)
{
    struct fx *f = *state;
    const char *args[] = {"-c", f->conf, NULL};
    pid_t pid = daemon_spawn(f->bin, f->log, args);

    assert_true(pid > 0);
    int st = reap_child(pid, 10000);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 1);
    /* The first one still serves, on the same socket. */
    assert_int_equal(held(f), 0);
}

static void test_check_config(void **state)
{
    struct fx *f = *state;
    char bad[160], line[512];
    const char *good_args[] = {"-c", f->conf, "-t", NULL};
    const char *bad_args[] = {"-c", bad, "-t", NULL};
    const char *bad_run[] = {"-c", bad, NULL};

    int st = reap_child(daemon_spawn(f->bin, f->log, good_args), 10000);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);

    snprintf(bad, sizeof(bad), "%s/bad.conf", f->dir);
    FILE *fp = fopen(bad, "w");
    assert_non_null(fp);
    fprintf(fp, "sessions: {\n  max = 0;\n};\n");
    fclose(fp);
    st = reap_child(daemon_spawn(f->bin, f->log, bad_args), 10000);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 2);
    st = reap_child(daemon_spawn(f->bin, f->log, bad_run), 10000);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 2);

    /* "mcp-sessiond: <file>:<line>: <setting>: <problem>" */
    char want[256];
    snprintf(want, sizeof(want), "mcp-sessiond: %s:2: sessions.max: ", bad);
    int found = 0;
    fp = fopen(f->log, "r");
    assert_non_null(fp);
    while (fgets(line, sizeof(line), fp) != NULL)
        found += strncmp(line, want, strlen(want)) == 0;
    fclose(fp);
    assert_int_equal(found, 2);
    unlink(bad);
}

static void test_stalled_daemon(void **state)
{
    struct fx *f = *state;
    json_object *st = NULL;

    assert_int_equal(held(f), 0); /* connected */
    assert_int_equal(kill(f->pid, SIGSTOP), 0);
    for (int i = 0; i < 2; i++) { /* on the held connection, then on a fresh one */
        int64_t t0 = now_ms();
        assert_int_equal(sessc_status(f->sc, &st), MCP_E_UNAVAILABLE);
        int64_t took = now_ms() - t0;
        assert_null(st);
        printf("# stalled call %d returned after %lld ms\n", i + 1, (long long)took);
        assert_true(took >= TIMEOUT_MS - 20);
        assert_true(took <= TIMEOUT_MS + 300);
    }
    assert_int_equal(kill(f->pid, SIGCONT), 0);
    assert_int_equal(held(f), 0);
}

/* Within one HTTP request's budget, a stalled daemon costs one timeout in total, however many
 * calls the request makes; the next request tries again. */
static void test_request_budget(void **state)
{
    struct fx *f = *state;
    json_object *st = NULL;

    assert_int_equal(held(f), 0);
    assert_int_equal(kill(f->pid, SIGSTOP), 0);
    sessc_begin_request(f->sc);
    int64_t t0 = now_ms();
    for (int i = 0; i < 5; i++)
        assert_int_equal(sessc_status(f->sc, &st), MCP_E_UNAVAILABLE);
    int64_t took = now_ms() - t0;
    printf("# 5 calls in one stalled request took %lld ms\n", (long long)took);
    assert_true(took <= TIMEOUT_MS + 300);
    assert_int_equal(kill(f->pid, SIGCONT), 0);
    sessc_begin_request(f->sc);
    assert_int_equal(sessc_status(f->sc, &st), MCP_OK);
    json_object_put(st);
    sessc_end_request(f->sc);
}

static void test_killed_daemon_and_recovery(void **state)
{
    struct fx *f = *state;
    char id[IPC_SESSION_ID_LEN + 1];
    json_object *s = NULL;

    create(f, "u", id);
    assert_int_equal(kill(f->pid, SIGKILL), 0);
    waitpid(f->pid, NULL, 0);
    f->pid = 0;

    /* The stale socket file stays; calls fail fast and never hang. */
    for (int i = 0; i < 3; i++) {
        int64_t t0 = now_ms();
        assert_int_equal(sessc_get(f->sc, id, "u", &s), MCP_E_UNAVAILABLE);
        assert_true(now_ms() - t0 <= TIMEOUT_MS + 300);
    }

    /* A new daemon replaces the stale socket; the same sessc reconnects by itself. */
    assert_int_equal(start_daemon(f), 0);
    assert_int_equal(held(f), 0);
    assert_int_equal(sessc_get(f->sc, id, "u", &s), MCP_E_SESSION_NOT_FOUND); /* not persisted */
    create(f, "u", id);
    assert_int_equal(sessc_get(f->sc, id, "u", &s), MCP_OK);
    json_object_put(s);

    /* Restarted behind a held connection: the client notices the closed connection and
     * reconnects within the same call. */
    assert_int_equal(kill(f->pid, SIGTERM), 0);
    int st = reap_child(f->pid, 10000);
    f->pid = 0;
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_int_equal(start_daemon(f), 0);
    assert_int_equal(held(f), 0);
}

static void test_sigterm_clean_exit(void **state)
{
    struct fx *f = *state;
    struct stat sb;
    char id[IPC_SESSION_ID_LEN + 1];

    /* Sessions and an open connection exist at shutdown; all must be freed (LeakSanitizer
     * fails the exit status otherwise). */
    create(f, "u", id);
    create(f, "", id);
    assert_int_equal(kill(f->pid, SIGTERM), 0);
    int st = reap_child(f->pid, 10000);
    f->pid = 0;
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_int_equal(stat(f->cfg->sessiond_socket, &sb), -1);
    assert_int_equal(errno, ENOENT);
    json_object *s = NULL;
    assert_int_equal(sessc_status(f->sc, &s), MCP_E_UNAVAILABLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle),
        cmocka_unit_test(test_principal_mismatch),
        cmocka_unit_test(test_invalid_params),
        cmocka_unit_test(test_status_and_files),
        cmocka_unit_test(test_sessions_full),
        cmocka_unit_test(test_idle_expiry_and_reaper),
        cmocka_unit_test(test_reload),
        cmocka_unit_test(test_raw_protocol),
        cmocka_unit_test(test_second_daemon_refused),
        cmocka_unit_test(test_check_config),
        cmocka_unit_test(test_stalled_daemon),
        cmocka_unit_test(test_request_budget),
        cmocka_unit_test(test_killed_daemon_and_recovery),
        cmocka_unit_test(test_sigterm_clean_exit),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("sessc", tests, group_setup, group_teardown);
}
