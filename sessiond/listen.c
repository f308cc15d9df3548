/* listen.c - subscriptions of subscriptions/listen streams: parsing, filtering, texts. */
#include "listen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "ipc.h"
#include "rpc.h"
#include "stream.h"

#define LISTEN_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
/* How a prepared notification's text ends: the id's placeholder, _meta, params, message. */
#define LISTEN_TAIL_NULL "null}}}"
#define LISTEN_TAIL      "}}}"

/* The boolean flags a listen request may set, and what each subscribes to. */
static const struct {
    const char *name;
    enum listen_kind kind;
} listen_flags[] = {
    {"toolsListChanged", LISTEN_TOOLS},
    {"promptsListChanged", LISTEN_PROMPTS},
    {"resourcesListChanged", LISTEN_RESOURCES},
};

static const struct {
    const char *method;
    enum listen_kind kind;
} listen_methods[] = {
    {"notifications/tools/list_changed", LISTEN_TOOLS},
    {"notifications/prompts/list_changed", LISTEN_PROMPTS},
    {"notifications/resources/list_changed", LISTEN_RESOURCES},
    {"notifications/resources/updated", LISTEN_UPDATED},
};

/* True when v is a string of 1..IPC_MAX_URI bytes without NUL. */
static bool listen_uri_ok(json_object *v)
{
    if (!json_object_is_type(v, json_type_string))
        return false;
    size_t len = (size_t)json_object_get_string_len(v);
    return len > 0 && len <= IPC_MAX_URI && strlen(json_object_get_string(v)) == len;
}

enum mcp_err listen_sub_new(json_object *rpc_id, json_object *notifications,
                            struct listen_sub **out, json_object **ack, const char **why)
{
    char rpc[STREAM_RPC_ID_MAX];
    json_object *v, *uris = NULL, *honoured = NULL, *params, *meta;
    unsigned kinds = 0;
    size_t n_uris = 0, text_len;

    *out = NULL;
    *ack = NULL;
    *why = NULL;
    if (!stream_rpc_id_text(rpc_id, rpc)) {
        *why = "rpc_id must be a string or an integer of at most 255 bytes as JSON";
        return MCP_E_INVALID_PARAMS;
    }
    if (notifications == NULL || !json_object_is_type(notifications, json_type_object)) {
        *why = "notifications must be an object";
        return MCP_E_INVALID_PARAMS;
    }
    for (size_t i = 0; i < sizeof(listen_flags) / sizeof(listen_flags[0]); i++) {
        if (!json_object_object_get_ex(notifications, listen_flags[i].name, &v))
            continue;
        if (!json_object_is_type(v, json_type_boolean)) {
            *why = "toolsListChanged, promptsListChanged and resourcesListChanged must be "
                   "booleans";
            return MCP_E_INVALID_PARAMS;
        }
        if (json_object_get_boolean(v))
            kinds |= (unsigned)listen_flags[i].kind;
    }
    text_len = strlen(rpc) + 1;
    if (json_object_object_get_ex(notifications, "resourceSubscriptions", &uris)) {
        if (!json_object_is_type(uris, json_type_array) ||
            json_object_array_length(uris) > LISTEN_MAX_URIS) {
            *why = "resourceSubscriptions must be an array of at most 64 URIs";
            return MCP_E_INVALID_PARAMS;
        }
        n_uris = json_object_array_length(uris);
        for (size_t i = 0; i < n_uris; i++) {
            v = json_object_array_get_idx(uris, i);
            if (!listen_uri_ok(v)) {
                *why = "each resourceSubscriptions entry must be a URI of 1 to 2048 bytes";
                return MCP_E_INVALID_PARAMS;
            }
            text_len += (size_t)json_object_get_string_len(v) + 1;
        }
    }

    struct listen_sub *s = xcalloc(1, sizeof(*s) + text_len);
    char *p = s->text;
    s->rpc_len = (uint16_t)strlen(rpc);
    s->kinds = (uint8_t)kinds;
    s->n_uris = (uint8_t)n_uris;
    memcpy(p, rpc, s->rpc_len + 1u);
    p += s->rpc_len + 1u;
    for (size_t i = 0; i < n_uris; i++) {
        v = json_object_array_get_idx(uris, i);
        size_t len = (size_t)json_object_get_string_len(v);
        memcpy(p, json_object_get_string(v), len + 1);
        p += len + 1;
    }

    /* the members honoured, in the order given */
    honoured = json_object_new_object();
    json_object_object_foreach(notifications, key, val)
    {
        bool known = strcmp(key, "resourceSubscriptions") == 0;
        for (size_t i = 0; i < sizeof(listen_flags) / sizeof(listen_flags[0]) && !known; i++)
            known = strcmp(key, listen_flags[i].name) == 0;
        if (known)
            json_object_object_add(honoured, key, json_object_get(val));
    }
    meta = json_object_new_object();
    json_object_object_add(meta, LISTEN_SUB_ID, json_object_get(rpc_id));
    params = json_object_new_object();
    json_object_object_add(params, "_meta", meta);
    json_object_object_add(params, "notifications", honoured);
    *ack = rpc_notification_new("notifications/subscriptions/acknowledged", params);
    *out = s;
    return MCP_OK;
}

void listen_sub_free(struct listen_sub *s)
{
    free(s);
}

const char *listen_sub_rpc_id(const struct listen_sub *s)
{
    return s->text;
}

