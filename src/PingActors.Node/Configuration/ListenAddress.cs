using System.Globalization;
using System.Net;

namespace PingActors.Node.Configuration;

/// <summary>
/// A listener's <c>host:port</c> (host: an IP address, <c>localhost</c>, or <c>0.0.0.0</c>/<c>[::]</c> for all
/// interfaces), or <c>unix:/path</c> for a unix domain socket (kuiperbelt's <c>sock</c>).
/// </summary>
public sealed record ListenAddress(IPAddress Address, int Port)
{
    public const string UnixPrefix = "unix:";

    /// <summary>The socket file's absolute path, for a unix-socket listener; then Address and Port are unused.</summary>
    public string? UnixSocket { get; init; }

    public static ListenAddress Unix(string path) => new(IPAddress.None, 0) { UnixSocket = path };

    public static bool TryParse(string text, out ListenAddress? address)
    {
        address = null;
        if (text.StartsWith(UnixPrefix, StringComparison.Ordinal))
        {
            var path = text[UnixPrefix.Length..];
            if (!Path.IsPathFullyQualified(path))
            {
                return false;
            }

            address = Unix(path);
            return true;
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return false;
        }

        var host = text[..colon];
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return false;
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = new ListenAddress(IPAddress.Loopback, port);
            return true;
        }

        if (!IPAddress.TryParse(host, out var ip))
        {
            return false;
        }

        address = new ListenAddress(ip, port);
        return true;
    }

    public override string ToString() => UnixSocket is not null ? UnixPrefix + UnixSocket : Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]:{Port}" : $"{Address}:{Port}";
}
