#!/usr/bin/perl
# The conformance suite 0.2.0-alpha.12 (npm alias conformance-next) against the mcp-fcgi stack,
# run twice through run-conformance.mjs: --requirements 2026-07-28 (the stateless wire) and
# --requirements 2025-11-25 (initialize + sessions). One TAP test per scenario per set, named
# "<set> <scenario>"; the suite's own summaries are printed as TAP comments. Scenarios listed in
# conformance-2026-pending.txt ("<set> <scenario> <reason>") are TODO tests.
#   MCP_CONFORMANCE_REQUIREMENTS      the sets, space-separated (default "2026-07-28 2025-11-25")
#   MCP_CONFORMANCE_ONLY              space-separated scenario names: run only those (in each set listing them)
#   MCP_CONFORMANCE_TIMEOUT           seconds for the whole run, both sets (default 300)
#   MCP_CONFORMANCE_SCENARIO_TIMEOUT  seconds per scenario, the suite's own --timeout (default 20)
#   MCP_CONFORMANCE_OUT               directory to keep the suite's results in (one subdirectory per set)
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use McpStack;
use InteropTap;

my $node     = InteropTap::node_or_die('conformance-next');
my @sets     = split ' ', ($ENV{MCP_CONFORMANCE_REQUIREMENTS} || '2026-07-28 2025-11-25');
my $timeout  = $ENV{MCP_CONFORMANCE_TIMEOUT} || 300;
my $scenario = $ENV{MCP_CONFORMANCE_SCENARIO_TIMEOUT} || 20;
my $stack    = InteropTap::start_stack(conf => 'conf/conformance.conf');
exit InteropTap::pass_through(
    stack => $stack,
    cmd   => [$node, InteropTap::script('run-conformance.mjs'), '--package', 'conformance-next',
              (map { ('--requirements', $_) } @sets),
              '--pending', InteropTap::script('conformance-2026-pending.txt'),
              '--scenario-timeout', $scenario, '--timeout', $timeout, '--summary', $stack->url],
    timeout => $timeout + 60,    # the script stops itself after $timeout s
);
