/* route.c - stream messages: streams, hand-over, server-to-client requests, notifications. */
#include "route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "ipc.h"
#include "listen.h"
#include "srv.h"
#include "sse.h"
#include "stream.h"

#define ROUTE_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
/* A message must leave room in a reply frame for the envelope around it. */
#define ROUTE_MAX_MSG (IPC_MAX_PAYLOAD - 512)

struct route {
    uv_loop_t *loop;
    const struct mcp_cfg *cfg;
    struct sess_table *sessions;
    struct hold *hold;
    struct stream_env env;
    struct listen_subs listens; /* subscriptions/listen streams, oldest first */
    size_t n_listens;
    char *lbuf; /* scratch: one listen stream's copy of a notification */
    size_t lcap;
};

struct route_wait {
    uv_timer_t timer; /* data = this */
    struct route *r;
    struct stream_req *req; /* NULL once answered or forgotten */
    route_reply_fn *done;
    void *arg;
};

/* --- hooks ------------------------------------------------------------------------------ */

static void route_conn_end(void *arg, void *conn)
{
    (void)arg;
    hold_end(conn, -1);
}

static void route_wait_closed(uv_handle_t *h)
{
    free(h->data);
}

/* Answers w with reply (taken) and lets w go. */
static void route_wait_answer(struct route_wait *w, json_object *reply)
{
    w->req = NULL;
    uv_timer_stop(&w->timer);
    w->done(w->arg, reply);
    json_object_put(reply);
    uv_close((uv_handle_t *)&w->timer, route_wait_closed);
}

static void route_wait_done(void *arg, void *waiter, enum mcp_err err, json_object *response)
{
    struct route_wait *w = waiter;
    json_object *reply = ipc_reply_new(err, NULL);

    (void)arg;
    if (err == MCP_OK)
        json_object_object_add(reply, "response", response);
    else
        json_object_put(response);
    route_wait_answer(w, reply);
}

static void route_wait_timeout(uv_timer_t *t)
{
    struct route_wait *w = t->data;

    stream_req_forget(w->req);
    route_wait_answer(w, ipc_reply_new(MCP_E_TIMEOUT, "the client did not answer in time"));
}

void route_wait_abandon(struct route_wait *w)
{
    if (w == NULL)
        return;
    stream_req_forget(w->req);
    w->req = NULL;
    uv_timer_stop(&w->timer);
    uv_close((uv_handle_t *)&w->timer, route_wait_closed);
}

/* A session went away: its stream records go with it. */
static void route_sess_gone(void *arg, const char *id, void *ext)
{
    (void)arg;
    (void)id;
    stream_sess_free(ext);
}

/* A 2024-11-05 stream closed: its session ends with it. */
static void route_legacy_closed(void *arg, const char *sid)
{
    struct route *r = arg;

    if (sess_end(r->sessions, sid) == MCP_OK)
        srv_log("session %.8s ended with its 2024-11-05 stream", sid);
}

/* A listen stream's connection has closed: its subscription goes with it. */
static void route_listen_closed(void *arg, void *owner)
{
    struct route *r = arg;
    struct listen_sub *ls = owner;

    TAILQ_REMOVE(&r->listens, ls, link);
    r->n_listens--;
    listen_sub_free(ls);
}

/* --- set-up ----------------------------------------------------------------------------- */

void route_reconfigure(struct route *r)
{
    r->env.replay_events = r->cfg->replay_events;
    /* a request nobody awaits yet is kept twice the longest wait a worker may ask for */
    r->env.req_ttl_ms = (int64_t)r->cfg->request_timeout_s * 2000;
    hold_reconfigure(r->hold);
}

struct route *route_new(uv_loop_t *loop, const struct mcp_cfg *cfg, struct sess_table *t)
{
    struct route *r = xcalloc(1, sizeof(*r));
    struct hold_hooks hooks = {
        .legacy_closed = route_legacy_closed, .owner_closed = route_listen_closed, .arg = r};

