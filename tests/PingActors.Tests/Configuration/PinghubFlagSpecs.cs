using System.Net;
using PingActors.Node.Configuration;
using PingActors.Node.Hosting;

namespace PingActors.Tests.Configuration;

/// <summary>Pinghub's flags, from the command line to the settings the node opens its listeners with.</summary>
public sealed class PinghubFlagSpecs
{
    [Theory]
    [InlineData("-addr", ":8081")]
    [InlineData("-addr=:8081", null)]
    [InlineData("--addr", ":8081")]
    public void Addr_with_only_a_port_listens_on_all_interfaces(string flag, string? value)
    {
        var setup = Setup(value is null ? [flag] : [flag, value]);

        Assert.Equal(new ListenAddress(IPAddress.Any, 8081), setup.Hub.Listen);
        Assert.Contains(setup.Listeners, l => l.Name == "hub" && l.Address == new ListenAddress(IPAddress.Any, 8081));
    }

    [Fact]
    public void Addr_with_a_host_listens_on_that_host_only()
    {
        Assert.Equal(new ListenAddress(IPAddress.Loopback, 8081), Setup(["-addr", "127.0.0.1:8081"]).Hub.Listen);
    }

    [Fact]
    public void Mport_puts_ops_on_loopback_at_that_port_and_origin_becomes_the_allow_list()
    {
        var setup = Setup(["-addr", ":8081", "-mport", "8082", "-origin", "https://example.com"]);

        Assert.Equal(new ListenAddress(IPAddress.Loopback, 8082), setup.Node.OpsListen);
        Assert.True(setup.Hub.Origins.Allows("https://example.com"));
        Assert.False(setup.Hub.Origins.Allows("https://evil.example"));
    }

    [Fact]
    public void Mport_on_the_port_of_an_all_interfaces_addr_is_refused()
    {
        // 0.0.0.0:8081 already holds 127.0.0.1:8081, so the two listeners would compete for it.
        var loaded = ConfigLoader.Load(CommandLine.Parse(["-addr", ":8081", "-mport", "8081"]));

        var error = Assert.Throws<ConfigException>(() => NodeSetup.From(loaded));
        Assert.Contains("pingactors.ops.listen", error.Message);
    }

    private static NodeSetup Setup(string[] args) => NodeSetup.From(ConfigLoader.Load(CommandLine.Parse(args)));
}
