#!/usr/bin/perl
# 2026-07-28 multi round-trip requests through the real stack, under lighttpd's mod_auth:
# input_required with inputRequests and a sealed requestState, the retry with inputResponses,
# refusal of an altered, foreign (another user, another tool) or garbled state, missing and
# extra responses, malformed inputResponses, undeclared capabilities (-32021), a server without
# server.state_key, and cacheScope "private" for an authenticated caller.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Temp qw(tempdir);
use MIME::Base64;
use McpStack;
use McpHttp qw(request $JSON);

my $V = '2026-07-28';
my $dir = tempdir(CLEANUP => 1);
open my $u, '>', "$dir/users" or die; print $u "alice:wonderland\nbob:builder\n"; close $u;
open my $c, '>', "$dir/auth.conf" or die;
print $c qq{server.modules += ( "mod_auth", "mod_authn_file" )\n}
    . qq{auth.backend = "plain"\nauth.backend.plain.userfile = "$dir/users"\n}
    . qq{auth.require = ( "/mcp" => ( "method" => "basic", "realm" => "mcp", "require" => "valid-user" ) )\n};
close $c;
my $s = McpStack->start(conf => 'conf/conformance.conf', lighttpd_include => "$dir/auth.conf");
my $url = $s->url;
my %alice = (Authorization => 'Basic ' . encode_base64('alice:wonderland', ''));
my %bob = (Authorization => 'Basic ' . encode_base64('bob:builder', ''));
my $ALL = { sampling => {}, elicitation => {}, roots => {} };

