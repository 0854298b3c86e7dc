using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using PingActors.Actors.Bridge.Backends;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Bridge;

/// <summary>Everything a bridged session needs from its node: its backend, the allow-list, its graphs and session core.</summary>
/// <param name="Allows">pingactors.bridge.allow as a test on a chosen peer; null allows every peer (websocksy's behaviour).</param>
public sealed record BridgeContext(BridgeSettings Settings, IBridgeBackend Backend, Func<Uri, bool>? Allows, BridgeMetrics Metrics, BridgeGraphs Graphs, SessionContext Session)
{
    public static BridgeContext Start(BridgeSettings settings, IBridgeBackend backend, Func<Uri, bool>? allows, BridgeMetrics metrics, ActorSystem system)
    {
        var log = Akka.Event.Logging.GetLogger(system, "bridge");
        var graphs = new BridgeGraphs(settings, warning => log.Warning("{0}", warning));

        // The core's default graph (auto framing) serves sessions the same way; each session picks its own.
        var session = SessionContext.Start(settings.Session, metrics.Session, BridgeGraphs.Build(Framing.Framings.Auto, settings), system.Materializer());
        return new BridgeContext(settings, backend, allows, metrics, graphs, session);
    }
}

/// <summary>A WebSocket request to the bridge: what its backend sees.</summary>
public sealed record BridgeSessionRequest(BridgeContext Bridge, BridgeRequest Route) : ISessionRequest
{
    public SessionContext Session => Bridge.Session;
}
