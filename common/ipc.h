/*
 * ipc.h - the worker <-> mcp-sessiond control protocol: framing, message types, and the
 * members of every message. This header is THE documentation of that protocol.
 *
 * TRANSPORT
 *   A Unix SOCK_STREAM socket at cfg->sessiond_socket. sessiond listens; each worker process
 *   holds one connection (fcgi-app/sessc.h). The socket file is mode 0660 and sessiond also
 *   checks SO_PEERCRED: only root and sessiond's own uid may connect. Both ends send with
 *   MSG_NOSIGNAL (or ignore SIGPIPE).
 *
 * FRAME
 *   A 16-byte header in HOST byte order (both ends run on one machine), then the payload:
 *
 *     offset 0   uint32  magic    IPC_MAGIC 0x4d435049 ('MCPI'; the bytes read "IPCM" on a
 *                                 little-endian host)
 *     offset 4   uint16  version  IPC_VERSION (1)
 *     offset 6   uint16  type     enum ipc_type; a reply sets IPC_REPLY (0x8000)
 *     offset 8   uint32  seq      chosen by the requester, echoed in the reply
 *     offset 12  uint32  len      payload bytes, 2 <= len <= IPC_MAX_PAYLOAD (64 KiB)
 *     offset 16  len bytes        exactly one JSON object, as json-c serialises it: no NUL
 *                                 byte, nothing before or after the object, nesting at most
 *                                 IPC_MAX_DEPTH. The default (non-strict) json-c tokener
 *                                 reads it, so every value json-c writes reads back.
 *
 *   A frame with a bad magic, a bad version, a len out of range or a payload that is not
 *   exactly one JSON object is a protocol error (MCP_E_PROTO): the receiver logs it and
 *   closes the connection. Nothing else in a well-framed message closes the connection.
 *
 * REQUEST AND REPLY
 *   The worker sends requests; sessiond answers each with exactly one reply, in order, with
 *   type = request type | IPC_REPLY and the request's seq. A worker keeps one request in
 *   flight (sessc does); sessiond nevertheless handles pipelined requests in order.
 *   Every reply payload is
 *       {"err": <int, enum mcp_err>, "message"?: <string, specific one-sentence reason>,
 *        ...result members, present only when err is 0 (MCP_OK)}
 *   A request type sessiond does not know gets a reply of that type | IPC_REPLY with
 *   err = MCP_E_PROTO and the connection stays open (so types can be added). Members a
 *   request does not list below are ignored; a listed member with the wrong type or out of
 *   bounds gives err = MCP_E_INVALID_PARAMS with a message.
 *
 *   Common request members:
 *     "id"         string, a session id: IPC_SESSION_ID_LEN (32) lowercase hex characters
 *                  (16 bytes from getrandom(2)). A string of any other form is simply an
 *                  unknown id.
 *     "principal"  string, REMOTE_USER of the HTTP request, "" when anonymous (<= 1023
 *                  bytes). A session answers only to the principal that created it: an
 *                  unknown id, an expired session and another principal's session all give
 *                  err = MCP_E_SESSION_NOT_FOUND, indistinguishably.
 *   A "session" result member is the session object whose members fcgi-app/sessc.h lists
 *   ("id", "principal", "version", "client_capabilities", "client_info", "log_level",
 *   "initialized", "subscriptions", "created", "last_active").
 *
 * MESSAGES (request members -> reply result members; errors besides MCP_E_INVALID_PARAMS)
 *   IPC_SESS_CREATE  {"principal", "version": string (1..63 bytes),
 *                     "client_capabilities"?: object, "client_info"?: object}
 *                    -> {"session"}          MCP_E_SESSIONS_FULL
 *   IPC_SESS_GET     {"id", "principal"}
 *                    -> {"session"}          MCP_E_SESSION_NOT_FOUND
 *                    Marks the session active (last_active = now).
 *   IPC_SESS_UPDATE  {"id", "principal", "changes": object with any of
 *                       "log_level": string, one of debug info notice warning error
 *                                    critical alert emergency,
 *                       "initialized": boolean,
 *                       "subscribe": string, a resource URI (1..2048 bytes),
 *                       "unsubscribe": string, a resource URI (1..2048 bytes),
 *                       "version": string (1..63 bytes), "client_capabilities": object,
 *                       "client_info": object — set by initialize on a 2024-11-05 HTTP+SSE
 *                       session, which GET /sse creates before the handshake}
 *                    -> {"session"}          MCP_E_SESSION_NOT_FOUND
 *                    Unknown members of "changes" are refused (MCP_E_INVALID_PARAMS). The
 *                    changes apply all or none; "unsubscribe" applies before "subscribe";
 *                    both are idempotent. A session holds at most 256 subscriptions, and
 *                    the session as JSON must fit one reply frame. Marks the session active.
 *   IPC_SESS_DELETE  {"id", "principal"}
 *                    -> {}                   MCP_E_SESSION_NOT_FOUND
 *   IPC_STATUS       {}
 *                    -> {"status": {"sessions": int (held, including expired ones not yet
 *                        reaped), "max_sessions": int, "idle_timeout_s": int,
 *                        "uptime_s": int, "connections": int, "pid": int,
 *                        "streams": int (connections held, listen streams included),
 *                        "max_streams": int, "listen_streams": int (IPC_LISTEN_ATTACH
 *                        connections held)}}
 *
 * STREAM MESSAGES (0x0101..0x0109)
 *   Streams are the SSE responses of a session (fcgi-app/sessc.h, "STREAMS"): stream "0"
 *   is the standalone GET stream (or the 2024-11-05 GET /sse stream), "1", "2", ... are
 *   POST streams. Event ids are "<key>.<seq>" (common/sse.h). Every message below takes
 *   the common "id" and "principal" and answers MCP_E_SESSION_NOT_FOUND as IPC_SESS_GET
 *   does; IPC_STREAM_OPEN, IPC_STREAM_PUBLISH, IPC_STREAM_ATTACH and IPC_CLIENT_REQUEST
 *   mark the session active (a long tool call keeps its session), the others do not.
 *   A "key" member is a string, a stream key of that session ("0" or one that
 *   IPC_STREAM_OPEN returned); an unknown key gives MCP_E_INVALID_PARAMS. A "msg" member
 *   is one JSON-RPC message object whose JSON text is at most IPC_MAX_PAYLOAD - 512
 *   bytes. An "rpc_id" member is a client request's JSON-RPC id: a string or an integer,
 *   whose JSON text is at most 255 bytes.
 *
 *   IPC_STREAM_OPEN    {"id", "principal", "rpc_id"?: the request the stream answers}
 *                      -> {"key": string}    MCP_E_CANCELLED (rpc_id was cancelled),
 *                                            MCP_E_SESSION_STREAMS_FULL (keys used up)
 *                      Opens a POST stream. A session keeps at most 64 open POST streams
 *                      (opening another ends the least recently active one) and the 16
 *                      most recently ended ones.
 *   IPC_STREAM_PUBLISH {"id", "principal", "key", "msg"?: absent or null = a priming event
 *                       (an id and empty data), "final"?: boolean (msg is the response that
 *                       ends a POST stream), "close"?: boolean (polling: the event goes out
 *                       with "retry: <streams.retry_ms>" and a held connection is then ended;
 *                       the stream itself stays open and resumable)}
 *                      -> {"event_id": string, "cancelled": boolean}
 *                      Appends the event to the stream's replay log and writes it to the
 *                      connection sessiond holds for the stream, if any; with final, that
 *                      connection is then ended. When the client cancelled the stream's
 *                      request: nothing is appended, "cancelled" is true and "event_id" is
 *                      "" (a final publish still ends the stream). MCP_E_INVALID_PARAMS when
 *                      the stream has ended or final is asked of stream "0".
 *   IPC_STREAM_ATTACH  {"id", "principal", "kind": "get" | "legacy", "request_id": int
 *                       1..65535 (the FastCGI request id), "keep_conn"?: boolean (FastCGI
 *                       KEEP_CONN; sessiond closes after END_REQUEST anyway),
 *                       "last_event_id"?: string (kind get), "endpoint_url": string, one line
 *                       of 1..IPC_MAX_URI bytes (kind legacy only)}
 *                      + the FastCGI connection as SCM_RIGHTS (see DESCRIPTORS)
 *                      -> {"key": string, the stream the connection serves}
 *                      MCP_E_STREAM_CONFLICT (a connection is held for that stream already),
 *                      MCP_E_STREAMS_FULL (streams.max connections held),
 *                      MCP_E_SESSION_STREAMS_FULL (streams.per_session of this session),
 *                      MCP_E_BAD_EVENT_ID (last_event_id malformed, of no stream this session
 *                      keeps, never issued, or older than the replay log reaches),
 *                      MCP_E_INVALID_PARAMS (also: no descriptor came with the frame).
 *                      On MCP_OK sessiond owns the connection and has written the head
 *                      (Status 200, text/event-stream, Cache-Control: no-cache,
 *                      X-Accel-Buffering: no). kind get without last_event_id serves stream
 *                      "0", live events only. With last_event_id "<k>.<s>" it serves stream
 *                      k: first exactly the logged events of k after s, then live ones; when
 *                      k is an ended POST stream the connection ends after the replay. kind
 *                      legacy serves stream "0" of a session the worker just created: first
 *                      "event: endpoint" with data endpoint_url, then the logged events of
 *                      "0", then live ones, each as "event: message" without an id; the
 *                      session no longer expires when idle, and it ends when this connection
 *                      closes. On any error sessiond closes its copy of the descriptor and
 *                      writes nothing: the worker still owns the connection and answers.
 *   IPC_CLIENT_REQUEST {"id", "principal", "key", "method": string 1..IPC_MAX_METHOD bytes,
 *                       "params"?: object}
 *                      -> {"msg": the request {"jsonrpc": "2.0", "id": int, "method",
 *                          "params"?}, "event_id": string}
 *                      MCP_E_CANCELLED (the stream's request was cancelled),
 *                      MCP_E_SESSION_STREAMS_FULL (64 server-to-client requests in flight),
 *                      MCP_E_INVALID_PARAMS (also: the stream has ended)
 *                      Assigns the JSON-RPC id (an integer, unique in the session), appends
 *                      the request to the stream and writes it to a held connection. The
 *                      request is in flight until AWAIT answers, or twice
 *                      streams.request_timeout_s when nobody awaits it.
 *   IPC_AWAIT          {"id", "principal", "req_id": int (the "id" of that request),
 *                       "timeout_ms": int 0..IPC_MAX_AWAIT_MS}
 *                      -> {"response": the client's JSON-RPC response object}
 *                      MCP_E_TIMEOUT (no response within timeout_ms; the request is
 *                      forgotten), MCP_E_CANCELLED (the stream the request went out on was
 *                      cancelled), MCP_E_SESSION_NOT_FOUND (also when the session ends while
 *                      waiting), MCP_E_INVALID_PARAMS (no such request in flight, or another
 *                      AWAIT waits for it already).
 *                      The reply is DEFERRED until one of these happens; sessiond serves
 *                      other connections meanwhile. The awaiting worker sends nothing else on
 *                      this connection until the reply came: a frame arriving meanwhile is a
 *                      protocol error (the connection is closed).
 *   IPC_DELIVER        {"id", "principal", "response": object, a client's JSON-RPC response}
 *                      -> {}
 *                      Routes the response, by its integer "id", to the AWAIT for it, or
 *                      keeps it for an AWAIT still to come. A response to no request in
 *                      flight (or a second one) is dropped, still MCP_OK.
 *   IPC_CANCEL         {"id", "principal", "rpc_id"}
 *                      -> {}
 *                      The client's notifications/cancelled: the open POST stream of rpc_id is
 *                      marked cancelled (PUBLISH reports it, a pending AWAIT of a request on
 *                      it answers MCP_E_CANCELLED, CLIENT_REQUEST on it is refused), and
 *                      rpc_id is remembered 60 s (at most 64 per session) so that a
 *                      STREAM_OPEN for it afterwards is refused with MCP_E_CANCELLED.
 *   IPC_CANCELLED      {"id", "principal", "rpc_id"}
 *                      -> {"cancelled": boolean}
 *   IPC_NOTIFY         {"id"?: string (absent or null: every session; "principal" is then
 *                       not needed), "principal"?, "uri"?: string 1..IPC_MAX_URI (only
 *                       sessions subscribed to it), "msg"}
 *                      -> {"sessions": int, how many sessions it was appended to,
 *                          "listeners": int, how many listen streams it was written to}
 *                      Appends msg to stream "0" of the session(s) and writes it to the held
 *                      connection. A session whose stream "0" never had a connection is
 *                      skipped (no client could resume it). Without "id" it also goes to the
 *                      listen streams that asked for it (IPC_LISTEN_ATTACH).
 *
 *   Server-side notifications: sessiond itself sends notifications/resources/updated for the
 *   periodic resources of common/watch.h (to the sessions subscribed to them) and, when a
 *   SIGHUP changes server.sets, notifications/{tools,prompts,resources}/list_changed to
 *   every session, both as IPC_NOTIFY without "id" does (listen streams included).
 *
 * SESSION-LESS STREAMS (0x010a)
 *   2026-07-28 has no sessions; its subscriptions/listen request is answered with a long-lived
 *   SSE stream that sessiond holds. No "id" is taken, nothing is logged for replay, and the
 *   events carry no SSE id.
 *
 *   IPC_LISTEN_ATTACH  {"principal", "rpc_id": the listen request's JSON-RPC id (a string or
 *                       an integer, JSON text <= 255 bytes), "notifications": object, the
 *                       request's params.notifications: "toolsListChanged"?: boolean,
 *                       "promptsListChanged"?: boolean, "resourcesListChanged"?: boolean,
 *                       "resourceSubscriptions"?: array of at most IPC_LISTEN_URIS (64)
 *                       strings of 1..IPC_MAX_URI bytes (other members are ignored and left
 *                       out of the acknowledgement), "request_id": int 1..65535,
 *                       "keep_conn"?: boolean (as for IPC_STREAM_ATTACH)}
 *                      + the FastCGI connection as SCM_RIGHTS (see DESCRIPTORS)
 *                      -> {}
 *                      MCP_E_STREAMS_FULL (streams.max connections held, of every kind),
 *                      MCP_E_INVALID_PARAMS (also: no descriptor came with the frame).
 *                      On MCP_OK sessiond owns the connection: it has written the head (as
 *                      IPC_STREAM_ATTACH) and, as the first event,
 *                        {"jsonrpc":"2.0","method":"notifications/subscriptions/acknowledged",
 *                         "params":{"_meta":{"io.modelcontextprotocol/subscriptionId":rpc_id},
 *                                   "notifications": <the honoured members, as given>}}
 *                      From then on the stream gets, of what IPC_NOTIFY without "id" and the
 *                      server-side notifications send, only notifications/tools/list_changed
 *                      (toolsListChanged true), .../prompts/list_changed (promptsListChanged),
 *                      .../resources/list_changed (resourcesListChanged) and
 *                      notifications/resources/updated whose params.uri is one of
 *                      resourceSubscriptions (an IPC_NOTIFY "uri" must be one of them too),
 *                      each with params._meta["io.modelcontextprotocol/subscriptionId"] =
 *                      rpc_id and the other params kept; heartbeats as on every stream. The
 *                      client ends it by closing the connection. When sessiond stops, it
 *                      writes {"jsonrpc":"2.0","id":rpc_id,"result":{"resultType":"complete",
 *                      "_meta":{"io.modelcontextprotocol/subscriptionId":rpc_id}}} and ends
 *                      the connection (END_REQUEST). On any error sessiond closes its copy of
 *                      the descriptor and writes nothing: the worker still owns the connection
 *                      and answers.
 *
 * DESCRIPTORS
 *   A frame that carries a file descriptor (IPC_STREAM_ATTACH and IPC_LISTEN_ATTACH, no
 *   other) sends it as SCM_RIGHTS ancillary data on the sendmsg() call that carries the first
 *   byte of that frame's header, exactly one descriptor per such frame, so descriptors and
 *   frames line up in order: each IPC_STREAM_ATTACH or IPC_LISTEN_ATTACH takes the oldest
 *   descriptor received on the connection and not yet taken. At most IPC_MAX_FDS may wait untaken;
 * more is a protocol error. Descriptors still untaken when the connection closes are closed.
 */
