/*
 * set_conformance.c - the fixture set of the official MCP conformance suite
 * (@modelcontextprotocol/conformance), server.sets = ["conformance"].
 *
 * Names, argument names, texts and MIME types are the ones the suite's server scenarios
 * check (spec digest section 9.3). Legacy-era fixtures only: the 2026-07-28 tools
 * (test_missing_capability, test_input_required_result_*, ...) come with that era.
 *
 * How the tools reach the client:
 *   test_tool_with_logging   three notifications/message (info) through tool_log, 50 ms apart
 *   test_tool_with_progress  notifications/progress 0, 50, 100 of 100 through tool_progress
 *                            when the call has a progress token, 50 ms apart
 *   test_sampling, test_elicitation, test_elicitation_sep1034_defaults,
 *   test_elicitation_sep1330_enums
 *                            one server-to-client request through tool_client_request; when
 *                            it cannot be made or is not answered, an isError result says why
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "cfg.h"
#include "content.h"
#include "prompt.h"
#include "resource.h"
#include "set.h"
#include "tool.h"
#include "watch.h"

/* A 2x2 RGB PNG (red, green / blue, white), 75 bytes. */
#define CONF_PNG_B64                                                                               \
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR42mP4z8DAAMIM/4EAAB/uBfvxq7p3AAAAAElF" \
    "TkSuQmCC"
/* A WAV file: 16 samples of a 1 kHz tone, 8-bit mono PCM at 8 kHz, 60 bytes. */
#define CONF_WAV_B64                                                                               \
    "UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YRAAAACAqryqgFZEVoCqvKqAVkRW"

#define CONF_NO_ARGS      "{\"type\":\"object\",\"additionalProperties\":false}"
#define CONF_STEP_MS      50 /* pause between the notifications of one call */
#define CONF_WATCH_PERIOD WATCH_CONFORMANCE_PERIOD_S /* sessiond notifies at the same pace */

static const struct tool_annotations conf_read_only = {
    .read_only = TOOL_HINT_TRUE,
    .open_world = TOOL_HINT_FALSE,
};

static void conf_sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ; /* interrupted: sleep the rest */
}

/* args[name] as a string ("" when absent; validation makes required ones present). */
static const char *conf_arg(json_object *args, const char *name)
{
    json_object *v;
    if (!json_object_object_get_ex(args, name, &v) || !json_object_is_type(v, json_type_string))
        return "";
    return json_object_get_string(v);
}

/* {content:[blocks...]} from a NULL-terminated list of blocks (taken). */
static json_object *conf_result_new(json_object *first, ...)
{
    json_object *r = json_object_new_object(), *content = json_object_new_array();
    va_list ap;

    va_start(ap, first);
    for (json_object *b = first; b != NULL; b = va_arg(ap, json_object *))
        json_object_array_add(content, b);
    va_end(ap);
    json_object_object_add(r, "content", content);
    return r;
}

static json_object *conf_error_result_new(const char *text)
{
    json_object *r = conf_result_new(content_text_new(text), NULL);
    json_object_object_add(r, "isError", json_object_new_boolean(1));
    return r;
}

/* An isError result explaining why a client request failed; clears call->fail. */
static json_object *conf_request_failed(struct tool_call *call, const char *what)
{
    char text[RPC_MSG_LEN + 64];
    snprintf(text, sizeof(text), "Could not request %s from the client: %s", what,
             call->fail->message);
    rpc_fail_clear(call->fail);
    return conf_error_result_new(text);
}

/* ---- tools ------------------------------------------------------------------------------ */

static enum mcp_err conf_simple_text(struct tool_call *call, json_object *args, json_object **res)
{
    (void)call, (void)args;
    *res = conf_result_new(content_text_new("This is a simple text response for testing."), NULL);
    return MCP_OK;
}

static const struct tool_def conf_tool_simple_text = {
    .name = "test_simple_text",
    .title = "Simple text",
    .description = "Tests simple text content response",
    .input_schema = CONF_NO_ARGS,
    .annotations = &conf_read_only,
    .call = conf_simple_text,
};

