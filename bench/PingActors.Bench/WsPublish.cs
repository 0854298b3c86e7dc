using System.Diagnostics;

namespace PingActors.Bench;

/// <summary>
/// Pinghub-style publishing: C channels x k clients; every client is a subscriber and sends M messages over its
/// own WebSocket. Every client of the channel, the sender included, should receive each one, so a channel sees
/// k x M messages and delivers k x k x M. Markers (sent over WebSocket by each channel's first client) confirm
/// every client registered before measuring; lost / duplicate / out-of-order are counted per channel (order per
/// sender).
/// </summary>
internal static class WsPublish
{
    public static async Task<int> RunAsync(Options o)
    {
        var channels = Math.Max(1, o.Int("channels", 100));
        var perChannel = Math.Max(1, o.Int("clients", 10));
        var messages = Math.Max(1, o.Int("messages", 20));
        var size = o.Int("size", 64);
        var rate = o.Double("rate", 0);
        var warmupMessages = Math.Max(0, o.Int("warmup-messages", 1));
        var drainTimeout = TimeSpan.FromSeconds(o.Double("drain-timeout", 10));
        var concurrency = Math.Max(1, o.Int("concurrency", 100));
        var jsonOut = o.StrOrNull("json-out");
        var total = channels * perChannel;
        using var target = new Target(o, total);
        Program.CheckUnused(o);

        Native.RaiseOpenFileLimit();
        var run = Guid.NewGuid().ToString("N")[..6];
        string Name(int c) => $"ws-{run}-{c}";
        var slots = perChannel * messages;
        Delivery.Log($"target {target.Label} pid {target.Pid} ({ProcInfo.CommandLine(target.Pid)})");
        Delivery.Log($"{channels} channels /{target.Prefix}/ws-{run}-N x {perChannel} clients = {total} sockets; each client sends {messages} messages of {size} B over its WebSocket{(rate > 0 ? $", {rate} msg/s in all" : "")}; {(long)total * slots:N0} deliveries expected");

        // 1. Clients: socket i on channel i mod C, sender number i / C within its channel.
        var latency = new Histogram();
        var subs = new Delivery.Subscriber?[total];
        var (failures, errors, connectSeconds) = await Delivery.ConnectAllAsync(
            total, (i, ct) => target.OpenRawAsync(Name(i % channels), ct),
            (i, ws) =>
            {
                var s = new Delivery.Subscriber(ws, i % channels, slots, perChannel, latency);
                subs[i] = s;
                s.Start();
            },
            concurrency);
        var live = subs.Where(s => s is not null).Select(s => s!).ToArray();
        Delivery.Log($"{live.Length} clients connected in {connectSeconds:N1} s ({live.Length / connectSeconds:N0}/s), {failures} failures");
        if (live.Length == 0)
        {
            Console.Error.WriteLine($"error: no client connected: {string.Join("; ", errors.Keys.Take(2))}");
            return 1;
        }

        var sendErrors = 0;
        async Task Send(Delivery.Subscriber s, byte[] body)
        {
            try
            {
                await s.Socket.SendTextAsync(body).ConfigureAwait(false);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref sendErrors);
            }
        }

