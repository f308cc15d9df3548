/*
 * test_stateless.c - feat_dispatch on stateless (2026-07-28) requests as the modern
 * dispatcher drives it: the multi round-trip (MRTR) fixtures through their rounds, the
 * requestState checks, inputResponses validation, and the stateless diagnostics
 * (test_missing_capability, test_streaming_elicitation, test_logging_tool).
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

#include "cfg.h"
#include "feat.h"
#include "mrtr.h"

#define ALL_CAPS  "{\"sampling\":{},\"elicitation\":{},\"roots\":{\"listChanged\":true}}"
#define ELICIT_OK "{\"action\":\"accept\",\"content\":{\"ok\":true}}"
#define NAME(n)   "{\"action\":\"accept\",\"content\":{\"name\":\"" n "\"}}"
#define SAMPLED(t)                                                                                 \
    "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"" t "\"},"                  \
    "\"model\":\"test-model\",\"stopReason\":\"endTurn\"}"
#define ROOTS "{\"roots\":[{\"uri\":\"file:///test/root\",\"name\":\"Test Root\"}]}"

struct fake {
    json_object *notes;    /* every notification, in order */
    json_object *requests; /* methods of every request (there must be none) */
};

struct fx {
    struct mcp_cfg cfg;
    struct fake fake;
    struct feat_sink sink;
    struct feat_ctx ctx;
    json_object *caps, *token;
    struct rpc_fail fail;
    json_object *result;
};

static enum mcp_err fake_notify(void *opaque, json_object *msg)
{
    struct fake *f = opaque;
    json_object_array_add(f->notes, msg);
    return MCP_OK;
}

/* 2026-07-28 has no server-to-client requests: the dispatcher's sink refuses them. */
static enum mcp_err fake_request(void *opaque, const char *method, json_object *params,
                                 json_object **result)
{
    struct fake *f = opaque;
    json_object_array_add(f->requests, json_object_new_string(method));
    json_object_put(params);
    *result = NULL;
    return MCP_E_UNAVAILABLE;
}

static void set_caps(struct fx *f, const char *caps)
{
    json_object_put(f->caps);
    f->caps = jparse(caps);
    f->ctx.client_caps = f->caps;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    cfg_defaults(&f->cfg);
    f->cfg.sets = CFG_SET_CONFORMANCE;
    f->cfg.state_key_len = strlen("unit-test-state-key-0123456789abcdef0123");
    memcpy(f->cfg.state_key, "unit-test-state-key-0123456789abcdef0123", f->cfg.state_key_len);
    f->fake.notes = json_object_new_array();
    f->fake.requests = json_object_new_array();
    f->sink = (struct feat_sink){&f->fake, fake_notify, fake_request, NULL, NULL};
    f->ctx = (struct feat_ctx){.cfg = &f->cfg,
                               .version = "2026-07-28",
                               .log_level = FEAT_LOG_NONE,
                               .sink = &f->sink,
                               .stateless = 1,
                               .principal = "alice"};
    set_caps(f, ALL_CAPS);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    /* whatever a test did, nothing may have asked the client on the stream */
    assert_int_equal(json_object_array_length(f->fake.requests), 0);
    json_object_put(f->result);
    rpc_fail_clear(&f->fail);
    json_object_put(f->caps);
    json_object_put(f->token);
    json_object_put(f->fake.notes);
    json_object_put(f->fake.requests);
    free(f);
    return 0;
}

/* Runs method with params as the modern dispatcher does (feat_dispatch itself takes
 * params.inputResponses into ctx.input_responses). */
static enum mcp_err run(struct fx *f, const char *method, json_object *params)
{
    enum mcp_err err;

    json_object_put(f->result);
    f->result = NULL;
    rpc_fail_clear(&f->fail);
    err = feat_dispatch(&f->ctx, method, params, &f->result, &f->fail);
    json_object_put(params);
    if (err != MCP_OK)
        assert_null(f->result);
    else
        assert_non_null(f->result);
    return err;
}

/* params for calling tool (or prompt) name with responses (JSON text or NULL) and state. */
static json_object *params_new(const char *name, const char *responses, const char *state)
{
    json_object *p = json_object_new_object();
    json_object_object_add(p, "name", json_object_new_string(name));
    json_object_object_add(p, "arguments", json_object_new_object());
    if (responses != NULL)
        json_object_object_add(p, "inputResponses", jparse(responses));
    if (state != NULL)
        json_object_object_add(p, "requestState", json_object_new_string(state));
    return p;
}

static enum mcp_err call(struct fx *f, const char *tool, const char *responses, const char *state)
{
    return run(f, "tools/call", params_new(tool, responses, state));
}

