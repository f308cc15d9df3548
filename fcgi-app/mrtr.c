/*
 * mrtr.c - sealing and opening of requestState, and the InputRequiredResult helpers (mrtr.h).
 *
 * A sealed state is base64url (no padding) of
 *
 *   version (1 byte, 1) | expiry (8 bytes, big-endian Unix seconds) | JSON text | tag (32 bytes)
 *
 * where tag = HMAC-SHA256(key, domain | bind | version | expiry | JSON text), key is the
 * configuration's requestState key, domain is "mcp-fcgi requestState v2" with its NUL, and
 * bind = len32(principal) principal len32(method) method len32(name) name args, so that no two
 * bindings give the same bytes: len32 is a 4-byte big-endian length and args the 32-byte
 * SHA-256 of the canonical text (canon.h) of the call's arguments ({} when absent).
 */
#include "mrtr.h"

#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "alloc.h"
#include "b64.h"
#include "canon.h"
#include "jsonx.h"
#include "tool.h"

#define MRTR_VERSION 1
#define MRTR_DEPTH   64                         /* nesting bound when parsing an opened state */
#define MRTR_DOMAIN  "mcp-fcgi requestState v2" /* sent with its NUL */

#define MRTR_MALFORMED                                                                             \
    "Invalid params: requestState is malformed; it is not a state this server issued."
#define MRTR_FORGED                                                                                \
    "Invalid params: requestState does not verify: it was altered, or issued for another "         \
    "caller, another request or other arguments."
#define MRTR_EXPIRED "Invalid params: requestState has expired; send the request again without it."

/* The methods that may answer an InputRequiredResult, and the param naming their target. */
static const struct {
    const char *method;
    const char *name_param;
} mrtr_methods[] = {
    {"tools/call", "name"},
    {"prompts/get", "name"},
    {"resources/read", "uri"},
};

static const char *mrtr_name_param(const char *method)
{
    for (size_t i = 0; i < sizeof(mrtr_methods) / sizeof(mrtr_methods[0]); i++)
        if (strcmp(mrtr_methods[i].method, method) == 0)
            return mrtr_methods[i].name_param;
    return NULL;
}

static const char *mrtr_str(const char *s)
{
    return s != NULL ? s : "";
}

