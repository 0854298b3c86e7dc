namespace PingActors.Actors.Bridge.Backends;

/// <summary>
/// The peers any backend may return (<c>pingactors.bridge.allow</c>): <c>tcp://host:port</c> or
/// <c>tcp://host:*</c>, the same for <c>udp://</c>, and <c>unix:///path</c> or <c>unix-dgram:///path</c>, a
/// trailing <c>*</c> making the path a prefix. Hosts are compared as written, ignoring case: no name is
/// resolved, so <c>localhost</c> does not allow <c>127.0.0.1</c>. Unix paths are compared once normalised, so
/// <c>/run/app/../x</c> is not under <c>/run/app/*</c>.
/// </summary>
public sealed class AllowList
{
    private readonly IReadOnlyList<Pattern> _patterns;

    private AllowList(IReadOnlyList<Pattern> patterns) => _patterns = patterns;

    public int Count => _patterns.Count;

    /// <exception cref="FormatException">A pattern that is none of the forms above; the message names it.</exception>
    public static AllowList Parse(IEnumerable<string> patterns) => new(patterns.Select(ParsePattern).ToArray());

    /// <summary>True when <paramref name="peer"/> (a <see cref="PeerChoice.Peer"/>) matches a pattern; false for a Uri that is no peer at all.</summary>
    public bool Allows(Uri peer)
    {
        PeerAddress address;
        try
        {
            address = PeerAddress.FromUri(peer);
        }
        catch (FormatException)
        {
            return false;
        }

        return _patterns.Any(p => p.Matches(address));
    }

    private static Pattern ParsePattern(string text)
    {
        const string expected = "tcp://host:port, udp://host:port (port may be *), unix:///path or unix-dgram:///path (a trailing * for a prefix)";
        try
        {
            if (text.StartsWith("unix://", StringComparison.Ordinal) || text.StartsWith("unix-dgram://", StringComparison.Ordinal))
            {
                var prefix = text.EndsWith('*');
                var address = PeerAddress.Parse(prefix ? text[..^1] : text);
                if (!text.Contains(":///", StringComparison.Ordinal))
                {
                    throw new FormatException();
                }

                // "/run/app/*" drops its '*' and keeps the '/', so it never matches "/run/apple".
                var path = prefix && text[^2] == '/' && !address.Path!.EndsWith('/') ? address.Path + "/" : address.Path!;
                return new Pattern(address.Kind, null, 0, path, prefix);
            }

            if (text.StartsWith("tcp://", StringComparison.Ordinal) || text.StartsWith("udp://", StringComparison.Ordinal))
            {
                var anyPort = text.EndsWith(":*", StringComparison.Ordinal);
                var address = anyPort ? PeerAddress.Parse(text[..^2], port: null, defaultPort: 1) : PeerAddress.Parse(text);
                return new Pattern(address.Kind, address.Host, anyPort ? 0 : address.Port, null, false);
            }
        }
        catch (FormatException)
        {
        }

        throw new FormatException($"expected {expected}, got \"{text}\"");
    }

    /// <param name="Port">0 for any port.</param>
    private sealed record Pattern(PeerKind Kind, string? Host, int Port, string? Path, bool PathPrefix)
    {
        public bool Matches(PeerAddress peer)
        {
            if (peer.Kind != Kind)
            {
                return false;
            }

            if (peer.IsUnix)
            {
                return PathPrefix ? peer.Path!.StartsWith(Path!, StringComparison.Ordinal) : peer.Path == Path;
            }

            return string.Equals(peer.Host, Host, StringComparison.OrdinalIgnoreCase) && (Port == 0 || Port == peer.Port);
        }
    }
}
