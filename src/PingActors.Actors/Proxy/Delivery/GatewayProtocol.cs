using PingActors.Actors.Sessions;

namespace PingActors.Actors.Proxy.Delivery;

/// <summary>A proxy message that crosses nodes; bound to <see cref="Serialization.ProxyProtocolSerializer"/> in hocon/reference.conf.</summary>
public interface IProxyWireMessage;

/// <summary>
/// Asks another node's <see cref="ProxyGateway"/> to deliver to those of <paramref name="Keys"/> it holds; sent by
/// the asking node's gateway, which the answer goes back to with the same <paramref name="Id"/>.
/// </summary>
public sealed record RemoteDeliver(long Id, IReadOnlyList<string> Keys, Payload Payload, bool Close) : IProxyWireMessage;

/// <summary>The answer to <see cref="RemoteDeliver"/>: one outcome per key, <see cref="DeliveryOutcome.NotFound"/> for keys that node does not hold.</summary>
public sealed record RemoteDelivered(long Id, IReadOnlyList<DeliveryOutcome> Outcomes) : IProxyWireMessage;

/// <summary>Asks another node which of <paramref name="Keys"/> it holds (strict-broadcast checks every key before sending any).</summary>
public sealed record RemoteLookup(long Id, IReadOnlyList<string> Keys) : IProxyWireMessage;

/// <summary>The answer to <see cref="RemoteLookup"/>, one flag per key.</summary>
public sealed record RemoteFound(long Id, IReadOnlyList<bool> Found) : IProxyWireMessage;

/// <summary>Several <see cref="RemoteDeliver"/> to one node that arrived together, sent as one remote message (<see cref="PeerBatcher"/>).</summary>
public sealed record RemoteDeliverBatch(IReadOnlyList<RemoteDeliver> Items) : IProxyWireMessage;

/// <summary>The answers to a <see cref="RemoteDeliverBatch"/>, one per item.</summary>
public sealed record RemoteDeliveredBatch(IReadOnlyList<RemoteDelivered> Items) : IProxyWireMessage;

/// <summary>Asks another node to describe its session <paramref name="Key"/> (the connection API's GET).</summary>
public sealed record RemoteDescribe(long Id, string Key) : IProxyWireMessage;

/// <summary>The answer to <see cref="RemoteDescribe"/>: null when that node does not hold the session.</summary>
public sealed record RemoteDescribed(long Id, ConnectionInfo? Info) : IProxyWireMessage;

/// <summary>A session as the connection API describes it.</summary>
public sealed record ConnectionInfo(string Id, string Face, DateTimeOffset ConnectedAt, DateTimeOffset LastActiveAt, string Node, string? RemoteAddress);
