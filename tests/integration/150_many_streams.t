#!/usr/bin/perl
# 1000 idle standalone streams (GET /mcp of 1000 sessions) through lighttpd, all held by
# mcp-sessiond: every one opens, gets heartbeats, and gets the list_changed notifications of one
# configuration reload (SIGHUP); POSTs keep being answered meanwhile (p50/p99 reported, no
# timing asserted); sessiond and lighttpd memory per stream is reported from /proc; closing the
# client sockets gives sessiond's file descriptors back. About 20 s; at most 120 s.
use strict;
use warnings;

my $N;
BEGIN {
    $N = $ENV{MCP_MANY_STREAMS} || 1000;
    # The client holds N sockets and sessiond N + a few (it inherits our limit; lighttpd sets
    # its own from server.max-fds). Re-exec under a raised soft limit when it is too low.
    my $need = $N + 200;
    chomp(my $soft = `sh -c 'ulimit -n'`);
    if ($soft ne 'unlimited' && $soft < $need && !$ENV{MCP_150_REEXEC}) {
        $ENV{MCP_150_REEXEC} = 1;
        exec 'sh', '-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n "$1" 2>/dev/null; shift; exec "$@"',
            'sh', $need, $^X, $0, @ARGV;
        die "exec sh: $!";
    }
}

use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IO::Socket::INET;
use IO::Poll qw(POLLIN POLLHUP POLLERR);
use Time::HiRes qw(time sleep);
use McpStack;
use McpHttp qw(request rpc initialize $JSON);

{
    chomp(my $soft = `sh -c 'ulimit -n'`);
    plan skip_all => "ulimit -n is $soft and cannot be raised to " . ($N + 200)
        if $soft ne 'unlimited' && $soft < $N + 200;
}