static int input_required(struct fx *f)
{
    return mrtr_is_input_required(f->result);
}

/* A complete tools/call result: content, no resultType input_required, no isError. */
static const char *complete_text(struct fx *f)
{
    json_object *e = jget(f->result, "isError");
    assert_false(input_required(f));
    assert_false(e != NULL && json_object_get_boolean(e));
    return jstr(f->result, "content/0/text");
}

/* The inputRequests keys of the result, comma-separated, in order. */
static const char *request_keys(struct fx *f, char *buf, size_t size)
{
    json_object *r = jget(f->result, "inputRequests");
    buf[0] = '\0';
    assert_true(input_required(f));
    if (r == NULL)
        return buf;
    json_object_object_foreach(r, key, val)
    {
        (void)val;
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? "," : "", key);
    }
    return buf;
}

/* A copy of the result's requestState (caller frees). */
static char *state_of(struct fx *f)
{
    const char *s = jstr(f->result, "requestState");
    assert_int_equal(strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     strlen(s));
    return strdup(s);
}

/* ---- the basic rounds --------------------------------------------------------------------- */

static void elicitation_asks_then_completes(void **state)
{
    struct fx *f = *state;
    char keys[128];

    assert_int_equal(call(f, "test_input_required_result_elicitation", NULL, NULL), MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)), "user_name");
    assert_string_equal(jstr(f->result, "resultType"), "input_required");
    assert_string_equal(jstr(f->result, "inputRequests/user_name/method"), "elicitation/create");
    assert_string_equal(jstr(f->result, "inputRequests/user_name/params/message"),
                        "What is your name?");
    assert_string_equal(jstr(f->result, "inputRequests/user_name/params/requestedSchema/type"),
                        "object");
    assert_string_equal(
        jstr(f->result, "inputRequests/user_name/params/requestedSchema/properties/name/type"),
        "string");
    assert_string_equal(
        jstr(f->result, "inputRequests/user_name/params/requestedSchema/required/0"), "name");
    assert_null(jget(f->result, "requestState"));
    assert_null(jget(f->result, "content"));

    assert_int_equal(call(f, "test_input_required_result_elicitation",
                          "{\"user_name\":" NAME("Alice") "}", NULL),
                     MCP_OK);
    assert_string_equal(complete_text(f), "Hello, Alice!");
    /* a declined form ends the call too */
    assert_int_equal(call(f, "test_input_required_result_elicitation",
                          "{\"user_name\":{\"action\":\"decline\"}}", NULL),
                     MCP_OK);
    assert_non_null(strstr(complete_text(f), "decline"));
}

static void sampling_asks_then_completes(void **state)
{
    struct fx *f = *state;
    char keys[128];

    assert_int_equal(call(f, "test_input_required_result_sampling", NULL, NULL), MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)), "capital_question");
    assert_string_equal(jstr(f->result, "inputRequests/capital_question/method"),
                        "sampling/createMessage");
    assert_string_equal(
        jstr(f->result, "inputRequests/capital_question/params/messages/0/content/text"),
        "What is the capital of France?");
    assert_int_equal(
        json_object_get_int(jget(f->result, "inputRequests/capital_question/params/maxTokens")),
        100);
    assert_int_equal(call(f, "test_input_required_result_sampling",
                          "{\"capital_question\":" SAMPLED("Paris.") "}", NULL),
                     MCP_OK);
    assert_string_equal(complete_text(f), "LLM response: Paris.");
}

static void list_roots_asks_then_completes(void **state)
{
    struct fx *f = *state;
    char keys[128];

    assert_int_equal(call(f, "test_input_required_result_list_roots", NULL, NULL), MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)), "client_roots");
    assert_string_equal(jstr(f->result, "inputRequests/client_roots/method"), "roots/list");
    assert_int_equal(
        json_object_object_length(jget(f->result, "inputRequests/client_roots/params")), 0);
    assert_int_equal(
        call(f, "test_input_required_result_list_roots", "{\"client_roots\":" ROOTS "}", NULL),
        MCP_OK);
    assert_string_equal(complete_text(f), "Client roots: file:///test/root (Test Root)");
    /* an answer that is not a ListRootsResult is asked again */
    assert_int_equal(
        call(f, "test_input_required_result_list_roots", "{\"client_roots\":{\"roots\":7}}", NULL),
        MCP_OK);
    assert_true(input_required(f));
}

