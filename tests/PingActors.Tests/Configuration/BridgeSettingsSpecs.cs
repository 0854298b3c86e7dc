using PingActors.Node.Configuration;
using PingActors.Node.Hosting;

namespace PingActors.Tests.Configuration;

/// <summary>pingactors.bridge as the node reads it: the allow-list, the backend only when enabled, and errors naming the key.</summary>
public sealed class BridgeSettingsSpecs
{
    private static NodeSetup Setup(params string[] sets) =>
        NodeSetup.From(ConfigLoader.Load(CommandLine.Parse(sets.SelectMany(s => new[] { "--set", s }).ToArray()), _ => null));

    [Fact]
    public void Off_by_default_with_no_backend_built_and_an_open_allow_list()
    {
        var bridge = Setup().Bridge;

        Assert.False(bridge.Enabled);
        Assert.Null(bridge.Backend);
        Assert.True(bridge.OpenProxy);
        Assert.Equal(TimeSpan.FromSeconds(5), bridge.ConnectTimeout);
        Assert.Equal("pingactors.websocket.outbound.close-timeout", bridge.CloseTimeoutKey);
    }

    [Fact]
    public void A_broken_user_backend_is_not_loaded_while_the_bridge_is_off() =>
        Assert.Null(Setup("pingactors.bridge.backend.type=No.Such, Thing").Bridge.Backend);

    [Fact]
    public void The_allow_list_is_parsed_and_applied()
    {
        var allow = Setup("pingactors.bridge.allow=[\"tcp://h:*\"]").Bridge.Allow!;

        Assert.True(allow.Allows(new Uri("tcp://h:80")));
        Assert.False(allow.Allows(new Uri("tcp://g:80")));
    }

    [Theory]
    [InlineData("pingactors.bridge.allow=[\"tcp://h\"]", "pingactors.bridge.allow")]
    [InlineData("pingactors.bridge.allow=\"\"", "pingactors.bridge.allow")]
    [InlineData("pingactors.bridge.backend.type=file", "pingactors.bridge.backend.path")]
    [InlineData("pingactors.bridge.backend.type=No.Such, Thing", "pingactors.bridge.backend.type")]
    [InlineData("pingactors.bridge.backend.port=0", "pingactors.bridge.backend.port")]
    public void Bad_values_name_the_key(string set, string key)
    {
        var e = Assert.Throws<ConfigException>(() => Setup("pingactors.bridge.enabled=on", set));

        Assert.StartsWith("--set: " + key + ":", e.Message);
    }

    [Fact]
    public void The_host_port_rule_holds_through_the_config()
    {
        var backend = (PingActors.Actors.Bridge.Backends.DefaultBackend)Setup("pingactors.bridge.enabled=on", "pingactors.bridge.backend.host=tcp://h:19301").Bridge.Backend!;

        Assert.Equal(19301, backend.Peer.Port);
    }

    [Fact]
    public void A_user_backend_gets_the_settings_map()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "example-backend", "PingActors.Bridge.ExampleBackend.dll");
        var e = Assert.Throws<ConfigException>(() => Setup(
            "pingactors.bridge.enabled=on",
            "pingactors.bridge.backend.type=PingActors.Bridge.ExampleBackend.EchoPortBackend, PingActors.Bridge.ExampleBackend",
            "pingactors.bridge.backend.assembly=" + dll,
            "pingactors.bridge.backend.settings={ colour = red }"));

        Assert.StartsWith("--set: pingactors.bridge.backend.settings:", e.Message);
        Assert.Contains("colour", e.Message);
    }

    [Fact]
    public void The_readme_spelling_of_an_ipv6_listen_works() =>
        Assert.Equal("[::]:8001", Setup("pingactors.bridge.listen=\"[::]:8001\"").Bridge.Listen.ToString());

    [Fact]
    public void The_bridge_may_set_its_own_keepalive()
    {
        var bridge = Setup("pingactors.bridge.keepalive.interval=4s").Bridge;

        Assert.Equal(TimeSpan.FromSeconds(4), bridge.Session.KeepAliveInterval);
        Assert.Equal(TimeSpan.FromSeconds(27), Setup().Bridge.Session.KeepAliveInterval);
    }
}
