/* srv.c - mcp-sessiond's libuv loop: control socket, request dispatch, reaper, signals. */
#include "srv.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "alloc.h"
#include "hold.h"
#include "ipc.h"
#include "route.h"
#include "rpc.h"
#include "sess.h"
#include "watch.h"

#define SRV_BACKLOG    128
#define SRV_MAX_QUEUED (4u * (IPC_HDR_LEN + IPC_MAX_PAYLOAD)) /* unsent reply bytes per peer */
#define SRV_MAX_WATCH  8  /* entries of the watch table sessiond follows */
#define SRV_WATCH_LAG  50 /* ms after a watched resource's change before notifying */

struct srv_conn {
    uv_pipe_t pipe; /* IPC pipe (ipc=1) so descriptors can arrive later; data = this */
    struct srv *srv;
    struct ipc_dec *dec;
    pid_t pid; /* peer, from SO_PEERCRED; 0 until checked */
    bool closing;
    struct hold_conn *fds[IPC_MAX_FDS]; /* received descriptors not yet taken, oldest first;
                                           NULL for one that was unusable */
    size_t n_fds;
    struct route_wait *wait; /* the deferred reply in progress (IPC_AWAIT), or NULL */
    uint16_t wait_type;
    uint32_t wait_seq;
    LIST_ENTRY(srv_conn) link;
};

LIST_HEAD(srv_conns, srv_conn);

/* A queued reply; freed by its write callback. */
struct srv_write {
    uv_write_t req;
    void *buf;
};

struct srv {
    uv_loop_t loop;
    bool loop_ready;
    uv_pipe_t listener;
    uv_timer_t reaper;
    uv_timer_t watch;                    /* next change of a watched resource (watch.h) */
    int64_t watch_window[SRV_MAX_WATCH]; /* time(NULL) / period_s last notified */
    uv_signal_t sig_int, sig_term, sig_hup;
    struct mcp_cfg cfg; /* the current configuration (replaced on SIGHUP) */
    char cfg_path[PATH_MAX];
    char runtime_override[PATH_MAX]; /* -r, "" when not given */
    char sock_path[PATH_MAX];        /* the socket we bound (kept across reloads) */
    struct sess_table *sessions;
    struct route *route; /* streams (route.h) */
    struct srv_conns conns;
    size_t n_conns;
    int64_t started_ms;
    bool stopping;
    char rbuf[IPC_MAX_PAYLOAD]; /* shared read buffer: each read is consumed at once */
};

void srv_log(const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    /* A truncated line is still worth logging, marked as such. */
    fprintf(stderr, "mcp-sessiond: %s%s\n", line, n >= (int)sizeof(line) ? "..." : "");
}

/* Reaper period: half the idle timeout, clamped to 1..30 s. */
static uint64_t srv_reap_interval_ms(const struct mcp_cfg *cfg)
{
    uint64_t ms = (uint64_t)cfg->session_idle_timeout * 1000 / 2;
    if (ms < 1000)
        ms = 1000;
    if (ms > 30000)
        ms = 30000;
    return ms;
}

/* --- connections ------------------------------------------------------------------------ */

static void srv_conn_closed(uv_handle_t *h)
{
    struct srv_conn *c = h->data;

    LIST_REMOVE(c, link);
    c->srv->n_conns--;
    ipc_dec_free(c->dec);
    free(c);
}

/* Starts closing c (idempotent); queued writes are cancelled, an await in progress is
 * forgotten, descriptors not taken are closed, c is freed afterwards. */
static void srv_conn_close(struct srv_conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    route_wait_abandon(c->wait);
    c->wait = NULL;
    for (size_t i = 0; i < c->n_fds; i++)
        hold_discard(c->fds[i]);
    c->n_fds = 0;
    uv_close((uv_handle_t *)&c->pipe, srv_conn_closed);
}

static void srv_conn_written(uv_write_t *req, int status)
{
    struct srv_write *w = req->data;
    struct srv_conn *c = req->handle->data;

    free(w->buf);
    free(w);
    if (status < 0 && status != UV_ECANCELED && !c->closing) {
        srv_log("worker pid %d: write: %s; closing its connection", (int)c->pid,
                uv_strerror(status));
        srv_conn_close(c);
    }
}

