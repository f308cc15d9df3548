/*
 * mcp.h - the MCP endpoint of a worker (Streamable HTTP, protocol revisions 2024-11-05 to
 * 2025-11-25): transport rules, sessions (kept by mcp-sessiond), lifecycle, batches, and
 * dispatch of methods to the feature layer (feat.h).
 *
 * A request is handled in two steps so that nothing is read before the head is accepted:
 * mcp_handle_head() checks what needs no body (Host, Origin, method, Accept, Content-Type,
 * length, protocol version) and answers GET/DELETE; mcp_handle_body() handles a POST body.
 */
#ifndef MCP_MCP_H
#define MCP_MCP_H

#include <fcgiapp.h>
#include <stddef.h>

#include "cfg.h"
#include "http.h"

struct mcp_server;
struct rpc_msg;

/* cfg borrowed for the lifetime of the server. */
struct mcp_server *mcp_server_new(const struct mcp_cfg *cfg);
void mcp_server_free(struct mcp_server *srv);

/* 1 when v is a protocol revision this endpoint serves through initialize (sessions). */
int mcp_version_supported(const char *v);
/* Those revisions, newest first: mcp_version_at(0 .. mcp_version_count() - 1). */
size_t mcp_version_count(void);
const char *mcp_version_at(size_t i);

/* The Implementation object naming this server (name, title from 2025-06-18, version) in
 * version's shape (owned). */
json_object *mcp_server_info_new(const struct mcp_cfg *cfg, const char *version);

/* Returns 1 when *resp is complete (an error, or a GET/DELETE answered), 0 when the POST
 * body must be read (at most cfg->max_body bytes) and passed to mcp_handle_body. fr is the
 * request's FastCGI connection: a GET hands it to mcp-sessiond (resp->handed_off). */
int mcp_handle_head(struct mcp_server *srv, const struct http_req *req, FCGX_Request *fr,
                    struct http_resp *resp);

/* Handles a POST body of len bytes. Fills *resp, or writes an SSE answer to fr itself
 * (resp->streamed). */
void mcp_handle_body(struct mcp_server *srv, const struct http_req *req, FCGX_Request *fr,
                     const char *body, size_t len, struct http_resp *resp);

/* Fills *resp with a JSON-RPC error for a transport-level failure (status from the error
 * table). id borrowed, may be NULL; message NULL for the default. */
void mcp_http_error(struct http_resp *resp, enum mcp_err err, json_object *id, const char *message);

/* Classifies msg (borrowed) into *m as rpc_classify does. Returns 1 when it is a JSON-RPC 2.0
 * request, notification or response; 0 with *resp filled when not (MCP_E_INVALID_REQUEST,
 * "Invalid Request: <reason>.", echoing the id when it could be read). */
int mcp_classify(json_object *msg, struct rpc_msg *m, struct http_resp *resp);

/* GET /sse (2024-11-05 HTTP+SSE): mints a session and hands the connection to mcp-sessiond,
 * whose first event names the POST endpoint. Other methods: 405 (dual-transport clients fall
 * back on it). Always returns 1 (resp complete, or resp->handed_off). */
int mcp_handle_sse(struct mcp_server *srv, const struct http_req *req, FCGX_Request *fr,
                   struct http_resp *resp);

/* POST /messages?session_id=<id>: like mcp_handle_head/_body. The body step answers 202 and
 * ends the HTTP request before running the message (resp->streamed); the JSON-RPC answer
 * goes out on the session's SSE stream. Bad JSON -> 400, unknown session -> 404. */
int mcp_handle_messages_head(struct mcp_server *srv, const struct http_req *req,
                             struct http_resp *resp);
void mcp_handle_messages_body(struct mcp_server *srv, const struct http_req *req, FCGX_Request *fr,
                              const char *body, size_t len, struct http_resp *resp);

/* Ends one HTTP request's sessiond budget (see sessc_begin_request); call after each
 * request, whatever path it took. */
void mcp_request_end(struct mcp_server *srv);

/* GET /readyz: 200 when sessiond answers, 503 otherwise. */
void mcp_handle_ready(struct mcp_server *srv, struct http_resp *resp);

#endif