    r->loop = loop;
    r->cfg = cfg;
    r->sessions = t;
    TAILQ_INIT(&r->listens);
    r->hold = hold_new(loop, cfg, &hooks);
    r->env.conn_end = route_conn_end;
    r->env.wait_done = route_wait_done;
    r->env.arg = r;
    route_reconfigure(r);
    sess_table_set_ext_free(t, route_sess_gone, r);
    return r;
}

void route_free(struct route *r)
{
    struct listen_sub *ls;

    if (r == NULL)
        return;
    /* none are left once every connection closed; this only guards a loop that failed */
    while ((ls = TAILQ_FIRST(&r->listens)) != NULL) {
        TAILQ_REMOVE(&r->listens, ls, link);
        listen_sub_free(ls);
    }
    hold_free(r->hold);
    free(r->lbuf);
    free(r);
}

struct hold *route_hold(struct route *r)
{
    return r->hold;
}

bool route_handles(uint16_t type)
{
    return type >= IPC_STREAM_OPEN && type <= IPC_LISTEN_ATTACH;
}

size_t route_listen_count(const struct route *r)
{
    return r->n_listens;
}

/* --- request members -------------------------------------------------------------------- */

/* The string member name (NULL when absent); *bad when present but not a string of at most
 * max bytes without NUL. */
static const char *route_str(json_object *req, const char *name, size_t max, bool *bad)
{
    json_object *v;

    if (!json_object_object_get_ex(req, name, &v) || json_object_is_type(v, json_type_null))
        return NULL;
    const char *s = json_object_get_string(v);
    size_t len = (size_t)json_object_get_string_len(v);
    if (!json_object_is_type(v, json_type_string) || len > max || strlen(s) != len) {
        *bad = true;
        return NULL;
    }
    return s;
}

/* The boolean member name, false when absent; *bad when of another type. */
static bool route_bool(json_object *req, const char *name, bool *bad)
{
    json_object *v;

    if (!json_object_object_get_ex(req, name, &v))
        return false;
    if (!json_object_is_type(v, json_type_boolean)) {
        *bad = true;
        return false;
    }
    return json_object_get_boolean(v);
}

/* The integer member name in [lo, hi]; *bad when absent or out of range. */
static int64_t route_int(json_object *req, const char *name, int64_t lo, int64_t hi, bool *bad)
{
    json_object *v;

    if (!json_object_object_get_ex(req, name, &v) || !json_object_is_type(v, json_type_int)) {
        *bad = true;
        return lo;
    }
    int64_t n = json_object_get_int64(v);
    if (n < lo || n > hi) {
        *bad = true;
        return lo;
    }
    return n;
}

/* The object member name (borrowed), NULL when absent or null; *bad for another type. */
static json_object *route_obj(json_object *req, const char *name, bool *bad)
{
    json_object *v;

    if (!json_object_object_get_ex(req, name, &v) || json_object_is_type(v, json_type_null))
        return NULL;
    if (!json_object_is_type(v, json_type_object)) {
        *bad = true;
        return NULL;
    }
    return v;
}

/* A stream key: decimal, no sign, no leading zero, at most STREAM_KEY_MAX. */
static bool route_key_parse(const char *s, uint32_t *key)
{
    uint32_t k = 0;
    size_t n = s != NULL ? strlen(s) : 0;

    if (n == 0 || n > 6 || (n > 1 && s[0] == '0'))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        k = k * 10 + (uint32_t)(s[i] - '0');
    }
    *key = k;
    return k <= STREAM_KEY_MAX;
}

/* The client request id member name as JSON text into out; false when absent, null, or not
 * a string or integer. */
static bool route_rpc_id(json_object *req, const char *name, char *out)
{
    json_object *v;

    return json_object_object_get_ex(req, name, &v) && stream_rpc_id_text(v, out);
}

/* The serialised message (borrowed from msg) and its length; NULL when too large. */
static const char *route_msg_text(json_object *msg, size_t *len)
{
    const char *text = json_object_to_json_string_length(msg, ROUTE_JSON_FLAGS, len);

    return text != NULL && *len <= ROUTE_MAX_MSG ? text : NULL;
}

