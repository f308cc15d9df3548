/*
 * test_feat.c - the feature layer driven through feat_dispatch as the dispatcher drives it,
 * with a fake sink that records notifications and answers server-to-client requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "jtest.h"

#include "b64.h"
#include "cfg.h"
#include "content.h"
#include "feat.h"
#include "resource.h"
#include "tool.h"

static const char *const versions[] = {"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"};
#define N_VERSIONS (sizeof(versions) / sizeof(versions[0]))

/* Records what tools send, and answers requests with a canned reply. */
struct fake {
    json_object *notes;    /* every notification, in order */
    json_object *requests; /* {method, params} of every request */
    json_object *reply;    /* what request answers (a new reference each time) */
    enum mcp_err request_err;
};

struct fx {
    struct mcp_cfg cfg;
    struct fake fake;
    struct feat_sink sink;
    struct feat_ctx ctx;
    json_object *caps;
    json_object *token;
    struct rpc_fail fail;
    json_object *result;
};

static enum mcp_err fake_notify(void *opaque, json_object *msg)
{
    struct fake *f = opaque;
    json_object_array_add(f->notes, msg);
    return MCP_OK;
}

static enum mcp_err fake_request(void *opaque, const char *method, json_object *params,
                                 json_object **result)
{
    struct fake *f = opaque;
    json_object *r = json_object_new_object();
    json_object_object_add(r, "method", json_object_new_string(method));
    json_object_object_add(r, "params", params);
    json_object_array_add(f->requests, r);
    *result = f->request_err == MCP_OK ? json_object_get(f->reply) : NULL;
    return f->request_err;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    cfg_defaults(&f->cfg);
    f->cfg.sets = CFG_SET_CONFORMANCE;
    f->fake.notes = json_object_new_array();
    f->fake.requests = json_object_new_array();
    f->sink = (struct feat_sink){&f->fake, fake_notify, fake_request, NULL, NULL};
    f->caps = jparse("{\"sampling\":{},\"elicitation\":{}}");
    f->ctx = (struct feat_ctx){.cfg = &f->cfg,
                               .version = "2025-11-25",
                               .client_caps = f->caps,
                               .log_level = "",
                               .progress_token = NULL,
                               .sink = &f->sink};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    json_object_put(f->result);
    rpc_fail_clear(&f->fail);
    json_object_put(f->caps);
    json_object_put(f->token);
    json_object_put(f->fake.notes);
    json_object_put(f->fake.requests);
    json_object_put(f->fake.reply);
    free(f);
    return 0;
}

/* Runs method with params (JSON text, NULL = absent); the result lands in f->result. */
static enum mcp_err run(struct fx *f, const char *method, const char *params)
{
    json_object *p = params ? jparse(params) : NULL;
    enum mcp_err err;

    json_object_put(f->result);
    f->result = NULL;
    rpc_fail_clear(&f->fail);
    err = feat_dispatch(&f->ctx, method, p, &f->result, &f->fail);
    json_object_put(p);
    if (err != MCP_OK)
        assert_null(f->result);
    else
        assert_non_null(f->result);
    return err;
}

/* Runs a tools/call that must succeed with a result that is not an error. */
static void call_ok(struct fx *f, const char *params)
{
    json_object *is_error;
    assert_int_equal(run(f, "tools/call", params), MCP_OK);
    assert_false(json_object_object_get_ex(f->result, "isError", &is_error) &&
                 json_object_get_boolean(is_error));
}

