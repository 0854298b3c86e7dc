using Prometheus;

namespace PingActors.Actors.Sessions;

/// <summary>
/// The counters every kind of session keeps, labelled with its feature (<c>feature="hub"</c>) in the node's
/// one registry, so an operator sees each feature's sockets apart and all of them summed.
/// </summary>
public sealed class SessionMetrics
{
    public SessionMetrics(CollectorRegistry registry, string feature)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        Connections = factory.CreateGauge("pingactors_connections", "Open WebSocket connections on this node.", "feature").WithLabels(feature);
        ConnectionsTotal = factory.CreateCounter("pingactors_connections_total", "WebSocket connections accepted by this node.", "feature").WithLabels(feature);
        Dropped = factory.CreateCounter("pingactors_messages_dropped_total", "Messages dropped on this node (outbound queue overflow or closed subscriber).", "feature").WithLabels(feature);
        SlowConsumerDisconnects = factory.CreateCounter("pingactors_slow_consumer_disconnects_total", "Connections closed because their outbound queue overflowed.", "feature").WithLabels(feature);
        DeflateCompressions = factory.CreateCounter("pingactors_deflate_compressions_total", "Messages compressed for permessage-deflate sockets: once per message per node, however many sockets it goes to.", "feature").WithLabels(feature);
    }

    public Gauge.Child Connections { get; }

    public Counter.Child ConnectionsTotal { get; }

    public Counter.Child Dropped { get; }

    public Counter.Child SlowConsumerDisconnects { get; }

    public Counter.Child DeflateCompressions { get; }
}
