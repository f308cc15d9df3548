/* test_listen.c - subscriptions of subscriptions/listen streams (sessiond/listen.c): what a
 * listen request may ask for, the acknowledgement, which notifications reach which stream,
 * the subscription id in each, and the response that ends a stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "listen.h"
#include "stream.h"

#define ACK_HEAD                                                                                   \
    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/subscriptions/acknowledged\",\"params\":{"    \
    "\"_meta\":{\"io.modelcontextprotocol/subscriptionId\":"
#define FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* A subscription for rpc_id and notifications (both JSON text); asserts it is accepted and
 * gives the acknowledgement's text in ack (cap bytes). */
static struct listen_sub *sub(const char *rpc_id, const char *notifications, char *ack, size_t cap)
{
    json_object *id = json_tokener_parse(rpc_id), *n = json_tokener_parse(notifications);
    json_object *a = NULL;
    struct listen_sub *s = NULL;
    const char *why = "unset";

    assert_int_equal(listen_sub_new(id, n, &s, &a, &why), MCP_OK);
    assert_null(why);
    assert_non_null(s);
    if (ack != NULL)
        snprintf(ack, cap, "%s", json_object_to_json_string_ext(a, FLAGS));
    json_object_put(a);
    json_object_put(id);
    json_object_put(n);
    return s;
}

/* Asserts that listen_sub_new refuses rpc_id (NULL: none) with notifications n (both
 * taken). */
static void refused(json_object *id, json_object *n)
{
    json_object *a = (json_object *)1;
    struct listen_sub *s = (struct listen_sub *)1;
    const char *why = NULL;

    assert_int_equal(listen_sub_new(id, n, &s, &a, &why), MCP_E_INVALID_PARAMS);
    assert_null(s);
    assert_null(a);
    assert_non_null(why);
    json_object_put(id);
    json_object_put(n);
}

/* n's text as stream s sends it, NUL-terminated, into out (cap bytes). */
static void text_for(const struct listen_note *n, const struct listen_sub *s, char *out, size_t cap)
{
    size_t len = listen_note_text(n, s, out, cap - 1);

    assert_int_equal(len, listen_note_size(n, s));
    out[len] = '\0';
}

static void test_ack_and_members(void **state)
{
    char ack[1024];
    (void)state;

    struct listen_sub *s =
        sub("7",
            "{\"promptsListChanged\":true,\"x\":1,\"resourceSubscriptions\":[\"a://1\",\"b://2\"],"
            "\"toolsListChanged\":false}",
            ack, sizeof(ack));
    /* the honoured members as given, in their order; unknown ones left out */
    assert_string_equal(ack, ACK_HEAD "7},\"notifications\":{\"promptsListChanged\":true,"
                                      "\"resourceSubscriptions\":[\"a://1\",\"b://2\"],"
                                      "\"toolsListChanged\":false}}}");
    assert_int_equal(s->kinds, LISTEN_PROMPTS);
    assert_int_equal(s->n_uris, 2);
    assert_string_equal(listen_sub_rpc_id(s), "7");
    assert_true(listen_sub_has_uri(s, "a://1"));
    assert_true(listen_sub_has_uri(s, "b://2"));
    assert_false(listen_sub_has_uri(s, "a://"));
    assert_false(listen_sub_has_uri(s, "c://3"));
    printf("# struct listen_sub: %zu bytes + id and URIs\n", sizeof(*s));
    listen_sub_free(s);

    /* string ids keep their JSON form; an empty object asks for nothing */
    s = sub("\"a\\\"b\"", "{}", ack, sizeof(ack));
    assert_string_equal(ack, ACK_HEAD "\"a\\\"b\"},\"notifications\":{}}}");
    assert_string_equal(listen_sub_rpc_id(s), "\"a\\\"b\"");
    assert_int_equal(s->kinds, 0);
    listen_sub_free(s);
    s = sub("-12", "{\"toolsListChanged\":true,\"resourcesListChanged\":true}", NULL, 0);
    assert_int_equal(s->kinds, LISTEN_TOOLS | LISTEN_RESOURCES);
    listen_sub_free(s);
    listen_sub_free(NULL);
}

