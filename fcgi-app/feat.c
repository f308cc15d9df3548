/*
 * feat.c - capabilities and dispatch of the server-feature methods (feat.h).
 *
 * What the enabled sets hold decides what is advertised and served: tools -> "tools";
 * resources or templates -> "resources" (with "subscribe" when a set's resources change;
 * the dispatcher keeps subscriptions in mcp-sessiond); prompts -> "prompts"; prompts or
 * templates -> "completions" (2025-03-26+; 2024-11-05 had completion/complete without a
 * capability, so it is served there too). "logging" is always advertised. listChanged on
 * tools, resources and prompts: the lists change with the configuration, and mcp-sessiond
 * announces it (session streams, subscriptions/listen).
 */
#include "feat.h"

#include <string.h>

#include "mrtr.h"
#include "prompt.h"
#include "resource.h"
#include "rev.h"
#include "set.h"
#include "tool.h"
#include "jsonx.h"

#define FEAT_COMPLETION_MAX 100 /* values in one completion result (spec maximum) */

enum feat_cap {
    FEAT_TOOLS = 1u << 0,
    FEAT_RESOURCES = 1u << 1,
    FEAT_PROMPTS = 1u << 2,
    FEAT_COMPLETE = 1u << 3,
};

static unsigned feat_caps(const struct mcp_cfg *cfg)
{
    unsigned caps = 0;
    if (set_count(cfg, SET_TOOLS) > 0)
        caps |= FEAT_TOOLS;
    if (set_count(cfg, SET_RESOURCES) > 0 || set_count(cfg, SET_TEMPLATES) > 0)
        caps |= FEAT_RESOURCES;
    if (set_count(cfg, SET_PROMPTS) > 0)
        caps |= FEAT_PROMPTS;
    if (set_count(cfg, SET_PROMPTS) > 0 || set_count(cfg, SET_TEMPLATES) > 0)
        caps |= FEAT_COMPLETE;
    return caps;
}

/* The capabilities a server may advertise and their flags, in the order they are listed. */
static const struct {
    const char *cap;
    const char *flags[2];
} feat_cap_table[] = {
    {"tools", {"listChanged", NULL}},   {"resources", {"listChanged", "subscribe"}},
    {"prompts", {"listChanged", NULL}}, {"completions", {NULL, NULL}},
    {"logging", {NULL, NULL}},
};

int feat_capability(const struct mcp_cfg *cfg, const char *version, const char *cap,
                    const char *flag)
{
    unsigned caps = feat_caps(cfg);
    int lists =
        strcmp(cap, "tools") == 0 || strcmp(cap, "resources") == 0 || strcmp(cap, "prompts") == 0;
    int on = (strcmp(cap, "tools") == 0 && (caps & FEAT_TOOLS)) ||
             (strcmp(cap, "resources") == 0 && (caps & FEAT_RESOURCES)) ||
             (strcmp(cap, "prompts") == 0 && (caps & FEAT_PROMPTS)) ||
             (strcmp(cap, "completions") == 0 && (caps & FEAT_COMPLETE) &&
              rev_has(version, REV_2025_03_26)) ||
             strcmp(cap, "logging") == 0;

    if (!on || flag == NULL)
        return on;
    if (strcmp(flag, "listChanged") == 0)
        return lists;
    if (strcmp(flag, "subscribe") == 0)
        return strcmp(cap, "resources") == 0 && set_any_subscribable(cfg);
    return 0;
}

json_object *feat_capabilities_new(const struct mcp_cfg *cfg, const char *version)
{
    json_object *o = json_object_new_object();

    for (size_t i = 0; i < sizeof(feat_cap_table) / sizeof(feat_cap_table[0]); i++) {
        if (!feat_capability(cfg, version, feat_cap_table[i].cap, NULL))
            continue;
        json_object *c = json_object_new_object();
        for (size_t k = 0; k < 2 && feat_cap_table[i].flags[k] != NULL; k++)
            if (feat_capability(cfg, version, feat_cap_table[i].cap, feat_cap_table[i].flags[k]))
                json_object_object_add(c, feat_cap_table[i].flags[k], json_object_new_boolean(1));
        json_object_object_add(o, feat_cap_table[i].cap, c);
    }
    return o;
}