static enum mcp_err conf_image(struct tool_call *call, json_object *args, json_object **res)
{
    (void)call, (void)args;
    *res = conf_result_new(content_image_new("image/png", CONF_PNG_B64), NULL);
    return MCP_OK;
}

static const struct tool_def conf_tool_image = {
    .name = "test_image_content",
    .title = "Image content",
    .description = "Tests image content response",
    .input_schema = CONF_NO_ARGS,
    .annotations = &conf_read_only,
    .call = conf_image,
};

static enum mcp_err conf_audio(struct tool_call *call, json_object *args, json_object **res)
{
    (void)call, (void)args;
    *res = conf_result_new(content_audio_new("audio/wav", CONF_WAV_B64), NULL);
    return MCP_OK;
}

static const struct tool_def conf_tool_audio = {
    .name = "test_audio_content",
    .title = "Audio content",
    .description = "Tests audio content response",
    .input_schema = CONF_NO_ARGS,
    .annotations = &conf_read_only,
    .call = conf_audio,
};

static enum mcp_err conf_embedded(struct tool_call *call, json_object *args, json_object **res)
{
    (void)call, (void)args;
    *res = conf_result_new(content_resource_text_new("test://embedded-resource", "text/plain",
                                                     "This is an embedded resource content."),
                           NULL);
    return MCP_OK;
}

static const struct tool_def conf_tool_embedded = {
    .name = "test_embedded_resource",
    .title = "Embedded resource",
    .description = "Tests embedded resource content response",
    .input_schema = CONF_NO_ARGS,
    .annotations = &conf_read_only,
    .call = conf_embedded,
};

static enum mcp_err conf_mixed(struct tool_call *call, json_object *args, json_object **res)
{
    (void)call, (void)args;
    *res = conf_result_new(content_text_new("Multiple content types test:"),
                           content_image_new("image/png", CONF_PNG_B64),
                           content_resource_text_new("test://mixed-content-resource",
                                                     "application/json",
                                                     "{\"test\":\"data\",\"value\":123}"),
                           NULL);
    return MCP_OK;
}

static const struct tool_def conf_tool_mixed = {
    .name = "test_multiple_content_types",
    .title = "Multiple content types",
    .description = "Tests response with multiple content types (text, image, resource)",
    .input_schema = CONF_NO_ARGS,
    .annotations = &conf_read_only,
    .call = conf_mixed,
};

static enum mcp_err conf_logging(struct tool_call *call, json_object *args, json_object **res)
{
    static const char *const steps[] = {"Tool execution started", "Tool processing data",
                                        "Tool execution completed"};
    enum mcp_err err;
    (void)args;

    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        if (i > 0)
            conf_sleep_ms(CONF_STEP_MS);
        err = tool_log(call, "info", NULL, json_object_new_string(steps[i]));
        if (err != MCP_OK)
            return err;
    }
    *res = conf_result_new(content_text_new("Tool with logging executed successfully"), NULL);
    return MCP_OK;
}

static const struct tool_def conf_tool_logging = {
    .name = "test_tool_with_logging",
    .title = "Logging",
    .description = "Tests tool that emits log messages during execution",
    .input_schema = CONF_NO_ARGS,
    .call = conf_logging,
};

static enum mcp_err conf_progress(struct tool_call *call, json_object *args, json_object **res)
{
    char msg[64], text[160];
    json_object *token = call->ctx->progress_token;
    enum mcp_err err;
    (void)args;

    for (int step = 0; step <= 100; step += 50) {
        if (step > 0)
            conf_sleep_ms(CONF_STEP_MS);
        snprintf(msg, sizeof(msg), "Completed step %d of 100", step);
        if ((err = tool_progress(call, step, 100, msg)) != MCP_OK)
            return err;
    }
    if (token != NULL)
        snprintf(text, sizeof(text), "Progress test completed; progress reported for token %.100s",
                 content_json_text(token));
    else
        snprintf(text, sizeof(text), "Progress test completed; no progress token was given");
    *res = conf_result_new(content_text_new(text), NULL);
    return MCP_OK;
}

