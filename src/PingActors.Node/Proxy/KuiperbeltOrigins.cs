using PingActors.Node.WebSockets;

namespace PingActors.Node.Proxy;

/// <summary>kuiperbelt's origin policies (seeds-protocols.md 1.4), checked before the app's connect callback is called.</summary>
public sealed class KuiperbeltOrigins : IOriginCheck
{
    /// <summary>Any Origin, or none.</summary>
    public static readonly KuiperbeltOrigins None = new(_ => true);

    /// <summary>No Origin, or one whose host[:port] equals Host, ASCII case-insensitively (gorilla's check).</summary>
    public static readonly KuiperbeltOrigins SameOrigin = new(request =>
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true;
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            || string.Equals(HostPartOf(origin), request.Host.Value, StringComparison.OrdinalIgnoreCase);
    });

    /// <summary>An Origin is required, and its hostname must equal Host's; ports are ignored, but Host must carry one (as kuiperbelt).</summary>
    public static readonly KuiperbeltOrigins SameHostname = new(request =>
    {
        var origin = request.Headers.Origin.ToString();
        var host = request.Host;
        return origin.Length > 0
            && host.HasValue && host.Port is not null
            && Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Host, host.Host, StringComparison.OrdinalIgnoreCase);
    });

    private readonly Func<HttpRequest, bool> _allows;

    private KuiperbeltOrigins(Func<HttpRequest, bool> allows) => _allows = allows;

    public bool Allows(HttpRequest request) => _allows(request);

    // "scheme://host[:port]" without a path: what Host would be, as written.
    private static string HostPartOf(string origin)
    {
        var start = origin.IndexOf("://", StringComparison.Ordinal);
        return start < 0 ? origin : origin[(start + 3)..].TrimEnd('/');
    }
}
