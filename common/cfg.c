/* cfg.c - libconfig loader for struct mcp_cfg, driven by one table of known settings. */
#include "cfg.h"

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

enum cfg_kind { CFG_STR, CFG_INT, CFG_SIZE, CFG_STRLIST, CFG_SETS, CFG_GROUP };

struct cfg_key {
    const char *path; /* dotted setting path */
    enum cfg_kind kind;
    long long min, max; /* integers: range; strings: min = shortest length, the longest
                         * is the field size */
    size_t off;         /* offset of the field in struct mcp_cfg */
    size_t size;        /* size of the field (strings) */
    size_t count_off;   /* lists: offset of the count */
};

#define F(m) offsetof(struct mcp_cfg, m), sizeof(((struct mcp_cfg *)0)->m)

static const struct cfg_key cfg_keys[] = {
    {"runtime_dir", CFG_STR, 1, 0, F(runtime_dir), 0},
    {"sessiond", CFG_GROUP, 0, 0, 0, 0, 0},
    {"sessiond.socket", CFG_STR, 1, 0, F(sessiond_socket), 0},
    {"sessiond.timeout_ms", CFG_INT, 50, 5000, F(sessiond_timeout_ms), 0},
    {"server", CFG_GROUP, 0, 0, 0, 0, 0},
    {"server.name", CFG_STR, 1, 0, F(server_name), 0},
    {"server.title", CFG_STR, 0, 0, F(server_title), 0},
    {"server.instructions", CFG_STR, 0, 0, F(instructions), 0},
    {"server.sets", CFG_SETS, 0, 0, F(sets), 0},
    {"server.page_size", CFG_INT, 1, 1000, F(page_size), 0},
    {"server.state_key", CFG_STR, CFG_KEY_MIN, 0, F(state_key), 0},
    {"server.state_key_file", CFG_STR, 1, 0, F(state_key_file), 0},
    {"server.state_ttl_s", CFG_INT, 10, 86400, F(state_ttl_s), 0},
    {"http", CFG_GROUP, 0, 0, 0, 0, 0},
    {"http.max_body", CFG_SIZE, 1024, 1LL << 30, F(max_body), 0},
    {"http.max_json_depth", CFG_INT, 4, 1000, F(max_json_depth), 0},
    {"http.allowed_origins", CFG_STRLIST, 0, 0, F(allowed_origins),
     offsetof(struct mcp_cfg, n_allowed_origins)},
    {"http.allowed_hosts", CFG_STRLIST, 0, 0, F(allowed_hosts),
     offsetof(struct mcp_cfg, n_allowed_hosts)},
    {"sessions", CFG_GROUP, 0, 0, 0, 0, 0},
    {"sessions.idle_timeout", CFG_INT, 1, 30 * 24 * 3600, F(session_idle_timeout), 0},
    {"sessions.max", CFG_INT, 1, 10000000, F(max_sessions), 0},
    {"streams", CFG_GROUP, 0, 0, 0, 0, 0},
    {"streams.heartbeat_s", CFG_INT, 1, 3600, F(heartbeat_s), 0},
    {"streams.max", CFG_INT, 1, 1000000, F(max_streams), 0},
    {"streams.per_session", CFG_INT, 1, 1000, F(max_streams_session), 0},
    {"streams.replay_events", CFG_INT, 0, 100000, F(replay_events), 0},
    {"streams.queue_bytes", CFG_SIZE, 4096, 1LL << 30, F(queue_bytes), 0},
    {"streams.retry_ms", CFG_INT, 0, 3600000, F(retry_ms), 0},
    {"streams.request_timeout_s", CFG_INT, 1, 3600, F(request_timeout_s), 0},
};

static const struct {
    const char *name;
    unsigned bit;
} cfg_set_names[] = {
    {"conformance", CFG_SET_CONFORMANCE},
};

