/*
 * page.h - pagination of tools/list, resources/list, resources/templates/list and
 * prompts/list (cfg->page_size items a page).
 *
 * A cursor is opaque to clients: base64url (no padding) of "<list>:<offset>", e.g.
 * "tools:2". The tag binds a cursor to its list, so a cursor of one list is refused by
 * another. Only offsets we could have issued are accepted: 0 < offset < total.
 */
#ifndef MCP_PAGE_H
#define MCP_PAGE_H

#include <stddef.h>
#include <json-c/json.h>

#include "mcp_err.h"
#include "rpc.h"

#define PAGE_CURSOR_MAX 64     /* longest cursor string we read or write, NUL excluded */
#define PAGE_OFFSET_MAX 999999 /* largest offset a cursor carries */

enum page_list { PAGE_TOOLS, PAGE_RESOURCES, PAGE_TEMPLATES, PAGE_PROMPTS };

/* Writes the cursor for offset into buf (size bytes). MCP_E_INTERNAL when offset is over
 * PAGE_OFFSET_MAX or buf is too small. */
enum mcp_err page_cursor_encode(enum page_list list, size_t offset, char *buf, size_t size);

/* Reads a cursor string (len bytes, no NUL needed) of list into *offset. Accepts only the
 * canonical form page_cursor_encode writes. MCP_E_INVALID_PARAMS otherwise. Does not check
 * the offset against a list length. */
enum mcp_err page_cursor_decode(enum page_list list, const char *cursor, size_t len,
                                size_t *offset);

/* A page of a list of total items. */
struct page {
    size_t first; /* index of the first item on this page */
    size_t end;   /* one past the last */
};

/*
 * Works out the page params (borrowed, may be NULL) ask for: no "cursor" (or null) is the
 * first page. An unreadable cursor, one of another list, or one past the list gives
 * MCP_E_INVALID_PARAMS with fail->message "invalid cursor".
 */
enum mcp_err page_begin(enum page_list list, json_object *params, size_t total, int page_size,
                        struct page *page, struct rpc_fail *fail);

/* Adds "nextCursor" to result (borrowed) when items remain after page. */
void page_end(enum page_list list, const struct page *page, size_t total, json_object *result);

#endif
