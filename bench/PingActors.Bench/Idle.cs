using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;

namespace PingActors.Bench;

/// <summary>N idle connections over C channels: server RSS per connection, connect rate, failures.</summary>
internal static class Idle
{
    public static async Task<int> RunAsync(Options o)
    {
        var n = o.Int("connections", 10_000);
        var channels = Math.Max(1, o.Int("channels", 100));
        var warmup = Math.Clamp(o.Int("warmup", 200), 1, n);
        var settle = o.Double("settle", 30);
        var hold = o.Double("hold", 0);
        var concurrency = Math.Max(1, o.Int("concurrency", 100));
        var deflate = o.Int("deflate", 0) != 0;
        var jsonOut = o.StrOrNull("json-out");
        using var target = new Target(o, n);
        Program.CheckUnused(o);

        var (soft, hard) = Native.RaiseOpenFileLimit();
        Delivery.Log($"target {target.Label} pid {target.Pid} ({ProcInfo.CommandLine(target.Pid)})");
        Delivery.Log($"open-file limit {soft}/{hard}; {target.SourceAddresses} source address(es); {n} connections over {channels} channels");

        var sockets = new ClientWebSocket?[n];
        var closedEarly = 0;
        var failures = 0;
        var errors = new Dictionary<string, int>();
        using var cts = new CancellationTokenSource();
        var closing = false;

        async Task OpenRange(int from, int to)
        {
            var next = from - 1;
            var progress = Stopwatch.StartNew();
            async Task Worker()
            {
                while (true)
                {
                    var i = Interlocked.Increment(ref next);
                    if (i >= to)
                    {
                        return;
                    }

                    try
                    {
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
                        timeout.CancelAfter(TimeSpan.FromSeconds(30));
                        var ws = await target.OpenAsync($"idle-{i % channels}", timeout.Token, deflate).ConfigureAwait(false);
                        sockets[i] = ws;
                        _ = WatchAsync(ws);
                    }
                    catch (Exception e)
                    {
                        Interlocked.Increment(ref failures);
                        var key = e.GetBaseException().Message;
                        lock (errors)
                        {
                            errors[key] = errors.GetValueOrDefault(key) + 1;
                        }
                    }
                }
            }

            var all = Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker)));
            int Opened() => Math.Min(Volatile.Read(ref next), to) - from;
            await LiveProgress.RunAsync(
                "opening",
                to - from,
                () => Opened(),
                () => all.IsCompleted,
                () => $"{Opened() / Math.Max(0.001, progress.Elapsed.TotalSeconds):N0}/s, {Volatile.Read(ref failures)} failed");
            await all;
        }

        // The receive side of an idle socket: one zero-byte read at a time, so it holds no buffer. Control
        // frames (the server's pings) are handled inside ReceiveAsync.
        async Task WatchAsync(ClientWebSocket ws)
        {
            try
            {
                while (true)
                {
                    var r = await ws.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    if (!r.EndOfMessage)
                    {
                        var buffer = ArrayPool<byte>.Shared.Rent(4096);
                        try
                        {
                            while (!(await ws.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false)).EndOfMessage)
                            {
                            }
                        }
                        finally
                        {
                            ArrayPool<byte>.Shared.Return(buffer);
                        }
                    }
                }
            }
            catch (Exception)
            {
            }

            if (!Volatile.Read(ref closing))
            {
                Interlocked.Increment(ref closedEarly);
            }
        }

        var report = new Report("idle");
        report.Add("target", target.Label);
        report.Add("pid", target.Pid);
        report.Add("deflate", deflate, "clients offered permessage-deflate");
        report.Add("connections", n);
        report.Add("channels", channels);
        report.Add("warmup", warmup);

        // 1. Warm-up connections, then the baseline once RSS is stable.
        Delivery.Log($"warm-up: {warmup} connections");
        await OpenRange(0, warmup);
        if (failures == warmup)
        {
            Console.Error.WriteLine($"error: none of the {warmup} warm-up connections opened: {string.Join("; ", errors.Keys.Take(2))}");
            return 1;
        }

        var (rss0, waited0) = await SettleAsync(target.Pid, settle);
        var openAtBaseline = sockets.Count(s => s is not null) - Volatile.Read(ref closedEarly);
        Delivery.Log($"baseline RSS {rss0 / 1024.0:N1} MiB (settled after {waited0:N0} s)");

        // 2. The rest, timed.
        var load = Stopwatch.StartNew();
        var cpu = new CpuMeter(target.Pid);
        await OpenRange(warmup, n);
        var openSeconds = load.Elapsed.TotalSeconds;
        var (toolCpu, serverCpu, _) = cpu.Stop();
        var rssPeakOpen = ProcInfo.StatusKb(target.Pid, "VmRSS");
        var opened = sockets.Count(s => s is not null);
        Delivery.Log($"opened {opened:N0} in {openSeconds:N1} s; failures {failures}");

        // 3. RSS at N, once stable.
        var (rssN, waitedN) = await SettleAsync(target.Pid, settle);
        var openNow = opened - Volatile.Read(ref closedEarly);
        var perConn = openNow > openAtBaseline ? (rssN - rss0) * 1024.0 / (openNow - openAtBaseline) : double.NaN;
        var stats = await target.StatsAsync();
        Delivery.Log($"RSS at {openNow:N0}: {rssN / 1024.0:N1} MiB -> {perConn / 1024:N2} KiB per connection");

        if (hold > 0)
        {
            Delivery.Log($"holding for {hold} s");
            await Task.Delay(TimeSpan.FromSeconds(hold));
        }

        var rssHeld = ProcInfo.StatusKb(target.Pid, "VmRSS");
        var stillOpen = opened - Volatile.Read(ref closedEarly);

        report.Add("opened", opened);
        report.Add("failures", failures);
        report.Add("closed_by_server", Volatile.Read(ref closedEarly));
        report.Add("source_addresses", target.SourceAddresses);
        report.Add("connect_seconds", openSeconds, "connect time for the non-warm-up connections (s)");
        report.Add("connects_per_sec", (opened - openAtBaseline) / openSeconds, "connections/s while opening");
        report.Add("server_cpu_pct_core_while_opening", serverCpu, "server CPU while opening (% of one core)");
        report.Add("tool_cpu_pct_core_while_opening", toolCpu, "tool CPU while opening (% of one core)");
        report.Add("rss_baseline_kib", rss0, $"server RSS after {warmup} warm-up connections (KiB)");
        report.Add("rss_peak_opening_kib", rssPeakOpen, "server RSS right after opening (KiB)");
        report.Add("rss_at_n_kib", rssN, "server RSS at N, settled (KiB)");
        report.Add("rss_settle_seconds", waitedN, "settle wait at N (s)");
        report.Add("rss_per_connection_kib", Math.Round(perConn / 1024, 2), "server RSS per connection (KiB)");
        report.Add("rss_total_per_connection_kib", Math.Round(rssN / (double)openNow, 2), "server RSS / connections incl. runtime (KiB)");
        report.Add("server_hwm_kib", ProcInfo.StatusKb(target.Pid, "VmHWM"), "server peak RSS (KiB)");
        report.Add("server_threads", ProcInfo.Threads(target.Pid), "server threads");
        if (hold > 0)
        {
            report.Add("rss_after_hold_kib", rssHeld, $"server RSS after holding {hold} s (KiB)");
            report.Add("open_after_hold", stillOpen);
        }

        report.Add("tool_rss_kib", ProcInfo.StatusKb(Environment.ProcessId, "VmRSS"), "tool RSS (KiB)");
        if (stats is { } st && st.TryGetProperty("connections", out var c))
        {
            report.Add("server_reported_connections", c.GetInt64(), "connections reported by the server");
        }

        report.Add("errors", errors.Count == 0 ? "" : string.Join("; ", errors.Take(3).Select(kv => $"{kv.Value}x {kv.Key}")));

        // 4. Close everything (bounded), then see what the server gives back.
        Delivery.Log("closing");
        Volatile.Write(ref closing, true);
        await CloseAllAsync(sockets, concurrency);
        await Task.Delay(3000);
        report.Add("rss_after_close_kib", ProcInfo.StatusKb(target.Pid, "VmRSS"), "server RSS 3 s after closing all (KiB)");
        report.Add("load_average", File.ReadAllText("/proc/loadavg").Trim(), "load average (1/5/15 min) at the end");
        report.Print(jsonOut);
        return failures > 0 ? 1 : 0;
    }

    /// <summary>Waits until VmRSS moves less than 0.5 % (and 512 KiB) over 3 consecutive 1 s samples, at most maxSeconds.</summary>
    public static async Task<(long RssKb, double Waited)> SettleAsync(int pid, double maxSeconds)
    {
        var sw = Stopwatch.StartNew();
        var prev = ProcInfo.StatusKb(pid, "VmRSS");
        var stable = 0;
        while (sw.Elapsed.TotalSeconds < maxSeconds && stable < 3)
        {
            await Task.Delay(1000);
            var now = ProcInfo.StatusKb(pid, "VmRSS");
            stable = Math.Abs(now - prev) <= Math.Max(512, prev / 200) ? stable + 1 : 0;
            prev = now;
        }

        return (prev, sw.Elapsed.TotalSeconds);
    }

    public static async Task CloseAllAsync(IReadOnlyList<ClientWebSocket?> sockets, int concurrency)
    {
        var next = -1;
        var deadline = Stopwatch.StartNew();
        async Task Worker()
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= sockets.Count)
                {
                    return;
                }

                var ws = sockets[i];
                if (ws is null)
                {
                    continue;
                }

                try
                {
                    if (deadline.Elapsed < TimeSpan.FromSeconds(20) && ws.State == WebSocketState.Open)
                    {
                        using var t = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bench done", t.Token).ConfigureAwait(false);
                    }
                }
                catch (Exception)
                {
                }
                finally
                {
                    ws.Abort();
                    ws.Dispose();
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker)));
    }

}