static int is_error_result(struct fx *f)
{
    json_object *v = jget(f->result, "isError");
    return v != NULL && json_object_get_boolean(v) && jlen(f->result, "content") > 0 &&
           jstr(f->result, "content/0/text")[0] != '\0';
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- capabilities ------------------------------------------------------------------------ */

static void capabilities_follow_the_version(void **state)
{
    struct fx *f = *state;
    for (size_t i = 0; i < N_VERSIONS; i++) {
        json_object *caps = feat_capabilities_new(&f->cfg, versions[i]);
        assert_non_null(jget(caps, "tools"));
        assert_true(json_object_get_boolean(jget(caps, "tools/listChanged")));
        assert_true(json_object_get_boolean(jget(caps, "resources/subscribe")));
        assert_true(json_object_get_boolean(jget(caps, "resources/listChanged")));
        assert_non_null(jget(caps, "prompts"));
        assert_true(json_object_get_boolean(jget(caps, "prompts/listChanged")));
        assert_non_null(jget(caps, "logging"));
        if (i == 0)
            assert_null(jget(caps, "completions"));
        else
            assert_non_null(jget(caps, "completions"));
        json_object_put(caps);
    }
}

static void without_sets_only_logging_and_no_feature_methods(void **state)
{
    static const char *const methods[] = {
        "tools/list",   "tools/call",  "resources/list",      "resources/templates/list",
        "prompts/list", "prompts/get", "completion/complete", "resources/read",
    };
    struct fx *f = *state;
    json_object *caps;

    f->cfg.sets = 0;
    caps = feat_capabilities_new(&f->cfg, "2025-11-25");
    assert_int_equal(json_object_object_length(caps), 1);
    assert_non_null(jget(caps, "logging"));
    json_object_put(caps);
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        assert_int_equal(run(f, methods[i], "{}"), MCP_E_METHOD_NOT_FOUND);
}

static void other_methods_are_not_ours(void **state)
{
    struct fx *f = *state;
    assert_int_equal(run(f, "resources/subscribe", "{\"uri\":\"test://watched-resource\"}"),
                     MCP_E_METHOD_NOT_FOUND);
    assert_int_equal(run(f, "tools/lists", NULL), MCP_E_METHOD_NOT_FOUND);
}

/* ---- tools/list ---------------------------------------------------------------------------- */

static const char *const fixture_tools[] = {
    "test_simple_text",
    "test_image_content",
    "test_audio_content",
    "test_embedded_resource",
    "test_multiple_content_types",
    "test_tool_with_logging",
    "test_tool_with_progress",
    "test_error_handling",
    "test_sampling",
    "test_elicitation",
    "test_elicitation_sep1034_defaults",
    "test_elicitation_sep1330_enums",
    "json_schema_2020_12_tool",
    "test_reconnection",
    "test_input_required_result_elicitation",
    "test_input_required_result_sampling",
    "test_input_required_result_list_roots",
    "test_input_required_result_request_state",
    "test_input_required_result_multiple_inputs",
    "test_input_required_result_multi_round",
    "test_input_required_result_tampered_state",
    "test_input_required_result_capabilities",
    "test_missing_capability",
    "test_streaming_elicitation",
    "test_logging_tool",
    "test_trigger_tool_change",
    "test_trigger_prompt_change",
    "test_custom_header",
};
#define N_TOOLS (sizeof(fixture_tools) / sizeof(fixture_tools[0]))

static void tools_list_has_every_fixture_well_formed(void **state)
{
    struct fx *f = *state;

    assert_int_equal(run(f, "tools/list", NULL), MCP_OK);
    assert_int_equal(jlen(f->result, "tools"), N_TOOLS);
    assert_null(jget(f->result, "nextCursor"));
    for (size_t i = 0; i < N_TOOLS; i++) {
        json_object *t = jget(f->result, "tools");
        const char *name;
        t = json_object_array_get_idx(t, i);
        name = jstr(t, "name");
        assert_string_equal(name, fixture_tools[i]);
        assert_true(strlen(name) >= 1 && strlen(name) <= 64);
        assert_int_equal(strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789_.-"),
                         strlen(name));
        assert_true(jstr(t, "description")[0] != '\0');
        assert_string_equal(jstr(t, "inputSchema/type"), "object");
    }
    /* test_simple_text takes no arguments, and says so */
    assert_false(
        json_object_get_boolean(jget(f->result, "tools/0/inputSchema/additionalProperties")));
    assert_string_equal(jstr(f->result, "tools/8/inputSchema/required/0"), "prompt");
    assert_string_equal(jstr(f->result, "tools/9/inputSchema/required/0"), "message");
}

static void tools_list_fields_follow_the_version(void **state)
{
    struct fx *f = *state;
    for (size_t i = 0; i < N_VERSIONS; i++) {
        f->ctx.version = versions[i];
        assert_int_equal(run(f, "tools/list", NULL), MCP_OK);
        /* title from 2025-06-18, annotations from 2025-03-26 */
        assert_true((jget(f->result, "tools/0/title") != NULL) == (i >= 2));
        assert_true((jget(f->result, "tools/0/annotations") != NULL) == (i >= 1));
        if (i >= 1)
            assert_true(
                json_object_get_boolean(jget(f->result, "tools/0/annotations/readOnlyHint")));
    }
}

static void json_schema_2020_12_tool_schema_is_verbatim(void **state)
{
    static const char expected[] =
        "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
        "\"$defs\":{\"address\":{\"$anchor\":\"addressDef\",\"type\":\"object\",\"properties\":"
        "{\"street\":{\"type\":\"string\"},\"city\":{\"type\":\"string\"}}}},\"properties\":{"
        "\"name\":{\"type\":\"string\"},\"address\":{\"$ref\":\"#/$defs/address\"},"
        "\"contactMethod\":{\"type\":\"string\",\"enum\":[\"phone\",\"email\"]},"
        "\"phone\":{\"type\":\"string\"},\"email\":{\"type\":\"string\"}},"
        "\"allOf\":[{\"anyOf\":[{\"required\":[\"phone\"]},{\"required\":[\"email\"]}]}],"
        "\"if\":{\"properties\":{\"contactMethod\":{\"const\":\"phone\"}},\"required\":"
        "[\"contactMethod\"]},\"then\":{\"required\":[\"phone\"]},\"else\":{\"required\":"
        "[\"email\"]},\"additionalProperties\":false}";
    struct fx *f = *state;
    json_object *want = jparse(expected), *got;

    assert_int_equal(run(f, "tools/list", NULL), MCP_OK);
    got = jget(f->result, "tools/12");
    assert_string_equal(jstr(got, "name"), "json_schema_2020_12_tool");
    assert_true(json_object_equal(jget(got, "inputSchema"), want));
    /* and in the same key order */
    assert_string_equal(content_json_text(jget(got, "inputSchema")), content_json_text(want));
    json_object_put(want);
}

/* ---- pagination ---------------------------------------------------------------------------- */

/* Walks every page of method with page size 2, collecting key's names (field) in order. */
static void walk_pages(struct fx *f, const char *method, const char *key, const char *field,
                       json_object *names)
{
    char params[160];
    size_t pages = 0, total;

    f->cfg.page_size = 2;
    assert_int_equal(run(f, method, NULL), MCP_OK);
    for (;;) {
        json_object *next = jget(f->result, "nextCursor");
        size_t n = jlen(f->result, key);
        pages++;
        assert_true(n >= 1 && n <= 2);
        for (size_t i = 0; i < n; i++)
            json_object_array_add(
                names,
                json_object_get(jget(json_object_array_get_idx(jget(f->result, key), i), field)));
        if (next == NULL)
            break;
        assert_int_equal(n, 2);
        snprintf(params, sizeof(params), "{\"cursor\":\"%s\"}", json_object_get_string(next));
        assert_int_equal(run(f, method, params), MCP_OK);
    }
    total = json_object_array_length(names);
    assert_int_equal(pages, (total + 1) / 2);
}

static void every_list_pages_through_with_page_size_two(void **state)
{
    static const struct {
        const char *method, *key, *field;
        size_t total;
    } lists[] = {
        {"tools/list", "tools", "name", N_TOOLS},
        {"resources/list", "resources", "uri", 3},
        {"resources/templates/list", "resourceTemplates", "uriTemplate", 1},
        {"prompts/list", "prompts", "name", 5},
    };
    struct fx *f = *state;

    for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
        json_object *names = json_object_new_array(), *all;
        walk_pages(f, lists[l].method, lists[l].key, lists[l].field, names);
        assert_int_equal(json_object_array_length(names), lists[l].total);
        f->cfg.page_size = 50;
        assert_int_equal(run(f, lists[l].method, NULL), MCP_OK);
        all = jget(f->result, lists[l].key);
        for (size_t i = 0; i < lists[l].total; i++)
            assert_string_equal(
                json_object_get_string(json_object_array_get_idx(names, i)),
                json_object_get_string(jget(json_object_array_get_idx(all, i), lists[l].field)));
        json_object_put(names);
    }
}

static void bad_cursors_are_invalid_params(void **state)
{
    struct fx *f = *state;
    char params[160];

    assert_int_equal(run(f, "tools/list", "{\"cursor\":\"not-a-cursor\"}"), MCP_E_INVALID_PARAMS);
    assert_string_equal(f->fail.message, "invalid cursor");
    assert_int_equal(run(f, "prompts/list", "{\"cursor\":17}"), MCP_E_INVALID_PARAMS);
    f->cfg.page_size = 2;
    assert_int_equal(run(f, "tools/list", NULL), MCP_OK);
    snprintf(params, sizeof(params), "{\"cursor\":\"%s\"}", jstr(f->result, "nextCursor"));
    /* a tools cursor is refused by the other lists */
    assert_int_equal(run(f, "prompts/list", params), MCP_E_INVALID_PARAMS);
    assert_string_equal(f->fail.message, "invalid cursor");
    assert_int_equal(run(f, "resources/list", params), MCP_E_INVALID_PARAMS);
    assert_int_equal(run(f, "resources/templates/list", params), MCP_E_INVALID_PARAMS);
    assert_int_equal(run(f, "tools/list", params), MCP_OK);
}

/* ---- tools/call: content fixtures ------------------------------------------------------------ */

static void simple_text_without_arguments(void **state)
{
    struct fx *f = *state;
    call_ok(f, "{\"name\":\"test_simple_text\"}");
    assert_int_equal(jlen(f->result, "content"), 1);
    assert_string_equal(jstr(f->result, "content/0/type"), "text");
    assert_string_equal(jstr(f->result, "content/0/text"),
                        "This is a simple text response for testing.");
    call_ok(f, "{\"name\":\"test_simple_text\",\"arguments\":{}}");
}

/* Decodes a base64 member into buf; returns the length. */
static size_t decode_member(json_object *o, const char *path, unsigned char *buf, size_t size)
{
    const char *b64 = jstr(o, path);
    size_t n = 0;
    assert_int_equal(b64_decode(B64_STD, B64_PAD, b64, strlen(b64), buf, size, &n), MCP_OK);
    return n;
}

