/*
 * fuzz_listen.c - libFuzzer driver for the subscriptions of subscriptions/listen streams
 * (sessiond/listen.c): the IPC_LISTEN_ATTACH members a worker sends and the notifications
 * sessiond rewrites for each stream.
 *
 * Input: one JSON object {"id": <rpc_id>, "n": <notifications>, "m": [<messages>...]} (any
 * member may be missing or of any type). Checks: a subscription is accepted only for ids and
 * notifications within the bounds; its acknowledgement is JSON that names the id and only
 * members given; every rewritten notification is one JSON object with the same method and
 * params as the original but for _meta, whose subscription id is the stream's; kinds and
 * filters agree with what was asked; the final response is JSON naming the id.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipc.h"
#include "listen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_MSG (IPC_MAX_PAYLOAD - 512)

static void fuzz_check(int cond)
{
    if (!cond)
        abort();
}

static json_object *fuzz_get(json_object *o, const char *key)
{
    json_object *v = NULL;

    if (o == NULL || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, key, &v))
        return NULL;
    return v;
}

/* The subscription id in a rewritten message's params._meta. */
static json_object *fuzz_sub_id(json_object *msg)
{
    return fuzz_get(fuzz_get(fuzz_get(msg, "params"), "_meta"), LISTEN_SUB_ID);
}

/* params of out equal params of in, but for _meta; _meta of out equals that of in but for
 * the subscription id. */
static void fuzz_same_params(json_object *in, json_object *out)
{
    json_object *pi = fuzz_get(in, "params"), *po = fuzz_get(out, "params");

    fuzz_check(po != NULL && json_object_is_type(po, json_type_object));
    if (pi != NULL && !json_object_is_type(pi, json_type_null)) {
        json_object_object_foreach(pi, k, v)
        {
            if (strcmp(k, "_meta") != 0)
                fuzz_check(json_object_equal(v, fuzz_get(po, k)));
        }
    }
    json_object *mi = fuzz_get(pi, "_meta"), *mo = fuzz_get(po, "_meta");
    if (mi != NULL && !json_object_is_type(mi, json_type_null)) {
        json_object_object_foreach(mi, k, v)
        {
            if (strcmp(k, LISTEN_SUB_ID) != 0)
                fuzz_check(json_object_equal(v, fuzz_get(mo, k)));
        }
    }
}

static void fuzz_note(const struct listen_sub *s, json_object *id, json_object *msg)
{
    struct listen_note n;
    char *text;

    listen_note_init(&n, msg, FUZZ_MAX_MSG);
    if (n.kind == LISTEN_NONE) {
        fuzz_check(n.head == NULL && !listen_wants(s, &n, NULL));
        listen_note_clear(&n);
        return;
    }
    if (n.kind == LISTEN_UPDATED)
        fuzz_check(listen_wants(s, &n, NULL) == listen_sub_has_uri(s, n.uri));
    else
        fuzz_check(listen_wants(s, &n, NULL) == ((s->kinds & (unsigned)n.kind) != 0));
    size_t need = listen_note_size(&n, s);
    text = malloc(need + 1);
    fuzz_check(text != NULL);
    fuzz_check(listen_note_text(&n, s, text, need - 1) == 0);
    fuzz_check(listen_note_text(&n, s, text, need) == need);
    text[need] = '\0';
    fuzz_check(memchr(text, '\n', need) == NULL); /* one SSE data line */
    json_object *out = json_tokener_parse(text);
    fuzz_check(out != NULL && json_object_is_type(out, json_type_object));
    fuzz_check(json_object_equal(fuzz_get(out, "method"), fuzz_get(msg, "method")));
    fuzz_check(json_object_equal(fuzz_sub_id(out), id));
    fuzz_same_params(msg, out);
    json_object_put(out);
    free(text);
    listen_note_clear(&n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_tokener *tok = json_tokener_new_ex(IPC_MAX_DEPTH);
    json_object *doc = json_tokener_parse_ex(tok, (const char *)data, (int)size);
    json_object *ack = NULL, *id, *n, *m;
    struct listen_sub *s = NULL;
    const char *why = NULL;
    char final[LISTEN_FINAL_MAX];

    json_tokener_free(tok);
    id = fuzz_get(doc, "id");
    n = fuzz_get(doc, "n");
    m = fuzz_get(doc, "m");
    enum mcp_err rc = listen_sub_new(id, n, &s, &ack, &why);
    fuzz_check(rc == MCP_OK || rc == MCP_E_INVALID_PARAMS);
    if (rc != MCP_OK) {
        fuzz_check(s == NULL && ack == NULL && why != NULL);
        goto done;
    }
    fuzz_check(why == NULL && n != NULL);
    fuzz_check(s->n_uris <= LISTEN_MAX_URIS);
    /* the acknowledgement: JSON, the id, members of n only */
    json_object *back = json_tokener_parse(json_object_to_json_string(ack));
    fuzz_check(back != NULL);
    fuzz_check(json_object_equal(fuzz_sub_id(back), id));
    json_object *honoured = fuzz_get(fuzz_get(back, "params"), "notifications");
    fuzz_check(honoured != NULL && json_object_is_type(honoured, json_type_object));
    json_object_object_foreach(honoured, k, v)
    {
        fuzz_check(json_object_equal(v, fuzz_get(n, k)));
    }
    json_object_put(back);
    json_object *uris = fuzz_get(n, "resourceSubscriptions");
    for (size_t i = 0; uris != NULL && i < json_object_array_length(uris); i++)
        fuzz_check(
            listen_sub_has_uri(s, json_object_get_string(json_object_array_get_idx(uris, i))));
    /* the final response */
    size_t len = listen_final_text(s, final, sizeof(final));
    fuzz_check(len > 0);
    back = json_tokener_parse(final);
    fuzz_check(back != NULL && json_object_equal(fuzz_get(back, "id"), id));
    json_object_put(back);
    /* notifications */
    if (m != NULL && json_object_is_type(m, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(m) && i < 16; i++)
            fuzz_note(s, id, json_object_array_get_idx(m, i));
    } else {
        fuzz_note(s, id, m);
    }
done:
    json_object_put(ack);
    listen_sub_free(s);
    json_object_put(doc);
    return 0;
}
