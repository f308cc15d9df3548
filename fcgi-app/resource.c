/* resource.c - static resources, URI templates, and the resources/... methods. */
#include "resource.h"

#include <string.h>

#include "page.h"
#include "rev.h"
#include "set.h"

static int resource_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

static int resource_hex(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static int resource_varname_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

int resource_template_match(const char *tpl, const char *uri, struct resource_match *m)
{
    const char *t = tpl, *u = uri;

    m->n = 0;
    while (*t != '\0') {
        const char *close;
        size_t vlen = 0, nlen;
        char stop;

        if (*t != '{') {
            if (*t++ != *u++)
                return 0;
            continue;
        }
        close = strchr(t, '}');
        if (close == NULL || m->n == RESOURCE_VARS_MAX)
            return 0;
        nlen = (size_t)(close - t - 1);
        if (nlen == 0)
            return 0;
        for (size_t i = 1; i <= nlen; i++)
            if (!resource_varname_char((unsigned char)t[i]))
                return 0; /* an operator or a modifier: not level 1 */
        stop = close[1];
        if (stop == '{')
            return 0; /* adjacent variables cannot be told apart */
        while (*u != '\0' && *u != stop) {
            unsigned char c = (unsigned char)*u;
            if (c == '%') {
                int hi = resource_hex((unsigned char)u[1]);
                int lo = hi < 0 ? -1 : resource_hex((unsigned char)u[2]);
                if (lo < 0)
                    return 0;
                c = (unsigned char)(hi << 4 | lo);
                if (c < 0x20 || c > 0x7e)
                    return 0; /* printable ASCII only: values end up in JSON text */
                u += 3;
            } else if (resource_unreserved(c)) {
                u++;
            } else {
                break;
            }
            if (vlen == RESOURCE_VAR_MAX)
                return 0;
            m->vars[m->n].value[vlen++] = (char)c;
        }
        if (vlen == 0)
            return 0;
        m->vars[m->n].value[vlen] = '\0';
        m->vars[m->n].name = t + 1;
        m->vars[m->n].name_len = nlen;
        m->n++;
        t = close + 1;
    }
    return *u == '\0';
}

const char *resource_match_get(const struct resource_match *m, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < m->n; i++)
        if (m->vars[i].name_len == len && memcmp(m->vars[i].name, name, len) == 0)
            return m->vars[i].value;
    return NULL;
}

static void resource_str_add(json_object *o, const char *key, const char *value)
{
    if (value != NULL)
        json_object_object_add(o, key, json_object_new_string(value));
}

/* A Resource or ResourceTemplate entry: {key: where, name, title?, description?, mimeType?,
 * icons?} in version's shape. */
static json_object *resource_entry_new(const char *key, const char *where, const char *name,
                                       const char *title, const char *description,
                                       const char *mime_type, const struct content_icon *icons,
                                       const char *version)
{
    json_object *o = json_object_new_object();
    resource_str_add(o, key, where);
    resource_str_add(o, "name", name);
    if (rev_has(version, REV_2025_06_18))
        resource_str_add(o, "title", title);
    resource_str_add(o, "description", description);
    resource_str_add(o, "mimeType", mime_type);
    content_icons_add(o, icons, version);
    return o;
}

static json_object *resource_def_json_new(const struct resource_def *r, const char *version)
{
    return resource_entry_new("uri", r->uri, r->name, r->title, r->description, r->mime_type,
                              r->icons, version);
}

static json_object *resource_template_json_new(const struct resource_template_def *t,
                                               const char *version)
{
    return resource_entry_new("uriTemplate", t->uri_template, t->name, t->title, t->description,
                              t->mime_type, t->icons, version);
}

/* One paged list of kind, each item rendered by render, under key. */
static enum mcp_err resource_page(const struct feat_ctx *ctx, json_object *params,
                                  enum set_kind kind, enum page_list list, const char *key,
                                  json_object **result, struct rpc_fail *fail)
{
    size_t total = set_count(ctx->cfg, kind), i = 0;
    struct set_iter it;
    struct page pg;
    const void *item;
    json_object *arr;
    enum mcp_err err;

    *result = NULL;
    if ((err = page_begin(list, params, total, ctx->cfg->page_size, &pg, fail)) != MCP_OK)
        return err;
    arr = json_object_new_array();
    set_iter_init(&it, ctx->cfg, kind);
    for (; (item = set_iter_next(&it)) != NULL && i < pg.end; i++) {
        if (i < pg.first)
            continue;
        json_object_array_add(arr, kind == SET_RESOURCES
                                       ? resource_def_json_new(item, ctx->version)
                                       : resource_template_json_new(item, ctx->version));
    }
    *result = json_object_new_object();
    json_object_object_add(*result, key, arr);
    page_end(list, &pg, total, *result);
    return MCP_OK;
}

enum mcp_err resource_list(const struct feat_ctx *ctx, json_object *params, json_object **result,
                           struct rpc_fail *fail)
{
    return resource_page(ctx, params, SET_RESOURCES, PAGE_RESOURCES, "resources", result, fail);
}