/* Looks up the session of req ("id", "principal") and its stream records (created when
 * missing). touch marks the session active. */
static enum mcp_err route_sess(struct route *r, const struct sess_now *now, json_object *req,
                               bool touch, struct stream_sess **out)
{
    bool bad = false;
    const char *id = route_str(req, "id", IPC_SESSION_ID_LEN + 1, &bad);
    const char *principal = route_str(req, "principal", IPC_MAX_PRINCIPAL, &bad);
    void **slot = NULL;
    enum mcp_err rc;

    *out = NULL;
    if (principal == NULL)
        return MCP_E_INVALID_PARAMS;
    if (id == NULL || bad) /* a malformed id is just an unknown one */
        return MCP_E_SESSION_NOT_FOUND;
    if ((rc = sess_slot(r->sessions, now, id, principal, touch, &slot)) != MCP_OK)
        return rc;
    if (*slot == NULL)
        *slot = stream_sess_new(&r->env, id);
    *out = *slot;
    return MCP_OK;
}

static json_object *route_fail(enum mcp_err rc, const char *why)
{
    return ipc_reply_new(rc, why);
}

/* The stream named by req's "key", or NULL with *rc set. */
static struct stream *route_stream(struct stream_sess *ss, json_object *req, enum mcp_err *rc)
{
    bool bad = false;
    const char *ks = route_str(req, "key", 16, &bad);
    uint32_t key;
    struct stream *st;

    *rc = MCP_E_INVALID_PARAMS;
    if (bad || !route_key_parse(ks, &key) || (st = stream_find(ss, key)) == NULL)
        return NULL;
    *rc = MCP_OK;
    return st;
}

/* --- messages --------------------------------------------------------------------------- */

static json_object *route_open(struct route *r, const struct sess_now *now, json_object *req)
{
    char rpc[STREAM_RPC_ID_MAX], key[16];
    json_object *v;
    struct stream_sess *ss;
    struct stream *st;
    enum mcp_err rc;
    const char *rpc_id = NULL;

    if (json_object_object_get_ex(req, "rpc_id", &v) && !json_object_is_type(v, json_type_null)) {
        if (!stream_rpc_id_text(v, rpc))
            return route_fail(MCP_E_INVALID_PARAMS, "rpc_id must be a string or an integer");
        rpc_id = rpc;
    }
    if ((rc = route_sess(r, now, req, true, &ss)) != MCP_OK)
        return route_fail(rc, rc == MCP_E_INVALID_PARAMS ? "principal must be a string" : NULL);
    if ((rc = stream_open(ss, now->mono_ms, rpc_id, &st)) != MCP_OK)
        return route_fail(rc, rc == MCP_E_CANCELLED ? "the client cancelled this request"
                                                    : "the session has used up its stream keys");
    json_object *reply = ipc_reply_new(MCP_OK, NULL);
    snprintf(key, sizeof(key), "%u", (unsigned)st->key);
    json_object_object_add(reply, "key", json_object_new_string(key));
    return reply;
}

/* {"event_id", "cancelled"} */
static json_object *route_published(const char *event_id, bool cancelled)
{
    json_object *reply = ipc_reply_new(MCP_OK, NULL);

    json_object_object_add(reply, "event_id", json_object_new_string(event_id));
    json_object_object_add(reply, "cancelled", json_object_new_boolean(cancelled));
    return reply;
}

