using Prometheus;

namespace PingActors.Actors.Hub.Sse;

/// <summary>
/// The SSE streams' own counters. The streams are counted in the hub's session counters as well
/// (<c>pingactors_connections{feature="hub"}</c>, drops, slow-consumer closes), so <c>/stats</c> sums both transports.
/// </summary>
public sealed class SseMetrics
{
    public SseMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        Connections = factory.CreateGauge("pingactors_sse_connections", "Open Server-Sent Events streams on this node.");
        ConnectionsTotal = factory.CreateCounter("pingactors_sse_connections_total", "Server-Sent Events streams opened by this node.");
        Events = factory.CreateCounter("pingactors_sse_events_sent_total", "Events (messages and recovery notices, not heartbeats) written to SSE streams on this node.");
        SlowConsumerDisconnects = factory.CreateCounter("pingactors_sse_slow_consumer_disconnects_total", "SSE streams ended because their outbox overflowed.");
        Refused = factory.CreateCounter("pingactors_sse_refused_total", "SSE requests refused (connection limit, draining, channel unavailable).");
    }

    public Gauge Connections { get; }

    public Counter ConnectionsTotal { get; }

    public Counter Events { get; }

    public Counter SlowConsumerDisconnects { get; }

    public Counter Refused { get; }
}
