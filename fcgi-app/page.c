/* page.c - opaque, list-bound cursors. */
#include "page.h"

#include <stdio.h>
#include <string.h>

#include "b64.h"

static const char *const page_tags[] = {
    [PAGE_TOOLS] = "tools",
    [PAGE_RESOURCES] = "resources",
    [PAGE_TEMPLATES] = "templates",
    [PAGE_PROMPTS] = "prompts",
};

/* Raw cursor: the longest tag, ':', and up to 6 digits. */
#define PAGE_RAW_MAX 32

enum mcp_err page_cursor_encode(enum page_list list, size_t offset, char *buf, size_t size)
{
    char raw[PAGE_RAW_MAX];
    int n;

    if (offset > PAGE_OFFSET_MAX)
        return MCP_E_INTERNAL;
    n = snprintf(raw, sizeof(raw), "%s:%zu", page_tags[list], offset);
    if (n < 0 || (size_t)n >= sizeof(raw))
        return MCP_E_INTERNAL;
    if (b64_encode(B64_URL, B64_NOPAD, raw, (size_t)n, buf, size) != MCP_OK)
        return MCP_E_INTERNAL;
    return MCP_OK;
}

enum mcp_err page_cursor_decode(enum page_list list, const char *cursor, size_t len, size_t *offset)
{
    unsigned char raw[PAGE_RAW_MAX];
    size_t n, tag_len = strlen(page_tags[list]), v = 0, i;

    *offset = 0;
    if (len == 0 || len > PAGE_CURSOR_MAX)
        return MCP_E_INVALID_PARAMS;
    if (b64_decode(B64_URL, B64_NOPAD, cursor, len, raw, sizeof(raw), &n) != MCP_OK)
        return MCP_E_INVALID_PARAMS;
    if (n < tag_len + 2 || memcmp(raw, page_tags[list], tag_len) != 0 || raw[tag_len] != ':')
        return MCP_E_INVALID_PARAMS;
    /* Digits only, no leading zero (one spelling per offset), bounded. */
    i = tag_len + 1;
    if (raw[i] == '0' && n > i + 1)
        return MCP_E_INVALID_PARAMS;
    for (; i < n; i++) {
        if (raw[i] < '0' || raw[i] > '9')
            return MCP_E_INVALID_PARAMS;
        v = v * 10 + (size_t)(raw[i] - '0');
        if (v > PAGE_OFFSET_MAX)
            return MCP_E_INVALID_PARAMS;
    }
    *offset = v;
    return MCP_OK;
}

enum mcp_err page_begin(enum page_list list, json_object *params, size_t total, int page_size,
                        struct page *page, struct rpc_fail *fail)
{
    json_object *c = NULL;
    size_t offset = 0, size = page_size > 0 ? (size_t)page_size : 1;

    page->first = page->end = 0;
    if (params != NULL && json_object_object_get_ex(params, "cursor", &c) && c != NULL) {
        const char *s;
        if (!json_object_is_type(c, json_type_string))
            return rpc_fail_set(fail, MCP_E_INVALID_PARAMS, "invalid cursor");
        s = json_object_get_string(c);
        if (page_cursor_decode(list, s, (size_t)json_object_get_string_len(c), &offset) != MCP_OK ||
            offset == 0 || offset >= total)
            return rpc_fail_set(fail, MCP_E_INVALID_PARAMS, "invalid cursor");
    }
    page->first = offset;
    page->end = total - offset > size ? offset + size : total;
    return MCP_OK;
}

void page_end(enum page_list list, const struct page *page, size_t total, json_object *result)
{
    char cursor[PAGE_CURSOR_MAX + 1];

    if (page->end >= total)
        return;
    if (page_cursor_encode(list, page->end, cursor, sizeof(cursor)) == MCP_OK)
        json_object_object_add(result, "nextCursor", json_object_new_string(cursor));
}
