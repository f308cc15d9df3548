/* answer.c - the answer to one POSTed request: JSON, or SSE written here and published to
 * sessiond. */
#include "answer.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "alloc.h"
#include "jsonx.h"
#include "rev.h"
#include "rpc.h"
#include "sse.h"

#define ANSWER_WRITE_TIMEOUT_S 10 /* longest block on one write to a streaming connection */

#define ANSWER_SSE_HEAD                                                                            \
    "Status: 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"             \
    "X-Accel-Buffering: no\r\n\r\n"

/* Writes bytes to the request's connection and flushes them (each event as it happens).
 * A write that fails or does not complete within ANSWER_WRITE_TIMEOUT_S (a client that
 * stopped reading, with the web server pushing back) detaches the answer: the call goes on,
 * its events are only published, and they stay resumable. */
static void answer_write(struct answer *a, const char *buf, size_t len)
{
    if (a->fr == NULL || a->state == ANSWER_DETACHED || a->state == ANSWER_DONE)
        return;
    if (FCGX_PutStr(buf, (int)len, a->fr->out) < 0 || FCGX_FFlush(a->fr->out) < 0 ||
        FCGX_GetError(a->fr->out) != 0)
        a->state = ANSWER_DETACHED;
}

/* Writes one SSE event (id may be NULL; json NULL = empty data). */
static void answer_write_event(struct answer *a, const char *id, json_object *msg)
{
    size_t dlen = 0;
    const char *data =
        msg ? json_object_to_json_string_length(
                  msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &dlen)
            : NULL;
    size_t cap = sse_event_size(id, NULL, dlen);
    char *buf = xmalloc(cap);
    size_t n = sse_event(buf, cap, id, NULL, -1, data, dlen);
    answer_write(a, buf, n);
    free(buf);
}

/* Publishes msg (borrowed; NULL = priming) on the answer's stream and writes it to our own
 * connection when we still hold it. */
static enum mcp_err answer_emit(struct answer *a, json_object *msg, int final)
{
    char eid[SESSC_EVENT_ID_MAX];
    int cancelled = 0;

    if (a->mode == ANSWER_STATELESS) {
        answer_write_event(a, NULL, msg);
        if (a->state == ANSWER_DETACHED) { /* the client closed the stream: a cancellation */
            a->cancelled = 1;
            return MCP_E_CANCELLED;
        }
        return MCP_OK;
    }
    enum mcp_err rc = sessc_stream_publish(a->sc, a->sid, a->principal, a->key, msg,
                                           a->mode == ANSWER_LEGACY ? 0 : final, eid, &cancelled);
    if (rc == MCP_OK && cancelled) {
        a->cancelled = 1; /* sessiond logged nothing; the client must get nothing either */
        return MCP_E_CANCELLED;
    }
    /* sessiond unavailable: the client on our own connection still gets the event, only
     * without an id (it cannot be resumed) */
    if (a->mode == ANSWER_STREAMABLE && (msg != NULL || rc == MCP_OK))
        answer_write_event(a, rc == MCP_OK && eid[0] ? eid : NULL, msg);
    return rc;
}