/* Queues reply (borrowed) as the answer to a request of type and seq. */
static void srv_conn_reply(struct srv_conn *c, uint16_t type, uint32_t seq, json_object *reply)
{
    struct srv_write *w = NULL;
    void *buf = NULL;
    size_t len = 0;
    uint16_t rtype = (uint16_t)(type | IPC_REPLY);

    if (ipc_encode_new(rtype, seq, reply, &buf, &len) != MCP_OK) {
        /* Cannot happen for replies sess.c bounds; answer something rather than nothing. */
        json_object *e = ipc_reply_new(MCP_E_INTERNAL, "the reply does not fit one frame");
        enum mcp_err rc = ipc_encode_new(rtype, seq, e, &buf, &len);
        json_object_put(e);
        if (rc != MCP_OK)
            goto fail;
    }
    w = xmalloc(sizeof(*w));
    w->buf = buf;
    w->req.data = w;
    uv_buf_t b = uv_buf_init(buf, (unsigned)len);
    int r = uv_write(&w->req, (uv_stream_t *)&c->pipe, &b, 1, srv_conn_written);
    if (r < 0) {
        free(w);
        srv_log("worker pid %d: write: %s; closing its connection", (int)c->pid, uv_strerror(r));
        goto fail;
    }
    if (uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe) > SRV_MAX_QUEUED) {
        srv_log("worker pid %d does not read its replies; closing its connection", (int)c->pid);
        srv_conn_close(c);
    }
    return;
fail:
    free(buf);
    srv_conn_close(c);
}

/* --- requests --------------------------------------------------------------------------- */

/* The string member name of req (borrowed) when present, a string without NUL bytes, and at
 * most max bytes; NULL otherwise. */
