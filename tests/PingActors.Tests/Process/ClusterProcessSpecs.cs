using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Process;

/// <summary>
/// Two node processes on fixed Akka ports with the same seed list: the harness multi-node tests build on.
/// A always runs on the JIT runtime; under tests/run-native.sh B is the native build, so this is also a
/// mixed cluster (a rolling change from one build to the other): the two builds' remoting and channel
/// protocol must understand each other.
/// </summary>
public sealed class ClusterProcessSpecs
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Two_nodes_form_a_cluster_a_post_on_one_reaches_a_subscriber_on_the_other_and_one_leaves_cleanly()
    {
        var portA = NodeProcess.FreeTcpPort();
        var portB = NodeProcess.FreeTcpPort();
        int[] seeds = [portA, portB];

        // A is first in the seed list, so it may form the cluster alone; B joins it.
        await using var a = await NodeProcess.StartAsync(new NodeProcessOptions { AkkaPort = portA, SeedPorts = seeds, Sets = ["akka.loglevel=WARNING"], Jit = true });
        await using var b = await NodeProcess.StartAsync(new NodeProcessOptions { AkkaPort = portB, SeedPorts = seeds, Sets = ["akka.loglevel=WARNING"] });
        Assert.Equal(NodeProcessOptions.SeedAddress(portA), a.AkkaAddress);
        Assert.Equal(NodeProcessOptions.SeedAddress(portB), b.AkkaAddress);
        Assert.Equal("jit", await BuildOf(a));
        Assert.Equal(b.Native is null ? "jit" : "native", await BuildOf(b));

        await using (var subscriber = await WsClient.ConnectAsync(b.WsUri("/across")))
        {
            // The subscription travels through the channel entity, which may live on either node: publish
            // until it is in place rather than guessing how long that takes.
            var received = await PublishUntilReceivedAsync(a, "/across", subscriber);
            Assert.StartsWith("across-", received);
        }

        var signalled = DateTime.UtcNow;
        b.Signal(NodeProcess.SIGTERM);
        var exitCode = await b.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, $"exit code {exitCode}\n{b.Transcript}");
        Assert.True(DateTime.UtcNow - signalled < TimeSpan.FromSeconds(15), $"B took {(DateTime.UtcNow - signalled).TotalSeconds:F1} s to leave\n{b.Transcript}");

        // A carries on alone: channels that lived on B are re-homed on A.
        await using var local = await WsClient.ConnectAsync(a.WsUri("/after"));
        Assert.StartsWith("after-", await PublishUntilReceivedAsync(a, "/after", local));
    }

    private static async Task<string?> BuildOf(NodeProcess node)
    {
        using var stats = JsonDocument.Parse(await Http.GetStringAsync(new Uri(node.OpsUri!, "/stats")));
        return stats.RootElement.GetProperty("build").GetString();
    }

    private static async Task<string> PublishUntilReceivedAsync(NodeProcess publisher, string path, WsClient subscriber)
    {
        // One receive for the whole wait: a cancelled ClientWebSocket receive aborts the socket.
        var receive = subscriber.ReceiveAsync(TimeSpan.FromSeconds(30));
        for (var i = 0; !receive.IsCompleted; i++)
        {
            using (var content = new StringContent($"{path.TrimStart('/')}-{i}"))
            using (var response = await Http.PostAsync(publisher.HttpUri(path), content))
            {
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"POST answered {(int)response.StatusCode}");
            }

            await Task.WhenAny(receive, Task.Delay(TimeSpan.FromSeconds(1)));
        }

        var message = await receive;
        Assert.Equal(WebSocketMessageType.Text, message.Type);
        return message.Text;
    }
}
