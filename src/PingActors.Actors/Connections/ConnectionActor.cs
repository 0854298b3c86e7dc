using System.Net.WebSockets;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using PingActors.Actors.Channels;
using PingActors.Actors.Dispatch;
using PingActors.Actors.Hub;
using PingActors.Actors.Metrics;

namespace PingActors.Actors.Connections;

/// <summary>Everything a connection actor needs from its node.</summary>
public sealed record ConnectionContext(IActorRef LocalChannels, IActorRef ChannelRegion, HubSettings Settings, HubMetrics Metrics, StreamHosts StreamHosts);

/// <summary>
/// One WebSocket subscriber. Joins its channel on this node, then completes the handshake and runs the
/// socket's stream: client messages come in through <see cref="ActorAckSink"/> (one at a time, so the
/// read side is backpressured), channel deliveries go straight to the socket stage's outbox.
/// </summary>
/// <remarks>
/// An <see cref="UntypedActor"/> with a state field rather than a ReceiveActor with Become: there is one
/// of these per socket, and ReceiveActor's per-instance handler tables cost memory on every idle
/// connection (docs/benchmarks.md).
/// </remarks>
public sealed class ConnectionActor : UntypedActor
{
    private readonly string _channel;
    private readonly Func<Task<WebSocket>> _accept;
    private readonly TaskCompletionSource<ConnectionOutcome> _outcome;
    private readonly ConnectionContext _ctx;
    private readonly int _streamHost;
    private ICancelable? _joinTimeout;
    private IActorRef? _localChannel;
    private IActorRef? _outbox;
    private CloseReason? _closeRequested;
    private State _state = State.Joining;
    private bool _streamEnded;

    public ConnectionActor(string channel, Func<Task<WebSocket>> accept, TaskCompletionSource<ConnectionOutcome> outcome, ConnectionContext ctx, int streamHost)
    {
        _streamHost = streamHost;
        _channel = channel;
        _accept = accept;
        _outcome = outcome;
        _ctx = ctx;
    }

    private enum State
    {
        Joining,
        Accepting,
        Open,
    }

    public static Props PropsFor(OpenConnection open, ConnectionContext ctx, int streamHost) =>
        Props.Create(() => new ConnectionActor(open.Channel, open.Accept, open.Outcome, ctx, streamHost)).WithDispatcher(ConnectionDispatcher.Id);

    protected override void PreStart()
    {
        _ctx.LocalChannels.Tell(new Join(_channel, Self));
        _joinTimeout = Context.System.Scheduler.ScheduleTellOnceCancelable(_ctx.Settings.JoinTimeout, Self, JoinTimedOut.Instance, Self);
    }

    protected override void PostStop()
    {
        _joinTimeout?.Cancel();
        (_localChannel ?? _ctx.LocalChannels).Tell(new Leave(_channel, Self));
        if (!_streamEnded)
        {
            _outbox?.Tell(AbortSocket.Instance);
        }

        if (_state == State.Open)
        {
            _ctx.Metrics.Connections.Dec();
        }

        _outcome.TrySetResult(ConnectionOutcome.Closed);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case InboundMessage inbound:
                OnClientMessage(inbound.Payload);
                inbound.Ack();
                break;
            case OutboxReady ready:
                OnOutboxReady(ready.Outbox);
                break;
            case Joined joined when _state == State.Joining:
                OnJoined(joined);
                break;
            case Accepted accepted when _state == State.Accepting:
                OnAccepted(accepted.Socket);
                break;
            case CloseConnection close:
                OnCloseRequested(close.Reason);
                break;
            case StreamCompleted:
                _streamEnded = true;
                Context.Stop(Self);
                break;
            case StreamFailed failed:
                _streamEnded = true;
                Context.GetLogger().Debug("Connection stream for {0} failed: {1}", _channel, failed.Cause.Message);
                Context.Stop(Self);
                break;
            case Status.Failure failure when _state == State.Accepting:
                Context.GetLogger().Debug("WebSocket handshake for {0} failed: {1}", _channel, failure.Cause.Message);
                Context.Stop(Self);
                break;
            case JoinTimedOut when _state == State.Joining:
                Context.GetLogger().Warning("Channel {0} could not be joined within {1}", _channel, _ctx.Settings.JoinTimeout);
                StopWith(ConnectionOutcome.ChannelUnavailable);
                break;
            case ChannelGap:
                OnCloseRequested(CloseReasons.MessagesLost);
                break;
            case ChannelStopped:
                OnLocalChannelStopped();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnJoined(Joined joined)
    {
        _joinTimeout?.Cancel();
        _joinTimeout = null;
        _localChannel = joined.LocalChannel;
        _state = State.Accepting;
        _accept().PipeTo(Self, success: socket => new Accepted(socket));
    }

    private void OnAccepted(WebSocket socket)
    {
        _state = State.Open;
        _ctx.Metrics.Connections.Inc();
        _ctx.Metrics.ConnectionsTotal.Inc();
        var graph = Source.FromGraph(new WebSocketStage(socket, _ctx.Settings, _ctx.Metrics, Self)).To(new ActorAckSink(Self));
        _ctx.StreamHosts.Run(_streamHost, new RunConnectionStream(graph, Self));
    }

    private void OnOutboxReady(IActorRef outbox)
    {
        _outbox = outbox;
        _localChannel!.Tell(new Activate(Self, outbox));
        if (_closeRequested is not null)
        {
            outbox.Tell(new CloseSocket(_closeRequested, Flush: true));
        }
    }

    private void OnCloseRequested(CloseReason reason)
    {
        if (_state == State.Joining)
        {
            StopWith(ConnectionOutcome.ShuttingDown);
            return;
        }

        _closeRequested = reason;
        _outbox?.Tell(new CloseSocket(reason, Flush: true));
    }

    private void OnLocalChannelStopped()
    {
        if (_state != State.Open)
        {
            Context.Stop(Self);
            return;
        }

        // Our local channel died without us leaving it: we would silently miss messages, so close.
        Context.GetLogger().Warning("Local channel {0} stopped under a live connection; closing it", _channel);
        _outbox?.Tell(new CloseSocket(CloseReasons.InternalError, Flush: false));
    }

    private void OnClientMessage(Payload payload)
    {
        if (payload.Length == 0)
        {
            // An empty message is a keepalive: echoed to the sender only, never published (as Pinghub).
            _outbox?.Tell(payload);
            return;
        }

        _ctx.Metrics.PublishWebSocket.Inc();
        _ctx.ChannelRegion.Tell(new Publish(_channel, payload), ActorRefs.NoSender);
    }

    private void StopWith(ConnectionOutcome outcome)
    {
        _outcome.TrySetResult(outcome);
        Context.Stop(Self);
    }

    private sealed record Accepted(WebSocket Socket);

    private sealed class JoinTimedOut
    {
        public static readonly JoinTimedOut Instance = new();
    }
}
