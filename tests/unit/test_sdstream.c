/*
 * test_sdstream.c - streams end to end: sessc against the real mcp-sessiond.
 *
 * Starts "$MCP_BUILD/mcp-sessiond" (MCP_BUILD defaults to "build") with a temporary
 * configuration under /tmp. A socketpair stands in for the web server's FastCGI connection:
 * one end is handed over with sessc_stream_attach (and closed here, as a worker releases
 * it), the test reads FastCGI records from the other end. Covers the head, event ids,
 * replay after Last-Event-ID, conflicts, caps, heartbeats, slow readers, ABORT and EOF,
 * server-to-client requests (delivered by a second client, as another worker would),
 * timeouts, cancellation, notifications with a uri filter, the resource watch, the
 * 2024-11-05 stream, DELETE, expiry, list_changed on SIGHUP, polling, and SIGTERM; and the
 * 2026-07-28 subscriptions/listen streams (sessc_listen_attach): acknowledgement first, the
 * kinds each asked for with its subscription id, caps, slow readers, EOF, ABORT, the final
 * response on SIGTERM.
 * Children are killed by pid; temporary files are removed.
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
#include <netinet/in.h>
#include <arpa/inet.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "ipc.h"
#include "sessc.h"

#define TIMEOUT_MS 500 /* sessiond.timeout_ms */
#define RETRY_MS   700 /* streams.retry_ms */
#define MAX_TOTAL  6   /* streams.max */
#define MAX_SESS   3   /* streams.per_session */
#define REPLAY     4   /* streams.replay_events */
#define PRINCIPAL  "u"
#define HEAD                                                                                       \
    "Status: 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"             \
    "X-Accel-Buffering: no\r\n\r\n"

struct fx {
    char dir[64];
    char conf[128];
    char log[128];
    char bin[PATH_MAX];
    pid_t pid;
    struct mcp_cfg *cfg;
    struct sessc *sc;  /* "worker 1" */
    struct sessc *sc2; /* "worker 2" */
};

/* The web server's end of a handed-over connection. */
struct peer {
    int fd;
    uint16_t reqid;
    char *text; /* STDOUT bytes so far, NUL-terminated */
    size_t len, cap;
    unsigned char raw[70000]; /* bytes not parsed yet */
    size_t rlen;
    bool stdout_closed; /* the empty STDOUT record came */
    bool ended;         /* END_REQUEST came */
    bool eof;
    bool bad; /* a record of another request id or type */
};

static int write_conf(const struct fx *f, int idle, const char *sets)
{
    FILE *fp = fopen(f->conf, "w");

    if (fp == NULL)
        return -1;
    fprintf(fp,
            "runtime_dir = \"%s/run\";\n"
            "sessions: { idle_timeout = %d; max = 100; };\n"
            "sessiond: { timeout_ms = %d; };\n"
            "server: { sets = [ %s ]; };\n"
            "streams: { heartbeat_s = 1; max = %d; per_session = %d; replay_events = %d;\n"
            "           queue_bytes = 8192; retry_ms = %d; request_timeout_s = 5; };\n",
            f->dir, idle, TIMEOUT_MS, sets, MAX_TOTAL, MAX_SESS, REPLAY, RETRY_MS);
    return fclose(fp);
}

static int64_t status_int(struct fx *f, const char *name)
{
    json_object *st = NULL, *v;

    assert_int_equal(sessc_status(f->sc, &st), MCP_OK);
    assert_true(json_object_object_get_ex(st, name, &v));
    int64_t n = json_object_get_int64(v);
    json_object_put(st);
    return n;
}

static int group_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char err[CFG_ERR_LEN];
    const char *build = getenv("MCP_BUILD");

    if (f == NULL)
        return -1;
    *state = f;
    signal(SIGPIPE, SIG_IGN);
    snprintf(f->dir, sizeof(f->dir), "/tmp/mcp-sdstream-XXXXXX");
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
    if (f->cfg == NULL || write_conf(f, 60, "\"conformance\"") != 0 ||
        cfg_load(f->cfg, f->conf, NULL, err, sizeof(err)) != MCP_OK) {
        printf("# config: %s\n", err);
        return -1;
    }
    f->sc = sessc_new(f->cfg);
    f->sc2 = sessc_new(f->cfg);
    const char *args[] = {"-c", f->conf, NULL};
    f->pid = daemon_spawn(f->bin, f->log, args);
    int64_t deadline = now_ms() + 10000;
    while (now_ms() < deadline) {
        json_object *st = NULL;
        if (sessc_status(f->sc, &st) == MCP_OK) {
            json_object_put(st);
            return 0;
        }
        sleep_ms(20);
    }
    daemon_dump_log(f->log);
    return -1;
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
    sessc_free(f->sc2);
    daemon_dump_log(f->log);
    if (f->dir[0] != '\0')
        daemon_rm_tree(f->dir);
    free(f->cfg);
    free(f);
    return 0;
}

/* --- helpers ---------------------------------------------------------------------------- */

static void create(struct fx *f, char id[IPC_SESSION_ID_LEN + 1])
{
    json_object *s = NULL, *v;

    assert_int_equal(sessc_create(f->sc, PRINCIPAL, "2025-11-25", NULL, NULL, &s), MCP_OK);
    assert_true(json_object_object_get_ex(s, "id", &v));
    memcpy(id, json_object_get_string(v), IPC_SESSION_ID_LEN + 1);
    json_object_put(s);
}

static void subscribe(struct fx *f, const char *sid, const char *uri)
{
    json_object *ch = json_object_new_object();

    json_object_object_add(ch, "subscribe", json_object_new_string(uri));
    assert_int_equal(sessc_update(f->sc, sid, PRINCIPAL, ch, NULL), MCP_OK);
    json_object_put(ch);
}

static void peer_free(struct peer *p)
{
    if (p == NULL)
        return;
    if (p->fd >= 0)
        close(p->fd);
    free(p->text);
    free(p);
}

/* The web server's end fd of a connection serving FastCGI request reqid. */
static struct peer *peer_new(int fd, uint16_t reqid)
{
    struct peer *p = calloc(1, sizeof(*p));

    assert_non_null(p);
    p->fd = fd;
    p->reqid = reqid;
    p->cap = 4096;
    p->text = calloc(1, p->cap);
    assert_non_null(p->text);
    return p;
}

/* Hands one end of a new socketpair over (then closes it, as a worker does); *out gets the
 * other end on MCP_OK. sndbuf > 0 shrinks the handed end's send buffer. */
static enum mcp_err attach_ex(struct fx *f, const char *sid, enum sessc_attach_kind kind,
                              const char *last, const char *endpoint, uint16_t reqid, int sndbuf,
                              struct peer **out)
{
    int sv[2];

    *out = NULL;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    if (sndbuf > 0)
        assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)), 0);
    enum mcp_err rc =
        sessc_stream_attach(f->sc, sid, PRINCIPAL, kind, last, endpoint, sv[1], reqid, 0);
    if (rc != MCP_OK) {
        /* the worker still owns the connection: nothing was written to it */
        char c;
        assert_int_equal(recv(sv[0], &c, 1, MSG_DONTWAIT), -1);
        assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    }
    close(sv[1]);
    if (rc != MCP_OK) {
        close(sv[0]);
        return rc;
    }
    *out = peer_new(sv[0], reqid);
    return MCP_OK;
}

static enum mcp_err attach(struct fx *f, const char *sid, const char *last, struct peer **out)
{
    return attach_ex(f, sid, SESSC_ATTACH_GET, last, NULL, 1, 0, out);
}

/* As attach_ex, for a subscriptions/listen stream of the request rpc_id asking for
 * notifications (both JSON text). */
static enum mcp_err listen_ex(struct fx *f, const char *rpc_id, const char *notifications,
                              uint16_t reqid, int sndbuf, struct peer **out)
{
    json_object *id = json_tokener_parse(rpc_id), *n = json_tokener_parse(notifications);
    int sv[2];

    *out = NULL;
    assert_non_null(id);
    assert_non_null(n);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    if (sndbuf > 0)
        assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)), 0);
    enum mcp_err rc = sessc_listen_attach(f->sc, PRINCIPAL, id, n, sv[1], reqid, 1);
    if (rc != MCP_OK) {
        /* the worker still owns the connection: nothing was written to it */
        char c;
        assert_int_equal(recv(sv[0], &c, 1, MSG_DONTWAIT), -1);
        assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    }
    close(sv[1]);
    json_object_put(id);
    json_object_put(n);
    if (rc != MCP_OK) {
        close(sv[0]);
        return rc;
    }
    *out = peer_new(sv[0], reqid);
    return MCP_OK;
}

static enum mcp_err listen_on(struct fx *f, const char *rpc_id, const char *notifications,
                              struct peer **out)
{
    return listen_ex(f, rpc_id, notifications, 1, 0, out);
}

/* Parses the complete records in p->raw. */
static void peer_parse(struct peer *p)
{
    size_t off = 0;

    while (p->rlen - off >= 8) {
        const unsigned char *h = p->raw + off;
        size_t clen = (size_t)h[4] << 8 | h[5], plen = h[6];
        if (p->rlen - off < 8 + clen + plen)
            break;
        uint16_t id = (uint16_t)(h[2] << 8 | h[3]);
        if (h[0] != 1 || id != p->reqid || p->ended)
            p->bad = true;
        if (h[1] == 6) { /* STDOUT */
            if (clen == 0)
                p->stdout_closed = true;
            else if (p->stdout_closed)
                p->bad = true;
            if (p->len + clen + 1 > p->cap) {
                p->cap = (p->len + clen + 1) * 2;
                p->text = realloc(p->text, p->cap);
                assert_non_null(p->text);
            }
            memcpy(p->text + p->len, h + 8, clen);
            p->len += clen;
            p->text[p->len] = '\0';
        } else if (h[1] == 3 && clen == 8) { /* END_REQUEST */
            if (!p->stdout_closed || h[8] | h[9] | h[10] | h[11] | h[12])
                p->bad = true;
            p->ended = true;
        } else {
            p->bad = true;
        }
        off += 8 + clen + plen;
    }
    memmove(p->raw, p->raw + off, p->rlen - off);
    p->rlen -= off;
}

