using PingActors.Node.Configuration;

namespace PingActors.Node.WebSockets;

/// <summary>
/// The WebSocket origin allow-list. Empty allows everything. A request without Origin is allowed (as in
/// Pinghub: only browsers send it). Exact entries match byte for byte; <c>scheme://*.domain[:port]</c>
/// matches any subdomain of <c>domain</c> with the same scheme and port, but not <c>domain</c> itself.
/// </summary>
public sealed class OriginPolicy : IOriginCheck
{
    private readonly string[] _exact;
    private readonly (string Prefix, string Suffix)[] _wildcards;

    public OriginPolicy(IReadOnlyList<string> entries)
    {
        Entries = entries;
        _exact = entries.Where(e => !e.Contains("://*.", StringComparison.Ordinal)).ToArray();
        _wildcards = entries.Where(e => e.Contains("://*.", StringComparison.Ordinal)).Select(SplitWildcard).ToArray();
    }

    private IReadOnlyList<string> Entries { get; }

    /// <summary>Reads an allow-list such as <c>pingactors.hub.allowed-origins</c>.</summary>
    internal static OriginPolicy Read(SettingsReader reader, string key) =>
        new(reader.StringList(key, "a list of origins such as [\"https://example.com\", \"https://*.example.com\"]", IsValidEntry));

    public static bool IsValidEntry(string entry)
    {
        var candidate = entry.Replace("://*.", "://x.", StringComparison.Ordinal);
        return Uri.TryCreate(candidate, UriKind.Absolute, out var uri)
            && uri.Scheme is "http" or "https"
            && uri.PathAndQuery == "/"
            && !candidate.EndsWith('/')
            && uri.UserInfo.Length == 0;
    }

    public bool Allows(HttpRequest request) => Allows(request.Headers.Origin.ToString());

    public bool Allows(string? origin)
    {
        if (Entries.Count == 0 || string.IsNullOrEmpty(origin))
        {
            return true;
        }

        foreach (var exact in _exact)
        {
            if (string.Equals(exact, origin, StringComparison.Ordinal))
            {
                return true;
            }
        }

        foreach (var (prefix, suffix) in _wildcards)
        {
            // "https://" + label(s) + ".example.com" + optional ":port", where the labels contain no ':' or '/'.
            if (origin.Length > prefix.Length + suffix.Length
                && origin.StartsWith(prefix, StringComparison.Ordinal)
                && origin.EndsWith(suffix, StringComparison.Ordinal))
            {
                var labels = origin.AsSpan(prefix.Length, origin.Length - prefix.Length - suffix.Length);
                if (labels.IndexOfAny(":/@") < 0 && !labels.StartsWith(".") && !labels.EndsWith("."))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static (string, string) SplitWildcard(string entry)
    {
        var star = entry.IndexOf("://*.", StringComparison.Ordinal);
        return (entry[..(star + 3)], entry[(star + 4)..]);
    }
}
