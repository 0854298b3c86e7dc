using System.Text.RegularExpressions;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Process;

/// <summary>Akka's own lines in the node's log: each with one level prefix, its chatter only when asked for.</summary>
public sealed partial class StartupLinesSpecs
{
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

    private static void AssertOnePrefixEach(NodeProcess node)
    {
        var doubled = node.StdoutLines.Where(l => LevelPrefix().Matches(l).Count + AkkaPrefix().Matches(l).Count > 1).ToList();
        Assert.True(doubled.Count == 0, $"{doubled.Count} lines with two level prefixes, e.g. {doubled.FirstOrDefault()}\n{node.Transcript}");
    }

    [GeneratedRegex(@"(?:^|\s)(?:trce|dbug|info|warn|fail|crit): ")]
    private static partial Regex LevelPrefix();

    [GeneratedRegex(@"\[(?:DEBUG|INFO|WARNING|ERROR)\]\[")]
    private static partial Regex AkkaPrefix();
}