/* Reads what arrives within ms. */
static void peer_pump(struct peer *p, int ms)
{
    struct pollfd pfd = {.fd = p->fd, .events = POLLIN};

    if (p->eof)
        return;
    if (poll(&pfd, 1, ms) <= 0)
        return;
    ssize_t n = recv(p->fd, p->raw + p->rlen, sizeof(p->raw) - p->rlen, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        p->eof = true;
        return;
    }
    if (n > 0) {
        p->rlen += (size_t)n;
        peer_parse(p);
    }
}

/* Waits up to ms until the STDOUT text contains needle. */
static bool peer_wait_text(struct peer *p, const char *needle, int ms)
{
    int64_t deadline = now_ms() + ms;

    while (strstr(p->text, needle) == NULL && !p->eof && now_ms() < deadline)
        peer_pump(p, 20);
    return strstr(p->text, needle) != NULL;
}

/* Waits up to ms for the connection to end cleanly (END_REQUEST, then EOF). */
static bool peer_wait_end(struct peer *p, int ms)
{
    int64_t deadline = now_ms() + ms;

    while (!p->eof && now_ms() < deadline)
        peer_pump(p, 20);
    return p->eof && p->ended && !p->bad;
}

/* Reads for ms, whatever comes. */
static void peer_drain(struct peer *p, int ms)
{
    int64_t deadline = now_ms() + ms;

    while (!p->eof && now_ms() < deadline)
        peer_pump(p, 20);
}

/* Event blocks of the SSE text after the head, comments left out, joined as
 * "id=<id>;event=<name>;data=<data>|..." (absent fields omitted). */
static void peer_events(const struct peer *p, char *out, size_t cap)
{
    const char *t = p->text;
    size_t off = 0;

    out[0] = '\0';
    if (strncmp(t, HEAD, strlen(HEAD)) != 0)
        return;
    t += strlen(HEAD);
    while (*t != '\0') {
        const char *end = strstr(t, "\n\n");
        if (end == NULL)
            break;
        if (*t != ':') {
            char block[4096] = "";
            size_t bl = 0;
            for (const char *line = t; line < end + 1;) {
                const char *nl = strchr(line, '\n');
                int n = 0;
                if (strncmp(line, "id: ", 4) == 0)
                    n = snprintf(block + bl, sizeof(block) - bl, "id=%.*s;", (int)(nl - line - 4),
                                 line + 4);
                else if (strncmp(line, "event: ", 7) == 0)
                    n = snprintf(block + bl, sizeof(block) - bl, "event=%.*s;",
                                 (int)(nl - line - 7), line + 7);
                else if (strncmp(line, "retry: ", 7) == 0)
                    n = snprintf(block + bl, sizeof(block) - bl, "retry=%.*s;",
                                 (int)(nl - line - 7), line + 7);
                else if (strncmp(line, "data: ", 6) == 0)
                    n = snprintf(block + bl, sizeof(block) - bl, "data=%.*s;", (int)(nl - line - 6),
                                 line + 6);
                else if (strncmp(line, "data:", 5) == 0)
                    n = snprintf(block + bl, sizeof(block) - bl, "data=;");
                assert_true(n >= 0 && (size_t)n < sizeof(block) - bl);
                bl += (size_t)n;
                line = nl + 1;
            }
            if (bl > 0)
                block[bl - 1] = '\0'; /* the last ';' */
            int n = snprintf(out + off, cap - off, "%s%s", off ? "|" : "", block);
            assert_true(n >= 0 && (size_t)n < cap - off);
            off += (size_t)n;
        }
        t = end + 2;
    }
}

static json_object *note(const char *method, int n)
{
    char text[160];

    snprintf(text, sizeof(text), "{\"jsonrpc\":\"2.0\",\"method\":\"%s\",\"params\":{\"n\":%d}}",
             method, n);
    return json_tokener_parse(text);
}

/* Publishes {"jsonrpc":"2.0","method":"m","params":{"n":n}} on key; returns the event id. */
static void publish(struct fx *f, const char *sid, const char *key, int n, int flags, char *id)
{
    json_object *msg = note("m", n);
    int cancelled = -1;

    assert_int_equal(sessc_stream_publish(f->sc, sid, PRINCIPAL, key, msg, flags, id, &cancelled),
                     MCP_OK);
    assert_int_equal(cancelled, 0);
    json_object_put(msg);
}

/* Waits until sessiond holds want connections in all. */
static void wait_streams(struct fx *f, int64_t want)
{
    int64_t deadline = now_ms() + 3000;

    while (status_int(f, "streams") != want && now_ms() < deadline)
        sleep_ms(20);
    assert_int_equal(status_int(f, "streams"), want);
}

/* --- tests ------------------------------------------------------------------------------ */

static void test_head_events_heartbeat(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1], id[SESSC_EVENT_ID_MAX], ev[2048];
    struct peer *p;
    json_object *msg = note("notifications/message", 1);

    create(f, sid);
    assert_int_equal(attach_ex(f, sid, SESSC_ATTACH_GET, NULL, NULL, 7, 0, &p), MCP_OK);
    assert_true(peer_wait_text(p, HEAD, 2000));
    assert_int_equal(strncmp(p->text, HEAD, strlen(HEAD)), 0);
    assert_int_equal(status_int(f, "streams"), 1);

    assert_int_equal(sessc_notify(f->sc, sid, PRINCIPAL, NULL, msg), MCP_OK);
    publish(f, sid, "0", 2, 0, id);
    assert_string_equal(id, "0.1");
    int cancelled = -1;
    assert_int_equal(sessc_stream_publish(f->sc, sid, PRINCIPAL, "0", NULL, 0, id, &cancelled),
                     MCP_OK); /* priming */
    assert_string_equal(id, "0.2");
    assert_true(peer_wait_text(p, "id: 0.2\n", 2000));
    peer_drain(p, 50);
    peer_events(p, ev, sizeof(ev));
    assert_string_equal(ev, "id=0.0;data={\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
                            "message\",\"params\":{\"n\":1}}|"
                            "id=0.1;data={\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"n\":"
                            "2}}|id=0.2;data=");
    /* final is refused on stream 0 */
    assert_int_equal(
        sessc_stream_publish(f->sc, sid, PRINCIPAL, "0", msg, SESSC_PUBLISH_FINAL, id, NULL),
        MCP_E_INVALID_PARAMS);

    /* heartbeats: one a second, staggered */
    size_t before = p->len;
    assert_true(peer_wait_text(p, ": ping\n\n", 2500));
    assert_true(p->len > before);
    assert_false(p->bad);
    assert_false(p->eof);
    peer_free(p);
    wait_streams(f, 0);
    assert_int_equal(sessc_delete(f->sc, sid, PRINCIPAL), MCP_OK);
    json_object_put(msg);
}

static void test_conflict_and_eof(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1], id[SESSC_EVENT_ID_MAX], ev[1024];
    struct peer *p, *q = NULL;

    create(f, sid);
    assert_int_equal(attach(f, sid, NULL, &p), MCP_OK);
    assert_int_equal(attach(f, sid, NULL, &q), MCP_E_STREAM_CONFLICT);
    publish(f, sid, "0", 1, 0, id);
    assert_true(peer_wait_text(p, "id: 0.0\n", 2000));
    /* the client left (EOF): the stream is free again and resumable */
    peer_free(p);
    wait_streams(f, 0);
    publish(f, sid, "0", 2, 0, id);
    publish(f, sid, "0", 3, 0, id);
    assert_int_equal(attach(f, sid, "0.0", &q), MCP_OK);
    assert_true(peer_wait_text(q, "id: 0.2\n", 2000));
    peer_drain(q, 50);
    peer_events(q, ev, sizeof(ev));
    assert_string_equal(ev,
                        "id=0.1;data={\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"n\":2}}"
                        "|id=0.2;data={\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"n\":"
                        "3}}");
    /* resuming a stream that is held is a conflict too */
    assert_int_equal(attach(f, sid, "0.1", &p), MCP_E_STREAM_CONFLICT);
    peer_free(q);
    wait_streams(f, 0);
    assert_int_equal(sessc_delete(f->sc, sid, PRINCIPAL), MCP_OK);
}

