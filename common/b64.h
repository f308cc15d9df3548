/*
 * b64.h - base64 (RFC 4648) in the standard alphabet (section 4) and the URL-safe alphabet
 * (section 5), with strict decoding: no whitespace, no characters of the other alphabet,
 * padding exactly as the chosen rule says, and no non-zero bits left over in the last
 * character (so every accepted text is the canonical encoding of its bytes).
 */
#ifndef MCP_B64_H
#define MCP_B64_H

#include <stddef.h>

#include "mcp_err.h"

enum b64_alphabet {
    B64_STD, /* A-Z a-z 0-9 + / */
    B64_URL, /* A-Z a-z 0-9 - _ */
};

enum b64_pad {
    B64_PAD,     /* encode: pad with '=' to a multiple of 4; decode: padding required */
    B64_NOPAD,   /* encode: no '='; decode: '=' refused */
    B64_PAD_ANY, /* decode only (encodes like B64_NOPAD): padded or unpadded, but padding
                  * that is present must be complete and correct */
};

/* Size of the buffer b64_encode needs for n bytes, terminating NUL included. */
size_t b64_encoded_size(size_t n, enum b64_pad pad);

/* Upper bound on the bytes a text of len characters decodes to. */
size_t b64_decoded_max(size_t len);

/*
 * Encodes n bytes of src into dst (dst_size bytes, NUL-terminated on success).
 * Returns MCP_OK, or MCP_E_TOO_LARGE when dst_size < b64_encoded_size(n, pad) (dst is then
 * an empty string when dst_size > 0).
 */
enum mcp_err b64_encode(enum b64_alphabet alphabet, enum b64_pad pad, const void *src, size_t n,
                        char *dst, size_t dst_size);

/* Encodes into a new string the caller frees. Never NULL (aborts on out-of-memory). */
char *b64_encode_dup(enum b64_alphabet alphabet, enum b64_pad pad, const void *src, size_t n);

/*
 * Decodes len characters of src (no NUL needed) into dst (dst_size bytes) and stores the
 * byte count in *out_len. Returns MCP_OK; MCP_E_INVALID_PARAMS when src is not a strict
 * encoding in that alphabet under that padding rule; MCP_E_TOO_LARGE when the bytes do not
 * fit in dst_size. On error *out_len is 0 and dst's contents are unspecified.
 */
enum mcp_err b64_decode(enum b64_alphabet alphabet, enum b64_pad pad, const char *src, size_t len,
                        void *dst, size_t dst_size, size_t *out_len);

#endif