static void request_state_round_trips(void **state)
{
    struct fx *f = *state;
    char keys[128], *st, *st2;

    assert_int_equal(call(f, "test_input_required_result_request_state", NULL, NULL), MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)), "confirm");
    assert_string_equal(
        jstr(f->result, "inputRequests/confirm/params/requestedSchema/properties/ok/type"),
        "boolean");
    st = state_of(f);
    assert_int_equal(
        call(f, "test_input_required_result_request_state", "{\"confirm\":" ELICIT_OK "}", st),
        MCP_OK);
    assert_non_null(strstr(complete_text(f), "state-ok"));
    /* the answer without the state, or the state without the answer: asked again */
    assert_int_equal(
        call(f, "test_input_required_result_request_state", "{\"confirm\":" ELICIT_OK "}", NULL),
        MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)), "confirm");
    st2 = state_of(f);
    assert_int_equal(call(f, "test_input_required_result_request_state", NULL, st2), MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)), "confirm");
    free(st);
    free(st2);
}

static void multiple_inputs_keep_earlier_answers_in_the_state(void **state)
{
    struct fx *f = *state;
    char keys[128], *st, *st2;

    assert_int_equal(call(f, "test_input_required_result_multiple_inputs", NULL, NULL), MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)), "user_name,greeting,client_roots");
    assert_string_equal(jstr(f->result, "inputRequests/greeting/method"), "sampling/createMessage");
    assert_int_equal(
        json_object_get_int(jget(f->result, "inputRequests/greeting/params/maxTokens")), 50);
    assert_string_equal(jstr(f->result, "inputRequests/client_roots/method"), "roots/list");
    st = state_of(f);

    /* all at once */
    assert_int_equal(call(f, "test_input_required_result_multiple_inputs",
                          "{\"user_name\":" NAME("Alice") ",\"greeting\":" SAMPLED(
                              "Hello there!") ",\"client_roots\":" ROOTS "}",
                          st),
                     MCP_OK);
    assert_non_null(strstr(complete_text(f), "Alice"));
    assert_non_null(strstr(complete_text(f), "Hello there!"));

    /* one answer: the other two are asked again, the first rides in a new state */
    assert_int_equal(call(f, "test_input_required_result_multiple_inputs",
                          "{\"user_name\":" NAME("Bob") "}", st),
                     MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)), "greeting,client_roots");
    st2 = state_of(f);
    assert_string_not_equal(st, st2);
    assert_int_equal(call(f, "test_input_required_result_multiple_inputs",
                          "{\"greeting\":" SAMPLED("Hi") ",\"client_roots\":" ROOTS "}", st2),
                     MCP_OK);
    assert_non_null(strstr(complete_text(f), "Name: Bob."));
    free(st);
    free(st2);
}

static void multi_round_changes_the_state_each_round(void **state)
{
    struct fx *f = *state;
    char keys[128], *s1, *s2;

    assert_int_equal(call(f, "test_input_required_result_multi_round", NULL, NULL), MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)), "step1");
    s1 = state_of(f);
    assert_int_equal(
        call(f, "test_input_required_result_multi_round", "{\"step1\":" NAME("Alice") "}", s1),
        MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)), "step2");
    assert_string_equal(jstr(f->result, "inputRequests/step2/params/message"),
                        "Step 2: What is your favorite color?");
    s2 = state_of(f);
    assert_string_not_equal(s1, s2);
    assert_int_equal(call(f, "test_input_required_result_multi_round",
                          "{\"step2\":{\"action\":\"accept\",\"content\":{\"color\":\"blue\"}}}",
                          s2),
                     MCP_OK);
    assert_string_equal(complete_text(f), "Both rounds answered: Alice likes blue.");
    /* round 2's state without its answer: step2 again */
    assert_int_equal(call(f, "test_input_required_result_multi_round", "{}", s2), MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)), "step2");
    free(s1);
    free(s2);
}

static void prompt_asks_then_renders(void **state)
{
    struct fx *f = *state;
    char keys[128];

    assert_int_equal(
        run(f, "prompts/get", jparse("{\"name\":\"test_input_required_result_prompt\"}")), MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)), "user_context");
    assert_string_equal(
        jstr(f->result,
             "inputRequests/user_context/params/requestedSchema/properties/context/type"),
        "string");
    assert_null(jget(f->result, "messages"));
    assert_int_equal(run(f, "prompts/get",
                         jparse("{\"name\":\"test_input_required_result_prompt\","
                                "\"inputResponses\":{\"user_context\":{\"action\":\"accept\","
                                "\"content\":{\"context\":\"test context\"}}}}")),
                     MCP_OK);
    assert_false(input_required(f));
    assert_string_equal(jstr(f->result, "messages/0/content/text"),
                        "Use the following context: test context");
    /* without elicitation the prompt cannot ask */
    set_caps(f, "{\"sampling\":{}}");
    assert_int_equal(
        run(f, "prompts/get", jparse("{\"name\":\"test_input_required_result_prompt\"}")),
        MCP_E_CLIENT_CAPABILITY);
    assert_non_null(jget(f->fail.data, "requiredCapabilities/elicitation"));
}

