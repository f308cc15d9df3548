package InteropTap;

# Shared plumbing for the tests/interop/*.t prove entry points: find the pinned Node 22,
# start the server stack (tests/lib/McpStack.pm), run a node script that prints TAP and pass
# its output through unchanged, then stop the stack. The node scripts do the testing; a .t
# only adds a clear failure when the set-up itself goes wrong.

use strict;
use warnings;
use File::Basename qw(dirname);
use File::Spec;
use POSIX ();

my $HERE = File::Spec->rel2abs(dirname(__FILE__));

# Absolute path of tests/interop/node_modules/.bin/node (Node 22 from the `node` npm package);
# dies telling to run `make npm-deps` when the npm dependencies are not installed. @extra: more
# package directories under node_modules that the test needs (e.g. 'conformance-next').
sub node_or_die {
    my (@extra) = @_;
    my $node = "$HERE/node_modules/.bin/node";
    for my $need ($node, "$HERE/node_modules/\@modelcontextprotocol/sdk/package.json",
        "$HERE/node_modules/\@modelcontextprotocol/conformance/package.json",
        map {"$HERE/node_modules/$_/package.json"} @extra)
    {
        -e $need
            or die "tests/interop: $need is missing: the npm dependencies are not installed.\n"
            . "Run `make npm-deps` (or `cd tests/interop && npm ci --no-audit --no-fund`).\n";
    }
    -x $node or die "tests/interop: $node is not executable: run `make npm-deps` again\n";
    return $node;
}

sub script { return "$HERE/$_[0]" }

# McpStack->start(%args); on failure prints a failing TAP test with the reason and exits 1.
sub start_stack {
    my (%args) = @_;
    my $stack = eval { McpStack->start(%args) };
    return $stack if $stack;
    my $err = $@ || 'McpStack->start returned nothing';
    $| = 1;
    print "1..1\nnot ok 1 - start the server stack (" . join(', ', map {"$_=$args{$_}"} sort keys %args) . ")\n";
    print STDERR map {"#   $_\n"} split /\n/, $err;
    exit 1;
}

# Runs @$cmd, copying its stdout (TAP) to ours line by line and leaving its stderr alone.
# Kills it after $timeout seconds. Stops $stack in every case. Returns the exit code to use.
sub pass_through {
    my (%a) = @_;
    my ($stack, $cmd, $timeout) = @a{qw(stack cmd timeout)};
    $| = 1;
    my $pid = open(my $out, '-|') // die "tests/interop: fork: $!\n";
    if (!$pid) {
        POSIX::setpgid(0, 0);    # own process group: a timeout ends the script and its children
        exec { $cmd->[0] } @$cmd or do { print STDERR "exec $cmd->[0]: $!\n"; POSIX::_exit(127) };
    }
    my $kill = sub {
        my ($sig) = @_;
        kill $sig => -$pid;
        kill $sig => $pid;
    };
    my $cleanup = sub {
        my ($why) = @_;
        print STDERR "# $why\n";
        $kill->('TERM');
        sleep 2;
        $kill->('KILL');
        $stack->stop if $stack;
        exit 1;
    };
    local $SIG{ALRM} = sub { $cleanup->("$cmd->[1] did not finish within $timeout s: killed") };
    local $SIG{INT}  = sub { $cleanup->('interrupted') };
    local $SIG{TERM} = sub { $cleanup->('terminated') };
    alarm $timeout;
    while (my $line = <$out>) { print $line }
    close $out;    # waits; status in $?
    my $status = $?;
    alarm 0;
    $stack->stop if $stack;
    return 0 if $status == 0;
    return $status & 127 ? 1 : ($status >> 8 || 1);
}

1;
