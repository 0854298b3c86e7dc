using System.Text.Json.Serialization;

namespace PingActors.Node.Ops;

/// <summary>The body of <c>GET /stats</c>.</summary>
/// <param name="Build"><c>native</c> for an ahead-of-time compiled node (docs/native.md), else <c>jit</c>.</param>
/// <param name="ReplayUnsubscribedBytes">Replay kept by this node's channels that have no subscriber (pingactors.hub.replay.unsubscribed-max-bytes).</param>
public sealed record NodeStats(
    string Build,
    long Connections,
    long ConnectionsTotal,
    long Channels,
    long ChannelEntities,
    long ReplayUnsubscribedBytes,
    int Shards,
    MessageStats Messages,
    long SlowConsumerDisconnects,
    ClusterStats Cluster,
    RecoveryStats Recovery,
    SseStats Sse);

/// <summary>The Server-Sent Events streams among the connections above (docs/sse.md).</summary>
public sealed record SseStats(long Connections, long ConnectionsTotal, long EventsSent, long SlowConsumerDisconnects, long Refused);

/// <summary>Subscribers that reconnected with a position (docs/recovery.md): served everything they missed, or not.</summary>
public sealed record RecoveryStats(long Recovered, long NotRecovered);

/// <param name="FanoutBacklog">Socket deliveries waiting for the node's channel threads (pingactors.hub.publish-backlog).</param>
public sealed record MessageStats(long Published, long Delivered, long Dropped, long FanoutBacklog);

public sealed record ClusterStats(string Self, string Status, bool Joined, int Members, int MembersUp, int Unreachable, string? Leader);

/// <summary>The body of <c>GET /cluster</c>.</summary>
public sealed record ClusterView(string Self, string? Leader, ClusterMember[] Members);

public sealed record ClusterMember(string Address, string Status, string[] Roles, bool Reachable);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(NodeStats))]
[JsonSerializable(typeof(ClusterView))]
internal sealed partial class StatsJson : JsonSerializerContext;
