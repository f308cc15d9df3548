#!/usr/bin/perl
# `make run PORT=N` serves the demo and Ctrl-C (SIGINT to the process group) stops all of it.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use POSIX qw(setpgid WNOHANG);
use Time::HiRes qw(sleep time);
use IO::Socket::INET;
use McpHttp qw(request rpc initialize);

my $build = $ENV{MCP_BUILD} || 'build';
my $probe = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1) or die;
my $port = $probe->sockport;
close $probe;
my $log = "/tmp/mcp-make-run.$$.log";
my $pid = fork() // die;
if ($pid == 0) {
    setpgid(0, 0);
    open STDOUT, '>', $log; open STDERR, '>&', \*STDOUT;
    exec 'make', '--no-print-directory', 'run', "PORT=$port", "BUILD=$build", 'WORKERS=2';
    exit 127;
}
my $url = "http://127.0.0.1:$port/mcp";
my $up = 0;
for (1 .. 300) {
    last if waitpid($pid, WNOHANG) == $pid;
    if (-s $log && `cat $log` =~ /serving \Q$url\E/) { $up = 1; last }
    sleep 0.1;
}
ok($up, "make run prints the URL $url") or diag `cat $log`;
my ($sid, $r) = initialize($url);
is($r->{status}, 200, 'initialize through make run');
is($r->{json}{result}{serverInfo}{name}, 'mcp-fcgi', 'the demo configuration is served');
$r = rpc($url, { jsonrpc => '2.0', id => 2, method => 'tools/list' }, session => $sid);
ok(@{ $r->{json}{result}{tools} || [] } > 0, 'the demo lists tools');
my ($rundir) = `cat $log` =~ /run dir (\S+)/;
ok($rundir && -d $rundir, "run dir $rundir exists while running");
my @pids = map { /=(\d+)/ ? $1 : () } split /\n/, `cat $rundir/pids 2>/dev/null`;

kill 'INT', -$pid;    # Ctrl-C: the whole foreground process group
my $t0 = time;
my $gone = 0;
while (time - $t0 < 15) { if (waitpid($pid, WNOHANG) == $pid) { $gone = 1; last } sleep 0.1 }
ok($gone, sprintf('make run exits after Ctrl-C (%.1fs)', time - $t0));
ok(!kill(0, $_), "process $_ stopped") for @pids;
ok(!-e $rundir, 'run dir removed');
my $c = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 1);
ok(!$c, 'nothing listens on the port any more');
unless ($gone) {
    kill 'KILL', -$pid;
    kill 'KILL', $_ for @pids; # lighttpd runs in its own session: not in the group
}
unlink $log;
done_testing;
