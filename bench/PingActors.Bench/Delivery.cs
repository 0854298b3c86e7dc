using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;

namespace PingActors.Bench;

/// <summary>
/// Payloads and subscribers for the many-channel scenarios (<c>channels</c>, <c>ws-publish</c>). A payload is
/// ASCII <c>kind channel publisher seq slot timestamp xxx…</c>: kind <c>w</c> warm-up, <c>m</c> marker,
/// <c>d</c> measured data; <c>slot</c> numbers the message among those its channel should see, so one bitmap
/// per subscriber gives lost and duplicate counts; <c>publisher</c> and <c>seq</c> give the order per
/// publisher within the channel.
/// </summary>
internal static class Delivery
{
    /// <param name="json">Fill after the header with JSON-like records instead of x's (fanout's <c>--payload json</c>).</param>
    public static byte[] Payload(char kind, int channel, int publisher, int seq, int slot, int size, bool json = false)
    {
        Span<byte> head = stackalloc byte[96];
        var n = 0;
        head[n++] = (byte)kind;
        foreach (var v in (ReadOnlySpan<long>)[channel, publisher, seq, slot, Stopwatch.GetTimestamp()])
        {
            head[n++] = (byte)' ';
            Utf8Formatter.TryFormat(v, head[n..], out var w);
            n += w;
        }

        var body = new byte[Math.Max(size, n)];
        head[..n].CopyTo(body);
        if (json)
        {
            FillJson(body.AsSpan(n), seq * 7919 + publisher);
        }
        else
        {
            body.AsSpan(n).Fill((byte)'x');
        }

        if (body.Length > n)
        {
            body[n] = (byte)' ';
        }

        return body;
    }

    private static readonly string[] Names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"];

    /// <summary>
    /// Records like a feed's: the same keys in each, ids counting up, a name, a price, a flag and a time that
    /// vary (a seeded random per message), so what deflate finds is the keys and the shape, not filler.
    /// </summary>
    private static void FillJson(Span<byte> into, int seed)
    {
        var random = new Random(seed);
        var text = new System.Text.StringBuilder(into.Length + 160);
        for (var i = 0; text.Length < into.Length; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"{{\"id\":{seed * 64 + i},\"user\":\"{Names[random.Next(Names.Length)]}{random.Next(1000)}\",\"price\":{random.Next(1_000_000) / 100.0:F2},\"qty\":{random.Next(1, 50)},\"active\":{(random.Next(2) == 0 ? "true" : "false")},\"ts\":{1_700_000_000_000L + random.Next(1_000_000)}}},");
        }

