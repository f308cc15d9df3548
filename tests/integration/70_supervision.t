#!/usr/bin/perl
# A crashed worker is replaced (multiwatch) and requests keep being answered; stopping the
# stack stops every process it started and removes its sockets.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(sleep);
use McpStack;
use McpHttp qw(rpc initialize);

my $s = McpStack->start(conf => 'conf/conformance.conf', workers => 2);
my $url = $s->url;
my ($sid) = initialize($url);
ok($sid, 'session');
my @before = $s->worker_pids;
is(scalar @before, 2, 'two workers running') or diag "workers: @before";
$s->expect_exits;
kill 'KILL', $before[0];
my @after;
for (1 .. 50) {
    @after = $s->worker_pids;
    last if @after == 2 && !grep { $_ == $before[0] } @after;
    sleep 0.1;
}
is(scalar @after, 2, 'the killed worker was replaced');
ok(!grep({ $_ == $before[0] } @after), '... by a new process');
my $ok = 0;
for (1 .. 20) {
    my $r = rpc($url, { jsonrpc => '2.0', id => $_, method => 'ping' }, session => $sid);
    $ok++ if $r->{status} == 200;
}
is($ok, 20, 'all requests answered after the crash; the session survived');

my %pids = map { $_ => $s->pid($_) } qw(sessiond workers lighttpd);
my $dir = $s->dir;
$s->{stopped} = 0;
kill 'TERM', $s->{pid};
waitpid $s->{pid}, 0;
$s->{pid} = 0;
for my $name (sort keys %pids) {
    ok(!kill(0, $pids{$name}), "$name ($pids{$name}) stopped");
}
ok(!kill(0, $_), "worker $_ stopped") for @after;
ok(!-e "$dir/fcgi.sock" && !-e "$dir/sessiond.sock", 'sockets removed');
$s->stop;

# SIGHUP to the launcher (a closed terminal) stops everything too
{
    my $h = McpStack->start(conf => 'conf/conformance.conf', workers => 2);
    my @procs = (map({ $h->pid($_) } qw(sessiond workers lighttpd)), $h->worker_pids);
    my $hdir = $h->dir;
    kill 'HUP', $h->{pid};
    waitpid $h->{pid}, 0;
    $h->{pid} = 0;
    ok(!kill(0, $_), "after SIGHUP: process $_ stopped") for @procs;
    ok(!-e "$hdir/fcgi.sock" && !-e "$hdir/sessiond.sock", 'after SIGHUP: sockets removed');
    $h->stop;
}
done_testing;
