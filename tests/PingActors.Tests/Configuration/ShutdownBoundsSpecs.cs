using PingActors.Node.Configuration;
using PingActors.Node.Hosting;

namespace PingActors.Tests.Configuration;

/// <summary>Shutdown bounds shorter than the drain the other settings ask for are named, with the file that set them.</summary>
public sealed class ShutdownBoundsSpecs
{
    [Fact]
    public void The_defaults_leave_room_for_their_drain()
    {
        Assert.Empty(Warnings());
    }

    [Fact]
    public void A_drain_window_longer_than_the_shutdown_allows_is_named_with_both_bounds()
    {
        var warnings = Warnings("pingactors.shutdown.drain-window=10s");

        Assert.Equal(2, warnings.Count);
        Assert.Contains("pingactors.shutdown.timeout 15s", warnings[0]);
        Assert.StartsWith("built-in reference.conf", warnings[0]);
        Assert.Contains("a drain may take 16s (pingactors.shutdown.drain-window 10s + pingactors.websocket.outbound.close-timeout 5s + 1s)", warnings[0]);
        Assert.Contains($"{ShutdownBounds.DownedPhaseTimeout} 10s", warnings[1]);
    }

    [Fact]
    public void A_shutdown_timeout_set_too_short_names_where_it_was_set()
    {
        var warning = Assert.Single(Warnings("pingactors.shutdown.timeout=3s"));

        Assert.StartsWith("--set", warning);
        Assert.Contains("pingactors.shutdown.timeout 3s", warning);
        Assert.Contains("a drain may take 8s", warning);
    }

    private static IReadOnlyList<string> Warnings(params string[] sets)
    {
        var loaded = ConfigLoader.Load(CommandLine.Parse(sets.SelectMany(s => new[] { "--set", s }).ToArray()));
        return NodeSetup.From(loaded).ShutdownWarnings(loaded);
    }
}
