/* sessc.c - a worker's blocking client of mcp-sessiond, bounded by one deadline per call. */
#include "sessc.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "ipc.h"
#include "sse.h"

struct sessc {
    const struct mcp_cfg *cfg; /* borrowed */
    int fd;                    /* -1 when not connected */
    struct ipc_dec *dec;       /* decoder of fd's stream, NULL when not connected */
    uint32_t seq;              /* of the last request sent */
    bool in_request;           /* between sessc_begin_request and sessc_end_request */
    bool fd_sent;              /* the last exchange's descriptor reached sessiond's socket */
    bool req_failed;           /* sessiond already failed during the current HTTP request */
    bool down;                 /* the last exchange failed (logged once until one succeeds) */
};

static int64_t sessc_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct sessc *sessc_new(const struct mcp_cfg *cfg)
{
    struct sessc *sc = xcalloc(1, sizeof(*sc));

    sc->cfg = cfg;
    sc->fd = -1;
    return sc;
}

static void sessc_disconnect(struct sessc *sc)
{
    if (sc->fd >= 0)
        close(sc->fd);
    sc->fd = -1;
    ipc_dec_free(sc->dec);
    sc->dec = NULL;
}

void sessc_begin_request(struct sessc *sc)
{
    sc->in_request = true;
    sc->req_failed = false;
}

void sessc_end_request(struct sessc *sc)
{
    sc->in_request = false;
    sc->req_failed = false;
}

void sessc_free(struct sessc *sc)
{
    if (sc == NULL)
        return;
    sessc_disconnect(sc);
    free(sc);
}

/* Waits until fd has one of events or the deadline passes. MCP_OK, MCP_E_TIMEOUT or
 * MCP_E_IO. */
static enum mcp_err sessc_wait(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - sessc_now_ms();
        if (left <= 0)
            return MCP_E_TIMEOUT;
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left);
        if (r > 0)
            return MCP_OK; /* readiness or an error condition: the next syscall tells */
        if (r == 0)
            return MCP_E_TIMEOUT;
        if (errno != EINTR)
            return MCP_E_IO;
    }
}

/* True when a connection we hold was closed by sessiond (or has unexpected data): between
 * calls nothing may arrive, so anything readable means the connection is unusable. */
static bool sessc_stale(const struct sessc *sc)
{
    struct pollfd p = {.fd = sc->fd, .events = POLLIN};

    return poll(&p, 1, 0) != 0;
}

static enum mcp_err sessc_connect(struct sessc *sc, int64_t deadline)
{
    enum mcp_err rc = MCP_E_IO;
    struct sockaddr_un sa;
    const char *path = sc->cfg->sessiond_socket;
    size_t plen = strlen(path);
    int fd = -1, soerr = 0;
    socklen_t slen = sizeof(soerr);

    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (plen >= sizeof(sa.sun_path))
        goto done;
    memcpy(sa.sun_path, path, plen + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto done;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        /* EAGAIN: the listen backlog is full; treat like a stalled daemon. */
        if (errno != EINPROGRESS && errno != EINTR)
            goto done;
        if ((rc = sessc_wait(fd, POLLOUT, deadline)) != MCP_OK)
            goto done;
        rc = MCP_E_IO;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) != 0 || soerr != 0)
            goto done;
    }
    sc->fd = fd;
    sc->dec = ipc_dec_new();
    fd = -1;
    rc = MCP_OK;
done:
    if (fd >= 0)
        close(fd);
    return rc;
}

