/*
 * tool.h - the tool registry: tool definitions, tools/list and tools/call, and what a tool
 * handler may do while it runs (report progress, log, ask the client).
 *
 * A tool is a constant struct tool_def listed in a feature set (set.h). Handlers receive
 * arguments already validated against their inputSchema (schema.h).
 */
#ifndef MCP_TOOL_H
#define MCP_TOOL_H

#include <json-c/json.h>

#include "content.h"
#include "feat.h"
#include "mcp_err.h"
#include "rpc.h"

/* A hint of ToolAnnotations: unset (not sent), false or true. */
enum tool_hint { TOOL_HINT_UNSET = 0, TOOL_HINT_FALSE, TOOL_HINT_TRUE };

/* ToolAnnotations (2025-03-26+). All hints; clients must not trust them. */
struct tool_annotations {
    const char *title; /* NULL = none */
    enum tool_hint read_only, destructive, idempotent, open_world;
};

struct tool_call;

struct tool_def {
    const char *name;          /* 1-64 of [A-Za-z0-9_.-], unique per server */
    const char *title;         /* NULL = none; sent from 2025-06-18 */
    const char *description;   /* required, non-empty */
    const char *input_schema;  /* JSON text of the inputSchema, root {"type":"object"};
                                * listed verbatim, used to validate arguments */
    const char *output_schema; /* JSON text or NULL; sent from 2025-06-18, and the
                                * structuredContent of every result must conform */
    const struct tool_annotations *annotations; /* NULL = none; sent from 2025-03-26 */
    const struct content_icon *icons;           /* NULL = none; sent from 2025-11-25 */
    /* 1: the tool works on stateless (2026-07-28) requests only, e.g. because it asks for
     * input with an InputRequiredResult; on a session-era call the registry answers an
     * isError result saying so, without running it */
    int stateless_only;
    /*
     * Runs the tool. args (borrowed) is the validated arguments object. On MCP_OK *result
     * holds a CallToolResult the handler built (owned): {content:[...], isError?,
     * structuredContent?}, with blocks from content.h in the newest shape; the registry
     * fits them to the negotiated revision and adds the text copy of structuredContent.
     * Tool failures the model should see are results with isError:true, not errors.
     * Other returns end the call with a JSON-RPC error; details go in call->fail.
     * On a stateless request (call->ctx->stateless) the result may instead be an
     * InputRequiredResult (mrtr_input_required_new, with requests added by
     * tool_input_request); its requestState is the tool's plaintext, sealed by
     * feat_dispatch and handed back verified in call->state on the retry.
     */
    enum mcp_err (*call)(struct tool_call *call, json_object *args, json_object **result);
};

/* What a running handler gets. Valid for the duration of the call. */
struct tool_call {
    const struct feat_ctx *ctx; /* version, client caps, log level, progress token, sink */
    const struct tool_def *tool;
    struct rpc_fail *fail; /* where a handler returning an error puts details */
    double last_progress;  /* the last progress value sent (progress must increase) */
    int progress_sent;     /* notifications/progress sent so far */
    /* stateless (2026-07-28) requests only, else NULL; borrowed. The client's answers
     * (ctx->input_responses) are read with tool_input_response. */
    json_object *state; /* the verified requestState: the plaintext JSON value this
                         * tool put in its last InputRequiredResult */
};

/*
 * Sends notifications/progress {progressToken, progress, total?, message?} through the sink
 * when the request carried a progress token; without one it does nothing and returns MCP_OK.
 * total < 0 and message NULL leave those fields out ("message" only from 2025-03-26).
 * MCP_E_INTERNAL when progress does not increase over the previous call.
 */
enum mcp_err tool_progress(struct tool_call *call, double progress, double total,
                           const char *message);

/*
 * Sends notifications/message {level, logger?, data} through the sink when level is at or
 * above the session's log level (RFC 5424 order debug < info < notice < warning < error <
 * critical < alert < emergency; no level set means info and above). data is taken (may be
 * NULL for JSON null); logger may be NULL. MCP_E_INTERNAL for an unknown level.
 */
enum mcp_err tool_log(struct tool_call *call, const char *level, const char *logger,
                      json_object *data);

/*
 * The one list of MCP log levels: the static string equal to level when it is one of debug,
 * info, notice, warning, error, critical, alert, emergency; NULL otherwise (and for NULL).
 */
