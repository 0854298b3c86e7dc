using System.Diagnostics;

namespace PingActors.Bench;

/// <summary>
/// kuiperbelt's session set-up: N connectors each open a session on the proxy's connect path (connect callback,
/// upgrade, establish callback, greeting), wait for the greeting (or only the 101 with <c>--greeting 0</c>), close
/// it with a close frame, and start again, for D seconds. Reports connects/s, connect latency and failures.
/// </summary>
internal static class ProxyConnect
{
    public static async Task<int> RunAsync(Options o)
    {
        var connectors = Math.Max(1, o.Int("connectors", 16));
        var duration = TimeSpan.FromSeconds(Math.Max(0.1, o.Double("duration", 10)));
        var warmup = TimeSpan.FromSeconds(Math.Max(0, o.Double("warmup", 1)));
        var greeting = o.Int("greeting", 1) != 0;
        var timeout = TimeSpan.FromSeconds(o.Double("timeout", 10));
        var connectPath = o.Str("connect-path", "/connect");
        var jsonOut = o.StrOrNull("json-out");

        // Every session leaves a socket in TIME_WAIT: plan source addresses for a few thousand connects a second.
        using var target = KbTarget.Create(o, (int)((duration + warmup).TotalSeconds * 5000));
        await using var app = await KbTarget.StartCallbackAsync(o, greeting);
        Program.CheckUnused(o);

        Native.RaiseOpenFileLimit();
        Delivery.Log($"target {target.Label} pid {target.Pid} ({ProcInfo.CommandLine(target.Pid)})");
        Delivery.Log($"{connectors} connectors x {duration.TotalSeconds:N0} s, waiting for the {(greeting ? "greeting" : "101")}; {target.SourceAddresses} source address(es)");

        var latency = new Histogram();
        long connects = 0, failures = 0;
        var errors = new Dictionary<string, int>();

        async Task Connector(long until, bool measured)
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                var t0 = Stopwatch.GetTimestamp();
                KbSession? session = null;
                try
                {
                    using var cts = new CancellationTokenSource(timeout);
                    session = await KbSession.OpenAsync(target, connectPath, 1, null, cts.Token).ConfigureAwait(false);
                    if (greeting)
                    {
                        await session.Greeted.WaitAsync(timeout).ConfigureAwait(false);
                    }

                    if (measured)
                    {
                        latency.Record((long)Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
                        Interlocked.Increment(ref connects);
                    }
                }
                catch (Exception e)
                {
                    if (measured)
                    {
                        Interlocked.Increment(ref failures);
                        var key = e.GetBaseException().Message;
                        lock (errors)
                        {
                            errors[key] = errors.GetValueOrDefault(key) + 1;
                        }
                    }
                }

                if (session is not null)
                {
                    await session.Socket.CloseAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                }
            }
        }

        Task Run(TimeSpan length, bool measured)
        {
            var until = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
            return Task.WhenAll(Enumerable.Range(0, connectors).Select(_ => Task.Run(() => Connector(until, measured))));
        }

        if (warmup > TimeSpan.Zero)
        {
            await Run(warmup, measured: false);
            Delivery.Log($"warm-up {warmup.TotalSeconds:N0} s done");
        }

        var callbacks0 = (app.Connects, app.Establishes, app.Closes);
        var rssBefore = ProcInfo.StatusKb(target.Pid, "VmRSS");
        var cpu = new CpuMeter(target.Pid);
        var start = Stopwatch.GetTimestamp();
        var running = Run(duration, measured: true);
        await LiveProgress.RunAsync(
            "connecting",
            duration.TotalSeconds,
            () => Math.Min(Stopwatch.GetElapsedTime(start).TotalSeconds, duration.TotalSeconds),
            () => running.IsCompleted,
            () => $"{Interlocked.Read(ref connects) / Math.Max(0.001, Stopwatch.GetElapsedTime(start).TotalSeconds):N0} connects/s, {Interlocked.Read(ref failures)} failed");
        await running;
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var (toolCpu, serverCpu, cpuSeconds) = cpu.Stop();

        // Close callbacks trail the closes: give them a moment before counting.
        await Task.Delay(500);
        var report = new Report("proxy-connect");
        report.Add("target", target.Label);
        report.Add("pid", target.Pid);
        report.Add("connectors", connectors);
        report.Add("wait_for", greeting ? "greeting" : "101", "a connect ends at");
        report.Add("seconds", seconds, "measured time (s)");
        report.Add("connects", connects, "sessions opened (measured)");
        report.Add("failures", failures);
        report.Add("connects_per_sec", connects / seconds, "connects/s");
        report.Add("connect_p50_ms", latency.Percentile(0.50) / 1000.0, "connect p50 (ms)");
        report.Add("connect_p99_ms", latency.Percentile(0.99) / 1000.0, "connect p99 (ms)");
        report.Add("connect_max_ms", latency.Max / 1000.0, "connect max (ms)");
        report.Add("connect_callbacks", app.Connects - callbacks0.Connects, "connect callbacks received (measured phase on)");
        report.Add("establish_callbacks", app.Establishes - callbacks0.Establishes, "establish callbacks received");
        report.Add("close_callbacks", app.Closes - callbacks0.Closes, "close callbacks received");
        report.Add("tool_cpu_pct_core", toolCpu, "tool CPU, callback app included (% of one core)");
        report.Add("server_cpu_pct_core", serverCpu, "server CPU (% of one core)");

        // The tool (clients and callback app) costs more per session than the proxy does: on 2 cores the two
        // share the machine, and connects/s is the machine's figure; the proxy's CPU per session is its own.
        report.Add("server_cpu_us_per_connect", serverCpu / 100 * cpuSeconds * 1e6 / Math.Max(1, connects), "server CPU per session opened and closed (us)");
        report.Add("tool_cpu_us_per_connect", toolCpu / 100 * cpuSeconds * 1e6 / Math.Max(1, connects), "tool CPU per session (us, callbacks included)");
        report.Add("cores", Environment.ProcessorCount);
        report.Add("server_rss_before_kib", rssBefore, "server RSS before measuring (KiB)");
        report.Add("server_rss_after_kib", ProcInfo.StatusKb(target.Pid, "VmRSS"), "server RSS after (KiB)");
        report.Add("errors", string.Join("; ", errors.OrderByDescending(kv => kv.Value).Take(3).Select(kv => $"{kv.Value}x {kv.Key}")));
        report.Add("load_average", File.ReadAllText("/proc/loadavg").Trim(), "load average (1/5/15 min) at the end");
        report.Print(jsonOut);
        return failures > 0 ? 1 : 0;
    }
}
