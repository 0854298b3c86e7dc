using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Stage;

namespace PingActors.Actors.Sessions.Streams;

/// <summary>
/// The session actor's end of its socket's <see cref="WebSocketFlow"/>, joined to both of its ports. Toward
/// the socket it is the session's outbox: whoever delivers to the session hands messages to the outbox
/// callback (<see cref="OutboxReady"/>), which never blocks; they are passed on as the socket takes them and
/// the rest queue within <c>outbound.max-messages</c> / <c>max-bytes</c>, past which
/// <see cref="OverflowPolicy.Close"/> closes with 1008 and <see cref="OverflowPolicy.DropOldest"/> drops the
/// oldest. From the socket, each client message goes to the actor as an <see cref="InboundMessage"/>, and the
/// next is pulled only once the actor calls its ack, so a client is held back through TCP.
/// </summary>
/// <remarks>
/// Fan-out wants the outbox (a slow subscriber must never hold up a channel), as a proxy's pushes do; a
/// feature that wants the client's pace felt upstream (the bridge's peer) joins the flow to something else.
/// The outbox callback is the session's control point too: <see cref="CloseSocket"/> closes (after the queue
/// with <see cref="CloseSocket.Flush"/>, flush and handshake within one <c>close-timeout</c>) and
/// <see cref="AbortSocket"/> drops the socket. One stage for both directions rather than a source and a sink:
/// each stage and port costs an idle socket a few hundred bytes (docs/benchmarks.md). One instance serves every
/// session of its kind; the actor comes with the run's <see cref="SessionBinding"/>.
/// </remarks>
public sealed class ActorEndpoint : GraphStage<FlowShape<Payload, Payload>>
{
    public ActorEndpoint(SessionSettings settings, SessionMetrics metrics)
    {
        Settings = settings;
        Metrics = metrics;
        Shape = new FlowShape<Payload, Payload>(In, Out);
    }

    /// <summary>The client's messages, from the socket.</summary>
    public Inlet<Payload> In { get; } = new("endpoint.from-client");

    /// <summary>What goes to the client, to the socket.</summary>
    public Outlet<Payload> Out { get; } = new("endpoint.to-client");

    public override FlowShape<Payload, Payload> Shape { get; }

    internal SessionSettings Settings { get; }

    internal SessionMetrics Metrics { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes)
    {
        var binding = SessionBinding.Of(inheritedAttributes);
        return new ActorEndpointLogic(this, binding.Owner, binding.Peer as OutboxGauge);
    }
}
