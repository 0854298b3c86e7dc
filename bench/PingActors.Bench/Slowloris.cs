using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace PingActors.Bench;

/// <summary>
/// Slow clients against ordinary ones: A connections from one attacker address send a request's headers a
/// byte at a time and reconnect whenever the server closes them, while ordinary clients, from another address,
/// subscribe to a fresh channel, publish to it with a POST and wait for the message, R times a second. Reports
/// the share of ordinary rounds that succeeded within the timeout, their latency, and how the attackers fared.
/// </summary>
internal static class Slowloris
{
    public static async Task<int> RunAsync(Options o)
    {
        var attackers = Math.Max(1, o.Int("attackers", 2000));
        var attackerAddress = IPAddress.Parse(o.Str("attacker-address", "127.0.0.2"));
        var clientAddress = IPAddress.Parse(o.Str("client-address", "127.0.0.1"));
        var duration = TimeSpan.FromSeconds(o.Double("duration", 30));
        var rate = Math.Max(1, o.Double("rate", 20));
        var trickle = TimeSpan.FromMilliseconds(o.Double("trickle-ms", 1000));
        var timeout = TimeSpan.FromSeconds(o.Double("timeout", 5));
        var jsonOut = o.StrOrNull("json-out");
        using var target = new Target(o, attackers + 100);
        Program.CheckUnused(o);
        if (!IPAddress.IsLoopback(attackerAddress) || !IPAddress.IsLoopback(clientAddress))
        {
            throw new ArgumentException("--attacker-address and --client-address must be loopback addresses");
        }

        Native.RaiseOpenFileLimit();
        var hub = new IPEndPoint(IPAddress.Parse(target.BaseUri.Host), target.BaseUri.Port);
        Delivery.Log($"target {target.Label} pid {target.Pid}: {attackers} slow clients from {attackerAddress} (a header byte every {trickle.TotalMilliseconds} ms, reconnecting when closed), ordinary rounds from {clientAddress} at {rate}/s for {duration.TotalSeconds} s");

        using var stop = new CancellationTokenSource();
        var attack = new AttackCounts();
        var attackTasks = Enumerable.Range(0, attackers).Select(_ => AttackAsync(hub, attackerAddress, trickle, attack, stop.Token)).ToList();

        // Let the attack take hold before measuring.
        await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, duration.TotalSeconds / 3)));
        var cpu = new CpuMeter(target.Pid);
        var latency = new Histogram();
        var ok = 0;
        var failed = 0;
        var errors = new Dictionary<string, int>();
        var rounds = new List<Task>();
        using var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = (ctx, ct) => ConnectFromAsync(clientAddress, hub, ct) }) { Timeout = timeout };
        var clock = Stopwatch.StartNew();
        var started = 0;
        while (clock.Elapsed < duration)
        {
            var round = started++;
            rounds.Add(Task.Run(async () =>
            {
                var outcome = await RoundAsync(target, hub, clientAddress, http, $"slowloris-{round}", timeout);
                lock (errors)
                {
                    if (outcome.Error is null)
                    {
                        ok++;
                        latency.Record((long)(outcome.Elapsed.TotalMilliseconds * 1000));
                    }
                    else
                    {
                        failed++;
                        errors[outcome.Error] = errors.GetValueOrDefault(outcome.Error) + 1;
                    }
                }
            }));
            var due = TimeSpan.FromSeconds(started / rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }
        }

        await Task.WhenAll(rounds);
        var (toolPct, serverPct, _) = cpu.Stop();
        await stop.CancelAsync();
        await Task.WhenAll(attackTasks);

        var report = new Report("slowloris");
        report.Add("target", target.Label);
        report.Add("attackers", attackers);
        report.Add("rounds", ok + failed);
        report.Add("ok", ok);
        report.Add("failed", failed);
        report.Add("ok_pct", Math.Round(100.0 * ok / Math.Max(1, ok + failed), 2), "ordinary rounds that succeeded (%)");
        report.Add("round_p50_ms", latency.Percentile(0.50) / 1000.0, "subscribe + POST + delivery, p50 (ms)");
        report.Add("round_p99_ms", latency.Percentile(0.99) / 1000.0, "subscribe + POST + delivery, p99 (ms)");
        report.Add("attacker_connects", attack.Connects, "connections the slow clients opened");
        report.Add("attacker_closed_by_server", attack.ClosedByServer, "of them closed by the server");
        report.Add("attacker_refused", attack.Refused, "connect attempts that failed");
        report.Add("server_cpu_pct_core", Math.Round(serverPct, 1));
        report.Add("tool_cpu_pct_core", Math.Round(toolPct, 1));
        report.Add("errors", string.Join("; ", errors.OrderByDescending(e => e.Value).Take(3).Select(e => $"{e.Value}x {e.Key}")));
        report.Print(jsonOut);
        return 0;
    }

    // Subscribes, publishes with a POST, and waits for the message on the subscription.
    private static async Task<(TimeSpan Elapsed, string? Error)> RoundAsync(Target target, IPEndPoint hub, IPAddress from, HttpClient http, string channel, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            using var ws = new ClientWebSocket();
            using var invoker = new HttpMessageInvoker(new SocketsHttpHandler { ConnectCallback = (ctx, ct) => ConnectFromAsync(from, hub, ct) });
            await ws.ConnectAsync(target.WsUri(channel), invoker, cts.Token);
            using var content = new StringContent("hello");
            using var posted = await http.PostAsync(target.HttpUri(channel), content, cts.Token);
            if (!posted.IsSuccessStatusCode)
            {
                return (clock.Elapsed, $"POST {(int)posted.StatusCode}");
            }

            var buffer = new byte[64];
            var got = await ws.ReceiveAsync(buffer, cts.Token);
            if (got.MessageType != WebSocketMessageType.Text || Encoding.UTF8.GetString(buffer, 0, got.Count) != "hello")
            {
                return (clock.Elapsed, "wrong message");
            }

            return (clock.Elapsed, null);
        }
        catch (OperationCanceledException)
        {
            return (clock.Elapsed, "timeout");
        }
        catch (Exception e)
        {
            return (clock.Elapsed, e.GetType().Name + ": " + e.Message.Split('\n')[0]);
        }
    }

    private static async Task AttackAsync(IPEndPoint hub, IPAddress from, TimeSpan trickle, AttackCounts counts, CancellationToken stop)
    {
        var request = Encoding.ASCII.GetBytes($"GET /slowloris HTTP/1.1\r\nHost: {hub}\r\nX-Slow: ");
        while (!stop.IsCancellationRequested)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(from, 0));
                await socket.ConnectAsync(hub, stop);
                Interlocked.Increment(ref counts.Connects);
                await socket.SendAsync(request, SocketFlags.None, stop);
                var closed = WaitClosedAsync(socket, stop);
                while (!closed.IsCompleted)
                {
                    await Task.WhenAny(closed, Task.Delay(trickle, stop));
                    if (!closed.IsCompleted)
                    {
                        await socket.SendAsync("a"u8.ToArray(), SocketFlags.None, stop);
                    }
                }

                Interlocked.Increment(ref counts.ClosedByServer);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                Interlocked.Increment(ref counts.Refused);

                // Reconnect as fast as a determined client would, without spinning on a refusal.
                await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
            }
        }
    }

    // Completes when the server closes (or resets) the connection.
    private static async Task WaitClosedAsync(Socket socket, CancellationToken stop)
    {
        var buffer = new byte[1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, stop) > 0)
            {
            }
        }
        catch (SocketException)
        {
        }
    }

    private static async ValueTask<Stream> ConnectFromAsync(IPAddress from, IPEndPoint to, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(from, 0));
            await socket.ConnectAsync(to, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private sealed class AttackCounts
    {
        public long Connects;
        public long ClosedByServer;
        public long Refused;
    }
}
