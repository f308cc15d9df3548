package McpStack;
# McpStack - starts the real mcp-fcgi stack (deploy/mcp-stack: lighttpd + spawn-fcgi workers
# + mcp-sessiond) on a free loopback port for one test file, and stops it by PID.
#
#   my $s = McpStack->start(conf => 'conf/conformance.conf', workers => 2,
#                           conf_text => "...",    # conf_text: write this config instead
#                           lighttpd_include => "/abs/file.conf",   # extra lighttpd config
#                           auth => ['/mcp', '/sse']);  # lighttpd mod_auth (basic) on these paths
#   my %alice = McpStack::basic_auth('alice');  # its users: alice:wonderland, bob:builder
#   $s->url; $s->base; $s->dir; $s->pid('sessiond'); $s->log('sessiond');
#   $s->expect_exits;      # the test kills a worker or sessiond on purpose (else stop() fails)
#   $s->stop;                                        # idempotent, also on DESTROY
#
# The binaries come from $MCP_BUILD (default "build"); the front server is lighttpd unless
# server => 'apache' or $MCP_FRONT=apache. Under a sanitizer build, reports go to
# files in the run directory; stop() fails the test run (via Test::More) if any appeared.
# When a test of the file failed, stop() keeps the run directory and prints the tail of each
# log (and appends it to $MCP_FAILURE_LOG when that is set: make check shows it at the end).
use strict;
use warnings;
use IO::Socket::INET;
use File::Temp qw(tempdir);
use Time::HiRes qw(sleep time);
use POSIX qw(WNOHANG);

sub _free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp',
                                  Listen => 1, ReuseAddr => 1) or die "no free port: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

