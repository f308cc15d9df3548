/* mcp_err.c - the mapping table of enum mcp_err. */
#include "mcp_err.h"

#include <stddef.h>

static const struct mcp_err_info mcp_err_table[MCP_E__COUNT] = {
    [MCP_OK] = {200, 0, "ok", "Success."},
    [MCP_E_PARSE] = {400, -32700, "parse_error", "Parse error: the body is not valid JSON."},
    [MCP_E_INVALID_REQUEST] = {400, -32600, "invalid_request",
                               "Invalid Request: not a valid JSON-RPC 2.0 message."},
    [MCP_E_METHOD_NOT_FOUND] = {200, -32601, "method_not_found", "Method not found."},
    [MCP_E_INVALID_PARAMS] = {200, -32602, "invalid_params", "Invalid params."},
    [MCP_E_INTERNAL] = {500, -32603, "internal_error", "Internal error."},
    [MCP_E_RESOURCE_NOT_FOUND] = {200, -32002, "resource_not_found", "Resource not found."},
    [MCP_E_CLIENT_CAPABILITY] = {400, -32021, "missing_client_capability",
                                 "The client did not declare a capability this request needs."},
    [MCP_E_HEADER_MISMATCH] = {400, -32020, "header_mismatch",
                               "Bad Request: the request headers do not match the body."},
    [MCP_E_UNSUPPORTED_VERSION] = {400, -32022, "unsupported_protocol_version",
                                   "Bad Request: unsupported protocol version."},
    [MCP_E_CLIENT_ERROR] = {500, -32603, "client_error",
                            "The client answered a request of the server with an error."},
    [MCP_E_NOT_ACCEPTABLE] = {406, -32600, "not_acceptable",
                              "Not Acceptable: the Accept header must list both "
                              "application/json and text/event-stream."},
    [MCP_E_UNSUPPORTED_MEDIA] = {415, -32600, "unsupported_media_type",
                                 "Unsupported Media Type: Content-Type must be application/json."},
    [MCP_E_TOO_LARGE] = {413, -32600, "payload_too_large",
                         "Payload Too Large: the body exceeds the configured limit."},
    [MCP_E_FORBIDDEN_ORIGIN] = {403, -32600, "forbidden_origin",
                                "Forbidden: the Origin header is not allowed."},
    [MCP_E_FORBIDDEN_HOST] = {403, -32600, "forbidden_host",
                              "Forbidden: the Host header is not allowed for this server."},
    [MCP_E_BAD_PROTOCOL_VERSION] = {400, -32600, "unsupported_protocol_version",
                                    "Bad Request: unsupported MCP-Protocol-Version."},
    [MCP_E_SESSION_REQUIRED] = {400, -32600, "session_required",
                                "Bad Request: Mcp-Session-Id header is required."},
    [MCP_E_SESSION_NOT_FOUND] = {404, -32600, "session_not_found",
                                 "Session not found: initialize a new session."},
    [MCP_E_SESSIONS_FULL] = {503, -32603, "sessions_full",
                             "Service Unavailable: the session limit is reached; try again later."},
    [MCP_E_UNAVAILABLE] = {503, -32603, "sessiond_unavailable",
                           "Service Unavailable: the session daemon is not reachable."},
    [MCP_E_METHOD_NOT_ALLOWED] = {405, -32600, "method_not_allowed", "Method Not Allowed."},
    [MCP_E_NOT_FOUND] = {404, -32600, "not_found", "Not Found."},
    [MCP_E_BAD_REQUEST] = {400, -32600, "bad_request", "Bad Request."},
    [MCP_E_STREAM_CONFLICT] = {409, -32600, "stream_conflict",
                               "Conflict: this session's GET stream is already open."},
    [MCP_E_STREAMS_FULL] = {503, -32603, "streams_full",
                            "Service Unavailable: the stream limit is reached; try again later."},
    [MCP_E_SESSION_STREAMS_FULL] = {429, -32600, "session_streams_full",
                                    "Too Many Requests: this session has too many open streams."},
    [MCP_E_BAD_EVENT_ID] = {400, -32600, "bad_event_id",
                            "Bad Request: Last-Event-ID is unknown or too old to resume; open "
                            "the stream without it."},
    [MCP_E_CANCELLED] = {200, -32800, "cancelled", "Request cancelled."},
    [MCP_E_CONFIG] = {500, -32603, "config_error", "Configuration error."},
    [MCP_E_IO] = {500, -32603, "io_error", "I/O error."},
    [MCP_E_PROTO] = {500, -32603, "protocol_error", "Internal protocol error."},
    [MCP_E_TIMEOUT] = {503, -32603, "timeout", "Timed out."},
};

const struct mcp_err_info *mcp_err_info(enum mcp_err err)
{
    if ((int)err < 0 || err >= MCP_E__COUNT || mcp_err_table[err].name == NULL)
        err = MCP_E_INTERNAL;
    return &mcp_err_table[err];
}