/* ---- what the client sends back ----------------------------------------------------------- */

static void missing_responses_are_asked_again_and_extra_keys_ignored(void **state)
{
    struct fx *f = *state;
    char keys[128];

    assert_int_equal(call(f, "test_input_required_result_elicitation",
                          "{\"wrong_key\":{\"action\":\"accept\",\"content\":{\"data\":\"w\"}}}",
                          NULL),
                     MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)), "user_name");
    assert_int_equal(call(f, "test_input_required_result_elicitation", "{}", NULL), MCP_OK);
    assert_true(input_required(f));
    /* an accept without the field is asked again */
    assert_int_equal(call(f, "test_input_required_result_elicitation",
                          "{\"user_name\":{\"action\":\"accept\",\"content\":{}}}", NULL),
                     MCP_OK);
    assert_true(input_required(f));
    assert_int_equal(
        call(f, "test_input_required_result_elicitation",
             "{\"user_name\":" NAME("Alice") ",\"unknown_extra_key\":{\"action\":\"accept\","
                                             "\"content\":{\"foo\":\"bar\"}},"
                                             "\"another_unexpected\":{\"baz\":123}}",
             NULL),
        MCP_OK);
    assert_string_equal(complete_text(f), "Hello, Alice!");
}

/* The spec: unrecognised inputResponses keys SHOULD be ignored, whatever their value. */
static void non_object_values_of_unknown_keys_are_ignored(void **state)
{
    struct fx *f = *state;
    char keys[128];

    assert_int_equal(call(f, "test_input_required_result_elicitation",
                          "{\"user_name\":" NAME("Ada") ",\"extra\":\"x\",\"n\":null,\"i\":7,"
                                                        "\"a\":[1,{}],\"b\":false}",
                          NULL),
                     MCP_OK);
    assert_string_equal(complete_text(f), "Hello, Ada!");
    /* only unknown keys: the known one is missing, so it is asked for */
    assert_int_equal(call(f, "test_input_required_result_elicitation", "{\"extra\":\"x\"}", NULL),
                     MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)), "user_name");
    /* a prompt too */
    assert_int_equal(run(f, "prompts/get",
                         jparse("{\"name\":\"test_input_required_result_prompt\","
                                "\"inputResponses\":{\"user_context\":{\"action\":\"accept\","
                                "\"content\":{\"context\":\"c\"}},\"extra\":[\"x\"]}}")),
                     MCP_OK);
    assert_string_equal(jstr(f->result, "messages/0/content/text"), "Use the following context: c");
    /* a key this tool asks only for capabilities the request did not declare is unknown */
    set_caps(f, "{\"sampling\":{}}");
    assert_int_equal(call(f, "test_input_required_result_capabilities",
                          "{\"capability_roots\":\"x\",\"capability_elicitation\":1}", NULL),
                     MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)), "capability_sampling");
    assert_int_equal(
        call(f, "test_input_required_result_capabilities", "{\"capability_sampling\":\"x\"}", NULL),
        MCP_E_INVALID_PARAMS);
    assert_string_equal(f->fail.message,
                        "Invalid params: inputResponses.capability_sampling must be a result "
                        "object.");
    /* a key of a later round is unknown in this one */
    set_caps(f, ALL_CAPS);
    assert_int_equal(call(f, "test_input_required_result_multi_round", NULL, NULL), MCP_OK);
    {
        char *st = state_of(f);
        assert_int_equal(call(f, "test_input_required_result_multi_round",
                              "{\"step1\":" NAME("Bo") ",\"step2\":\"later\"}", st),
                         MCP_OK);
        assert_string_equal(request_keys(f, keys, sizeof(keys)), "step2");
        free(st);
    }
}

/* inputResponses that is not an object, and a key the handler asks for whose value is not
 * a result object. */
static void malformed_input_responses_are_invalid_params(void **state)
{
    static const char *const bad[] = {
        "{\"user_name\":12345}",
        "{\"user_name\":null}",
        "{\"user_name\":[]}",
        "{\"user_name\":\"x\"}",
        "12345",
        "null",
        "[]",
        "\"text\"",
    };
    struct fx *f = *state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_object *p = params_new("test_input_required_result_elicitation", NULL, NULL);
        json_object_object_add(p, "inputResponses", json_tokener_parse(bad[i]));
        assert_int_equal(run(f, "tools/call", p), MCP_E_INVALID_PARAMS);
        assert_true(strncmp(f->fail.message, "Invalid params: inputResponses", 30) == 0);
    }
    /* the same for prompts/get, and when only params carries them (ctx left NULL) */
    assert_int_equal(run(f, "prompts/get",
                         jparse("{\"name\":\"test_input_required_result_prompt\","
                                "\"inputResponses\":{\"user_context\":1}}")),
                     MCP_E_INVALID_PARAMS);
    json_object_put(f->result);
    f->result = NULL;
    {
        json_object *p = jparse("{\"name\":\"test_input_required_result_elicitation\","
                                "\"inputResponses\":[1]}");
        assert_int_equal(feat_dispatch(&f->ctx, "tools/call", p, &f->result, &f->fail),
                         MCP_E_INVALID_PARAMS);
        json_object_put(p);
    }
}

