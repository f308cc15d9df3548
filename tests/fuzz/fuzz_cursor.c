/*
 * fuzz_cursor.c - libFuzzer driver for page_cursor_decode and page_begin: any string, for
 * every list. An accepted cursor must be the one page_cursor_encode writes for its offset,
 * and page_begin must only ever give a page inside the list.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "page.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char again[PAGE_CURSOR_MAX + 1];
    struct rpc_fail fail = {{0}, NULL};
    json_object *params = json_object_new_object();

    json_object_object_add(params, "cursor",
                           json_object_new_string_len((const char *)data, (int)size));
    for (int l = PAGE_TOOLS; l <= PAGE_PROMPTS; l++) {
        size_t off = 0;
        struct page pg;
        if (page_cursor_decode((enum page_list)l, (const char *)data, size, &off) == MCP_OK) {
            if (off > PAGE_OFFSET_MAX)
                abort();
            if (page_cursor_encode((enum page_list)l, off, again, sizeof(again)) != MCP_OK ||
                strlen(again) != size || memcmp(again, data, size) != 0)
                abort();
        }
        for (size_t total = 0; total < 40; total += 13) {
            if (page_begin((enum page_list)l, params, total, 7, &pg, &fail) == MCP_OK) {
                if (pg.first > pg.end || pg.end > total || pg.end - pg.first > 7)
                    abort();
            } else if (strcmp(fail.message, "invalid cursor") != 0) {
                abort();
            }
        }
    }
    rpc_fail_clear(&fail);
    json_object_put(params);
    return 0;
}
