/*
 * sessc.h - a worker's client of mcp-sessiond (the session daemon), over the Unix control
 * socket described in common/ipc.h.
 *
 * A struct sessc is owned by one worker process and reused across requests. It connects
 * lazily, and reconnects by itself on the next call after any failure, so a worker recovers
 * on its own once sessiond is back. Every call is bounded by cfg->sessiond_timeout_ms in
 * total (connect + send + receive): when sessiond is down or stalled the call returns
 * MCP_E_UNAVAILABLE within that time and never hangs.
 *
 * Sessions travel as json-c objects with these members:
 *   "id"                   string, the Mcp-Session-Id (>= 128 bits from getrandom, hex)
 *   "principal"            string, REMOTE_USER of the creator or "" for anonymous
 *   "version"              string, negotiated protocol version
 *   "client_capabilities"  object
 *   "client_info"          object
 *   "log_level"            string ("" until logging/setLevel)
 *   "initialized"          boolean (notifications/initialized seen)
 *   "subscriptions"        array of resource URIs
 *   "created", "last_active"  integers, Unix seconds
 *   "transport"            "sse" for a 2024-11-05 session (its GET /sse stream is held; the
 *                          session lives as long as that stream), else "streamable"
 */
#ifndef MCP_SESSC_H
#define MCP_SESSC_H

#include <json-c/json.h>

#include "cfg.h"
#include "mcp_err.h"

struct sessc;

/* cfg borrowed for the lifetime of the sessc. Does not connect. */
struct sessc *sessc_new(const struct mcp_cfg *cfg);
void sessc_free(struct sessc *sc);

/* Starts the budget of one HTTP request: the calls until sessc_end_request may wait for
 * sessiond cfg->sessiond_timeout_ms in total (time spent elsewhere, e.g. running a tool or in
 * sessc_await, does not count), and after one call failed with MCP_E_UNAVAILABLE the others
 * fail at once. So a request that needs several calls (a batch) still answers within the
 * timeout when sessiond is stalled. Without it, each call has its own deadline. */
void sessc_begin_request(struct sessc *sc);
/* Ends that budget; calls made afterwards have their own deadlines again. */
void sessc_end_request(struct sessc *sc);

/* Mints a session. caps and info borrowed (NULL = {}). *session owned.
 * Errors: MCP_E_SESSIONS_FULL, MCP_E_UNAVAILABLE, MCP_E_INVALID_PARAMS. */
enum mcp_err sessc_create(struct sessc *sc, const char *principal, const char *version,
                          json_object *caps, json_object *info, json_object **session);

/* Looks a session up and marks it active. An unknown id and an id owned by another
 * principal both give MCP_E_SESSION_NOT_FOUND. *session owned. */
enum mcp_err sessc_get(struct sessc *sc, const char *id, const char *principal,
                       json_object **session);

/* Applies changes (borrowed) to a session: any of "log_level" (string), "initialized"
 * (boolean), "subscribe" (uri string), "unsubscribe" (uri string), "version" (string),
 * "client_capabilities", "client_info" (objects). session may be NULL;
 * otherwise *session receives the updated session (owned). */
enum mcp_err sessc_update(struct sessc *sc, const char *id, const char *principal,
                          json_object *changes, json_object **session);

/* Ends a session; later calls with its id give MCP_E_SESSION_NOT_FOUND. */
enum mcp_err sessc_delete(struct sessc *sc, const char *id, const char *principal);

/* sessiond's status: {"sessions": n, "max_sessions": n, "uptime_s": n, ...}. *status owned. */
enum mcp_err sessc_status(struct sessc *sc, json_object **status);

