/* http.c - request parsing and edge checks for the worker; response rendering. */
#include "http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"

static const char *http_env(char *const *envp, const char *name)
{
    size_t n = strlen(name);
    for (; envp != NULL && *envp != NULL; envp++)
        if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
            return *envp + n + 1;
    return NULL;
}

const char *http_req_header(const struct http_req *r, const char *cgi_name)
{
    const char *v = r->envp ? http_env(r->envp, cgi_name) : NULL;
    return v != NULL && strlen(v) <= HTTP_VALUE_MAX ? v : NULL;
}

enum mcp_err http_req_parse(struct http_req *r, char *const *envp)
{
    memset(r, 0, sizeof(*r));
    r->content_length = -1;
    r->envp = envp;
    struct {
        const char *name;
        const char **dst;
    } map[] = {
        {"REQUEST_METHOD", &r->method},
        {"REQUEST_URI", &r->uri},
        {"QUERY_STRING", &r->query},
        {"HTTP_ACCEPT", &r->accept},
        {"CONTENT_TYPE", &r->content_type},
        {"HTTP_ORIGIN", &r->origin},
        {"HTTP_HOST", &r->host},
        {"SERVER_ADDR", &r->server_addr},
        {"REMOTE_USER", &r->remote_user},
        {"HTTP_MCP_SESSION_ID", &r->session_id},
        {"HTTP_MCP_PROTOCOL_VERSION", &r->protocol_version},
        {"HTTP_LAST_EVENT_ID", &r->last_event_id},
        {"HTTP_MCP_METHOD", &r->mcp_method},
        {"HTTP_MCP_NAME", &r->mcp_name},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        const char *v = http_env(envp, map[i].name);
        if (v != NULL && strlen(v) > HTTP_VALUE_MAX)
            return MCP_E_BAD_REQUEST;
        *map[i].dst = v;
    }
    if (r->method == NULL || r->method[0] == '\0')
        return MCP_E_BAD_REQUEST;
    if (r->remote_user != NULL && r->remote_user[0] == '\0')
        r->remote_user = NULL;
    if (r->remote_user != NULL && strlen(r->remote_user) > HTTP_PRINCIPAL_MAX)
        return MCP_E_BAD_REQUEST;
    const char *cl = http_env(envp, "CONTENT_LENGTH");
    if (cl != NULL && cl[0] != '\0') {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(cl, &end, 10);
        if (errno != 0 || end == cl || *end != '\0' || v < 0)
            return MCP_E_BAD_REQUEST;
        r->content_length = v;
    }
    const char *uri = r->uri ? r->uri : "/";
    size_t plen = strcspn(uri, "?");
    if (plen >= sizeof(r->path))
        return MCP_E_BAD_REQUEST;
    memcpy(r->path, uri, plen);
    r->path[plen] = '\0';
    return MCP_OK;
}

/* Trims ASCII white space from [*s, *e). */
static void http_trim(const char **s, const char **e)
{
    while (*s < *e && isspace((unsigned char)**s))
        (*s)++;
    while (*e > *s && isspace((unsigned char)(*e)[-1]))
        (*e)--;
}

static int http_token_eq(const char *s, const char *e, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(e - s) == n && strncasecmp(s, word, n) == 0;
}

