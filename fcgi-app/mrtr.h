/*
 * mrtr.h - multi round-trip requests (protocol revision 2026-07-28, "MRTR").
 *
 * A stateless server cannot ask the client anything in the middle of a call. Instead,
 * tools/call, prompts/get and resources/read answer an InputRequiredResult:
 *
 *   {"resultType": "input_required",
 *    "inputRequests": {KEY: {"method": M, "params": {...}}, ...},
 *    "requestState": "<opaque>"}
 *
 * and the client sends the same request again (new id) with "inputResponses": {KEY: result}
 * and the requestState echoed. M is "elicitation/create", "sampling/createMessage" or
 * "roots/list", and only for capabilities the client declared in that request.
 *
 * requestState is untrusted input. Handlers put a JSON value there (their plaintext);
 * feat_dispatch seals it (mrtr_seal) into an opaque base64url string, integrity-protected
 * with HMAC-SHA256 under the configuration's requestState key (server.state_key,
 * server.state_key_file or runtime_dir/state.key; see cfg_load) and bound to the caller
 * (REMOTE_USER), the method, the name (tool name, prompt name or resource uri), the call's
 * arguments (params.arguments of tools/call and prompts/get, through a SHA-256 of their
 * canonical text, canon.h: members in another order are the same arguments) and an expiry
 * (server.state_ttl_s). A state that comes back is opened (mrtr_open) before any handler sees
 * it; one that was altered, is expired, or was issued for another caller, method, name or
 * arguments is refused with MCP_E_INVALID_PARAMS. The content is signed, not encrypted: the
 * client can read it. A state is not single-use: within its lifetime it can be replayed by
 * the same caller for the same method, name and arguments.
 */
#ifndef MCP_MRTR_H
#define MCP_MRTR_H

#include <stddef.h>
#include <time.h>
#include <json-c/json.h>

#include "cfg.h"
#include "feat.h"
#include "mcp_err.h"
#include "rpc.h"

#define MRTR_STATE_MAX 8192 /* bytes of a state's JSON text */
#define MRTR_BIND_MAX  4096 /* bytes of each of principal, method and name */
#define MRTR_HEAD      9    /* version byte + 8-byte expiry */
#define MRTR_TAG       32   /* HMAC-SHA256 */
#define MRTR_RAW_MAX   (MRTR_HEAD + MRTR_STATE_MAX + MRTR_TAG)
/* characters of the longest sealed state (base64url of MRTR_RAW_MAX bytes, no padding) */
#define MRTR_WIRE_MAX (MRTR_RAW_MAX / 3 * 4 + (MRTR_RAW_MAX % 3 ? MRTR_RAW_MAX % 3 + 1 : 0))

/* What a state is bound to. All borrowed; NULL counts as "" (args: as {}). */
struct mrtr_bind {
    const char *principal; /* REMOTE_USER, "" when anonymous */
    const char *method;    /* "tools/call", "prompts/get" or "resources/read" */
    const char *name;      /* the tool name, the prompt name or the uri */
    json_object *args;     /* params.arguments (tools/call, prompts/get); nesting at most
                            * cfg->max_json_depth levels, as any request's */
};

/*
 * Seals state (borrowed, not NULL) into *out (a new string the caller frees), valid until
 * now + cfg->state_ttl_s. cfg comes from cfg_load, which always gives it a key; one without
 * (a bug) seals and opens nothing (MCP_E_INTERNAL). MCP_E_INTERNAL (nothing in *out) when
 * the JSON text of state exceeds MRTR_STATE_MAX bytes, a binding string exceeds
 * MRTR_BIND_MAX, or the arguments nest deeper than cfg->max_json_depth.
 */
enum mcp_err mrtr_seal(const struct mcp_cfg *cfg, const struct mrtr_bind *bind, json_object *state,
                       time_t now, char **out, struct rpc_fail *fail);