static void assert_png(const unsigned char *p, size_t n)
{
    assert_true(n > 33);
    assert_memory_equal(p, "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
    assert_memory_equal(p + n - 8, "IEND\xae\x42\x60\x82", 8);
}

static void image_content_is_a_png(void **state)
{
    struct fx *f = *state;
    unsigned char buf[256];
    call_ok(f, "{\"name\":\"test_image_content\",\"arguments\":{}}");
    assert_string_equal(jstr(f->result, "content/0/type"), "image");
    assert_string_equal(jstr(f->result, "content/0/mimeType"), "image/png");
    assert_png(buf, decode_member(f->result, "content/0/data", buf, sizeof(buf)));
}

static void audio_content_is_a_wav_and_text_for_2024_11_05(void **state)
{
    struct fx *f = *state;
    unsigned char buf[256];
    size_t n;

    call_ok(f, "{\"name\":\"test_audio_content\",\"arguments\":{}}");
    assert_string_equal(jstr(f->result, "content/0/type"), "audio");
    assert_string_equal(jstr(f->result, "content/0/mimeType"), "audio/wav");
    n = decode_member(f->result, "content/0/data", buf, sizeof(buf));
    assert_true(n > 44);
    assert_memory_equal(buf, "RIFF", 4);
    assert_memory_equal(buf + 8, "WAVEfmt ", 8);
    assert_int_equal(buf[4] | buf[5] << 8 | buf[6] << 16 | (unsigned)buf[7] << 24, n - 8);

    f->ctx.version = "2024-11-05";
    call_ok(f, "{\"name\":\"test_audio_content\",\"arguments\":{}}");
    assert_int_equal(jlen(f->result, "content"), 1);
    assert_string_equal(jstr(f->result, "content/0/type"), "text");
    assert_non_null(strstr(jstr(f->result, "content/0/text"), "not representable"));
    assert_non_null(strstr(jstr(f->result, "content/0/text"), "2024-11-05"));
}

static void embedded_resource_content(void **state)
{
    struct fx *f = *state;
    call_ok(f, "{\"name\":\"test_embedded_resource\",\"arguments\":{}}");
    assert_string_equal(jstr(f->result, "content/0/type"), "resource");
    assert_string_equal(jstr(f->result, "content/0/resource/uri"), "test://embedded-resource");
    assert_string_equal(jstr(f->result, "content/0/resource/mimeType"), "text/plain");
    assert_string_equal(jstr(f->result, "content/0/resource/text"),
                        "This is an embedded resource content.");
}

static void multiple_content_types(void **state)
{
    struct fx *f = *state;
    call_ok(f, "{\"name\":\"test_multiple_content_types\",\"arguments\":{}}");
    assert_int_equal(jlen(f->result, "content"), 3);
    assert_string_equal(jstr(f->result, "content/0/text"), "Multiple content types test:");
    assert_string_equal(jstr(f->result, "content/1/type"), "image");
    assert_string_equal(jstr(f->result, "content/1/mimeType"), "image/png");
    assert_string_equal(jstr(f->result, "content/2/resource/uri"), "test://mixed-content-resource");
    assert_string_equal(jstr(f->result, "content/2/resource/mimeType"), "application/json");
    assert_string_equal(jstr(f->result, "content/2/resource/text"),
                        "{\"test\":\"data\",\"value\":123}");
}

static void error_handling_is_a_tool_error(void **state)
{
    struct fx *f = *state;
    assert_int_equal(run(f, "tools/call", "{\"name\":\"test_error_handling\",\"arguments\":{}}"),
                     MCP_OK);
    assert_true(is_error_result(f));
    assert_string_equal(jstr(f->result, "content/0/text"),
                        "This tool intentionally returns an error for testing");
}

static void reconnection_and_schema_tool_answer(void **state)
{
    struct fx *f = *state;
    call_ok(f, "{\"name\":\"test_reconnection\",\"arguments\":{}}");
    assert_non_null(strstr(jstr(f->result, "content/0/text"), "Reconnection test completed"));
    call_ok(f, "{\"name\":\"json_schema_2020_12_tool\",\"arguments\":"
               "{\"contactMethod\":\"phone\",\"phone\":\"555\"}}");
    assert_string_equal(jstr(f->result, "content/0/text"),
                        "JSON Schema 2020-12 tool called with: "
                        "{\"contactMethod\":\"phone\",\"phone\":\"555\"}");
}

/* ---- tools/call: notifications ------------------------------------------------------------- */

static void logging_sends_three_messages_50ms_apart(void **state)
{
    static const char *const texts[] = {"Tool execution started", "Tool processing data",
                                        "Tool execution completed"};
    struct fx *f = *state;
    long long t0 = now_ms();

    call_ok(f, "{\"name\":\"test_tool_with_logging\",\"arguments\":{}}");
    assert_true(now_ms() - t0 >= 95);
    assert_non_null(strstr(jstr(f->result, "content/0/text"), "executed successfully"));
    assert_int_equal(jlen(f->fake.notes, ""), 3);
    for (size_t i = 0; i < 3; i++) {
        json_object *n = json_object_array_get_idx(f->fake.notes, i);
        assert_string_equal(jstr(n, "jsonrpc"), "2.0");
        assert_string_equal(jstr(n, "method"), "notifications/message");
        assert_string_equal(jstr(n, "params/level"), "info");
        assert_string_equal(jstr(n, "params/data"), texts[i]);
        assert_null(jget(n, "id"));
    }
}

static void logging_respects_the_session_level(void **state)
{
    struct fx *f = *state;
    f->ctx.log_level = "debug";
    call_ok(f, "{\"name\":\"test_tool_with_logging\"}");
    assert_int_equal(jlen(f->fake.notes, ""), 3);
    f->ctx.log_level = "warning";
    call_ok(f, "{\"name\":\"test_tool_with_logging\"}");
    assert_int_equal(jlen(f->fake.notes, ""), 3); /* nothing more */
}

static void progress_sends_0_50_100_with_a_token(void **state)
{
    struct fx *f = *state;
    json_object *p;

    f->token = json_object_new_string("progress-test-1");
    f->ctx.progress_token = f->token;
    call_ok(f, "{\"name\":\"test_tool_with_progress\",\"arguments\":{},"
               "\"_meta\":{\"progressToken\":\"progress-test-1\"}}");
    assert_int_equal(jlen(f->fake.notes, ""), 3);
    for (int i = 0; i < 3; i++) {
        p = jget(json_object_array_get_idx(f->fake.notes, (size_t)i), "params");
        assert_string_equal(jstr(json_object_array_get_idx(f->fake.notes, (size_t)i), "method"),
                            "notifications/progress");
        assert_string_equal(jstr(p, "progressToken"), "progress-test-1");
        assert_true(json_object_is_type(jget(p, "progress"), json_type_int));
        assert_int_equal(json_object_get_int(jget(p, "progress")), i * 50);
        assert_int_equal(json_object_get_int(jget(p, "total")), 100);
        assert_non_null(jget(p, "message"));
    }
    /* 2024-11-05 has no progress message; integer tokens are echoed as integers */
    json_object_put(f->token);
    f->token = json_object_new_int(7);
    f->ctx.progress_token = f->token;
    f->ctx.version = "2024-11-05";
    call_ok(f, "{\"name\":\"test_tool_with_progress\"}");
    assert_int_equal(jlen(f->fake.notes, ""), 6);
    p = jget(json_object_array_get_idx(f->fake.notes, 5), "params");
    assert_int_equal(json_object_get_int(jget(p, "progressToken")), 7);
    assert_null(jget(p, "message"));
}

static void progress_without_a_token_sends_nothing(void **state)
{
    struct fx *f = *state;
    call_ok(f, "{\"name\":\"test_tool_with_progress\",\"arguments\":{}}");
    assert_int_equal(jlen(f->fake.notes, ""), 0);
    assert_non_null(strstr(jstr(f->result, "content/0/text"), "no progress token"));
}

/* ---- tools/call: server-to-client requests ------------------------------------------------- */

static void sampling_asks_the_client(void **state)
{
    struct fx *f = *state;
    json_object *req;

    f->fake.reply = jparse("{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":"
                           "\"This is a test response from the client\"},\"model\":\"m\"}");
    call_ok(f, "{\"name\":\"test_sampling\",\"arguments\":{\"prompt\":\"Test prompt\"}}");
    assert_int_equal(jlen(f->fake.requests, ""), 1);
    req = json_object_array_get_idx(f->fake.requests, 0);
    assert_string_equal(jstr(req, "method"), "sampling/createMessage");
    assert_string_equal(jstr(req, "params/messages/0/role"), "user");
    assert_string_equal(jstr(req, "params/messages/0/content/type"), "text");
    assert_string_equal(jstr(req, "params/messages/0/content/text"), "Test prompt");
    assert_int_equal(json_object_get_int(jget(req, "params/maxTokens")), 100);
    assert_string_equal(jstr(f->result, "content/0/text"),
                        "LLM response: This is a test response from the client");
}

static void sampling_without_the_capability_is_a_tool_error(void **state)
{
    struct fx *f = *state;

    json_object_put(f->caps);
    f->caps = jparse("{\"elicitation\":{}}");
    f->ctx.client_caps = f->caps;
    assert_int_equal(run(f, "tools/call",
                         "{\"name\":\"test_sampling\",\"arguments\":{\"prompt\":"
                         "\"x\"}}"),
                     MCP_OK);
    assert_true(is_error_result(f));
    assert_non_null(strstr(jstr(f->result, "content/0/text"), "\"sampling\" capability"));
    assert_int_equal(jlen(f->fake.requests, ""), 0); /* nothing was sent */
    assert_null(f->fail.data);                       /* the detail was cleared */

    f->ctx.client_caps = NULL;
    assert_int_equal(run(f, "tools/call",
                         "{\"name\":\"test_sampling\",\"arguments\":{\"prompt\":"
                         "\"x\"}}"),
                     MCP_OK);
    assert_true(is_error_result(f));
}

static void a_failed_client_request_is_a_tool_error(void **state)
{
    struct fx *f = *state;
    f->fake.request_err = MCP_E_UNAVAILABLE;
    assert_int_equal(run(f, "tools/call",
                         "{\"name\":\"test_elicitation\",\"arguments\":"
                         "{\"message\":\"hi\"}}"),
                     MCP_OK);
    assert_true(is_error_result(f));
    assert_non_null(strstr(jstr(f->result, "content/0/text"), "elicitation/create"));
    assert_int_equal(jlen(f->fake.requests, ""), 1);
}

static void elicitation_asks_the_client(void **state)
{
    struct fx *f = *state;
    json_object *req;

    f->fake.reply = jparse("{\"action\":\"accept\",\"content\":{\"username\":\"testuser\","
                           "\"email\":\"test@example.com\"}}");
    call_ok(f, "{\"name\":\"test_elicitation\",\"arguments\":{\"message\":\"Please provide "
               "your information\"}}");
    req = json_object_array_get_idx(f->fake.requests, 0);
    assert_string_equal(jstr(req, "method"), "elicitation/create");
    assert_string_equal(jstr(req, "params/mode"), "form");
    assert_string_equal(jstr(req, "params/message"), "Please provide your information");
    assert_string_equal(jstr(req, "params/requestedSchema/type"), "object");
    assert_string_equal(jstr(req, "params/requestedSchema/properties/username/type"), "string");
    assert_string_equal(jstr(req, "params/requestedSchema/properties/email/type"), "string");
    assert_string_equal(jstr(f->result, "content/0/text"),
                        "User response: action=accept, content={\"username\":\"testuser\","
                        "\"email\":\"test@example.com\"}");

    /* 2025-06-18 has elicitation but no "mode" */
    f->ctx.version = "2025-06-18";
    call_ok(f, "{\"name\":\"test_elicitation\",\"arguments\":{\"message\":\"m\"}}");
    req = json_object_array_get_idx(f->fake.requests, 1);
    assert_null(jget(req, "params/mode"));

    /* before 2025-06-18 there is no elicitation at all */
    f->ctx.version = "2025-03-26";
    assert_int_equal(run(f, "tools/call",
                         "{\"name\":\"test_elicitation\",\"arguments\":"
                         "{\"message\":\"m\"}}"),
                     MCP_OK);
    assert_true(is_error_result(f));
    assert_int_equal(jlen(f->fake.requests, ""), 2);
}

static void elicitation_sep1034_defaults(void **state)
{
    struct fx *f = *state;
    json_object *props;

    f->fake.reply = jparse("{\"action\":\"decline\"}");
    call_ok(f, "{\"name\":\"test_elicitation_sep1034_defaults\",\"arguments\":{}}");
    props =
        jget(json_object_array_get_idx(f->fake.requests, 0), "params/requestedSchema/properties");
    assert_string_equal(jstr(props, "name/type"), "string");
    assert_string_equal(jstr(props, "name/default"), "John Doe");
    assert_string_equal(jstr(props, "age/type"), "integer");
    assert_true(json_object_is_type(jget(props, "age/default"), json_type_int));
    assert_int_equal(json_object_get_int(jget(props, "age/default")), 30);
    assert_string_equal(jstr(props, "score/type"), "number");
    assert_true(json_object_get_double(jget(props, "score/default")) == 95.5);
    assert_string_equal(jstr(props, "status/type"), "string");
    assert_int_equal(jlen(props, "status/enum"), 3);
    assert_string_equal(jstr(props, "status/default"), "active");
    assert_string_equal(jstr(props, "verified/type"), "boolean");
    assert_true(json_object_get_boolean(jget(props, "verified/default")));
    assert_string_equal(jstr(f->result, "content/0/text"),
                        "Elicitation completed: action=decline, content={}");
}

static void elicitation_sep1330_enums(void **state)
{
    struct fx *f = *state;
    json_object *props;

    f->fake.reply = jparse("{\"action\":\"accept\",\"content\":{\"untitledMulti\":[\"option1\"]}}");
    call_ok(f, "{\"name\":\"test_elicitation_sep1330_enums\",\"arguments\":{}}");
    props =
        jget(json_object_array_get_idx(f->fake.requests, 0), "params/requestedSchema/properties");
    assert_int_equal(json_object_object_length(props), 5);
    assert_int_equal(jlen(props, "untitledSingle/enum"), 3);
    assert_null(jget(props, "untitledSingle/oneOf"));
    assert_string_equal(jstr(props, "titledSingle/oneOf/0/const"), "value1");
    assert_string_equal(jstr(props, "titledSingle/oneOf/2/title"), "Third Option");
    assert_null(jget(props, "titledSingle/enum"));
    assert_int_equal(jlen(props, "legacyEnum/enumNames"), jlen(props, "legacyEnum/enum"));
    assert_string_equal(jstr(props, "untitledMulti/type"), "array");
    assert_string_equal(jstr(props, "untitledMulti/items/type"), "string");
    assert_int_equal(jlen(props, "untitledMulti/items/enum"), 3);
    assert_string_equal(jstr(props, "titledMulti/type"), "array");
    assert_string_equal(jstr(props, "titledMulti/items/anyOf/1/title"), "Second Choice");
    assert_null(jget(props, "titledMulti/items/enum"));
    assert_string_equal(jstr(f->result, "content/0/text"),
                        "Elicitation completed: action=accept, content={\"untitledMulti\":"
                        "[\"option1\"]}");
}

/* ---- tools/call: errors ------------------------------------------------------------------ */

static void bad_tool_calls_are_invalid_params(void **state)
{
    struct fx *f = *state;
    assert_int_equal(run(f, "tools/call", "{\"name\":\"no_such_tool\"}"), MCP_E_INVALID_PARAMS);
    assert_non_null(strstr(f->fail.message, "no_such_tool"));
    assert_int_equal(run(f, "tools/call", "{}"), MCP_E_INVALID_PARAMS);
    assert_int_equal(run(f, "tools/call", NULL), MCP_E_INVALID_PARAMS);
    assert_int_equal(run(f, "tools/call", "{\"name\":42}"), MCP_E_INVALID_PARAMS);
    assert_int_equal(run(f, "tools/call", "{\"name\":\"test_simple_text\",\"arguments\":[]}"),
                     MCP_E_INVALID_PARAMS);
    assert_int_equal(run(f, "tools/call", "{\"name\":\"test_simple_text\",\"arguments\":\"x\"}"),
                     MCP_E_INVALID_PARAMS);
    assert_int_equal(run(f, "tools/call", "{\"name\":\"test_simple_text\",\"arguments\":null}"),
                     MCP_E_INVALID_PARAMS);
}

static void arguments_failing_the_schema_are_a_tool_error(void **state)
{
    struct fx *f = *state;
    assert_int_equal(run(f, "tools/call", "{\"name\":\"test_sampling\",\"arguments\":{}}"), MCP_OK);
    assert_true(is_error_result(f));
    assert_non_null(strstr(jstr(f->result, "content/0/text"), "prompt"));
    assert_int_equal(run(f, "tools/call",
                         "{\"name\":\"test_sampling\",\"arguments\":"
                         "{\"prompt\":5}}"),
                     MCP_OK);
    assert_true(is_error_result(f));
    assert_non_null(strstr(jstr(f->result, "content/0/text"), "prompt"));
    assert_int_equal(jlen(f->fake.requests, ""), 0);
}

/* ---- resources ------------------------------------------------------------------------------ */

static void resources_list_and_templates(void **state)
{
    struct fx *f = *state;
    static const char *const uris[] = {"test://static-text", "test://static-binary",
                                       "test://watched-resource"};

    for (size_t v = 0; v < N_VERSIONS; v++) {
        f->ctx.version = versions[v];
        assert_int_equal(run(f, "resources/list", NULL), MCP_OK);
        assert_int_equal(jlen(f->result, "resources"), 3);
        for (size_t i = 0; i < 3; i++) {
            json_object *r = json_object_array_get_idx(jget(f->result, "resources"), i);
            assert_string_equal(jstr(r, "uri"), uris[i]);
            assert_true(jstr(r, "name")[0] != '\0');
            assert_true(jstr(r, "description")[0] != '\0');
            assert_true((jget(r, "title") != NULL) == (v >= 2));
        }
        assert_int_equal(run(f, "resources/templates/list", "{}"), MCP_OK);
        assert_int_equal(jlen(f->result, "resourceTemplates"), 1);
        assert_string_equal(jstr(f->result, "resourceTemplates/0/uriTemplate"),
                            "test://template/{id}/data");
        assert_string_equal(jstr(f->result, "resourceTemplates/0/mimeType"), "application/json");
        assert_true((jget(f->result, "resourceTemplates/0/title") != NULL) == (v >= 2));
    }
}

static void resources_read_fixtures(void **state)
{
    struct fx *f = *state;
    unsigned char buf[256];

    assert_int_equal(run(f, "resources/read", "{\"uri\":\"test://static-text\"}"), MCP_OK);
    assert_int_equal(jlen(f->result, "contents"), 1);
    assert_string_equal(jstr(f->result, "contents/0/uri"), "test://static-text");
    assert_string_equal(jstr(f->result, "contents/0/mimeType"), "text/plain");
    assert_string_equal(jstr(f->result, "contents/0/text"),
                        "This is the content of the static text resource.");

    assert_int_equal(run(f, "resources/read", "{\"uri\":\"test://static-binary\"}"), MCP_OK);
    assert_string_equal(jstr(f->result, "contents/0/mimeType"), "image/png");
    assert_null(jget(f->result, "contents/0/text"));
    assert_png(buf, decode_member(f->result, "contents/0/blob", buf, sizeof(buf)));

    assert_int_equal(run(f, "resources/read", "{\"uri\":\"test://watched-resource\"}"), MCP_OK);
    assert_string_equal(jstr(f->result, "contents/0/mimeType"), "text/plain");
    assert_non_null(strstr(jstr(f->result, "contents/0/text"), "Watched resource content"));

    assert_int_equal(run(f, "resources/read", "{\"uri\":\"test://template/123/data\"}"), MCP_OK);
    assert_string_equal(jstr(f->result, "contents/0/uri"), "test://template/123/data");
    assert_string_equal(jstr(f->result, "contents/0/mimeType"), "application/json");
    assert_string_equal(jstr(f->result, "contents/0/text"),
                        "{\"id\":\"123\",\"templateTest\":true,\"data\":\"Data for ID: 123\"}");

    assert_int_equal(run(f, "resources/read", "{\"uri\":\"test://template/a%20b/data\"}"), MCP_OK);
    assert_string_equal(jstr(f->result, "contents/0/text"),
                        "{\"id\":\"a b\",\"templateTest\":true,\"data\":\"Data for ID: a b\"}");
}

static void unknown_resources_are_not_found_with_the_uri(void **state)
{
    static const char *const missing[] = {
        "test://nonexistent-resource-for-conformance-testing",
        "test://template//data",
        "test://template/1/2/data",
        "test://template/1/data/",
        "test://static-text/",
        "",
    };
    struct fx *f = *state;
    char params[256];

    for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
        snprintf(params, sizeof(params), "{\"uri\":\"%s\"}", missing[i]);
        assert_int_equal(run(f, "resources/read", params), MCP_E_RESOURCE_NOT_FOUND);
        assert_non_null(f->fail.data);
        assert_string_equal(jstr(f->fail.data, "uri"), missing[i]);
    }
    assert_int_equal(run(f, "resources/read", "{}"), MCP_E_INVALID_PARAMS);
    assert_int_equal(run(f, "resources/read", "{\"uri\":7}"), MCP_E_INVALID_PARAMS);
}

