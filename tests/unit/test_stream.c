/* test_stream.c - sessiond's stream records: keys, replay logs, resumption, ended streams,
 * server-to-client requests and cancellations, driven with an injected clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sse.h"
#include "stream.h"

#define SID "0123456789abcdef0123456789abcdef"
#define T0  1000000 /* ms */

/* What the hooks saw. */
struct seen {
    int conn_ends;
    void *last_conn;
    int waits;
    void *last_waiter;
    enum mcp_err last_err;
    json_object *last_response; /* owned */
};

static void hook_conn_end(void *arg, void *conn)
{
    struct seen *s = arg;
    struct stream *st = conn; /* the tests use the stream itself as its "connection" */

    s->conn_ends++;
    s->last_conn = conn;
    stream_detach(st);
}

static void hook_wait_done(void *arg, void *waiter, enum mcp_err err, json_object *response)
{
    struct seen *s = arg;

    s->waits++;
    s->last_waiter = waiter;
    s->last_err = err;
    json_object_put(s->last_response);
    s->last_response = response;
}

struct fx {
    struct seen seen;
    struct stream_env env;
    struct stream_sess *ss;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    f->env.replay_events = 4;
    f->env.req_ttl_ms = 10000;
    f->env.conn_end = hook_conn_end;
    f->env.wait_done = hook_wait_done;
    f->env.arg = &f->seen;
    f->ss = stream_sess_new(&f->env, SID);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    stream_sess_free(f->ss);
    json_object_put(f->seen.last_response);
    free(f);
    return 0;
}

/* Appends "{\"n\":<n>}" to st; returns its seq. */
static uint64_t put(struct stream *st, int64_t now, int n, bool final)
{
    char text[32];
    uint64_t seq = UINT64_MAX;

    snprintf(text, sizeof(text), "{\"n\":%d}", n);
    assert_int_equal(stream_append(st, now, text, strlen(text), final, &seq), MCP_OK);
    return seq;
}

static void id_of(char *out, uint32_t key, uint64_t seq)
{
    sse_id_format(out, key, seq);
}

/* The data of the events stream_resume(id) would replay, joined with '|'. */
static void replay_of(struct stream_sess *ss, const char *id, char *out, size_t cap)
{
    struct stream *st = NULL;
    uint64_t after = 0;
    size_t off = 0;

    out[0] = '\0';
    assert_int_equal(stream_resume(ss, id, &st, &after), MCP_OK);
    for (const struct stream_event *ev = stream_after(st, after); ev != NULL;
         ev = stream_event_next(ev)) {
        int n = snprintf(out + off, cap - off, "%s%s", off ? "|" : "",
                         ev->data != NULL ? ev->data : "<prime>");
        assert_true(n > 0 && (size_t)n < cap - off);
        off += (size_t)n;
    }
}

static void test_keys_and_ids(void **state)
{
    struct fx *f = *state;
    struct stream *a, *b, *c;

    assert_int_equal(stream_open(f->ss, T0, NULL, &a), MCP_OK);
    assert_int_equal(stream_open(f->ss, T0, "7", &b), MCP_OK);
    assert_int_equal(stream_open(f->ss, T0, "\"x\"", &c), MCP_OK);
    assert_int_equal(a->key, 1);
    assert_int_equal(b->key, 2);
    assert_int_equal(c->key, 3);
    assert_ptr_equal(stream_find(f->ss, 0), &f->ss->zero);
    assert_ptr_equal(stream_find(f->ss, 2), b);
    assert_null(stream_find(f->ss, 4));
    /* Each stream numbers its own events from 0. */
    assert_int_equal(put(a, T0, 1, false), 0);
    assert_int_equal(put(a, T0, 2, false), 1);
    assert_int_equal(put(b, T0, 3, false), 0);
    assert_int_equal(put(&f->ss->zero, T0, 4, false), 0);
    uint64_t seq;
    assert_int_equal(stream_append(a, T0, NULL, 0, false, &seq), MCP_OK); /* priming */
    assert_int_equal(seq, 2);
    assert_null(TAILQ_LAST(&a->log, stream_events)->data);
}