void cfg_defaults(struct mcp_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->runtime_dir, sizeof(cfg->runtime_dir), "%s", "/run/mcp");
    snprintf(cfg->sessiond_socket, sizeof(cfg->sessiond_socket), "%s", "sessiond.sock");
    cfg->sessiond_timeout_ms = 500;
    snprintf(cfg->server_name, sizeof(cfg->server_name), "%s", "mcp-fcgi");
    snprintf(cfg->server_title, sizeof(cfg->server_title), "%s", "mcp-fcgi");
    cfg->sets = 0;
    cfg->page_size = 50;
    cfg->state_ttl_s = 600;
    cfg->max_body = 4u * 1024 * 1024;
    cfg->max_json_depth = 64;
    cfg->session_idle_timeout = 3600;
    cfg->max_sessions = 10000;
    cfg->heartbeat_s = 15;
    cfg->max_streams = 10000;
    cfg->max_streams_session = 8;
    cfg->replay_events = 256;
    cfg->queue_bytes = 256u * 1024;
    cfg->retry_ms = 1000;
    cfg->request_timeout_s = 60;
}

static void cfg_fail(char *err, size_t len, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void cfg_fail(char *err, size_t len, const char *file, int line, const char *fmt, ...)
{
    int n = snprintf(err, len, "%s:%d: ", file, line);
    if (n < 0 || (size_t)n >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, len - (size_t)n, fmt, ap);
    va_end(ap);
}

static const struct cfg_key *cfg_key_find(const char *path)
{
    for (size_t i = 0; i < sizeof(cfg_keys) / sizeof(cfg_keys[0]); i++)
        if (strcmp(cfg_keys[i].path, path) == 0)
            return &cfg_keys[i];
    return NULL;
}

/* Rejects settings we do not know (typos must not pass silently). */
static enum mcp_err cfg_check_unknown(const config_setting_t *group, const char *prefix,
                                      const char *file, char *err, size_t len)
{
    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
        char path[256];
        int w = prefix[0] ? snprintf(path, sizeof(path), "%s.%s", prefix, config_setting_name(s))
                          : snprintf(path, sizeof(path), "%s", config_setting_name(s));
        const struct cfg_key *k = (w > 0 && (size_t)w < sizeof(path)) ? cfg_key_find(path) : NULL;
        if (k == NULL) {
            cfg_fail(err, len, file, config_setting_source_line(s), "%s: unknown setting",
                     w > 0 && (size_t)w < sizeof(path) ? path : config_setting_name(s));
            return MCP_E_CONFIG;
        }
        if (k->kind == CFG_GROUP) {
            if (!config_setting_is_group(s)) {
                cfg_fail(err, len, file, config_setting_source_line(s), "%s: must be a group { }",
                         path);
                return MCP_E_CONFIG;
            }
            if (cfg_check_unknown(s, path, file, err, len) != MCP_OK)
                return MCP_E_CONFIG;
        }
    }
    return MCP_OK;
}

static enum mcp_err cfg_copy_str(const char *path, const char *v, char *dst, size_t size,
                                 long long min, const char *file, int line, char *err, size_t len)
{
    size_t vl = strlen(v);
    if (vl >= size) {
        cfg_fail(err, len, file, line, "%s: longer than %zu bytes", path, size - 1);
        return MCP_E_CONFIG;
    }
    if ((long long)vl < min) {
        if (min <= 1)
            cfg_fail(err, len, file, line, "%s: must not be empty", path);
        else
            cfg_fail(err, len, file, line, "%s: must be at least %lld bytes long", path, min);
        return MCP_E_CONFIG;
    }
    memcpy(dst, v, vl + 1);
    return MCP_OK;
}

