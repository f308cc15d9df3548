#!/usr/bin/perl
# Server features through the real stack with the conformance fixture set: tools (pagination,
# argument validation, content blocks), resources, templates, prompts, completion,
# subscriptions, and version-dependent shapes.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use McpStack;
use McpHttp qw(rpc initialize);

my $s = McpStack->start(conf_text => <<'CONF');
server: { sets = [ "conformance" ]; page_size = 3; };
CONF
my $url = $s->url;
my ($sid) = initialize($url, capabilities => { sampling => {}, elicitation => {} });
my $n = 0;
sub call {
    my ($method, $params, $session) = @_;
    my $r = rpc($url, { jsonrpc => '2.0', id => ++$n, method => $method,
                        (defined $params ? (params => $params) : ()) }, session => $session // $sid);
    return $r->{json};
}

sub list_all {
    my ($method, $key, $session) = @_;
    my (@all, $cur);
    for (1 .. 50) {
        my $res = call($method, $cur ? { cursor => $cur } : {}, $session)->{result} or last;
        push @all, @{ $res->{$key} || [] };
        $cur = $res->{nextCursor} or last;
    }
    return @all;
}

# tools/list across pages
my (@tools, $cursor, $pages);
do {
    my $res = call('tools/list', $cursor ? { cursor => $cursor } : {})->{result};
    ok($res && ref $res->{tools} eq 'ARRAY', 'tools/list page') or last;
    cmp_ok(scalar @{ $res->{tools} }, '<=', 3, '... at most page_size tools');
    push @tools, @{ $res->{tools} };
    $cursor = $res->{nextCursor};
    $pages++;
} while ($cursor && $pages < 20);
cmp_ok($pages, '>', 1, "tools/list paginates ($pages pages)");
my %tool = map { $_->{name} => $_ } @tools;
is(scalar keys %tool, scalar @tools, 'no tool listed twice across pages');
for my $name (qw(test_simple_text test_image_content test_audio_content test_embedded_resource
                 test_multiple_content_types test_tool_with_logging test_tool_with_progress
                 test_error_handling test_sampling test_elicitation json_schema_2020_12_tool)) {
    ok($tool{$name}, "tools/list has $name");
}
for my $t (@tools) {
    ok(length($t->{description} // '') && ref $t->{inputSchema} eq 'HASH' && $t->{inputSchema}{type} eq 'object',
       "$t->{name}: description and object inputSchema");
    like($t->{name}, qr/^[A-Za-z0-9_.\-]{1,64}$/, "$t->{name}: name shape");
}
{
    my $schema = $tool{json_schema_2020_12_tool}{inputSchema};
    is($schema->{'$schema'}, 'https://json-schema.org/draft/2020-12/schema', '2020-12 schema keeps $schema');
    ok($schema->{'$defs'} && $schema->{allOf} && exists $schema->{if}, '... and $defs, allOf, if');
}
{
    my $e = call('tools/list', { cursor => 'not-a-cursor' });
    is($e->{error}{code}, -32602, 'invalid cursor -> -32602');
    my $res = call('resources/list', {})->{result};
    my $rc = $res->{nextCursor};
    if ($rc) {
        $e = call('tools/list', { cursor => $rc });
        is($e->{error}{code}, -32602, "another list's cursor -> -32602");
    } else {
        pass('resources fit one page; cross-list cursor check skipped');
    }
}

# tools/call
{
    my $r = call('tools/call', { name => 'test_simple_text' })->{result};
    is_deeply($r->{content}, [{ type => 'text', text => 'This is a simple text response for testing.' }],
              'test_simple_text without arguments');
    $r = call('tools/call', { name => 'test_image_content', arguments => {} })->{result};
    is($r->{content}[0]{type}, 'image', 'image block');
    is($r->{content}[0]{mimeType}, 'image/png', '... image/png');
    like($r->{content}[0]{data}, qr/^[A-Za-z0-9+\/]+=*$/, '... base64 data');
    $r = call('tools/call', { name => 'test_audio_content', arguments => {} })->{result};
    is($r->{content}[0]{type}, 'audio', 'audio block');
    is($r->{content}[0]{mimeType}, 'audio/wav', '... audio/wav');
    $r = call('tools/call', { name => 'test_embedded_resource', arguments => {} })->{result};
    is_deeply($r->{content}[0]{resource},
              { uri => 'test://embedded-resource', mimeType => 'text/plain', text => 'This is an embedded resource content.' },
              'embedded resource block');
    $r = call('tools/call', { name => 'test_multiple_content_types', arguments => {} })->{result};
    is_deeply([map { $_->{type} } @{ $r->{content} }], ['text', 'image', 'resource'], 'mixed content');
    $r = call('tools/call', { name => 'test_error_handling', arguments => {} })->{result};
    ok($r->{isError}, 'test_error_handling -> isError result');
    ok(length $r->{content}[0]{text}, '... with a text');
    $r = call('tools/call', { name => 'test_tool_with_progress', arguments => {} })->{result};
    ok($r && !$r->{isError}, 'progress tool without a progress token completes on a JSON answer');
}
{
    my $e = call('tools/call', { name => 'no_such_tool', arguments => {} });
    is($e->{error}{code}, -32602, 'unknown tool -> -32602');
    like($e->{error}{message}, qr/no_such_tool/, '... names the tool');
    $e = call('tools/call', { arguments => {} });
    is($e->{error}{code}, -32602, 'missing tool name -> -32602');
    $e = call('tools/call', { name => 'test_simple_text', arguments => [1] });
    is($e->{error}{code}, -32602, 'arguments not an object -> -32602');
    my $r = call('tools/call', { name => 'test_sampling', arguments => {} })->{result};
    ok($r->{isError}, 'missing required argument -> isError result');
    like($r->{content}[0]{text}, qr/prompt/, '... naming the field');
    $r = call('tools/call', { name => 'test_sampling', arguments => { prompt => 5 } })->{result};
    ok($r->{isError}, 'wrong argument type -> isError result');
    like($r->{content}[0]{text}, qr{/prompt}, '... naming the field');
    $r = call('tools/call', { name => 'json_schema_2020_12_tool',
                              arguments => { name => 'A', contactMethod => 'email', unknown => 1 } })->{result};
    ok($r->{isError}, '2020-12 schema: additional property refused');
}

# resources
{
    my @res = list_all('resources/list', 'resources');
    my %uri = map { $_->{uri} => $_ } @res;
    ok($uri{'test://static-text'} && $uri{'test://static-binary'} && $uri{'test://watched-resource'},
       'resources/list has the fixtures');
    ok(!grep({ !length($_->{name} // '') } @res), 'every resource has a name');
    my @t = list_all('resources/templates/list', 'resourceTemplates');
    ok(grep({ $_->{uriTemplate} eq 'test://template/{id}/data' } @t),
       'template listed');
    my $c = call('resources/read', { uri => 'test://static-text' })->{result}{contents}[0];
    is($c->{uri}, 'test://static-text', 'read text: uri');
    is($c->{mimeType}, 'text/plain', '... mimeType');
    ok(length $c->{text}, '... text');
    $c = call('resources/read', { uri => 'test://static-binary' })->{result}{contents}[0];
    is($c->{mimeType}, 'image/png', 'read blob: image/png');
    like($c->{blob}, qr/^[A-Za-z0-9+\/]+=*$/, '... base64 blob');
    $c = call('resources/read', { uri => 'test://template/123/data' })->{result}{contents}[0];
    like($c->{text} // $c->{blob}, qr/123/, 'template read carries the id');
    my $e = call('resources/read', { uri => 'test://nope' });
    is($e->{error}{code}, -32002, 'unknown resource -> -32002');
    is($e->{error}{data}{uri}, 'test://nope', '... data.uri');
    $e = call('resources/read', {});
    is($e->{error}{code}, -32602, 'read without uri -> -32602');
    is_deeply(call('resources/subscribe', { uri => 'test://watched-resource' })->{result}, {}, 'subscribe -> {}');
    is_deeply(call('resources/unsubscribe', { uri => 'test://watched-resource' })->{result}, {}, 'unsubscribe -> {}');
    is(call('resources/subscribe', {})->{error}{code}, -32602, 'subscribe without uri -> -32602');
}

# prompts and completion
{
    my $p = [list_all('prompts/list', 'prompts')];
    my %prompt = map { $_->{name} => $_ } @$p;
    ok($prompt{$_}, "prompts/list has $_") for qw(test_simple_prompt test_prompt_with_arguments
        test_prompt_with_embedded_resource test_prompt_with_image);
    ok(!grep({ !length($_->{description} // '') } @$p), 'every prompt has a description');
    my $g = call('prompts/get', { name => 'test_simple_prompt' })->{result};
    ok(@{ $g->{messages} } && $g->{messages}[0]{role} && $g->{messages}[0]{content}, 'simple prompt');
    $g = call('prompts/get', { name => 'test_prompt_with_arguments', arguments => { arg1 => 'A1', arg2 => 'B2' } })->{result};
    my $text = join ' ', map { $_->{content}{text} // '' } @{ $g->{messages} };
    like($text, qr/A1/, 'prompt with arguments: arg1');
    like($text, qr/B2/, '... arg2');
    my $e = call('prompts/get', { name => 'test_prompt_with_arguments', arguments => { arg1 => 'x' } });
    is($e->{error}{code}, -32602, 'missing required prompt argument -> -32602');
    like($e->{error}{message}, qr/arg2/, '... naming it');
    $e = call('prompts/get', { name => 'nope' });
    is($e->{error}{code}, -32602, 'unknown prompt -> -32602');
    $g = call('prompts/get', { name => 'test_prompt_with_embedded_resource', arguments => { resourceUri => 'test://x' } })->{result};
    ok(grep({ ($_->{content}{type} // '') eq 'resource' && $_->{content}{resource}{uri} eq 'test://x' } @{ $g->{messages} }),
       'embedded resource prompt');
    $g = call('prompts/get', { name => 'test_prompt_with_image' })->{result};
    ok(grep({ ($_->{content}{type} // '') eq 'image' } @{ $g->{messages} }), 'image prompt');
    my $c = call('completion/complete', { ref => { type => 'ref/prompt', name => 'test_prompt_with_arguments' },
                                          argument => { name => 'arg1', value => 'test' } })->{result};
    ok(ref $c->{completion}{values} eq 'ARRAY', 'completion/complete -> values array');
    $e = call('completion/complete', { ref => { type => 'ref/prompt', name => 'nope' }, argument => { name => 'a', value => '' } });
    is($e->{error}{code}, -32602, 'completion for an unknown prompt -> -32602');
}

# an older revision gets only what exists in it
{
    my ($old) = initialize($url, version => '2024-11-05');
    my $r = call('tools/call', { name => 'test_audio_content', arguments => {} }, $old)->{result};
    ok(!grep({ $_->{type} eq 'audio' } @{ $r->{content} }), '2024-11-05 gets no audio block');
    my @all = list_all('tools/list', 'tools', $old);
    ok(!grep({ exists $_->{title} || exists $_->{outputSchema} || exists $_->{annotations} } @all),
       '2024-11-05 tools carry no title, outputSchema or annotations');
}

$s->stop;
done_testing;
