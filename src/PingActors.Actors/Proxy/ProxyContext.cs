using Akka.Actor;
using Akka.Streams;
using PingActors.Actors.Proxy.Callbacks;
using PingActors.Actors.Proxy.Faces;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Proxy;

/// <summary>Everything a proxy session needs from its node; <paramref name="Face"/> is the protocol its app speaks.</summary>
public sealed record ProxyContext(ProxySettings Settings, IProxyFace Face, CallbackClient Callbacks, SessionDirectory Directory, ProxyStats Stats, ProxyMetrics Metrics, SessionContext Session)
{
    /// <summary>The proxy's session core: the same WebSocket flow and actor end as the hub's, with its own settings and stream hosts.</summary>
    public static ProxyContext Start(ProxySettings settings, IProxyFace face, HttpClient callbacks, SessionDirectory directory, ProxyStats stats, ProxyMetrics metrics, ActorSystem system)
    {
        var sessions = settings.Session;
        var session = SessionContext.StartWithActorEndpoint(sessions, metrics.Session, system.Materializer());
        return new ProxyContext(settings, face, new CallbackClient(callbacks, face, settings, stats, metrics), directory, stats, metrics, session);
    }
}

/// <summary>A WebSocket request to the proxy's connect path: what its connect callback forwards, and the session's idle clock.</summary>
public sealed record ProxySessionRequest(ProxyContext Proxy, ConnectRequest Connect, ActivityClock Activity) : ISessionRequest
{
    public SessionContext Session => Proxy.Session;

    ActivityClock? ISessionRequest.Activity => Proxy.Settings.IdleTimeout > TimeSpan.Zero ? Activity : null;
}
