/*
 * listen.h - the subscriptions of 2026-07-28 `subscriptions/listen` streams (IPC_LISTEN_ATTACH
 * in common/ipc.h): what one stream asked for, which server notifications it gets, and the
 * exact text of what goes out on it. Pure bookkeeping: no I/O, no libuv; route.c holds the
 * connections and writes (hold.h).
 *
 * A listen stream has no session and no event ids. It carries, after the acknowledgement,
 * only the notifications it asked for:
 *   notifications/tools/list_changed      toolsListChanged true
 *   notifications/prompts/list_changed    promptsListChanged true
 *   notifications/resources/list_changed  resourcesListChanged true
 *   notifications/resources/updated       params.uri one of resourceSubscriptions
 * and every one of them with params._meta["io.modelcontextprotocol/subscriptionId"] set to the
 * listen request's JSON-RPC id (the other params and _meta members kept). Any other method
 * (progress, log messages, ...) never goes to a listen stream.
 */
#ifndef MCP_LISTEN_H
#define MCP_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <json-c/json.h>

#include "ipc.h"
#include "mcp_err.h"

#define LISTEN_MAX_URIS IPC_LISTEN_URIS /* resourceSubscriptions of one stream */
#define LISTEN_SUB_ID   "io.modelcontextprotocol/subscriptionId" /* the _meta key */

/* What a notification is, for listen streams (bits of struct listen_sub.kinds). */
enum listen_kind {
    LISTEN_NONE = 0,        /* never sent to a listen stream */
    LISTEN_TOOLS = 0x1,     /* notifications/tools/list_changed */
    LISTEN_PROMPTS = 0x2,   /* notifications/prompts/list_changed */
    LISTEN_RESOURCES = 0x4, /* notifications/resources/list_changed */
    LISTEN_UPDATED = 0x8,   /* notifications/resources/updated (filtered by uri) */
};

/* One listen stream's subscription. Members are read-only outside listen.c, except conn and
 * link, which belong to the holder of the stream. */
struct listen_sub {
    void *conn; /* the held connection (opaque here), set by the holder */
    TAILQ_ENTRY(listen_sub) link;
    uint16_t rpc_len; /* bytes of the request id's JSON text */
    uint8_t kinds;    /* LISTEN_TOOLS | LISTEN_PROMPTS | LISTEN_RESOURCES */
    uint8_t n_uris;   /* resourceSubscriptions kept */
    char text[];      /* the request id's JSON text, NUL, then each URI with its NUL */
};
TAILQ_HEAD(listen_subs, listen_sub);

/*
 * A new subscription for the listen request rpc_id (a string or an integer, JSON text at most
 * 255 bytes) asking for notifications (an object; borrowed): "toolsListChanged",
 * "promptsListChanged", "resourcesListChanged" booleans, "resourceSubscriptions" an array of
 * at most LISTEN_MAX_URIS strings of 1..IPC_MAX_URI bytes without NUL; each optional, other
 * members ignored. *out (owned, listen_sub_free) and *ack (owned): the acknowledgement
 * notifications/subscriptions/acknowledged, whose "notifications" are the members of
 * notifications this subscription honours, as given. Errors: MCP_E_INVALID_PARAMS with *why
 * (a static one-sentence reason).
 */
enum mcp_err listen_sub_new(json_object *rpc_id, json_object *notifications,
                            struct listen_sub **out, json_object **ack, const char **why);

void listen_sub_free(struct listen_sub *s); /* NULL is fine */

/* The request id's JSON text (NUL-terminated, rpc_len bytes). */
const char *listen_sub_rpc_id(const struct listen_sub *s);

/* True when s subscribed to resource uri. */
bool listen_sub_has_uri(const struct listen_sub *s, const char *uri);

/*
 * A notification prepared for listen streams: its kind, and its text with the subscription id
 * left out, so each stream's copy costs one copy of bytes. The text is
 *     <head><the stream's request id>}}}
 * where head ends in "\"io.modelcontextprotocol/subscriptionId\":": "params" is the message's
 * last member, "_meta" the last of params, the subscription id the last of _meta.
 */
struct listen_note {
    enum listen_kind kind;
    char *uri;       /* LISTEN_UPDATED: params.uri (owned) */
    char *head;      /* owned, NUL-terminated */
    size_t head_len; /* bytes of head */
};

/* Prepares msg (borrowed, a JSON-RPC notification) into *n. A message that is not for listen
 * streams (another method, params or _meta not an object, resources/updated without a string
 * params.uri, text over max bytes) gives kind LISTEN_NONE and no head. Free with
 * listen_note_clear. */
void listen_note_init(struct listen_note *n, json_object *msg, size_t max);
void listen_note_clear(struct listen_note *n);

/* True when stream s gets n. uri (may be NULL): the sender's filter, as IPC_NOTIFY "uri"; when
 * set, only streams subscribed to uri get anything. */
bool listen_wants(const struct listen_sub *s, const struct listen_note *n, const char *uri);

/* Bytes listen_note_text writes for s (without a NUL). */
size_t listen_note_size(const struct listen_note *n, const struct listen_sub *s);

/* Writes n as stream s sends it into out (cap bytes, no NUL added). Returns the bytes, 0 when
 * cap is too small or n is LISTEN_NONE. */
size_t listen_note_text(const struct listen_note *n, const struct listen_sub *s, char *out,
                        size_t cap);

/* The JSON-RPC response that ends s when the server ends it: {"jsonrpc":"2.0","id":<id>,
 * "result":{"resultType":"complete","_meta":{"io.modelcontextprotocol/subscriptionId":<id>}}}
 * into out (cap bytes, NUL-terminated). Returns the bytes without the NUL, 0 when cap is too
 * small. LISTEN_FINAL_MAX bytes always suffice. */
#define LISTEN_FINAL_MAX 640
size_t listen_final_text(const struct listen_sub *s, char *out, size_t cap);

#endif
