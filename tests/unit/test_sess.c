/* test_sess.c - the session table, driven with an injected clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ipc.h"
#include "sess.h"

#define T0_WALL 1700000000
#define T0_MONO 5000000

static struct sess_now at(int64_t ms_after_t0)
{
    struct sess_now n = {T0_WALL + ms_after_t0 / 1000, T0_MONO + ms_after_t0};
    return n;
}

static const char *str_member(json_object *o, const char *name)
{
    json_object *v;

    assert_true(json_object_object_get_ex(o, name, &v));
    assert_true(json_object_is_type(v, json_type_string));
    return json_object_get_string(v);
}

static int64_t int_member(json_object *o, const char *name)
{
    json_object *v;

    assert_true(json_object_object_get_ex(o, name, &v));
    assert_true(json_object_is_type(v, json_type_int));
    return json_object_get_int64(v);
}

/* Creates a session for principal at now; returns its id (static buffer per call site). */
static void create(struct sess_table *t, const struct sess_now *now, const char *principal,
                   char id[IPC_SESSION_ID_LEN + 1])
{
    json_object *s = NULL;

    assert_int_equal(sess_create(t, now, principal, "2025-06-18", NULL, NULL, &s, NULL), MCP_OK);
    memcpy(id, str_member(s, "id"), IPC_SESSION_ID_LEN + 1);
    json_object_put(s);
}

static void test_create_json_members(void **state)
{
    (void)state;
    struct sess_table *t = sess_table_new(10, 60);
    struct sess_now now = at(0);
    json_object *caps = json_tokener_parse("{\"roots\":{\"listChanged\":true}}");
    json_object *info = json_tokener_parse("{\"name\":\"c\",\"version\":\"1\"}");
    json_object *s = NULL;

    assert_int_equal(sess_create(t, &now, "alice", "2025-06-18", caps, info, &s, NULL), MCP_OK);
    assert_int_equal(json_object_object_length(s), 11);
    const char *id = str_member(s, "id");
    assert_true(ipc_session_id_valid(id));
    assert_string_equal(str_member(s, "principal"), "alice");
    assert_string_equal(str_member(s, "version"), "2025-06-18");
    assert_string_equal(str_member(s, "transport"), "streamable");
    assert_string_equal(str_member(s, "log_level"), "");
    json_object *v;
    assert_true(json_object_object_get_ex(s, "client_capabilities", &v));
    assert_true(json_object_equal(v, caps));
    assert_true(json_object_object_get_ex(s, "client_info", &v));
    assert_true(json_object_equal(v, info));
    assert_true(json_object_object_get_ex(s, "initialized", &v));
    assert_true(json_object_is_type(v, json_type_boolean));
    assert_false(json_object_get_boolean(v));
    assert_true(json_object_object_get_ex(s, "subscriptions", &v));
    assert_true(json_object_is_type(v, json_type_array));
    assert_int_equal(json_object_array_length(v), 0);
    assert_int_equal(int_member(s, "created"), T0_WALL);
    assert_int_equal(int_member(s, "last_active"), T0_WALL);

    /* The table keeps its own copies: changing the caller's objects changes nothing. */
    json_object_object_add(caps, "sampling", json_object_new_object());
    json_object *g = NULL;
    struct sess_now later = at(5000);
    assert_int_equal(sess_get(t, &later, id, "alice", &g), MCP_OK);
    assert_true(json_object_object_get_ex(g, "client_capabilities", &v));
    assert_int_equal(json_object_object_length(v), 1);
    assert_int_equal(int_member(g, "created"), T0_WALL);
    assert_int_equal(int_member(g, "last_active"), T0_WALL + 5);
    json_object_put(g);

    /* NULL caps/info mean {}. */
    json_object *s2 = NULL;
    assert_int_equal(sess_create(t, &now, "", "2025-03-26", NULL, NULL, &s2, NULL), MCP_OK);
    assert_true(json_object_object_get_ex(s2, "client_capabilities", &v));
    assert_true(json_object_is_type(v, json_type_object));
    assert_string_not_equal(str_member(s2, "id"), id);
    assert_int_equal(sess_count(t), 2);

    json_object_put(s2);
    json_object_put(s);
    json_object_put(caps);
    json_object_put(info);
    sess_table_free(t);
}

