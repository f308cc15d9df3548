/*
 * cfg.h - the one configuration of mcp-fcgi, read by both binaries from a libconfig file.
 *
 * cfg_load() fills a struct mcp_cfg from a file; defaults apply to every setting the file
 * leaves out. Any problem (syntax, unknown setting, wrong type, value out of range) fails the
 * load with a message naming the file, the line and the setting. After start-up the loaded
 * configuration is read-only: it is the only global state the processes keep.
 * The settings are documented in README.md ("Configuration reference").
 */
#ifndef MCP_CFG_H
#define MCP_CFG_H

#include <limits.h>
#include <stddef.h>

#include "mcp_err.h"

#define CFG_MAX_LIST 16          /* entries in allowed_origins / allowed_hosts / sets */
#define CFG_MAX_ITEM 256         /* bytes of one list entry */
#define CFG_MAX_TEXT 4096        /* bytes of server.instructions */
#define CFG_ERR_LEN  512         /* size of the error buffer callers pass to cfg_load */
#define CFG_KEY_MIN  32          /* bytes of a requestState key at least */
#define CFG_KEY_MAX  256         /* bytes of a requestState key at most (server.state_key: 255) */
#define CFG_KEY_FILE "state.key" /* the default key file, in runtime_dir */

/* Feature sets a configuration can turn on (server.sets). */
enum cfg_set {
    CFG_SET_CONFORMANCE = 1u << 0, /* the official conformance suite's fixture set */
};

struct mcp_cfg {
    char file[PATH_MAX];            /* the file this came from ("" = defaults only) */
    char runtime_dir[PATH_MAX];     /* runtime_dir: where sockets live */
    char sessiond_socket[PATH_MAX]; /* sessiond.socket, resolved against runtime_dir */
    int sessiond_timeout_ms;        /* sessiond.timeout_ms: worker's bound on one call */

    char server_name[64];            /* server.name */
    char server_title[128];          /* server.title */
    char instructions[CFG_MAX_TEXT]; /* server.instructions ("" = none) */
    unsigned sets;                   /* server.sets, a mask of enum cfg_set */
    int page_size;                   /* server.page_size: items per list page */
    /* the HMAC key of requestState, state_key_len (CFG_KEY_MIN to CFG_KEY_MAX) bytes after
     * cfg_load; a secret: never logged */
    unsigned char state_key[CFG_KEY_MAX];
    size_t state_key_len;
    char state_key_file[PATH_MAX]; /* the file the key came from (server.state_key_file
                                    * resolved, or the default), "" for server.state_key */
    int state_ttl_s;               /* server.state_ttl_s: lifetime of a requestState */

    size_t max_body;                                  /* http.max_body: bytes */
    int max_json_depth;                               /* http.max_json_depth */
    char allowed_origins[CFG_MAX_LIST][CFG_MAX_ITEM]; /* http.allowed_origins */
    int n_allowed_origins;
    char allowed_hosts[CFG_MAX_LIST][CFG_MAX_ITEM]; /* http.allowed_hosts */
    int n_allowed_hosts;

    int session_idle_timeout; /* sessions.idle_timeout: seconds */
    int max_sessions;         /* sessions.max */

    int heartbeat_s;         /* streams.heartbeat_s: SSE comment interval on idle streams */
    int max_streams;         /* streams.max: open SSE connections sessiond holds at once */
    int max_streams_session; /* streams.per_session: of one session */
    int replay_events;       /* streams.replay_events: events kept per stream for resumption */
    size_t queue_bytes;      /* streams.queue_bytes: unsent bytes before a reader is dropped */
    int retry_ms;            /* streams.retry_ms: SSE retry: sent before a server-side close */
    int request_timeout_s;   /* streams.request_timeout_s: wait for a client's answer */
};

/* Fills *cfg with the built-in defaults. */
void cfg_defaults(struct mcp_cfg *cfg);

/*
 * Loads path into *cfg (defaults first). runtime_dir, when not NULL, overrides the file's
 * runtime_dir (the -r option of both binaries). On failure returns MCP_E_CONFIG and writes
 * "file:line: setting: problem" into err (err_len bytes, always terminated; line 0 when the
 * problem comes from a default). A loaded configuration always has a requestState key.
 *
 * The key is resolved here, so every load resolves it: both programs at start, -t, and every
 * reload (a reload whose key cannot be resolved fails like any bad file and keeps the running
 * configuration). In this order:
 *   1. server.state_key, when set (its bytes; server.state_key_file is then not read);
 *   2. else server.state_key_file, when set: every byte of that file (absolute, or relative to
 *      runtime_dir), which must be a readable regular file of CFG_KEY_MIN to CFG_KEY_MAX bytes;
 *   3. else the default file runtime_dir/CFG_KEY_FILE (runtime_dir after the override), read
 *      under the same rules, and created when missing: CFG_KEY_MIN bytes from getrandom(2)
 *      written to a temporary file (mode 0600) in runtime_dir, which is then link(2)ed to the
 *      final name. A process losing that race reads the winner's file, so the workers and
 *      mcp-sessiond of one runtime_dir all end up with the same key, and no process ever
 *      reads a partly written one. A missing runtime_dir is created first (one level, mode
 *      0750, as mcp-sessiond does at start); for the creation it must be writable.
 * A key that cannot be had this way is an error naming the file, never a key left empty.
 * Errors never show key bytes.
 */
enum mcp_err cfg_load(struct mcp_cfg *cfg, const char *path, const char *runtime_dir, char *err,
                      size_t err_len);

#endif
