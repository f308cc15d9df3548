/* fuzz_parts.h - for libFuzzer drivers whose input is several strings: a copy of the input
 * split at NUL bytes. */
#ifndef MCP_FUZZ_PARTS_H
#define MCP_FUZZ_PARTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Copies data into a new buffer (returned; free it) that holds n NUL-terminated strings, and
 * points parts[0..n) at them: the input's pieces between NUL bytes, "" where it ran out. */
static inline char *fuzz_parts_new(const uint8_t *data, size_t size, const char **parts, size_t n)
{
    char *buf = malloc(size + n);
    if (buf == NULL)
        abort();
    memcpy(buf, data, size);
    memset(buf + size, 0, n);
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        parts[i] = buf + off;
        off += strlen(buf + off) + 1;
        if (off > size)
            off = size;
    }
    return buf;
}

#endif