enum mcp_err resource_templates_list(const struct feat_ctx *ctx, json_object *params,
                                     json_object **result, struct rpc_fail *fail)
{
    return resource_page(ctx, params, SET_TEMPLATES, PAGE_TEMPLATES, "resourceTemplates", result,
                         fail);
}

static const struct resource_def *resource_find(const struct mcp_cfg *cfg, const char *uri)
{
    struct set_iter it;
    const struct resource_def *r;

    set_iter_init(&it, cfg, SET_RESOURCES);
    while ((r = set_iter_next(&it)) != NULL)
        if (strcmp(r->uri, uri) == 0)
            return r;
    return NULL;
}

static const struct resource_template_def *resource_template_find(const struct mcp_cfg *cfg,
                                                                  const char *uri_template)
{
    struct set_iter it;
    const struct resource_template_def *t;

    set_iter_init(&it, cfg, SET_TEMPLATES);
    while ((t = set_iter_next(&it)) != NULL)
        if (strcmp(t->uri_template, uri_template) == 0)
            return t;
    return NULL;
}

/* Appends the contents of static resource r. */
static enum mcp_err resource_read_static(const struct feat_ctx *ctx, const struct resource_def *r,
                                         json_object *contents, struct rpc_fail *fail)
{
    if (r->read != NULL)
        return r->read(ctx, r, contents, fail);
    if (r->text != NULL)
        json_object_array_add(contents, content_text_contents_new(r->uri, r->mime_type, r->text));
    else if (r->blob != NULL)
        json_object_array_add(contents, content_blob_contents_new(r->uri, r->mime_type, r->blob));
    return MCP_OK;
}

enum mcp_err resource_read(const struct feat_ctx *ctx, json_object *params, json_object **result,
                           struct rpc_fail *fail)
{
    json_object *uri_obj, *contents;
    const struct resource_def *r;
    const struct resource_template_def *t;
    struct resource_match m;
    struct set_iter it;
    const char *uri;
    enum mcp_err err = MCP_E_RESOURCE_NOT_FOUND;

    *result = NULL;
    if (params == NULL || !json_object_object_get_ex(params, "uri", &uri_obj) ||
        !json_object_is_type(uri_obj, json_type_string))
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS, "resources/read needs a string \"uri\".");
    uri = json_object_get_string(uri_obj);
    if ((size_t)json_object_get_string_len(uri_obj) != strlen(uri) ||
        strlen(uri) > RESOURCE_URI_MAX)
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS,
                            "The uri is longer than %d bytes or holds a NUL.", RESOURCE_URI_MAX);

    contents = json_object_new_array();
    if ((r = resource_find(ctx->cfg, uri)) != NULL) {
        err = resource_read_static(ctx, r, contents, fail);
    } else {
        set_iter_init(&it, ctx->cfg, SET_TEMPLATES);
        while ((t = set_iter_next(&it)) != NULL) {
            if (resource_template_match(t->uri_template, uri, &m)) {
                err = t->read(ctx, t, uri, &m, contents, fail);
                break;
            }
        }
    }
    if (err == MCP_E_RESOURCE_NOT_FOUND) {
        json_object_put(fail->data);
        fail->data = json_object_new_object();
        json_object_object_add(fail->data, "uri", json_object_new_string(uri));
        rpc_fail_set(fail, err, "Resource not found.");
        goto fail;
    }
    if (err != MCP_OK)
        goto fail;
    if (json_object_array_length(contents) == 0) {
        err = rpc_fail_set(fail, MCP_E_INTERNAL, "Resource %s produced no contents.", uri);
        goto fail;
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "contents", contents);
    return MCP_OK;
fail:
    json_object_put(contents);
    return err;
}

/* 1 when template tpl has the expression {var}. */
static int resource_template_has_var(const char *tpl, const char *var)
{
    size_t len = strlen(var);
    for (const char *p = strchr(tpl, '{'); p != NULL; p = strchr(p + 1, '{'))
        if (strncmp(p + 1, var, len) == 0 && p[1 + len] == '}')
            return 1;
    return 0;
}

enum mcp_err resource_complete_values(const struct mcp_cfg *cfg, const char *ref_uri,
                                      const char *var, const char *const **values,
                                      struct rpc_fail *fail)
{
    const struct resource_template_def *t = resource_template_find(cfg, ref_uri);

    *values = NULL;
    if (t == NULL) {
        if (resource_find(cfg, ref_uri) != NULL)
            return rpc_fail_set(fail, MCP_E_INVALID_PARAMS, "Resource %s has no variable %s.",
                                ref_uri, var);
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS, "Unknown resource reference: %s", ref_uri);
    }
    if (!resource_template_has_var(t->uri_template, var))
        return rpc_fail_set(fail, MCP_E_INVALID_PARAMS, "Resource template %s has no variable %s.",
                            ref_uri, var);
    for (const struct resource_var *v = t->vars; v != NULL && v->name != NULL; v++)
        if (strcmp(v->name, var) == 0)
            *values = v->values;
    return MCP_OK;
}
