/*
 * test_mrtr.c - requestState sealing: round trips, and refusal of every altered, foreign,
 * expired, oversize or malformed state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "b64.h"
#include "cfg.h"
#include "mrtr.h"

#define NOW ((time_t)1800000000)

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static const struct mrtr_bind bind_tool = {"alice", "tools/call", "test_tool", NULL};

static struct mcp_cfg *cfg_new(const char *key)
{
    struct mcp_cfg *cfg = calloc(1, sizeof(*cfg));
    cfg_defaults(cfg);
    cfg->state_key_len = strlen(key);
    memcpy(cfg->state_key, key, cfg->state_key_len);
    return cfg;
}

static int setup(void **state)
{
    *state = cfg_new("test-key-0123456789abcdef0123456789abcdef");
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

/* Seals text (JSON) for b at NOW; returns the wire string (caller frees). */
static char *seal(const struct mcp_cfg *cfg, const struct mrtr_bind *b, const char *text)
{
    json_object *v = json_tokener_parse(text);
    struct rpc_fail fail = {{0}, NULL};
    char *out = NULL;

    assert_int_equal(mrtr_seal(cfg, b, v, NOW, &out, &fail), MCP_OK);
    assert_non_null(out);
    json_object_put(v);
    return out;
}

/* Opens wire for b at now; expects err (and, on refusal, the "requestState" message). */
static void open_expect(const struct mcp_cfg *cfg, const struct mrtr_bind *b, const char *wire,
                        size_t len, time_t now, enum mcp_err want)
{
    struct rpc_fail fail = {{0}, NULL};
    json_object *v = NULL;
    enum mcp_err err = mrtr_open(cfg, b, wire, len, now, &v, &fail);

    if (err != want)
        fail_msg("mrtr_open gave %d, want %d (%s) for \"%.80s\"", err, want, fail.message, wire);
    if (want == MCP_OK) {
        assert_non_null(v);
    } else {
        assert_null(v);
        if (want == MCP_E_INVALID_PARAMS)
            assert_true(strncmp(fail.message, "Invalid params: requestState", 28) == 0);
    }
    json_object_put(v);
    rpc_fail_clear(&fail);
}

static void round_trips_any_json_value(void **state)
{
    static const char *const values[] = {
        "{\"round\":2,\"name\":\"Alice\",\"nested\":{\"a\":[1,2,3]}}",
        "\"just a string with \\u00e9 and \\\"quotes\\\"\"",
        "42",
        "[true,false,{}]",
        "{}",
    };
    const struct mcp_cfg *cfg = *state;

    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        json_object *want = json_tokener_parse(values[i]), *got = NULL;
        struct rpc_fail fail = {{0}, NULL};
        char *wire = seal(cfg, &bind_tool, values[i]);

        assert_int_equal(strspn(wire, b64url), strlen(wire)); /* base64url, no padding */
        assert_int_equal(mrtr_open(cfg, &bind_tool, wire, strlen(wire), NOW + 1, &got, &fail),
                         MCP_OK);
        assert_true(json_object_equal(want, got));
        json_object_put(want);
        json_object_put(got);
        free(wire);
    }
}

/* States made outside this code from the format in mrtr.c's header comment (Python's hmac,
 * hashlib and json.dumps(sort_keys=True, separators=(",", ":"))): version 1, expiry
 * NOW + 600, {"kat":true}, bound to alice / tools/call / test_tool and arguments {} (kat) or
 * {"b":[1,{"d":null,"c":"x"}],"a":true} (kat_args). */
