using Akka.Actor;

namespace PingActors.Actors.Proxy.Delivery;

/// <summary>
/// The other nodes' gateways as last seen by this node's <see cref="ProxyGateway"/>, published as an immutable
/// list so a /send reads it without a message to the gateway.
/// </summary>
public sealed class ProxyPeers
{
    private volatile IReadOnlyList<IActorRef> _gateways = [];

    public IReadOnlyList<IActorRef> Gateways => _gateways;

    /// <summary>This node's own gateway: the sender other gateways answer.</summary>
    public IActorRef Local { get; internal set; } = ActorRefs.Nobody;

    /// <summary>What this node waits for from the others.</summary>
    public PendingAnswers Pending { get; } = new();

    private readonly System.Collections.Concurrent.ConcurrentDictionary<IActorRef, PeerBatcher> _batchers = new();

    /// <summary>The batcher of deliveries to <paramref name="gateway"/>'s node.</summary>
    public PeerBatcher BatcherFor(IActorRef gateway) => _batchers.GetOrAdd(gateway, g => new PeerBatcher(g, () => Local));

    internal void Publish(IReadOnlyList<IActorRef> gateways) => _gateways = gateways;
}