static void template_matcher_handles_level_1_only(void **state)
{
    struct resource_match m;
    char uri[RESOURCE_VAR_MAX + 64];
    (void)state;

    assert_true(resource_template_match("a://{x}/b/{y}", "a://1/b/two", &m));
    assert_int_equal(m.n, 2);
    assert_string_equal(resource_match_get(&m, "x"), "1");
    assert_string_equal(resource_match_get(&m, "y"), "two");
    assert_null(resource_match_get(&m, "z"));
    assert_true(resource_template_match("a://{x}", "a://%2F%7e", &m));
    assert_string_equal(resource_match_get(&m, "x"), "/~");
    assert_true(resource_template_match("a://{x}.json", "a://abc.json", &m));
    assert_string_equal(resource_match_get(&m, "x"), "abc");
    assert_false(resource_template_match("a://{x}", "a://%zz", &m));
    assert_false(resource_template_match("a://{x}", "a://%00", &m));
    assert_false(resource_template_match("a://{x}", "a://%0a", &m));
    assert_false(resource_template_match("a://{x}", "a://", &m));
    assert_false(resource_template_match("a://{x}", "a://a/b", &m));
    assert_false(resource_template_match("a://{x}", "a://a?b", &m));
    assert_false(resource_template_match("a://{+x}", "a://a", &m));
    assert_false(resource_template_match("a://{x}{y}", "a://ab", &m));
    assert_false(resource_template_match("a://{x", "a://ab", &m));
    assert_false(resource_template_match("a://{}", "a://ab", &m));
    assert_false(resource_template_match("b://{x}", "a://ab", &m));
    snprintf(uri, sizeof(uri), "a://%0*d", RESOURCE_VAR_MAX, 0);
    assert_true(resource_template_match("a://{x}", uri, &m));
    snprintf(uri, sizeof(uri), "a://%0*d", RESOURCE_VAR_MAX + 1, 0);
    assert_false(resource_template_match("a://{x}", uri, &m));
    assert_false(
        resource_template_match("{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", "1/2/3/4/5/6/7/8/9", &m));
    assert_true(resource_template_match("{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", "1/2/3/4/5/6/7/8", &m));
}

