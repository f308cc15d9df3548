/* prompt.c - the prompt registry and prompts/list and prompts/get. */
#include "prompt.h"

#include <string.h>

#include "mrtr.h"
#include "page.h"
#include "rev.h"
#include "set.h"

static const struct prompt_def *prompt_find(const struct mcp_cfg *cfg, const char *name)
{
    struct set_iter it;
    const struct prompt_def *p;

    set_iter_init(&it, cfg, SET_PROMPTS);
    while ((p = set_iter_next(&it)) != NULL)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

static const struct prompt_arg *prompt_arg_find(const struct prompt_def *p, const char *name)
{
    for (const struct prompt_arg *a = p->args; a != NULL && a->name != NULL; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

static json_object *prompt_def_json_new(const struct prompt_def *p, const char *version)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(p->name));
    if (p->title != NULL && rev_has(version, REV_2025_06_18))
        json_object_object_add(o, "title", json_object_new_string(p->title));
    json_object_object_add(o, "description", json_object_new_string(p->description));
    if (p->args != NULL && p->args[0].name != NULL) {
        json_object *arr = json_object_new_array();
        for (const struct prompt_arg *a = p->args; a->name != NULL; a++) {
            json_object *ao = json_object_new_object();
            json_object_object_add(ao, "name", json_object_new_string(a->name));
            if (a->title != NULL && rev_has(version, REV_2025_06_18))
                json_object_object_add(ao, "title", json_object_new_string(a->title));
            if (a->description != NULL)
                json_object_object_add(ao, "description", json_object_new_string(a->description));
            json_object_object_add(ao, "required", json_object_new_boolean(a->required));
            json_object_array_add(arr, ao);
        }
        json_object_object_add(o, "arguments", arr);
    }
    content_icons_add(o, p->icons, version);
    return o;
}

enum mcp_err prompt_list(const struct feat_ctx *ctx, json_object *params, json_object **result,
                         struct rpc_fail *fail)
{
    size_t total = set_count(ctx->cfg, SET_PROMPTS), i = 0;
    struct set_iter it;
    struct page pg;
    const struct prompt_def *p;
    json_object *arr;
    enum mcp_err err;

    *result = NULL;
    if ((err = page_begin(PAGE_PROMPTS, params, total, ctx->cfg->page_size, &pg, fail)) != MCP_OK)
        return err;
    arr = json_object_new_array();
    set_iter_init(&it, ctx->cfg, SET_PROMPTS);
    for (; (p = set_iter_next(&it)) != NULL && i < pg.end; i++)
        if (i >= pg.first)
            json_object_array_add(arr, prompt_def_json_new(p, ctx->version));
    *result = json_object_new_object();
    json_object_object_add(*result, "prompts", arr);
    page_end(PAGE_PROMPTS, &pg, total, *result);
    return MCP_OK;
}

/* Checks args (an object, or NULL) against p's declared arguments. */
static enum mcp_err prompt_check_args(const struct prompt_def *p, json_object *args,
                                      struct rpc_fail *fail)
{
    if (args != NULL) {
        json_object_object_foreach(args, key, val)
        {
            if (prompt_arg_find(p, key) == NULL)
                return rpc_fail_set(fail, MCP_E_INVALID_PARAMS, "Prompt %s has no argument \"%s\".",
                                    p->name, key);
            if (!json_object_is_type(val, json_type_string))
                return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                                    "Argument \"%s\" of prompt %s must be a string.", key, p->name);
            if (json_object_get_string_len(val) > PROMPT_ARG_MAX)
                return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                                    "Argument \"%s\" of prompt %s is longer than %d bytes.", key,
                                    p->name, PROMPT_ARG_MAX);
        }
    }
    for (const struct prompt_arg *a = p->args; a != NULL && a->name != NULL; a++)
        if (a->required && !json_object_object_get_ex(args, a->name, NULL))
            return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                                "Missing required argument \"%s\" of prompt %s.", a->name, p->name);
    return MCP_OK;
}

enum mcp_err prompt_get(const struct feat_ctx *ctx, json_object *params, json_object **result,
                        struct rpc_fail *fail)
{
    json_object *name_obj, *args = NULL, *messages = NULL;
    const struct prompt_def *p;
    enum mcp_err err;
    size_t n;

    *result = NULL;
    if (params == NULL || !json_object_object_get_ex(params, "name", &name_obj) ||
        !json_object_is_type(name_obj, json_type_string))
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS, "prompts/get needs a string \"name\".");
    p = prompt_find(ctx->cfg, json_object_get_string(name_obj));
    if (p == NULL)
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS, "Unknown prompt: %s",
                            json_object_get_string(name_obj));
    if (json_object_object_get_ex(params, "arguments", &args) && args != NULL &&
        !json_object_is_type(args, json_type_object))
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                            "prompts/get \"arguments\" must be an object of strings.");
    if ((err = prompt_check_args(p, args, fail)) != MCP_OK)
        return err;
    if (args == NULL)
        args = json_object_new_object();
    else
        json_object_get(args);

    if ((err = p->get(ctx, args, &messages, fail)) != MCP_OK)
        goto done;
    if (mrtr_is_input_required(messages)) { /* feat_dispatch checks and seals it */
        *result = messages;
        messages = NULL;
        goto done;
    }
    if (!json_object_is_type(messages, json_type_array)) {
        err = rpc_fail_set(fail, MCP_E_INTERNAL, "Prompt %s produced no messages array.", p->name);
        goto done;
    }
    n = json_object_array_length(messages);
    for (size_t i = 0; i < n; i++) {
        json_object *msg = json_object_array_get_idx(messages, i), *content, *fitted;
        if (!json_object_object_get_ex(msg, "content", &content))
            continue;
        fitted = content_block_for_version(json_object_get(content), ctx->version);
        if (fitted != content)
            json_object_object_add(msg, "content", fitted); /* releases the old block */
        else
            json_object_put(fitted);
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "description", json_object_new_string(p->description));
    json_object_object_add(*result, "messages", messages);
    messages = NULL;
done:
    json_object_put(messages);
    json_object_put(args);
    return err;
}

enum mcp_err prompt_complete_values(const struct mcp_cfg *cfg, const char *name, const char *arg,
                                    const char *const **values, struct rpc_fail *fail)
{
    const struct prompt_def *p = prompt_find(cfg, name);
    const struct prompt_arg *a;

    *values = NULL;
    if (p == NULL)
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS, "Unknown prompt: %s", name);
    if ((a = prompt_arg_find(p, arg)) == NULL)
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS, "Prompt %s has no argument \"%s\".", name,
                            arg);
    *values = a->values;
    return MCP_OK;
}
