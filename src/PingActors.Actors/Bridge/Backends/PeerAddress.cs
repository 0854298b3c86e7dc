using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PingActors.Actors.Bridge.Backends;

/// <summary>The transports a bridge peer can be reached by (websocksy's peer address schemes).</summary>
public enum PeerKind
{
    Tcp,
    Udp,
    Unix,
    UnixDgram,
}

/// <summary>
/// A bridge peer, parsed from websocksy's peer address text or from a <see cref="PeerChoice.Peer"/> Uri.
/// <para>
/// In a Uri a unix socket's path is the Uri's path with an empty authority, each segment percent-escaped:
/// <c>unix:///run/app.sock</c>, <c>unix-dgram:///tmp/a%20b.sock</c>. <see cref="FromUri"/> gives the path back
/// unescaped, so a path with spaces, <c>%</c>, <c>?</c> or <c>#</c> survives the trip. TCP and UDP peers are
/// <c>tcp://host:port</c> and <c>udp://host:port</c> (IPv6 in brackets), always with a port.
/// </para>
/// </summary>
/// <param name="Host">The host name or IP address (IPv6 without brackets) for TCP/UDP; null for unix sockets.</param>
/// <param name="Port">1-65535 for TCP/UDP; 0 for unix sockets.</param>
/// <param name="Path">The socket file's absolute, normalised path for unix sockets; null for TCP/UDP.</param>
public sealed record PeerAddress(PeerKind Kind, string? Host, int Port, string? Path)
{
    private static readonly (string Prefix, PeerKind Kind)[] Schemes =
    [
        ("tcp://", PeerKind.Tcp),
        ("udp://", PeerKind.Udp),
        ("unix://", PeerKind.Unix),
        ("unix-dgram://", PeerKind.UnixDgram),
    ];

    public bool IsUnix => Kind is PeerKind.Unix or PeerKind.UnixDgram;

    public string Scheme => SchemeOf(Kind);

    /// <summary>Stream for tcp:// and unix://, datagram for udp:// and unix-dgram://.</summary>
    public SocketType SocketType => Kind is PeerKind.Tcp or PeerKind.Unix ? SocketType.Stream : SocketType.Dgram;

    /// <summary>What a socket connects to: a <see cref="UnixDomainSocketEndPoint"/>, an <see cref="IPEndPoint"/> for an IP address, else a <see cref="DnsEndPoint"/>.</summary>
    public EndPoint ToEndPoint() => IsUnix
        ? new UnixDomainSocketEndPoint(Path!)
        : IPAddress.TryParse(Host, out var ip) ? new IPEndPoint(ip, Port) : new DnsEndPoint(Host!, Port);

    /// <summary>The normalised Uri a backend returns in <see cref="PeerChoice.Peer"/>.</summary>
    public Uri ToUri() => IsUnix
        ? new Uri(Scheme + "://" + string.Join('/', Path!.Split('/').Select(Uri.EscapeDataString)))
        : new Uri(string.Create(CultureInfo.InvariantCulture, $"{Scheme}://{(Host!.Contains(':') ? "[" + Host + "]" : Host)}:{Port}"));

    /// <summary>The Uri's text as built (<see cref="Uri.ToString"/> would add a '/' after a port).</summary>
    public override string ToString() => ToUri().OriginalString;

    /// <summary>Reads a peer Uri back (one from <see cref="ToUri"/>, or any tcp/udp/unix/unix-dgram Uri a backend made).</summary>
    /// <exception cref="FormatException">The Uri is not one of the four schemes, or lacks the port or path.</exception>
    public static PeerAddress FromUri(Uri peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (!peer.IsAbsoluteUri)
        {
            throw new FormatException($"expected a peer such as tcp://host:port or unix:///path, got the relative \"{peer}\"");
        }

        var kind = KindOf(peer.Scheme) ?? throw new FormatException($"expected a peer with scheme tcp, udp, unix or unix-dgram, got \"{peer}\"");
        if (kind is PeerKind.Unix or PeerKind.UnixDgram)
        {
            // websocksy's unix://relative/path puts the first segment in the authority; join it back.
            var path = Uri.UnescapeDataString(peer.Authority + peer.AbsolutePath);
            return Parse(peer.Scheme + "://" + path);
        }

        if (peer.Port is < 1 or > 65535 || peer.Host.Length == 0)
        {
            throw new FormatException($"expected {peer.Scheme}://host:port with a port from 1 to 65535, got \"{peer}\"");
        }

        return new PeerAddress(kind, peer.HostNameType == UriHostNameType.IPv6 ? peer.Host.Trim('[', ']') : peer.Host, peer.Port, null);
    }