/*
 * STREAMS
 *
 * A stream is one SSE response of a session: key "0" is the session's standalone stream
 * (GET /mcp, or the 2024-11-05 GET /sse stream); keys "1", "2", ... are the POST streams of
 * tool calls that answer with SSE. sessiond numbers the events of each stream; an event id is
 * "<key>.<seq>" (seq from 0), so it names its stream and is unique in the session. sessiond
 * keeps the last cfg->replay_events events of every stream for resumption (GET with
 * Last-Event-ID), and the records of at most 16 ended POST streams per session.
 *
 * A worker answering a POST with SSE writes the events to its own connection AND publishes
 * each one here first (to get its id and make it resumable). If the client resumes that
 * stream with GET + Last-Event-ID, sessiond holds the new connection and writes the events
 * published from then on to it as well.
 */
#define SESSC_KEY_MAX      16 /* bytes of a stream key, with the NUL */
#define SESSC_EVENT_ID_MAX 40 /* bytes of an event id, with the NUL */

/* Opens a POST stream for the client request rpc_id (borrowed; used to find the stream
 * when the client cancels). Writes its key into key[SESSC_KEY_MAX]. MCP_E_CANCELLED when
 * the client cancelled rpc_id already. */
enum mcp_err sessc_stream_open(struct sessc *sc, const char *sid, const char *principal,
                               json_object *rpc_id, char *key);

/* Flags for the final argument of sessc_stream_publish (0 and 1 keep their old meaning). */
/* msg is the response that ends the stream */
#define SESSC_PUBLISH_FINAL 0x1
/* polling: the event carries "retry: <streams.retry_ms>" and sessiond then ends the connection
 * it holds for the stream; the stream stays open and the client resumes it with GET */
#define SESSC_PUBLISH_CLOSE 0x2

/* Appends msg (borrowed; NULL for a priming event, an id with empty data) to stream key and
 * writes it to the connection sessiond holds for that stream, if any. final: 0, or
 * SESSC_PUBLISH_* flags; SESSC_PUBLISH_FINAL (= 1): msg is the response that ends the stream
 * (sessiond ends a connection it holds for it). Writes the event id into
 * event_id[SESSC_EVENT_ID_MAX]. *cancelled (may be NULL) becomes 1 when the client cancelled
 * the stream's request: then nothing was appended, event_id is "", and the worker stops and
 * publishes nothing more (a publish with SESSC_PUBLISH_FINAL still ends the stream). */
enum mcp_err sessc_stream_publish(struct sessc *sc, const char *sid, const char *principal,
                                  const char *key, json_object *msg, int final, char *event_id,
                                  int *cancelled);

/* The kinds of connection a worker hands to sessiond. */
enum sessc_attach_kind {
    SESSC_ATTACH_GET,    /* GET /mcp: the standalone stream, or the stream last_event_id names */
    SESSC_ATTACH_LEGACY, /* GET /sse (2024-11-05): stream "0" of a fresh session; its first
                            event is "endpoint" with data endpoint_url; every message goes out
                            as "event: message"; the session ends when this stream closes */
};

/* Hands the live FastCGI connection fd (request fcgi_request_id, keep_conn from libfcgi) to
 * sessiond (kind LEGACY: when this fails, the fresh session stays; delete it). On MCP_OK sessiond
 * owns the connection: it writes the response head and the events, and ends it; the worker must
 * release the request without writing to it (and its copy of fd may be closed). On any error the
 * worker still owns fd and answers the error: MCP_E_SESSION_NOT_FOUND, MCP_E_STREAM_CONFLICT (the
 * GET stream is already held), MCP_E_STREAMS_FULL, MCP_E_SESSION_STREAMS_FULL, MCP_E_BAD_EVENT_ID
 * (last_event_id not an event of this session's streams still kept), MCP_E_UNAVAILABLE.
 * MCP_E_TIMEOUT: the descriptor reached sessiond but no answer came; ownership is unknown,
 * so the worker releases the request without writing (as on MCP_OK) and the client retries.
 * last_event_id: the Last-Event-ID header or NULL. endpoint_url: LEGACY only. */
enum mcp_err sessc_stream_attach(struct sessc *sc, const char *sid, const char *principal,
                                 enum sessc_attach_kind kind, const char *last_event_id,
                                 const char *endpoint_url, int fd, int fcgi_request_id,
                                 int keep_conn);

