using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Streams;
using PingActors.Actors.Channels;
using PingActors.Actors.Connections;
using PingActors.Actors.Metrics;
using PingActors.Node.Configuration;

namespace PingActors.Node.Hosting;

/// <summary>Adds the node's ActorSystem: the merged HOCON, the channel shard region and the per-node actors.</summary>
public static class AkkaWiring
{
    public const string SystemName = "PingActors";
    public const string ChannelTypeName = "channel";

    /// <summary>The dispatcher of the node-local channels, the fan-out: threads of their own, or the publisher's for a small channel (hocon/reference.conf).</summary>
    public const string ChannelDispatcherId = "akka.actor.pingactors-channel-dispatcher";

    /// <summary>The dispatcher of the sharded channels: the sender's own thread (hocon/reference.conf).</summary>
    public const string SequencerDispatcherId = "akka.actor.pingactors-sequencer-dispatcher";

    public static IServiceCollection AddPingActorsAkka(this IServiceCollection services, LoadedConfig config, NodeSettings settings, HubMetrics metrics)
    {
        var maxShards = config.Config.GetInt("akka.cluster.sharding.number-of-shards", 100);
        return services.AddAkka(SystemName, builder =>
        {
            builder
                .AddHocon(ChannelDispatcher(settings).WithFallback(config.Config), HoconAddMode.Prepend)
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithShardRegion<ChannelRegion>(
                    ChannelTypeName,
                    channel => ChannelEntity.PropsFor(channel, settings.Hub, metrics).WithDispatcher(SequencerDispatcherId),
                    new ChannelMessageExtractor(maxShards),
                    new ShardOptions
                    {
                        HandOffStopMessage = StopChannel.Instance,
                        RememberEntities = false,
                        StateStoreMode = StateStoreMode.DData,
                    })
                .WithActors((system, registry) =>
                {
                    var region = registry.Get<ChannelRegion>();
                    var localChannels = system.ActorOf(LocalChannelHub.PropsFor(region, settings.Hub, metrics).WithDispatcher(ChannelDispatcherId), "local-channels");
                    registry.Register<LocalChannelHub>(localChannels);
                    var hosts = StreamHosts.Start(settings.Hub.StreamHosts, system.Materializer());
                    var context = new ConnectionContext(localChannels, region, settings.Hub, metrics, hosts);
                    registry.Register<ConnectionSupervisor>(system.ActorOf(ConnectionSupervisor.PropsFor(context), "connections"));

                    var cluster = Cluster.Get(system);
                    if (cluster.Settings.SeedNodes.Count == 0)
                    {
                        // No seeds: a cluster of one, so one code path serves one node and many.
                        cluster.Join(cluster.SelfAddress);
                    }
                });
        });
    }

    // pingactors.hub.channel-threads decides the channel dispatcher's size (HOCON has no "auto") and
    // pingactors.hub.small-channel-sockets which channels run on the publisher's thread instead.
    private static Akka.Configuration.Config ChannelDispatcher(NodeSettings settings) =>
        Akka.Configuration.ConfigurationFactory.ParseString(
            $"""
            {ChannelDispatcherId}.dedicated-thread-pool.thread-count = {settings.ChannelThreads}
            {ChannelDispatcherId}.channel-executor.inline-max-sockets = {settings.SmallChannelSockets}
            """);
}