static void test_replay_post_stream(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1], other[IPC_SESSION_ID_LEN + 1];
    char k[SESSC_KEY_MAX], k2[SESSC_KEY_MAX], id[SESSC_EVENT_ID_MAX], last[SESSC_EVENT_ID_MAX];
    char ev[2048], want[2048];
    struct peer *p = NULL;
    json_object *rpc = json_object_new_int(5);

    create(f, sid);
    create(f, other);
    assert_int_equal(sessc_stream_open(f->sc, sid, PRINCIPAL, rpc, k), MCP_OK);
    assert_int_equal(sessc_stream_open(f->sc, sid, PRINCIPAL, NULL, k2), MCP_OK);
    assert_string_not_equal(k, k2);
    assert_string_not_equal(k, "0");
    publish(f, sid, k, 0, 0, id);
    snprintf(want, sizeof(want), "%s.0", k);
    assert_string_equal(id, want);
    publish(f, sid, k2, 100, 0, id); /* another stream's events never show up */
    publish(f, sid, k, 1, 0, id);
    publish(f, sid, k2, 101, 0, id);
    publish(f, sid, k, 2, 0, last);
    publish(f, sid, "0", 200, 0, id);

    /* Last-Event-ID k.0: exactly k.1 and k.2, then live events of k */
    snprintf(id, sizeof(id), "%s.0", k);
    assert_int_equal(attach(f, sid, id, &p), MCP_OK);
    assert_true(peer_wait_text(p, last, 2000));
    publish(f, sid, k, 3, 0, id);
    assert_true(peer_wait_text(p, id, 2000));
    /* the response ends the stream and the connection */
    publish(f, sid, k, 4, SESSC_PUBLISH_FINAL, id);
    assert_true(peer_wait_end(p, 2000));
    peer_events(p, ev, sizeof(ev));
    snprintf(want, sizeof(want),
             "id=%s.1;data={\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"n\":1}}|"
             "id=%s.2;data={\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"n\":2}}|"
             "id=%s.3;data={\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"n\":3}}|"
             "id=%s.4;data={\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"n\":4}}",
             k, k, k, k);
    assert_string_equal(ev, want);
    peer_free(p);
    /* an ended stream takes nothing more */
    json_object *msg = note("m", 5);
    assert_int_equal(sessc_stream_publish(f->sc, sid, PRINCIPAL, k, msg, 0, id, NULL),
                     MCP_E_INVALID_PARAMS);
    json_object_put(msg);

    /* resuming the ended stream replays what follows and ends */
    snprintf(id, sizeof(id), "%s.2", k);
    assert_int_equal(attach(f, sid, id, &p), MCP_OK);
    assert_true(peer_wait_end(p, 2000));
    peer_events(p, ev, sizeof(ev));
    snprintf(want, sizeof(want),
             "id=%s.3;data={\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"n\":3}}|"
             "id=%s.4;data={\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"n\":4}}",
             k, k);
    assert_string_equal(ev, want);
    peer_free(p);

    /* refused ids: malformed, unknown stream, another session's, never issued, too old */
    assert_int_equal(attach(f, sid, "garbage", &p), MCP_E_BAD_EVENT_ID);
    assert_int_equal(attach(f, sid, "999.0", &p), MCP_E_BAD_EVENT_ID);
    snprintf(id, sizeof(id), "%s.0", k2);
    assert_int_equal(attach(f, other, id, &p), MCP_E_BAD_EVENT_ID);
    snprintf(id, sizeof(id), "%s.9", k2);
    assert_int_equal(attach(f, sid, id, &p), MCP_E_BAD_EVENT_ID);
    for (int i = 0; i < REPLAY + 1; i++)
        publish(f, sid, k2, 102 + i, 0, id); /* k2 has 7 events now; the log keeps 4 */
    snprintf(id, sizeof(id), "%s.1", k2);
    assert_int_equal(attach(f, sid, id, &p), MCP_E_BAD_EVENT_ID);
    snprintf(id, sizeof(id), "%s.2", k2);
    assert_int_equal(attach(f, sid, id, &p), MCP_OK);
    assert_true(peer_wait_text(p, "\"n\":106", 2000));
    peer_free(p);
    wait_streams(f, 0);
    assert_int_equal(sessc_delete(f->sc, sid, PRINCIPAL), MCP_OK);
    assert_int_equal(sessc_delete(f->sc, other, PRINCIPAL), MCP_OK);
    json_object_put(rpc);
}

static void test_caps(void **state)
{
    struct fx *f = *state;
    char a[IPC_SESSION_ID_LEN + 1], b[IPC_SESSION_ID_LEN + 1], c[IPC_SESSION_ID_LEN + 1];
    char keys[4][SESSC_KEY_MAX], id[SESSC_EVENT_ID_MAX];
    struct peer *held[8] = {0};
    int n = 0;

    create(f, a);
    create(f, b);
    create(f, c);
    /* per session: "0" plus resumed POST streams */
    assert_int_equal(attach(f, a, NULL, &held[n++]), MCP_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sessc_stream_open(f->sc, a, PRINCIPAL, NULL, keys[i]), MCP_OK);
        publish(f, a, keys[i], i, 0, id);
    }
    for (int i = 0; i < 2; i++) {
        snprintf(id, sizeof(id), "%.15s.0", keys[i]);
        assert_int_equal(attach(f, a, id, &held[n++]), MCP_OK);
    }
    snprintf(id, sizeof(id), "%.15s.0", keys[2]);
    struct peer *p = NULL;
    assert_int_equal(attach(f, a, id, &p), MCP_E_SESSION_STREAMS_FULL);
    /* in all: 3 + 3 = MAX_TOTAL */
    assert_int_equal(attach(f, b, NULL, &held[n++]), MCP_OK);
    for (int i = 0; i < 2; i++) {
        char k[SESSC_KEY_MAX];
        assert_int_equal(sessc_stream_open(f->sc, b, PRINCIPAL, NULL, k), MCP_OK);
        publish(f, b, k, i, 0, id);
        snprintf(id, sizeof(id), "%s.0", k);
        assert_int_equal(attach(f, b, id, &held[n++]), MCP_OK);
    }
    assert_int_equal(status_int(f, "streams"), MAX_TOTAL);
    assert_int_equal(attach(f, c, NULL, &p), MCP_E_STREAMS_FULL);
    /* one leaves: room again */
    peer_free(held[0]);
    held[0] = NULL;
    wait_streams(f, MAX_TOTAL - 1);
    assert_int_equal(attach(f, c, NULL, &held[0]), MCP_OK);
    for (int i = 0; i < n; i++)
        peer_free(held[i]);
    wait_streams(f, 0);
    assert_int_equal(sessc_delete(f->sc, a, PRINCIPAL), MCP_OK);
    assert_int_equal(sessc_delete(f->sc, b, PRINCIPAL), MCP_OK);
    assert_int_equal(sessc_delete(f->sc, c, PRINCIPAL), MCP_OK);
}

static void test_slow_reader_dropped(void **state)
{
    struct fx *f = *state;
    char slow[IPC_SESSION_ID_LEN + 1], fast[IPC_SESSION_ID_LEN + 1], id[SESSC_EVENT_ID_MAX];
    struct peer *s = NULL, *q = NULL;
    char big[2200];

    create(f, slow);
    create(f, fast);
    assert_int_equal(attach_ex(f, slow, SESSC_ATTACH_GET, NULL, NULL, 1, 4096, &s), MCP_OK);
    assert_int_equal(attach(f, fast, NULL, &q), MCP_OK);
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    json_object *msg = json_object_new_object();
    json_object_object_add(msg, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(msg, "method", json_object_new_string("m"));
    json_object_object_add(msg, "pad", json_object_new_string(big));
    /* never read s: its queue passes streams.queue_bytes and sessiond drops it */
    int i;
    for (i = 0; i < 400 && status_int(f, "streams") == 2; i++)
        assert_int_equal(sessc_stream_publish(f->sc, slow, PRINCIPAL, "0", msg, 0, id, NULL),
                         MCP_OK);
    printf("# slow reader dropped after %d events\n", i);
    assert_true(i < 400);
    assert_int_equal(status_int(f, "streams"), 1);
    /* the others are unaffected */
    publish(f, fast, "0", 1, 0, id);
    assert_true(peer_wait_text(q, "id: 0.0\n", 2000));
    /* the dropped one ends without END_REQUEST: what it got, then EOF */
    peer_drain(s, 2000);
    assert_true(s->eof);
    assert_false(s->ended);
    assert_true(s->len > 0);
    peer_free(s);
    peer_free(q);
    wait_streams(f, 0);
    json_object_put(msg);
    assert_int_equal(sessc_delete(f->sc, slow, PRINCIPAL), MCP_OK);
    assert_int_equal(sessc_delete(f->sc, fast, PRINCIPAL), MCP_OK);
}

static void test_abort_record(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1], id[SESSC_EVENT_ID_MAX];
    struct peer *p = NULL;
    /* a late empty STDIN record, then ABORT_REQUEST (request id 3), split across writes */
    const unsigned char stdin_rec[8] = {1, 5, 0, 3, 0, 0, 0, 0};
    const unsigned char abort_rec[8] = {1, 2, 0, 3, 0, 0, 0, 0};

    create(f, sid);
    assert_int_equal(attach_ex(f, sid, SESSC_ATTACH_GET, NULL, NULL, 3, 0, &p), MCP_OK);
    publish(f, sid, "0", 1, 0, id);
    assert_true(peer_wait_text(p, "id: 0.0\n", 2000));
    assert_int_equal(send(p->fd, stdin_rec, 8, 0), 8);
    assert_int_equal(send(p->fd, abort_rec, 5, 0), 5);
    sleep_ms(100);
    assert_int_equal(status_int(f, "streams"), 1); /* half a record: nothing yet */
    assert_int_equal(send(p->fd, abort_rec + 5, 3, 0), 3);
    assert_true(peer_wait_end(p, 2000));
    peer_free(p);
    wait_streams(f, 0);
    /* the stream stays resumable */
    publish(f, sid, "0", 2, 0, id);
    assert_int_equal(attach(f, sid, "0.0", &p), MCP_OK);
    assert_true(peer_wait_text(p, "id: 0.1\n", 2000));
    peer_free(p);
    wait_streams(f, 0);
    assert_int_equal(sessc_delete(f->sc, sid, PRINCIPAL), MCP_OK);
}

