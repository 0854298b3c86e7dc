using System.Diagnostics;

namespace PingActors.Bench;

/// <summary>
/// Paces one of <c>senders</c> senders that together send <c>rate</c> messages/s, their turns staggered
/// evenly; a rate of 0 means no pacing. Deadlines advance by a fixed interval, so a late send is followed
/// by quicker ones and the average rate holds.
/// </summary>
internal sealed class Pacer
{
    private readonly double _interval;
    private double _due;

    public Pacer(double rate, int senders, int index)
    {
        _interval = rate > 0 ? Stopwatch.Frequency * (double)senders / rate : 0;
        _due = Stopwatch.GetTimestamp() + index * (_interval / senders);
    }

    /// <summary>
    /// When the last turn was due (a Stopwatch timestamp), or 0 without pacing: a latency measured from it
    /// rather than from the actual send counts the time a late turn waited (no coordinated omission).
    /// </summary>
    public long LastDue { get; private set; }

    public async ValueTask WaitTurnAsync()
    {
        if (_interval <= 0)
        {
            return;
        }

        LastDue = (long)_due;

        var wait = _due - Stopwatch.GetTimestamp();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(wait / Stopwatch.Frequency)).ConfigureAwait(false);
        }

        _due += _interval;
    }
}
