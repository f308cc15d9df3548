#!/usr/bin/perl
# Server-to-client requests: a tool's sampling/elicitation request goes out on its POST
# stream; the client's answer arrives as a separate POST at whatever worker gets it (here
# necessarily the other one: the first is busy waiting) and is routed by sessiond; timeouts;
# cancellation stops the call and no response is sent.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time);
use McpStack;
use McpSse;
use McpHttp qw(rpc initialize mcp_headers $JSON);

my $s = McpStack->start(conf_text => <<'CONF', workers => 2);
server: { sets = [ "conformance" ]; };
streams: { request_timeout_s = 2; };
CONF
my $url = $s->url;
my ($sid) = initialize($url, capabilities => { sampling => {}, elicitation => {} });

sub call_stream {
    my ($id, $name, $args) = @_;
    return McpSse->open('POST', $url, { mcp_headers(session => $sid, version => '2025-11-25') },
        $JSON->encode({ jsonrpc => '2.0', id => $id, method => 'tools/call', params => { name => $name, arguments => $args } }));
}
sub first_request {
    my ($st) = @_;
    my @ev = $st->events_until(sub { defined $_[0]{json}{method} && defined $_[0]{json}{id} }, timeout => 5);
    return (grep { defined $_->{json}{method} && defined $_->{json}{id} } @ev)[0];
}

# sampling, answered through the other worker
{
    my $st = call_stream(10, 'test_sampling', { prompt => 'Capital of France?' });
    is($st->status, 200, 'sampling call answers with a stream');
    my $req = first_request($st);
    ok($req, 'the stream carries a request to the client');
    is($req->{json}{method}, 'sampling/createMessage', '... sampling/createMessage');
    is($req->{json}{params}{messages}[0]{content}{text}, 'Capital of France?', '... with the prompt');
    my $r = rpc($url, { jsonrpc => '2.0', id => $req->{json}{id},
                        result => { role => 'assistant', content => { type => 'text', text => 'Paris' }, model => 'test-model' } },
                session => $sid);
    is($r->{status}, 202, "the client's answer POST -> 202");
    my @ev = grep { $_->{json} } $st->events_until(sub { ($_[0]{json}{id} // '') eq '10' }, timeout => 5);
    my $res = $ev[-1]{json};
    is($res->{id}, 10, 'the tool result arrives on the stream');
    ok(!$res->{result}{isError}, '... successfully');
    like($res->{result}{content}[0]{text}, qr/Paris/, '... using the routed answer');
}

# elicitation
{
    my $st = call_stream(11, 'test_elicitation', { message => 'Who are you?' });
    my $req = first_request($st);
    is($req->{json}{method}, 'elicitation/create', 'elicitation/create on the stream');
    rpc($url, { jsonrpc => '2.0', id => $req->{json}{id},
                result => { action => 'accept', content => { username => 'ann', email => 'ann@example.com' } } },
        session => $sid);
    my @ev = grep { $_->{json} } $st->events_until(sub { ($_[0]{json}{id} // '') eq '11' }, timeout => 5);
    like($ev[-1]{json}{result}{content}[0]{text}, qr/accept/, 'elicitation result reaches the tool');
}

# the client refuses: its JSON-RPC error becomes the tool's isError text
{
    my $st = call_stream(14, 'test_sampling', { prompt => 'refused' });
    my $req = first_request($st);
    my $r = rpc($url, { jsonrpc => '2.0', id => $req->{json}{id},
                        error => { code => -1, message => 'User rejected sampling request' } }, session => $sid);
    is($r->{status}, 202, "the client's error answer -> 202");
    my @ev = grep { $_->{json} } $st->events_until(sub { ($_[0]{json}{id} // '') eq '14' }, timeout => 5);
    ok($ev[-1]{json}{result}{isError}, 'the tool call fails with isError');
    like($ev[-1]{json}{result}{content}[0]{text}, qr/error -1: User rejected sampling request/,
         "... naming the client's error");
}

# no answer in time: isError and notifications/cancelled
{
    my $t0 = time;
    my $st = call_stream(12, 'test_sampling', { prompt => 'never answered' });
    my $req = first_request($st);
    my @ev = grep { $_->{json} } $st->events_until(sub { ($_[0]{json}{id} // '') eq '12' }, timeout => 8);
    my ($cancel) = grep { ($_->{json}{method} // '') eq 'notifications/cancelled' } @ev;
    ok($cancel, 'notifications/cancelled sent for the unanswered request');
    is_deeply($cancel->{json}{params}{requestId}, $req->{json}{id}, '... naming it');
    ok($ev[-1]{json}{result}{isError}, 'the tool call fails with isError');
    cmp_ok(time - $t0, '>=', 1.8, '... after streams.request_timeout_s');
}

# cancellation by the client: the call stops, no response is sent
{
    my $st = call_stream(13, 'test_sampling', { prompt => 'to be cancelled' });
    my $req = first_request($st);
    ok($req, 'a call waiting for the client');
    my $r = rpc($url, { jsonrpc => '2.0', method => 'notifications/cancelled', params => { requestId => 13, reason => 'user' } },
                session => $sid);
    is($r->{status}, 202, 'notifications/cancelled -> 202');
    my @ev = grep { $_->{json} } $st->events_until(sub { 0 }, timeout => 3);
    ok(!grep({ ($_->{json}{id} // '') eq '13' && !defined $_->{json}{method} } @ev), 'no response is sent for it');
    ok($st->eof, 'its stream ends');
}

# a cancellation while the call is streaming progress: nothing more is written after it
{
    my $st = McpSse->open('POST', $url, { mcp_headers(session => $sid, version => '2025-11-25') },
        $JSON->encode({ jsonrpc => '2.0', id => 15, method => 'tools/call',
                        params => { name => 'test_tool_with_progress', arguments => {}, _meta => { progressToken => 'c' } } }));
    my @first = $st->events_until(sub { ($_[0]{json}{method} // '') eq 'notifications/progress' }, timeout => 5);
    rpc($url, { jsonrpc => '2.0', method => 'notifications/cancelled', params => { requestId => 15 } }, session => $sid);
    my @rest = $st->events_until(sub { 0 }, timeout => 2);
    ok(!grep({ defined $_->{id} && $_->{id} eq '' } @first, @rest), 'no event with an empty id');
    ok(!grep({ ($_->{json}{id} // '') eq '15' } @rest), 'no response after the cancellation');
    cmp_ok(scalar(grep { $_->{json} } @rest), '<=', 1, 'at most the event already in flight follows it');
}

# the capability must be declared
{
    my ($plain) = initialize($url);
    my $r = rpc($url, { jsonrpc => '2.0', id => 14, method => 'tools/call',
                        params => { name => 'test_sampling', arguments => { prompt => 'x' } } }, session => $plain);
    ok($r->{json}{result}{isError}, 'no sampling capability: isError, nothing sent to the client');
}

$s->stop;
done_testing;
