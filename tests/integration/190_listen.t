#!/usr/bin/perl
# subscriptions/listen (2026-07-28) through the real stack: the POST is handed to mcp-sessiond,
# the acknowledgement comes first, every notification carries the subscriptionId, only the
# kinds asked for are sent (list changes on reload, resources/updated of subscribed URIs), a
# client closing its stream ends the subscription, shutdown sends the final response first.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use McpStack;
use McpSse;
use McpHttp qw(request $JSON);

my $V = '2026-07-28';
my $conf = qq{server: { sets = [ "conformance" ]; };\nstreams: { heartbeat_s = 1; max = 6; };\n};
my $s = McpStack->start(conf_text => $conf, workers => 2);
my $url = $s->url;
my %H = ('Accept' => 'application/json, text/event-stream', 'Content-Type' => 'application/json',
         'MCP-Protocol-Version' => $V, 'Mcp-Method' => 'subscriptions/listen');
sub meta { +{ 'io.modelcontextprotocol/protocolVersion' => $V, 'io.modelcontextprotocol/clientCapabilities' => {} } }

sub listen_open {
    my ($id, $notifications) = @_;
    my $body = $JSON->encode({ jsonrpc => '2.0', id => $id, method => 'subscriptions/listen',
                               params => { _meta => meta(), notifications => $notifications } });
    return McpSse->open('POST', $url, \%H, $body);
}
sub notes_until {
    my ($l, $want, $timeout) = @_;
    my @got;
    $l->events_until(sub { push @got, $_[0]{json} if $_[0]{json}; $want && ($_[0]{json}{method} // '') eq $want },
                     timeout => $timeout);
    return @got;
}
sub sid_of { $_[0]{params}{_meta}{'io.modelcontextprotocol/subscriptionId'} }

# ---- acknowledgement, tagging -------------------------------------------------------------------
my $tools = listen_open('t-1', { toolsListChanged => JSON::PP::true });
is($tools->status, 200, 'listen: 200');
like($tools->header('content-type'), qr{text/event-stream}, 'listen: SSE');
is($tools->header('x-accel-buffering'), 'no', 'listen: X-Accel-Buffering: no');
my $ack = $tools->next_event(timeout => 5);
is($ack->{json}{method}, 'notifications/subscriptions/acknowledged', 'the acknowledgement comes first');
is(sid_of($ack->{json}), 't-1', '... with the listen request id as subscriptionId');
is_deeply($ack->{json}{params}{notifications}, { toolsListChanged => JSON::PP::true }, '... and the honoured filters');
ok(!defined $ack->{id}, '... without an SSE event id (no resumption in 2026-07-28)');

my $prompts = listen_open(42, { promptsListChanged => JSON::PP::true, toolsListChanged => JSON::PP::false });
is(sid_of($prompts->next_event(timeout => 5)->{json}), 42, 'an integer id as subscriptionId');
my $watch = listen_open('w', { resourceSubscriptions => ['test://watched-resource'] });
is_deeply($watch->next_event(timeout => 5)->{json}{params}{notifications},
          { resourceSubscriptions => ['test://watched-resource'] }, 'a resource subscription acknowledged');
my $other = listen_open('o', { resourceSubscriptions => ['test://static-text'] });
$other->next_event(timeout => 5);

# ---- resources/updated only to the subscribers of that uri --------------------------------------
my @w = notes_until($watch, 'notifications/resources/updated', 8);
my ($upd) = grep { ($_->{method} // '') eq 'notifications/resources/updated' } @w;
ok($upd, 'resources/updated reaches the stream subscribed to test://watched-resource');
is($upd->{params}{uri}, 'test://watched-resource', '... for that uri');
is(sid_of($upd), 'w', '... tagged with its subscriptionId');
my @o = notes_until($other, undef, 1);
ok(!grep({ ($_->{method} // '') eq 'notifications/resources/updated' } @o), 'not to a stream subscribed to another uri');

# ---- list changes on reload, filtered --------------------------------------------------------------
open my $fh, '>', $s->dir . '/test.conf' or die;
print $fh qq{server: { sets = [ ]; };\nstreams: { heartbeat_s = 1; max = 6; };\n};
close $fh;
kill 'HUP', $s->pid('sessiond');
my @t = notes_until($tools, 'notifications/tools/list_changed', 5);
my ($tc) = grep { ($_->{method} // '') eq 'notifications/tools/list_changed' } @t;
ok($tc, 'tools/list_changed reaches the tools stream');
is(sid_of($tc), 't-1', '... tagged');
ok(!grep({ ($_->{method} // '') =~ m{^notifications/(prompts|resources)/list_changed} } @t),
   '... and nothing it did not ask for');
my @p = notes_until($prompts, 'notifications/prompts/list_changed', 5);
ok(grep({ ($_->{method} // '') eq 'notifications/prompts/list_changed' } @p), 'prompts/list_changed reaches the prompts stream');
ok(!grep({ ($_->{method} // '') eq 'notifications/tools/list_changed' } @p), '... the prompts-only stream gets no tools/list_changed');
ok(!grep({ ($_->{method} // '') =~ /progress|message/ } @p, @t), 'no progress or log messages on listen streams');

# ---- a client closing its stream ends the subscription ---------------------------------------
sub listeners_at_reload {
    my ($sets) = @_;
    open my $f, '>', $s->dir . '/test.conf' or die;
    print $f qq{server: { sets = [ $sets ]; };\nstreams: { heartbeat_s = 1; max = 6; };\n};
    close $f;
    my $before = () = $s->log('sessiond') =~ /listen stream/g;
    kill 'HUP', $s->pid('sessiond');
    for (1 .. 50) {
        my @all = $s->log('sessiond') =~ /to (\d+) listen stream/g;
        return $all[-1] if @all > $before;
        select(undef, undef, undef, 0.1);
    }
    return undef;
}
$other->close;
$watch->close;
select(undef, undef, undef, 1.5); # the heartbeat (1 s) finds the closed connections
is(listeners_at_reload('"conformance"'), 2, 'closed listen streams are gone (2 remain)');

# ---- bad requests, caps -----------------------------------------------------------------------------
{
    my $r = request('POST', $url, \%H, $JSON->encode({ jsonrpc => '2.0', id => 'bad', method => 'subscriptions/listen',
        params => { _meta => meta(), notifications => { toolsListChanged => 'yes' } } }));
    is($r->{status}, 400, 'a non-boolean filter -> 400');
    is($r->{json}{error}{code}, -32602, '... -32602');
    is($r->{json}{id}, 'bad', '... id echoed');
    $r = request('POST', $url, \%H, $JSON->encode({ jsonrpc => '2.0', id => 'n', method => 'subscriptions/listen',
        params => { _meta => meta() } }));
    is($r->{json}{error}{code}, -32602, 'no notifications object -> -32602');
    $r = request('POST', $url, \%H, $JSON->encode({ jsonrpc => '2.0', id => 'u', method => 'subscriptions/listen',
        params => { _meta => meta(), notifications => { resourceSubscriptions => [ ('test://x') x 65 ] } } }));
    is($r->{json}{error}{code}, -32602, 'more than 64 resource subscriptions -> -32602');
    $r = request('POST', $url, \%H, $JSON->encode({ jsonrpc => '2.0', id => 'i' x 300, method => 'subscriptions/listen',
        params => { _meta => meta(), notifications => { toolsListChanged => JSON::PP::true } } }));
    is($r->{status}, 400, 'a listen id over 255 bytes -> 400 (it becomes the subscriptionId)');
    is($r->{json}{error}{code}, -32602, '... -32602');
    $r = request('POST', $url, \%H, $JSON->encode({ jsonrpc => '2.0', id => 'z', method => 'subscriptions/listen',
        params => { _meta => meta(), notifications => { resourceSubscriptions => [ "test://a\x{0}b" ] } } }));
    is($r->{json}{error}{code}, -32602, 'a URI with NUL -> -32602');
    $r = request('POST', $url, \%H, $JSON->encode({ jsonrpc => '2.0', id => 'big', method => 'subscriptions/listen',
        params => { _meta => meta(), notifications => { resourceSubscriptions => [ map { 'test://' . ('x' x 1900) . $_ } 1 .. 40 ] } } }));
    is($r->{status}, 400, '40 URIs of 1.9 KB (over the 48 KB budget) -> 400, not 500');
    is($r->{json}{error}{code}, -32602, '... -32602');
    my @more = map { listen_open("m$_", { toolsListChanged => JSON::PP::true }) } 1 .. 5;
    is($more[0]->status, 200, "a listen stream below streams.max opens");
    is($more[-1]->status, 503, "streams.max reached -> 503");
    $_->close for @more;
}

# ---- shutdown: the final response first ---------------------------------------------------------
$s->expect_exits;
kill 'TERM', $s->pid('sessiond');
my @end = notes_until($tools, undef, 5);
my ($final) = grep { exists $_->{result} } @end;
ok($final, 'on shutdown the stream gets the final response');
is($final->{id}, 't-1', '... for the listen request');
is($final->{result}{resultType}, 'complete', '... resultType complete');
is($final->{result}{_meta}{'io.modelcontextprotocol/subscriptionId'}, 't-1', '... with its subscriptionId');
ok($tools->eof, '... and then the stream ends');
$tools->close;
$prompts->close;

$s->stop;
done_testing;
