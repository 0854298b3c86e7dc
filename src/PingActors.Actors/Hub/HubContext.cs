using Akka.Actor;
using Akka.Streams;
using PingActors.Actors.Hub.Channels;
using PingActors.Actors.Hub.Dispatch;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Hub;

/// <summary>Everything a hub session needs from its node.</summary>
/// <param name="Backlog">What waits for the node's channel threads: publishers, POST or WebSocket, are paced by it.</param>
public sealed record HubContext(IActorRef LocalChannels, IActorRef ChannelRegion, HubSettings Settings, HubMetrics Metrics, FanoutBacklog Backlog, SessionContext Session)
{
    /// <summary>
    /// The hub's session core: each socket's stream is the WebSocket joined to the session actor's end, whose
    /// outbox takes the channel's deliveries (bounded, with the overflow policy) and whose inlet hands the
    /// client's messages to the actor.
    /// </summary>
    public static HubContext Start(IActorRef localChannels, IActorRef channelRegion, HubSettings settings, HubMetrics metrics, ActorSystem system)
    {
        var sessions = settings.Session;
        var session = SessionContext.StartWithActorEndpoint(sessions, metrics.Session, system.Materializer());
        return new HubContext(localChannels, channelRegion, settings, metrics, FanoutBacklog.For(system), session);
    }
}

/// <summary>
/// A WebSocket request to subscribe to <paramref name="Channel"/>; <paramref name="Recovery"/>: it asked for
/// positions (<c>?recover=1</c>, docs/recovery.md), and what it missed after <c>since</c>.
/// </summary>
public sealed record HubSessionRequest(string Channel, HubContext Hub, RecoveryRequest? Recovery = null) : ISessionRequest
{
    public SessionContext Session => Hub.Session;
}
