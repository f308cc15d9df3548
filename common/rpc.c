/* rpc.c - JSON-RPC 2.0 envelope: parsing, classification, response construction. */
#include "rpc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void rpc_utf8_sanitize(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        size_t n = *p < 0x80             ? 1
                   : (*p & 0xe0) == 0xc0 ? 2
                   : (*p & 0xf0) == 0xe0 ? 3
                   : (*p & 0xf8) == 0xf0 ? 4
                                         : 0;
        size_t i = 1;
        while (n > 1 && i < n && (p[i] & 0xc0) == 0x80)
            i++;
        if (n == 0 || i < n || (n == 2 && *p < 0xc2)) {
            *p++ = '?'; /* a stray or cut sequence: one replacement per bad byte */
            continue;
        }
        p += n;
    }
}

enum mcp_err rpc_fail_set(struct rpc_fail *f, enum mcp_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof(f->message), fmt, ap);
    va_end(ap);
    rpc_utf8_sanitize(f->message);
    return err;
}

void rpc_fail_clear(struct rpc_fail *f)
{
    json_object_put(f->data);
    f->data = NULL;
    f->message[0] = '\0';
}

/*
 * json-c's strict mode still accepts a few things RFC 8259 does not: single-quoted strings,
 * NaN/Infinity, "1." and raw control characters inside strings. This lexical pass refuses
 * them before json-c sees the text: outside strings only structural characters, white space,
 * number characters (a '.' followed by a digit) and the words true, false and null may
 * appear; inside strings no byte below 0x20.
 */
static int rpc_lexically_valid(const char *s, size_t len)
{
    static const char *const words[] = {"true", "false", "null"};
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"') {
            for (i++; i < len && s[i] != '"'; i++) {
                if ((unsigned char)s[i] < 0x20)
                    return 0;
                if (s[i] == '\\')
                    i++;
            }
            if (i >= len)
                return 0;
        } else if ((c == 'e' || c == 'E') && i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9') {
            continue; /* an exponent */
        } else if (c >= 'a' && c <= 'z') {
            size_t w;
            for (w = 0; w < 3; w++) {
                size_t n = strlen(words[w]);
                if (len - i >= n && memcmp(s + i, words[w], n) == 0) {
                    i += n - 1;
                    break;
                }
            }
            if (w == 3)
                return 0;
        } else if (c == '.') {
            if (i + 1 >= len || s[i + 1] < '0' || s[i + 1] > '9')
                return 0;
        } else if (!strchr("{}[]:, \t\r\n-+0123456789eE", c) || c == '\0') {
            return 0;
        }
    }
    return 1;
}

enum mcp_err rpc_parse(const char *body, size_t len, int max_depth, json_object **out)
{
    *out = NULL;
    if (len == 0 || len > (size_t)INT32_MAX || !rpc_lexically_valid(body, len))
        return MCP_E_PARSE;
    json_tokener *tok = json_tokener_new_ex(max_depth);
    if (tok == NULL)
        return MCP_E_INTERNAL;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    enum mcp_err rc = MCP_E_PARSE;
    json_object *obj = json_tokener_parse_ex(tok, body, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_continue && obj == NULL) {
        /* A bare number at the end of the input is still "continuing" for json-c: signal the
         * end with one white-space character; anything else left open is a truncated value. */
        obj = json_tokener_parse_ex(tok, " ", 1);
        jerr = json_tokener_get_error(tok);
        if (jerr == json_tokener_success && obj != NULL) {
            json_object *v = obj;
            obj = NULL;
            json_tokener_free(tok);
            *out = v;
            return MCP_OK;
        }
    }
    if (jerr != json_tokener_success || obj == NULL)
        goto done;
    /* only white space may follow the value */
    for (size_t i = json_tokener_get_parse_end(tok); i < len; i++) {
        char c = body[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            goto done;
    }
    *out = obj;
    obj = NULL;
    rc = MCP_OK;
done:
    json_object_put(obj);
    json_tokener_free(tok);
    return rc;
}

/* Ids are strings or integers. json-c clamps integers outside int64/uint64 to the range
 * ends, so an id at a clamp point may not be the one the client sent: refuse those rather
 * than echo a different id. */
static int rpc_id_valid(json_object *id)
{
    enum json_type t = json_object_get_type(id);
    if (t == json_type_string)
        return 1;
    if (t != json_type_int)
        return 0;
    int64_t v = json_object_get_int64(id);
    return v != INT64_MIN && v != INT64_MAX;
}

enum mcp_err rpc_classify(json_object *msg, struct rpc_msg *out, const char **why)
{
    json_object *v = NULL, *id = NULL, *method = NULL, *params = NULL, *result = NULL,
                *error = NULL;

