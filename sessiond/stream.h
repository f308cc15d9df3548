/*
 * stream.h - sessiond's stream records of one session (pure bookkeeping: no I/O, no libuv,
 * time passed in so tests drive the clock).
 *
 * A session has the standalone stream, key 0 (GET /mcp, or the 2024-11-05 GET /sse stream),
 * and POST streams with keys 1, 2, ... (up to STREAM_KEY_MAX), opened one per client request
 * that is answered with SSE. Every stream numbers its events from 0; the event id
 * "<key>.<seq>" (sse_id_format) names the stream and is unique in the session. Each stream
 * keeps a replay log of its newest events: at most env->replay_events events and
 * STREAM_LOG_MAX_BYTES bytes of data; older ones are dropped.
 *
 * A POST stream ends with its final event (the response), or when the session opens more
 * than STREAM_MAX_OPEN POST streams at once (the least recently active one is ended without
 * a final event: its worker is presumed dead). Ended streams stay resumable until they are
 * no longer among the STREAM_KEEP_ENDED most recently ended ones of the session.
 *
 * Held connections and awaiting workers belong to the caller; here they are opaque
 * pointers, and the hooks of struct stream_env say when one of them must be let go.
 * A stream holds at most one connection (stream->conn). Invariant: an ended stream holds
 * none.
 *
 * Server-to-client requests (struct stream_req) carry ids unique in the session (1, 2, ...),
 * wait for the client's response (stream_deliver) and for the worker that awaits it
 * (stream_await), in either order. One nobody awaits is forgotten env->req_ttl_ms after it
 * was sent; at most STREAM_MAX_REQS are in flight per session.
 *
 * Cancellations (the client's notifications/cancelled) are remembered per client request
 * id (its JSON text) for STREAM_CANCEL_TTL_MS, at most STREAM_MAX_CANCELS per session, so a
 * cancellation that overtakes its request still counts.
 */
#ifndef MCP_STREAM_H
#define MCP_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <json-c/json.h>

#include "ipc.h"
#include "mcp_err.h"

#define STREAM_KEY_MAX       999999u /* highest stream key (sse.h) */
#define STREAM_KEEP_ENDED    16      /* ended POST streams kept per session */
#define STREAM_MAX_OPEN      64      /* open POST streams per session */
#define STREAM_MAX_REQS      64      /* server-to-client requests in flight per session */
#define STREAM_MAX_CANCELS   64      /* cancelled client request ids remembered per session */
#define STREAM_CANCEL_TTL_MS 60000   /* how long a cancellation is remembered */
#define STREAM_LOG_MAX_BYTES (1024u * 1024u) /* data bytes of one replay log */
#define STREAM_RPC_ID_MAX    256             /* bytes of a client request id as JSON text */

struct stream_env {
    int replay_events;  /* events one log keeps (>= 0) */
    int64_t req_ttl_ms; /* a server-to-client request nobody awaits is forgotten after */
    /* A stream holding conn goes away or ends without a final event: end conn. The hook
     * must detach it (stream_detach) before returning. */
    void (*conn_end)(void *arg, void *conn);
    /* The await of waiter is answered: err MCP_OK with response (owned by the hook),
     * MCP_E_CANCELLED or MCP_E_SESSION_NOT_FOUND with response NULL. The request record is
     * freed right after the hook returns. */
    void (*wait_done)(void *arg, void *waiter, enum mcp_err err, json_object *response);
    void *arg;
};

/* One event of a replay log. data NULL: a priming event (an id and empty data). */
struct stream_event {
    uint64_t seq;
    char *data; /* JSON text, owned */
    size_t len;
    bool final;
    TAILQ_ENTRY(stream_event) link;
};
TAILQ_HEAD(stream_events, stream_event);

struct stream_sess;

/* One stream. Members are read-only outside stream.c. */
struct stream {
    uint32_t key;
    struct stream_sess *ss;
    uint64_t next_seq; /* seq of the next event; events 0..next_seq-1 were published */
    struct stream_events log;
    size_t n_log;
    size_t log_bytes;
    char *rpc_id;             /* JSON text of the client request (POST streams), or NULL */
    bool ended;               /* final event published, or evicted */
    bool cancelled;           /* the client cancelled rpc_id */
    bool attached_once;       /* a connection was held for it at some time */
    int64_t active_ms;        /* last publish (or open) */
    void *conn;               /* the held connection, NULL when none */
    TAILQ_ENTRY(stream) link; /* in the session's open or ended list (POST streams) */
};
TAILQ_HEAD(stream_list, stream);

/* A server-to-client request in flight. Members are read-only outside stream.c. */
struct stream_req {
    int64_t id;            /* its JSON-RPC id */
    uint32_t key;          /* the stream it went out on */
    json_object *response; /* delivered before anyone awaited it, owned */
    void *waiter;          /* the worker awaiting it, NULL when none */
    int64_t expires_ms;    /* forgotten then if nobody awaits it */
    struct stream_sess *ss;
    TAILQ_ENTRY(stream_req) link;
};
TAILQ_HEAD(stream_reqs, stream_req);

struct stream_cancel {
    char *rpc_id; /* owned JSON text */
    int64_t until_ms;
    TAILQ_ENTRY(stream_cancel) link;
};
TAILQ_HEAD(stream_cancels, stream_cancel);

