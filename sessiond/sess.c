/* sess.c - session table: chained hash by id plus a list in order of last activity. */
#include "sess.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/random.h>
#include <time.h>

#include "alloc.h"

#define SESS_ID_BYTES     (IPC_SESSION_ID_LEN / 2)
#define SESS_MIN_BUCKETS  64
#define SESS_MAX_LOGLEVEL 16 /* bytes of the longest level name, NUL included */
#define SESS_JSON_FLAGS   (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

struct sess {
    char id[IPC_SESSION_ID_LEN + 1];
    char *principal; /* owned, "" for anonymous */
    size_t principal_len;
    char version[IPC_MAX_VERSION + 1];
    json_object *caps; /* owned */
    json_object *info; /* owned */
    char log_level[SESS_MAX_LOGLEVEL];
    bool initialized;
    char **subs; /* owned strings, in subscription order */
    size_t n_subs;
    size_t cap_subs;
    int64_t created_s;      /* wall clock */
    int64_t last_active_ms; /* monotonic clock */
    bool pinned;            /* never expires (sess_pin) */
    void *ext;              /* the user's attachment (sess_slot) */
    struct sess *next;      /* hash chain */
    TAILQ_ENTRY(sess) lru;  /* least recently active first */
};

TAILQ_HEAD(sess_lru, sess);

struct sess_table {
    struct sess **buckets;
    size_t n_buckets; /* a power of two */
    size_t count;
    struct sess_lru lru;
    int max_sessions;
    int idle_timeout_s;
    sess_ext_free_fn *ext_free;
    void *ext_arg;
};

static const char *const sess_levels[] = {"debug", "info",     "notice", "warning",
                                          "error", "critical", "alert",  "emergency"};

void sess_now_read(struct sess_now *now)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    now->wall_s = (int64_t)ts.tv_sec;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    now->mono_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Equality of two byte strings whose time depends on the lengths only, not the contents. */
static bool sess_ct_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen > blen ? alen : blen;
    unsigned char diff = alen != blen;

    for (size_t i = 0; i < n; i++) {
        unsigned char ca = i < alen ? (unsigned char)a[i] : 0;
        unsigned char cb = i < blen ? (unsigned char)b[i] : 0;
        diff |= ca ^ cb;
    }
    return diff == 0;
}

/* FNV-1a of a well-formed id. Ids are random, so any mixing spreads them. */
static uint32_t sess_hash(const char *id)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < IPC_SESSION_ID_LEN; i++) {
        h ^= (unsigned char)id[i];
        h *= 16777619u;
    }
    return h;
}

static void sess_free(struct sess *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n_subs; i++)
        free(s->subs[i]);
    free(s->subs);
    json_object_put(s->caps);
    json_object_put(s->info);
    free(s->principal);
    free(s);
}

struct sess_table *sess_table_new(int max_sessions, int idle_timeout_s)
{
    struct sess_table *t = xcalloc(1, sizeof(*t));

    t->n_buckets = SESS_MIN_BUCKETS;
    t->buckets = xcalloc(t->n_buckets, sizeof(*t->buckets));
    TAILQ_INIT(&t->lru);
    sess_table_set_limits(t, max_sessions, idle_timeout_s);
    return t;
}

void sess_table_free(struct sess_table *t)
{
    if (t == NULL)
        return;
    struct sess *s;
    while ((s = TAILQ_FIRST(&t->lru)) != NULL) {
        TAILQ_REMOVE(&t->lru, s, lru);
        if (t->ext_free != NULL)
            t->ext_free(t->ext_arg, s->id, s->ext);
        sess_free(s);
    }
    free(t->buckets);
    free(t);
}

void sess_table_set_limits(struct sess_table *t, int max_sessions, int idle_timeout_s)
{
    t->max_sessions = max_sessions > 0 ? max_sessions : 1;
    t->idle_timeout_s = idle_timeout_s > 0 ? idle_timeout_s : 1;
}

size_t sess_count(const struct sess_table *t)
{
    return t->count;
}

static struct sess **sess_bucket(struct sess_table *t, const char *id)
{
    return &t->buckets[sess_hash(id) & (t->n_buckets - 1)];
}

