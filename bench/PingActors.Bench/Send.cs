using System.Diagnostics;
using System.Text;

namespace PingActors.Bench;

/// <summary>
/// kuiperbelt's push path: S sessions on the proxy, C senders POSTing /send for D seconds, each send to K sessions
/// (K session-header lines), the next K after the last, round the ring. A send is good when answered 200
/// <c>{"result":"OK"}</c> exactly (kuiperbelt answers 200 with per-session errors in the JSON too); each session
/// must then get it. Reports /send rate and round trip, deliveries and send->deliver latency, errors and losses.
/// With <c>--face wsaas</c> the same run goes through the node's WSaaS face instead: the sessions are its
/// WebSockets (each names itself with its own Authorization, which the connect POST carries to the callback app
/// with the node-made id), a send is a <c>PUT /{id}</c> on its control listener (--send-url), 1 session per
/// request, good when answered 200 <c>{"code": "OK"}</c>; everything else is the same.
/// </summary>
internal static class Send
{
    // kuiperbelt's exact answer; a trailing newline is tolerated: this measures speed, not byte-for-byte conformance.
    private static readonly byte[] Ok = """{"result":"OK"}"""u8.ToArray();
    private static readonly byte[] WsaasOk = """{"code": "OK"}"""u8.ToArray();

