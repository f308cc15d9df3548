/*
 * fuzz_schema.c - libFuzzer driver for schema_validate().
 *
 * The input is split at its first NUL byte (or, without one, in half) into a schema text and
 * an instance text; both are parsed with json_tokener_parse (a parse failure gives NULL, which
 * is JSON null), validated, and freed. The validator must never crash, hang or leak, whatever
 * the schema: MCP_E_INTERNAL is a fine answer, and a message must always be a C string.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t cut = nul != NULL ? (size_t)(nul - data) : size / 2;
    size_t rest = nul != NULL ? cut + 1 : cut;

    char *schema_text = malloc(cut + 1);
    char *inst_text = malloc(size - rest + 1);
    if (schema_text == NULL || inst_text == NULL)
        abort();
    memcpy(schema_text, data, cut);
    schema_text[cut] = '\0';
    memcpy(inst_text, data + rest, size - rest);
    inst_text[size - rest] = '\0';

    json_object *schema = json_tokener_parse(schema_text);
    json_object *inst = json_tokener_parse(inst_text);
    struct rpc_fail fail = {{0}, NULL};
    enum mcp_err err = schema_validate(schema, inst, &fail);
    if (err != MCP_OK && err != MCP_E_INVALID_PARAMS && err != MCP_E_INTERNAL)
        abort();
    if (memchr(fail.message, '\0', sizeof fail.message) == NULL || fail.data != NULL)
        abort();
    if (err == MCP_OK ? fail.message[0] != '\0' : fail.message[0] == '\0')
        abort();

    json_object_put(schema);
    json_object_put(inst);
    free(schema_text);
    free(inst_text);
    return 0;
}
