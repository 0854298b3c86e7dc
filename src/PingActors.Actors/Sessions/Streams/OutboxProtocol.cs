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

/// <summary>
/// Told to an outbox: queue <paramref name="Payload"/> if there is room, and say which through
/// <paramref name="Receipt"/> (slot <paramref name="Slot"/>). A full queue refuses this message and keeps the
/// socket, whatever the overflow policy: the sender is told and decides, as the proxy's /send does.
/// </summary>
public sealed record Offer(Payload Payload, IOfferReceipt Receipt, int Slot);

/// <summary>What became of an <see cref="Offer"/>.</summary>
public enum OfferResult
{
    Queued,
    QueueFull,
    Closed,
}

/// <summary>Collects the answers to the offers of one send; called from the socket's stream, once per offer.</summary>
public interface IOfferReceipt
{
    void Report(int slot, OfferResult result);
}
