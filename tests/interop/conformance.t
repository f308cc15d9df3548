#!/usr/bin/perl
# The official MCP conformance suite (run-conformance.mjs, one TAP test per scenario) against
# the mcp-fcgi stack. Scenarios in conformance-pending.txt are TODO tests.
#   MCP_CONFORMANCE_SUITE    active | all (default) | pending
#   MCP_CONFORMANCE_ONLY     space-separated scenario names: run only those
#   MCP_CONFORMANCE_TIMEOUT  seconds for the whole run (default 600)
#   MCP_CONFORMANCE_OUT      directory to keep the suite's results in
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use McpStack;
use InteropTap;

my $node    = InteropTap::node_or_die();
my $suite   = $ENV{MCP_CONFORMANCE_SUITE} || 'all';
my $timeout = $ENV{MCP_CONFORMANCE_TIMEOUT} || 600;
my $stack   = InteropTap::start_stack(conf => 'conf/conformance.conf');
exit InteropTap::pass_through(
    stack   => $stack,
    cmd     => [$node, InteropTap::script('run-conformance.mjs'), '--suite', $suite,
                '--timeout', $timeout, $stack->url],
    timeout => $timeout + 60,    # the script stops itself after $timeout s
);