/* Returns the q value (0..1000) in a parameter list "; a=b; q=0.5", 1000 when absent. */
static int http_qvalue(const char *s, const char *e)
{
    while (s < e) {
        const char *semi = memchr(s, ';', (size_t)(e - s));
        const char *pe = semi ? semi : e;
        const char *ps = s, *pe2 = pe;
        http_trim(&ps, &pe2);
        if (pe2 - ps >= 2 && (ps[0] == 'q' || ps[0] == 'Q') && ps[1] == '=') {
            /* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
            const char *v = ps + 2;
            int q = 0, scale = 1000;
            if (v < pe2 && (*v == '0' || *v == '1')) {
                q = (*v - '0') * 1000;
                v++;
                if (v < pe2 && *v == '.')
                    for (v++; v < pe2 && isdigit((unsigned char)*v) && scale > 1; v++) {
                        scale /= 10;
                        q += (*v - '0') * scale;
                    }
            }
            return q > 1000 ? 1000 : q;
        }
        s = semi ? semi + 1 : e;
    }
    return 1000;
}

int http_accepts(const char *accept, const char *type)
{
    if (accept == NULL)
        return 0;
    const char *p = accept;
    while (*p) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *ts = p, *te = semi ? semi : end;
        http_trim(&ts, &te);
        if (http_token_eq(ts, te, type) && (semi == NULL || http_qvalue(semi + 1, end) > 0))
            return 1;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return 0;
}

int http_content_type_is(const char *content_type, const char *type)
{
    if (content_type == NULL)
        return 0;
    const char *end = content_type + strlen(content_type);
    const char *semi = strchr(content_type, ';');
    const char *ts = content_type, *te = semi ? semi : end;
    http_trim(&ts, &te);
    if (!http_token_eq(ts, te, type))
        return 0;
    /* parameters: only charset matters, and JSON is UTF-8 */
    for (const char *p = semi; p != NULL && p < end;) {
        const char *next = strchr(p + 1, ';');
        const char *ps = p + 1, *pe = next ? next : end;
        http_trim(&ps, &pe);
        if (pe - ps > 8 && strncasecmp(ps, "charset=", 8) == 0) {
            const char *vs = ps + 8, *ve = pe;
            if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
                vs++;
                ve--;
            }
            if (!http_token_eq(vs, ve, "utf-8") && !http_token_eq(vs, ve, "utf8"))
                return 0;
        }
        p = next;
    }
    return 1;
}

/* Splits "host[:port]" or "[v6]:port" into the host part (without brackets). 0 on error. */
static int http_split_host(const char *hostport, char *host, size_t hlen, const char **port)
{
    const char *hs = hostport, *he;
    *port = NULL;
    if (*hs == '[') {
        he = strchr(hs, ']');
        if (he == NULL)
            return 0;
        hs++;
        if (he[1] == ':')
            *port = he + 2;
        else if (he[1] != '\0')
            return 0;
    } else {
        he = strchr(hs, ':');
        if (he != NULL)
            *port = he + 1;
        else
            he = hs + strlen(hs);
    }
    if (he == hs || (size_t)(he - hs) >= hlen)
        return 0;
    memcpy(host, hs, (size_t)(he - hs));
    host[he - hs] = '\0';
    return 1;
}

static int http_addr_is_loopback(const char *addr)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (addr == NULL)
        return 0;
    if (inet_pton(AF_INET, addr, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, addr, &a6) == 1) {
        if (IN6_IS_ADDR_LOOPBACK(&a6))
            return 1;
        if (IN6_IS_ADDR_V4MAPPED(&a6))
            return a6.s6_addr[12] == 127;
    }
    return 0;
}

static int http_name_is_loopback(const char *host)
{
    return strcasecmp(host, "localhost") == 0 || http_addr_is_loopback(host);
}

enum mcp_err http_check_host(const struct mcp_cfg *cfg, const struct http_req *r)
{
    char host[256];
    const char *port;
    if (r->host == NULL || !http_split_host(r->host, host, sizeof(host), &port))
        return cfg->n_allowed_hosts > 0 || http_addr_is_loopback(r->server_addr)
                   ? MCP_E_FORBIDDEN_HOST
                   : MCP_OK;
    if (cfg->n_allowed_hosts > 0) {
        for (int i = 0; i < cfg->n_allowed_hosts; i++) {
            const char *a = cfg->allowed_hosts[i];
            if (strcasecmp(a, r->host) == 0 || strcasecmp(a, host) == 0)
                return MCP_OK;
        }
        return MCP_E_FORBIDDEN_HOST;
    }
    if (http_addr_is_loopback(r->server_addr) && !http_name_is_loopback(host))
        return MCP_E_FORBIDDEN_HOST;
    return MCP_OK;
}

