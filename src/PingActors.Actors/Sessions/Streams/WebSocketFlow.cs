using Akka.Streams;
using Akka.Streams.Stage;

namespace PingActors.Actors.Sessions.Streams;

/// <summary>
/// A WebSocket as a flow: what arrives at <see cref="In"/> is written to the client, one message at a time
/// (the next is pulled only once the socket took the last), and the client's messages leave at <see cref="Out"/>,
/// the next read only when pulled. So backpressure runs both ways: a client that reads slowly slows whatever
/// feeds the flow, and a slow consumer of the client's messages pushes back on the client through TCP.
/// </summary>
/// <remarks>
/// It owns the socket's protocol: the size limit and UTF-8 check on reads, the write and close timeouts, and
/// the close handshake. Upstream failing with <see cref="SessionClosing"/> closes the socket with that reason;
/// completing closes it with <see cref="CloseReasons.Normal"/>; <see cref="SessionAborted"/> drops it. What
/// queues in front of it, and what to do when a client cannot keep up, is the feature's choice (the hub joins it
/// to an <see cref="ActorEndpoint"/>). One instance serves every session of its kind (<see cref="SessionGraph"/>):
/// the socket of a run comes with its <see cref="SessionBinding"/> attribute.
/// </remarks>
public sealed class WebSocketFlow : GraphStage<FlowShape<Payload, Payload>>
{
    /// <param name="deflater">Compresses each message once for every socket that negotiated permessage-deflate
    /// (messages shared between sockets: the hub's); without one, .NET's WebSocket compresses per socket.</param>
    public WebSocketFlow(SessionSettings settings, PayloadDeflater? deflater = null)
    {
        Settings = settings;
        Deflater = deflater;
        Shape = new FlowShape<Payload, Payload>(In, Out);
    }

    /// <summary>Messages to write to the client.</summary>
    public Inlet<Payload> In { get; } = new("websocket.write");

    /// <summary>Messages the client sent.</summary>
    public Outlet<Payload> Out { get; } = new("websocket.read");

    public override FlowShape<Payload, Payload> Shape { get; }

    internal SessionSettings Settings { get; }

    internal PayloadDeflater? Deflater { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new WebSocketFlowLogic(this, SessionBinding.Of(inheritedAttributes).Socket);
}