#ifndef MCP_IPC_H
#define MCP_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "mcp_err.h"

#define IPC_MAGIC          0x4d435049u /* 'MCPI' */
#define IPC_VERSION        1u
#define IPC_HDR_LEN        16u
#define IPC_MAX_PAYLOAD    (64u * 1024u) /* bytes of one payload */
#define IPC_MAX_DEPTH      128           /* JSON nesting of one payload */
#define IPC_REPLY          0x8000u       /* type bit of a reply */
#define IPC_SESSION_ID_LEN 32            /* hex characters of a session id */
#define IPC_MAX_PRINCIPAL  1023          /* bytes of "principal" */
#define IPC_MAX_VERSION    63            /* bytes of "version" */
#define IPC_MAX_URI        2048          /* bytes of one subscription URI */
#define IPC_MAX_SUBS       256           /* subscriptions of one session */
#define IPC_MAX_METHOD     255           /* bytes of a CLIENT_REQUEST "method" */
#define IPC_MAX_AWAIT_MS   3600000       /* AWAIT "timeout_ms" */
#define IPC_MAX_FDS        4             /* descriptors received and not yet taken */
#define IPC_LISTEN_URIS    64            /* resourceSubscriptions of one LISTEN_ATTACH */

enum ipc_type {
    IPC_SESS_CREATE = 1,
    IPC_SESS_GET = 2,
    IPC_SESS_UPDATE = 3,
    IPC_SESS_DELETE = 4,
    IPC_STATUS = 5,
    /* 0x0100..0x01ff: streams */
    IPC_STREAM_OPEN = 0x0101,
    IPC_STREAM_PUBLISH = 0x0102,
    IPC_STREAM_ATTACH = 0x0103,
    IPC_CLIENT_REQUEST = 0x0104,
    IPC_AWAIT = 0x0105,
    IPC_DELIVER = 0x0106,
    IPC_CANCEL = 0x0107,
    IPC_CANCELLED = 0x0108,
    IPC_NOTIFY = 0x0109,
    IPC_LISTEN_ATTACH = 0x010a,
};

