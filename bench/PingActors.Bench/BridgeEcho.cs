using System.Buffers.Binary;
using System.Diagnostics;

namespace PingActors.Bench;

/// <summary>
/// A socket bridge (websocksy, websockify, PingActors' bridge) under an echo load: the tool is the bridge's TCP
/// backend (<see cref="EchoPeer"/>) and its WebSocket clients; each of N connections sends a message, waits for
/// its bytes to come back, and again, for D seconds after a warm-up, optionally paced to R round trips/s in
/// all. With --tcp the clients go straight to the echo peer: the plain TCP figure the bridge is held against.
/// </summary>
internal static class BridgeEcho
{
    public static async Task<int> RunAsync(Options o)
    {
        var tcp = o.Int("tcp", 0) != 0;
        var connections = Math.Max(1, o.Int("connections", 1));
        var size = Math.Max(1, o.Int("size", 1024));
        var frameMax = Math.Max(0, o.Int("frame-max", 0));
        var duration = TimeSpan.FromSeconds(Math.Max(0.1, o.Double("duration", 10)));
        var warmup = TimeSpan.FromSeconds(Math.Max(0, o.Double("warmup", 2)));
        var rate = Math.Max(0, o.Double("rate", 0));
        var timeout = TimeSpan.FromSeconds(Math.Max(0.1, o.Double("timeout", 10)));
        var echoPort = o.Int("echo-port", 0);
        var jsonOut = o.StrOrNull("json-out");
        var url = tcp ? null : new Uri(o.Str("url", "ws://127.0.0.1:8001/"));
        if (url is not null && (url.Scheme != "ws" || !ProcInfo.IsLoopback(url)))
        {
            throw new ArgumentException($"--url must be a ws:// URL on a loopback address, not {url}");
        }

        var pid = 0;
        if (url is not null)
        {
            pid = o.Int("pid", 0);
            pid = pid > 0 ? pid : ProcInfo.FindListener(url.Port) ?? throw new ArgumentException($"no process listens on port {url.Port} (or it is not visible): pass --pid");
            if (!ProcInfo.Alive(pid))
            {
                throw new ArgumentException($"process {pid} does not exist");
            }
        }

        var label = o.Str("label", tcp ? "tcp" : url!.ToString());
        Program.CheckUnused(o);
        Native.RaiseOpenFileLimit();

        await using var echo = EchoPeer.Start(echoPort);
        Delivery.Log(tcp
            ? $"plain TCP: {connections} connection(s) straight to the echo peer on 127.0.0.1:{echo.Port}"
            : $"target {label} pid {pid} ({ProcInfo.CommandLine(pid)}); echo peer on 127.0.0.1:{echo.Port}");
        Delivery.Log($"{connections} connection(s) x {size} B{(frameMax > 0 && frameMax < size ? $" in binary messages of <= {frameMax} B" : "")}, " +
            $"{(rate > 0 ? $"{rate:N0} round trips/s in all" : "unpaced")}, {warmup.TotalSeconds:N0} s warm-up + {duration.TotalSeconds:N0} s");

        async Task<IEchoClient> ConnectAsync(CancellationToken ct) => tcp
            ? await TcpEchoClient.ConnectAsync(echo.Port, size, ct).ConfigureAwait(false)
            : await WsEchoClient.ConnectAsync(url!, size, frameMax, ct).ConfigureAwait(false);

        // All connections are up before the clock starts; one that fails is retried in its loop.
        var clients = new IEchoClient?[connections];
        var connectErrors = 0;
        var errors = new Dictionary<string, int>();
        void CountError(Exception e)
        {
            var key = e.GetBaseException().Message;
            lock (errors)
            {
                errors[key] = errors.GetValueOrDefault(key) + 1;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, connections).Select(async i =>
        {
            try
            {
                using var cts = new CancellationTokenSource(timeout);
                clients[i] = await ConnectAsync(cts.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref connectErrors);
                CountError(e);
            }
        }));
        Delivery.Log($"{connections - connectErrors} connected, {connectErrors} failed; the echo peer has {echo.Accepted} connection(s)");

        var latency = new Histogram();
        var fromDue = new Histogram();
        long roundTrips = 0, rtErrors = 0, reconnects = 0;
        var freq = Stopwatch.Frequency;
        var measureStart = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * freq);
        var end = measureStart + (long)(duration.TotalSeconds * freq);
        var inFlightSince = new long[connections];