static void mrtr_put32(unsigned char *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

static void mrtr_put64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

static uint64_t mrtr_get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* 1 when every binding string fits MRTR_BIND_MAX. */
static int mrtr_bind_ok(const struct mrtr_bind *b)
{
    return strlen(mrtr_str(b->principal)) <= MRTR_BIND_MAX &&
           strlen(mrtr_str(b->method)) <= MRTR_BIND_MAX &&
           strlen(mrtr_str(b->name)) <= MRTR_BIND_MAX;
}

/* tag = HMAC over domain, the binding and body (n bytes). The binding must be mrtr_bind_ok.
 * MCP_OK; MCP_E_INVALID_PARAMS when the arguments nest deeper than http.max_json_depth (no
 * request carries such); MCP_E_INTERNAL when libcrypto fails or cfg has no key. Then tag is
 * unusable. */
static enum mcp_err mrtr_tag(const struct mcp_cfg *cfg, const struct mrtr_bind *b,
                             const unsigned char *body, size_t n, unsigned char tag[MRTR_TAG])
{
    const char *parts[3] = {mrtr_str(b->principal), mrtr_str(b->method), mrtr_str(b->name)};
    size_t total = sizeof(MRTR_DOMAIN) + CANON_SHA256_LEN + n, off;
    unsigned int tag_len = MRTR_TAG;
    unsigned char *msg;
    enum mcp_err err;

    if (cfg->state_key_len < CFG_KEY_MIN || cfg->state_key_len > CFG_KEY_MAX)
        return MCP_E_INTERNAL;
    for (int i = 0; i < 3; i++)
        total += 4 + strlen(parts[i]);
    msg = xmalloc(total);
    memcpy(msg, MRTR_DOMAIN, sizeof(MRTR_DOMAIN));
    off = sizeof(MRTR_DOMAIN);
    for (int i = 0; i < 3; i++) {
        size_t len = strlen(parts[i]);
        mrtr_put32(msg + off, (uint32_t)len);
        memcpy(msg + off + 4, parts[i], len);
        off += 4 + len;
    }
    /* absent arguments (NULL, or JSON null) bind as {} */
    if (b->args != NULL) {
        err = canon_sha256(b->args, cfg->max_json_depth, msg + off);
    } else {
        json_object *empty = json_object_new_object();
        err = canon_sha256(empty, cfg->max_json_depth, msg + off);
        json_object_put(empty);
    }
    off += CANON_SHA256_LEN;
    memcpy(msg + off, body, n);
    if (err == MCP_OK && (HMAC(EVP_sha256(), cfg->state_key, (int)cfg->state_key_len, msg, total,
                               tag, &tag_len) == NULL ||
                          tag_len != MRTR_TAG))
        err = MCP_E_INTERNAL;
    free(msg);
    return err;
}

enum mcp_err mrtr_seal(const struct mcp_cfg *cfg, const struct mrtr_bind *bind, json_object *state,
                       time_t now, char **out, struct rpc_fail *fail)
{
    const char *text;
    unsigned char *raw;
    enum mcp_err err;
    size_t n;

    *out = NULL;
    if (state == NULL)
        return rpc_fail_set(fail, MCP_E_INTERNAL,
                            "The handler of %s %s returned a null "
                            "requestState.",
                            mrtr_str(bind->method), mrtr_str(bind->name));
    if (!mrtr_bind_ok(bind))
        return rpc_fail_set(fail, MCP_E_INTERNAL,
                            "A requestState cannot be bound to names "
                            "longer than %d bytes.",
                            MRTR_BIND_MAX);
    text = json_object_to_json_string_ext(state, JSON_C_TO_STRING_PLAIN);
    n = strlen(text);
    if (n > MRTR_STATE_MAX)
        return rpc_fail_set(fail, MCP_E_INTERNAL,
                            "The requestState of %s %.64s is %zu bytes; at most %d are allowed.",
                            mrtr_str(bind->method), mrtr_str(bind->name), n, MRTR_STATE_MAX);
    raw = xmalloc(MRTR_HEAD + n + MRTR_TAG);
    raw[0] = MRTR_VERSION;
    mrtr_put64(raw + 1, (uint64_t)now + (uint64_t)cfg->state_ttl_s);
    memcpy(raw + MRTR_HEAD, text, n);
    if ((err = mrtr_tag(cfg, bind, raw, MRTR_HEAD + n, raw + MRTR_HEAD + n)) != MCP_OK) {
        free(raw);
        return rpc_fail_set(fail, MCP_E_INTERNAL,
                            err == MCP_E_INVALID_PARAMS
                                ? "A requestState cannot be bound to arguments nested that deep."
                                : "HMAC-SHA256 of the requestState failed.");
    }
    *out = b64_encode_dup(B64_URL, B64_NOPAD, raw, MRTR_HEAD + n + MRTR_TAG);
    free(raw);
    return MCP_OK;
}

enum mcp_err mrtr_open(const struct mcp_cfg *cfg, const struct mrtr_bind *bind, const char *wire,
                       size_t len, time_t now, json_object **state, struct rpc_fail *fail)
{
    unsigned char *raw = NULL, tag[MRTR_TAG];
    enum mcp_err err = MCP_E_INVALID_PARAMS;
    size_t n = 0;

    *state = NULL;
    if (len == 0 || len > MRTR_WIRE_MAX) {
        rpc_fail_set(fail, err, "%s", MRTR_MALFORMED);
        goto done;
    }
    raw = xmalloc(MRTR_RAW_MAX);
    if (b64_decode(B64_URL, B64_NOPAD, wire, len, raw, MRTR_RAW_MAX, &n) != MCP_OK ||
        n < MRTR_HEAD + 1 + MRTR_TAG || raw[0] != MRTR_VERSION) {
        rpc_fail_set(fail, err, "%s", MRTR_MALFORMED);
        goto done;
    }
    /* A binding too long to have been sealed cannot verify. */
    if (!mrtr_bind_ok(bind)) {
        rpc_fail_set(fail, err, "%s", MRTR_FORGED);
        goto done;
    }
    switch (mrtr_tag(cfg, bind, raw, n - MRTR_TAG, tag)) {
    case MCP_OK:
        break;
    case MCP_E_INVALID_PARAMS: /* arguments too deep to have been sealed: cannot verify */
        rpc_fail_set(fail, err, "%s", MRTR_FORGED);
        goto done;
    default:
        err = rpc_fail_set(fail, MCP_E_INTERNAL, "HMAC-SHA256 of the requestState failed.");
        goto done;
    }
    if (CRYPTO_memcmp(tag, raw + n - MRTR_TAG, MRTR_TAG) != 0) {
        rpc_fail_set(fail, err, "%s", MRTR_FORGED);
        goto done;
    }
    if (now < 0 || (uint64_t)now > mrtr_get64(raw + 1)) {
        rpc_fail_set(fail, err, "%s", MRTR_EXPIRED);
        goto done;
    }
    /* Verified: the text is one we serialised, so this only fails on a bug. */
    if (rpc_parse((const char *)raw + MRTR_HEAD, n - MRTR_HEAD - MRTR_TAG, MRTR_DEPTH, state) !=
            MCP_OK ||
        *state == NULL) {
        json_object_put(*state);
        *state = NULL;
        rpc_fail_set(fail, err, "%s", MRTR_MALFORMED);
        goto done;
    }
    err = MCP_OK;
done:
    free(raw);
    return err;
}

/* ---- feat_dispatch glue ----------------------------------------------------------------- */

static struct mrtr_bind mrtr_bind_of(const struct feat_ctx *ctx, const char *method,
                                     json_object *params)
{
    const char *param = mrtr_name_param(method);
    return (struct mrtr_bind){
        .principal = mrtr_str(ctx->principal),
        .method = method,
        .name = param != NULL ? mrtr_str(jsonx_str(params, param)) : "",
        /* resources/read has none: its uri, the name, is all of its input */
        .args = strcmp(method, "resources/read") != 0 ? jsonx_get(params, "arguments") : NULL,
    };
}

enum mcp_err mrtr_request_open(const struct feat_ctx *ctx, const char *method, json_object *params,
                               json_object **state, json_object **responses, struct rpc_fail *fail)
{
    json_object *r = NULL, *wire = NULL;
    struct mrtr_bind bind;
    int has_r;

    *state = NULL;
    *responses = NULL;
    if (!ctx->stateless || mrtr_name_param(method) == NULL)
        return MCP_OK;
    has_r = json_object_object_get_ex(params, "inputResponses", &r);
    /* members: when a handler asks for them (mrtr_input_response); unknown ones are ignored */
    if (has_r && !json_object_is_type(r, json_type_object))
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                            "Invalid params: inputResponses must be an object of results.");
    if (json_object_object_get_ex(params, "requestState", &wire)) {
        enum mcp_err err;
        if (!json_object_is_type(wire, json_type_string))
            return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                                "Invalid params: requestState must be a string.");
        bind = mrtr_bind_of(ctx, method, params);
        err = mrtr_open(ctx->cfg, &bind, json_object_get_string(wire),
                        (size_t)json_object_get_string_len(wire), time(NULL), state, fail);
        if (err != MCP_OK)
            return err;
    }
    *responses = has_r ? r : NULL;
    return MCP_OK;
}