/* ---- prompts -------------------------------------------------------------------------------- */

static void prompts_list_fixtures(void **state)
{
    static const char *const names[] = {
        "test_simple_prompt", "test_prompt_with_arguments", "test_prompt_with_embedded_resource",
        "test_prompt_with_image", "test_input_required_result_prompt"};
    struct fx *f = *state;

    for (size_t v = 0; v < N_VERSIONS; v++) {
        f->ctx.version = versions[v];
        assert_int_equal(run(f, "prompts/list", NULL), MCP_OK);
        assert_int_equal(jlen(f->result, "prompts"), 5);
        for (size_t i = 0; i < 5; i++) {
            json_object *p = json_object_array_get_idx(jget(f->result, "prompts"), i);
            assert_string_equal(jstr(p, "name"), names[i]);
            assert_true(jstr(p, "description")[0] != '\0');
            assert_true((jget(p, "title") != NULL) == (v >= 2));
        }
        assert_null(jget(f->result, "prompts/0/arguments"));
        assert_string_equal(jstr(f->result, "prompts/1/arguments/0/name"), "arg1");
        assert_string_equal(jstr(f->result, "prompts/1/arguments/1/name"), "arg2");
        assert_true(json_object_get_boolean(jget(f->result, "prompts/1/arguments/0/required")));
        assert_true(json_object_get_boolean(jget(f->result, "prompts/1/arguments/1/required")));
        assert_string_equal(jstr(f->result, "prompts/2/arguments/0/name"), "resourceUri");
    }
}