static void test_replay_exact(void **state)
{
    struct fx *f = *state;
    struct stream *a, *b;
    char id[SSE_ID_MAX], got[256];

    assert_int_equal(stream_open(f->ss, T0, NULL, &a), MCP_OK);
    assert_int_equal(stream_open(f->ss, T0, NULL, &b), MCP_OK);
    /* Interleaved publishes on two streams. */
    put(a, T0, 10, false);
    put(b, T0, 20, false);
    put(a, T0, 11, false);
    put(b, T0, 21, false);
    put(a, T0, 12, false);
    id_of(id, a->key, 0);
    replay_of(f->ss, id, got, sizeof(got));
    assert_string_equal(got, "{\"n\":11}|{\"n\":12}"); /* none twice, none of b */
    id_of(id, b->key, 0);
    replay_of(f->ss, id, got, sizeof(got));
    assert_string_equal(got, "{\"n\":21}");
    id_of(id, a->key, 2); /* the newest: nothing to replay, but valid */
    replay_of(f->ss, id, got, sizeof(got));
    assert_string_equal(got, "");
}

static void test_resume_refusals(void **state)
{
    struct fx *f = *state;
    struct stream *a, *st;
    uint64_t after;
    char id[SSE_ID_MAX];
    static const char *const bad[] = {
        "",    "1",   "1.",  ".1",  "01.0", "1.01", "-1.0", "1.0.0", "1 .0",
        "a.b", "9.0", "0.0", "1.6", "1.1x", "1.-1", "+1.0", "1.0 ",  "1.9007199254740993"};

    assert_int_equal(stream_open(f->ss, T0, NULL, &a), MCP_OK);
    for (int i = 0; i < 6; i++)
        put(a, T0, i, false); /* seqs 0..5; the log keeps 2..5 */
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        st = (struct stream *)1;
        assert_int_equal(stream_resume(f->ss, bad[i], &st, &after), MCP_E_BAD_EVENT_ID);
        assert_null(st);
    }
    assert_int_equal(stream_resume(f->ss, NULL, &st, &after), MCP_E_BAD_EVENT_ID);
    /* Too old: events after 1.0 (1.1) were dropped. 1.1 itself is fine (2.. are kept). */
    assert_int_equal(stream_resume(f->ss, "1.0", &st, &after), MCP_E_BAD_EVENT_ID);
    assert_int_equal(stream_resume(f->ss, "1.1", &st, &after), MCP_OK);
    assert_ptr_equal(st, a);
    assert_int_equal(after, 1);
    /* Stream 0 never published: no id of it exists. */
    assert_int_equal(stream_resume(f->ss, "0.0", &st, &after), MCP_E_BAD_EVENT_ID);
    id_of(id, 0, 0);
    put(&f->ss->zero, T0, 1, false);
    assert_int_equal(stream_resume(f->ss, id, &st, &after), MCP_OK);
    assert_ptr_equal(st, &f->ss->zero);
}

static void test_no_replay_log(void **state)
{
    struct fx *f = *state;
    struct stream *st;
    uint64_t after;

    f->env.replay_events = 0;
    put(&f->ss->zero, T0, 1, false);
    put(&f->ss->zero, T0, 2, false);
    assert_int_equal(f->ss->zero.n_log, 0);
    /* Only the newest id resumes (nothing was dropped after it). */
    assert_int_equal(stream_resume(f->ss, "0.0", &st, &after), MCP_E_BAD_EVENT_ID);
    assert_int_equal(stream_resume(f->ss, "0.1", &st, &after), MCP_OK);
    assert_null(stream_after(st, after));
}

static void test_log_bytes_bound(void **state)
{
    struct fx *f = *state;
    size_t len = 60000;
    char *big = malloc(len);
    uint64_t seq;

    f->env.replay_events = 1000;
    memset(big, 'x', len);
    for (int i = 0; i < 40; i++)
        assert_int_equal(stream_append(&f->ss->zero, T0, big, len, false, &seq), MCP_OK);
    assert_true(f->ss->zero.log_bytes <= STREAM_LOG_MAX_BYTES);
    assert_int_equal(f->ss->zero.n_log, STREAM_LOG_MAX_BYTES / len);
    assert_int_equal(TAILQ_LAST(&f->ss->zero.log, stream_events)->seq, 39);
    free(big);
}

