/* jtest.h - JSON look-ups for the cmocka unit tests (include after <cmocka.h>). */
#ifndef MCP_JTEST_H
#define MCP_JTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* text parsed (owned); fails the test when it is not JSON. */
static inline json_object *jparse(const char *text)
{
    json_object *o = json_tokener_parse(text);
    assert_non_null(o);
    return o;
}

/* The member at a "/"-separated path ("content/0/text"); numeric parts index arrays. NULL
 * when there is none. Borrowed. */
static inline json_object *jget(json_object *o, const char *path)
{
    char buf[256], *save = NULL;
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *part = strtok_r(buf, "/", &save); part && o; part = strtok_r(NULL, "/", &save)) {
        if (json_object_is_type(o, json_type_array))
            o = json_object_array_get_idx(o, (size_t)strtoul(part, NULL, 10));
        else if (!json_object_object_get_ex(o, part, &o))
            o = NULL;
    }
    return o;
}

/* The string at path; fails the test (showing o) when there is none. */
static inline const char *jstr(json_object *o, const char *path)
{
    json_object *v = jget(o, path);
    if (v == NULL || !json_object_is_type(v, json_type_string))
        fail_msg("no string at %s in %s", path, json_object_to_json_string(o));
    return json_object_get_string(v);
}

/* The length of the array at path ("" = o itself); fails the test when it is no array. */
static inline size_t jlen(json_object *o, const char *path)
{
    json_object *v = path[0] ? jget(o, path) : o;
    assert_non_null(v);
    assert_true(json_object_is_type(v, json_type_array));
    return json_object_array_length(v);
}

#endif
