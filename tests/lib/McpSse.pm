package McpSse;
# McpSse - an SSE client for the integration tests: sends one HTTP/1.1 request on a raw socket
# and reads the answer incrementally, recording when each event arrived.
#
#   my $s = McpSse->open('GET', $url, \%headers, $body);   # dies when no head arrives
#   $s->status; $s->header('content-type');
#   my $ev = $s->next_event(timeout => 5);  # {id, event, data, retry, comments => [...], t}
#   my @evs = $s->events_until(sub { ... }, timeout => 10);
#   $s->close;                              # drop the connection (the client leaves)
#   $s->eof                                 # the server ended the response
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time);
use JSON::PP;

my $JSON = JSON::PP->new->utf8->canonical->allow_nonref;

sub open {
    my ($class, $method, $url, $headers, $body, %o) = @_;
    $url =~ m{^http://([^/:]+):(\d+)(/.*)?$} or die "bad url $url";
    my ($host, $port, $path) = ($1, $2, $3 // '/');
    my $sock = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => 'tcp',
                                     Timeout => 5) or die "connect: $!";
    my %h = (Host => "$host:$port", %{ $headers || {} });
    delete $h{$_} for grep { !defined $h{$_} } keys %h;
    $h{'Content-Length'} = length($body) if defined $body;
    print {$sock} "$method $path HTTP/1.1\r\n" . join('', map { "$_: $h{$_}\r\n" } sort keys %h)
        . "\r\n" . ($body // '');
    my $self = bless { sock => $sock, sel => IO::Select->new($sock), raw => '', body => '',
                       chunked => 0, eof => 0, t0 => time }, $class;
    my $deadline = time + ($o{timeout} // 10);
    while ($self->{raw} !~ /\r\n\r\n/) {
        die "no response head from $url\n" unless $self->_fill($deadline);
    }
    my ($head, $rest) = split /\r\n\r\n/, $self->{raw}, 2;
    $self->{raw} = $rest;
    $head =~ m{^HTTP/1\.\d (\d+)} or die "bad head: $head";
    $self->{status} = $1 + 0;
    for my $line (split /\r\n/, $head) {
        $self->{headers}{ lc $1 } = $2 if $line =~ /^([^:]+):\s*(.*)$/;
    }
    $self->{chunked} = ($self->{headers}{'transfer-encoding'} // '') =~ /chunked/i;
    return $self;
}

sub status { $_[0]{status} }
sub header { $_[0]{headers}{ lc $_[1] } }
sub eof    { $_[0]{eof} }

# Reads what is available (waiting until $deadline). 0 on EOF or timeout.
sub _fill {
    my ($self, $deadline) = @_;
    return 0 if $self->{eof};
    my $left = $deadline - time;
    return 0 if $left <= 0;
    return 0 unless $self->{sel}->can_read($left);
    my $n = sysread($self->{sock}, my $buf, 65536);
    if (!$n) { $self->{eof} = 1; return 0 }
    $self->{raw} .= $buf;
    return 1;
}

# Moves decoded body bytes from raw into body (de-chunking).
sub _decode {
    my ($self) = @_;
    if (!$self->{chunked}) { $self->{body} .= $self->{raw}; $self->{raw} = ''; return }
    while ($self->{raw} =~ /^([0-9a-fA-F]+)[^\r\n]*\r\n/) {
        my ($hdr, $len) = (length($&), hex $1);
        if ($len == 0) { $self->{eof} = 1; $self->{raw} = ''; return }
        last if length($self->{raw}) < $hdr + $len + 2;
        $self->{body} .= substr($self->{raw}, $hdr, $len);
        substr($self->{raw}, 0, $hdr + $len + 2, '');
    }
}

# The next complete event (comments are gathered into it), or undef on timeout/EOF.
sub next_event {
    my ($self, %o) = @_;
    my $deadline = time + ($o{timeout} // 10);
    for (;;) {
        $self->_decode;
        if ($self->{body} =~ s/^(.*?)(?:\r\n|\n|\r)(?:\r\n|\n|\r)//s) {
            my $block = $1;
            my %ev = (t => time - $self->{t0}, comments => [], data_lines => []);
            for my $line (split /\r\n|\n|\r/, $block) {
                if ($line =~ /^:\s?(.*)$/) { push @{ $ev{comments} }, $1; next }
                my ($f, $v) = $line =~ /^([^:]*):?\s?(.*)$/;
                if ($f eq 'data') { push @{ $ev{data_lines} }, $v }
                elsif ($f eq 'id' || $f eq 'event' || $f eq 'retry') { $ev{$f} = $v }
            }
            $ev{data} = join "\n", @{ $ev{data_lines} } if @{ $ev{data_lines} };
            $ev{json} = eval { $JSON->decode($ev{data}) } if defined $ev{data} && length $ev{data};
            return \%ev;
        }
        return undef unless $self->_fill($deadline);
    }
}

# Events (comments-only blocks included) until $pred->($ev) is true or the time is up.
sub events_until {
    my ($self, $pred, %o) = @_;
    my $deadline = time + ($o{timeout} // 10);
    my @out;
    while (time < $deadline) {
        my $ev = $self->next_event(timeout => $deadline - time) or last;
        push @out, $ev;
        last if $pred->($ev);
    }
    return @out;
}

# Waits until the server ends the response (1) or the time is up (0).
sub wait_eof {
    my ($self, %o) = @_;
    my $deadline = time + ($o{timeout} // 5);
    while (!$self->{eof}) { $self->_decode; last if $self->{eof}; last unless $self->_fill($deadline) }
    $self->_decode;
    return $self->{eof};
}

sub close { my ($self) = @_; close $self->{sock} if $self->{sock}; $self->{sock} = undef }

1;
