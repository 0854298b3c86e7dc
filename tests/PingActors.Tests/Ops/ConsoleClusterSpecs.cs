using System.Diagnostics;
using System.Text.Json;
using PingActors.Tests.Cluster;
using Xunit.Abstractions;

namespace PingActors.Tests.Ops;

/// <summary>Two node processes: one node's console shows the other's figures, fetched over the cluster, and a lost member as not answering.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ConsoleClusterSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task A_node_shows_every_members_figures_and_a_lost_member_as_not_answering()
    {
        await using var cluster = await LocalCluster.StartAsync(2, output);
        var ops = cluster[0].OpsUri!;
        var (channel, keeper) = await cluster.ChannelHostedOnAsync(host: 1, via: 1, "console-cluster");
        await using var _ = keeper;
        for (var i = 0; i < 7; i++)
        {
            using var posted = await LocalCluster.Http.PostAsync(cluster[0].HttpUri(channel), new StringContent("m" + i));
            posted.EnsureSuccessStatusCode();
        }

        var data = await ConsoleData.WaitForAsync(
            ops,
            d => d.LastMinuteOf(channel) == 7 && d.Totals().GetProperty("connections").GetInt64() == 1,
            "the channel's 7 messages and the one connection, both on node 1");

        var node0 = cluster[0].AkkaAddress;
        var node1 = cluster[1].AkkaAddress;
        Assert.Equal(node0, data.GetProperty("self").GetString());
        Assert.Equal(new[] { node0, node1 }.Order(), data.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("address").GetString()).Order());
        Assert.All(data.GetProperty("members").EnumerateArray(), m => Assert.Equal("Up", m.GetProperty("status").GetString()));
        Assert.Equal(2, data.Totals().GetProperty("answered").GetInt32());
        Assert.Equal(0, FiguresOf(data, node0).GetProperty("connections").GetInt64());
        Assert.Equal(1, FiguresOf(data, node1).GetProperty("connections").GetInt64());
        Assert.Equal(7, FiguresOf(data, node0).GetProperty("published").GetInt64()); // published where POSTed
        var busy = data.Busiest().Single(b => b.GetProperty("channel").GetString() == channel);
        Assert.Equal(node1, busy.GetProperty("node").GetString()); // counted where sequenced

        await cluster.KillAsync(1);

        var lost = await ConsoleData.WaitForAsync(
            ops,
            d => d.GetProperty("nodes").EnumerateArray().Any(n => n.GetProperty("address").GetString() == node1 && n.GetProperty("figures").ValueKind == JsonValueKind.Null),
            "node 1 not answering",
            TimeSpan.FromSeconds(60));
        Assert.Equal(1, lost.Totals().GetProperty("answered").GetInt32());

        // A member that cannot answer costs at most the member timeout, never a hung page.
        var asked = Stopwatch.StartNew();
        await ConsoleData.GetAsync(ops);
        Assert.True(asked.Elapsed < TimeSpan.FromSeconds(5), $"the data took {asked.Elapsed} with a member lost");
    }

    private static JsonElement FiguresOf(JsonElement data, string? address) =>
        data.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("address").GetString() == address).GetProperty("figures");
}
