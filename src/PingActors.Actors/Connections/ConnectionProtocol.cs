using System.Net.WebSockets;
using PingActors.Actors.Hub;

namespace PingActors.Actors.Connections;

/// <summary>How a connection request ended, for the HTTP handler that waits on it.</summary>
public enum ConnectionOutcome
{
    /// <summary>The socket was opened and has closed.</summary>
    Closed,

    /// <summary>The channel could not be joined in time; nothing was sent to the client yet (answer 503).</summary>
    ChannelUnavailable,

    /// <summary>The node is draining; nothing was sent to the client yet (answer 503).</summary>
    ShuttingDown,
}

/// <summary>
/// Asks the <see cref="ConnectionSupervisor"/> for a connection actor. <paramref name="Accept"/> completes the
/// WebSocket handshake; it is called only once the channel is joined, so a client whose handshake
/// succeeded receives every message published after it.
/// </summary>
public sealed record OpenConnection(string Channel, Func<Task<WebSocket>> Accept, TaskCompletionSource<ConnectionOutcome> Outcome);

/// <summary>Close this connection with <paramref name="Reason"/>, after what is queued (all of them: <see cref="Drain"/>).</summary>
public sealed record CloseConnection(CloseReason Reason);

/// <summary>Close every connection, spread over <paramref name="Window"/>; answered with <see cref="Drained"/> when none is left.</summary>
public sealed record Drain(TimeSpan Window);

/// <summary>No connection is left on this node.</summary>
public sealed class Drained
{
    public static readonly Drained Instance = new();
}
