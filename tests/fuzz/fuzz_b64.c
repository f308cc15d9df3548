/*
 * fuzz_b64.c - libFuzzer driver for b64_decode: every alphabet and padding rule on the same
 * input. Whatever decodes must re-encode to the input (strict decoding accepts only the
 * canonical text), and nothing may write past the output buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum b64_pad pads[] = {B64_PAD, B64_NOPAD, B64_PAD_ANY};
    size_t cap = b64_decoded_max(size);
    unsigned char *out = malloc(cap ? cap : 1);

    for (int a = B64_STD; a <= B64_URL; a++) {
        for (size_t p = 0; p < sizeof(pads) / sizeof(pads[0]); p++) {
            size_t n = 0;
            enum mcp_err err =
                b64_decode((enum b64_alphabet)a, pads[p], (const char *)data, size, out, cap, &n);
            if (err != MCP_OK) {
                if (n != 0 || (err != MCP_E_INVALID_PARAMS && err != MCP_E_TOO_LARGE))
                    abort();
                continue;
            }
            if (n > cap)
                abort();
            /* Re-encode with the padding the input had. */
            enum b64_pad enc = (size > 0 && data[size - 1] == '=') ? B64_PAD : B64_NOPAD;
            char *text = b64_encode_dup((enum b64_alphabet)a, enc, out, n);
            if (strlen(text) != size || memcmp(text, data, size) != 0)
                abort();
            free(text);
        }
    }
    /* A buffer one byte short must be refused, never overrun. */
    if (cap > 0) {
        unsigned char *small = malloc(cap - 1 ? cap - 1 : 1);
        size_t n;
        (void)b64_decode(B64_STD, B64_PAD_ANY, (const char *)data, size, small, cap - 1, &n);
        free(small);
    }
    free(out);
    return 0;
}
