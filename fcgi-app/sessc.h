/*
 * sessc.h - a worker's client of mcp-sessiond (the session daemon), over the Unix control
 * socket described in common/ipc.h.
 *
 * A struct sessc is owned by one worker process and reused across requests. It connects
 * lazily, and reconnects by itself on the next call after any failure, so a worker recovers
 * on its own once sessiond is back. Every call is bounded by cfg->sessiond_timeout_ms in
 * total (connect + send + receive): when sessiond is down or stalled the call returns
 * MCP_E_UNAVAILABLE within that time and never hangs.
 *
 * Sessions travel as json-c objects with these members:
 *   "id"                   string, the Mcp-Session-Id (>= 128 bits from getrandom, hex)
 *   "principal"            string, REMOTE_USER of the creator or "" for anonymous
 *   "version"              string, negotiated protocol version
 *   "client_capabilities"  object
 *   "client_info"          object
 *   "log_level"            string ("" until logging/setLevel)
 *   "initialized"          boolean (notifications/initialized seen)
 *   "subscriptions"        array of resource URIs
 *   "created", "last_active"  integers, Unix seconds
 */
#ifndef MCP_SESSC_H
#define MCP_SESSC_H

#include <json-c/json.h>

#include "cfg.h"
#include "mcp_err.h"

struct sessc;

/* cfg borrowed for the lifetime of the sessc. Does not connect. */
struct sessc *sessc_new(const struct mcp_cfg *cfg);
void sessc_free(struct sessc *sc);

/* Starts the budget of one HTTP request: every call until the next sessc_begin_request
 * shares one deadline (cfg->sessiond_timeout_ms from now), and after one call failed with
 * MCP_E_UNAVAILABLE the others fail at once. So a request that needs several calls (a
 * batch) still answers within the timeout when sessiond is stalled. Without it, each call
 * has its own deadline. */
void sessc_begin_request(struct sessc *sc);
/* Ends that budget; calls made afterwards have their own deadlines again. */
void sessc_end_request(struct sessc *sc);

/* Mints a session. caps and info borrowed (NULL = {}). *session owned.
 * Errors: MCP_E_SESSIONS_FULL, MCP_E_UNAVAILABLE, MCP_E_INVALID_PARAMS. */
enum mcp_err sessc_create(struct sessc *sc, const char *principal, const char *version,
                          json_object *caps, json_object *info, json_object **session);

/* Looks a session up and marks it active. An unknown id and an id owned by another
 * principal both give MCP_E_SESSION_NOT_FOUND. *session owned. */
enum mcp_err sessc_get(struct sessc *sc, const char *id, const char *principal,
                       json_object **session);

/* Applies changes (borrowed) to a session: any of "log_level" (string), "initialized"
 * (boolean), "subscribe" (uri string), "unsubscribe" (uri string). session may be NULL;
 * otherwise *session receives the updated session (owned). */
enum mcp_err sessc_update(struct sessc *sc, const char *id, const char *principal,
                          json_object *changes, json_object **session);

/* Ends a session; later calls with its id give MCP_E_SESSION_NOT_FOUND. */
enum mcp_err sessc_delete(struct sessc *sc, const char *id, const char *principal);

/* sessiond's status: {"sessions": n, "max_sessions": n, "uptime_s": n, ...}. *status owned. */
enum mcp_err sessc_status(struct sessc *sc, json_object **status);

#endif
