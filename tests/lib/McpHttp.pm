package McpHttp;
# McpHttp - a small raw HTTP/1.1 client for the integration tests: any method, any headers
# (Host included, for the DNS-rebinding checks), Connection: close, chunked bodies decoded.
#
#   my $r = McpHttp::request('POST', $url, { 'Content-Type' => ... }, $body);
#   $r->{status}, $r->{headers}{lc name}, $r->{body}, $r->{json} (decoded when JSON)
#   McpHttp::rpc($url, $msg_or_text, %headers)   POST with the standard MCP headers
#   McpHttp::initialize($url, %opt)              -> ($session_id, $response)
use strict;
use warnings;
use IO::Socket::INET;
use JSON::PP;
use Time::HiRes qw(time);
use Exporter 'import';
our @EXPORT_OK = qw(request rpc initialize mcp_headers $JSON);

our $JSON = JSON::PP->new->utf8->canonical->allow_nonref;

sub request {
    my ($method, $url, $headers, $body, %opt) = @_;
    $url =~ m{^http://([^/:]+):(\d+)(/.*)?$} or die "bad url $url";
    my ($host, $port, $path) = ($1, $2, $3 // '/');
    my $sock = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => 'tcp',
                                     Timeout => 10) or die "connect $host:$port: $!";
    my %h = (Host => "$host:$port", Connection => 'close', %{ $headers || {} });
    delete $h{$_} for grep { !defined $h{$_} } keys %h;
    $h{'Content-Length'} = length($body) if defined $body && !exists $h{'Content-Length'};
    my $req = "$method $path HTTP/1.1\r\n" . join('', map { "$_: $h{$_}\r\n" } sort keys %h) . "\r\n";
    $req .= $body if defined $body;
    print {$sock} $req;
    my $raw = '';
    my $deadline = time + ($opt{timeout} // 10);
    $sock->blocking(1);
    while (time < $deadline) {
        my $n = sysread($sock, my $buf, 65536);
        last unless $n;
        $raw .= $buf;
    }
    close $sock;
    my ($head, $rest) = split /\r\n\r\n/, $raw, 2;
    die "no response from $url\n" unless defined $head && $head =~ m{^HTTP/1\.\d (\d+)};
    my %r = (status => $1 + 0, headers => {}, body => $rest // '');
    for my $line (split /\r\n/, $head) {
        $r{headers}{ lc $1 } = $2 if $line =~ /^([^:]+):\s*(.*)$/;
    }
    if (($r{headers}{'transfer-encoding'} // '') =~ /chunked/i) {
        my ($in, $out) = ($r{body}, '');
        while ($in =~ s/^([0-9a-fA-F]+)[^\r\n]*\r\n//) {
            my $len = hex $1;
            last if $len == 0;
            $out .= substr($in, 0, $len, '');
            $in =~ s/^\r\n//;
        }
        $r{body} = $out;
    }
    if (($r{headers}{'content-type'} // '') =~ m{application/json} && length $r{body}) {
        $r{json} = eval { $JSON->decode($r{body}) };
    }
    return \%r;
}

# The headers a well-behaved Streamable HTTP client sends.
sub mcp_headers {
    my (%o) = @_;
    my %h = (
        'Accept' => 'application/json, text/event-stream',
        'Content-Type' => 'application/json',
    );
    $h{'Mcp-Session-Id'} = $o{session} if defined $o{session};
    $h{'MCP-Protocol-Version'} = $o{version} if defined $o{version};
    return %h;
}

# POST one message (a Perl structure is encoded; a string is sent as is).
sub rpc {
    my ($url, $msg, %o) = @_;
    my $body = ref $msg ? $JSON->encode($msg) : $msg;
    my %h = (mcp_headers(%o), %{ $o{headers} || {} });
    return request('POST', $url, \%h, $body);
}

my $next_id = 1;
sub initialize {
    my ($url, %o) = @_;
    my $r = rpc($url, {
        jsonrpc => '2.0', id => $next_id++, method => 'initialize',
        params => {
            protocolVersion => $o{version} // '2025-11-25',
            capabilities => $o{capabilities} // {},
            clientInfo => { name => 'mcp-fcgi-tests', version => '1.0' },
        },
    }, headers => $o{headers} || {});
    return ($r->{headers}{'mcp-session-id'}, $r);
}

1;