static void tampered_foreign_and_malformed_states_are_invalid_params(void **state)
{
    struct fx *f = *state;
    char *st, *other, *copy;
    const char *tool = "test_input_required_result_tampered_state";

    assert_int_equal(call(f, tool, NULL, NULL), MCP_OK);
    st = state_of(f);
    copy = malloc(strlen(st) + 16);

    assert_int_equal(call(f, tool, "{\"confirm\":" ELICIT_OK "}", st), MCP_OK);
    assert_non_null(strstr(complete_text(f), "integrity-ok"));

    snprintf(copy, strlen(st) + 16, "%s-TAMPERED", st);
    assert_int_equal(call(f, tool, "{\"confirm\":" ELICIT_OK "}", copy), MCP_E_INVALID_PARAMS);
    assert_true(strncmp(f->fail.message, "Invalid params: requestState", 28) == 0);
    for (size_t i = 0; i < strlen(st); i += 7) {
        strcpy(copy, st);
        copy[i] = copy[i] == 'x' ? 'y' : 'x';
        assert_int_equal(call(f, tool, "{\"confirm\":" ELICIT_OK "}", copy), MCP_E_INVALID_PARAMS);
    }
    /* another caller */
    f->ctx.principal = "mallory";
    assert_int_equal(call(f, tool, "{\"confirm\":" ELICIT_OK "}", st), MCP_E_INVALID_PARAMS);
    f->ctx.principal = NULL; /* anonymous is "" */
    assert_int_equal(call(f, tool, "{\"confirm\":" ELICIT_OK "}", st), MCP_E_INVALID_PARAMS);
    f->ctx.principal = "alice";
    /* another tool's state, and the same state at prompts/get or resources/read */
    assert_int_equal(call(f, "test_input_required_result_request_state", NULL, NULL), MCP_OK);
    other = state_of(f);
    assert_int_equal(call(f, tool, "{\"confirm\":" ELICIT_OK "}", other), MCP_E_INVALID_PARAMS);
    assert_int_equal(run(f, "prompts/get", params_new(tool, NULL, st)), MCP_E_INVALID_PARAMS);
    {
        json_object *p = jparse("{\"uri\":\"test://static-text\"}");
        json_object_object_add(p, "requestState", json_object_new_string(st));
        assert_int_equal(run(f, "resources/read", p), MCP_E_INVALID_PARAMS);
    }
    /* a requestState that is not a string */
    {
        json_object *p = params_new(tool, NULL, NULL);
        json_object_object_add(p, "requestState", json_object_new_int(5));
        assert_int_equal(run(f, "tools/call", p), MCP_E_INVALID_PARAMS);
        assert_string_equal(f->fail.message, "Invalid params: requestState must be a string.");
    }
    /* the untampered state still works (states are not single-use) */
    assert_int_equal(call(f, tool, "{\"confirm\":" ELICIT_OK "}", st), MCP_OK);
    assert_false(input_required(f));
    free(copy);
    free(other);
    free(st);
}

/* params of tool with arguments args (a JSON text; NULL: no "arguments" member). */
static json_object *params_args_new(const char *tool, const char *args, const char *responses,
                                    const char *state)
{
    json_object *p = params_new(tool, responses, state);
    json_object_object_del(p, "arguments");
    if (args != NULL)
        json_object_object_add(p, "arguments", jparse(args));
    return p;
}

/* Opens, as feat_dispatch does, a state sealed by hand for method/name and sealed_args with
 * params (a JSON text, requestState added). */
static enum mcp_err open_with(struct fx *f, const char *method, const char *name,
                              const char *sealed_args, const char *params)
{
    json_object *a = jparse(sealed_args), *p = jparse(params), *st = NULL, *resp = NULL;
    json_object *plain = json_object_new_object();
    struct mrtr_bind b = {"alice", method, name, a};
    char *wire = NULL;
    enum mcp_err err;

    assert_int_equal(mrtr_seal(&f->cfg, &b, plain, time(NULL), &wire, &f->fail), MCP_OK);
    json_object_object_add(p, "requestState", json_object_new_string(wire));
    rpc_fail_clear(&f->fail);
    err = mrtr_request_open(&f->ctx, method, p, &st, &resp, &f->fail);
    if (err == MCP_OK)
        assert_non_null(st);
    else
        assert_true(strncmp(f->fail.message, "Invalid params: requestState", 28) == 0);
    json_object_put(st);
    json_object_put(plain);
    json_object_put(p);
    json_object_put(a);
    free(wire);
    return err;
}

