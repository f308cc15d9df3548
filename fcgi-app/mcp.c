/* mcp.c - the Streamable HTTP endpoint: transport checks, sessions, lifecycle, dispatch. */
#include "mcp.h"

#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "answer.h"
#include "feat.h"
#include "rpc.h"
#include "sessc.h"
#include "tool.h"
#include "jsonx.h"
#include "modern.h"
#include "rev.h"

/* Revisions served through initialize, oldest first; the last one is our newest. */
static const char *const mcp_versions[] = {"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"};
#define MCP_NEWEST        (mcp_versions[sizeof(mcp_versions) / sizeof(mcp_versions[0]) - 1])
#define MCP_BATCH_VERSION "2025-03-26" /* the only revision with JSON-RPC batches */
#define MCP_BATCH_MAX     64

struct mcp_server {
    const struct mcp_cfg *cfg;
    struct sessc *sc;
};

/* What one POST knows about its session while its messages are handled. */
struct mcp_call {
    struct mcp_server *srv;
    const struct http_req *req;
    json_object *session;  /* owned; NULL before initialize */
    const char *principal; /* points to principal_buf */
    struct http_resp *resp;
    enum mcp_err transport_err; /* first sessiond failure that must end the whole POST */
    FCGX_Request *fr;           /* the request's connection (SSE answers are written to it) */
    /* a copy: REMOTE_USER lives in the FastCGI params, which are freed when the request is
     * finished early (POST /messages answers 202 first) */
    char principal_buf[HTTP_PRINCIPAL_MAX + 1];
};

static void mcp_call_init(struct mcp_call *c, struct mcp_server *srv, const struct http_req *req,
                          struct http_resp *resp, FCGX_Request *fr)
{
    memset(c, 0, sizeof(*c));
    c->srv = srv;
    c->req = req;
    c->resp = resp;
    c->fr = fr;
    c->transport_err = MCP_OK;
    snprintf(c->principal_buf, sizeof(c->principal_buf), "%s",
             req->remote_user ? req->remote_user : "");
    c->principal = c->principal_buf;
}

struct mcp_server *mcp_server_new(const struct mcp_cfg *cfg)
{
    struct mcp_server *srv = xcalloc(1, sizeof(*srv));
    srv->cfg = cfg;
    srv->sc = sessc_new(cfg);
    return srv;
}

void mcp_server_free(struct mcp_server *srv)
{
    if (srv == NULL)
        return;
    sessc_free(srv->sc);
    free(srv);
}

int mcp_version_supported(const char *v)
{
    for (size_t i = 0; v != NULL && i < sizeof(mcp_versions) / sizeof(mcp_versions[0]); i++)
        if (strcmp(v, mcp_versions[i]) == 0)
            return 1;
    return 0;
}

size_t mcp_version_count(void)
{
    return sizeof(mcp_versions) / sizeof(mcp_versions[0]);
}

const char *mcp_version_at(size_t i)
{
    size_t n = mcp_version_count();
    return i < n ? mcp_versions[n - 1 - i] : NULL;
}

json_object *mcp_server_info_new(const struct mcp_cfg *cfg, const char *version)
{
    json_object *si = json_object_new_object();
    json_object_object_add(si, "name", json_object_new_string(cfg->server_name));
    if (rev_has(version, REV_2025_06_18) && cfg->server_title[0])
        json_object_object_add(si, "title", json_object_new_string(cfg->server_title));
    json_object_object_add(si, "version", json_object_new_string(MCP_VERSION));
    return si;
}

void mcp_http_error(struct http_resp *resp, enum mcp_err err, json_object *id, const char *message)
{
    http_resp_clear(resp);
    resp->status = mcp_err_info(err)->http_status;
    resp->body = rpc_error_new(id, err, message, NULL);
}

int mcp_classify(json_object *msg, struct rpc_msg *m, struct http_resp *resp)
{
    const char *why;
    char text[RPC_MSG_LEN];

    if (rpc_classify(msg, m, &why) == MCP_OK)
        return 1;
    snprintf(text, sizeof(text), "Invalid Request: %s.", why);
    mcp_http_error(resp, MCP_E_INVALID_REQUEST, m->id, text);
    return 0;
}

static const char *mcp_principal(const struct http_req *req)
{
    return req->remote_user ? req->remote_user : "";
}

