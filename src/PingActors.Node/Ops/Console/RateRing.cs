namespace PingActors.Node.Ops.Console;

/// <summary>
/// The last <c>capacity</c> per-second rates of two counters, newest last: the console's chart shows minutes of
/// history as soon as it is opened. Fixed arrays, so a node that runs for months holds the same few kilobytes.
/// </summary>
public sealed class RateRing(int capacity)
{
    private readonly double[] _published = new double[capacity];
    private readonly double[] _delivered = new double[capacity];
    private int _next;
    private int _count;

    public long NewestAtMs { get; private set; }

    public void Add(long atMs, double published, double delivered)
    {
        _published[_next] = published;
        _delivered[_next] = delivered;
        _next = (_next + 1) % capacity;
        _count = Math.Min(_count + 1, capacity);
        NewestAtMs = atMs;
    }

    public RateSeries Snapshot(int intervalMs) => new(NewestAtMs, intervalMs, InOrder(_published), InOrder(_delivered));

    private double[] InOrder(double[] ring)
    {
        var result = new double[_count];
        var start = (_next - _count + capacity) % capacity;
        for (var i = 0; i < _count; i++)
        {
            result[i] = ring[(start + i) % capacity];
        }

        return result;
    }
}
