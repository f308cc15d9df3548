/*
 * set_conformance.c - the fixture set of the official MCP conformance suite
 * (@modelcontextprotocol/conformance), server.sets = ["conformance"].
 *
 * Names, argument names, texts and MIME types are the ones the suite's server scenarios
 * check (spec digest section 9.3). The 2026-07-28 fixtures (test_input_required_result_*,
 * test_missing_capability, test_streaming_elicitation, test_logging_tool and the prompt
 * test_input_required_result_prompt) are listed on every revision but work on stateless
 * requests only; a legacy-era call gets an isError result (the prompt: a message) saying so.
 *
 * How the tools reach the client:
 *   test_tool_with_logging   three notifications/message (info) through tool_log, 50 ms apart
 *   test_tool_with_progress  notifications/progress 0, 50, 100 of 100 through tool_progress
 *                            when the call has a progress token, 50 ms apart
 *   test_sampling, test_elicitation, test_elicitation_sep1034_defaults,
 *   test_elicitation_sep1330_enums
 *                            one server-to-client request through tool_client_request; when
 *                            it cannot be made or is not answered, an isError result says why
 *   test_input_required_result_*, test_missing_capability, test_streaming_elicitation,
 *   test_input_required_result_prompt
 *                            (2026-07-28) no request: an InputRequiredResult through
 *                            tool_input_request / mrtr_input_request, which refuse an
 *                            undeclared capability (-32021); answers from inputResponses
 *                            (tool_input_response / mrtr_input_response: an answer that is
 *                            not an object is -32602), earlier answers in the sealed
 *                            requestState
 *   test_logging_tool        (2026-07-28) notifications/message through tool_log at the
 *                            request's _meta logLevel, none without one
 *   test_trigger_tool_change, test_trigger_prompt_change
 *                            diagnostic hooks: announce notifications/tools/list_changed
 *                            (prompts/...) through tool_announce to every session's stream and
 *                            every listen stream that asked for it. The lists themselves only
 *                            change on a configuration reload; these let a test see delivery.
 *   test_custom_header       echoes its "region" argument, which 2026-07-28 clients also send
 *                            as the Mcp-Param-Region header ("x-mcp-header"); the dispatcher
 *                            checks that header against the argument
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
#include "jsonx.h"
#include "mrtr.h"
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

/* ---- 2026-07-28 fixtures: multi round-trip requests (MRTR) and stateless diagnostics ----- */

#define CONF_ANSWER_MAX 256 /* bytes of a client's answer kept in a state or echoed */

/* src cut to CONF_ANSWER_MAX bytes into dst (CONF_ANSWER_MAX + 1), still valid UTF-8. */
static const char *conf_clip(char *dst, const char *src)
{
    size_t n = strnlen(src, CONF_ANSWER_MAX); /* cut on purpose */
    memcpy(dst, src, n);
    dst[n] = '\0';
    rpc_utf8_sanitize(dst);
    return dst;
}

