#!/usr/bin/perl
# The official TypeScript SDK's SSEClientTransport (the 2024-11-05 HTTP+SSE transport,
# sdk-sse-client.mjs) against the mcp-fcgi stack: GET /sse, the endpoint event, initialize,
# tools, a resource, a prompt, ping, close (the session then ends). The TAP comes from the
# node script.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use McpStack;
use InteropTap;

my $node  = InteropTap::node_or_die();
# conf/conformance.conf plus a 1 s heartbeat: the web server notices that a client closed its
# stream at its next write, and only then does the session end
my $stack = InteropTap::start_stack(conf_text => <<'CONF');
server: {
  name = "mcp-fcgi-conformance";
  title = "mcp-fcgi (conformance fixtures)";
  sets = [ "conformance" ];
};
streams: { heartbeat_s = 1; };
CONF
exit InteropTap::pass_through(
    stack   => $stack,
    cmd     => [$node, InteropTap::script('sdk-sse-client.mjs'), $stack->base . '/sse'],
    timeout => 60,    # the script stops itself after 30 s
);