/* Starts the request's sessiond budget and applies the DNS-rebinding defences (Host, Origin)
 * every endpoint shares. Returns 1 with resp filled when the request is refused. */
static int mcp_edge_refused(struct mcp_server *srv, const struct http_req *req,
                            struct http_resp *resp)
{
    enum mcp_err rc;
    sessc_begin_request(srv->sc);
    if ((rc = http_check_host(srv->cfg, req)) != MCP_OK ||
        (rc = http_check_origin(srv->cfg, req)) != MCP_OK) {
        mcp_http_error(resp, rc, NULL, NULL);
        return 1;
    }
    return 0;
}

/* Parses a POST body within http.max_body and http.max_json_depth. Returns the document
 * (owned), or NULL with resp filled (413, or 400 with -32700). */
static json_object *mcp_body_parse(struct mcp_server *srv, const char *body, size_t len,
                                   struct http_resp *resp)
{
    json_object *doc = NULL;
    if (len > srv->cfg->max_body) {
        mcp_http_error(resp, MCP_E_TOO_LARGE, NULL, NULL);
        return NULL;
    }
    if (rpc_parse(body, len, srv->cfg->max_json_depth, &doc) != MCP_OK) {
        mcp_http_error(resp, MCP_E_PARSE, NULL, NULL);
        return NULL;
    }
    return doc;
}

/* GET /mcp: the session's standalone SSE stream, or the resumption of one of its streams
 * (Last-Event-ID), handed over to mcp-sessiond with the connection itself. */
static int mcp_handle_get(struct mcp_server *srv, const struct http_req *req, FCGX_Request *fr,
                          struct http_resp *resp)
{
    enum mcp_err rc;
    if (!http_accepts(req->accept, "text/event-stream")) {
        mcp_http_error(resp, MCP_E_NOT_ACCEPTABLE, NULL,
                       "Not Acceptable: GET opens an SSE stream; Accept must list "
                       "text/event-stream.");
        return 1;
    }
    if (req->session_id == NULL) {
        mcp_http_error(resp, MCP_E_SESSION_REQUIRED, NULL, NULL);
        return 1;
    }
    if (!http_session_id_valid(req->session_id) || fr == NULL) {
        mcp_http_error(resp, fr ? MCP_E_SESSION_NOT_FOUND : MCP_E_INTERNAL, NULL, NULL);
        return 1;
    }
    /* nothing of the request may stay in libfcgi's buffer: it is freed with the request */
    char sink[512];
    while (FCGX_GetStr(sink, sizeof(sink), fr->in) > 0)
        ;
    rc =
        sessc_stream_attach(srv->sc, req->session_id, mcp_principal(req), SESSC_ATTACH_GET,
                            req->last_event_id, NULL, fr->ipcFd, fr->requestId, fr->keepConnection);
    if (rc != MCP_OK && rc != MCP_E_TIMEOUT) {
        mcp_http_error(resp, rc, NULL, NULL);
        return 1;
    }
    resp->handed_off = 1; /* MCP_E_TIMEOUT: sessiond may own it; write nothing */
    return 1;
}

int mcp_handle_head(struct mcp_server *srv, const struct http_req *req, FCGX_Request *fr,
                    struct http_resp *resp)
{
    const struct mcp_cfg *cfg = srv->cfg;
    enum mcp_err rc;

