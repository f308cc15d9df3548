/* modern.c - stateless requests of MCP 2026-07-28 on POST /mcp (see modern.h). */
#include "modern.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "answer.h"
#include "b64.h"
#include "feat.h"
#include "ipc.h"
#include "jsonx.h"
#include "mcp.h"
#include "rpc.h"
#include "tool.h"

#define META_VERSION "io.modelcontextprotocol/protocolVersion"
#define META_CAPS    "io.modelcontextprotocol/clientCapabilities"
#define META_INFO    "io.modelcontextprotocol/clientInfo"
#define META_LEVEL   "io.modelcontextprotocol/logLevel"
#define META_SERVER  "io.modelcontextprotocol/serverInfo"

#define MODERN_LIST_TTL_MS   60000 /* lists change only on a reload, which listen streams hear */
#define MODERN_READ_TTL_MS   0     /* resource contents may change at any time */
#define MODERN_HDR_MAX       (HTTP_VALUE_MAX + 1) /* a decoded request-metadata header, NUL */
#define MODERN_LISTEN_ID_MAX 255                  /* JSON text of a listen id (sessiond's bound) */
#define MODERN_LISTEN_URIS_MAX                                                                     \
    (48 * 1024)            /* JSON text of resourceSubscriptions: the IPC                          \
                            * frame to sessiond must stay under 64 KiB */
#define MODERN_CGI_MAX 160 /* "HTTP_MCP_PARAM_" + a header name */

static const char *const modern_removed[] = {"initialize", "ping", "logging/setLevel",
                                             "resources/subscribe", "resources/unsubscribe"};

/* The methods served statelessly: the capability that must be advertised for each ("" =
 * always served), whether complete results carry caching hints, and the params member that
 * Mcp-Name repeats (NULL = none). */
static const struct modern_method {
    const char *method;
    const char *cap;
    int cached;
    const char *name_param;
} modern_methods[] = {
    {"server/discover", "", 1, NULL},
    {"tools/list", "tools", 1, NULL},
    {"tools/call", "tools", 0, "name"},
    {"resources/list", "resources", 1, NULL},
    {"resources/templates/list", "resources", 1, NULL},
    {"resources/read", "resources", 1, "uri"},
    {"prompts/list", "prompts", 1, NULL},
    {"prompts/get", "prompts", 0, "name"},
    {"completion/complete", "completions", 0, NULL},
    {"subscriptions/listen", "listen", 0, NULL}, /* some listChanged or subscribe */
};

/* The subscriptions/listen filters: the member of params.notifications, and the capability
 * (and its flag) that must be advertised for it to be honoured. */
static const struct {
    const char *member, *cap, *flag;
} modern_listen_flags[] = {
    {"toolsListChanged", "tools", "listChanged"},
    {"promptsListChanged", "prompts", "listChanged"},
    {"resourcesListChanged", "resources", "listChanged"},
};

int modern_head_selected(const struct http_req *req)
{
    const char *v = req->protocol_version;
    if (v == NULL || mcp_version_supported(v))
        return 0;
    /* with a session, only the revision we serve statelessly overrides it */
    return req->session_id == NULL || strcmp(v, MODERN_VERSION) == 0;
}

int modern_selected(const struct http_req *req, json_object *doc)
{
    if (modern_head_selected(req))
        return 1;
    if (req->session_id != NULL)
        return 0;
    json_object *meta = jsonx_get(jsonx_get(doc, "params"), "_meta");
    return jsonx_get(meta, META_VERSION) != NULL;
}

static const struct modern_method *modern_method_find(const char *method)
{
    for (size_t i = 0; i < sizeof(modern_methods) / sizeof(modern_methods[0]); i++)
        if (strcmp(modern_methods[i].method, method) == 0)
            return &modern_methods[i];
    return NULL;
}

/* 1 when this server advertises cap (with flag true, when flag is not NULL) in 2026-07-28. */
static int modern_cap(const struct mcp_cfg *cfg, const char *cap, const char *flag)
{
    return feat_capability(cfg, MODERN_VERSION, cap, flag);
}