static void test_create_invalid(void **state)
{
    (void)state;
    struct sess_table *t = sess_table_new(10, 60);
    struct sess_now now = at(0);
    json_object *arr = json_object_new_array();
    json_object *s = (json_object *)1;
    const char *why = NULL;
    char longp[IPC_MAX_PRINCIPAL + 2];

    assert_int_equal(sess_create(t, &now, NULL, "v", NULL, NULL, &s, &why), MCP_E_INVALID_PARAMS);
    assert_null(s);
    assert_non_null(why);
    assert_int_equal(sess_create(t, &now, "a", "", NULL, NULL, NULL, NULL), MCP_E_INVALID_PARAMS);
    assert_int_equal(sess_create(t, &now, "a", NULL, NULL, NULL, NULL, NULL), MCP_E_INVALID_PARAMS);
    assert_int_equal(sess_create(t, &now, "a", "v", arr, NULL, NULL, NULL), MCP_E_INVALID_PARAMS);
    assert_int_equal(sess_create(t, &now, "a", "v", NULL, arr, NULL, NULL), MCP_E_INVALID_PARAMS);
    memset(longp, 'p', sizeof(longp) - 1);
    longp[sizeof(longp) - 1] = '\0';
    assert_int_equal(sess_create(t, &now, longp, "v", NULL, NULL, NULL, NULL),
                     MCP_E_INVALID_PARAMS);
    longp[IPC_MAX_PRINCIPAL] = '\0';
    assert_int_equal(sess_create(t, &now, longp, "v", NULL, NULL, NULL, NULL), MCP_OK);

    /* A session that would not fit one reply frame. */
    char *big = malloc(SESS_MAX_JSON);
    assert_non_null(big);
    memset(big, 'b', SESS_MAX_JSON - 1);
    big[SESS_MAX_JSON - 1] = '\0';
    json_object *info = json_object_new_object();
    json_object_object_add(info, "name", json_object_new_string(big));
    assert_int_equal(sess_create(t, &now, "a", "v", NULL, info, NULL, &why), MCP_E_INVALID_PARAMS);
    assert_int_equal(sess_count(t), 1);
    json_object_put(info);
    free(big);
    json_object_put(arr);
    sess_table_free(t);
}

static void test_get_principal_mismatch(void **state)
{
    (void)state;
    struct sess_table *t = sess_table_new(10, 60);
    struct sess_now now = at(0);
    char alice[IPC_SESSION_ID_LEN + 1], anon[IPC_SESSION_ID_LEN + 1];
    json_object *s = (json_object *)1;
    json_object *empty = json_object_new_object();

    create(t, &now, "alice", alice);
    create(t, &now, "", anon);
    assert_int_equal(sess_get(t, &now, alice, "alice", &s), MCP_OK);
    json_object_put(s);
    assert_int_equal(sess_get(t, &now, anon, "", NULL), MCP_OK);

    /* Another principal, a prefix or extension of the owner, anonymous vs named. */
    static const char *const others[] = {"bob", "alic", "alice ", "Alice", ""};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        s = (json_object *)1;
        assert_int_equal(sess_get(t, &now, alice, others[i], &s), MCP_E_SESSION_NOT_FOUND);
        assert_null(s);
        assert_int_equal(sess_update(t, &now, alice, others[i], empty, NULL, NULL),
                         MCP_E_SESSION_NOT_FOUND);
        assert_int_equal(sess_delete(t, &now, alice, others[i]), MCP_E_SESSION_NOT_FOUND);
    }
    assert_int_equal(sess_get(t, &now, anon, "alice", NULL), MCP_E_SESSION_NOT_FOUND);
    assert_int_equal(sess_get(t, &now, alice, NULL, NULL), MCP_E_SESSION_NOT_FOUND);

    /* Unknown and malformed ids answer the same. */
    assert_int_equal(sess_get(t, &now, "0123456789abcdef0123456789abcdef", "alice", NULL),
                     MCP_E_SESSION_NOT_FOUND);
    assert_int_equal(sess_get(t, &now, "nope", "alice", NULL), MCP_E_SESSION_NOT_FOUND);
    assert_int_equal(sess_get(t, &now, NULL, "alice", NULL), MCP_E_SESSION_NOT_FOUND);
    char upper[IPC_SESSION_ID_LEN + 1];
    memcpy(upper, alice, sizeof(upper));
    for (size_t i = 0; i < IPC_SESSION_ID_LEN; i++)
        if (upper[i] >= 'a')
            upper[i] = (char)(upper[i] - 'a' + 'A');
    if (strcmp(upper, alice) != 0)
        assert_int_equal(sess_get(t, &now, upper, "alice", NULL), MCP_E_SESSION_NOT_FOUND);

    /* Still there for its owner. */
    assert_int_equal(sess_get(t, &now, alice, "alice", NULL), MCP_OK);
    json_object_put(empty);
    sess_table_free(t);
}

