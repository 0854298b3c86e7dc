using Microsoft.AspNetCore.Http.Features;
using PingActors.Actors.Bridge;
using PingActors.Actors.Bridge.Backends;
using PingActors.Node.WebSockets;

namespace PingActors.Node.Bridge;

/// <summary>
/// The bridge's listener: every path is a WebSocket to bridge (websocksy's). The handshake is checked as on
/// every listener (a plain GET is 426 as in websocksy; a POST gets 400, not websocksy's silence), then the
/// backend sees the raw target, the offered subprotocols and the other headers.
/// </summary>
public sealed class BridgeEndpoint(BridgeRuntime runtime, SessionEndpoint sessions)
{
    private static readonly IOriginCheck AnyOrigin = new AllowAllOrigins();

    public Task HandleAsync(HttpContext context)
    {
        var bridge = runtime.Context;
        var request = new BridgeSessionRequest(bridge, RouteOf(context));
        return sessions.RunAsync(context, AnyOrigin, bridge.Settings.Session, BridgeSessionActor.Props, request);
    }

    private static BridgeRequest RouteOf(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var offered = new List<string>();
        foreach (var value in context.Request.Headers.SecWebSocketProtocol)
        {
            foreach (var protocol in (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!offered.Contains(protocol, StringComparer.Ordinal))
                {
                    offered.Add(protocol);
                }
            }
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in context.Request.Headers)
        {
            if (IsHandshakeHeader(name))
            {
                continue;
            }

            foreach (var value in values)
            {
                headers.Add(new(name, value ?? string.Empty));
            }
        }

        return new BridgeRequest(target, offered, headers);
    }

    // websocksy consumes these itself and never shows them to its backend.
    private static bool IsHandshakeHeader(string name) =>
        name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("Sec-WebSocket-", StringComparison.OrdinalIgnoreCase);

    private sealed class AllowAllOrigins : IOriginCheck
    {
        public bool Allows(HttpRequest request) => true;
    }
}
