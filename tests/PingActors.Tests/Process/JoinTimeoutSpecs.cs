using System.Text.Json;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Process;

/// <summary>A node whose seeds never answer says so, in its log and in /stats, and keeps serving its ops listener.</summary>
public sealed class JoinTimeoutSpecs
{
    [Fact]
    public async Task A_node_that_cannot_join_says_so_in_its_log_and_in_stats()
    {
        var unreachable = NodeProcess.FreeTcpPort();
        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions
        {
            AkkaPort = NodeProcess.FreeTcpPort(),
            SeedPorts = [unreachable],
            Sets = ["pingactors.cluster.join-timeout=2s"],
            WaitForUp = false,
        });

        var line = await node.WaitForLineAsync(l => l.Contains("has not joined a cluster", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains(unreachable.ToString(System.Globalization.CultureInfo.InvariantCulture), line);

        using var http = new HttpClient();
        var stats = JsonDocument.Parse(await http.GetStringAsync(new Uri(node.OpsUri!, "/stats"))).RootElement.GetProperty("cluster");
        Assert.False(stats.GetProperty("joined").GetBoolean());
        Assert.Equal(0, stats.GetProperty("members_up").GetInt32());
    }
}
