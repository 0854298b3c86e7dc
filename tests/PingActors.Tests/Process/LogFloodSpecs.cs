using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Process;

/// <summary>
/// The log of a node under attack grows by summaries, not by a line per attacking connection, and a client that
/// breaks its own request leaves no stack trace.
/// </summary>
public sealed partial class LogFloodSpecs
{
    private const int Flood = 300;

    [Fact]
    public async Task Connections_refused_at_the_connection_limit_are_summed_up_not_logged_one_by_one()
    {
        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions
        {
            // Only Kestrel's own cap refuses here: no per-address cap, and the held connections are not timed out.
            Sets = ["pingactors.http.max-pending-per-address=0", "pingactors.http.headers-timeout=300s", "akka.loglevel=WARNING"],
        });
        var limitLine = node.StdoutLines.FirstOrDefault(l => HttpLimit().IsMatch(l))
            ?? throw new InvalidOperationException("no HTTP connection limit at start\n" + node.Transcript);
        var limit = int.Parse(HttpLimit().Match(limitLine).Groups["limit"].Value, CultureInfo.InvariantCulture);

        var sockets = new List<TcpClient>();
        try
        {
            // Every socket stays open on this side, so the node refuses exactly the ones beyond its limit,
            // whichever they are.
            var refused = 0;
            var allRefused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            for (var i = 0; i < limit + Flood; i++)
            {
                var socket = new TcpClient();
                await socket.ConnectAsync(IPAddress.Loopback, node.HubUri!.Port);
                sockets.Add(socket);
                _ = WhenClosedByNodeAsync(socket).ContinueWith(
                    _ =>
                    {
                        if (Interlocked.Increment(ref refused) == Flood)
                        {
                            allRefused.TrySetResult();
                        }
                    },
                    TaskScheduler.Default);
            }

            await allRefused.Task.WaitAsync(TimeSpan.FromSeconds(60));

            // The first refusal is written as Kestrel words it, the rest are counted in summaries.
            long summed = 0;
            await node.WaitForLineAsync(
                l =>
                {
                    if (Summary().Match(l) is { Success: true } m)
                    {
                        summed += long.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture);
                    }

                    return summed >= Flood - 1;
                },
                TimeSpan.FromSeconds(30));
            Assert.Equal(Flood - 1, summed);

            var aboutIt = node.StdoutLines.Where(l => l.Contains("maximum number of concurrent connections", StringComparison.Ordinal) || Summary().IsMatch(l)).ToList();
            Assert.True(aboutIt.Count <= 3, $"{aboutIt.Count} lines about {Flood} refused connections\n{node.Transcript}");
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    [Fact]
    public async Task Posts_whose_client_resets_mid_body_leave_no_stack_trace()
    {
        const int Posts = 5;
        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions
        {
            // The access log says when the node is done with each request.
            Sets = ["pingactors.ops.access-log=true", "akka.loglevel=WARNING"],
        });

        for (var i = 0; i < Posts; i++)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, node.HubUri!.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /reset-{i} HTTP/1.1\r\nHost: {node.HubUri.Authority}\r\nContent-Length: 10000\r\nExpect: 100-continue\r\n\r\n"));

            // Kestrel sends 100 Continue once the node starts reading the body: the reset then comes mid-read.
            var buffer = new byte[256];
            var got = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.StartsWith("HTTP/1.1 100", Encoding.ASCII.GetString(buffer, 0, got));
            await stream.WriteAsync(new byte[100]);
            client.LingerState = new LingerOption(true, 0);
            client.Client.Close();
        }

        for (var i = 0; i < Posts; i++)
        {
            await node.WaitForLineAsync(l => l.Contains($"\"POST /reset-{i}\"", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        }

        // Stopped so that whatever the node writes after the requests (Kestrel's own errors, the drain of their
        // bodies) is in the output before it is read.
        node.Signal(NodeProcess.SIGTERM);
        Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var traces = node.StdoutLines.Concat(node.StderrLines).Where(l => l.Contains("   at ", StringComparison.Ordinal) || l.Contains(" fail: ", StringComparison.Ordinal)).ToList();
        Assert.True(traces.Count == 0, $"{traces.Count} lines with errors or stack frames after {Posts} reset POSTs\n{node.Transcript}");
    }

    // Completes when the node closes the connection (FIN or reset); never, for a connection it holds.
    private static async Task WhenClosedByNodeAsync(TcpClient socket)
    {
        var buffer = new byte[64];
        try
        {
            while (await socket.GetStream().ReadAsync(buffer) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
        }
    }

    [GeneratedRegex(@"and (?<limit>\d+) other HTTP connections")]
    private static partial Regex HttpLimit();

    [GeneratedRegex(@"Refused (?<count>\d+) more connections at the HTTP connection limit")]
    private static partial Regex Summary();
}
