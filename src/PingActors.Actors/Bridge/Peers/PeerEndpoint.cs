using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;
using PingActors.Actors.Sessions;
using PingActors.Actors.Sessions.Streams;

namespace PingActors.Actors.Bridge.Peers;

/// <summary>
/// The peer socket's end of a bridged session's stream, joined to the WebSocket's flow through the framing:
/// client messages in (each written whole to the peer, one datagram each for a datagram peer, the next taken
/// only once the peer took the last), the peer's bytes out (read only when the framing asks for more, so a
/// slow client pauses reading from the peer: backpressure both ways, through TCP on both sides). The peer
/// socket comes with the run's <see cref="SessionBinding.Peer"/>; one instance serves every bridged session.
/// </summary>
/// <remarks>
/// Its session actor gets the same <see cref="OutboxReady"/> as the hub's and the proxy's, as a control point
/// only: <see cref="CloseSocket"/> closes the WebSocket with its reason and the peer with it, <see cref="AbortSocket"/>
/// drops both. The peer ending its side closes the WebSocket with <see cref="BridgeCloseReasons.PeerClosed"/>, a
/// peer error with <see cref="BridgeCloseReasons.PeerFailed"/>; the stage lives on until the WebSocket's end
/// reaches its inlet, which is when the session is over.
/// </remarks>
public sealed class PeerEndpoint : GraphStage<FlowShape<Payload, ByteString>>
{
    public PeerEndpoint(int readChunk) 
    {
        ReadChunk = readChunk;
        Shape = new FlowShape<Payload, ByteString>(In, Out);
    }

    public Inlet<Payload> In { get; } = new("peer.from-client");

    public Outlet<ByteString> Out { get; } = new("peer.to-framing");

    public override FlowShape<Payload, ByteString> Shape { get; }

    /// <summary>The most a stream peer's read takes at once (a datagram peer's buffer holds any datagram).</summary>
    internal int ReadChunk { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes)
    {
        var binding = SessionBinding.Of(inheritedAttributes);
        var peer = binding.Peer as ConnectedPeer ?? throw new InvalidOperationException("a bridge stream was run without its peer");
        return new PeerEndpointLogic(this, binding.Owner, peer);
    }
}