    if (mcp_edge_refused(srv, req, resp))
        return 1;
    if (modern_head_selected(req)) {
        /* a 2026-07-28 client: POST only, checked with its body (modern.h) */
        if (strcmp(req->method, "POST") != 0) {
            mcp_http_error(resp, MCP_E_METHOD_NOT_ALLOWED, NULL,
                           "Method Not Allowed: protocol revision 2026-07-28 serves POST only "
                           "(no GET stream, no sessions to DELETE).");
            resp->allow = "POST";
            return 1;
        }
    } else if (req->protocol_version != NULL && !mcp_version_supported(req->protocol_version)) {
        char msg[RPC_MSG_LEN];
        int n = snprintf(msg, sizeof(msg),
                         "Bad Request: unsupported MCP-Protocol-Version \"%.40s\" (supported:",
                         req->protocol_version);
        size_t count = mcp_version_count();
        for (size_t i = 0; i < count && n > 0 && (size_t)n < sizeof(msg); i++)
            n += snprintf(msg + n, sizeof(msg) - (size_t)n, " %s%s", mcp_versions[i],
                          i + 1 < count ? "," : ").");
        rpc_utf8_sanitize(msg);
        mcp_http_error(resp, MCP_E_BAD_PROTOCOL_VERSION, NULL, msg);
        return 1;
    }
    if (strcmp(req->method, "GET") == 0)
        return mcp_handle_get(srv, req, fr, resp);
    if (strcmp(req->method, "DELETE") == 0) {
        if (req->session_id == NULL) {
            mcp_http_error(resp, MCP_E_SESSION_REQUIRED, NULL, NULL);
            return 1;
        }
        rc = http_session_id_valid(req->session_id)
                 ? sessc_delete(srv->sc, req->session_id, mcp_principal(req))
                 : MCP_E_SESSION_NOT_FOUND;
        if (rc != MCP_OK) {
            mcp_http_error(resp, rc, NULL, NULL);
            return 1;
        }
        http_resp_clear(resp);
        resp->status = 204;
        return 1;
    }
    if (strcmp(req->method, "POST") != 0) {
        mcp_http_error(resp, MCP_E_METHOD_NOT_ALLOWED, NULL, NULL);
        resp->allow = "GET, POST, DELETE";
        return 1;
    }
    if (!http_accepts(req->accept, "application/json") ||
        !http_accepts(req->accept, "text/event-stream")) {
        mcp_http_error(resp, MCP_E_NOT_ACCEPTABLE, NULL, NULL);
        return 1;
    }
    if (!http_content_type_is(req->content_type, "application/json")) {
        mcp_http_error(resp, MCP_E_UNSUPPORTED_MEDIA, NULL, NULL);
        return 1;
    }
    if (req->content_length > 0 && (size_t)req->content_length > cfg->max_body) {
        char msg[RPC_MSG_LEN];
        snprintf(msg, sizeof(msg), "Payload Too Large: the body exceeds %zu bytes.", cfg->max_body);
        mcp_http_error(resp, MCP_E_TOO_LARGE, NULL, msg);
        return 1;
    }
    return 0;
}

/* ---- the JSON-answer sink: no stream, so nothing can travel before the result ---------- */

static enum mcp_err mcp_json_notify(void *opaque, json_object *msg)
{
    (void)opaque;
    json_object_put(msg);
    return MCP_OK;
}

static enum mcp_err mcp_json_request(void *opaque, const char *method, json_object *params,
                                     json_object **result)
{
    (void)opaque;
    (void)method;
    json_object_put(params);
    *result = NULL;
    return MCP_E_UNAVAILABLE;
}

/* For batches, whose answer is one JSON array. */
static const struct feat_sink mcp_json_sink = {NULL, mcp_json_notify, mcp_json_request, NULL, NULL};

/* ---- methods ---------------------------------------------------------------------------- */

static enum mcp_err mcp_initialize(struct mcp_call *c, json_object *params, json_object **result,
                                   struct rpc_fail *fail)
{
    const struct mcp_cfg *cfg = c->srv->cfg;
    const char *want = jsonx_str(params, "protocolVersion");
    json_object *caps = jsonx_get(params, "capabilities");
    json_object *info = jsonx_get(params, "clientInfo");

