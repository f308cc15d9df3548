/*
 * fuzz_ipc.c - libFuzzer driver for the worker <-> sessiond frame decoder (common/ipc.c).
 *
 * Input: byte 0 picks a chunk size (1..64, or everything at once for 0); the rest is the
 * byte stream a peer sends, fed to ipc_dec_feed in chunks of that size, so partial headers
 * and payloads are exercised. Checks the decoder's contract: it never consumes more than it
 * is given, always progresses, yields only JSON objects, stays dead after MCP_E_PROTO, and
 * every frame it yields re-encodes unless json-c's output outgrows the limits.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check(int cond)
{
    if (!cond)
        abort();
}

static void fuzz_frame(struct ipc_frame *f)
{
    void *buf = NULL;
    size_t len = 0;

    fuzz_check(json_object_is_type(f->payload, json_type_object));
    enum mcp_err rc = ipc_encode_new(f->type, f->seq, f->payload, &buf, &len);
    fuzz_check(rc == MCP_OK || rc == MCP_E_TOO_LARGE);
    if (rc == MCP_OK) {
        /* What the encoder writes, the decoder reads back in one piece. */
        struct ipc_dec *d = ipc_dec_new();
        struct ipc_frame g;
        size_t used = 0;
        fuzz_check(ipc_dec_feed(d, buf, len, &used, &g) == MCP_OK);
        fuzz_check(used == len && g.payload != NULL && g.type == f->type && g.seq == f->seq);
        json_object_put(g.payload);
        ipc_dec_free(d);
    }
    free(buf);
    json_object_put(f->payload);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t chunk = data[0] % 65;
    data++;
    size--;
    if (chunk == 0)
        chunk = size ? size : 1;

    struct ipc_dec *d = ipc_dec_new();
    size_t off = 0;
    int dead = 0;
    while (off < size && !dead) {
        size_t n = size - off < chunk ? size - off : chunk;
        const uint8_t *p = data + off;
        off += n;
        while (n > 0) {
            struct ipc_frame f;
            size_t used = 0;
            if (ipc_dec_feed(d, p, n, &used, &f) != MCP_OK) {
                fuzz_check(f.payload == NULL);
                dead = 1;
                break;
            }
            fuzz_check(used <= n);
            if (f.payload == NULL) {
                fuzz_check(used == n);
                break;
            }
            fuzz_check(used > 0);
            fuzz_frame(&f);
            p += used;
            n -= used;
        }
    }
    if (dead) {
        struct ipc_frame f;
        size_t used;
        fuzz_check(ipc_dec_feed(d, "{}", 2, &used, &f) == MCP_E_PROTO);
    }
    ipc_dec_free(d);
    return 0;
}
