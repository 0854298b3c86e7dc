using System.Net;
using System.Net.WebSockets;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Process;

/// <summary>
/// SIGTERM (systemd, Docker, Kubernetes) and SIGINT (Ctrl-C) on the real process: new sockets are refused,
/// open ones are closed with 1001 "server shutting down" spread over the drain window, and the process
/// exits 0 within a bound.
/// </summary>
public sealed class GracefulShutdownSpecs
{
    private static readonly TimeSpan DrainWindow = TimeSpan.FromSeconds(2);

    // Drain window + 10 s for leaving the cluster and stopping the listeners on a loaded box.
    private static readonly TimeSpan ExitBound = DrainWindow + TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Sigterm_closes_every_socket_with_1001_spread_over_the_drain_window_refuses_new_ones_and_exits_0()
    {
        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions
        {
            Sets = ["pingactors.shutdown.drain-window=2s", "akka.loglevel=WARNING"],
        });
        var clients = new List<WsClient>();
        for (var i = 0; i < 20; i++)
        {
            clients.Add(await WsClient.ConnectAsync(node.WsUri($"/drain-{i % 4}")));
        }

        try
        {
            var closes = clients.Select(AwaitServerCloseAsync).ToArray();
            var signalled = DateTime.UtcNow;
            node.Signal(NodeProcess.SIGTERM);

            // Once the first socket is closed the node is draining: a new socket must not be accepted.
            await Task.WhenAny(closes);
            var attempt = await Record.ExceptionAsync(() => ConfigPrecedenceSpecs.ConnectWithDetailsAsync(node.WsUri("/drain-late")));
            var attemptDone = DateTime.UtcNow;
            var refused = Assert.IsType<HandshakeRefused>(attempt);
            Assert.True(
                refused.Status is HttpStatusCode.ServiceUnavailable or 0,
                $"a new socket during drain got HTTP {(int)refused.Status}, expected 503 or no connection\n{node.Transcript}");

            var results = await Task.WhenAll(closes);
            foreach (var (close, _) in results)
            {
                Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, close.CloseStatus);
                Assert.Equal("server shutting down", close.CloseReason);
            }

            // Not exact timings: the closes must cover a good part of the window rather than come all at once.
            var first = results.Min(r => r.At);
            var last = results.Max(r => r.At);
            Assert.True(last - first > DrainWindow * 0.25, $"closes spanned {(last - first).TotalMilliseconds:F0} ms of a {DrainWindow.TotalMilliseconds} ms window\n{node.Transcript}");
            Assert.True(last - signalled < ExitBound, $"last close {(last - signalled).TotalMilliseconds:F0} ms after SIGTERM");

            // The refused attempt happened while sockets were still being closed, i.e. during the drain.
            Assert.True(attemptDone < last, $"the new connection was tried {(attemptDone - last).TotalMilliseconds:F0} ms after the last close, not during the drain");

            var exitCode = await node.WaitForExitAsync(ExitBound + TimeSpan.FromSeconds(20));
            var exitedAfter = DateTime.UtcNow - signalled;
            Assert.True(exitCode == 0, $"exit code {exitCode}\n{node.Transcript}");
            Assert.True(exitedAfter < ExitBound, $"exited {exitedAfter.TotalSeconds:F1} s after SIGTERM, bound {ExitBound.TotalSeconds} s\n{node.Transcript}");
            Assert.DoesNotContain(node.StderrLines, l => l.Length > 0);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Sigint_closes_open_sockets_with_1001_and_exits_0()
    {
        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions
        {
            Sets = ["pingactors.shutdown.drain-window=500ms", "akka.loglevel=WARNING"],
        });
        await using var client = await WsClient.ConnectAsync(node.WsUri("/ctrl-c"));
        var close = AwaitServerCloseAsync(client);
        var signalled = DateTime.UtcNow;

        node.Signal(NodeProcess.SIGINT);

