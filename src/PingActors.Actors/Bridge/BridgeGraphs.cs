using System.Collections.Concurrent;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using PingActors.Actors.Bridge.Framing;
using PingActors.Actors.Bridge.Peers;
using PingActors.Actors.Sessions;
using PingActors.Actors.Sessions.Streams;

namespace PingActors.Actors.Bridge;

/// <summary>
/// The fused stream blueprint of each framing a backend names: the WebSocket's flow joined to the peer's end
/// through that framing. Fused once per framing and configuration (fusing costs more than the rest of a
/// session's start, docs/design.md "The session core"), then shared by every session that uses it.
/// </summary>
public sealed class BridgeGraphs(BridgeSettings settings, Action<string> warn)
{
    private readonly ConcurrentDictionary<(string Name, string Config), SessionGraph> _graphs = new();

    public SessionGraph For(string framing, string? config) =>
        _graphs.GetOrAdd((framing, config ?? string.Empty), key => SessionGraph.Fuse(Build(Framings.ParseOrAuto(key.Name, config, warn), settings)));

    /// <summary>The graph of one framing; its record-size failure closes the WebSocket with 1009 and the framing's reason.</summary>
    public static IGraph<ClosedShape, NotUsed> Build(IFraming framing, BridgeSettings settings)
    {
        var sessions = settings.Session;
        var toClient = Flow.FromGraph(new PeerEndpoint(settings.ReadChunk))
            .Via(framing.Decoder(sessions.MaxMessageSize))
            .SelectError(e => e is FramingException f ? new SessionClosing(BridgeCloseReasons.RecordTooBig(f.Message)) : e);
        return Flow.FromGraph(new WebSocketFlow(sessions)).Join(toClient);
    }
}