static const char *srv_str(json_object *req, const char *name, size_t max)
{
    json_object *v;

    if (!json_object_object_get_ex(req, name, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    const char *str = json_object_get_string(v);
    size_t len = (size_t)json_object_get_string_len(v);
    if (len > max || strlen(str) != len)
        return NULL;
    return str;
}

/* The object member name of req (borrowed): *out = NULL when absent. False when present but
 * not an object. */
static bool srv_obj(json_object *req, const char *name, json_object **out)
{
    *out = NULL;
    if (!json_object_object_get_ex(req, name, out))
        return true;
    return json_object_is_type(*out, json_type_object);
}

/* A reply carrying rc, why, and (on MCP_OK) member name = value (taken). */
static json_object *srv_result(enum mcp_err rc, const char *why, const char *name,
                               json_object *value)
{
    json_object *reply = ipc_reply_new(rc, rc == MCP_OK ? NULL : why);

    if (rc == MCP_OK && name != NULL)
        json_object_object_add(reply, name, value);
    else
        json_object_put(value);
    return reply;
}

static json_object *srv_do_create(struct srv *s, const struct sess_now *now, json_object *req)
{
    const char *principal = srv_str(req, "principal", IPC_MAX_PRINCIPAL);
    const char *version = srv_str(req, "version", IPC_MAX_VERSION);
    json_object *caps, *info, *session = NULL;
    const char *why = NULL;
    enum mcp_err rc;

    if (principal == NULL || version == NULL)
        return ipc_reply_new(MCP_E_INVALID_PARAMS, "principal and version must be strings");
    if (!srv_obj(req, "client_capabilities", &caps) || !srv_obj(req, "client_info", &info))
        return ipc_reply_new(MCP_E_INVALID_PARAMS,
                             "client_capabilities and client_info must be objects");
    rc = sess_create(s->sessions, now, principal, version, caps, info, &session, &why);
    if (rc == MCP_E_SESSIONS_FULL)
        srv_log("session limit (%d) reached; refusing a new session", s->cfg.max_sessions);
    return srv_result(rc, why, "session", session);
}

static json_object *srv_do_session(struct srv *s, uint16_t type, const struct sess_now *now,
                                   json_object *req)
{
    /* A malformed id is just an unknown one; sess.c answers not found. */
    const char *id = srv_str(req, "id", IPC_SESSION_ID_LEN + 1);
    const char *principal = srv_str(req, "principal", IPC_MAX_PRINCIPAL);
    json_object *changes = NULL, *session = NULL;
    const char *why = NULL;
    enum mcp_err rc;

    if (id == NULL)
        id = "";
    if (principal == NULL)
        return ipc_reply_new(MCP_E_INVALID_PARAMS, "principal must be a string");
    switch (type) {
    case IPC_SESS_GET:
        rc = sess_get(s->sessions, now, id, principal, &session);
        return srv_result(rc, NULL, "session", session);
    case IPC_SESS_UPDATE:
        json_object_object_get_ex(req, "changes", &changes);
        rc = sess_update(s->sessions, now, id, principal, changes, &session, &why);
        return srv_result(rc, why, "session", session);
    default:
        rc = sess_delete(s->sessions, now, id, principal);
        return srv_result(rc, NULL, NULL, NULL);
    }
}

static json_object *srv_do_status(struct srv *s, const struct sess_now *now)
{
    json_object *st = json_object_new_object();

    json_object_object_add(st, "sessions", json_object_new_int64((int64_t)sess_count(s->sessions)));
    json_object_object_add(st, "max_sessions", json_object_new_int(s->cfg.max_sessions));
    json_object_object_add(st, "idle_timeout_s", json_object_new_int(s->cfg.session_idle_timeout));
    json_object_object_add(st, "uptime_s",
                           json_object_new_int64((now->mono_ms - s->started_ms) / 1000));
    json_object_object_add(st, "connections", json_object_new_int64((int64_t)s->n_conns));
    json_object_object_add(st, "pid", json_object_new_int((int)getpid()));
    json_object_object_add(st, "streams",
                           json_object_new_int64((int64_t)hold_count(route_hold(s->route))));
    json_object_object_add(st, "max_streams", json_object_new_int(s->cfg.max_streams));
    json_object_object_add(st, "listen_streams",
                           json_object_new_int64((int64_t)route_listen_count(s->route)));
    return srv_result(MCP_OK, NULL, "status", st);
}

/* The reply (owned) to one request of type with payload req (borrowed). */
static json_object *srv_dispatch(struct srv *s, uint16_t type, json_object *req)
{
    struct sess_now now;

    sess_now_read(&now);
    switch (type) {
    case IPC_SESS_CREATE:
        return srv_do_create(s, &now, req);
    case IPC_SESS_GET:
    case IPC_SESS_UPDATE:
    case IPC_SESS_DELETE:
        return srv_do_session(s, type, &now, req);
    case IPC_STATUS:
        return srv_do_status(s, &now);
    default:
        return ipc_reply_new(MCP_E_PROTO, "unknown message type");
    }
}

/* --- libuv callbacks -------------------------------------------------------------------- */

static void srv_conn_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    struct srv_conn *c = h->data;

    (void)hint;
    *buf = uv_buf_init(c->srv->rbuf, sizeof(c->srv->rbuf));
}

/* A deferred reply (IPC_AWAIT) is ready. */
static void srv_conn_deferred(void *arg, json_object *reply)
{
    struct srv_conn *c = arg;

    c->wait = NULL;
    srv_conn_reply(c, c->wait_type, c->wait_seq, reply);
}

/* The oldest descriptor received and not taken (NULL when none, or it was unusable). */
static struct hold_conn *srv_conn_take_fd(struct srv_conn *c)
{
    struct hold_conn *hc;

    if (c->n_fds == 0)
        return NULL;
    hc = c->fds[0];
    memmove(&c->fds[0], &c->fds[1], (c->n_fds - 1) * sizeof(c->fds[0]));
    c->n_fds--;
    return hc;
}

/* Answers one request frame (payload borrowed), now or, for IPC_AWAIT, later. */
static void srv_conn_request(struct srv_conn *c, const struct ipc_frame *f)
{
    struct srv *s = c->srv;
    json_object *reply;

    if (route_handles(f->type)) {
        struct hold_conn *hc = ipc_type_takes_fd(f->type) ? srv_conn_take_fd(c) : NULL;
        struct route_wait *w = NULL;
        reply = route_dispatch(s->route, f->type, f->payload, hc, srv_conn_deferred, c, &w);
        if (reply == NULL) {
            c->wait = w;
            c->wait_type = f->type;
            c->wait_seq = f->seq;
            return;
        }
    } else {
        reply = srv_dispatch(s, f->type, f->payload);
    }
    srv_conn_reply(c, f->type, f->seq, reply);
    json_object_put(reply);
}

/* Adopts every descriptor that came with the last read, in order. False when c was closed. */
static bool srv_conn_adopt(struct srv_conn *c)
{
    while (uv_pipe_pending_count(&c->pipe) > 0) {
        struct hold_conn *hc = NULL;
        if (c->n_fds >= IPC_MAX_FDS) {
            srv_log("worker pid %d sent more than %d descriptors without STREAM_ATTACH; closing "
                    "its connection",
                    (int)c->pid, IPC_MAX_FDS);
            srv_conn_close(c);
            return false;
        }
        if (hold_adopt(route_hold(c->srv->route), &c->pipe, &hc) != MCP_OK) {
            srv_conn_close(c);
            return false;
        }
        c->fds[c->n_fds++] = hc;
    }
    return true;
}

static void srv_conn_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
    struct srv_conn *c = st->data;
    const char *p = buf->base;
    size_t left;

    if (nread == 0 || c->closing)
        return;
    if (nread < 0) {
        if (nread != UV_EOF)
            srv_log("worker pid %d: read: %s; closing its connection", (int)c->pid,
                    uv_strerror((int)nread));
        else if (ipc_dec_partial(c->dec))
            srv_log("worker pid %d closed its connection in the middle of a frame", (int)c->pid);
        srv_conn_close(c);
        return;
    }
    if (!srv_conn_adopt(c))
        return;
    left = (size_t)nread;
    while (left > 0 && !c->closing) {
        struct ipc_frame f;
        size_t used;
        if (ipc_dec_feed(c->dec, p, left, &used, &f) != MCP_OK) {
            srv_log("worker pid %d sent a malformed frame; closing its connection", (int)c->pid);
            srv_conn_close(c);
            return;
        }
        p += used;
        left -= used;
        if (f.payload == NULL)
            break;
        if ((f.type & IPC_REPLY) || c->wait != NULL) {
            srv_log("worker pid %d sent %s (type 0x%04x); closing its connection", (int)c->pid,
                    (f.type & IPC_REPLY) ? "a reply as a request" : "a request while it awaits",
                    (unsigned)f.type);
            json_object_put(f.payload);
            srv_conn_close(c);
            return;
        }
        srv_conn_request(c, &f);
        json_object_put(f.payload);
    }
}