static json_object *update(struct sess_table *t, const struct sess_now *now, const char *id,
                           const char *changes, enum mcp_err want, const char **why)
{
    json_object *c = json_tokener_parse(changes);
    json_object *s = NULL;

    assert_non_null(c);
    assert_int_equal(sess_update(t, now, id, "u", c, &s, why), want);
    json_object_put(c);
    if (want != MCP_OK)
        assert_null(s);
    return s;
}

static void test_update(void **state)
{
    (void)state;
    struct sess_table *t = sess_table_new(10, 60);
    struct sess_now now = at(0);
    char id[IPC_SESSION_ID_LEN + 1];
    const char *why = NULL;
    json_object *s, *v;

    create(t, &now, "u", id);
    s = update(t, &now, id,
               "{\"log_level\":\"debug\",\"initialized\":true,\"subscribe\":\"file:///a\"}", MCP_OK,
               NULL);
    assert_string_equal(str_member(s, "log_level"), "debug");
    assert_true(json_object_object_get_ex(s, "initialized", &v));
    assert_true(json_object_get_boolean(v));
    assert_true(json_object_object_get_ex(s, "subscriptions", &v));
    assert_int_equal(json_object_array_length(v), 1);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "file:///a");
    json_object_put(s);

    /* Subscribing twice is idempotent; order is kept; unsubscribe of an absent URI is fine. */
    json_object_put(update(t, &now, id, "{\"subscribe\":\"file:///b\"}", MCP_OK, NULL));
    json_object_put(update(t, &now, id, "{\"subscribe\":\"file:///a\"}", MCP_OK, NULL));
    json_object_put(update(t, &now, id, "{\"unsubscribe\":\"file:///zz\"}", MCP_OK, NULL));
    s = update(t, &now, id, "{\"unsubscribe\":\"file:///a\"}", MCP_OK, NULL);
    assert_true(json_object_object_get_ex(s, "subscriptions", &v));
    assert_int_equal(json_object_array_length(v), 1);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "file:///b");
    json_object_put(s);

    /* All or none: one bad member leaves everything unchanged. */
    static const char *const bad[] = {
        "{\"log_level\":\"verbose\"}",
        "{\"log_level\":7}",
        "{\"initialized\":\"yes\"}",
        "{\"subscribe\":\"\"}",
        "{\"subscribe\":[\"x\"]}",
        "{\"unsubscribe\":null}",
        "{\"subscribe\":\"file:///c\",\"bogus\":1}",
        "{\"log_level\":\"error\",\"initialized\":1}",
        "{\"subscribe\":\"a\\u0000b\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why = NULL;
        update(t, &now, id, bad[i], MCP_E_INVALID_PARAMS, &why);
        assert_non_null(why);
    }
    assert_int_equal(sess_update(t, &now, id, "u", NULL, NULL, NULL), MCP_E_INVALID_PARAMS);
    s = NULL;
    assert_int_equal(sess_get(t, &now, id, "u", &s), MCP_OK);
    assert_string_equal(str_member(s, "log_level"), "debug");
    assert_true(json_object_object_get_ex(s, "subscriptions", &v));
    assert_int_equal(json_object_array_length(v), 1);
    json_object_put(s);

    /* Unknown session is checked before the changes. */
    update(t, &now, "0123456789abcdef0123456789abcdef", "{\"bogus\":1}", MCP_E_SESSION_NOT_FOUND,
           NULL);

    /* Every level name is accepted; initialized can be set back. */
    static const char *const levels[] = {"debug", "info",     "notice", "warning",
                                         "error", "critical", "alert",  "emergency"};
    for (size_t i = 0; i < 8; i++) {
        char c[64];
        snprintf(c, sizeof(c), "{\"log_level\":\"%s\",\"initialized\":false}", levels[i]);
        s = update(t, &now, id, c, MCP_OK, NULL);
        assert_string_equal(str_member(s, "log_level"), levels[i]);
        json_object_put(s);
    }
    sess_table_free(t);
}