/* sendmsg of the first bytes of a frame with fd as SCM_RIGHTS. */
static ssize_t sessc_send_fd(int sock, const unsigned char *p, size_t len, int fd)
{
    struct iovec iov = {.iov_base = (void *)p, .iov_len = len};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr m;
    struct cmsghdr *cm;

    memset(&m, 0, sizeof(m));
    memset(&u, 0, sizeof(u));
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = u.buf;
    m.msg_controllen = sizeof(u.buf);
    cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    return sendmsg(sock, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Sends len bytes; fd >= 0 goes along (SCM_RIGHTS) with the first bytes that leave. */
static enum mcp_err sessc_send(struct sessc *sc, const unsigned char *p, size_t len, int fd,
                               int64_t deadline)
{
    while (len > 0) {
        ssize_t n = fd >= 0 ? sessc_send_fd(sc->fd, p, len, fd)
                            : send(sc->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            if (fd >= 0)
                sc->fd_sent = true;
            fd = -1; /* it went with these bytes */
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            enum mcp_err rc = sessc_wait(sc->fd, POLLOUT, deadline);
            if (rc != MCP_OK)
                return rc;
            continue;
        }
        return MCP_E_IO;
    }
    return MCP_OK;
}

/* Receives the reply of type | IPC_REPLY with seq. *payload owned on MCP_OK. Anything else
 * on the connection (another seq, another type, bytes after the reply) is MCP_E_PROTO. */
static enum mcp_err sessc_recv(struct sessc *sc, uint16_t type, uint32_t seq, int64_t deadline,
                               json_object **payload)
{
    unsigned char buf[4096];
    struct ipc_frame f = {0};
    enum mcp_err rc;
    size_t used = 0, got = 0;

    *payload = NULL;
    for (;;) {
        ssize_t n = recv(sc->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n == 0)
            return MCP_E_IO; /* sessiond closed the connection */
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                return MCP_E_IO;
            if ((rc = sessc_wait(sc->fd, POLLIN, deadline)) != MCP_OK)
                return rc;
            continue;
        }
        got = (size_t)n;
        if ((rc = ipc_dec_feed(sc->dec, buf, got, &used, &f)) != MCP_OK)
            return rc;
        if (f.payload != NULL)
            break;
    }
    if (used != got || f.type != (uint16_t)(type | IPC_REPLY) || f.seq != seq) {
        json_object_put(f.payload);
        return MCP_E_PROTO;
    }
    *payload = f.payload;
    return MCP_OK;
}

/* Logs the first failure of a run of them (requests answer 503 until sessiond recovers):
 * which call, at which step, why, after how long. */
static void sessc_log_failure(struct sessc *sc, uint16_t type, const char *step, enum mcp_err why,
                              int64_t elapsed_ms)
{
    if (sc->down)
        return;
    sc->down = true;
    fprintf(stderr,
            "mcp-fcgi[%d]: sessiond unavailable: %s failed %s (%s after %lld ms, "
            "sessiond.timeout_ms %d); answering 503 until it recovers\n",
            (int)getpid(), ipc_type_name(type), step, mcp_err_info(why)->name,
            (long long)elapsed_ms, sc->cfg->sessiond_timeout_ms);
}

/* The connection is unusable (transport failure, timeout, malformed reply): drop it. */
static enum mcp_err sessc_broken(struct sessc *sc)
{
    sessc_disconnect(sc);
    sc->req_failed = sc->in_request; /* only within an HTTP request's budget */
    return MCP_E_UNAVAILABLE;
}

/*
 * One request/reply exchange that must end by deadline. req taken; fd >= 0 travels with the
 * frame (SCM_RIGHTS). Returns the reply's err; when that is MCP_OK, *reply (when not NULL)
 * receives the whole reply (owned). Transport failures, timeouts and malformed replies close
 * the connection and give MCP_E_UNAVAILABLE; a request that cannot be framed gives
 * MCP_E_INVALID_PARAMS.
 */
static enum mcp_err sessc_exchange(struct sessc *sc, uint16_t type, json_object *req, int fd,
                                   int64_t deadline, json_object **reply_out)
{
    enum mcp_err err = MCP_E_UNAVAILABLE;
    json_object *reply = NULL;
    void *frame = NULL;
    size_t len;
    uint32_t seq = sc->seq + 1;

    if (reply_out != NULL)
        *reply_out = NULL;
    if (sc->req_failed)
        goto done; /* one wait per HTTP request: sessiond did not answer a moment ago */
    if (ipc_encode_new(type, seq, req, &frame, &len) != MCP_OK) {
        err = MCP_E_INVALID_PARAMS;
        goto done;
    }
    sc->seq = seq;
    if (sc->fd >= 0 && sessc_stale(sc))
        sessc_disconnect(sc);
    /* Any failure below, a timeout included, leaves the connection in an unknown state. */
    int64_t start = sessc_now_ms();
    const char *step = NULL;
    enum mcp_err why = MCP_OK;
    if (sc->fd < 0 && (why = sessc_connect(sc, deadline)) != MCP_OK)
        step = "connecting";
    else if ((why = sessc_send(sc, frame, len, fd, deadline)) != MCP_OK)
        step = "sending";
    else if ((why = sessc_recv(sc, type, seq, deadline, &reply)) != MCP_OK)
        step = "waiting for the reply";
    else if ((why = ipc_reply_err(reply, &err)) != MCP_OK)
        step = "reading the reply";
    if (step != NULL) {
        sessc_log_failure(sc, type, step, why, sessc_now_ms() - start);
        err = sessc_broken(sc);
        goto done;
    }
    if (sc->down) {
        fprintf(stderr, "mcp-fcgi[%d]: sessiond answers again\n", (int)getpid());
        sc->down = false;
    }
    if (err == MCP_OK && reply_out != NULL) {
        *reply_out = reply;
        reply = NULL;
    }
done:
    json_object_put(reply);
    json_object_put(req);
    free(frame);
    return err;
}

/* The deadline of an ordinary call: cfg->sessiond_timeout_ms. Within an HTTP request, the
 * first call that fails makes the others fail at once (sessc_exchange), so a sessiond that
 * does not answer costs a request one timeout, however many calls it makes. */
static int64_t sessc_deadline(const struct sessc *sc)
{
    return sessc_now_ms() + sc->cfg->sessiond_timeout_ms;
}

/*
 * sessc_exchange within the usual deadline. When the reply is MCP_OK and member is not
 * NULL, *out receives the reply's object member (owned); a reply without it is malformed.
 */
static enum mcp_err sessc_call_until(struct sessc *sc, uint16_t type, json_object *req,
                                     const char *member, json_object **out, int64_t deadline)
{
    json_object *reply = NULL, *v;
    enum mcp_err err;

    if (out != NULL)
        *out = NULL;
    err = sessc_exchange(sc, type, req, -1, deadline, &reply);
    if (err == MCP_OK && member != NULL) {
        if (!json_object_object_get_ex(reply, member, &v) ||
            !json_object_is_type(v, json_type_object))
            err = sessc_broken(sc);
        else
            *out = json_object_get(v);
    }
    json_object_put(reply);
    return err;
}

static enum mcp_err sessc_call(struct sessc *sc, uint16_t type, json_object *req,
                               const char *member, json_object **out)
{
    return sessc_call_until(sc, type, req, member, out, sessc_deadline(sc));
}

/* A request object {"id", "principal"} (owned), or NULL when an argument is NULL. */
static json_object *sessc_req_session(const char *id, const char *principal)
{
    if (id == NULL || principal == NULL)
        return NULL;
    json_object *req = json_object_new_object();
    json_object_object_add(req, "id", json_object_new_string(id));
    json_object_object_add(req, "principal", json_object_new_string(principal));
    return req;
}

enum mcp_err sessc_create(struct sessc *sc, const char *principal, const char *version,
                          json_object *caps, json_object *info, json_object **session)
{
    *session = NULL;
    if (principal == NULL || version == NULL ||
        (caps != NULL && !json_object_is_type(caps, json_type_object)) ||
        (info != NULL && !json_object_is_type(info, json_type_object)))
        return MCP_E_INVALID_PARAMS;
    json_object *req = json_object_new_object();
    json_object_object_add(req, "principal", json_object_new_string(principal));
    json_object_object_add(req, "version", json_object_new_string(version));
    if (caps != NULL)
        json_object_object_add(req, "client_capabilities", json_object_get(caps));
    if (info != NULL)
        json_object_object_add(req, "client_info", json_object_get(info));
    return sessc_call(sc, IPC_SESS_CREATE, req, "session", session);
}

enum mcp_err sessc_get(struct sessc *sc, const char *id, const char *principal,
                       json_object **session)
{
    *session = NULL;
    if (principal == NULL)
        return MCP_E_INVALID_PARAMS;
    if (!ipc_session_id_valid(id))
        return MCP_E_SESSION_NOT_FOUND; /* no such id can exist; spare the round trip */
    return sessc_call(sc, IPC_SESS_GET, sessc_req_session(id, principal), "session", session);
}

enum mcp_err sessc_update(struct sessc *sc, const char *id, const char *principal,
                          json_object *changes, json_object **session)
{
    if (session != NULL)
        *session = NULL;
    if (principal == NULL || changes == NULL || !json_object_is_type(changes, json_type_object))
        return MCP_E_INVALID_PARAMS;
    if (!ipc_session_id_valid(id))
        return MCP_E_SESSION_NOT_FOUND;
    json_object *req = sessc_req_session(id, principal);
    json_object_object_add(req, "changes", json_object_get(changes));
    json_object *s = NULL;
    enum mcp_err rc = sessc_call(sc, IPC_SESS_UPDATE, req, "session", &s);
    if (session != NULL)
        *session = s;
    else
        json_object_put(s);
    return rc;
}

enum mcp_err sessc_delete(struct sessc *sc, const char *id, const char *principal)
{
    if (principal == NULL)
        return MCP_E_INVALID_PARAMS;
    if (!ipc_session_id_valid(id))
        return MCP_E_SESSION_NOT_FOUND;
    return sessc_call(sc, IPC_SESS_DELETE, sessc_req_session(id, principal), NULL, NULL);
}

enum mcp_err sessc_status(struct sessc *sc, json_object **status)
{
    *status = NULL;
    return sessc_call(sc, IPC_STATUS, json_object_new_object(), "status", status);
}

/* --- streams ---------------------------------------------------------------------------- */

/* Copies the string member name of reply into out (cap bytes, with the NUL); false when it
 * is missing, not a string, or too long. */
static bool sessc_reply_str(json_object *reply, const char *name, char *out, size_t cap)
{
    json_object *v;

    if (!json_object_object_get_ex(reply, name, &v) || !json_object_is_type(v, json_type_string))
        return false;
    size_t len = (size_t)json_object_get_string_len(v);
    if (len >= cap)
        return false;
    memcpy(out, json_object_get_string(v), len + 1);
    return true;
}

/* The arguments every stream call checks: a well-formed session id (else the session cannot
 * exist) and a principal. */
static enum mcp_err sessc_stream_args(const char *sid, const char *principal)
{
    if (principal == NULL)
        return MCP_E_INVALID_PARAMS;
    if (!ipc_session_id_valid(sid))
        return MCP_E_SESSION_NOT_FOUND;
    return MCP_OK;
}

/* True for a JSON-RPC id: a string or an integer. */
static bool sessc_rpc_id_ok(json_object *id)
{
    return id != NULL &&
           (json_object_is_type(id, json_type_string) || json_object_is_type(id, json_type_int));
}

enum mcp_err sessc_stream_open(struct sessc *sc, const char *sid, const char *principal,
                               json_object *rpc_id, char *key)
{
    json_object *reply = NULL;
    enum mcp_err rc;

    key[0] = '\0';
    if ((rc = sessc_stream_args(sid, principal)) != MCP_OK)
        return rc;
    if (rpc_id != NULL && !json_object_is_type(rpc_id, json_type_null) && !sessc_rpc_id_ok(rpc_id))
        return MCP_E_INVALID_PARAMS;
    json_object *req = sessc_req_session(sid, principal);
    if (rpc_id != NULL && !json_object_is_type(rpc_id, json_type_null))
        json_object_object_add(req, "rpc_id", json_object_get(rpc_id));
    rc = sessc_exchange(sc, IPC_STREAM_OPEN, req, -1, sessc_deadline(sc), &reply);
    if (rc == MCP_OK && !sessc_reply_str(reply, "key", key, SESSC_KEY_MAX))
        rc = sessc_broken(sc);
    json_object_put(reply);
    return rc;
}

enum mcp_err sessc_stream_publish(struct sessc *sc, const char *sid, const char *principal,
                                  const char *key, json_object *msg, int final, char *event_id,
                                  int *cancelled)
{
    json_object *reply = NULL, *v;
    enum mcp_err rc;

    event_id[0] = '\0';
    if (cancelled != NULL)
        *cancelled = 0;
    if ((rc = sessc_stream_args(sid, principal)) != MCP_OK)
        return rc;
    if (key == NULL || (msg != NULL && !json_object_is_type(msg, json_type_object)) ||
        (final & ~(SESSC_PUBLISH_FINAL | SESSC_PUBLISH_CLOSE)) != 0)
        return MCP_E_INVALID_PARAMS;
    json_object *req = sessc_req_session(sid, principal);
    json_object_object_add(req, "key", json_object_new_string(key));
    if (msg != NULL)
        json_object_object_add(req, "msg", json_object_get(msg));
    if (final & SESSC_PUBLISH_FINAL)
        json_object_object_add(req, "final", json_object_new_boolean(1));
    if (final & SESSC_PUBLISH_CLOSE)
        json_object_object_add(req, "close", json_object_new_boolean(1));
    rc = sessc_exchange(sc, IPC_STREAM_PUBLISH, req, -1, sessc_deadline(sc), &reply);
    if (rc == MCP_OK) {
        if (!sessc_reply_str(reply, "event_id", event_id, SESSC_EVENT_ID_MAX) ||
            !json_object_object_get_ex(reply, "cancelled", &v) ||
            !json_object_is_type(v, json_type_boolean))
            rc = sessc_broken(sc);
        else if (cancelled != NULL)
            *cancelled = json_object_get_boolean(v) ? 1 : 0;
    }
    json_object_put(reply);
    return rc;
}

/*
 * The exchange of a request that hands the client's connection fd to sessiond (req taken):
 * as sessc_exchange, but MCP_E_TIMEOUT when the descriptor reached sessiond and no answer
 * came back. sessiond may own the connection then, so the worker must not write to it.
 */
static enum mcp_err sessc_hand_off(struct sessc *sc, uint16_t type, json_object *req, int fd)
{
    enum mcp_err rc;

    sc->fd_sent = false;
    rc = sessc_exchange(sc, type, req, fd, sessc_deadline(sc), NULL);
    if (rc == MCP_E_UNAVAILABLE && sc->fd_sent)
        rc = MCP_E_TIMEOUT;
    return rc;
}

enum mcp_err sessc_stream_attach(struct sessc *sc, const char *sid, const char *principal,
                                 enum sessc_attach_kind kind, const char *last_event_id,
                                 const char *endpoint_url, int fd, int fcgi_request_id,
                                 int keep_conn)
{
    enum mcp_err rc;

    if ((rc = sessc_stream_args(sid, principal)) != MCP_OK)
        return rc;
    if (fd < 0 || fcgi_request_id < 1 || fcgi_request_id > 65535 ||
        (kind != SESSC_ATTACH_GET && kind != SESSC_ATTACH_LEGACY) ||
        (kind == SESSC_ATTACH_LEGACY && endpoint_url == NULL))
        return MCP_E_INVALID_PARAMS;
    json_object *req = sessc_req_session(sid, principal);
    json_object_object_add(req, "kind",
                           json_object_new_string(kind == SESSC_ATTACH_GET ? "get" : "legacy"));
    json_object_object_add(req, "request_id", json_object_new_int(fcgi_request_id));
    json_object_object_add(req, "keep_conn", json_object_new_boolean(keep_conn != 0));
    if (kind == SESSC_ATTACH_GET && last_event_id != NULL)
        json_object_object_add(req, "last_event_id", json_object_new_string(last_event_id));
    if (kind == SESSC_ATTACH_LEGACY)
        json_object_object_add(req, "endpoint_url", json_object_new_string(endpoint_url));
    return sessc_hand_off(sc, IPC_STREAM_ATTACH, req, fd);
}

enum mcp_err sessc_listen_attach(struct sessc *sc, const char *principal, json_object *rpc_id,
                                 json_object *notifications, int fd, int fcgi_request_id,
                                 int keep_conn)
{
    /* the members of notifications are sessiond's to check: one validator, not two */
    if (principal == NULL || !sessc_rpc_id_ok(rpc_id) || notifications == NULL ||
        !json_object_is_type(notifications, json_type_object) || fd < 0 || fcgi_request_id < 1 ||
        fcgi_request_id > 65535)
        return MCP_E_INVALID_PARAMS;
    json_object *req = json_object_new_object();
    json_object_object_add(req, "principal", json_object_new_string(principal));
    json_object_object_add(req, "rpc_id", json_object_get(rpc_id));
    json_object_object_add(req, "notifications", json_object_get(notifications));
    json_object_object_add(req, "request_id", json_object_new_int(fcgi_request_id));
    json_object_object_add(req, "keep_conn", json_object_new_boolean(keep_conn != 0));
    return sessc_hand_off(sc, IPC_LISTEN_ATTACH, req, fd);
}

enum mcp_err sessc_client_request(struct sessc *sc, const char *sid, const char *principal,
                                  const char *key, const char *method, json_object *params,
                                  json_object **msg, char *event_id)
{
    json_object *reply = NULL, *v;
    enum mcp_err rc;

    *msg = NULL;
    event_id[0] = '\0';
    if ((rc = sessc_stream_args(sid, principal)) != MCP_OK)
        return rc;
    if (key == NULL || method == NULL ||
        (params != NULL && !json_object_is_type(params, json_type_object)))
        return MCP_E_INVALID_PARAMS;
    json_object *req = sessc_req_session(sid, principal);
    json_object_object_add(req, "key", json_object_new_string(key));
    json_object_object_add(req, "method", json_object_new_string(method));
    if (params != NULL)
        json_object_object_add(req, "params", json_object_get(params));
    rc = sessc_exchange(sc, IPC_CLIENT_REQUEST, req, -1, sessc_deadline(sc), &reply);
    if (rc == MCP_OK) {
        if (!sessc_reply_str(reply, "event_id", event_id, SESSC_EVENT_ID_MAX) ||
            !json_object_object_get_ex(reply, "msg", &v) ||
            !json_object_is_type(v, json_type_object))
            rc = sessc_broken(sc);
        else
            *msg = json_object_get(v);
    }
    json_object_put(reply);
    return rc;
}

enum mcp_err sessc_await(struct sessc *sc, const char *sid, const char *principal,
                         json_object *req_id, int timeout_ms, json_object **response)
{
    enum mcp_err rc;

    *response = NULL;
    if ((rc = sessc_stream_args(sid, principal)) != MCP_OK)
        return rc;
    if (req_id == NULL || !json_object_is_type(req_id, json_type_int) || timeout_ms < 0)
        return MCP_E_INVALID_PARAMS;
    if (timeout_ms > IPC_MAX_AWAIT_MS)
        timeout_ms = IPC_MAX_AWAIT_MS;
    json_object *req = sessc_req_session(sid, principal);
    json_object_object_add(req, "req_id", json_object_get(req_id));
    json_object_object_add(req, "timeout_ms", json_object_new_int(timeout_ms));
    /* The wait is the point of this call: its own deadline, not the request budget's. */
    int64_t deadline = sessc_now_ms() + timeout_ms + sc->cfg->sessiond_timeout_ms;
    return sessc_call_until(sc, IPC_AWAIT, req, "response", response, deadline);
}

enum mcp_err sessc_deliver(struct sessc *sc, const char *sid, const char *principal,
                           json_object *response)
{
    enum mcp_err rc;

    if ((rc = sessc_stream_args(sid, principal)) != MCP_OK)
        return rc;
    if (response == NULL || !json_object_is_type(response, json_type_object))
        return MCP_E_INVALID_PARAMS;
    json_object *req = sessc_req_session(sid, principal);
    json_object_object_add(req, "response", json_object_get(response));
    return sessc_call(sc, IPC_DELIVER, req, NULL, NULL);
}

/* The payload naming a client request of a session, {"id", "principal", "rpc_id"} (new), or
 * NULL with *rc set when an argument is bad. */
static json_object *sessc_rpc_req_new(const char *sid, const char *principal, json_object *rpc_id,
                                      enum mcp_err *rc)
{
    if ((*rc = sessc_stream_args(sid, principal)) != MCP_OK)
        return NULL;
    if (!sessc_rpc_id_ok(rpc_id)) {
        *rc = MCP_E_INVALID_PARAMS;
        return NULL;
    }
    json_object *req = sessc_req_session(sid, principal);
    json_object_object_add(req, "rpc_id", json_object_get(rpc_id));
    return req;
}

enum mcp_err sessc_cancel(struct sessc *sc, const char *sid, const char *principal,
                          json_object *rpc_id)
{
    enum mcp_err rc;
    json_object *req = sessc_rpc_req_new(sid, principal, rpc_id, &rc);

    return req != NULL ? sessc_call(sc, IPC_CANCEL, req, NULL, NULL) : rc;
}

enum mcp_err sessc_cancelled(struct sessc *sc, const char *sid, const char *principal,
                             json_object *rpc_id, int *cancelled)
{
    json_object *reply = NULL, *v;
    enum mcp_err rc;

    *cancelled = 0;
    json_object *req = sessc_rpc_req_new(sid, principal, rpc_id, &rc);
    if (req == NULL)
        return rc;
    rc = sessc_exchange(sc, IPC_CANCELLED, req, -1, sessc_deadline(sc), &reply);
    if (rc == MCP_OK) {
        if (!json_object_object_get_ex(reply, "cancelled", &v) ||
            !json_object_is_type(v, json_type_boolean))
            rc = sessc_broken(sc);
        else
            *cancelled = json_object_get_boolean(v) ? 1 : 0;
    }
    json_object_put(reply);
    return rc;
}

enum mcp_err sessc_notify(struct sessc *sc, const char *sid, const char *principal, const char *uri,
                          json_object *msg)
{
    json_object *req;
    enum mcp_err rc;

    if (msg == NULL || !json_object_is_type(msg, json_type_object) ||
        (uri != NULL && (uri[0] == '\0' || strlen(uri) > IPC_MAX_URI)))
        return MCP_E_INVALID_PARAMS;
    if (sid != NULL) {
        if ((rc = sessc_stream_args(sid, principal)) != MCP_OK)
            return rc;
        req = sessc_req_session(sid, principal);
    } else {
        req = json_object_new_object();
    }
    if (uri != NULL)
        json_object_object_add(req, "uri", json_object_new_string(uri));
    json_object_object_add(req, "msg", json_object_get(msg));
    return sessc_call(sc, IPC_NOTIFY, req, NULL, NULL);
}
