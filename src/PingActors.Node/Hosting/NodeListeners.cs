using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace PingActors.Node.Hosting;

/// <summary>The Kestrel endpoints the node opened, by listener name; after start their ports are the ones actually bound (port 0 resolved).</summary>
public sealed class NodeListeners
{
    private readonly Dictionary<string, ListenOptions> _bound = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => _bound.Keys;

    /// <summary>The address a client reaches the listener <paramref name="name"/> at; a unix socket's is <c>http://localhost/</c> (its path is in <see cref="SocketFileOf"/>).</summary>
    public Uri UriOf(string name)
    {
        if (SocketFileOf(name) is not null)
        {
            return new Uri("http://localhost/");
        }

        var endpoint = _bound[name].IPEndPoint!;
        var host = endpoint.Address.Equals(System.Net.IPAddress.Any) ? "127.0.0.1"
            : endpoint.Address.Equals(System.Net.IPAddress.IPv6Any) ? "[::1]"
            : endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]"
            : endpoint.Address.ToString();
        return new Uri($"http://{host}:{endpoint.Port}/");
    }

    /// <summary>The bound TCP port of <paramref name="name"/>; 0 for a unix socket.</summary>
    public int PortOf(string name) => _bound[name].IPEndPoint?.Port ?? 0;

    /// <summary>The socket file of a unix-socket listener; null for TCP.</summary>
    public string? SocketFileOf(string name) => _bound[name].SocketPath;

    internal void Add(string name, ListenOptions options) => _bound[name] = options;
}
