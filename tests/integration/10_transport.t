#!/usr/bin/perl
# Streamable HTTP rules on POST /mcp, through lighttpd: Accept, Content-Type, body limit,
# Origin, Host, MCP-Protocol-Version, methods, 202 for notifications.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use McpStack;
use McpHttp qw(request rpc initialize mcp_headers);

my $s = McpStack->start(conf_text => <<'CONF');
server: { sets = [ "conformance" ]; };
http: { max_body = 2048; };
CONF
my $url = $s->url;
my $ping = '{"jsonrpc":"2.0","id":7,"method":"ping"}';

sub rpc_error_is {
    my ($r, $status, $code, $name) = @_;
    is($r->{status}, $status, "$name: HTTP $status");
    is($r->{json}{jsonrpc}, '2.0', "$name: JSON-RPC error body") if $code;
    is($r->{json}{error}{code}, $code, "$name: code $code") if $code;
    ok(length($r->{json}{error}{message} // '') > 0, "$name: has a message") if $code;
}

my ($sid) = initialize($url);
ok($sid, 'initialize gives a session');

# Accept
for my $accept ('application/json', 'text/event-stream', '*/*', 'application/json;q=0, text/event-stream') {
    my $r = request('POST', $url, { 'Accept' => $accept, 'Content-Type' => 'application/json',
                                    'Mcp-Session-Id' => $sid }, $ping);
    rpc_error_is($r, 406, -32600, "Accept '$accept'");
}
{
    my $r = request('POST', $url, { 'Content-Type' => 'application/json', 'Mcp-Session-Id' => $sid }, $ping);
    rpc_error_is($r, 406, -32600, 'no Accept');
}
for my $accept ('text/event-stream, application/json', 'application/json ; q=0.9,text/event-stream;q=0.1',
                'TEXT/EVENT-STREAM, Application/JSON') {
    my $r = request('POST', $url, { 'Accept' => $accept, 'Content-Type' => 'application/json',
                                    'Mcp-Session-Id' => $sid }, $ping);
    is($r->{status}, 200, "Accept '$accept' is fine");
}

# Content-Type
for my $ct ('text/plain', 'application/json; charset=latin1', 'application/jsonx') {
    my $r = request('POST', $url, { mcp_headers(session => $sid), 'Content-Type' => $ct }, $ping);
    rpc_error_is($r, 415, -32600, "Content-Type '$ct'");
}
{
    my $r = request('POST', $url, { mcp_headers(session => $sid), 'Content-Type' => undef }, $ping);
    rpc_error_is($r, 415, -32600, 'no Content-Type');
    $r = request('POST', $url, { mcp_headers(session => $sid),
                                 'Content-Type' => 'Application/JSON; charset=UTF-8' }, $ping);
    is($r->{status}, 200, 'Content-Type with charset=UTF-8 is fine');
}

# Body limit: 413 before parsing, and the session is unharmed afterwards
{
    my $big = '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"' . ('x' x 3000) . '"}}';
    my $r = rpc($url, $big, session => $sid);
    rpc_error_is($r, 413, -32600, 'body over http.max_body');
    like($r->{json}{error}{message}, qr/2048/, '413 names the limit');
    my $bad = 'this is not json' . ('!' x 3000);
    $r = rpc($url, $bad, session => $sid);
    is($r->{status}, 413, 'oversized garbage is refused as too large, not parsed');
    $r = rpc($url, $ping, session => $sid);
    is($r->{status}, 200, 'session still works after 413');
}

# Origin
{
    my $r = rpc($url, $ping, session => $sid, headers => { Origin => 'http://evil.example.com' });
    rpc_error_is($r, 403, -32600, 'foreign Origin');
    $r = rpc($url, $ping, session => $sid, headers => { Origin => 'null' });
    rpc_error_is($r, 403, -32600, 'Origin null');
    my $port = $s->port;
    $r = rpc($url, $ping, session => $sid, headers => { Origin => "http://127.0.0.1:$port" });
    is($r->{status}, 200, 'same-host Origin is allowed');
    $r = rpc($url, $ping, session => $sid, headers => { Origin => "http://127.0.0.1:1" });
    is($r->{status}, 403, 'same host, other port is refused');
}

# Host (DNS rebinding defence on a loopback deployment)
{
    my $r = rpc($url, $ping, session => $sid, headers => { Host => 'evil.example.com' });
    rpc_error_is($r, 403, -32600, 'foreign Host on loopback');
    like($r->{json}{error}{message}, qr/Host/, 'message names the Host header');
    $r = rpc($url, $ping, session => $sid,
             headers => { Host => 'evil.example.com', Origin => 'http://evil.example.com' });
    is($r->{status}, 403, 'foreign Host + Origin refused (DNS rebinding)');
    my $port = $s->port;
    for my $h ("localhost:$port", "127.0.0.1:$port", 'localhost') {
        $r = rpc($url, $ping, session => $sid, headers => { Host => $h });
        is($r->{status}, 200, "Host '$h' allowed");
    }
    my ($sid2, $ri) = initialize($url, headers => { Host => 'evil.example.com' });
    is($ri->{status}, 403, 'initialize with foreign Host refused');
    ok(!$sid2, '... and mints no session');
}

# MCP-Protocol-Version
{
    my $r = rpc($url, $ping, session => $sid, version => '1999-01-01');
    rpc_error_is($r, 400, -32600, 'unsupported MCP-Protocol-Version');
    like($r->{json}{error}{message}, qr/1999-01-01/, 'message names the version');
    for my $v ('2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25') {
        $r = rpc($url, $ping, session => $sid, version => $v);
        is($r->{status}, 200, "MCP-Protocol-Version $v accepted");
    }
    $r = rpc($url, $ping, session => $sid);
    is($r->{status}, 200, 'missing MCP-Protocol-Version is accepted (2025-03-26 assumed)');
}

# Methods
{
    my $r = request('PUT', $url, { mcp_headers(session => $sid) }, $ping);
    is($r->{status}, 405, 'PUT answers 405');
    like($r->{headers}{allow} // '', qr/GET, POST, DELETE/, '405 carries Allow');
}

# 202 for notifications and responses only
{
    my $r = rpc($url, { jsonrpc => '2.0', method => 'notifications/initialized' }, session => $sid);
    is($r->{status}, 202, 'notification -> 202');
    is($r->{body}, '', '202 has no body');
    $r = rpc($url, { jsonrpc => '2.0', id => 99, result => {} }, session => $sid);
    is($r->{status}, 202, 'a response from the client -> 202');
    $r = rpc($url, $ping, session => $sid);
    is($r->{status}, 200, 'a request -> 200');
    like($r->{headers}{'content-type'}, qr{^application/json}, '... application/json');
}

# Other paths
{
    my $r = request('GET', $s->base . '/healthz');
    is($r->{status}, 200, '/healthz 200');
    is($r->{json}{status}, 'ok', '/healthz says ok');
    $r = request('GET', $s->base . '/readyz');
    is($r->{status}, 200, '/readyz 200 with sessiond up');
    $r = request('GET', $s->base . '/');
    is($r->{status}, 200, 'console page at /');
    like($r->{body}, qr{/mcp}, 'page names the endpoint');
}

$s->stop;
done_testing;
