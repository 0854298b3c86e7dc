using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using PingActors.Actors.Sessions.Streams;

namespace PingActors.Actors.Sessions;

/// <summary>
/// One feature's session core on a node: its settings, its counters, the stream hosts its sockets run in and
/// the one fused graph every one of its sessions runs (<see cref="SessionGraph"/>).
/// </summary>
public sealed record SessionContext(SessionSettings Settings, SessionMetrics Metrics, StreamHosts Hosts, SessionGraph Graph)
{
    /// <summary>Starts the feature's stream hosts and fuses its session graph (stages bound through <see cref="SessionBinding"/>).</summary>
    public static SessionContext Start(SessionSettings settings, SessionMetrics metrics, IGraph<ClosedShape, NotUsed> graph, ActorMaterializer materializer) =>
        new(settings, metrics, StreamHosts.Start(settings.StreamHosts, materializer), SessionGraph.Fuse(graph));

    /// <summary>The session core of a feature whose actor owns each socket's outbox and reads its client (the hub's, the proxy's): the WebSocket joined to an <see cref="ActorEndpoint"/>.</summary>
    public static SessionContext StartWithActorEndpoint(SessionSettings settings, SessionMetrics metrics, ActorMaterializer materializer) =>
        Start(settings, metrics, Flow.FromGraph(new WebSocketFlow(settings, new PayloadDeflater(settings.Deflate, metrics.DeflateCompressions))).Join(Flow.FromGraph(new ActorEndpoint(settings, metrics))), materializer);
}
