using System.Net.WebSockets;
using Akka;
using Akka.Actor;
using Akka.Streams;

namespace PingActors.Actors.Sessions.Streams;

/// <summary>
/// The blueprint of every stream of one kind of session (the hub's: <see cref="WebSocketFlow"/> joined to an
/// <see cref="ActorEndpoint"/>), fused once per node. Akka.Streams fuses a graph
/// each time it is run unless it is fused already, and fusing cost more than the rest of materializing a
/// connection's stream; so a session brings its socket and actor as an attribute (<see cref="SessionBinding"/>)
/// instead of in stage objects of its own, and every session runs the one fused blueprint
/// (docs/benchmarks-log.md, "Opening connections").
/// </summary>
public sealed class SessionGraph
{
    private readonly Akka.Streams.Fusing.FusedGraph<ClosedShape, NotUsed> _fused;

    private SessionGraph(IGraph<ClosedShape, NotUsed> graph) => _fused = Akka.Streams.Fusing.Aggressive(graph);

    /// <summary>A graph whose stages take their socket and actor from <see cref="SessionBinding"/>.</summary>
    public static SessionGraph Fuse(IGraph<ClosedShape, NotUsed> graph) => new(graph);

    /// <summary>The stream of one session: its <paramref name="socket"/>, its <paramref name="owner"/> actor and whatever else its feature's stages need (the bridge's peer socket).</summary>
    public IGraph<ClosedShape, NotUsed> For(WebSocket socket, IActorRef owner, object? peer = null) =>
        _fused.AddAttributes(new Attributes(new SessionBinding(socket, owner, peer)));
}

/// <summary>What makes a run of a shared <see cref="SessionGraph"/> one session's stream.</summary>
public sealed record SessionBinding(WebSocket Socket, IActorRef Owner, object? Peer = null) : Attributes.IAttribute
{
    /// <summary>The binding a stage inherited; a stage run outside a <see cref="SessionGraph"/> is a bug.</summary>
    internal static SessionBinding Of(Attributes inherited) =>
        inherited.GetAttribute<SessionBinding>() ?? throw new InvalidOperationException("a session stage was run without its SessionBinding");
}
