using System.Buffers;
using System.Diagnostics;

namespace PingActors.Bench;

/// <summary>
/// 1 channel x S subscribers, POST publishers. Payloads and subscribers are those of <see cref="Delivery"/>
/// (channel 0; publisher p's k-th message is slot p * perPublisher + k of the channel):
/// <c>d 0 1 17 517 123456789 xxxx</c>. Kinds: <c>w</c> warm-up, <c>m</c> marker, <c>d</c> measured data.
/// </summary>
internal static class Fanout
{
    public static async Task<int> RunAsync(Options o)
    {
        var subscribers = Math.Max(1, o.Int("subscribers", 1000));
        var messages = Math.Max(1, o.Int("messages", 2000));
        var publishers = Math.Clamp(o.Int("publishers", 1), 1, messages);
        var size = o.Int("size", 64);
        var rate = o.Double("rate", 0);
        var warmupMessages = Math.Max(0, o.Int("warmup-messages", 200));
        var drainTimeout = TimeSpan.FromSeconds(o.Double("drain-timeout", 10));
        var concurrency = Math.Max(1, o.Int("concurrency", 100));
        var jsonOut = o.StrOrNull("json-out");
        var channelName = o.StrOrNull("channel");
        var publisherKind = o.Str("publisher", "raw");
        var inflater = o.Int("deflate", 0) != 0 ? new Inflater() : null;
        var json = o.Str("payload", "x") switch
        {
            "x" => false,
            "json" => true,
            var other => throw new ArgumentException($"--payload must be x or json, not '{other}'"),
        };

        // Several hub URLs (cluster nodes): subscribers round-robin over --url, POSTs to --publish-url.
        // With one --url and neither cluster option, everything below is as it always was.
        var urls = List(o.Str("url", "http://127.0.0.1:8080"));
        var publishUrl = o.StrOrNull("publish-url");
        var clusterStats = o.StrOrNull("cluster-stats-url") is { } cs ? List(cs) : [];
        var multi = urls.Length > 1 || publishUrl is not null || clusterStats.Length > 0;
        var targets = new List<Target>();
        Target target;
        Target publishTarget;
        try
        {
            if (!multi)
            {
                target = new Target(o, subscribers + publishers);
                targets.Add(target);
                publishTarget = target;
            }
            else
            {
                // Each hub once: the per-URL figures are keyed by URL.
                if (urls.GroupBy(u => new Uri(u.TrimEnd('/') + "/")).FirstOrDefault(g => g.Count() > 1) is { } twice)
                {
                    throw new ArgumentException($"--url lists {twice.Key} more than once");
                }

                var pids = List(o.Str("pid", ""));
                var statsUrls = List(o.Str("stats-url", ""));
                for (var u = 0; u < urls.Length; u++)
                {
                    var pid = u < pids.Length && pids[u].Length > 0 ? int.Parse(pids[u], System.Globalization.CultureInfo.InvariantCulture) : 0;
                    var stats = u < statsUrls.Length && statsUrls[u].Length > 0 ? statsUrls[u] : null;
                    targets.Add(new Target(o, (subscribers + urls.Length - 1) / urls.Length + publishers, urls[u], pid, stats));
                }

                target = targets[0];
                var pubIndex = publishUrl is null ? 0 : Array.FindIndex(urls, u => new Uri(u.TrimEnd('/') + "/") == new Uri(publishUrl.TrimEnd('/') + "/"));
                if (pubIndex >= 0)
                {
                    publishTarget = targets[pubIndex];
                }
                else
                {
                    publishTarget = new Target(o, publishers, publishUrl, 0, null);
                    targets.Add(publishTarget);
                }

                foreach (var s in clusterStats)
                {
                    if (!ProcInfo.IsLoopback(new Uri(s)))
                    {
                        throw new ArgumentException("--cluster-stats-url must be loopback addresses");
                    }
                }
            }

            Program.CheckUnused(o);
        }
        catch
        {
            targets.ForEach(t => t.Dispose());
            throw;
        }

        using var disposeTargets = new Disposables(targets);
        var subTargets = multi ? targets.Take(urls.Length).ToArray() : [target];

        Native.RaiseOpenFileLimit();
        var channel = channelName ?? "fanout-" + Guid.NewGuid().ToString("N")[..8];

        // Only cluster runs report X-PingActors-Nodes; reading it costs a string per POST.
        using var publisher = Publisher.Create(publisherKind, publishTarget, [channel], publishers, multi ? "X-PingActors-Nodes" : null);
        var perPublisher = (messages + publishers - 1) / publishers;
        messages = perPublisher * publishers;
        Delivery.Log($"target {target.Label} pid {target.Pid} ({ProcInfo.CommandLine(target.Pid)})");
        Delivery.Log($"channel /{target.Prefix}/{channel}: {subscribers} subscribers, {messages} messages from {publishers} publisher(s), {size} B {(json ? "JSON-like" : "x-filled")} payload{(inflater is null ? "" : ", permessage-deflate")}{(rate > 0 ? $", {rate} msg/s" : "")}, {publisherKind} publisher");
        if (multi)
        {
            Delivery.Log($"subscribers round-robin over {string.Join(", ", subTargets.Select(t => $"{t.BaseUri} (pid {t.Pid})"))}; POSTs to {publishTarget.BaseUri} (pid {publishTarget.Pid})");
        }

        var clusterBefore = await ClusterStatsAsync(clusterStats);

        var latency = new Histogram();
        var postLatency = new Histogram();
        var subs = new Delivery.Subscriber?[subscribers];
        var subUrl = new int[subscribers];
        var postNodes = new int[65]; // X-PingActors-Nodes answers of the measured POSTs (last slot: 64 or more, or unparsable)
        var countNodes = false;

        // 1. Subscribers (the tool's own WebSocket client: see RawWebSocket), round-robin over the hub URLs.
        var (failures, errors, connectSeconds) = await Delivery.ConnectAllAsync(
            subscribers,
            (i, ct) => subTargets[i % subTargets.Length].OpenRawAsync(channel, ct, inflater),
            (i, ws) =>
            {
                subUrl[i] = i % subTargets.Length;
                var s = new Delivery.Subscriber(ws, 0, messages, publishers, latency);
                subs[i] = s;
                s.Start();
            },
            concurrency);
        var live = subs.Where(s => s is not null).Select(s => s!).ToArray();
        if (live.Length == 0)
        {
            Console.Error.WriteLine($"error: no subscriber connected: {string.Join("; ", errors.Keys.Take(2))}");
            return 1;
        }

        Delivery.Log($"{live.Length} subscribers connected in {connectSeconds:N1} s, {failures} failures");

        async Task Post(byte[] body)
        {
            var (ok, nodesHeader) = await publisher.PostAsync(0, body).ConfigureAwait(false);
            if (ok && multi && Volatile.Read(ref countNodes))
            {
                var nodes = int.TryParse(nodesHeader, out var n) && n is >= 0 and < 64 ? n : 64;
                Interlocked.Increment(ref postNodes[nodes]);
            }
        }

        // 2. Warm-up (ignored by the subscribers), then a marker every subscriber must see: that proves
        //    every one is registered, and (FIFO) that the warm-up is drained.
        for (var i = 0; i < warmupMessages; i++)
        {
            await Post(Delivery.Payload('w', 0, 0, i, 0, size));
        }

        var markerDeadline = Stopwatch.StartNew();
        var markers = 0;
        while (live.Any(s => !s.MarkerSeen) && markerDeadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (markers == 0 || markerDeadline.Elapsed.TotalSeconds > markers * 3)
            {
                await Post(Delivery.Payload('m', 0, 0, markers++, 0, size));
            }

            await Task.Delay(20);
        }

        var unregistered = live.Count(s => !s.MarkerSeen);
        Delivery.Log($"marker seen by {live.Length - unregistered}/{live.Length} subscribers after {markerDeadline.Elapsed.TotalSeconds:N2} s ({markers} marker(s))");
        var warmupPostErrors = publisher.TakeErrors();
        var statsBefore = await target.StatsAsync();
        var rssBefore = ProcInfo.StatusKb(target.Pid, "VmRSS");
        var clusterMeasuring = await ClusterStatsAsync(clusterStats);
        var nodeCpu = targets.Select(t => t.Pid).Distinct().ToDictionary(pid => pid, pid => new CpuMeter(pid));
        Volatile.Write(ref countNodes, true);

        // 3. Measured phase.
        var expected = (long)messages * live.Length;
        var cpu = new CpuMeter(target.Pid);
        var loopbackBefore = ProcInfo.LoopbackBytes();
        long WireBytes() => live.Sum(s => Volatile.Read(ref s.Socket.BytesReceived));
        var wireBefore = WireBytes();
        var inflatedBefore = inflater?.Bytes ?? default;
        var start = Stopwatch.GetTimestamp();
        foreach (var s in live)
        {
            s.Measuring = true;
        }

        async Task RunPublisher(int p)
        {
            var pacer = new Pacer(rate, publishers, p);
            for (var k = 0; k < perPublisher; k++)
            {
                await pacer.WaitTurnAsync().ConfigureAwait(false);

                var body = Delivery.Payload('d', 0, p, k, p * perPublisher + k, size, json);
                var t0 = Stopwatch.GetTimestamp();
                await Post(body).ConfigureAwait(false);

                postLatency.Record((long)Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
            }
        }

        var publishing = Task.WhenAll(Enumerable.Range(0, publishers).Select(p => Task.Run(() => RunPublisher(p))));
        var publishSeconds = await Delivery.AwaitDeliveryAsync(publishing, live, expected, latency, drainTimeout, start);
        var (toolCpu, serverCpu, cpuSeconds) = cpu.Stop();
        var loopbackBytes = loopbackBefore < 0 ? -1 : ProcInfo.LoopbackBytes() - loopbackBefore;
        var wireBytes = WireBytes() - wireBefore;
        var nodeCpuPct = nodeCpu.ToDictionary(kv => kv.Key, kv => kv.Value.Stop().ServerPctOfCore);
        Volatile.Write(ref countNodes, false);
        var clusterAfter = await ClusterStatsAsync(clusterStats);
        var lastDelivery = live.Max(s => s.LastDelivery);
        var window = (lastDelivery > start ? lastDelivery - start : Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
        var statsAfter = await target.StatsAsync();

        var delivered = live.Sum(s => Volatile.Read(ref s.Received));
        var unique = live.Sum(s => s.Unique);
        var report = new Report("fanout");
        report.Add("target", target.Label);
        report.Add("pid", target.Pid);
        report.Add("subscribers", live.Length);
        report.Add("connect_failures", failures);
        report.Add("unregistered", unregistered, "subscribers that never saw the marker");
        report.Add("messages", messages);
        report.Add("publishers", publishers);
        report.Add("payload_bytes", size);
        report.Add("payload", json ? "json" : "x", "what fills a message after its header");
        report.Add("deflate", inflater is not null, "subscribers negotiated permessage-deflate");
        if (inflater is not null)
        {
            var (compressedBytes, plainBytes) = inflater.Bytes;
            report.Add("deflate_ratio", (plainBytes - inflatedBefore.Plain) / (double)Math.Max(1, compressedBytes - inflatedBefore.Compressed), "message bytes / compressed payload bytes, measured phase");
            report.Add("tool_inflations", inflater.Inflated, "messages the tool inflated (others reused: same bytes)");
        }
        report.Add("rate_limit", rate, "publish rate limit (msg/s, 0 = none)");
        report.Add("expected", expected, "expected deliveries");
        report.Add("delivered", delivered);
        report.Add("lost", expected - unique);
        report.Add("duplicates", live.Sum(s => s.Duplicates));
        report.Add("out_of_order", live.Sum(s => s.OutOfOrder));
        report.Add("misrouted", live.Sum(s => Volatile.Read(ref s.Misrouted)), "messages of another channel, or unparsable");
        report.Add("closed_by_server", live.Count(s => s.Closed), "subscribers closed during the run");
        report.Add("publisher", publisherKind, "POST client: raw (the tool's own) or httpclient (before)");
        report.Add("post_errors", publisher.Errors, "POSTs not answered 2xx");
        report.Add("warmup_post_errors", warmupPostErrors, "warm-up and marker POSTs not answered 2xx");
        report.Add("publish_seconds", publishSeconds, "publish time (s)");
        report.Add("posts_per_sec", messages / publishSeconds, "POSTs/s");
        report.Add("delivery_seconds", window, "first POST -> last delivery (s)");
        report.Add("delivered_per_sec", delivered / window, "delivered msgs/s");
        report.Add("latency_p50_ms", latency.Percentile(0.50) / 1000.0, "publish->deliver p50 (ms)");
        report.Add("latency_p90_ms", latency.Percentile(0.90) / 1000.0, "publish->deliver p90 (ms)");
        report.Add("latency_p99_ms", latency.Percentile(0.99) / 1000.0, "publish->deliver p99 (ms)");
        report.Add("latency_max_ms", latency.Max / 1000.0, "publish->deliver max (ms)");
        report.Add("latency_mean_ms", latency.Mean / 1000.0, "publish->deliver mean (ms)");
        report.Add("post_p50_ms", postLatency.Percentile(0.50) / 1000.0, "POST round trip p50 (ms)");
        report.Add("post_p99_ms", postLatency.Percentile(0.99) / 1000.0, "POST round trip p99 (ms)");
        report.Add("tool_cpu_pct_core", toolCpu, "tool CPU (% of one core)");
        report.Add("tool_cpu_us_per_delivery", toolCpu / 100 * cpuSeconds * 1e6 / Math.Max(1, delivered), "tool CPU per delivery (us, publishing included)");
        report.Add("server_cpu_pct_core", serverCpu, "server CPU (% of one core)");
        report.Add("server_cpu_us_per_delivery", serverCpu / 100 * cpuSeconds * 1e6 / Math.Max(1, delivered), "server CPU per delivery (us)");
        report.Add("wire_bytes", wireBytes, "WebSocket bytes the subscribers read in the measured phase (frames: headers and payloads)");
        report.Add("wire_bytes_per_delivery", wireBytes / (double)Math.Max(1, delivered), "WebSocket bytes read per delivery");
        report.Add("loopback_bytes", loopbackBytes, "bytes over lo during the measured phase (the whole machine's, TCP/IP headers included)");
        report.Add("loopback_bytes_per_delivery", loopbackBytes / (double)Math.Max(1, delivered), "lo bytes per delivery (POSTs and ACKs included)");
        report.Add("cores", Environment.ProcessorCount);
        report.Add("server_rss_before_kib", rssBefore, "server RSS before measuring (KiB)");
        report.Add("server_rss_after_kib", ProcInfo.StatusKb(target.Pid, "VmRSS"), "server RSS after (KiB)");
        if (statsBefore is { } sb && statsAfter is { } sa && sb.TryGetProperty("messages", out var mb) && sa.TryGetProperty("messages", out var ma))
        {
            report.Add("server_delivered", ma.GetProperty("delivered").GetInt64() - mb.GetProperty("delivered").GetInt64(), "server-counted deliveries");
            report.Add("server_dropped", ma.GetProperty("dropped").GetInt64() - mb.GetProperty("dropped").GetInt64(), "server-counted drops");
        }

        if (multi)
        {
            report.Add("urls", Json(w =>
            {
                w.WriteStartArray();
                foreach (var t in subTargets)
                {
                    w.WriteStringValue(t.BaseUri.ToString());
                }

                w.WriteEndArray();
            }), "subscriber hub URLs");
            report.Add("publish_url", publishTarget.BaseUri.ToString(), "POST hub URL");
            report.Add("subscribers_per_url", Json(w =>
            {
                w.WriteStartObject();
                for (var u = 0; u < subTargets.Length; u++)
                {
                    w.WriteNumber(subTargets[u].BaseUri.ToString(), Enumerable.Range(0, subscribers).Count(i => subs[i] is not null && subUrl[i] == u));
                }

                w.WriteEndObject();
            }), "connected subscribers per URL");
            report.Add("post_nodes", Json(w =>
            {
                w.WriteStartObject();
                for (var n = 0; n < postNodes.Length; n++)
                {
                    if (postNodes[n] > 0)
                    {
                        w.WriteNumber(n < 64 ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "other", postNodes[n]);
                    }
                }

                w.WriteEndObject();
            }), "X-PingActors-Nodes of measured POSTs: value -> count");
            report.Add("server_cpu_pct_core_per_url", Json(w =>
            {
                w.WriteStartObject();
                foreach (var t in targets)
                {
                    w.WriteNumber(t.BaseUri.ToString(), Math.Round(nodeCpuPct[t.Pid], 1));
                }

                w.WriteEndObject();
            }), "server CPU per hub URL (% of one core)");
            report.Add("server_cpu_pct_core_all", nodeCpuPct.Values.Sum(), "CPU of all those servers (% of one core)");
            if (clusterStats.Length > 0)
            {
                report.Add("cluster_nodes", Json(w =>
                {
                    w.WriteStartObject();
                    for (var c = 0; c < clusterStats.Length; c++)
                    {
                        w.WriteStartObject(clusterStats[c]);
                        w.WriteNumber("channel_entities_before", Field(clusterBefore[c], "channel_entities"));
                        w.WriteNumber("channel_entities_measuring", Field(clusterMeasuring[c], "channel_entities"));
                        w.WriteNumber("connections_measuring", Field(clusterMeasuring[c], "connections"));
                        w.WriteNumber("published", Field(clusterAfter[c], "messages", "published") - Field(clusterMeasuring[c], "messages", "published"));
                        w.WriteNumber("delivered", Field(clusterAfter[c], "messages", "delivered") - Field(clusterMeasuring[c], "messages", "delivered"));
                        w.WriteNumber("dropped", Field(clusterAfter[c], "messages", "dropped") - Field(clusterMeasuring[c], "messages", "dropped"));
                        w.WriteEndObject();
                    }

                    w.WriteEndObject();
                }), "per cluster node: channel entities before subscribing / while measuring, counters over the measured phase");
            }
        }

        report.Add("errors", errors.Count == 0 ? "" : string.Join("; ", errors.Take(3).Select(kv => $"{kv.Value}x {kv.Key}")));
        report.Add("load_average", File.ReadAllText("/proc/loadavg").Trim(), "load average (1/5/15 min) at the end");

        await RawWebSocket.CloseAllAsync(live.Select(s => s.Socket).ToArray(), concurrency);
        report.Print(jsonOut);
        return failures > 0 || unregistered > 0 || expected != unique ? 1 : 0;
    }

    private static string[] List(string value) => value.Split(',', StringSplitOptions.TrimEntries);

    private static System.Text.Json.JsonElement Json(Action<System.Text.Json.Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            write(w);
        }

        return System.Text.Json.JsonDocument.Parse(buffer.WrittenMemory).RootElement.Clone();
    }

    /// <summary>A snapshot of each /stats URL (null where it did not answer).</summary>
    private static async Task<System.Text.Json.JsonElement?[]> ClusterStatsAsync(string[] statsUrls)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return await Task.WhenAll(statsUrls.Select(async u =>
        {
            try
            {
                return (System.Text.Json.JsonElement?)System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(u).ConfigureAwait(false)).RootElement.Clone();
            }
            catch (Exception)
            {
                return null;
            }
        }));
    }

    /// <summary>A numeric field (path of property names) of a stats snapshot, or -1.</summary>
    private static long Field(System.Text.Json.JsonElement? stats, params string[] path)
    {
        if (stats is not { } e)
        {
            return -1;
        }

        foreach (var name in path)
        {
            if (e.ValueKind != System.Text.Json.JsonValueKind.Object || !e.TryGetProperty(name, out e))
            {
                return -1;
            }
        }

        return e.ValueKind == System.Text.Json.JsonValueKind.Number ? e.GetInt64() : -1;
    }

    private sealed class Disposables(List<Target> items) : IDisposable
    {
        public void Dispose() => items.ForEach(t => t.Dispose());
    }
}
