using System.Text.RegularExpressions;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Process;

/// <summary>
/// What a newcomer's <c>dotnet run</c> shows at start: each listener (its address as configured and where to reach
/// it), the limits and the cluster state, one line each; Akka's own chatter only when asked for, and every line
/// with one level prefix.
/// </summary>
public sealed partial class StartupLinesSpecs
{
    [Fact]
    public async Task Start_shows_each_listener_the_limits_and_the_cluster_state_one_line_each()
    {
        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions { Sets = ["pingactors.hub.listen=0.0.0.0:0"] });
        var lines = node.StdoutLines;
        var upAt = lines.ToList().FindIndex(l => l.Contains("PingActors node is Up in the cluster as ", StringComparison.Ordinal));
        var start = lines.Take(upAt + 1).ToList();
        var transcript = "\n" + node.Transcript;

        Assert.True(start.Count == 4, $"{start.Count} lines at start, expected the hub, ops, limits and cluster lines{transcript}");
        Assert.Contains(start, l => l.Contains($"PingActors hub listening on http://127.0.0.1:{node.HubUri!.Port}/ (pingactors.hub.listen = 0.0.0.0:0, every IPv4 interface)", StringComparison.Ordinal));
        Assert.Contains(start, l => l.Contains($"PingActors ops listening on http://127.0.0.1:{node.OpsUri!.Port}/ (pingactors.ops.listen = 127.0.0.1:0, this machine only)", StringComparison.Ordinal));
        Assert.Contains(start, l => Limits().IsMatch(l) && l.Contains("messages up to 64 KiB", StringComparison.Ordinal));
        Assert.Contains(start, l => l.Contains($"Up in the cluster as {node.AkkaAddress} (a cluster of its own", StringComparison.Ordinal));
        AssertOnePrefixEach(node);
    }

    [Fact]
    public async Task Akka_chatter_stays_below_info_unless_asked_for()
    {
        await using var node = await NodeProcess.StartAsync();
        Assert.True(!node.StdoutLines.Any(l => l.Contains(" info: Akka", StringComparison.Ordinal)), "Akka's chatter at info without being asked for\n" + node.Transcript);
    }

    [Theory]
    [InlineData("akka.loglevel=INFO", "info")]
    [InlineData("pingactors.log.level=debug", "dbug")]
    public async Task Akka_lines_asked_for_carry_one_prefix(string set, string level)
    {
        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions { Sets = [set] });
        AssertOnePrefixEach(node);
        Assert.Contains(node.StdoutLines, l => l.Contains($" {level}: Akka.remoting[0] Starting remoting", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_node_with_seeds_says_which_it_is_joining_through()
    {
        var seed = NodeProcess.FreeTcpPort();
        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions
        {
            AkkaPort = NodeProcess.FreeTcpPort(),
            SeedPorts = [seed],
            WaitForUp = false,
        });

        var line = await node.WaitForLineAsync(l => l.Contains("PingActors node is joining the cluster as ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains("through seeds " + NodeProcessOptions.SeedAddress(seed), line);
    }

    private static void AssertOnePrefixEach(NodeProcess node)
    {
        var doubled = node.StdoutLines.Where(l => LevelPrefix().Matches(l).Count + AkkaPrefix().Matches(l).Count > 1).ToList();
        Assert.True(doubled.Count == 0, $"{doubled.Count} lines with two level prefixes, e.g. {doubled.FirstOrDefault()}\n{node.Transcript}");
    }

    [GeneratedRegex(@"(?:^|\s)(?:trce|dbug|info|warn|fail|crit): ")]
    private static partial Regex LevelPrefix();

    [GeneratedRegex(@"\[(?:DEBUG|INFO|WARNING|ERROR)\]\[")]
    private static partial Regex AkkaPrefix();

    [GeneratedRegex(@"Accepting at most \d+ WebSocket connections and \d+ other HTTP connections at once")]
    private static partial Regex Limits();
}
