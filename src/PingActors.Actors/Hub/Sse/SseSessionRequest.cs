using Akka.Actor;
using PingActors.Actors.Hub.Channels;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Hub.Sse;

/// <summary>What every SSE stream of a node shares: the hub, the one format its channels encode once per message, the heartbeat.</summary>
public sealed record SseContext(HubContext Hub, SseSettings Settings, SseFormat Format, SseHeartbeat Heartbeat);

/// <summary>
/// A GET for <c>text/event-stream</c> on <paramref name="Channel"/>: resume after <paramref name="Since"/> if given.
/// Opened through the node's <see cref="SessionSupervisor"/> like a WebSocket (an <see cref="OpenSession"/> whose
/// accept is never called), so the same drain closes it.
/// </summary>
public sealed record SseSessionRequest(string Channel, ChannelPosition? Since, SseContext Sse, SseOutbox Outbox) : ISessionRequest
{
    public SessionContext Session => Sse.Hub.Session;
}
