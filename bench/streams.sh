#!/usr/bin/env bash
# bench/streams.sh - idle SSE streams through lighttpd: memory per stream, list_changed fan-out
# time, single-event latency. See bench/README.md.
#
#   bench/streams.sh [-n STREAMS] [--samples N] [--gap-ms MS] [--workers N] [--heartbeat S]
#                    [--bin DIR] [--keep] [--listen]
#
# Starts its own stack (deploy/mcp-stack, lighttpd with server.max-worker = 2) on a free
# loopback port, runs bench/sse-load.c (compiled here on the fly) against it, prints a table,
# and stops everything it started, by PID. Bounded: the load client gives up after --max-s
# (default 240 s), the whole run after ~5 minutes.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
n=10000 samples=1000 gap_ms=20 workers=4 heartbeat=15 bin="$top/build" keep=0 max_s=240 settle=3
listen=
while [ $# -gt 0 ]; do
    case "$1" in
    -n|--streams) n=$2; shift 2 ;;
    --samples) samples=$2; shift 2 ;;
    --gap-ms) gap_ms=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --heartbeat) heartbeat=$2; shift 2 ;;
    --settle) settle=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --max-s) max_s=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --listen) listen=--listen; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "streams.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
say() { echo "streams.sh: $*" >&2; }

for b in mcp-fcgi mcp-sessiond; do
    [ -x "$bin/$b" ] || { say "$bin/$b is missing (make build)"; exit 2; }
done
command -v "${CC:-cc}" >/dev/null || { say "no C compiler (${CC:-cc})"; exit 2; }

# File descriptors: the client holds N + a few, sessiond N + a few, each of the two lighttpd
# workers about N (2 per stream, shared). Raise the soft limit to the hard one; everything
# started below inherits it.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
ulimit -n "$hard" 2>/dev/null || true
soft=$(ulimit -n)
if [ "$soft" != unlimited ] && [ "$soft" -lt $((n + 200)) ]; then
    say "ulimit -n is $soft (hard $hard): too low for $n streams (need $((n + 200)))"; exit 2
fi

