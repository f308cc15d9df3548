#!/usr/bin/perl
# Sessions held by mcp-sessiond: id format, required header, unknown id, DELETE, principal
# binding (REMOTE_USER from lighttpd's mod_auth), idle expiry, the session cap, and workers
# answering 503 quickly while sessiond is down or stalled, then recovering by themselves.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time sleep);
use McpStack;
use McpHttp qw(request rpc initialize);

my $ping = { jsonrpc => '2.0', id => 1, method => 'ping' };

{
    my $s = McpStack->start(conf => 'conf/conformance.conf');
    my $url = $s->url;
    my ($sid, $r) = initialize($url);
    like($sid, qr/^[\x21-\x7e]+$/, 'session id is visible ASCII');
    cmp_ok(length $sid, '>=', 32, 'session id carries at least 128 bits (32 hex digits)');
    my ($sid2) = initialize($url);
    isnt($sid2, $sid, 'each initialize mints a new id');

    $r = rpc($url, { jsonrpc => '2.0', id => 77, method => 'ping' });
    is($r->{json}{id}, 77, '400 for a missing session echoes the request id');
    $r = rpc($url, { jsonrpc => '2.0', id => 'x7', method => 'ping' }, session => '0' x 32);
    is($r->{json}{id}, 'x7', '404 for an unknown session echoes the request id');
    $r = rpc($url, $ping);
    is($r->{status}, 400, 'request without Mcp-Session-Id -> 400');
    is($r->{json}{error}{code}, -32600, '... JSON-RPC error');
    like($r->{json}{error}{message}, qr/Mcp-Session-Id/, '... names the header');
    $r = rpc($url, { jsonrpc => '2.0', method => 'notifications/initialized' });
    is($r->{status}, 400, 'notification without a session -> 400');

    for my $bad ('0' x 32, 'not-a-session', "a b") {
        $r = rpc($url, $ping, session => $bad);
        is($r->{status}, 404, "unknown session id '$bad' -> 404");
    }

    $r = rpc($url, $ping, session => $sid);
    is($r->{status}, 200, 'known session -> 200');
    $r = request('DELETE', $url, { 'Mcp-Session-Id' => $sid });
    ok($r->{status} >= 200 && $r->{status} < 300, "DELETE -> 2xx ($r->{status})");
    $r = rpc($url, $ping, session => $sid);
    is($r->{status}, 404, 'request on the deleted session -> 404');
    $r = request('DELETE', $url, { 'Mcp-Session-Id' => $sid });
    is($r->{status}, 404, 'DELETE again -> 404');
    $r = request('DELETE', $url, {});
    is($r->{status}, 400, 'DELETE without a session id -> 400');
    $r = rpc($url, $ping, session => $sid2);
    is($r->{status}, 200, 'the other session is untouched');

    # sessiond stalled: 503 within about a second, never a hang; then recovery
    my $pid = $s->pid('sessiond');
    ok($pid && kill('STOP', $pid), 'sessiond stopped (SIGSTOP)');
    my $t0 = time;
    $r = rpc($url, $ping, session => $sid2);
    my $dt = time - $t0;
    is($r->{status}, 503, 'sessiond stalled -> 503');
    is($r->{json}{error}{code}, -32603, '... JSON-RPC error');
    cmp_ok($dt, '<', 1.5, sprintf('... answered in %.2fs (bound: sessiond.timeout_ms)', $dt));
    $r = request('GET', $s->base . '/readyz');
    is($r->{status}, 503, '/readyz says 503 while sessiond does not answer');
    $r = rpc($url, { jsonrpc => '2.0', method => 'notifications/initialized' }, session => $sid2);
    is($r->{status}, 503, 'a notification that cannot be recorded -> 503, not 202');
    $r = rpc($url, { jsonrpc => '2.0', id => 'q', method => 'ping' }, session => $sid2);
    is($r->{json}{id}, 'q', '503 echoes the request id');
    kill 'CONT', $pid;
    my $ok = 0;
    for (1 .. 50) { $r = rpc($url, $ping, session => $sid2); if ($r->{status} == 200) { $ok = 1; last } sleep 0.1 }
    ok($ok, 'workers recover once sessiond answers again (same session)');
    like($s->log('workers'), qr/sessiond unavailable: \w+ failed waiting for the reply \(timeout after \d+ ms/,
         'the worker logged why it answered 503');
    like($s->log('workers'), qr/sessiond answers again/, '... and that sessiond recovered');

    # sessiond dead: 503 at once; mcp-stack restarts it; sessions are gone -> 404, new ones work
    $s->expect_exits;
    kill 'KILL', $pid;
    sleep 0.1;
    $t0 = time;
    $r = rpc($url, $ping, session => $sid2);
    $dt = time - $t0;
    is($r->{status}, 503, 'sessiond down -> 503');
    cmp_ok($dt, '<', 1.0, sprintf('... answered in %.2fs', $dt));
    my $new;
    for (1 .. 60) { ($new) = initialize($url); last if $new; sleep 0.1 }
    ok($new, 'after sessiond is back, initialize works again without restarting workers');
    $r = rpc($url, $ping, session => $new);
    is($r->{status}, 200, '... and the new session answers');
    $s->stop;
}

# principal binding: REMOTE_USER set by lighttpd's mod_auth
{
    my $s = McpStack->start(conf => 'conf/conformance.conf', auth => ['/mcp']);
    my $url = $s->url;
    my %alice = McpStack::basic_auth('alice');
    my %bob = McpStack::basic_auth('bob');
    my $r = rpc($url, $ping);
    is($r->{status}, 401, 'lighttpd asks for credentials');
    my ($sid) = initialize($url, headers => \%alice);
    ok($sid, 'alice initializes');
    $r = rpc($url, $ping, session => $sid, headers => \%alice);
    is($r->{status}, 200, "alice uses her session");
    $r = rpc($url, $ping, session => $sid, headers => \%bob);
    is($r->{status}, 404, "bob presenting alice's session id -> 404, as for an unknown id");
    $r = request('DELETE', $url, { 'Mcp-Session-Id' => $sid, %bob });
    is($r->{status}, 404, "bob cannot DELETE alice's session");
    $r = rpc($url, $ping, session => $sid, headers => \%alice);
    is($r->{status}, 200, "alice's session survives");
    $s->stop;
}

# idle expiry and the session cap
{
    my $s = McpStack->start(conf_text => <<'CONF');
server: { sets = [ "conformance" ]; };
sessions: { idle_timeout = 1; max = 2; };
CONF
    my $url = $s->url;
    my ($a) = initialize($url);
    my ($b) = initialize($url);
    ok($a && $b, 'two sessions');
    my ($c, $r) = initialize($url, );
    is($r->{status}, 503, 'third session over sessions.max -> 503');
    is($r->{json}{error}{code}, -32603, '... JSON-RPC error');
    like($r->{json}{error}{message}, qr/limit/i, '... says the limit is reached');
    ok(!$c, '... and no id');
    sleep 2.2;
    $r = rpc($url, $ping, session => $a);
    is($r->{status}, 404, 'idle session expired -> 404');
    ($c, $r) = initialize($url);
    ok($c, 'expired sessions free their slots');
    $s->stop;
}

done_testing;
