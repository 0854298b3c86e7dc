using PingActors.Actors.Sessions;
using Prometheus;

namespace PingActors.Actors.Bridge;

/// <summary>The bridge's Prometheus series, beside the session core's (<c>feature="bridge"</c>).</summary>
public sealed class BridgeMetrics
{
    public BridgeMetrics(CollectorRegistry registry)
    {
        Session = new SessionMetrics(registry, "bridge");
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        Refused = factory.CreateCounter(
            "pingactors_bridge_refused_total",
            "Bridge handshakes refused, by reason (no_route: no backend rule matched; not_allowed: the peer is outside pingactors.bridge.allow; peer_down: connecting failed).",
            "reason");
    }

    public SessionMetrics Session { get; }

    public Counter Refused { get; }
}
