/* hold.c - held FastCGI connections: writing, reading, heartbeats, ending. */
#include "hold.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include "alloc.h"
#include "fcgi_rec.h"
#include "srv.h"
#include "sse.h"

#define HOLD_HEAD                                                                                  \
    "Status: 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"             \
    "X-Accel-Buffering: no\r\n\r\n"
#define HOLD_READ_BUF 65536

enum hold_state {
    HOLD_NEW,     /* adopted, not started */
    HOLD_LIVE,    /* started: in a wheel slot */
    HOLD_ENDING,  /* END_REQUEST queued: in the ending list */
    HOLD_CLOSING, /* uv_close called */
};

TAILQ_HEAD(hold_conns, hold_conn);

struct hold_conn {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_pipe_t pipe;
        uv_tcp_t tcp;
    } h; /* data = this */
    struct hold *hold;
    enum hold_state state;
    bool started;
    bool legacy;
    bool keep_conn;
    uint16_t request_id;
    char sid[IPC_SESSION_ID_LEN + 1]; /* "" for a connection of no session */
    struct stream *st;
    void *owner; /* hold_start_owned: handed to owner_closed, else NULL */
    struct fcgi_rec_reader rr;
    size_t n_writes;      /* uv_write requests not completed */
    int64_t end_deadline; /* HOLD_ENDING: force close then */
    size_t slot;          /* HOLD_LIVE: wheel slot */
    TAILQ_ENTRY(hold_conn) all;
    TAILQ_ENTRY(hold_conn) link; /* wheel slot or ending list */
};

/* A queued write; the bytes follow. */
struct hold_write {
    uv_write_t req;
    struct hold_conn *c;
    char data[];
};

struct hold {
    uv_loop_t *loop;
    const struct mcp_cfg *cfg;
    struct hold_hooks hooks;
    uv_timer_t tick;
    bool tick_running;
    bool tick_closed;
    struct hold_conns all;
    size_t n_all;
    size_t n_started; /* started and not closed */
    struct hold_conns *slots;
    size_t n_slots;
    size_t cursor; /* next slot the tick visits */
    size_t rr;     /* next slot a new connection joins */
    struct hold_conns ending;
    bool shutting_down;
    char *sbuf, *obuf; /* scratch: SSE text, FastCGI records */
    size_t scap, ocap;
    struct hold_conn *corked; /* hold_cork: its writes gather in cbuf until hold_uncork */
    char *cbuf;
    size_t clen, ccap;
    char rbuf[HOLD_READ_BUF];
};

static int64_t hold_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void hold_tick(uv_timer_t *t);

static void hold_slots_build(struct hold *h)
{
    size_t n = (size_t)h->cfg->heartbeat_s * 1000 / HOLD_TICK_MS;

    if (n == 0)
        n = 1;
    h->slots = xcalloc(n, sizeof(*h->slots));
    for (size_t i = 0; i < n; i++)
        TAILQ_INIT(&h->slots[i]);
    h->n_slots = n;
    h->cursor = 0;
    h->rr = 0;
}

struct hold *hold_new(uv_loop_t *loop, const struct mcp_cfg *cfg, const struct hold_hooks *hooks)
{
    struct hold *h = xcalloc(1, sizeof(*h));

    h->loop = loop;
    h->cfg = cfg;
    if (hooks != NULL)
        h->hooks = *hooks;
    TAILQ_INIT(&h->all);
    TAILQ_INIT(&h->ending);
    hold_slots_build(h);
    uv_timer_init(loop, &h->tick);
    h->tick.data = h;
    return h;
}

void hold_free(struct hold *h)
{
    if (h == NULL)
        return;
    free(h->slots);
    free(h->sbuf);
    free(h->obuf);
    free(h->cbuf);
    free(h);
}

static void hold_slot_join(struct hold_conn *c)
{
    struct hold *h = c->hold;

    c->slot = h->rr++ % h->n_slots;
    TAILQ_INSERT_TAIL(&h->slots[c->slot], c, link);
}

void hold_reconfigure(struct hold *h)
{
    struct hold_conn *c;
    size_t want = (size_t)h->cfg->heartbeat_s * 1000 / HOLD_TICK_MS;

    if (want == h->n_slots || h->shutting_down)
        return;
    free(h->slots);
    hold_slots_build(h);
    TAILQ_FOREACH(c, &h->all, all)
    if (c->state == HOLD_LIVE)
        hold_slot_join(c);
}

size_t hold_count(const struct hold *h)
{
    return h->n_started;
}

bool hold_live(const struct hold_conn *c)
{
    return c != NULL && c->state == HOLD_LIVE;
}

static void hold_tick_closed(uv_handle_t *t)
{
    (void)t;
}

