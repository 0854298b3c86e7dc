using PingActors.Actors.Hub;
using PingActors.Node.Http;

namespace PingActors.Node.Configuration;

/// <summary>Typed, validated view of the <c>pingactors</c> section.</summary>
public sealed record NodeSettings(
    ListenAddress HubListen,
    ListenAddress OpsListen,
    OriginPolicy Origins,
    bool HtmlPage,
    HubSettings Hub,
    bool AccessLog,
    TimeSpan DrainWindow,
    TimeSpan ShutdownTimeout,
    Microsoft.Extensions.Logging.LogLevel LogLevel,
    TimeSpan ClusterJoinTimeout,
    long? MaxConnections,
    int ChannelThreads,
    int SmallChannelSockets,
    int? IoQueues)
{
    /// <summary>
    /// The longest a drain of the node's sockets may take: the window they are closed over, the last one's
    /// close handshake (close-timeout), and a second for the rest.
    /// </summary>
    public TimeSpan DrainBound => DrainWindow + Hub.CloseTimeout + TimeSpan.FromSeconds(1);

    /// <summary>pingactors.hub.channel-threads = auto: a quarter of the cores, at least one.</summary>
    public static int AutoChannelThreads => Math.Max(1, (Environment.ProcessorCount + 3) / 4);

    public static NodeSettings From(LoadedConfig loaded)
    {
        var reader = new SettingsReader(loaded);
        reader.RejectUnknownKeys("pingactors");

        var hub = new HubSettings
        {
            MaxMessageSize = reader.Size("pingactors.hub.max-message-size", min: 1, max: 64 * 1024 * 1024),
            PublishTimeout = reader.Duration("pingactors.hub.publish-timeout", positive: true),
            PublishBacklog = reader.Int("pingactors.hub.publish-backlog", min: 0),
            JoinTimeout = reader.Duration("pingactors.hub.join-timeout", positive: true),
            ChannelIdleTimeout = reader.Duration("pingactors.hub.channel-idle-timeout", positive: true),
            SubscribeRetry = reader.Duration("pingactors.hub.subscribe-retry", positive: true),
            ReplayMaxMessages = reader.Int("pingactors.hub.replay.max-messages", min: 0),
            ReplayMaxBytes = reader.Size("pingactors.hub.replay.max-bytes", min: 0, max: int.MaxValue),
            ReplayUnsubscribedMaxBytes = reader.Size("pingactors.hub.replay.unsubscribed-max-bytes", min: 0, max: int.MaxValue),
            OutboundMaxMessages = reader.Int("pingactors.hub.outbound.max-messages", min: 1),
            OutboundMaxBytes = reader.Size("pingactors.hub.outbound.max-bytes", min: 1, max: int.MaxValue),
            Overflow = reader.Choice("pingactors.hub.outbound.overflow", new Dictionary<string, OverflowPolicy>
            {
                ["close"] = OverflowPolicy.Close,
                ["drop-oldest"] = OverflowPolicy.DropOldest,
            }),
            WriteTimeout = reader.Duration("pingactors.hub.outbound.write-timeout", positive: true),
            CloseTimeout = reader.Duration("pingactors.hub.outbound.close-timeout", positive: true),
            KeepAliveInterval = reader.Duration("pingactors.hub.keepalive.interval", positive: false),
            KeepAliveTimeout = reader.Duration("pingactors.hub.keepalive.timeout", positive: false),
        };
        if (reader.AutoOrLong("pingactors.hub.stream-hosts", min: 1, max: 1024) is { } streamHosts)
        {
            hub = hub with { StreamHosts = (int)streamHosts };
        }

        var hubListen = reader.Listen("pingactors.hub.listen");
        var opsListen = reader.Listen("pingactors.ops.listen");
        if (hubListen.Port != 0 && hubListen.Port == opsListen.Port && (hubListen.Address.Equals(opsListen.Address) || IsAny(hubListen) || IsAny(opsListen)))
        {
            throw new ConfigException($"{loaded.SourceOf("pingactors.ops.listen")}: pingactors.ops.listen: expected a different address than pingactors.hub.listen, got {opsListen}");
        }

        ClusterChecks.Validate(loaded);

        return new NodeSettings(
            hubListen,
            opsListen,
            reader.Origins("pingactors.hub.allowed-origins"),
            reader.Bool("pingactors.hub.html-page"),
            hub,
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
            reader.AutoOrLong("pingactors.hub.max-connections", min: 1),
            (int?)reader.AutoOrLong("pingactors.hub.channel-threads", min: 1, max: 256) ?? AutoChannelThreads,
            reader.Int("pingactors.hub.small-channel-sockets", min: 0),
            (int?)reader.AutoOrLong("pingactors.hub.io-queues", min: 0, max: 64));
    }

    private static bool IsAny(ListenAddress a) => a.Address.Equals(System.Net.IPAddress.Any) || a.Address.Equals(System.Net.IPAddress.IPv6Any);
}
