using System.Numerics;

namespace PingActors.Bench;

/// <summary>
/// A lock-free log-linear histogram of non-negative integers (microseconds here): exact below 64, then 32
/// sub-buckets per power of two (about 3 % resolution). Recording is one Interlocked increment.
/// </summary>
internal sealed class Histogram
{
    private const int Linear = 64;
    private const int SubBuckets = 32;
    private readonly long[] _counts = new long[Linear + (64 - 6) * SubBuckets];
    private long _count;
    private long _sum;
    private long _max;

    public long Count => Interlocked.Read(ref _count);

    public long Max => Interlocked.Read(ref _max);

    public double Mean => Count == 0 ? 0 : (double)Interlocked.Read(ref _sum) / Count;

    public void Record(long value)
    {
        if (value < 0)
        {
            value = 0;
        }

        Interlocked.Increment(ref _counts[Index(value)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, value);
        var max = Interlocked.Read(ref _max);
        while (value > max)
        {
            var seen = Interlocked.CompareExchange(ref _max, value, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    /// <summary>The value at quantile q (0..1): the midpoint of its bucket, capped at the exact maximum.</summary>
    public long Percentile(double q)
    {
        var total = Count;
        if (total == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(q * total);
        if (rank < 1)
        {
            rank = 1;
        }

        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(Midpoint(i), Max);
            }
        }

        return Max;
    }

    private static int Index(long v)
    {
        if (v < Linear)
        {
            return (int)v;
        }

        var e = 63 - BitOperations.LeadingZeroCount((ulong)v); // >= 6
        var mantissa = (int)(v >> (e - 5)); // 32..63
        return Linear + (e - 6) * SubBuckets + (mantissa - SubBuckets);
    }

    private static long Midpoint(int index)
    {
        if (index < Linear)
        {
            return index;
        }

        var e = (index - Linear) / SubBuckets + 6;
        var mantissa = (index - Linear) % SubBuckets + SubBuckets;
        var low = (long)mantissa << (e - 5);
        var width = 1L << (e - 5);
        return low + width / 2;
    }
}
