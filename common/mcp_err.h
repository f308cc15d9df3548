/*
 * mcp_err.h - the one error enum of mcp-fcgi and its mapping table.
 *
 * Every layer reports failures as an enum mcp_err returned by value (or through an out
 * parameter for functions returning pointers). mcp_err_info() maps each value, in one table,
 * to the HTTP status used when the error ends a request at the transport level, the JSON-RPC
 * error code, and a short default message.
 */
#ifndef MCP_ERR_H
#define MCP_ERR_H

enum mcp_err {
    MCP_OK = 0,
    /* JSON-RPC level */
    MCP_E_PARSE,              /* body is not JSON                         400 / -32700 */
    MCP_E_INVALID_REQUEST,    /* not a valid JSON-RPC message or batch    400 / -32600 */
    MCP_E_METHOD_NOT_FOUND,   /* unknown or unadvertised method           200 / -32601 */
    MCP_E_INVALID_PARAMS,     /* params do not fit the method             200 / -32602 */
    MCP_E_INTERNAL,           /* our fault                                500 / -32603 */
    MCP_E_RESOURCE_NOT_FOUND, /* resources/read of an unknown uri         200 / -32002 */
    MCP_E_CLIENT_CAPABILITY,  /* client did not declare a needed capability 400 / -32021 */
    /* HTTP transport level */
    MCP_E_NOT_ACCEPTABLE,       /* Accept lacks a required media type       406 */
    MCP_E_UNSUPPORTED_MEDIA,    /* Content-Type is not application/json     415 */
    MCP_E_TOO_LARGE,            /* body over http.max_body                  413 */
    MCP_E_FORBIDDEN_ORIGIN,     /* Origin not on the allow-list             403 */
    MCP_E_FORBIDDEN_HOST,       /* Host not allowed (DNS rebinding)         403 */
    MCP_E_BAD_PROTOCOL_VERSION, /* MCP-Protocol-Version unsupported       400 */
    MCP_E_SESSION_REQUIRED,     /* Mcp-Session-Id missing                   400 */
    MCP_E_SESSION_NOT_FOUND,    /* unknown, ended or foreign session        404 */
    MCP_E_SESSIONS_FULL,        /* sessions.max reached                     503 */
    MCP_E_UNAVAILABLE,          /* mcp-sessiond cannot be reached           503 */
    MCP_E_METHOD_NOT_ALLOWED,   /* HTTP method not served on this path      405 */
    MCP_E_NOT_FOUND,            /* no such path                             404 */
    MCP_E_BAD_REQUEST,          /* malformed HTTP request (other)           400 */
    MCP_E_STREAM_CONFLICT,      /* the session's GET stream is already open 409 */
    MCP_E_STREAMS_FULL,         /* streams.max connections held             503 */
    MCP_E_SESSION_STREAMS_FULL, /* streams.per_session reached              429 */
    MCP_E_BAD_EVENT_ID,         /* Last-Event-ID unknown, foreign, too old  400 */
    MCP_E_CANCELLED,            /* the client cancelled the request: no answer is sent */
    /* internal plumbing */
    MCP_E_CONFIG,  /* configuration invalid */
    MCP_E_IO,      /* socket or file I/O failed */
    MCP_E_PROTO,   /* peer broke the worker<->sessiond framing */
    MCP_E_TIMEOUT, /* peer did not answer in time */
    /* 2026-07-28 (appended: the values above travel between workers and sessiond) */
    MCP_E_HEADER_MISMATCH,     /* request headers vs body                  400 / -32020 */
    MCP_E_UNSUPPORTED_VERSION, /* _meta version not served statelessly     400 / -32022 */
    MCP_E_CLIENT_ERROR,        /* the client answered our request with an error  / -32603 */
    MCP_E__COUNT
};

struct mcp_err_info {
    int http_status;     /* status when the error ends an HTTP request */
    int rpc_code;        /* JSON-RPC error.code */
    const char *name;    /* stable identifier, e.g. "session_not_found" */
    const char *message; /* default one-sentence message */
};

/* Returns the table row for err; never NULL (out-of-range values map to MCP_E_INTERNAL). */
const struct mcp_err_info *mcp_err_info(enum mcp_err err);

#endif