my $next = 1;
sub call {
    my ($who, $method, $params, %o) = @_;
    my %p = (%$params, _meta => { 'io.modelcontextprotocol/protocolVersion' => $V,
                                  'io.modelcontextprotocol/clientCapabilities' => $o{caps} // $ALL });
    my %h = ('Accept' => 'application/json, text/event-stream', 'Content-Type' => 'application/json',
             'MCP-Protocol-Version' => $V, 'Mcp-Method' => $method, %$who);
    $h{'Mcp-Name'} = $p{name} // $p{uri} if defined($p{name} // $p{uri});
    my $id = $next++;
    my $r = request('POST', $o{url} // $url, \%h,
                    $JSON->encode({ jsonrpc => '2.0', id => $id, method => $method, params => \%p }));
    return ($r, $id);
}

# ---- a full round trip ------------------------------------------------------------------------
my ($r, $id) = call(\%alice, 'tools/call', { name => 'test_input_required_result_request_state', arguments => {} });
my $res = $r->{json}{result};
is($res->{resultType}, 'input_required', 'round 1: input_required');
is($res->{inputRequests}{confirm}{method}, 'elicitation/create', '... asks for confirm (elicitation/create)');
like($res->{requestState}, qr/^[A-Za-z0-9_-]+$/, '... with an opaque requestState');
ok(!exists $res->{ttlMs}, '... and no caching hints');
my $state = $res->{requestState};
my $answer = { confirm => { action => 'accept', content => { ok => JSON::PP::true } } };
($r) = call(\%alice, 'tools/call', { name => 'test_input_required_result_request_state', arguments => {},
                                     inputResponses => $answer, requestState => $state });
is($r->{json}{result}{resultType}, 'complete', 'round 2 with the answer and the state: complete');
like($r->{json}{result}{content}[0]{text}, qr/state-ok/, '... the tool saw its state');

# ---- states that must be refused ----------------------------------------------------------------
my $tampered = $state;
substr($tampered, 20, 1) = substr($tampered, 20, 1) eq 'A' ? 'B' : 'A';
($r, $id) = call(\%alice, 'tools/call', { name => 'test_input_required_result_request_state', arguments => {},
                                          inputResponses => $answer, requestState => $tampered });
is($r->{json}{error}{code}, -32602, 'an altered state -> -32602');
is($r->{json}{id}, $id, '... id echoed');
like($r->{json}{error}{message}, qr/requestState/, '... the message names requestState');
($r) = call(\%alice, 'tools/call', { name => 'test_input_required_result_request_state', arguments => {},
                                     inputResponses => $answer, requestState => "$state-TAMPERED" });
is($r->{json}{error}{code}, -32602, 'a state with text appended -> -32602');
($r) = call(\%bob, 'tools/call', { name => 'test_input_required_result_request_state', arguments => {},
                                   inputResponses => $answer, requestState => $state });
is($r->{json}{error}{code}, -32602, "alice's state presented by bob -> -32602");
($r) = call(\%alice, 'tools/call', { name => 'test_input_required_result_multi_round', arguments => {},
                                     inputResponses => $answer, requestState => $state });
is($r->{json}{error}{code}, -32602, 'a state of another tool -> -32602');
($r) = call(\%alice, 'tools/call', { name => 'test_input_required_result_request_state', arguments => {},
                                     inputResponses => $answer, requestState => 42 });
is($r->{json}{error}{code}, -32602, 'a requestState that is not a string -> -32602');

# ---- responses: missing, extra, malformed --------------------------------------------------------
($r) = call(\%alice, 'tools/call', { name => 'test_input_required_result_elicitation', arguments => {},
                                     inputResponses => { other => { action => 'cancel' } } });
is($r->{json}{result}{resultType}, 'input_required', 'the needed response missing: input_required again');
($r) = call(\%alice, 'tools/call', { name => 'test_input_required_result_elicitation', arguments => {},
    inputResponses => { user_name => { action => 'accept', content => { name => 'Ada' } }, extra => { x => 1 } } });
is($r->{json}{result}{resultType}, 'complete', 'an extra unknown response is ignored');
($r) = call(\%alice, 'tools/call', { name => 'test_input_required_result_elicitation', arguments => {},
                                     inputResponses => 'nope' });
is($r->{json}{error}{code}, -32602, 'inputResponses not an object -> -32602');

# ---- capabilities -------------------------------------------------------------------------------
($r, $id) = call(\%alice, 'tools/call', { name => 'test_missing_capability', arguments => {} }, caps => {});
is($r->{status}, 400, 'a tool that needs sampling, client without it -> 400');
is($r->{json}{error}{code}, -32021, '... -32021');
is_deeply($r->{json}{error}{data}{requiredCapabilities}, { sampling => {} }, '... requiredCapabilities {sampling: {}}');
is($r->{json}{id}, $id, '... id echoed');
($r) = call(\%alice, 'tools/call', { name => 'test_input_required_result_capabilities', arguments => {} },
            caps => { sampling => {} });
my @methods = map { $_->{method} } values %{ $r->{json}{result}{inputRequests} || {} };
ok(@methods && !grep({ $_ ne 'sampling/createMessage' } @methods), 'only the declared capability is asked for');
($r) = call(\%alice, 'prompts/get', { name => 'test_input_required_result_prompt' });
is($r->{json}{result}{inputRequests}{user_context}{method}, 'elicitation/create', 'prompts/get answers input_required too');
($r) = call(\%alice, 'tools/list', {});
is($r->{json}{result}{resultType}, 'complete', 'lists are never input_required');
is($r->{json}{result}{cacheScope}, 'private', 'an authenticated caller gets cacheScope private');

# ---- without server.state_key -------------------------------------------------------------------
{
    my $t = McpStack->start(conf_text => qq{server: { sets = [ "conformance" ]; };\n});
    my ($r2) = call({}, 'tools/call', { name => 'test_input_required_result_request_state', arguments => {} },
                    url => $t->url);
    is($r2->{json}{error}{code}, -32603, 'a state to seal without server.state_key -> -32603');
    like($r2->{json}{error}{message}, qr/server\.state_key/, '... naming the setting');
    ($r2) = call({}, 'tools/call', { name => 'test_input_required_result_elicitation', arguments => {} }, url => $t->url);
    is($r2->{json}{result}{resultType}, 'input_required', 'a tool without state still works');
    $t->stop;
}

$s->stop;
done_testing;
