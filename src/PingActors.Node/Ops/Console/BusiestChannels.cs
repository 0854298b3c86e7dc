using PingActors.Actors.Hub.Channels;

namespace PingActors.Node.Ops.Console;

/// <summary>
/// The messages each of this node's sequenced channels numbered in the last <c>window</c> ticks, from the
/// entities' <see cref="ChannelActivity"/> reports. Only channels that published in the window are held; a quiet
/// one is forgotten, so memory follows the busy channels, not all of them.
/// </summary>
public sealed class BusiestChannels(int window)
{
    private readonly Dictionary<string, Counts> _channels = new(StringComparer.Ordinal);
    private long _tick;

    /// <summary>Adds a report to the current tick.</summary>
    public void Add(ChannelActivity activity)
    {
        if (!_channels.TryGetValue(activity.Channel, out var counts))
        {
            counts = new Counts();
            _channels.Add(activity.Channel, counts);
        }

        counts.Add(_tick, activity.Published);
    }

    /// <summary>Closes the current tick: what is older than the window falls out.</summary>
    public void Tick()
    {
        _tick++;
        List<string>? quiet = null;
        foreach (var (channel, counts) in _channels)
        {
            if (counts.DropBefore(_tick - window + 1) == 0)
            {
                (quiet ??= []).Add(channel);
            }
        }

        foreach (var channel in quiet ?? [])
        {
            _channels.Remove(channel);
        }
    }

    /// <param name="recentTicks">The ticks the per-second rate is taken over.</param>
    /// <param name="tickSeconds">The length of a tick.</param>
    public BusyChannel[] Top(int count, int recentTicks, double tickSeconds) => _channels
        .Select(c => new BusyChannel(c.Key, c.Value.Total, Math.Round(c.Value.Since(_tick - recentTicks) / (recentTicks * tickSeconds), 1)))
        .OrderByDescending(c => c.LastMinute)
        .ThenBy(c => c.Channel, StringComparer.Ordinal)
        .Take(count)
        .ToArray();

    private sealed class Counts
    {
        private readonly Queue<(long Tick, long Published)> _ticks = new();

        public long Total { get; private set; }

        public void Add(long tick, long published)
        {
            _ticks.Enqueue((tick, published));
            Total += published;
        }

        public long DropBefore(long tick)
        {
            while (_ticks.TryPeek(out var oldest) && oldest.Tick < tick)
            {
                Total -= _ticks.Dequeue().Published;
            }

            return Total;
        }

        public long Since(long tick) => _ticks.Where(t => t.Tick >= tick).Sum(t => t.Published);
    }
}