static void test_subscribe_bounds(void **state)
{
    (void)state;
    struct sess_table *t = sess_table_new(10, 60);
    struct sess_now now = at(0);
    char id[IPC_SESSION_ID_LEN + 1];
    char uri[IPC_MAX_URI + 2];
    const char *why = NULL;

    create(t, &now, "u", id);
    /* A URI of IPC_MAX_URI bytes is fine, one more is not. */
    memset(uri, 'u', IPC_MAX_URI + 1);
    uri[IPC_MAX_URI + 1] = '\0';
    json_object *c = json_object_new_object();
    json_object_object_add(c, "subscribe", json_object_new_string(uri));
    assert_int_equal(sess_update(t, &now, id, "u", c, NULL, &why), MCP_E_INVALID_PARAMS);
    json_object_put(c);
    uri[IPC_MAX_URI] = '\0';
    c = json_object_new_object();
    json_object_object_add(c, "subscribe", json_object_new_string(uri));
    assert_int_equal(sess_update(t, &now, id, "u", c, NULL, NULL), MCP_OK);
    json_object_put(c);
    c = json_object_new_object();
    json_object_object_add(c, "unsubscribe", json_object_new_string(uri));
    assert_int_equal(sess_update(t, &now, id, "u", c, NULL, NULL), MCP_OK);
    json_object_put(c);

    /* IPC_MAX_SUBS short URIs fit; one more does not; a swap at the cap does. */
    for (int i = 0; i < IPC_MAX_SUBS; i++) {
        char ch[64];
        snprintf(ch, sizeof(ch), "{\"subscribe\":\"file:///%d\"}", i);
        json_object_put(update(t, &now, id, ch, MCP_OK, NULL));
    }
    update(t, &now, id, "{\"subscribe\":\"file:///new\"}", MCP_E_INVALID_PARAMS, &why);
    json_object_put(update(t, &now, id, "{\"subscribe\":\"file:///7\"}", MCP_OK, NULL));
    json_object *s = update(
        t, &now, id, "{\"unsubscribe\":\"file:///0\",\"subscribe\":\"file:///new\"}", MCP_OK, NULL);
    json_object *v;
    assert_true(json_object_object_get_ex(s, "subscriptions", &v));
    assert_int_equal(json_object_array_length(v), IPC_MAX_SUBS);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(v, IPC_MAX_SUBS - 1)),
                        "file:///new");
    json_object_put(s);

    /* Long URIs hit the frame budget before the count cap. */
    char id2[IPC_SESSION_ID_LEN + 1];
    create(t, &now, "u", id2);
    memset(uri, 'l', IPC_MAX_URI);
    uri[IPC_MAX_URI] = '\0';
    int n = 0;
    enum mcp_err rc = MCP_OK;
    while (rc == MCP_OK && n < IPC_MAX_SUBS) {
        snprintf(uri, sizeof(uri), "%04d", n);
        uri[4] = 'l';
        c = json_object_new_object();
        json_object_object_add(c, "subscribe", json_object_new_string(uri));
        s = NULL;
        rc = sess_update(t, &now, id2, "u", c, &s, &why);
        json_object_put(c);
        if (rc == MCP_OK) {
            size_t len = 0;
            json_object_to_json_string_length(s, JSON_C_TO_STRING_PLAIN, &len);
            assert_true(len <= SESS_MAX_JSON);
            json_object_put(s);
            n++;
        }
    }
    assert_int_equal(rc, MCP_E_INVALID_PARAMS);
    assert_true(n > 20 && n < IPC_MAX_SUBS);
    sess_table_free(t);
}