tmp=$(mktemp -d /tmp/mcp-bench.XXXXXX) || exit 2
stack_pid= load_pid=
cleanup() {
    trap '' INT TERM HUP
    if [ -n "$load_pid" ] && kill -0 "$load_pid" 2>/dev/null; then
        kill -TERM "$load_pid" 2>/dev/null; wait "$load_pid" 2>/dev/null
    fi
    if [ -n "$stack_pid" ] && kill -0 "$stack_pid" 2>/dev/null; then
        kill -TERM "$stack_pid" 2>/dev/null
        for _ in $(seq 250); do kill -0 "$stack_pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$stack_pid" 2>/dev/null; then
            say "mcp-stack ($stack_pid) did not stop; killing its process group"
            kill -KILL -- "-$stack_pid" 2>/dev/null
        fi
        wait "$stack_pid" 2>/dev/null
    fi
    # Workers that outlived mcp-stack. With server.max-worker, the lighttpd master stops its
    # workers with kill(0, SIGTERM): that reaches its whole process group, i.e. everything
    # mcp-stack started. multiwatch then respawns the workers it lost, and a respawned
    # worker that is already in accept() when its stop signal arrives never returns from it;
    # mcp-stack kills multiwatch after 5 s and the worker stays. They are ours: their
    # command line names this run's private configuration file.
    local left _
    left=$(ps -eo pid=,args= | awk -v c="-c $tmp/bench.conf" 'index($0, c) { print $1 }')
    if [ -n "$left" ]; then
        say "stopping $(echo $left | wc -w) mcp-fcgi worker(s) that outlived mcp-stack: $(echo $left)"
        kill -TERM $left 2>/dev/null
        for _ in $(seq 20); do
            left=$(for p in $left; do kill -0 "$p" 2>/dev/null && echo "$p"; done)
            [ -z "$left" ] && break
            sleep 0.1
        done
        [ -n "$left" ] && kill -KILL $left 2>/dev/null
    fi
    if [ "$keep" = 1 ]; then say "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'say interrupted; exit 130' INT TERM HUP

"${CC:-cc}" -O2 -Wall -o "$tmp/sse-load" "$top/bench/sse-load.c" || { say "cannot compile bench/sse-load.c"; exit 2; }

# Configuration: room for N sessions and streams (+ the probe); the changed copy drops the
# fixture set, which makes sessiond announce tools/prompts/resources list_changed on SIGHUP.
cap=$((n + 100))
conf_text() {
    cat <<CONF
server: { name = "mcp-fcgi-bench"; sets = [ $1 ]; };
sessions: { max = $cap; idle_timeout = 3600; };
streams: { max = $cap; heartbeat_s = $heartbeat; };
CONF
}
conf_text '"conformance"' > "$tmp/bench.conf"
conf_text '' > "$tmp/bench-changed.conf"
# Included by mcp-stack after its own settings and before conf/lighttpd-mcp.conf; neither
# sets these. Two lighttpd processes: one stops accepting at 90 % of its server.max-fds (16384
# in mcp-stack), i.e. at ~7 300 streams (2 fds each), and by default already at
# server.max-connections = max-fds / 3 = 5461 connections.
printf 'server.max-worker = 2\nserver.max-connections = 7000\n' > "$tmp/lighttpd-bench.conf"

port=$(perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 1, ReuseAddr => 1) or die; print $s->sockport')
mkdir -p "$tmp/run"
# its own process group (set -m), so that a stuck stack can be killed as a whole
set -m
"$top/deploy/mcp-stack" --port "$port" --conf "$tmp/bench.conf" --workers "$workers" --bin "$bin" \
    --dir "$tmp/run" --ready-file "$tmp/ready" --lighttpd-include "$tmp/lighttpd-bench.conf" \
    >"$tmp/stack.log" 2>&1 &
stack_pid=$!
set +m
for _ in $(seq 300); do
    [ -e "$tmp/ready" ] && break
    kill -0 "$stack_pid" 2>/dev/null || break
    sleep 0.1
done
if [ ! -e "$tmp/ready" ]; then
    say "the stack did not start:"; cat "$tmp/stack.log" >&2; exit 1
fi
pid_of() { sed -n "s/^$1=//p" "$tmp/run/pids"; }
sessiond=$(pid_of sessiond) lighttpd=$(pid_of lighttpd)
sleep 1   # let lighttpd fork its workers

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "stack on 127.0.0.1:$port (sessiond $sessiond, lighttpd $lighttpd, $workers workers); $n streams..."
"$tmp/sse-load" --port "$port" --streams "$n" --sessiond-pid "$sessiond" --lighttpd-pid "$lighttpd" \
    --conf "$tmp/bench.conf" --conf-changed "$tmp/bench-changed.conf" --samples "$samples" \
    --gap-ms "$gap_ms" --settle-s "$settle" --max-s "$max_s" $listen >"$tmp/result.txt" &
load_pid=$!
wait "$load_pid"
rc=$?
load_pid=
if [ "$rc" != 0 ]; then
    say "the load client failed (exit $rc); its output:"; cat "$tmp/result.txt" >&2
    say "lighttpd errors:"; tail -5 "$tmp/run/lighttpd-error.log" >&2
    say "sessiond log:"; tail -5 "$tmp/run/sessiond.log" >&2
    keep=1
    exit 1
fi
if grep -qi 'out-of-fds\|sockets disabled\|connection limit' "$tmp/run/lighttpd-error.log" 2>/dev/null; then
    say "warning: lighttpd stopped accepting for a while:"
    grep -i 'out-of-fds\|sockets disabled\|connection limit' "$tmp/run/lighttpd-error.log" | tail -3 >&2
fi

# ---- the table --------------------------------------------------------------------------------
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
# sessiond's own account of the fan-out (its log line after the SIGHUP)
sed -n 's/.*list_changed notifications to [0-9]* session(s) in \([0-9.]*\) ms.*/sessiond_fanout_ms=\1/p' \
    "$tmp/run/sessiond.log" | tail -1 >>"$tmp/result.txt"
awk -F= -v kind="${listen:+subscriptions/listen}" -v n="$n" -v hb="$heartbeat" -v lb="$load_before" -v la="$load_after" -v cores="$(nproc)" -v samples="$samples" -v gap="$gap_ms" '
    { x = substr($0, length($1) + 2); v[$1] = ($1 == "streams_failed_status" && v[$1] != "") ? v[$1] ", " x : x }
    function kb(a, b, m) { return m > 0 ? sprintf("%.2f", (v[a] - v[b]) / m) : "-" }
    function verdict(x, lim) { return (x == "" || x < 0) ? "n/a" : (x + 0 <= lim ? "ok" : "MISSED") }
    END {
        open = v["streams_open"] + 0
        sd_stream = open ? (v["streams_sessiond_rss_kb"] - v["sessions_sessiond_rss_kb"]) / open : -1
        sd_all = open ? (v["streams_sessiond_rss_kb"] - v["base_sessiond_rss_kb"]) / open : -1
        lt_stream = open ? (v["streams_lighttpd_rss_kb"] - v["base_lighttpd_rss_kb"]) / open : -1
        printf "\nmcp-fcgi idle-stream bench: %d %s streams asked, %d open (%s failed), heartbeat %s s\n",
            n, kind == "" ? "GET /mcp" : kind, open, v["streams_failed"], hb
        if (v["streams_failed_status"] != "") printf "failed streams by HTTP status (0: connection closed): %s\n", v["streams_failed_status"]
        printf "sessions created in %s s, streams opened in %s s\n", v["sessions_seconds"], v["streams_seconds"]
        printf "load average before / after: %s / %s on %d cores (other work on the machine skews every time below)\n\n", lb, la, cores
        printf "%-52s %14s %12s %s\n", "measure", "value", "target", "verdict"
        printf "%-52s %14s %12s %s\n", "-------", "-----", "------", "-------"
        printf "%-52s %11.2f KB %12s %s\n", "sessiond RSS per idle stream", sd_stream, "<= 2 KB", verdict(sd_stream, 2)
        printf "%-52s %11.2f KB %12s\n", "sessiond RSS per session + its stream", sd_all, ""
        printf "%-52s %11.2f KB %12s\n", "lighttpd RSS per stream (all its processes)", lt_stream, ""
        printf "%-52s %14s %12s\n", "sessiond RSS base / sessions / streams (KB)",
            v["base_sessiond_rss_kb"] "/" v["sessions_sessiond_rss_kb"] "/" v["streams_sessiond_rss_kb"], ""
        printf "%-52s %14s %12s\n", "lighttpd RSS base / streams (KB)",
            v["base_lighttpd_rss_kb"] "/" v["streams_lighttpd_rss_kb"], ""
        printf "%-52s %14s %12s\n", "sessiond fds / lighttpd fds with streams open",
            v["streams_sessiond_fds"] "/" v["streams_lighttpd_fds"], ""
        printf "%-52s %11.3f ms %12s\n", "list_changed after SIGHUP: first arrival", v["fanout_first_ms"], ""
        printf "%-52s %11.3f ms %12s\n", "list_changed after SIGHUP: p50 arrival", v["fanout_p50_ms"], ""
        printf "%-52s %11.3f ms %12s %s\n", "list_changed after SIGHUP: last arrival", v["fanout_last_ms"], "<= 50 ms",
            (v["fanout_delivered"] + 0 == v["fanout_streams"] + 0) ? verdict(v["fanout_last_ms"], 50) : "MISSED (not all)"
        printf "%-52s %14s %12s\n", "list_changed: streams reached / open",
            v["fanout_delivered"] "/" v["fanout_streams"], ""
        printf "%-52s %11.3f ms %12s\n", "all three list_changed (resources/ is sent last): p50", v["fanout3_p50_ms"], ""
        printf "%-52s %11.3f ms %12s\n", "all three list_changed: last arrival", v["fanout3_last_ms"], ""
        printf "%-52s %11.3f ms %12s\n", "sessiond: all three to every stream, its own clock", v["sessiond_fanout_ms"], ""
        printf "%-52s %14s %12s\n", "CPU in the fan-out: sessiond / lighttpd / client (ms)",
            v["fanout_cpu_sessiond_ms"] " / " v["fanout_cpu_lighttpd_ms"] " / " v["fanout_cpu_client_ms"], ""
        printf "%-52s %11.3f ms %12s\n", "single event (POST /messages ping -> /sse): p50", v["event_p50_ms"], ""
        printf "%-52s %11.3f ms %12s\n", "single event: p90", v["event_p90_ms"], ""
        printf "%-52s %11.3f ms %12s %s\n", "single event: p99", v["event_p99_ms"], "<= 2 ms", verdict(v["event_p99_ms"], 2)
        printf "%-52s %11.3f ms %12s\n", "single event: max", v["event_max_ms"], ""
        printf "%-52s %14s %12s\n", "single event: samples (lost), gaps 0-" gap " ms",
            v["probe_samples"] " (" v["probe_lost"] ")", ""
        printf "%-52s %14s %12s\n", "single event: samples overlapping heartbeats",
            v["event_overlapping_heartbeats"], ""
        printf "%-52s %11.3f ms %12s\n", "single event, other samples: p50", v["event_quiet_p50_ms"], ""
        printf "%-52s %11.3f ms %12s\n", "single event, other samples: p99", v["event_quiet_p99_ms"], ""
        printf "%-52s %11.3f ms %12s\n", "single event, other samples: max", v["event_quiet_max_ms"], ""
        printf "%-52s %11.3f ms %12s\n", "POST /messages 202 round trip: p50", v["post202_p50_ms"], ""
        printf "%-52s %11.3f ms %12s\n", "POST /messages 202 round trip: p99", v["post202_p99_ms"], ""
        printf "%-52s %14s %12s\n", "streams ended by the server during the run", v["streams_ended_by_server"], ""
        printf "\nlighttpd processes (pid:rss/fds) with streams open: %s\n", v["streams_lighttpd_procs"]
    }' "$tmp/result.txt"
exit 0
