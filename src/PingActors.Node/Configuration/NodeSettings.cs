namespace PingActors.Node.Configuration;

/// <summary>
/// Typed, validated view of what the whole node shares: the ops listener, shutdown, logging, the cluster
/// join, and the limits on connections and socket queues. Each feature reads its own section itself.
/// </summary>
public sealed record NodeSettings(
    ListenAddress OpsListen,
    bool AccessLog,
    TimeSpan DrainWindow,
    TimeSpan ShutdownTimeout,
    Microsoft.Extensions.Logging.LogLevel LogLevel,
    TimeSpan ClusterJoinTimeout,
    long? MaxConnections,
    int? IoQueues)
{
    public const string OpsListenKey = "pingactors.ops.listen";

    internal static NodeSettings From(SettingsReader reader) => new(
        reader.Listen(OpsListenKey),
        reader.Bool("pingactors.ops.access-log"),
        reader.Duration("pingactors.shutdown.drain-window", positive: false),
        reader.Duration("pingactors.shutdown.timeout", positive: true),
        reader.Choice("pingactors.log.level", new Dictionary<string, Microsoft.Extensions.Logging.LogLevel>
        {
            ["trace"] = Microsoft.Extensions.Logging.LogLevel.Trace,
            ["debug"] = Microsoft.Extensions.Logging.LogLevel.Debug,
            ["information"] = Microsoft.Extensions.Logging.LogLevel.Information,
            ["info"] = Microsoft.Extensions.Logging.LogLevel.Information,
            ["warning"] = Microsoft.Extensions.Logging.LogLevel.Warning,
            ["error"] = Microsoft.Extensions.Logging.LogLevel.Error,
        }),
        reader.Duration("pingactors.cluster.join-timeout", positive: true),

        // Node-wide limits whose keys stay under pingactors.hub, where Pinghub users set them first.
        reader.AutoOrLong("pingactors.hub.max-connections", min: 1),
        (int?)reader.AutoOrLong("pingactors.hub.io-queues", min: 0, max: 64));
}
