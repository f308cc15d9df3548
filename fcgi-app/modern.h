/*
 * modern.h - MCP revision 2026-07-28 on POST /mcp: stateless requests.
 *
 * The revision has no initialize and no sessions: every request carries its protocol version,
 * client capabilities and (optionally) client info and log level in params._meta, and the
 * request-metadata headers MCP-Protocol-Version, Mcp-Method, Mcp-Name and Mcp-Param-* repeat
 * parts of the body so that intermediaries can route without parsing it. mcp.c chooses the
 * era per request (modern_selected) and hands stateless ones here.
 *
 * Checks, in this order (clients and the conformance suite rely on it):
 *   a. MCP-Protocol-Version header missing                       400, -32020
 *   b. _meta missing, or without protocolVersion (string) or clientCapabilities (object), or
 *      with a clientInfo that is not an object or a logLevel that is not a level     400, -32602
 *   c. MCP-Protocol-Version differs from _meta's protocolVersion   400, -32020
 *   d. the version is not one served statelessly (only 2026-07-28)
 *                                        400, -32022, data {"supported": [...], "requested"}
 *   e. the method is unknown, removed in 2026-07-28 (initialize, ping, logging/setLevel,
 *      resources/subscribe, resources/unsubscribe) or its capability is not advertised
 *                                                                   404, -32601
 *   f. Mcp-Method missing or not the method; Mcp-Name missing or not params.name (tools/call,
 *      prompts/get) / params.uri (resources/read); an Mcp-Param-{Name} header missing, invalid
 *      or different for a tools/call argument whose schema has "x-mcp-header": "{Name}".
 *      Values of the form =?base64?...?= are decoded first.          400, -32020
 *   g. a capability the client did not declare                     400, -32021
 * Every error echoes the request's id when it could be read. Notifications are accepted
 * (202) and ignored; JSON-RPC responses and batches are refused (400, -32600).
 *
 * Results carry "resultType" ("complete" unless a handler answered "input_required"),
 * _meta["io.modelcontextprotocol/serverInfo"], and, on server/discover, lists and
 * resources/read, the caching hints ttlMs and cacheScope ("private" when the web server
 * authenticated the caller, REMOTE_USER, "public" otherwise).
 *
 * A request whose handler sends notifications (progress; log messages only when _meta named a
 * logLevel) is answered as SSE written straight to the connection, without event ids (the
 * revision has no resumption). When the client closes that stream the call is cancelled: the
 * handler's next notification fails with MCP_E_CANCELLED and nothing more is written.
 */
#ifndef MCP_MODERN_H
#define MCP_MODERN_H

#include <fcgiapp.h>
#include <json-c/json.h>

#include "cfg.h"
#include "http.h"
#include "rpc.h"
#include "sessc.h"

#define MODERN_VERSION "2026-07-28"

/* 1 when the request's MCP-Protocol-Version header names a version that is not one of the
 * session-era revisions (2024-11-05 ... 2025-11-25) and there is no Mcp-Session-Id header:
 * the client speaks 2026-07-28 (or an unknown revision, which the stateless path refuses
 * with -32022). With exactly 2026-07-28 an Mcp-Session-Id header is ignored (that revision
 * has no sessions); with another unknown version it keeps the session rules (400).
 * Such a GET or DELETE is answered 405 (the revision serves POST only). */
int modern_head_selected(const struct http_req *req);

/* 1 when the POST with body doc (borrowed, any JSON value) is served statelessly:
 * modern_head_selected, or no Mcp-Session-Id header and
 * params._meta["io.modelcontextprotocol/protocolVersion"] present. Anything else keeps the
 * session semantics of the 2025 revisions. */
int modern_selected(const struct http_req *req, json_object *doc);

/* What a valid _meta told us. All borrowed from the request. */
struct modern_meta {
    const char *version;
    json_object *caps;     /* clientCapabilities */
    const char *log_level; /* a level name, or FEAT_LOG_NONE when _meta names none */
};

/* Checks a to f above for request m (kind RPC_REQUEST). MCP_OK with *meta filled, or the
 * error with its message (and data, for -32022) in *fail. */
enum mcp_err modern_check(const struct mcp_cfg *cfg, const struct http_req *req,
                          const struct rpc_msg *m, struct modern_meta *meta, struct rpc_fail *fail);

/* Answers one stateless POST whose body is doc (borrowed). Fills *resp, or writes an SSE
 * answer to fr itself (resp->streamed), or hands fr to mcp-sessiond (subscriptions/listen,
 * resp->handed_off). sc is used only for what needs sessiond. */
void modern_handle(const struct mcp_cfg *cfg, struct sessc *sc, const struct http_req *req,
                   FCGX_Request *fr, json_object *doc, struct http_resp *resp);

#endif
