/* sessc.c - a worker's blocking client of mcp-sessiond, bounded by one deadline per call. */
#include "sessc.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "ipc.h"

struct sessc {
    const struct mcp_cfg *cfg; /* borrowed */
    int fd;                    /* -1 when not connected */
    struct ipc_dec *dec;       /* decoder of fd's stream, NULL when not connected */
    uint32_t seq;              /* of the last request sent */
    int64_t req_deadline;      /* end of the current HTTP request's budget, 0 = none */
    bool req_failed;           /* sessiond already failed during the current HTTP request */
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
    sc->req_deadline = sessc_now_ms() + sc->cfg->sessiond_timeout_ms;
    sc->req_failed = false;
}

void sessc_end_request(struct sessc *sc)
{
    sc->req_deadline = 0;
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

static enum mcp_err sessc_send(struct sessc *sc, const unsigned char *p, size_t len,
                               int64_t deadline)
{
    while (len > 0) {
        ssize_t n = send(sc->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
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

/*
 * One request/reply exchange within cfg->sessiond_timeout_ms. req taken. On success returns
 * the reply's err; when that is MCP_OK and member is not NULL, *out receives the reply's
 * member object (owned). Transport failures, timeouts and malformed replies close the
 * connection and give MCP_E_UNAVAILABLE; a request that cannot be framed gives
 * MCP_E_INVALID_PARAMS.
 */
static enum mcp_err sessc_call(struct sessc *sc, uint16_t type, json_object *req,
                               const char *member, json_object **out)
{
    int64_t deadline = sessc_now_ms() + sc->cfg->sessiond_timeout_ms;
    if (sc->req_deadline != 0 && sc->req_deadline < deadline)
        deadline = sc->req_deadline;
    enum mcp_err err = MCP_E_UNAVAILABLE;
    json_object *reply = NULL, *v;
    void *frame = NULL;
    size_t len;
    uint32_t seq = sc->seq + 1;

    if (out != NULL)
        *out = NULL;
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
    if ((sc->fd < 0 && sessc_connect(sc, deadline) != MCP_OK) ||
        sessc_send(sc, frame, len, deadline) != MCP_OK ||
        sessc_recv(sc, type, seq, deadline, &reply) != MCP_OK ||
        ipc_reply_err(reply, &err) != MCP_OK)
        goto fail;
    if (err == MCP_OK && member != NULL) {
        if (!json_object_object_get_ex(reply, member, &v) ||
            !json_object_is_type(v, json_type_object))
            goto fail;
        *out = json_object_get(v);
    }
    goto done;
fail:
    sessc_disconnect(sc);
    sc->req_failed = sc->req_deadline != 0; /* only within an HTTP request's budget */
    err = MCP_E_UNAVAILABLE;
done:
    json_object_put(reply);
    json_object_put(req);
    free(frame);
    return err;
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
