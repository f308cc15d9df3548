/*
 * canon.h - a canonical JSON text of a json-c value, and its SHA-256, so that two values that
 * mean the same (members in another order, other whitespace, 1.0 for 1) give the same bytes.
 * mrtr.c binds a requestState to the SHA-256 of the call's arguments with it.
 *
 * The text: no whitespace; object members sorted by key (bytewise, as strcmp), at every
 * level; strings between '"' with '"' and '\' escaped by '\', bytes below 0x20 as \u00xx
 * (lowercase hex) and every other byte as it is (json-c holds valid UTF-8); integers in
 * decimal; other numbers as printf "%.17g" of their double value (so 1.0 is "1" like the
 * integer 1; -0.0 is "0"), "NaN", "Infinity" or "-Infinity" when not finite; true, false,
 * null. Different values give different texts, but for these equalities of numbers.
 */
#ifndef MCP_CANON_H
#define MCP_CANON_H

#include <stddef.h>
#include <json-c/json.h>

#include "mcp_err.h"

#define CANON_SHA256_LEN 32

/* Receives the text piecewise; returns 0, or -1 to stop the serialisation. */
typedef int (*canon_put_fn)(void *opaque, const void *bytes, size_t n);

/*
 * Writes the canonical text of v (borrowed; NULL is JSON null) through put. Objects and
 * arrays nest at most max_depth levels (the outermost is level 1): deeper values are
 * MCP_E_INVALID_PARAMS, with whatever was written so far. MCP_E_IO when put returns -1.
 */
enum mcp_err canon_write(json_object *v, int max_depth, canon_put_fn put, void *opaque);

/* out = SHA-256 of canon_write's text of v. Errors as canon_write, MCP_E_INTERNAL when
 * libcrypto fails; out is then unusable. */
enum mcp_err canon_sha256(json_object *v, int max_depth, unsigned char out[CANON_SHA256_LEN]);

#endif
