#!/usr/bin/perl
# The official TypeScript SDK v2 client (@modelcontextprotocol/client, sdk-v2-client.mjs) against
# the mcp-fcgi stack over the 2026-07-28 revision (stateless; pinned, so server/discover instead of
# initialize): discover, tools/list, tools/call, error cases, the stateless wire, MRTR and
# subscriptions/listen. Tests named in sdk-v2-client-pending.txt are TODO tests. The TAP comes
# from the node script.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use McpStack;
use InteropTap;

my $node  = InteropTap::node_or_die('@modelcontextprotocol/client');
my $stack = InteropTap::start_stack(conf => 'conf/conformance.conf');
exit InteropTap::pass_through(
    stack   => $stack,
    cmd     => [$node, InteropTap::script('sdk-v2-client.mjs'), $stack->url],
    timeout => 60,    # the script stops itself after 30 s
);
