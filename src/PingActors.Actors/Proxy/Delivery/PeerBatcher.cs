using System.Collections.Concurrent;
using Akka.Actor;

namespace PingActors.Actors.Proxy.Delivery;

/// <summary>
/// The deliveries this node sends one other node, batched as they arrive: whatever /sends came in while the last
/// batch was being sent go together as one remote message, and come back as one answer. A remote message costs
/// both nodes far more than the delivery it carries (measured: the node holding the sessions spent 56–93 µs per
/// remote /send against 38–43 µs for a whole local one, docs/benchmarks.md), so under load each /send pays only
/// its share; a lone /send goes at once, as itself.
/// </summary>
public sealed class PeerBatcher(IActorRef gateway, Func<IActorRef> sender)
{
    private const int MaxBatch = 64;

    private readonly ConcurrentQueue<RemoteDeliver> _queue = new();
    private int _flushing;

    public void Send(RemoteDeliver delivery)
    {
        _queue.Enqueue(delivery);
        if (Interlocked.CompareExchange(ref _flushing, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static batcher => batcher.Flush(), this, preferLocal: false);
        }
    }

    private void Flush()
    {
        while (true)
        {
            var batch = new List<RemoteDeliver>();
            while (batch.Count < MaxBatch && _queue.TryDequeue(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count == 1)
            {
                gateway.Tell(batch[0], sender());
            }
            else if (batch.Count > 1)
            {
                gateway.Tell(new RemoteDeliverBatch(batch), sender());
            }

            if (!_queue.IsEmpty)
            {
                continue;
            }

            Volatile.Write(ref _flushing, 0);

            // Another /send may have queued after the check above and seen the flag still set.
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _flushing, 1, 0) != 0)
            {
                return;
            }
        }
    }
}
