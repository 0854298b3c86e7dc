using PingActors.Node.Configuration;
using PingActors.Node.Hosting;

namespace PingActors.Tests.Configuration;

/// <summary>Hub keys whose effect is only visible inside the node: the parsed settings are what it runs with.</summary>
public sealed class HubSettingsSpecs
{
    [Fact]
    public void Stream_hosts_auto_is_twice_the_cores_and_at_least_two()
    {
        var settings = NodeSetup.From(ConfigLoader.Load(CommandLine.Parse([])));

        Assert.Equal(Math.Max(2, Environment.ProcessorCount * 2), settings.Hub.Settings.Session.StreamHosts);
    }

    [Fact]
    public void Stream_hosts_takes_a_number()
    {
        var settings = NodeSetup.From(ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.stream-hosts=3"])));

        Assert.Equal(3, settings.Hub.Settings.Session.StreamHosts);
    }

    [Fact]
    public void Unsubscribed_replay_is_64_MiB_unless_set()
    {
        Assert.Equal(64L * 1024 * 1024, NodeSetup.From(ConfigLoader.Load(CommandLine.Parse([]))).Hub.Settings.ReplayUnsubscribedMaxBytes);

        var set = NodeSetup.From(ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.replay.unsubscribed-max-bytes=0"])));
        Assert.Equal(0, set.Hub.Settings.ReplayUnsubscribedMaxBytes);
    }

    [Fact]
    public void History_is_off_unless_keep_for_is_set()
    {
        Assert.False(NodeSetup.From(ConfigLoader.Load(CommandLine.Parse([]))).Hub.Settings.History);

        var on = NodeSetup.From(ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.history.keep-for=2m", "--set", "pingactors.hub.history.max-messages=5000"]))).Hub.Settings;
        Assert.True(on.History);
        Assert.Equal((TimeSpan.FromMinutes(2), 5000), (on.HistoryKeepFor, on.HistoryMaxMessages));
    }

    [Theory]
    [InlineData("pingactors.hub.history.keep-for", "soon")]
    [InlineData("pingactors.hub.history.max-messages", "-1")]
    public void A_bad_history_value_is_refused_naming_its_key(string key, string value)
    {
        var error = Assert.Throws<ConfigException>(() => NodeSetup.From(ConfigLoader.Load(CommandLine.Parse(["--set", $"{key}={value}"]))));
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void Channel_threads_auto_is_a_quarter_of_the_cores_and_at_least_one()
    {
        var settings = NodeSetup.From(ConfigLoader.Load(CommandLine.Parse([])));

        Assert.Equal(Math.Max(1, (Environment.ProcessorCount + 3) / 4), settings.Hub.Settings.ChannelThreads);
    }

    [Fact]
    public void Channel_threads_takes_a_number()
    {
        var settings = NodeSetup.From(ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.channel-threads=3"])));

        Assert.Equal(3, settings.Hub.Settings.ChannelThreads);
    }

    [Fact]
    public void Small_channel_sockets_defaults_to_16_and_takes_0()
    {
        Assert.Equal(16, NodeSetup.From(ConfigLoader.Load(CommandLine.Parse([]))).Hub.Settings.SmallChannelSockets);
        var off = NodeSetup.From(ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.small-channel-sockets=0"])));
        Assert.Equal(0, off.Hub.Settings.SmallChannelSockets);
    }

    [Fact]
    public void Io_queues_auto_leaves_kestrels_default()
    {
        var settings = NodeSetup.From(ConfigLoader.Load(CommandLine.Parse([])));

        Assert.Null(settings.Node.IoQueues);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("1", 1)]
    public void Io_queues_takes_a_number(string value, int expected)
    {
        var settings = NodeSetup.From(ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.io-queues=" + value])));

        Assert.Equal(expected, settings.Node.IoQueues);
    }

    [Fact]
    public void Publish_backlog_defaults_to_16000_deliveries_and_takes_zero_for_no_limit()
    {
        Assert.Equal(16_000, NodeSetup.From(ConfigLoader.Load(CommandLine.Parse([]))).Hub.Settings.PublishBacklog);
        Assert.Equal(0, NodeSetup.From(ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.publish-backlog=0"]))).Hub.Settings.PublishBacklog);
    }

    [Fact]
    public void A_negative_publish_backlog_is_refused_with_its_key()
    {
        var loaded = ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.publish-backlog=-1"]));

        var error = Assert.Throws<ConfigException>(() => NodeSetup.From(loaded));
        Assert.Contains("pingactors.hub.publish-backlog", error.Message);
    }

    [Fact]
    public void A_negative_small_channel_sockets_is_refused_with_its_key()
    {
        var loaded = ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.small-channel-sockets=-1"]));

        var error = Assert.Throws<ConfigException>(() => NodeSetup.From(loaded));
        Assert.Contains("pingactors.hub.small-channel-sockets", error.Message);
    }

    [Fact]
    public void A_websocket_key_applies_to_the_hub_unless_the_hubs_own_key_is_set()
    {
        var shared = NodeSetup.From(ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.websocket.max-message-size=1KiB", "--set", "pingactors.websocket.outbound.max-messages=7"])));
        Assert.Equal(1024, shared.Hub.Settings.Session.MaxMessageSize);
        Assert.Equal(7, shared.Hub.Settings.Session.OutboundMaxMessages);

        var own = NodeSetup.From(ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.websocket.max-message-size=1KiB", "--set", "pingactors.hub.max-message-size=2KiB"])));
        Assert.Equal(2048, own.Hub.Settings.Session.MaxMessageSize);
        Assert.Equal(256, own.Hub.Settings.Session.OutboundMaxMessages);
    }

    [Fact]
    public void A_bad_hub_override_of_a_websocket_key_is_refused_with_the_hubs_key()
    {
        var loaded = ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.outbound.overflow=sometimes"]));

        var error = Assert.Throws<ConfigException>(() => NodeSetup.From(loaded));
        Assert.Contains("pingactors.hub.outbound.overflow: expected one of close, drop-oldest", error.Message);
    }

    [Fact]
    public void The_hub_section_still_refuses_a_key_that_is_neither_its_own_nor_a_websocket_one()
    {
        var loaded = ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.outbound.max-messagez=3"]));

        var error = Assert.Throws<ConfigException>(() => NodeSetup.From(loaded));
        Assert.Contains("pingactors.hub.outbound.max-messagez: expected a key listed in hocon/reference.conf", error.Message);
    }

    [Fact]
    public void The_hub_is_on_by_default_and_can_be_turned_off()
    {
        Assert.True(NodeSetup.From(ConfigLoader.Load(CommandLine.Parse([]))).Hub.Enabled);
        var off = NodeSetup.From(ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.hub.enabled=off"])));
        Assert.False(off.Hub.Enabled);
        Assert.DoesNotContain(off.Listeners, l => l.Name == "hub");
        Assert.Contains(off.Listeners, l => l.Name == "ops");
    }

    [Fact]
    public void A_body_rate_grace_of_a_second_or_less_is_refused_with_its_key()
    {
        // Kestrel throws on a grace period of one second or less; the node names the key instead.
        var loaded = ConfigLoader.Load(CommandLine.Parse(["--set", "pingactors.http.min-body-rate-grace=1s"]));

        var error = Assert.Throws<ConfigException>(() => NodeSetup.From(loaded));
        Assert.Contains("pingactors.http.min-body-rate-grace: expected a duration above 1s", error.Message);
    }
}
