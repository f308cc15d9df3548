#!/usr/bin/perl
# SSE answers to POST: a call that notifies before its result answers text/event-stream, each
# event arriving as it happens (not at the end), with ids that name the stream; 2025-11-25
# streams start with a priming event; calls with nothing to stream stay application/json.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use McpStack;
use McpSse;
use McpHttp qw(rpc initialize mcp_headers $JSON);

my $s = McpStack->start(conf => 'conf/conformance.conf', workers => 2);
my $url = $s->url;

sub post_stream {
    my ($sid, $version, $msg) = @_;
    return McpSse->open('POST', $url, { mcp_headers(session => $sid, version => $version) },
                        $JSON->encode($msg));
}

for my $v ('2025-11-25', '2025-06-18') {
    my ($sid) = initialize($url, version => $v);
    rpc($url, { jsonrpc => '2.0', id => 1, method => 'logging/setLevel', params => { level => 'debug' } },
        session => $sid);
    my $st = post_stream($sid, $v, { jsonrpc => '2.0', id => 7, method => 'tools/call',
                                      params => { name => 'test_tool_with_logging', arguments => {} } });
    is($st->status, 200, "$v: logging call -> 200");
    like($st->header('content-type'), qr{^text/event-stream}, "$v: ... text/event-stream");
    is($st->header('cache-control'), 'no-cache', "$v: ... Cache-Control: no-cache");
    is($st->header('x-accel-buffering'), 'no', "$v: ... X-Accel-Buffering: no");
    my @ev = $st->events_until(sub { ($_[0]{json}{id} // '') eq '7' }, timeout => 10);
    my @data = grep { $_->{json} } @ev;
    if ($v eq '2025-11-25') {
        ok(defined $ev[0]{id} && !length($ev[0]{data} // ''), "$v: starts with a priming event (id, empty data)");
    } else {
        ok(defined $ev[0]{json}, "$v: no priming event before 2025-11-25");
    }
    my @logs = grep { ($_->{json}{method} // '') eq 'notifications/message' } @data;
    is(scalar @logs, 3, "$v: three log notifications");
    is($data[-1]{json}{id}, 7, "$v: then the response");
    ok(!$data[-1]{json}{result}{isError}, "$v: ... a successful result");
    my @ids = map { $_->{id} } grep { defined $_->{id} } @ev;
    is(scalar @ids, scalar @ev, "$v: every event carries an id");
    my %seen;
    ok(!grep({ $seen{$_}++ } @ids), "$v: ids unique");
    my ($stream) = ($ids[0] // '') =~ /^(\d+)\./;
    ok(defined $stream && !grep({ !/^\Q$stream\E\.\d+$/ } @ids), "$v: ids name one stream (<key>.<seq>)");
    # streaming, not buffering: ~50 ms between the tool's notifications, seen as they happen
    my $span = $data[-1]{t} - $logs[0]{t};
    cmp_ok($span, '>=', 0.08, sprintf("$v: first log %.0f ms before the result (arrived as it happened)", $span * 1000));
    ok($st->wait_eof(timeout => 5), "$v: the stream ends after the response");
}

# progress
{
    my ($sid) = initialize($url);
    my $st = post_stream($sid, '2025-11-25', { jsonrpc => '2.0', id => 'p', method => 'tools/call',
        params => { name => 'test_tool_with_progress', arguments => {}, _meta => { progressToken => 'tok-1' } } });
    my @ev = grep { $_->{json} } $st->events_until(sub { ($_[0]{json}{id} // '') eq 'p' }, timeout => 10);
    my @prog = grep { ($_->{json}{method} // '') eq 'notifications/progress' } @ev;
    is(scalar @prog, 3, 'three progress notifications');
    is_deeply([map { $_->{json}{params}{progressToken} } @prog], ['tok-1', 'tok-1', 'tok-1'], '... echoing the token');
    my @p = map { $_->{json}{params}{progress} } @prog;
    ok($p[0] < $p[1] && $p[1] < $p[2], '... increasing');
    is($ev[-1]{json}{id}, 'p', '... then the response');
}

# nothing to stream: JSON as before
{
    my ($sid) = initialize($url);
    my $r = rpc($url, { jsonrpc => '2.0', id => 3, method => 'tools/call', params => { name => 'test_simple_text' } },
                session => $sid);
    like($r->{headers}{'content-type'}, qr{^application/json}, 'a call with nothing to stream answers JSON');
    $r = rpc($url, { jsonrpc => '2.0', id => 4, method => 'tools/call',
                     params => { name => 'test_tool_with_progress', arguments => {} } }, session => $sid);
    like($r->{headers}{'content-type'}, qr{^application/json}, 'progress tool without a token answers JSON');
}

$s->stop;
done_testing;