/* Allows root and our own uid; records the peer's pid for log lines. */
static bool srv_conn_peer_ok(struct srv_conn *c)
{
    uv_os_fd_t fd;
    struct ucred cr;
    socklen_t len = sizeof(cr);

    if (uv_fileno((uv_handle_t *)&c->pipe, &fd) != 0 ||
        getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0 || len != sizeof(cr)) {
        srv_log("cannot read a peer's credentials: %s; refusing it", strerror(errno));
        return false;
    }
    c->pid = cr.pid;
    if (cr.uid != 0 && cr.uid != geteuid()) {
        srv_log("refused a connection from uid %u (pid %d): only root and uid %u may connect",
                (unsigned)cr.uid, (int)cr.pid, (unsigned)geteuid());
        return false;
    }
    return true;
}

static void srv_accept(uv_stream_t *listener, int status)
{
    struct srv *s = listener->data;
    struct srv_conn *c;
    int r;

    if (status < 0) {
        srv_log("accept: %s", uv_strerror(status));
        return;
    }
    c = xcalloc(1, sizeof(*c));
    c->srv = s;
    uv_pipe_init(&s->loop, &c->pipe, 1);
    c->pipe.data = c;
    LIST_INSERT_HEAD(&s->conns, c, link);
    s->n_conns++;
    if ((r = uv_accept(listener, (uv_stream_t *)&c->pipe)) != 0) {
        srv_log("accept: %s", uv_strerror(r));
        srv_conn_close(c);
        return;
    }
    if (s->stopping || !srv_conn_peer_ok(c)) {
        srv_conn_close(c);
        return;
    }
    c->dec = ipc_dec_new();
    if ((r = uv_read_start((uv_stream_t *)&c->pipe, srv_conn_alloc, srv_conn_read)) != 0) {
        srv_log("worker pid %d: read: %s", (int)c->pid, uv_strerror(r));
        srv_conn_close(c);
    }
}

static void srv_reap_timer(uv_timer_t *t)
{
    struct srv *s = t->data;
    struct sess_now now;

    sess_now_read(&now);
    size_t n = sess_reap(s->sessions, &now);
    if (n > 0)
        srv_log("reaped %zu idle session(s); %zu held", n, sess_count(s->sessions));
}

/* --- server-side notifications ----------------------------------------------------------- */

static int64_t srv_wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void srv_watch_timer(uv_timer_t *t);

/* Arms the watch timer for the next change of a watched resource of the served sets, a
 * little after it so that workers already serve the new content. */
