/*
 * fuzz_stream.c - libFuzzer driver for sessiond's stream records (sessiond/stream.c),
 * including the resolution of client-supplied Last-Event-ID strings.
 *
 * Input: byte 0 sets replay_events (0..15); then a program of operations, one byte each
 * with argument bytes after it: open a POST stream (with an rpc id), append (priming, plain,
 * final) to a stream, resume from an arbitrary id string, attach/detach a connection,
 * cancel, open a server-to-client request, deliver, await, forget, advance the clock.
 * Checks the invariants after every step: logs within their bounds and in seq order, the
 * session's counts right, ended streams holding no connection, a resumed id replaying
 * exactly the events after it, hooks called only for what they may be called for.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sse.h"
#include "stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_WAITERS 8

static void fuzz_check(int cond)
{
    if (!cond)
        abort();
}

struct fuzz {
    const uint8_t *p;
    size_t left;
    int64_t now;
    struct stream_sess *ss;
    struct stream_req *waiting[FUZZ_WAITERS]; /* requests bound to waiter slot i */
    int waiters[FUZZ_WAITERS];                /* the waiter objects (their addresses) */
};

static unsigned fuzz_byte(struct fuzz *z)
{
    if (z->left == 0)
        return 0;
    z->left--;
    return *z->p++;
}

static void fuzz_conn_end(void *arg, void *conn)
{
    (void)arg;
    stream_detach(conn); /* the driver uses the stream itself as its connection */
}

static void fuzz_wait_done(void *arg, void *waiter, enum mcp_err err, json_object *response)
{
    struct fuzz *z = arg;
    int i = (int)((int *)waiter - z->waiters);

    fuzz_check(i >= 0 && i < FUZZ_WAITERS && z->waiting[i] != NULL);
    fuzz_check((err == MCP_OK) == (response != NULL));
    fuzz_check(err == MCP_OK || err == MCP_E_CANCELLED || err == MCP_E_SESSION_NOT_FOUND);
    z->waiting[i] = NULL;
    json_object_put(response);
}

/* Any stream of the session by a byte: 0 = stream 0, else the n-th open or ended one. */
static struct stream *fuzz_pick(struct fuzz *z, unsigned b)
{
    struct stream *st;
    unsigned n = 0;

    if (b == 0)
        return &z->ss->zero;
    TAILQ_FOREACH(st, &z->ss->open, link)
    if (++n == b)
        return st;
    TAILQ_FOREACH(st, &z->ss->ended, link)
    if (++n == b)
        return st;
    return stream_find(z->ss, b); /* by key, or NULL */
}

/* A stream's log: within bounds, consecutive seqs ending with the newest event. */
static void fuzz_log(const struct stream *st, int replay)
{
    fuzz_check(st->n_log <= (size_t)replay && st->log_bytes <= STREAM_LOG_MAX_BYTES);
    fuzz_check(st->n_log <= st->next_seq);
    uint64_t expect = st->next_seq - st->n_log;
    for (const struct stream_event *ev = stream_after(st, UINT64_MAX); ev != NULL;
         ev = stream_event_next(ev))
        fuzz_check(ev->seq == expect++);
    fuzz_check(expect == st->next_seq);
}

static void fuzz_invariants(struct fuzz *z, int replay)
{
    struct stream_sess *ss = z->ss;
    struct stream *st;
    int held = ss->zero.conn != NULL;
    size_t n_open = 0, n_ended = 0;

    fuzz_log(&ss->zero, replay);
    TAILQ_FOREACH(st, &ss->open, link)
    {
        n_open++;
        fuzz_check(!st->ended);
        held += st->conn != NULL;
        fuzz_log(st, replay);
    }
    TAILQ_FOREACH(st, &ss->ended, link)
    {
        n_ended++;
        fuzz_check(st->ended && st->conn == NULL);
        fuzz_log(st, replay);
    }
    fuzz_check(n_open == ss->n_open && n_open <= STREAM_MAX_OPEN);
    fuzz_check(n_ended == ss->n_ended && n_ended <= STREAM_KEEP_ENDED);
    fuzz_check(held == ss->held);
    fuzz_check(ss->n_reqs <= STREAM_MAX_REQS && ss->n_cancels <= STREAM_MAX_CANCELS);
}