        async Task Connection(int i)
        {
            var pacer = new Pacer(rate, connections, i);
            var message = new byte[size];
            Random.Shared.NextBytes(message);
            ulong seq = 0;
            while (Stopwatch.GetTimestamp() < end)
            {
                try
                {
                    if (clients[i] is not { } client)
                    {
                        Interlocked.Increment(ref reconnects);
                        using var cts = new CancellationTokenSource(timeout);
                        clients[i] = client = await ConnectAsync(cts.Token).ConfigureAwait(false);
                    }

                    await pacer.WaitTurnAsync().ConfigureAwait(false);
                    var t0 = Stopwatch.GetTimestamp();
                    if (t0 >= end)
                    {
                        break;
                    }

                    if (size >= 8)
                    {
                        BinaryPrimitives.WriteUInt64LittleEndian(message, ++seq);
                    }

                    // Paced, a round trip also counts from when it was due, so that a late one's wait is latency
                    // too (no coordinated omission). That figure carries the tool's timer lateness as well (Task.Delay
                    // wakes ~1 ms late, and the turns missed meanwhile go out back to back), which dominates when
                    // one connection is paced above ~1000/s: hence both.
                    var due = pacer.LastDue > 0 ? Math.Min(pacer.LastDue, t0) : t0;
                    Volatile.Write(ref inFlightSince[i], t0);
                    var t1 = await client.RoundTripAsync(message).ConfigureAwait(false);
                    Volatile.Write(ref inFlightSince[i], 0);
                    if (due >= measureStart && t1 <= end)
                    {
                        latency.Record((t1 - t0) * 1_000_000 / freq);
                        fromDue.Record((t1 - due) * 1_000_000 / freq);
                        Interlocked.Increment(ref roundTrips);
                    }
                }
                catch (Exception e)
                {
                    Volatile.Write(ref inFlightSince[i], 0);
                    if (Stopwatch.GetTimestamp() >= measureStart)
                    {
                        Interlocked.Increment(ref rtErrors);
                    }

                    CountError(e);
                    clients[i]?.Abort();
                    clients[i] = null;
                    await Task.Delay(100).ConfigureAwait(false); // a dead bridge is not hammered
                }
            }
        }

        // One timer for every connection's timeout, rather than a timer per round trip.
        using var stopWatchdog = new CancellationTokenSource();
        var watchdog = Task.Run(async () =>
        {
            var limit = (long)(timeout.TotalSeconds * freq);
            while (!stopWatchdog.IsCancellationRequested)
            {
                await Task.Delay(200).ConfigureAwait(false);
                var now = Stopwatch.GetTimestamp();
                for (var i = 0; i < connections; i++)
                {
                    var since = Volatile.Read(ref inFlightSince[i]);
                    if (since > 0 && now - since > limit)
                    {
                        clients[i]?.Abort();
                    }
                }
            }
        });

        var running = Task.WhenAll(Enumerable.Range(0, connections).Select(i => Task.Run(() => Connection(i))));
        var loadStart = File.ReadAllText("/proc/loadavg").Trim();
        await Task.Delay(TimeSpan.FromTicks(Math.Max(0, (measureStart - Stopwatch.GetTimestamp()) * TimeSpan.TicksPerSecond / freq)));
        Delivery.Log($"warm-up {warmup.TotalSeconds:N0} s done");
        var cpu = new CpuMeter(tcp ? Environment.ProcessId : pid);
        long? rssBefore = tcp ? null : ProcInfo.StatusKb(pid, "VmRSS");
        await LiveProgress.RunAsync(
            "echoing",
            duration.TotalSeconds,
            () => Math.Clamp((Stopwatch.GetTimestamp() - measureStart) / (double)freq, 0, duration.TotalSeconds),
            () => Stopwatch.GetTimestamp() >= end,
            () => $"{Interlocked.Read(ref roundTrips) / Math.Max(0.001, (Stopwatch.GetTimestamp() - measureStart) / (double)freq):N0} round trips/s, {Interlocked.Read(ref rtErrors)} errors");
        var (toolCpu, serverCpu, cpuSeconds) = cpu.Stop();
        long? rssAfter = tcp ? null : ProcInfo.StatusKb(pid, "VmRSS");

