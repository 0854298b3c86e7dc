using Akka.Actor;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Hub.Channels;

/// <summary>
/// A connection wants the messages of a channel. Answered with <see cref="Joined"/> once the node is subscribed.
/// <paramref name="Recovery"/>: the connection wants positions (and what it missed); null for Pinghub's plain stream.
/// </summary>
public sealed record Join(string Channel, IActorRef Connection, RecoveryRequest? Recovery = null);

/// <summary>The node-local channel is subscribed: everything published from now on reaches the connection.</summary>
public sealed record Joined(string Channel, IActorRef LocalChannel);

/// <summary>The connection is gone (sent from its PostStop, which runs however it stops; to the hub if it was never joined).</summary>
public sealed record Leave(string Channel, IActorRef Connection);

/// <summary>
/// The connection's socket is open: hand each message to <paramref name="Deliver"/> from now on (after what
/// was held for it). It is the socket stage's async callback, which queues the message for the stage in
/// its interpreter's mailbox: the same path an actor message to the stage would take, without the
/// actor-ref layer in front (docs/benchmarks.md). <paramref name="Format"/>: how each message is encoded for this
/// connection (null: the payload as published).
/// </summary>
public sealed record Activate(IActorRef Connection, Action<Payload> Deliver, IDeliveryFormat? Format = null);

/// <summary>A node-local channel has no members left after <paramref name="JoinsReceived"/> joins.</summary>
internal sealed record LocalChannelIdle(string Channel, long JoinsReceived);

/// <summary>Told to a connection: its channel lost messages it could not replay; the connection must close (<see cref="HubCloseReasons.MessagesLost"/>).</summary>
public sealed class ChannelGap
{
    public static readonly ChannelGap Instance = new();
}

/// <summary>Told to a connection: its node-local channel stopped under it (it failed); the connection must close.</summary>
public sealed class ChannelStopped
{
    public static readonly ChannelStopped Instance = new();
}
