/* fuzz_http.c - libFuzzer driver for the header parsers: Accept, Content-Type, Host, Origin.
 * The input is split at NUL bytes into the header values. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_parts.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mcp_cfg cfg;
    static int init;
    if (!init) {
        cfg_defaults(&cfg);
        init = 1;
    }
    const char *parts[4];
    char *buf = fuzz_parts_new(data, size, parts, 4);
    (void)http_accepts(parts[0], "application/json");
    (void)http_content_type_is(parts[1], "application/json");
    struct http_req r;
    memset(&r, 0, sizeof(r));
    r.host = parts[2];
    r.origin = parts[3];
    r.server_addr = "127.0.0.1";
    (void)http_check_host(&cfg, &r);
    (void)http_check_origin(&cfg, &r);
    (void)http_session_id_valid(parts[3]);
    free(buf);
    return 0;
}
