using System.Text.Json.Serialization;

namespace PingActors.Node.Ops.Console;

/// <summary>The body of <c>GET /@console/data</c>: the whole cluster as this node sees it and as each member reports itself.</summary>
/// <param name="AtMs">When this node put it together (Unix milliseconds).</param>
/// <param name="Members">Cluster membership as this node's cluster state has it.</param>
/// <param name="Nodes">Each member's own figures; <c>figures</c> is null when it did not answer in time (or is unreachable).</param>
/// <param name="Busiest">The cluster's busiest channels over the last minute (each channel is sequenced by one node).</param>
/// <param name="Rates">The members' rates summed, newest points aligned.</param>
public sealed record ConsoleData(
    string Self,
    string? Leader,
    long AtMs,
    ClusterMember[] Members,
    ConsoleNode[] Nodes,
    ConsoleBusyChannel[] Busiest,
    RateSeries Rates,
    ConsoleTotals Totals);

public sealed record ConsoleNode(string Address, NodeFigures? Figures);

public sealed record ConsoleBusyChannel(string Channel, string Node, long LastMinute, double PerSecond);

/// <param name="Answered">Members whose figures are in the totals.</param>
public sealed record ConsoleTotals(int Answered, long Connections, long Channels, long SlowConsumerDisconnects, long Dropped);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ConsoleData))]
internal sealed partial class ConsoleJson : JsonSerializerContext;
