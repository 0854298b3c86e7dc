using System.Net.WebSockets;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Proxy;

/// <summary>The proxy's own close codes (README, "Close codes"); kuiperbelt sends no close frame for any of these.</summary>
public static class ProxyCloseReasons
{
    /// <summary>1001: no traffic for idle-timeout; the close callback runs.</summary>
    public static readonly CloseReason IdleTimeout = new(WebSocketCloseStatus.EndpointUnavailable, "idle timeout");

    /// <summary>1011: the app's establish callback did not answer 200; no close callback follows (kuiperbelt's rule).</summary>
    public static readonly CloseReason EstablishFailed = new(WebSocketCloseStatus.InternalServerError, "establish callback failed");
}
