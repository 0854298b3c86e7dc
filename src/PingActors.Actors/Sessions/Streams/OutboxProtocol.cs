namespace PingActors.Actors.Sessions.Streams;

/// <summary>
/// Sent by the <see cref="ActorEndpoint"/> to its session actor: <paramref name="Outbox"/> takes the socket's
/// messages (<see cref="Payload"/>) and control messages (<see cref="CloseSocket"/>, <see cref="AbortSocket"/>).
/// It is the stage's async callback: it queues the message for the stage in its interpreter's mailbox, as
/// a message to a stage actor would be, without an actor ref (and its per-socket cost) in front.
/// </summary>
public sealed record OutboxReady(Action<object> Outbox);

/// <summary>Told to an outbox: close the socket with <paramref name="Reason"/>; with <paramref name="Flush"/> the queued messages go out first.</summary>
public sealed record CloseSocket(CloseReason Reason, bool Flush);

/// <summary>Told to an outbox when its session actor is gone: drop the socket without a handshake.</summary>
public sealed class AbortSocket
{
    public static readonly AbortSocket Instance = new();
}
