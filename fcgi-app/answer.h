/*
 * answer.h - the answer to one JSON-RPC request received by POST: plain JSON until something
 * must reach the client before the result (a notification, a request to the client), then an
 * SSE stream that this worker writes on its own FastCGI connection, each event flushed as it
 * happens and first published to mcp-sessiond (which numbers it and keeps it for resumption).
 *
 * Modes:
 *   ANSWER_STREAMABLE  POST /mcp: JSON, or SSE on the request's own connection.
 *   ANSWER_LEGACY      POST /messages (2024-11-05 HTTP+SSE): the POST was answered 202 already;
 *                      everything, the response included, goes out on the session's GET /sse
 *                      stream held by sessiond (stream "0").
 *   ANSWER_STATELESS   POST /mcp of revision 2026-07-28 (no session): JSON, or SSE written to
 *                      the connection only, without event ids and without sessiond; no
 *                      requests to the client. The client closing the stream cancels the
 *                      call (the next notification returns MCP_E_CANCELLED).
 *
 * States of a STREAMABLE answer: JSON -> SSE (head written) -> DETACHED (the connection was
 * closed with retry: for the client to resume with GET; events are only published) -> DONE.
 */
#ifndef MCP_ANSWER_H
#define MCP_ANSWER_H

#include <fcgiapp.h>
#include <json-c/json.h>

#include "cfg.h"
#include "feat.h"
#include "http.h"
#include "sessc.h"

enum answer_mode { ANSWER_STREAMABLE, ANSWER_LEGACY, ANSWER_STATELESS };
enum answer_state { ANSWER_JSON, ANSWER_SSE, ANSWER_DETACHED, ANSWER_DONE };

struct answer {
    /* set by answer_init, all borrowed */
    const struct mcp_cfg *cfg;
    struct sessc *sc;
    FCGX_Request *fr;    /* the request's connection (STREAMABLE, STATELESS), NULL for LEGACY */
    json_object *rpc_id; /* the request being answered */
    /* copies: the request's FastCGI params (REMOTE_USER) are freed when the connection is
     * finished early (polling, 2024-11-05 POSTs), and the session object may be replaced */
    char sid[HTTP_SESSION_ID_MAX + 1];
    char principal[HTTP_PRINCIPAL_MAX + 1];
    char version[16];
    enum answer_mode mode;
    /* state */
    enum answer_state state;
    char key[SESSC_KEY_MAX]; /* the stream's key once SSE ("0" for LEGACY) */
    int cancelled;           /* the client cancelled the request: send nothing more */
    int cancellable;         /* check for a cancellation before answering with JSON */
    struct feat_sink sink;   /* what tools write to; opaque = this answer */
};

void answer_init(struct answer *a, enum answer_mode mode, const struct mcp_cfg *cfg,
                 struct sessc *sc, FCGX_Request *fr, const char *sid, const char *principal,
                 const char *version, json_object *rpc_id);

/*
 * Delivers the final response (msg taken). Returns 1 when it went out as SSE or through
 * sessiond (the caller writes nothing more), 0 when the answer is still JSON and the caller
 * must send msg itself (then msg is NOT taken). A cancelled request sends nothing: its SSE
 * stream (if any) just ends, and a JSON answer becomes an empty SSE stream (returns 1).
 */
int answer_finish(struct answer *a, json_object *msg);

#endif
