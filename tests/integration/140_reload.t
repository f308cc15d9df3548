#!/usr/bin/perl
# Reloading the configuration (SIGHUP to mcp-sessiond; workers follow the changed file):
# when the tool, prompt and resource lists change, every open session gets the matching
# list_changed notification on its standalone stream, and the lists change.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use McpStack;
use McpSse;
use McpHttp qw(rpc initialize);

my $text = qq{server: { sets = [ "conformance" ]; };\nstreams: { heartbeat_s = 1; };\n};
my $s = McpStack->start(conf_text => $text, workers => 2);
my $url = $s->url;
my ($sid) = initialize($url);
my $g = McpSse->open('GET', $url, { Accept => 'text/event-stream', 'Mcp-Session-Id' => $sid });
is($g->status, 200, 'standalone stream open');
my $r = rpc($url, { jsonrpc => '2.0', id => 1, method => 'tools/list' }, session => $sid);
ok(@{ $r->{json}{result}{tools} } > 0, 'tools listed before the reload');

# the same file again: nothing changed, nothing announced
kill 'HUP', $s->pid('sessiond');
my @ev = grep { $_->{json} } $g->events_until(sub { 0 }, timeout => 1.5);
ok(!grep({ ($_->{json}{method} // '') =~ /list_changed/ } @ev), 'a reload without changes announces nothing');

open my $fh, '>', $s->dir . '/test.conf' or die;
print $fh qq{server: { sets = [ ]; };\nstreams: { heartbeat_s = 1; };\n};
close $fh;
kill 'HUP', $s->pid('sessiond');
my %got;
for my $e ($g->events_until(sub { $got{ $_[0]{json}{method} // '' }++; 3 == grep { $got{$_} }
        qw(notifications/tools/list_changed notifications/prompts/list_changed notifications/resources/list_changed) },
        timeout => 5)) { }
ok($got{'notifications/tools/list_changed'}, 'tools/list_changed announced');
ok($got{'notifications/prompts/list_changed'}, 'prompts/list_changed announced');
ok($got{'notifications/resources/list_changed'}, 'resources/list_changed announced');
$r = rpc($url, { jsonrpc => '2.0', id => 2, method => 'tools/list' }, session => $sid);
is($r->{json}{error}{code}, -32601, 'the workers serve the new configuration (no tools any more)');
$g->close;
$s->stop;
done_testing;
