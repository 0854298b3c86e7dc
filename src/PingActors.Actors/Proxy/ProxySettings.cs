using PingActors.Actors.Sessions;

namespace PingActors.Actors.Proxy;

/// <summary>The proxy's actor settings (<c>pingactors.proxy</c>, hocon/reference.conf), read and checked by the node.</summary>
public sealed record ProxySettings
{
    public required Uri ConnectCallback { get; init; }

    public Uri? EstablishCallback { get; init; }

    public Uri? ReceiveCallback { get; init; }

    public Uri? CloseCallback { get; init; }

    public TimeSpan CallbackTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public int CallbackMaxConnections { get; init; } = 256;

    public TimeSpan CallbackConnectionLifetime { get; init; } = TimeSpan.FromSeconds(10);

    public int CallbackMaxBodySize { get; init; } = 1024 * 1024;

    public string SessionHeader { get; init; } = "X-Kuiperbelt-Session";

    /// <summary>This node's <c>X-Kuiperbelt-Endpoint</c>.</summary>
    public string Endpoint { get; init; } = "localhost:9180";

    /// <summary>proxy-set-header: an empty value removes the header.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> SetHeaders { get; init; } = [];

    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Zero: sessions are never closed for idleness.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.Zero;

    public bool StrictBroadcast { get; init; }

    /// <summary>The sockets' settings; <c>send-queue-size</c> is their outbound queue's message bound.</summary>
    public SessionSettings Session { get; init; } = new();
}