/*
 * Hands the live FastCGI connection fd (request fcgi_request_id, keep_conn from libfcgi) of a
 * 2026-07-28 subscriptions/listen request to sessiond, which answers it with a long-lived SSE
 * stream of no session (IPC_LISTEN_ATTACH in common/ipc.h): the head, then
 * notifications/subscriptions/acknowledged, then the list_changed / resources/updated
 * notifications that notifications asked for, each carrying
 * _meta["io.modelcontextprotocol/subscriptionId"] = rpc_id. rpc_id (the request's JSON-RPC
 * id, a string or an integer) and notifications (the request's params.notifications, an
 * object: "toolsListChanged", "promptsListChanged", "resourcesListChanged" booleans,
 * "resourceSubscriptions" at most IPC_LISTEN_URIS URIs of 1..IPC_MAX_URI bytes) are
 * borrowed; principal is REMOTE_USER or "".
 * Ownership as for sessc_stream_attach: on MCP_OK sessiond owns the connection and the worker
 * releases the request without writing to it; on MCP_E_TIMEOUT the descriptor reached sessiond
 * but no answer came, so the worker releases it the same way. On any other error the worker
 * still owns fd and answers: MCP_E_STREAMS_FULL (streams.max connections held),
 * MCP_E_INVALID_PARAMS (an argument or member out of bounds), MCP_E_UNAVAILABLE.
 */
enum mcp_err sessc_listen_attach(struct sessc *sc, const char *principal, json_object *rpc_id,
                                 json_object *notifications, int fd, int fcgi_request_id,
                                 int keep_conn);

/* Sends a server-to-client request on stream key: sessiond assigns the JSON-RPC id (unique
 * in the session), appends the request to the stream (and writes it to a connection it
 * holds for the stream) and returns the whole request message in *msg (owned) with its
 * event id, for the worker to write on its own connection too. params borrowed. */
enum mcp_err sessc_client_request(struct sessc *sc, const char *sid, const char *principal,
                                  const char *key, const char *method, json_object *params,
                                  json_object **msg, char *event_id);

/* Waits up to timeout_ms for the client's response to the server-to-client request req_id
 * (borrowed). *response (owned) is the whole JSON-RPC response object. MCP_E_TIMEOUT when
 * none came in time (sessiond forgets the request), MCP_E_CANCELLED when the client
 * cancelled the tool call meanwhile. This call's deadline is timeout_ms + the usual
 * sessiond timeout, independent of the HTTP request's budget. */
enum mcp_err sessc_await(struct sessc *sc, const char *sid, const char *principal,
                         json_object *req_id, int timeout_ms, json_object **response);

/* Routes a client's JSON-RPC response (borrowed) to the worker awaiting it. A response to no
 * pending request is dropped: MCP_OK. */
enum mcp_err sessc_deliver(struct sessc *sc, const char *sid, const char *principal,
                           json_object *response);

/* Records notifications/cancelled for the client's request rpc_id (borrowed): its stream
 * reports cancelled on the next publish, a pending await returns MCP_E_CANCELLED, and a
 * stream opened later for it is refused. Unknown ids are remembered for a short while
 * (the cancellation may overtake the request). */
enum mcp_err sessc_cancel(struct sessc *sc, const char *sid, const char *principal,
                          json_object *rpc_id);

/* 1 in *cancelled when the client cancelled its request rpc_id (borrowed). */
enum mcp_err sessc_cancelled(struct sessc *sc, const char *sid, const char *principal,
                             json_object *rpc_id, int *cancelled);

/* Sends a notification (borrowed) on the standalone stream of session sid (NULL: of every
 * session; principal is then ignored and may be NULL). With uri set, only to sessions
 * subscribed to uri. Sessions without a held standalone stream get it appended to their
 * stream "0" log, for a later GET to replay; a session whose stream "0" never had a
 * connection is skipped (no client can hold an id to resume it from). */
enum mcp_err sessc_notify(struct sessc *sc, const char *sid, const char *principal, const char *uri,
                          json_object *msg);

#endif