sub start {
    my ($class, %o) = @_;
    my $build = $ENV{MCP_BUILD} || 'build';
    my $dir = tempdir('mcp-test.XXXXXX', TMPDIR => 1, CLEANUP => 0);
    my $conf = $o{conf} || 'conf/conformance.conf';
    if (defined $o{conf_text}) {
        $conf = "$dir/test.conf";
        open my $fh, '>', $conf or die "$conf: $!";
        print $fh $o{conf_text};
        close $fh;
    }
    my $self = bless { dir => $dir, build => $build, stopped => 0 }, $class;
    $o{lighttpd_include} = _auth_include($dir, $o{auth}) if $o{auth};
    my $ready = "$dir/ready";
    for my $attempt (1 .. 3) {
        my $port = _free_port();
        unlink $ready;
        my $pid = fork();
        die "fork: $!" unless defined $pid;
        if ($pid == 0) {
            setpgrp(0, 0);    # its own process group, so stop() can reach every child
            open STDOUT, '>>', "$dir/stack.log";
            open STDERR, '>>', "$dir/stack.log";
            $ENV{ASAN_OPTIONS} = "log_path=$dir/asan:detect_leaks=1:abort_on_error=0"
                . ($ENV{ASAN_OPTIONS} ? ":$ENV{ASAN_OPTIONS}" : '');
            $ENV{UBSAN_OPTIONS} = "log_path=$dir/ubsan:print_stacktrace=1:halt_on_error=1";
            exec 'deploy/mcp-stack', '--port', $port, '--conf', $conf,
                '--workers', ($o{workers} || 2), '--bin', $build, '--dir', $dir,
                '--ready-file', $ready, '--sessiond-restart-delay', ($o{restart_delay} // 1),
                ($o{lighttpd_include} ? ('--lighttpd-include', $o{lighttpd_include}) : ()),
                (($o{server} // $ENV{MCP_FRONT}) ? ('--server', $o{server} // $ENV{MCP_FRONT}) : ());
            exit 127;
        }
        my $deadline = time + 30;
        while (time < $deadline) {
            last if -e $ready;
            last if waitpid($pid, WNOHANG) == $pid;
            sleep 0.05;
        }
        if (-e $ready) {
            @$self{qw(pid port)} = ($pid, $port);
            return $self;
        }
        kill 'TERM', $pid;
        waitpid $pid, 0;
        next if $self->_log_text('stack') =~ /did not answer|Address already in use/ && $attempt < 3;
        die "mcp-stack did not start:\n" . $self->_log_text('stack');
    }
    die "mcp-stack did not start after 3 attempts\n" . $self->_log_text('stack');
}

# The users of the auth option, and their passwords.
my %USERS = (alice => 'wonderland', bob => 'builder');

# Writes a lighttpd include requiring HTTP basic authentication on @$paths (users: %USERS)
# into $dir; returns its path.
sub _auth_include {
    my ($dir, $paths) = @_;
    open my $u, '>', "$dir/users" or die "$dir/users: $!";
    print $u map { "$_:$USERS{$_}\n" } sort keys %USERS;
    close $u;
    my $rule = '( "method" => "basic", "realm" => "mcp", "require" => "valid-user" )';
    open my $c, '>', "$dir/auth.conf" or die "$dir/auth.conf: $!";
    print $c qq{server.modules += ( "mod_auth", "mod_authn_file" )\n}
        . qq{auth.backend = "plain"\nauth.backend.plain.userfile = "$dir/users"\n}
        . 'auth.require = ( ' . join(",\n  ", map { qq{"$_" => $rule} } @$paths) . " )\n";
    close $c;
    return "$dir/auth.conf";
}

# The Authorization header of user (one of the auth option's users), as a list for a hash.
sub basic_auth {
    my ($user) = @_;
    require MIME::Base64;
    return (Authorization => 'Basic ' . MIME::Base64::encode_base64("$user:$USERS{$user}", ''));
}

sub url  { "http://127.0.0.1:$_[0]{port}/mcp" }
sub base { "http://127.0.0.1:$_[0]{port}" }
sub port { $_[0]{port} }
sub dir  { $_[0]{dir} }

# pid('sessiond' | 'workers' | 'lighttpd') as recorded by mcp-stack (re-read each time,
# since sessiond is restarted when it dies).
sub pid {
    my ($self, $name) = @_;
    open my $fh, '<', "$self->{dir}/pids" or return undef;
    while (my $line = <$fh>) { return $1 if $line =~ /^\Q$name\E=(\d+)$/ }
    return undef;
}

# Worker PIDs: the children of multiwatch.
sub worker_pids {
    my ($self) = @_;
    my $spawn = $self->pid('workers') or return ();
    my @kids = split ' ', `cat /proc/$spawn/task/*/children 2>/dev/null`;
    my @workers;
    for my $k (@kids) {    # spawn-fcgi -n execs multiwatch in place: its children are workers
        push @workers, $k;
    }
    return @workers;
}

sub _log_text {
    my ($self, $name) = @_;
    open my $fh, '<', "$self->{dir}/$name.log" or return '';
    local $/;
    return <$fh>;
}
sub log { my ($self, $name) = @_; $self->_log_text($name) }

# Sanitizer report files written so far (empty list when clean).
sub sanitizer_reports {
    my ($self) = @_;
    return grep { -s $_ } glob("$self->{dir}/asan.* $self->{dir}/ubsan.*");
}

# The test is about to end a worker or mcp-sessiond on purpose: stop() does not count it.
sub expect_exits { $_[0]{exits_expected} = 1 }

# Log lines telling that a worker died (multiwatch respawned it) or that mcp-sessiond exited
# (mcp-stack restarted it): a crash, unless the test caused it.
sub unexpected_exits {
    my ($self) = @_;
    return ((grep { /Child\[\d+\] died|Spawning child\[\d+\] failed/ } split /\n/, $self->_log_text('workers')),
            (grep { /mcp-sessiond exited/ } split /\n/, $self->_log_text('stack')));
}

sub stop {
    my ($self) = @_;
    return if $self->{stopped}++;
    if ($self->{pid}) {
        kill 'TERM', $self->{pid};
        my $deadline = time + 25;    # mcp-stack allows each of its 3 processes 5 s
        while (time < $deadline) {
            last if waitpid($self->{pid}, WNOHANG) == $self->{pid};
            sleep 0.05;
        }
        if (kill 0, $self->{pid}) {
            kill 'KILL', -$self->{pid};    # the whole group: nothing may outlive the test
            waitpid $self->{pid}, 0;
        }
    }
    require Test::More;
    if (!$self->{exits_expected} && (my @exits = $self->unexpected_exits)) {
        Test::More::fail('no worker and no mcp-sessiond exited while the test ran');
        Test::More::diag(join "\n", @exits);
    }
    my @reports = $self->sanitizer_reports;
    my $text = join '', map { local $/; open my $fh, '<', $_; my $t = <$fh>; "== $_\n$t" } @reports;
    if (@reports) {
        Test::More::fail('sanitizers reported errors in the stack');
        Test::More::diag($text);
    }
    my $failing = !Test::More->builder->is_passing;
    if ($failing) {    # what the stack logged explains most failures seen only in CI
        my $logs = '';
        for my $name (qw(stack sessiond workers lighttpd-error)) {
            my @lines = split /\n/, $self->_log_text($name);
            next unless @lines;
            splice @lines, 0, -40 if @lines > 40;
            $logs .= "== $0: a test failed; the last lines of $self->{dir}/$name.log:\n"
                . join("\n", @lines) . "\n";
        }
        Test::More::diag($logs);
        # make check prints this file after a failing prove, where a CI log's tail shows it
        if ($ENV{MCP_FAILURE_LOG} && open my $fh, '>>', $ENV{MCP_FAILURE_LOG}) {
            print $fh $logs, $text;
            close $fh;
        }
    }
    File::Path::remove_tree($self->{dir}) unless $failing || $ENV{MCP_KEEP_RUNDIR};
}

sub DESTROY { local ($., $@, $!, $^E, $?); $_[0]->stop }

require File::Path;
1;