/* One decoded frame. payload is owned by whoever received the frame (json_object_put). */
struct ipc_frame {
    uint16_t type;
    uint32_t seq;
    json_object *payload;
};

/* A stable lower-case name of a type for log lines ("sess_get", "status", "unknown"). The
 * IPC_REPLY bit is ignored. */
const char *ipc_type_name(uint16_t type);

/* True for the request types whose frame carries a descriptor (see DESCRIPTORS):
 * IPC_STREAM_ATTACH and IPC_LISTEN_ATTACH. */
bool ipc_type_takes_fd(uint16_t type);

/*
 * Frames payload (borrowed, must be a JSON object) as a message of type and seq into buf
 * (cap bytes); *out_len receives the frame's length (header included).
 * Succeeds only if ipc_dec would accept the frame. Errors: MCP_E_PROTO when payload is not
 * an object; MCP_E_TOO_LARGE when the serialised payload exceeds IPC_MAX_PAYLOAD or
 * IPC_MAX_DEPTH, or the frame does not fit cap. Serialising uses json-c's print buffer
 * inside payload, so payload must not be used by another thread meanwhile.
 */
enum mcp_err ipc_encode(uint16_t type, uint32_t seq, json_object *payload, void *buf, size_t cap,
                        size_t *out_len);

/* As ipc_encode, into a new buffer: *out (owned, free()) of *out_len bytes. */
enum mcp_err ipc_encode_new(uint16_t type, uint32_t seq, json_object *payload, void **out,
                            size_t *out_len);

