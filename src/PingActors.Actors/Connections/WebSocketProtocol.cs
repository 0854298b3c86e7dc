using Akka.Actor;
using PingActors.Actors.Hub;

namespace PingActors.Actors.Connections;

/// <summary>Sent by the socket stage to its connection actor: deliveries for this socket go to <paramref name="Outbox"/>.</summary>
public sealed record OutboxReady(IActorRef Outbox);

/// <summary>Told to an outbox: close the socket with <paramref name="Reason"/>; with <paramref name="Flush"/> the queued messages go out first.</summary>
public sealed record CloseSocket(CloseReason Reason, bool Flush);