static json_object *route_publish(struct route *r, const struct sess_now *now, json_object *req)
{
    bool bad = false;
    json_object *msg = route_obj(req, "msg", &bad);
    bool final = route_bool(req, "final", &bad);
    bool close = route_bool(req, "close", &bad);
    struct stream_sess *ss;
    struct stream *st;
    const char *text = NULL;
    size_t len = 0;
    uint64_t seq;
    char id[SSE_ID_MAX];
    enum mcp_err rc;

    if (bad)
        return route_fail(MCP_E_INVALID_PARAMS, "msg must be an object, final and close booleans");
    if (msg != NULL && (text = route_msg_text(msg, &len)) == NULL)
        return route_fail(MCP_E_INVALID_PARAMS, "msg is too large");
    if ((rc = route_sess(r, now, req, true, &ss)) != MCP_OK)
        return route_fail(rc, NULL);
    if ((st = route_stream(ss, req, &rc)) == NULL)
        return route_fail(rc, "no such stream in this session");
    if (st->cancelled) {
        /* publish nothing more; a final publish still ends the stream */
        if (final)
            stream_end(st);
        return route_published("", true);
    }
    if (stream_append(st, now->mono_ms, text, len, final, &seq) != MCP_OK)
        return route_fail(MCP_E_INVALID_PARAMS, st->key == 0 && final
                                                    ? "stream 0 has no final event"
                                                    : "the stream has ended");
    if (st->conn != NULL) {
        struct hold_conn *c = st->conn;
        hold_event(c, st->key, seq, text, len, close ? r->cfg->retry_ms : -1);
        if (final || close)
            hold_end(c, -1);
    }
    sse_id_format(id, st->key, seq);
    return route_published(id, false);
}

/* Writes st's logged events after seq (UINT64_MAX: all) to c. */
static void route_replay(struct hold_conn *c, const struct stream *st, uint64_t after)
{
    for (const struct stream_event *ev = stream_after(st, after); ev != NULL && hold_live(c);
         ev = stream_event_next(ev))
        hold_event(c, st->key, ev->seq, ev->data, ev->len, -1);
}

/* MCP_E_STREAMS_FULL, logged, when streams.max connections of every kind are held already;
 * what names the refused one in the log. */
static enum mcp_err route_room(const struct route *r, const char *what)
{
    if (hold_count(r->hold) < (size_t)r->cfg->max_streams)
        return MCP_OK;
    srv_log("stream limit (streams.max %d) reached; refusing a %s", r->cfg->max_streams, what);
    return MCP_E_STREAMS_FULL;
}

static json_object *route_attach(struct route *r, const struct sess_now *now, json_object *req,
                                 struct hold_conn *c)
{
    bool bad = false;
    const char *kind = route_str(req, "kind", 16, &bad);
    const char *last = route_str(req, "last_event_id", 1024, &bad);
    const char *endpoint = route_str(req, "endpoint_url", IPC_MAX_URI, &bad);
    int64_t request_id = route_int(req, "request_id", 1, 65535, &bad);
    bool keep_conn = route_bool(req, "keep_conn", &bad);
    bool legacy = kind != NULL && strcmp(kind, "legacy") == 0;
    struct stream_sess *ss = NULL;
    struct stream *st = NULL;
    uint64_t after = UINT64_MAX;
    enum mcp_err rc = MCP_E_INVALID_PARAMS;
    const char *why = NULL;
    char key[16];

    if (c == NULL) {
        why = "no descriptor came with this message";
        goto fail;
    }
    if (bad || kind == NULL || (!legacy && strcmp(kind, "get") != 0)) {
        why = "kind must be \"get\" or \"legacy\", request_id 1..65535, keep_conn a boolean";
        goto fail;
    }
    if (legacy && (endpoint == NULL || endpoint[0] == '\0' || strpbrk(endpoint, "\r\n"))) {
        why = "a legacy stream needs endpoint_url, one line of 1 to 2048 bytes";
        goto fail;
    }
    if ((rc = route_sess(r, now, req, true, &ss)) != MCP_OK)
        goto fail;
    if (!legacy && last != NULL) {
        if ((rc = stream_resume(ss, last, &st, &after)) != MCP_OK) {
            why = "Last-Event-ID names no event this session can resume from";
            goto fail;
        }
    } else {
        st = &ss->zero;
    }
    if (st->conn != NULL) {
        rc = MCP_E_STREAM_CONFLICT;
        why = "a connection is already open for this stream";
        goto fail;
    }
    if ((rc = route_room(r, "stream")) != MCP_OK)
        goto fail;
    if (ss->held >= r->cfg->max_streams_session) {
        rc = MCP_E_SESSION_STREAMS_FULL;
        goto fail;
    }
    if (legacy) {
        ss->legacy = true;
        sess_pin(r->sessions, now, ss->sid);
    }
    hold_start(c, (uint16_t)request_id, keep_conn, ss->sid, legacy, st->ended ? NULL : st);
    if (legacy)
        hold_data(c, "endpoint", endpoint, strlen(endpoint));
    if (legacy || last != NULL)
        route_replay(c, st, after);
    if (st->ended)
        hold_end(c, -1); /* an ended POST stream: the replay was all there is */
    json_object *reply = ipc_reply_new(MCP_OK, NULL);
    snprintf(key, sizeof(key), "%u", (unsigned)st->key);
    json_object_object_add(reply, "key", json_object_new_string(key));
    return reply;
fail:
    hold_discard(c);
    return route_fail(rc, why);
}

