using Prometheus;

namespace PingActors.Node.Ops;

/// <summary>
/// The node's one Prometheus registry, which every feature's counters join; its own per node, so two nodes in
/// one process (tests) never share numbers.
/// </summary>
public sealed class NodeMetrics
{
    public NodeMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();

        // The process and runtime figures an operator expects beside ours (CPU seconds, resident and
        // virtual memory, open handles against the descriptor limit, threads, GC collections per
        // generation); read at each scrape, nothing on the message path.
        DotNetStats.Register(Registry);
    }

    public CollectorRegistry Registry { get; }
}
