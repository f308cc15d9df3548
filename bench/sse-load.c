/*
 * sse-load.c - load generator behind bench/streams.sh (compiled by it on the fly; not part of
 * the build). One process, one epoll loop, plain loopback HTTP/1.1:
 *
 *   1. creates N sessions (POST /mcp initialize + notifications/initialized, over a few
 *      keep-alive connections),
 *   2. opens N idle standalone streams (GET /mcp, Accept: text/event-stream, Mcp-Session-Id),
 *      or with --listen N 2026-07-28 subscriptions/listen streams (POST /mcp, asking for the
 *      three list changes; no session involved), lets them settle, measures sessiond and
 *      lighttpd from /proc,
 *   3. latency probe: one 2024-11-05 stream (GET /sse) plus a keep-alive connection that POSTs
 *      `ping` to its /messages endpoint; each sample is the time from just before writing the
 *      POST to the kernel receive time of the answer event on the /sse stream,
 *   4. fan-out: writes the changed configuration over the old one, sends SIGHUP to sessiond
 *      and records, for every stream, the kernel receive time of the first bytes holding
 *      "list_changed",
 *   5. closes everything and prints key=value lines (the script makes the table).
 *
 * Arrival times are kernel receive timestamps (SO_TIMESTAMPNS on the TCP sockets), so the time
 * this client takes to get round to a socket does not count. Every phase has a deadline and
 * the whole run an alarm; it exits non-zero when a phase fails.
 *
 *   sse-load --port P --streams N --sessiond-pid PID --lighttpd-pid PID
 *            --conf FILE --conf-changed FILE [--init-conns 8] [--open-parallel 256]
 *            [--samples 1000] [--gap-ms 20] [--settle-s 3] [--max-s 240] [--listen]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_TIMESTAMPNS
#define SO_TIMESTAMPNS 35
#endif
#ifndef SCM_TIMESTAMPNS
#define SCM_TIMESTAMPNS SO_TIMESTAMPNS
#endif

enum kind { K_INIT, K_STREAM, K_PSSE, K_PPOST };
enum sstate { S_HEAD, S_OPEN, S_DONE };

struct conn {
    int fd;
    unsigned char kind, state, got, got_last, connected, armed_out;
    int idx;   /* session index (streams), slot (init connections) */
    char *buf; /* head / response / probe-stream bytes */
    size_t len, cap;
    char *wbuf; /* unsent request bytes */
    size_t wlen, woff;
    char tail[24]; /* last bytes of the previous read (needle split across reads) */
    unsigned char tail_len;
    int64_t t_got;  /* ns, CLOCK_REALTIME (kernel rx time) of the first list_changed */
    int64_t t_last; /* ... of resources/list_changed, the last of the three */
};

static const char *host = "127.0.0.1";
static int port, n_streams = 10000, init_conns = 8, open_parallel = 256, samples = 1000;
static int gap_ms = 20, settle_s = 3, max_s = 240;
static int sessiond_pid, lighttpd_pid;
static const char *conf_path, *conf_changed;
static int ep;
static char (*sids)[72];
static struct conn *streams;
static char rbuf[256 * 1024];

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "sse-load: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static int64_t now_ns(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
static int64_t rt_ns(void)
{
    return now_ns(CLOCK_REALTIME);
}
static double mono_s(void)
{
    return now_ns(CLOCK_MONOTONIC) / 1e9;
}

static void out(const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s=", key);
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
    va_end(ap);
}
static void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "sse-load: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

/* ---- /proc ------------------------------------------------------------------------------ */

