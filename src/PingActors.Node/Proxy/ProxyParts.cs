using PingActors.Actors.Proxy;
using PingActors.Actors.Proxy.Delivery;

namespace PingActors.Node.Proxy;

/// <summary>What the proxy's HTTP side and its actors share on one node, made before either.</summary>
public sealed record ProxyParts(SessionDirectory Directory, ProxyPeers Peers, ProxyMetrics Metrics);
