#!/usr/bin/perl
# GET /mcp: the session's standalone stream, held by mcp-sessiond after the hand-off.
# Conflict on a second GET, heartbeats, resource update notifications, resumption with
# Last-Event-ID (exactly the missed events), unknown ids refused, DELETE ends the stream,
# and workers stay free while streams are open.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time sleep);
use McpStack;
use McpSse;
use McpHttp qw(request rpc initialize mcp_headers $JSON);

my $s = McpStack->start(conf_text => <<'CONF', workers => 1);
server: { sets = [ "conformance" ]; };
streams: { heartbeat_s = 1; replay_events = 64; };
CONF
my $url = $s->url;
my %get = (Accept => 'text/event-stream');

sub get_stream {
    my ($sid, %h) = @_;
    return McpSse->open('GET', $url, { %get, 'Mcp-Session-Id' => $sid, %h });
}

{
    my $r = request('GET', $url, { %get });
    is($r->{status}, 400, 'GET without a session -> 400');
    $r = request('GET', $url, { %get, 'Mcp-Session-Id' => '0' x 32 });
    is($r->{status}, 404, 'GET with an unknown session -> 404');
    my ($sid) = initialize($url);
    $r = request('GET', $url, { Accept => 'application/json', 'Mcp-Session-Id' => $sid });
    is($r->{status}, 406, 'GET without text/event-stream in Accept -> 406');
}

my ($sid) = initialize($url);
my $g = get_stream($sid);
is($g->status, 200, 'GET opens the standalone stream');
like($g->header('content-type'), qr{^text/event-stream}, '... text/event-stream');
is($g->header('cache-control'), 'no-cache', '... no-cache');
{
    my $r = request('GET', $url, { %get, 'Mcp-Session-Id' => $sid }, undef, timeout => 3);
    is($r->{status}, 409, 'a second GET for the same session -> 409');
}
# the only worker is free: POSTs are answered while the stream is open
{
    my $t0 = time;
    my $r = rpc($url, { jsonrpc => '2.0', id => 1, method => 'ping' }, session => $sid);
    is($r->{status}, 200, 'a POST is answered while the GET stream is open (one worker)');
    cmp_ok(time - $t0, '<', 1, '... promptly');
}
my @ev = $g->events_until(sub { @{ $_[0]{comments} } }, timeout => 3);
ok(grep({ @{ $_->{comments} } } @ev), 'a heartbeat comment arrives (streams.heartbeat_s = 1)');

# subscriptions: notifications/resources/updated on the GET stream
rpc($url, { jsonrpc => '2.0', id => 2, method => 'resources/subscribe', params => { uri => 'test://watched-resource' } },
    session => $sid);
my @upd = grep { ($_->{json}{method} // '') eq 'notifications/resources/updated' }
    $g->events_until(sub { ($_[0]{json}{method} // '') eq 'notifications/resources/updated' }, timeout => 8);
ok(@upd, 'notifications/resources/updated arrives for the subscribed resource');
is($upd[0]{json}{params}{uri}, 'test://watched-resource', '... naming it');
like($upd[0]{id} // '', qr/^0\.\d+$/, '... with an id of stream 0');
my $last = $upd[0]{id};

# the client drops the connection; updates go on; it resumes with Last-Event-ID
$g->close;
sleep 7;    # two or three more updates (every 3 s) happen meanwhile
my $g2 = get_stream($sid, 'Last-Event-ID' => $last);
is($g2->status, 200, 'GET with Last-Event-ID resumes');
my @missed = grep { $_->{json} } $g2->events_until(sub { 0 }, timeout => 1.5);
cmp_ok(scalar @missed, '>=', 2, scalar(@missed) . ' missed events replayed');
my ($ls) = $last =~ /\.(\d+)$/;
my @seqs = map { /\.(\d+)$/ ? $1 : -1 } map { $_->{id} } @missed;
is_deeply(\@seqs, [($ls + 1) .. ($ls + @seqs)], '... exactly the events after it, none twice, in order');
$g2->close;

{
    my $r = request('GET', $url, { %get, 'Mcp-Session-Id' => $sid, 'Last-Event-ID' => '0.999999' }, undef, timeout => 3);
    is($r->{status}, 400, 'an unknown Last-Event-ID -> 400');
    $r = request('GET', $url, { %get, 'Mcp-Session-Id' => $sid, 'Last-Event-ID' => 'garbage' }, undef, timeout => 3);
    is($r->{status}, 400, 'a malformed Last-Event-ID -> 400');
    my ($other) = initialize($url);
    $r = request('GET', $url, { %get, 'Mcp-Session-Id' => $other, 'Last-Event-ID' => $last }, undef, timeout => 3);
    is($r->{status}, 400, "another session's event id -> 400");
}

# DELETE ends the held stream
{
    # lighttpd notices a client that left at its next write (a heartbeat, 1 s here)
    my $g3;
    for (1 .. 30) { $g3 = get_stream($sid); last if $g3->status == 200; $g3->close; select undef, undef, undef, 0.2 }
    is($g3->status, 200, 'stream open again once the old connection is gone');
    my $r = request('DELETE', $url, { 'Mcp-Session-Id' => $sid });
    ok($r->{status} >= 200 && $r->{status} < 300, 'DELETE');
    ok($g3->wait_eof(timeout => 3), 'DELETE ends the held stream');
}

$s->stop;
done_testing;
