using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace PingActors.Actors.Dispatch;

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

/// <summary>An unbounded FIFO of envelopes that counts them in and out of a <see cref="FanoutBacklog"/>.</summary>
public sealed class BacklogMessageQueue(FanoutBacklog backlog) : IMessageQueue, IUnboundedMessageQueueSemantics
{
    private readonly ConcurrentQueue<Envelope> _queue = new();

    public bool HasMessages => !_queue.IsEmpty;

    public int Count => _queue.Count;

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        backlog.Added();
        _queue.Enqueue(envelope);
    }

    public bool TryDequeue(out Envelope envelope)
    {
        if (!_queue.TryDequeue(out envelope))
        {
            return false;
        }

        backlog.Removed();
        return true;
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope))
        {
            deadletters.Enqueue(owner, envelope);
        }
    }
}