    if (want == NULL)
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                            "Invalid params: initialize needs a string \"protocolVersion\".");
    if (caps != NULL && !json_object_is_type(caps, json_type_object))
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                            "Invalid params: \"capabilities\" must be an object.");
    if (info != NULL &&
        (!json_object_is_type(info, json_type_object) || jsonx_str(info, "name") == NULL))
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                            "Invalid params: \"clientInfo\" must be an object with a \"name\".");
    const char *version = mcp_version_supported(want) ? want : MCP_NEWEST;

    json_object *session = NULL;
    enum mcp_err rc;
    if (c->session != NULL) {
        /* 2024-11-05 HTTP+SSE: GET /sse made the session; initialize fills it in */
        json_object *changes = json_object_new_object();
        json_object_object_add(changes, "version", json_object_new_string(version));
        json_object_object_add(changes, "client_capabilities",
                               caps ? json_object_get(caps) : json_object_new_object());
        json_object_object_add(changes, "client_info",
                               info ? json_object_get(info) : json_object_new_object());
        rc = sessc_update(c->srv->sc, jsonx_str(c->session, "id"), c->principal, changes, &session);
        json_object_put(changes);
    } else {
        rc = sessc_create(c->srv->sc, c->principal, version, caps, info, &session);
    }
    if (rc != MCP_OK)
        return rc;
    const char *id = jsonx_str(session, "id");
    if (id == NULL || !http_session_id_valid(id)) {
        json_object_put(session);
        return rpc_fail_set(fail, MCP_E_INTERNAL, "Internal error: bad session id from sessiond.");
    }
    if (c->fr != NULL) /* Streamable HTTP: the id travels in the answer's header */
        snprintf(c->resp->session_id, sizeof(c->resp->session_id), "%s", id);
    json_object_put(c->session);
    c->session = session;

    json_object *r = json_object_new_object();
    json_object_object_add(r, "protocolVersion", json_object_new_string(version));
    json_object_object_add(r, "capabilities", feat_capabilities_new(cfg, version));
    json_object_object_add(r, "serverInfo", mcp_server_info_new(cfg, version));
    if (rev_has(version, REV_2025_03_26) && cfg->instructions[0])
        json_object_object_add(r, "instructions", json_object_new_string(cfg->instructions));
    *result = r;
    return MCP_OK;
}

/* Records a sessiond failure that must end the whole POST; returns rc. */
static enum mcp_err mcp_transport(struct mcp_call *c, enum mcp_err rc)
{
    if (rc != MCP_OK && rc != MCP_E_INVALID_PARAMS && c->transport_err == MCP_OK)
        c->transport_err = rc;
    return rc;
}

/* Applies one change to the session in sessiond; the reply replaces c->session. */
static enum mcp_err mcp_session_change(struct mcp_call *c, const char *key, json_object *value)
{
    json_object *changes = json_object_new_object();
    json_object_object_add(changes, key, value);
    json_object *updated = NULL;
    enum mcp_err rc =
        sessc_update(c->srv->sc, jsonx_str(c->session, "id"), c->principal, changes, &updated);
    json_object_put(changes);
    if (rc == MCP_OK) {
        json_object_put(c->session);
        c->session = updated;
    }
    return mcp_transport(c, rc); /* sessiond unavailable, or the session ended meanwhile */
}

static enum mcp_err mcp_set_level(struct mcp_call *c, json_object *params, json_object **result,
                                  struct rpc_fail *fail)
{
    const char *level = jsonx_str(params, "level");
    if (tool_log_level_name(level) == NULL)
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                            "Invalid params: \"level\" must be one of debug, info, notice, "
                            "warning, error, critical, alert, emergency.");
    enum mcp_err rc = mcp_session_change(c, "log_level", json_object_new_string(level));
    if (rc == MCP_OK)
        *result = json_object_new_object();
    return rc;
}

static enum mcp_err mcp_subscribe(struct mcp_call *c, const char *method, json_object *params,
                                  json_object **result, struct rpc_fail *fail)
{
    const char *version = jsonx_str(c->session, "version");
    if (!feat_capability(c->srv->cfg, version, "resources", "subscribe"))
        return rpc_fail_set(fail, MCP_E_METHOD_NOT_FOUND,
                            "Method not found: %s (resource subscriptions are not offered).",
                            method);
    const char *uri = jsonx_str(params, "uri");
    if (uri == NULL || uri[0] == '\0' || strlen(uri) > 2048)
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                            "Invalid params: \"uri\" must be a non-empty string of at most 2048 "
                            "bytes.");
    int sub = strcmp(method, "resources/subscribe") == 0;
    enum mcp_err rc =
        mcp_session_change(c, sub ? "subscribe" : "unsubscribe", json_object_new_string(uri));
    if (rc == MCP_E_INVALID_PARAMS)
        return rpc_fail_set(fail, rc, "Invalid params: too many subscriptions on this session.");
    if (rc == MCP_OK)
        *result = json_object_new_object();
    return rc;
}

/* Errors a method reports inside a 200 answer; any other error is the transport's and keeps
 * its own status (sessiond unavailable -> 503, session gone -> 404). */
static int mcp_err_is_method_level(enum mcp_err rc)
{
    return rc == MCP_E_METHOD_NOT_FOUND || rc == MCP_E_INVALID_PARAMS ||
           rc == MCP_E_RESOURCE_NOT_FOUND || rc == MCP_E_INTERNAL;
}

