using PingActors.Actors.Hub;

namespace PingActors.Actors.Connections;

/// <summary>
/// Sent by the socket stage to its connection actor: <paramref name="Outbox"/> takes the socket's
/// deliveries (<see cref="Payload"/>) and control messages (<see cref="CloseSocket"/>, <see cref="AbortSocket"/>).
/// It is the stage's async callback: it queues the message for the stage in its interpreter's mailbox, as
/// a message to a stage actor would be, without an actor ref (and its per-socket cost) in front.
/// </summary>
public sealed record OutboxReady(Action<object> Outbox);

/// <summary>Told to an outbox: close the socket with <paramref name="Reason"/>; with <paramref name="Flush"/> the queued messages go out first.</summary>
public sealed record CloseSocket(CloseReason Reason, bool Flush);

/// <summary>Told to an outbox when its connection actor is gone: drop the socket without a handshake.</summary>
public sealed class AbortSocket
{
    public static readonly AbortSocket Instance = new();
}

/// <summary>A client message for the connection actor; the stream reads the next one only after <paramref name="Ack"/> is called.</summary>
public sealed record InboundMessage(Payload Payload, Action Ack);

/// <summary>The socket's stream has ended (the socket is closed).</summary>
public sealed class StreamCompleted
{
    public static readonly StreamCompleted Instance = new();
}

/// <summary>The socket's stream has failed.</summary>
public sealed record StreamFailed(Exception Cause);