/* ---- request checks (modern.h, a to f) ------------------------------------------------- */

static enum mcp_err modern_meta_read(json_object *params, struct modern_meta *m,
                                     struct rpc_fail *fail)
{
    json_object *meta = jsonx_get(params, "_meta");
    json_object *v;

    memset(m, 0, sizeof(*m));
    m->log_level = FEAT_LOG_NONE;
    if (meta == NULL || !json_object_is_type(meta, json_type_object))
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                            "Invalid params: 2026-07-28 requests carry params._meta with \"%s\" "
                            "and \"%s\".",
                            META_VERSION, META_CAPS);
    if ((m->version = jsonx_str(meta, META_VERSION)) == NULL)
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                            "Invalid params: _meta[\"%s\"] must be a string.", META_VERSION);
    if (!json_object_object_get_ex(meta, META_CAPS, &m->caps) ||
        !json_object_is_type(m->caps, json_type_object))
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                            "Invalid params: _meta[\"%s\"] must be an object ({} for none).",
                            META_CAPS);
    if (json_object_object_get_ex(meta, META_INFO, &v) && !json_object_is_type(v, json_type_object))
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                            "Invalid params: _meta[\"%s\"] must be an object.", META_INFO);
    if (json_object_object_get_ex(meta, META_LEVEL, &v)) {
        const char *level = tool_log_level_name(
            json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL);
        if (level == NULL)
            return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                                "Invalid params: _meta[\"%s\"] must be one of debug, info, notice, "
                                "warning, error, critical, alert, emergency.",
                                META_LEVEL);
        m->log_level = level;
    }
    return MCP_OK;
}

/* 1 when the n bytes of s are UTF-8 text (complete sequences, no NUL). */
static int modern_utf8(const char *s, size_t n)
{
    if (memchr(s, '\0', n) != NULL)
        return 0;
    char *copy = xmalloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    rpc_utf8_sanitize(copy); /* replaces what is not UTF-8 */
    int ok = memcmp(copy, s, n) == 0;
    free(copy);
    return ok;
}

/*
 * A request-metadata header's value as the client meant it: "=?base64?<standard base64>?="
 * decoded (it must decode to UTF-8 text without NUL), anything else literally, without
 * surrounding spaces and tabs; a literal value must be printable ASCII (0x20-0x7E: anything
 * else travels base64-encoded). out holds out_size bytes, NUL-terminated.
 */
static enum mcp_err modern_header_value(const char *raw, char *out, size_t out_size)
{
    static const char pre[] = "=?base64?", post[] = "?=";
    size_t len;

    while (*raw == ' ' || *raw == '\t')
        raw++;
    len = strlen(raw);
    while (len > 0 && (raw[len - 1] == ' ' || raw[len - 1] == '\t'))
        len--;
    if (len >= sizeof(pre) - 1 + sizeof(post) - 1 && strncmp(raw, pre, sizeof(pre) - 1) == 0 &&
        strncmp(raw + len - (sizeof(post) - 1), post, sizeof(post) - 1) == 0) {
        size_t n = 0;
        const char *b = raw + sizeof(pre) - 1;
        size_t blen = len - (sizeof(pre) - 1) - (sizeof(post) - 1);
        if (b64_decode(B64_STD, B64_PAD, b, blen, out, out_size - 1, &n) != MCP_OK ||
            !modern_utf8(out, n))
            return MCP_E_HEADER_MISMATCH;
        out[n] = '\0';
        return MCP_OK;
    }
    if (len >= out_size)
        return MCP_E_HEADER_MISMATCH;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)raw[i] < 0x20 || (unsigned char)raw[i] > 0x7e)
            return MCP_E_HEADER_MISMATCH;
    memcpy(out, raw, len);
    out[len] = '\0';
    return MCP_OK;
}

/* Compares header value raw (NULL = absent) with the body's text want. */
static enum mcp_err modern_header_is(const char *raw, const char *want, const char *header,
                                     struct rpc_fail *fail)
{
    char v[MODERN_HDR_MAX];