/* Doubles the bucket array once the load factor passes 1. */
static void sess_table_grow(struct sess_table *t)
{
    size_t old_n = t->n_buckets;
    struct sess **old = t->buckets;

    if (t->count <= old_n || old_n > SIZE_MAX / 2 / sizeof(*old))
        return;
    t->n_buckets = old_n * 2;
    t->buckets = xcalloc(t->n_buckets, sizeof(*t->buckets));
    for (size_t i = 0; i < old_n; i++) {
        struct sess *s = old[i];
        while (s != NULL) {
            struct sess *next = s->next;
            struct sess **b = sess_bucket(t, s->id);
            s->next = *b;
            *b = s;
            s = next;
        }
    }
    free(old);
}

/* The session with this id, expired or not; NULL when none or id is malformed. */
static struct sess *sess_find(struct sess_table *t, const char *id)
{
    if (!ipc_session_id_valid(id))
        return NULL;
    for (struct sess *s = *sess_bucket(t, id); s != NULL; s = s->next)
        if (sess_ct_equal(s->id, IPC_SESSION_ID_LEN, id, IPC_SESSION_ID_LEN))
            return s;
    return NULL;
}

static void sess_remove(struct sess_table *t, struct sess *s)
{
    struct sess **pp = sess_bucket(t, s->id);

    while (*pp != s)
        pp = &(*pp)->next;
    *pp = s->next;
    TAILQ_REMOVE(&t->lru, s, lru);
    t->count--;
    if (t->ext_free != NULL)
        t->ext_free(t->ext_arg, s->id, s->ext);
    sess_free(s);
}

static bool sess_expired(const struct sess_table *t, const struct sess *s,
                         const struct sess_now *now)
{
    return !s->pinned && now->mono_ms - s->last_active_ms > (int64_t)t->idle_timeout_s * 1000;
}

static void sess_touch(struct sess_table *t, struct sess *s, const struct sess_now *now)
{
    s->last_active_ms = now->mono_ms;
    TAILQ_REMOVE(&t->lru, s, lru);
    TAILQ_INSERT_TAIL(&t->lru, s, lru);
}

/* The live session (id, principal) or NULL. Frees the session if it has expired. */
static struct sess *sess_lookup(struct sess_table *t, const struct sess_now *now, const char *id,
                                const char *principal)
{
    struct sess *s = sess_find(t, id);

    if (s == NULL || principal == NULL)
        return NULL;
    if (sess_expired(t, s, now)) {
        sess_remove(t, s);
        return NULL;
    }
    if (!sess_ct_equal(s->principal, s->principal_len, principal,
                       strnlen(principal, IPC_MAX_PRINCIPAL + 1)))
        return NULL;
    return s;
}

/* A deep copy of src (owned). json-c fails a copy only when out of memory: abort then, as
 * the allocation wrappers do. */
static json_object *sess_json_copy(json_object *src)
{
    json_object *dst = NULL;

    if (json_object_deep_copy(src, &dst, NULL) != 0) {
        fprintf(stderr, "mcp: out of memory copying JSON\n");
        abort();
    }
    return dst;
}

/* The session as JSON (owned), members as sessc.h lists them. */
static json_object *sess_json(const struct sess *s, const struct sess_now *now)
{
    json_object *o = json_object_new_object();
    json_object *subs = json_object_new_array_ext((int)s->n_subs);
    int64_t idle_s = (now->mono_ms - s->last_active_ms) / 1000;

    for (size_t i = 0; i < s->n_subs; i++)
        json_object_array_add(subs, json_object_new_string(s->subs[i]));
    json_object_object_add(o, "id", json_object_new_string(s->id));
    json_object_object_add(o, "principal", json_object_new_string(s->principal));
    json_object_object_add(o, "version", json_object_new_string(s->version));
    json_object_object_add(o, "client_capabilities", sess_json_copy(s->caps));
    json_object_object_add(o, "client_info", sess_json_copy(s->info));
    json_object_object_add(o, "log_level", json_object_new_string(s->log_level));
    json_object_object_add(o, "initialized", json_object_new_boolean(s->initialized));
    json_object_object_add(o, "subscriptions", subs);
    json_object_object_add(o, "created", json_object_new_int64(s->created_s));
    json_object_object_add(o, "last_active", json_object_new_int64(now->wall_s - idle_s));
    /* a pinned session is a 2024-11-05 one: it lives as long as its GET /sse stream */
    json_object_object_add(o, "transport",
                           json_object_new_string(s->pinned ? "sse" : "streamable"));
    return o;
}

static size_t sess_json_len(json_object *o)
{
    size_t len = 0;

    json_object_to_json_string_length(o, SESS_JSON_FLAGS, &len);
    return len;
}