static enum mcp_err cfg_apply(struct mcp_cfg *cfg, const struct cfg_key *k,
                              const config_setting_t *s, const char *file, char *err, size_t len)
{
    int line = config_setting_source_line(s);
    char *base = (char *)cfg;
    switch (k->kind) {
    case CFG_GROUP:
        return MCP_OK;
    case CFG_STR:
        if (config_setting_type(s) != CONFIG_TYPE_STRING) {
            cfg_fail(err, len, file, line, "%s: must be a string", k->path);
            return MCP_E_CONFIG;
        }
        return cfg_copy_str(k->path, config_setting_get_string(s), base + k->off, k->size, k->min,
                            file, line, err, len);
    case CFG_INT:
    case CFG_SIZE: {
        int t = config_setting_type(s);
        if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
            cfg_fail(err, len, file, line, "%s: must be an integer", k->path);
            return MCP_E_CONFIG;
        }
        long long v = config_setting_get_int64(s);
        if (v < k->min || v > k->max) {
            cfg_fail(err, len, file, line, "%s: %lld is out of range (%lld to %lld)", k->path, v,
                     k->min, k->max);
            return MCP_E_CONFIG;
        }
        if (k->kind == CFG_INT)
            *(int *)(void *)(base + k->off) = (int)v;
        else
            *(size_t *)(void *)(base + k->off) = (size_t)v;
        return MCP_OK;
    }
    case CFG_STRLIST:
    case CFG_SETS: {
        if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
            cfg_fail(err, len, file, line, "%s: must be a list of strings [ \"...\" ]", k->path);
            return MCP_E_CONFIG;
        }
        int n = config_setting_length(s);
        if (n > CFG_MAX_LIST) {
            cfg_fail(err, len, file, line, "%s: at most %d entries", k->path, CFG_MAX_LIST);
            return MCP_E_CONFIG;
        }
        unsigned mask = 0;
        for (int i = 0; i < n; i++) {
            const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
            const char *v = config_setting_get_string(e);
            if (v == NULL || v[0] == '\0') {
                cfg_fail(err, len, file, config_setting_source_line(e),
                         "%s: entry %d must be a non-empty string", k->path, i + 1);
                return MCP_E_CONFIG;
            }
            if (k->kind == CFG_STRLIST) {
                char(*list)[CFG_MAX_ITEM] = (char(*)[CFG_MAX_ITEM])(void *)(base + k->off);
                if (cfg_copy_str(k->path, v, list[i], CFG_MAX_ITEM, 1, file, line, err, len))
                    return MCP_E_CONFIG;
                continue;
            }
            unsigned bit = 0;
            for (size_t j = 0; j < sizeof(cfg_set_names) / sizeof(cfg_set_names[0]); j++)
                if (strcmp(v, cfg_set_names[j].name) == 0)
                    bit = cfg_set_names[j].bit;
            if (bit == 0) {
                cfg_fail(err, len, file, line, "%s: unknown set \"%s\" (known: conformance)",
                         k->path, v);
                return MCP_E_CONFIG;
            }
            mask |= bit;
        }
        if (k->kind == CFG_STRLIST)
            *(int *)(void *)(base + k->count_off) = n;
        else
            *(unsigned *)(void *)(base + k->off) = mask;
        return MCP_OK;
    }
    }
    return MCP_E_CONFIG;
}

/* Resolves sessiond.socket against runtime_dir and checks that it fits a sockaddr_un
 * (107 bytes). line: where the socket (or runtime_dir) is set, 0 when by default. */
static enum mcp_err cfg_resolve_socket(struct mcp_cfg *cfg, int line, char *err, size_t len)
{
    char joined[PATH_MAX];
    int n = cfg->sessiond_socket[0] == '/'
                ? snprintf(joined, sizeof(joined), "%s", cfg->sessiond_socket)
                : snprintf(joined, sizeof(joined), "%s/%s", cfg->runtime_dir, cfg->sessiond_socket);
    if (n < 0 || (size_t)n >= sizeof(joined) || (size_t)n >= 108 /* sun_path */) {
        cfg_fail(err, len, cfg->file, line,
                 "sessiond.socket: the path \"%.60s...\" is %d bytes; a Unix socket path "
                 "has at most 107",
                 joined, n);
        return MCP_E_CONFIG;
    }
    memcpy(cfg->sessiond_socket, joined, (size_t)n + 1);
    return MCP_OK;
}

/* ---- the requestState key (cfg.h, cfg_load) ------------------------------------------------ */

enum cfg_key_rc { CFG_KEY_OK, CFG_KEY_MISSING, CFG_KEY_BAD };