static void test_delete(void **state)
{
    (void)state;
    struct sess_table *t = sess_table_new(10, 60);
    struct sess_now now = at(0);
    char id[IPC_SESSION_ID_LEN + 1];

    create(t, &now, "u", id);
    assert_int_equal(sess_delete(t, &now, id, "u"), MCP_OK);
    assert_int_equal(sess_count(t), 0);
    assert_int_equal(sess_get(t, &now, id, "u", NULL), MCP_E_SESSION_NOT_FOUND);
    assert_int_equal(sess_delete(t, &now, id, "u"), MCP_E_SESSION_NOT_FOUND);
    sess_table_free(t);
}

static void test_expiry(void **state)
{
    (void)state;
    struct sess_table *t = sess_table_new(10, 2);
    struct sess_now t0 = at(0), t2 = at(2000), t3 = at(3000), t5 = at(5000), t7 = at(7001);
    char a[IPC_SESSION_ID_LEN + 1], b[IPC_SESSION_ID_LEN + 1];

    create(t, &t0, "u", a);
    create(t, &t0, "u", b);
    /* Idle exactly the timeout: still alive. Activity renews it. */
    assert_int_equal(sess_get(t, &t2, a, "u", NULL), MCP_OK);
    json_object_put(update(t, &t3, a, "{\"initialized\":true}", MCP_OK, NULL));
    /* b idle 3 s > 2 s: not found even before the reaper runs, and freed by the lookup. */
    assert_int_equal(sess_get(t, &t3, b, "u", NULL), MCP_E_SESSION_NOT_FOUND);
    assert_int_equal(sess_count(t), 1);
    assert_int_equal(sess_get(t, &t5, a, "u", NULL), MCP_OK);
    assert_int_equal(sess_delete(t, &t7, a, "u"), MCP_E_SESSION_NOT_FOUND);
    assert_int_equal(sess_count(t), 0);
    sess_table_free(t);
}

static void test_reap(void **state)
{
    (void)state;
    struct sess_table *t = sess_table_new(100, 2);
    char ids[6][IPC_SESSION_ID_LEN + 1];

    for (int i = 0; i < 6; i++) {
        struct sess_now n = at(i * 400);
        create(t, &n, "u", ids[i]);
    }
    /* Touch the oldest so it is no longer first to go. */
    struct sess_now n = at(1900);
    assert_int_equal(sess_get(t, &n, ids[0], "u", NULL), MCP_OK);
    struct sess_now r = at(3300); /* idle: 0..5 = 1400, 2900, 2500, 2100, 1700, 1300 ms */
    assert_int_equal(sess_reap(t, &r), 3);
    assert_int_equal(sess_count(t), 3);
    assert_int_equal(sess_get(t, &r, ids[0], "u", NULL), MCP_OK);
    assert_int_equal(sess_get(t, &r, ids[4], "u", NULL), MCP_OK);
    assert_int_equal(sess_reap(t, &r), 0);
    struct sess_now late = at(100000);
    assert_int_equal(sess_reap(t, &late), 3);
    assert_int_equal(sess_count(t), 0);

    /* Limits can change (SIGHUP): a longer timeout keeps sessions that would have expired. */
    create(t, &late, "u", ids[0]);
    sess_table_set_limits(t, 100, 60);
    struct sess_now later = at(100000 + 30000);
    assert_int_equal(sess_reap(t, &later), 0);
    assert_int_equal(sess_get(t, &later, ids[0], "u", NULL), MCP_OK);
    sess_table_free(t);
}