static void test_client_request_roundtrip(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1], k[SESSC_KEY_MAX], id[SESSC_EVENT_ID_MAX];
    char want[64];
    struct peer *p = NULL;
    json_object *msg = NULL, *resp = NULL, *v, *rid;
    json_object *params = json_tokener_parse("{\"messages\":[],\"maxTokens\":100}");
    json_object *rpc = json_object_new_string("call-1");

    create(f, sid);
    assert_int_equal(sessc_stream_open(f->sc, sid, PRINCIPAL, rpc, k), MCP_OK);
    publish(f, sid, k, 0, 0, id);
    snprintf(id, sizeof(id), "%s.0", k);
    assert_int_equal(attach(f, sid, id, &p), MCP_OK); /* the client resumed the POST stream */
    assert_int_equal(
        sessc_client_request(f->sc, sid, PRINCIPAL, k, "sampling/createMessage", params, &msg, id),
        MCP_OK);
    snprintf(want, sizeof(want), "%s.1", k);
    assert_string_equal(id, want);
    assert_true(json_object_object_get_ex(msg, "id", &rid));
    assert_true(json_object_is_type(rid, json_type_int));
    assert_true(json_object_object_get_ex(msg, "method", &v));
    assert_string_equal(json_object_get_string(v), "sampling/createMessage");
    assert_true(json_object_object_get_ex(msg, "params", &v));
    assert_true(json_object_equal(v, params));
    /* it went out on the held connection too */
    assert_true(peer_wait_text(p, "\"method\":\"sampling/createMessage\"", 2000));

    /* the answer arrives at another worker before anyone awaits it */
    json_object *answer = json_object_new_object();
    json_object_object_add(answer, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(answer, "id", json_object_get(rid));
    json_object_object_add(answer, "result", json_tokener_parse("{\"model\":\"m\"}"));
    assert_int_equal(sessc_deliver(f->sc2, sid, PRINCIPAL, answer), MCP_OK);
    assert_int_equal(sessc_await(f->sc, sid, PRINCIPAL, rid, 2000, &resp), MCP_OK);
    assert_true(json_object_equal(resp, answer));
    json_object_put(resp);
    json_object_put(answer);
    json_object_put(msg);

    /* await first; the answer comes 300 ms later from another process */
    assert_int_equal(
        sessc_client_request(f->sc, sid, PRINCIPAL, k, "elicitation/create", NULL, &msg, id),
        MCP_OK);
    assert_true(json_object_object_get_ex(msg, "id", &rid));
    int64_t want_id = json_object_get_int64(rid);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        struct sessc *w2 = sessc_new(f->cfg);
        char text[128];
        sleep_ms(300);
        snprintf(text, sizeof(text), "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"result\":{\"ok\":1}}",
                 (long long)want_id);
        json_object *a = json_tokener_parse(text);
        int rc = sessc_deliver(w2, sid, PRINCIPAL, a);
        json_object_put(a);
        sessc_free(w2);
        _exit(rc == MCP_OK ? 0 : 1);
    }
    int64_t t0 = now_ms();
    assert_int_equal(sessc_await(f->sc, sid, PRINCIPAL, rid, 5000, &resp), MCP_OK);
    int64_t took = now_ms() - t0;
    printf("# await answered after %lld ms\n", (long long)took);
    assert_true(took >= 250 && took < 3000);
    assert_true(json_object_object_get_ex(resp, "result", &v));
    int st = reap_child(child, 5000);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    json_object_put(resp);
    json_object_put(msg);

    peer_free(p);
    wait_streams(f, 0);
    assert_int_equal(sessc_delete(f->sc, sid, PRINCIPAL), MCP_OK);
    json_object_put(params);
    json_object_put(rpc);
}

static void test_await_timeout(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1], id[SESSC_EVENT_ID_MAX];
    json_object *msg = NULL, *resp = (json_object *)1, *rid;

    create(f, sid);
    assert_int_equal(sessc_client_request(f->sc, sid, PRINCIPAL, "0", "roots/list", NULL, &msg, id),
                     MCP_OK);
    assert_true(json_object_object_get_ex(msg, "id", &rid));
    int64_t t0 = now_ms();
    assert_int_equal(sessc_await(f->sc, sid, PRINCIPAL, rid, 300, &resp), MCP_E_TIMEOUT);
    int64_t took = now_ms() - t0;
    printf("# await timed out after %lld ms\n", (long long)took);
    assert_true(took >= 280 && took < 300 + TIMEOUT_MS);
    assert_null(resp);
    /* sessiond forgot it: a late answer is dropped, a second await refused */
    json_object *answer = json_object_new_object();
    json_object_object_add(answer, "id", json_object_get(rid));
    json_object_object_add(answer, "result", json_object_new_object());
    assert_int_equal(sessc_deliver(f->sc2, sid, PRINCIPAL, answer), MCP_OK);
    assert_int_equal(sessc_await(f->sc, sid, PRINCIPAL, rid, 100, &resp), MCP_E_INVALID_PARAMS);
    json_object_put(answer);
    json_object_put(msg);
    /* the connection is fine afterwards */
    assert_int_equal(status_int(f, "streams"), 0);
    assert_int_equal(sessc_delete(f->sc, sid, PRINCIPAL), MCP_OK);
}

static void test_cancel(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1], k[SESSC_KEY_MAX], id[SESSC_EVENT_ID_MAX];
    json_object *rpc = json_object_new_int(42), *early = json_object_new_string("77");
    json_object *msg = NULL, *resp = NULL, *rid;
    int cancelled = -1;

    create(f, sid);
    assert_int_equal(sessc_stream_open(f->sc, sid, PRINCIPAL, rpc, k), MCP_OK);
    assert_int_equal(sessc_cancelled(f->sc, sid, PRINCIPAL, rpc, &cancelled), MCP_OK);
    assert_int_equal(cancelled, 0);
    assert_int_equal(
        sessc_client_request(f->sc, sid, PRINCIPAL, k, "elicitation/create", NULL, &msg, id),
        MCP_OK);
    assert_true(json_object_object_get_ex(msg, "id", &rid));
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        struct sessc *w2 = sessc_new(f->cfg);
        sleep_ms(300);
        int rc = sessc_cancel(w2, sid, PRINCIPAL, rpc);
        sessc_free(w2);
        _exit(rc == MCP_OK ? 0 : 1);
    }
    int64_t t0 = now_ms();
    assert_int_equal(sessc_await(f->sc, sid, PRINCIPAL, rid, 5000, &resp), MCP_E_CANCELLED);
    assert_true(now_ms() - t0 < 3000);
    int st = reap_child(child, 5000);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    json_object_put(msg);

    /* the stream reports it; nothing more is published; requests on it are refused */
    json_object *m = note("m", 1);
    assert_int_equal(sessc_stream_publish(f->sc, sid, PRINCIPAL, k, m, 0, id, &cancelled), MCP_OK);
    assert_int_equal(cancelled, 1);
    assert_string_equal(id, "");
    assert_int_equal(sessc_cancelled(f->sc, sid, PRINCIPAL, rpc, &cancelled), MCP_OK);
    assert_int_equal(cancelled, 1);
    assert_int_equal(sessc_client_request(f->sc, sid, PRINCIPAL, k, "x", NULL, &msg, id),
                     MCP_E_CANCELLED);
    assert_int_equal(
        sessc_stream_publish(f->sc, sid, PRINCIPAL, k, m, SESSC_PUBLISH_FINAL, id, &cancelled),
        MCP_OK);
    assert_int_equal(cancelled, 1);
    assert_int_equal(sessc_stream_open(f->sc, sid, PRINCIPAL, rpc, k), MCP_E_CANCELLED);
    /* a cancellation that overtakes its request */
    assert_int_equal(sessc_cancel(f->sc, sid, PRINCIPAL, early), MCP_OK);
    assert_int_equal(sessc_stream_open(f->sc, sid, PRINCIPAL, early, k), MCP_E_CANCELLED);
    json_object *other = json_object_new_int(77); /* the integer 77 is another id */
    assert_int_equal(sessc_stream_open(f->sc, sid, PRINCIPAL, other, k), MCP_OK);
    json_object_put(other);
    json_object_put(m);
    assert_int_equal(sessc_delete(f->sc, sid, PRINCIPAL), MCP_OK);
    json_object_put(rpc);
    json_object_put(early);
}