/* Starts the tick when the first connection arrives, stops it with the last. */
static void hold_tick_update(struct hold *h)
{
    if (h->tick_closed)
        return;
    if (h->n_all > 0 && !h->tick_running) {
        uv_timer_start(&h->tick, hold_tick, HOLD_TICK_MS, HOLD_TICK_MS);
        h->tick_running = true;
    } else if (h->n_all == 0 && h->tick_running) {
        uv_timer_stop(&h->tick);
        h->tick_running = false;
    }
    if (h->n_all == 0 && h->shutting_down) {
        h->tick_closed = true;
        uv_close((uv_handle_t *)&h->tick, hold_tick_closed);
    }
}

static void hold_closed(uv_handle_t *handle)
{
    struct hold_conn *c = handle->data;
    struct hold *h = c->hold;

    TAILQ_REMOVE(&h->all, c, all);
    h->n_all--;
    if (c->started)
        h->n_started--;
    if (c->legacy && h->hooks.legacy_closed != NULL)
        h->hooks.legacy_closed(h->hooks.arg, c->sid);
    if (c->owner != NULL && h->hooks.owner_closed != NULL)
        h->hooks.owner_closed(h->hooks.arg, c->owner);
    if (h->corked == c) {
        h->corked = NULL;
        h->clen = 0;
    }
    free(c);
    hold_tick_update(h);
}

/* Grows a scratch buffer to at least n bytes. */
static char *hold_scratch(char **buf, size_t *cap, size_t n)
{
    if (*cap < n) {
        *buf = xrealloc(*buf, n);
        *cap = n;
    }
    return *buf;
}

static void hold_send(struct hold_conn *c, const char *bytes, size_t len);

void hold_cork(struct hold_conn *c)
{
    if (c == NULL)
        return;
    hold_uncork(c->hold->corked); /* one corked connection at a time */
    c->hold->corked = c;
}

void hold_uncork(struct hold_conn *c)
{
    if (c == NULL || c->hold->corked != c)
        return;
    struct hold *h = c->hold;
    size_t len = h->clen;
    h->corked = NULL;
    h->clen = 0;
    if (len > 0)
        hold_send(c, h->cbuf, len); /* copies what it queues; may drop c (slow reader) */
}

/* Leaves the wheel or the ending list. */
static void hold_unlink(struct hold_conn *c)
{
    if (c->state == HOLD_LIVE)
        TAILQ_REMOVE(&c->hold->slots[c->slot], c, link);
    else if (c->state == HOLD_ENDING)
        TAILQ_REMOVE(&c->hold->ending, c, link);
}

static void hold_close(struct hold_conn *c)
{
    if (c->state == HOLD_CLOSING)
        return;
    hold_unlink(c);
    if (c->st != NULL) {
        stream_detach(c->st);
        c->st = NULL;
    }
    c->state = HOLD_CLOSING;
    uv_close(&c->h.handle, hold_closed);
}

/* The client is gone, or too slow: close without writing more. status: the libuv error
 * that says so (0 when why says it); the ways web servers say the client left are not
 * worth a log line. */
static void hold_drop(struct hold_conn *c, int status, const char *why)
{
    if (c->state == HOLD_CLOSING)
        return;
    if (status == UV_EOF || status == UV_ECONNRESET || status == UV_EPIPE)
        why = NULL;
    else if (status != 0)
        why = uv_strerror(status);
    if (why != NULL && c->sid[0] != '\0')
        srv_log("stream of session %.8s (request %u): %s; closing it", c->sid,
                (unsigned)c->request_id, why);
    else if (why != NULL)
        srv_log("listen stream (request %u): %s; closing it", (unsigned)c->request_id, why);
    hold_close(c);
}

static void hold_written(uv_write_t *req, int status)
{
    struct hold_write *w = req->data;
    struct hold_conn *c = w->c;

    free(w);
    c->n_writes--;
    if (c->state == HOLD_CLOSING)
        return;
    if (status < 0) {
        hold_drop(c, status, NULL);
        return;
    }
    if (c->state == HOLD_ENDING && c->n_writes == 0)
        hold_close(c);
}