const char *tool_log_level_name(const char *level);

/*
 * Closes the client's connection now, after an SSE retry: field, while the call goes on; the
 * client resumes with GET + Last-Event-ID and receives what the call sends afterwards, its
 * result included (2025-11-25 polling, SEP-1699). MCP_E_UNAVAILABLE when this answer cannot
 * be resumed (a plain JSON answer path without streams, the 2024-11-05 transport).
 */
enum mcp_err tool_close_stream(struct tool_call *call);

/* Announces {"method": method} (a notifications/.../list_changed) to every session's standalone
 * stream and every subscriptions/listen stream that asked for that kind (feat_sink.announce).
 * MCP_E_UNAVAILABLE when mcp-sessiond cannot be reached. */
enum mcp_err tool_announce(struct tool_call *call, const char *method);

/*
 * Sends a request to the client ("sampling/createMessage", "elicitation/create",
 * "roots/list") through the sink and waits for its result. params taken; on MCP_OK *result
 * is the client's result (owned). Refuses, without sending anything, with
 * MCP_E_CLIENT_CAPABILITY when the client did not declare the capability the method needs
 * (fail->data = {"requiredCapabilities": {...}}), or when the negotiated revision lacks the
 * method. Any failure leaves a one-sentence explanation in call->fail->message that a tool
 * can show in an isError result (clearing call->fail when it then returns MCP_OK).
 * For elicitation/create it drops "mode" before 2025-11-25 and refuses a mode the client
 * did not declare.
 */
enum mcp_err tool_client_request(struct tool_call *call, const char *method, json_object *params,
                                 json_object **result);

/*
 * Whether the client of ctx can be asked method ("sampling/createMessage",
 * "elicitation/create", "roots/list") with params (borrowed; "mode" is dropped from
 * elicitation params before 2025-11-25): MCP_OK, or MCP_E_CLIENT_CAPABILITY with
 * fail->data = {"requiredCapabilities": {...}} when the client did not declare the
 * capability (or the elicitation mode, sampling tools/context) or the revision lacks the
 * method, or MCP_E_INTERNAL for any other method. Sends nothing.
 */
enum mcp_err tool_client_check(const struct feat_ctx *ctx, const char *method, json_object *params,
                               struct rpc_fail *fail);

/*
 * Stateless requests: adds input request key ({method, params}; params taken, NULL = {}) to
 * requests (borrowed object) for an InputRequiredResult, after the same capability check
 * as tool_client_check, so a tool never asks for what the client did not declare
 * (MCP_E_CLIENT_CAPABILITY; the tool returns it and the client gets -32021).
 * See mrtr_input_request.
 */
enum mcp_err tool_input_request(struct tool_call *call, const char *key, const char *method,
                                json_object *params, json_object *requests);

/* Stateless requests: *resp = the client's answer to input request key (borrowed object), or
 * NULL when there is none. MCP_E_INVALID_PARAMS (details in call->fail) when there is one but
 * it is not an object; the tool returns that. See mrtr_input_response. */
enum mcp_err tool_input_response(struct tool_call *call, const char *key, json_object **resp)
    __attribute__((warn_unused_result));

/* The first enabled tool named name, or NULL. */
const struct tool_def *tool_find(const struct mcp_cfg *cfg, const char *name);

/* The Tool object for tools/list in version's shape (owned), or NULL with MCP_E_INTERNAL
 * in *err when the definition's JSON texts do not parse. */
json_object *tool_def_json_new(const struct tool_def *t, const char *version, enum mcp_err *err);

/* Completes a handler's result (borrowed, changed in place) for version: validates
 * structuredContent against the output schema, adds its text copy, and fits content to the
 * revision (dropping structuredContent before 2025-06-18). MCP_E_INTERNAL when the result
 * is malformed or does not match the output schema. */
enum mcp_err tool_result_finish(const struct tool_def *t, const char *version, json_object *result,
                                struct rpc_fail *fail);

/* tools/list and tools/call, as feat_dispatch calls them. */
enum mcp_err tool_list(const struct feat_ctx *ctx, json_object *params, json_object **result,
                       struct rpc_fail *fail);
enum mcp_err tool_call_run(const struct feat_ctx *ctx, json_object *params, json_object **result,
                           struct rpc_fail *fail);

#endif