static void srv_watch_arm(struct srv *s)
{
    size_t n;
    const struct watch_def *w = watch_defs(&n);
    int64_t now = srv_wall_ms(), next = INT64_MAX;

    for (size_t i = 0; i < n && i < SRV_MAX_WATCH; i++) {
        if (!(s->cfg.sets & w[i].set) || w[i].period_s <= 0)
            continue;
        int64_t period = (int64_t)w[i].period_s * 1000;
        int64_t at = (now / period + 1) * period;
        if (at < next)
            next = at;
    }
    uv_timer_stop(&s->watch);
    if (next != INT64_MAX && !s->stopping)
        uv_timer_start(&s->watch, srv_watch_timer, (uint64_t)(next - now + SRV_WATCH_LAG), 0);
}

/* Remembers the current window of every watched resource (nothing changed yet). */
static void srv_watch_reset(struct srv *s)
{
    size_t n;
    const struct watch_def *w = watch_defs(&n);
    int64_t now_s = srv_wall_ms() / 1000;

    for (size_t i = 0; i < n && i < SRV_MAX_WATCH; i++)
        s->watch_window[i] = w[i].period_s > 0 ? now_s / w[i].period_s : 0;
}

static void srv_watch_timer(uv_timer_t *t)
{
    struct srv *s = t->data;
    size_t n;
    const struct watch_def *w = watch_defs(&n);
    int64_t now_s = srv_wall_ms() / 1000;

    for (size_t i = 0; i < n && i < SRV_MAX_WATCH; i++) {
        if (!(s->cfg.sets & w[i].set) || w[i].period_s <= 0)
            continue;
        int64_t window = now_s / w[i].period_s;
        if (window == s->watch_window[i])
            continue;
        s->watch_window[i] = window;
        json_object *params = json_object_new_object();
        json_object_object_add(params, "uri", json_object_new_string(w[i].uri));
        json_object *msg = rpc_notification_new("notifications/resources/updated", params);
        route_notify(s->route, w[i].uri, &msg, 1, NULL);
        json_object_put(msg);
    }
    srv_watch_arm(s);
}

static void srv_reload(struct srv *s)
{
    char err[CFG_ERR_LEN];
    struct mcp_cfg *n = xmalloc(sizeof(*n));

    if (cfg_load(n, s->cfg_path, s->runtime_override[0] ? s->runtime_override : NULL, err,
                 sizeof(err)) != MCP_OK) {
        srv_log("SIGHUP: %s; keeping the current configuration", err);
        goto done;
    }
    if (strcmp(n->sessiond_socket, s->sock_path) != 0)
        srv_log("SIGHUP: sessiond.socket is now %s; restart mcp-sessiond to move there (still "
                "listening on %s)",
                n->sessiond_socket, s->sock_path);
    bool sets_changed = n->sets != s->cfg.sets;
    memcpy(&s->cfg, n, sizeof(s->cfg));
    sess_table_set_limits(s->sessions, s->cfg.max_sessions, s->cfg.session_idle_timeout);
    route_reconfigure(s->route);
    uint64_t iv = srv_reap_interval_ms(&s->cfg);
    uv_timer_start(&s->reaper, srv_reap_timer, iv, iv);
    srv_log("configuration reloaded (sessions.max %d, sessions.idle_timeout %ds, streams.max "
            "%d, streams.heartbeat_s %d)",
            s->cfg.max_sessions, s->cfg.session_idle_timeout, s->cfg.max_streams,
            s->cfg.heartbeat_s);
    if (sets_changed) {
        static const char *const methods[] = {"notifications/tools/list_changed",
                                              "notifications/prompts/list_changed",
                                              "notifications/resources/list_changed"};
        json_object *msgs[sizeof(methods) / sizeof(methods[0])];
        size_t n_msgs = sizeof(methods) / sizeof(methods[0]);
        for (size_t i = 0; i < n_msgs; i++)
            msgs[i] = rpc_notification_new(methods[i], NULL);
        size_t listeners = 0;
        uint64_t t0 = uv_hrtime();
        /* one write per stream */
        size_t sent = route_notify(s->route, NULL, msgs, n_msgs, &listeners);
        uint64_t t1 = uv_hrtime();
        for (size_t i = 0; i < n_msgs; i++)
            json_object_put(msgs[i]);
        /* bench/streams.sh reads this line: keep "to N session(s) in T ms" */
        srv_log("server.sets changed: sent list_changed notifications to %zu session(s) in "
                "%.1f ms (and to %zu listen stream(s))",
                sent, (double)(t1 - t0) / 1e6, listeners);
        srv_watch_reset(s);
        srv_watch_arm(s);
    }
done:
    free(n);
}

