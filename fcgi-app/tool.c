/* tool.c - the tool registry, tools/list, tools/call and the handler helpers. */
#include "tool.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mrtr.h"
#include "page.h"
#include "rev.h"
#include "schema.h"
#include "set.h"
#include "jsonx.h"

#define TOOL_SCHEMA_DEPTH 64 /* nesting bound when parsing our own schema texts */

/* RFC 5424 severities, lowest first, as MCP spells them. */
static const char *const tool_log_levels[] = {
    "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency",
};
#define TOOL_N_LOG_LEVELS      (sizeof(tool_log_levels) / sizeof(tool_log_levels[0]))
#define TOOL_DEFAULT_LOG_LEVEL 1 /* "info", when the client set no level */

/* Parses one of our JSON texts into *out (owned). */
static enum mcp_err tool_json_parse(const char *text, json_object **out)
{
    return rpc_parse(text, strlen(text), TOOL_SCHEMA_DEPTH, out) == MCP_OK ? MCP_OK
                                                                           : MCP_E_INTERNAL;
}

/* A JSON number for v: an integer when v is integral, so 50 is sent as 50, not 50.0. */
static json_object *tool_number_new(double v)
{
    if (isfinite(v) && v == floor(v) && fabs(v) < 9.0e15)
        return json_object_new_int64((int64_t)v);
    return json_object_new_double(v);
}