static long proc_rss_kb(int pid)
{
    char path[64], line[256];
    long kb = -1;
    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

static long proc_fds(int pid)
{
    char path[64];
    long n = 0;
    snprintf(path, sizeof(path), "/proc/%d/fd", pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* utime + stime of a process, in ms */
static double proc_cpu_ms(int pid)
{
    char path[64], txt[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(txt, 1, sizeof(txt) - 1, f);
    fclose(f);
    txt[n] = '\0';
    char *p = strrchr(txt, ')'); /* fields after the command name */
    unsigned long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return 0;
    return (ut + st) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

/* pid and its children (lighttpd with server.max-worker forks its workers) */
static int proc_family(int pid, int *pids, int max)
{
    char path[96], txt[4096];
    int n = 0;
    pids[n++] = pid;
    snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return n;
    size_t got = fread(txt, 1, sizeof(txt) - 1, f);
    fclose(f);
    txt[got] = '\0';
    for (char *p = strtok(txt, " \n"); p && n < max; p = strtok(NULL, " \n"))
        pids[n++] = atoi(p);
    return n;
}

struct snap {
    double sd_cpu, lt_cpu, me_cpu; /* ms */
    long sd_rss, sd_fds, lt_rss, lt_fds;
    int lt_procs;
    char lt_detail[256];
};

static void snapshot(struct snap *s)
{
    int pids[16];
    int n = proc_family(lighttpd_pid, pids, 16);
    size_t off = 0;
    s->sd_rss = proc_rss_kb(sessiond_pid);
    s->sd_fds = proc_fds(sessiond_pid);
    s->sd_cpu = proc_cpu_ms(sessiond_pid);
    s->lt_cpu = 0;
    s->me_cpu = proc_cpu_ms(getpid());
    s->lt_rss = s->lt_fds = 0;
    s->lt_procs = n;
    s->lt_detail[0] = '\0';
    for (int i = 0; i < n; i++) {
        long r = proc_rss_kb(pids[i]), f = proc_fds(pids[i]);
        s->lt_cpu += proc_cpu_ms(pids[i]);
        s->lt_rss += r > 0 ? r : 0;
        s->lt_fds += f > 0 ? f : 0;
        off += (size_t)snprintf(s->lt_detail + off, sizeof(s->lt_detail) - off, "%s%d:%ldkB/%ldfds",
                                i ? "," : "", pids[i], r, f);
        if (off >= sizeof(s->lt_detail))
            break;
    }
}

static void print_snap(const char *tag, const struct snap *s)
{
    char k[64];
    snprintf(k, sizeof(k), "%s_sessiond_rss_kb", tag), out(k, "%ld", s->sd_rss);
    snprintf(k, sizeof(k), "%s_sessiond_fds", tag), out(k, "%ld", s->sd_fds);
    snprintf(k, sizeof(k), "%s_lighttpd_rss_kb", tag), out(k, "%ld", s->lt_rss);
    snprintf(k, sizeof(k), "%s_lighttpd_fds", tag), out(k, "%ld", s->lt_fds);
    snprintf(k, sizeof(k), "%s_lighttpd_procs", tag), out(k, "%s", s->lt_detail);
}

/* ---- connections -------------------------------------------------------------------------- */

static void buf_add(struct conn *c, const char *p, size_t n)
{
    if (c->len + n + 1 > c->cap) {
        size_t cap = c->cap ? c->cap : 1024;
        while (cap < c->len + n + 1)
            cap *= 2;
        c->buf = realloc(c->buf, cap);
        if (!c->buf)
            die("out of memory");
        c->cap = cap;
    }
    memcpy(c->buf + c->len, p, n);
    c->len += n;
    c->buf[c->len] = '\0';
}
static void buf_drop(struct conn *c, size_t n)
{
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
    if (c->buf)
        c->buf[c->len] = '\0';
}
static void buf_free(struct conn *c)
{
    free(c->buf);
    c->buf = NULL;
    c->len = c->cap = 0;
}

static int conn_open(struct conn *c)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int one = 1;
    sa.sin_addr.s_addr = htonl(0x7f000001);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        die("socket: %s (raise ulimit -n)", strerror(errno));
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(c->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
    c->connected = 0;
    c->armed_out = 1;
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS)
        die("connect 127.0.0.1:%d: %s", port, strerror(errno));
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
        die("epoll_ctl: %s", strerror(errno));
    return 0;
}

static void conn_close(struct conn *c)
{
    if (c->fd >= 0) {
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    c->fd = -1;
    free(c->wbuf);
    c->wbuf = NULL;
    c->wlen = c->woff = 0;
}

static void conn_flush(struct conn *c)
{
    while (c->wbuf && c->woff < c->wlen) {
        ssize_t n = write(c->fd, c->wbuf + c->woff, c->wlen - c->woff);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR || errno == ENOTCONN)
                return;
            return; /* the read side reports the failure */
        }
        c->woff += (size_t)n;
    }
    if (c->wbuf && c->woff == c->wlen) {
        free(c->wbuf);
        c->wbuf = NULL;
        c->wlen = c->woff = 0;
    }
}

/* EPOLLOUT only while connecting or while bytes wait */
static void conn_arm(struct conn *c)
{
    int want = !c->connected || c->wbuf != NULL;
    if (c->fd < 0 || want == c->armed_out)
        return;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->armed_out = (unsigned char)want;
}

static void conn_send(struct conn *c, const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        die("out of memory");
    if (c->fd < 0)
        conn_open(c);
    if (c->wbuf) { /* append */
        c->wbuf = realloc(c->wbuf, c->wlen + (size_t)n);
        memcpy(c->wbuf + c->wlen, s, (size_t)n);
        c->wlen += (size_t)n;
        free(s);
    } else {
        c->wbuf = s;
        c->wlen = (size_t)n;
        c->woff = 0;
    }
    if (c->connected)
        conn_flush(c);
    conn_arm(c);
}

/* reads what is there; returns bytes (0 EOF, -1 EAGAIN, -2 error) and the kernel rx time */
static ssize_t conn_recv(struct conn *c, char *dst, size_t cap, int64_t *ts)
{
    char ctl[256];
    struct iovec iov = {dst, cap};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
    ssize_t n = recvmsg(c->fd, &msg, 0);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? -1 : -2;
    *ts = 0;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec t;
            memcpy(&t, CMSG_DATA(cm), sizeof(t));
            *ts = (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
        }
    if (*ts == 0)
        *ts = rt_ns();
    return n;
}

/* ---- HTTP responses ------------------------------------------------------------------------- */

struct resp {
    int status, close;
    size_t total; /* bytes of the whole response in the buffer */
    char sid[72];
};

static const char *hdr_find(const char *head, size_t hlen, const char *name, size_t *vlen)
{
    size_t nl = strlen(name);
    for (const char *p = head; p && p < head + hlen;) {
        const char *eol = memmem(p, (size_t)(head + hlen - p), "\r\n", 2);
        if (!eol)
            break;
        if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            *vlen = (size_t)(eol - v);
            return v;
        }
        p = eol + 2;
    }
    return NULL;
}

/* 1 when a complete response is at the start of b (fills r), 0 when more is needed, -1 bad */
static int resp_parse(const char *b, size_t len, int eof, struct resp *r)
{
    const char *end = memmem(b, len, "\r\n\r\n", 4);
    size_t vl;
    const char *v;
    if (!end)
        return eof ? -1 : 0;
    size_t hlen = (size_t)(end - b) + 4;
    memset(r, 0, sizeof(*r));
    if (sscanf(b, "HTTP/1.%*d %d", &r->status) != 1)
        return -1;
    if ((v = hdr_find(b, hlen, "Connection", &vl)) && vl >= 5 && strncasecmp(v, "close", 5) == 0)
        r->close = 1;
    if ((v = hdr_find(b, hlen, "Mcp-Session-Id", &vl)) && vl < sizeof(r->sid)) {
        memcpy(r->sid, v, vl);
        r->sid[vl] = '\0';
    }
    if ((v = hdr_find(b, hlen, "Content-Length", &vl))) {
        size_t cl = strtoul(v, NULL, 10);
        if (len < hlen + cl)
            return eof ? -1 : 0;
        r->total = hlen + cl;
        return 1;
    }
    if ((v = hdr_find(b, hlen, "Transfer-Encoding", &vl)) && memmem(v, vl, "chunked", 7)) {
        size_t p = hlen;
        for (;;) {
            const char *eol = memmem(b + p, len - p, "\r\n", 2);
            if (!eol)
                return eof ? -1 : 0;
            size_t sz = strtoul(b + p, NULL, 16);
            p = (size_t)(eol - b) + 2;
            if (sz == 0) {
                const char *fin = memmem(b + p - 2, len - (p - 2), "\r\n\r\n", 4);
                if (!fin)
                    return eof ? -1 : 0;
                r->total = (size_t)(fin - b) + 4;
                return 1;
            }
            if (len < p + sz + 2)
                return eof ? -1 : 0;
            p += sz + 2;
        }
    }
    if (r->status == 204 || r->status == 304 || (r->status >= 100 && r->status < 200)) {
        r->total = hlen;
        return 1;
    }
    if (!eof)
        return 0; /* body until EOF */
    r->total = len;
    r->close = 1;
    return 1;
}

/* ---- phase 1: sessions ---------------------------------------------------------------------- */

static int next_session, sessions_done, init_failures;
static struct conn *inits;
enum { I_IDLE, I_INIT, I_NOTE };
static int *init_state, *init_sess;

static const char *init_body =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
    "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"mcp-fcgi-bench\",\"version\":"
    "\"1.0\"}}}";
static const char *note_body = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";

static void init_send(struct conn *c)
{
    init_state[c->idx] = I_INIT;
    conn_send(c,
              "POST /mcp HTTP/1.1\r\nHost: %s:%d\r\nAccept: application/json, text/event-stream\r\n"
              "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
              host, port, strlen(init_body), init_body);
}

static void init_next(struct conn *c)
{
    if (next_session >= n_streams) {
        init_state[c->idx] = I_IDLE;
        return;
    }
    init_sess[c->idx] = next_session++;
    init_send(c);
}

static void init_on_response(struct conn *c, const struct resp *r)
{
    int slot = c->idx, s = init_sess[slot];
    if (init_state[slot] == I_INIT) {
        if (r->status != 200 || !r->sid[0]) {
            if (++init_failures <= 5)
                note("initialize got HTTP %d%s: %.200s", r->status,
                     r->sid[0] ? "" : " without a session id", c->buf);
            if (init_failures > 50)
                die("too many failed initialize requests");
            init_send(c); /* the same session index again */
            return;
        }
        snprintf(sids[s], sizeof(sids[s]), "%s", r->sid);
        init_state[slot] = I_NOTE;
        conn_send(
            c,
            "POST /mcp HTTP/1.1\r\nHost: %s:%d\r\nAccept: application/json, text/event-stream\r\n"
            "Content-Type: application/json\r\nMcp-Session-Id: %s\r\n"
            "MCP-Protocol-Version: 2025-11-25\r\nContent-Length: %zu\r\n\r\n%s",
            host, port, sids[s], strlen(note_body), note_body);
        return;
    }
    if (init_state[slot] == I_NOTE) {
        if (r->status != 202 && ++init_failures <= 5)
            note("notifications/initialized got HTTP %d", r->status);
        sessions_done++;
        init_state[slot] = I_IDLE;
    }
}

/* ---- phase 2: streams ------------------------------------------------------------------------ */

static int streams_started, streams_open, streams_failed, streams_ended, fanout_armed, fanout_got;
/* kernel rx times of idle-stream reads during the probe (heartbeats): to tell which samples
 * overlapped a heartbeat burst */
static int64_t *idle_rx;
static size_t n_idle_rx, cap_idle_rx;
static int record_idle_rx;
static int status_hist[600];
/* the first list_changed of a stream (whichever kind), and the last one sessiond sends */
static const char needle[] = "list_changed", needle_last[] = "resources/list_changed";
static int fanout_got_last;

static int listen_mode; /* --listen: subscriptions/listen streams instead of GET /mcp */

static void stream_start(int i)
{
    struct conn *c = &streams[i];
    c->kind = K_STREAM;
    c->idx = i;
    c->state = S_HEAD;
    conn_open(c);
    if (listen_mode) {
        char body[512];
        int bl =
            snprintf(body, sizeof(body),
                     "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"subscriptions/listen\","
                     "\"params\":{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":"
                     "\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}},"
                     "\"notifications\":{\"toolsListChanged\":true,\"promptsListChanged\":true,"
                     "\"resourcesListChanged\":true}}}",
                     i);
        conn_send(c,
                  "POST /mcp HTTP/1.1\r\nHost: %s:%d\r\nAccept: application/json, "
                  "text/event-stream\r\nContent-Type: application/json\r\n"
                  "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: subscriptions/listen\r\n"
                  "Content-Length: %d\r\n\r\n%s",
                  host, port, bl, body);
        streams_started++;
        return;
    }
    conn_send(
        c,
        "GET /mcp HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\nMcp-Session-Id: %s\r\n"
        "MCP-Protocol-Version: 2025-11-25\r\n\r\n",
        host, port, sids[i]);
    streams_started++;
}

static int scan_for(const struct conn *c, const char *p, size_t n, const char *nd)
{
    size_t L = strlen(nd), jt = c->tail_len, jn = n < L - 1 ? n : L - 1;
    char joint[64];
    memcpy(joint, c->tail, jt);
    memcpy(joint + jt, p, jn);
    return memmem(joint, jt + jn, nd, L) || memmem(p, n, nd, L);
}

static void stream_scan(struct conn *c, const char *p, size_t n, int64_t ts)
{
    const size_t K = sizeof(c->tail); /* >= strlen(needle_last) - 1 */
    if (fanout_armed && !c->got && scan_for(c, p, n, needle)) {
        c->got = 1;
        c->t_got = ts;
        fanout_got++;
    }
    if (fanout_armed && !c->got_last && scan_for(c, p, n, needle_last)) {
        c->got_last = 1;
        c->t_last = ts;
        fanout_got_last++;
    }
    if (n >= K) {
        memcpy(c->tail, p + n - K, K);
        c->tail_len = (unsigned char)K;
    } else {
        size_t keep = c->tail_len + n > K ? K - n : c->tail_len;
        memmove(c->tail, c->tail + c->tail_len - keep, keep);
        memcpy(c->tail + keep, p, n);
        c->tail_len = (unsigned char)(keep + n);
    }
}

static void stream_readable(struct conn *c)
{
    for (;;) {
        int64_t ts;
        ssize_t n = conn_recv(c, rbuf, sizeof(rbuf), &ts);
        if (n == -1)
            return;
        if (n <= 0) {
            if (c->state == S_HEAD)
                streams_failed++, status_hist[0]++;
            else if (c->state == S_OPEN)
                streams_open--, streams_ended++;
            c->state = S_DONE;
            buf_free(c);
            conn_close(c);
            return;
        }
        if (c->state == S_HEAD) {
            buf_add(c, rbuf, (size_t)n);
            char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
            if (!end)
                continue;
            int st = 0;
            sscanf(c->buf, "HTTP/1.%*d %d", &st);
            if (st != 200 || !strcasestr(c->buf, "text/event-stream")) {
                if (st < 0 || st >= 600)
                    st = 0;
                if (status_hist[st]++ < 3)
                    note("GET /mcp stream %d: HTTP %d: %.300s", c->idx, st, c->buf);
                streams_failed++;
                c->state = S_DONE;
                buf_free(c);
                conn_close(c);
                return;
            }
            size_t hl = (size_t)(end - c->buf) + 4;
            c->state = S_OPEN;
            streams_open++;
            status_hist[200]++;
            if (c->len > hl)
                stream_scan(c, c->buf + hl, c->len - hl, ts);
            buf_free(c);
        } else {
            stream_scan(c, rbuf, (size_t)n, ts);
            if (record_idle_rx && n_idle_rx < cap_idle_rx)
                idle_rx[n_idle_rx++] = ts;
        }
    }
}

/* ---- phase 3: probe -------------------------------------------------------------------------- */

static struct conn psse = {.fd = -1, .kind = K_PSSE}, ppost = {.fd = -1, .kind = K_PPOST};
static char probe_endpoint[256];
static int probe_head_ok, probe_eof;
static const char *probe_want; /* substring awaited on the probe stream */
static char probe_line[512];   /* the line it was found in */
static int64_t probe_seen_ts;
static int post_pending, post_status;
static int64_t post_done_ts;

static void psse_readable(struct conn *c)
{
    for (;;) {
        int64_t ts;
        ssize_t n = conn_recv(c, rbuf, sizeof(rbuf), &ts);
        if (n == -1)
            return;
        if (n <= 0) {
            probe_eof = 1;
            conn_close(c);
            return;
        }
        buf_add(c, rbuf, (size_t)n);
        if (!probe_head_ok) {
            char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
            if (!end)
                continue;
            int st = 0;
            sscanf(c->buf, "HTTP/1.%*d %d", &st);
            if (st != 200)
                die("GET /sse: HTTP %d: %.300s", st, c->buf);
            probe_head_ok = 1;
            buf_drop(c, (size_t)(end - c->buf) + 4);
        }
        if (!probe_endpoint[0]) {
            char *d = strstr(c->buf, "data: /");
            if (!d)
                d = strstr(c->buf, "data:/");
            if (d) {
                char *s = strchr(d, '/'), *e = s + strcspn(s, "\r\n");
                if (*e) {
                    snprintf(probe_endpoint, sizeof(probe_endpoint), "%.*s", (int)(e - s), s);
                    buf_drop(c, (size_t)(e - c->buf));
                }
            }
        }
        char *hit;
        if (probe_want && !probe_seen_ts && (hit = strstr(c->buf, probe_want))) {
            char *line = hit;
            while (line > c->buf && line[-1] != '\n')
                line--;
            snprintf(probe_line, sizeof(probe_line), "%.*s", (int)strcspn(line, "\r\n"), line);
            probe_seen_ts = ts;
        }
        if (c->len > 4096 || probe_seen_ts) /* keep a tail for needles split across reads */
            buf_drop(c, c->len > 64 ? c->len - 64 : 0);
    }
}

static void ppost_readable(struct conn *c)
{
    int eof = 0;
    for (;;) {
        int64_t ts;
        ssize_t n = conn_recv(c, rbuf, sizeof(rbuf), &ts);
        if (n == -1)
            break;
        if (n <= 0) {
            eof = 1;
            break;
        }
        buf_add(c, rbuf, (size_t)n);
        post_done_ts = ts;
    }
    while (c->len) {
        struct resp r;
        int rc = resp_parse(c->buf, c->len, eof, &r);
        if (rc == 0)
            break;
        if (rc < 0)
            die("bad answer to POST /messages: %.300s", c->buf);
        post_status = r.status;
        post_pending = 0;
        buf_drop(c, r.total);
        if (r.close)
            eof = 1;
    }
    if (eof) {
        buf_free(c);
        conn_close(c);
    }
}

static void init_readable(struct conn *c)
{
    int eof = 0;
    for (;;) {
        int64_t ts;
        ssize_t n = conn_recv(c, rbuf, sizeof(rbuf), &ts);
        if (n == -1)
            break;
        if (n <= 0) {
            eof = 1;
            break;
        }
        buf_add(c, rbuf, (size_t)n);
    }
    while (c->fd >= 0 && c->len) {
        struct resp r;
        int rc = resp_parse(c->buf, c->len, eof, &r);
        if (rc == 0)
            break;
        if (rc < 0)
            die("bad answer to POST /mcp: %.300s", c->buf);
        buf_drop(c, r.total);
        if (r.close) { /* the next request goes on a new connection (conn_send opens it) */
            buf_free(c);
            conn_close(c);
            eof = 0;
        }
        init_on_response(c, &r);
    }
    if (eof && c->fd >= 0) {
        buf_free(c);
        conn_close(c);
        if (init_state[c->idx] == I_INIT) /* closed with a request outstanding: again */
            init_send(c);
        else if (init_state[c->idx] == I_NOTE)
            die("POST /mcp connection closed before notifications/initialized was answered");
    }
    if (init_state[c->idx] == I_IDLE)
        init_next(c);
}

/* ---- the loop -------------------------------------------------------------------------------- */

static void pump(int timeout_ms)
{
    struct epoll_event evs[512];
    int n = epoll_wait(ep, evs, 512, timeout_ms);
    for (int i = 0; i < n; i++) {
        struct conn *c = evs[i].data.ptr;
        if (c->fd < 0)
            continue;
        if (evs[i].events & EPOLLOUT) {
            if (!c->connected) {
                int err = 0;
                socklen_t el = sizeof(err);
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
                if (err)
                    die("connect to 127.0.0.1:%d: %s", port, strerror(err));
                c->connected = 1;
            }
            conn_flush(c);
            conn_arm(c);
        }
        if (!(evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
            continue;
        switch (c->kind) {
        case K_STREAM:
            stream_readable(c);
            break;
        case K_INIT:
            init_readable(c);
            break;
        case K_PSSE:
            psse_readable(c);
            break;
        case K_PPOST:
            ppost_readable(c);
            break;
        }
    }
}

static void pump_for(double seconds)
{
    double end = mono_s() + seconds;
    for (double t; (t = mono_s()) < end;)
        pump((int)((end - t) * 1000) + 1);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}
static double pct_ms(int64_t *v, int n, double p)
{
    if (n == 0)
        return -1;
    int i = (int)(p * (n - 1) + 0.5);
    return v[i] / 1e6;
}

static void probe_post(const char *body)
{
    post_pending = 1;
    post_status = 0;
    conn_send(&ppost,
              "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
              "Content-Length: %zu\r\n\r\n%s",
              probe_endpoint, host, port, strlen(body), body);
}

static int wait_probe(const char *want, double seconds)
{
    double end = mono_s() + seconds;
    probe_want = want;
    probe_seen_ts = 0;
    if (want && psse.buf && strstr(psse.buf, want))
        probe_seen_ts = rt_ns();
    while ((post_pending || (want && !probe_seen_ts)) && mono_s() < end && !probe_eof)
        pump(5);
    probe_want = NULL;
    return !post_pending && (!want || probe_seen_ts);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char m[] = "sse-load: the run took longer than --max-s: giving up\n";
    if (write(2, m, sizeof(m) - 1) < 0) {
    }
    _exit(3);
}

static void copy_file(const char *from, const char *to)
{
    char tmp[4096], b[65536];
    snprintf(tmp, sizeof(tmp), "%s.new", to);
    FILE *in = fopen(from, "r"), *o = fopen(tmp, "w");
    if (!in || !o)
        die("copy %s -> %s: %s", from, tmp, strerror(errno));
    size_t n;
    while ((n = fread(b, 1, sizeof(b), in)) > 0)
        fwrite(b, 1, n, o);
    fclose(in);
    if (fclose(o) != 0 || rename(tmp, to) != 0)
        die("write %s: %s", to, strerror(errno));
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"port", 1, 0, 'p'},         {"streams", 1, 0, 'n'},
                                         {"sessiond-pid", 1, 0, 's'}, {"lighttpd-pid", 1, 0, 'l'},
                                         {"conf", 1, 0, 'c'},         {"conf-changed", 1, 0, 'C'},
                                         {"init-conns", 1, 0, 'i'},   {"open-parallel", 1, 0, 'o'},
                                         {"samples", 1, 0, 'S'},      {"gap-ms", 1, 0, 'g'},
                                         {"settle-s", 1, 0, 't'},     {"max-s", 1, 0, 'm'},
                                         {"listen", 0, 0, 'L'},       {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'p':
            port = atoi(optarg);
            break;
        case 'n':
            n_streams = atoi(optarg);
            break;
        case 's':
            sessiond_pid = atoi(optarg);
            break;
        case 'l':
            lighttpd_pid = atoi(optarg);
            break;
        case 'c':
            conf_path = optarg;
            break;
        case 'C':
            conf_changed = optarg;
            break;
        case 'i':
            init_conns = atoi(optarg);
            break;
        case 'o':
            open_parallel = atoi(optarg);
            break;
        case 'S':
            samples = atoi(optarg);
            break;
        case 'g':
            gap_ms = atoi(optarg);
            break;
        case 't':
            settle_s = atoi(optarg);
            break;
        case 'm':
            max_s = atoi(optarg);
            break;
        case 'L':
            listen_mode = 1;
            break;
        default:
            return 2;
        }
    }
    if (!port || n_streams < 1 || !sessiond_pid || !lighttpd_pid || !conf_path || !conf_changed ||
        init_conns < 1 || open_parallel < 1 || samples < 1)
        die("usage: sse-load --port P --streams N --sessiond-pid PID --lighttpd-pid PID --conf F "
            "--conf-changed F [--init-conns 8] [--open-parallel 256] [--samples 1000] "
            "[--gap-ms 20] [--settle-s 3] [--max-s 240]");
    signal(SIGALRM, on_alarm);
    signal(SIGPIPE, SIG_IGN);
    alarm((unsigned)max_s);
    srand((unsigned)getpid());
    ep = epoll_create1(EPOLL_CLOEXEC);
    sids = calloc((size_t)n_streams, sizeof(*sids));
    streams = calloc((size_t)n_streams, sizeof(*streams));
    inits = calloc((size_t)init_conns, sizeof(*inits));
    init_state = calloc((size_t)init_conns, sizeof(int));
    init_sess = calloc((size_t)init_conns, sizeof(int));
    if (!sids || !streams || !inits || !init_state || !init_sess)
        die("out of memory");
    for (int i = 0; i < n_streams; i++)
        streams[i].fd = -1;
    out("streams_wanted", "%d", n_streams);

    struct snap s0, s1, s2, s3;
    snapshot(&s0);
    print_snap("base", &s0);

    /* 1. sessions */
    double t = mono_s();
    for (int i = 0; i < init_conns; i++) {
        inits[i].fd = -1;
        inits[i].kind = K_INIT;
        inits[i].idx = i;
        init_next(&inits[i]);
    }
    while (sessions_done < n_streams && mono_s() - t < 120) {
        pump(100);
        for (int i = 0; i < init_conns; i++) /* slots left idle after a failure */
            if (init_state[i] == I_IDLE && next_session < n_streams)
                init_next(&inits[i]);
    }
    for (int i = 0; i < init_conns; i++)
        buf_free(&inits[i]), conn_close(&inits[i]);
    out("sessions_created", "%d", sessions_done);
    out("sessions_seconds", "%.2f", mono_s() - t);
    if (sessions_done < n_streams)
        die("created only %d of %d sessions in 120 s", sessions_done, n_streams);
    pump_for(1);
    snapshot(&s1);
    print_snap("sessions", &s1);

    /* 2. streams */
    t = mono_s();
    int next = 0;
    while (mono_s() - t < 120) {
        while (next < n_streams &&
               streams_started - streams_open - streams_failed - streams_ended < open_parallel)
            stream_start(next++);
        if (next == n_streams && streams_open + streams_failed + streams_ended >= n_streams)
            break;
        pump(100);
    }
    out("streams_open", "%d", streams_open);
    out("streams_failed", "%d", streams_failed);
    out("streams_seconds", "%.2f", mono_s() - t);
    for (int st = 0; st < 600; st++)
        if (status_hist[st] && st != 200)
            out("streams_failed_status", "%d x%d", st, status_hist[st]);
    if (streams_open == 0)
        die("no stream opened");
    pump_for(settle_s);
    snapshot(&s2);
    print_snap("streams", &s2);

    /* 3. latency probe on one 2024-11-05 stream while the N streams idle */
    conn_open(&psse);
    conn_send(&psse, "GET /sse HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n\r\n", host,
              port);
    double tp = mono_s();
    while (!probe_endpoint[0] && mono_s() - tp < 10 && !probe_eof)
        pump(10);
    if (!probe_endpoint[0])
        die("GET /sse gave no endpoint event within 10 s");
    probe_post(
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
        "\"2024-11-05\",\"capabilities\":{},\"clientInfo\":{\"name\":\"mcp-fcgi-bench\","
        "\"version\":\"1.0\"}}}");
    if (!wait_probe("\"id\":1,", 10) || post_status != 202)
        die("legacy initialize: POST %s got HTTP %d, answer %s", probe_endpoint, post_status,
            probe_seen_ts ? "seen" : "not seen on the stream");
    if (!strstr(probe_line, "protocolVersion")) /* pings are answered anyway: go on */
        note("warning: legacy initialize was answered %s", probe_line);
    probe_post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    if (!wait_probe(NULL, 10))
        die("legacy notifications/initialized not answered");
    int64_t *lat = calloc((size_t)samples, sizeof(int64_t)),
            *rtt = calloc((size_t)samples, sizeof(int64_t));
    int nlat = 0, lost = 0;
    int64_t *t_sent = calloc((size_t)samples, sizeof(int64_t)),
            *lat_raw = calloc((size_t)samples, sizeof(int64_t));
    cap_idle_rx = (size_t)n_streams * 8 + 1024;
    idle_rx = calloc(cap_idle_rx, sizeof(int64_t));
    if (!lat || !rtt || !t_sent || !lat_raw || !idle_rx)
        die("out of memory");
    record_idle_rx = 1;
    struct snap sp0, sp1;
    snapshot(&sp0);
    tp = mono_s();
    for (int k = 0; k < samples; k++) {
        char body[128], want[64];
        int id = 900000 + k; /* all six digits: no id is a prefix of another */
        snprintf(body, sizeof(body), "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"ping\"}", id);
        snprintf(want, sizeof(want), "\"id\":%d", id);
        if (gap_ms > 0)
            pump_for((rand() % (gap_ms * 1000 + 1)) / 1e6);
        int64_t t0 = rt_ns();
        probe_post(body);
        if (!wait_probe(want, 5) || post_status != 202) {
            if (++lost <= 3)
                note("probe sample %d: POST got %d, event %s", k, post_status,
                     probe_seen_ts ? "seen" : "missing");
            if (probe_eof)
                die("the probe stream ended");
            continue;
        }
        lat[nlat] = lat_raw[nlat] = probe_seen_ts - t0;
        rtt[nlat] = post_done_ts - t0;
        t_sent[nlat] = t0;
        nlat++;
    }
    record_idle_rx = 0;
    snapshot(&sp1);
    /* samples during which bytes (heartbeats) reached any idle stream: from 2 ms before the
     * POST to the answer's arrival */
    qsort(idle_rx, n_idle_rx, sizeof(int64_t), cmp_i64);
    int64_t *quiet = calloc((size_t)samples + 1, sizeof(int64_t));
    int nquiet = 0, nbusy = 0;
    for (int k = 0; k < nlat; k++) {
        int64_t lo = t_sent[k] - 2000000, hi = t_sent[k] + lat_raw[k];
        size_t a = 0, b = n_idle_rx; /* first >= lo */
        while (a < b) {
            size_t m = (a + b) / 2;
            if (idle_rx[m] < lo)
                a = m + 1;
            else
                b = m;
        }
        if (a < n_idle_rx && idle_rx[a] <= hi)
            nbusy++;
        else
            quiet[nquiet++] = lat_raw[k];
    }
    qsort(quiet, (size_t)nquiet, sizeof(int64_t), cmp_i64);
    qsort(lat, (size_t)nlat, sizeof(int64_t), cmp_i64);
    qsort(rtt, (size_t)nlat, sizeof(int64_t), cmp_i64);
    out("probe_samples", "%d", nlat);
    out("probe_lost", "%d", lost);
    out("probe_seconds", "%.2f", mono_s() - tp);
    out("event_p50_ms", "%.3f", pct_ms(lat, nlat, 0.50));
    out("event_p90_ms", "%.3f", pct_ms(lat, nlat, 0.90));
    out("event_p99_ms", "%.3f", pct_ms(lat, nlat, 0.99));
    out("event_max_ms", "%.3f", nlat ? lat[nlat - 1] / 1e6 : -1);
    out("event_overlapping_heartbeats", "%d", nbusy);
    out("idle_stream_reads_during_probe", "%zu", n_idle_rx);
    out("event_quiet_p50_ms", "%.3f", pct_ms(quiet, nquiet, 0.50));
    out("event_quiet_p99_ms", "%.3f", pct_ms(quiet, nquiet, 0.99));
    out("event_quiet_max_ms", "%.3f", nquiet ? quiet[nquiet - 1] / 1e6 : -1);
    out("probe_cpu_sessiond_ms", "%.0f", sp1.sd_cpu - sp0.sd_cpu);
    out("probe_cpu_lighttpd_ms", "%.0f", sp1.lt_cpu - sp0.lt_cpu);
    out("post202_p50_ms", "%.3f", pct_ms(rtt, nlat, 0.50));
    out("post202_p99_ms", "%.3f", pct_ms(rtt, nlat, 0.99));

    /* 4. fan-out: one configuration change, SIGHUP, list_changed to every stream */
    int armed_streams = streams_open;
    struct snap sf0, sf1;
    copy_file(conf_changed, conf_path);
    snapshot(&sf0);
    fanout_armed = 1;
    int64_t t_hup = rt_ns();
    if (kill(sessiond_pid, SIGHUP) != 0)
        die("kill -HUP %d: %s", sessiond_pid, strerror(errno));
    tp = mono_s();
    while ((fanout_got < streams_open || fanout_got_last < streams_open) && mono_s() - tp < 15)
        pump(50);
    snapshot(&sf1);
    int64_t *arr = calloc((size_t)n_streams, sizeof(int64_t));
    int na = 0;
    for (int i = 0; i < n_streams; i++)
        if (streams[i].got)
            arr[na++] = streams[i].t_got - t_hup;
    qsort(arr, (size_t)na, sizeof(int64_t), cmp_i64);
    out("fanout_streams", "%d", armed_streams);
    out("fanout_delivered", "%d", na);
    out("fanout_first_ms", "%.3f", na ? arr[0] / 1e6 : -1);
    out("fanout_p50_ms", "%.3f", pct_ms(arr, na, 0.50));
    out("fanout_p99_ms", "%.3f", pct_ms(arr, na, 0.99));
    out("fanout_last_ms", "%.3f", na ? arr[na - 1] / 1e6 : -1);
    out("fanout_spread_ms", "%.3f", na ? (arr[na - 1] - arr[0]) / 1e6 : -1);
    na = 0;
    for (int i = 0; i < n_streams; i++)
        if (streams[i].got_last)
            arr[na++] = streams[i].t_last - t_hup;
    qsort(arr, (size_t)na, sizeof(int64_t), cmp_i64);
    out("fanout3_delivered", "%d", na);
    out("fanout3_first_ms", "%.3f", na ? arr[0] / 1e6 : -1);
    out("fanout3_p50_ms", "%.3f", pct_ms(arr, na, 0.50));
    out("fanout3_last_ms", "%.3f", na ? arr[na - 1] / 1e6 : -1);
    /* CPU used from just before the SIGHUP until every stream had it (clock ticks: 10 ms) */
    out("fanout_cpu_sessiond_ms", "%.0f", sf1.sd_cpu - sf0.sd_cpu);
    out("fanout_cpu_lighttpd_ms", "%.0f", sf1.lt_cpu - sf0.lt_cpu);
    out("fanout_cpu_client_ms", "%.0f", sf1.me_cpu - sf0.me_cpu);
    pump_for(0.5);
    snapshot(&s3);
    print_snap("end", &s3);
    out("streams_ended_by_server", "%d", streams_ended);

    /* 5. close */
    for (int i = 0; i < n_streams; i++)
        if (streams[i].fd >= 0)
            conn_close(&streams[i]);
    conn_close(&psse);
    conn_close(&ppost);
    out("done", "1");
    return 0;
}