static void states_are_bound_to_the_call_arguments(void **state)
{
    struct fx *f = *state;
    const char *tool = "test_input_required_result_request_state";
    char *st;

    assert_int_equal(run(f, "tools/call", params_args_new(tool, "{}", NULL, NULL)), MCP_OK);
    st = state_of(f);
    /* other arguments on the retry */
    assert_int_equal(
        run(f, "tools/call", params_args_new(tool, "{\"x\":1}", "{\"confirm\":" ELICIT_OK "}", st)),
        MCP_E_INVALID_PARAMS);
    assert_true(strncmp(f->fail.message, "Invalid params: requestState", 28) == 0);
    assert_non_null(strstr(f->fail.message, "arguments"));
    /* absent arguments are {} */
    assert_int_equal(
        run(f, "tools/call", params_args_new(tool, NULL, "{\"confirm\":" ELICIT_OK "}", st)),
        MCP_OK);
    assert_non_null(strstr(complete_text(f), "state-ok"));
    free(st);
    /* tools/call and prompts/get: the same arguments in another order verify, others not */
    static const char *const methods[][2] = {{"tools/call", "t"}, {"prompts/get", "p"}};
    for (size_t i = 0; i < 2; i++) {
        const char *m = methods[i][0], *n = methods[i][1];
        char params[256];
        snprintf(params, sizeof(params),
                 "{\"name\":\"%s\",\"arguments\":{\"b\":{\"d\":[1,2],\"c\":null},\"a\":\"x\"}}", n);
        assert_int_equal(open_with(f, m, n, "{\"a\":\"x\",\"b\":{\"c\":null,\"d\":[1,2]}}", params),
                         MCP_OK);
        snprintf(params, sizeof(params),
                 "{\"name\":\"%s\",\"arguments\":{\"b\":{\"d\":[1,2],\"c\":null},\"a\":\"y\"}}", n);
        assert_int_equal(open_with(f, m, n, "{\"a\":\"x\",\"b\":{\"c\":null,\"d\":[1,2]}}", params),
                         MCP_E_INVALID_PARAMS);
        snprintf(params, sizeof(params),
                 "{\"name\":\"%s\",\"arguments\":{\"b\":{\"d\":[1,2],\"c\":null},\"a\":\"x\","
                 "\"e\":0}}",
                 n);
        assert_int_equal(open_with(f, m, n, "{\"a\":\"x\",\"b\":{\"c\":null,\"d\":[1,2]}}", params),
                         MCP_E_INVALID_PARAMS);
    }
    /* resources/read has no arguments: its uri is bound, an "arguments" member is not */
    assert_int_equal(open_with(f, "resources/read", "test://static-text", "{}",
                               "{\"uri\":\"test://static-text\",\"arguments\":{\"x\":1}}"),
                     MCP_OK);
}

/* ---- capabilities ------------------------------------------------------------------------- */

static void capabilities_asks_only_what_was_declared(void **state)
{
    struct fx *f = *state;
    const char *tool = "test_input_required_result_capabilities";
    char keys[128];

    set_caps(f, "{\"sampling\":{}}");
    assert_int_equal(call(f, tool, NULL, NULL), MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)), "capability_sampling");
    assert_string_equal(jstr(f->result, "inputRequests/capability_sampling/method"),
                        "sampling/createMessage");
    assert_int_equal(call(f, tool, "{\"capability_sampling\":" SAMPLED("hi") "}", NULL), MCP_OK);
    assert_string_equal(complete_text(f), "Declared capabilities answered: capability_sampling.");

    set_caps(f, "{\"elicitation\":{},\"roots\":{}}");
    assert_int_equal(call(f, tool, NULL, NULL), MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)),
                        "capability_elicitation,capability_roots");

    set_caps(f, ALL_CAPS);
    assert_int_equal(call(f, tool, NULL, NULL), MCP_OK);
    assert_string_equal(request_keys(f, keys, sizeof(keys)),
                        "capability_sampling,capability_elicitation,capability_roots");

    /* elicitation with only URL mode cannot take a form */
    set_caps(f, "{\"elicitation\":{\"url\":{}}}");
    assert_int_equal(call(f, tool, NULL, NULL), MCP_OK);
    assert_false(input_required(f));

    set_caps(f, "{}");
    assert_int_equal(call(f, tool, NULL, NULL), MCP_OK);
    assert_non_null(strstr(complete_text(f), "nothing to ask"));
}