const struct tool_def *tool_find(const struct mcp_cfg *cfg, const char *name)
{
    struct set_iter it;
    const struct tool_def *t;

    set_iter_init(&it, cfg, SET_TOOLS);
    while ((t = set_iter_next(&it)) != NULL)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

static void tool_hint_add(json_object *o, const char *key, enum tool_hint h)
{
    if (h != TOOL_HINT_UNSET)
        json_object_object_add(o, key, json_object_new_boolean(h == TOOL_HINT_TRUE));
}

static json_object *tool_annotations_new(const struct tool_annotations *a)
{
    json_object *o = json_object_new_object();
    if (a->title != NULL)
        json_object_object_add(o, "title", json_object_new_string(a->title));
    tool_hint_add(o, "readOnlyHint", a->read_only);
    tool_hint_add(o, "destructiveHint", a->destructive);
    tool_hint_add(o, "idempotentHint", a->idempotent);
    tool_hint_add(o, "openWorldHint", a->open_world);
    return o;
}

json_object *tool_def_json_new(const struct tool_def *t, const char *version, enum mcp_err *err)
{
    json_object *o = json_object_new_object(), *schema = NULL;

    *err = MCP_OK;
    json_object_object_add(o, "name", json_object_new_string(t->name));
    if (t->title != NULL && rev_has(version, REV_2025_06_18))
        json_object_object_add(o, "title", json_object_new_string(t->title));
    json_object_object_add(o, "description", json_object_new_string(t->description));
    if ((*err = tool_json_parse(t->input_schema, &schema)) != MCP_OK)
        goto fail;
    json_object_object_add(o, "inputSchema", schema);
    if (t->output_schema != NULL && rev_has(version, REV_2025_06_18)) {
        if ((*err = tool_json_parse(t->output_schema, &schema)) != MCP_OK)
            goto fail;
        json_object_object_add(o, "outputSchema", schema);
    }
    if (t->annotations != NULL && rev_has(version, REV_2025_03_26))
        json_object_object_add(o, "annotations", tool_annotations_new(t->annotations));
    content_icons_add(o, t->icons, version);
    return o;
fail:
    json_object_put(o);
    return NULL;
}

enum mcp_err tool_list(const struct feat_ctx *ctx, json_object *params, json_object **result,
                       struct rpc_fail *fail)
{
    size_t total = set_count(ctx->cfg, SET_TOOLS), i = 0;
    struct set_iter it;
    struct page pg;
    const struct tool_def *t;
    json_object *tools = NULL;
    enum mcp_err err;

    *result = NULL;
    if ((err = page_begin(PAGE_TOOLS, params, total, ctx->cfg->page_size, &pg, fail)) != MCP_OK)
        return err;
    tools = json_object_new_array();
    set_iter_init(&it, ctx->cfg, SET_TOOLS);
    for (; (t = set_iter_next(&it)) != NULL && i < pg.end; i++) {
        json_object *o;
        if (i < pg.first)
            continue;
        if ((o = tool_def_json_new(t, ctx->version, &err)) == NULL) {
            rpc_fail_set(fail, err, "The definition of tool %s does not parse.", t->name);
            goto fail;
        }
        json_object_array_add(tools, o);
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "tools", tools);
    page_end(PAGE_TOOLS, &pg, total, *result);
    return MCP_OK;
fail:
    json_object_put(tools);
    return err;
}

/* 1 when blocks (an array) holds a text block whose text is exactly text. */
static int tool_has_text_block(json_object *blocks, const char *text)
{
    size_t n = json_object_array_length(blocks);
    for (size_t i = 0; i < n; i++) {
        json_object *b = json_object_array_get_idx(blocks, i);
        const char *type = jsonx_str(b, "type"), *txt = jsonx_str(b, "text");
        if (type != NULL && strcmp(type, "text") == 0 && txt != NULL && strcmp(txt, text) == 0)
            return 1;
    }
    return 0;
}

enum mcp_err tool_result_finish(const struct tool_def *t, const char *version, json_object *result,
                                struct rpc_fail *fail)
{
    json_object *content, *sc = NULL, *is_error, *schema = NULL;
    struct rpc_fail vfail = {{0}, NULL};
    enum mcp_err err = MCP_OK;
    int failed;

    if (!json_object_is_type(result, json_type_object) ||
        !json_object_object_get_ex(result, "content", &content) ||
        !json_object_is_type(content, json_type_array))
        return rpc_fail_set(fail, MCP_E_INTERNAL, "Tool %s returned no content array.", t->name);
    failed = json_object_object_get_ex(result, "isError", &is_error) &&
             json_object_get_boolean(is_error);
    json_object_object_get_ex(result, "structuredContent", &sc);

    if (t->output_schema != NULL && !failed) {
        if (sc == NULL) {
            err = rpc_fail_set(fail, MCP_E_INTERNAL,
                               "Tool %s declares an outputSchema but returned no "
                               "structuredContent.",
                               t->name);
            goto done;
        }
        if (tool_json_parse(t->output_schema, &schema) != MCP_OK) {
            err = rpc_fail_set(fail, MCP_E_INTERNAL, "The outputSchema of tool %s does not parse.",
                               t->name);
            goto done;
        }
        if (schema_validate(schema, sc, &vfail) != MCP_OK) {
            err = rpc_fail_set(fail, MCP_E_INTERNAL,
                               "Tool %s returned structuredContent that does not match its "
                               "outputSchema: %s",
                               t->name, vfail.message);
            goto done;
        }
    }
    if (sc != NULL) {
        /* Older clients (and models reading content only) get the same data as text. */
        const char *text = content_json_text(sc);
        if (!tool_has_text_block(content, text))
            json_object_array_add(content, content_text_new(text));
        if (!rev_has(version, REV_2025_06_18))
            json_object_object_del(result, "structuredContent");
    }
    content_blocks_for_version(content, version);
done:
    rpc_fail_clear(&vfail);
    json_object_put(schema);
    return err;
}

/* {content:[{type:text,text}], isError:true} */
static json_object *tool_error_result_new(const char *text)
{
    json_object *r = json_object_new_object(), *content = json_object_new_array();
    json_object_array_add(content, content_text_new(text));
    json_object_object_add(r, "content", content);
    json_object_object_add(r, "isError", json_object_new_boolean(1));
    return r;
}

enum mcp_err tool_call_run(const struct feat_ctx *ctx, json_object *params, json_object **result,
                           struct rpc_fail *fail)
{
    json_object *name_obj = NULL, *args = NULL, *schema = NULL, *res = NULL;
    struct rpc_fail vfail = {{0}, NULL};
    const struct tool_def *t;
    struct tool_call call;
    enum mcp_err err;

    *result = NULL;
    if (params == NULL || !json_object_object_get_ex(params, "name", &name_obj) ||
        !json_object_is_type(name_obj, json_type_string))
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS, "tools/call needs a string \"name\".");
    t = tool_find(ctx->cfg, json_object_get_string(name_obj));
    if (t == NULL)
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS, "Unknown tool: %s",
                            json_object_get_string(name_obj));
    if (json_object_object_get_ex(params, "arguments", &args)) {
        if (!json_object_is_type(args, json_type_object))
            return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                                "tools/call \"arguments\" must be an object.");
        json_object_get(args);
    } else {
        args = json_object_new_object();
    }

    if (tool_json_parse(t->input_schema, &schema) != MCP_OK) {
        err = rpc_fail_set(fail, MCP_E_INTERNAL, "The inputSchema of tool %s does not parse.",
                           t->name);
        goto done;
    }
    err = schema_validate(schema, args, &vfail);
    if (err == MCP_E_INVALID_PARAMS) {
        /* Input validation errors are tool errors the model can correct (2025-11-25). */
        *result = tool_error_result_new(vfail.message[0] ? vfail.message
                                                         : "The arguments do not match the "
                                                           "tool's inputSchema.");
        err = MCP_OK;
        goto done;
    }
    if (err != MCP_OK) {
        rpc_fail_set(fail, err, "The inputSchema of tool %s is unusable: %s", t->name,
                     vfail.message);
        goto done;
    }

    if (t->stateless_only && !ctx->stateless) {
        char text[RPC_MSG_LEN + 64];
        snprintf(text, sizeof(text),
                 "Tool %s belongs to protocol revision 2026-07-28: it asks for input with an "
                 "InputRequiredResult (multi round-trip requests), which a %s session cannot "
                 "carry.",
                 t->name, ctx->version);
        *result = tool_error_result_new(text);
        err = MCP_OK;
        goto done;
    }
    call = (struct tool_call){.ctx = ctx, .tool = t, .fail = fail, .state = ctx->request_state};
    err = t->call(&call, args, &res);
    if (err != MCP_OK)
        goto done;
    if (res == NULL) {
        err = rpc_fail_set(fail, MCP_E_INTERNAL, "Tool %s returned no result.", t->name);
        goto done;
    }
    /* an InputRequiredResult has no content; feat_dispatch checks and seals it */
    if (!mrtr_is_input_required(res) &&
        (err = tool_result_finish(t, ctx->version, res, fail)) != MCP_OK)
        goto done;
    *result = res;
    res = NULL;