/* IPC_LISTEN_ATTACH: a subscriptions/listen stream of no session. */
static json_object *route_listen_attach(struct route *r, json_object *req, struct hold_conn *c)
{
    bool bad = false;
    const char *principal = route_str(req, "principal", IPC_MAX_PRINCIPAL, &bad);
    int64_t request_id = route_int(req, "request_id", 1, 65535, &bad);
    bool keep_conn = route_bool(req, "keep_conn", &bad);
    json_object *rpc_id = NULL, *notifications = NULL, *ack = NULL;
    struct listen_sub *ls = NULL;
    enum mcp_err rc = MCP_E_INVALID_PARAMS;
    const char *why = NULL, *text;
    size_t len;

    if (c == NULL) {
        why = "no descriptor came with this message";
        goto fail;
    }
    if (bad || principal == NULL) {
        why = "principal must be a string, request_id 1..65535, keep_conn a boolean";
        goto fail;
    }
    json_object_object_get_ex(req, "rpc_id", &rpc_id);
    json_object_object_get_ex(req, "notifications", &notifications);
    if ((rc = listen_sub_new(rpc_id, notifications, &ls, &ack, &why)) != MCP_OK)
        goto fail;
    if ((text = route_msg_text(ack, &len)) == NULL) {
        rc = MCP_E_INVALID_PARAMS;
        why = "notifications is too large";
        goto fail;
    }
    if ((rc = route_room(r, "listen stream")) != MCP_OK)
        goto fail;
    /* listed first: a connection that fails at once is taken off by route_listen_closed */
    ls->conn = c;
    TAILQ_INSERT_TAIL(&r->listens, ls, link);
    r->n_listens++;
    hold_start_owned(c, (uint16_t)request_id, keep_conn, ls);
    hold_data(c, NULL, text, len); /* the acknowledgement, first of all events */
    json_object_put(ack);
    return ipc_reply_new(MCP_OK, NULL);
fail:
    json_object_put(ack);
    listen_sub_free(ls);
    hold_discard(c);
    return route_fail(rc, why);
}

void route_shutdown(struct route *r)
{
    struct listen_sub *ls;
    char text[LISTEN_FINAL_MAX];

    TAILQ_FOREACH(ls, &r->listens, link)
    {
        if (!hold_live(ls->conn))
            continue;
        size_t len = listen_final_text(ls, text, sizeof(text));
        if (len > 0)
            hold_data(ls->conn, NULL, text, len);
        hold_end(ls->conn, -1); /* no retry: a listen stream is not resumable */
    }
    hold_shutdown(r->hold);
}