static void test_final_and_ended(void **state)
{
    struct fx *f = *state;
    struct stream *st, *first = NULL, *r;
    uint64_t seq, after;
    char id[SSE_ID_MAX], got[128];

    assert_int_equal(stream_append(&f->ss->zero, T0, "{}", 2, true, &seq), MCP_E_INVALID_PARAMS);
    for (int i = 0; i < STREAM_KEEP_ENDED + 1; i++) {
        assert_int_equal(stream_open(f->ss, T0 + i, NULL, &st), MCP_OK);
        if (first == NULL)
            first = st;
        put(st, T0 + i, i, false);
        put(st, T0 + i, 100 + i, true);
        assert_true(st->ended);
        assert_int_equal(stream_append(st, T0, "{}", 2, false, &seq), MCP_E_INVALID_PARAMS);
        if (i == 0) {
            /* Ended streams resume: the final event is replayed. */
            id_of(id, st->key, 0);
            replay_of(f->ss, id, got, sizeof(got));
            assert_string_equal(got, "{\"n\":100}");
            assert_true(TAILQ_FIRST(&st->log)->final == false);
            assert_true(TAILQ_LAST(&st->log, stream_events)->final);
        }
    }
    assert_int_equal(f->ss->n_ended, STREAM_KEEP_ENDED);
    assert_int_equal(f->ss->n_open, 0);
    /* The oldest ended stream is gone: its ids no longer resume. */
    assert_int_equal(stream_resume(f->ss, "1.0", &r, &after), MCP_E_BAD_EVENT_ID);
    assert_null(stream_find(f->ss, 1));
    assert_int_equal(stream_resume(f->ss, "2.0", &r, &after), MCP_OK);
    assert_true(r->ended);
}

static void test_open_cap_evicts_lru(void **state)
{
    struct fx *f = *state;
    struct stream *st, *keys[STREAM_MAX_OPEN];

    for (int i = 0; i < STREAM_MAX_OPEN; i++) {
        assert_int_equal(stream_open(f->ss, T0 + i, NULL, &keys[i]), MCP_OK);
    }
    put(keys[0], T0 + 100, 1, false); /* stream 1 is active again: stream 2 is the LRU */
    stream_attach(keys[1], keys[1]);
    assert_int_equal(f->ss->held, 1);
    assert_int_equal(stream_open(f->ss, T0 + 200, NULL, &st), MCP_OK);
    assert_int_equal(st->key, STREAM_MAX_OPEN + 1);
    assert_int_equal(f->ss->n_open, STREAM_MAX_OPEN);
    assert_true(keys[1]->ended);
    assert_false(keys[0]->ended);
    assert_int_equal(f->seen.conn_ends, 1); /* its connection was ended */
    assert_ptr_equal(f->seen.last_conn, keys[1]);
    assert_null(keys[1]->conn);
    assert_int_equal(f->ss->held, 0);
}

static void test_attach_counts(void **state)
{
    struct fx *f = *state;
    struct stream *a;
    int conn;

    assert_int_equal(stream_open(f->ss, T0, NULL, &a), MCP_OK);
    assert_false(a->attached_once);
    stream_attach(a, &conn);
    stream_attach(&f->ss->zero, &conn);
    assert_int_equal(f->ss->held, 2);
    assert_true(a->attached_once);
    stream_detach(a);
    stream_detach(a); /* idempotent */
    assert_int_equal(f->ss->held, 1);
    assert_true(a->attached_once);
    stream_detach(&f->ss->zero);
    assert_int_equal(f->ss->held, 0);
}

static void test_rpc_id_text(void **state)
{
    char out[STREAM_RPC_ID_MAX];
    json_object *v;
    (void)state;

    v = json_object_new_int64(-42);
    assert_true(stream_rpc_id_text(v, out));
    assert_string_equal(out, "-42");
    json_object_put(v);
    v = json_object_new_string("42");
    assert_true(stream_rpc_id_text(v, out));
    assert_string_equal(out, "\"42\""); /* a string id differs from the integer */
    json_object_put(v);
    v = json_object_new_double(1.5);
    assert_false(stream_rpc_id_text(v, out));
    json_object_put(v);
    assert_false(stream_rpc_id_text(NULL, out));
    char *longs = malloc(STREAM_RPC_ID_MAX);
    memset(longs, 'a', STREAM_RPC_ID_MAX - 1);
    longs[STREAM_RPC_ID_MAX - 1] = '\0';
    v = json_object_new_string(longs);
    assert_false(stream_rpc_id_text(v, out));
    json_object_put(v);
    free(longs);
}