    if (raw == NULL)
        return rpc_fail_set(fail, MCP_E_HEADER_MISMATCH,
                            "Header mismatch: the %s header is required.", header);
    if (modern_header_value(raw, v, sizeof(v)) != MCP_OK)
        return rpc_fail_set(fail, MCP_E_HEADER_MISMATCH,
                            "Header mismatch: the %s header is not valid (bad =?base64?...?= "
                            "value or too long).",
                            header);
    if (strcmp(v, want) != 0)
        return rpc_fail_set(fail, MCP_E_HEADER_MISMATCH,
                            "Header mismatch: the %s header does not match the request body.",
                            header);
    return MCP_OK;
}

/* The CGI variable of header "Mcp-Param-<name>": HTTP_MCP_PARAM_ + name in upper case with
 * every other character than a letter or digit as '_'. 0 when name does not fit. */
static int modern_param_cgi(const char *name, char *out, size_t out_size)
{
    int n = snprintf(out, out_size, "HTTP_MCP_PARAM_%s", name);
    if (n < 0 || (size_t)n >= out_size || name[0] == '\0')
        return 0;
    for (char *p = out + strlen("HTTP_MCP_PARAM_"); *p; p++)
        *p = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
    return 1;
}

/* One argument with "x-mcp-header": its Mcp-Param-<header> must carry the same value. */
static enum mcp_err modern_param_check(const struct http_req *req, const char *header,
                                       json_object *arg, struct rpc_fail *fail)
{
    char cgi[MODERN_CGI_MAX], v[MODERN_HDR_MAX], want[64];
    const char *raw;

    if (arg == NULL || json_object_is_type(arg, json_type_null))
        return MCP_OK; /* no value in the body: no header expected */
    if (!modern_param_cgi(header, cgi, sizeof(cgi)))
        return MCP_OK;
    if ((raw = http_req_header(req, cgi)) == NULL)
        return rpc_fail_set(fail, MCP_E_HEADER_MISMATCH,
                            "Header mismatch: the Mcp-Param-%.64s header is required for this "
                            "argument.",
                            header);
    if (modern_header_value(raw, v, sizeof(v)) != MCP_OK)
        return rpc_fail_set(fail, MCP_E_HEADER_MISMATCH,
                            "Header mismatch: the Mcp-Param-%.64s header is not valid.", header);
    switch (json_object_get_type(arg)) {
    case json_type_string:
        if (strcmp(v, json_object_get_string(arg)) == 0)
            return MCP_OK;
        break;
    case json_type_int: {
        char *end = NULL;
        errno = 0;
        long long h = strtoll(v, &end, 10);
        if (errno == 0 && end != v && *end == '\0' && h == json_object_get_int64(arg))
            return MCP_OK;
        break;
    }
    case json_type_boolean:
        snprintf(want, sizeof(want), "%s", json_object_get_boolean(arg) ? "true" : "false");
        if (strcmp(v, want) == 0)
            return MCP_OK;
        break;
    default:
        return MCP_OK; /* x-mcp-header applies to strings, integers and booleans only */
    }
    return rpc_fail_set(fail, MCP_E_HEADER_MISMATCH,
                        "Header mismatch: the Mcp-Param-%.64s header does not match the "
                        "argument.",
                        header);
}

/* tools/call: every top-level argument whose property schema names "x-mcp-header". */
static enum mcp_err modern_params_check(const struct mcp_cfg *cfg, const struct http_req *req,
                                        json_object *params, struct rpc_fail *fail)
{
    const char *name = jsonx_str(params, "name");
    const struct tool_def *t = name ? tool_find(cfg, name) : NULL;
    json_object *schema, *props, *args = jsonx_get(params, "arguments");
    enum mcp_err rc = MCP_OK;

    if (t == NULL || t->input_schema == NULL || strstr(t->input_schema, "x-mcp-header") == NULL)
        return MCP_OK;
    if ((schema = json_tokener_parse(t->input_schema)) == NULL)
        return MCP_OK; /* the tool layer reports a broken schema */
    props = jsonx_get(schema, "properties");
    if (props != NULL && json_object_is_type(props, json_type_object)) {
        json_object_object_foreach(props, key, prop)
        {
            const char *header = jsonx_str(prop, "x-mcp-header");
            if (header != NULL && rc == MCP_OK)
                rc = modern_param_check(req, header, jsonx_get(args, key), fail);
        }
    }
    json_object_put(schema);
    return rc;
}