static void prompts_get_fixtures(void **state)
{
    struct fx *f = *state;

    assert_int_equal(run(f, "prompts/get", "{\"name\":\"test_simple_prompt\"}"), MCP_OK);
    assert_int_equal(jlen(f->result, "messages"), 1);
    assert_string_equal(jstr(f->result, "messages/0/role"), "user");
    assert_string_equal(jstr(f->result, "messages/0/content/text"),
                        "This is a simple prompt for testing.");

    assert_int_equal(run(f, "prompts/get",
                         "{\"name\":\"test_prompt_with_arguments\",\"arguments\":"
                         "{\"arg1\":\"testValue1\",\"arg2\":\"testValue2\"}}"),
                     MCP_OK);
    assert_string_equal(jstr(f->result, "messages/0/content/text"),
                        "Prompt with arguments: arg1='testValue1', arg2='testValue2'");

    assert_int_equal(run(f, "prompts/get",
                         "{\"name\":\"test_prompt_with_embedded_resource\","
                         "\"arguments\":{\"resourceUri\":\"test://example\"}}"),
                     MCP_OK);
    assert_int_equal(jlen(f->result, "messages"), 2);
    assert_string_equal(jstr(f->result, "messages/0/content/type"), "resource");
    assert_string_equal(jstr(f->result, "messages/0/content/resource/uri"), "test://example");
    assert_string_equal(jstr(f->result, "messages/0/content/resource/mimeType"), "text/plain");
    assert_string_equal(jstr(f->result, "messages/0/content/resource/text"),
                        "Embedded resource content for testing.");
    assert_string_equal(jstr(f->result, "messages/1/content/type"), "text");

    assert_int_equal(run(f, "prompts/get", "{\"name\":\"test_prompt_with_image\"}"), MCP_OK);
    assert_string_equal(jstr(f->result, "messages/0/content/type"), "image");
    assert_string_equal(jstr(f->result, "messages/0/content/mimeType"), "image/png");
    assert_true(jstr(f->result, "messages/0/content/data")[0] != '\0');
    assert_string_equal(jstr(f->result, "messages/1/content/text"),
                        "Please analyze the image above.");
}

static void prompts_get_checks_arguments(void **state)
{
    struct fx *f = *state;

    assert_int_equal(run(f, "prompts/get",
                         "{\"name\":\"test_prompt_with_arguments\",\"arguments\":"
                         "{\"arg1\":\"a\"}}"),
                     MCP_E_INVALID_PARAMS);
    assert_non_null(strstr(f->fail.message, "\"arg2\""));
    assert_int_equal(run(f, "prompts/get", "{\"name\":\"test_prompt_with_arguments\"}"),
                     MCP_E_INVALID_PARAMS);
    assert_non_null(strstr(f->fail.message, "\"arg1\""));
    assert_int_equal(run(f, "prompts/get",
                         "{\"name\":\"test_prompt_with_arguments\",\"arguments\":"
                         "{\"arg1\":\"a\",\"arg2\":2}}"),
                     MCP_E_INVALID_PARAMS);
    assert_int_equal(run(f, "prompts/get",
                         "{\"name\":\"test_prompt_with_arguments\",\"arguments\":"
                         "{\"arg1\":\"a\",\"arg2\":\"b\",\"arg3\":\"c\"}}"),
                     MCP_E_INVALID_PARAMS);
    assert_non_null(strstr(f->fail.message, "arg3"));
    assert_int_equal(run(f, "prompts/get", "{\"name\":\"test_simple_prompt\",\"arguments\":[]}"),
                     MCP_E_INVALID_PARAMS);
    assert_int_equal(run(f, "prompts/get", "{\"name\":\"no_such_prompt\"}"), MCP_E_INVALID_PARAMS);
    assert_non_null(strstr(f->fail.message, "no_such_prompt"));
    assert_int_equal(run(f, "prompts/get", "{}"), MCP_E_INVALID_PARAMS);
}