static const struct tool_def conf_tool_progress = {
    .name = "test_tool_with_progress",
    .title = "Progress",
    .description = "Tests tool that reports progress notifications",
    .input_schema = CONF_NO_ARGS,
    .call = conf_progress,
};

static enum mcp_err conf_error(struct tool_call *call, json_object *args, json_object **res)
{
    (void)call, (void)args;
    *res = conf_error_result_new("This tool intentionally returns an error for testing");
    return MCP_OK;
}

static const struct tool_def conf_tool_error = {
    .name = "test_error_handling",
    .title = "Error handling",
    .description = "Tests error response handling",
    .input_schema = CONF_NO_ARGS,
    .call = conf_error,
};

static enum mcp_err conf_reconnection(struct tool_call *call, json_object *args, json_object **res)
{
    (void)args;
    /* Close the client's connection mid-call (SSE polling): it reconnects with GET +
     * Last-Event-ID after the retry delay and receives the result there. Where the answer
     * cannot be resumed, the call simply completes on the open connection. */
    (void)tool_close_stream(call);
    conf_sleep_ms(2 * CONF_STEP_MS);
    *res = conf_result_new(content_text_new("Reconnection test completed successfully."), NULL);
    return MCP_OK;
}

static const struct tool_def conf_tool_reconnection = {
    .name = "test_reconnection",
    .title = "Reconnection",
    .description = "Tests SSE stream disconnection and client reconnection (SEP-1699): the "
                   "result arrives after the client resumes the stream.",
    .input_schema = CONF_NO_ARGS,
    .call = conf_reconnection,
};

/* The first text of a sampling result's content (an object, or an array of blocks). */
static const char *conf_sampling_text(json_object *result)
{
    json_object *content, *text;

    if (!json_object_object_get_ex(result, "content", &content))
        return NULL;
    if (json_object_is_type(content, json_type_array))
        content = json_object_array_get_idx(content, 0);
    if (!json_object_object_get_ex(content, "text", &text) ||
        !json_object_is_type(text, json_type_string))
        return NULL;
    return json_object_get_string(text);
}

static enum mcp_err conf_sampling(struct tool_call *call, json_object *args, json_object **res)
{
    json_object *params = json_object_new_object(), *messages = json_object_new_array();
    json_object *msg = json_object_new_object(), *reply = NULL;
    const char *text;
    char *out;
    size_t len;

    json_object_object_add(msg, "role", json_object_new_string("user"));
    json_object_object_add(msg, "content", content_text_new(conf_arg(args, "prompt")));
    json_object_array_add(messages, msg);
    json_object_object_add(params, "messages", messages);
    json_object_object_add(params, "maxTokens", json_object_new_int(100));

    if (tool_client_request(call, "sampling/createMessage", params, &reply) != MCP_OK) {
        *res = conf_request_failed(call, "sampling");
        return MCP_OK;
    }
    text = conf_sampling_text(reply);
    if (text == NULL)
        text = "(no text content)";
    len = strlen("LLM response: ") + strlen(text) + 1;
    out = xmalloc(len);
    snprintf(out, len, "LLM response: %s", text);
    *res = conf_result_new(content_text_new(out), NULL);
    free(out);
    json_object_put(reply);
    return MCP_OK;
}

static const struct tool_def conf_tool_sampling = {
    .name = "test_sampling",
    .title = "Sampling",
    .description = "Tests server-initiated sampling (LLM completion request)",
    .input_schema = "{\"type\":\"object\",\"properties\":{\"prompt\":{\"type\":\"string\","
                    "\"description\":\"The prompt to send to the LLM\"}},"
                    "\"required\":[\"prompt\"],\"additionalProperties\":false}",
    .call = conf_sampling,
};

/*
 * Sends elicitation/create {mode:"form", message, requestedSchema} (schema_json parsed) and
 * answers "<lead> action=<action>, content=<content JSON>".
 */
