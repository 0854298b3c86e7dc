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
    int? IoQueues,
    HttpLimits Http,
    string OpsAuthToken)
{
    public const string OpsListenKey = "pingactors.ops.listen";
    public const string OpsTokenKey = "pingactors.ops.auth-token";

    internal static NodeSettings From(SettingsReader reader)
    {
        const string graceKey = "pingactors.http.min-body-rate-grace";
        var grace = reader.Duration(graceKey, positive: true);
        if (grace <= TimeSpan.FromSeconds(1))
        {
            throw new ConfigException($"{reader.SourceOf(graceKey)}: {graceKey}: expected a duration above 1s such as 5s (Kestrel's least), got {grace.TotalSeconds:0.###}s");
        }

        var opsListen = reader.Listen(OpsListenKey);
        var token = reader.String(OpsTokenKey);
        if (token.Length == 0 && !IsLoopback(opsListen))
        {
            throw new ConfigException($"{reader.SourceOf(OpsListenKey)}: {OpsListenKey}: expected a loopback address, or {OpsTokenKey} set (ops is admin), got {opsListen}");
        }

        return new(
            opsListen,
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
            (int?)reader.AutoOrLong("pingactors.hub.io-queues", min: 0, max: 64),
            new HttpLimits(
                reader.Duration("pingactors.http.headers-timeout", positive: true),
                reader.Size("pingactors.http.min-body-rate", min: 0, max: int.MaxValue),
                grace,
                reader.Int("pingactors.http.max-pending-per-address", min: 0)),
            token);
    }

    // A unix socket is reachable only through its file's permissions: local, as loopback is.
    private static bool IsLoopback(ListenAddress listen) => listen.UnixSocket is not null || System.Net.IPAddress.IsLoopback(listen.Address);
}

/// <summary><c>pingactors.http</c>: how long and how slowly a client may send a request, on every listener.</summary>
/// <param name="MinBodyRate">Bytes per second a request body must keep up after <paramref name="MinBodyRateGrace"/>; 0 = no minimum.</param>
/// <param name="MaxPendingPerAddress">Connections one address may hold before their first request arrived; 0 = no cap.</param>
public sealed record HttpLimits(TimeSpan HeadersTimeout, int MinBodyRate, TimeSpan MinBodyRateGrace, int MaxPendingPerAddress);
