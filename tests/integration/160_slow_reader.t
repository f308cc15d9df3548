#!/usr/bin/perl
# A reader that stops reading is dropped without harming anyone else. Two 2024-11-05 streams
# (GET /sse; every answer to a POST /messages travels on the stream): one client reads its
# endpoint event and then never reads again (a small SO_RCVBUF keeps the kernel from hiding
# much), the other keeps reading. With streams.queue_bytes = 8192, tools/list answers (~3 KB
# each) POSTed to the stalled session fill every buffer on the way, then sessiond's queue, and
# sessiond must drop that stream: its session ends (POST -> 404) and its response ends. The
# healthy stream gets every answer meanwhile, and afterwards. Bounded: at most 4000 POSTs or
# 40 s of flooding; the whole file stops itself after 90 s.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Socket qw(PF_INET SOCK_STREAM SOL_SOCKET SO_RCVBUF pack_sockaddr_in inet_aton);
use IO::Select;
use Time::HiRes qw(time sleep);
use McpStack;
use McpSse;
use McpHttp qw(request $JSON);

my $MAX_POSTS = 4000;
my $MAX_FLOOD_S = 40;

my $s = McpStack->start(
    conf_text => qq{server: { sets = [ "conformance" ]; };\nstreams: { heartbeat_s = 1; queue_bytes = 8192; };\n},
    workers => 2);
my $base = $s->base;
local $SIG{ALRM} = sub { diag 'time limit (90 s) reached: stopping'; $s->stop; exit 1 };
alarm 90;
my $sessiond = $s->pid('sessiond');

