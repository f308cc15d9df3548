/*
 * rpc.c - PLACEHOLDER PART of the JSON-RPC module, written on branch feat so that the
 * feature layer links before the full rpc.c lands. Implements rpc_fail_set, rpc_fail_clear,
 * rpc_parse and rpc_notification_new exactly as rpc.h describes; to be replaced by (merged
 * into) the full implementation.
 */
#include "rpc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

enum mcp_err rpc_fail_set(struct rpc_fail *f, enum mcp_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof(f->message), fmt, ap);
    va_end(ap);
    return err;
}

void rpc_fail_clear(struct rpc_fail *f)
{
    json_object_put(f->data);
    f->data = NULL;
    f->message[0] = '\0';
}

enum mcp_err rpc_parse(const char *body, size_t len, int max_depth, json_object **out)
{
    enum mcp_err err = MCP_E_PARSE;
    json_tokener *tok = NULL;
    json_object *obj = NULL;

    *out = NULL;
    if (len == 0 || len > (size_t)INT32_MAX)
        return MCP_E_PARSE;
    tok = json_tokener_new_ex(max_depth);
    if (tok == NULL)
        return MCP_E_INTERNAL;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    obj = json_tokener_parse_ex(tok, body, (int)len);
    if (obj == NULL || json_tokener_get_error(tok) != json_tokener_success ||
        json_tokener_get_parse_end(tok) != len)
        goto fail;
    *out = obj;
    obj = NULL;
    err = MCP_OK;
fail:
    json_object_put(obj);
    json_tokener_free(tok);
    return err;
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