done:
    json_object_put(res);
    rpc_fail_clear(&vfail);
    json_object_put(schema);
    json_object_put(args);
    return err;
}

enum mcp_err tool_close_stream(struct tool_call *call)
{
    const struct feat_sink *sink = call->ctx->sink;
    if (sink == NULL || sink->close_stream == NULL)
        return MCP_E_UNAVAILABLE;
    return sink->close_stream(sink->opaque);
}

enum mcp_err tool_announce(struct tool_call *call, const char *method)
{
    const struct feat_sink *sink = call->ctx->sink;
    if (sink == NULL || sink->announce == NULL)
        return MCP_E_UNAVAILABLE;
    json_object *msg = rpc_notification_new(method, NULL);
    enum mcp_err rc = sink->announce(sink->opaque, msg);
    json_object_put(msg);
    return rc;
}

static enum mcp_err tool_notify(struct tool_call *call, const char *method, json_object *params)
{
    const struct feat_sink *sink = call->ctx->sink;
    json_object *msg = rpc_notification_new(method, params);

    if (sink == NULL || sink->notify == NULL) {
        json_object_put(msg);
        return MCP_OK;
    }
    return sink->notify(sink->opaque, msg);
}

enum mcp_err tool_progress(struct tool_call *call, double progress, double total,
                           const char *message)
{
    json_object *p;

    if (call->ctx->progress_token == NULL)
        return MCP_OK;
    if (call->progress_sent > 0 && !(progress > call->last_progress))
        return rpc_fail_set(call->fail, MCP_E_INTERNAL,
                            "Tool %s reported progress that does "
                            "not increase.",
                            call->tool->name);
    p = json_object_new_object();
    json_object_object_add(p, "progressToken", json_object_get(call->ctx->progress_token));
    json_object_object_add(p, "progress", tool_number_new(progress));
    if (total >= 0)
        json_object_object_add(p, "total", tool_number_new(total));
    if (message != NULL && rev_has(call->ctx->version, REV_2025_03_26))
        json_object_object_add(p, "message", json_object_new_string(message));
    call->last_progress = progress;
    call->progress_sent++;
    return tool_notify(call, "notifications/progress", p);
}

