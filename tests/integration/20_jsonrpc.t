#!/usr/bin/perl
# JSON-RPC 2.0 core through the real stack: parse errors, invalid envelopes, id echo,
# unknown methods and notifications, batches by negotiated version.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use McpStack;
use McpHttp qw(request rpc initialize);

my $s = McpStack->start(conf => 'conf/conformance.conf');
my $url = $s->url;
my ($sid) = initialize($url);
ok($sid, 'session');

# parse errors: 400, -32700, id null
for my $body ('{', '{"jsonrpc":"2.0","id":1,"method":"ping"} x', "\x{ff}\x{fe}", 'nul', '') {
    my $r = rpc($url, $body, session => $sid);
    is($r->{status}, 400, "unparsable body -> 400");
    is($r->{json}{error}{code}, -32700, '... -32700');
    ok(exists $r->{json}{id} && !defined $r->{json}{id}, '... id null');
}
{
    my $r = rpc($url, '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"s":"' . "\xc3\x28" . '"}}', session => $sid);
    is($r->{json}{error}{code}, -32700, 'invalid UTF-8 -> -32700');
    my $deep = ('[' x 200) . (']' x 200);
    $r = rpc($url, '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":' . $deep . '}}', session => $sid);
    is($r->{json}{error}{code}, -32700, 'nesting beyond http.max_json_depth -> -32700');
}

# invalid envelopes: 400, -32600, id echoed when readable
my @invalid = (
    ['{"id":1,"method":"ping"}', 1, 'missing jsonrpc'],
    ['{"jsonrpc":"1.0","id":"a","method":"ping"}', 'a', 'jsonrpc 1.0'],
    ['{"jsonrpc":"2.0","id":null,"method":"ping"}', undef, 'id null'],
    ['{"jsonrpc":"2.0","id":1.5,"method":"ping"}', undef, 'id float'],
    ['{"jsonrpc":"2.0","id":{},"method":"ping"}', undef, 'id object'],
    ['{"jsonrpc":"2.0","id":3,"method":5}', 3, 'method not a string'],
    ['{"jsonrpc":"2.0","id":4,"method":"ping","params":[1]}', 4, 'params array'],
    ['{"jsonrpc":"2.0","id":5}', 5, 'neither method nor result'],
    ['{"jsonrpc":"2.0","id":6,"result":{},"error":{"code":1,"message":"x"}}', 6, 'result and error'],
    ['42', undef, 'a number'],
    ['"ping"', undef, 'a string'],
);
for my $t (@invalid) {
    my ($body, $id, $name) = @$t;
    my $r = rpc($url, $body, session => $sid);
    is($r->{status}, 400, "$name -> 400");
    is($r->{json}{error}{code}, -32600, "$name -> -32600");
    is_deeply($r->{json}{id}, $id, "$name -> id " . ($id // 'null'));
}

# ids echoed exactly
for my $id (0, -5, 9007199254740993, 'abc', '', "\x{e9}t\x{e9}", '1') {
    my $r = rpc($url, { jsonrpc => '2.0', id => $id, method => 'ping' }, session => $sid);
    is($r->{status}, 200, "ping id " . (length $id ? $id : "''") . ' -> 200');
    is_deeply($r->{json}{id}, $id, '... id echoed exactly');
    is_deeply($r->{json}{result}, {}, '... result {}');
}
{
    my $r = rpc($url, '{"jsonrpc":"2.0","id":"1","method":"ping"}', session => $sid);
    like($r->{body}, qr/"id":"1"/, 'string id "1" stays a string');
    $r = rpc($url, '{"jsonrpc":"2.0","id":1,"method":"ping"}', session => $sid);
    like($r->{body}, qr/"id":1[,}]/, 'integer id 1 stays an integer');
}

# unknown methods and notifications
{
    my $r = rpc($url, { jsonrpc => '2.0', id => 11, method => 'no/such' }, session => $sid);
    is($r->{status}, 200, 'unknown method -> 200 with an error');
    is($r->{json}{error}{code}, -32601, '... -32601');
    is($r->{json}{id}, 11, '... id echoed');
    like($r->{json}{error}{message}, qr{no/such}, '... names the method');
    $r = rpc($url, { jsonrpc => '2.0', method => 'notifications/no-such' }, session => $sid);
    is($r->{status}, 202, 'unknown notification ignored -> 202');
    is($r->{body}, '', '... no body');
}

# batches: only for 2025-03-26 sessions
{
    my $batch = [
        { jsonrpc => '2.0', id => 1, method => 'ping' },
        { jsonrpc => '2.0', method => 'notifications/initialized' },
        { jsonrpc => '2.0', id => 'two', method => 'no/such' },
        { jsonrpc => '2.0', id => 3, method => 'initialize', params => {} },
        { id => 4 },
    ];
    my $r = rpc($url, $batch, session => $sid);
    is($r->{status}, 400, 'batch from a 2025-11-25 session -> 400');
    is($r->{json}{error}{code}, -32600, '... -32600');
    like($r->{json}{error}{message}, qr/2025-03-26/, '... says which version allows batches');

    my ($old) = initialize($url, version => '2025-03-26');
    $r = rpc($url, $batch, session => $old);
    is($r->{status}, 200, 'batch from a 2025-03-26 session -> 200');
    my @out = @{ $r->{json} || [] };
    is(scalar @out, 4, 'one response per request (notification gets none)');
    is_deeply($out[0], { jsonrpc => '2.0', id => 1, result => {} }, 'ping answered');
    is($out[1]{error}{code}, -32601, 'unknown method in batch -> -32601');
    is($out[1]{id}, 'two', '... with its id');
    is($out[2]{error}{code}, -32600, 'initialize in a batch -> -32600');
    is($out[3]{error}{code}, -32600, 'invalid member -> -32600');
    is($out[3]{id}, 4, '... with its id');

    $r = rpc($url, [{ jsonrpc => '2.0', method => 'notifications/initialized' }], session => $old);
    is($r->{status}, 202, 'batch of notifications only -> 202');
    $r = rpc($url, [], session => $old);
    is($r->{status}, 400, 'empty batch -> 400');
    is($r->{json}{error}{code}, -32600, '... -32600');
    $r = rpc($url, [{ jsonrpc => '2.0', id => 1, method => 'ping' }]);
    is($r->{status}, 400, 'batch without a session -> 400');
}

$s->stop;
done_testing;