enum mcp_err modern_check(const struct mcp_cfg *cfg, const struct http_req *req,
                          const struct rpc_msg *m, struct modern_meta *meta, struct rpc_fail *fail)
{
    const struct modern_method *mm;
    enum mcp_err rc;

    if (req->protocol_version == NULL)
        return rpc_fail_set(fail, MCP_E_HEADER_MISMATCH,
                            "Header mismatch: the MCP-Protocol-Version header is required.");
    if ((rc = modern_meta_read(m->params, meta, fail)) != MCP_OK)
        return rc;
    if (strcmp(req->protocol_version, meta->version) != 0)
        return rpc_fail_set(fail, MCP_E_HEADER_MISMATCH,
                            "Header mismatch: MCP-Protocol-Version must equal _meta[\"%s\"].",
                            META_VERSION);
    if (strcmp(meta->version, MODERN_VERSION) != 0) {
        json_object *data = json_object_new_object();
        json_object *sup = json_object_new_array();
        json_object_array_add(sup, json_object_new_string(MODERN_VERSION));
        json_object_object_add(data, "supported", sup);
        json_object_object_add(data, "requested", json_object_new_string(meta->version));
        fail->data = data;
        return rpc_fail_set(fail, MCP_E_UNSUPPORTED_VERSION,
                            "Unsupported protocol version: requests without a session speak "
                            "%s (earlier revisions start with initialize).",
                            MODERN_VERSION);
    }
    mm = modern_method_find(m->method);
    int served;
    if (mm == NULL)
        served = 0;
    else if (strcmp(mm->cap, "listen") == 0)
        served = modern_cap(cfg, "resources", "subscribe") ||
                 modern_cap(cfg, "tools", "listChanged") ||
                 modern_cap(cfg, "prompts", "listChanged") ||
                 modern_cap(cfg, "resources", "listChanged");
    else
        served = mm->cap[0] == '\0' || modern_cap(cfg, mm->cap, NULL);
    if (!served) {
        for (size_t i = 0; i < sizeof(modern_removed) / sizeof(modern_removed[0]); i++)
            if (strcmp(m->method, modern_removed[i]) == 0)
                return rpc_fail_set(fail, MCP_E_METHOD_NOT_FOUND,
                                    "Method not found: %s does not exist in protocol revision "
                                    "%s.",
                                    m->method, MODERN_VERSION);
        return rpc_fail_set(fail, MCP_E_METHOD_NOT_FOUND, "Method not found: %.200s", m->method);
    }
    if ((rc = modern_header_is(req->mcp_method, m->method, "Mcp-Method", fail)) != MCP_OK)
        return rc;
    if (mm->name_param != NULL) {
        const char *want = jsonx_str(m->params, mm->name_param);
        if (want == NULL)
            return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                                "Invalid params: %s needs a string \"%s\".", m->method,
                                mm->name_param);
        if ((rc = modern_header_is(req->mcp_name, want, "Mcp-Name", fail)) != MCP_OK)
            return rc;
    }
    if (strcmp(m->method, "tools/call") == 0)
        return modern_params_check(cfg, req, m->params, fail);
    return MCP_OK;
}

/* ---- results ----------------------------------------------------------------------------- */