static enum mcp_err sess_new_id(struct sess_table *t, char *id)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[SESS_ID_BYTES];

    /* A collision of 128 random bits does not happen; the loop only guards the invariant. */
    for (int attempt = 0; attempt < 4; attempt++) {
        size_t got = 0;
        while (got < sizeof(raw)) {
            /* never block the event loop: before the kernel's pool is ready (early boot)
             * answer "unavailable" instead of stalling every worker */
            ssize_t n = getrandom(raw + got, sizeof(raw) - got, GRND_NONBLOCK);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && errno == EAGAIN)
                return MCP_E_UNAVAILABLE;
            if (n <= 0)
                return MCP_E_INTERNAL;
            got += (size_t)n;
        }
        for (size_t i = 0; i < sizeof(raw); i++) {
            id[2 * i] = hex[raw[i] >> 4];
            id[2 * i + 1] = hex[raw[i] & 0xf];
        }
        id[IPC_SESSION_ID_LEN] = '\0';
        if (sess_find(t, id) == NULL)
            return MCP_OK;
    }
    return MCP_E_INTERNAL;
}

static enum mcp_err sess_invalid(const char **why, const char *reason)
{
    if (why != NULL)
        *why = reason;
    return MCP_E_INVALID_PARAMS;
}

enum mcp_err sess_create(struct sess_table *t, const struct sess_now *now, const char *principal,
                         const char *version, json_object *caps, json_object *info,
                         json_object **session, const char **why)
{
    enum mcp_err rc;
    struct sess *s = NULL;
    json_object *js = NULL;
    size_t plen = 0, vlen = 0;

    if (session != NULL)
        *session = NULL;
    if (principal == NULL ||
        (plen = strnlen(principal, IPC_MAX_PRINCIPAL + 1)) > IPC_MAX_PRINCIPAL) {
        rc = sess_invalid(why, "principal is missing or too long");
        goto done;
    }
    if (version == NULL || (vlen = strnlen(version, IPC_MAX_VERSION + 1)) == 0 ||
        vlen > IPC_MAX_VERSION) {
        rc = sess_invalid(why, "version must be 1 to 63 bytes");
        goto done;
    }
    if ((caps != NULL && !json_object_is_type(caps, json_type_object)) ||
        (info != NULL && !json_object_is_type(info, json_type_object))) {
        rc = sess_invalid(why, "client_capabilities and client_info must be objects");
        goto done;
    }
    if (t->count >= (size_t)t->max_sessions)
        sess_reap(t, now);
    if (t->count >= (size_t)t->max_sessions) {
        rc = MCP_E_SESSIONS_FULL;
        goto done;
    }

    s = xcalloc(1, sizeof(*s));
    if ((rc = sess_new_id(t, s->id)) != MCP_OK)
        goto done;
    s->principal = xstrndup(principal, plen);
    s->principal_len = plen;
    memcpy(s->version, version, vlen + 1);
    s->caps = caps != NULL ? sess_json_copy(caps) : json_object_new_object();
    s->info = info != NULL ? sess_json_copy(info) : json_object_new_object();
    s->created_s = now->wall_s;
    s->last_active_ms = now->mono_ms;

    js = sess_json(s, now);
    if (sess_json_len(js) > SESS_MAX_JSON) {
        rc = sess_invalid(why, "the session would be too large");
        goto done;
    }
    struct sess **b = sess_bucket(t, s->id);
    s->next = *b;
    *b = s;
    TAILQ_INSERT_TAIL(&t->lru, s, lru);
    t->count++;
    s = NULL;
    sess_table_grow(t);
    if (session != NULL) {
        *session = js;
        js = NULL;
    }
    rc = MCP_OK;
done:
    json_object_put(js);
    sess_free(s);
    return rc;
}

enum mcp_err sess_get(struct sess_table *t, const struct sess_now *now, const char *id,
                      const char *principal, json_object **session)
{
    struct sess *s = sess_lookup(t, now, id, principal);

    if (session != NULL)
        *session = NULL;
    if (s == NULL)
        return MCP_E_SESSION_NOT_FOUND;
    sess_touch(t, s, now);
    if (session != NULL)
        *session = sess_json(s, now);
    return MCP_OK;
}

