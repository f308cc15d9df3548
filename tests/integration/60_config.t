#!/usr/bin/perl
# A bad configuration fails at start, naming the file, the line and the setting; both
# binaries read the same file; the shipped configurations are valid.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Temp qw(tempdir);

my $build = $ENV{MCP_BUILD} || 'build';
my $dir = tempdir(CLEANUP => 1);

sub check {
    my ($bin, $text) = @_;
    my $f = "$dir/t.conf";
    open my $fh, '>', $f or die; print $fh $text; close $fh;
    my $out = `$build/$bin -t -c $f -r $dir 2>&1`;
    return ($? >> 8, $out, $f);
}

for my $conf ('conf/mcp.conf', 'conf/conformance.conf') {
    for my $bin ('mcp-fcgi', 'mcp-sessiond') {
        my $out = `$build/$bin -t -c $conf -r $dir 2>&1`;
        is($? >> 8, 0, "$bin accepts $conf") or diag $out;
    }
}

my @bad = (
    ["server: {\n  sets = [ \"conformance\" ];\n  page_size = ;\n};\n", qr/:3: /, 'syntax error (line 3)'],
    ["server: {\n  page_size = 0;\n};\n", qr/:2: server\.page_size: 0 is out of range/, 'out of range'],
    ["sessions: {\n  max = \"many\";\n};\n", qr/:2: sessions\.max: must be an integer/, 'wrong type'],
    ["http: {\n  max_bodyy = 5;\n};\n", qr/:2: http\.max_bodyy: unknown setting/, 'unknown setting (typo)'],
    ["server: {\n  sets = [ \"toys\" ];\n};\n", qr/:2: server\.sets: unknown set "toys"/, 'unknown feature set'],
    ["\n\nhttp = 5;\n", qr/:3: http: must be a group/, 'group expected'],
    ["http: { allowed_origins = [ \"\" ]; };\n", qr/:1: http\.allowed_origins: entry 1 must be a non-empty string/, 'empty list entry'],
    ["server: {\n  state_key_file = \"/nonexistent/state.key\";\n};\n", qr/:2: server\.state_key_file: \/nonexistent\/state\.key does not exist/, 'missing key file'],
);
for my $t (@bad) {
    my ($text, $re, $name) = @$t;
    for my $bin ('mcp-fcgi', 'mcp-sessiond') {
        my ($rc, $out, $f) = check($bin, $text);
        is($rc, 2, "$bin: $name -> exit 2");
        like($out, qr/\Q$f\E/, "$bin: $name -> names the file");
        like($out, $re, "$bin: $name -> names line and setting") or diag $out;
    }
}
{
    my $out = `$build/mcp-fcgi -t -c $dir/missing.conf 2>&1`;
    is($? >> 8, 2, 'missing file -> exit 2');
    like($out, qr/missing\.conf: cannot read/, '... says so');
}
{
    my $f = "$dir/bad.conf";
    open my $fh, '>', $f or die; print $fh "sessions: { max = -1; };\n"; close $fh;
    my $out = `deploy/mcp-stack --conf $f --bin $build --port 1 2>&1`;
    isnt($? >> 8, 0, 'mcp-stack refuses to start with a bad config');
    like($out, qr/sessions\.max/, '... and shows the error');
}
done_testing;
