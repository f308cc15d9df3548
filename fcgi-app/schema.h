/*
 * schema.h - validation of tool arguments against a tool's inputSchema: a documented subset
 * of JSON Schema 2020-12 (see the comment at the top of schema.c and README.md).
 */
#ifndef MCP_SCHEMA_H
#define MCP_SCHEMA_H

#include <json-c/json.h>

#include "mcp_err.h"
#include "rpc.h"

/*
 * Validates instance (borrowed; NULL is JSON null) against schema (borrowed).
 * Returns MCP_OK when valid. MCP_E_INVALID_PARAMS when not, with fail->message naming the
 * offending location as a JSON Pointer and the rule broken, e.g.
 *   "/address/zip: expected type string, got integer"  or  "/: missing required property \"name\"".
 * MCP_E_INTERNAL when the schema itself is unusable (bad $ref, unsupported $schema dialect,
 * depth or work bound exceeded), with a message saying why.
 */
enum mcp_err schema_validate(json_object *schema, json_object *instance, struct rpc_fail *fail);

#endif
