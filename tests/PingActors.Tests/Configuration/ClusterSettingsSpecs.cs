using PingActors.Node.Configuration;
using PingActors.Node.Hosting;

namespace PingActors.Tests.Configuration;

/// <summary>The start-up checks for cluster settings that would otherwise fail silently at run time (akka-notes §5).</summary>
public sealed class ClusterSettingsSpecs
{
    [Fact]
    public void Seeds_given_as_host_port_become_akka_addresses_in_order()
    {
        var loaded = ConfigLoader.Load(CommandLine.Parse(["--seed", "127.0.0.1:4051", "--seed", "127.0.0.1:4052", "--port", "4051"]));
        Assert.Equal(["akka.tcp://PingActors@127.0.0.1:4051", "akka.tcp://PingActors@127.0.0.1:4052"], loaded.Config.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal(4051, loaded.Config.GetInt("akka.remote.dot-netty.tcp.port"));

        // Seeds spelled as this node advertises itself (127.0.0.1) pass the start-up check, and the
        // node's own listeners are untouched by the cluster options.
        var setup = NodeSetup.From(loaded);
        Assert.Equal(["hub 127.0.0.1:8080", "ops 127.0.0.1:8089"], setup.Listeners.Select(l => $"{l.Name} {l.Address}"));
    }

    [Fact]
    public void A_localhost_seed_for_a_node_advertising_127_0_0_1_is_refused_naming_the_key()
    {
        var loaded = ConfigLoader.Load(CommandLine.Parse(["--seed", "localhost:4051"]));
        var error = Assert.Throws<ConfigException>(() => NodeSetup.From(loaded));
        Assert.Contains("akka.cluster.seed-nodes", error.Message);
        Assert.Contains("127.0.0.1", error.Message);
        Assert.Contains("--seed", error.Message);
    }

    [Fact]
    public void Binding_all_interfaces_without_a_public_hostname_is_refused()
    {
        var loaded = ConfigLoader.Load(CommandLine.Parse(["--hostname", "0.0.0.0"]));
        var error = Assert.Throws<ConfigException>(() => NodeSetup.From(loaded));
        Assert.Contains("akka.remote.dot-netty.tcp.public-hostname", error.Message);
    }

    [Fact]
    public void Binding_all_interfaces_with_a_public_hostname_is_accepted()
    {
        var loaded = ConfigLoader.Load(CommandLine.Parse(["--hostname", "0.0.0.0", "--public-hostname", "node1", "--seed", "node1:4053"]));

        var setup = NodeSetup.From(loaded);

        Assert.Equal("0.0.0.0", loaded.Config.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal("node1", loaded.Config.GetString("akka.remote.dot-netty.tcp.public-hostname"));
        Assert.Equal(["akka.tcp://PingActors@node1:4053"], loaded.Config.GetStringList("akka.cluster.seed-nodes"));

        // Remoting on all interfaces says nothing about the node's own listeners: they stay on loopback.
        Assert.Equal(["hub 127.0.0.1:8080", "ops 127.0.0.1:8089"], setup.Listeners.Select(l => $"{l.Name} {l.Address}"));
    }

    [Theory]
    [InlineData("4051")]
    [InlineData("host:")]
    [InlineData("host:99999")]
    public void A_malformed_seed_is_refused(string seed)
    {
        var error = Assert.Throws<ConfigException>(() => CommandLine.Parse(["--seed", seed]));
        Assert.Contains("--seed", error.Message);
    }

    [Fact]
    public void The_reference_configuration_refuses_unregistered_serialization_and_port_reuse()
    {
        var loaded = ConfigLoader.Load(CommandLine.Parse([]));
        Assert.False(loaded.Config.GetBoolean("akka.actor.serialization-settings.allow-unregistered-types"));
        Assert.Equal("off", loaded.Config.GetString("akka.remote.dot-netty.tcp.tcp-reuse-addr"));
        Assert.Equal("keep-majority", loaded.Config.GetString("akka.cluster.split-brain-resolver.active-strategy"));

        // Cluster internals on dedicated threads: the id must name a dispatcher section that exists.
        var dispatcher = loaded.Config.GetString("akka.cluster.use-dispatcher");
        Assert.Equal("ForkJoinDispatcher", loaded.Config.GetString(dispatcher + ".type"));
    }

    [Fact]
    public void The_example_node_configuration_loads()
    {
        var example = Path.Combine(RepositoryRoot(), "hocon", "example-node.conf");
        Environment.SetEnvironmentVariable("PINGACTORS_PUBLIC_HOSTNAME", "gw1.internal");
        var loaded = ConfigLoader.Load(CommandLine.Parse(["--config", example]));
        var settings = NodeSetup.From(loaded);
        Assert.Equal(8080, settings.Hub.Listen.Port);
        Assert.Equal("gw1.internal", loaded.Config.GetString("akka.remote.dot-netty.tcp.public-hostname"));
        Assert.Equal(3, loaded.Config.GetStringList("akka.cluster.seed-nodes").Count);

        // Its longer drain fits the bounds it sets: the whole shutdown, and the phase a downed node drains in.
        Assert.Empty(settings.ShutdownWarnings(loaded));
    }

    [Fact]
    public void The_example_proxy_configuration_loads()
    {
        var example = Path.Combine(RepositoryRoot(), "hocon", "example-proxy.conf");
        var loaded = ConfigLoader.Load(CommandLine.Parse(["--config", example]), _ => null);
        var settings = NodeSetup.From(loaded);

        Assert.False(settings.Hub.Enabled);
        Assert.Equal(["proxy", "proxy-control", "ops"], settings.Listeners.Select(l => l.Name));
        Assert.Equal("http://app.internal:8000/ws/connect", settings.Proxy.Settings!.ConnectCallback.ToString());
        Assert.Equal([KeyValuePair.Create("X-Forwarded-For", string.Empty)], settings.Proxy.Settings.SetHeaders);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.Proxy.Settings.IdleTimeout);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PingActors.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("PingActors.sln not found above " + AppContext.BaseDirectory);
    }
}
