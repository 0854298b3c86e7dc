/// <summary>
/// Optional pacing for Baseline's publishers, the same rule as the node's <c>pingactors.hub.publish-backlog</c>:
/// a queued message counts as many deliveries as its path had sockets when it was queued, until its
/// broadcaster takes it; a POST is answered once fewer than the limit are queued. With it Baseline is the
/// ceiling at the node's latency bound instead of the ceiling with none (docs/benchmarks.md).
/// </summary>
sealed class PublishBacklog(long limit)
{
    private readonly object _gate = new();
    private long _queued;
    private TaskCompletionSource? _below;

    public void Added(int deliveries) => Interlocked.Add(ref _queued, deliveries);

    public void Removed(int deliveries)
    {
        // Interlocked.Add is a full fence: a waiter published before it is seen here.
        if (Interlocked.Add(ref _queued, -deliveries) < limit && Volatile.Read(ref _below) is not null)
        {
            lock (_gate)
            {
                ReleaseIfBelowLocked();
            }
        }
    }

    public Task WhenBelowAsync()
    {
        if (Volatile.Read(ref _queued) < limit)
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            _below ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var waiting = _below.Task;

            // The waiter must be visible before the count is read again (Removed reads them the other way round).
            Interlocked.MemoryBarrier();
            ReleaseIfBelowLocked();
            return waiting;
        }
    }

    private void ReleaseIfBelowLocked()
    {
        if (Volatile.Read(ref _queued) < limit && _below is { } below)
        {
            _below = null;
            below.TrySetResult();
        }
    }
}