/* Runs one request inside a session; returns the response object (owned) and the HTTP
 * status it deserves on its own in *status. */
static json_object *mcp_request(struct mcp_call *c, const struct rpc_msg *m,
                                const struct feat_sink *sink, int *status)
{
    struct rpc_fail fail = {{0}, NULL};
    json_object *result = NULL;
    enum mcp_err rc;

    if (strcmp(m->method, "ping") == 0) {
        rc = MCP_OK;
        result = json_object_new_object();
    } else if (strcmp(m->method, "logging/setLevel") == 0) {
        rc = mcp_set_level(c, m->params, &result, &fail);
    } else if (strcmp(m->method, "resources/subscribe") == 0 ||
               strcmp(m->method, "resources/unsubscribe") == 0) {
        rc = mcp_subscribe(c, m->method, m->params, &result, &fail);
    } else {
        json_object *meta = jsonx_get(m->params, "_meta");
        const char *level = jsonx_str(c->session, "log_level");
        struct feat_ctx ctx = {
            .cfg = c->srv->cfg,
            .version = jsonx_str(c->session, "version"),
            .client_caps = jsonx_get(c->session, "client_capabilities"),
            .log_level = level ? level : "",
            .progress_token = jsonx_get(meta, "progressToken"),
            .sink = sink,
        };
        rc = feat_dispatch(&ctx, m->method, m->params, &result, &fail);
        if (rc == MCP_E_METHOD_NOT_FOUND && fail.message[0] == '\0')
            rpc_fail_set(&fail, rc, "Method not found: %.200s", m->method);
    }
    if (rc == MCP_E_CLIENT_CAPABILITY)
        rc = MCP_E_INVALID_PARAMS; /* -32021 belongs to 2026-07-28; these are legacy sessions */
    *status = rc == MCP_OK || mcp_err_is_method_level(rc) ? 200 : mcp_err_info(rc)->http_status;
    if (rc == MCP_OK) {
        rpc_fail_clear(&fail);
        return rpc_result_new(m->id, result);
    }
    json_object_put(result);
    json_object *err = rpc_error_from_fail(m->id, rc, &fail);
    rpc_fail_clear(&fail);
    return err;
}

/* Handles one notification inside a session. Unknown notifications are ignored. Returns
 * the failure to record it (sessiond unavailable, session gone), else MCP_OK. */
static enum mcp_err mcp_notification(struct mcp_call *c, const struct rpc_msg *m)
{
    const char *sid = jsonx_str(c->session, "id");
    if (strcmp(m->method, "notifications/initialized") == 0)
        return mcp_session_change(c, "initialized", json_object_new_boolean(1));
    if (strcmp(m->method, "notifications/cancelled") == 0) {
        /* stops the call in whichever worker runs it; an unknown id is ignored */
        json_object *rid = jsonx_get(m->params, "requestId");
        if (rid == NULL || !(json_object_is_type(rid, json_type_string) ||
                             json_object_is_type(rid, json_type_int)))
            return MCP_OK;
        return mcp_transport(c, sessc_cancel(c->srv->sc, sid, c->principal, rid));
    }
    return MCP_OK;
}

/* A client's answer to one of our requests: hand it to the worker waiting for it. */
static enum mcp_err mcp_response(struct mcp_call *c, const struct rpc_msg *m)
{
    return mcp_transport(
        c, sessc_deliver(c->srv->sc, jsonx_str(c->session, "id"), c->principal, m->obj));
}

/* 1 when session (a sessiond session object) belongs to the 2024-11-05 HTTP+SSE transport. */
static int mcp_session_is_sse(json_object *session)
{
    const char *t = jsonx_str(session, "transport");
    return t != NULL && strcmp(t, "sse") == 0;
}

/* Loads the session named by the request header. Fills resp on failure (echoing id, which
 * may be NULL) and returns 0. */
static int mcp_session_load(struct mcp_call *c, json_object *id)
{
    const struct http_req *req = c->req;
    if (req->session_id == NULL) {
        mcp_http_error(c->resp, MCP_E_SESSION_REQUIRED, id,
                       "Bad Request: Mcp-Session-Id header is required (send initialize "
                       "first).");
        return 0;
    }
    enum mcp_err rc = http_session_id_valid(req->session_id)
                          ? sessc_get(c->srv->sc, req->session_id, c->principal, &c->session)
                          : MCP_E_SESSION_NOT_FOUND;
    if (rc == MCP_OK && mcp_session_is_sse(c->session))
        rc = MCP_E_SESSION_NOT_FOUND; /* 2024-11-05 sessions talk through POST /messages */
    if (rc != MCP_OK) {
        mcp_http_error(c->resp, rc, id, NULL);
        return 0;
    }
    return 1;
}