static enum mcp_err conf_elicit(struct tool_call *call, const char *message,
                                const char *schema_json, const char *lead, json_object **res)
{
    json_object *params = json_object_new_object(), *schema = NULL, *reply = NULL, *v;
    const char *action = "unknown", *content = "{}";
    char *out;
    size_t len;

    if (rpc_parse(schema_json, strlen(schema_json), 16, &schema) != MCP_OK) {
        json_object_put(params);
        return rpc_fail_set(call->fail, MCP_E_INTERNAL, "The elicitation schema does not parse.");
    }
    json_object_object_add(params, "mode", json_object_new_string("form"));
    json_object_object_add(params, "message", json_object_new_string(message));
    json_object_object_add(params, "requestedSchema", schema);
    if (tool_client_request(call, "elicitation/create", params, &reply) != MCP_OK) {
        *res = conf_request_failed(call, "elicitation");
        return MCP_OK;
    }
    if (json_object_object_get_ex(reply, "action", &v) && json_object_is_type(v, json_type_string))
        action = json_object_get_string(v);
    if (json_object_object_get_ex(reply, "content", &v) && v != NULL)
        content = content_json_text(v);
    len = strlen(lead) + strlen(action) + strlen(content) + 32;
    out = xmalloc(len);
    snprintf(out, len, "%s action=%s, content=%s", lead, action, content);
    *res = conf_result_new(content_text_new(out), NULL);
    free(out);
    json_object_put(reply);
    return MCP_OK;
}

static enum mcp_err conf_elicitation(struct tool_call *call, json_object *args, json_object **res)
{
    return conf_elicit(call, conf_arg(args, "message"),
                       "{\"type\":\"object\",\"properties\":{"
                       "\"username\":{\"type\":\"string\",\"description\":\"User's response\"},"
                       "\"email\":{\"type\":\"string\",\"description\":\"User's email address\"}"
                       "},\"required\":[\"username\",\"email\"]}",
                       "User response:", res);
}

static const struct tool_def conf_tool_elicitation = {
    .name = "test_elicitation",
    .title = "Elicitation",
    .description = "Tests server-initiated elicitation (user input request)",
    .input_schema = "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\","
                    "\"description\":\"The message to show the user\"}},"
                    "\"required\":[\"message\"],\"additionalProperties\":false}",
    .call = conf_elicitation,
};

static enum mcp_err conf_elicit_defaults(struct tool_call *call, json_object *args,
                                         json_object **res)
{
    (void)args;
    return conf_elicit(
        call, "Please review and update the form fields with defaults",
        "{\"type\":\"object\",\"properties\":{"
        "\"name\":{\"type\":\"string\",\"description\":\"User name\",\"default\":\"John Doe\"},"
        "\"age\":{\"type\":\"integer\",\"description\":\"User age\",\"default\":30},"
        "\"score\":{\"type\":\"number\",\"description\":\"User score\",\"default\":95.5},"
        "\"status\":{\"type\":\"string\",\"description\":\"User status\","
        "\"enum\":[\"active\",\"inactive\",\"pending\"],\"default\":\"active\"},"
        "\"verified\":{\"type\":\"boolean\",\"description\":\"Verification status\","
        "\"default\":true}},\"required\":[]}",
        "Elicitation completed:", res);
}

static const struct tool_def conf_tool_elicit_defaults = {
    .name = "test_elicitation_sep1034_defaults",
    .title = "Elicitation defaults",
    .description = "Tests elicitation with default values per SEP-1034",
    .input_schema = CONF_NO_ARGS,
    .call = conf_elicit_defaults,
};