/*
 * Opens wire (len bytes, no NUL needed; untrusted) into *state (owned, never NULL on MCP_OK).
 * MCP_E_INVALID_PARAMS, with a message starting "Invalid params: requestState", when wire is
 * not a state this server sealed for exactly this binding (malformed, altered, another
 * caller, method, name or arguments, longer than MRTR_WIRE_MAX) or when it expired before
 * now. The tag is compared in constant time.
 */
enum mcp_err mrtr_open(const struct mcp_cfg *cfg, const struct mrtr_bind *bind, const char *wire,
                       size_t len, time_t now, json_object **state, struct rpc_fail *fail);

/* ---- used by feat_dispatch -------------------------------------------------------------- */

/*
 * Before the handler of a stateless request runs. For tools/call, prompts/get and
 * resources/read: checks params.inputResponses (absent, or an object; ctx->input_responses is
 * not read; its members are checked when a handler asks for them, mrtr_input_response, as
 * only the handler knows its keys) and opens
 * params.requestState (absent, or a string that mrtr_open accepts for this caller, method,
 * name and arguments). *state gets the opened state (owned) or NULL; *responses the
 * inputResponses object (borrowed) or NULL. Other methods: both NULL, nothing checked. Errors as
 * mrtr_open, plus MCP_E_INVALID_PARAMS for malformed inputResponses or a non-string state.
 */
enum mcp_err mrtr_request_open(const struct feat_ctx *ctx, const char *method, json_object *params,
                               json_object **state, json_object **responses, struct rpc_fail *fail);

/*
 * After the handler: when result (borrowed) is an InputRequiredResult, checks that method may
 * return one on this request (stateless tools/call, prompts/get, resources/read, else
 * MCP_E_INTERNAL), that it carries inputRequests and/or requestState, that each input
 * request names one of the three methods with object params (MCP_E_INTERNAL) whose client
 * capability the request declared (MCP_E_CLIENT_CAPABILITY, fail->data =
 * {"requiredCapabilities": {...}}), and replaces its requestState with the sealed string.
 * Other results: MCP_OK, untouched.
 */
enum mcp_err mrtr_result_seal(const struct feat_ctx *ctx, const char *method, json_object *params,
                              json_object *result, struct rpc_fail *fail);

/* ---- for handlers ----------------------------------------------------------------------- */

/* 1 when result is an object with "resultType": "input_required". */
int mrtr_is_input_required(json_object *result);

/* {"resultType":"input_required", "inputRequests": requests?, "requestState": state?}.
 * requests and state taken; either may be NULL (not both). state is the handler's plaintext
 * (any JSON value but null); feat_dispatch seals it. */
json_object *mrtr_input_required_new(json_object *requests, json_object *state);

/*
 * Adds requests[key] = {"method": method, "params": params} (requests borrowed, an object;
 * params taken, NULL = {}). Refuses, adding nothing, with MCP_E_CLIENT_CAPABILITY and
 * fail->data = {"requiredCapabilities": {...}} when the request's client capabilities lack
 * what method needs (sampling, elicitation (and its form/url mode), roots), so a handler
 * never asks for an undeclared capability; MCP_E_INTERNAL for another method or a request
 * that is not stateless.
 */
enum mcp_err mrtr_input_request(const struct feat_ctx *ctx, struct rpc_fail *fail, const char *key,
                                const char *method, json_object *params, json_object *requests);

/*
 * *resp = the client's answer to input request key (borrowed, an object), or NULL when the
 * request has none. Only the keys a handler looks up here are its own; the other members of
 * inputResponses are ignored, whatever they hold. MCP_E_INVALID_PARAMS ("Invalid params:
 * inputResponses.KEY must be a result object.", *resp NULL) when key's member is there but
 * is not an object: the handler returns that error.
 */
enum mcp_err mrtr_input_response(const struct feat_ctx *ctx, struct rpc_fail *fail, const char *key,
                                 json_object **resp) __attribute__((warn_unused_result));

/* 1 when the request declared the client capability method needs ("sampling/createMessage",
 * "elicitation/create" in form mode, "roots/list"). */
int mrtr_client_declares(const struct feat_ctx *ctx, const char *method);

#endif
