/* ipc.c - framing of the worker <-> mcp-sessiond control protocol (see ipc.h). */
#include "ipc.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"

#define IPC_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

struct ipc_dec {
    unsigned char hdr[IPC_HDR_LEN]; /* header bytes received so far */
    size_t hdr_have;
    uint16_t type; /* of the frame in progress, valid once hdr_have == IPC_HDR_LEN */
    uint32_t seq;
    uint32_t len;
    char *buf; /* payload bytes, grown up to IPC_MAX_PAYLOAD */
    size_t cap;
    size_t have;
    bool dead; /* a protocol error was seen */
};

bool ipc_type_takes_fd(uint16_t type)
{
    return type == IPC_STREAM_ATTACH || type == IPC_LISTEN_ATTACH;
}

const char *ipc_type_name(uint16_t type)
{
    switch (type & (uint16_t)~IPC_REPLY) {
    case IPC_SESS_CREATE:
        return "sess_create";
    case IPC_SESS_GET:
        return "sess_get";
    case IPC_SESS_UPDATE:
        return "sess_update";
    case IPC_SESS_DELETE:
        return "sess_delete";
    case IPC_STATUS:
        return "status";
    case IPC_STREAM_OPEN:
        return "stream_open";
    case IPC_STREAM_PUBLISH:
        return "stream_publish";
    case IPC_STREAM_ATTACH:
        return "stream_attach";
    case IPC_CLIENT_REQUEST:
        return "client_request";
    case IPC_AWAIT:
        return "await";
    case IPC_DELIVER:
        return "deliver";
    case IPC_CANCEL:
        return "cancel";
    case IPC_CANCELLED:
        return "cancelled";
    case IPC_NOTIFY:
        return "notify";
    case IPC_LISTEN_ATTACH:
        return "listen_attach";
    default:
        return "unknown";
    }
}

/*
 * Parses one payload: exactly one JSON object of len bytes, no NUL byte, nesting at most
 * IPC_MAX_DEPTH. *out owned on MCP_OK. Returns MCP_E_PROTO otherwise.
 */
static enum mcp_err ipc_payload_parse(const char *p, size_t len, json_object **out)
{
    enum mcp_err rc = MCP_E_PROTO;
    json_tokener *tok = NULL;
    json_object *obj = NULL;

    *out = NULL;
    if (len < 2 || len > IPC_MAX_PAYLOAD || memchr(p, '\0', len) != NULL || p[0] != '{' ||
        p[len - 1] != '}')
        goto done;
    tok = json_tokener_new_ex(IPC_MAX_DEPTH);
    if (tok == NULL)
        goto done;
    obj = json_tokener_parse_ex(tok, p, (int)len);
    if (obj == NULL || json_tokener_get_error(tok) != json_tokener_success ||
        json_tokener_get_parse_end(tok) != len || !json_object_is_type(obj, json_type_object))
        goto done;
    *out = obj;
    obj = NULL;
    rc = MCP_OK;
done:
    json_object_put(obj);
    if (tok != NULL)
        json_tokener_free(tok);
    return rc;
}

static void ipc_hdr_put(unsigned char *h, uint16_t type, uint32_t seq, uint32_t len)
{
    uint32_t magic = IPC_MAGIC;
    uint16_t version = IPC_VERSION;
    memcpy(h + 0, &magic, 4);
    memcpy(h + 4, &version, 2);
    memcpy(h + 6, &type, 2);
    memcpy(h + 8, &seq, 4);
    memcpy(h + 12, &len, 4);
}

/* 1 when o nests at most left containers (objects, arrays) below itself. The decoder's
 * tokener, json_tokener_new_ex(IPC_MAX_DEPTH), accepts IPC_MAX_DEPTH - 1 in all. */
static int ipc_depth_ok(json_object *o, int left)
{
    if (json_object_is_type(o, json_type_object)) {
        if (left == 0)
            return 0;
        json_object_object_foreach(o, key, v)
        {
            (void)key;
            if (!ipc_depth_ok(v, left - 1))
                return 0;
        }
    } else if (json_object_is_type(o, json_type_array)) {
        if (left == 0)
            return 0;
        for (size_t i = 0, n = json_object_array_length(o); i < n; i++)
            if (!ipc_depth_ok(json_object_array_get_idx(o, i), left - 1))
                return 0;
    }
    return 1;
}

/* Serialises payload into a text the decoder accepts (size, nesting: json-c writes nothing
 * else our parser would refuse). *text borrowed from payload's print buffer. */
static enum mcp_err ipc_serialise(json_object *payload, const char **text, size_t *len)
{
    if (payload == NULL || !json_object_is_type(payload, json_type_object))
        return MCP_E_PROTO;
    if (!ipc_depth_ok(payload, IPC_MAX_DEPTH - 1))
        return MCP_E_TOO_LARGE;
    *text = json_object_to_json_string_length(payload, IPC_JSON_FLAGS, len);
    if (*text == NULL || *len > IPC_MAX_PAYLOAD)
        return MCP_E_TOO_LARGE;
    return MCP_OK;
}