static void mcp_single(struct mcp_call *c, json_object *msg)
{
    struct rpc_msg m;
    struct http_resp *resp = c->resp;

    if (!mcp_classify(msg, &m, resp))
        return;
    if (m.kind == RPC_REQUEST && strcmp(m.method, "initialize") == 0) {
        struct rpc_fail fail = {{0}, NULL};
        json_object *result = NULL;
        enum mcp_err rc = mcp_initialize(c, m.params, &result, &fail);
        if (rc == MCP_OK) {
            resp->status = 200;
            resp->body = rpc_result_new(m.id, result);
        } else {
            resp->status = mcp_err_is_method_level(rc) ? 200 : mcp_err_info(rc)->http_status;
            resp->body = rpc_error_from_fail(m.id, rc, &fail);
        }
        rpc_fail_clear(&fail);
        return;
    }
    if (!mcp_session_load(c, m.id))
        return;
    if (m.kind == RPC_REQUEST) {
        struct answer a;
        answer_init(&a, ANSWER_STREAMABLE, c->srv->cfg, c->srv->sc, c->fr,
                    jsonx_str(c->session, "id"), c->principal, jsonx_str(c->session, "version"),
                    m.id);
        a.cancellable = strcmp(m.method, "tools/call") == 0;
        int status = 200;
        json_object *out = mcp_request(c, &m, &a.sink, &status);
        if (answer_finish(&a, out)) {
            resp->streamed = 1;
        } else {
            resp->status = status;
            resp->body = out;
        }
        return;
    }
    enum mcp_err rc = m.kind == RPC_NOTIFICATION ? mcp_notification(c, &m) : mcp_response(c, &m);
    if (rc != MCP_OK && rc != MCP_E_INVALID_PARAMS) {
        mcp_http_error(resp, rc, NULL, NULL);
        return;
    }
    resp->status = 202;
}

/* A JSON-RPC batch: only for sessions that negotiated 2025-03-26. */
static void mcp_batch(struct mcp_call *c, json_object *arr)
{
    struct http_resp *resp = c->resp;
    size_t n = json_object_array_length(arr);

    if (n == 0 || n > MCP_BATCH_MAX) {
        mcp_http_error(resp, MCP_E_INVALID_REQUEST, NULL,
                       n ? "Invalid Request: a batch holds at most 64 messages."
                         : "Invalid Request: an empty batch.");
        return;
    }
    if (!mcp_session_load(c, NULL))
        return;
    const char *version = jsonx_str(c->session, "version");
    if (version == NULL || strcmp(version, MCP_BATCH_VERSION) != 0) {
        mcp_http_error(resp, MCP_E_INVALID_REQUEST, NULL,
                       "Invalid Request: JSON-RPC batches are only accepted from sessions that "
                       "negotiated protocol version 2025-03-26.");
        return;
    }
    json_object *out = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        struct rpc_msg m;
        const char *why;
        json_object *msg = json_object_array_get_idx(arr, i);
        if (rpc_classify(msg, &m, &why) != MCP_OK) {
            char text[RPC_MSG_LEN];
            snprintf(text, sizeof(text), "Invalid Request: %s.", why);
            json_object_array_add(out, rpc_error_new(m.id, MCP_E_INVALID_REQUEST, text, NULL));
        } else if (m.kind == RPC_REQUEST && strcmp(m.method, "initialize") == 0) {
            json_object_array_add(out,
                                  rpc_error_new(m.id, MCP_E_INVALID_REQUEST,
                                                "Invalid Request: initialize must not be part of "
                                                "a batch.",
                                                NULL));
        } else if (m.kind == RPC_REQUEST) {
            int status;
            json_object_array_add(out, mcp_request(c, &m, &mcp_json_sink, &status));
        } else if (m.kind == RPC_NOTIFICATION) {
            (void)mcp_notification(c, &m); /* a failure is in c->transport_err */
        } else {
            (void)mcp_response(c, &m);
        }
        if (c->transport_err != MCP_OK)
            break;
    }
    if (c->transport_err != MCP_OK) {
        /* sessiond failed part-way: answer the whole POST as the transport error */
        json_object_put(out);
        mcp_http_error(resp, c->transport_err, NULL, NULL);
        return;
    }
    if (json_object_array_length(out) == 0) {
        json_object_put(out);
        resp->status = 202;
        return;
    }
    resp->status = 200;
    resp->body = out;
}