static void test_notify_uri_filter_and_watch(void **state)
{
    struct fx *f = *state;
    char a[IPC_SESSION_ID_LEN + 1], b[IPC_SESSION_ID_LEN + 1], ev[4096];
    struct peer *pa = NULL, *pb = NULL;
    json_object *m1 = note("notifications/resources/updated", 1);
    json_object *m2 = note("notifications/resources/updated", 2);
    json_object *m3 = note("notifications/resources/updated", 3);

    create(f, a);
    create(f, b);
    subscribe(f, a, "test://a");
    subscribe(f, a, "test://watched-resource");
    assert_int_equal(attach(f, a, NULL, &pa), MCP_OK);
    assert_int_equal(attach(f, b, NULL, &pb), MCP_OK);
    assert_int_equal(sessc_notify(f->sc, NULL, NULL, "test://a", m1), MCP_OK);   /* a only */
    assert_int_equal(sessc_notify(f->sc, b, PRINCIPAL, "test://a", m2), MCP_OK); /* nobody */
    assert_int_equal(sessc_notify(f->sc, NULL, NULL, NULL, m3), MCP_OK);         /* both */
    assert_true(peer_wait_text(pa, "\"n\":3", 2000));
    assert_true(peer_wait_text(pb, "\"n\":3", 2000));
    assert_null(strstr(pb->text, "\"n\":1"));
    assert_null(strstr(pa->text, "\"n\":2"));
    assert_null(strstr(pb->text, "\"n\":2"));

    /* the conformance set's watched resource changes every 3 s: a is told, b is not */
    assert_true(peer_wait_text(pa, "\"uri\":\"test://watched-resource\"", 4000));
    peer_drain(pb, 100);
    assert_null(strstr(pb->text, "watched-resource"));
    peer_events(pa, ev, sizeof(ev));
    assert_non_null(strstr(ev, "data={\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/"
                               "updated\",\"params\":{\"uri\":\"test://watched-resource\"}}"));
    peer_free(pa);
    peer_free(pb);
    wait_streams(f, 0);
    assert_int_equal(sessc_delete(f->sc, a, PRINCIPAL), MCP_OK);
    assert_int_equal(sessc_delete(f->sc, b, PRINCIPAL), MCP_OK);
    json_object_put(m1);
    json_object_put(m2);
    json_object_put(m3);
}

static void test_legacy_stream(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1], url[128], ev[2048], want[2048], id[SESSC_EVENT_ID_MAX];
    struct peer *p = NULL;
    json_object *s = NULL, *m = note("notifications/message", 9);

    create(f, sid);
    snprintf(url, sizeof(url), "/messages?session_id=%s", sid);
    assert_int_equal(attach_ex(f, sid, SESSC_ATTACH_LEGACY, NULL, NULL, 1, 0, &p),
                     MCP_E_INVALID_PARAMS); /* no endpoint */
    assert_int_equal(attach_ex(f, sid, SESSC_ATTACH_LEGACY, NULL, url, 1, 0, &p), MCP_OK);
    assert_true(peer_wait_text(p, url, 2000));
    assert_int_equal(sessc_notify(f->sc, sid, PRINCIPAL, NULL, m), MCP_OK);
    publish(f, sid, "0", 10, 0, id);
    assert_true(peer_wait_text(p, "\"n\":10", 2000));
    peer_events(p, ev, sizeof(ev));
    snprintf(want, sizeof(want),
             "event=endpoint;data=%s|event=message;data={\"jsonrpc\":\"2.0\",\"method\":"
             "\"notifications/message\",\"params\":{\"n\":9}}|event=message;data={\"jsonrpc\":"
             "\"2.0\",\"method\":\"m\",\"params\":{\"n\":10}}",
             url);
    assert_string_equal(ev, want);
    /* the session lives exactly as long as this connection */
    struct peer *q = NULL;
    assert_int_equal(attach(f, sid, NULL, &q), MCP_E_STREAM_CONFLICT);
    peer_free(p);
    int64_t deadline = now_ms() + 2000;
    enum mcp_err rc = MCP_OK;
    while (now_ms() < deadline && (rc = sessc_get(f->sc, sid, PRINCIPAL, &s)) == MCP_OK) {
        json_object_put(s);
        s = NULL;
        sleep_ms(20);
    }
    assert_int_equal(rc, MCP_E_SESSION_NOT_FOUND);
    wait_streams(f, 0);
    json_object_put(m);
}

static void test_delete_ends_streams(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1], k[SESSC_KEY_MAX], id[SESSC_EVENT_ID_MAX];
    struct peer *p = NULL, *q = NULL;

    create(f, sid);
    assert_int_equal(attach(f, sid, NULL, &p), MCP_OK);
    assert_int_equal(sessc_stream_open(f->sc, sid, PRINCIPAL, NULL, k), MCP_OK);
    publish(f, sid, k, 1, 0, id);
    assert_int_equal(attach(f, sid, id, &q), MCP_OK);
    assert_true(peer_wait_text(p, HEAD, 2000));
    assert_true(peer_wait_text(q, HEAD, 2000));
    assert_int_equal(sessc_delete(f->sc, sid, PRINCIPAL), MCP_OK);
    assert_true(peer_wait_end(p, 2000));
    assert_true(peer_wait_end(q, 2000));
    peer_free(p);
    peer_free(q);
    wait_streams(f, 0);
    assert_int_equal(attach(f, sid, NULL, &p), MCP_E_SESSION_NOT_FOUND);
}

static void test_polling_close(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1], id[SESSC_EVENT_ID_MAX], ev[1024], want[128];
    struct peer *p = NULL;

    create(f, sid);
    assert_int_equal(attach(f, sid, NULL, &p), MCP_OK);
    publish(f, sid, "0", 1, SESSC_PUBLISH_CLOSE, id);
    assert_true(peer_wait_end(p, 2000));
    peer_events(p, ev, sizeof(ev));
    snprintf(want, sizeof(want), "id=0.0;retry=%d;data=", RETRY_MS);
    assert_non_null(strstr(ev, want));
    peer_free(p);
    wait_streams(f, 0);
    /* the stream goes on: the client resumes it */
    publish(f, sid, "0", 2, 0, id);
    assert_int_equal(attach(f, sid, "0.0", &p), MCP_OK);
    assert_true(peer_wait_text(p, "id: 0.1\n", 2000));
    peer_free(p);
    wait_streams(f, 0);
    assert_int_equal(sessc_delete(f->sc, sid, PRINCIPAL), MCP_OK);
}

static void test_bad_requests(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1], k[SESSC_KEY_MAX], id[SESSC_EVENT_ID_MAX];
    struct peer *p = NULL;
    json_object *m = note("m", 1), *dbl = json_object_new_double(1.5);
    int cancelled;

    create(f, sid);
    assert_int_equal(attach(f, "00000000000000000000000000000000", NULL, &p),
                     MCP_E_SESSION_NOT_FOUND);
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    assert_int_equal(
        sessc_stream_attach(f->sc, sid, "someone-else", SESSC_ATTACH_GET, NULL, NULL, sv[1], 1, 0),
        MCP_E_SESSION_NOT_FOUND);
    /* a descriptor without its message kind: refused, nothing written */
    assert_int_equal(sessc_stream_attach(f->sc, sid, PRINCIPAL, (enum sessc_attach_kind)9, NULL,
                                         NULL, sv[1], 1, 0),
                     MCP_E_INVALID_PARAMS);
    char c;
    assert_int_equal(recv(sv[0], &c, 1, MSG_DONTWAIT), -1);
    close(sv[0]);
    close(sv[1]);
    assert_int_equal(
        sessc_stream_attach(f->sc, sid, PRINCIPAL, SESSC_ATTACH_GET, NULL, NULL, -1, 1, 0),
        MCP_E_INVALID_PARAMS);
    assert_int_equal(sessc_stream_publish(f->sc, sid, PRINCIPAL, "7", m, 0, id, &cancelled),
                     MCP_E_INVALID_PARAMS); /* no such stream */
    assert_int_equal(sessc_stream_publish(f->sc, sid, PRINCIPAL, "01", m, 0, id, &cancelled),
                     MCP_E_INVALID_PARAMS);
    assert_int_equal(sessc_stream_open(f->sc, sid, PRINCIPAL, dbl, k), MCP_E_INVALID_PARAMS);
    assert_int_equal(sessc_stream_open(f->sc, sid, "someone-else", NULL, k),
                     MCP_E_SESSION_NOT_FOUND);
    assert_int_equal(status_int(f, "streams"), 0);
    assert_int_equal(sessc_delete(f->sc, sid, PRINCIPAL), MCP_OK);
    json_object_put(m);
    json_object_put(dbl);
}

/* A web server that talks FastCGI over TCP (loopback): the connection is a TCP socket. */
static void test_tcp_connection(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1], id[SESSC_EVENT_ID_MAX];
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    assert_true(lfd >= 0);
    assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(lfd, 1), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
    int web = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(connect(web, (struct sockaddr *)&sa, sizeof(sa)), 0);
    int app = accept(lfd, NULL, NULL);
    assert_true(app >= 0);
    close(lfd);

    create(f, sid);
    assert_int_equal(
        sessc_stream_attach(f->sc, sid, PRINCIPAL, SESSC_ATTACH_GET, NULL, NULL, app, 9, 1),
        MCP_OK);
    close(app);
    struct peer *p = calloc(1, sizeof(*p));
    assert_non_null(p);
    p->fd = web;
    p->reqid = 9;
    p->cap = 4096;
    p->text = calloc(1, p->cap);
    publish(f, sid, "0", 1, 0, id);
    assert_true(peer_wait_text(p, "id: 0.0\n", 2000));
    assert_int_equal(strncmp(p->text, HEAD, strlen(HEAD)), 0);
    assert_int_equal(sessc_delete(f->sc, sid, PRINCIPAL), MCP_OK);
    assert_true(peer_wait_end(p, 2000));
    peer_free(p);
    wait_streams(f, 0);
}

/* A raw control connection. */
static int raw_connect(const struct fx *f)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct timeval tv = {3, 0};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    assert_true(fd >= 0);
    memcpy(sa.sun_path, f->cfg->sessiond_socket, strlen(f->cfg->sessiond_socket) + 1);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

/* An AWAIT holds the connection's reply; a frame sent meanwhile breaks the protocol: the
 * connection is closed and the await forgotten (the request with it). */
