using Microsoft.Extensions.Primitives;

namespace PingActors.Node.WebSockets;

/// <summary>Why a WebSocket handshake is refused: status, body and any headers the client needs.</summary>
public sealed record HandshakeRejection(int Status, string Body, IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>WebSocket handshake checks, done before the node's own upgrade (<c>WebSocketUpgrade</c>) so each failure gets its precise answer.</summary>
public static class Handshake
{
    /// <summary>Pinghub routes on the presence of <c>Connection: upgrade</c> and <c>Upgrade: websocket</c>, whatever the method.</summary>
    public static bool IsUpgradeRequest(HttpRequest request) =>
        HasToken(request.Headers.Connection, "upgrade") && HasToken(request.Headers.Upgrade, "websocket");

    public static HandshakeRejection? Validate(HttpRequest request, IOriginCheck origins)
    {
        // RFC 6455 4.1 requires HTTP/1.1 or later, and HTTP/1.0 has no Upgrade mechanism (RFC 9110 7.8), yet
        // Kestrel marks such a request upgradable. Checked first: a version answer (426) would invite a retry
        // that cannot succeed over HTTP/1.0 either.
        if (HttpProtocol.IsHttp10(request.Protocol))
        {
            return new HandshakeRejection(StatusCodes.Status400BadRequest, "Error: bad request. WebSocket requires HTTP/1.1 or later.\n", []);
        }

        if (request.Headers.SecWebSocketVersion.ToString() != "13")
        {
            return new HandshakeRejection(StatusCodes.Status426UpgradeRequired, "Error: unsupported WebSocket version; this server speaks version 13.\n", [new("Sec-WebSocket-Version", "13")]);
        }

        var key = request.Headers.SecWebSocketKey;
        if (key.Count != 1 || !IsValidKey(key.ToString()))
        {
            return new HandshakeRejection(StatusCodes.Status400BadRequest, "Error: bad request. Missing or malformed Sec-WebSocket-Key.\n", []);
        }

        if (!HttpMethods.IsGet(request.Method) || !WebSocketUpgrade.IsUpgradable(request.HttpContext))
        {
            return new HandshakeRejection(StatusCodes.Status400BadRequest, "Error: bad request. Not a valid WebSocket handshake (HTTP/1.1 GET required).\n", []);
        }

        if (!origins.Allows(request))
        {
            return new HandshakeRejection(StatusCodes.Status403Forbidden, "Forbidden\n", [new("Sec-WebSocket-Version", "13")]);
        }

        return null;
    }

    private static bool IsValidKey(string key)
    {
        Span<byte> decoded = stackalloc byte[32];
        return Convert.TryFromBase64String(key.Trim(), decoded, out var written) && written == 16;
    }

    private static bool HasToken(StringValues values, string token)
    {
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var part in value.Split(','))
            {
                if (part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
