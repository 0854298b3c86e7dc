using PingActors.Actors.Sessions;
using Prometheus;

namespace PingActors.Actors.Proxy;

/// <summary>The proxy's Prometheus series, beside the session core's (<c>feature="proxy"</c>) in the node's registry.</summary>
public sealed class ProxyMetrics
{
    private readonly Counter _callbacks;
    private readonly Histogram _callbackSeconds;

    /// <param name="feature">The sessions' feature label: each face's sockets are counted apart, its callbacks together.</param>
    public ProxyMetrics(CollectorRegistry registry, string feature = "proxy")
    {
        Session = new SessionMetrics(registry, feature);
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _callbacks = factory.CreateCounter(
            "pingactors_proxy_callbacks_total",
            "Callbacks to the app by kind (connect, establish, receive, close) and outcome (ok, refused, error, timeout).",
            "kind",
            "outcome");
        _callbackSeconds = factory.CreateHistogram(
            "pingactors_proxy_callback_seconds",
            "How long the app took to answer a callback, by kind.",
            new HistogramConfiguration { LabelNames = ["kind"], Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
        Deliveries = factory.CreateCounter("pingactors_proxy_deliveries_total", "Messages queued for a session's client by /send and /close (one per session).");
        DeliveryErrors = factory.CreateCounter("pingactors_proxy_delivery_errors_total", "Sessions a /send or /close could not queue for, by reason.", "reason");
    }

    public SessionMetrics Session { get; }

    public Counter Deliveries { get; }

    public Counter DeliveryErrors { get; }

    public void Callback(string kind, string outcome, TimeSpan took)
    {
        _callbacks.WithLabels(kind, outcome).Inc();
        _callbackSeconds.WithLabels(kind).Observe(took.TotalSeconds);
    }
}
