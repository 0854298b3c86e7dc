using System.Diagnostics;

namespace PingActors.Bench;

/// <summary>
/// <c>fanout</c> with Server-Sent Events: 1 channel, S SSE subscribers (<see cref="SseStream"/>) and W WebSocket
/// subscribers (<see cref="RawWebSocket"/>) on the same channel in the same run, POST publishers; the payloads
/// and the per-subscriber accounting are <see cref="Delivery"/>'s. Reports each transport's delivery rate per
/// subscriber and their ratio, and the server's RSS per idle SSE stream (settled before and after opening them,
/// after warm-up streams on another channel, as <c>idle</c> measures WebSockets).
/// </summary>
internal static class SseFanout
{
    public static async Task<int> RunAsync(Options o)
    {
        var sseCount = Math.Max(1, o.Int("subscribers", 1000));
        var wsCount = Math.Max(0, o.Int("ws-subscribers", sseCount));
        var messages = Math.Max(1, o.Int("messages", 2000));
        var publishers = Math.Clamp(o.Int("publishers", 1), 1, messages);
        var size = o.Int("size", 64);
        var rate = o.Double("rate", 0);
        var warmupMessages = Math.Max(0, o.Int("warmup-messages", 200));
        var warmupStreams = Math.Max(0, o.Int("warmup", 200));
        var settle = o.Double("settle", 20);
        var drainTimeout = TimeSpan.FromSeconds(o.Double("drain-timeout", 10));
        var concurrency = Math.Max(1, o.Int("concurrency", 100));
        var jsonOut = o.StrOrNull("json-out");
        var channel = o.StrOrNull("channel") ?? "sse-fanout-" + Guid.NewGuid().ToString("N")[..8];
        using var target = new Target(o, sseCount + wsCount + warmupStreams + publishers);
        Program.CheckUnused(o);
        Native.RaiseOpenFileLimit();

        using var publisher = Publisher.Create("raw", target, [channel], publishers, null);
        var perPublisher = (messages + publishers - 1) / publishers;
        messages = perPublisher * publishers;
        Delivery.Log($"target {target.Label} pid {target.Pid} ({ProcInfo.CommandLine(target.Pid)})");
        Delivery.Log($"channel /{target.Prefix}/{channel}: {sseCount} SSE + {wsCount} WebSocket subscribers, {messages} messages from {publishers} publisher(s), {size} B payload");

        // 1. Idle SSE streams: warm-up streams elsewhere, a settled baseline, then the measured streams, settled.
        var warm = new List<SseStream>();
        var (warmFailures, _, _) = await OpenSseAsync(target, warmupStreams, "sse-warmup", concurrency, (_, s) => { lock (warm) { warm.Add(s); } });
        var (rss0, _) = await Idle.SettleAsync(target.Pid, settle);
        var sseLatency = new Histogram();
        var wsLatency = new Histogram();
        var sse = new Delivery.Subscriber?[sseCount];
        var streams = new SseStream?[sseCount];
        var ended = 0;
        var (sseFailures, sseErrors, sseSeconds) = await OpenSseAsync(target, sseCount, channel, concurrency, (i, s) =>
        {
            streams[i] = s;
            var sub = new Delivery.Subscriber(null!, 0, messages, publishers, sseLatency);
            sse[i] = sub;
            s.Start(sub, _ =>
            {
                if (!s.Closing)
                {
                    sub.Closed = true;
                    Interlocked.Increment(ref ended);
                }
            });
        });
        var (rss1, waited) = await Idle.SettleAsync(target.Pid, settle);
        var sseOpen = sse.Count(s => s is not null);
        var perStream = sseOpen > 0 ? (rss1 - rss0) / (double)sseOpen : double.NaN;
        Delivery.Log($"{sseOpen} SSE streams in {sseSeconds:N1} s, {sseFailures} failures; RSS {rss0 / 1024.0:N1} -> {rss1 / 1024.0:N1} MiB: {perStream:N2} KiB per idle SSE stream");

        // 2. The WebSocket subscribers of the same channel.
        var ws = new Delivery.Subscriber?[wsCount];
        var (wsFailures, wsErrors, _) = await Delivery.ConnectAllAsync(
            wsCount,
            (_, ct) => target.OpenRawAsync(channel, ct),
            (i, socket) =>
            {
                var sub = new Delivery.Subscriber(socket, 0, messages, publishers, wsLatency);
                ws[i] = sub;
                sub.Start();
            },
            concurrency);
        var liveSse = sse.Where(s => s is not null).Select(s => s!).ToArray();
        var liveWs = ws.Where(s => s is not null).Select(s => s!).ToArray();
        var all = liveSse.Concat(liveWs).ToArray();

        // 3. Warm-up messages, then markers until every subscriber of both kinds saw one.
        for (var i = 0; i < warmupMessages; i++)
        {
            await publisher.PostAsync(0, Delivery.Payload('w', 0, 0, i, 0, size));
        }

        var markerClock = Stopwatch.StartNew();
        var markers = 0;
        while (all.Any(s => !s.MarkerSeen) && markerClock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (markers == 0 || markerClock.Elapsed.TotalSeconds > markers * 3)
            {
                await publisher.PostAsync(0, Delivery.Payload('m', 0, 0, markers++, 0, size));
            }

            await Task.Delay(20);
        }

        var unregistered = all.Count(s => !s.MarkerSeen);
        Delivery.Log($"marker seen by {all.Length - unregistered}/{all.Length} subscribers");

        // 4. Measured phase: both kinds get the same messages at the same time.
        var cpu = new CpuMeter(target.Pid);
        var start = Stopwatch.GetTimestamp();
        foreach (var s in all)
        {
            s.Measuring = true;
        }

        async Task RunPublisher(int p)
        {
            var pacer = new Pacer(rate, publishers, p);
            for (var k = 0; k < perPublisher; k++)
            {
                await pacer.WaitTurnAsync().ConfigureAwait(false);
                await publisher.PostAsync(0, Delivery.Payload('d', 0, p, k, p * perPublisher + k, size)).ConfigureAwait(false);
            }
        }

        var publishing = Task.WhenAll(Enumerable.Range(0, publishers).Select(p => Task.Run(() => RunPublisher(p))));
        var allLatency = new Histogram();
        var publishSeconds = await Delivery.AwaitDeliveryAsync(publishing, all, (long)messages * all.Length, allLatency, drainTimeout, start);
        var (toolCpu, serverCpu, _) = cpu.Stop();

        var report = new Report("sse-fanout");
        report.Add("target", target.Label);
        report.Add("pid", target.Pid);
        report.Add("messages", messages);
        report.Add("publishers", publishers);
        report.Add("payload_bytes", size);
        report.Add("publish_seconds", publishSeconds, "publish time (s)");
        report.Add("posts_per_sec", messages / publishSeconds, "POSTs/s");
        report.Add("unregistered", unregistered, "subscribers that never saw the marker");
        var sseRate = Group(report, "sse", liveSse, sseFailures + warmFailures, sseLatency, messages, start);
        var wsRate = Group(report, "ws", liveWs, wsFailures, wsLatency, messages, start);
        report.Add("sse_vs_ws", wsRate > 0 ? sseRate / wsRate : double.NaN, "SSE deliveries/s per subscriber over WebSocket's, same channel, same run (goal >= 0.8)");
        report.Add("sse_rss_baseline_kib", rss0, $"server RSS after {warm.Count} warm-up SSE streams, settled (KiB)");
        report.Add("sse_rss_open_kib", rss1, $"server RSS with the {sseOpen} SSE streams open and idle, settled after {waited:N0} s (KiB)");
        report.Add("sse_rss_per_stream_kib", Math.Round(perStream, 2), "server RSS per idle SSE stream (KiB; goal <= 20)");
        report.Add("sse_ended_by_server", Volatile.Read(ref ended), "SSE streams the server ended during the run");
        report.Add("tool_cpu_pct_core", toolCpu, "tool CPU (% of one core)");
        report.Add("server_cpu_pct_core", serverCpu, "server CPU (% of one core)");
        report.Add("errors", string.Join("; ", sseErrors.Concat(wsErrors).Take(3).Select(kv => $"{kv.Value}x {kv.Key}")));
        report.Add("load_average", File.ReadAllText("/proc/loadavg").Trim(), "load average (1/5/15 min) at the end");

        foreach (var s in streams.Concat(warm))
        {
            s?.Close();
        }

        await RawWebSocket.CloseAllAsync(liveWs.Select(s => s.Socket).ToArray(), concurrency);
        report.Print(jsonOut);
        var lost = all.Sum(s => (long)s.Slots - Volatile.Read(ref s.Unique));
        return sseFailures > 0 || wsFailures > 0 || unregistered > 0 || lost != 0 ? 1 : 0;
    }