static void test_frame_while_awaiting(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1], id[SESSC_EVENT_ID_MAX];
    json_object *msg = NULL, *rid, *resp = NULL;
    unsigned char buf[512];
    size_t l1, l2;

    create(f, sid);
    assert_int_equal(sessc_client_request(f->sc, sid, PRINCIPAL, "0", "roots/list", NULL, &msg, id),
                     MCP_OK);
    assert_true(json_object_object_get_ex(msg, "id", &rid));
    json_object *req = json_object_new_object();
    json_object_object_add(req, "id", json_object_new_string(sid));
    json_object_object_add(req, "principal", json_object_new_string(PRINCIPAL));
    json_object_object_add(req, "req_id", json_object_get(rid));
    json_object_object_add(req, "timeout_ms", json_object_new_int(5000));
    json_object *empty = json_object_new_object();
    assert_int_equal(ipc_encode(IPC_AWAIT, 1, req, buf, sizeof(buf), &l1), MCP_OK);
    assert_int_equal(ipc_encode(IPC_STATUS, 2, empty, buf + l1, sizeof(buf) - l1, &l2), MCP_OK);
    int fd = raw_connect(f);
    assert_int_equal(send(fd, buf, l1, MSG_NOSIGNAL), (ssize_t)l1);
    sleep_ms(100);
    assert_int_equal(send(fd, buf + l1, l2, MSG_NOSIGNAL), (ssize_t)l2);
    assert_int_equal(recv(fd, buf, 1, 0), 0); /* closed, no reply */
    close(fd);
    assert_int_equal(sessc_await(f->sc, sid, PRINCIPAL, rid, 100, &resp), MCP_E_INVALID_PARAMS);
    json_object_put(req);
    json_object_put(empty);
    json_object_put(msg);
    assert_int_equal(sessc_delete(f->sc, sid, PRINCIPAL), MCP_OK);
}

/* A session that ends while a worker awaits: the await answers at once. */
static void test_delete_answers_await(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1], id[SESSC_EVENT_ID_MAX];
    json_object *msg = NULL, *rid, *resp = NULL;

    create(f, sid);
    assert_int_equal(sessc_client_request(f->sc, sid, PRINCIPAL, "0", "roots/list", NULL, &msg, id),
                     MCP_OK);
    assert_true(json_object_object_get_ex(msg, "id", &rid));
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        struct sessc *w2 = sessc_new(f->cfg);
        sleep_ms(300);
        int rc = sessc_delete(w2, sid, PRINCIPAL);
        sessc_free(w2);
        _exit(rc == MCP_OK ? 0 : 1);
    }
    int64_t t0 = now_ms();
    assert_int_equal(sessc_await(f->sc, sid, PRINCIPAL, rid, 5000, &resp), MCP_E_SESSION_NOT_FOUND);
    assert_true(now_ms() - t0 < 3000);
    int st = reap_child(child, 5000);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    json_object_put(msg);
}

/* --- subscriptions/listen (2026-07-28) -------------------------------------------------- */

#define SUB_META(id) "\"_meta\":{\"io.modelcontextprotocol/subscriptionId\":" id "}"
#define ACK(id, notifications)                                                                     \
    "data={\"jsonrpc\":\"2.0\",\"method\":\"notifications/subscriptions/acknowledged\","           \
    "\"params\":{" SUB_META(id) ",\"notifications\":" notifications "}}"
/* note(method, n) as a listen stream of request id gets it */
#define LNOTE(method, n, id)                                                                       \
    "data={\"jsonrpc\":\"2.0\",\"method\":\"" method "\",\"params\":{\"n\":" #n                    \
    "," SUB_META(id) "}}"

/* Sends note(method, n) to every session and listen stream (sessc_notify without a session). */
static void broadcast(struct fx *f, const char *uri, const char *method, int n)
{
    json_object *m = note(method, n);

    assert_int_equal(sessc_notify(f->sc, NULL, NULL, uri, m), MCP_OK);
    json_object_put(m);
}

/* Reads p for ms and asserts its events are exactly want. */
static void peer_expect(struct peer *p, int ms, const char *want)
{
    char ev[8192];

    peer_drain(p, ms);
    peer_events(p, ev, sizeof(ev));
    assert_string_equal(ev, want);
    assert_false(p->bad);
}

static void test_listen_ack_heartbeat_eof_abort(void **state)
{
    struct fx *f = *state;
    struct peer *p = NULL, *q = NULL;
    const unsigned char abort_rec[8] = {1, 2, 0, 3, 0, 0, 0, 0};

    assert_int_equal(listen_ex(f, "\"L1\"",
                               "{\"toolsListChanged\":true,\"x\":1,"
                               "\"resourceSubscriptions\":[\"test://a\"]}",
                               5, 0, &p),
                     MCP_OK);
    assert_true(peer_wait_text(p, "acknowledged", 2000));
    /* the head, then the acknowledgement before anything else; unknown members left out */
    assert_int_equal(strncmp(p->text, HEAD "data: {", strlen(HEAD "data: {")), 0);
    peer_expect(p, 50,
                ACK("\"L1\"", "{\"toolsListChanged\":true,\"resourceSubscriptions\":"
                              "[\"test://a\"]}"));
    assert_int_equal(status_int(f, "streams"), 1);
    assert_int_equal(status_int(f, "listen_streams"), 1);
    /* heartbeats like every held stream; never an SSE id */
    assert_true(peer_wait_text(p, ": ping\n\n", 2500));
    broadcast(f, NULL, "notifications/tools/list_changed", 1);
    assert_true(peer_wait_text(p, "\"n\":1", 2000));
    assert_null(strstr(p->text, "id: "));
    assert_false(p->eof);
    /* the client closes the connection: the subscription is freed */
    peer_free(p);
    wait_streams(f, 0);
    assert_int_equal(status_int(f, "listen_streams"), 0);

    /* the web server aborts the request: ended cleanly, freed */
    assert_int_equal(listen_ex(f, "3", "{}", 3, 0, &q), MCP_OK);
    assert_true(peer_wait_text(q, "acknowledged", 2000));
    assert_int_equal(send(q->fd, abort_rec, sizeof(abort_rec), 0), (ssize_t)sizeof(abort_rec));
    assert_true(peer_wait_end(q, 2000));
    peer_free(q);
    wait_streams(f, 0);
    assert_int_equal(status_int(f, "listen_streams"), 0);
}

static void test_listen_filters_and_notify(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1];
    struct peer *pp = NULL, *pt = NULL, *pr = NULL, *g = NULL;
    json_object *m;

    create(f, sid);
    assert_int_equal(attach(f, sid, NULL, &g), MCP_OK);
    assert_int_equal(listen_on(f, "7", "{\"promptsListChanged\":true}", &pp), MCP_OK);
    assert_int_equal(
        listen_on(f, "\"t\"", "{\"toolsListChanged\":true,\"resourcesListChanged\":true}", &pt),
        MCP_OK);
    assert_int_equal(listen_on(f, "9",
                               "{\"resourceSubscriptions\":[\"test://a\",\"test://c\"],"
                               "\"promptsListChanged\":false}",
                               &pr),
                     MCP_OK);
    broadcast(f, NULL, "notifications/tools/list_changed", 1);
    broadcast(f, NULL, "notifications/prompts/list_changed", 2);
    broadcast(f, NULL, "notifications/resources/list_changed", 3);
    /* resources/updated: by params.uri; other params and _meta members kept */
    m = json_tokener_parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/updated\","
                           "\"params\":{\"uri\":\"test://a\",\"_meta\":{\"k\":\"v\"}}}");
    assert_int_equal(sessc_notify(f->sc, NULL, NULL, NULL, m), MCP_OK);
    json_object_put(m);
    m = json_tokener_parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/updated\","
                           "\"params\":{\"uri\":\"test://b\"}}");
    assert_int_equal(sessc_notify(f->sc, NULL, NULL, NULL, m), MCP_OK);
    json_object_put(m);
    /* never on listen streams: logs, progress, anything else */
    broadcast(f, NULL, "notifications/message", 4);
    broadcast(f, NULL, "notifications/progress", 5);
    broadcast(f, NULL, "m", 6);
    /* a session's own notification is the session's */
    m = note("notifications/tools/list_changed", 7);
    assert_int_equal(sessc_notify(f->sc, sid, PRINCIPAL, NULL, m), MCP_OK);
    json_object_put(m);
    /* a sender's uri filter: only streams subscribed to it, and only kinds they asked for */
    broadcast(f, "test://a", "notifications/tools/list_changed", 8);
    broadcast(f, "test://c", "notifications/resources/list_changed", 9);
    assert_true(peer_wait_text(g, "\"n\":7", 2000));

    peer_expect(pp, 100,
                ACK("7", "{\"promptsListChanged\":true}") "|" LNOTE(
                    "notifications/prompts/list_changed", 2, "7"));
    peer_expect(pt, 100,
                ACK("\"t\"", "{\"toolsListChanged\":true,\"resourcesListChanged\":true}") "|" LNOTE(
                    "notifications/tools/list_changed", 1,
                    "\"t\"") "|" LNOTE("notifications/resources/list_changed", 3, "\"t\""));
    peer_expect(
        pr, 100,
        ACK("9",
            "{\"resourceSubscriptions\":[\"test://a\",\"test://c\"],"
            "\"promptsListChanged\":false}") "|"
                                             "data={\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
                                             "resources/"
                                             "updated\",\"params\":{\"uri\":\"test://"
                                             "a\",\"_meta\":{\"k\":\"v\","
                                             "\"io.modelcontextprotocol/subscriptionId\":9}}}");
    /* the session's GET stream got the broadcasts as before, without subscription ids */
    assert_non_null(strstr(g->text, "\"method\":\"notifications/message\""));
    assert_null(strstr(g->text, "subscriptionId"));
    peer_free(pp);
    peer_free(pt);
    peer_free(pr);
    peer_free(g);
    wait_streams(f, 0);
    assert_int_equal(sessc_delete(f->sc, sid, PRINCIPAL), MCP_OK);
}

