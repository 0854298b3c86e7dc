using Akka.Actor;

namespace PingActors.Actors.Hub.Channels;

/// <summary>
/// Asks a channel entity how many messages it numbered since it last answered; sent to every entity of a node at
/// once by an actor selection (the ops console's busiest channels). An entity with nothing new stays silent, so
/// idle channels cost a mailbox run and no answer.
/// </summary>
public sealed record ReportActivity(IActorRef ReplyTo);

/// <summary>The answer to <see cref="ReportActivity"/>: <paramref name="Published"/> messages since the last report (or the entity's start).</summary>
public sealed record ChannelActivity(string Channel, long Published);
