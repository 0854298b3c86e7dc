using PingActors.Node.Configuration;

namespace PingActors.Tests.Configuration;

/// <summary>Hub keys whose effect is only visible inside the node: the parsed settings are what it runs with.</summary>
public sealed class HubSettingsSpecs
{
    [Fact]
    public void Stream_hosts_auto_is_twice_the_cores_and_at_least_two()
    {
        var settings = NodeSettings.From(ConfigLoader.Load(CommandLine.Parse([])));

        Assert.Equal(Math.Max(2, Environment.ProcessorCount * 2), settings.Hub.StreamHosts);
    }

    [Fact]
    public void Stream_hosts_takes_a_number()
    {
        var settings = NodeSettings.From(ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.stream-hosts=3"])));

        Assert.Equal(3, settings.Hub.StreamHosts);
    }

    [Fact]
    public void Unsubscribed_replay_is_64_MiB_unless_set()
    {
        Assert.Equal(64L * 1024 * 1024, NodeSettings.From(ConfigLoader.Load(CommandLine.Parse([]))).Hub.ReplayUnsubscribedMaxBytes);

        var set = NodeSettings.From(ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.replay.unsubscribed-max-bytes=0"])));
        Assert.Equal(0, set.Hub.ReplayUnsubscribedMaxBytes);
    }

    [Fact]
    public void Channel_threads_auto_is_a_quarter_of_the_cores_and_at_least_one()
    {
        var settings = NodeSettings.From(ConfigLoader.Load(CommandLine.Parse([])));

        Assert.Equal(Math.Max(1, (Environment.ProcessorCount + 3) / 4), settings.ChannelThreads);
    }

    [Fact]
    public void Channel_threads_takes_a_number()
    {
        var settings = NodeSettings.From(ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.channel-threads=3"])));

        Assert.Equal(3, settings.ChannelThreads);
    }

    [Fact]
    public void Small_channel_sockets_defaults_to_16_and_takes_0()
    {
        Assert.Equal(16, NodeSettings.From(ConfigLoader.Load(CommandLine.Parse([]))).SmallChannelSockets);
        var off = NodeSettings.From(ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.small-channel-sockets=0"])));
        Assert.Equal(0, off.SmallChannelSockets);
    }

    [Fact]
    public void Io_queues_auto_leaves_kestrels_default()
    {
        var settings = NodeSettings.From(ConfigLoader.Load(CommandLine.Parse([])));

        Assert.Null(settings.IoQueues);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("1", 1)]
    public void Io_queues_takes_a_number(string value, int expected)
    {
        var settings = NodeSettings.From(ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.io-queues=" + value])));

        Assert.Equal(expected, settings.IoQueues);
    }

    [Fact]
    public void Publish_backlog_defaults_to_16000_deliveries_and_takes_zero_for_no_limit()
    {
        Assert.Equal(16_000, NodeSettings.From(ConfigLoader.Load(CommandLine.Parse([]))).Hub.PublishBacklog);
        Assert.Equal(0, NodeSettings.From(ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.publish-backlog=0"]))).Hub.PublishBacklog);
    }

    [Fact]
    public void A_negative_publish_backlog_is_refused_with_its_key()
    {
        var loaded = ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.publish-backlog=-1"]));

        var error = Assert.Throws<ConfigException>(() => NodeSettings.From(loaded));
        Assert.Contains("pingactors.hub.publish-backlog", error.Message);
    }

    [Fact]
    public void A_negative_small_channel_sockets_is_refused_with_its_key()
    {
        var loaded = ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.small-channel-sockets=-1"]));

        var error = Assert.Throws<ConfigException>(() => NodeSettings.From(loaded));
        Assert.Contains("pingactors.hub.small-channel-sockets", error.Message);
    }
}
