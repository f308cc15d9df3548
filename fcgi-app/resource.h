/*
 * resource.h - the resource registry: static resources, URI templates (RFC 6570 level 1,
 * simple "{var}" expressions only), resources/list, resources/templates/list,
 * resources/read, and completion candidates for template variables.
 */
#ifndef MCP_RESOURCE_H
#define MCP_RESOURCE_H

#include <stddef.h>
#include <json-c/json.h>

#include "content.h"
#include "feat.h"
#include "mcp_err.h"
#include "rpc.h"

#define RESOURCE_URI_MAX  2048 /* longest uri resources/read accepts, bytes */
#define RESOURCE_VARS_MAX 8    /* variables in one template */
#define RESOURCE_VAR_MAX  256  /* bytes of one decoded variable value */

struct resource_def {
    const char *uri;
    const char *name;                 /* required */
    const char *title;                /* NULL = none; sent from 2025-06-18 */
    const char *description;          /* NULL = none */
    const char *mime_type;            /* NULL = none */
    const struct content_icon *icons; /* NULL = none; sent from 2025-11-25 */
    /* Fixed content: exactly one of text / blob (base64), unless read is set. */
    const char *text;
    const char *blob;
    /* Dynamic content: appends contents entries ({uri, mimeType, text|blob}) to contents
     * (borrowed array). Errors go in fail. */
    enum mcp_err (*read)(const struct feat_ctx *ctx, const struct resource_def *r,
                         json_object *contents, struct rpc_fail *fail);
};

/* A template variable and its completion candidates (NULL-terminated, or NULL = none). */
struct resource_var {
    const char *name;
    const char *const *values;
};

/* The variables a uri bound when it matched a template. */
struct resource_match {
    size_t n;
    struct {
        const char *name; /* points into the template, not NUL-terminated */
        size_t name_len;
        char value[RESOURCE_VAR_MAX + 1]; /* percent-decoded, NUL-terminated */
    } vars[RESOURCE_VARS_MAX];
};

struct resource_template_def {
    const char *uri_template; /* literal text and {name} expressions, never two adjacent */
    const char *name;
    const char *title;                /* NULL = none; sent from 2025-06-18 */
    const char *description;          /* NULL = none */
    const char *mime_type;            /* NULL = none */
    const struct content_icon *icons; /* NULL = none; sent from 2025-11-25 */
    const struct resource_var *vars;  /* candidates per variable, ends at name NULL */
    /* Appends the contents of uri (which matched, binding m) to contents (borrowed). */
    enum mcp_err (*read)(const struct feat_ctx *ctx, const struct resource_template_def *t,
                         const char *uri, const struct resource_match *m, json_object *contents,
                         struct rpc_fail *fail);
};

/*
 * Matches uri against template tpl. Returns 1 and fills *m when it matches, else 0 (also
 * for templates outside what we support). A variable matches one or more unreserved
 * characters (A-Z a-z 0-9 - . _ ~) or percent-encodings of printable ASCII, decoded into
 * the value; it ends at the first character equal to the literal that follows it in the
 * template, so "/", "?" and "#" never fall into a value. At most RESOURCE_VARS_MAX variables,
 * each at most RESOURCE_VAR_MAX bytes.
 */
int resource_template_match(const char *tpl, const char *uri, struct resource_match *m);

/* The value bound to variable name, or NULL. */
const char *resource_match_get(const struct resource_match *m, const char *name);

/* resources/list, resources/templates/list, resources/read as feat_dispatch calls them.
 * resources/read of an unknown uri: MCP_E_RESOURCE_NOT_FOUND with fail->data {"uri": uri}. */
enum mcp_err resource_list(const struct feat_ctx *ctx, json_object *params, json_object **result,
                           struct rpc_fail *fail);
enum mcp_err resource_templates_list(const struct feat_ctx *ctx, json_object *params,
                                     json_object **result, struct rpc_fail *fail);
enum mcp_err resource_read(const struct feat_ctx *ctx, json_object *params, json_object **result,
                           struct rpc_fail *fail);

/* Completion candidates for variable var of the template (or resource) ref_uri: *values is
 * NULL-terminated, or NULL for none. MCP_E_INVALID_PARAMS for an unknown ref_uri or a
 * variable the template does not have. */
enum mcp_err resource_complete_values(const struct mcp_cfg *cfg, const char *ref_uri,
                                      const char *var, const char *const **values,
                                      struct rpc_fail *fail);

#endif
