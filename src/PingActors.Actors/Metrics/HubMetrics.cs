using Prometheus;

namespace PingActors.Actors.Metrics;

/// <summary>
/// The node's counters. One instance per node, passed to the actors that update it; it owns its own
/// Prometheus registry so two nodes in one process (tests) never share numbers.
/// </summary>
public sealed class HubMetrics
{
    public HubMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();

        // The process and runtime figures an operator expects beside ours (CPU seconds, resident and
        // virtual memory, open handles against the descriptor limit, threads, GC collections per
        // generation); read at each scrape, nothing on the message path.
        DotNetStats.Register(Registry);
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        Connections = factory.CreateGauge("pingactors_connections", "Open WebSocket connections on this node.");
        ConnectionsTotal = factory.CreateCounter("pingactors_connections_total", "WebSocket connections accepted by this node.");
        LocalChannels = factory.CreateGauge("pingactors_local_channels", "Channels with at least one subscriber on this node.");
        ChannelEntities = factory.CreateGauge("pingactors_channel_entities", "Sharded channel entities hosted by this node.");
        Published = factory.CreateCounter("pingactors_messages_published_total", "Messages accepted for publishing on this node (POST and WebSocket).", "source");
        Delivered = factory.CreateCounter("pingactors_messages_delivered_total", "Messages handed to subscriber sockets on this node.");
        Dropped = factory.CreateCounter("pingactors_messages_dropped_total", "Messages dropped on this node (outbound queue overflow or closed subscriber).");
        SlowConsumerDisconnects = factory.CreateCounter("pingactors_slow_consumer_disconnects_total", "Connections closed because their outbound queue overflowed.");
        PublishPost = Published.WithLabels("post");
        PublishWebSocket = Published.WithLabels("websocket");
    }

    public CollectorRegistry Registry { get; }

    public Gauge Connections { get; }

    public Counter ConnectionsTotal { get; }

    public Gauge LocalChannels { get; }

    public Gauge ChannelEntities { get; }

    public Counter Published { get; }

    public Counter.Child PublishPost { get; }

    public Counter.Child PublishWebSocket { get; }

    public Counter Delivered { get; }

    public Counter Dropped { get; }

    public Counter SlowConsumerDisconnects { get; }
}
