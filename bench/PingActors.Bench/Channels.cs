using System.Diagnostics;

namespace PingActors.Bench;

/// <summary>
/// C channels x k subscribers, P concurrent POST publishers spreading M messages over the channels: publisher p
/// sends its j-th message (global number g = j*P + p) to channel g mod C. Every subscriber is confirmed
/// registered by a marker on its channel before measuring; lost / duplicate / out-of-order are counted per
/// channel (order per publisher within a channel).
/// </summary>
internal static class Channels
{
    public static async Task<int> RunAsync(Options o)
    {
        var channels = Math.Max(1, o.Int("channels", 2000));
        var perChannel = Math.Max(1, o.Int("subscribers", 5));
        var messages = Math.Max(1, o.Int("messages", 20_000));
        var publishers = Math.Clamp(o.Int("publishers", 32), 1, messages);
        var size = o.Int("size", 64);
        var rate = o.Double("rate", 0);
        var warmupMessages = Math.Max(0, o.Int("warmup-messages", channels));
        var drainTimeout = TimeSpan.FromSeconds(o.Double("drain-timeout", 10));
        var concurrency = Math.Max(1, o.Int("concurrency", 100));
        var jsonOut = o.StrOrNull("json-out");
        var publisherKind = o.Str("publisher", "raw");
        var total = channels * perChannel;
        using var target = new Target(o, total + publishers);
        Program.CheckUnused(o);

        Native.RaiseOpenFileLimit();
        var run = Guid.NewGuid().ToString("N")[..6];
        string Name(int c) => $"ch-{run}-{c}";
        using var publisher = Publisher.Create(publisherKind, target, Enumerable.Range(0, channels).Select(Name).ToArray(), publishers, header: null);
        var perPublisher = (messages + publishers - 1) / publishers;
        messages = perPublisher * publishers;
        int SlotsOf(int c) => messages / channels + (c < messages % channels ? 1 : 0);
        var slotsMax = (messages + channels - 1) / channels;
        Delivery.Log($"target {target.Label} pid {target.Pid} ({ProcInfo.CommandLine(target.Pid)})");
        Delivery.Log($"{channels} channels /{target.Prefix}/ch-{run}-N x {perChannel} subscribers = {total} sockets; {messages} messages ({slotsMax} per channel at most) from {publishers} POST publisher(s), {size} B{(rate > 0 ? $", {rate} msg/s" : "")}, {publisherKind} publisher");

        // 1. Subscribers: socket i on channel i mod C, so each channel fills gradually and evenly.
        var latency = new Histogram();
        var postLatency = new Histogram();
        var subs = new Delivery.Subscriber?[total];
        var (failures, errors, connectSeconds) = await Delivery.ConnectAllAsync(
            total, (i, ct) => target.OpenRawAsync(Name(i % channels), ct),
            (i, ws) =>
            {
                var c = i % channels;
                var s = new Delivery.Subscriber(ws, c, SlotsOf(c), publishers, latency);
                subs[i] = s;
                s.Start();
            },
            concurrency);
        var live = subs.Where(s => s is not null).Select(s => s!).ToArray();
        Delivery.Log($"{live.Length} subscribers connected in {connectSeconds:N1} s ({live.Length / connectSeconds:N0}/s), {failures} failures");
        if (live.Length == 0)
        {
            Console.Error.WriteLine($"error: no subscriber connected: {string.Join("; ", errors.Keys.Take(2))}");
            return 1;
        }

        async Task Post(int c, byte[] body) => await publisher.PostAsync(c, body).ConfigureAwait(false);

        // Runs work(i) for i in items with `publishers` in flight.
        Task Spread(IEnumerable<int> items, Func<int, Task> work) =>
            Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = publishers }, async (i, _) => await work(i).ConfigureAwait(false));

        // 2. Warm-up, spread over the channels and ignored by the subscribers; then a marker on every channel
        //    until every subscriber has seen its channel's one (re-sent every 3 s to channels still missing one).
        var warmSw = Stopwatch.StartNew();
        await Spread(Enumerable.Range(0, warmupMessages).ToArray(), i => Post(i % channels, Delivery.Payload('w', i % channels, 0, i, 0, size)));
        Delivery.Log($"warm-up: {warmupMessages} POSTs in {warmSw.Elapsed.TotalSeconds:N1} s, {publisher.Errors} errors");
        var markerSw = Stopwatch.StartNew();
        var markerRounds = 0;
        while (markerSw.Elapsed < TimeSpan.FromSeconds(30))
        {
            var missing = live.Where(s => !s.MarkerSeen).Select(s => s.Channel).Distinct().ToArray();
            if (missing.Length == 0)
            {
                break;
            }

            if (markerRounds == 0 || markerSw.Elapsed.TotalSeconds > markerRounds * 3)
            {
                markerRounds++;
                await Spread(missing, c => Post(c, Delivery.Payload('m', c, 0, markerRounds, 0, size)));
            }

            await Task.Delay(20);
        }

        var unregistered = live.Count(s => !s.MarkerSeen);
        Delivery.Log($"marker seen by {live.Length - unregistered}/{live.Length} subscribers after {markerSw.Elapsed.TotalSeconds:N2} s ({markerRounds} round(s))");
        var warmupPostErrors = publisher.TakeErrors();
        var statsBefore = await target.StatsAsync();
        var rssBefore = ProcInfo.StatusKb(target.Pid, "VmRSS");

        // 3. Measured phase.
        var expected = live.Sum(s => (long)s.Slots);
        var cpu = new CpuMeter(target.Pid);
        var start = Stopwatch.GetTimestamp();
        foreach (var s in live)
        {
            s.Measuring = true;
        }

        async Task RunPublisher(int p)
        {
            var pacer = new Pacer(rate, publishers, p);
            for (var j = 0; j < perPublisher; j++)
            {
                await pacer.WaitTurnAsync().ConfigureAwait(false);

                var g = j * publishers + p;
                var c = g % channels;
                var body = Delivery.Payload('d', c, p, j, g / channels, size);
                var t0 = Stopwatch.GetTimestamp();
                await publisher.PostAsync(c, body).ConfigureAwait(false);
                postLatency.Record((long)Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
            }
        }

        var publishing = Task.WhenAll(Enumerable.Range(0, publishers).Select(p => Task.Run(() => RunPublisher(p))));
        var publishSeconds = await Delivery.AwaitDeliveryAsync(publishing, live, expected, latency, drainTimeout, start);
        var (toolCpu, serverCpu, cpuSeconds) = cpu.Stop();
        var lastDelivery = live.Max(s => s.LastDelivery);
        var window = (lastDelivery > start ? lastDelivery - start : Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
        var statsAfter = await target.StatsAsync();

        var report = new Report("channels");
        report.Add("target", target.Label);
        report.Add("pid", target.Pid);
        report.Add("channels", channels);
        report.Add("subscribers_per_channel", perChannel);
        report.Add("subscribers", live.Length);
        report.Add("connect_failures", failures);
        report.Add("connects_per_sec", live.Length / connectSeconds, "connections/s while opening");
        report.Add("unregistered", unregistered, "subscribers that never saw the marker");
        report.Add("messages", messages);
        report.Add("publishers", publishers);
        report.Add("payload_bytes", size);
        report.Add("rate_limit", rate, "publish rate limit (msg/s, 0 = none)");
        report.Add("publisher", publisherKind, "POST client: raw (the tool's own) or httpclient (before)");
        report.Add("post_errors", publisher.Errors, "POSTs not answered 2xx");
        report.Add("warmup_post_errors", warmupPostErrors, "warm-up and marker POSTs not answered 2xx");
        Delivery.AddDeliveryRows(report, live, expected, latency, publishSeconds, window, messages, "posts_per_sec");
        report.Add("post_p50_ms", postLatency.Percentile(0.50) / 1000.0, "POST round trip p50 (ms)");
        report.Add("post_p99_ms", postLatency.Percentile(0.99) / 1000.0, "POST round trip p99 (ms)");
        report.Add("tool_cpu_pct_core", toolCpu, "tool CPU (% of one core)");
        report.Add("tool_cpu_us_per_delivery", toolCpu / 100 * cpuSeconds * 1e6 / Math.Max(1, live.Sum(s => s.Received)), "tool CPU per delivery (us, publishing included)");
        report.Add("server_cpu_pct_core", serverCpu, "server CPU (% of one core)");
        report.Add("cores", Environment.ProcessorCount);
        report.Add("server_rss_before_kib", rssBefore, "server RSS before measuring (KiB)");
        report.Add("server_rss_after_kib", ProcInfo.StatusKb(target.Pid, "VmRSS"), "server RSS after (KiB)");
        AddServerCounters(report, statsBefore, statsAfter);
        report.Add("errors", errors.Count == 0 ? "" : string.Join("; ", errors.Take(3).Select(kv => $"{kv.Value}x {kv.Key}")));
        report.Add("load_average", File.ReadAllText("/proc/loadavg").Trim(), "load average (1/5/15 min) at the end");

        await RawWebSocket.CloseAllAsync(live.Select(s => s.Socket).ToArray(), concurrency);
        report.Print(jsonOut);
        var lost = expected - live.Sum(s => s.Unique);
        return failures > 0 || unregistered > 0 || lost != 0 ? 1 : 0;
    }

    /// <summary>The node's own delivered / dropped counters over the measured window, when --stats-url gives them.</summary>
    public static void AddServerCounters(Report report, System.Text.Json.JsonElement? before, System.Text.Json.JsonElement? after)
    {
        if (before is { } sb && after is { } sa && sb.TryGetProperty("messages", out var mb) && sa.TryGetProperty("messages", out var ma)
            && mb.TryGetProperty("delivered", out var db) && ma.TryGetProperty("delivered", out var da))
        {
            report.Add("server_delivered", da.GetInt64() - db.GetInt64(), "server-counted deliveries");
            if (mb.TryGetProperty("dropped", out var xb) && ma.TryGetProperty("dropped", out var xa))
            {
                report.Add("server_dropped", xa.GetInt64() - xb.GetInt64(), "server-counted drops");
            }
        }
    }
}
