using Akka.Actor;
using PingActors.Actors.Hub;

namespace PingActors.Actors.Connections;

/// <summary>Sent by the socket stage to its connection actor: deliveries for this socket go to <paramref name="Outbox"/>.</summary>
public sealed record OutboxReady(IActorRef Outbox);

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