# ---- /proc ------------------------------------------------------------------------------------
sub rss_kb {
    my ($pid) = @_;
    open my $fh, '<', "/proc/$pid/status" or return 0;
    while (<$fh>) { return $1 if /^VmRSS:\s+(\d+)/ }
    return 0;
}
sub nfds {
    my ($pid) = @_;
    opendir my $d, "/proc/$pid/fd" or return -1;
    return scalar grep { !/^\./ } readdir $d;
}
sub family {    # a pid and its children (lighttpd may fork workers)
    my ($pid) = @_;
    my $kids = `cat /proc/$pid/task/*/children 2>/dev/null`;
    return ($pid, split ' ', $kids);
}
sub pct {
    my ($p, @v) = @_;
    @v = sort { $a <=> $b } @v;
    return @v ? $v[ int($p * $#v + 0.5) ] : -1;
}

# ---- one raw SSE stream, read incrementally ----------------------------------------------------
package RawStream {
    sub new {
        my ($class, $sock) = @_;
        return bless { sock => $sock, raw => '', body => '', head => undef, chunked => 0,
                       heartbeats => 0, events => 0, methods => {}, eof => 0 }, $class;
    }
    # reads what is there (non-blocking); 0 on EOF
    sub pump {
        my ($self) = @_;
        for (;;) {
            my $n = sysread($self->{sock}, my $buf, 65536);
            if (!defined $n) { last if $!{EAGAIN} || $!{EWOULDBLOCK}; $self->{eof} = 1; last }
            if ($n == 0) { $self->{eof} = 1; last }
            $self->{raw} .= $buf;
        }
        $self->_parse;
        return !$self->{eof};
    }
    sub _parse {
        my ($self) = @_;
        if (!defined $self->{head}) {
            return unless $self->{raw} =~ s/^(.*?)\r\n\r\n//s;
            my $head = $1;
            $self->{head} = $head;
            ($self->{status}) = $head =~ m{^HTTP/1\.\d (\d+)};
            ($self->{ctype}) = $head =~ /^Content-Type:\s*(.*?)\r?$/mi;
            $self->{chunked} = $head =~ /^Transfer-Encoding:\s*chunked/mi ? 1 : 0;
        }
        if ($self->{chunked}) {
            while ($self->{raw} =~ /^([0-9a-fA-F]+)[^\r\n]*\r\n/) {
                my ($hl, $len) = (length($&), hex $1);
                if ($len == 0) { $self->{eof} = 1; $self->{raw} = ''; last }
                last if length($self->{raw}) < $hl + $len + 2;
                $self->{body} .= substr($self->{raw}, $hl, $len);
                substr($self->{raw}, 0, $hl + $len + 2, '');
            }
        } else {
            $self->{body} .= $self->{raw};
            $self->{raw} = '';
        }
        while ($self->{body} =~ s/^(.*?)(?:\r\n|\n|\r)(?:\r\n|\n|\r)//s) {
            my $block = $1;
            my @data;
            for my $line (split /\r\n|\n|\r/, $block) {
                if ($line =~ /^:/) { $self->{heartbeats}++; next }
                push @data, $1 if $line =~ /^data:\s?(.*)$/;
            }
            next unless @data;
            $self->{events}++;
            my $msg = eval { $McpHttp::JSON->decode(join "\n", @data) };
            $self->{methods}{ $msg->{method} } //= Time::HiRes::time() if ref $msg eq 'HASH' && $msg->{method};
        }
    }
}
package main;

# ---- the stack ----------------------------------------------------------------------------------
my $conf = sub {
    my ($sets) = @_;
    return sprintf("server: { sets = [ %s ]; };\nsessions: { max = %d; };\n"
                   . "streams: { max = %d; heartbeat_s = 2; };\n", $sets, $N + 100, $N + 100);
};
my $s = McpStack->start(conf_text => $conf->('"conformance"'), workers => 2);
my $url = $s->url;
my $t_start = time;
local $SIG{ALRM} = sub { diag 'time limit (120 s) reached: stopping'; $s->stop; exit 1 };
alarm 120;

my $sessiond = $s->pid('sessiond');
my @lighttpd = family($s->pid('lighttpd'));
my %rss0 = (sessiond => rss_kb($sessiond), lighttpd => 0);
$rss0{lighttpd} += rss_kb($_) for @lighttpd;
my $fds0 = nfds($sessiond);

# ---- N sessions ---------------------------------------------------------------------------------
my @sids;
my $t = time;
for my $i (1 .. $N) {
    my ($sid, $r) = initialize($url);
    last unless $sid;
    my $n = rpc($url, { jsonrpc => '2.0', method => 'notifications/initialized' }, session => $sid,
                version => '2025-11-25');
    last unless $n->{status} == 202;
    push @sids, $sid;
}
is(scalar @sids, $N, "$N sessions created");
diag sprintf('%d sessions in %.1f s', scalar @sids, time - $t);
BAIL_OUT('cannot create the sessions') unless @sids == $N;
my %rss1 = (sessiond => rss_kb($sessiond), lighttpd => 0);
$rss1{lighttpd} += rss_kb($_) for family($s->pid('lighttpd'));

# ---- N streams ----------------------------------------------------------------------------------
my $poll = IO::Poll->new;
my (@streams, %by_sock);
$t = time;
for my $i (0 .. $N - 1) {
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $s->port, Proto => 'tcp',
                                     Timeout => 5)
        or do { diag "connect #$i: $!"; last };
    $sock->blocking(0);
    $sock->autoflush(1);
    syswrite $sock, "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:" . $s->port . "\r\nAccept: text/event-stream\r\n"
        . "Mcp-Session-Id: $sids[$i]\r\nMCP-Protocol-Version: 2025-11-25\r\n\r\n";
    my $st = RawStream->new($sock);
    push @streams, $st;
    $by_sock{ fileno $sock } = $st;
    $poll->mask($sock => POLLIN);
}
# Reads every stream with data for up to $secs, or until $done->() says so.
sub pump_all {
    my ($secs, $done) = @_;
    my $end = time + $secs;
    while (time < $end) {
        last if $done && $done->();
        $poll->poll(0.1) > 0 or next;
        for my $sock ($poll->handles(POLLIN | POLLHUP | POLLERR)) {
            my $st = $by_sock{ fileno $sock };
            $poll->remove($sock) unless $st->pump;
        }
    }
    return $done ? $done->() : 1;
}
my $heads = sub { !grep { !defined $_->{head} && !$_->{eof} } @streams };
pump_all(30, $heads);
my @open = grep { ($_->{status} // 0) == 200 && ($_->{ctype} // '') =~ m{^text/event-stream} && !$_->{eof} } @streams;
is(scalar @open, $N, "$N GET /mcp streams answered 200 text/event-stream and stay open");
if (@open < $N) {
    my %st;
    $st{ $_->{status} // ($_->{eof} ? 'closed' : 'no head') }++ for @streams;
    diag 'stream statuses: ' . join ', ', map {"$_ x$st{$_}"} sort keys %st;
}
diag sprintf('%d streams opened in %.2f s', scalar @open, time - $t);
my $fds1 = nfds($sessiond);
cmp_ok($fds1 - $fds0, '>=', $N, "sessiond holds a descriptor per stream ($fds0 -> $fds1)");

# ---- POSTs while the streams idle ---------------------------------------------------------------
my (@lat, $ok);
for my $k (1 .. 200) {
    my $t0 = time;
    my $r = rpc($url, { jsonrpc => '2.0', id => $k, method => 'ping' }, session => $sids[ $k % $N ],
                version => '2025-11-25');
    push @lat, (time - $t0) * 1000;
    $ok++ if $r->{status} == 200 && $r->{json} && ($r->{json}{id} // 0) == $k && $r->{json}{result};
    pump_all(0);
}
is($ok, 200, "200 sequential pings answered while $N streams are open");
diag sprintf('ping round trip with %d idle streams: p50 %.2f ms, p99 %.2f ms, max %.2f ms',
             scalar @open, pct(0.5, @lat), pct(0.99, @lat), pct(1, @lat));

# ---- heartbeats reach every stream --------------------------------------------------------------
pump_all(8, sub { !grep { !$_->{heartbeats} } @open });
is(scalar(grep { $_->{heartbeats} } @open), $N, "every stream got a heartbeat comment (streams.heartbeat_s = 2)");

# ---- memory ----------------------------------------------------------------------------------
my %rss2 = (sessiond => rss_kb($sessiond), lighttpd => 0);
my @lt = family($s->pid('lighttpd'));
$rss2{lighttpd} += rss_kb($_) for @lt;
diag sprintf('sessiond RSS: %d kB at start, %d kB with %d sessions, %d kB with their streams: '
             . '%.2f kB per stream, %.2f kB per session + stream',
             $rss0{sessiond}, $rss1{sessiond}, $N, $rss2{sessiond},
             ($rss2{sessiond} - $rss1{sessiond}) / $N, ($rss2{sessiond} - $rss0{sessiond}) / $N);
diag sprintf('lighttpd RSS (%d process%s): %d kB at start, %d kB with the streams: %.2f kB per stream',
             scalar @lt, @lt == 1 ? '' : 'es', $rss0{lighttpd}, $rss2{lighttpd},
             ($rss2{lighttpd} - $rss1{lighttpd}) / $N);

# ---- one reload: list_changed to every stream ---------------------------------------------------
{
    open my $fh, '>', $s->dir . '/test.conf.new' or die $!;
    print $fh $conf->('');
    close $fh;
    rename $s->dir . '/test.conf.new', $s->dir . '/test.conf' or die $!;
}
my @kinds = map {"notifications/$_/list_changed"} qw(tools prompts resources);
my $t_hup = time;
kill 'HUP', $sessiond;
my $all_three = sub { my $st = shift; !grep { !$st->{methods}{$_} } @kinds };
pump_all(15, sub { !grep { !$all_three->($_) } @open });
my @got = grep { $_->{methods}{ $kinds[0] } } @open;
is(scalar @got, $N, "tools/list_changed reached all $N streams after SIGHUP with a changed server.sets");
is(scalar(grep { $all_three->($_) } @open), $N, '... and prompts/ and resources/list_changed too');
if (@got) {
    my @arr = map { ($_->{methods}{ $kinds[0] } - $t_hup) * 1000 } @got;
    diag sprintf('tools/list_changed seen by this client (includes its own reading): first %.1f ms, '
                 . 'p50 %.1f ms, last %.1f ms after the SIGHUP', pct(0, @arr), pct(0.5, @arr), pct(1, @arr));
}
is(scalar(grep { $_->{eof} } @open), 0, 'no stream was ended by the server');
my $r = rpc($url, { jsonrpc => '2.0', id => 'after', method => 'ping' }, session => $sids[0], version => '2025-11-25');
is($r->{status}, 200, 'a POST after the reload is answered');

# ---- close ----------------------------------------------------------------------------------------
close $_->{sock} for @streams;
my $fds2 = $fds1;
my $end = time + 20;    # lighttpd notices a client that left at its next write (heartbeat 2 s)
while (time < $end) {
    $fds2 = nfds($sessiond);
    last if $fds2 <= $fds0 + 5;
    sleep 0.2;
}
cmp_ok($fds2, '<=', $fds0 + 5, "sessiond gave back the stream descriptors after the clients left ($fds1 -> $fds2)");
is($s->pid('sessiond'), $sessiond, 'sessiond was not restarted');
alarm 0;
diag sprintf('total %.1f s', time - $t_start);
$s->stop;
done_testing;
