#!/usr/bin/perl
# Caps on streams held by mcp-sessiond: streams.per_session (429) and streams.max in total
# (503), each with a clear JSON-RPC error; a freed slot can be used again.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use McpStack;
use McpSse;
use McpHttp qw(request initialize mcp_headers);

my $s = McpStack->start(conf_text => <<'CONF', workers => 2);
server: { sets = [ "conformance" ]; };
streams: { max = 2; per_session = 1; heartbeat_s = 1; };
CONF
my $url = $s->url;
my %get = (Accept => 'text/event-stream');
my ($a) = initialize($url);
my ($b) = initialize($url);
my ($c) = initialize($url);
my $ga = McpSse->open('GET', $url, { %get, 'Mcp-Session-Id' => $a });
is($ga->status, 200, 'session a: GET stream held');

# per session: resuming one of a's POST streams would be its second held connection
my $post = McpSse->open('POST', $url, { mcp_headers(session => $a, version => '2025-11-25') },
    '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"test_reconnection","arguments":{}}}');
my $prime = $post->next_event(timeout => 5);
ok($prime && defined $prime->{id}, 'a polling POST stream, primed with ' . ($prime->{id} // '?'));
ok($post->wait_eof(timeout => 5), '... closed by the server mid-call');
my $st = McpSse->open('GET', $url, { %get, 'Mcp-Session-Id' => $a, 'Last-Event-ID' => $prime->{id} });
is($st->status, 429, 'resuming it while the GET stream is held -> 429 (streams.per_session = 1)');
$st->close;

# in total
my $gb = McpSse->open('GET', $url, { %get, 'Mcp-Session-Id' => $b });
is($gb->status, 200, 'session b: second stream');
my $r = request('GET', $url, { %get, 'Mcp-Session-Id' => $c }, undef, timeout => 3);
is($r->{status}, 503, 'session c: third stream over streams.max -> 503');
is($r->{json}{error}{code}, -32603, '... JSON-RPC error');
like($r->{json}{error}{message}, qr/stream limit/, '... saying why');

$gb->close;    # the client leaves; the next heartbeat lets the server notice
my $gc;
for (1 .. 30) {
    $gc = McpSse->open('GET', $url, { %get, 'Mcp-Session-Id' => $c });
    last if $gc->status == 200;
    $gc->close;
    select undef, undef, undef, 0.2;
}
is($gc->status, 200, 'a freed slot is used again');
$ga->close;
$gc->close;
$s->stop;
done_testing;
