#!/usr/bin/perl
# 2026-07-28 multi round-trip requests through the real stack, under lighttpd's mod_auth:
# input_required with inputRequests and a sealed requestState, the retry with inputResponses,
# refusal of an altered, foreign (another user, another tool, other arguments) or garbled
# state, missing and extra responses, malformed inputResponses, undeclared capabilities
# (-32021), the key made in runtime_dir when the configuration names none (and a named key
# file that is missing), and cacheScope "private" for an authenticated caller.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Temp qw(tempdir);
use McpStack;
use McpHttp qw(request $JSON);

my $V = '2026-07-28';
my $s = McpStack->start(conf => 'conf/conformance.conf', auth => ['/mcp']);
my $url = $s->url;
my %alice = McpStack::basic_auth('alice');
my %bob = McpStack::basic_auth('bob');
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
($r) = call(\%alice, 'tools/call', { name => 'test_input_required_result_request_state', arguments => { x => 1 },
                                     inputResponses => $answer, requestState => $state });
is($r->{json}{error}{code}, -32602, 'the state presented with other arguments -> -32602');
like($r->{json}{error}{message}, qr/^Invalid params: requestState/, '... an invalid requestState');
($r) = call(\%alice, 'tools/call', { name => 'test_input_required_result_request_state',
                                     inputResponses => $answer, requestState => $state });
is($r->{json}{result}{resultType}, 'complete', 'absent arguments are the {} the state was made for');
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
    inputResponses => { user_name => { action => 'accept', content => { name => 'Ada' } }, extra => 'x', n => undef } });
is($r->{json}{result}{resultType}, 'complete', 'unknown responses that are not objects are ignored too');
like($r->{json}{result}{content}[0]{text} // '', qr/Ada/, '... and the known one is used');
($r, $id) = call(\%alice, 'tools/call', { name => 'test_input_required_result_elicitation', arguments => {},
                                          inputResponses => { user_name => 'Ada' } });
is($r->{json}{error}{code}, -32602, 'the response the tool asked for is not an object -> -32602');
like($r->{json}{error}{message}, qr/inputResponses\.user_name/, '... naming it');
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

# ---- no key in the configuration: runtime_dir/state.key, shared by the workers ------------------
my $build = $ENV{MCP_BUILD} || 'build';
my $nokey = qq{server: { sets = [ "conformance" ]; };\n};
my $t_state;
{
    my $t = McpStack->start(conf_text => $nokey, workers => 3);
    my $key = $t->dir . '/state.key';
    my @st = stat $key;
    ok(@st, 'a stack whose configuration names no key made runtime_dir/state.key');
    is(sprintf('%04o', $st[2] & 07777), '0600', '... mode 0600');
    is($st[7], 32, '... 32 bytes');
    my ($r2) = call({}, 'tools/call', { name => 'test_input_required_result_request_state', arguments => {} },
                    url => $t->url);
    $t_state = $r2->{json}{result}{requestState};
    like($t_state // '', qr/^[A-Za-z0-9_-]+$/, '... it hands out a requestState');
    # connections go to any of the workers: every one of them must open the state
    my $ok = 0;
    for (1 .. 6) {
        ($r2) = call({}, 'tools/call', { name => 'test_input_required_result_request_state', arguments => {},
                                         inputResponses => $answer, requestState => $t_state }, url => $t->url);
        $ok++ if ($r2->{json}{result}{resultType} // '') eq 'complete';
    }
    is($ok, 6, '... and completes the round trip, whichever worker answers');
    $t->stop;
}
{
    # a restart with a new runtime_dir has a new key: a state in flight is refused
    my $t = McpStack->start(conf_text => $nokey);
    my ($r2) = call({}, 'tools/call', { name => 'test_input_required_result_request_state', arguments => {},
                                        inputResponses => $answer, requestState => $t_state }, url => $t->url);
    is($r2->{json}{error}{code}, -32602, 'after a restart with a new runtime_dir the old state -> -32602');
    $t->stop;
}
{
    # a named key file that is missing stops the start, naming file, line and setting
    my $dir = tempdir(CLEANUP => 1);
    my $f = "$dir/missing-key.conf";
    open my $fh, '>', $f or die;
    print $fh qq{server: {\n  sets = [ "conformance" ];\n  state_key_file = "$dir/missing.key";\n};\n};
    close $fh;
    my $out = `deploy/mcp-stack --conf $f --bin $build --port 1 2>&1`;
    isnt($? >> 8, 0, 'a state_key_file that does not exist: the stack does not start');
    like($out, qr/\Q$f\E:3: server\.state_key_file: \Q$dir\E\/missing\.key does not exist/,
         '... and says why') or diag $out;
}

$s->stop;
done_testing;