/* Reads key file path into cfg->state_key. CFG_KEY_MISSING when there is no such file;
 * CFG_KEY_BAD, with the reason (naming path, never key bytes) in why, when it cannot be read
 * or is not a regular file of CFG_KEY_MIN to CFG_KEY_MAX bytes. */
static enum cfg_key_rc cfg_key_read(struct mcp_cfg *cfg, const char *path, char *why, size_t len)
{
    unsigned char buf[CFG_KEY_MAX + 1];
    enum cfg_key_rc rc = CFG_KEY_BAD;
    struct stat st;
    size_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    if (fd < 0) {
        if (errno == ENOENT)
            return CFG_KEY_MISSING;
        snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
        return CFG_KEY_BAD;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, len, "%s is not a regular file", path);
        goto done;
    }
    while (n < sizeof(buf)) {
        ssize_t r = read(fd, buf + n, sizeof(buf) - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
            goto done;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n < CFG_KEY_MIN || n > CFG_KEY_MAX) {
        snprintf(why, len, "%s holds %s%zu bytes; a key has %d to %d", path,
                 n > CFG_KEY_MAX ? "more than " : "", n > CFG_KEY_MAX ? (size_t)CFG_KEY_MAX : n,
                 CFG_KEY_MIN, CFG_KEY_MAX);
        goto done;
    }
    memcpy(cfg->state_key, buf, n);
    cfg->state_key_len = n;
    rc = CFG_KEY_OK;
done:
    explicit_bzero(buf, sizeof(buf));
    close(fd);
    return rc;
}

/* Makes the default key file path in dir: CFG_KEY_MIN random bytes in a temporary file,
 * linked to path when nothing is there yet; then cfg->state_key is what path holds (ours,
 * or the one another process linked first). Errors as cfg_key_read. */
static enum cfg_key_rc cfg_key_create(struct mcp_cfg *cfg, const char *dir, const char *path,
                                      char *why, size_t len)
{
    unsigned char key[CFG_KEY_MIN];
    enum cfg_key_rc rc = CFG_KEY_BAD;
    char tmp[PATH_MAX];
    size_t n = 0;
    int fd = -1, linked;

    if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, CFG_KEY_FILE) >= (int)sizeof(tmp)) {
        snprintf(why, len, "%s: path too long", dir);
        return CFG_KEY_BAD;
    }
    while (n < sizeof(key)) {
        ssize_t r = getrandom(key + n, sizeof(key) - n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(why, len, "cannot make a key for %s: getrandom: %s", path, strerror(errno));
            goto done;
        }
        n += (size_t)r;
    }
    /* as mcp-sessiond does at start: runtime_dir itself (one level) when missing */
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        snprintf(why, len, "cannot create %s: %s", path, strerror(errno));
        goto done;
    }
    if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
        snprintf(why, len, "cannot create %s: %s", path, strerror(errno));
        goto done;
    }
    n = 0;
    while (n < sizeof(key)) {
        ssize_t w = write(fd, key + n, sizeof(key) - n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        n += (size_t)w;
    }
    /* complete and on disk before it gets its name: nobody reads a partial key */
    if (n != sizeof(key) || fchmod(fd, 0600) != 0 || fsync(fd) != 0) {
        snprintf(why, len, "cannot write %s: %s", tmp, strerror(errno));
        goto done;
    }
    linked = link(tmp, path) == 0;
    if (!linked && errno != EEXIST) {
        snprintf(why, len, "cannot create %s: %s", path, strerror(errno));
        goto done;
    }
    rc = cfg_key_read(cfg, path, why, len);
    if (rc == CFG_KEY_MISSING) {
        snprintf(why, len, "%s vanished while it was being created", path);
        rc = CFG_KEY_BAD;
    }
done:
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    explicit_bzero(key, sizeof(key));
    return rc;
}

