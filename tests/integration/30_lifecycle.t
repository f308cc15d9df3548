#!/usr/bin/perl
# Lifecycle: initialize with version negotiation, serverInfo, capabilities, instructions,
# notifications/initialized, ping at any time.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use McpStack;
use McpHttp qw(rpc initialize);

my $s = McpStack->start(conf_text => <<'CONF');
server: {
  name = "lifecycle-test"; title = "Lifecycle Test";
  instructions = "Use the test tools.";
  sets = [ "conformance" ];
};
CONF
my $url = $s->url;

for my $v ('2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25') {
    my ($sid, $r) = initialize($url, version => $v);
    is($r->{status}, 200, "initialize $v -> 200");
    ok($sid, "... Mcp-Session-Id issued");
    my $res = $r->{json}{result};
    is($res->{protocolVersion}, $v, "... answers the client's version $v");
    is($res->{serverInfo}{name}, 'lifecycle-test', '... serverInfo.name from the config');
    like($res->{serverInfo}{version}, qr/^\d+\.\d+\.\d+$/, '... serverInfo.version');
    if ($v ge '2025-06-18') { is($res->{serverInfo}{title}, 'Lifecycle Test', '... title (2025-06-18+)') }
    else { ok(!exists $res->{serverInfo}{title}, '... no title before 2025-06-18') }
    if ($v ge '2025-03-26') { is($res->{instructions}, 'Use the test tools.', '... instructions') }
    else { ok(!exists $res->{instructions}, '... no instructions in 2024-11-05') }
    my $caps = $res->{capabilities};
    ok($caps->{tools} && $caps->{resources} && $caps->{prompts} && $caps->{logging},
       '... advertises tools, resources, prompts, logging');
    if ($v ge '2025-03-26') { ok($caps->{completions}, '... completions (2025-03-26+)') }
    else { ok(!$caps->{completions}, '... no completions capability in 2024-11-05') }
    ok($caps->{tools}{listChanged} && $caps->{prompts}{listChanged} && $caps->{resources}{listChanged},
       '... listChanged (announced on reload)');
}
for my $v ('2024-10-07', '2099-01-01', 'banana') {
    my ($sid, $r) = initialize($url, version => $v);
    is($r->{status}, 200, "initialize '$v' -> 200");
    is($r->{json}{result}{protocolVersion}, '2025-11-25', '... answers our newest version');
}

# bad initialize params
for my $t ([{}, 'no protocolVersion'],
           [{ protocolVersion => 5 }, 'protocolVersion not a string'],
           [{ protocolVersion => '2025-11-25', capabilities => [] }, 'capabilities not an object'],
           [{ protocolVersion => '2025-11-25', clientInfo => 'x' }, 'clientInfo not an object']) {
    my $r = rpc($url, { jsonrpc => '2.0', id => 'i', method => 'initialize', params => $t->[0] });
    is($r->{json}{error}{code}, -32602, "initialize with $t->[1] -> -32602");
    is($r->{json}{id}, 'i', '... id echoed');
    ok(!$r->{headers}{'mcp-session-id'}, '... no session minted');
}

# initialized notification, ping before and after
{
    my ($sid) = initialize($url);
    my $r = rpc($url, { jsonrpc => '2.0', id => 1, method => 'ping' }, session => $sid);
    is_deeply($r->{json}{result}, {}, 'ping before initialized -> {}');
    $r = rpc($url, { jsonrpc => '2.0', method => 'notifications/initialized' }, session => $sid);
    is($r->{status}, 202, 'notifications/initialized -> 202');
    $r = rpc($url, { jsonrpc => '2.0', id => 2, method => 'ping' }, session => $sid);
    is($r->{body}, qq({"jsonrpc":"2.0","id":2,"result":{}}\n), 'ping -> exactly {}');
    $r = rpc($url, { jsonrpc => '2.0', id => 3, method => 'logging/setLevel', params => { level => 'debug' } },
             session => $sid);
    is($r->{body}, qq({"jsonrpc":"2.0","id":3,"result":{}}\n), 'logging/setLevel -> exactly {}');
    for my $bad ('verbose', '', undef) {
        $r = rpc($url, { jsonrpc => '2.0', id => 4, method => 'logging/setLevel', params => { level => $bad } },
                 session => $sid);
        is($r->{json}{error}{code}, -32602, 'logging/setLevel with an invalid level -> -32602');
    }
}

# a server without feature sets advertises only logging and answers -32601 for the rest
{
    my $bare = McpStack->start(conf_text => "server: { sets = [ ]; };\n");
    my ($sid, $r) = initialize($bare->url);
    is_deeply($r->{json}{result}{capabilities}, { logging => {} }, 'no sets: only logging advertised');
    for my $m ('tools/list', 'resources/list', 'prompts/list', 'completion/complete', 'resources/subscribe') {
        $r = rpc($bare->url, { jsonrpc => '2.0', id => 1, method => $m, params => { uri => 'x' } }, session => $sid);
        is($r->{json}{error}{code}, -32601, "no sets: $m -> -32601 (capability not advertised)");
    }
    $bare->stop;
}

$s->stop;
done_testing;
