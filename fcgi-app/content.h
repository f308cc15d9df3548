/*
 * content.h - MCP content blocks (tool results, prompt messages), resource contents, icons,
 * and the rewriting that fits a block to the negotiated protocol revision.
 *
 * Every *_new returns a json_object the caller owns. String arguments are borrowed (copied).
 *
 * What a client of an older revision gets instead of a newer construct:
 *   audio block (2025-03-26+)        -> text block "[audio (<mime>) omitted: audio content is
 *                                       not representable in protocol revision <v>]"
 *   resource_link block (2025-06-18+) -> text block "Resource link: <uri> (<name>)"
 *   icons (2025-11-25+)              -> removed
 *   _meta on blocks, annotations.lastModified (2025-06-18+) -> removed
 */
#ifndef MCP_CONTENT_H
#define MCP_CONTENT_H

#include <json-c/json.h>

/* One icon (2025-11-25). A list of them ends with src == NULL. */
struct content_icon {
    const char *src;       /* https: or data: URI */
    const char *mime_type; /* NULL = unspecified */
    const char *size;      /* "48x48", "any", or NULL */
};

json_object *content_text_new(const char *text);
json_object *content_image_new(const char *mime_type, const char *data_b64);
json_object *content_audio_new(const char *mime_type, const char *data_b64);
/* {type:"resource", resource:{uri, mimeType, text}} */
json_object *content_resource_text_new(const char *uri, const char *mime_type, const char *text);
/* {type:"resource", resource:{uri, mimeType, blob}} */
json_object *content_resource_blob_new(const char *uri, const char *mime_type,
                                       const char *blob_b64);
/* {type:"resource_link", uri, name, mimeType?} */
json_object *content_link_new(const char *uri, const char *name, const char *mime_type);

/* Entries of resources/read "contents": {uri, mimeType?, text} and {uri, mimeType?, blob}. */
json_object *content_text_contents_new(const char *uri, const char *mime_type, const char *text);
json_object *content_blob_contents_new(const char *uri, const char *mime_type,
                                       const char *blob_b64);

/* Adds "icons" to obj (borrowed) when icons is non-empty and version has them. */
void content_icons_add(json_object *obj, const struct content_icon *icons, const char *version);

/* Returns block (taken) fitted to version: the same object changed in place, or a new one
 * replacing it (see the table above). Non-object input is returned unchanged. */
json_object *content_block_for_version(json_object *block, const char *version);

/* Fits every element of the array blocks (borrowed, changed in place) to version. */
void content_blocks_for_version(json_object *blocks, const char *version);

/* JSON text of obj (borrowed) as sent in a text block: compact, "/" not escaped. The string
 * belongs to obj. */
const char *content_json_text(json_object *obj);

#endif