/* Writes len bytes (FastCGI records) to c: what the socket takes now, the rest queued. */
static void hold_send(struct hold_conn *c, const char *bytes, size_t len)
{
    struct hold_write *w;
    uv_buf_t b = uv_buf_init((char *)bytes, (unsigned)len);
    int r;

    if (c->state != HOLD_LIVE && c->state != HOLD_ENDING)
        return;
    if (c == c->hold->corked && c->state == HOLD_LIVE) {
        /* one write per connection for a burst (hold_uncork sends it) */
        struct hold *h = c->hold;
        memcpy(hold_scratch(&h->cbuf, &h->ccap, h->clen + len) + h->clen, bytes, len);
        h->clen += len;
        return;
    }
    r = uv_try_write(&c->h.stream, &b, 1);
    if (r == UV_EAGAIN || r == UV_ENOSYS)
        r = 0;
    if (r < 0) {
        hold_drop(c, r, NULL);
        return;
    }
    if ((size_t)r == len)
        return;
    w = xmalloc(sizeof(*w) + len - (size_t)r);
    memcpy(w->data, bytes + r, len - (size_t)r);
    w->c = c;
    w->req.data = w;
    b = uv_buf_init(w->data, (unsigned)(len - (size_t)r));
    if ((r = uv_write(&w->req, &c->h.stream, &b, 1, hold_written)) < 0) {
        free(w);
        hold_drop(c, r, NULL);
        return;
    }
    c->n_writes++;
    if (uv_stream_get_write_queue_size(&c->h.stream) > c->hold->cfg->queue_bytes)
        hold_drop(c, 0, "the client does not read (streams.queue_bytes exceeded)");
}

/* Sends len bytes of response data as STDOUT records. */
static void hold_stdout(struct hold_conn *c, const char *data, size_t len)
{
    struct hold *h = c->hold;
    size_t need = fcgi_rec_stdout_size(len);
    char *out = hold_scratch(&h->obuf, &h->ocap, need);
    size_t n = fcgi_rec_stdout(c->request_id, data, len, out, need);

    if (n == 0) {
        hold_drop(c, 0, "cannot frame an event");
        return;
    }
    hold_send(c, out, n);
}

/* Formats one SSE event into h->sbuf and sends it. */
static void hold_sse(struct hold_conn *c, const char *id, const char *name, long retry_ms,
                     const char *data, size_t len)
{
    struct hold *h = c->hold;
    size_t need = sse_event_size(id, name, len);
    char *text = hold_scratch(&h->sbuf, &h->scap, need);
    size_t n = sse_event(text, need, id, name, retry_ms, data, len);

    if (n == 0) {
        hold_drop(c, 0, "cannot format an event");
        return;
    }
    /* obuf is a different buffer, so formatting the records does not clobber text */
    hold_stdout(c, text, n);
}

void hold_event(struct hold_conn *c, uint32_t key, uint64_t seq, const char *data, size_t len,
                long retry_ms)
{
    char id[SSE_ID_MAX];

    if (!hold_live(c))
        return;
    if (c->legacy) {
        hold_sse(c, NULL, "message", retry_ms, data, len);
        return;
    }
    sse_id_format(id, key, seq);
    hold_sse(c, id, NULL, retry_ms, data, len);
}

void hold_data(struct hold_conn *c, const char *name, const char *data, size_t len)
{
    if (hold_live(c))
        hold_sse(c, NULL, name, -1, data, len);
}

void hold_end(struct hold_conn *c, long retry_ms)
{
    struct hold *h;
    char tail[FCGI_REC_HEADER_LEN + 16];
    char retry[48];

    if (!hold_live(c))
        return;
    h = c->hold;
    if (retry_ms >= 0) {
        int n = snprintf(retry, sizeof(retry), "retry: %ld\n\n", retry_ms);
        if (n > 0 && (size_t)n < sizeof(retry))
            hold_stdout(c, retry, (size_t)n);
        if (c->state != HOLD_LIVE)
            return;
    }
    hold_unlink(c);
    if (c->st != NULL) {
        stream_detach(c->st);
        c->st = NULL;
    }
    c->state = HOLD_ENDING;
    c->end_deadline = hold_now_ms() + HOLD_END_GRACE_MS;
    TAILQ_INSERT_TAIL(&h->ending, c, link);
    size_t n = fcgi_rec_stdout(c->request_id, NULL, 0, tail, sizeof(tail));
    n += fcgi_rec_end_request(c->request_id, 0, tail + n);
    hold_send(c, tail, n);
    if (c->state == HOLD_ENDING && c->n_writes == 0)
        hold_close(c);
}

static void hold_alloc(uv_handle_t *handle, size_t hint, uv_buf_t *buf)
{
    struct hold_conn *c = handle->data;

    (void)hint;
    *buf = uv_buf_init(c->hold->rbuf, sizeof(c->hold->rbuf));
}

static void hold_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct hold_conn *c = s->data;

    if (nread == 0 || c->state == HOLD_CLOSING)
        return;
    if (nread < 0) {
        hold_drop(c, (int)nread, NULL);
        return;
    }
    switch (fcgi_rec_read(&c->rr, c->request_id, buf->base, (size_t)nread)) {
    case FCGI_REC_ABORT:
        if (c->state == HOLD_LIVE)
            hold_end(c, -1);
        break;
    case FCGI_REC_BAD:
        hold_drop(c, 0, "the web server sent something that is not FastCGI");
        break;
    default:
        break;
    }
}