/* completion/complete {ref, argument:{name, value}, context?}. */
static enum mcp_err feat_complete(const struct feat_ctx *ctx, json_object *params,
                                  json_object **result, struct rpc_fail *fail)
{
    json_object *ref = NULL, *arg = NULL, *values, *completion;
    const char *type, *arg_name, *prefix, *const *candidates = NULL;
    size_t total = 0, prefix_len;
    enum mcp_err err;

    *result = NULL;
    if (!json_object_object_get_ex(params, "ref", &ref) ||
        !json_object_is_type(ref, json_type_object) || (type = jsonx_str(ref, "type")) == NULL)
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                            "completion/complete needs a \"ref\" object with a \"type\".");
    if (!json_object_object_get_ex(params, "argument", &arg) ||
        (arg_name = jsonx_str(arg, "name")) == NULL || (prefix = jsonx_str(arg, "value")) == NULL)
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                            "completion/complete needs an \"argument\" with string \"name\" "
                            "and \"value\".");
    if (strcmp(type, "ref/prompt") == 0) {
        const char *name = jsonx_str(ref, "name");
        if (name == NULL)
            return rpc_fail_set(fail, MCP_E_INVALID_PARAMS, "ref/prompt needs a string \"name\".");
        err = prompt_complete_values(ctx->cfg, name, arg_name, &candidates, fail);
    } else if (strcmp(type, "ref/resource") == 0) {
        const char *uri = jsonx_str(ref, "uri");
        if (uri == NULL)
            return rpc_fail_set(fail, MCP_E_INVALID_PARAMS, "ref/resource needs a string \"uri\".");
        err = resource_complete_values(ctx->cfg, uri, arg_name, &candidates, fail);
    } else {
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS, "Unknown reference type: %s", type);
    }
    if (err != MCP_OK)
        return err;

    values = json_object_new_array();
    prefix_len = strlen(prefix);
    for (const char *const *c = candidates; c != NULL && *c != NULL; c++) {
        if (strncmp(*c, prefix, prefix_len) != 0)
            continue;
        if (total++ < FEAT_COMPLETION_MAX)
            json_object_array_add(values, json_object_new_string(*c));
    }
    completion = json_object_new_object();
    json_object_object_add(completion, "values", values);
    json_object_object_add(completion, "total", json_object_new_int64((int64_t)total));
    json_object_object_add(completion, "hasMore",
                           json_object_new_boolean(total > FEAT_COMPLETION_MAX));
    *result = json_object_new_object();
    json_object_object_add(*result, "completion", completion);
    return MCP_OK;
}

typedef enum mcp_err (*feat_handler)(const struct feat_ctx *ctx, json_object *params,
                                     json_object **result, struct rpc_fail *fail);

static const struct {
    const char *method;
    unsigned cap; /* enum feat_cap the method needs */
    feat_handler handler;
} feat_methods[] = {
    {"tools/list", FEAT_TOOLS, tool_list},
    {"tools/call", FEAT_TOOLS, tool_call_run},
    {"resources/list", FEAT_RESOURCES, resource_list},
    {"resources/templates/list", FEAT_RESOURCES, resource_templates_list},
    {"resources/read", FEAT_RESOURCES, resource_read},
    {"prompts/list", FEAT_PROMPTS, prompt_list},
    {"prompts/get", FEAT_PROMPTS, prompt_get},
    {"completion/complete", FEAT_COMPLETE, feat_complete},
};

enum mcp_err feat_dispatch(const struct feat_ctx *ctx, const char *method, json_object *params,
                           json_object **result, struct rpc_fail *fail)
{
    json_object *empty = NULL, *state = NULL;
    struct feat_ctx local = *ctx;
    enum mcp_err err;
    size_t i;

    *result = NULL;
    for (i = 0; i < sizeof(feat_methods) / sizeof(feat_methods[0]); i++)
        if (strcmp(feat_methods[i].method, method) == 0)
            break;
    if (i == sizeof(feat_methods) / sizeof(feat_methods[0]) ||
        (feat_caps(ctx->cfg) & feat_methods[i].cap) == 0)
        return rpc_fail_set(fail, MCP_E_METHOD_NOT_FOUND, "Method not found: %s", method);
    if (params != NULL && !json_object_is_type(params, json_type_object))
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS, "params must be an object.");
    if (params == NULL)
        params = empty = json_object_new_object();
    /* MRTR (stateless only): verify the state and check the answers before the handler */
    local.request_state = NULL;
    local.input_responses = NULL;
    if (ctx->stateless && (err = mrtr_request_open(ctx, method, params, &state,
                                                   &local.input_responses, fail)) != MCP_OK)
        goto done;
    local.request_state = state;
    err = feat_methods[i].handler(&local, params, result, fail);
    if (err == MCP_OK &&
        (err = mrtr_result_seal(&local, method, params, *result, fail)) != MCP_OK) {
        json_object_put(*result);
        *result = NULL;
    }
done:
    json_object_put(state);
    json_object_put(empty);
    return err;
}