/* Turns a JSON answer into a stream: open it in sessiond, write the head, prime it. */
static enum mcp_err answer_stream(struct answer *a)
{
    if (a->state != ANSWER_JSON)
        return MCP_OK;
    if (a->mode == ANSWER_LEGACY) {
        strcpy(a->key, "0");
        a->state = ANSWER_SSE;
        return MCP_OK;
    }
    if (a->mode == ANSWER_STREAMABLE) {
        enum mcp_err rc = sessc_stream_open(a->sc, a->sid, a->principal, a->rpc_id, a->key);
        if (rc == MCP_E_CANCELLED)
            a->cancelled = 1;
        if (rc != MCP_OK)
            return rc;
    }
    if (a->fr != NULL) {
        struct timeval tv = {ANSWER_WRITE_TIMEOUT_S, 0};
        (void)setsockopt(a->fr->ipcFd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    }
    answer_write(a, ANSWER_SSE_HEAD, strlen(ANSWER_SSE_HEAD));
    if (a->state == ANSWER_DETACHED && a->mode == ANSWER_STATELESS) {
        a->cancelled = 1;
        return MCP_E_CANCELLED;
    }
    if (a->state == ANSWER_JSON)
        a->state = ANSWER_SSE;
    /* 2025-11-25 clients resume POST streams: start with an id and empty data */
    if (a->mode == ANSWER_STREAMABLE && rev_has(a->version, REV_2025_11_25))
        return answer_emit(a, NULL, 0);
    return MCP_OK;
}

static enum mcp_err answer_notify(void *opaque, json_object *msg)
{
    struct answer *a = opaque;
    enum mcp_err rc = a->cancelled ? MCP_E_CANCELLED : answer_stream(a);
    if (rc == MCP_OK)
        rc = answer_emit(a, msg, 0);
    json_object_put(msg);
    return rc;
}

/* Tells the client we gave up on its answer to request id (borrowed). */
static void answer_cancel_client_request(struct answer *a, json_object *id, const char *why)
{
    json_object *p = json_object_new_object();
    json_object_object_add(p, "requestId", json_object_get(id));
    json_object_object_add(p, "reason", json_object_new_string(why));
    json_object *n = rpc_notification_new("notifications/cancelled", p);
    (void)answer_emit(a, n, 0);
    json_object_put(n);
}

static enum mcp_err answer_request(void *opaque, const char *method, json_object *params,
                                   json_object **result)
{
    struct answer *a = opaque;
    json_object *msg = NULL, *response = NULL;
    char eid[SESSC_EVENT_ID_MAX];
    enum mcp_err rc;

    *result = NULL;
    if (a->cancelled) {
        rc = MCP_E_CANCELLED;
        goto done;
    }
    if (a->mode == ANSWER_STATELESS) { /* 2026-07-28: input_required results instead */
        rc = MCP_E_UNAVAILABLE;
        goto done;
    }
    if ((rc = answer_stream(a)) != MCP_OK)
        goto done;
    rc = sessc_client_request(a->sc, a->sid, a->principal, a->key, method, params, &msg, eid);
    if (rc != MCP_OK)
        goto done;
    if (a->mode == ANSWER_STREAMABLE)
        answer_write_event(a, eid, msg);
    json_object *id = jsonx_get(msg, "id");
    rc = sessc_await(a->sc, a->sid, a->principal, id, a->cfg->request_timeout_s * 1000, &response);
    if (rc == MCP_E_TIMEOUT)
        answer_cancel_client_request(a, id, "The server stopped waiting for the answer.");
    if (rc == MCP_E_CANCELLED)
        a->cancelled = 1;
    if (rc != MCP_OK)
        goto done;
    json_object *r = jsonx_get(response, "result");
    if (r == NULL || !json_object_is_type(r, json_type_object)) {
        json_object *e = jsonx_get(response, "error");
        if (e != NULL && json_object_is_type(e, json_type_object)) {
            *result = json_object_get(e); /* the client refused: say how */
            rc = MCP_E_CLIENT_ERROR;
        } else {
            rc = MCP_E_INTERNAL; /* neither result nor error: not a response we can use */
        }
        goto done;
    }
    *result = json_object_get(r);
done:
    json_object_put(params);
    json_object_put(msg);
    json_object_put(response);
    return rc;
}

static enum mcp_err answer_close_stream(void *opaque)
{
    struct answer *a = opaque;
    /* only 2025-11-25 POST streams are primed with an event id to resume from */
    if (a->mode != ANSWER_STREAMABLE || !rev_has(a->version, REV_2025_11_25))
        return MCP_E_UNAVAILABLE;
    enum mcp_err rc = answer_stream(a);
    if (rc != MCP_OK || a->state != ANSWER_SSE)
        return rc;
    /* a bare retry field: sets the client's reconnection delay, dispatches no event */
    char buf[48];
    int n = snprintf(buf, sizeof(buf), "retry: %d\n\n", a->cfg->retry_ms);
    answer_write(a, buf, (size_t)n);
    a->state = ANSWER_DETACHED;
    FCGX_Finish_r(a->fr); /* frees the request's params: nothing here borrows them */
    return MCP_OK;
}

static enum mcp_err answer_announce(void *opaque, json_object *msg)
{
    struct answer *a = opaque;
    return a->sc != NULL ? sessc_notify(a->sc, NULL, NULL, NULL, msg) : MCP_E_UNAVAILABLE;
}

void answer_init(struct answer *a, enum answer_mode mode, const struct mcp_cfg *cfg,
                 struct sessc *sc, FCGX_Request *fr, const char *sid, const char *principal,
                 const char *version, json_object *rpc_id)
{
    memset(a, 0, sizeof(*a));
    a->mode = mode;
    a->cfg = cfg;
    a->sc = sc;
    a->fr = mode == ANSWER_LEGACY ? NULL : fr;
    snprintf(a->sid, sizeof(a->sid), "%s", sid ? sid : "");
    snprintf(a->principal, sizeof(a->principal), "%s", principal ? principal : "");
    snprintf(a->version, sizeof(a->version), "%s", version ? version : "");
    a->rpc_id = rpc_id;
    a->state = ANSWER_JSON;
    a->sink.opaque = a;
    a->sink.notify = answer_notify;
    a->sink.request = answer_request;
    a->sink.close_stream = answer_close_stream;
    a->sink.announce = answer_announce;
}

int answer_finish(struct answer *a, json_object *msg)
{
    if (!a->cancelled && a->cancellable && a->state == ANSWER_JSON &&
        a->mode == ANSWER_STREAMABLE) {
        int c = 0;
        if (sessc_cancelled(a->sc, a->sid, a->principal, a->rpc_id, &c) == MCP_OK && c)
            a->cancelled = 1;
    }
    if (a->cancelled) {
        /* no answer for a cancelled request: an empty stream, or the stream just ends */
        if (a->state == ANSWER_JSON && a->mode != ANSWER_LEGACY)
            answer_write(a, ANSWER_SSE_HEAD, strlen(ANSWER_SSE_HEAD));
        json_object_put(msg);
        return 1;
    }
    if (a->state == ANSWER_JSON && a->mode != ANSWER_LEGACY)
        return 0;
    if (a->state == ANSWER_JSON)
        (void)answer_stream(a);
    (void)answer_emit(a, msg, 1);
    if (a->state != ANSWER_DETACHED)
        a->state = ANSWER_DONE;
    json_object_put(msg);
    return 1;
}
