using PingActors.Actors.Proxy;
using PingActors.Actors.Proxy.Callbacks;
using PingActors.Actors.Sessions;
using PingActors.Node.WebSockets;

namespace PingActors.Node.Proxy;

/// <summary>A WebSocket to either proxy face: a plain request is refused, a handshake opens a proxy session on that face's engine.</summary>
public static class ProxyConnect
{
    public static Task RunAsync(HttpContext context, ProxyContext proxy, IOriginCheck origins, SessionEndpoint sessions)
    {
        if (!Handshake.IsUpgradeRequest(context.Request))
        {
            // kuiperbelt (gorilla) answers 400 too, but only after calling the app.
            return HttpAnswers.WriteText(context, StatusCodes.Status400BadRequest, "Error: bad request. Not a WebSocket handshake (Connection: Upgrade and Upgrade: websocket required).\n");
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in context.Request.Headers)
        {
            foreach (var value in values)
            {
                headers.Add(new(name, value ?? string.Empty));
            }
        }

        var connect = new ConnectRequest(context.Request.QueryString.Value ?? string.Empty, headers, context.Connection.RemoteIpAddress?.ToString());
        return sessions.RunAsync(context, origins, proxy.Settings.Session, ProxySessionActor.Props, new ProxySessionRequest(proxy, connect, new ActivityClock()));
    }
}