static void a_known_answer_opens(void **state)
{
    static const char kat[] =
        "AQAAAABrSdRYeyJrYXQiOnRydWV9X3gMYhygh9ZEeeTIQVKg9m8StD_rKgTyRYtxVBpZ3QU";
    static const char kat_args[] =
        "AQAAAABrSdRYeyJrYXQiOnRydWV90LCbQd58ThoTHKI4jEwo_ab4I-8m_oFCu0FVinznrpo";
    json_object *args =
        json_tokener_parse("{\"a\": true, \"b\": [1, {\"c\": \"x\", \"d\": null}]}");
    struct mrtr_bind with_args = bind_tool;
    const struct mcp_cfg *cfg = *state;
    struct rpc_fail fail = {{0}, NULL};
    json_object *got = NULL, *v = json_tokener_parse("{\"kat\":true}");
    struct mcp_cfg c = *cfg;
    char *w = NULL;

    assert_int_equal(mrtr_open(cfg, &bind_tool, kat, strlen(kat), NOW, &got, &fail), MCP_OK);
    assert_true(json_object_get_boolean(json_object_object_get(got, "kat")));
    json_object_put(got);
    /* and this code seals the same bytes */
    c.state_ttl_s = 600;
    assert_int_equal(mrtr_seal(&c, &bind_tool, v, NOW, &w, &fail), MCP_OK);
    assert_string_equal(w, kat);
    free(w);
    json_object_put(v);
    open_expect(cfg, &bind_tool, kat, strlen(kat), NOW + 601, MCP_E_INVALID_PARAMS);
    with_args.args = args;
    open_expect(cfg, &with_args, kat_args, strlen(kat_args), NOW, MCP_OK);
    open_expect(cfg, &bind_tool, kat_args, strlen(kat_args), NOW, MCP_E_INVALID_PARAMS);
    open_expect(cfg, &with_args, kat, strlen(kat), NOW, MCP_E_INVALID_PARAMS);
    json_object_put(args);
}

/* Opens a state sealed for arguments sealed_args with arguments args (JSON texts; NULL =
 * absent) and expects want. */
static void args_expect(const struct mcp_cfg *cfg, const char *sealed_args, const char *args,
                        enum mcp_err want)
{
    json_object *a = sealed_args ? json_tokener_parse(sealed_args) : NULL;
    json_object *b = args ? json_tokener_parse(args) : NULL;
    struct mrtr_bind bs = bind_tool, bo = bind_tool;
    char *wire;

    /* (json-c's value of "null" is NULL) */
    assert_true(sealed_args == NULL || a != NULL || strcmp(sealed_args, "null") == 0);
    assert_true(args == NULL || b != NULL);
    bs.args = a;
    bo.args = b;
    wire = seal(cfg, &bs, "{\"round\":1}");
    open_expect(cfg, &bo, wire, strlen(wire), NOW, want);
    free(wire);
    json_object_put(a);
    json_object_put(b);
}

static void states_are_bound_to_the_arguments(void **state)
{
    static const char A[] = "{\"city\":\"Paris\",\"opts\":{\"units\":\"metric\",\"days\":3},"
                            "\"tags\":[\"a\",\"b\"]}";
    const struct mcp_cfg *cfg = *state;

    /* the same arguments: members in any order, any whitespace, 3.0 for 3 */
    args_expect(cfg, A, A, MCP_OK);
    args_expect(cfg, A,
                "{ \"tags\": [\"a\", \"b\"], \"opts\": {\"days\": 3.0, \"units\": \"metric\"},\n"
                "  \"city\": \"Paris\" }",
                MCP_OK);
    /* absent, null and {} are the same */
    args_expect(cfg, NULL, "{}", MCP_OK);
    args_expect(cfg, "{}", NULL, MCP_OK);
    args_expect(cfg, "null", NULL, MCP_OK);
    /* other arguments */
    args_expect(cfg, A,
                "{\"city\":\"Lyon\",\"opts\":{\"units\":\"metric\",\"days\":3},"
                "\"tags\":[\"a\",\"b\"]}",
                MCP_E_INVALID_PARAMS); /* a changed value */
    args_expect(cfg, A,
                "{\"city\":\"Paris\",\"opts\":{\"units\":\"metric\",\"days\":4},"
                "\"tags\":[\"a\",\"b\"]}",
                MCP_E_INVALID_PARAMS); /* a changed nested value */
    args_expect(cfg, A,
                "{\"city\":\"Paris\",\"opts\":{\"units\":\"metric\",\"days\":3},"
                "\"tags\":[\"a\",\"b\"],\"admin\":true}",
                MCP_E_INVALID_PARAMS); /* an added member */
    args_expect(cfg, A, "{\"city\":\"Paris\",\"opts\":{\"units\":\"metric\",\"days\":3}}",
                MCP_E_INVALID_PARAMS); /* a removed member */
    args_expect(cfg, A,
                "{\"city\":\"Paris\",\"opts\":{\"units\":\"metric\",\"days\":3},"
                "\"tags\":[\"b\",\"a\"]}",
                MCP_E_INVALID_PARAMS); /* array order matters */
    args_expect(cfg, "{\"n\":3}", "{\"n\":\"3\"}", MCP_E_INVALID_PARAMS);
    args_expect(cfg, "{\"s\":\"a\\u0000b\"}", "{\"s\":\"a\"}", MCP_E_INVALID_PARAMS);
    args_expect(cfg, NULL, "{\"a\":1}", MCP_E_INVALID_PARAMS);
    args_expect(cfg, "{\"a\":1}", NULL, MCP_E_INVALID_PARAMS);
    args_expect(cfg, "{\"a\":{}}", "{\"a\":[]}", MCP_E_INVALID_PARAMS);
}

