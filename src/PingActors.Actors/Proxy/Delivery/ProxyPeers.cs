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

    internal void Publish(IReadOnlyList<IActorRef> gateways) => _gateways = gateways;
}
