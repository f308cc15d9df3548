/* jsonx.c - small json-c accessors. */
#include "jsonx.h"

#include <stddef.h>
#include <string.h>

json_object *jsonx_get(json_object *obj, const char *key)
{
    json_object *v = NULL;
    if (obj == NULL || !json_object_is_type(obj, json_type_object) ||
        !json_object_object_get_ex(obj, key, &v))
        return NULL;
    return v;
}

const char *jsonx_str(json_object *obj, const char *key)
{
    json_object *v = jsonx_get(obj, key);
    if (v == NULL || !json_object_is_type(v, json_type_string))
        return NULL;
    const char *s = json_object_get_string(v);
    return strlen(s) == (size_t)json_object_get_string_len(v) ? s : NULL;
}