        // Round trips still out at the end finish (or time out) before the connections close.
        await running;
        await stopWatchdog.CancelAsync();
        await watchdog;
        var excess = clients.Sum(c => c?.ExcessBytes ?? 0);
        var corrupt = clients.Sum(c => c?.Corrupt ?? 0);
        await Task.WhenAll(clients.Where(c => c is not null).Select(c => c!.CloseAsync()));

        var seconds = duration.TotalSeconds;
        var perRt = cpuSeconds * 1e6 / Math.Max(1, roundTrips) / 100;
        var report = new Report("bridge-echo");
        report.Add("target", label);
        report.Add("mode", tcp ? "tcp" : "websocket", "clients speak");
        report.Add("url", url?.ToString() ?? $"tcp://127.0.0.1:{echo.Port}");
        report.Add("pid", tcp ? null : pid);
        report.Add("connections", connections);
        report.Add("size", size, "message size (B)");
        report.Add("frame_max", frameMax, "largest binary message sent (B, 0 = whole)");
        report.Add("rate_target", rate, "round trips/s asked (0 = unpaced)");
        report.Add("echo_port", echo.Port);
        report.Add("echo_connections", echo.Accepted, "connections the echo peer accepted");
        report.Add("seconds", seconds, "measured time (s)");
        report.Add("round_trips", roundTrips, "round trips (measured)");
        report.Add("round_trips_per_sec", roundTrips / seconds, "round trips/s");
        report.Add("mb_per_sec", roundTrips * 2.0 * size / seconds / 1e6, "MB/s, both directions");
        report.Add("rtt_p50_ms", latency.Percentile(0.50) / 1000.0, "round trip p50 (ms)");
        report.Add("rtt_p90_ms", latency.Percentile(0.90) / 1000.0, "round trip p90 (ms)");
        report.Add("rtt_p99_ms", latency.Percentile(0.99) / 1000.0, "round trip p99 (ms)");
        report.Add("rtt_max_ms", latency.Max / 1000.0, "round trip max (ms)");
        report.Add("rtt_mean_ms", latency.Mean / 1000.0, "round trip mean (ms)");
        var paced = rate > 0;
        report.Add("due_p50_ms", paced ? fromDue.Percentile(0.50) / 1000.0 : null, "paced: from when due, p50 (ms)");
        report.Add("due_p90_ms", paced ? fromDue.Percentile(0.90) / 1000.0 : null, "paced: from when due, p90 (ms)");
        report.Add("due_p99_ms", paced ? fromDue.Percentile(0.99) / 1000.0 : null, "paced: from when due, p99 (ms)");
        report.Add("due_max_ms", paced ? fromDue.Max / 1000.0 : null, "paced: from when due, max (ms)");
        report.Add("errors", rtErrors, "failed round trips (measured)");
        report.Add("connect_errors", connectErrors, "connections that failed at the start");
        report.Add("reconnects", reconnects, "connections opened again after an error");
        report.Add("corrupt", corrupt, "echoes that did not start with the message's sequence number");
        report.Add("excess_bytes", excess, "bytes echoed beyond the messages sent");
        report.Add("server_cpu_pct_core", tcp ? null : serverCpu, "server CPU (% of one core)");
        report.Add("server_cpu_us_per_rt", tcp ? null : serverCpu * perRt, "server CPU per round trip (us)");
        report.Add("tool_cpu_pct_core", toolCpu, "tool CPU, clients and echo peer (% of one core)");
        report.Add("tool_cpu_us_per_rt", toolCpu * perRt, "tool CPU per round trip (us)");
        report.Add("server_rss_before_kib", rssBefore, "server RSS before measuring (KiB)");
        report.Add("server_rss_after_kib", rssAfter, "server RSS after (KiB)");
        report.Add("cores", Environment.ProcessorCount);
        report.Add("error_sample", string.Join("; ", errors.OrderByDescending(kv => kv.Value).Take(3).Select(kv => $"{kv.Value}x {kv.Key}")));
        report.Add("load_average_start", loadStart, "load average (1/5/15 min) at the start");
        report.Add("load_average", File.ReadAllText("/proc/loadavg").Trim(), "load average at the end");
        report.Print(jsonOut);
        return rtErrors > 0 || connectErrors > 0 || corrupt > 0 || excess > 0 || roundTrips == 0 ? 1 : 0;
    }
}
