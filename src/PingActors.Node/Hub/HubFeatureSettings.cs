using PingActors.Actors.Hub;
using PingActors.Actors.Hub.Sse;
using PingActors.Node.Configuration;
using PingActors.Node.WebSockets;

namespace PingActors.Node.Hub;

/// <summary>Typed, validated view of <c>pingactors.hub</c>: its listener, its HTTP behaviour, and the hub's actor settings.</summary>
/// <param name="SseMaxConnections">pingactors.hub.sse.max-connections; null (auto): the WebSocket limit.</param>
public sealed record HubFeatureSettings(bool Enabled, ListenAddress Listen, OriginPolicy Origins, bool HtmlPage, HubSettings Settings, string CloseTimeoutKey, long? SseMaxConnections = null)
{
    public const string Name = "hub";
    public const string ListenKey = "pingactors.hub.listen";

    internal static HubFeatureSettings From(SettingsReader reader)
    {
        var settings = new HubSettings
        {
            Session = SessionSettingsReader.Read(reader, Name),
            PublishTimeout = reader.Duration("pingactors.hub.publish-timeout", positive: true),
            PublishBacklog = reader.Int("pingactors.hub.publish-backlog", min: 0),
            PublishWindow = reader.Int("pingactors.hub.publish-window", min: 0),
            JoinTimeout = reader.Duration("pingactors.hub.join-timeout", positive: true),
            ChannelIdleTimeout = reader.Duration("pingactors.hub.channel-idle-timeout", positive: true),
            SubscribeRetry = reader.Duration("pingactors.hub.subscribe-retry", positive: true),
            ReplayMaxMessages = reader.Int("pingactors.hub.replay.max-messages", min: 0),
            ReplayMaxBytes = reader.Size("pingactors.hub.replay.max-bytes", min: 0, max: int.MaxValue),
            ReplayUnsubscribedMaxBytes = reader.Size("pingactors.hub.replay.unsubscribed-max-bytes", min: 0, max: int.MaxValue),
            SmallChannelSockets = reader.Int("pingactors.hub.small-channel-sockets", min: 0),
            Sse = new SseSettings
            {
                Enabled = reader.Bool("pingactors.hub.sse.enabled"),
                Heartbeat = reader.Duration("pingactors.hub.sse.heartbeat", positive: false),
                Retry = reader.Duration("pingactors.hub.sse.retry", positive: false),
            },
            HistoryKeepFor = reader.Duration("pingactors.hub.history.keep-for", positive: false),
            HistoryMaxMessages = reader.Int("pingactors.hub.history.max-messages", min: 0),
        };
        if (reader.AutoOrLong("pingactors.hub.channel-threads", min: 1, max: 256) is { } threads)
        {
            settings = settings with { ChannelThreads = (int)threads };
        }

        return new HubFeatureSettings(
            reader.Bool("pingactors.hub.enabled"),
            reader.Listen(ListenKey),
            OriginPolicy.Read(reader, "pingactors.hub.allowed-origins"),
            reader.Bool("pingactors.hub.html-page"),
            settings,
            SessionSettingsReader.KeyFor(reader, Name, "outbound.close-timeout"),
            reader.AutoOrLong("pingactors.hub.sse.max-connections", min: 1));
    }
}
