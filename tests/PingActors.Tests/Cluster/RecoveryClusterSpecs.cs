using System.Net;
using PingActors.Tests.Hub.Recovery;
using PingActors.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PingActors.Tests.Cluster;

/// <summary>
/// <c>?recover=1</c> clients across node processes: the channel's entity is handed off (SIGTERM to its host)
/// while a client is away, and the client reconnects to a node that had no subscriber of the channel. Its
/// position stays valid: same epoch, what it missed, then live (docs/recovery.md).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RecoveryClusterSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task A_client_recovers_on_another_node_after_its_channel_was_handed_off()
    {
        const int host = 0;
        await using var cluster = await LocalCluster.StartAsync(3, output);
        var (path, keeper) = await cluster.ChannelHostedOnAsync(host, 1, "recover");
        await using var _ = keeper;

        var first = await WsClient.ConnectAsync(cluster[1].WsUri(path + "?recover=1"));
        var epoch = (await RecoveryAnswer.ReadAsync(first)).Epoch;
        await PostAsync(cluster[2], path, "m1", "m2", "m3");
        Assert.Equal([1L, 2, 3], (await Positioned.ReadAsync(first, 3)).Select(m => m.Seq));
        await first.DisposeAsync();

        await PostAsync(cluster[2], path, "m4", "m5");
        cluster[host].Signal(NodeProcess.SIGTERM);
        Assert.Equal(0, await cluster[host].WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await PostAsync(cluster[2], path, "m6", "m7");

        await using var again = await WsClient.ConnectAsync(cluster[2].WsUri($"{path}?recover=1&since=3&epoch={epoch}"));
        var answer = await RecoveryAnswer.ReadAsync(again);
        Assert.True(answer.Recovered, $"not recovered: {answer}\n{cluster.Transcripts()}");
        Assert.Equal(new RecoveryAnswer(true, epoch, 3), answer);
        var missed = await Positioned.ReadAsync(again, 4);
        Assert.Equal([(4L, "m4"), (5L, "m5"), (6L, "m6"), (7L, "m7")], missed.Select(m => (m.Seq, m.Text)));
        Assert.All(missed, m => Assert.Equal(epoch, m.Epoch));

        await PostAsync(cluster[1], path, "m8");
        var live = Positioned.Decode(await again.ReceiveAsync());
        Assert.Equal((epoch, 8L, "m8"), (live.Epoch, live.Seq, live.Text));

        // The plain subscriber that stayed saw the same stream.
        Assert.Equal(Enumerable.Range(1, 8).Select(i => "m" + i), await ReadTextsAsync(keeper, 8));
    }

    // Each POST must be accepted once: one that failed during the hand-off is not retried (it may have been
    // numbered), so the test posts only while the cluster is settled and fails on anything but 200.
    private static async Task PostAsync(NodeProcess node, string path, params string[] texts)
    {
        foreach (var text in texts)
        {
            using var content = new StringContent(text);
            using var response = await LocalCluster.Http.PostAsync(node.HttpUri(path), content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static async Task<List<string>> ReadTextsAsync(WsClient client, int count)
    {
        var read = new List<string>();
        for (var i = 0; i < count; i++)
        {
            read.Add(await client.ReceiveTextAsync());
        }

        return read;
    }
}
