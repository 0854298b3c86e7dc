using Prometheus;

namespace PingActors.Node.Ops.Console;

/// <summary>
/// The session counters summed over every feature (hub, proxy, WSaaS, bridge): the families SessionMetrics
/// labels by feature, taken from the node's registry by name (prometheus-net hands back the family already
/// registered under that name).
/// </summary>
public sealed class SessionTotals(CollectorRegistry registry)
{
    private readonly Gauge _connections = Prometheus.Metrics.WithCustomRegistry(registry)
        .CreateGauge("pingactors_connections", "Open WebSocket connections on this node.", "feature");

    private readonly Counter _dropped = Prometheus.Metrics.WithCustomRegistry(registry)
        .CreateCounter("pingactors_messages_dropped_total", "Messages dropped on this node (outbound queue overflow or closed subscriber).", "feature");

    private readonly Counter _slowConsumerDisconnects = Prometheus.Metrics.WithCustomRegistry(registry)
        .CreateCounter("pingactors_slow_consumer_disconnects_total", "Connections closed because their outbound queue overflowed.", "feature");

    public long Connections => (long)_connections.GetAllLabelValues().Sum(l => _connections.WithLabels(l).Value);

    public long Dropped => (long)_dropped.GetAllLabelValues().Sum(l => _dropped.WithLabels(l).Value);

    public long SlowConsumerDisconnects => (long)_slowConsumerDisconnects.GetAllLabelValues().Sum(l => _slowConsumerDisconnects.WithLabels(l).Value);
}
