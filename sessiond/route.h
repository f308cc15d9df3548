/*
 * route.h - sessiond's stream messages (common/ipc.h, types 0x0101..0x010a): it ties the
 * session table (sess.h), the stream records kept in each session's slot (stream.h), the
 * subscriptions of session-less subscriptions/listen streams (listen.h) and the held
 * connections (hold.h) together, and defers AWAIT replies.
 *
 * It also owns what ends sessions because of streams: a 2024-11-05 session ends when its
 * stream's connection has closed, and a session that ends for any reason (DELETE, idle
 * expiry, the reaper) ends its held connections cleanly and answers its pending awaits with
 * MCP_E_SESSION_NOT_FOUND.
 */
#ifndef MCP_ROUTE_H
#define MCP_ROUTE_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include <uv.h>

#include "cfg.h"
#include "hold.h"
#include "sess.h"

struct route;
struct route_wait;

/* Receives a deferred reply (borrowed: route frees it after the call). */
typedef void route_reply_fn(void *arg, json_object *reply);

/* cfg borrowed and read live (replaced in place on SIGHUP); t borrowed. Creates the
 * connection holder (route_hold) and installs t's ext_free hook. */
struct route *route_new(uv_loop_t *loop, const struct mcp_cfg *cfg, struct sess_table *t);

/* Frees r and its holder. Call after hold_shutdown and a loop run that closed every handle,
 * and after freeing the session table (whose hook uses r). NULL is fine. */
void route_free(struct route *r);

/* The connection holder, for adopting descriptors. */
struct hold *route_hold(struct route *r);

/* Applies a reloaded configuration (replay_events, request_timeout_s, heartbeat_s). */
void route_reconfigure(struct route *r);

/* True for the message types route_dispatch answers. */
bool route_handles(uint16_t type);

/*
 * The reply (owned) to a stream message of type with payload req (borrowed). c is the
 * connection that came with the frame (taken: it is started or discarded), or NULL. Returns
 * NULL when the reply is deferred (IPC_AWAIT): then *wait is set and done(arg, reply) runs
 * exactly once later, from the loop, unless route_wait_abandon(*wait) runs first.
 */
json_object *route_dispatch(struct route *r, uint16_t type, json_object *req, struct hold_conn *c,
                            route_reply_fn *done, void *arg, struct route_wait **wait);

/* The requester of a deferred reply went away: forget the request, never call done. */
void route_wait_abandon(struct route_wait *w);

/* Most notifications route_notify sends in one go. */
#define ROUTE_NOTIFY_MAX 4

/* Sends the notifications msgs[0..n_msgs) (borrowed; at most ROUTE_NOTIFY_MAX) in order on
 * stream 0 of every session (with uri, only of those subscribed to it), one session at a time
 * and one write per stream; returns how many sessions got them (see IPC_NOTIFY). Every
 * subscriptions/listen stream gets, also in one write, those of them it asked for (listen.h);
 * *listeners (may be NULL) receives how many listen streams got at least one. */
size_t route_notify(struct route *r, const char *uri, json_object *const *msgs, size_t n_msgs,
                    size_t *listeners);

/* subscriptions/listen streams held (IPC_LISTEN_ATTACH), until their connection has closed. */
size_t route_listen_count(const struct route *r);

/* sessiond stops: every live subscriptions/listen stream gets the JSON-RPC response that ends
 * it ({"resultType": "complete"}) and END_REQUEST; then hold_shutdown ends the others. */
void route_shutdown(struct route *r);

#endif