/* ---- completion ----------------------------------------------------------------------------- */

static void completion_filters_candidates_by_prefix(void **state)
{
    struct fx *f = *state;

    assert_int_equal(
        run(f, "completion/complete",
            "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"test_prompt_with_arguments\"},"
            "\"argument\":{\"name\":\"arg1\",\"value\":\"test\"}}"),
        MCP_OK);
    assert_int_equal(jlen(f->result, "completion/values"), 3);
    assert_string_equal(jstr(f->result, "completion/values/0"), "test");
    assert_string_equal(jstr(f->result, "completion/values/1"), "testValue1");
    assert_int_equal(json_object_get_int(jget(f->result, "completion/total")), 3);
    assert_false(json_object_get_boolean(jget(f->result, "completion/hasMore")));

    assert_int_equal(
        run(f, "completion/complete",
            "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"test_prompt_with_arguments\"},"
            "\"argument\":{\"name\":\"arg2\",\"value\":\"zzz\"}}"),
        MCP_OK);
    assert_int_equal(jlen(f->result, "completion/values"), 0);

    assert_int_equal(
        run(f, "completion/complete",
            "{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"test://template/{id}/data\"},"
            "\"argument\":{\"name\":\"id\",\"value\":\"4\"}}"),
        MCP_OK);
    assert_int_equal(jlen(f->result, "completion/values"), 1);
    assert_string_equal(jstr(f->result, "completion/values/0"), "456");

    /* 2024-11-05 had the method without a capability */
    f->ctx.version = "2024-11-05";
    assert_int_equal(run(f, "completion/complete",
                         "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"test_simple_prompt\"},"
                         "\"argument\":{\"name\":\"x\",\"value\":\"\"}}"),
                     MCP_E_INVALID_PARAMS);
}

static void completion_refuses_unknown_refs(void **state)
{
    static const char *const bad[] = {
        "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"nope\"},\"argument\":{\"name\":\"a\","
        "\"value\":\"\"}}",
        "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"test_prompt_with_arguments\"},"
        "\"argument\":{\"name\":\"arg9\",\"value\":\"\"}}",
        "{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"test://nope/{id}\"},\"argument\":"
        "{\"name\":\"id\",\"value\":\"\"}}",
        "{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"test://template/{id}/data\"},\"argument\":"
        "{\"name\":\"ix\",\"value\":\"\"}}",
        "{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"test://static-text\"},\"argument\":"
        "{\"name\":\"id\",\"value\":\"\"}}",
        "{\"ref\":{\"type\":\"ref/tool\",\"name\":\"x\"},\"argument\":{\"name\":\"a\","
        "\"value\":\"\"}}",
        "{\"ref\":{\"type\":\"ref/prompt\"},\"argument\":{\"name\":\"a\",\"value\":\"\"}}",
        "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"test_simple_prompt\"}}",
        "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"test_simple_prompt\"},\"argument\":"
        "{\"name\":\"a\"}}",
        "{\"argument\":{\"name\":\"a\",\"value\":\"\"}}",
    };
    struct fx *f = *state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(run(f, "completion/complete", bad[i]), MCP_E_INVALID_PARAMS);
}

/* ---- the registry's version logic with a tool of our own ------------------------------------ */

static enum mcp_err structured_tool(struct tool_call *call, json_object *args, json_object **res)
{
    (void)call, (void)args;
    *res = jparse("{\"content\":[],\"structuredContent\":{\"n\":1}}");
    return MCP_OK;
}

static const struct tool_annotations test_annotations = {.title = "T",
                                                         .destructive = TOOL_HINT_FALSE};
static const struct content_icon test_icons[] = {
    {"https://example.com/i.png", "image/png", "48x48"}, {NULL, NULL, NULL}};
static const struct tool_def structured_def = {
    .name = "structured",
    .title = "Structured",
    .description = "d",
    .input_schema = "{\"type\":\"object\"}",
    .output_schema = "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},"
                     "\"required\":[\"n\"]}",
    .annotations = &test_annotations,
    .icons = test_icons,
    .call = structured_tool,
};

static void tool_json_follows_the_version(void **state)
{
    enum mcp_err err;
    (void)state;
    for (size_t v = 0; v < N_VERSIONS; v++) {
        json_object *t = tool_def_json_new(&structured_def, versions[v], &err);
        assert_int_equal(err, MCP_OK);
        assert_true((jget(t, "title") != NULL) == (v >= 2));
        assert_true((jget(t, "outputSchema") != NULL) == (v >= 2));
        assert_true((jget(t, "annotations") != NULL) == (v >= 1));
        assert_true((jget(t, "icons") != NULL) == (v >= 3));
        if (v >= 1) {
            assert_string_equal(jstr(t, "annotations/title"), "T");
            assert_false(json_object_get_boolean(jget(t, "annotations/destructiveHint")));
            assert_null(jget(t, "annotations/readOnlyHint"));
        }
        if (v >= 3)
            assert_string_equal(jstr(t, "icons/0/sizes/0"), "48x48");
        json_object_put(t);
    }
}

static void structured_content_gets_a_text_copy_and_is_checked(void **state)
{
    struct rpc_fail fail = {{0}, NULL};
    json_object *r;
    (void)state;

    r = jparse("{\"content\":[],\"structuredContent\":{\"n\":1}}");
    assert_int_equal(tool_result_finish(&structured_def, "2025-06-18", r, &fail), MCP_OK);
    assert_int_equal(jlen(r, "content"), 1);
    assert_string_equal(jstr(r, "content/0/text"), "{\"n\":1}");
    assert_non_null(jget(r, "structuredContent"));
    json_object_put(r);

    /* an existing identical text block is not repeated */
    r = jparse("{\"content\":[{\"type\":\"text\",\"text\":\"{\\\"n\\\":1}\"}],"
               "\"structuredContent\":{\"n\":1}}");
    assert_int_equal(tool_result_finish(&structured_def, "2025-11-25", r, &fail), MCP_OK);
    assert_int_equal(jlen(r, "content"), 1);
    json_object_put(r);

    r = jparse("{\"content\":[],\"structuredContent\":{\"n\":1}}");
    assert_int_equal(tool_result_finish(&structured_def, "2025-03-26", r, &fail), MCP_OK);
    assert_null(jget(r, "structuredContent"));
    assert_string_equal(jstr(r, "content/0/text"), "{\"n\":1}");
    json_object_put(r);

    r = jparse("{\"content\":[],\"structuredContent\":{\"n\":\"one\"}}");
    assert_int_equal(tool_result_finish(&structured_def, "2025-06-18", r, &fail), MCP_E_INTERNAL);
    json_object_put(r);
    r = jparse("{\"content\":[]}");
    assert_int_equal(tool_result_finish(&structured_def, "2025-06-18", r, &fail), MCP_E_INTERNAL);
    json_object_put(r);
    r = jparse("{\"content\":[],\"isError\":true}"); /* errors need no structured output */
    assert_int_equal(tool_result_finish(&structured_def, "2025-06-18", r, &fail), MCP_OK);
    json_object_put(r);
    r = jparse("{\"contents\":[]}");
    assert_int_equal(tool_result_finish(&structured_def, "2025-06-18", r, &fail), MCP_E_INTERNAL);
    json_object_put(r);
    rpc_fail_clear(&fail);
}

