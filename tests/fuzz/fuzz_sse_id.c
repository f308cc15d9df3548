/*
 * fuzz_sse_id.c - libFuzzer driver for sse_id_parse, which reads the untrusted Last-Event-ID
 * header. Every accepted id is in range and formats back to the very same string; a
 * reference parser (plain digit scan) must agree on acceptance. Also formats the first bytes
 * as a key and seq and checks the parse of that accepts exactly the in-range pairs.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEQ_MAX ((uint64_t)1 << 53)

/* Accepts "<digits>.<digits>" with the bounds and no leading zeros, written differently from
 * sse.c: compare the digit strings with the maxima as strings. */
static int reference_ok(const char *s)
{
    const char *dot = strchr(s, '.');
    size_t kl, ql;
    if (dot == NULL)
        return 0;
    kl = (size_t)(dot - s);
    ql = strlen(dot + 1);
    if (kl == 0 || ql == 0 || strspn(s, "0123456789") != kl || strspn(dot + 1, "0123456789") != ql)
        return 0;
    if ((kl > 1 && s[0] == '0') || (ql > 1 && dot[1] == '0'))
        return 0;
    if (kl > 6)
        return 0;
    if (ql > 16 || (ql == 16 && strcmp(dot + 1, "9007199254740992") > 0))
        return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    char back[SSE_ID_MAX];
    uint32_t key = 0;
    uint64_t seq = 0;
    enum mcp_err err;

    memcpy(s, data, size);
    s[size] = '\0';
    err = sse_id_parse(s, &key, &seq);
    if (err != MCP_OK && err != MCP_E_BAD_EVENT_ID)
        abort();
    if ((err == MCP_OK) != reference_ok(s))
        abort();
    if (err == MCP_OK) {
        if (key > 999999 || seq > SEQ_MAX)
            abort();
        sse_id_format(back, key, seq);
        if (strcmp(back, s) != 0)
            abort();
    }
    free(s);

    if (size >= 12) {
        uint32_t k = 0;
        uint64_t q = 0, q2;
        uint32_t k2;
        for (int i = 0; i < 4; i++)
            k = k << 8 | data[i];
        for (int i = 4; i < 12; i++)
            q = q << 8 | data[i];
        /* Bias toward the interesting range so both outcomes are common. */
        if (data[0] & 1)
            k %= 1000001;
        if (data[1] & 1)
            q %= SEQ_MAX + 2;
        sse_id_format(back, k, q);
        err = sse_id_parse(back, &k2, &q2);
        if ((err == MCP_OK) != (k <= 999999 && q <= SEQ_MAX))
            abort();
        if (err == MCP_OK && (k2 != k || q2 != q))
            abort();
    }
    return 0;
}
