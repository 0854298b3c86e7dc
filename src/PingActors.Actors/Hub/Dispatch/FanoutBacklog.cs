using Akka.Actor;

namespace PingActors.Actors.Hub.Dispatch;

/// <summary>
/// How much fan-out waits in the mailboxes of the node's channel thread(s) (the node-local channels that
/// hand messages to sockets), in socket deliveries: each queued message counted by <see cref="BacklogMailbox"/>
/// with its channel's socket count on this node. A POST is answered as soon as its
/// channel has numbered the message, before the fan-out; the POST handler waits on this count instead, so a
/// publisher can run ahead of the fan-out by a bounded amount of work and no further
/// (<c>pingactors.hub.publish-backlog</c>).
/// </summary>
public sealed class FanoutBacklog : IExtension
{
    private readonly object _gate = new();
    private long _queued;
    private volatile bool _hasWaiters;
    private TaskCompletionSource? _belowLimit;
    private long _waitLimit;

    public static FanoutBacklog For(ActorSystem system) => system.WithExtension<FanoutBacklog, FanoutBacklogProvider>();

    /// <summary>Deliveries enqueued and not yet taken by their actor.</summary>
    public long Queued => Volatile.Read(ref _queued);

    internal void Added(int deliveries) => Interlocked.Add(ref _queued, deliveries);

    internal void Removed(int deliveries)
    {
        var queued = Interlocked.Add(ref _queued, -deliveries);
        if (_hasWaiters && queued < Volatile.Read(ref _waitLimit))
        {
            ReleaseWaiters();
        }
    }

    /// <summary>Completes once fewer than <paramref name="limit"/> deliveries are queued (at once if that is so now).</summary>
    public Task WhenBelowAsync(long limit)
    {
        if (Queued < limit)
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            if (Queued < limit)
            {
                return Task.CompletedTask;
            }

            if (_belowLimit is null)
            {
                _belowLimit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waitLimit = limit;
            }
            else
            {
                _waitLimit = Math.Min(_waitLimit, limit);
            }

            _hasWaiters = true;
            Interlocked.MemoryBarrier(); // the flag must be visible before the count is read again (Removed reads them the other way round)
            var waiting = _belowLimit.Task;

            // Re-checked after publishing the waiter, so a drain that raced with us is not missed.
            if (Queued < _waitLimit)
            {
                ReleaseWaitersLocked();
            }

            return waiting;
        }
    }

    private void ReleaseWaiters()
    {
        lock (_gate)
        {
            if (Queued < _waitLimit)
            {
                ReleaseWaitersLocked();
            }
        }
    }

    private void ReleaseWaitersLocked()
    {
        _hasWaiters = false;
        var waiters = _belowLimit;
        _belowLimit = null;
        waiters?.TrySetResult();
    }
}

/// <summary>Creates the node's <see cref="FanoutBacklog"/>.</summary>
public sealed class FanoutBacklogProvider : ExtensionIdProvider<FanoutBacklog>
{
    public override FanoutBacklog CreateExtension(ExtendedActorSystem system) => new();
}
