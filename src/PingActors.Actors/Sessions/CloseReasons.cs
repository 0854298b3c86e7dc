using System.Net.WebSockets;

namespace PingActors.Actors.Sessions;

/// <summary>A close frame the server sends: every server-initiated close carries a code and a reason.</summary>
public sealed record CloseReason(WebSocketCloseStatus Code, string Text)
{
    public override string ToString() => $"{(int)Code} {Text}";
}

/// <summary>The close codes and reasons every kind of session uses (README, "Close codes"); a feature adds its own beside it.</summary>
public static class CloseReasons
{
    /// <summary>1000: the server ends the session on purpose (an app's close, a peer that finished).</summary>
    public static readonly CloseReason Normal = new(WebSocketCloseStatus.NormalClosure, "normal closure");

    /// <summary>1002: sent by .NET's WebSocket itself; the node puts this reason into its close frame (CloseReasonStream).</summary>
    public static readonly CloseReason ProtocolError = new(WebSocketCloseStatus.ProtocolError, "protocol error");

    public static readonly CloseReason SlowConsumer = new(WebSocketCloseStatus.PolicyViolation, "slow consumer: outbound queue full");

    public static readonly CloseReason MessageTooBig = new(WebSocketCloseStatus.MessageTooBig, "message too big");

    public static readonly CloseReason InvalidUtf8 = new(WebSocketCloseStatus.InvalidPayloadData, "invalid UTF-8 in text message");

    public static readonly CloseReason ServerShutdown = new(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");

    public static readonly CloseReason InternalError = new(WebSocketCloseStatus.InternalServerError, "internal error");
}