/* Index of level in tool_log_levels, or -1. */
static int tool_log_rank(const char *level)
{
    for (size_t i = 0; i < TOOL_N_LOG_LEVELS; i++)
        if (strcmp(tool_log_levels[i], level) == 0)
            return (int)i;
    return -1;
}

const char *tool_log_level_name(const char *level)
{
    int rank = level != NULL ? tool_log_rank(level) : -1;
    return rank >= 0 ? tool_log_levels[rank] : NULL;
}

enum mcp_err tool_log(struct tool_call *call, const char *level, const char *logger,
                      json_object *data)
{
    const char *session_level = call->ctx->log_level;
    int rank = tool_log_rank(level), threshold = TOOL_DEFAULT_LOG_LEVEL;
    json_object *p;

    if (rank < 0) {
        json_object_put(data);
        return rpc_fail_set(call->fail, MCP_E_INTERNAL, "Unknown log level %s.", level);
    }
    if (session_level != NULL && strcmp(session_level, FEAT_LOG_NONE) == 0)
        threshold = (int)TOOL_N_LOG_LEVELS; /* a stateless request that asked for no logs */
    else if (session_level != NULL && session_level[0] != '\0' && tool_log_rank(session_level) >= 0)
        threshold = tool_log_rank(session_level);
    if (rank < threshold) {
        json_object_put(data);
        return MCP_OK;
    }
    p = json_object_new_object();
    json_object_object_add(p, "level", json_object_new_string(level));
    if (logger != NULL)
        json_object_object_add(p, "logger", json_object_new_string(logger));
    json_object_object_add(p, "data", data);
    return tool_notify(call, "notifications/message", p);
}

/* Server-to-client methods, the client capability each needs, and the revision that
 * introduced it. */
static const struct {
    const char *method;
    const char *capability;
    const char *since;
} tool_client_methods[] = {
    {"sampling/createMessage", "sampling", REV_2024_11_05},
    {"roots/list", "roots", REV_2024_11_05},
    {"elicitation/create", "elicitation", REV_2025_06_18},
};

/* Records that the client lacks capability (with sub-key sub, may be NULL) and returns
 * MCP_E_CLIENT_CAPABILITY. */
static enum mcp_err tool_missing_capability(struct rpc_fail *fail, const char *capability,
                                            const char *sub, const char *sentence)
{
    json_object *data = json_object_new_object(), *req = json_object_new_object();
    json_object *cap = json_object_new_object();

    if (sub != NULL)
        json_object_object_add(cap, sub, json_object_new_object());
    json_object_object_add(req, capability, cap);
    json_object_object_add(data, "requiredCapabilities", req);
    json_object_put(fail->data);
    fail->data = data;
    return rpc_fail_set(fail, MCP_E_CLIENT_CAPABILITY, "%s", sentence);
}

/* Checks a request's params against the finer capability flags of its method. May change
 * params (elicitation "mode" before 2025-11-25). */
static enum mcp_err tool_check_detail(const struct feat_ctx *ctx, struct rpc_fail *fail,
                                      const char *method, json_object *cap, json_object *params)
{
    const char *version = ctx->version, *v;

    if (strcmp(method, "elicitation/create") == 0) {
        const char *mode = jsonx_str(params, "mode") ? jsonx_str(params, "mode") : "form";
        int has_form = json_object_object_get_ex(cap, "form", NULL);
        int has_url = json_object_object_get_ex(cap, "url", NULL);
        if (strcmp(mode, "url") == 0 && (!rev_has(version, REV_2025_11_25) || !has_url))
            return tool_missing_capability(
                fail, "elicitation", "url",
                "The client did not declare URL-mode elicitation (elicitation.url).");
        if (strcmp(mode, "form") == 0 && has_url && !has_form)
            return tool_missing_capability(
                fail, "elicitation", "form",
                "The client did not declare form-mode elicitation (elicitation.form).");
        if (!rev_has(version, REV_2025_11_25))
            json_object_object_del(params, "mode");
    } else if (strcmp(method, "sampling/createMessage") == 0) {
        if ((json_object_object_get_ex(params, "tools", NULL) ||
             json_object_object_get_ex(params, "toolChoice", NULL)) &&
            !json_object_object_get_ex(cap, "tools", NULL))
            return tool_missing_capability(
                fail, "sampling", "tools",
                "The client did not declare sampling with tools (sampling.tools).");
        if ((v = jsonx_str(params, "includeContext")) != NULL && strcmp(v, "none") != 0 &&
            !json_object_object_get_ex(cap, "context", NULL))
            return tool_missing_capability(
                fail, "sampling", "context",
                "The client did not declare sampling with context (sampling.context).");
    }
    return MCP_OK;
}