static void test_cap(void **state)
{
    (void)state;
    struct sess_table *t = sess_table_new(3, 10);
    struct sess_now now = at(0);
    char ids[3][IPC_SESSION_ID_LEN + 1];
    json_object *s = (json_object *)1;

    for (int i = 0; i < 3; i++)
        create(t, &now, "u", ids[i]);
    assert_int_equal(sess_create(t, &now, "u", "v", NULL, NULL, &s, NULL), MCP_E_SESSIONS_FULL);
    assert_null(s);
    assert_int_equal(sess_delete(t, &now, ids[1], "u"), MCP_OK);
    create(t, &now, "u", ids[1]);
    assert_int_equal(sess_create(t, &now, "u", "v", NULL, NULL, NULL, NULL), MCP_E_SESSIONS_FULL);

    /* Expired sessions are reaped before refusing. */
    struct sess_now t5 = at(5000);
    assert_int_equal(sess_get(t, &t5, ids[0], "u", NULL), MCP_OK);
    struct sess_now t11 = at(11000);
    assert_int_equal(sess_create(t, &t11, "u", "v", NULL, NULL, NULL, NULL), MCP_OK);
    assert_int_equal(sess_count(t), 2);
    assert_int_equal(sess_get(t, &t11, ids[0], "u", NULL), MCP_OK);

    /* A lowered cap refuses until the count drops below it. */
    sess_table_set_limits(t, 1, 10);
    assert_int_equal(sess_create(t, &t11, "u", "v", NULL, NULL, NULL, NULL), MCP_E_SESSIONS_FULL);
    assert_int_equal(sess_get(t, &t11, ids[0], "u", NULL), MCP_OK);
    sess_table_free(t);
}

static void test_many_sessions(void **state)
{
    (void)state;
    enum { N = 5000 };
    struct sess_table *t = sess_table_new(N, 60);
    struct sess_now now = at(0);
    char(*ids)[IPC_SESSION_ID_LEN + 1] = calloc(N, sizeof(*ids));

    /* Enough to grow the hash table several times; every id stays reachable and unique. */
    assert_non_null(ids);
    for (int i = 0; i < N; i++)
        create(t, &now, i % 2 ? "odd" : "even", ids[i]);
    assert_int_equal(sess_count(t), N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(sess_get(t, &now, ids[i], i % 2 ? "odd" : "even", NULL), MCP_OK);
        assert_int_equal(sess_get(t, &now, ids[i], i % 2 ? "even" : "odd", NULL),
                         MCP_E_SESSION_NOT_FOUND);
    }
    for (int i = 0; i < N; i += 2)
        assert_int_equal(sess_delete(t, &now, ids[i], "even"), MCP_OK);
    assert_int_equal(sess_count(t), N / 2);
    free(ids);
    sess_table_free(t);
}

static void test_clock(void **state)
{
    (void)state;
    struct sess_now a, b;

    sess_now_read(&a);
    sess_now_read(&b);
    assert_true(a.wall_s > 1600000000);
    assert_true(b.mono_ms >= a.mono_ms);
}

/* What the ext_free hook saw. */
struct gone {
    int calls;
    char last[IPC_SESSION_ID_LEN + 1];
    void *last_ext;
};

static void on_gone(void *arg, const char *id, void *ext)
{
    struct gone *g = arg;

    g->calls++;
    memcpy(g->last, id, IPC_SESSION_ID_LEN + 1);
    g->last_ext = ext;
}