        System.Text.Encoding.ASCII.GetBytes(text.ToString(0, into.Length), into);
    }

    public static void Log(string line) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");

    /// <summary>Opens open(i) for every i below count, with a bounded number in flight; a progress bar when it can.</summary>
    public static async Task<(int Failures, Dictionary<string, int> Errors, double Seconds)> ConnectAllAsync<TConnection>(
        int count, Func<int, CancellationToken, Task<TConnection>> open, Action<int, TConnection> opened, int concurrency)
    {
        var failures = 0;
        var done = 0;
        var errors = new Dictionary<string, int>();
        var next = -1;
        var sw = Stopwatch.StartNew();
        async Task Worker()
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= count)
                {
                    return;
                }

                try
                {
                    using var t = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    var ws = await open(i, t.Token).ConfigureAwait(false);
                    opened(i, ws);
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref failures);
                    lock (errors)
                    {
                        var key = e.GetBaseException().Message;
                        errors[key] = errors.GetValueOrDefault(key) + 1;
                    }
                }
                finally
                {
                    Interlocked.Increment(ref done);
                }
            }
        }

        var all = Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, Math.Max(1, count))).Select(_ => Task.Run(Worker)));
        await LiveProgress.RunAsync(
            "connecting",
            count,
            () => Volatile.Read(ref done),
            () => all.IsCompleted,
            () => $"{Volatile.Read(ref done) / Math.Max(0.001, sw.Elapsed.TotalSeconds):N0}/s, {Volatile.Read(ref failures)} failed");
        await all;
        return (failures, errors, sw.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// One subscriber on one channel: its <see cref="RawWebSocket"/> hands it every message as a span of the
    /// socket's receive buffer; it keeps a bitmap over the channel's slots and the last seq per publisher.
    /// Nothing here allocates per message.
    /// </summary>
    internal sealed class Subscriber(RawWebSocket socket, int channel, int slots, int publishers, Histogram latency) : RawWebSocket.ISink
    {
        private readonly ulong[] _seen = new ulong[(slots + 63) / 64];
        private readonly int[] _last = Enumerable.Repeat(-1, publishers).ToArray();
        public long Received;
        public long Unique;
        public long Duplicates;
        public long OutOfOrder;
        public long Misrouted;
        public long LastDelivery;
        public volatile bool MarkerSeen;
        public volatile bool Measuring;
        public volatile bool Closed;

        public RawWebSocket Socket => socket;

        public int Channel => channel;

        /// <summary>Deliveries this subscriber should see.</summary>
        public int Slots => slots;

        public void Start() => socket.Start(this);

        public void OnEnd(RawWebSocket.End end)
        {
            // The tool's own close at the end of a run is no loss; a clean close by the server counts only
            // before measuring or while deliveries are missing; anything else counts.
            Closed = end switch
            {
                _ when socket.Closing => false,
                RawWebSocket.End.ClosedByServer or RawWebSocket.End.ClosedByUs => !Measuring || Volatile.Read(ref Unique) < slots,
                _ => true,
            };
        }

        private static bool Next(ref ReadOnlySpan<byte> m, out long value)
        {
            if (m.Length < 2 || !Utf8Parser.TryParse(m[1..], out value, out var used))
            {
                value = 0;
                return false;
            }

            m = m[(1 + used)..];
            return true;
        }

        public void OnMessage(ReadOnlySpan<byte> m, long now)
        {
            if (m.Length < 2)
            {
                return;
            }

            var kind = m[0];
            if (kind is not ((byte)'m' or (byte)'d'))
            {
                return;
            }

            m = m[1..];
            if (!Next(ref m, out var c) || c != channel)
            {
                Interlocked.Increment(ref Misrouted);
                return;
            }

            if (kind == (byte)'m')
            {
                MarkerSeen = true;
                return;
            }

            if (!Next(ref m, out var p) || !Next(ref m, out var k) || !Next(ref m, out var slot) || !Next(ref m, out var sent)
                || (ulong)p >= (ulong)publishers || (ulong)slot >= (ulong)slots)
            {
                Interlocked.Increment(ref Misrouted);
                return;
            }

            Received++;
            LastDelivery = now;
            latency.Record((long)((now - sent) * 1_000_000.0 / Stopwatch.Frequency));
            ref var word = ref _seen[slot >> 6];
            var bit = 1UL << (int)(slot & 63);
            if ((word & bit) != 0)
            {
                Duplicates++;
                return;
            }

            word |= bit;
            Volatile.Write(ref Unique, Unique + 1);
            if (k < _last[p])
            {
                OutOfOrder++;
            }
            else
            {
                _last[p] = (int)k;
            }
        }
    }

    /// <summary>The end of a run: delivery counts, latency, CPU; the same keys for channels and ws-publish.</summary>
    public static void AddDeliveryRows(Report report, Subscriber[] live, long expected, Histogram latency, double publishSeconds, double window, long sent, string sentLabel)
    {
        var delivered = live.Sum(s => Volatile.Read(ref s.Received));
        var unique = live.Sum(s => Volatile.Read(ref s.Unique));
        var lossByChannel = live.GroupBy(s => s.Channel).Count(g => g.Any(s => s.Unique < s.Slots));
        report.Add("expected", expected, "expected deliveries");
        report.Add("delivered", delivered);
        report.Add("lost", expected - unique);
        report.Add("duplicates", live.Sum(s => s.Duplicates));
        report.Add("out_of_order", live.Sum(s => s.OutOfOrder), "out of order (per channel and publisher)");
        report.Add("misrouted", live.Sum(s => Volatile.Read(ref s.Misrouted)), "messages of another channel, or unparsable");
        report.Add("channels_with_loss", lossByChannel, "channels where some subscriber lost messages");
        report.Add("closed_by_server", live.Count(s => s.Closed), "subscribers closed during the run");
        report.Add("publish_seconds", publishSeconds, "publish time (s)");
        report.Add(sentLabel, sent / Math.Max(publishSeconds, 1e-9), sentLabel == "posts_per_sec" ? "POSTs/s" : "messages sent/s");
        report.Add("delivery_seconds", window, "first publish -> last delivery (s)");
        report.Add("delivered_per_sec", delivered / Math.Max(window, 1e-9), "delivered msgs/s");
        report.Add("latency_p50_ms", latency.Percentile(0.50) / 1000.0, "publish->deliver p50 (ms)");
        report.Add("latency_p90_ms", latency.Percentile(0.90) / 1000.0, "publish->deliver p90 (ms)");
        report.Add("latency_p99_ms", latency.Percentile(0.99) / 1000.0, "publish->deliver p99 (ms)");
        report.Add("latency_max_ms", latency.Max / 1000.0, "publish->deliver max (ms)");
        report.Add("latency_mean_ms", latency.Mean / 1000.0, "publish->deliver mean (ms)");
    }

    /// <summary>
    /// Waits while publishing runs, then until every expected delivery arrived or nothing arrived for
    /// drainTimeout; shows progress. Returns the publish time (s).
    /// </summary>
    public static async Task<double> AwaitDeliveryAsync(Task publishing, Subscriber[] live, long expected, Histogram latency, TimeSpan drainTimeout, long start)
    {
        long Delivered() => live.Sum(s => Volatile.Read(ref s.Received));
        var lastProgress = Stopwatch.StartNew();
        var lastCount = -1L;

        // The moment publishing ended, exactly (the polling below is 100 ms apart).
        var publishedAt = publishing.ContinueWith(_ => Stopwatch.GetTimestamp(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        bool Done()
        {
            var published = publishing.IsCompleted; // read once: it may complete while we look
            var soFar = Delivered();
            if (soFar != lastCount)
            {
                lastCount = soFar;
                lastProgress.Restart();
            }

            return published && (soFar >= expected || lastProgress.Elapsed > drainTimeout);
        }

        await LiveProgress.RunAsync(
            "delivering",
            expected,
            () => Delivered(),
            Done,
            () => $"{(publishing.IsCompleted ? "published" : "publishing")}, p99 {latency.Percentile(0.99) / 1000.0:N1} ms");
        await publishing;
        return (await publishedAt - start) / (double)Stopwatch.Frequency;
    }
}