/* Resumes from id; when accepted, checks the replay is exactly the events after it. */
static void fuzz_resume(struct fuzz *z, const char *id)
{
    struct stream *st = NULL;
    uint64_t after = 0;
    uint32_t key;
    uint64_t seq;

    if (stream_resume(z->ss, id, &st, &after) != MCP_OK) {
        fuzz_check(st == NULL);
        return;
    }
    fuzz_check(sse_id_parse(id, &key, &seq) == MCP_OK && st->key == key && after == seq);
    fuzz_check(after < st->next_seq);
    uint64_t expect = after + 1;
    for (const struct stream_event *ev = stream_after(st, after); ev != NULL;
         ev = stream_event_next(ev))
        fuzz_check(ev->seq == expect++);
    fuzz_check(expect == st->next_seq); /* none missing, none after the newest */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct stream_env env = {0};
    struct fuzz z = {.p = data, .left = size, .now = 1000};
    char text[64], id[64], rpc[STREAM_RPC_ID_MAX];
    struct stream *st;
    struct stream_req *sr;
    json_object *resp;
    uint64_t seq;

    int replay = (int)(fuzz_byte(&z) % 16);
    env.replay_events = replay;
    env.req_ttl_ms = 5000;
    env.conn_end = fuzz_conn_end;
    env.wait_done = fuzz_wait_done;
    env.arg = &z;
    z.ss = stream_sess_new(&env, "00000000000000000000000000000000");

    for (int steps = 0; z.left > 0 && steps < 1024; steps++) {
        unsigned op = fuzz_byte(&z) % 11, a = fuzz_byte(&z), b = fuzz_byte(&z);
        switch (op) {
        case 0: /* open */
            snprintf(rpc, sizeof(rpc), "%u", a % 8);
            if (stream_open(z.ss, z.now, (b & 1) ? rpc : NULL, &st) == MCP_OK)
                fuzz_check(st->key >= 1 && !st->ended && st->conn == NULL);
            break;
        case 1: /* append: b & 3 = 0 priming, 1 plain, 2 final */
            if ((st = fuzz_pick(&z, a % 80)) == NULL)
                break;
            {
                bool final = (b & 3) == 2, was_ended = st->ended;
                void *conn = st->conn;
                int n = snprintf(text, sizeof(text), "{\"v\":%u}", b);
                enum mcp_err rc = stream_append(st, z.now, (b & 3) ? text : NULL,
                                                (b & 3) ? (size_t)n : 0, final, &seq);
                fuzz_check((rc == MCP_OK) == (!was_ended && !(final && st->key == 0)));
                if (rc == MCP_OK && final && conn != NULL)
                    stream_detach(st); /* as route does: write, then end the connection */
            }
            break;
        case 2: { /* resume from an id built of input bytes */
            size_t n = a % 24;
            size_t i;
            for (i = 0; i < n && z.left > 0; i++)
                id[i] = (char)fuzz_byte(&z);
            id[i] = '\0';
            fuzz_resume(&z, id);
            /* and a well-formed id near the real ones */
            if ((st = fuzz_pick(&z, b % 80)) != NULL) {
                sse_id_format(id, st->key, st->next_seq > 0 ? (st->next_seq - 1) - (b % 5) : b);
                fuzz_resume(&z, id);
            }
            break;
        }
        case 3: /* attach / detach */
            if ((st = fuzz_pick(&z, a % 80)) == NULL)
                break;
            if (st->conn != NULL)
                stream_detach(st);
            else if (!st->ended)
                stream_attach(st, st);
            break;
        case 4: /* cancel */
            snprintf(rpc, sizeof(rpc), "%u", a % 8);
            stream_cancel(z.ss, z.now, rpc);
            fuzz_check(stream_is_cancelled(z.ss, z.now, rpc));
            break;
        case 5: /* server-to-client request */
            if ((st = fuzz_pick(&z, a % 80)) != NULL)
                stream_req_new(z.ss, z.now, st, &sr);
            break;
        case 6: { /* deliver */
            json_object *r = json_object_new_object();
            json_object_object_add(r, "id", json_object_new_int(a % 16));
            stream_deliver(z.ss, z.now, r);
            json_object_put(r);
            break;
        }
        case 7: { /* await into waiter slot b */
            unsigned w = b % FUZZ_WAITERS;
            if (z.waiting[w] != NULL)
                break;
            enum mcp_err rc = stream_await(z.ss, z.now, a % 16, &z.waiters[w], &sr, &resp);
            fuzz_check(rc == MCP_OK || rc == MCP_E_CANCELLED || rc == MCP_E_INVALID_PARAMS);
            if (rc == MCP_OK && resp == NULL)
                z.waiting[w] = sr;
            json_object_put(resp);
            break;
        }
        case 8: /* a waiter gives up */
            if (z.waiting[a % FUZZ_WAITERS] != NULL) {
                stream_req_forget(z.waiting[a % FUZZ_WAITERS]);
                z.waiting[a % FUZZ_WAITERS] = NULL;
            }
            break;
        case 9: /* time passes */
            z.now += (int64_t)a * 500;
            break;
        default: /* end a cancelled stream, as a worker's final publish does */
            if ((st = fuzz_pick(&z, a % 80)) != NULL && st->key != 0 && st->cancelled)
                stream_end(st);
            break;
        }
        fuzz_invariants(&z, replay);
    }
    stream_sess_free(z.ss);
    for (int i = 0; i < FUZZ_WAITERS; i++)
        fuzz_check(z.waiting[i] == NULL); /* every await was answered */
    return 0;
}