/* The resource watch (test://watched-resource every 3 s) reaches subscribed listen streams. */
static void test_listen_watch(void **state)
{
    struct fx *f = *state;
    struct peer *w = NULL, *x = NULL;

    assert_int_equal(
        listen_on(f, "\"w\"", "{\"resourceSubscriptions\":[\"test://watched-resource\"]}", &w),
        MCP_OK);
    assert_int_equal(listen_on(f, "\"x\"",
                               "{\"toolsListChanged\":true,\"promptsListChanged\":true,"
                               "\"resourcesListChanged\":true}",
                               &x),
                     MCP_OK);
    assert_true(peer_wait_text(w, "\"uri\":\"test://watched-resource\"", 4000));
    assert_non_null(strstr(w->text, "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
                                    "resources/updated\",\"params\":{\"uri\":\"test://"
                                    "watched-resource\"," SUB_META("\"w\"") "}}\n\n"));
    peer_drain(x, 100);
    assert_null(strstr(x->text, "watched-resource"));
    peer_free(w);
    peer_free(x);
    wait_streams(f, 0);
}

/* SIGHUP with changed server.sets: each listen stream gets the list_changed kinds it asked
 * for, in one write, with its subscription id. */
static void test_listen_reload(void **state)
{
    struct fx *f = *state;
    struct peer *pp = NULL, *pa = NULL, *pn = NULL;

    assert_int_equal(listen_on(f, "1", "{\"promptsListChanged\":true}", &pp), MCP_OK);
    assert_int_equal(listen_on(f, "2",
                               "{\"toolsListChanged\":true,\"promptsListChanged\":true,"
                               "\"resourcesListChanged\":true}",
                               &pa),
                     MCP_OK);
    assert_int_equal(listen_on(f, "3", "{\"toolsListChanged\":false}", &pn), MCP_OK);
    assert_true(peer_wait_text(pn, "acknowledged", 2000));
    assert_int_equal(write_conf(f, 60, ""), 0);
    assert_int_equal(kill(f->pid, SIGHUP), 0);
    assert_true(peer_wait_text(pa, "resources/list_changed", 2000));
    assert_int_equal(write_conf(f, 60, "\"conformance\""), 0);
    assert_int_equal(kill(f->pid, SIGHUP), 0);
    int64_t deadline = now_ms() + 3000;
    while (now_ms() < deadline &&
           strstr(strstr(pa->text, "resources/list_changed") + 1, "resources/list_changed") == NULL)
        peer_pump(pa, 20);
#define TRIO(id)                                                                                   \
    "data={\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/"                                  \
    "list_changed\",\"params\":{" SUB_META(                                                        \
        id) "}}|data={\"jsonrpc\":\"2.0\",\"method\":\"notifications/prompts/"                     \
            "list_changed\",\"params\":{" SUB_META(id) "}}|data={\"jsonrpc\":\"2.0\","             \
                                                       "\"method\":\"notifications/"               \
                                                       "resources/list_changed\","                 \
                                                       "\"params\":{" SUB_META(id) "}}"
    peer_expect(pa, 100,
                ACK("2", "{\"toolsListChanged\":true,\"promptsListChanged\":true,"
                         "\"resourcesListChanged\":true}") "|" TRIO("2") "|" TRIO("2"));
#undef TRIO
    peer_expect(
        pp, 100,
        ACK("1", "{\"promptsListChanged\":true}") "|"
                                                  "data={\"jsonrpc\":\"2.0\",\"method\":"
                                                  "\"notifications/prompts/list_changed\","
                                                  "\"params\":{" SUB_META(
                                                      "1") "}}|"
                                                           "data={\"jsonrpc\":\"2.0\",\"method\":"
                                                           "\"notifications/prompts/list_changed\","
                                                           "\"params\":{" SUB_META("1") "}}");
    peer_expect(pn, 100, ACK("3", "{\"toolsListChanged\":false}"));
    peer_free(pp);
    peer_free(pa);
    peer_free(pn);
    wait_streams(f, 0);
}

/* streams.max counts listen streams with every other held connection. */
static void test_listen_caps(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1];
    struct peer *held[MAX_TOTAL] = {0}, *p = NULL;

    create(f, sid);
    assert_int_equal(attach(f, sid, NULL, &held[0]), MCP_OK);
    for (int i = 1; i < MAX_TOTAL; i++)
        assert_int_equal(listen_on(f, "1", "{\"toolsListChanged\":true}", &held[i]), MCP_OK);
    assert_int_equal(status_int(f, "streams"), MAX_TOTAL);
    assert_int_equal(status_int(f, "listen_streams"), MAX_TOTAL - 1);
    assert_int_equal(listen_on(f, "1", "{}", &p), MCP_E_STREAMS_FULL);
    peer_free(held[0]);
    held[0] = NULL;
    wait_streams(f, MAX_TOTAL - 1);
    assert_int_equal(listen_on(f, "1", "{}", &held[0]), MCP_OK);
    assert_int_equal(attach(f, sid, NULL, &p), MCP_E_STREAMS_FULL);
    for (int i = 0; i < MAX_TOTAL; i++)
        peer_free(held[i]);
    wait_streams(f, 0);
    assert_int_equal(status_int(f, "listen_streams"), 0);
    assert_int_equal(sessc_delete(f->sc, sid, PRINCIPAL), MCP_OK);
}

