/*
 * main.c - mcp-fcgi, a FastCGI responder for the MCP endpoint and its small HTTP API.
 *
 *   mcp-fcgi [-c FILE] [-r RUNTIME_DIR] [-t]
 *
 * Started by spawn-fcgi (usually under multiwatch), which passes the listening FastCGI
 * socket as fd 0. Routes on the last segment of REQUEST_URI's path, so the web server
 * decides where the endpoints live: .../mcp, .../healthz, .../readyz.
 */
#include <fcgiapp.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "cfg.h"
#include "http.h"
#include "mcp.h"

#define MCP_DEFAULT_CONF "/etc/mcp-fcgi/mcp.conf"

/* Reads the request body: at most limit + 1 bytes, so that "more than limit" is visible.
 * *buf owned by the caller. */
static size_t main_read_body(FCGX_Stream *in, long long content_length, size_t limit, char **buf)
{
    size_t want =
        content_length >= 0 && (size_t)content_length <= limit ? (size_t)content_length : limit + 1;
    char *b = xmalloc(want + 1);
    size_t got = 0;
    while (got < want) {
        int n = FCGX_GetStr(b + got, (int)(want - got > 65536 ? 65536 : want - got), in);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    b[got] = '\0';
    *buf = b;
    return got;
}

static const char *main_last_segment(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Handles one request. Returns 1 when the connection was handed to mcp-sessiond (the
 * request is already released: it must not be finished). */
static int main_handle(struct mcp_server *srv, const struct mcp_cfg *cfg, FCGX_Request *fr)
{
    struct http_req req;
    struct http_resp resp;
    char *body = NULL;

    http_resp_init(&resp);
    enum mcp_err rc = http_req_parse(&req, fr->envp);
    if (rc != MCP_OK) {
        mcp_http_error(&resp, rc, NULL, "Bad Request: malformed or oversized request head.");
        goto out;
    }
    const char *seg = main_last_segment(req.path);
    if (strcmp(seg, "mcp") == 0) {
        if (mcp_handle_head(srv, &req, fr, &resp))
            goto out;
        size_t len = main_read_body(fr->in, req.content_length, cfg->max_body, &body);
        mcp_handle_body(srv, &req, fr, body, len, &resp);
    } else if (strcmp(seg, "sse") == 0) {
        mcp_handle_sse(srv, &req, fr, &resp);
    } else if (strcmp(seg, "messages") == 0) {
        if (mcp_handle_messages_head(srv, &req, &resp))
            goto out;
        size_t len = main_read_body(fr->in, req.content_length, cfg->max_body, &body);
        mcp_handle_messages_body(srv, &req, fr, body, len, &resp);
    } else if (strcmp(seg, "healthz") == 0 || strcmp(seg, "readyz") == 0) {
        if (strcmp(req.method, "GET") != 0 && strcmp(req.method, "HEAD") != 0) {
            mcp_http_error(&resp, MCP_E_METHOD_NOT_ALLOWED, NULL, NULL);
            resp.allow = "GET, HEAD";
        } else if (seg[0] == 'r') {
            mcp_handle_ready(srv, &resp);
        } else {
            resp.body = json_object_new_object();
            json_object_object_add(resp.body, "status", json_object_new_string("ok"));
            json_object_object_add(resp.body, "version", json_object_new_string(MCP_VERSION));
        }
    } else {
        mcp_http_error(&resp, MCP_E_NOT_FOUND, NULL, NULL);
    }
out:
    if (resp.handed_off) {
        /* sessiond holds the connection now: free libfcgi's state without writing or
         * shutting the socket down (see ../shared/reference/handoff-spike.md) */
        FCGX_Detach(fr);
        FCGX_Free(fr, 1);
    } else if (!resp.streamed) {
        size_t len;
        char *out = http_resp_render(&resp, &len);
        FCGX_PutStr(out, (int)len, fr->out);
        free(out);
    }
    free(body);
    http_resp_clear(&resp);
    mcp_request_end(srv);
    return resp.handed_off;
}

/* Re-reads the configuration when its file changed (mcp-sessiond re-reads it on SIGHUP and
 * announces list changes; workers follow at their next request). A bad new file keeps the
 * running configuration and is logged once per change. */
static void main_reload(struct mcp_cfg *cfg, const char *conf, const char *rundir,
                        struct timespec *seen)
{
    struct stat st;
    if (stat(conf, &st) != 0 ||
        (st.st_mtim.tv_sec == seen->tv_sec && st.st_mtim.tv_nsec == seen->tv_nsec))
        return;
    *seen = st.st_mtim;
    static struct mcp_cfg fresh; /* scratch, too large for the stack */
    char err[CFG_ERR_LEN];
    if (cfg_load(&fresh, conf, rundir, err, sizeof(err)) != MCP_OK) {
        fprintf(stderr, "mcp-fcgi: %s; keeping the running configuration\n", err);
        return;
    }
    *cfg = fresh;
}

static void main_usage(void)
{
    fprintf(stderr, "usage: mcp-fcgi [-c FILE] [-r RUNTIME_DIR] [-t]\n"
                    "  -c FILE         configuration (default " MCP_DEFAULT_CONF ")\n"
                    "  -r RUNTIME_DIR  override runtime_dir (where sessiond's socket is)\n"
                    "  -t              check the configuration and exit\n");
}

int main(int argc, char **argv)
{
    const char *conf = MCP_DEFAULT_CONF, *rundir = NULL;
    int check_only = 0, opt;
    static struct mcp_cfg cfg; /* loaded once, read-only afterwards */
    char err[CFG_ERR_LEN];

    while ((opt = getopt(argc, argv, "c:r:th")) != -1) {
        switch (opt) {
        case 'c':
            conf = optarg;
            break;
        case 'r':
            rundir = optarg;
            break;
        case 't':
            check_only = 1;
            break;
        default:
            main_usage();
            return opt == 'h' ? 0 : 2;
        }
    }
    if (cfg_load(&cfg, conf, rundir, err, sizeof(err)) != MCP_OK) {
        fprintf(stderr, "mcp-fcgi: %s\n", err);
        return 2;
    }
    if (check_only) {
        printf("mcp-fcgi: %s: configuration OK\n", conf);
        return 0;
    }
    signal(SIGPIPE, SIG_IGN);
    if (FCGX_Init() != 0) {
        fprintf(stderr, "mcp-fcgi: FCGX_Init failed\n");
        return 1;
    }
    if (FCGX_IsCGI()) {
        fprintf(stderr, "mcp-fcgi: fd 0 is not a FastCGI listening socket; start it with "
                        "spawn-fcgi (see README.md)\n");
        return 2;
    }
    FCGX_Request fr;
    FCGX_InitRequest(&fr, 0, 0);
    struct mcp_server *srv = mcp_server_new(&cfg);
    struct stat st;
    struct timespec seen = {0, 0};
    if (stat(conf, &st) == 0)
        seen = st.st_mtim;
    while (FCGX_Accept_r(&fr) >= 0) {
        main_reload(&cfg, conf, rundir, &seen);
        if (!main_handle(srv, &cfg, &fr))
            FCGX_Finish_r(&fr);
    }
    FCGX_Free(&fr, 1);
    mcp_server_free(srv);
    return 0;
}