static void content_blocks_are_fitted_to_the_version(void **state)
{
    json_object *blocks;
    (void)state;

    blocks = json_object_new_array();
    json_object_array_add(blocks, content_link_new("file:///a.txt", "a", "text/plain"));
    json_object_array_add(blocks, jparse("{\"type\":\"text\",\"text\":\"t\",\"_meta\":{},"
                                         "\"annotations\":{\"priority\":1,\"lastModified\":"
                                         "\"2025-01-01T00:00:00Z\"}}"));
    content_blocks_for_version(blocks, "2025-03-26");
    assert_string_equal(jstr(blocks, "0/type"), "text");
    assert_non_null(strstr(jstr(blocks, "0/text"), "file:///a.txt"));
    assert_null(jget(blocks, "1/_meta"));
    assert_null(jget(blocks, "1/annotations/lastModified"));
    assert_non_null(jget(blocks, "1/annotations/priority"));
    json_object_put(blocks);

    blocks = json_object_new_array();
    json_object_array_add(blocks, jparse("{\"type\":\"resource_link\",\"uri\":\"u\",\"name\":"
                                         "\"n\",\"icons\":[{\"src\":\"s\"}]}"));
    content_blocks_for_version(blocks, "2025-06-18");
    assert_string_equal(jstr(blocks, "0/type"), "resource_link");
    assert_null(jget(blocks, "0/icons"));
    json_object_put(blocks);
}

/* ---- the handler helpers -------------------------------------------------------------------- */

static void client_request_checks_capabilities(void **state)
{
    struct fx *f = *state;
    struct tool_call call = {.ctx = &f->ctx, .tool = &structured_def, .fail = &f->fail};
    json_object *res = NULL;

    assert_int_equal(tool_client_request(&call, "roots/list", NULL, &res), MCP_E_CLIENT_CAPABILITY);
    assert_null(res);
    assert_non_null(jget(f->fail.data, "requiredCapabilities/roots"));
    rpc_fail_clear(&f->fail);

    assert_int_equal(tool_client_request(&call, "elicitation/create",
                                         jparse("{\"mode\":\"url\",\"message\":\"m\"}"), &res),
                     MCP_E_CLIENT_CAPABILITY);
    assert_non_null(jget(f->fail.data, "requiredCapabilities/elicitation/url"));
    rpc_fail_clear(&f->fail);

    assert_int_equal(tool_client_request(&call, "sampling/createMessage",
                                         jparse("{\"includeContext\":\"allServers\"}"), &res),
                     MCP_E_CLIENT_CAPABILITY);
    rpc_fail_clear(&f->fail);
    assert_int_equal(
        tool_client_request(&call, "sampling/createMessage", jparse("{\"tools\":[]}"), &res),
        MCP_E_CLIENT_CAPABILITY);
    rpc_fail_clear(&f->fail);
    assert_int_equal(tool_client_request(&call, "tools/list", NULL, &res), MCP_E_INTERNAL);
    rpc_fail_clear(&f->fail);
    assert_int_equal(jlen(f->fake.requests, ""), 0);

    f->fake.reply = jparse("{\"roots\":[]}");
    json_object_put(f->caps);
    f->caps = jparse("{\"roots\":{\"listChanged\":true}}");
    f->ctx.client_caps = f->caps;
    assert_int_equal(tool_client_request(&call, "roots/list", NULL, &res), MCP_OK);
    assert_int_equal(jlen(res, "roots"), 0);
    json_object_put(res);
    assert_int_equal(jlen(f->fake.requests, ""), 1);
}

static void progress_must_increase_and_levels_must_exist(void **state)
{
    struct fx *f = *state;
    struct tool_call call = {.ctx = &f->ctx, .tool = &structured_def, .fail = &f->fail};

    f->token = json_object_new_string("t");
    f->ctx.progress_token = f->token;
    assert_int_equal(tool_progress(&call, 0.5, -1, NULL), MCP_OK);
    assert_int_equal(tool_progress(&call, 0.5, -1, NULL), MCP_E_INTERNAL);
    assert_int_equal(tool_progress(&call, 0.75, 1, NULL), MCP_OK);
    assert_int_equal(jlen(f->fake.notes, ""), 2);
    assert_null(jget(json_object_array_get_idx(f->fake.notes, 0), "params/total"));
    assert_true(json_object_get_double(
                    jget(json_object_array_get_idx(f->fake.notes, 1), "params/progress")) == 0.75);

    assert_int_equal(tool_log(&call, "loud", NULL, json_object_new_string("x")), MCP_E_INTERNAL);
    f->ctx.log_level = "error";
    assert_int_equal(tool_log(&call, "warning", "l", json_object_new_string("x")), MCP_OK);
    assert_int_equal(jlen(f->fake.notes, ""), 2);
    assert_int_equal(tool_log(&call, "emergency", "l", NULL), MCP_OK);
    assert_int_equal(jlen(f->fake.notes, ""), 3);
    assert_string_equal(jstr(json_object_array_get_idx(f->fake.notes, 2), "params/logger"), "l");
    assert_true(json_object_object_get_ex(
        jget(json_object_array_get_idx(f->fake.notes, 2), "params"), "data", NULL));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(capabilities_follow_the_version),
        T(without_sets_only_logging_and_no_feature_methods),
        T(other_methods_are_not_ours),
        T(tools_list_has_every_fixture_well_formed),
        T(tools_list_fields_follow_the_version),
        T(json_schema_2020_12_tool_schema_is_verbatim),
        T(every_list_pages_through_with_page_size_two),
        T(bad_cursors_are_invalid_params),
        T(simple_text_without_arguments),
        T(image_content_is_a_png),
        T(audio_content_is_a_wav_and_text_for_2024_11_05),
        T(embedded_resource_content),
        T(multiple_content_types),
        T(error_handling_is_a_tool_error),
        T(reconnection_and_schema_tool_answer),
        T(logging_sends_three_messages_50ms_apart),
        T(logging_respects_the_session_level),
        T(progress_sends_0_50_100_with_a_token),
        T(progress_without_a_token_sends_nothing),
        T(sampling_asks_the_client),
        T(sampling_without_the_capability_is_a_tool_error),
        T(a_failed_client_request_is_a_tool_error),
        T(elicitation_asks_the_client),
        T(elicitation_sep1034_defaults),
        T(elicitation_sep1330_enums),
        T(bad_tool_calls_are_invalid_params),
        T(arguments_failing_the_schema_are_a_tool_error),
        T(resources_list_and_templates),
        T(resources_read_fixtures),
        T(unknown_resources_are_not_found_with_the_uri),
        T(template_matcher_handles_level_1_only),
        T(prompts_list_fixtures),
        T(prompts_get_fixtures),
        T(prompts_get_checks_arguments),
        T(completion_filters_candidates_by_prefix),
        T(completion_refuses_unknown_refs),
        T(tool_json_follows_the_version),
        T(structured_content_gets_a_text_copy_and_is_checked),
        T(content_blocks_are_fitted_to_the_version),
        T(client_request_checks_capabilities),
        T(progress_must_increase_and_levels_must_exist),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("feat", tests, NULL, NULL);
}