static void test_listen_slow_reader(void **state)
{
    struct fx *f = *state;
    struct peer *s = NULL, *q = NULL;
    char big[2200];

    assert_int_equal(listen_ex(f, "\"slow\"", "{\"toolsListChanged\":true}", 1, 4096, &s), MCP_OK);
    assert_int_equal(listen_on(f, "\"fast\"", "{\"promptsListChanged\":true}", &q), MCP_OK);
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    json_object *msg = json_object_new_object(), *params = json_object_new_object();
    json_object_object_add(msg, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(msg, "method",
                           json_object_new_string("notifications/tools/list_changed"));
    json_object_object_add(params, "pad", json_object_new_string(big));
    json_object_object_add(msg, "params", params);
    int i;
    for (i = 0; i < 400 && status_int(f, "streams") == 2; i++)
        assert_int_equal(sessc_notify(f->sc, NULL, NULL, NULL, msg), MCP_OK);
    printf("# slow listen stream dropped after %d notifications\n", i);
    assert_true(i < 400);
    assert_int_equal(status_int(f, "listen_streams"), 1);
    broadcast(f, NULL, "notifications/prompts/list_changed", 1);
    assert_true(peer_wait_text(q, "\"n\":1", 2000));
    peer_drain(s, 2000);
    assert_true(s->eof);
    assert_false(s->ended);
    peer_free(s);
    peer_free(q);
    wait_streams(f, 0);
    json_object_put(msg);
}

/* The reply err of one raw request (payload JSON text) on a fresh control connection. */
static enum mcp_err raw_call(struct fx *f, uint16_t type, const char *payload)
{
    unsigned char buf[4096];
    json_object *req = json_tokener_parse(payload);
    struct ipc_dec *d = ipc_dec_new();
    struct ipc_frame fr = {0};
    enum mcp_err err = MCP_E__COUNT;
    size_t len, used;

    assert_int_equal(ipc_encode(type, 1, req, buf, sizeof(buf), &len), MCP_OK);
    int fd = raw_connect(f);
    assert_int_equal(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
    while (fr.payload == NULL) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        assert_true(n > 0);
        assert_int_equal(ipc_dec_feed(d, buf, (size_t)n, &used, &fr), MCP_OK);
    }
    assert_int_equal(fr.type, type | IPC_REPLY);
    assert_int_equal(ipc_reply_err(fr.payload, &err), MCP_OK);
    json_object_put(fr.payload);
    json_object_put(req);
    ipc_dec_free(d);
    close(fd);
    return err;
}

static void test_listen_bad_payloads(void **state)
{
    struct fx *f = *state;
    struct peer *p = NULL;
    char text[4 * 1024 + 64 * 16], *t;
    json_object *id = json_object_new_int(1), *n = json_object_new_object();
    json_object *dbl = json_object_new_double(1.5), *arr = json_object_new_array();
    int sv[2];

    /* refused by sessc itself: the descriptor never leaves */
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    assert_int_equal(sessc_listen_attach(f->sc, NULL, id, n, sv[1], 1, 0), MCP_E_INVALID_PARAMS);
    assert_int_equal(sessc_listen_attach(f->sc, PRINCIPAL, NULL, n, sv[1], 1, 0),
                     MCP_E_INVALID_PARAMS);
    assert_int_equal(sessc_listen_attach(f->sc, PRINCIPAL, dbl, n, sv[1], 1, 0),
                     MCP_E_INVALID_PARAMS);
    assert_int_equal(sessc_listen_attach(f->sc, PRINCIPAL, id, NULL, sv[1], 1, 0),
                     MCP_E_INVALID_PARAMS);
    assert_int_equal(sessc_listen_attach(f->sc, PRINCIPAL, id, arr, sv[1], 1, 0),
                     MCP_E_INVALID_PARAMS);
    assert_int_equal(sessc_listen_attach(f->sc, PRINCIPAL, id, n, -1, 1, 0), MCP_E_INVALID_PARAMS);
    assert_int_equal(sessc_listen_attach(f->sc, PRINCIPAL, id, n, sv[1], 0, 0),
                     MCP_E_INVALID_PARAMS);
    assert_int_equal(sessc_listen_attach(f->sc, PRINCIPAL, id, n, sv[1], 65536, 0),
                     MCP_E_INVALID_PARAMS);
    /* sessiond down (no socket there): MCP_E_UNAVAILABLE, the worker keeps the connection */
    struct mcp_cfg *gone = malloc(sizeof(*gone));
    assert_non_null(gone);
    memcpy(gone, f->cfg, sizeof(*gone));
    snprintf(gone->sessiond_socket, sizeof(gone->sessiond_socket), "%s/none.sock", f->dir);
    struct sessc *sc = sessc_new(gone);
    assert_int_equal(sessc_listen_attach(sc, PRINCIPAL, id, n, sv[1], 1, 0), MCP_E_UNAVAILABLE);
    sessc_free(sc);
    free(gone);
    char c;
    assert_int_equal(recv(sv[0], &c, 1, MSG_DONTWAIT), -1);
    close(sv[0]);
    close(sv[1]);

    /* refused by sessiond, nothing written */
    assert_int_equal(listen_on(f, "1", "{\"toolsListChanged\":\"yes\"}", &p), MCP_E_INVALID_PARAMS);
    assert_int_equal(listen_on(f, "1", "{\"resourceSubscriptions\":\"test://a\"}", &p),
                     MCP_E_INVALID_PARAMS);
    assert_int_equal(listen_on(f, "1", "{\"resourceSubscriptions\":[\"\"]}", &p),
                     MCP_E_INVALID_PARAMS);
    assert_int_equal(listen_on(f, "1", "{\"resourceSubscriptions\":[7]}", &p),
                     MCP_E_INVALID_PARAMS);
    /* 65 URIs; 64 are fine */
    t = text + snprintf(text, sizeof(text), "{\"resourceSubscriptions\":[");
    for (int i = 0; i < 64; i++)
        t += snprintf(t, 32, "%s\"test://%d\"", i ? "," : "", i);
    snprintf(t, 8, "]}");
    assert_int_equal(listen_on(f, "1", text, &p), MCP_OK);
    peer_free(p);
    snprintf(t, 32, ",\"test://64\"]}");
    assert_int_equal(listen_on(f, "1", text, &p), MCP_E_INVALID_PARAMS);
    /* a URI of 2049 bytes; 2048 are fine */
    t = text + snprintf(text, sizeof(text), "{\"resourceSubscriptions\":[\"");
    memset(t, 'u', IPC_MAX_URI);
    snprintf(t + IPC_MAX_URI, 8, "\"]}");
    assert_int_equal(listen_on(f, "1", text, &p), MCP_OK);
    peer_free(p);
    t[IPC_MAX_URI] = 'u';
    snprintf(t + IPC_MAX_URI + 1, 8, "\"]}");
    assert_int_equal(listen_on(f, "1", text, &p), MCP_E_INVALID_PARAMS);
    /* an id longer than 255 bytes as JSON */
    text[0] = '"';
    memset(text + 1, 'i', 300);
    snprintf(text + 301, 8, "\"");
    assert_int_equal(listen_on(f, text, "{}", &p), MCP_E_INVALID_PARAMS);
    /* a frame without its descriptor; members missing */
    assert_int_equal(raw_call(f, IPC_LISTEN_ATTACH,
                              "{\"principal\":\"u\",\"rpc_id\":1,\"notifications\":{},"
                              "\"request_id\":1}"),
                     MCP_E_INVALID_PARAMS);
    assert_int_equal(raw_call(f, IPC_LISTEN_ATTACH, "{}"), MCP_E_INVALID_PARAMS);
    wait_streams(f, 0);
    assert_int_equal(status_int(f, "listen_streams"), 0);
    json_object_put(id);
    json_object_put(n);
    json_object_put(dbl);
    json_object_put(arr);
}

/* SIGHUP: server.sets changes -> list_changed x3 to every session with a stream 0; and a
 * short sessions.idle_timeout: expiry ends held connections cleanly. */
static void test_reload_list_changed_and_expiry(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1];
    struct peer *p = NULL;

    create(f, sid);
    assert_int_equal(attach(f, sid, NULL, &p), MCP_OK);
    assert_true(peer_wait_text(p, HEAD, 2000));
    assert_int_equal(write_conf(f, 1, ""), 0);
    assert_int_equal(kill(f->pid, SIGHUP), 0);
    assert_true(peer_wait_text(p, "notifications/resources/list_changed", 2000));
    assert_non_null(strstr(p->text, "\"method\":\"notifications/tools/list_changed\"}"));
    assert_non_null(strstr(p->text, "\"method\":\"notifications/prompts/list_changed\"}"));
    /* no request for more than 1 s: the session expires and its stream ends */
    assert_true(peer_wait_end(p, 4000));
    peer_free(p);
    wait_streams(f, 0);
    assert_int_equal(attach(f, sid, NULL, &p), MCP_E_SESSION_NOT_FOUND);
    /* back to the group's settings */
    assert_int_equal(write_conf(f, 60, "\"conformance\""), 0);
    assert_int_equal(kill(f->pid, SIGHUP), 0);
    int64_t deadline = now_ms() + 3000;
    while (status_int(f, "idle_timeout_s") != 60 && now_ms() < deadline)
        sleep_ms(20);
    assert_int_equal(status_int(f, "idle_timeout_s"), 60);
}

static void test_sigterm_ends_streams(void **state)
{
    struct fx *f = *state;
    char sid[IPC_SESSION_ID_LEN + 1], want[64];
    struct peer *p = NULL, *q = NULL;

    create(f, sid);
    assert_int_equal(attach(f, sid, NULL, &p), MCP_OK);
    char other[IPC_SESSION_ID_LEN + 1], url[128];
    create(f, other);
    snprintf(url, sizeof(url), "/messages?session_id=%s", other);
    assert_int_equal(attach_ex(f, other, SESSC_ATTACH_LEGACY, NULL, url, 1, 0, &q), MCP_OK);
    assert_true(peer_wait_text(p, HEAD, 2000));
    assert_true(peer_wait_text(q, url, 2000));
    struct peer *l = NULL;
    assert_int_equal(listen_ex(f, "\"bye\"", "{\"toolsListChanged\":true}", 4, 0, &l), MCP_OK);
    assert_true(peer_wait_text(l, "acknowledged", 2000));
    /* another worker awaits an answer at that moment */
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        struct sessc *w2 = sessc_new(f->cfg);
        char eid[SESSC_EVENT_ID_MAX];
        json_object *msg = NULL, *resp = NULL, *rid;
        int rc = sessc_client_request(w2, sid, PRINCIPAL, "0", "roots/list", NULL, &msg, eid);
        if (rc == MCP_OK && json_object_object_get_ex(msg, "id", &rid))
            rc = sessc_await(w2, sid, PRINCIPAL, rid, 5000, &resp);
        json_object_put(msg);
        sessc_free(w2);
        _exit(rc == MCP_E_UNAVAILABLE ? 0 : 1);
    }
    assert_true(peer_wait_text(p, "roots/list", 2000));
    sleep_ms(100);
    assert_int_equal(kill(f->pid, SIGTERM), 0);
    assert_true(peer_wait_end(p, 3000));
    assert_true(peer_wait_end(q, 3000));
    snprintf(want, sizeof(want), "retry: %d\n\n", RETRY_MS);
    assert_non_null(strstr(p->text, want));
    /* a listen stream: the JSON-RPC response that completes it, then END_REQUEST; no retry */
    assert_true(peer_wait_end(l, 3000));
    assert_null(strstr(l->text, "retry:"));
    peer_expect(
        l, 100,
        ACK("\"bye\"", "{\"toolsListChanged\":true}") "|data={\"jsonrpc\":\"2.0\","
                                                      "\"id\":\"bye\",\"result\":{\"resultType\":"
                                                      "\"complete\"," SUB_META("\"bye\"") "}}");
    int st = reap_child(f->pid, 10000);
    f->pid = 0;
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0); /* under ASan: LeakSanitizer found nothing */
    st = reap_child(child, 5000);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    peer_free(p);
    peer_free(q);
    peer_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_head_events_heartbeat),
        cmocka_unit_test(test_conflict_and_eof),
        cmocka_unit_test(test_replay_post_stream),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_slow_reader_dropped),
        cmocka_unit_test(test_abort_record),
        cmocka_unit_test(test_client_request_roundtrip),
        cmocka_unit_test(test_await_timeout),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_notify_uri_filter_and_watch),
        cmocka_unit_test(test_legacy_stream),
        cmocka_unit_test(test_delete_ends_streams),
        cmocka_unit_test(test_polling_close),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_tcp_connection),
        cmocka_unit_test(test_frame_while_awaiting),
        cmocka_unit_test(test_delete_answers_await),
        cmocka_unit_test(test_listen_ack_heartbeat_eof_abort),
        cmocka_unit_test(test_listen_filters_and_notify),
        cmocka_unit_test(test_listen_watch),
        cmocka_unit_test(test_listen_reload),
        cmocka_unit_test(test_listen_caps),
        cmocka_unit_test(test_listen_slow_reader),
        cmocka_unit_test(test_listen_bad_payloads),
        cmocka_unit_test(test_reload_list_changed_and_expiry),
        cmocka_unit_test(test_sigterm_ends_streams),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("sdstream", tests, group_setup, group_teardown);
}