/* {content:[{type:text, text: printf(fmt, ...)}]} */
static json_object *conf_text_result_new(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static json_object *conf_text_result_new(const char *fmt, ...)
{
    char text[4 * CONF_ANSWER_MAX + 256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    rpc_utf8_sanitize(text);
    return conf_result_new(content_text_new(text), NULL);
}

/* elicitation/create params: a form asking for one required property of type. */
static json_object *conf_form_new(const char *message, const char *prop, const char *type)
{
    json_object *p = json_object_new_object(), *schema = json_object_new_object();
    json_object *props = json_object_new_object(), *one = json_object_new_object();
    json_object *required = json_object_new_array();

    json_object_object_add(one, "type", json_object_new_string(type));
    json_object_object_add(props, prop, one);
    json_object_array_add(required, json_object_new_string(prop));
    json_object_object_add(schema, "type", json_object_new_string("object"));
    json_object_object_add(schema, "properties", props);
    json_object_object_add(schema, "required", required);
    json_object_object_add(p, "mode", json_object_new_string("form"));
    json_object_object_add(p, "message", json_object_new_string(message));
    json_object_object_add(p, "requestedSchema", schema);
    return p;
}

/* sampling/createMessage params: one user text message. */
static json_object *conf_sampling_params_new(const char *text, int max_tokens)
{
    json_object *p = json_object_new_object(), *messages = json_object_new_array();
    json_object *msg = json_object_new_object();

    json_object_object_add(msg, "role", json_object_new_string("user"));
    json_object_object_add(msg, "content", content_text_new(text));
    json_object_array_add(messages, msg);
    json_object_object_add(p, "messages", messages);
    json_object_object_add(p, "maxTokens", json_object_new_int(max_tokens));
    return p;
}

/*
 * Reads an ElicitResult. Returns content[prop] (borrowed) when the user accepted with a value
 * of type; NULL otherwise, with *refused set to the action when the user declined or
 * cancelled (so the call can end) and to NULL when the answer is unusable (ask again).
 */
static json_object *conf_elicited(json_object *resp, const char *prop, json_type type,
                                  const char **refused)
{
    const char *action = jsonx_str(resp, "action");
    json_object *v = jsonx_get(jsonx_get(resp, "content"), prop);

    *refused = NULL;
    if (action == NULL)
        return NULL;
    if (strcmp(action, "decline") == 0 || strcmp(action, "cancel") == 0) {
        *refused = strcmp(action, "decline") == 0 ? "decline" : "cancel";
        return NULL;
    }
    if (strcmp(action, "accept") != 0 || !json_object_is_type(v, type))
        return NULL;
    return v;
}

/* The text of a ListRootsResult's roots ("uri (name), ..."), or NULL when roots is not an
 * array of objects with a string uri. */
static const char *conf_roots_text(json_object *resp, char *out, size_t size)
{
    json_object *roots = jsonx_get(resp, "roots");
    size_t n, used = 0;

    if (!json_object_is_type(roots, json_type_array))
        return NULL;
    n = json_object_array_length(roots);
    out[0] = '\0';
    if (n == 0) {
        snprintf(out, size, "(no roots)");
        return out;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *r = json_object_array_get_idx(roots, i);
        const char *uri = jsonx_str(r, "uri"), *name = jsonx_str(r, "name");
        char a[CONF_ANSWER_MAX + 1], b[CONF_ANSWER_MAX + 1];
        int w;
        if (uri == NULL)
            return NULL;
        if (used >= size - 1)
            continue; /* keep checking the rest; the text is full */
        w = name != NULL
                ? snprintf(out + used, size - used, "%s%s (%s)", i ? ", " : "", conf_clip(a, uri),
                           conf_clip(b, name))
                : snprintf(out + used, size - used, "%s%s", i ? ", " : "", conf_clip(a, uri));
        if (w < 0 || (size_t)w >= size - used)
            used = size - 1; /* cut: full */
        else
            used += (size_t)w;
    }
    rpc_utf8_sanitize(out);
    return out;
}

/* The text of a CreateMessageResult, cut to CONF_ANSWER_MAX, or NULL. */
static const char *conf_sampled(json_object *resp, char *out)
{
    const char *text = conf_sampling_text(resp);
    return text != NULL ? conf_clip(out, text) : NULL;
}

/* *res = an InputRequiredResult asking key (method, params taken) with state (taken, may be
 * NULL). Errors (an undeclared capability) release state and are the call's. */
static enum mcp_err conf_ask(struct tool_call *call, const char *key, const char *method,
                             json_object *params, json_object *state, json_object **res)
{
    json_object *requests = json_object_new_object();
    enum mcp_err err = tool_input_request(call, key, method, params, requests);

    if (err != MCP_OK) {
        json_object_put(requests);
        json_object_put(state);
        return err;
    }
    *res = mrtr_input_required_new(requests, state);
    return MCP_OK;
}

/* {"round": round} plus name when not NULL. */
static json_object *conf_state_new(int round, const char *key, const char *value)
{
    json_object *st = json_object_new_object();
    json_object_object_add(st, "round", json_object_new_int(round));
    if (key != NULL)
        json_object_object_add(st, key, json_object_new_string(value));
    return st;
}

/* state.round when the state is an object with an integer round, else 0. */
static int conf_state_round(json_object *state)
{
    json_object *r = jsonx_get(state, "round");
    return json_object_is_type(r, json_type_int) ? json_object_get_int(r) : 0;
}

static enum mcp_err conf_ir_elicitation(struct tool_call *call, json_object *args,
                                        json_object **res)
{
    json_object *resp, *name;
    const char *refused = NULL;
    char buf[CONF_ANSWER_MAX + 1];
    enum mcp_err err;
    (void)args;

    if ((err = tool_input_response(call, "user_name", &resp)) != MCP_OK)
        return err;
    if (resp != NULL) {
        if ((name = conf_elicited(resp, "name", json_type_string, &refused)) != NULL) {
            *res = conf_text_result_new("Hello, %s!", conf_clip(buf, json_object_get_string(name)));
            return MCP_OK;
        }
        if (refused != NULL) {
            *res = conf_text_result_new("No name given: the user chose to %s.", refused);
            return MCP_OK;
        }
    }
    return conf_ask(call, "user_name", "elicitation/create",
                    conf_form_new("What is your name?", "name", "string"), NULL, res);
}

static const struct tool_def conf_tool_ir_elicitation = {
    .name = "test_input_required_result_elicitation",
    .stateless_only = 1,
    .title = "MRTR: elicitation",
    .description = "Asks the user's name with an InputRequiredResult (elicitation/create, key "
                   "user_name) and greets them when the client sends the answer (2026-07-28)",
    .input_schema = CONF_NO_ARGS,
    .call = conf_ir_elicitation,
};

/* One sampling round: the text of the client's answer under key, shown after prefix; or an
 * InputRequiredResult asking for question (a refusal when the client has no sampling). */
static enum mcp_err conf_sample(struct tool_call *call, const char *key, const char *question,
                                int max_tokens, const char *prefix, json_object **res)
{
    char buf[CONF_ANSWER_MAX + 1];
    json_object *resp;
    const char *text;
    enum mcp_err err = tool_input_response(call, key, &resp);

    if (err != MCP_OK)
        return err;
    if (resp != NULL && (text = conf_sampled(resp, buf)) != NULL) {
        *res = conf_text_result_new("%s%s", prefix, text);
        return MCP_OK;
    }
    return conf_ask(call, key, "sampling/createMessage",
                    conf_sampling_params_new(question, max_tokens), NULL, res);
}

static enum mcp_err conf_ir_sampling(struct tool_call *call, json_object *args, json_object **res)
{
    (void)args;
    return conf_sample(call, "capital_question", "What is the capital of France?", 100,
                       "LLM response: ", res);
}

static const struct tool_def conf_tool_ir_sampling = {
    .name = "test_input_required_result_sampling",
    .stateless_only = 1,
    .title = "MRTR: sampling",
    .description = "Asks the client's LLM a question with an InputRequiredResult "
                   "(sampling/createMessage, key capital_question) and returns its answer "
                   "(2026-07-28)",
    .input_schema = CONF_NO_ARGS,
    .call = conf_ir_sampling,
};

static enum mcp_err conf_ir_list_roots(struct tool_call *call, json_object *args, json_object **res)
{
    json_object *resp;
    char text[4 * CONF_ANSWER_MAX];
    enum mcp_err err;
    (void)args;

    if ((err = tool_input_response(call, "client_roots", &resp)) != MCP_OK)
        return err;
    if (resp != NULL && conf_roots_text(resp, text, sizeof(text)) != NULL) {
        *res = conf_text_result_new("Client roots: %s", text);
        return MCP_OK;
    }
    return conf_ask(call, "client_roots", "roots/list", NULL, NULL, res);
}

static const struct tool_def conf_tool_ir_list_roots = {
    .name = "test_input_required_result_list_roots",
    .stateless_only = 1,
    .title = "MRTR: roots",
    .description = "Asks for the client's roots with an InputRequiredResult (roots/list, key "
                   "client_roots) and lists them (2026-07-28)",
    .input_schema = CONF_NO_ARGS,
    .call = conf_ir_list_roots,
};

/* The confirmation form of the request-state and tampered-state fixtures. */
static json_object *conf_confirm_form_new(void)
{
    return conf_form_new("Please confirm", "ok", "boolean");
}

static enum mcp_err conf_ir_request_state(struct tool_call *call, json_object *args,
                                          json_object **res)
{
    json_object *resp, *ok = NULL;
    const char *refused = NULL;
    enum mcp_err err;
    (void)args;

    /* complete only with both: the verified state of round 1 and the answer */
    if ((err = tool_input_response(call, "confirm", &resp)) != MCP_OK)
        return err;
    if (conf_state_round(call->state) == 1 && resp != NULL) {
        if ((ok = conf_elicited(resp, "ok", json_type_boolean, &refused)) != NULL ||
            refused != NULL) {
            *res = conf_text_result_new(
                "state-ok: the requestState came back verified; %s%s.",
                ok != NULL ? "confirmed ok=" : "the user chose to ",
                ok != NULL ? (json_object_get_boolean(ok) ? "true" : "false") : refused);
            return MCP_OK;
        }
    }
    return conf_ask(call, "confirm", "elicitation/create", conf_confirm_form_new(),
                    conf_state_new(1, NULL, NULL), res);
}

static const struct tool_def conf_tool_ir_request_state = {
    .name = "test_input_required_result_request_state",
    .stateless_only = 1,
    .title = "MRTR: request state",
    .description = "Asks for a confirmation (key confirm) together with a requestState, and "
                   "completes with \"state-ok\" when both come back (2026-07-28)",
    .input_schema = CONF_NO_ARGS,
    .call = conf_ir_request_state,
};

/* The inputs of test_input_required_result_multiple_inputs, in the order they are asked. */
enum { CONF_MULTI_NAME, CONF_MULTI_GREETING, CONF_MULTI_ROOTS, CONF_MULTI_N };
static const char *const conf_multi_keys[CONF_MULTI_N] = {"user_name", "greeting", "client_roots"};

/* The answer to input i as text (into out, CONF_ANSWER_MAX + 1), or NULL. */
static const char *conf_multi_answer(json_object *resp, int i, char *out)
{
    const char *refused;
    char roots[4 * CONF_ANSWER_MAX];
    json_object *v;

    if (resp == NULL)
        return NULL;
    switch (i) {
    case CONF_MULTI_NAME:
        v = conf_elicited(resp, "name", json_type_string, &refused);
        if (v != NULL)
            return conf_clip(out, json_object_get_string(v));
        return refused != NULL ? conf_clip(out, "(not given)") : NULL;
    case CONF_MULTI_GREETING:
        return conf_sampled(resp, out);
    default:
        return conf_roots_text(resp, roots, sizeof(roots)) ? conf_clip(out, roots) : NULL;
    }
}

static json_object *conf_multi_request_new(int i)
{
    switch (i) {
    case CONF_MULTI_NAME:
        return conf_form_new("What is your name?", "name", "string");
    case CONF_MULTI_GREETING:
        return conf_sampling_params_new("Generate a greeting", 50);
    default:
        return NULL; /* roots/list takes {} */
    }
}

static const char *const conf_multi_methods[CONF_MULTI_N] = {
    "elicitation/create", "sampling/createMessage", "roots/list"};

static enum mcp_err conf_ir_multiple(struct tool_call *call, json_object *args, json_object **res)
{
    char answers[CONF_MULTI_N][CONF_ANSWER_MAX + 1];
    const char *got[CONF_MULTI_N];
    json_object *kept = jsonx_get(call->state, "answers"), *requests, *state, *saved, *resp;
    enum mcp_err err;
    int missing = 0;
    (void)args;

    /* answers of earlier rounds ride in the state; this round's come in inputResponses */
    for (int i = 0; i < CONF_MULTI_N; i++) {
        const char *old = jsonx_str(kept, conf_multi_keys[i]);
        if (old != NULL) {
            got[i] = conf_clip(answers[i], old);
        } else {
            if ((err = tool_input_response(call, conf_multi_keys[i], &resp)) != MCP_OK)
                return err;
            got[i] = conf_multi_answer(resp, i, answers[i]);
        }
        missing += got[i] == NULL;
    }
    if (missing == 0) {
        *res = conf_text_result_new("Every input answered. Name: %s. Greeting: %s. Roots: %s.",
                                    got[CONF_MULTI_NAME], got[CONF_MULTI_GREETING],
                                    got[CONF_MULTI_ROOTS]);
        return MCP_OK;
    }
    requests = json_object_new_object();
    saved = json_object_new_object();
    for (int i = 0; i < CONF_MULTI_N; i++) {
        if (got[i] != NULL) {
            json_object_object_add(saved, conf_multi_keys[i], json_object_new_string(got[i]));
            continue;
        }
        err = tool_input_request(call, conf_multi_keys[i], conf_multi_methods[i],
                                 conf_multi_request_new(i), requests);
        if (err != MCP_OK) {
            json_object_put(requests);
            json_object_put(saved);
            return err;
        }
    }
    state = conf_state_new(1, NULL, NULL);
    json_object_object_add(state, "answers", saved);
    *res = mrtr_input_required_new(requests, state);
    return MCP_OK;
}

static const struct tool_def conf_tool_ir_multiple = {
    .name = "test_input_required_result_multiple_inputs",
    .stateless_only = 1,
    .title = "MRTR: multiple inputs",
    .description = "Asks for three inputs at once (user_name: elicitation, greeting: sampling, "
                   "client_roots: roots/list) with a requestState that keeps the answers "
                   "given so far; asks again for whatever is missing (2026-07-28)",
    .input_schema = CONF_NO_ARGS,
    .call = conf_ir_multiple,
};

static enum mcp_err conf_ir_multi_round(struct tool_call *call, json_object *args,
                                        json_object **res)
{
    const char *refused, *name = jsonx_str(call->state, "name");
    json_object *v, *resp;
    char a[CONF_ANSWER_MAX + 1], b[CONF_ANSWER_MAX + 1];
    enum mcp_err err;
    (void)args;

    if (conf_state_round(call->state) == 2 && name != NULL) {
        if ((err = tool_input_response(call, "step2", &resp)) != MCP_OK)
            return err;
        v = conf_elicited(resp, "color", json_type_string, &refused);
        if (v != NULL || refused != NULL) {
            *res = conf_text_result_new("Both rounds answered: %s likes %s.", conf_clip(a, name),
                                        v != NULL ? conf_clip(b, json_object_get_string(v))
                                                  : "no color in particular");
            return MCP_OK;
        }
        return conf_ask(call, "step2", "elicitation/create",
                        conf_form_new("Step 2: What is your favorite color?", "color", "string"),
                        conf_state_new(2, "name", conf_clip(a, name)), res);
    }
    if (conf_state_round(call->state) == 1) {
        if ((err = tool_input_response(call, "step1", &resp)) != MCP_OK)
            return err;
        v = conf_elicited(resp, "name", json_type_string, &refused);
        if (v != NULL || refused != NULL)
            return conf_ask(
                call, "step2", "elicitation/create",
                conf_form_new("Step 2: What is your favorite color?", "color", "string"),
                conf_state_new(2, "name",
                               v != NULL ? conf_clip(a, json_object_get_string(v)) : "someone"),
                res);
    }
    return conf_ask(call, "step1", "elicitation/create",
                    conf_form_new("Step 1: What is your name?", "name", "string"),
                    conf_state_new(1, NULL, NULL), res);
}

static const struct tool_def conf_tool_ir_multi_round = {
    .name = "test_input_required_result_multi_round",
    .stateless_only = 1,
    .title = "MRTR: two rounds",
    .description = "Asks step1 (a name), then step2 (a color) with a new requestState, then "
                   "completes (2026-07-28)",
    .input_schema = CONF_NO_ARGS,
    .call = conf_ir_multi_round,
};

static enum mcp_err conf_ir_tampered(struct tool_call *call, json_object *args, json_object **res)
{
    json_object *resp;
    const char *refused = NULL;
    enum mcp_err err;
    (void)args;

    /* an altered state never gets here: feat_dispatch refuses it with -32602 */
    if ((err = tool_input_response(call, "confirm", &resp)) != MCP_OK)
        return err;
    if (conf_state_round(call->state) == 1 && resp != NULL &&
        (conf_elicited(resp, "ok", json_type_boolean, &refused) != NULL || refused != NULL)) {
        *res = conf_text_result_new("integrity-ok: the requestState verified; the call is "
                                    "complete.");
        return MCP_OK;
    }
    return conf_ask(call, "confirm", "elicitation/create", conf_confirm_form_new(),
                    conf_state_new(1, NULL, NULL), res);
}

static const struct tool_def conf_tool_ir_tampered = {
    .name = "test_input_required_result_tampered_state",
    .stateless_only = 1,
    .title = "MRTR: tampered state",
    .description = "Hands out an HMAC-signed requestState with a confirmation (key confirm); "
                   "a requestState that was altered is refused with -32602 (2026-07-28)",
    .input_schema = CONF_NO_ARGS,
    .call = conf_ir_tampered,
};

/* The capability probes of test_input_required_result_capabilities. */
static const struct {
    const char *key, *method;
} conf_cap_probes[] = {
    {"capability_sampling", "sampling/createMessage"},
    {"capability_elicitation", "elicitation/create"},
    {"capability_roots", "roots/list"},
};
#define CONF_N_CAP_PROBES (sizeof(conf_cap_probes) / sizeof(conf_cap_probes[0]))

static json_object *conf_cap_params_new(size_t i)
{
    if (i == 0)
        return conf_sampling_params_new("Say hello.", 20);
    if (i == 1)
        return conf_form_new("Say hello.", "greeting", "string");
    return NULL;
}

static enum mcp_err conf_ir_capabilities(struct tool_call *call, json_object *args,
                                         json_object **res)
{
    char done[128] = "";
    json_object *requests, *resp;
    enum mcp_err err;
    size_t declared = 0, answered = 0;
    (void)args;

    requests = json_object_new_object();
    for (size_t i = 0; i < CONF_N_CAP_PROBES; i++) {
        if (!mrtr_client_declares(call->ctx, conf_cap_probes[i].method))
            continue; /* never ask for what the client did not declare */
        declared++;
        if ((err = tool_input_response(call, conf_cap_probes[i].key, &resp)) != MCP_OK) {
            json_object_put(requests);
            return err;
        }
        if (resp != NULL) {
            answered++;
            snprintf(done + strlen(done), sizeof(done) - strlen(done), "%s%s", done[0] ? ", " : "",
                     conf_cap_probes[i].key);
            continue;
        }
        err = tool_input_request(call, conf_cap_probes[i].key, conf_cap_probes[i].method,
                                 conf_cap_params_new(i), requests);
        if (err != MCP_OK) {
            json_object_put(requests);
            return err;
        }
    }
    if (declared == 0 || answered == declared) {
        json_object_put(requests);
        *res = declared == 0 ? conf_text_result_new("The client declared none of sampling, "
                                                    "elicitation and roots: nothing to ask.")
                             : conf_text_result_new("Declared capabilities answered: %s.", done);
        return MCP_OK;
    }
    *res = mrtr_input_required_new(requests, NULL);
    return MCP_OK;
}

static const struct tool_def conf_tool_ir_capabilities = {
    .name = "test_input_required_result_capabilities",
    .stateless_only = 1,
    .title = "MRTR: declared capabilities only",
    .description = "Asks one input per client capability the request declared (sampling, "
                   "elicitation, roots) and none for the others (2026-07-28)",
    .input_schema = CONF_NO_ARGS,
    .call = conf_ir_capabilities,
};

static enum mcp_err conf_missing_capability(struct tool_call *call, json_object *args,
                                            json_object **res)
{
    (void)args;
    /* without the sampling capability this is MCP_E_CLIENT_CAPABILITY (-32021, HTTP 400,
     * requiredCapabilities {"sampling": {}}) */
    return conf_sample(call, "sampling_probe", "Reply with one word.", 16,
                       "The client declared sampling and answered: ", res);
}

static const struct tool_def conf_tool_missing_capability = {
    .name = "test_missing_capability",
    .stateless_only = 1,
    .title = "Needs sampling",
    .description = "Needs the client's sampling capability: without it the call fails with "
                   "-32021 (requiredCapabilities {\"sampling\": {}}) (2026-07-28)",
    .input_schema = CONF_NO_ARGS,
    .call = conf_missing_capability,
};

static enum mcp_err conf_streaming_elicitation(struct tool_call *call, json_object *args,
                                               json_object **res)
{
    json_object *resp, *requests;
    const char *refused = NULL;
    enum mcp_err err;
    (void)args;

    if ((err = tool_input_response(call, "streaming_confirm", &resp)) != MCP_OK)
        return err;
    if (resp != NULL &&
        (conf_elicited(resp, "ok", json_type_boolean, &refused) != NULL || refused != NULL)) {
        *res = conf_text_result_new("Streaming elicitation answered (%s).",
                                    refused != NULL ? refused : "accept");
        return MCP_OK;
    }
    /* the capability check first, so a refused call sends nothing */
    requests = json_object_new_object();
    err = tool_input_request(call, "streaming_confirm", "elicitation/create",
                             conf_confirm_form_new(), requests);
    /* then notifications only (progress with a token, a log message with a logLevel): the
     * question itself goes in the result, never as a request on the stream */
    if (err == MCP_OK)
        err = tool_progress(call, 0, 1, "Preparing a question for the user");
    if (err == MCP_OK)
        err = tool_log(call, "info", "test_streaming_elicitation",
                       json_object_new_string("Asking the user through an InputRequiredResult"));
    if (err == MCP_OK)
        err = tool_progress(call, 1, 1, "Question ready");
    if (err != MCP_OK) {
        json_object_put(requests);
        return err;
    }
    *res = mrtr_input_required_new(requests, NULL);
    return MCP_OK;
}

static const struct tool_def conf_tool_streaming_elicitation = {
    .name = "test_streaming_elicitation",
    .stateless_only = 1,
    .title = "Streaming elicitation",
    .description = "Streams progress and log notifications, then asks for a confirmation with "
                   "an InputRequiredResult; never sends a request on the stream (2026-07-28)",
    .input_schema = CONF_NO_ARGS,
    .call = conf_streaming_elicitation,
};

static enum mcp_err conf_logging_tool(struct tool_call *call, json_object *args, json_object **res)
{
    static const char *const levels[] = {"debug", "info", "warning"};
    enum mcp_err err;
    char text[64];
    (void)args;

    /* tool_log sends only at or above the request's logLevel, and nothing without one */
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
        snprintf(text, sizeof(text), "test_logging_tool: a %s message", levels[i]);
        if ((err = tool_log(call, levels[i], "test_logging_tool", json_object_new_string(text))) !=
            MCP_OK)
            return err;
    }
    *res = conf_text_result_new("Logged at debug, info and warning; only levels at or above "
                                "the request's logLevel went out, none without one.");
    return MCP_OK;
}

static const struct tool_def conf_tool_logging_tool = {
    .name = "test_logging_tool",
    .stateless_only = 1,
    .title = "Per-request log level",
    .description = "Logs at debug, info and warning through notifications/message, which go "
                   "out only at or above the request's _meta logLevel (2026-07-28)",
    .input_schema = CONF_NO_ARGS,
    .call = conf_logging_tool,
};

/* test_trigger_tool_change / test_trigger_prompt_change */
static enum mcp_err conf_trigger(struct tool_call *call, const char *method, json_object **res)
{
    char text[160];
    if (tool_announce(call, method) != MCP_OK) {
        snprintf(text, sizeof(text), "Could not announce %s: mcp-sessiond is not reachable.",
                 method);
        *res = conf_error_result_new(text);
        return MCP_OK;
    }
    snprintf(text, sizeof(text), "Announced %s to the open sessions and listen streams.", method);
    *res = conf_result_new(content_text_new(text), NULL);
    return MCP_OK;
}

static enum mcp_err conf_trigger_tools(struct tool_call *call, json_object *args, json_object **res)
{
    (void)args;
    return conf_trigger(call, "notifications/tools/list_changed", res);
}

static enum mcp_err conf_trigger_prompts(struct tool_call *call, json_object *args,
                                         json_object **res)
{
    (void)args;
    return conf_trigger(call, "notifications/prompts/list_changed", res);
}

static const struct tool_def conf_tool_trigger_tools = {
    .name = "test_trigger_tool_change",
    .title = "Announce a tool list change",
    .description = "Diagnostic hook: announces notifications/tools/list_changed to every open "
                   "session and subscriptions/listen stream that asked for tool list changes",
    .input_schema = CONF_NO_ARGS,
    .call = conf_trigger_tools,
};

static const struct tool_def conf_tool_trigger_prompts = {
    .name = "test_trigger_prompt_change",
    .title = "Announce a prompt list change",
    .description = "Diagnostic hook: announces notifications/prompts/list_changed to every open "
                   "session and subscriptions/listen stream that asked for prompt list changes",
    .input_schema = CONF_NO_ARGS,
    .call = conf_trigger_prompts,
};

static enum mcp_err conf_custom_header(struct tool_call *call, json_object *args, json_object **res)
{
    (void)call;
    char text[RPC_MSG_LEN];
    json_object *prio = jsonx_get(args, "priority"), *dry = jsonx_get(args, "dry_run");
    snprintf(text, sizeof(text), "Region: %.200s, priority: %lld, dry run: %s",
             jsonx_str(args, "region"), prio ? (long long)json_object_get_int64(prio) : 0LL,
             dry && json_object_get_boolean(dry) ? "yes" : "no");
    rpc_utf8_sanitize(text);
    *res = conf_result_new(content_text_new(text), NULL);
    return MCP_OK;
}

static const struct tool_def conf_tool_custom_header = {
    .name = "test_custom_header",
    .title = "Custom header parameter",
    .description = "Echoes its arguments, which 2026-07-28 clients also send as the "
                   "Mcp-Param-Region, Mcp-Param-Priority and Mcp-Param-Dry-Run headers",
    .input_schema = "{\"type\":\"object\",\"properties\":{"
                    "\"region\":{\"type\":\"string\",\"description\":\"A region name\","
                    "\"x-mcp-header\":\"Region\"},"
                    "\"priority\":{\"type\":[\"integer\",\"null\"],\"description\":\"A priority\","
                    "\"x-mcp-header\":\"Priority\"},"
                    "\"dry_run\":{\"type\":\"boolean\",\"description\":\"Only pretend\","
                    "\"x-mcp-header\":\"Dry-Run\"}},"
                    "\"required\":[\"region\"],\"additionalProperties\":false}",
    .annotations = &conf_read_only,
    .call = conf_custom_header,
};

static const struct tool_def *const conf_tools[] = {
    &conf_tool_simple_text,
    &conf_tool_image,
    &conf_tool_audio,
    &conf_tool_embedded,
    &conf_tool_mixed,
    &conf_tool_logging,
    &conf_tool_progress,
    &conf_tool_error,
    &conf_tool_sampling,
    &conf_tool_elicitation,
    &conf_tool_elicit_defaults,
    &conf_tool_elicit_enums,
    &conf_tool_schema_2020_12,
    &conf_tool_reconnection,
    /* 2026-07-28 */
    &conf_tool_ir_elicitation,
    &conf_tool_ir_sampling,
    &conf_tool_ir_list_roots,
    &conf_tool_ir_request_state,
    &conf_tool_ir_multiple,
    &conf_tool_ir_multi_round,
    &conf_tool_ir_tampered,
    &conf_tool_ir_capabilities,
    &conf_tool_missing_capability,
    &conf_tool_streaming_elicitation,
    &conf_tool_logging_tool,
    &conf_tool_trigger_tools,
    &conf_tool_trigger_prompts,
    &conf_tool_custom_header,
    NULL,
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

static enum mcp_err conf_prompt_ir(const struct feat_ctx *ctx, json_object *args,
                                   json_object **messages, struct rpc_fail *fail)
{
    json_object *resp, *v, *requests;
    const char *refused = NULL;
    char buf[CONF_ANSWER_MAX + 1], text[CONF_ANSWER_MAX + 64];
    enum mcp_err err;
    (void)args;

    if (!ctx->stateless) {
        *messages = conf_messages_new(
            content_text_new("This prompt asks for its context with an InputRequiredResult, "
                             "which only protocol revision 2026-07-28 has."),
            NULL);
        return MCP_OK;
    }
    if ((err = mrtr_input_response(ctx, fail, "user_context", &resp)) != MCP_OK)
        return err;
    if (resp != NULL && ((v = conf_elicited(resp, "context", json_type_string, &refused)) != NULL ||
                         refused != NULL)) {
        snprintf(text, sizeof(text), "Use the following context: %s",
                 v != NULL ? conf_clip(buf, json_object_get_string(v)) : "(none given)");
        *messages = conf_messages_new(content_text_new(text), NULL);
        return MCP_OK;
    }
    requests = json_object_new_object();
    err = mrtr_input_request(
        ctx, fail, "user_context", "elicitation/create",
        conf_form_new("What context should the prompt use?", "context", "string"), requests);
    if (err != MCP_OK) {
        json_object_put(requests);
        return err;
    }
    *messages = mrtr_input_required_new(requests, NULL);
    return MCP_OK;
}

static const struct prompt_def conf_prompt_ir_def = {
    .name = "test_input_required_result_prompt",
    .title = "MRTR prompt",
    .description = "Asks for its context with an InputRequiredResult (elicitation/create, key "
                   "user_context) before it renders (2026-07-28)",
    .get = conf_prompt_ir,
};

static const struct prompt_def *const conf_prompts[] = {
    &conf_prompt_simple_def, &conf_prompt_args_def, &conf_prompt_embedded_def,
    &conf_prompt_image_def,  &conf_prompt_ir_def,   NULL,
};

const struct set_def set_conformance = {
    .bit = CFG_SET_CONFORMANCE,
    .subscribable = true,
    .tools = conf_tools,
    .resources = conf_resources,
    .templates = conf_templates,
    .prompts = conf_prompts,
};
