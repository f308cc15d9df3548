/* fuzz_rpc.c - libFuzzer driver for the JSON-RPC envelope (rpc_parse + rpc_classify). */
#include <stddef.h>
#include <stdint.h>

#include "rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_object *doc = NULL;
    if (rpc_parse((const char *)data, size, 32, &doc) != MCP_OK)
        return 0;
    size_t n = json_object_is_type(doc, json_type_array) ? json_object_array_length(doc) : 1;
    for (size_t i = 0; i < n; i++) {
        json_object *msg =
            json_object_is_type(doc, json_type_array) ? json_object_array_get_idx(doc, i) : doc;
        struct rpc_msg m;
        const char *why;
        enum mcp_err rc = rpc_classify(msg, &m, &why);
        json_object *out = rc == MCP_OK && m.kind == RPC_REQUEST
                               ? rpc_result_new(m.id, NULL)
                               : rpc_error_new(m.id, rc ? rc : MCP_E_INTERNAL, why, NULL);
        (void)json_object_to_json_string(out);
        json_object_put(out);
    }
    json_object_put(doc);
    return 0;
}