/* Default port of a scheme, or NULL. */
static const char *http_default_port(const char *scheme, size_t n)
{
    if (n == 4 && strncasecmp(scheme, "http", 4) == 0)
        return "80";
    if (n == 5 && strncasecmp(scheme, "https", 5) == 0)
        return "443";
    return NULL;
}

enum mcp_err http_check_origin(const struct mcp_cfg *cfg, const struct http_req *r)
{
    if (r->origin == NULL)
        return MCP_OK;
    if (cfg->n_allowed_origins > 0) {
        for (int i = 0; i < cfg->n_allowed_origins; i++)
            if (strcmp(cfg->allowed_origins[i], "*") == 0 ||
                strcasecmp(cfg->allowed_origins[i], r->origin) == 0)
                return MCP_OK;
        return MCP_E_FORBIDDEN_ORIGIN;
    }
    /* same-host rule: scheme://host[:port] must name the Host the request was sent to */
    const char *sep = strstr(r->origin, "://");
    if (sep == NULL || r->host == NULL)
        return MCP_E_FORBIDDEN_ORIGIN;
    const char *ohp = sep + 3;
    if (strchr(ohp, '/') != NULL)
        return MCP_E_FORBIDDEN_ORIGIN;
    char oh[256], rh[256];
    const char *op, *rp;
    if (!http_split_host(ohp, oh, sizeof(oh), &op) ||
        !http_split_host(r->host, rh, sizeof(rh), &rp))
        return MCP_E_FORBIDDEN_ORIGIN;
    if (strcasecmp(oh, rh) != 0)
        return MCP_E_FORBIDDEN_ORIGIN;
    const char *def = http_default_port(r->origin, (size_t)(sep - r->origin));
    const char *a = op ? op : def, *b = rp ? rp : def;
    if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0))
        return MCP_E_FORBIDDEN_ORIGIN;
    return MCP_OK;
}

int http_session_id_valid(const char *s)
{
    size_t n = 0;
    for (; s[n] != '\0'; n++)
        if ((unsigned char)s[n] < 0x21 || (unsigned char)s[n] > 0x7e || n >= HTTP_SESSION_ID_MAX)
            return 0;
    return n > 0;
}

void http_resp_init(struct http_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->status = 200;
}

void http_resp_clear(struct http_resp *resp)
{
    json_object_put(resp->body);
    resp->body = NULL;
}

const char *http_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Unknown";
    }
}

/* A response head being built; an append that does not fit is dropped (it cannot happen
 * with our bounded parts: a checked session id, static strings and numbers). */
struct http_head {
    char buf[1024];
    size_t len;
};

static void http_head_add(struct http_head *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void http_head_add(struct http_head *h, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(h->buf + h->len, sizeof(h->buf) - h->len, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof(h->buf) - h->len)
        h->len += (size_t)n;
    else
        h->buf[h->len] = '\0';
}

char *http_resp_render(const struct http_resp *resp, size_t *len)
{
    const char *body = NULL;
    size_t blen = 0;
    if (resp->body != NULL)
        body = json_object_to_json_string_length(
            resp->body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &blen);
    struct http_head h = {{0}, 0};
    http_head_add(&h, "Status: %d %s\r\n", resp->status, http_reason(resp->status));
    if (resp->session_id[0])
        http_head_add(&h, "Mcp-Session-Id: %s\r\n", resp->session_id);
    if (resp->allow)
        http_head_add(&h, "Allow: %s\r\n", resp->allow);
    if (body != NULL)
        http_head_add(&h,
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                      "Cache-Control: no-store\r\n",
                      blen + 1);
    else
        http_head_add(&h, "Content-Length: 0\r\n");
    http_head_add(&h, "\r\n");
    const char *head = h.buf;
    size_t hl = h.len;
    char *out = xmalloc(hl + blen + 2);
    memcpy(out, head, hl);
    if (body != NULL) {
        memcpy(out + hl, body, blen);
        out[hl + blen] = '\n';
        *len = hl + blen + 1;
    } else {
        *len = hl;
    }
    return out;
}