static json_object *route_client_request(struct route *r, const struct sess_now *now,
                                         json_object *req)
{
    bool bad = false;
    const char *method = route_str(req, "method", IPC_MAX_METHOD, &bad);
    json_object *params = route_obj(req, "params", &bad);
    struct stream_sess *ss;
    struct stream *st;
    struct stream_req *sr;
    json_object *msg, *reply;
    const char *text;
    size_t len;
    uint64_t seq;
    char id[SSE_ID_MAX];
    enum mcp_err rc;

    if (bad || method == NULL || method[0] == '\0')
        return route_fail(MCP_E_INVALID_PARAMS, "method must be a string of 1 to 255 bytes, "
                                                "params an object");
    if ((rc = route_sess(r, now, req, true, &ss)) != MCP_OK)
        return route_fail(rc, NULL);
    if ((st = route_stream(ss, req, &rc)) == NULL)
        return route_fail(rc, "no such stream in this session");
    if ((rc = stream_req_new(ss, now->mono_ms, st, &sr)) != MCP_OK)
        return route_fail(rc, rc == MCP_E_CANCELLED ? "the client cancelled this request"
                              : rc == MCP_E_SESSION_STREAMS_FULL
                                  ? "too many server-to-client requests in flight"
                                  : "the stream has ended");
    msg = json_object_new_object();
    json_object_object_add(msg, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(msg, "id", json_object_new_int64(sr->id));
    json_object_object_add(msg, "method", json_object_new_string(method));
    if (params != NULL)
        json_object_object_add(msg, "params", json_object_get(params));
    if ((text = route_msg_text(msg, &len)) == NULL ||
        stream_append(st, now->mono_ms, text, len, false, &seq) != MCP_OK) {
        stream_req_forget(sr);
        json_object_put(msg);
        return route_fail(MCP_E_INVALID_PARAMS, "params are too large");
    }
    if (st->conn != NULL)
        hold_event(st->conn, st->key, seq, text, len, -1);
    sse_id_format(id, st->key, seq);
    reply = ipc_reply_new(MCP_OK, NULL);
    json_object_object_add(reply, "msg", msg);
    json_object_object_add(reply, "event_id", json_object_new_string(id));
    return reply;
}

static json_object *route_await(struct route *r, const struct sess_now *now, json_object *req,
                                route_reply_fn *done, void *arg, struct route_wait **wait)
{
    bool bad = false;
    int64_t id = route_int(req, "req_id", INT64_MIN, INT64_MAX, &bad);
    int64_t timeout_ms = route_int(req, "timeout_ms", 0, IPC_MAX_AWAIT_MS, &bad);
    struct stream_sess *ss;
    struct stream_req *sr = NULL;
    json_object *resp = NULL, *reply;
    struct route_wait *w;
    enum mcp_err rc;

    if (bad)
        return route_fail(MCP_E_INVALID_PARAMS, "req_id must be an integer, timeout_ms "
                                                "0..3600000");
    if ((rc = route_sess(r, now, req, false, &ss)) != MCP_OK)
        return route_fail(rc, NULL);
    w = xcalloc(1, sizeof(*w));
    rc = stream_await(ss, now->mono_ms, id, w, &sr, &resp);
    if (rc != MCP_OK || resp != NULL) {
        free(w);
        if (rc != MCP_OK)
            return route_fail(rc, rc == MCP_E_CANCELLED ? "the client cancelled the request"
                                                        : "no such request in flight");
        reply = ipc_reply_new(MCP_OK, NULL);
        json_object_object_add(reply, "response", resp);
        return reply;
    }
    w->r = r;
    w->req = sr;
    w->done = done;
    w->arg = arg;
    uv_timer_init(r->loop, &w->timer);
    w->timer.data = w;
    uv_timer_start(&w->timer, route_wait_timeout, (uint64_t)timeout_ms, 0);
    *wait = w;
    return NULL;
}

static json_object *route_deliver(struct route *r, const struct sess_now *now, json_object *req)
{
    bool bad = false;
    json_object *resp = route_obj(req, "response", &bad);
    struct stream_sess *ss;
    enum mcp_err rc;

    if (bad || resp == NULL)
        return route_fail(MCP_E_INVALID_PARAMS, "response must be an object");
    if ((rc = route_sess(r, now, req, false, &ss)) != MCP_OK)
        return route_fail(rc, NULL);
    stream_deliver(ss, now->mono_ms, resp);
    return ipc_reply_new(MCP_OK, NULL);
}

static json_object *route_cancel(struct route *r, const struct sess_now *now, json_object *req,
                                 bool query)
{
    char rpc[STREAM_RPC_ID_MAX];
    struct stream_sess *ss;
    enum mcp_err rc;

    if (!route_rpc_id(req, "rpc_id", rpc))
        return route_fail(MCP_E_INVALID_PARAMS, "rpc_id must be a string or an integer");
    if ((rc = route_sess(r, now, req, false, &ss)) != MCP_OK)
        return route_fail(rc, NULL);
    if (!query) {
        stream_cancel(ss, now->mono_ms, rpc);
        return ipc_reply_new(MCP_OK, NULL);
    }
    json_object *reply = ipc_reply_new(MCP_OK, NULL);
    json_object_object_add(reply, "cancelled",
                           json_object_new_boolean(stream_is_cancelled(ss, now->mono_ms, rpc)));
    return reply;
}

/* Notifications on the way out, in order. */
struct route_note {
    int64_t now_ms;
    const char *text[ROUTE_NOTIFY_MAX];
    size_t len[ROUTE_NOTIFY_MAX];
    size_t n;
    size_t sent;
};

/* Appends the notifications to stream 0 of ss and writes them to its connection, all in one
 * write. A stream 0 that never had a connection is skipped: no client can hold an id to
 * resume it from. */
static void route_note_one(struct route_note *n, struct stream_sess *ss)
{
    uint64_t seq;
    bool any = false;

    if (ss == NULL || !ss->zero.attached_once)
        return;
    struct hold_conn *c = ss->zero.conn;
    if (n->n > 1)
        hold_cork(c);
    for (size_t i = 0; i < n->n; i++) {
        if (stream_append(&ss->zero, n->now_ms, n->text[i], n->len[i], false, &seq) != MCP_OK)
            break;
        if (c != NULL)
            hold_event(c, 0, seq, n->text[i], n->len[i], -1);
        any = true;
    }
    hold_uncork(c); /* may drop c; not used after this */
    if (any)
        n->sent++;
}

static void route_note_each(void *arg, const char *id, void **slot)
{
    (void)id;
    route_note_one(arg, *slot);
}

/* Writes those of notes[0..n) that listen stream ls asked for, in one write, with its
 * subscription id; uri (may be NULL) limits them to a stream subscribed to it. Returns 1 when
 * it wrote one. */
static size_t route_listen_one(struct route *r, struct listen_sub *ls,
                               const struct listen_note *notes, size_t n, const char *uri)
{
    struct hold_conn *c = ls->conn;
    size_t got = 0;

    if (!hold_live(c))
        return 0;
    if (n > 1)
        hold_cork(c);
    for (size_t i = 0; i < n; i++) {
        if (!listen_wants(ls, &notes[i], uri))
            continue;
        size_t need = listen_note_size(&notes[i], ls);
        if (need > r->lcap) {
            r->lbuf = xrealloc(r->lbuf, need);
            r->lcap = need;
        }
        hold_data(c, NULL, r->lbuf, listen_note_text(&notes[i], ls, r->lbuf, r->lcap));
        got = 1;
    }
    hold_uncork(c); /* may drop c: it leaves the list only when closed, from the loop */
    return got;
}

/* Writes those of msgs[0..n_msgs) (borrowed) that each listen stream asked for, in order and
 * in one write per stream, with the stream's subscription id; uri (may be NULL) limits them to
 * streams subscribed to it. Returns how many streams got at least one. */
static size_t route_listen_notify(struct route *r, const char *uri, json_object *const *msgs,
                                  size_t n_msgs)
{
    struct listen_note notes[ROUTE_NOTIFY_MAX];
    struct listen_sub *ls;
    size_t n = 0, sent = 0;
    bool any = false;

    if (TAILQ_EMPTY(&r->listens))
        return 0;
    for (size_t i = 0; i < n_msgs && i < ROUTE_NOTIFY_MAX; i++) {
        listen_note_init(&notes[n], msgs[i], ROUTE_MAX_MSG);
        any = any || notes[n].kind != LISTEN_NONE;
        n++;
    }
    if (any) { /* else none of msgs is for listen streams */
        TAILQ_FOREACH(ls, &r->listens, link)
        {
            sent += route_listen_one(r, ls, notes, n, uri);
        }
    }
    for (size_t i = 0; i < n; i++)
        listen_note_clear(&notes[i]);
    return sent;
}

/* Sends the prepared notes n to the standalone stream of every session (subscribed to uri,
 * when not NULL) and msgs[0..n_msgs) (borrowed, the same notifications) to the listen
 * streams that asked for them. Returns how many listen streams got one. */
static size_t route_broadcast(struct route *r, const struct sess_now *now, const char *uri,
                              struct route_note *n, json_object *const *msgs, size_t n_msgs)
{
    if (n->n > 0)
        sess_each(r->sessions, now, uri, route_note_each, n);
    return route_listen_notify(r, uri, msgs, n_msgs);
}

size_t route_notify(struct route *r, const char *uri, json_object *const *msgs, size_t n_msgs,
                    size_t *listeners)
{
    struct sess_now now;
    struct route_note n = {0};

    sess_now_read(&now);
    n.now_ms = now.mono_ms;
    for (size_t i = 0; i < n_msgs && i < ROUTE_NOTIFY_MAX; i++) {
        if ((n.text[n.n] = route_msg_text(msgs[i], &n.len[n.n])) != NULL)
            n.n++;
    }
    size_t l = route_broadcast(r, &now, uri, &n, msgs, n_msgs);
    if (listeners != NULL)
        *listeners = l;
    return n.sent;
}

static json_object *route_notify_req(struct route *r, const struct sess_now *now, json_object *req)
{
    bool bad = false;
    json_object *msg = route_obj(req, "msg", &bad);
    const char *uri = route_str(req, "uri", IPC_MAX_URI, &bad);
    json_object *idv = NULL, *reply;
    struct stream_sess *ss;
    struct route_note n = {.now_ms = now->mono_ms, .n = 1};
    size_t listeners = 0;
    enum mcp_err rc;

    if (bad || msg == NULL || (uri != NULL && uri[0] == '\0'))
        return route_fail(MCP_E_INVALID_PARAMS, "msg must be an object, uri 1 to 2048 bytes");
    if ((n.text[0] = route_msg_text(msg, &n.len[0])) == NULL)
        return route_fail(MCP_E_INVALID_PARAMS, "msg is too large");
    if (json_object_object_get_ex(req, "id", &idv) && !json_object_is_type(idv, json_type_null)) {
        if ((rc = route_sess(r, now, req, false, &ss)) != MCP_OK)
            return route_fail(rc, NULL);
        if (uri == NULL || sess_subscribed(r->sessions, now, ss->sid, uri))
            route_note_one(&n, ss);
    } else {
        listeners = route_broadcast(r, now, uri, &n, &msg, 1);
    }
    reply = ipc_reply_new(MCP_OK, NULL);
    json_object_object_add(reply, "sessions", json_object_new_int64((int64_t)n.sent));
    json_object_object_add(reply, "listeners", json_object_new_int64((int64_t)listeners));
    return reply;
}

json_object *route_dispatch(struct route *r, uint16_t type, json_object *req, struct hold_conn *c,
                            route_reply_fn *done, void *arg, struct route_wait **wait)
{
    struct sess_now now;

    *wait = NULL;
    sess_now_read(&now);
    if (!ipc_type_takes_fd(type))
        hold_discard(c);
    switch (type) {
    case IPC_STREAM_OPEN:
        return route_open(r, &now, req);
    case IPC_STREAM_PUBLISH:
        return route_publish(r, &now, req);
    case IPC_STREAM_ATTACH:
        return route_attach(r, &now, req, c);
    case IPC_CLIENT_REQUEST:
        return route_client_request(r, &now, req);
    case IPC_AWAIT:
        return route_await(r, &now, req, done, arg, wait);
    case IPC_DELIVER:
        return route_deliver(r, &now, req);
    case IPC_CANCEL:
        return route_cancel(r, &now, req, false);
    case IPC_CANCELLED:
        return route_cancel(r, &now, req, true);
    case IPC_NOTIFY:
        return route_notify_req(r, &now, req);
    case IPC_LISTEN_ATTACH:
        return route_listen_attach(r, req, c);
    default:
        return ipc_reply_new(MCP_E_PROTO, "unknown message type");
    }
}