    /// <summary>One transport's rows; returns its deliveries per second per subscriber.</summary>
    private static double Group(Report report, string name, Delivery.Subscriber[] live, int failures, Histogram latency, int messages, long start)
    {
        var delivered = live.Sum(s => Volatile.Read(ref s.Received));
        var last = live.Length == 0 ? start : live.Max(s => s.LastDelivery);
        var window = Math.Max(1e-9, (last - start) / (double)Stopwatch.Frequency);
        report.Add(name + "_subscribers", live.Length);
        report.Add(name + "_connect_failures", failures);
        report.Add(name + "_lost", (long)messages * live.Length - live.Sum(s => Volatile.Read(ref s.Unique)));
        report.Add(name + "_duplicates", live.Sum(s => s.Duplicates));
        report.Add(name + "_out_of_order", live.Sum(s => s.OutOfOrder));
        report.Add(name + "_closed_by_server", live.Count(s => s.Closed));
        report.Add(name + "_delivery_seconds", window, "first POST -> last delivery to this transport (s)");
        report.Add(name + "_delivered_per_sec", delivered / window, "delivered msgs/s to this transport");
        report.Add(name + "_latency_p50_ms", latency.Percentile(0.50) / 1000.0, "publish->deliver p50 (ms)");
        report.Add(name + "_latency_p99_ms", latency.Percentile(0.99) / 1000.0, "publish->deliver p99 (ms)");
        return live.Length == 0 ? 0 : delivered / window / live.Length;
    }

    private static Task<(int Failures, Dictionary<string, int> Errors, double Seconds)> OpenSseAsync(Target target, int count, string channel, int concurrency, Action<int, SseStream> opened) =>
        Delivery.ConnectAllAsync(count, (_, ct) => SseStream.OpenAsync(target, channel, ct), opened, concurrency);
}