/* Checks one inputRequests member: {method, params?} with a method the client can answer. */
static enum mcp_err mrtr_check_request(const struct feat_ctx *ctx, const char *key,
                                       json_object *req, struct rpc_fail *fail)
{
    const char *m = jsonx_str(req, "method");
    json_object *params = jsonx_get(req, "params"), *copy = NULL;
    enum mcp_err err;

    if (m == NULL || (params != NULL && !json_object_is_type(params, json_type_object)))
        return rpc_fail_set(fail, MCP_E_INTERNAL,
                            "Input request %.64s has no method or its params are not an object.",
                            key);
    /* the check may adjust params; work on a copy so the result stays as the handler built it */
    if (params != NULL && json_object_deep_copy(params, &copy, NULL) != 0)
        return rpc_fail_set(fail, MCP_E_INTERNAL, "Input request %.64s cannot be copied.", key);
    if (copy == NULL)
        copy = json_object_new_object();
    err = tool_client_check(ctx, m, copy, fail);
    json_object_put(copy);
    return err;
}

enum mcp_err mrtr_result_seal(const struct feat_ctx *ctx, const char *method, json_object *params,
                              json_object *result, struct rpc_fail *fail)
{
    json_object *requests = NULL, *state = NULL;
    struct mrtr_bind bind;
    enum mcp_err err;
    char *sealed = NULL;
    int has_requests, has_state;

    if (!mrtr_is_input_required(result))
        return MCP_OK;
    if (!ctx->stateless || mrtr_name_param(method) == NULL)
        return rpc_fail_set(fail, MCP_E_INTERNAL,
                            "%s returned input_required, which only tools/call, prompts/get and "
                            "resources/read of a stateless (2026-07-28) request may.",
                            method);
    has_requests = json_object_object_get_ex(result, "inputRequests", &requests);
    has_state = json_object_object_get_ex(result, "requestState", &state);
    if (!has_requests && !has_state)
        return rpc_fail_set(fail, MCP_E_INTERNAL,
                            "An InputRequiredResult needs inputRequests or requestState.");
    if (has_requests) {
        if (!json_object_is_type(requests, json_type_object))
            return rpc_fail_set(fail, MCP_E_INTERNAL, "inputRequests must be an object.");
        json_object_object_foreach(requests, key, req)
        {
            if ((err = mrtr_check_request(ctx, key, req, fail)) != MCP_OK)
                return err;
        }
    }
    if (has_state) {
        bind = mrtr_bind_of(ctx, method, params);
        if ((err = mrtr_seal(ctx->cfg, &bind, state, time(NULL), &sealed, fail)) != MCP_OK)
            return err;
        json_object_object_add(result, "requestState", json_object_new_string(sealed));
        free(sealed);
    }
    return MCP_OK;
}