bool listen_sub_has_uri(const struct listen_sub *s, const char *uri)
{
    const char *p = s->text + s->rpc_len + 1;

    for (unsigned i = 0; i < s->n_uris; i++) {
        size_t len = strlen(p);
        if (strcmp(p, uri) == 0)
            return true;
        p += len + 1;
    }
    return false;
}

/* The message rebuilt so that its text ends with the subscription id: every member of msg
 * but "params", then params (every member but "_meta", then _meta: every member but the
 * subscription id, then the id as null). NULL when params or _meta is present and not an
 * object (null counts as absent). Returns a new object (owned). */
static json_object *listen_reshape(json_object *msg)
{
    json_object *params = NULL, *meta = NULL, *out, *np, *nm;

    if (json_object_object_get_ex(msg, "params", &params) &&
        json_object_is_type(params, json_type_null))
        params = NULL;
    if (params != NULL && !json_object_is_type(params, json_type_object))
        return NULL;
    if (params != NULL && json_object_object_get_ex(params, "_meta", &meta) &&
        json_object_is_type(meta, json_type_null))
        meta = NULL;
    if (meta != NULL && !json_object_is_type(meta, json_type_object))
        return NULL;

    out = json_object_new_object();
    json_object_object_foreach(msg, mk, mv)
    {
        if (strcmp(mk, "params") != 0)
            json_object_object_add(out, mk, json_object_get(mv));
    }
    np = json_object_new_object();
    if (params != NULL) {
        json_object_object_foreach(params, pk, pv)
        {
            if (strcmp(pk, "_meta") != 0)
                json_object_object_add(np, pk, json_object_get(pv));
        }
    }
    nm = json_object_new_object();
    if (meta != NULL) {
        json_object_object_foreach(meta, tk, tv)
        {
            if (strcmp(tk, LISTEN_SUB_ID) != 0)
                json_object_object_add(nm, tk, json_object_get(tv));
        }
    }
    json_object_object_add(nm, LISTEN_SUB_ID, NULL);
    json_object_object_add(np, "_meta", nm);
    json_object_object_add(out, "params", np);
    return out;
}

void listen_note_init(struct listen_note *n, json_object *msg, size_t max)
{
    json_object *v, *shaped = NULL;
    enum listen_kind kind = LISTEN_NONE;
    const char *method, *uri = NULL, *text;
    size_t len = 0, tail = sizeof(LISTEN_TAIL_NULL) - 1;

    memset(n, 0, sizeof(*n));
    if (msg == NULL || !json_object_is_type(msg, json_type_object) ||
        !json_object_object_get_ex(msg, "method", &v) || !json_object_is_type(v, json_type_string))
        return;
    method = json_object_get_string(v);
    for (size_t i = 0; i < sizeof(listen_methods) / sizeof(listen_methods[0]); i++) {
        if (strcmp(method, listen_methods[i].method) == 0)
            kind = listen_methods[i].kind;
    }
    if (kind == LISTEN_UPDATED) {
        json_object *params, *u;
        if (!json_object_object_get_ex(msg, "params", &params) ||
            !json_object_object_get_ex(params, "uri", &u) || !listen_uri_ok(u))
            return;
        uri = json_object_get_string(u);
    }
    if (kind == LISTEN_NONE || (shaped = listen_reshape(msg)) == NULL)
        return;
    text = json_object_to_json_string_length(shaped, LISTEN_JSON_FLAGS, &len);
    /* by construction the text ends so; checked, since everything else relies on it */
    if (text != NULL && len > tail && len - tail + STREAM_RPC_ID_MAX + 3 <= max &&
        memcmp(text + len - tail, LISTEN_TAIL_NULL, tail) == 0) {
        n->kind = kind;
        n->head_len = len - tail;
        n->head = xstrndup(text, n->head_len);
        n->uri = uri != NULL ? xstrdup(uri) : NULL;
    }
    json_object_put(shaped);
}

void listen_note_clear(struct listen_note *n)
{
    free(n->head);
    free(n->uri);
    memset(n, 0, sizeof(*n));
}

bool listen_wants(const struct listen_sub *s, const struct listen_note *n, const char *uri)
{
    if (n->kind == LISTEN_NONE)
        return false;
    /* resources/updated of the filter's own uri (the usual case): one scan, not two */
    bool same = n->kind == LISTEN_UPDATED && uri != NULL && strcmp(uri, n->uri) == 0;
    if (uri != NULL && !same && !listen_sub_has_uri(s, uri))
        return false;
    if (n->kind == LISTEN_UPDATED)
        return listen_sub_has_uri(s, n->uri);
    return (s->kinds & (unsigned)n->kind) != 0;
}

size_t listen_note_size(const struct listen_note *n, const struct listen_sub *s)
{
    return n->head_len + s->rpc_len + sizeof(LISTEN_TAIL) - 1;
}

size_t listen_note_text(const struct listen_note *n, const struct listen_sub *s, char *out,
                        size_t cap)
{
    size_t need = listen_note_size(n, s);

    if (n->kind == LISTEN_NONE || cap < need)
        return 0;
    memcpy(out, n->head, n->head_len);
    memcpy(out + n->head_len, s->text, s->rpc_len);
    memcpy(out + n->head_len + s->rpc_len, LISTEN_TAIL, sizeof(LISTEN_TAIL) - 1);
    return need;
}

size_t listen_final_text(const struct listen_sub *s, char *out, size_t cap)
{
    int n = snprintf(out, cap,
                     "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"resultType\":\"complete\","
                     "\"_meta\":{\"" LISTEN_SUB_ID "\":%s}}}",
                     s->text, s->text);

    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}
