#!/usr/bin/perl
# The README's curl session, run as written against a real stack (only the port differs).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use McpStack;

open my $fh, '<', 'README.md' or die "README.md: $!";
my $readme = do { local $/; <$fh> };
my ($block) = $readme =~ /<!-- curl-session -->\s*```sh\n(.*?)```\s*<!-- \/curl-session -->/s;
ok($block, 'README has the marked curl session') or BAIL_OUT('no curl session in README');
my $s = McpStack->start(conf => 'conf/mcp.conf');
my $port = $s->port;
(my $script = $block) =~ s{http://127\.0\.0\.1:8080/mcp}{http://127.0.0.1:$port/mcp}g;
isnt($script, $block, 'the session names the demo URL');
my $out;
open my $sh, '-|', 'bash', '-c', "set -e\n$script" or die;
$out = do { local $/; <$sh> };
close $sh;
is($?, 0, 'the session runs without error') or diag $out;
like($out, qr/"protocolVersion":"2025-11-25"/, 'initialize answered');
like($out, qr/^202$/m, 'notifications/initialized -> 202');
like($out, qr/"tools":\[/, 'tools/list answered');
like($out, qr/This is a simple text response for testing\./, 'tools/call answered');
like($out, qr/^204$/m, 'DELETE -> 204');
like($out, qr/"error":\{"code":-32600,"message":"Session not found[^\n]*\n404$/m,
     'the ended session answers 404 with a JSON-RPC error');

# the 2026-07-28 session
my ($stateless) = $readme =~ /<!-- curl-stateless -->\s*```sh\n(.*?)```\s*<!-- \/curl-stateless -->/s;
ok($stateless, 'README has the marked 2026-07-28 curl session');
(my $script2 = $stateless // '') =~ s{http://127\.0\.0\.1:8080/mcp}{http://127.0.0.1:$port/mcp}g;
open $sh, '-|', 'bash', '-c', "set -e\n$script2" or die;
$out = do { local $/; <$sh> };
close $sh;
is($?, 0, 'the 2026-07-28 session runs without error') or diag $out;
like($out, qr/"supportedVersions":\["2026-07-28"/, 'server/discover answered');
like($out, qr/"id":2,"result":\{"content":\[\{"type":"text","text":"This is a simple text response for testing\."/,
     'tools/call answered without a session');
like($out, qr/"id":3,"result":\{"resultType":"input_required".*"requestState":"/, 'round 1: input_required with a requestState');
like($out, qr/"id":4,"result":\{.*state-ok/, 'round 2: the tool completes with its state');
$s->stop;
done_testing;
