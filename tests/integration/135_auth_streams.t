#!/usr/bin/perl
# Streams under web-server authentication (REMOTE_USER from lighttpd's mod_auth): the
# 2024-11-05 transport (the worker answers 202 and finishes the request before running the
# message) and 2025-11-25 polling (the worker ends the connection mid-call) keep working for
# the authenticated principal, and another user cannot resume the stream.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use McpStack;
use McpSse;
use McpHttp qw(request initialize mcp_headers $JSON);

my $s = McpStack->start(conf => 'conf/conformance.conf', auth => ['/mcp', '/sse', '/messages']);
my %alice = McpStack::basic_auth('alice');
my %bob = McpStack::basic_auth('bob');

# 2024-11-05: the answer to a POST /messages travels on alice's stream
{
    my $st = McpSse->open('GET', $s->base . '/sse', { Accept => 'text/event-stream', %alice });
    is($st->status, 200, 'alice opens GET /sse');
    my $ep = $st->next_event(timeout => 5);
    my $post = $s->base . $ep->{data};
    my $r = request('POST', $post, { 'Content-Type' => 'application/json', %alice },
        $JSON->encode({ jsonrpc => '2.0', id => 1, method => 'initialize',
                        params => { protocolVersion => '2024-11-05', capabilities => {}, clientInfo => { name => 'a', version => '1' } } }));
    is($r->{status}, 202, 'initialize -> 202');
    my @ev = $st->events_until(sub { ($_[0]{event} // '') eq 'message' }, timeout => 5);
    is($ev[-1]{json}{result}{protocolVersion}, '2024-11-05', "the answer reaches alice's stream");
    $r = request('POST', $post, { 'Content-Type' => 'application/json', %bob },
                 '{"jsonrpc":"2.0","id":2,"method":"ping"}');
    is($r->{status}, 404, "bob posting to alice's session -> 404");
    $st->close;
}

# 2025-11-25 polling: the result published after the worker ended the connection
{
    my ($sid) = initialize($s->url, headers => \%alice);
    my $post = McpSse->open('POST', $s->url, { mcp_headers(session => $sid, version => '2025-11-25'), %alice },
        '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"test_reconnection","arguments":{}}}');
    my $prime = $post->next_event(timeout => 5);
    ok($post->wait_eof(timeout => 5), 'the server closes the POST stream mid-call');
    my $r = request('GET', $s->url, { Accept => 'text/event-stream', 'Mcp-Session-Id' => $sid,
                                      'Last-Event-ID' => $prime->{id}, %bob }, undef, timeout => 3);
    is($r->{status}, 404, 'bob cannot resume it');
    my $g = McpSse->open('GET', $s->url, { Accept => 'text/event-stream', 'Mcp-Session-Id' => $sid,
                                           'Last-Event-ID' => $prime->{id}, %alice });
    is($g->status, 200, 'alice resumes with Last-Event-ID');
    my @ev = grep { $_->{json} } $g->events_until(sub { ($_[0]{json}{id} // '') eq '9' }, timeout => 5);
    like($ev[-1]{json}{result}{content}[0]{text} // '', qr/Reconnection test completed/, '... and gets the result');
}

$s->stop;
done_testing;
