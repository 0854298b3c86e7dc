using System.Net.WebSockets;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using PingActors.Actors.Hub;
using PingActors.Actors.Metrics;

namespace PingActors.Actors.Connections;

/// <summary>
/// The blueprint of every connection's stream (<see cref="WebSocketStage"/> → <see cref="ActorAckSink"/>),
/// fused once per node. Akka.Streams fuses a graph each time it is run unless it is fused already, and
/// fusing cost more than the rest of materializing a connection's stream; so a connection brings its socket
/// and actor as an attribute (<see cref="ConnectionBinding"/>) instead of in stage objects of its own, and
/// every connection runs the one fused blueprint (docs/benchmarks-log.md, "Opening connections").
/// </summary>
public sealed class ConnectionGraph
{
    private readonly Akka.Streams.Fusing.FusedGraph<ClosedShape, NotUsed> _fused;

    public ConnectionGraph(HubSettings settings, HubMetrics metrics) =>
        _fused = Akka.Streams.Fusing.Aggressive(Source.FromGraph(new WebSocketStage(settings, metrics)).To(new ActorAckSink()));

    /// <summary>The stream of one connection: its <paramref name="socket"/> and its <paramref name="owner"/> actor.</summary>
    public IGraph<ClosedShape, NotUsed> For(WebSocket socket, IActorRef owner) =>
        _fused.AddAttributes(new Attributes(new ConnectionBinding(socket, owner)));
}

/// <summary>What makes a run of the shared <see cref="ConnectionGraph"/> one connection's stream.</summary>
public sealed record ConnectionBinding(WebSocket Socket, IActorRef Owner) : Attributes.IAttribute
{
    /// <summary>The binding a stage inherited; a stage run outside a <see cref="ConnectionGraph"/> is a bug.</summary>
    internal static ConnectionBinding Of(Attributes inherited) =>
        inherited.GetAttribute<ConnectionBinding>() ?? throw new InvalidOperationException("a connection stage was run without its ConnectionBinding");
}
