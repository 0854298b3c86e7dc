using PingActors.Actors.Sessions.Streams;

namespace PingActors.Actors.Proxy.Delivery;

/// <summary>
/// The per-session answers of one delivery, filled from the sessions' streams as each offer is taken or refused.
/// One per /send, however many sessions it names: a slot per session, completed when the last slot reports.
/// </summary>
internal sealed class SendReceipt : IOfferReceipt
{
    private readonly DeliveryOutcome[] _outcomes;
    private readonly TaskCompletionSource<DeliveryOutcome[]> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending;

    public SendReceipt(int slots)
    {
        _outcomes = new DeliveryOutcome[slots];
        _pending = slots;

        // A slot nobody answers (its session stopped between lookup and offer) counts as closed.
        Array.Fill(_outcomes, DeliveryOutcome.Closed);
        if (slots == 0)
        {
            _done.SetResult(_outcomes);
        }
    }

    public Task<DeliveryOutcome[]> Done => _done.Task;

    public void Report(int slot, OfferResult result) => Set(slot, result switch
    {
        OfferResult.Queued => DeliveryOutcome.Queued,
        OfferResult.QueueFull => DeliveryOutcome.QueueFull,
        _ => DeliveryOutcome.Closed,
    });

    public void Set(int slot, DeliveryOutcome outcome)
    {
        _outcomes[slot] = outcome;
        if (Interlocked.Decrement(ref _pending) == 0)
        {
            _done.TrySetResult(_outcomes);
        }
    }

    /// <summary>What is known when <paramref name="within"/> has passed: unanswered slots stay <see cref="DeliveryOutcome.Closed"/>.</summary>
    public async Task<DeliveryOutcome[]> WaitAsync(TimeSpan within)
    {
        if (_done.Task.IsCompleted)
        {
            return _done.Task.Result;
        }

        await Task.WhenAny(_done.Task, Task.Delay(within)).ConfigureAwait(false);
        return (DeliveryOutcome[])_outcomes.Clone();
    }
}