/* Arguments nesting deeper than http.max_json_depth (no request has such) bind nothing. */
static void arguments_too_deep_are_refused(void **state)
{
    struct mcp_cfg *cfg = *state;
    struct rpc_fail fail = {{0}, NULL};
    json_object *deep = json_object_new_object(), *v = json_object_new_object();
    struct mrtr_bind b = bind_tool;
    char *wire = NULL, *ok = seal(cfg, &bind_tool, "{}");

    cfg->max_json_depth = 8;
    for (int i = 1; i < 8; i++) { /* 8 levels: still fine */
        json_object *outer = json_object_new_object();
        json_object_object_add(outer, "x", deep);
        deep = outer;
    }
    b.args = deep;
    assert_int_equal(mrtr_seal(cfg, &b, v, NOW, &wire, &fail), MCP_OK);
    free(wire);
    wire = NULL;
    {
        json_object *outer = json_object_new_object(); /* 9 levels */
        json_object_object_add(outer, "x", deep);
        b.args = deep = outer;
    }
    assert_int_equal(mrtr_seal(cfg, &b, v, NOW, &wire, &fail), MCP_E_INTERNAL);
    assert_null(wire);
    rpc_fail_clear(&fail);
    open_expect(cfg, &b, ok, strlen(ok), NOW, MCP_E_INVALID_PARAMS);
    json_object_put(deep);
    json_object_put(v);
    free(ok);
}

static void seals_of_different_states_differ(void **state)
{
    const struct mcp_cfg *cfg = *state;
    char *a = seal(cfg, &bind_tool, "{\"round\":1}"), *b = seal(cfg, &bind_tool, "{\"round\":2}");
    assert_string_not_equal(a, b);
    free(a);
    free(b);
}

static void every_altered_character_is_refused(void **state)
{
    const struct mcp_cfg *cfg = *state;
    char *wire = seal(cfg, &bind_tool, "{\"confirm\":\"pending\",\"round\":1}");
    size_t len = strlen(wire);
    char *copy = malloc(len + 16);

    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k < 3; k++) { /* three replacement characters per position */
            memcpy(copy, wire, len + 1);
            char c = b64url[(strchr(b64url, wire[i]) - b64url + 1 + (long)k * 21) % 64];
            copy[i] = c;
            open_expect(cfg, &bind_tool, copy, len, NOW, MCP_E_INVALID_PARAMS);
        }
    }
    /* appended, truncated, emptied */
    snprintf(copy, len + 16, "%s-TAMPERED", wire);
    open_expect(cfg, &bind_tool, copy, strlen(copy), NOW, MCP_E_INVALID_PARAMS);
    for (size_t cut = 1; cut <= 8; cut++)
        open_expect(cfg, &bind_tool, wire, len - cut, NOW, MCP_E_INVALID_PARAMS);
    open_expect(cfg, &bind_tool, wire, 0, NOW, MCP_E_INVALID_PARAMS);
    open_expect(cfg, &bind_tool, wire, len, NOW, MCP_OK);
    free(copy);
    free(wire);
}