void mcp_handle_body(struct mcp_server *srv, const struct http_req *req, FCGX_Request *fr,
                     const char *body, size_t len, struct http_resp *resp)
{
    struct mcp_call c;
    mcp_call_init(&c, srv, req, resp, fr);

    json_object *doc = mcp_body_parse(srv, body, len, resp);
    if (doc == NULL)
        return;
    if (modern_selected(req, doc))
        modern_handle(srv->cfg, srv->sc, req, fr, doc, resp);
    else if (json_object_is_type(doc, json_type_array))
        mcp_batch(&c, doc);
    else
        mcp_single(&c, doc);
    json_object_put(c.session);
    json_object_put(doc);
}

/* ---- the 2024-11-05 HTTP+SSE transport ------------------------------------------------- */

int mcp_handle_sse(struct mcp_server *srv, const struct http_req *req, FCGX_Request *fr,
                   struct http_resp *resp)
{
    enum mcp_err rc;
    json_object *session = NULL;

    if (mcp_edge_refused(srv, req, resp))
        return 1;
    if (strcmp(req->method, "GET") != 0) {
        /* a dual-transport client POSTs here first and falls back to GET on 4xx */
        mcp_http_error(resp, MCP_E_METHOD_NOT_ALLOWED, NULL,
                       "Method Not Allowed: this is the 2024-11-05 SSE endpoint; GET opens the "
                       "stream. Streamable HTTP clients use the /mcp endpoint.");
        resp->allow = "GET";
        return 1;
    }
    if (!http_accepts(req->accept, "text/event-stream")) {
        mcp_http_error(resp, MCP_E_NOT_ACCEPTABLE, NULL,
                       "Not Acceptable: Accept must list text/event-stream.");
        return 1;
    }
    /* the version is negotiated later by initialize over POST /messages */
    rc = sessc_create(srv->sc, mcp_principal(req), "2024-11-05", NULL, NULL, &session);
    if (rc != MCP_OK) {
        mcp_http_error(resp, rc, NULL, NULL);
        return 1;
    }
    const char *sid = jsonx_str(session, "id");
    char endpoint[HTTP_PATH_MAX + 64];
    const char *slash = strrchr(req->path, '/');
    int plen = slash ? (int)(slash - req->path) + 1 : 0;
    snprintf(endpoint, sizeof(endpoint), "%.*smessages?session_id=%s", plen, req->path, sid);
    char drain[512];
    while (FCGX_GetStr(drain, sizeof(drain), fr->in) > 0)
        ;
    rc = sessc_stream_attach(srv->sc, sid, mcp_principal(req), SESSC_ATTACH_LEGACY, NULL, endpoint,
                             fr->ipcFd, fr->requestId, fr->keepConnection);
    if (rc != MCP_OK && rc != MCP_E_TIMEOUT) {
        (void)sessc_delete(srv->sc, sid, mcp_principal(req));
        mcp_http_error(resp, rc, NULL, NULL);
    } else {
        resp->handed_off = 1; /* MCP_E_TIMEOUT: sessiond may own it; write nothing */
    }
    json_object_put(session);
    return 1;
}

/* The value of session_id in a query string, copied into out (out_len bytes); 0 if absent. */
static int mcp_query_session(const char *query, char *out, size_t out_len)
{
    for (const char *p = query; p != NULL && *p;) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        if (n > 11 && strncmp(p, "session_id=", 11) == 0 && n - 11 < out_len) {
            memcpy(out, p + 11, n - 11);
            out[n - 11] = '\0';
            return 1;
        }
        p = amp ? amp + 1 : NULL;
    }
    return 0;
}

int mcp_handle_messages_head(struct mcp_server *srv, const struct http_req *req,
                             struct http_resp *resp)
{
    char sid[HTTP_SESSION_ID_MAX + 1];