static void test_cancel_before_open(void **state)
{
    struct fx *f = *state;
    struct stream *st;

    stream_cancel(f->ss, T0, "5");
    assert_true(stream_is_cancelled(f->ss, T0, "5"));
    assert_false(stream_is_cancelled(f->ss, T0, "\"5\""));
    assert_int_equal(stream_open(f->ss, T0 + 1000, "5", &st), MCP_E_CANCELLED);
    assert_null(st);
    assert_int_equal(stream_open(f->ss, T0 + 1000, "6", &st), MCP_OK);
    /* Remembered for STREAM_CANCEL_TTL_MS only. */
    assert_int_equal(stream_open(f->ss, T0 + STREAM_CANCEL_TTL_MS, "5", &st), MCP_OK);
    assert_false(stream_is_cancelled(f->ss, T0 + STREAM_CANCEL_TTL_MS, "\"zz\""));
}

static void test_cancel_bound(void **state)
{
    struct fx *f = *state;
    char id[16];

    for (int i = 0; i <= STREAM_MAX_CANCELS; i++) {
        snprintf(id, sizeof(id), "%d", i);
        stream_cancel(f->ss, T0 + i, id);
    }
    assert_int_equal(f->ss->n_cancels, STREAM_MAX_CANCELS);
    assert_false(stream_is_cancelled(f->ss, T0 + 100, "0")); /* the oldest was forgotten */
    assert_true(stream_is_cancelled(f->ss, T0 + 100, "1"));
    /* Cancelling again refreshes, without growing. */
    stream_cancel(f->ss, T0 + 200, "1");
    assert_int_equal(f->ss->n_cancels, STREAM_MAX_CANCELS);
}

static void test_cancel_open_stream(void **state)
{
    struct fx *f = *state;
    struct stream *st, *other;
    struct stream_req *r1, *r2, *r3, *sr;
    json_object *resp;
    int w1, w3;

    assert_int_equal(stream_open(f->ss, T0, "9", &st), MCP_OK);
    assert_int_equal(stream_open(f->ss, T0, "10", &other), MCP_OK);
    assert_int_equal(stream_req_new(f->ss, T0, st, &r1), MCP_OK);
    assert_int_equal(stream_req_new(f->ss, T0, st, &r2), MCP_OK);
    assert_int_equal(stream_req_new(f->ss, T0, other, &r3), MCP_OK);
    int64_t id1 = r1->id, id2 = r2->id, id3 = r3->id;
    assert_int_equal(stream_await(f->ss, T0, id1, &w1, &sr, &resp), MCP_OK);
    assert_ptr_equal(sr, r1);
    assert_null(resp);
    assert_int_equal(stream_await(f->ss, T0, id3, &w3, &sr, &resp), MCP_OK);

    stream_cancel(f->ss, T0, "9");
    assert_true(st->cancelled);
    assert_true(stream_is_cancelled(f->ss, T0, "9"));
    assert_int_equal(f->seen.waits, 1); /* the await on st, not the one on other */
    assert_ptr_equal(f->seen.last_waiter, &w1);
    assert_int_equal(f->seen.last_err, MCP_E_CANCELLED);
    /* The request not awaited yet answers cancelled when awaited. */
    assert_int_equal(stream_await(f->ss, T0, id2, &w1, &sr, &resp), MCP_E_CANCELLED);
    assert_int_equal(stream_await(f->ss, T0, id2, &w1, &sr, &resp), MCP_E_INVALID_PARAMS);
    assert_int_equal(stream_req_new(f->ss, T0, st, &sr), MCP_E_CANCELLED);
    assert_false(other->cancelled);
    assert_int_equal(f->ss->n_reqs, 1);
}

static void test_deliver_then_await(void **state)
{
    struct fx *f = *state;
    struct stream_req *r, *sr;
    json_object *resp = NULL;
    int w;

    assert_int_equal(stream_req_new(f->ss, T0, &f->ss->zero, &r), MCP_OK);
    int64_t id = r->id;
    json_object *answer = json_tokener_parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":1}}");
    json_object *second = json_tokener_parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":2}}");
    json_object *stray = json_tokener_parse("{\"jsonrpc\":\"2.0\",\"id\":99,\"result\":{}}");
    json_object *strid = json_tokener_parse("{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"result\":{}}");
    assert_int_equal(id, 1);
    stream_deliver(f->ss, T0, stray); /* dropped */
    stream_deliver(f->ss, T0, strid); /* not our id type: dropped */
    stream_deliver(f->ss, T0, answer);
    stream_deliver(f->ss, T0, second); /* a second answer is dropped */
    assert_int_equal(stream_await(f->ss, T0, id, &w, &sr, &resp), MCP_OK);
    assert_null(sr);
    assert_non_null(resp);
    assert_true(json_object_equal(resp, answer));
    json_object_put(resp);
    assert_int_equal(f->ss->n_reqs, 0);
    assert_int_equal(f->seen.waits, 0);
    json_object_put(answer);
    json_object_put(second);
    json_object_put(stray);
    json_object_put(strid);
}

