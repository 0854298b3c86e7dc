using System.Collections.Concurrent;

namespace PingActors.Actors.Hub.Sse;

/// <summary>
/// One timer for every SSE stream of the node: each tick asks each stream for a comment if nothing went out
/// since the last tick, so a quiet stream hears from the server at least every two periods and an idle one
/// every period, and no stream pays for a timer of its own.
/// </summary>
public sealed class SseHeartbeat : IDisposable
{
    private readonly ConcurrentDictionary<SseOutbox, byte> _streams = new();
    private readonly Timer? _timer;

    /// <param name="period">Zero: no heartbeat.</param>
    public SseHeartbeat(TimeSpan period)
    {
        if (period > TimeSpan.Zero)
        {
            _timer = new Timer(static s => ((SseHeartbeat)s!).Tick(), this, period, period);
        }
    }

    public void Add(SseOutbox stream)
    {
        if (_timer is not null)
        {
            _streams.TryAdd(stream, 0);
        }
    }

    public void Remove(SseOutbox stream) => _streams.TryRemove(stream, out _);

    public void Dispose() => _timer?.Dispose();

    private void Tick()
    {
        // Enumerating the dictionary itself takes no snapshot (Keys would copy every stream each tick).
        foreach (var (stream, _) in _streams)
        {
            stream.Heartbeat();
        }
    }
}
