using Akka.Cluster;
using Akka.Hosting;
using PingActors.Actors.Hub;
using PingActors.Actors.Proxy;
using PingActors.Actors.Sessions;
using PingActors.Node.Configuration;
using PingActors.Node.Proxy;

namespace PingActors.Node.Hosting;

/// <summary>Adds the node's ActorSystem: the merged HOCON, Akka's logging (<see cref="AkkaLog"/>), the session core and each enabled feature's actors.</summary>
public static class AkkaWiring
{
    public const string SystemName = ClusterChecks.SystemName;

    public static IServiceCollection AddPingActorsAkka(this IServiceCollection services, LoadedConfig config, NodeSetup setup, HubMetrics hubMetrics, ProxyParts proxy)
    {
        var shards = config.Config.GetInt("akka.cluster.sharding.number-of-shards", 100);

        // Set by the operator (not reference.conf's default): Akka's own chatter was asked for, at that level.
        var akkaLevelSet = config.SourceOf("akka.loglevel") != ConfigLoader.ReferenceName;
        return services.AddAkka(SystemName, builder =>
        {
            builder
                .AddHocon(config.Config, HoconAddMode.Prepend)
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLogger<AkkaLog>();
                    if (!akkaLevelSet)
                    {
                        // Akka makes no events the node's log level would drop anyway.
                        loggers.LogLevel = AkkaLevelFor(setup.Node.LogLevel);
                    }
                })
                .AddSetup(new AkkaLogSetup(akkaInfoAsDebug: !akkaLevelSet))
                .AddSessions();

            if (config.SourceOf("akka.stdout-loglevel") == ConfigLoader.ReferenceName)
            {
                // Akka writes to stdout itself, in its own format, before AkkaLog starts and after it stops
                // (the last lines of a shutdown): at the levels AkkaLog passes on, that was chatter in a second format.
                builder.AddHocon("akka.stdout-loglevel = WARNING", HoconAddMode.Prepend);
            }

            // The hub's actors run even with its listener off: the channels are cluster-wide, and a node
            // without subscribers of its own still hosts its share of them.
            builder.AddHub(setup.Hub.Settings, hubMetrics, shards);
            // One gateway for both faces: they share the session directory.
            if (setup.Proxy.Enabled || setup.Wsaas.Enabled)
            {
                builder.AddProxy(proxy.Directory, proxy.Peers);
            }

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

    private static Akka.Event.LogLevel AkkaLevelFor(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => Akka.Event.LogLevel.DebugLevel,
        LogLevel.Information => Akka.Event.LogLevel.InfoLevel,
        LogLevel.Warning => Akka.Event.LogLevel.WarningLevel,
        _ => Akka.Event.LogLevel.ErrorLevel,
    };
}