/* Index of uri among s's subscriptions, or -1. */
static long sess_sub_find(const struct sess *s, const char *uri)
{
    for (size_t i = 0; i < s->n_subs; i++)
        if (strcmp(s->subs[i], uri) == 0)
            return (long)i;
    return -1;
}

/* The string member value of a change, checked against max bytes; NULL when ill-formed. */
static const char *sess_change_str(json_object *v, size_t max)
{
    if (!json_object_is_type(v, json_type_string))
        return NULL;
    const char *str = json_object_get_string(v);
    size_t len = (size_t)json_object_get_string_len(v);
    if (len == 0 || len > max || strlen(str) != len)
        return NULL;
    return str;
}

enum mcp_err sess_update(struct sess_table *t, const struct sess_now *now, const char *id,
                         const char *principal, json_object *changes, json_object **session,
                         const char **why)
{
    enum mcp_err rc;
    struct sess *s = sess_lookup(t, now, id, principal);
    json_object *js = NULL;
    const char *level = NULL, *sub = NULL, *unsub = NULL, *ver = NULL;
    json_object *ncaps = NULL, *ninfo = NULL; /* borrowed from changes */
    int init = -1;                            /* -1 unchanged, else the new value */

    if (session != NULL)
        *session = NULL;
    if (s == NULL) {
        rc = MCP_E_SESSION_NOT_FOUND;
        goto done;
    }
    if (changes == NULL || !json_object_is_type(changes, json_type_object)) {
        rc = sess_invalid(why, "changes must be an object");
        goto done;
    }
    json_object_object_foreach(changes, key, val)
    {
        if (strcmp(key, "log_level") == 0) {
            level = sess_change_str(val, SESS_MAX_LOGLEVEL - 1);
            bool known = false;
            for (size_t i = 0; level != NULL && i < sizeof(sess_levels) / sizeof(*sess_levels); i++)
                known = known || strcmp(level, sess_levels[i]) == 0;
            if (!known) {
                rc = sess_invalid(why, "log_level must be a syslog level name");
                goto done;
            }
        } else if (strcmp(key, "initialized") == 0) {
            if (!json_object_is_type(val, json_type_boolean)) {
                rc = sess_invalid(why, "initialized must be a boolean");
                goto done;
            }
            init = json_object_get_boolean(val) ? 1 : 0;
        } else if (strcmp(key, "subscribe") == 0 || strcmp(key, "unsubscribe") == 0) {
            const char *uri = sess_change_str(val, IPC_MAX_URI);
            if (uri == NULL) {
                rc = sess_invalid(why, "a subscription URI must be 1 to 2048 bytes");
                goto done;
            }
            if (strcmp(key, "subscribe") == 0)
                sub = uri;
            else
                unsub = uri;
        } else if (strcmp(key, "version") == 0) {
            /* 2024-11-05 HTTP+SSE: the session exists before initialize negotiates */
            if ((ver = sess_change_str(val, IPC_MAX_VERSION)) == NULL) {
                rc = sess_invalid(why, "version must be 1 to 63 bytes");
                goto done;
            }
        } else if (strcmp(key, "client_capabilities") == 0 || strcmp(key, "client_info") == 0) {
            if (!json_object_is_type(val, json_type_object)) {
                rc = sess_invalid(why, "client_capabilities and client_info must be objects");
                goto done;
            }
            if (strcmp(key, "client_capabilities") == 0)
                ncaps = val;
            else
                ninfo = val;
        } else {
            rc = sess_invalid(why, "unknown member in changes");
            goto done;
        }
    }

    /* Check every limit before changing anything. */
    long ui = unsub != NULL ? sess_sub_find(s, unsub) : -1;
    long si = sub != NULL ? sess_sub_find(s, sub) : -1;
    bool adds = sub != NULL && (si < 0 || si == ui);
    if (adds && s->n_subs - (ui >= 0) >= IPC_MAX_SUBS) {
        rc = sess_invalid(why, "the session has the maximum number of subscriptions");
        goto done;
    }
    if (adds || level != NULL || ver != NULL || ncaps != NULL || ninfo != NULL) {
        /* Conservative growth bound: removals and replaced values are not subtracted. */
        size_t grow = (level != NULL ? strlen(level) : 0) + (ver != NULL ? strlen(ver) : 0) +
                      (ncaps != NULL ? sess_json_len(ncaps) : 0) +
                      (ninfo != NULL ? sess_json_len(ninfo) : 0);
        if (adds) {
            json_object *tmp = json_object_new_string(sub);
            grow += sess_json_len(tmp) + 1;
            json_object_put(tmp);
        }
        js = sess_json(s, now);
        size_t cur = sess_json_len(js);
        json_object_put(js);
        js = NULL;
        if (cur + grow > SESS_MAX_JSON) {
            rc = sess_invalid(why, "the session would be too large");
            goto done;
        }
    }

    if (ui >= 0) {
        free(s->subs[ui]);
        memmove(&s->subs[ui], &s->subs[ui + 1], (s->n_subs - (size_t)ui - 1) * sizeof(*s->subs));
        s->n_subs--;
    }
    if (adds) {
        if (s->n_subs == s->cap_subs) {
            s->cap_subs = s->cap_subs ? s->cap_subs * 2 : 4;
            s->subs = xrealloc(s->subs, s->cap_subs * sizeof(*s->subs));
        }
        s->subs[s->n_subs++] = xstrdup(sub);
    }
    if (level != NULL)
        memcpy(s->log_level, level, strlen(level) + 1);
    if (init >= 0)
        s->initialized = init == 1;
    if (ver != NULL)
        memcpy(s->version, ver, strlen(ver) + 1);
    if (ncaps != NULL) {
        json_object_put(s->caps);
        s->caps = sess_json_copy(ncaps);
    }
    if (ninfo != NULL) {
        json_object_put(s->info);
        s->info = sess_json_copy(ninfo);
    }
    sess_touch(t, s, now);
    if (session != NULL)
        *session = sess_json(s, now);
    rc = MCP_OK;
done:
    return rc;
}

