using PingActors.Node.Configuration;
using PingActors.Node.Hosting;

namespace PingActors.Tests.Configuration;

/// <summary>pingactors.hub.sse: its defaults, and bad values refused naming their key.</summary>
public sealed class SseSettingsSpecs
{
    [Fact]
    public void Defaults_are_on_a_15s_heartbeat_a_2s_retry_and_the_WebSocket_limit()
    {
        var hub = NodeSetup.From(ConfigLoader.Load(CommandLine.Parse([]))).Hub;

        Assert.True(hub.Settings.Sse.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(15), hub.Settings.Sse.Heartbeat);
        Assert.Equal(TimeSpan.FromSeconds(2), hub.Settings.Sse.Retry);
        Assert.Null(hub.SseMaxConnections);
    }

    [Fact]
    public void Set_values_are_read()
    {
        var hub = NodeSetup.From(ConfigLoader.Load(CommandLine.Parse([
            "--set", "pingactors.hub.sse.enabled=off",
            "--set", "pingactors.hub.sse.heartbeat=0s",
            "--set", "pingactors.hub.sse.retry=500ms",
            "--set", "pingactors.hub.sse.max-connections=100",
        ]))).Hub;

        Assert.False(hub.Settings.Sse.Enabled);
        Assert.Equal(TimeSpan.Zero, hub.Settings.Sse.Heartbeat);
        Assert.Equal(TimeSpan.FromMilliseconds(500), hub.Settings.Sse.Retry);
        Assert.Equal(100, hub.SseMaxConnections);
    }

    [Theory]
    [InlineData("pingactors.hub.sse.heartbeat", "often")]
    [InlineData("pingactors.hub.sse.retry", "-1s")]
    [InlineData("pingactors.hub.sse.max-connections", "0")]
    [InlineData("pingactors.hub.sse.enabled", "maybe")]
    public void A_bad_value_is_refused_with_its_key(string key, string value)
    {
        var loaded = ConfigLoader.Load(CommandLine.Parse(["--set", $"{key}={value}"]));

        var error = Assert.Throws<ConfigException>(() => NodeSetup.From(loaded));
        Assert.Contains(key, error.Message);
    }
}