/* The stream records of one session. Members are read-only outside stream.c, except
 * legacy. */
struct stream_sess {
    char sid[IPC_SESSION_ID_LEN + 1];
    const struct stream_env *env; /* borrowed */
    struct stream zero;           /* key 0 */
    struct stream_list open;      /* POST streams not ended, least recently active first */
    struct stream_list ended;     /* ended POST streams, oldest end first */
    size_t n_open, n_ended;
    uint32_t next_key;
    int64_t next_req_id;
    struct stream_reqs reqs;
    size_t n_reqs;
    struct stream_cancels cancels; /* oldest first */
    size_t n_cancels;
    int held;    /* connections held for this session's streams */
    bool legacy; /* a 2024-11-05 session: ends when its stream 0 connection ends */
};

/* New records for session sid (env borrowed for their lifetime). */
struct stream_sess *stream_sess_new(const struct stream_env *env, const char *sid);

/* Ends every held connection (env->conn_end), answers every await with
 * MCP_E_SESSION_NOT_FOUND (env->wait_done), frees everything. NULL is fine. */
void stream_sess_free(struct stream_sess *ss);

/*
 * Canonical JSON text of a client request id (a string or an integer) into out
 * (STREAM_RPC_ID_MAX bytes). False when id is of another type or too long.
 */
bool stream_rpc_id_text(json_object *id, char *out);

/*
 * Opens a POST stream for the client request rpc_id (JSON text from stream_rpc_id_text, or
 * NULL). Errors: MCP_E_CANCELLED (rpc_id was cancelled), MCP_E_SESSION_STREAMS_FULL (the
 * session used up its keys).
 */
enum mcp_err stream_open(struct stream_sess *ss, int64_t now_ms, const char *rpc_id,
                         struct stream **out);

/* The stream key (0, open or kept ended), or NULL. */
struct stream *stream_find(struct stream_sess *ss, uint32_t key);

/*
 * Appends an event to st: data (len bytes, copied; NULL = priming) and its seq in *seq.
 * final ends a POST stream: the caller then writes the event to st->conn, if any, and ends
 * that connection (detaching it) before doing anything else, so that an ended stream holds
 * none. Errors: MCP_E_INVALID_PARAMS (st ended, or final on stream 0).
 */
enum mcp_err stream_append(struct stream *st, int64_t now_ms, const char *data, size_t len,
                           bool final, uint64_t *seq);

/* Marks a POST stream ended without appending (its request was cancelled and the worker
 * gave up); the stream must hold no connection. Idempotent. */
void stream_end(struct stream *st);

/*
 * Resolves a Last-Event-ID: *out = its stream, *after = its seq. MCP_E_BAD_EVENT_ID when the
 * id is malformed, names no stream kept for this session, was never issued, or events after
 * it were dropped from the log.
 */
enum mcp_err stream_resume(struct stream_sess *ss, const char *last_event_id, struct stream **out,
                           uint64_t *after);

/* The first logged event of st with seq > after (after = UINT64_MAX: the oldest one), or
 * NULL; stream_event_next continues. */
const struct stream_event *stream_after(const struct stream *st, uint64_t after);
const struct stream_event *stream_event_next(const struct stream_event *ev);

/* Attaches conn to st (not ended, holding none) and counts it for the session. */
void stream_attach(struct stream *st, void *conn);
/* Lets go of st's connection. */
void stream_detach(struct stream *st);

/* Records the cancellation of client request rpc_id: its open stream becomes cancelled and
 * awaits of requests sent on it are answered MCP_E_CANCELLED. */
void stream_cancel(struct stream_sess *ss, int64_t now_ms, const char *rpc_id);

/* True when the client cancelled rpc_id (remembered, or its stream is cancelled). */
bool stream_is_cancelled(struct stream_sess *ss, int64_t now_ms, const char *rpc_id);

/*
 * Records a server-to-client request sent on st; (*out)->id is its JSON-RPC id. Errors:
 * MCP_E_INVALID_PARAMS (st ended), MCP_E_CANCELLED (st cancelled),
 * MCP_E_SESSION_STREAMS_FULL (STREAM_MAX_REQS in flight).
 */
enum mcp_err stream_req_new(struct stream_sess *ss, int64_t now_ms, struct stream *st,
                            struct stream_req **out);

/* Routes the client's response (borrowed; its "id" names the request) to its request: to
 * the waiter if one awaits it, else kept for the await. A response to no request in flight,
 * or a second one, is dropped. */
void stream_deliver(struct stream_sess *ss, int64_t now_ms, json_object *response);

/*
 * The await of request id by waiter. Answers at once when it can: MCP_OK with *response
 * (owned) when the response came already, MCP_E_CANCELLED when its stream was cancelled (the
 * request is forgotten in both cases). Otherwise MCP_OK with *response NULL and *req = the
 * request, now bound to waiter: the answer comes through env->wait_done, or the caller gives
 * up with stream_req_forget. Errors: MCP_E_INVALID_PARAMS (no such request in flight, or
 * someone awaits it already).
 */
enum mcp_err stream_await(struct stream_sess *ss, int64_t now_ms, int64_t id, void *waiter,
                          struct stream_req **req, json_object **response);

/* Forgets req (its await timed out, its waiter went away, or it could not be sent). NULL
 * is fine. */
void stream_req_forget(struct stream_req *req);

#endif
