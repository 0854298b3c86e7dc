using Akka.Hosting;
using PingActors.Actors.Proxy.Delivery;

namespace PingActors.Actors.Proxy;

/// <summary>The proxy's part of a node's ActorSystem: its gateway for other nodes' /send and /close, at <c>/user/proxy-gateway</c>.</summary>
public static class ProxyHosting
{
    public static AkkaConfigurationBuilder AddProxy(this AkkaConfigurationBuilder builder, SessionDirectory directory, ProxyPeers peers) =>
        builder.WithActors((system, registry) =>
            registry.Register<ProxyGateway>(system.ActorOf(ProxyGateway.PropsFor(directory, peers), ProxyGateway.Name)));
}
