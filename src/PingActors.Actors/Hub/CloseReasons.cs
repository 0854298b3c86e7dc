using System.Net.WebSockets;

namespace PingActors.Actors.Hub;

/// <summary>A close frame the server sends: every server-initiated close carries a code and a reason.</summary>
public sealed record CloseReason(WebSocketCloseStatus Code, string Text)
{
    public override string ToString() => $"{(int)Code} {Text}";
}

/// <summary>The documented close codes and reasons (README, "Close codes").</summary>
public static class CloseReasons
{
    /// <summary>1002: sent by .NET's WebSocket itself; the node puts this reason into its close frame (CloseReasonStream).</summary>
    public static readonly CloseReason ProtocolError = new(WebSocketCloseStatus.ProtocolError, "protocol error");

    public static readonly CloseReason SlowConsumer = new(WebSocketCloseStatus.PolicyViolation, "slow consumer: outbound queue full");

    public static readonly CloseReason MessageTooBig = new(WebSocketCloseStatus.MessageTooBig, "message too big");

    public static readonly CloseReason InvalidUtf8 = new(WebSocketCloseStatus.InvalidPayloadData, "invalid UTF-8 in text message");

    public static readonly CloseReason ServerShutdown = new(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");

    /// <summary>1012 (service restart): the channel's sequence was interrupted beyond what could be replayed; reconnect.</summary>
    public static readonly CloseReason MessagesLost = new((WebSocketCloseStatus)1012, "channel restarted: messages may have been lost");

    public static readonly CloseReason InternalError = new(WebSocketCloseStatus.InternalServerError, "internal error");
}