enum mcp_err hold_adopt(struct hold *h, uv_pipe_t *ctl, struct hold_conn **out)
{
    uv_handle_type type = uv_pipe_pending_type(ctl);
    struct hold_conn *c = xcalloc(1, sizeof(*c));
    uv_os_fd_t fd;
    int r, fl;

    *out = NULL;
    c->hold = h;
    c->state = HOLD_NEW;
    if (type == UV_TCP)
        uv_tcp_init(h->loop, &c->h.tcp);
    else
        uv_pipe_init(h->loop, &c->h.pipe, 0);
    c->h.handle.data = c;
    TAILQ_INSERT_TAIL(&h->all, c, all);
    h->n_all++;
    hold_tick_update(h);
    if ((r = uv_accept((uv_stream_t *)ctl, &c->h.stream)) != 0) {
        srv_log("cannot take a handed-over descriptor: %s", uv_strerror(r));
        hold_close(c);
        return MCP_E_IO;
    }
    if (type != UV_TCP && type != UV_NAMED_PIPE) {
        srv_log("a worker handed over a descriptor that is not a stream socket; closed it");
        hold_close(c);
        return MCP_OK;
    }
    /* The descriptor arrives blocking (see the hand-off spike); libuv needs it not to. */
    if (uv_fileno(&c->h.handle, &fd) != 0 || (fl = fcntl(fd, F_GETFL)) < 0 ||
        fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) {
        srv_log("cannot make a handed-over descriptor non-blocking; closed it");
        hold_close(c);
        return MCP_OK;
    }
    *out = c;
    return MCP_OK;
}

void hold_discard(struct hold_conn *c)
{
    if (c != NULL && c->state == HOLD_NEW)
        hold_close(c);
}

/* The part of starting that every kind of connection shares: live, in the wheel, reading,
 * the head written. */
static void hold_begin(struct hold_conn *c, uint16_t request_id, bool keep_conn)
{
    struct hold *h = c->hold;
    int r;

    c->request_id = request_id;
    c->keep_conn = keep_conn;
    c->started = true;
    h->n_started++;
    c->state = HOLD_LIVE;
    hold_slot_join(c);
    if ((r = uv_read_start(&c->h.stream, hold_alloc, hold_read)) != 0) {
        hold_drop(c, r, NULL);
        return;
    }
    hold_stdout(c, HOLD_HEAD, sizeof(HOLD_HEAD) - 1);
}

void hold_start(struct hold_conn *c, uint16_t request_id, bool keep_conn, const char *sid,
                bool legacy, struct stream *st)
{
    c->legacy = legacy;
    snprintf(c->sid, sizeof(c->sid), "%s", sid);
    if (st != NULL) {
        stream_attach(st, c);
        c->st = st;
    }
    hold_begin(c, request_id, keep_conn);
}

void hold_start_owned(struct hold_conn *c, uint16_t request_id, bool keep_conn, void *owner)
{
    c->owner = owner;
    hold_begin(c, request_id, keep_conn);
}

static void hold_tick(uv_timer_t *t)
{
    struct hold *h = t->data;
    struct hold_conn *c, *next;
    char text[32], rec[64];
    int64_t now = hold_now_ms();
    size_t tn = sse_comment(text, sizeof(text), HOLD_HEARTBEAT);

    if (h->n_slots > 0) {
        for (c = TAILQ_FIRST(&h->slots[h->cursor]); c != NULL; c = next) {
            next = TAILQ_NEXT(c, link);
            size_t n = fcgi_rec_stdout(c->request_id, text, tn, rec, sizeof(rec));
            if (n > 0)
                hold_send(c, rec, n); /* may drop c, never another connection */
        }
        h->cursor = (h->cursor + 1) % h->n_slots;
    }
    for (c = TAILQ_FIRST(&h->ending); c != NULL; c = next) {
        next = TAILQ_NEXT(c, link);
        if (now >= c->end_deadline)
            hold_drop(c, 0, "the end of the stream was not taken in time");
    }
}

void hold_shutdown(struct hold *h)
{
    struct hold_conn *c, *next;

    h->shutting_down = true;
    for (c = TAILQ_FIRST(&h->all); c != NULL; c = next) {
        next = TAILQ_NEXT(c, all);
        if (c->state == HOLD_NEW)
            hold_discard(c);
        else if (c->state == HOLD_LIVE)
            hold_end(c, h->cfg->retry_ms);
    }
    hold_tick_update(h);
}
