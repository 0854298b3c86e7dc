using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;
using PingActors.Actors.Dispatch;

namespace PingActors.Actors.Hub.Dispatch;

/// <summary>
/// Akka's unbounded mailbox, counting what waits in it into the node's <see cref="FanoutBacklog"/>. Used by
/// <c>akka.actor.pingactors-channel-dispatcher</c>: the node-local channels' queued work is what a
/// publisher must not outrun.
/// </summary>
public sealed class BacklogMailbox(Akka.Actor.Settings settings, Config config) : MailboxType(settings, config), IProducesMessageQueue<BacklogMessageQueue>
{
    public override IMessageQueue Create(IActorRef owner, ActorSystem system) =>
        system is null ? new UnboundedMessageQueue() : new BacklogMessageQueue(FanoutBacklog.For(system));
}

/// <summary>A message whose handling costs one socket delivery per socket of its channel on this node.</summary>
public interface IFanOutMessage;

/// <summary>
/// An unbounded FIFO of envelopes that counts them in and out of a <see cref="FanoutBacklog"/>: an
/// <see cref="IFanOutMessage"/> as <see cref="Weight"/> was when it arrived, anything else (joins, leaves)
/// as one.
/// </summary>
public sealed class BacklogMessageQueue(FanoutBacklog backlog) : IMessageQueue, IUnboundedMessageQueueSemantics
{
    private readonly ConcurrentQueue<(Envelope Envelope, int Weight)> _queue = new();
    private int _weight = 1;

    /// <summary>
    /// What one message here costs its actor, in socket deliveries: a node-local channel sets it to its
    /// socket count, so the backlog measures the fan-out still to do rather than the messages. At least 1.
    /// </summary>
    public int Weight
    {
        get => Volatile.Read(ref _weight);
        set => Volatile.Write(ref _weight, Math.Max(1, value));
    }

    /// <summary>
    /// Set by a node-local channel: while <see cref="Weight"/> is small, its mailbox may run on the sender's
    /// thread (<see cref="ChannelExecutor"/>). Other actors on the dispatcher always run on its threads.
    /// </summary>
    public bool RunsInlineWhenSmall { get; set; }

    public bool HasMessages => !_queue.IsEmpty;

    public int Count => _queue.Count;

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        var weight = envelope.Message is IFanOutMessage ? Weight : 1;
        backlog.Added(weight);
        _queue.Enqueue((envelope, weight));
    }

    public bool TryDequeue(out Envelope envelope)
    {
        if (!_queue.TryDequeue(out var entry))
        {
            envelope = default;
            return false;
        }

        envelope = entry.Envelope;
        backlog.Removed(entry.Weight);
        return true;
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters) => this.DrainToDeadLetters(owner, deadletters);
}