static void foreign_principal_method_name_or_key_are_refused(void **state)
{
    const struct mcp_cfg *cfg = *state;
    struct mcp_cfg *other = cfg_new("another-key-0123456789abcdef0123456789abc");
    char *wire = seal(cfg, &bind_tool, "{\"round\":1}");
    size_t len = strlen(wire);
    static const struct mrtr_bind others[] = {
        {"bob", "tools/call", "test_tool", NULL},    {"", "tools/call", "test_tool", NULL},
        {"alice", "prompts/get", "test_tool", NULL}, {"alice", "resources/read", "test_tool", NULL},
        {"alice", "tools/call", "other_tool", NULL}, {"alice", "tools/call", "", NULL},
        {"alicetools/call", "", "test_tool", NULL},  {"alic", "etools/call", "test_tool", NULL},
        {"alice", "tools/calltest_tool", "", NULL},  {NULL, NULL, NULL, NULL},
    };

    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
        open_expect(cfg, &others[i], wire, len, NOW, MCP_E_INVALID_PARAMS);
    open_expect(other, &bind_tool, wire, len, NOW, MCP_E_INVALID_PARAMS);
    /* NULL binding strings are "" on both sides */
    free(wire);
    wire = seal(cfg, &others[9], "1");
    open_expect(cfg, &(struct mrtr_bind){"", "", "", NULL}, wire, strlen(wire), NOW, MCP_OK);
    free(wire);
    free(other);
}

static void expired_states_are_refused(void **state)
{
    struct mcp_cfg *cfg = *state;
    char *wire;

    cfg->state_ttl_s = 600;
    wire = seal(cfg, &bind_tool, "{}");
    open_expect(cfg, &bind_tool, wire, strlen(wire), NOW + 600, MCP_OK);
    open_expect(cfg, &bind_tool, wire, strlen(wire), NOW + 601, MCP_E_INVALID_PARAMS);
    open_expect(cfg, &bind_tool, wire, strlen(wire), NOW + 1000000, MCP_E_INVALID_PARAMS);
    free(wire);
    cfg->state_ttl_s = 10;
    wire = seal(cfg, &bind_tool, "{}");
    open_expect(cfg, &bind_tool, wire, strlen(wire), NOW + 10, MCP_OK);
    open_expect(cfg, &bind_tool, wire, strlen(wire), NOW + 11, MCP_E_INVALID_PARAMS);
    free(wire);
}

static void sizes_are_bounded(void **state)
{
    const struct mcp_cfg *cfg = *state;
    struct rpc_fail fail = {{0}, NULL};
    char *text = malloc(MRTR_STATE_MAX + 16), *wire = NULL, *big;
    json_object *v;

    /* a JSON string of exactly MRTR_STATE_MAX bytes of text seals and opens */
    memset(text, 'x', MRTR_STATE_MAX - 2);
    text[MRTR_STATE_MAX - 2] = '\0';
    v = json_object_new_string(text);
    assert_int_equal(mrtr_seal(cfg, &bind_tool, v, NOW, &wire, &fail), MCP_OK);
    assert_true(strlen(wire) <= MRTR_WIRE_MAX);
    open_expect(cfg, &bind_tool, wire, strlen(wire), NOW, MCP_OK);
    json_object_put(v);
    free(wire);
    /* one byte more is the handler's fault */
    text[MRTR_STATE_MAX - 2] = 'x';
    text[MRTR_STATE_MAX - 1] = '\0';
    v = json_object_new_string(text);
    assert_int_equal(mrtr_seal(cfg, &bind_tool, v, NOW, &wire, &fail), MCP_E_INTERNAL);
    assert_null(wire);
    rpc_fail_clear(&fail);
    json_object_put(v);
    /* a wire text over the bound is refused before decoding */
    big = malloc(MRTR_WIRE_MAX + 2);
    memset(big, 'A', MRTR_WIRE_MAX + 1);
    big[MRTR_WIRE_MAX + 1] = '\0';
    open_expect(cfg, &bind_tool, big, MRTR_WIRE_MAX + 1, NOW, MCP_E_INVALID_PARAMS);
    free(big);
    /* a binding too long to be sealed */
    memset(text, 'n', MRTR_BIND_MAX + 1);
    text[MRTR_BIND_MAX + 1] = '\0';
    v = json_object_new_object();
    assert_int_equal(
        mrtr_seal(cfg, &(struct mrtr_bind){"a", "tools/call", text, NULL}, v, NOW, &wire, &fail),
        MCP_E_INTERNAL);
    rpc_fail_clear(&fail);
    json_object_put(v);
    free(text);
}