/* resultType, serverInfo and (for complete results of cached methods) the caching hints. */
static void modern_result_finish(const struct mcp_cfg *cfg, const struct http_req *req,
                                 const struct modern_method *mm, json_object *result)
{
    json_object *meta = jsonx_get(result, "_meta");
    const char *type = jsonx_str(result, "resultType");

    if (type == NULL) {
        json_object_object_add(result, "resultType", json_object_new_string("complete"));
        type = "complete";
    }
    if (strcmp(type, "complete") == 0 && mm->cached) {
        int read = strcmp(mm->method, "resources/read") == 0;
        json_object_object_add(result, "ttlMs",
                               json_object_new_int(read ? MODERN_READ_TTL_MS : MODERN_LIST_TTL_MS));
        json_object_object_add(
            result, "cacheScope",
            json_object_new_string(req->remote_user != NULL ? "private" : "public"));
    }
    if (meta == NULL || !json_object_is_type(meta, json_type_object)) {
        meta = json_object_new_object();
        json_object_object_add(result, "_meta", meta);
    }
    json_object_object_add(meta, META_SERVER, mcp_server_info_new(cfg, MODERN_VERSION));
}

static json_object *modern_discover_new(const struct mcp_cfg *cfg)
{
    json_object *r = json_object_new_object();
    json_object *versions = json_object_new_array();

    json_object_array_add(versions, json_object_new_string(MODERN_VERSION));
    for (size_t i = 0; i < mcp_version_count(); i++)
        json_object_array_add(versions, json_object_new_string(mcp_version_at(i)));
    json_object_object_add(r, "supportedVersions", versions);
    json_object_object_add(r, "capabilities", feat_capabilities_new(cfg, MODERN_VERSION));
    if (cfg->instructions[0])
        json_object_object_add(r, "instructions", json_object_new_string(cfg->instructions));
    return r;
}

/* The HTTP status of an error answer on the stateless path. */
static int modern_status(enum mcp_err rc)
{
    switch (rc) {
    case MCP_E_METHOD_NOT_FOUND:
        return 404;
    case MCP_E_HEADER_MISMATCH:
    case MCP_E_UNSUPPORTED_VERSION:
    case MCP_E_CLIENT_CAPABILITY:
        return 400;
    case MCP_E_INVALID_PARAMS:
    case MCP_E_INTERNAL:
        return 200; /* a method's own error */
    default:
        return mcp_err_info(rc)->http_status;
    }
}

/* resources/read of an unknown uri: -32602 in 2026-07-28 (not -32002), with the data.uri that
 * resource_read always puts in fail. */
static enum mcp_err modern_not_found(enum mcp_err rc)
{
    return rc == MCP_E_RESOURCE_NOT_FOUND ? MCP_E_INVALID_PARAMS : rc;
}

static void modern_refuse(struct http_resp *resp, json_object *id, enum mcp_err rc,
                          struct rpc_fail *fail);

/* ---- subscriptions/listen ------------------------------------------------------------------- */

/* The filters of params.notifications that this server honours (true flags of advertised
 * capabilities; resourceSubscriptions when resources.subscribe is advertised), as a new
 * object, or NULL with *fail set when they are malformed. */
static json_object *modern_listen_filters(const struct mcp_cfg *cfg, json_object *params,
                                          struct rpc_fail *fail)
{
    json_object *want = jsonx_get(params, "notifications"), *v;
    json_object *out;