    memset(out, 0, sizeof(*out));
    out->obj = msg;
    *why = "";
    if (!json_object_is_type(msg, json_type_object)) {
        *why = "a JSON-RPC message must be an object";
        return MCP_E_INVALID_REQUEST;
    }
    int has_id = json_object_object_get_ex(msg, "id", &id);
    if (has_id && id != NULL && rpc_id_valid(id))
        out->id = id; /* readable: echo it in any error */
    if (!json_object_object_get_ex(msg, "jsonrpc", &v) ||
        !json_object_is_type(v, json_type_string) ||
        strcmp(json_object_get_string(v), "2.0") != 0) {
        *why = "\"jsonrpc\" must be \"2.0\"";
        return MCP_E_INVALID_REQUEST;
    }
    if (has_id && (id == NULL || !rpc_id_valid(id))) {
        *why = "\"id\" must be a string or a 64-bit integer";
        return MCP_E_INVALID_REQUEST;
    }
    int has_method = json_object_object_get_ex(msg, "method", &method);
    int has_result = json_object_object_get_ex(msg, "result", &result);
    int has_error = json_object_object_get_ex(msg, "error", &error);
    if (has_method) {
        if (!json_object_is_type(method, json_type_string) ||
            json_object_get_string_len(method) == 0 ||
            strlen(json_object_get_string(method)) != (size_t)json_object_get_string_len(method)) {
            *why = "\"method\" must be a non-empty string without NUL characters";
            return MCP_E_INVALID_REQUEST;
        }
        if (has_result || has_error) {
            *why = "a request must not carry \"result\" or \"error\"";
            return MCP_E_INVALID_REQUEST;
        }
        if (json_object_object_get_ex(msg, "params", &params) && params != NULL &&
            !json_object_is_type(params, json_type_object)) {
            /* MCP params are always objects (JSON-RPC would also allow arrays) */
            *why = "\"params\" must be an object";
            return MCP_E_INVALID_REQUEST;
        }
        out->method = json_object_get_string(method);
        out->params = params;
        out->kind = has_id ? RPC_REQUEST : RPC_NOTIFICATION;
        return MCP_OK;
    }
    if (has_result == has_error) {
        *why = has_result ? "a response must not carry both \"result\" and \"error\""
                          : "a message needs \"method\", \"result\" or \"error\"";
        return MCP_E_INVALID_REQUEST;
    }
    if (!has_id) {
        *why = "a response must carry \"id\"";
        return MCP_E_INVALID_REQUEST;
    }
    if (has_error && !json_object_is_type(error, json_type_object)) {
        *why = "\"error\" must be an object";
        return MCP_E_INVALID_REQUEST;
    }
    out->kind = RPC_RESPONSE;
    return MCP_OK;
}

static json_object *rpc_envelope_new(json_object *id)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(o, "id", id ? json_object_get(id) : NULL);
    return o;
}

json_object *rpc_result_new(json_object *id, json_object *result)
{
    json_object *o = rpc_envelope_new(id);
    json_object_object_add(o, "result", result ? result : json_object_new_object());
    return o;
}

json_object *rpc_error_new(json_object *id, enum mcp_err err, const char *message,
                           json_object *data)
{
    const struct mcp_err_info *info = mcp_err_info(err);
    json_object *e = json_object_new_object();
    json_object_object_add(e, "code", json_object_new_int(info->rpc_code));
    char text[RPC_MSG_LEN];
    snprintf(text, sizeof(text), "%s", message && message[0] ? message : info->message);
    rpc_utf8_sanitize(text);
    json_object_object_add(e, "message", json_object_new_string(text));
    if (data != NULL)
        json_object_object_add(e, "data", data);
    json_object *o = rpc_envelope_new(id);
    json_object_object_add(o, "error", e);
    return o;
}

json_object *rpc_error_from_fail(json_object *id, enum mcp_err err, struct rpc_fail *f)
{
    json_object *data = f->data;
    f->data = NULL;
    return rpc_error_new(id, err, f->message, data);
}

json_object *rpc_notification_new(const char *method, json_object *params)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(o, "method", json_object_new_string(method));
    if (params != NULL)
        json_object_object_add(o, "params", params);
    return o;
}