/* Header and text into buf (IPC_HDR_LEN + len bytes). */
static void ipc_frame_put(unsigned char *buf, uint16_t type, uint32_t seq, const char *text,
                          size_t len)
{
    ipc_hdr_put(buf, type, seq, (uint32_t)len);
    memcpy(buf + IPC_HDR_LEN, text, len);
}

enum mcp_err ipc_encode(uint16_t type, uint32_t seq, json_object *payload, void *buf, size_t cap,
                        size_t *out_len)
{
    const char *text;
    size_t len;
    enum mcp_err rc = ipc_serialise(payload, &text, &len);

    if (rc != MCP_OK)
        return rc;
    if (cap < IPC_HDR_LEN || cap - IPC_HDR_LEN < len)
        return MCP_E_TOO_LARGE;
    ipc_frame_put(buf, type, seq, text, len);
    *out_len = IPC_HDR_LEN + len;
    return MCP_OK;
}

enum mcp_err ipc_encode_new(uint16_t type, uint32_t seq, json_object *payload, void **out,
                            size_t *out_len)
{
    const char *text;
    size_t len;
    enum mcp_err rc = ipc_serialise(payload, &text, &len);

    *out = NULL;
    if (rc != MCP_OK)
        return rc;
    unsigned char *buf = xmalloc(IPC_HDR_LEN + len);
    ipc_frame_put(buf, type, seq, text, len);
    *out = buf;
    *out_len = IPC_HDR_LEN + len;
    return MCP_OK;
}

struct ipc_dec *ipc_dec_new(void)
{
    return xcalloc(1, sizeof(struct ipc_dec));
}

void ipc_dec_free(struct ipc_dec *d)
{
    if (d == NULL)
        return;
    free(d->buf);
    free(d);
}

bool ipc_dec_partial(const struct ipc_dec *d)
{
    return d->hdr_have > 0;
}

/* Validates the complete header in d->hdr and prepares the payload buffer. */
static enum mcp_err ipc_dec_header(struct ipc_dec *d)
{
    uint32_t magic;
    uint16_t version;

    memcpy(&magic, d->hdr + 0, 4);
    memcpy(&version, d->hdr + 4, 2);
    memcpy(&d->type, d->hdr + 6, 2);
    memcpy(&d->seq, d->hdr + 8, 4);
    memcpy(&d->len, d->hdr + 12, 4);
    if (magic != IPC_MAGIC || version != IPC_VERSION || d->len < 2 || d->len > IPC_MAX_PAYLOAD)
        return MCP_E_PROTO;
    if (d->cap < d->len) {
        d->buf = xrealloc(d->buf, d->len);
        d->cap = d->len;
    }
    d->have = 0;
    return MCP_OK;
}

enum mcp_err ipc_dec_feed(struct ipc_dec *d, const void *data, size_t len, size_t *used,
                          struct ipc_frame *frame)
{
    const unsigned char *p = data;
    size_t off = 0;

    frame->payload = NULL;
    *used = 0;
    if (d->dead)
        return MCP_E_PROTO;
    while (off < len) {
        if (d->hdr_have < IPC_HDR_LEN) {
            size_t n = IPC_HDR_LEN - d->hdr_have;
            if (n > len - off)
                n = len - off;
            memcpy(d->hdr + d->hdr_have, p + off, n);
            d->hdr_have += n;
            off += n;
            if (d->hdr_have == IPC_HDR_LEN && ipc_dec_header(d) != MCP_OK)
                goto fail;
            continue;
        }
        size_t n = d->len - d->have;
        if (n > len - off)
            n = len - off;
        memcpy(d->buf + d->have, p + off, n);
        d->have += n;
        off += n;
        if (d->have < d->len)
            continue;
        if (ipc_payload_parse(d->buf, d->len, &frame->payload) != MCP_OK)
            goto fail;
        frame->type = d->type;
        frame->seq = d->seq;
        d->hdr_have = 0;
        d->have = 0;
        break;
    }
    *used = off;
    return MCP_OK;
fail:
    d->dead = true;
    *used = off;
    return MCP_E_PROTO;
}

json_object *ipc_reply_new(enum mcp_err err, const char *message)
{
    json_object *r = json_object_new_object();
    json_object_object_add(r, "err", json_object_new_int((int)err));
    if (message != NULL && message[0] != '\0')
        json_object_object_add(r, "message", json_object_new_string(message));
    return r;
}

enum mcp_err ipc_reply_err(json_object *reply, enum mcp_err *err)
{
    json_object *v;

    if (reply == NULL || !json_object_object_get_ex(reply, "err", &v) ||
        !json_object_is_type(v, json_type_int))
        return MCP_E_PROTO;
    int64_t n = json_object_get_int64(v);
    if (n < 0 || n >= MCP_E__COUNT)
        return MCP_E_PROTO;
    *err = (enum mcp_err)n;
    return MCP_OK;
}

bool ipc_session_id_valid(const char *id)
{
    if (id == NULL)
        return false;
    for (size_t i = 0; i < IPC_SESSION_ID_LEN; i++) {
        char c = id[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false; /* also stops at the terminating NUL of a short id */
    }
    return id[IPC_SESSION_ID_LEN] == '\0';
}