    if (want == NULL || !json_object_is_type(want, json_type_object)) {
        rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                     "Invalid params: subscriptions/listen needs a \"notifications\" object.");
        return NULL;
    }
    out = json_object_new_object();
    for (size_t i = 0; i < sizeof(modern_listen_flags) / sizeof(modern_listen_flags[0]); i++) {
        if (!json_object_object_get_ex(want, modern_listen_flags[i].member, &v))
            continue;
        if (!json_object_is_type(v, json_type_boolean)) {
            rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                         "Invalid params: notifications.%s must be a boolean.",
                         modern_listen_flags[i].member);
            goto bad;
        }
        if (json_object_get_boolean(v) &&
            modern_cap(cfg, modern_listen_flags[i].cap, modern_listen_flags[i].flag))
            json_object_object_add(out, modern_listen_flags[i].member, json_object_new_boolean(1));
    }
    if (json_object_object_get_ex(want, "resourceSubscriptions", &v)) {
        size_t n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
        int ok = json_object_is_type(v, json_type_array) && n <= IPC_LISTEN_URIS;
        for (size_t i = 0; ok && i < n; i++) { /* 1 to IPC_MAX_URI bytes, no NUL */
            json_object *u = json_object_array_get_idx(v, i);
            size_t len = json_object_is_type(u, json_type_string)
                             ? (size_t)json_object_get_string_len(u)
                             : 0;
            ok = len > 0 && len <= IPC_MAX_URI && strlen(json_object_get_string(u)) == len;
        }
        size_t text = 0;
        if (ok)
            (void)json_object_to_json_string_length(v, JSON_C_TO_STRING_PLAIN, &text);
        if (!ok || text > MODERN_LISTEN_URIS_MAX) {
            rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                         "Invalid params: notifications.resourceSubscriptions must be an array "
                         "of at most %d URIs of 1 to %d bytes without NUL, %d bytes in all.",
                         IPC_LISTEN_URIS, IPC_MAX_URI, MODERN_LISTEN_URIS_MAX);
            goto bad;
        }
        if (n > 0 && modern_cap(cfg, "resources", "subscribe"))
            json_object_object_add(out, "resourceSubscriptions", json_object_get(v));
    }
    return out;
bad:
    json_object_put(out);
    return NULL;
}

/* Hands the connection to mcp-sessiond, which answers with the listen stream: the
 * acknowledgement first, then the notifications asked for, until the client leaves. */
static void modern_listen(const struct mcp_cfg *cfg, struct sessc *sc, const struct http_req *req,
                          FCGX_Request *fr, const struct rpc_msg *m, struct http_resp *resp)
{
    struct rpc_fail fail = {{0}, NULL};
    json_object *filters = modern_listen_filters(cfg, m->params, &fail);
    enum mcp_err rc;

    size_t idlen = 0;
    (void)json_object_to_json_string_length(m->id, JSON_C_TO_STRING_PLAIN, &idlen);
    if (filters != NULL && idlen > MODERN_LISTEN_ID_MAX) {
        json_object_put(filters);
        filters = NULL;
        rpc_fail_set(&fail, MCP_E_INVALID_PARAMS,
                     "Invalid params: the id of subscriptions/listen becomes the "
                     "subscriptionId and may be at most %d bytes of JSON.",
                     MODERN_LISTEN_ID_MAX);
    }
    if (filters == NULL) {
        modern_refuse(resp, m->id, MCP_E_INVALID_PARAMS, &fail);
        rpc_fail_clear(&fail);
        return;
    }
    if (fr == NULL) {
        json_object_put(filters);
        mcp_http_error(resp, MCP_E_INTERNAL, m->id, NULL);
        return;
    }
    char drain[512]; /* nothing of the request may stay in libfcgi's buffer */
    while (FCGX_GetStr(drain, sizeof(drain), fr->in) > 0)
        ;
    rc = sessc_listen_attach(sc, req->remote_user ? req->remote_user : "", m->id, filters,
                             fr->ipcFd, fr->requestId, fr->keepConnection);
    json_object_put(filters);
    if (rc == MCP_OK || rc == MCP_E_TIMEOUT) {
        resp->handed_off = 1; /* MCP_E_TIMEOUT: sessiond may own it; write nothing */
        return;
    }
    if (rc == MCP_E_INVALID_PARAMS) { /* sessiond refused what we checked: say so, 400 */
        rpc_fail_set(&fail, rc, "Invalid params: mcp-sessiond refused the subscription.");
        modern_refuse(resp, m->id, rc, &fail);
        rpc_fail_clear(&fail);
        return;
    }
    mcp_http_error(resp, rc, m->id, NULL);
}

/* ---- the request --------------------------------------------------------------------------- */