    public static async Task<int> RunAsync(Options o)
    {
        var wsaas = o.Str("face", "kuiperbelt") switch
        {
            "kuiperbelt" => false,
            "wsaas" => true,
            var f => throw new ArgumentException($"--face {f}: kuiperbelt or wsaas"),
        };
        var sessions = Math.Max(1, o.Int("sessions", 1000));
        var senders = Math.Max(1, o.Int("senders", 8));
        var perSend = Math.Clamp(o.Int("per-send", 1), 1, sessions);
        var duration = TimeSpan.FromSeconds(Math.Max(0.1, o.Double("duration", 10)));
        var warmup = TimeSpan.FromSeconds(Math.Max(0, o.Double("warmup", 2)));
        var size = o.Int("size", 64);
        var drainTimeout = TimeSpan.FromSeconds(o.Double("drain-timeout", 5));
        var settle = TimeSpan.FromSeconds(o.Double("settle", 3));
        var concurrency = Math.Max(1, o.Int("concurrency", 100));
        if (wsaas && perSend != 1)
        {
            throw new ArgumentException("--face wsaas: PUT /{id} names one session, --per-send must be 1");
        }

        if (wsaas && o.StrOrNull("send-url") is null)
        {
            throw new ArgumentException("--face wsaas needs --send-url, the WSaaS control listener (HTTP_PORT)");
        }

        var connectPath = o.Str("connect-path", wsaas ? "/" : "/connect");
        var sendPath = o.Str("send-path", "/send");
        var sessionHeader = o.Str("session-header", CallbackApp.DefaultSessionHeader);
        var jsonOut = o.StrOrNull("json-out");
        using var target = KbTarget.Create(o, sessions + senders);

        // Cluster mode: the sessions on --url's node, the sends through another node's proxy.
        using var sendTarget = o.StrOrNull("send-url") is { } sendUrl ? new Target(o, senders, sendUrl, null, null) : null;
        var sendTo = sendTarget ?? target;
        await using var app = await KbTarget.StartCallbackAsync(o, greeting: !wsaas);
        Program.CheckUnused(o);

        Native.RaiseOpenFileLimit();
        Delivery.Log($"target {target.Label} pid {target.Pid} ({ProcInfo.CommandLine(target.Pid)})");
        Delivery.Log($"{sessions} sessions, {senders} senders x {duration.TotalSeconds:N0} s, {perSend} session(s) per send, {size} B payload");

        // 1. Sessions, each greeted (so its key is known and the proxy has it in its pool). The server's RSS
        // before and after, settled, gives its memory per idle session (the callback app is in this process).
        var rssEmpty = ProcInfo.StatusKb(target.Pid, "VmRSS");
        var latency = new Histogram();
        var all = new KbSession?[sessions];
        var (failures, errors, connectSeconds) = await Delivery.ConnectAllAsync(
            sessions,
            async (i, ct) =>
            {
                // WSaaS tells the client nothing: the app learnt its id from the POST, answered before the 101.
                var authorization = wsaas ? $"Bearer c{i}" : null;
                var s = await KbSession.OpenAsync(target, connectPath, senders, latency, ct, authorization).ConfigureAwait(false);
                if (authorization is not null)
                {
                    s.Name(app.WsaasIdOf(authorization) ?? throw new IOException($"no connect POST seen for {authorization}"));
                }

                all[i] = s;
                return s.Socket;
            },
            (_, _) => { },
            concurrency);
        var greetings = all.Where(s => s is not null).Select(s => s!.Greeted).ToArray();
        await Task.WhenAny(Task.WhenAll(greetings), Task.Delay(TimeSpan.FromSeconds(10)));
        var greetFailures = 0;
        foreach (var g in greetings.Where(g => !g.IsCompletedSuccessfully))
        {
            greetFailures++;
            var key = "greeting: " + (g.Exception?.GetBaseException().Message ?? "none within 10 s");
            errors[key] = errors.GetValueOrDefault(key) + 1;
        }

        var live = all.Where(s => s?.Key is not null).Select(s => s!).ToArray();
        Delivery.Log($"{live.Length} sessions greeted ({connectSeconds:N1} s to connect), {failures} connect failures, {greetFailures} without greeting");
        await Task.Delay(settle);
        var rssIdle = ProcInfo.StatusKb(target.Pid, "VmRSS");
        var rssPerSession = live.Length == 0 ? 0 : (rssIdle - rssEmpty) / (double)live.Length;
        Delivery.Log($"server RSS {rssEmpty / 1024.0:N1} MiB with no session, {rssIdle / 1024.0:N1} MiB with {live.Length} idle: {rssPerSession:N2} KiB per added session");
        if (live.Length < perSend)
        {
            Console.Error.WriteLine($"error: {live.Length} sessions, fewer than {perSend} per send: {string.Join("; ", errors.Keys.Take(2))}");
            return 1;
        }

        // The request head of a send, up to the Content-Length value, is built per send from a line per session.
        // WSaaS names the session in its path: the "line" is the rest of the request line and the headers. Its
        // push is text/plain, a text frame as /send's (a push is binary by default, as WSaaS's; the frame type
        // costs the node the UTF-8 check of a text push, which stays in the measure).
        var host = sendTo.BaseUri.Authority;
        var prefix = wsaas ? "PUT /"u8.ToArray() : Encoding.ASCII.GetBytes($"POST {sendPath} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/plain\r\n");
        var lines = live.Select(s => Encoding.ASCII.GetBytes(
            wsaas ? $"{s.Key} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/plain\r\n" : $"{sessionHeader}: {s.Key}\r\n")).ToArray();
        var suffix = "Content-Length: "u8.ToArray();
        var ok = wsaas ? WsaasOk : Ok;
        var sendLatency = new Histogram();
        long sends = 0, sendErrors = 0, warmupErrors = 0;
        var errorSamples = new Dictionary<string, int>();

        async Task RunSender(int c, char kind, long until, bool measured)
        {
            using var connection = new RawHttpConnection(sendTo, null, keepBody: 256);
            var head = new byte[prefix.Length + perSend * lines.Max(l => l.Length) + suffix.Length];
            var targets = new int[perSend];
            for (long n = 0; Stopwatch.GetTimestamp() < until; n++)
            {
                var first = (int)(((c + n * senders) * perSend) % live.Length);
                prefix.CopyTo(head, 0);
                var length = prefix.Length;
                for (var j = 0; j < perSend; j++)
                {
                    targets[j] = (first + j) % live.Length;
                    lines[targets[j]].CopyTo(head, length);
                    length += lines[targets[j]].Length;
                }

                suffix.CopyTo(head, length);
                length += suffix.Length;
                var body = KbSession.Payload(kind, c, n, size);
                var t0 = Stopwatch.GetTimestamp();
                string? error = null;
                try
                {
                    var (status, _) = await connection.PostAsync(head.AsMemory(0, length), body, Publisher.Timeout, default).ConfigureAwait(false);
                    if (status != 200 || !connection.Body.TrimEnd(" \r\n"u8).SequenceEqual(ok))
                    {
                        error = $"{status} {Encoding.UTF8.GetString(connection.Body).Trim()}";
                    }
                }
                catch (Exception e)
                {
                    error = e.GetBaseException().Message;
                }

                if (!measured)
                {
                    if (error is not null)
                    {
                        Interlocked.Increment(ref warmupErrors);
                    }

                    continue;
                }

                sendLatency.Record((long)Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
                Interlocked.Increment(ref sends);
                if (error is null)
                {
                    foreach (var t in targets)
                    {
                        Interlocked.Increment(ref live[t].Expected);
                    }
                }
                else
                {
                    Interlocked.Increment(ref sendErrors);
                    lock (errorSamples)
                    {
                        errorSamples[error] = errorSamples.GetValueOrDefault(error) + 1;
                    }
                }
            }
        }

        Task RunSenders(char kind, TimeSpan length, bool measured)
        {
            var until = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
            return Task.WhenAll(Enumerable.Range(0, senders).Select(c => Task.Run(() => RunSender(c, kind, until, measured))));
        }

        // 2. Warm-up: the same load, its messages ignored by the sessions.
        if (warmup > TimeSpan.Zero)
        {
            await RunSenders('w', warmup, measured: false);
            Delivery.Log($"warm-up {warmup.TotalSeconds:N0} s done, {warmupErrors} errors");
        }

        // 3. Measured phase, then the drain: until every accepted send arrived, or nothing came for drainTimeout.
        var rssBefore = ProcInfo.StatusKb(target.Pid, "VmRSS");
        var statsBefore = await target.StatsAsync();
        var cpu = new CpuMeter(target.Pid);
        var start = Stopwatch.GetTimestamp();
        var sending = RunSenders('d', duration, measured: true);
        var sentAt = sending.ContinueWith(_ => Stopwatch.GetTimestamp(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        long Received() => live.Sum(s => Volatile.Read(ref s.Received));
        long Expected() => live.Sum(s => Interlocked.Read(ref s.Expected));
        await LiveProgress.RunAsync(
            "sending",
            duration.TotalSeconds,
            () => Math.Min(Stopwatch.GetElapsedTime(start).TotalSeconds, duration.TotalSeconds),
            () => sending.IsCompleted,
            () => $"{Interlocked.Read(ref sends) / Math.Max(0.001, Stopwatch.GetElapsedTime(start).TotalSeconds):N0} sends/s, {Interlocked.Read(ref sendErrors)} errors");
        await sending;
        var sendSeconds = (await sentAt - start) / (double)Stopwatch.Frequency;
        var lastProgress = Stopwatch.StartNew();
        var lastCount = -1L;
        await LiveProgress.RunAsync(
            "delivering",
            Expected(),
            () => Received(),
            () =>
            {
                var soFar = Received();
                if (soFar != lastCount)
                {
                    lastCount = soFar;
                    lastProgress.Restart();
                }

                return soFar >= Expected() || lastProgress.Elapsed > drainTimeout;
            });
        var (toolCpu, serverCpu, cpuSeconds) = cpu.Stop();
        var statsAfter = await target.StatsAsync();
        var lastDelivery = live.Max(s => s.LastDelivery);
        var window = (lastDelivery > start ? lastDelivery - start : Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;

        var expected = Expected();
        var delivered = Received();
        var lost = live.Sum(s => Math.Max(0, s.Expected - s.Received));
        var report = new Report("send");
        report.Add("target", target.Label);
        report.Add("face", wsaas ? "wsaas" : "kuiperbelt", "kuiperbelt: POST /send; wsaas: PUT /{id}");
        report.Add("pid", target.Pid);
        report.Add("sessions", live.Length, "sessions greeted");
        report.Add("connect_failures", failures + greetFailures, "sessions not connected or not greeted");
        report.Add("senders", senders);
        report.Add("per_send", perSend, "sessions per /send");
        report.Add("payload_bytes", size);
        report.Add("sends", sends, "/send requests (measured)");
        report.Add("send_errors", sendErrors, "/send not answered 200 {\"result\":\"OK\"}");
        report.Add("warmup_send_errors", warmupErrors, "warm-up /send errors");
        report.Add("send_seconds", sendSeconds, "send time (s)");
        report.Add("sends_per_sec", sends / sendSeconds, "/send requests/s");
        report.Add("send_p50_ms", sendLatency.Percentile(0.50) / 1000.0, "/send round trip p50 (ms)");
        report.Add("send_p99_ms", sendLatency.Percentile(0.99) / 1000.0, "/send round trip p99 (ms)");
        report.Add("send_max_ms", sendLatency.Max / 1000.0, "/send round trip max (ms)");
        report.Add("expected", expected, "expected deliveries (accepted sends x sessions)");
        report.Add("delivered", delivered);
        report.Add("lost", lost, "accepted for a session, not received after the drain");
        report.Add("out_of_order", live.Sum(s => s.OutOfOrder), "duplicated or reordered (per session and sender)");
        report.Add("misparsed", live.Sum(s => Interlocked.Read(ref s.Misparsed)), "unparsable messages");
        report.Add("closed_by_server", live.Count(s => s.Closed), "sessions closed during the run");
        report.Add("delivery_seconds", window, "first send -> last delivery (s)");
        report.Add("delivered_per_sec", delivered / Math.Max(window, 1e-9), "deliveries/s");
        report.Add("latency_p50_ms", latency.Percentile(0.50) / 1000.0, "send->deliver p50 (ms)");
        report.Add("latency_p90_ms", latency.Percentile(0.90) / 1000.0, "send->deliver p90 (ms)");
        report.Add("latency_p99_ms", latency.Percentile(0.99) / 1000.0, "send->deliver p99 (ms)");
        report.Add("latency_max_ms", latency.Max / 1000.0, "send->deliver max (ms)");
        report.Add("tool_cpu_pct_core", toolCpu, "tool CPU, callback app included (% of one core)");
        report.Add("server_cpu_pct_core", serverCpu, "server CPU (% of one core)");

        // Per /send, over the measured phase and its drain: on a shared 2-core box the rate depends on what else
        // runs, the CPU each send costs the server much less.
        report.Add("server_cpu_us_per_send", serverCpu / 100 * cpuSeconds * 1e6 / Math.Max(1, sends), "server CPU per /send (us)");
        report.Add("tool_cpu_us_per_send", toolCpu / 100 * cpuSeconds * 1e6 / Math.Max(1, sends), "tool CPU per /send (us, deliveries included)");
        report.Add("cores", Environment.ProcessorCount);
        report.Add("server_rss_per_idle_session_kib", Math.Round(rssPerSession, 2), "server RSS added per idle session, settled (KiB)");
        report.Add("server_rss_before_kib", rssBefore, "server RSS before measuring (KiB)");
        report.Add("server_rss_after_kib", ProcInfo.StatusKb(target.Pid, "VmRSS"), "server RSS after (KiB)");
        if (statsBefore is { } sb && statsAfter is { } sa && sb.TryGetProperty("total_messages", out var mb) && sa.TryGetProperty("total_messages", out var ma))
        {
            report.Add("server_total_messages", ma.GetInt64() - mb.GetInt64(), "server-counted messages (kuiperbelt /stats)");
        }

        var allErrors = errors.Concat(errorSamples).OrderByDescending(kv => kv.Value).Take(3);
        report.Add("errors", string.Join("; ", allErrors.Select(kv => $"{kv.Value}x {kv.Key}")));
        report.Add("load_average", File.ReadAllText("/proc/loadavg").Trim(), "load average (1/5/15 min) at the end");

        await RawWebSocket.CloseAllAsync(live.Select(s => s.Socket).ToArray(), concurrency);
        report.Print(jsonOut);
        return failures + greetFailures > 0 || lost > 0 || sendErrors > 0 ? 1 : 0;
    }
}
