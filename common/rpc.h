/*
 * rpc.h - the JSON-RPC 2.0 envelope: parse a body, tell requests, notifications and
 * responses apart, and build responses. All JSON goes through json-c.
 *
 * Ownership: functions named *_new return a json_object the caller owns (one reference).
 * Parameters documented "taken" have their reference consumed; "borrowed" ones are not.
 */
#ifndef MCP_RPC_H
#define MCP_RPC_H

#include <stddef.h>
#include <json-c/json.h>

#include "mcp_err.h"

#define RPC_MSG_LEN 256 /* bytes of a specific error message */

enum rpc_kind { RPC_REQUEST, RPC_NOTIFICATION, RPC_RESPONSE };

/* One classified message. Every pointer is borrowed from the message object. */
struct rpc_msg {
    enum rpc_kind kind;
    json_object *obj;    /* the whole message */
    json_object *id;     /* string or integer; NULL for notifications */
    const char *method;  /* NULL for responses */
    json_object *params; /* object, or NULL when absent */
};

/*
 * The detail of a failure, filled by handlers next to the enum mcp_err they return.
 * message: a specific one-sentence message ("" = the table's default).
 * data:    error.data to send (owned by the struct; rpc_fail_clear releases it).
 */
struct rpc_fail {
    char message[RPC_MSG_LEN];
    json_object *data;
};

/* Sets a specific message (printf-style) and returns err, for one-line error returns. */
enum mcp_err rpc_fail_set(struct rpc_fail *f, enum mcp_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void rpc_fail_clear(struct rpc_fail *f);

/* Replaces every byte of s that is not part of a complete UTF-8 sequence with '?', so that
 * messages built from client input (and cut to fit) stay valid UTF-8 in JSON. */
void rpc_utf8_sanitize(char *s);

/*
 * Parses a body of len bytes into *out (owned). Enforces max_depth nesting.
 * Returns MCP_E_PARSE for anything that is not exactly one JSON value (trailing garbage
 * included), MCP_OK otherwise.
 */
enum mcp_err rpc_parse(const char *body, size_t len, int max_depth, json_object **out);

/*
 * Classifies one message object. Returns MCP_E_INVALID_REQUEST (with a reason in *why,
 * a static string) when it is not a JSON-RPC 2.0 request, notification or response.
 * On error, out->id is still set when the id could be read, so the error can echo it.
 */
enum mcp_err rpc_classify(json_object *msg, struct rpc_msg *out, const char **why);

/* {"jsonrpc":"2.0","id":id,"result":result}. id borrowed (a reference is added); result taken. */
json_object *rpc_result_new(json_object *id, json_object *result);

/* An error response. id borrowed (NULL -> "id": null); message NULL or "" -> table default;
 * data taken (may be NULL). */
json_object *rpc_error_new(json_object *id, enum mcp_err err, const char *message,
                           json_object *data);

/* Convenience: error response from an rpc_fail (whose data is moved into the response). */
json_object *rpc_error_from_fail(json_object *id, enum mcp_err err, struct rpc_fail *f);

/* {"jsonrpc":"2.0","method":method,"params":params}. params taken (may be NULL). */
json_object *rpc_notification_new(const char *method, json_object *params);

#endif