static enum mcp_err conf_elicit_enums(struct tool_call *call, json_object *args, json_object **res)
{
    (void)args;
    return conf_elicit(
        call, "Please select options from the enum fields",
        "{\"type\":\"object\",\"properties\":{"
        "\"untitledSingle\":{\"type\":\"string\",\"description\":\"Select one option\","
        "\"enum\":[\"option1\",\"option2\",\"option3\"]},"
        "\"titledSingle\":{\"type\":\"string\",\"description\":\"Select one option with titles\","
        "\"oneOf\":[{\"const\":\"value1\",\"title\":\"First Option\"},"
        "{\"const\":\"value2\",\"title\":\"Second Option\"},"
        "{\"const\":\"value3\",\"title\":\"Third Option\"}]},"
        "\"legacyEnum\":{\"type\":\"string\",\"description\":\"Select one option (legacy)\","
        "\"enum\":[\"opt1\",\"opt2\",\"opt3\"],"
        "\"enumNames\":[\"Option One\",\"Option Two\",\"Option Three\"]},"
        "\"untitledMulti\":{\"type\":\"array\",\"description\":\"Select multiple options\","
        "\"minItems\":1,\"maxItems\":3,"
        "\"items\":{\"type\":\"string\",\"enum\":[\"option1\",\"option2\",\"option3\"]}},"
        "\"titledMulti\":{\"type\":\"array\",\"description\":\"Select multiple options with "
        "titles\",\"minItems\":1,\"maxItems\":3,"
        "\"items\":{\"anyOf\":[{\"const\":\"value1\",\"title\":\"First Choice\"},"
        "{\"const\":\"value2\",\"title\":\"Second Choice\"},"
        "{\"const\":\"value3\",\"title\":\"Third Choice\"}]}}},\"required\":[]}",
        "Elicitation completed:", res);
}

static const struct tool_def conf_tool_elicit_enums = {
    .name = "test_elicitation_sep1330_enums",
    .title = "Elicitation enums",
    .description = "Tests elicitation with enum schema improvements per SEP-1330",
    .input_schema = CONF_NO_ARGS,
    .call = conf_elicit_enums,
};

static enum mcp_err conf_schema_2020_12(struct tool_call *call, json_object *args,
                                        json_object **res)
{
    const char *json = content_json_text(args);
    size_t len = strlen(json) + 64;
    char *out = xmalloc(len);
    (void)call;

    snprintf(out, len, "JSON Schema 2020-12 tool called with: %s", json);
    *res = conf_result_new(content_text_new(out), NULL);
    free(out);
    return MCP_OK;
}

/* Served verbatim: the suite checks that $schema, $defs, $anchor, allOf/anyOf,
 * if/then/else and additionalProperties survive tools/list. */
static const struct tool_def conf_tool_schema_2020_12 = {
    .name = "json_schema_2020_12_tool",
    .title = "JSON Schema 2020-12",
    .description = "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)",
    .input_schema =
        "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
        "\"$defs\":{\"address\":{\"$anchor\":\"addressDef\",\"type\":\"object\","
        "\"properties\":{\"street\":{\"type\":\"string\"},\"city\":{\"type\":\"string\"}}}},"
        "\"properties\":{\"name\":{\"type\":\"string\"},"
        "\"address\":{\"$ref\":\"#/$defs/address\"},"
        "\"contactMethod\":{\"type\":\"string\",\"enum\":[\"phone\",\"email\"]},"
        "\"phone\":{\"type\":\"string\"},\"email\":{\"type\":\"string\"}},"
        "\"allOf\":[{\"anyOf\":[{\"required\":[\"phone\"]},{\"required\":[\"email\"]}]}],"
        "\"if\":{\"properties\":{\"contactMethod\":{\"const\":\"phone\"}},"
        "\"required\":[\"contactMethod\"]},"
        "\"then\":{\"required\":[\"phone\"]},\"else\":{\"required\":[\"email\"]},"
        "\"additionalProperties\":false}",
    .call = conf_schema_2020_12,
};

static const struct tool_def *const conf_tools[] = {
    &conf_tool_simple_text,    &conf_tool_image,           &conf_tool_audio,
    &conf_tool_embedded,       &conf_tool_mixed,           &conf_tool_logging,
    &conf_tool_progress,       &conf_tool_error,           &conf_tool_sampling,
    &conf_tool_elicitation,    &conf_tool_elicit_defaults, &conf_tool_elicit_enums,
    &conf_tool_schema_2020_12, &conf_tool_reconnection,    NULL,
};

