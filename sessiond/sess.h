/*
 * sess.h - sessiond's session store (sessions of the 2025 protocol revisions).
 *
 * A session is minted by sess_create with a random id (16 bytes from getrandom(2) as 32
 * lowercase hex characters) and is bound to the principal that created it. Every lookup
 * takes (id, principal): an unknown id, an expired session and a session of another
 * principal all give MCP_E_SESSION_NOT_FOUND (principals are compared in constant time).
 *
 * A session idle for longer than the table's idle timeout is expired: lookups treat it as
 * not found (and free it) even before sess_reap runs. sess_reap frees every expired
 * session. The table holds at most max_sessions; sess_create reaps before refusing with
 * MCP_E_SESSIONS_FULL.
 *
 * Time is passed in (struct sess_now) so tests can drive the clock. Between calls on one
 * table, now must not go backwards.
 *
 * Sessions travel as JSON objects with exactly the members fcgi-app/sessc.h lists; the
 * limits on their members are those of common/ipc.h (IPC_MAX_PRINCIPAL, IPC_MAX_VERSION,
 * IPC_MAX_URI, IPC_MAX_SUBS), and a session's JSON must fit in SESS_MAX_JSON bytes so that
 * a reply carrying it fits one frame.
 *
 * Each session has one attachment slot (void *) for the table's user: sessiond keeps the
 * session's stream records there (stream.h). Whenever a session is removed (sess_delete,
 * sess_end, expiry found by a lookup, sess_reap, sess_create's reaping, sess_table_free) the
 * table calls the ext_free hook with the session's id and slot value, after unlinking the
 * session and before freeing it; the hook must not call back into the table.
 *
 * Not thread-safe: sessiond's single event loop owns the table.
 */
#ifndef MCP_SESS_H
#define MCP_SESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "ipc.h"
#include "mcp_err.h"

/* Bytes a session's JSON may take: a frame, less room for the reply envelope. */
#define SESS_MAX_JSON (IPC_MAX_PAYLOAD - 512)

/* A point in time as both clocks see it. */
struct sess_now {
    int64_t wall_s;  /* CLOCK_REALTIME, Unix seconds */
    int64_t mono_ms; /* CLOCK_MONOTONIC, milliseconds */
};

struct sess_table;

/* Reads both clocks into *now. */
void sess_now_read(struct sess_now *now);

/* A new, empty table. max_sessions >= 1, idle_timeout_s >= 1. */
struct sess_table *sess_table_new(int max_sessions, int idle_timeout_s);
void sess_table_free(struct sess_table *t); /* frees every session; NULL is fine */

/* Applies new limits (configuration reload). Sessions over a lowered cap stay; creation is
 * refused until the count drops below it. */
void sess_table_set_limits(struct sess_table *t, int max_sessions, int idle_timeout_s);

/* Sessions held, including expired ones not yet reaped. */
size_t sess_count(const struct sess_table *t);

/*
 * Mints a session for principal (may be "", not NULL) with the negotiated version.
 * caps and info are borrowed (copied); NULL means {}.
 * On MCP_OK, *session (when session is not NULL) receives the session as JSON (owned).
 * Errors: MCP_E_INVALID_PARAMS (principal/version out of bounds, caps/info not objects, the
 * session would not fit SESS_MAX_JSON; *why, when why is not NULL, receives a static
 * one-sentence reason), MCP_E_SESSIONS_FULL, MCP_E_INTERNAL (getrandom failed).
 */
enum mcp_err sess_create(struct sess_table *t, const struct sess_now *now, const char *principal,
                         const char *version, json_object *caps, json_object *info,
                         json_object **session, const char **why);

/* Looks (id, principal) up and marks the session active. *session (when not NULL) owned.
 * Errors: MCP_E_SESSION_NOT_FOUND. */
enum mcp_err sess_get(struct sess_table *t, const struct sess_now *now, const char *id,
                      const char *principal, json_object **session);

/*
 * Applies changes (borrowed) as documented for IPC_SESS_UPDATE in ipc.h: all or none, then
 * marks the session active. *session (when not NULL) receives the updated session (owned).
 * Errors: MCP_E_SESSION_NOT_FOUND (checked first), MCP_E_INVALID_PARAMS (*why, when why is
 * not NULL, receives a static one-sentence reason).
 */
enum mcp_err sess_update(struct sess_table *t, const struct sess_now *now, const char *id,
                         const char *principal, json_object *changes, json_object **session,
                         const char **why);

/* Ends a session. Errors: MCP_E_SESSION_NOT_FOUND. */
enum mcp_err sess_delete(struct sess_table *t, const struct sess_now *now, const char *id,
                         const char *principal);

/* Frees every session idle for longer than the idle timeout; returns how many. Pinned
 * sessions are skipped. */
size_t sess_reap(struct sess_table *t, const struct sess_now *now);

/* Called with the id and the attachment (may be NULL) of every session removed. */
typedef void sess_ext_free_fn(void *arg, const char *id, void *ext);

/* Sets the hook called when a session is removed (see above); fn NULL = none. */
void sess_table_set_ext_free(struct sess_table *t, sess_ext_free_fn *fn, void *arg);

/*
 * Looks (id, principal) up like sess_get and gives the address of its attachment slot in
 * *slot (valid until the session is removed; *slot starts NULL). touch: mark the session
 * active, as sess_get does. Errors: MCP_E_SESSION_NOT_FOUND.
 */
enum mcp_err sess_slot(struct sess_table *t, const struct sess_now *now, const char *id,
                       const char *principal, bool touch, void ***slot);

/* Exempts the live session id from idle expiry (a 2024-11-05 session lives exactly as long
 * as its SSE stream). Errors: MCP_E_SESSION_NOT_FOUND. */
enum mcp_err sess_pin(struct sess_table *t, const struct sess_now *now, const char *id);

/* Ends session id whatever its principal (its 2024-11-05 stream closed). Errors:
 * MCP_E_SESSION_NOT_FOUND. */
enum mcp_err sess_end(struct sess_table *t, const char *id);

/* True when the live session id is subscribed to uri. */
bool sess_subscribed(struct sess_table *t, const struct sess_now *now, const char *id,
                     const char *uri);

typedef void sess_each_fn(void *arg, const char *id, void **slot);

/*
 * Calls fn for every live (not expired) session, or with uri not NULL only for those
 * subscribed to uri, oldest activity first. Returns how many. fn must not add or remove
 * sessions. Does not mark sessions active.
 */
size_t sess_each(struct sess_table *t, const struct sess_now *now, const char *uri,
                 sess_each_fn *fn, void *arg);

#endif