/*
 * Incremental decoder of one connection's byte stream. It holds at most one frame
 * (IPC_HDR_LEN + IPC_MAX_PAYLOAD bytes), so memory per connection is bounded.
 */
struct ipc_dec;

struct ipc_dec *ipc_dec_new(void);
void ipc_dec_free(struct ipc_dec *d); /* NULL is fine */

/*
 * Consumes bytes of data (len bytes), stopping right after the first frame that completes.
 * *used receives the number of bytes consumed. On MCP_OK, frame->payload is NULL when every
 * byte was consumed without completing a frame (feed more later), or else the completed
 * frame (payload owned by the caller); the caller then feeds data + *used again.
 * Errors: MCP_E_PROTO on a malformed frame (see FRAME above); the decoder is then dead and
 * every later call returns MCP_E_PROTO: close the connection.
 */
enum mcp_err ipc_dec_feed(struct ipc_dec *d, const void *data, size_t len, size_t *used,
                          struct ipc_frame *frame);

/* True while a frame is partly received (bytes fed, frame not complete). */
bool ipc_dec_partial(const struct ipc_dec *d);

/* A reply payload {"err": err, "message": message}; message may be NULL or "" (omitted).
 * Returns a new object (owned). */
json_object *ipc_reply_new(enum mcp_err err, const char *message);

/* Reads a reply's "err" into *err. Returns MCP_E_PROTO when reply has no integer "err" that
 * is a valid enum mcp_err value, MCP_OK otherwise. reply borrowed. */
enum mcp_err ipc_reply_err(json_object *reply, enum mcp_err *err);

/* True when id is a well-formed session id: exactly IPC_SESSION_ID_LEN lowercase hex
 * characters. NULL is not. */
bool ipc_session_id_valid(const char *id);

#endif