static void test_bounds(void **state)
{
    char big[IPC_MAX_URI + 2], id[300];
    (void)state;

    /* ids: a string or an integer of at most 255 bytes as JSON */
    refused(NULL, json_object_new_object());
    refused(json_object_new_double(1.5), json_object_new_object());
    refused(json_object_new_boolean(1), json_object_new_object());
    memset(id, 'i', sizeof(id) - 1);
    id[sizeof(id) - 1] = '\0';
    refused(json_object_new_string(id), json_object_new_object());

    json_object *ok = json_object_new_int(1);
    refused(json_object_get(ok), NULL);
    refused(json_object_get(ok), json_tokener_parse("[]"));
    refused(json_object_get(ok), json_tokener_parse("{\"toolsListChanged\":1}"));
    refused(json_object_get(ok), json_tokener_parse("{\"promptsListChanged\":\"yes\"}"));
    refused(json_object_get(ok), json_tokener_parse("{\"resourcesListChanged\":null}"));
    refused(json_object_get(ok), json_tokener_parse("{\"resourceSubscriptions\":\"a://1\"}"));
    refused(json_object_get(ok), json_tokener_parse("{\"resourceSubscriptions\":[1]}"));
    refused(json_object_get(ok), json_tokener_parse("{\"resourceSubscriptions\":[\"\"]}"));
    refused(json_object_get(ok), json_tokener_parse("{\"resourceSubscriptions\":[\"a\\u0000b\"]}"));

    /* URIs: at most IPC_MAX_URI bytes, at most LISTEN_MAX_URIS of them */
    json_object *n = json_object_new_object(), *uris = json_object_new_array();
    memset(big, 'u', IPC_MAX_URI);
    big[IPC_MAX_URI] = '\0';
    json_object_array_add(uris, json_object_new_string(big));
    for (int i = 1; i < LISTEN_MAX_URIS; i++) {
        char u[32];
        snprintf(u, sizeof(u), "test://%d", i);
        json_object_array_add(uris, json_object_new_string(u));
    }
    json_object_object_add(n, "resourceSubscriptions", uris);
    struct listen_sub *s = NULL;
    json_object *ack = NULL;
    const char *why = NULL;
    assert_int_equal(listen_sub_new(ok, n, &s, &ack, &why), MCP_OK);
    assert_int_equal(s->n_uris, LISTEN_MAX_URIS);
    assert_true(listen_sub_has_uri(s, big));
    assert_true(listen_sub_has_uri(s, "test://63"));
    listen_sub_free(s);
    json_object_put(ack);
    json_object_array_add(uris, json_object_new_string("test://64"));
    refused(json_object_get(ok), json_object_get(n)); /* 65 */
    json_object_array_del_idx(uris, LISTEN_MAX_URIS, 1);
    big[IPC_MAX_URI] = 'u';
    big[IPC_MAX_URI + 1] = '\0';
    json_object_array_put_idx(uris, 0, json_object_new_string(big));
    refused(json_object_get(ok), n); /* 2049 bytes */
    json_object_put(ok);
}

static void test_notes(void **state)
{
    char ack[256], out[1024];
    struct listen_note n;
    (void)state;

    struct listen_sub *s = sub("\"x\"", "{\"toolsListChanged\":true}", ack, sizeof(ack));
    json_object *m =
        json_tokener_parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}");
    listen_note_init(&n, m, 65000);
    assert_int_equal(n.kind, LISTEN_TOOLS);
    text_for(&n, s, out, sizeof(out));
    assert_string_equal(out, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\","
                             "\"params\":{\"_meta\":{\"io.modelcontextprotocol/"
                             "subscriptionId\":\"x\"}}}");
    /* too small a buffer: nothing */
    assert_int_equal(listen_note_text(&n, s, out, listen_note_size(&n, s) - 1), 0);
    /* a message too large for the limit is not for listen streams */
    struct listen_note small;
    listen_note_init(&small, m, 100);
    assert_int_equal(small.kind, LISTEN_NONE);
    listen_note_clear(&small);
    listen_note_clear(&n);
    json_object_put(m);

    /* the other params and _meta members stay; a subscription id there is replaced; params
     * moves to the end */
    m = json_tokener_parse(
        "{\"method\":\"notifications/resources/updated\",\"params\":{\"a\":1,\"_meta\":{\"k\":"
        "\"v\",\"io.modelcontextprotocol/subscriptionId\":\"old\"},\"uri\":\"a://1\"},"
        "\"jsonrpc\":\"2.0\"}");
    listen_note_init(&n, m, 65000);
    assert_int_equal(n.kind, LISTEN_UPDATED);
    assert_string_equal(n.uri, "a://1");
    struct listen_sub *t = sub("42", "{\"resourceSubscriptions\":[\"a://1\"]}", NULL, 0);
    text_for(&n, t, out, sizeof(out));
    assert_string_equal(out, "{\"method\":\"notifications/resources/updated\",\"jsonrpc\":\"2.0\","
                             "\"params\":{\"a\":1,\"uri\":\"a://1\",\"_meta\":{\"k\":\"v\","
                             "\"io.modelcontextprotocol/subscriptionId\":42}}}");
    json_object *back = json_tokener_parse(out);
    assert_non_null(back);
    json_object_put(back);
    /* the message itself is untouched */
    assert_non_null(strstr(json_object_to_json_string_ext(m, FLAGS), "\"old\""));
    assert_true(listen_wants(t, &n, NULL));
    assert_true(listen_wants(t, &n, "a://1"));
    assert_false(listen_wants(t, &n, "b://2"));
    assert_false(listen_wants(s, &n, NULL)); /* not subscribed to a://1 */
    listen_note_clear(&n);
    json_object_put(m);

    listen_sub_free(s);
    listen_sub_free(t);
}