static void tools_that_need_a_capability_refuse_without_it(void **state)
{
    struct fx *f = *state;
    json_object *want = jparse("{\"requiredCapabilities\":{\"sampling\":{}}}");

    set_caps(f, "{}");
    assert_int_equal(call(f, "test_missing_capability", NULL, NULL), MCP_E_CLIENT_CAPABILITY);
    assert_true(json_object_equal(f->fail.data, want));
    /* the MRTR fixtures too: never an inputRequest for an undeclared capability */
    assert_int_equal(call(f, "test_input_required_result_sampling", NULL, NULL),
                     MCP_E_CLIENT_CAPABILITY);
    assert_true(json_object_equal(f->fail.data, want));
    assert_int_equal(call(f, "test_input_required_result_list_roots", NULL, NULL),
                     MCP_E_CLIENT_CAPABILITY);
    assert_non_null(jget(f->fail.data, "requiredCapabilities/roots"));
    set_caps(f, "{\"elicitation\":{},\"sampling\":{}}");
    assert_int_equal(call(f, "test_input_required_result_multiple_inputs", NULL, NULL),
                     MCP_E_CLIENT_CAPABILITY);
    assert_non_null(jget(f->fail.data, "requiredCapabilities/roots"));

    set_caps(f, "{\"sampling\":{}}");
    assert_int_equal(call(f, "test_missing_capability", NULL, NULL), MCP_OK);
    assert_string_equal(jstr(f->result, "inputRequests/sampling_probe/method"),
                        "sampling/createMessage");
    assert_int_equal(
        call(f, "test_missing_capability", "{\"sampling_probe\":" SAMPLED("word") "}", NULL),
        MCP_OK);
    assert_string_equal(complete_text(f), "The client declared sampling and answered: word");
    json_object_put(want);
}

/* ---- notifications ------------------------------------------------------------------------ */

static void streaming_elicitation_sends_only_notifications(void **state)
{
    struct fx *f = *state;
    json_object *n;

    f->token = json_object_new_string("tok");
    f->ctx.progress_token = f->token;
    f->ctx.log_level = "debug";
    set_caps(f, "{\"elicitation\":{}}");
    assert_int_equal(call(f, "test_streaming_elicitation", NULL, NULL), MCP_OK);
    assert_string_equal(jstr(f->result, "inputRequests/streaming_confirm/method"),
                        "elicitation/create");
    assert_int_equal(json_object_array_length(f->fake.notes), 3);
    for (size_t i = 0; i < 3; i++) {
        n = json_object_array_get_idx(f->fake.notes, i);
        assert_null(jget(n, "id"));
        assert_string_equal(jstr(n, "method"),
                            i == 1 ? "notifications/message" : "notifications/progress");
    }
    assert_int_equal(
        call(f, "test_streaming_elicitation", "{\"streaming_confirm\":" ELICIT_OK "}", NULL),
        MCP_OK);
    assert_non_null(strstr(complete_text(f), "answered"));

    /* no logLevel: progress only; no elicitation: refused before anything is sent */
    json_object_put(f->fake.notes);
    f->fake.notes = json_object_new_array();
    f->sink.opaque = &f->fake;
    f->ctx.log_level = FEAT_LOG_NONE;
    assert_int_equal(call(f, "test_streaming_elicitation", NULL, NULL), MCP_OK);
    assert_int_equal(json_object_array_length(f->fake.notes), 2);
    set_caps(f, "{}");
    assert_int_equal(call(f, "test_streaming_elicitation", NULL, NULL), MCP_E_CLIENT_CAPABILITY);
    assert_int_equal(json_object_array_length(f->fake.notes), 2);
}

static void logging_tool_follows_the_request_log_level(void **state)
{
    static const struct {
        const char *level;
        size_t sent;
    } cases[] = {{FEAT_LOG_NONE, 0}, {"emergency", 0}, {"warning", 1}, {"info", 2}, {"debug", 3}};
    struct fx *f = *state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t before = json_object_array_length(f->fake.notes);
        f->ctx.log_level = cases[i].level;
        assert_int_equal(call(f, "test_logging_tool", NULL, NULL), MCP_OK);
        complete_text(f);
        assert_int_equal(json_object_array_length(f->fake.notes) - before, cases[i].sent);
        for (size_t k = before; k < json_object_array_length(f->fake.notes); k++) {
            json_object *n = json_object_array_get_idx(f->fake.notes, k);
            assert_string_equal(jstr(n, "method"), "notifications/message");
            assert_non_null(jget(n, "params/data"));
        }
    }
}

