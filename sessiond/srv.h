/*
 * srv.h - mcp-sessiond's event loop (libuv, one thread): the control socket the workers
 * connect to (protocol in common/ipc.h), the session store (sess.h), the idle reaper, and
 * signals.
 *
 *   SIGINT, SIGTERM  stop accepting, close every connection, unlink the socket; srv_run
 *                    returns 0.
 *   SIGHUP           re-read the configuration file and apply sessions.max and
 *                    sessions.idle_timeout; a bad file is logged and the old configuration
 *                    stays. A changed sessiond.socket needs a restart (logged).
 *   SIGPIPE          ignored (set by srv_new).
 *
 * Log lines go to stderr, prefixed "mcp-sessiond: ". Session ids are never logged beyond
 * their first 8 characters.
 */
#ifndef MCP_SRV_H
#define MCP_SRV_H

#include "cfg.h"
#include "mcp_err.h"

struct srv;

/*
 * Sets up the daemon for cfg (borrowed; copied): creates cfg->runtime_dir if missing
 * (0750), binds and listens on cfg->sessiond_socket (mode 0660). A stale socket file is
 * removed; if another daemon answers on it, or the path is not a socket, fails.
 * cfg_path and runtime_dir (may be NULL) are what SIGHUP reloads with (copied).
 * Returns NULL on failure, with the reason logged; *err receives MCP_E_IO.
 */
struct srv *srv_new(const struct mcp_cfg *cfg, const char *cfg_path, const char *runtime_dir,
                    enum mcp_err *err);

/* Runs the loop until SIGINT or SIGTERM has closed everything. Returns MCP_OK, or
 * MCP_E_INTERNAL if the loop failed. */
enum mcp_err srv_run(struct srv *s);

/* Unlinks the socket (if bound) and frees everything. NULL is fine. */
void srv_free(struct srv *s);

/* Writes one log line "mcp-sessiond: <message>\n" to stderr. */
void srv_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
