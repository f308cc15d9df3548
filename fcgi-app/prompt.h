/*
 * prompt.h - the prompt registry: prompts with declared arguments, prompts/list,
 * prompts/get, and completion candidates for prompt arguments.
 */
#ifndef MCP_PROMPT_H
#define MCP_PROMPT_H

#include <stdbool.h>
#include <json-c/json.h>

#include "content.h"
#include "feat.h"
#include "mcp_err.h"
#include "rpc.h"

#define PROMPT_ARG_MAX 8192 /* bytes of one argument value prompts/get accepts */

struct prompt_arg {
    const char *name;
    const char *title;       /* NULL = none; sent from 2025-06-18 */
    const char *description; /* NULL = none */
    bool required;
    const char *const *values; /* completion candidates, NULL-terminated, or NULL */
};

struct prompt_def {
    const char *name;
    const char *title;                /* NULL = none; sent from 2025-06-18 */
    const char *description;          /* required, non-empty */
    const struct content_icon *icons; /* NULL = none; sent from 2025-11-25 */
    const struct prompt_arg *args;    /* ends at name NULL; NULL = no arguments */
    /*
     * Renders the prompt. args (borrowed) is an object of strings holding every required
     * argument and no undeclared one. On MCP_OK *messages is the messages array (owned):
     * [{role, content}] with blocks from content.h in the newest shape; the registry fits
     * them to the negotiated revision. On a stateless request (ctx->stateless) it may
     * instead be an InputRequiredResult object (mrtr.h: mrtr_input_required_new, requests
     * added with mrtr_input_request), answered as the whole result; the client's answers
     * come back in ctx->input_responses (read them with mrtr_input_response) and the
     * verified state in ctx->request_state.
     */
    enum mcp_err (*get)(const struct feat_ctx *ctx, json_object *args, json_object **messages,
                        struct rpc_fail *fail);
};

/* prompts/list and prompts/get as feat_dispatch calls them. prompts/get: unknown prompt,
 * missing required argument (named in the message), undeclared argument or a non-string
 * value give MCP_E_INVALID_PARAMS. */
enum mcp_err prompt_list(const struct feat_ctx *ctx, json_object *params, json_object **result,
                         struct rpc_fail *fail);
enum mcp_err prompt_get(const struct feat_ctx *ctx, json_object *params, json_object **result,
                        struct rpc_fail *fail);

/* Completion candidates for argument arg of prompt name: *values is NULL-terminated, or NULL
 * for none. MCP_E_INVALID_PARAMS for an unknown prompt or argument. */
enum mcp_err prompt_complete_values(const struct mcp_cfg *cfg, const char *name, const char *arg,
                                    const char *const **values, struct rpc_fail *fail);

#endif
