/* stream.c - stream records, replay logs, server-to-client requests, cancellations. */
#include "stream.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "sse.h"

#define STREAM_SEQ_MAX (1ull << 53) /* sse.h */

static void stream_init(struct stream *st, struct stream_sess *ss, uint32_t key, int64_t now_ms)
{
    memset(st, 0, sizeof(*st));
    st->key = key;
    st->ss = ss;
    st->active_ms = now_ms;
    TAILQ_INIT(&st->log);
}

static void stream_event_free(struct stream_event *ev)
{
    free(ev->data);
    free(ev);
}

/* Drops the oldest event of st. */
static void stream_log_pop(struct stream *st)
{
    struct stream_event *ev = TAILQ_FIRST(&st->log);

    TAILQ_REMOVE(&st->log, ev, link);
    st->n_log--;
    st->log_bytes -= ev->len;
    stream_event_free(ev);
}

static void stream_clear(struct stream *st)
{
    while (!TAILQ_EMPTY(&st->log))
        stream_log_pop(st);
    free(st->rpc_id);
    st->rpc_id = NULL;
}

static void stream_free(struct stream *st)
{
    stream_clear(st);
    free(st);
}

struct stream_sess *stream_sess_new(const struct stream_env *env, const char *sid)
{
    struct stream_sess *ss = xcalloc(1, sizeof(*ss));

    snprintf(ss->sid, sizeof(ss->sid), "%s", sid);
    ss->env = env;
    stream_init(&ss->zero, ss, 0, 0);
    TAILQ_INIT(&ss->open);
    TAILQ_INIT(&ss->ended);
    TAILQ_INIT(&ss->reqs);
    TAILQ_INIT(&ss->cancels);
    ss->next_key = 1;
    ss->next_req_id = 1;
    return ss;
}

static void stream_req_free(struct stream_req *r)
{
    struct stream_sess *ss = r->ss;

    TAILQ_REMOVE(&ss->reqs, r, link);
    ss->n_reqs--;
    json_object_put(r->response);
    free(r);
}

/* Answers r's waiter (err, response taken) and frees r. */
static void stream_req_finish(struct stream_req *r, enum mcp_err err, json_object *response)
{
    const struct stream_env *env = r->ss->env;
    void *waiter = r->waiter;

    r->waiter = NULL;
    if (waiter != NULL && env->wait_done != NULL)
        env->wait_done(env->arg, waiter, err, response);
    else
        json_object_put(response);
    stream_req_free(r);
}

/* Ends st's held connection through the hook (which detaches it). */
static void stream_conn_end(struct stream *st)
{
    const struct stream_env *env = st->ss->env;

    if (st->conn != NULL && env->conn_end != NULL)
        env->conn_end(env->arg, st->conn);
    if (st->conn != NULL) /* a hook that did not detach: do it, so counts stay right */
        stream_detach(st);
}

void stream_sess_free(struct stream_sess *ss)
{
    struct stream *st;
    struct stream_cancel *c;

    if (ss == NULL)
        return;
    while (!TAILQ_EMPTY(&ss->reqs))
        stream_req_finish(TAILQ_FIRST(&ss->reqs), MCP_E_SESSION_NOT_FOUND, NULL);
    stream_conn_end(&ss->zero);
    stream_clear(&ss->zero);
    while ((st = TAILQ_FIRST(&ss->open)) != NULL) {
        TAILQ_REMOVE(&ss->open, st, link);
        stream_conn_end(st);
        stream_free(st);
    }
    while ((st = TAILQ_FIRST(&ss->ended)) != NULL) {
        TAILQ_REMOVE(&ss->ended, st, link);
        stream_free(st);
    }
    while ((c = TAILQ_FIRST(&ss->cancels)) != NULL) {
        TAILQ_REMOVE(&ss->cancels, c, link);
        free(c->rpc_id);
        free(c);
    }
    free(ss);
}

