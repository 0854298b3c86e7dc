using Akka.Actor;
using PingActors.Actors.Hub.Dispatch;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Hub.Channels;

/// <summary>Every message addressed to a sharded channel entity names its channel (the entity id).</summary>
public interface IChannelCommand
{
    string Channel { get; }
}

/// <summary>Marker for messages that may cross nodes (bound to <c>ChannelProtocolSerializer</c> in hocon/reference.conf).</summary>
public interface IChannelWireMessage;

/// <summary>
/// A node-local channel asks the entity for the channel's messages. Answered with <see cref="Subscribed"/>
/// or <see cref="Resubscribe"/>. A subscriber that lost its incarnation (hand-off, crash, a detected gap)
/// resumes: it names the incarnation and the last sequence number it delivered, and the entity replays
/// what it still buffers after that. <paramref name="ResumeIncarnation"/> 0 is a fresh subscription: no replay.
/// <paramref name="Handoff"/>: the state of the incarnation that stopped under the subscriber, which a new
/// incarnation without subscribers adopts, so clients' positions stay valid across a hand-off.
/// </summary>
public sealed record Subscribe(string Channel, IActorRef Subscriber, long ResumeIncarnation = 0, long ResumeAfterSeq = 0, ChannelHandoff? Handoff = null) : IChannelCommand, IChannelWireMessage;

/// <summary>Publish one message. The entity answers the sender with <see cref="Published"/> unless it is NoSender.</summary>
public sealed record Publish(string Channel, Payload Payload) : IChannelCommand, IChannelWireMessage;

/// <summary>
/// The subscription is live: every message numbered after <paramref name="LastSeq"/> follows (for a resumed
/// subscription, preceded by the replay). <paramref name="Gap"/>: the replay could not cover everything the
/// subscriber may have missed.
/// </summary>
public sealed record Subscribed(string Channel, long Incarnation, long LastSeq, bool Gap = false) : IChannelWireMessage;

/// <summary>The message was sequenced as <paramref name="Seq"/> and sent to <paramref name="Nodes"/> node-local channels.</summary>
public sealed record Published(string Channel, long Incarnation, long Seq, int Nodes) : IChannelWireMessage;

/// <summary>One sequenced message of a channel, sent once to each subscribing node.</summary>
public sealed record ChannelMessage(string Channel, long Incarnation, long Seq, Payload Payload) : IChannelWireMessage, IFanOutMessage;

/// <summary>
/// A node-local channel has handed the channel's messages up to <paramref name="Seq"/> to its sockets. The
/// entity holds POST answers while a subscribing node is more than the window behind
/// (<see cref="DeliveryWindow"/>), so a publisher anywhere is paced by the slowest node's fan-out.
/// </summary>
public sealed record Delivered(string Channel, long Incarnation, long Seq) : IChannelWireMessage;

/// <summary>
/// A node-local channel asks its entity, for one recovering member (<paramref name="RequestId"/>), what was
/// published after <paramref name="AfterSeq"/> of <paramref name="Incarnation"/>. Sent to the entity that
/// confirmed the subscription, so the answer arrives behind every message the entity sent before it.
/// </summary>
public sealed record Recover(string Channel, long RequestId, long Incarnation, long AfterSeq) : IChannelCommand, IChannelWireMessage;

/// <summary>
/// The answer to <see cref="Recover"/>: the entity's number is <paramref name="LastSeq"/>; when
/// <paramref name="Complete"/>, <paramref name="Missed"/> is everything after the asked position up to it.
/// </summary>
public sealed record Recovered(string Channel, long RequestId, long Incarnation, long LastSeq, bool Complete, IReadOnlyList<ChannelMessage> Missed) : IChannelWireMessage;

/// <summary>
/// This incarnation is stopping: subscribe again (sharding routes it to the next incarnation), carrying
/// <paramref name="Handoff"/> when it is a hand-off (null on passivation or when told to go elsewhere).
/// </summary>
public sealed record Resubscribe(string Channel, ChannelHandoff? Handoff = null) : IChannelWireMessage;

/// <summary>
/// What a handed-off incarnation was: its number, its last sequence number and the messages it still
/// buffered (oldest first). The next incarnation that adopts it continues them instead of starting over.
/// </summary>
public sealed record ChannelHandoff(long Incarnation, long LastSeq, IReadOnlyList<ChannelMessage> Messages);

/// <summary>Sent by the shard to stop the entity on passivation and on hand-off (instead of PoisonPill, so it can tell subscribers).</summary>
public sealed class StopChannel : IChannelWireMessage
{
    public static readonly StopChannel Instance = new();

    private StopChannel()
    {
    }
}
