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

    [Fact]
    public async Task A_post_the_channel_cannot_take_in_time_is_answered_503_with_a_reason()
    {
        // Never joined, so no shard can be allocated: the channel cannot sequence anything.
        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions
        {
            AkkaPort = NodeProcess.FreeTcpPort(),
            SeedPorts = [NodeProcess.FreeTcpPort()],
            Sets = ["pingactors.hub.publish-timeout=1s"],
            WaitForUp = false,
        });

        using var http = new HttpClient();
        using var response = await http.PostAsync(node.HttpUri("/unreachable"), new StringContent("not taken"));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Error: channel unavailable, message not published.\n", await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.RetryAfter is not null);
    }
}
