#!/usr/bin/perl
# The 2024-11-05 HTTP+SSE transport: GET /sse (held by mcp-sessiond) whose first event names
# the POST endpoint; POST /messages answers 202 and the JSON-RPC answer travels on the stream
# as "event: message"; bad JSON -> 400; unknown session -> 404; POST /sse -> 405; the session
# ends with its stream.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use McpStack;
use McpSse;
use McpHttp qw(request $JSON);

# heartbeat_s = 1: lighttpd notices a client that left only when it next writes to it
my $s = McpStack->start(conf_text => qq{server: { sets = [ "conformance" ]; };\nstreams: { heartbeat_s = 1; };\n},
                        workers => 2);
my $base = $s->base;

{
    my $r = request('POST', "$base/sse", { 'Content-Type' => 'application/json', Accept => 'application/json, text/event-stream' },
                    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}');
    is($r->{status}, 405, 'POST /sse with JSON-RPC -> 405 (dual-transport clients fall back to GET)');
}

my $st = McpSse->open('GET', "$base/sse", { Accept => 'text/event-stream' });
is($st->status, 200, 'GET /sse opens the stream');
like($st->header('content-type'), qr{^text/event-stream}, '... text/event-stream');
my $ep = $st->next_event(timeout => 5);
is($ep->{event}, 'endpoint', 'the first event is "endpoint"');
like($ep->{data} // '', qr{^/messages\?session_id=[0-9a-f]{32}$}, '... with a relative /messages?session_id=<id>');
my $post_url = $base . $ep->{data};

sub post {
    my ($body, %h) = @_;
    return request('POST', $post_url, { 'Content-Type' => 'application/json', %h }, ref $body ? $JSON->encode($body) : $body);
}
sub next_message {
    my @ev = $st->events_until(sub { ($_[0]{event} // '') eq 'message' }, timeout => 5);
    return $ev[-1] && ($ev[-1]{event} // '') eq 'message' ? $ev[-1] : undef;
}

my $r = post({ jsonrpc => '2.0', id => 1, method => 'initialize',
               params => { protocolVersion => '2024-11-05', capabilities => {}, clientInfo => { name => 't', version => '1' } } });
is($r->{status}, 202, 'POST /messages initialize -> 202');
my $m = next_message();
ok($m, 'the answer arrives on the stream as event: message');
is($m->{json}{id}, 1, '... for the request');
is($m->{json}{result}{protocolVersion}, '2024-11-05', '... negotiating 2024-11-05');
is(post({ jsonrpc => '2.0', method => 'notifications/initialized' })->{status}, 202, 'initialized -> 202');
$r = post({ jsonrpc => '2.0', id => 2, method => 'tools/call', params => { name => 'test_simple_text', arguments => {} } });
is($r->{status}, 202, 'tools/call -> 202');
$m = next_message();
is($m->{json}{result}{content}[0]{text}, 'This is a simple text response for testing.', 'tool result on the stream');
$r = post({ jsonrpc => '2.0', id => 3, method => 'tools/call', params => { name => 'test_audio_content', arguments => {} } });
$m = next_message();
ok(!grep({ $_->{type} eq 'audio' } @{ $m->{json}{result}{content} }), '2024-11-05 shapes: no audio block');

is(post('{"jsonrpc":')->{status}, 400, 'malformed JSON -> 400');
is(post('{"jsonrpc":"2.0","id":9}')->{status}, 400, 'invalid JSON-RPC -> 400');
is(post({ jsonrpc => '2.0', id => 4, method => 'ping' }, 'Content-Type' => 'text/plain')->{status}, 415, 'wrong content type -> 415');
{
    my $bad = request('POST', "$base/messages?session_id=" . ('0' x 32), { 'Content-Type' => 'application/json' },
                      '{"jsonrpc":"2.0","id":5,"method":"ping"}');
    is($bad->{status}, 404, 'unknown session -> 404');
    $bad = request('POST', "$base/messages", { 'Content-Type' => 'application/json' }, '{"jsonrpc":"2.0","id":5,"method":"ping"}');
    is($bad->{status}, 400, 'no session_id -> 400');
    # the two transports do not share sessions
    my ($sid2) = McpHttp::initialize($s->url);
    ok($sid2, 'a Streamable HTTP session');
    $bad = request('POST', "$base/messages?session_id=$sid2", { 'Content-Type' => 'application/json' },
                   '{"jsonrpc":"2.0","id":5,"method":"ping"}');
    is($bad->{status}, 404, 'its id on POST /messages -> 404 (it has no /sse stream)');
    my ($legacy_sid) = $ep->{data} =~ /session_id=([0-9a-f]+)/;
    $bad = McpHttp::rpc($s->url, { jsonrpc => '2.0', id => 6, method => 'ping' }, session => $legacy_sid);
    is($bad->{status}, 404, 'the /sse session id on POST /mcp -> 404');
    is(post({ jsonrpc => '2.0', id => 7, method => 'ping' })->{status}, 202, 'the /sse session still works on /messages');
}

$st->close;
my $gone = 0;
for (1 .. 30) { if (post({ jsonrpc => '2.0', id => 6, method => 'ping' })->{status} == 404) { $gone = 1; last } select undef, undef, undef, 0.2 }
ok($gone, 'the session ends when its stream closes (POST /messages -> 404)');

$s->stop;
done_testing;