enum mcp_err tool_client_check(const struct feat_ctx *ctx, const char *method, json_object *params,
                               struct rpc_fail *fail)
{
    json_object *cap = NULL;
    size_t i;

    for (i = 0; i < sizeof(tool_client_methods) / sizeof(tool_client_methods[0]); i++)
        if (strcmp(tool_client_methods[i].method, method) == 0)
            break;
    if (i == sizeof(tool_client_methods) / sizeof(tool_client_methods[0]))
        return rpc_fail_set(fail, MCP_E_INTERNAL, "%s is not a request a server can send.", method);
    if (!rev_has(ctx->version, tool_client_methods[i].since))
        return rpc_fail_set(fail, MCP_E_CLIENT_CAPABILITY,
                            "%s does not exist in protocol revision %s.", method, ctx->version);
    if (ctx->client_caps == NULL ||
        !json_object_object_get_ex(ctx->client_caps, tool_client_methods[i].capability, &cap) ||
        !json_object_is_type(cap, json_type_object)) {
        char sentence[RPC_MSG_LEN];
        snprintf(sentence, sizeof(sentence), "The client did not declare the \"%s\" capability.",
                 tool_client_methods[i].capability);
        return tool_missing_capability(fail, tool_client_methods[i].capability, NULL, sentence);
    }
    return tool_check_detail(ctx, fail, method, cap, params);
}

enum mcp_err tool_client_request(struct tool_call *call, const char *method, json_object *params,
                                 json_object **result)
{
    const struct feat_ctx *ctx = call->ctx;
    const struct feat_sink *sink = ctx->sink;
    enum mcp_err err;

    *result = NULL;
    if (params == NULL)
        params = json_object_new_object();
    if ((err = tool_client_check(ctx, method, params, call->fail)) != MCP_OK)
        goto done;
    if (sink == NULL || sink->request == NULL) {
        err = rpc_fail_set(call->fail, MCP_E_UNAVAILABLE,
                           "This response cannot carry requests to the client.");
        goto done;
    }
    err = sink->request(sink->opaque, method, params, result);
    params = NULL; /* taken by the sink */
    if (err != MCP_OK) {
        json_object *client_err = *result;
        *result = NULL;
        if (err == MCP_E_CLIENT_ERROR) {
            json_object *code = jsonx_get(client_err, "code");
            const char *msg = jsonx_str(client_err, "message");
            rpc_fail_set(call->fail, err, "The client answered %s with error %lld: %.160s", method,
                         code ? (long long)json_object_get_int64(code) : 0LL, msg ? msg : "");
            rpc_utf8_sanitize(call->fail->message);
        } else if (err == MCP_E_UNAVAILABLE)
            rpc_fail_set(call->fail, err,
                         "%s could not be sent: the client can be asked only while the "
                         "response is a stream.",
                         method);
        else if (err == MCP_E_TIMEOUT)
            rpc_fail_set(call->fail, err, "The client did not answer %s in time.", method);
        else
            rpc_fail_set(call->fail, err, "The client did not answer %s: %s", method,
                         mcp_err_info(err)->message);
        json_object_put(client_err);
    }
done:
    json_object_put(params);
    return err;
}

enum mcp_err tool_input_request(struct tool_call *call, const char *key, const char *method,
                                json_object *params, json_object *requests)
{
    return mrtr_input_request(call->ctx, call->fail, key, method, params, requests);
}

enum mcp_err tool_input_response(struct tool_call *call, const char *key, json_object **resp)
{
    /* the answers are call->ctx->input_responses, set by feat_dispatch */
    return mrtr_input_response(call->ctx, call->fail, key, resp);
}