/* ---- resources ---------------------------------------------------------------------------- */

static const struct resource_def conf_res_static_text = {
    .uri = "test://static-text",
    .name = "static-text",
    .title = "Static Text Resource",
    .description = "A static text resource for testing",
    .mime_type = "text/plain",
    .text = "This is the content of the static text resource.",
};

static const struct resource_def conf_res_static_binary = {
    .uri = "test://static-binary",
    .name = "static-binary",
    .title = "Static Binary Resource",
    .description = "A static binary resource (image) for testing",
    .mime_type = "image/png",
    .blob = CONF_PNG_B64,
};

/* The content changes with each CONF_WATCH_PERIOD-second window of the clock, so every
 * worker computes the same content without shared state. */
static enum mcp_err conf_read_watched(const struct feat_ctx *ctx, const struct resource_def *r,
                                      json_object *contents, struct rpc_fail *fail)
{
    char text[128];
    long long window = (long long)time(NULL) / CONF_WATCH_PERIOD;
    (void)ctx, (void)fail;

    snprintf(text, sizeof(text), "Watched resource content, revision %lld", window);
    json_object_array_add(contents, content_text_contents_new(r->uri, r->mime_type, text));
    return MCP_OK;
}

static const struct resource_def conf_res_watched = {
    .uri = "test://watched-resource",
    .name = "watched-resource",
    .title = "Watched Resource",
    .description = "A resource whose content changes every few seconds",
    .mime_type = "text/plain",
    .read = conf_read_watched,
};

static const struct resource_def *const conf_resources[] = {
    &conf_res_static_text,
    &conf_res_static_binary,
    &conf_res_watched,
    NULL,
};

static enum mcp_err conf_read_template(const struct feat_ctx *ctx,
                                       const struct resource_template_def *t, const char *uri,
                                       const struct resource_match *m, json_object *contents,
                                       struct rpc_fail *fail)
{
    const char *id = resource_match_get(m, "id");
    json_object *o = json_object_new_object();
    char data[RESOURCE_VAR_MAX + 16];
    (void)ctx, (void)fail;

    snprintf(data, sizeof(data), "Data for ID: %s", id);
    json_object_object_add(o, "id", json_object_new_string(id));
    json_object_object_add(o, "templateTest", json_object_new_boolean(1));
    json_object_object_add(o, "data", json_object_new_string(data));
    json_object_array_add(contents,
                          content_text_contents_new(uri, t->mime_type, content_json_text(o)));
    json_object_put(o);
    return MCP_OK;
}

static const char *const conf_template_ids[] = {"123", "456", "789", NULL};

static const struct resource_var conf_template_vars[] = {
    {"id", conf_template_ids},
    {NULL, NULL},
};

static const struct resource_template_def conf_template = {
    .uri_template = "test://template/{id}/data",
    .name = "template",
    .title = "Resource Template",
    .description = "A resource template with parameter substitution",
    .mime_type = "application/json",
    .vars = conf_template_vars,
    .read = conf_read_template,
};

static const struct resource_template_def *const conf_templates[] = {
    &conf_template,
    NULL,
};

/* ---- prompts ------------------------------------------------------------------------------ */

/* [{role:"user", content}, ...] from a NULL-terminated list of blocks (taken). */
static json_object *conf_messages_new(json_object *first, ...)
{
    json_object *arr = json_object_new_array();
    va_list ap;

    va_start(ap, first);
    for (json_object *b = first; b != NULL; b = va_arg(ap, json_object *)) {
        json_object *m = json_object_new_object();
        json_object_object_add(m, "role", json_object_new_string("user"));
        json_object_object_add(m, "content", b);
        json_object_array_add(arr, m);
    }
    va_end(ap);
    return arr;
}