/* A request refused by the checks of modern.h: every one is 400 but the 404 of -32601. */
static void modern_refuse(struct http_resp *resp, json_object *id, enum mcp_err rc,
                          struct rpc_fail *fail)
{
    http_resp_clear(resp);
    resp->status = rc == MCP_E_METHOD_NOT_FOUND ? 404 : 400;
    resp->body = rpc_error_from_fail(id, rc, fail);
}

static void modern_request(const struct mcp_cfg *cfg, struct sessc *sc, const struct http_req *req,
                           FCGX_Request *fr, const struct rpc_msg *m, struct http_resp *resp)
{
    struct rpc_fail fail = {{0}, NULL};
    struct modern_meta meta;
    json_object *result = NULL;
    enum mcp_err rc;

    if ((rc = modern_check(cfg, req, m, &meta, &fail)) != MCP_OK) {
        modern_refuse(resp, m->id, rc, &fail);
        rpc_fail_clear(&fail);
        return;
    }
    const struct modern_method *mm = modern_method_find(m->method);
    if (strcmp(m->method, "server/discover") == 0) {
        result = modern_discover_new(cfg);
        modern_result_finish(cfg, req, mm, result);
        resp->status = 200;
        resp->body = rpc_result_new(m->id, result);
        return;
    }

    if (strcmp(m->method, "subscriptions/listen") == 0) {
        modern_listen(cfg, sc, req, fr, m, resp);
        return;
    }

    struct answer a;
    answer_init(&a, ANSWER_STATELESS, cfg, sc, fr, NULL, req->remote_user, MODERN_VERSION, m->id);
    struct feat_ctx ctx = {
        .cfg = cfg,
        .version = MODERN_VERSION,
        .client_caps = meta.caps,
        .log_level = meta.log_level,
        .progress_token = jsonx_get(jsonx_get(m->params, "_meta"), "progressToken"),
        .sink = &a.sink,
        .stateless = 1,
        .principal = req->remote_user ? req->remote_user : "",
    };
    rc = modern_not_found(feat_dispatch(&ctx, m->method, m->params, &result, &fail));
    json_object *out;
    int status = 200;
    if (rc == MCP_OK) {
        modern_result_finish(cfg, req, mm, result);
        out = rpc_result_new(m->id, result);
    } else {
        json_object_put(result);
        if (rc == MCP_E_CANCELLED)
            rc = MCP_E_INTERNAL; /* nothing is sent for a cancelled call anyway */
        status = modern_status(rc);
        out = rpc_error_from_fail(m->id, rc, &fail);
    }
    rpc_fail_clear(&fail);
    if (a.cancelled) {
        const char *name = jsonx_str(m->params, "name");
        fprintf(stderr,
                "mcp-fcgi: %s%s%.128s cancelled: the client closed its 2026-07-28 answer "
                "stream\n",
                m->method, name ? " " : "", name ? name : "");
    }
    if (answer_finish(&a, out)) {
        resp->streamed = 1;
    } else {
        resp->status = status;
        resp->body = out;
    }
}

void modern_handle(const struct mcp_cfg *cfg, struct sessc *sc, const struct http_req *req,
                   FCGX_Request *fr, json_object *doc, struct http_resp *resp)
{
    struct rpc_msg m;

    if (!json_object_is_type(doc, json_type_object)) {
        mcp_http_error(resp, MCP_E_INVALID_REQUEST, NULL,
                       "Invalid Request: protocol revision 2026-07-28 has no JSON-RPC batches; "
                       "send one message per POST.");
        return;
    }
    if (!mcp_classify(doc, &m, resp))
        return;
    if (m.kind == RPC_NOTIFICATION) {
        resp->status = 202; /* nothing for the server to do in 2026-07-28 */
        return;
    }
    if (m.kind == RPC_RESPONSE) {
        mcp_http_error(resp, MCP_E_INVALID_REQUEST, m.id,
                       "Invalid Request: in protocol revision 2026-07-28 the server sends no "
                       "requests, so there is nothing to respond to.");
        return;
    }
    modern_request(cfg, sc, req, fr, &m, resp);
}
