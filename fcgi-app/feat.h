/*
 * feat.h - the server-feature layer: tools, resources, prompts and completions, as seen by
 * the MCP dispatcher (mcp.c). The dispatcher has already checked the transport, the session
 * and the JSON-RPC envelope; this layer validates params and produces results.
 *
 * Protocol versions are "YYYY-MM-DD" strings; compare them with strcmp (dates sort).
 */
#ifndef MCP_FEAT_H
#define MCP_FEAT_H

#include <json-c/json.h>

#include "cfg.h"
#include "mcp_err.h"
#include "rpc.h"

/*
 * Where a request's notifications and server-to-client requests go. The dispatcher provides
 * it; tools reach it through their tool_call. With a plain application/json answer there is
 * no stream: notify drops the message and request returns MCP_E_UNAVAILABLE.
 */
struct feat_sink {
    void *opaque;
    /* Sends one notification related to the current request. msg taken. */
    enum mcp_err (*notify)(void *opaque, json_object *msg);
    /* Sends a request to the client and waits for its result. params taken, *result owned.
     * MCP_E_CLIENT_ERROR when the client answered with a JSON-RPC error: *result is then that
     * error object ({code, message, data?}, owned). */
    enum mcp_err (*request)(void *opaque, const char *method, json_object *params,
                            json_object **result);
    /* Closes the client's connection now (after an SSE retry: field) while the call goes on;
     * the client resumes with GET + Last-Event-ID and receives the rest. NULL, or
     * MCP_E_UNAVAILABLE, when the answer cannot be resumed. */
    enum mcp_err (*close_stream)(void *opaque);
    /* Announces notification msg (borrowed; a list_changed) through mcp-sessiond to every
     * session's standalone stream and every subscriptions/listen stream that asked for its
     * kind. NULL, or MCP_E_UNAVAILABLE, when sessiond cannot be reached. */
    enum mcp_err (*announce)(void *opaque, json_object *msg);
};

/*
 * What a feature method may know about its caller. All borrowed, valid for one call.
 *
 * Stateless requests (protocol revision 2026-07-28, no session): version is "2026-07-28",
 * client_caps is _meta["io.modelcontextprotocol/clientCapabilities"], log_level is
 * _meta["io.modelcontextprotocol/logLevel"] or FEAT_LOG_NONE when the request named none (then
 * no notifications/message may be sent), and there is no server-to-client request: tools,
 * prompts and resource reads that need the client answer an InputRequiredResult
 * ({"resultType": "input_required", "inputRequests": {...}, "requestState"?: "..."}) and get
 * the client's answers in input_responses when the client retries. feat_dispatch verifies an
 * incoming params.requestState (HMAC, mrtr.h) before any handler sees it, and seals the
 * state a handler returns; a state that does not verify is MCP_E_INVALID_PARAMS.
 */
struct feat_ctx {
    const struct mcp_cfg *cfg;
    const char *version;          /* negotiated protocol version */
    json_object *client_caps;     /* client capabilities object (may be NULL) */
    const char *log_level;        /* session log level ("" = none set, FEAT_LOG_NONE) */
    json_object *progress_token;  /* params._meta.progressToken, or NULL */
    const struct feat_sink *sink; /* never NULL */
    /* stateless (2026-07-28) requests only; 0 / NULL otherwise */
    int stateless;
    const char *principal; /* REMOTE_USER or "": requestState is bound to it */
    /* set by feat_dispatch for the handlers (the dispatcher leaves them NULL; feat_dispatch
     * ignores what it finds there): */
    json_object *input_responses; /* params.inputResponses once mrtr_request_open checked it
                                   * (an object), or NULL */
    json_object *request_state;   /* the verified params.requestState, the plaintext JSON
                                   * value a handler put in its InputRequiredResult */
};

/* log_level of a stateless request without _meta logLevel: send no log messages. */
#define FEAT_LOG_NONE "none"

/* The capabilities object for initialize: exactly what the configured sets implement. */
json_object *feat_capabilities_new(const struct mcp_cfg *cfg, const char *version);

/* 1 when that object has capability cap ("tools", "resources", ...) and, with flag non-NULL,
 * cap.flag true ("listChanged", "subscribe"); without building it (for the request path). */
int feat_capability(const struct mcp_cfg *cfg, const char *version, const char *cap,
                    const char *flag);

/*
 * Handles one server-feature method (tools/list, tools/call, resources/list,
 * resources/templates/list, resources/read, prompts/list, prompts/get, completion/complete).
 * On MCP_OK *result holds the result object (owned). Otherwise returns the error
 * (MCP_E_METHOD_NOT_FOUND when the method is not one of these or its capability is not
 * advertised; MCP_E_INVALID_PARAMS, MCP_E_RESOURCE_NOT_FOUND, MCP_E_INTERNAL) with details
 * in *fail.
 * Stateless requests, tools/call, prompts/get and resources/read only (mrtr.h): a
 * params.inputResponses that is not an object, a member of it the handler asks for that is
 * not an object (other members are ignored), and a params.requestState that does not verify
 * are MCP_E_INVALID_PARAMS ("Invalid params: ..."); a handler asking for a client capability the
 * request did not declare is MCP_E_CLIENT_CAPABILITY (fail->data = {"requiredCapabilities":
 * {...}}). A result may be an InputRequiredResult (resultType "input_required", its
 * requestState sealed); no other result carries a resultType.
 */
enum mcp_err feat_dispatch(const struct feat_ctx *ctx, const char *method, json_object *params,
                           json_object **result, struct rpc_fail *fail);

#endif
