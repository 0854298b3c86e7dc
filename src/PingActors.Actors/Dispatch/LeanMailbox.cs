using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace PingActors.Actors.Dispatch;

/// <summary>
/// Mailbox for the connection actors (one per socket), selected through
/// <c>akka.actor.pingactors-connection-dispatcher</c>. Akka's default queue is a ConcurrentQueue whose first
/// segment preallocates 32 envelopes (about 1 KB) per actor; with two actors per socket, as the first
/// design had (the socket's stream had an actor of its own then), that was the largest single cost of an
/// idle connection (docs/benchmarks.md). These queues have one or a
/// few producers and are mostly empty, so a small locked ring buffer is enough.
/// </summary>
public sealed class LeanMailbox(Akka.Actor.Settings settings, Config config) : MailboxType(settings, config), IProducesMessageQueue<LeanMessageQueue>
{
    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new LeanMessageQueue();
}

/// <summary>An unbounded FIFO of envelopes that holds no array while it has never been used and gives large ones back once drained.</summary>
public sealed class LeanMessageQueue : IMessageQueue, IUnboundedMessageQueueSemantics
{
    private const int InitialCapacity = 4;
    private const int KeptCapacity = 16;

    private Envelope[]? _items;
    private int _head;
    private volatile int _count;

    public bool HasMessages => _count > 0;

    public int Count => _count;

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        lock (this)
        {
            var items = _items;
            if (items is null)
            {
                items = _items = new Envelope[InitialCapacity];
            }
            else if (_count == items.Length)
            {
                items = Grow(items);
            }

            items[(_head + _count) % items.Length] = envelope;
            _count++;
        }
    }

    public bool TryDequeue(out Envelope envelope)
    {
        lock (this)
        {
            if (_count == 0)
            {
                envelope = default;
                return false;
            }

            var items = _items!;
            envelope = items[_head];
            items[_head] = default;
            _head = (_head + 1) % items.Length;
            _count--;
            if (_count == 0)
            {
                _head = 0;
                if (items.Length > KeptCapacity)
                {
                    _items = null;
                }
            }

            return true;
        }
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters) => this.DrainToDeadLetters(owner, deadletters);

    private Envelope[] Grow(Envelope[] items)
    {
        var larger = new Envelope[items.Length * 2];
        for (var i = 0; i < _count; i++)
        {
            larger[i] = items[(_head + i) % items.Length];
        }

        _head = 0;
        _items = larger;
        return larger;
    }
}
