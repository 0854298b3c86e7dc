using PingActors.Actors.Hub.Sse;
using PingActors.Actors.Sessions;
using Prometheus;

namespace PingActors.Actors.Hub;

/// <summary>
/// The hub's counters, in the node's registry (a registry of its own when none is given, as in actor
/// specs, so two nodes in one process never share numbers); its sockets' counters are <see cref="Session"/>.
/// </summary>
public sealed class HubMetrics
{
    public const string Feature = "hub";

    public HubMetrics()
        : this(Prometheus.Metrics.NewCustomRegistry())
    {
    }

    public HubMetrics(CollectorRegistry registry)
    {
        Registry = registry;
        Session = new SessionMetrics(registry, Feature);
        Sse = new SseMetrics(registry);
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        LocalChannels = factory.CreateGauge("pingactors_local_channels", "Channels with at least one subscriber on this node.");
        ChannelEntities = factory.CreateGauge("pingactors_channel_entities", "Sharded channel entities hosted by this node.");
        Published = factory.CreateCounter("pingactors_messages_published_total", "Messages accepted for publishing on this node (POST and WebSocket).", "source");
        Delivered = factory.CreateCounter("pingactors_messages_delivered_total", "Messages handed to subscriber sockets on this node.");
        var recoveries = factory.CreateCounter("pingactors_hub_recoveries_total", "Subscribers that reconnected with a position (since): whether everything they missed followed (outcome=\"recovered\") or not (\"not_recovered\").", "outcome");
        Recovered = recoveries.WithLabels("recovered");
        NotRecovered = recoveries.WithLabels("not_recovered");
        PublishPost = Published.WithLabels("post");
        PublishWebSocket = Published.WithLabels("websocket");
    }

    public CollectorRegistry Registry { get; }

    /// <summary>The hub's sockets: connections, dropped messages, slow-consumer closes (<c>feature="hub"</c>).</summary>
    public SessionMetrics Session { get; }

    /// <summary>The SSE streams' own counters (they count in <see cref="Session"/> too).</summary>
    public SseMetrics Sse { get; }

    public Gauge LocalChannels { get; }

    public Gauge ChannelEntities { get; }

    public Counter Published { get; }

    public Counter.Child PublishPost { get; }

    public Counter.Child PublishWebSocket { get; }

    public Counter Delivered { get; }

    /// <summary>Reconnections with a position that got everything they missed (docs/recovery.md).</summary>
    public Counter.Child Recovered { get; }

    /// <summary>Reconnections with a position that could not be served (another epoch, or beyond the buffer).</summary>
    public Counter.Child NotRecovered { get; }
}