static void malformed_texts_are_refused(void **state)
{
    static const char *const bad[] = {
        "!!!!",         "abc=", "ab cd", "AAAA\n", "A", "AAAAAAAAAAAAAAAAAAAAAAAAAAAA+/",
        "AQAAAAAAAAAA", /* version 1, expiry, nothing else */
    };
    const struct mcp_cfg *cfg = *state;
    unsigned char raw[MRTR_HEAD + 2 + MRTR_TAG] = {2};
    char *wire;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        open_expect(cfg, &bind_tool, bad[i], strlen(bad[i]), NOW, MCP_E_INVALID_PARAMS);
    /* version 2 with a plausible length */
    memcpy(raw + MRTR_HEAD, "{}", 2);
    wire = b64_encode_dup(B64_URL, B64_NOPAD, raw, sizeof(raw));
    open_expect(cfg, &bind_tool, wire, strlen(wire), NOW, MCP_E_INVALID_PARAMS);
    free(wire);
    /* standard-alphabet and padded encodings of a real state are refused too */
    wire = seal(cfg, &bind_tool, "{\"k\":\"v\"}");
    {
        size_t len = strlen(wire);
        char *padded = malloc(len + 4);
        snprintf(padded, len + 4, "%s%s", wire, len % 4 == 2 ? "==" : len % 4 == 3 ? "=" : "");
        if (strcmp(padded, wire) != 0)
            open_expect(cfg, &bind_tool, padded, strlen(padded), NOW, MCP_E_INVALID_PARAMS);
        free(padded);
    }
    free(wire);
}

static void without_a_key_nothing_is_sealed_or_opened(void **state)
{
    /* cfg_load always gives a key; a configuration without one (a bug) fails closed */
    struct mcp_cfg *cfg = cfg_new("");
    struct rpc_fail fail = {{0}, NULL};
    json_object *v = json_object_new_object(), *got = NULL;
    char *wire = NULL, *sealed = seal(*state, &bind_tool, "{}");

    assert_int_equal(mrtr_seal(cfg, &bind_tool, v, NOW, &wire, &fail), MCP_E_INTERNAL);
    assert_null(wire);
    rpc_fail_clear(&fail);
    assert_int_equal(mrtr_open(cfg, &bind_tool, sealed, strlen(sealed), NOW, &got, &fail),
                     MCP_E_INTERNAL);
    assert_null(got);
    rpc_fail_clear(&fail);
    /* nor with a key shorter than CFG_KEY_MIN */
    memcpy(cfg->state_key, "short", 5);
    cfg->state_key_len = 5;
    assert_int_equal(mrtr_seal(cfg, &bind_tool, v, NOW, &wire, &fail), MCP_E_INTERNAL);
    assert_null(wire);
    rpc_fail_clear(&fail);
    /* with a key, a null state is the handler's fault */
    assert_int_equal(mrtr_seal(*state, &bind_tool, NULL, NOW, &wire, &fail), MCP_E_INTERNAL);
    assert_null(wire);
    rpc_fail_clear(&fail);
    json_object_put(v);
    free(sealed);
    free(cfg);
}

static void input_required_helpers(void **state)
{
    json_object *r = mrtr_input_required_new(json_object_new_object(), NULL), *o;
    (void)state;

    assert_true(mrtr_is_input_required(r));
    assert_non_null(json_object_object_get(r, "inputRequests"));
    assert_false(json_object_object_get_ex(r, "requestState", NULL));
    json_object_put(r);
    o = json_tokener_parse("{\"resultType\":\"complete\"}");
    assert_false(mrtr_is_input_required(o));
    assert_false(mrtr_is_input_required(NULL));
    json_object_put(o);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(round_trips_any_json_value),
        T(a_known_answer_opens),
        T(states_are_bound_to_the_arguments),
        T(arguments_too_deep_are_refused),
        T(seals_of_different_states_differ),
        T(every_altered_character_is_refused),
        T(foreign_principal_method_name_or_key_are_refused),
        T(expired_states_are_refused),
        T(sizes_are_bounded),
        T(malformed_texts_are_refused),
        T(without_a_key_nothing_is_sealed_or_opened),
        T(input_required_helpers),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("mrtr", tests, NULL, NULL);
}