/* Resolves the requestState key (the rules are in cfg.h) after runtime_dir is final. */
static enum mcp_err cfg_resolve_key(struct mcp_cfg *cfg, config_t *lc, int rundir_overridden,
                                    char *err, size_t len)
{
    const config_setting_t *key = config_lookup(lc, "server.state_key");
    const config_setting_t *file = config_lookup(lc, "server.state_key_file");
    const config_setting_t *rd = rundir_overridden ? NULL : config_lookup(lc, "runtime_dir");
    const char *name = file != NULL ? cfg->state_key_file : CFG_KEY_FILE;
    char path[PATH_MAX], why[PATH_MAX + 128];
    enum cfg_key_rc rc;
    int n;

    if (key != NULL) {
        cfg->state_key_len = strlen((const char *)cfg->state_key);
        cfg->state_key_file[0] = '\0';
        return MCP_OK;
    }
    n = name[0] == '/' ? snprintf(path, sizeof(path), "%s", name)
                       : snprintf(path, sizeof(path), "%s/%s", cfg->runtime_dir, name);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        snprintf(why, sizeof(why), "the path is longer than %zu bytes", sizeof(path) - 1);
        rc = CFG_KEY_BAD;
    } else {
        rc = cfg_key_read(cfg, path, why, sizeof(why));
        if (rc == CFG_KEY_MISSING && file != NULL)
            snprintf(why, sizeof(why), "%s does not exist", path);
        else if (rc == CFG_KEY_MISSING)
            rc = cfg_key_create(cfg, cfg->runtime_dir, path, why, sizeof(why));
    }
    if (rc != CFG_KEY_OK) {
        if (file != NULL)
            cfg_fail(err, len, cfg->file, config_setting_source_line(file),
                     "server.state_key_file: %s", why);
        else
            cfg_fail(err, len, cfg->file, rd != NULL ? config_setting_source_line(rd) : 0,
                     "server.state_key_file: the default requestState key: %s (set "
                     "server.state_key or server.state_key_file, or fix runtime_dir)",
                     why);
        return MCP_E_CONFIG;
    }
    memcpy(cfg->state_key_file, path, (size_t)n + 1);
    return MCP_OK;
}

enum mcp_err cfg_load(struct mcp_cfg *cfg, const char *path, const char *runtime_dir, char *err,
                      size_t err_len)
{
    enum mcp_err rc = MCP_E_CONFIG;
    config_t lc;

    cfg_defaults(cfg);
    err[0] = '\0';
    config_init(&lc);
    if (snprintf(cfg->file, sizeof(cfg->file), "%s", path) >= (int)sizeof(cfg->file)) {
        snprintf(err, err_len, "%s: path too long", path);
        goto fail;
    }
    if (config_read_file(&lc, path) != CONFIG_TRUE) {
        if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
            snprintf(err, err_len, "%s: cannot read the file", path);
        else
            cfg_fail(err, err_len, config_error_file(&lc) ? config_error_file(&lc) : path,
                     config_error_line(&lc), "%s", config_error_text(&lc));
        goto fail;
    }
    if (cfg_check_unknown(config_root_setting(&lc), "", path, err, err_len) != MCP_OK)
        goto fail;
    for (size_t i = 0; i < sizeof(cfg_keys) / sizeof(cfg_keys[0]); i++) {
        const config_setting_t *s = config_lookup(&lc, cfg_keys[i].path);
        if (s != NULL && cfg_apply(cfg, &cfg_keys[i], s, path, err, err_len) != MCP_OK)
            goto fail;
    }
    if (runtime_dir != NULL &&
        cfg_copy_str("-r", runtime_dir, cfg->runtime_dir, sizeof(cfg->runtime_dir), 1, path, 0, err,
                     err_len) != MCP_OK)
        goto fail;
    const config_setting_t *where = config_lookup(&lc, "sessiond.socket");
    if (where == NULL)
        where = config_lookup(&lc, "runtime_dir");
    if (cfg_resolve_socket(cfg, where ? config_setting_source_line(where) : 0, err, err_len) !=
        MCP_OK)
        goto fail;
    if (cfg_resolve_key(cfg, &lc, runtime_dir != NULL, err, err_len) != MCP_OK)
        goto fail;
    rc = MCP_OK;
fail:
    config_destroy(&lc);
    return rc;
}
