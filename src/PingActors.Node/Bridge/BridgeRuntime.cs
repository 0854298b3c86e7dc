using Akka.Actor;
using PingActors.Actors.Bridge;

namespace PingActors.Node.Bridge;

/// <summary>The bridge's parts on this node, made on first use (its backend is loaded at start by its settings).</summary>
public sealed class BridgeRuntime(BridgeFeatureSettings feature, BridgeMetrics metrics, ActorSystem system)
{
    private readonly Lazy<BridgeContext> _context = new(() => BridgeContext.Start(
        new BridgeSettings { ConnectTimeout = feature.ConnectTimeout, Session = feature.Session },
        feature.Backend!,
        feature.Allow is { } allow ? allow.Allows : null,
        metrics,
        system));

    public BridgeContext Context => _context.Value;
}
