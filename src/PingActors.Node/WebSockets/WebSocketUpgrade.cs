using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using PingActors.Actors.Sessions;

namespace PingActors.Node.WebSockets;

/// <summary>
/// Completes a WebSocket handshake that <see cref="Handshake"/> has validated: answers 101 and wraps the
/// upgraded stream in .NET's WebSocket. Done here rather than by ASP.NET's WebSocket middleware so the
/// stream can be wrapped (<see cref="CloseReasonStream"/>). A subprotocol is answered only when the feature
/// picked one (the bridge's backends). permessage-deflate is answered only when the feature's
/// <c>deflate.enabled</c> is on and the client offers it in a form the node can honour (<see cref="DeflateOffer"/>);
/// otherwise, as in Pinghub, no extension.
/// </summary>
public static class WebSocketUpgrade
{
    private const string Rfc6455Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    public static bool IsUpgradable(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true;

    public static async Task<(WebSocket Socket, CloseReasonStream Transport)> AcceptAsync(HttpContext context, TimeSpan keepAliveInterval, TimeSpan keepAliveTimeout, int maxMessageSize, ActivityClock? activity = null, string? subProtocol = null, bool deflate = false)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>() ?? throw new InvalidOperationException("not an upgradable request");
        var key = context.Request.Headers.SecWebSocketKey.ToString().Trim();
        context.Response.Headers.Connection = "Upgrade";
        context.Response.Headers.Upgrade = "websocket";
        context.Response.Headers.SecWebSocketAccept = AcceptKey(key);
        if (subProtocol is not null)
        {
            context.Response.Headers.SecWebSocketProtocol = subProtocol;
        }

        deflate = deflate && DeflateOffer.Acceptable(context.Request.Headers.SecWebSocketExtensions);
        if (deflate)
        {
            context.Response.Headers.SecWebSocketExtensions = DeflateOffer.Response;
        }

        Stream stream;
        try
        {
            stream = await upgrade.UpgradeAsync();
        }
        catch (InvalidOperationException)
        {
            // Kestrel refuses the upgrade at pingactors.hub.max-connections; the handler answers 503.
            context.Response.Headers.Remove("Connection");
            context.Response.Headers.Remove("Upgrade");
            context.Response.Headers.Remove("Sec-WebSocket-Accept");
            context.Response.Headers.Remove("Sec-WebSocket-Protocol");
            context.Response.Headers.Remove("Sec-WebSocket-Extensions");
            throw;
        }

        var transport = new CloseReasonStream(stream, context, maxMessageSize, activity);
        var socket = WebSocket.CreateFromStream(transport, new WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = subProtocol,
            KeepAliveInterval = KeepAlivePlan.DotNetInterval(keepAliveInterval, keepAliveTimeout),
            KeepAliveTimeout = keepAliveTimeout,

            // .NET inflates the client's messages, with a fresh context for each (client_no_context_takeover);
            // it compresses only what the session sends through it, never a precompressed frame.
            DangerousDeflateOptions = deflate
                ? new WebSocketDeflateOptions { ClientContextTakeover = false, ServerContextTakeover = false }
                : null,
        });
        return (deflate ? new DeflateWebSocket(socket, transport) : socket, transport);
    }

    internal static string AcceptKey(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + Rfc6455Guid)));
}