/* ---- where input_required may (not) appear ------------------------------------------------ */

static void lists_never_answer_input_required(void **state)
{
    static const char *const lists[] = {"tools/list", "prompts/list", "resources/list",
                                        "resources/templates/list"};
    struct fx *f = *state;

    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        assert_int_equal(run(f, lists[i], jparse("{\"inputResponses\":{},\"requestState\":\"x\"}")),
                         MCP_OK);
        assert_false(input_required(f));
    }
}

static void the_feature_layer_checks_what_handlers_return(void **state)
{
    struct fx *f = *state;
    json_object *params = jparse("{\"name\":\"t\"}"), *r;

    /* legacy request, or a method that may not: internal error */
    r = mrtr_input_required_new(NULL, json_object_new_int(1));
    f->ctx.stateless = 0;
    assert_int_equal(mrtr_result_seal(&f->ctx, "tools/call", params, r, &f->fail), MCP_E_INTERNAL);
    f->ctx.stateless = 1;
    assert_int_equal(mrtr_result_seal(&f->ctx, "tools/list", params, r, &f->fail), MCP_E_INTERNAL);
    assert_int_equal(mrtr_result_seal(&f->ctx, "tools/call", params, r, &f->fail), MCP_OK);
    assert_true(json_object_is_type(jget(r, "requestState"), json_type_string));
    json_object_put(r);
    /* neither requests nor state; an unknown method; an undeclared capability */
    r = jparse("{\"resultType\":\"input_required\"}");
    assert_int_equal(mrtr_result_seal(&f->ctx, "tools/call", params, r, &f->fail), MCP_E_INTERNAL);
    json_object_put(r);
    r = jparse(
        "{\"resultType\":\"input_required\",\"inputRequests\":{\"k\":{\"method\":\"ping\"}}}");
    assert_int_equal(mrtr_result_seal(&f->ctx, "tools/call", params, r, &f->fail), MCP_E_INTERNAL);
    json_object_put(r);
    set_caps(f, "{\"sampling\":{}}");
    r = jparse("{\"resultType\":\"input_required\",\"inputRequests\":{\"k\":{\"method\":"
               "\"roots/list\",\"params\":{}}}}");
    assert_int_equal(mrtr_result_seal(&f->ctx, "tools/call", params, r, &f->fail),
                     MCP_E_CLIENT_CAPABILITY);
    json_object_put(r);
    /* a complete result is left alone */
    r = jparse("{\"content\":[]}");
    assert_int_equal(mrtr_result_seal(&f->ctx, "tools/call", params, r, &f->fail), MCP_OK);
    json_object_put(r);
    rpc_fail_clear(&f->fail);
    json_object_put(params);
}

static void legacy_calls_of_the_fixtures_explain_themselves(void **state)
{
    static const char *const tools[] = {
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
    };
    struct fx *f = *state;

    f->ctx.stateless = 0;
    f->ctx.version = "2025-11-25";
    f->ctx.log_level = "debug";
    for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
        /* inputResponses and requestState mean nothing on a legacy request */
        assert_int_equal(call(f, tools[i], "{\"x\":1}", "not-a-state"), MCP_OK);
        assert_true(json_object_get_boolean(jget(f->result, "isError")));
        assert_non_null(strstr(jstr(f->result, "content/0/text"), "2026-07-28"));
    }
    assert_int_equal(json_object_array_length(f->fake.notes), 0);
    assert_int_equal(
        run(f, "prompts/get", jparse("{\"name\":\"test_input_required_result_prompt\"}")), MCP_OK);
    assert_non_null(strstr(jstr(f->result, "messages/0/content/text"), "2026-07-28"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(elicitation_asks_then_completes),
        T(sampling_asks_then_completes),
        T(list_roots_asks_then_completes),
        T(request_state_round_trips),
        T(multiple_inputs_keep_earlier_answers_in_the_state),
        T(multi_round_changes_the_state_each_round),
        T(prompt_asks_then_renders),
        T(missing_responses_are_asked_again_and_extra_keys_ignored),
        T(non_object_values_of_unknown_keys_are_ignored),
        T(malformed_input_responses_are_invalid_params),
        T(tampered_foreign_and_malformed_states_are_invalid_params),
        T(states_are_bound_to_the_call_arguments),
        T(capabilities_asks_only_what_was_declared),
        T(tools_that_need_a_capability_refuse_without_it),
        T(streaming_elicitation_sends_only_notifications),
        T(logging_tool_follows_the_request_log_level),
        T(lists_never_answer_input_required),
        T(the_feature_layer_checks_what_handlers_return),
        T(legacy_calls_of_the_fixtures_explain_themselves),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("stateless", tests, NULL, NULL);
}
