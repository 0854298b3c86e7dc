using System.Net.WebSockets;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Bridge;

/// <summary>The bridge's close codes (README, "Close codes"); websocksy sends its reasons with no status code at all.</summary>
public static class BridgeCloseReasons
{
    /// <summary>1000: the peer ended its side (EOF); websocksy's "Peer closed connection".</summary>
    public static readonly CloseReason PeerClosed = new(WebSocketCloseStatus.NormalClosure, "peer closed connection");

    /// <summary>1011: reading from or writing to the peer failed (reset, refused datagrams, ...).</summary>
    public static CloseReason PeerFailed(string why) => new(WebSocketCloseStatus.InternalServerError, Bounded("peer connection failed: " + why));

    /// <summary>1009: the framing found a record larger than max-message-size.</summary>
    public static CloseReason RecordTooBig(string why) => new(WebSocketCloseStatus.MessageTooBig, Bounded(why));

    // A close frame's reason is at most 123 bytes (RFC 6455 5.5).
    private static string Bounded(string reason)
    {
        while (System.Text.Encoding.UTF8.GetByteCount(reason) > 123)
        {
            reason = reason[..^1];
        }

        return reason;
    }
}