static enum mcp_err conf_prompt_simple(const struct feat_ctx *ctx, json_object *args,
                                       json_object **messages, struct rpc_fail *fail)
{
    (void)ctx, (void)args, (void)fail;
    *messages = conf_messages_new(content_text_new("This is a simple prompt for testing."), NULL);
    return MCP_OK;
}

static const struct prompt_def conf_prompt_simple_def = {
    .name = "test_simple_prompt",
    .title = "Simple Test Prompt",
    .description = "A simple prompt without arguments",
    .get = conf_prompt_simple,
};

static enum mcp_err conf_prompt_args(const struct feat_ctx *ctx, json_object *args,
                                     json_object **messages, struct rpc_fail *fail)
{
    const char *a1 = conf_arg(args, "arg1"), *a2 = conf_arg(args, "arg2");
    size_t len = strlen(a1) + strlen(a2) + 64;
    char *text = xmalloc(len);
    (void)ctx, (void)fail;

    snprintf(text, len, "Prompt with arguments: arg1='%s', arg2='%s'", a1, a2);
    *messages = conf_messages_new(content_text_new(text), NULL);
    free(text);
    return MCP_OK;
}

static const char *const conf_arg1_values[] = {"test", "testValue1", "test-alpha", "hello", NULL};
static const char *const conf_arg2_values[] = {"testValue2", "test-beta", "world", NULL};

static const struct prompt_arg conf_prompt_args_args[] = {
    {"arg1", "Argument 1", "First test argument", true, conf_arg1_values},
    {"arg2", "Argument 2", "Second test argument", true, conf_arg2_values},
    {NULL, NULL, NULL, false, NULL},
};

static const struct prompt_def conf_prompt_args_def = {
    .name = "test_prompt_with_arguments",
    .title = "Prompt With Arguments",
    .description = "A prompt with required arguments",
    .args = conf_prompt_args_args,
    .get = conf_prompt_args,
};

static enum mcp_err conf_prompt_embedded(const struct feat_ctx *ctx, json_object *args,
                                         json_object **messages, struct rpc_fail *fail)
{
    (void)ctx, (void)fail;
    *messages =
        conf_messages_new(content_resource_text_new(conf_arg(args, "resourceUri"), "text/plain",
                                                    "Embedded resource content for testing."),
                          content_text_new("Please process the embedded resource above."), NULL);
    return MCP_OK;
}

static const char *const conf_uri_values[] = {"test://static-text", "test://static-binary",
                                              "test://watched-resource", NULL};

static const struct prompt_arg conf_prompt_embedded_args[] = {
    {"resourceUri", "Resource URI", "URI of the resource to embed", true, conf_uri_values},
    {NULL, NULL, NULL, false, NULL},
};

static const struct prompt_def conf_prompt_embedded_def = {
    .name = "test_prompt_with_embedded_resource",
    .title = "Prompt With Embedded Resource",
    .description = "A prompt that includes an embedded resource",
    .args = conf_prompt_embedded_args,
    .get = conf_prompt_embedded,
};

static enum mcp_err conf_prompt_image(const struct feat_ctx *ctx, json_object *args,
                                      json_object **messages, struct rpc_fail *fail)
{
    (void)ctx, (void)args, (void)fail;
    *messages = conf_messages_new(content_image_new("image/png", CONF_PNG_B64),
                                  content_text_new("Please analyze the image above."), NULL);
    return MCP_OK;
}

static const struct prompt_def conf_prompt_image_def = {
    .name = "test_prompt_with_image",
    .title = "Prompt With Image",
    .description = "A prompt that includes image content",
    .get = conf_prompt_image,
};

static const struct prompt_def *const conf_prompts[] = {
    &conf_prompt_simple_def,
    &conf_prompt_args_def,
    &conf_prompt_embedded_def,
    &conf_prompt_image_def,
    NULL,
};

const struct set_def set_conformance = {
    .bit = CFG_SET_CONFORMANCE,
    .subscribable = true,
    .tools = conf_tools,
    .resources = conf_resources,
    .templates = conf_templates,
    .prompts = conf_prompts,
};
