namespace PingActors.Node.WebSockets;

/// <summary>Whether a WebSocket handshake's origin is accepted; each feature brings its own rule (the hub's allow-list, the proxy's kuiperbelt policies).</summary>
public interface IOriginCheck
{
    bool Allows(HttpRequest request);
}
