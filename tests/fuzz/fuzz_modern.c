/* fuzz_modern.c - libFuzzer driver for the 2026-07-28 request checks (modern.h): the era
 * choice, _meta validation and the request-metadata headers (MCP-Protocol-Version,
 * Mcp-Method, Mcp-Name, Mcp-Param-*, with their =?base64?...?= form) against a JSON-RPC body.
 * The input is split at NUL bytes: body, MCP-Protocol-Version, Mcp-Method, Mcp-Name, and the
 * value of one Mcp-Param header (sent as HTTP_MCP_PARAM_REGION). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_parts.h"
#include "modern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mcp_cfg cfg;
    static int init;
    if (!init) {
        cfg_defaults(&cfg);
        cfg.sets = ~0u; /* every fixture set: tools with schemas to look up */
        init = 1;
    }
    const char *parts[5];
    char *buf = fuzz_parts_new(data, size, parts, 5);
    char param[HTTP_VALUE_MAX + 32];
    snprintf(param, sizeof(param), "HTTP_MCP_PARAM_REGION=%s", parts[4]);
    char *envp[] = {param, NULL};
    struct http_req r;
    memset(&r, 0, sizeof(r));
    r.method = "POST";
    r.protocol_version = parts[1][0] ? parts[1] : NULL;
    r.mcp_method = parts[2][0] ? parts[2] : NULL;
    r.mcp_name = parts[3];
    r.envp = envp;

    json_object *doc = NULL;
    if (rpc_parse(parts[0], strlen(parts[0]), 64, &doc) == MCP_OK) {
        struct rpc_msg m;
        const char *why;
        (void)modern_selected(&r, doc);
        if (rpc_classify(doc, &m, &why) == MCP_OK && m.kind == RPC_REQUEST) {
            struct modern_meta meta;
            struct rpc_fail fail = {{0}, NULL};
            (void)modern_check(&cfg, &r, &m, &meta, &fail);
            rpc_fail_clear(&fail);
        }
        json_object_put(doc);
    }
    free(buf);
    return 0;
}
