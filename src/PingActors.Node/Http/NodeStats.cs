using System.Text.Json.Serialization;

namespace PingActors.Node.Http;

/// <summary>The body of <c>GET /stats</c>.</summary>
public sealed record NodeStats(
    long Connections,
    long ConnectionsTotal,
    long Channels,
    long ChannelEntities,
    MessageStats Messages,
    long SlowConsumerDisconnects,
    ClusterStats Cluster);

public sealed record MessageStats(long Published, long Delivered, long Dropped);

public sealed record ClusterStats(string Self, string Status, int Members, int MembersUp, int Unreachable);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(NodeStats))]
internal sealed partial class StatsJson : JsonSerializerContext;
