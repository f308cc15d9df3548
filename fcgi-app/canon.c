/* canon.c - canonical JSON text and its SHA-256 (canon.h). */
#include "canon.h"

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "alloc.h"

/* Output buffered in front of put, so a value is not a call per character. */
struct canon_out {
    canon_put_fn put;
    void *opaque;
    int failed; /* put returned -1: nothing more is sent */
    size_t n;
    char buf[1024];
};

static void canon_flush(struct canon_out *o)
{
    if (!o->failed && o->n > 0 && o->put(o->opaque, o->buf, o->n) != 0)
        o->failed = 1;
    o->n = 0;
}

static void canon_bytes(struct canon_out *o, const char *s, size_t n)
{
    while (n > 0) {
        size_t room = sizeof(o->buf) - o->n, k = n < room ? n : room;
        memcpy(o->buf + o->n, s, k);
        o->n += k;
        s += k;
        n -= k;
        if (o->n == sizeof(o->buf))
            canon_flush(o);
    }
}

static void canon_str(struct canon_out *o, const char *s)
{
    canon_bytes(o, s, strlen(s));
}

static void canon_string(struct canon_out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0; /* bytes of s before i that need no escape, not yet written */

    canon_bytes(o, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            run++;
            continue;
        }
        canon_bytes(o, s + i - run, run);
        run = 0;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            canon_bytes(o, esc, 2);
        } else {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            canon_bytes(o, esc, 6);
        }
    }
    canon_bytes(o, s + n - run, run);
    canon_bytes(o, "\"", 1);
}

static void canon_double(struct canon_out *o, double d)
{
    char num[32];

    if (isnan(d))
        canon_str(o, "NaN");
    else if (isinf(d))
        canon_str(o, d > 0 ? "Infinity" : "-Infinity");
    else if (d == 0)
        canon_str(o, "0"); /* -0.0 too */
    else {
        snprintf(num, sizeof(num), "%.17g", d); /* at most 24 characters */
        canon_str(o, num);
    }
}

/* json-c holds an integer as int64 or, above INT64_MAX, uint64; get_int64 clamps those. */
static void canon_int(struct canon_out *o, json_object *v)
{
    int64_t i = json_object_get_int64(v);
    char num[24];

    if (i == INT64_MAX)
        snprintf(num, sizeof(num), "%" PRIu64, json_object_get_uint64(v));
    else
        snprintf(num, sizeof(num), "%" PRId64, i);
    canon_str(o, num);
}

struct canon_member {
    const char *key;
    json_object *val;
};

static int canon_member_cmp(const void *a, const void *b)
{
    return strcmp(((const struct canon_member *)a)->key, ((const struct canon_member *)b)->key);
}

static enum mcp_err canon_value(struct canon_out *o, json_object *v, int depth, int max_depth)
{
    enum mcp_err err = MCP_OK;

    switch (json_object_get_type(v)) {
    case json_type_null:
        canon_str(o, "null");
        break;
    case json_type_boolean:
        canon_str(o, json_object_get_boolean(v) ? "true" : "false");
        break;
    case json_type_int:
        canon_int(o, v);
        break;
    case json_type_double:
        canon_double(o, json_object_get_double(v));
        break;
    case json_type_string:
        canon_string(o, json_object_get_string(v), (size_t)json_object_get_string_len(v));
        break;
    case json_type_array: {
        size_t n = json_object_array_length(v);
        if (depth >= max_depth)
            return MCP_E_INVALID_PARAMS;
        canon_bytes(o, "[", 1);
        for (size_t i = 0; i < n && err == MCP_OK; i++) {
            if (i > 0)
                canon_bytes(o, ",", 1);
            err = canon_value(o, json_object_array_get_idx(v, i), depth + 1, max_depth);
        }
        canon_bytes(o, "]", 1);
        break;
    }
    case json_type_object: {
        size_t n = (size_t)json_object_object_length(v), i = 0;
        struct canon_member *m;
        if (depth >= max_depth)
            return MCP_E_INVALID_PARAMS;
        m = xmalloc((n > 0 ? n : 1) * sizeof(*m));
        json_object_object_foreach(v, key, val)
        {
            m[i].key = key;
            m[i].val = val;
            i++;
        }
        qsort(m, n, sizeof(*m), canon_member_cmp);
        canon_bytes(o, "{", 1);
        for (i = 0; i < n && err == MCP_OK; i++) {
            if (i > 0)
                canon_bytes(o, ",", 1);
            canon_string(o, m[i].key, strlen(m[i].key));
            canon_bytes(o, ":", 1);
            err = canon_value(o, m[i].val, depth + 1, max_depth);
        }
        canon_bytes(o, "}", 1);
        free(m);
        break;
    }
    }
    return err;
}

enum mcp_err canon_write(json_object *v, int max_depth, canon_put_fn put, void *opaque)
{
    struct canon_out *o = xmalloc(sizeof(*o));
    enum mcp_err err;

    o->put = put;
    o->opaque = opaque;
    o->failed = 0;
    o->n = 0;
    err = canon_value(o, v, 0, max_depth);
    canon_flush(o);
    if (err == MCP_OK && o->failed)
        err = MCP_E_IO;
    free(o);
    return err;
}

static int canon_put_digest(void *opaque, const void *bytes, size_t n)
{
    return EVP_DigestUpdate(opaque, bytes, n) == 1 ? 0 : -1;
}

enum mcp_err canon_sha256(json_object *v, int max_depth, unsigned char out[CANON_SHA256_LEN])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int len = 0;
    enum mcp_err err = MCP_E_INTERNAL;

    if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        goto done;
    err = canon_write(v, max_depth, canon_put_digest, md);
    if (err == MCP_E_IO)
        err = MCP_E_INTERNAL;
    if (err == MCP_OK && (EVP_DigestFinal_ex(md, out, &len) != 1 || len != CANON_SHA256_LEN))
        err = MCP_E_INTERNAL;
done:
    EVP_MD_CTX_free(md);
    return err;
}