bool stream_rpc_id_text(json_object *id, char *out)
{
    if (id == NULL)
        return false;
    if (json_object_is_type(id, json_type_int)) {
        /* json-c keeps integers as int64 or uint64; both print in decimal */
        int n;
        if (json_object_get_int64(id) == INT64_MAX)
            n = snprintf(out, STREAM_RPC_ID_MAX, "%" PRIu64, json_object_get_uint64(id));
        else
            n = snprintf(out, STREAM_RPC_ID_MAX, "%" PRId64, json_object_get_int64(id));
        return n > 0 && n < STREAM_RPC_ID_MAX;
    }
    if (!json_object_is_type(id, json_type_string))
        return false;
    size_t len = 0;
    const char *text = json_object_to_json_string_length(
        id, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    if (text == NULL || len >= STREAM_RPC_ID_MAX)
        return false;
    memcpy(out, text, len + 1);
    return true;
}

/* Moves st (open) to the ended list and trims that list to STREAM_KEEP_ENDED. */
static void stream_retire(struct stream *st)
{
    struct stream_sess *ss = st->ss;
    struct stream *old;

    st->ended = true;
    TAILQ_REMOVE(&ss->open, st, link);
    ss->n_open--;
    TAILQ_INSERT_TAIL(&ss->ended, st, link);
    ss->n_ended++;
    while (ss->n_ended > STREAM_KEEP_ENDED) {
        old = TAILQ_FIRST(&ss->ended);
        TAILQ_REMOVE(&ss->ended, old, link);
        ss->n_ended--;
        stream_free(old);
    }
}

void stream_end(struct stream *st)
{
    if (st->key == 0 || st->ended)
        return;
    stream_conn_end(st);
    stream_retire(st);
}

enum mcp_err stream_open(struct stream_sess *ss, int64_t now_ms, const char *rpc_id,
                         struct stream **out)
{
    struct stream *st, *lru;

    *out = NULL;
    if (rpc_id != NULL && stream_is_cancelled(ss, now_ms, rpc_id))
        return MCP_E_CANCELLED;
    if (ss->next_key > STREAM_KEY_MAX)
        return MCP_E_SESSION_STREAMS_FULL;
    if (ss->n_open >= STREAM_MAX_OPEN) {
        lru = TAILQ_FIRST(&ss->open);
        TAILQ_FOREACH(st, &ss->open, link)
        if (st->active_ms < lru->active_ms)
            lru = st;
        stream_end(lru);
    }
    st = xmalloc(sizeof(*st));
    stream_init(st, ss, ss->next_key++, now_ms);
    if (rpc_id != NULL)
        st->rpc_id = xstrdup(rpc_id);
    TAILQ_INSERT_TAIL(&ss->open, st, link);
    ss->n_open++;
    *out = st;
    return MCP_OK;
}

struct stream *stream_find(struct stream_sess *ss, uint32_t key)
{
    struct stream *st;

    if (key == 0)
        return &ss->zero;
    TAILQ_FOREACH(st, &ss->open, link)
    if (st->key == key)
        return st;
    TAILQ_FOREACH(st, &ss->ended, link)
    if (st->key == key)
        return st;
    return NULL;
}

enum mcp_err stream_append(struct stream *st, int64_t now_ms, const char *data, size_t len,
                           bool final, uint64_t *seq)
{
    struct stream_sess *ss = st->ss;
    int keep = ss->env->replay_events;

    if (st->ended || (final && st->key == 0) || st->next_seq >= STREAM_SEQ_MAX)
        return MCP_E_INVALID_PARAMS;
    *seq = st->next_seq++;
    st->active_ms = now_ms;
    if (st->key != 0) { /* least recently active first */
        TAILQ_REMOVE(&ss->open, st, link);
        TAILQ_INSERT_TAIL(&ss->open, st, link);
    }
    if (keep <= 0 || len > STREAM_LOG_MAX_BYTES) {
        /* the log must end with the newest event: without it, nothing older can resume */
        while (!TAILQ_EMPTY(&st->log))
            stream_log_pop(st);
    } else {
        struct stream_event *ev = xcalloc(1, sizeof(*ev));
        ev->seq = *seq;
        ev->final = final;
        if (data != NULL) {
            ev->data = xmalloc(len + 1);
            memcpy(ev->data, data, len);
            ev->data[len] = '\0';
            ev->len = len;
        }
        TAILQ_INSERT_TAIL(&st->log, ev, link);
        st->n_log++;
        st->log_bytes += len;
    }
    while (st->n_log > 0 &&
           (st->n_log > (size_t)(keep > 0 ? keep : 0) || st->log_bytes > STREAM_LOG_MAX_BYTES))
        stream_log_pop(st);
    if (final)
        stream_retire(st);
    return MCP_OK;
}

enum mcp_err stream_resume(struct stream_sess *ss, const char *last_event_id, struct stream **out,
                           uint64_t *after)
{
    uint32_t key;
    uint64_t seq;
    struct stream *st;

    *out = NULL;
    if (sse_id_parse(last_event_id, &key, &seq) != MCP_OK || (st = stream_find(ss, key)) == NULL)
        return MCP_E_BAD_EVENT_ID;
    if (seq >= st->next_seq)
        return MCP_E_BAD_EVENT_ID; /* never issued */
    /* The events after seq must all be in the log: the oldest kept is seq + 1 or older. */
    uint64_t oldest = TAILQ_EMPTY(&st->log) ? st->next_seq : TAILQ_FIRST(&st->log)->seq;
    if (oldest > seq + 1)
        return MCP_E_BAD_EVENT_ID;
    *out = st;
    *after = seq;
    return MCP_OK;
}

const struct stream_event *stream_after(const struct stream *st, uint64_t after)
{
    const struct stream_event *ev;

    TAILQ_FOREACH(ev, &st->log, link)
    if (after == UINT64_MAX || ev->seq > after)
        return ev;
    return NULL;
}

const struct stream_event *stream_event_next(const struct stream_event *ev)
{
    return TAILQ_NEXT(ev, link);
}

void stream_attach(struct stream *st, void *conn)
{
    st->conn = conn;
    st->attached_once = true;
    st->ss->held++;
}

void stream_detach(struct stream *st)
{
    if (st->conn == NULL)
        return;
    st->conn = NULL;
    st->ss->held--;
}

/* Forgets cancellations older than STREAM_CANCEL_TTL_MS. */
static void stream_cancels_purge(struct stream_sess *ss, int64_t now_ms)
{
    struct stream_cancel *c;

    while ((c = TAILQ_FIRST(&ss->cancels)) != NULL && c->until_ms <= now_ms) {
        TAILQ_REMOVE(&ss->cancels, c, link);
        ss->n_cancels--;
        free(c->rpc_id);
        free(c);
    }
}

/* The open POST stream of rpc_id, or NULL. */
static struct stream *stream_by_rpc(struct stream_sess *ss, const char *rpc_id)
{
    struct stream *st;

    TAILQ_FOREACH(st, &ss->open, link)
    if (st->rpc_id != NULL && strcmp(st->rpc_id, rpc_id) == 0)
        return st;
    return NULL;
}

void stream_cancel(struct stream_sess *ss, int64_t now_ms, const char *rpc_id)
{
    struct stream_cancel *c;
    struct stream_req *r, *next;
    struct stream *st;

    stream_cancels_purge(ss, now_ms);
    TAILQ_FOREACH(c, &ss->cancels, link)
    if (strcmp(c->rpc_id, rpc_id) == 0)
        break;
    if (c != NULL) {
        TAILQ_REMOVE(&ss->cancels, c, link);
    } else {
        if (ss->n_cancels >= STREAM_MAX_CANCELS) {
            struct stream_cancel *old = TAILQ_FIRST(&ss->cancels);
            TAILQ_REMOVE(&ss->cancels, old, link);
            free(old->rpc_id);
            free(old);
            ss->n_cancels--;
        }
        c = xcalloc(1, sizeof(*c));
        c->rpc_id = xstrdup(rpc_id);
        ss->n_cancels++;
    }
    c->until_ms = now_ms + STREAM_CANCEL_TTL_MS;
    TAILQ_INSERT_TAIL(&ss->cancels, c, link); /* keeps the list in order of until_ms */

    if ((st = stream_by_rpc(ss, rpc_id)) == NULL)
        return;
    st->cancelled = true;
    for (r = TAILQ_FIRST(&ss->reqs); r != NULL; r = next) {
        next = TAILQ_NEXT(r, link);
        if (r->key == st->key && r->waiter != NULL)
            stream_req_finish(r, MCP_E_CANCELLED, NULL);
    }
}

bool stream_is_cancelled(struct stream_sess *ss, int64_t now_ms, const char *rpc_id)
{
    struct stream_cancel *c;
    struct stream *st;

    stream_cancels_purge(ss, now_ms);
    TAILQ_FOREACH(c, &ss->cancels, link)
    if (strcmp(c->rpc_id, rpc_id) == 0)
        return true;
    st = stream_by_rpc(ss, rpc_id);
    return st != NULL && st->cancelled;
}

/* Forgets requests nobody awaits that outlived their time. */
static void stream_reqs_purge(struct stream_sess *ss, int64_t now_ms)
{
    struct stream_req *r, *next;

    for (r = TAILQ_FIRST(&ss->reqs); r != NULL; r = next) {
        next = TAILQ_NEXT(r, link);
        if (r->waiter == NULL && r->expires_ms <= now_ms)
            stream_req_free(r);
    }
}

enum mcp_err stream_req_new(struct stream_sess *ss, int64_t now_ms, struct stream *st,
                            struct stream_req **out)
{
    struct stream_req *r;

    *out = NULL;
    if (st->ended)
        return MCP_E_INVALID_PARAMS;
    if (st->cancelled)
        return MCP_E_CANCELLED;
    stream_reqs_purge(ss, now_ms);
    if (ss->n_reqs >= STREAM_MAX_REQS)
        return MCP_E_SESSION_STREAMS_FULL;
    r = xcalloc(1, sizeof(*r));
    r->id = ss->next_req_id++;
    r->key = st->key;
    r->ss = ss;
    r->expires_ms = now_ms + ss->env->req_ttl_ms;
    TAILQ_INSERT_TAIL(&ss->reqs, r, link);
    ss->n_reqs++;
    *out = r;
    return MCP_OK;
}

static struct stream_req *stream_req_find(struct stream_sess *ss, int64_t id)
{
    struct stream_req *r;

    TAILQ_FOREACH(r, &ss->reqs, link)
    if (r->id == id)
        return r;
    return NULL;
}

void stream_deliver(struct stream_sess *ss, int64_t now_ms, json_object *response)
{
    json_object *idv;
    struct stream_req *r;

    stream_reqs_purge(ss, now_ms);
    if (response == NULL || !json_object_object_get_ex(response, "id", &idv) ||
        !json_object_is_type(idv, json_type_int))
        return;
    r = stream_req_find(ss, json_object_get_int64(idv));
    if (r == NULL || r->response != NULL)
        return;
    if (r->waiter != NULL)
        stream_req_finish(r, MCP_OK, json_object_get(response));
    else
        r->response = json_object_get(response);
}

enum mcp_err stream_await(struct stream_sess *ss, int64_t now_ms, int64_t id, void *waiter,
                          struct stream_req **req, json_object **response)
{
    struct stream_req *r;
    struct stream *st;

    *req = NULL;
    *response = NULL;
    stream_reqs_purge(ss, now_ms);
    r = stream_req_find(ss, id);
    if (r == NULL || r->waiter != NULL)
        return MCP_E_INVALID_PARAMS;
    if (r->response != NULL) {
        *response = r->response;
        r->response = NULL;
        stream_req_free(r);
        return MCP_OK;
    }
    st = stream_find(ss, r->key);
    if (st != NULL && st->cancelled) {
        stream_req_free(r);
        return MCP_E_CANCELLED;
    }
    r->waiter = waiter;
    *req = r;
    return MCP_OK;
}

void stream_req_forget(struct stream_req *req)
{
    if (req != NULL)
        stream_req_free(req);
}
