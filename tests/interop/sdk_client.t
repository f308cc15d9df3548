#!/usr/bin/perl
# The official TypeScript SDK client (sdk-client.mjs) against the mcp-fcgi stack: handshake,
# tools, resources, prompts, ping, session termination. The TAP comes from the node script.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use McpStack;
use InteropTap;

my $node  = InteropTap::node_or_die();
my $stack = InteropTap::start_stack(conf => 'conf/conformance.conf');
exit InteropTap::pass_through(
    stack   => $stack,
    cmd     => [$node, InteropTap::script('sdk-client.mjs'), $stack->url],
    timeout => 60,    # the script stops itself after 30 s
);
