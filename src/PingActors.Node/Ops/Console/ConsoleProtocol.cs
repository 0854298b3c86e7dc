using System.Text.Json.Serialization;

namespace PingActors.Node.Ops.Console;

/// <summary>A console message that crosses nodes; bound to <see cref="ConsoleWireSerializer"/> in hocon/reference.conf.</summary>
public interface IConsoleWireMessage;

/// <summary>Asks a node's <see cref="ConsoleRecorder"/> (at <c>/user/pingactors-console</c>) for its <see cref="NodeFigures"/>.</summary>
public sealed class GetNodeFigures : IConsoleWireMessage
{
    public static readonly GetNodeFigures Instance = new();
}

/// <summary>One node's own figures, as its recorder last sampled them.</summary>
/// <param name="Connections">Open WebSocket connections of every feature.</param>
/// <param name="Channels">Channels with a subscriber on this node.</param>
/// <param name="ChannelEntities">Sharded channels this node sequences (the busiest list comes from these).</param>
/// <param name="Published">Messages accepted for publishing on this node since it started.</param>
/// <param name="Delivered">Messages handed to this node's subscriber sockets since it started.</param>
/// <param name="Rates">Per-second rates of the last minutes, oldest first.</param>
/// <param name="Busiest">This node's sequenced channels with the most messages in the last minute, busiest first.</param>
public sealed record NodeFigures(
    string Address,
    long Connections,
    long Channels,
    long ChannelEntities,
    long Published,
    long Delivered,
    long Dropped,
    long SlowConsumerDisconnects,
    long FanoutBacklog,
    RateSeries Rates,
    BusyChannel[] Busiest) : IConsoleWireMessage;

/// <summary>A node's message rates, one point per <paramref name="IntervalMs"/>, the last taken at <paramref name="NewestAtMs"/> (Unix milliseconds).</summary>
public sealed record RateSeries(long NewestAtMs, int IntervalMs, double[] Published, double[] Delivered);

/// <param name="LastMinute">Messages numbered by the channel in the last minute.</param>
/// <param name="PerSecond">Its rate over the last ten seconds.</param>
public sealed record BusyChannel(string Channel, long LastMinute, double PerSecond);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(NodeFigures))]
internal sealed partial class ConsoleWireJson : JsonSerializerContext;