enum mcp_err sess_delete(struct sess_table *t, const struct sess_now *now, const char *id,
                         const char *principal)
{
    struct sess *s = sess_lookup(t, now, id, principal);

    if (s == NULL)
        return MCP_E_SESSION_NOT_FOUND;
    sess_remove(t, s);
    return MCP_OK;
}

size_t sess_reap(struct sess_table *t, const struct sess_now *now)
{
    size_t n = 0;
    struct sess *s = TAILQ_FIRST(&t->lru), *next;

    /* The list is in order of last activity, so the expired ones are at its head, between
     * pinned ones. */
    for (; s != NULL; s = next) {
        next = TAILQ_NEXT(s, lru);
        if (s->pinned)
            continue;
        if (!sess_expired(t, s, now))
            break;
        sess_remove(t, s);
        n++;
    }
    return n;
}

void sess_table_set_ext_free(struct sess_table *t, sess_ext_free_fn *fn, void *arg)
{
    t->ext_free = fn;
    t->ext_arg = arg;
}

enum mcp_err sess_slot(struct sess_table *t, const struct sess_now *now, const char *id,
                       const char *principal, bool touch, void ***slot)
{
    struct sess *s = sess_lookup(t, now, id, principal);

    *slot = NULL;
    if (s == NULL)
        return MCP_E_SESSION_NOT_FOUND;
    if (touch)
        sess_touch(t, s, now);
    *slot = &s->ext;
    return MCP_OK;
}

enum mcp_err sess_pin(struct sess_table *t, const struct sess_now *now, const char *id)
{
    struct sess *s = sess_find(t, id);

    if (s == NULL)
        return MCP_E_SESSION_NOT_FOUND;
    if (sess_expired(t, s, now)) {
        sess_remove(t, s);
        return MCP_E_SESSION_NOT_FOUND;
    }
    s->pinned = true;
    return MCP_OK;
}

enum mcp_err sess_end(struct sess_table *t, const char *id)
{
    struct sess *s = sess_find(t, id);

    if (s == NULL)
        return MCP_E_SESSION_NOT_FOUND;
    sess_remove(t, s);
    return MCP_OK;
}

bool sess_subscribed(struct sess_table *t, const struct sess_now *now, const char *id,
                     const char *uri)
{
    struct sess *s = sess_find(t, id);

    return s != NULL && !sess_expired(t, s, now) && sess_sub_find(s, uri) >= 0;
}

size_t sess_each(struct sess_table *t, const struct sess_now *now, const char *uri,
                 sess_each_fn *fn, void *arg)
{
    size_t n = 0;
    struct sess *s;

    TAILQ_FOREACH(s, &t->lru, lru)
    {
        if (sess_expired(t, s, now) || (uri != NULL && sess_sub_find(s, uri) < 0))
            continue;
        fn(arg, s->id, &s->ext);
        n++;
    }
    return n;
}