        var (received, _) = await close;
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, received.CloseStatus);
        Assert.Equal("server shutting down", received.CloseReason);
        var exitCode = await node.WaitForExitAsync(ExitBound + TimeSpan.FromSeconds(20));
        Assert.True(exitCode == 0, $"exit code {exitCode}\n{node.Transcript}");
        Assert.True(DateTime.UtcNow - signalled < ExitBound, $"exited {(DateTime.UtcNow - signalled).TotalSeconds:F1} s after SIGINT\n{node.Transcript}");
    }

    [Fact]
    public async Task Sigterm_with_clients_that_never_answer_the_close_still_exits_0_within_the_bound()
    {
        // Vanished clients (a phone that lost its network) never send their half of the close handshake.
        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions
        {
            Sets = ["pingactors.shutdown.drain-window=1s", "pingactors.hub.outbound.close-timeout=2s", "akka.loglevel=WARNING"],
        });
        var silent = new List<WsClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                // Connected, then never read again: the server's close frame is never answered.
                silent.Add(await WsClient.ConnectAsync(node.WsUri("/silent")));
            }

            var signalled = DateTime.UtcNow;
            node.Signal(NodeProcess.SIGTERM);

            var exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
            var took = DateTime.UtcNow - signalled;
            var bound = TimeSpan.FromSeconds(1 + 2) + TimeSpan.FromSeconds(10);
            Assert.True(exitCode == 0, $"exit code {exitCode}\n{node.Transcript}");
            Assert.True(took < bound, $"exited {took.TotalSeconds:F1} s after SIGTERM, bound {bound.TotalSeconds} s\n{node.Transcript}");
        }
        finally
        {
            foreach (var client in silent)
            {
                client.Socket.Abort();
                client.Socket.Dispose();
            }
        }
    }

    [Fact]
    public async Task Sigterm_with_no_clients_exits_0_promptly()
    {
        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions { Sets = ["akka.loglevel=WARNING"] });
        var signalled = DateTime.UtcNow;

        node.Signal(NodeProcess.SIGTERM);

        var exitCode = await node.WaitForExitAsync(ExitBound + TimeSpan.FromSeconds(20));
        Assert.True(exitCode == 0, $"exit code {exitCode}\n{node.Transcript}");

        // Nothing to drain: the window is not waited out, so this is well under the default 2 s window + 10 s.
        Assert.True(DateTime.UtcNow - signalled < ExitBound, $"exited {(DateTime.UtcNow - signalled).TotalSeconds:F1} s after SIGTERM\n{node.Transcript}");
    }

    [Fact]
    public async Task A_drain_window_the_shutdown_timeout_cannot_cover_is_warned_about_at_start()
    {
        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions
        {
            Sets = ["pingactors.shutdown.drain-window=20s", "akka.loglevel=WARNING"],
        });

        var line = await node.WaitForLineAsync(l => l.Contains("pingactors.shutdown.timeout 15s", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains("warn", line, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("a drain may take 26s", line);
    }

    [Fact]
    public async Task Sigterm_while_still_waiting_to_join_a_cluster_exits_0_promptly()
    {
        // The only seed is a port nobody listens on: the node never becomes Up and waits for it.
        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions
        {
            SeedPorts = [NodeProcess.FreeTcpPort()],
            WaitForUp = false,
            Sets = ["akka.loglevel=WARNING"],
        });
        var signalled = DateTime.UtcNow;

        node.Signal(NodeProcess.SIGTERM);

        var exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var took = DateTime.UtcNow - signalled;
        Assert.True(exitCode == 0, $"exit code {exitCode}\n{node.Transcript}");
        Assert.True(took < ExitBound, $"exited {took.TotalSeconds:F1} s after SIGTERM, bound {ExitBound.TotalSeconds} s\n{node.Transcript}");
    }

    /// <summary>Reads until the server's close frame, notes when it came, and answers it as a well-behaved client does.</summary>
    private static async Task<(Received Close, DateTime At)> AwaitServerCloseAsync(WsClient client)
    {
        var close = await client.ReceiveCloseAsync(ExitBound + TimeSpan.FromSeconds(10));
        var at = DateTime.UtcNow;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The server may already have dropped the connection; what it sent is what is under test.
        }

        return (close, at);
    }
}
