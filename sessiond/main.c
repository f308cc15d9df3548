/*
 * main.c - mcp-sessiond, the session daemon.
 *
 *   mcp-sessiond -c FILE [-r RUNTIME_DIR] [-t]
 *
 * -c  the configuration file (libconfig; the settings are shared with mcp-fcgi)
 * -r  overrides runtime_dir, where the control socket lives
 * -t  checks the configuration and exits
 *
 * Exit status: 0 after a clean stop (SIGINT/SIGTERM) or a good -t check; 1 when start-up
 * fails (socket in use, directory not writable, ...); 2 on a usage error or a bad
 * configuration, printed as "mcp-sessiond: <file>:<line>: <setting>: <problem>".
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "alloc.h"
#include "cfg.h"
#include "srv.h"

static int main_usage(void)
{
    fprintf(stderr, "usage: mcp-sessiond -c FILE [-r RUNTIME_DIR] [-t]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *cfg_path = NULL, *runtime_dir = NULL;
    bool check_only = false;
    char err[CFG_ERR_LEN];
    struct mcp_cfg *cfg = NULL;
    struct srv *s = NULL;
    enum mcp_err rc;
    int status = 2;
    int opt;

    while ((opt = getopt(argc, argv, "c:r:th")) != -1) {
        switch (opt) {
        case 'c':
            cfg_path = optarg;
            break;
        case 'r':
            runtime_dir = optarg;
            break;
        case 't':
            check_only = true;
            break;
        default:
            return main_usage();
        }
    }
    if (cfg_path == NULL || optind != argc)
        return main_usage();

    cfg = xmalloc(sizeof(*cfg));
    if (cfg_load(cfg, cfg_path, runtime_dir, err, sizeof(err)) != MCP_OK) {
        fprintf(stderr, "mcp-sessiond: %s\n", err);
        status = 2;
        goto done;
    }
    if (check_only) {
        fprintf(stderr, "mcp-sessiond: %s: configuration ok\n", cfg_path);
        status = 0;
        goto done;
    }
    s = srv_new(cfg, cfg_path, runtime_dir, &rc);
    if (s == NULL) {
        status = 1;
        goto done;
    }
    status = srv_run(s) == MCP_OK ? 0 : 1;
    srv_log("stopped");
done:
    srv_free(s);
    free(cfg);
    return status;
}
