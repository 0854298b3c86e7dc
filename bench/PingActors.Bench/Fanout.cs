using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;

namespace PingActors.Bench;

/// <summary>
/// 1 channel x S subscribers, POST publishers. Each payload is ASCII: a kind letter, the publisher, its
/// sequence number and a Stopwatch timestamp, padded to the requested size:
/// <c>d 0 17 123456789 xxxx</c>. Kinds: <c>w</c> warm-up, <c>m</c> marker, <c>d</c> measured data.
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
        var perPublisher = (messages + publishers - 1) / publishers;
        messages = perPublisher * publishers;
        Log($"target {target.Label} pid {target.Pid} ({ProcInfo.CommandLine(target.Pid)})");
        Log($"channel /{target.Prefix}/{channel}: {subscribers} subscribers, {messages} messages from {publishers} publisher(s), {size} B payload{(rate > 0 ? $", {rate} msg/s" : "")}");
        if (multi)
        {
            Log($"subscribers round-robin over {string.Join(", ", subTargets.Select(t => $"{t.BaseUri} (pid {t.Pid})"))}; POSTs to {publishTarget.BaseUri} (pid {publishTarget.Pid})");
        }

        var clusterBefore = await ClusterStatsAsync(clusterStats);

        var latency = new Histogram();
        var postLatency = new Histogram();
        var subs = new Subscriber[subscribers];
        var subUrl = new int[subscribers];
        var postNodes = new int[65]; // X-PingActors-Nodes answers of the measured POSTs (last slot: 64 or more, or unparsable)
        var countNodes = false;
        var failures = 0;
        var errors = new Dictionary<string, int>();

        // 1. Subscribers.
        var next = -1;
        var connect = Stopwatch.StartNew();
        async Task ConnectWorker()
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= subscribers)
                {
                    return;
                }

                try
                {
                    using var t = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    subUrl[i] = i % subTargets.Length;
                    var ws = await subTargets[subUrl[i]].OpenAsync(channel, t.Token).ConfigureAwait(false);
                    subs[i] = new Subscriber(ws, messages, publishers, perPublisher, latency, Math.Max(size, 64) + 64);
                    subs[i].Start();
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
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, subscribers)).Select(_ => Task.Run(ConnectWorker)));
        var live = subs.Where(s => s is not null).ToArray();
        if (live.Length == 0)
        {
            Console.Error.WriteLine($"error: no subscriber connected: {string.Join("; ", errors.Keys.Take(2))}");
            return 1;
        }

        Log($"{live.Length} subscribers connected in {connect.Elapsed.TotalSeconds:N1} s, {failures} failures");

        using var http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            MaxConnectionsPerServer = publishers,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        { Timeout = TimeSpan.FromSeconds(30) };
        var postUri = publishTarget.HttpUri(channel);
        var postErrors = 0;

        async Task<bool> Post(byte[] body)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            using var response = await http.PostAsync(postUri, content).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) // 2xx: nchan answers 201 / 202
            {
                Interlocked.Increment(ref postErrors);
                return false;
            }

            if (Volatile.Read(ref countNodes))
            {
                var nodes = response.Headers.TryGetValues("X-PingActors-Nodes", out var values) && int.TryParse(values.FirstOrDefault(), out var n) && n is >= 0 and < 64 ? n : 64;
                Interlocked.Increment(ref postNodes[nodes]);
            }

            return true;
        }

        // 2. Warm-up (ignored by the subscribers), then a marker every subscriber must see: that proves
        //    every one is registered, and (FIFO) that the warm-up is drained.
        for (var i = 0; i < warmupMessages; i++)
        {
            await Post(MakePayload('w', 0, i, size));
        }

        var markerDeadline = Stopwatch.StartNew();
        var markers = 0;
        while (live.Any(s => !s.MarkerSeen) && markerDeadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (markers == 0 || markerDeadline.Elapsed.TotalSeconds > markers * 3)
            {
                await Post(MakePayload('m', 0, markers++, size));
            }

            await Task.Delay(20);
        }

        var unregistered = live.Count(s => !s.MarkerSeen);
        Log($"marker seen by {live.Length - unregistered}/{live.Length} subscribers after {markerDeadline.Elapsed.TotalSeconds:N2} s ({markers} marker(s))");
        var statsBefore = await target.StatsAsync();
        var rssBefore = ProcInfo.StatusKb(target.Pid, "VmRSS");
        var clusterMeasuring = await ClusterStatsAsync(clusterStats);
        var nodeCpu = targets.Select(t => t.Pid).Distinct().ToDictionary(pid => pid, pid => new CpuMeter(pid));
        Volatile.Write(ref countNodes, true);

        // 3. Measured phase.
        var expected = (long)messages * live.Length;
        var cpu = new CpuMeter(target.Pid);
        var start = Stopwatch.GetTimestamp();
        foreach (var s in live)
        {
            s.Measuring = true;
        }

        var interval = rate > 0 ? Stopwatch.Frequency * publishers / rate : 0;
        async Task Publisher(int p)
        {
            var due = (double)Stopwatch.GetTimestamp() + p * (interval / publishers);
            for (var k = 0; k < perPublisher; k++)
            {
                if (interval > 0)
                {
                    var wait = due - Stopwatch.GetTimestamp();
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(wait / Stopwatch.Frequency)).ConfigureAwait(false);
                    }

                    due += interval;
                }

                var body = MakePayload('d', p, k, size);
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await Post(body).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref postErrors);
                }

                postLatency.Record((long)Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
            }
        }

        var publishing = Task.WhenAll(Enumerable.Range(0, publishers).Select(p => Task.Run(() => Publisher(p))));
        long Delivered() => live.Sum(s => Volatile.Read(ref s.Received));
        var lastProgress = Stopwatch.StartNew();
        var lastCount = -1L;
        double publishSeconds = 0;
        while (true)
        {
            await Task.Delay(publishing.IsCompleted ? 50 : 1000);
            if (publishing.IsCompleted && publishSeconds == 0)
            {
                publishSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            }

            var soFar = Delivered();
            if (soFar != lastCount)
            {
                lastCount = soFar;
                lastProgress.Restart();
            }

            if (!publishing.IsCompleted || lastProgress.ElapsedMilliseconds >= 1000)
            {
                if (lastProgress.ElapsedMilliseconds < 60)
                {
                    Log($"  delivered {soFar:N0}/{expected:N0}, latency p99 so far {latency.Percentile(0.99) / 1000.0:N1} ms");
                }
            }

            if (publishing.IsCompleted && (soFar >= expected || lastProgress.Elapsed > drainTimeout))
            {
                break;
            }
        }

        await publishing;
        var (toolCpu, serverCpu, _) = cpu.Stop();
        var nodeCpuPct = nodeCpu.ToDictionary(kv => kv.Key, kv => kv.Value.Stop().ServerPctOfCore);
        Volatile.Write(ref countNodes, false);
        var clusterAfter = await ClusterStatsAsync(clusterStats);
        var lastDelivery = live.Max(s => s.LastDelivery);
        var window = (lastDelivery > start ? lastDelivery - start : Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
        var statsAfter = await target.StatsAsync();

        var delivered = Delivered();
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
        report.Add("rate_limit", rate, "publish rate limit (msg/s, 0 = none)");
        report.Add("expected", expected, "expected deliveries");
        report.Add("delivered", delivered);
        report.Add("lost", expected - unique);
        report.Add("duplicates", live.Sum(s => s.Duplicates));
        report.Add("out_of_order", live.Sum(s => s.OutOfOrder));
        report.Add("closed_by_server", live.Count(s => s.Closed), "subscribers closed during the run");
        report.Add("post_errors", postErrors, "POSTs not answered 2xx");
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
        report.Add("server_cpu_pct_core", serverCpu, "server CPU (% of one core)");
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

        await Idle.CloseAllAsync(live.Select(s => s.Socket).ToArray(), concurrency);
        report.Print(jsonOut);
        return failures > 0 || unregistered > 0 || expected != unique ? 1 : 0;
    }

    private static byte[] MakePayload(char kind, int publisher, int seq, int size)
    {
        Span<byte> head = stackalloc byte[64];
        var n = 0;
        head[n++] = (byte)kind;
        head[n++] = (byte)' ';
        Utf8Formatter.TryFormat(publisher, head[n..], out var w);
        n += w;
        head[n++] = (byte)' ';
        Utf8Formatter.TryFormat(seq, head[n..], out w);
        n += w;
        head[n++] = (byte)' ';
        Utf8Formatter.TryFormat(Stopwatch.GetTimestamp(), head[n..], out w);
        n += w;
        var body = new byte[Math.Max(size, n)];
        head[..n].CopyTo(body);
        body.AsSpan(n).Fill((byte)'x');
        if (body.Length > n)
        {
            body[n] = (byte)' ';
        }

        return body;
    }

    private static void Log(string line) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");

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

    /// <summary>One subscriber: one pooled buffer, a bitmap of seen messages, per-publisher last sequence.</summary>
    private sealed class Subscriber(ClientWebSocket socket, int messages, int publishers, int perPublisher, Histogram latency, int bufferSize)
    {
        private readonly ulong[] _seen = new ulong[(messages + 63) / 64];
        private readonly int[] _last = Enumerable.Repeat(-1, publishers).ToArray();
        public long Received;
        public long Unique;
        public long Duplicates;
        public long OutOfOrder;
        public long LastDelivery;
        public volatile bool MarkerSeen;
        public volatile bool Measuring;
        public volatile bool Closed;

        public ClientWebSocket Socket => socket;

        public void Start() => _ = Task.Run(ReceiveLoop);

        private async Task ReceiveLoop()
        {
            var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
            try
            {
                while (true)
                {
                    var count = 0;
                    ValueWebSocketReceiveResult r;
                    do
                    {
                        if (count == buffer.Length)
                        {
                            count = 0; // oversize: keep the head, which carries the header
                        }

                        r = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None).ConfigureAwait(false);
                        if (r.MessageType == WebSocketMessageType.Close)
                        {
                            Closed = !Measuring || Volatile.Read(ref Received) < messages;
                            return;
                        }

                        count += r.Count;
                    }
                    while (!r.EndOfMessage);

                    OnMessage(buffer.AsSpan(0, count), Stopwatch.GetTimestamp());
                }
            }
            catch (Exception)
            {
                Closed = true;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private void OnMessage(ReadOnlySpan<byte> m, long now)
        {
            if (m.Length < 2)
            {
                return;
            }

            switch (m[0])
            {
                case (byte)'m':
                    MarkerSeen = true;
                    return;
                case (byte)'d':
                    break;
                default:
                    return;
            }

            m = m[2..];
            if (!Utf8Parser.TryParse(m, out int p, out var used) || m.Length <= used)
            {
                return;
            }

            m = m[(used + 1)..];
            if (!Utf8Parser.TryParse(m, out int k, out used) || m.Length <= used)
            {
                return;
            }

            m = m[(used + 1)..];
            if (!Utf8Parser.TryParse(m, out long sent, out _) || (uint)p >= (uint)publishers || (uint)k >= (uint)perPublisher)
            {
                return;
            }

            Received++;
            LastDelivery = now;
            latency.Record((long)((now - sent) * 1_000_000.0 / Stopwatch.Frequency));
            var g = p * perPublisher + k;
            ref var word = ref _seen[g >> 6];
            var bit = 1UL << (g & 63);
            if ((word & bit) != 0)
            {
                Duplicates++;
                return;
            }

            word |= bit;
            Unique++;
            if (k < _last[p])
            {
                OutOfOrder++;
            }
            else
            {
                _last[p] = k;
            }
        }
    }
}
