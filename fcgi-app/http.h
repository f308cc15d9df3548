/*
 * http.h - the HTTP edge of a worker: the request as the web server passed it (FastCGI
 * params), the checks every MCP request goes through (Host, Origin, Accept, Content-Type),
 * and the response as we write it back.
 *
 * Validation happens here once; later layers see only a checked struct http_req.
 */
#ifndef MCP_HTTP_H
#define MCP_HTTP_H

#include <stddef.h>
#include <json-c/json.h>

#include "cfg.h"
#include "mcp_err.h"

#define HTTP_VALUE_MAX      8192 /* longest header value or URI we accept */
#define HTTP_PATH_MAX       1024
#define HTTP_SESSION_ID_MAX 128
#define HTTP_PRINCIPAL_MAX  1023 /* longest REMOTE_USER (what sessiond stores per session) */

/* One request. Every string is borrowed from the FastCGI environment (NULL when absent),
 * except path, which is REQUEST_URI without its query string, copied. */
struct http_req {
    const char *method;           /* REQUEST_METHOD */
    const char *uri;              /* REQUEST_URI */
    const char *query;            /* QUERY_STRING */
    const char *accept;           /* HTTP_ACCEPT */
    const char *content_type;     /* CONTENT_TYPE */
    const char *origin;           /* HTTP_ORIGIN */
    const char *host;             /* HTTP_HOST */
    const char *server_addr;      /* SERVER_ADDR: the local address the client reached */
    const char *remote_user;      /* REMOTE_USER, set by the web server's authentication */
    const char *session_id;       /* HTTP_MCP_SESSION_ID */
    const char *protocol_version; /* HTTP_MCP_PROTOCOL_VERSION */
    const char *last_event_id;    /* HTTP_LAST_EVENT_ID */
    const char *mcp_method;       /* HTTP_MCP_METHOD (2026-07-28) */
    const char *mcp_name;         /* HTTP_MCP_NAME (2026-07-28) */
    char *const *envp;            /* the whole environment, for http_req_header */
    long long content_length;     /* CONTENT_LENGTH, -1 when absent */
    char path[HTTP_PATH_MAX];
};

/* Fills *r from a FastCGI environment (envp borrowed, must outlive *r).
 * MCP_E_BAD_REQUEST when a value is over HTTP_VALUE_MAX, REQUEST_METHOD is missing, or
 * CONTENT_LENGTH is not a number. */
enum mcp_err http_req_parse(struct http_req *r, char *const *envp);

/* The value of a request header by its CGI name ("HTTP_MCP_PARAM_REGION"), or NULL; values
 * over HTTP_VALUE_MAX count as absent. */
const char *http_req_header(const struct http_req *r, const char *cgi_name);

/* 1 when the Accept list names media type `type` (exactly, case-insensitive) with q > 0. */
int http_accepts(const char *accept, const char *type);

/* 1 when content_type's media type is `type` (case-insensitive; parameters allowed, but a
 * charset parameter must be utf-8). */
int http_content_type_is(const char *content_type, const char *type);

/* DNS-rebinding defence. With http.allowed_hosts set, Host must match an entry (a name, or
 * name:port). Without it, a request that reached a loopback address must name a loopback
 * host (localhost, 127.0.0.0/8, [::1]). Returns MCP_OK or MCP_E_FORBIDDEN_HOST. */
enum mcp_err http_check_host(const struct mcp_cfg *cfg, const struct http_req *r);

/* Origin check (requests without Origin pass: they do not come from a browser page).
 * With http.allowed_origins set, Origin must equal an entry (case-insensitive, "*" allows
 * all). Without it, Origin's host[:port] must equal the request's Host.
 * Returns MCP_OK or MCP_E_FORBIDDEN_ORIGIN. */
enum mcp_err http_check_origin(const struct mcp_cfg *cfg, const struct http_req *r);

/* 1 when s is a plausible session id: 1..HTTP_SESSION_ID_MAX visible ASCII (0x21-0x7E). */
int http_session_id_valid(const char *s);

/* A response being prepared. Headers are written by http_resp_write. */
struct http_resp {
    int status;
    char session_id[HTTP_SESSION_ID_MAX + 1]; /* Mcp-Session-Id to send ("" = none) */
    const char *allow;                        /* Allow header (405), static string or NULL */
    json_object *body;                        /* owned; NULL = no body */
    int streamed;   /* the answer was written to the connection already (SSE): render nothing */
    int handed_off; /* the connection now belongs to mcp-sessiond: release it, write nothing */
};

void http_resp_init(struct http_resp *resp);
/* Releases the body. */
void http_resp_clear(struct http_resp *resp);

/* Standard reason phrase for a status code. */
const char *http_reason(int status);

/* Serialises the head (Status, Content-Type, Cache-Control, extras) and body into a new
 * buffer (owned, *len bytes, not terminated beyond len). */
char *http_resp_render(const struct http_resp *resp, size_t *len);

#endif