/* ---- handler helpers -------------------------------------------------------------------- */

int mrtr_is_input_required(json_object *result)
{
    const char *t = jsonx_str(result, "resultType");
    return t != NULL && strcmp(t, "input_required") == 0;
}

json_object *mrtr_input_required_new(json_object *requests, json_object *state)
{
    json_object *r = json_object_new_object();

    json_object_object_add(r, "resultType", json_object_new_string("input_required"));
    if (requests != NULL)
        json_object_object_add(r, "inputRequests", requests);
    if (state != NULL)
        json_object_object_add(r, "requestState", state);
    return r;
}

enum mcp_err mrtr_input_request(const struct feat_ctx *ctx, struct rpc_fail *fail, const char *key,
                                const char *method, json_object *params, json_object *requests)
{
    json_object *req;
    enum mcp_err err;

    if (params == NULL)
        params = json_object_new_object();
    if (!ctx->stateless) {
        json_object_put(params);
        return rpc_fail_set(fail, MCP_E_INTERNAL,
                            "Input requests exist only in protocol revision 2026-07-28.");
    }
    if ((err = tool_client_check(ctx, method, params, fail)) != MCP_OK) {
        json_object_put(params);
        return err;
    }
    req = json_object_new_object();
    json_object_object_add(req, "method", json_object_new_string(method));
    json_object_object_add(req, "params", params);
    json_object_object_add(requests, key, req);
    return MCP_OK;
}

enum mcp_err mrtr_input_response(const struct feat_ctx *ctx, struct rpc_fail *fail, const char *key,
                                 json_object **resp)
{
    json_object *v = NULL;

    *resp = NULL;
    /* get_ex, not jsonx_get: a member holding null is there, and not an object */
    if (!json_object_is_type(ctx->input_responses, json_type_object) ||
        !json_object_object_get_ex(ctx->input_responses, key, &v))
        return MCP_OK;
    if (!json_object_is_type(v, json_type_object))
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                            "Invalid params: inputResponses.%.64s must be a result object.", key);
    *resp = v;
    return MCP_OK;
}

int mrtr_client_declares(const struct feat_ctx *ctx, const char *method)
{
    struct rpc_fail scratch = {{0}, NULL};
    json_object *params = json_object_new_object();
    enum mcp_err err = tool_client_check(ctx, method, params, &scratch);

    json_object_put(params);
    rpc_fail_clear(&scratch);
    return err == MCP_OK;
}
