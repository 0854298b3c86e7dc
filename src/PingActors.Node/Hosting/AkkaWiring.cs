using Akka.Cluster;
using Akka.Hosting;
using PingActors.Actors.Hub;
using PingActors.Actors.Sessions;
using PingActors.Node.Configuration;

namespace PingActors.Node.Hosting;

/// <summary>Adds the node's ActorSystem: the merged HOCON, Akka's logging, the session core and each enabled feature's actors.</summary>
public static class AkkaWiring
{
    public const string SystemName = "PingActors";

    public static IServiceCollection AddPingActorsAkka(this IServiceCollection services, LoadedConfig config, NodeSetup setup, HubMetrics hubMetrics)
    {
        var shards = config.Config.GetInt("akka.cluster.sharding.number-of-shards", 100);
        return services.AddAkka(SystemName, builder =>
        {
            builder
                .AddHocon(config.Config, HoconAddMode.Prepend)
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .AddSessions();

            // The hub's actors run even with its listener off: the channels are cluster-wide, and a node
            // without subscribers of its own still hosts its share of them.
            builder.AddHub(setup.Hub.Settings, hubMetrics, shards);

            builder.WithActors((system, _) =>
            {
                var cluster = Cluster.Get(system);
                if (cluster.Settings.SeedNodes.Count == 0)
                {
                    // No seeds: a cluster of one, so one code path serves one node and many.
                    cluster.Join(cluster.SelfAddress);
                }
            });
        });
    }
}
