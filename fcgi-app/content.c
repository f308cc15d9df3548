/* content.c - content blocks and their fitting to a protocol revision. */
#include "content.h"

#include <stdio.h>
#include <string.h>

#include "rev.h"
#include "jsonx.h"

static json_object *content_typed_new(const char *type)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string(type));
    return o;
}

json_object *content_text_new(const char *text)
{
    json_object *o = content_typed_new("text");
    json_object_object_add(o, "text", json_object_new_string(text));
    return o;
}

static json_object *content_media_new(const char *type, const char *mime_type, const char *data)
{
    json_object *o = content_typed_new(type);
    json_object_object_add(o, "data", json_object_new_string(data));
    json_object_object_add(o, "mimeType", json_object_new_string(mime_type));
    return o;
}

json_object *content_image_new(const char *mime_type, const char *data_b64)
{
    return content_media_new("image", mime_type, data_b64);
}

json_object *content_audio_new(const char *mime_type, const char *data_b64)
{
    return content_media_new("audio", mime_type, data_b64);
}

static json_object *content_contents_new(const char *uri, const char *mime_type, const char *key,
                                         const char *value)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "uri", json_object_new_string(uri));
    if (mime_type != NULL)
        json_object_object_add(o, "mimeType", json_object_new_string(mime_type));
    json_object_object_add(o, key, json_object_new_string(value));
    return o;
}

json_object *content_text_contents_new(const char *uri, const char *mime_type, const char *text)
{
    return content_contents_new(uri, mime_type, "text", text);
}

json_object *content_blob_contents_new(const char *uri, const char *mime_type, const char *blob_b64)
{
    return content_contents_new(uri, mime_type, "blob", blob_b64);
}

json_object *content_resource_text_new(const char *uri, const char *mime_type, const char *text)
{
    json_object *o = content_typed_new("resource");
    json_object_object_add(o, "resource", content_text_contents_new(uri, mime_type, text));
    return o;
}

json_object *content_resource_blob_new(const char *uri, const char *mime_type, const char *blob_b64)
{
    json_object *o = content_typed_new("resource");
    json_object_object_add(o, "resource", content_blob_contents_new(uri, mime_type, blob_b64));
    return o;
}

json_object *content_link_new(const char *uri, const char *name, const char *mime_type)
{
    json_object *o = content_typed_new("resource_link");
    json_object_object_add(o, "uri", json_object_new_string(uri));
    json_object_object_add(o, "name", json_object_new_string(name));
    if (mime_type != NULL)
        json_object_object_add(o, "mimeType", json_object_new_string(mime_type));
    return o;
}

void content_icons_add(json_object *obj, const struct content_icon *icons, const char *version)
{
    json_object *arr;

    if (icons == NULL || icons[0].src == NULL || !rev_has(version, REV_2025_11_25))
        return;
    arr = json_object_new_array();
    for (const struct content_icon *ic = icons; ic->src != NULL; ic++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "src", json_object_new_string(ic->src));
        if (ic->mime_type != NULL)
            json_object_object_add(o, "mimeType", json_object_new_string(ic->mime_type));
        if (ic->size != NULL) {
            json_object *sizes = json_object_new_array();
            json_object_array_add(sizes, json_object_new_string(ic->size));
            json_object_object_add(o, "sizes", sizes);
        }
        json_object_array_add(arr, o);
    }
    json_object_object_add(obj, "icons", arr);
}

json_object *content_block_for_version(json_object *block, const char *version)
{
    const char *type;
    json_object *ann;
    char text[1024];

    if (!json_object_is_type(block, json_type_object))
        return block;
    type = jsonx_str(block, "type");
    if (type == NULL)
        return block;

    if (strcmp(type, "audio") == 0 && !rev_has(version, REV_2025_03_26)) {
        const char *mime = jsonx_str(block, "mimeType");
        snprintf(text, sizeof(text),
                 "[audio (%s) omitted: audio content is not representable in protocol "
                 "revision %s]",
                 mime ? mime : "unknown type", version);
        json_object_put(block);
        return content_text_new(text);
    }
    if (strcmp(type, "resource_link") == 0 && !rev_has(version, REV_2025_06_18)) {
        const char *uri = jsonx_str(block, "uri"), *name = jsonx_str(block, "name");
        /* Truncation only shortens the hint; the link itself is lost to this client. */
        snprintf(text, sizeof(text), "Resource link: %s (%s)", uri ? uri : "", name ? name : "");
        json_object_put(block);
        return content_text_new(text);
    }
    if (!rev_has(version, REV_2025_11_25))
        json_object_object_del(block, "icons");
    if (!rev_has(version, REV_2025_06_18)) {
        json_object_object_del(block, "_meta");
        json_object_object_del(block, "title");
        if (json_object_object_get_ex(block, "annotations", &ann))
            json_object_object_del(ann, "lastModified");
    }
    return block;
}

void content_blocks_for_version(json_object *blocks, const char *version)
{
    size_t n;

    if (!json_object_is_type(blocks, json_type_array))
        return;
    n = json_object_array_length(blocks);
    for (size_t i = 0; i < n; i++) {
        json_object *b = json_object_array_get_idx(blocks, i);
        json_object *fitted = content_block_for_version(json_object_get(b), version);
        /* put_idx releases the array's reference to the old element; ours went into
         * content_block_for_version, which either returned it or released it. */
        if (fitted != b)
            json_object_array_put_idx(blocks, i, fitted);
        else
            json_object_put(fitted);
    }
}

const char *content_json_text(json_object *obj)
{
    return json_object_to_json_string_ext(obj,
                                          JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}
