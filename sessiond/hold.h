/*
 * hold.h - the FastCGI connections sessiond holds: live SSE responses handed over by workers
 * (STREAM_ATTACH and LISTEN_ATTACH in common/ipc.h, SCM_RIGHTS).
 *
 * sessiond writes on a held connection only FastCGI STDOUT records of the handed-over
 * request id: the response head
 *     Status: 200 OK / Content-Type: text/event-stream / Cache-Control: no-cache /
 *     X-Accel-Buffering: no
 * then SSE events, and heartbeat comments ": ping" every cfg->heartbeat_s. The heartbeats
 * are staggered: a timer wheel of heartbeat_s * 10 slots of HOLD_TICK_MS, new connections
 * placed round-robin, one slot visited per tick, so each tick writes to about
 * 1/(10 * heartbeat_s) of the connections and they never burst.
 *
 * Writes go out with uv_try_write and queue with uv_write for the rest; a connection whose
 * queued unsent bytes exceed cfg->queue_bytes is dropped (slow reader), others are
 * unaffected. A failed write, EOF, or a record that is not FastCGI mean the client left: the
 * connection is dropped (closed without more records). FCGI_ABORT_REQUEST for its request id
 * ends it. Ending is clean: empty STDOUT, END_REQUEST (appStatus 0), then close once those
 * bytes are written (within HOLD_END_GRACE_MS, else closed anyway). sessiond always closes
 * after END_REQUEST, FCGI_KEEP_CONN or not.
 *
 * A connection holds at most one stream (stream.h); ending or dropping detaches it first,
 * so the stream stays resumable. When a 2024-11-05 ("legacy") connection has closed, the
 * legacy_closed hook runs with its session id; when a connection started with
 * hold_start_owned has closed, the owner_closed hook runs with its owner (both from the loop,
 * never inside a hold_* call).
 */
#ifndef MCP_HOLD_H
#define MCP_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "cfg.h"
#include "mcp_err.h"
#include "stream.h"

#define HOLD_TICK_MS      100  /* heartbeat wheel tick */
#define HOLD_END_GRACE_MS 2000 /* an ending connection is closed after this at the latest */
#define HOLD_HEARTBEAT    "ping"

struct hold;
struct hold_conn;

/* What the holder's user is told (each hook may be NULL). */
struct hold_hooks {
    /* a 2024-11-05 connection of session sid has closed */
    void (*legacy_closed)(void *arg, const char *sid);
    /* a connection started with hold_start_owned(..., owner) has closed */
    void (*owner_closed)(void *arg, void *owner);
    void *arg;
};

/* cfg is borrowed and read live (sessiond replaces it in place on SIGHUP); hooks copied. */
struct hold *hold_new(uv_loop_t *loop, const struct mcp_cfg *cfg, const struct hold_hooks *hooks);

/* Frees h. Only after hold_shutdown and a loop run that closed every connection. NULL is
 * fine. */
void hold_free(struct hold *h);

/* Applies a changed cfg->heartbeat_s (rebuilds the wheel). */
void hold_reconfigure(struct hold *h);

/* Several events for one connection in a row (e.g. the three list_changed notifications of a
 * reload): between hold_cork and hold_uncork, what is written to c gathers and goes out as one
 * write at hold_uncork, which may drop c (slow reader) like any write. One connection is
 * corked at a time (corking another sends the first's). NULL is fine. */
void hold_cork(struct hold_conn *c);
void hold_uncork(struct hold_conn *c);

/* Connections started (hold_start) and not yet closed. */
size_t hold_count(const struct hold *h);

/*
 * Takes the next descriptor pending on the IPC pipe ctl into a new connection that is not
 * started yet (nothing is read or written). *out is NULL when the descriptor is not a stream
 * socket (it is closed). MCP_E_IO when libuv could not take it: close ctl.
 */
enum mcp_err hold_adopt(struct hold *h, uv_pipe_t *ctl, struct hold_conn **out);

/* Closes a connection that was not started, writing nothing (the worker still holds its
 * own descriptor and answers). NULL is fine. */
void hold_discard(struct hold_conn *c);

/*
 * Starts serving c: writes the response head, starts reading, joins the heartbeat wheel.
 * st (may be NULL) is attached to c (stream_attach). sid names the session; legacy makes
 * events go out as "event: message" without ids, and runs legacy_closed when c closes.
 */
void hold_start(struct hold_conn *c, uint16_t request_id, bool keep_conn, const char *sid,
                bool legacy, struct stream *st);

/*
 * Starts serving c as a stream of no session (a 2026-07-28 subscriptions/listen response): the
 * response head, reading, the heartbeat wheel, as hold_start; no stream is attached and events
 * go out with hold_data. owner (not NULL) is handed to the owner_closed hook once c has
 * closed, however it ended; until then c may be used through the owner.
 */
void hold_start_owned(struct hold_conn *c, uint16_t request_id, bool keep_conn, void *owner);

/* True while c is started and neither ending nor closing. */
bool hold_live(const struct hold_conn *c);

/* Writes an event of stream key with seq: data (len bytes; NULL = empty data). retry_ms >= 0
 * adds "retry:". Nothing happens unless c is live. */
void hold_event(struct hold_conn *c, uint32_t key, uint64_t seq, const char *data, size_t len,
                long retry_ms);

/* Writes an event without an id: name (NULL: none) and data (len bytes). Nothing happens
 * unless c is live. */
void hold_data(struct hold_conn *c, const char *name, const char *data, size_t len);

/* Ends c cleanly (detaching its stream). retry_ms >= 0 first writes a bare "retry:" field so
 * the client reconnects after that delay. Nothing happens unless c is live. */
void hold_end(struct hold_conn *c, long retry_ms);

/* Ends every live connection with "retry: cfg->retry_ms", discards unstarted ones, and lets
 * h's own timer close once the last connection is closed. */
void hold_shutdown(struct hold *h);

#endif
