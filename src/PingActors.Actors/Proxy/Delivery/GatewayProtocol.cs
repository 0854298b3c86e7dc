using PingActors.Actors.Sessions;

namespace PingActors.Actors.Proxy.Delivery;

/// <summary>A proxy message that crosses nodes; bound to <see cref="Serialization.ProxyProtocolSerializer"/> in hocon/reference.conf.</summary>
public interface IProxyWireMessage;

/// <summary>Asks another node's <see cref="ProxyGateway"/> to deliver to those of <paramref name="Keys"/> it holds.</summary>
public sealed record RemoteDeliver(IReadOnlyList<string> Keys, Payload Payload, bool Close) : IProxyWireMessage;

/// <summary>The answer to <see cref="RemoteDeliver"/>: one outcome per key, <see cref="DeliveryOutcome.NotFound"/> for keys that node does not hold.</summary>
public sealed record RemoteDelivered(IReadOnlyList<DeliveryOutcome> Outcomes) : IProxyWireMessage;

/// <summary>Asks another node which of <paramref name="Keys"/> it holds (strict-broadcast checks every key before sending any).</summary>
public sealed record RemoteLookup(IReadOnlyList<string> Keys) : IProxyWireMessage;

/// <summary>The answer to <see cref="RemoteLookup"/>, one flag per key.</summary>
public sealed record RemoteFound(IReadOnlyList<bool> Found) : IProxyWireMessage;
