using System.Net.WebSockets;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Hub;

/// <summary>The close reasons only the hub sends (README, "Close codes").</summary>
public static class HubCloseReasons
{
    /// <summary>1012 (service restart): the channel's sequence was interrupted beyond what could be replayed; reconnect.</summary>
    public static readonly CloseReason MessagesLost = new((WebSocketCloseStatus)1012, "channel restarted: messages may have been lost");
}
