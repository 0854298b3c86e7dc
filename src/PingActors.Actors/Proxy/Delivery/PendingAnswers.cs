using System.Collections.Concurrent;

namespace PingActors.Actors.Proxy.Delivery;

/// <summary>
/// The answers this node waits for from other nodes' gateways, by id. A /send asks every other gateway in the
/// name of its own node's gateway, which completes the waiting task when an answer comes: one stable sender
/// per node instead of a temporary actor per ask, whose path every answering node would have to resolve anew
/// (docs/benchmarks.md, "The callback proxy", cluster).
/// </summary>
public sealed class PendingAnswers
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource<object>> _waiting = new();
    private long _nextId;

    /// <summary>A new id, and the task its answer completes (or that fails after <paramref name="within"/>).</summary>
    public (long Id, Task<object> Answer) Expect(TimeSpan within)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = answer;
        return (id, WaitAsync(id, answer.Task, within));
    }

    /// <summary>Completes the waiting task of <paramref name="id"/>; an answer that came too late is dropped.</summary>
    public void Complete(long id, object answer)
    {
        if (_waiting.TryRemove(id, out var waiting))
        {
            waiting.TrySetResult(answer);
        }
    }

    private async Task<object> WaitAsync(long id, Task<object> answer, TimeSpan within)
    {
        try
        {
            return await answer.WaitAsync(within).ConfigureAwait(false);
        }
        finally
        {
            _waiting.TryRemove(id, out _);
        }
    }
}