static void srv_close_handle(uv_handle_t *h)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

/* Stops accepting, ends every held stream cleanly, closes every connection and timer; the
 * loop then ends by itself once the streams have closed. Idempotent. */
static void srv_stop(struct srv *s)
{
    struct srv_conn *c;

    s->stopping = true;
    srv_close_handle((uv_handle_t *)&s->listener);
    srv_close_handle((uv_handle_t *)&s->reaper);
    srv_close_handle((uv_handle_t *)&s->watch);
    srv_close_handle((uv_handle_t *)&s->sig_int);
    srv_close_handle((uv_handle_t *)&s->sig_term);
    srv_close_handle((uv_handle_t *)&s->sig_hup);
    LIST_FOREACH(c, &s->conns, link)
    srv_conn_close(c); /* unlinks only in its close callback */
    if (s->route != NULL)
        route_shutdown(s->route); /* listen streams get their final response first */
}

/* Runs in the loop, not in signal context: libuv's own handler only writes the signal number
 * to a pipe, so no code of ours runs asynchronously. */
static void srv_signal(uv_signal_t *h, int signum)
{
    struct srv *s = h->data;

    if (signum == SIGHUP) {
        srv_reload(s);
        return;
    }
    if (!s->stopping) {
        srv_log("%s: shutting down", signum == SIGINT ? "SIGINT" : "SIGTERM");
        srv_stop(s);
    }
}

/* --- set-up ----------------------------------------------------------------------------- */

static enum mcp_err srv_runtime_dir(const char *dir)
{
    struct stat st;

    if (mkdir(dir, 0750) == 0) {
        if (chmod(dir, 0750) != 0) {
            srv_log("chmod %s: %s", dir, strerror(errno));
            return MCP_E_IO;
        }
        return MCP_OK;
    }
    if (errno != EEXIST) {
        srv_log("cannot create the runtime directory %s: %s", dir, strerror(errno));
        return MCP_E_IO;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        srv_log("runtime directory %s exists but is not a directory", dir);
        return MCP_E_IO;
    }
    return MCP_OK;
}

/* Makes path free for bind: nothing there, or a stale socket nobody answers on (removed).
 * Fails when another daemon listens there or the path is something else. */
static enum mcp_err srv_claim_socket(const char *path)
{
    enum mcp_err rc = MCP_E_IO;
    struct stat st;
    struct sockaddr_un sa;
    int fd = -1;

    if (lstat(path, &st) != 0) {
        if (errno == ENOENT)
            return MCP_OK;
        srv_log("%s: %s", path, strerror(errno));
        return MCP_E_IO;
    }
    if (!S_ISSOCK(st.st_mode)) {
        srv_log("%s exists and is not a socket; refusing to replace it", path);
        return MCP_E_IO;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sa.sun_path)) {
        srv_log("%s: path too long for a Unix socket", path);
        return MCP_E_IO;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        srv_log("socket: %s", strerror(errno));
        goto done;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EAGAIN ||
        errno == EINPROGRESS) {
        srv_log("%s: another mcp-sessiond is listening there; refusing to start", path);
        goto done;
    }
    if (errno != ECONNREFUSED) {
        srv_log("%s: %s", path, strerror(errno));
        goto done;
    }
    if (unlink(path) != 0 && errno != ENOENT) {
        srv_log("cannot remove the stale socket %s: %s", path, strerror(errno));
        goto done;
    }
    srv_log("removed the stale socket %s", path);
    rc = MCP_OK;
done:
    if (fd >= 0)
        close(fd);
    return rc;
}

static enum mcp_err srv_listen(struct srv *s)
{
    int r;

    /* Created under a tight umask so the socket is never wider than 0660, then set. */
    mode_t old = umask(0117);
    r = uv_pipe_bind(&s->listener, s->sock_path);
    umask(old);
    if (r != 0) {
        srv_log("bind %s: %s", s->sock_path, uv_strerror(r));
        return MCP_E_IO;
    }
    if (chmod(s->sock_path, 0660) != 0) {
        srv_log("chmod %s: %s", s->sock_path, strerror(errno));
        return MCP_E_IO;
    }
    if ((r = uv_listen((uv_stream_t *)&s->listener, SRV_BACKLOG, srv_accept)) != 0) {
        srv_log("listen %s: %s", s->sock_path, uv_strerror(r));
        return MCP_E_IO;
    }
    return MCP_OK;
}