/* Kinds and filters: each stream gets exactly what it asked for. */
static void test_filters(void **state)
{
    (void)state;
    static const struct {
        const char *msg;
        enum listen_kind kind;
    } cases[] = {
        {"{\"method\":\"notifications/tools/list_changed\"}", LISTEN_TOOLS},
        {"{\"method\":\"notifications/prompts/list_changed\",\"params\":null}", LISTEN_PROMPTS},
        {"{\"method\":\"notifications/resources/list_changed\",\"params\":{\"_meta\":null}}",
         LISTEN_RESOURCES},
        {"{\"method\":\"notifications/resources/updated\",\"params\":{\"uri\":\"a://1\"}}",
         LISTEN_UPDATED},
        /* never for listen streams */
        {"{\"method\":\"notifications/message\",\"params\":{\"level\":\"info\"}}", LISTEN_NONE},
        {"{\"method\":\"notifications/progress\",\"params\":{\"progressToken\":1}}", LISTEN_NONE},
        {"{\"method\":\"notifications/resources/updated\",\"params\":{}}", LISTEN_NONE},
        {"{\"method\":\"notifications/resources/updated\",\"params\":{\"uri\":7}}", LISTEN_NONE},
        {"{\"method\":\"notifications/tools/list_changed\",\"params\":[1]}", LISTEN_NONE},
        {"{\"method\":\"notifications/tools/list_changed\",\"params\":{\"_meta\":1}}", LISTEN_NONE},
        {"{\"method\":7}", LISTEN_NONE},
        {"[]", LISTEN_NONE},
    };
    struct listen_sub *prompts = sub("1", "{\"promptsListChanged\":true}", NULL, 0);
    struct listen_sub *all =
        sub("2",
            "{\"toolsListChanged\":true,\"promptsListChanged\":true,\"resourcesListChanged\":true,"
            "\"resourceSubscriptions\":[\"a://1\"]}",
            NULL, 0);
    struct listen_sub *none = sub("3", "{\"toolsListChanged\":false}", NULL, 0);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_object *m = json_tokener_parse(cases[i].msg);
        struct listen_note n;
        listen_note_init(&n, m, 65000);
        assert_int_equal(n.kind, cases[i].kind);
        assert_int_equal(listen_wants(prompts, &n, NULL), cases[i].kind == LISTEN_PROMPTS);
        assert_int_equal(listen_wants(all, &n, NULL), cases[i].kind != LISTEN_NONE);
        assert_false(listen_wants(none, &n, NULL));
        /* a sender's uri filter: only streams subscribed to it */
        assert_false(listen_wants(prompts, &n, "a://1"));
        assert_int_equal(listen_wants(all, &n, "a://1"), cases[i].kind != LISTEN_NONE);
        assert_false(listen_wants(all, &n, "b://2"));
        if (n.kind != LISTEN_NONE) {
            char out[512];
            text_for(&n, all, out, sizeof(out));
            json_object *back = json_tokener_parse(out), *p, *meta, *id;
            assert_non_null(back);
            assert_true(json_object_object_get_ex(back, "params", &p));
            assert_true(json_object_object_get_ex(p, "_meta", &meta));
            assert_true(json_object_object_get_ex(meta, LISTEN_SUB_ID, &id));
            assert_int_equal(json_object_get_int(id), 2);
            json_object_put(back);
        } else {
            assert_null(n.head);
            assert_int_equal(listen_note_text(&n, all, (char[8]){0}, 8), 0);
        }
        listen_note_clear(&n);
        json_object_put(m);
    }
    listen_sub_free(prompts);
    listen_sub_free(all);
    listen_sub_free(none);
}

static void test_final(void **state)
{
    char out[LISTEN_FINAL_MAX], id[258];
    (void)state;

    struct listen_sub *s = sub("\"L-1\"", "{}", NULL, 0);
    size_t len = listen_final_text(s, out, sizeof(out));
    assert_int_equal(len, strlen(out));
    assert_string_equal(out, "{\"jsonrpc\":\"2.0\",\"id\":\"L-1\",\"result\":{\"resultType\":"
                             "\"complete\",\"_meta\":{\"io.modelcontextprotocol/subscriptionId\":"
                             "\"L-1\"}}}");
    assert_int_equal(listen_final_text(s, out, 20), 0);
    listen_sub_free(s);
    /* the longest id still fits LISTEN_FINAL_MAX */
    id[0] = '"';
    memset(id + 1, 'x', 253);
    id[254] = '"';
    id[255] = '\0';
    json_object *v = json_tokener_parse(id), *n = json_object_new_object(), *ack = NULL;
    const char *why;
    assert_int_equal(listen_sub_new(v, n, &s, &ack, &why), MCP_OK);
    assert_int_equal(s->rpc_len, 255);
    assert_true(listen_final_text(s, out, sizeof(out)) > 2 * 255);
    listen_sub_free(s);
    json_object_put(ack);
    json_object_put(v);
    json_object_put(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ack_and_members), cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_notes),           cmocka_unit_test(test_filters),
        cmocka_unit_test(test_final),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("listen", tests, NULL, NULL);
}