    if (mcp_edge_refused(srv, req, resp))
        return 1;
    if (strcmp(req->method, "POST") != 0) {
        mcp_http_error(resp, MCP_E_METHOD_NOT_ALLOWED, NULL, NULL);
        resp->allow = "POST";
        return 1;
    }
    if (!http_content_type_is(req->content_type, "application/json")) {
        mcp_http_error(resp, MCP_E_UNSUPPORTED_MEDIA, NULL, NULL);
        return 1;
    }
    if (!mcp_query_session(req->query, sid, sizeof(sid))) {
        mcp_http_error(resp, MCP_E_SESSION_REQUIRED, NULL,
                       "Bad Request: the session_id query parameter is required (GET /sse "
                       "gives the endpoint).");
        return 1;
    }
    if (req->content_length > 0 && (size_t)req->content_length > srv->cfg->max_body) {
        mcp_http_error(resp, MCP_E_TOO_LARGE, NULL, NULL);
        return 1;
    }
    return 0;
}

void mcp_handle_messages_body(struct mcp_server *srv, const struct http_req *req, FCGX_Request *fr,
                              const char *body, size_t len, struct http_resp *resp)
{
    json_object *doc = NULL;
    char sid[HTTP_SESSION_ID_MAX + 1];
    struct mcp_call c;
    mcp_call_init(&c, srv, req, resp, NULL);
    struct rpc_msg m;
    enum mcp_err rc;

    (void)mcp_query_session(req->query, sid, sizeof(sid));
    if ((doc = mcp_body_parse(srv, body, len, resp)) == NULL)
        return;
    if (!mcp_classify(doc, &m, resp))
        goto done;
    rc = http_session_id_valid(sid) ? sessc_get(srv->sc, sid, c.principal, &c.session)
                                    : MCP_E_SESSION_NOT_FOUND;
    if (rc == MCP_OK && !mcp_session_is_sse(c.session))
        rc = MCP_E_SESSION_NOT_FOUND; /* a Streamable HTTP session has no /sse stream */
    if (rc != MCP_OK) {
        mcp_http_error(resp, rc, m.id, NULL);
        goto done;
    }
    /* accepted: answer now, then run the message; its answer travels on the SSE stream */
    http_resp_clear(resp);
    resp->status = 202;
    size_t hl;
    char *head = http_resp_render(resp, &hl);
    FCGX_PutStr(head, (int)hl, fr->out);
    free(head);
    FCGX_Finish_r(fr);
    resp->streamed = 1;
    if (m.kind == RPC_NOTIFICATION) {
        (void)mcp_notification(&c, &m);
    } else if (m.kind == RPC_RESPONSE) {
        (void)mcp_response(&c, &m);
    } else {
        struct answer a;
        json_object *out = NULL;
        answer_init(&a, ANSWER_LEGACY, srv->cfg, srv->sc, NULL, sid, c.principal,
                    jsonx_str(c.session, "version"), m.id);
        if (strcmp(m.method, "initialize") == 0) {
            struct rpc_fail fail = {{0}, NULL};
            json_object *result = NULL;
            rc = mcp_initialize(&c, m.params, &result, &fail);
            out =
                rc == MCP_OK ? rpc_result_new(m.id, result) : rpc_error_from_fail(m.id, rc, &fail);
            rpc_fail_clear(&fail);
        } else {
            int status;
            out = mcp_request(&c, &m, &a.sink, &status);
        }
        (void)answer_finish(&a, out);
    }
done:
    json_object_put(c.session);
    json_object_put(doc);
}

void mcp_request_end(struct mcp_server *srv)
{
    sessc_end_request(srv->sc);
}

void mcp_handle_ready(struct mcp_server *srv, struct http_resp *resp)
{
    json_object *status = NULL;
    sessc_begin_request(srv->sc);
    enum mcp_err rc = sessc_status(srv->sc, &status);
    http_resp_clear(resp);
    json_object *body = json_object_new_object();
    json_object_object_add(body, "status",
                           json_object_new_string(rc == MCP_OK ? "ready" : "unavailable"));
    if (rc == MCP_OK) {
        json_object_object_add(body, "sessiond", status);
        resp->status = 200;
    } else {
        json_object_object_add(body, "error", json_object_new_string(mcp_err_info(rc)->message));
        resp->status = 503;
    }
    resp->body = body;
}