static void count_each(void *arg, const char *id, void **slot)
{
    (void)id;
    (void)slot;
    (*(int *)arg)++;
}

static void test_slots_hooks_pins(void **state)
{
    (void)state;
    struct sess_table *t = sess_table_new(10, 2);
    struct gone g = {0};
    struct sess_now now = at(0);
    char a[IPC_SESSION_ID_LEN + 1], b[IPC_SESSION_ID_LEN + 1], c[IPC_SESSION_ID_LEN + 1];
    void **slot = NULL;
    int marker_a, marker_b, n = 0;
    json_object *ch = json_tokener_parse("{\"subscribe\":\"test://x\"}");

    sess_table_set_ext_free(t, on_gone, &g);
    create(t, &now, "u", a);
    create(t, &now, "u", b);
    create(t, &now, "v", c);
    assert_int_equal(sess_slot(t, &now, a, "v", false, &slot), MCP_E_SESSION_NOT_FOUND);
    assert_null(slot);
    assert_int_equal(sess_slot(t, &now, a, "u", false, &slot), MCP_OK);
    assert_null(*slot);
    *slot = &marker_a;
    assert_int_equal(sess_slot(t, &now, b, "u", false, &slot), MCP_OK);
    *slot = &marker_b;
    assert_int_equal(sess_update(t, &now, b, "u", ch, NULL, NULL), MCP_OK);
    assert_true(sess_subscribed(t, &now, b, "test://x"));
    assert_false(sess_subscribed(t, &now, a, "test://x"));
    assert_int_equal(sess_each(t, &now, NULL, count_each, &n), 3);
    assert_int_equal(n, 3);
    n = 0;
    assert_int_equal(sess_each(t, &now, "test://x", count_each, &n), 1);

    /* delete runs the hook with the slot's value */
    assert_int_equal(sess_delete(t, &now, a, "u"), MCP_OK);
    assert_int_equal(g.calls, 1);
    assert_string_equal(g.last, a);
    assert_ptr_equal(g.last_ext, &marker_a);

    /* a pinned session never expires; sess_end ends it whatever its principal */
    assert_int_equal(sess_pin(t, &now, c), MCP_OK);
    struct sess_now late = at(10000);
    assert_int_equal(sess_each(t, &late, NULL, count_each, &n), 1); /* b expired, c pinned */
    assert_int_equal(sess_reap(t, &late), 1);                       /* b, past the pinned c */
    assert_int_equal(g.calls, 2);
    assert_ptr_equal(g.last_ext, &marker_b);
    json_object *pinned = NULL;
    assert_int_equal(sess_get(t, &late, c, "v", &pinned), MCP_OK);
    assert_string_equal(str_member(pinned, "transport"), "sse"); /* a 2024-11-05 session */
    json_object_put(pinned);
    assert_int_equal(sess_pin(t, &late, a), MCP_E_SESSION_NOT_FOUND);
    assert_int_equal(sess_end(t, c), MCP_OK);
    assert_int_equal(sess_end(t, c), MCP_E_SESSION_NOT_FOUND);
    assert_int_equal(g.calls, 3);
    assert_null(g.last_ext);

    /* expiry found by a lookup and table_free run it too */
    create(t, &late, "u", a);
    struct sess_now later = at(20000);
    assert_int_equal(sess_slot(t, &later, a, "u", true, &slot), MCP_E_SESSION_NOT_FOUND);
    assert_int_equal(g.calls, 4);
    create(t, &later, "u", a);
    sess_table_free(t);
    assert_int_equal(g.calls, 5);
    json_object_put(ch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_json_members),
        cmocka_unit_test(test_create_invalid),
        cmocka_unit_test(test_get_principal_mismatch),
        cmocka_unit_test(test_update),
        cmocka_unit_test(test_subscribe_bounds),
        cmocka_unit_test(test_delete),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_reap),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_many_sessions),
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_slots_hooks_pins),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("sess", tests, NULL, NULL);
}