sub pct {
    my ($p, @v) = @_;
    @v = sort { $a <=> $b } @v;
    return @v ? $v[ int($p * $#v + 0.5) ] : -1;
}
sub post {
    my ($path, $msg) = @_;
    return request('POST', "$base$path", { 'Content-Type' => 'application/json' },
                   ref $msg ? $JSON->encode($msg) : $msg);
}

# ---- the stalled reader: a raw socket with a small receive buffer -------------------------------
socket(my $stalled, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
setsockopt($stalled, SOL_SOCKET, SO_RCVBUF, 4096) or die "SO_RCVBUF: $!";    # before connect
connect($stalled, pack_sockaddr_in($s->port, inet_aton('127.0.0.1'))) or die "connect: $!";
syswrite $stalled, "GET /sse HTTP/1.1\r\nHost: 127.0.0.1:" . $s->port . "\r\nAccept: text/event-stream\r\n\r\n";
my $stalled_raw = '';
{
    my $sel = IO::Select->new($stalled);
    my $end = time + 10;
    while (time < $end && $stalled_raw !~ m{data: ?/messages\?session_id=\w+\r?\n}) {
        $sel->can_read($end - time) or last;
        sysread($stalled, my $buf, 4096) or last;
        $stalled_raw .= $buf;
    }
}
like($stalled_raw, qr{^HTTP/1\.1 200 .*?text/event-stream}s, 'stalled client: GET /sse -> 200 text/event-stream');
my ($stalled_ep) = $stalled_raw =~ m{data: ?(/messages\?session_id=\w+)};
ok($stalled_ep, "stalled client: endpoint event ($stalled_ep)") or BAIL_OUT('no endpoint for the stalled stream');
# from here on nobody reads $stalled until the end

# ---- the healthy reader ------------------------------------------------------------------------
my $h = McpSse->open('GET', "$base/sse", { Accept => 'text/event-stream' });
is($h->status, 200, 'healthy client: GET /sse -> 200');
my $ep = $h->next_event(timeout => 5);
my $healthy_ep = $ep && ($ep->{event} // '') eq 'endpoint' ? $ep->{data} : undef;
ok($healthy_ep, 'healthy client: endpoint event') or BAIL_OUT('no endpoint for the healthy stream');

# Waits for the answer with this id on the healthy stream.
sub healthy_answer {
    my ($id, $timeout) = @_;
    my @ev = $h->events_until(sub { ($_[0]{event} // '') eq 'message' && ($_[0]{json}{id} // '') eq $id },
                              timeout => $timeout // 5);
    return @ev && ($ev[-1]{json}{id} // '') eq $id ? $ev[-1]{json} : undef;
}

my $init = { jsonrpc => '2.0', id => 'init', method => 'initialize',
             params => { protocolVersion => '2024-11-05', capabilities => {},
                         clientInfo => { name => 'mcp-fcgi-tests', version => '1.0' } } };
for my $e ($stalled_ep, $healthy_ep) {
    is(post($e, $init)->{status}, 202, "initialize on $e -> 202");
    post($e, { jsonrpc => '2.0', method => 'notifications/initialized' });
}
ok(healthy_answer('init'), 'healthy client: its initialize answer arrives');

# ---- flood the stalled session -------------------------------------------------------------------
my ($posts, $dropped_at, @flood_ms, @ping_ms, $pings, $pings_ok) = (0, undef);
my %status;
my $t0 = time;
while ($posts < $MAX_POSTS && time - $t0 < $MAX_FLOOD_S) {
    my $t = time;
    my $r = post($stalled_ep, { jsonrpc => '2.0', id => ++$posts, method => 'tools/list' });
    push @flood_ms, (time - $t) * 1000;
    $status{ $r->{status} }++;
    if ($r->{status} == 404) { $dropped_at = $posts; last }
    if ($posts % 20 == 0) {    # the healthy stream keeps getting its answers
        $pings++;
        my $tp = time;
        my $id = "hp$posts";
        post($healthy_ep, { jsonrpc => '2.0', id => $id, method => 'ping' });
        if (healthy_answer($id, 5)) { $pings_ok++; push @ping_ms, (time - $tp) * 1000 }
    }
}
diag sprintf('%d POSTs of tools/list (%s) in %.1f s; POST round trip p50 %.2f ms, p99 %.2f ms',
             $posts, join(', ', map {"$_ x$status{$_}"} sort keys %status), time - $t0,
             pct(0.5, @flood_ms), pct(0.99, @flood_ms));
ok($dropped_at, 'the stalled session ends: a POST to it gets 404' . ($dropped_at ? " (after $dropped_at POSTs)" : ''))
    or diag "no 404 within $MAX_POSTS POSTs / $MAX_FLOOD_S s: the stalled reader was never dropped";
my @other = grep { $_ != 202 && $_ != 404 } keys %status;
ok(!@other, 'every POST before the drop was accepted (202)') or diag "statuses: @other";
ok($pings && $pings_ok == $pings, "the healthy stream got every answer during the flood ($pings_ok/" . ($pings // 0) . ')');
diag sprintf('healthy ping POST -> answer on its stream: p50 %.2f ms, p99 %.2f ms', pct(0.5, @ping_ms), pct(0.99, @ping_ms))
    if @ping_ms;

# ---- the stalled response is ended by the server ---------------------------------------------------
# Read again now: whatever was buffered on the way comes out, then the response must end
# (EOF, or the last chunk of a chunked body).
{
    my $sel = IO::Select->new($stalled);
    my ($bytes, $ended) = (length $stalled_raw, 0);
    my $tail = '';
    my $end = time + 15;
    while (time < $end) {
        $sel->can_read($end - time) or last;
        my $n = sysread($stalled, my $buf, 65536);
        if (!$n) { $ended = 'EOF'; last }
        $bytes += $n;
        $tail = substr($tail . $buf, -16);
        if ($tail =~ /\r\n0\r\n\r\n$/) { $ended = 'last chunk'; last }
    }
    ok($ended, 'the server ended the stalled response' . ($ended ? " ($ended)" : ''));
    diag sprintf('the stalled client received %d bytes in all; %d answers of ~3 KB were posted to it',
                 $bytes, $posts);
    close $stalled;
}
is(post($stalled_ep, { jsonrpc => '2.0', id => 'late', method => 'ping' })->{status}, 404,
   'later POSTs to the dropped session get 404');

# ---- the healthy stream is unharmed --------------------------------------------------------------
is(post($healthy_ep, { jsonrpc => '2.0', id => 'after', method => 'tools/list' })->{status}, 202,
   'healthy client: POST after the drop -> 202');
my $a = healthy_answer('after', 5);
ok($a && ref $a->{result}{tools} eq 'ARRAY', 'healthy client: the answer arrives on its stream');
my @hb = $h->events_until(sub { @{ $_[0]{comments} } > 0 }, timeout => 5);
ok(@hb && @{ $hb[-1]{comments} }, 'healthy client: heartbeats still arrive');
ok(!$h->eof, 'healthy client: its stream is still open');
is($s->pid('sessiond'), $sessiond, 'sessiond was not restarted');
diag "sessiond said: $_" for grep { /queue|read|drop/i } split /\n/, $s->log('sessiond');
ok(kill(0, $sessiond), 'sessiond is alive');
$h->close;
alarm 0;
$s->stop;
done_testing;