static void srv_signal_init(struct srv *s, uv_signal_t *h)
{
    uv_signal_init(&s->loop, h);
    h->data = s;
}

static bool srv_copy(char *dst, size_t size, const char *src)
{
    int n = snprintf(dst, size, "%s", src);
    return n >= 0 && (size_t)n < size;
}

struct srv *srv_new(const struct mcp_cfg *cfg, const char *cfg_path, const char *runtime_dir,
                    enum mcp_err *err)
{
    struct srv *s = xcalloc(1, sizeof(*s));
    struct sess_now now;
    int r;

    *err = MCP_E_IO;
    memcpy(&s->cfg, cfg, sizeof(s->cfg));
    LIST_INIT(&s->conns);
    if (!srv_copy(s->cfg_path, sizeof(s->cfg_path), cfg_path) ||
        !srv_copy(s->runtime_override, sizeof(s->runtime_override),
                  runtime_dir ? runtime_dir : "") ||
        !srv_copy(s->sock_path, sizeof(s->sock_path), cfg->sessiond_socket)) {
        srv_log("a path is too long");
        goto fail;
    }
    signal(SIGPIPE, SIG_IGN);
    if ((r = uv_loop_init(&s->loop)) != 0) {
        srv_log("uv_loop_init: %s", uv_strerror(r));
        goto fail;
    }
    s->loop_ready = true;
    /* Every handle exists before anything can fail, so srv_stop can close them all. */
    uv_pipe_init(&s->loop, &s->listener, 0);
    s->listener.data = s;
    uv_timer_init(&s->loop, &s->reaper);
    s->reaper.data = s;
    uv_timer_init(&s->loop, &s->watch);
    s->watch.data = s;
    srv_signal_init(s, &s->sig_int);
    srv_signal_init(s, &s->sig_term);
    srv_signal_init(s, &s->sig_hup);
    s->sessions = sess_table_new(s->cfg.max_sessions, s->cfg.session_idle_timeout);
    s->route = route_new(&s->loop, &s->cfg, s->sessions);
    if (srv_runtime_dir(s->cfg.runtime_dir) != MCP_OK || srv_claim_socket(s->sock_path) != MCP_OK ||
        srv_listen(s) != MCP_OK)
        goto fail;

    sess_now_read(&now);
    s->started_ms = now.mono_ms;
    uint64_t iv = srv_reap_interval_ms(&s->cfg);
    uv_timer_start(&s->reaper, srv_reap_timer, iv, iv);
    srv_watch_reset(s);
    srv_watch_arm(s);
    uv_signal_start(&s->sig_int, srv_signal, SIGINT);
    uv_signal_start(&s->sig_term, srv_signal, SIGTERM);
    uv_signal_start(&s->sig_hup, srv_signal, SIGHUP);
    srv_log("listening on %s (pid %d, sessions.max %d, sessions.idle_timeout %ds, streams.max "
            "%d)",
            s->sock_path, (int)getpid(), s->cfg.max_sessions, s->cfg.session_idle_timeout,
            s->cfg.max_streams);
    *err = MCP_OK;
    return s;
fail:
    srv_free(s);
    return NULL;
}

enum mcp_err srv_run(struct srv *s)
{
    uv_run(&s->loop, UV_RUN_DEFAULT);
    return uv_loop_alive(&s->loop) ? MCP_E_INTERNAL : MCP_OK;
}

void srv_free(struct srv *s)
{
    if (s == NULL)
        return;
    if (s->loop_ready) {
        srv_stop(s);
        uv_run(&s->loop, UV_RUN_DEFAULT); /* runs the close callbacks */
        if (uv_loop_close(&s->loop) != 0)
            srv_log("the event loop still had handles at exit");
    }
    /* The socket file is gone: libuv unlinks a bound listener's path when it closes, before
     * closing the descriptor, so it never removes a successor daemon's socket. A second
     * unlink here would open exactly that race. */
    sess_table_free(s->sessions); /* its hook frees the stream records: before route_free */
    route_free(s->route);
    free(s);
}