        // Runs work(item) for every item with `concurrency` in flight.
        Task ForEach<T>(IEnumerable<T> items, Func<T, Task> work) =>
            Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (item, _) => await work(item).ConfigureAwait(false));

        // 2. Warm-up from every client (ignored), then a marker from each channel's first client until every
        //    client has seen its channel's one (re-sent every 3 s on channels still missing one).
        var warmSw = Stopwatch.StartNew();
        await ForEach(live, async s =>
        {
            for (var w = 0; w < warmupMessages; w++)
            {
                await Send(s, Delivery.Payload('w', s.Channel, 0, w, 0, size)).ConfigureAwait(false);
            }
        });
        Delivery.Log($"warm-up: {warmupMessages} message(s) from each client in {warmSw.Elapsed.TotalSeconds:N1} s");
        var first = live.GroupBy(s => s.Channel).ToDictionary(g => g.Key, g => g.First());
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
                await ForEach(missing, c => Send(first[c], Delivery.Payload('m', c, 0, markerRounds, 0, size)));
            }

            await Task.Delay(20);
        }

        var unregistered = live.Count(s => !s.MarkerSeen);
        Delivery.Log($"marker seen by {live.Length - unregistered}/{live.Length} clients after {markerSw.Elapsed.TotalSeconds:N2} s ({markerRounds} round(s))");
        var warmupSendErrors = sendErrors;
        sendErrors = 0;
        var statsBefore = await target.StatsAsync();
        var rssBefore = ProcInfo.StatusKb(target.Pid, "VmRSS");

        // 3. Measured phase: every client sends its messages, sequentially, paced to a total rate if asked.
        var sendersPerChannel = live.GroupBy(s => s.Channel).ToDictionary(g => g.Key, g => g.Count());
        var expected = live.Sum(s => (long)sendersPerChannel[s.Channel] * messages);
        var cpu = new CpuMeter(target.Pid);
        var start = Stopwatch.GetTimestamp();
        foreach (var s in live)
        {
            s.Measuring = true;
        }

        var senders = subs.Select((s, i) => (s, i)).Where(x => x.s is not null).ToArray();
        async Task Sender(Delivery.Subscriber s, int i, int order)
        {
            var j = i / channels;
            var pacer = new Pacer(rate, senders.Length, order);
            for (var k = 0; k < messages; k++)
            {
                await pacer.WaitTurnAsync().ConfigureAwait(false);

                await Send(s, Delivery.Payload('d', s.Channel, j, k, j * messages + k, size)).ConfigureAwait(false);
            }
        }

        var publishing = Task.WhenAll(senders.Select((x, order) => Task.Run(() => Sender(x.s!, x.i, order))));
        var publishSeconds = await Delivery.AwaitDeliveryAsync(publishing, live, expected, latency, drainTimeout, start);
        var (toolCpu, serverCpu, cpuSeconds) = cpu.Stop();
        var lastDelivery = live.Max(s => s.LastDelivery);
        var window = (lastDelivery > start ? lastDelivery - start : Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
        var statsAfter = await target.StatsAsync();

        var report = new Report("ws-publish");
        report.Add("target", target.Label);
        report.Add("pid", target.Pid);
        report.Add("channels", channels);
        report.Add("clients_per_channel", perChannel);
        report.Add("clients", live.Length);
        report.Add("connect_failures", failures);
        report.Add("connects_per_sec", live.Length / connectSeconds, "connections/s while opening");
        report.Add("unregistered", unregistered, "clients that never saw the marker");
        report.Add("messages_per_client", messages);
        report.Add("messages", (long)live.Length * messages, "messages sent in all");
        report.Add("payload_bytes", size);
        report.Add("rate_limit", rate, "total send rate limit (msg/s, 0 = none)");
        report.Add("send_errors", sendErrors, "WebSocket sends that failed");
        report.Add("warmup_send_errors", warmupSendErrors, "warm-up and marker sends that failed");
        Delivery.AddDeliveryRows(report, live, expected, latency, publishSeconds, window, (long)live.Length * messages, "sends_per_sec");
        report.Add("tool_cpu_pct_core", toolCpu, "tool CPU (% of one core)");
        report.Add("tool_cpu_us_per_delivery", toolCpu / 100 * cpuSeconds * 1e6 / Math.Max(1, live.Sum(s => s.Received)), "tool CPU per delivery (us, publishing included)");
        report.Add("server_cpu_pct_core", serverCpu, "server CPU (% of one core)");
        report.Add("cores", Environment.ProcessorCount);
        report.Add("server_rss_before_kib", rssBefore, "server RSS before measuring (KiB)");
        report.Add("server_rss_after_kib", ProcInfo.StatusKb(target.Pid, "VmRSS"), "server RSS after (KiB)");
        Channels.AddServerCounters(report, statsBefore, statsAfter);
        report.Add("errors", errors.Count == 0 ? "" : string.Join("; ", errors.Take(3).Select(kv => $"{kv.Value}x {kv.Key}")));
        report.Add("load_average", File.ReadAllText("/proc/loadavg").Trim(), "load average (1/5/15 min) at the end");

        await RawWebSocket.CloseAllAsync(live.Select(s => s.Socket).ToArray(), concurrency);
        report.Print(jsonOut);
        var lost = expected - live.Sum(s => s.Unique);
        return failures > 0 || unregistered > 0 || lost != 0 ? 1 : 0;
    }
}
