/* b64.c - strict base64 in two alphabets. */
#include "b64.h"

#include <stdint.h>

#include "alloc.h"

static const char b64_std_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The 6-bit value of c in the alphabet, or -1. */
static int b64_value(enum b64_alphabet alphabet, unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (alphabet == B64_STD) {
        if (c == '+')
            return 62;
        if (c == '/')
            return 63;
    } else {
        if (c == '-')
            return 62;
        if (c == '_')
            return 63;
    }
    return -1;
}

size_t b64_encoded_size(size_t n, enum b64_pad pad)
{
    size_t full = n / 3, rest = n % 3;
    size_t chars = full * 4;
    if (rest != 0)
        chars += pad == B64_PAD ? 4 : rest + 1;
    return chars + 1;
}

size_t b64_decoded_max(size_t len)
{
    return len / 4 * 3 + (len % 4 > 1 ? len % 4 - 1 : 0);
}

enum mcp_err b64_encode(enum b64_alphabet alphabet, enum b64_pad pad, const void *src, size_t n,
                        char *dst, size_t dst_size)
{
    const char *chars = alphabet == B64_URL ? b64_url_chars : b64_std_chars;
    const unsigned char *in = src;
    size_t o = 0, i = 0;

    if (dst_size < b64_encoded_size(n, pad)) {
        if (dst_size > 0)
            dst[0] = '\0';
        return MCP_E_TOO_LARGE;
    }
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        dst[o++] = chars[v >> 18 & 63];
        dst[o++] = chars[v >> 12 & 63];
        dst[o++] = chars[v >> 6 & 63];
        dst[o++] = chars[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        dst[o++] = chars[v >> 18 & 63];
        dst[o++] = chars[v >> 12 & 63];
        if (pad == B64_PAD) {
            dst[o++] = '=';
            dst[o++] = '=';
        }
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        dst[o++] = chars[v >> 18 & 63];
        dst[o++] = chars[v >> 12 & 63];
        dst[o++] = chars[v >> 6 & 63];
        if (pad == B64_PAD)
            dst[o++] = '=';
    }
    dst[o] = '\0';
    return MCP_OK;
}

char *b64_encode_dup(enum b64_alphabet alphabet, enum b64_pad pad, const void *src, size_t n)
{
    size_t size = b64_encoded_size(n, pad);
    char *s = xmalloc(size);
    b64_encode(alphabet, pad, src, n, s, size);
    return s;
}

enum mcp_err b64_decode(enum b64_alphabet alphabet, enum b64_pad pad, const char *src, size_t len,
                        void *dst, size_t dst_size, size_t *out_len)
{
    unsigned char *out = dst;
    size_t npad = 0, data, o = 0, i;
    uint32_t acc = 0;
    int bits = 0;

    *out_len = 0;
    while (npad < 2 && npad < len && src[len - 1 - npad] == '=')
        npad++;
    data = len - npad;
    if (npad > 0 && pad == B64_NOPAD)
        return MCP_E_INVALID_PARAMS;
    if ((pad == B64_PAD || npad > 0) && len % 4 != 0)
        return MCP_E_INVALID_PARAMS;
    /* One leftover character carries only 6 bits: never a whole byte. Padding must make
     * up exactly the missing characters of the last group. */
    if (data % 4 == 1 || (npad > 0 && npad != 4 - data % 4))
        return MCP_E_INVALID_PARAMS;
    if (b64_decoded_max(data) > dst_size)
        return MCP_E_TOO_LARGE;

    for (i = 0; i < data; i++) {
        int v = b64_value(alphabet, (unsigned char)src[i]);
        if (v < 0)
            return MCP_E_INVALID_PARAMS;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits & 0xff);
        }
    }
    /* Canonical form: the bits below the last whole byte must be zero. */
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
        return MCP_E_INVALID_PARAMS;
    *out_len = o;
    return MCP_OK;
}