    /// <summary>
    /// Parses websocksy's peer address text: <c>tcp://host[:port]</c>, <c>udp://host[:port]</c>, <c>unix://path</c>,
    /// <c>unix-dgram://path</c>, or a bare <c>host[:port]</c> (TCP, as websocksy guesses). A relative unix path is
    /// made absolute against the working directory, as websocksy's connect would resolve it.
    /// </summary>
    /// <param name="port">A port given apart from the host (websocksy's <c>port</c> key); it must agree with one in the text.</param>
    /// <param name="defaultPort">The port when neither the text nor <paramref name="port"/> has one.</param>
    /// <exception cref="FormatException">The text names no usable peer; the message says what was expected.</exception>
    public static PeerAddress Parse(string text, int? port = null, int? defaultPort = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (kind, rest) = SplitScheme(text);
        if (kind is PeerKind.Unix or PeerKind.UnixDgram)
        {
            if (rest.Length == 0 || rest.Contains('\0'))
            {
                throw new FormatException($"expected {SchemeOf(kind)}:///path/to/socket, got \"{text}\"");
            }

            return new PeerAddress(kind, null, 0, System.IO.Path.GetFullPath(rest));
        }

        var (host, hostPort) = SplitHost(text, rest);
        if (hostPort is { } p && port is { } q && p != q)
        {
            throw new FormatException($"expected the peer's port once, got {p} in \"{text}\" and {q} as the port");
        }

        var chosen = hostPort ?? port ?? defaultPort
            ?? throw new FormatException($"expected {SchemeOf(kind)}://host:port, got \"{text}\" with no port");
        if (chosen is < 1 or > 65535)
        {
            throw new FormatException($"expected a port from 1 to 65535, got {chosen}");
        }

        return new PeerAddress(kind, host, chosen, null);
    }

    private static (PeerKind Kind, string Remainder) SplitScheme(string text)
    {
        foreach (var (prefix, kind) in Schemes)
        {
            if (text.StartsWith(prefix, StringComparison.Ordinal))
            {
                return (kind, text[prefix.Length..]);
            }
        }

        // websocksy knows fifotx:// and fiforx:// but never implemented them; any other scheme it would take
        // for part of a host name and fail to resolve.
        if (text.Contains("://", StringComparison.Ordinal))
        {
            throw new FormatException($"expected a peer with scheme tcp://, udp://, unix:// or unix-dgram://, got \"{text}\"");
        }

        return (PeerKind.Tcp, text);
    }

    private static (string Host, int? Port) SplitHost(string text, string rest)
    {
        string host;
        string? port = null;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']');
            host = close > 1 ? rest[1..close] : throw new FormatException($"expected [IPv6]:port, got \"{text}\"");
            var after = rest[(close + 1)..];
            if (after.Length > 0)
            {
                port = after[0] == ':' ? after[1..] : throw new FormatException($"expected [IPv6]:port, got \"{text}\"");
            }

            if (!IPAddress.TryParse(host, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw new FormatException($"expected an IPv6 address in brackets, got \"{text}\"");
            }
        }
        else
        {
            var colon = rest.IndexOf(':');
            if (colon >= 0 && rest.IndexOf(':', colon + 1) >= 0)
            {
                throw new FormatException($"expected host:port (an IPv6 address in brackets, [::1]:5900), got \"{text}\"");
            }

            host = colon < 0 ? rest : rest[..colon];
            port = colon < 0 ? null : rest[(colon + 1)..];
            if (Uri.CheckHostName(host) is UriHostNameType.Unknown or UriHostNameType.IPv6)
            {
                throw new FormatException($"expected a host name or IP address, got \"{text}\"");
            }
        }

        if (port is null)
        {
            return (host, null);
        }

        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? (host, number)
            : throw new FormatException($"expected a numeric port, got \"{text}\"");
    }

    private static PeerKind? KindOf(string scheme) => scheme.ToLowerInvariant() switch
    {
        "tcp" => PeerKind.Tcp,
        "udp" => PeerKind.Udp,
        "unix" => PeerKind.Unix,
        "unix-dgram" => PeerKind.UnixDgram,
        _ => null,
    };

    private static string SchemeOf(PeerKind kind) => kind switch
    {
        PeerKind.Tcp => "tcp",
        PeerKind.Udp => "udp",
        PeerKind.Unix => "unix",
        _ => "unix-dgram",
    };
}