static void test_await_then_deliver(void **state)
{
    struct fx *f = *state;
    struct stream_req *r, *sr, *r2;
    json_object *resp = NULL;
    int w, w2;

    assert_int_equal(stream_req_new(f->ss, T0, &f->ss->zero, &r), MCP_OK);
    assert_int_equal(stream_req_new(f->ss, T0, &f->ss->zero, &r2), MCP_OK);
    assert_int_equal(r2->id, r->id + 1); /* unique in the session */
    assert_int_equal(stream_await(f->ss, T0, r->id, &w, &sr, &resp), MCP_OK);
    assert_ptr_equal(sr, r);
    assert_int_equal(stream_await(f->ss, T0, r->id, &w2, &sr, &resp), MCP_E_INVALID_PARAMS);
    json_object *answer = json_tokener_parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{}}");
    stream_deliver(f->ss, T0, answer);
    assert_int_equal(f->seen.waits, 1);
    assert_ptr_equal(f->seen.last_waiter, &w);
    assert_int_equal(f->seen.last_err, MCP_OK);
    assert_true(json_object_equal(f->seen.last_response, answer));
    json_object_put(answer);
    /* An await that times out forgets the request. */
    assert_int_equal(stream_await(f->ss, T0, r2->id, &w2, &sr, &resp), MCP_OK);
    stream_req_forget(sr);
    assert_int_equal(f->ss->n_reqs, 0);
    assert_int_equal(stream_await(f->ss, T0, 2, &w2, &sr, &resp), MCP_E_INVALID_PARAMS);
}

static void test_requests_expire_and_bound(void **state)
{
    struct fx *f = *state;
    struct stream_req *r, *awaited, *sr;
    json_object *resp;
    int w;

    for (int i = 0; i < STREAM_MAX_REQS; i++)
        assert_int_equal(stream_req_new(f->ss, T0, &f->ss->zero, &r), MCP_OK);
    assert_int_equal(stream_req_new(f->ss, T0, &f->ss->zero, &r), MCP_E_SESSION_STREAMS_FULL);
    /* One is being awaited: it never expires by age. */
    assert_int_equal(stream_await(f->ss, T0, 1, &w, &awaited, &resp), MCP_OK);
    assert_int_equal(stream_req_new(f->ss, T0 + 10000, &f->ss->zero, &r), MCP_OK);
    assert_int_equal(f->ss->n_reqs, 2);
    assert_int_equal(r->id, STREAM_MAX_REQS + 1);
    assert_int_equal(stream_await(f->ss, T0 + 10000, 5, &w, &sr, &resp), MCP_E_INVALID_PARAMS);
    /* An ended stream takes no requests. */
    struct stream *st;
    assert_int_equal(stream_open(f->ss, T0, NULL, &st), MCP_OK);
    put(st, T0, 1, true);
    assert_int_equal(stream_req_new(f->ss, T0, st, &r), MCP_E_INVALID_PARAMS);
}

static void test_sess_free_answers_and_ends(void **state)
{
    struct fx *f = *state;
    struct stream *st;
    struct stream_req *r, *sr;
    json_object *resp;
    int w;

    assert_int_equal(stream_open(f->ss, T0, NULL, &st), MCP_OK);
    stream_attach(st, st);
    stream_attach(&f->ss->zero, &f->ss->zero);
    assert_int_equal(stream_req_new(f->ss, T0, st, &r), MCP_OK);
    assert_int_equal(stream_await(f->ss, T0, r->id, &w, &sr, &resp), MCP_OK);
    stream_sess_free(f->ss);
    f->ss = NULL;
    assert_int_equal(f->seen.conn_ends, 2);
    assert_int_equal(f->seen.waits, 1);
    assert_int_equal(f->seen.last_err, MCP_E_SESSION_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keys_and_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replay_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_replay_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_bytes_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_final_and_ended, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_cap_evicts_lru, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attach_counts, setup, teardown),
        cmocka_unit_test(test_rpc_id_text),
        cmocka_unit_test_setup_teardown(test_cancel_before_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_open_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deliver_then_await, setup, teardown),
        cmocka_unit_test_setup_teardown(test_await_then_deliver, setup, teardown),
        cmocka_unit_test_setup_teardown(test_requests_expire_and_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sess_free_answers_and_ends, setup, teardown),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("stream", tests, NULL, NULL);
}
