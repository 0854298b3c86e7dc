using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.Hosting;
using PingActors.Actors.Hub.Channels;

namespace PingActors.Actors.Hub;

/// <summary>The hub's part of a node's ActorSystem: the channel shard region and the node-local channels.</summary>
public static class HubHosting
{
    public const string ChannelTypeName = "channel";

    /// <summary>The dispatcher of the node-local channels, the fan-out: threads of their own, or the publisher's for a small channel (hocon/reference.conf).</summary>
    public const string ChannelDispatcherId = "akka.actor.pingactors-channel-dispatcher";

    /// <summary>The dispatcher of the sharded channels: the sender's own thread (hocon/reference.conf).</summary>
    public const string SequencerDispatcherId = "akka.actor.pingactors-sequencer-dispatcher";

    /// <summary>Registers <see cref="ChannelRegion"/> and <see cref="LocalChannelHub"/> (at <c>/user/local-channels</c>).</summary>
    /// <param name="numberOfShards">akka.cluster.sharding.number-of-shards, which every node of a cluster must agree on.</param>
    public static AkkaConfigurationBuilder AddHub(this AkkaConfigurationBuilder builder, HubSettings settings, HubMetrics metrics, int numberOfShards) =>
        builder
            .AddHocon(ChannelDispatcher(settings), HoconAddMode.Prepend)
            .WithShardRegion<ChannelRegion>(
                ChannelTypeName,
                channel => ChannelEntity.PropsFor(channel, settings, metrics).WithDispatcher(SequencerDispatcherId),
                new ChannelMessageExtractor(numberOfShards),
                new ShardOptions
                {
                    HandOffStopMessage = StopChannel.Instance,
                    RememberEntities = false,
                    StateStoreMode = StateStoreMode.DData,
                })
            .WithActors((system, registry) =>
            {
                var region = registry.Get<ChannelRegion>();
                var localChannels = system.ActorOf(LocalChannelHub.PropsFor(region, settings, metrics).WithDispatcher(ChannelDispatcherId), "local-channels");
                registry.Register<LocalChannelHub>(localChannels);
            });

    // pingactors.hub.channel-threads decides the channel dispatcher's size (HOCON has no "auto") and
    // pingactors.hub.small-channel-sockets which channels run on the publisher's thread instead.
    private static Config ChannelDispatcher(HubSettings settings) =>
        ConfigurationFactory.ParseString(
            $"""
            {ChannelDispatcherId}.dedicated-thread-pool.thread-count = {settings.ChannelThreads}
            {ChannelDispatcherId}.channel-executor.inline-max-sockets = {settings.SmallChannelSockets}
            """);
}
