using System.Net.WebSockets;
using Akka.Actor;
using Akka.Event;
using PingActors.Actors.Bridge.Backends;
using PingActors.Actors.Bridge.Peers;
using PingActors.Actors.Dispatch;
using PingActors.Actors.Sessions;
using PingActors.Actors.Sessions.Streams;

namespace PingActors.Actors.Bridge;

/// <summary>
/// One bridged WebSocket, websocksy's connection: its backend chooses the peer, the allow-list may refuse it
/// (403), the peer is connected before the handshake is answered (500 if it is down, as in websocksy), and
/// then the WebSocket and the peer socket are one stream through the framing, which this actor owns under
/// the session supervisor: it ends with either side and closes the other.
/// </summary>
public sealed class BridgeSessionActor : SessionActor<BridgeSessionRequest>
{
    /// <summary>The one Props for every bridged session; the supervisor sends <see cref="StartSession"/> first.</summary>
    public static readonly Props Props = Props.Create<BridgeSessionActor>().WithDispatcher(SessionDispatcher.Id);

    private static readonly SessionOutcome.Refused PeerConnectionFailed = SessionOutcome.Refused.Text(500, "Error: peer connection failed.\n");
    private static readonly SessionOutcome.Refused NotAllowed = SessionOutcome.Refused.Text(403, "Error: this peer is not allowed (pingactors.bridge.allow).\n");

    private PeerChoice? _choice;
    private ConnectedPeer? _peer;
    private bool _peerHandedOver;

    protected override TimeSpan StartTimeout => Bridge.Settings.ChooseTimeout + Bridge.Settings.ConnectTimeout + TimeSpan.FromSeconds(1);

    protected override string Describe => _choice is null ? "a bridge connection to " + Request.Route.Endpoint : $"a bridge from {Request.Route.Endpoint} to {_choice.Peer}";

    private BridgeContext Bridge => Request.Bridge;

    protected override void OnPrepare()
    {
        var bound = new CancellationTokenSource(Bridge.Settings.ChooseTimeout);
        ChooseAsync(Bridge.Backend, Request.Route, bound).PipeTo(Self, success: choice => new Chosen(choice), failure: e => new Chosen(null, e));
    }

    protected override void OnPrepareTimedOut() => Refuse(PeerConnectionFailed);

    protected override void OnOpened(Action<object> outbox) => _peerHandedOver = true;

    // The bridge's stream does not pass client messages through the actor; nothing reaches here.
    protected override void OnClientMessage(InboundMessage message) => message.Ack();

    protected override Akka.Streams.IGraph<Akka.Streams.ClosedShape, Akka.NotUsed> StreamOf(WebSocket socket) =>
        Bridge.Graphs.For(_choice!.Framing, _choice.FramingConfig).For(socket, Self, _peer);

    protected override bool OnSessionMessage(object message)
    {
        switch (message)
        {
            case Chosen chosen when Phase == SessionPhase.Preparing:
                OnChosen(chosen);
                return true;
            case ConnectedPeer peer when Phase == SessionPhase.Preparing:
                _peer = peer;
                Accept(_choice!.Protocol);
                return true;
            case ConnectedPeer late:
                late.Dispose();
                return true;
            case ConnectFailed failed when Phase == SessionPhase.Preparing:
                Bridge.Metrics.Refused.WithLabels("peer_down").Inc();
                Context.GetLogger().Info("Bridge from {0}: peer {1} did not connect: {2}", Request.Route.Endpoint, _choice!.Peer, failed.Cause.Message);
                Refuse(PeerConnectionFailed);
                return true;
            default:
                return false;
        }
    }

    protected override void OnStopped()
    {
        if (!_peerHandedOver)
        {
            _peer?.Dispose();
        }
    }

    private void OnChosen(Chosen chosen)
    {
        if (chosen.Choice is not { } choice)
        {
            Bridge.Metrics.Refused.WithLabels("no_route").Inc();
            Context.GetLogger().Info("Bridge from {0}: no backend rule matched{1}", Request.Route.Endpoint, chosen.Error is null ? string.Empty : ": " + chosen.Error.Message);
            Refuse(PeerConnectionFailed);
            return;
        }

        _choice = choice;
        if (Bridge.Allows is { } allows && !allows(choice.Peer))
        {
            Bridge.Metrics.Refused.WithLabels("not_allowed").Inc();
            Context.GetLogger().Warning("Bridge from {0}: peer {1} refused, it is not in pingactors.bridge.allow", Request.Route.Endpoint, choice.Peer);
            Refuse(NotAllowed);
            return;
        }

        PeerConnector.ConnectAsync(choice.Peer, Bridge.Settings.ConnectTimeout).PipeTo(Self, failure: e => new ConnectFailed(e));
    }

    private static async Task<PeerChoice?> ChooseAsync(IBridgeBackend backend, BridgeRequest route, CancellationTokenSource bound)
    {
        using (bound)
        {
            return await backend.ChooseAsync(route, bound.Token).ConfigureAwait(false);
        }
    }

    private sealed record Chosen(PeerChoice? Choice, Exception? Error = null);

    private sealed record ConnectFailed(Exception Cause);
}
