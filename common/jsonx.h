/*
 * jsonx.h - small json-c accessors used across modules. Every result is borrowed from obj
 * (valid while obj is), and every function accepts obj == NULL.
 */
#ifndef MCP_JSONX_H
#define MCP_JSONX_H

#include <json-c/json.h>

/* obj[key], or NULL when obj is not an object or has no such member. */
json_object *jsonx_get(json_object *obj, const char *key);

/* obj[key] when it is a string without NUL characters (names, URIs, levels), else NULL. */
const char *jsonx_str(json_object *obj, const char *key);

#endif
