using System.Net.WebSockets;
using Akka.Actor;
using Akka.Event;
using PingActors.Actors.Channels;
using PingActors.Actors.Dispatch;
using PingActors.Actors.Hub;
using PingActors.Actors.Metrics;

namespace PingActors.Actors.Connections;

/// <summary>Everything a connection actor needs from its node.</summary>
public sealed record ConnectionContext(IActorRef LocalChannels, IActorRef ChannelRegion, HubSettings Settings, HubMetrics Metrics, StreamHosts StreamHosts)
{
    /// <summary>Every connection's stream, fused once for the node.</summary>
    public ConnectionGraph Graph { get; } = new(Settings, Metrics);
}

/// <summary>Starts a <see cref="ConnectionActor"/>: its request, its node and the stream host that runs its socket stream.</summary>
public sealed record StartConnection(OpenConnection Open, ConnectionContext Context, int StreamHost);

/// <summary>
/// One WebSocket subscriber. Joins its channel on this node, then completes the handshake and runs the
/// socket's stream: client messages come in through <see cref="ActorAckSink"/> (one at a time, so the
/// read side is backpressured), channel deliveries go straight to the socket stage's outbox.
/// </summary>
/// <remarks>
/// Built for a small idle footprint, since there is one per socket: an <see cref="UntypedActor"/> (no
/// per-instance handler tables), one shared <see cref="Props"/> with the arguments in
/// <see cref="StartConnection"/> (no per-socket Props, Deploy and argument array), and the
/// <see cref="LeanMailbox"/> (docs/benchmarks.md).
/// </remarks>
public sealed class ConnectionActor : UntypedActor
{
    /// <summary>The one Props for every connection; send <see cref="StartConnection"/> first.</summary>
    public static readonly Props Props = Props.Create<ConnectionActor>().WithDispatcher(ConnectionDispatcher.Id);

    private StartConnection _start = null!;
    private Func<Task<WebSocket>>? _accept;
    private ICancelable? _timeout;
    private WebSocket? _startingSocket;
    private IActorRef? _localChannel;
    private Action<object>? _outbox;
    private CloseReason? _closeRequested;
    private State _state = State.Created;
    private bool _streamEnded;

    private enum State
    {
        Created,
        Joining,
        Accepting,
        Open,
    }

    private string Channel => _start.Open.Channel;

    private ConnectionContext Ctx => _start.Context;

    protected override void PostStop()
    {
        if (_state == State.Created)
        {
            return;
        }

        _timeout?.Cancel();
        _startingSocket?.Abort();
        (_localChannel ?? Ctx.LocalChannels).Tell(new Leave(Channel, Self));
        if (!_streamEnded)
        {
            _outbox?.Invoke(AbortSocket.Instance);
        }

        if (_state == State.Open)
        {
            Ctx.Metrics.Connections.Dec();
        }

        _start.Open.Outcome.TrySetResult(ConnectionOutcome.Closed);
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
                OnOutboxReady(ready);
                break;
            case StartConnection start when _state == State.Created:
                OnStart(start);
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
                Context.GetLogger().Debug("Connection stream for {0} failed: {1}", Channel, failed.Cause.Message);
                Context.Stop(Self);
                break;
            case Status.Failure failure when _state == State.Accepting:
                Context.GetLogger().Debug("WebSocket handshake for {0} failed: {1}", Channel, failure.Cause.Message);
                Context.Stop(Self);
                break;
            case TimedOut when _state == State.Joining:
                Context.GetLogger().Warning("Channel {0} could not be joined within {1}", Channel, Ctx.Settings.JoinTimeout);
                StopWith(ConnectionOutcome.ChannelUnavailable);
                break;
            case TimedOut when _state == State.Open && _outbox is null:
                // Its stream host never started the socket's stream: do not leave the client hanging.
                Context.GetLogger().Error("The stream of a connection to {0} did not start within {1}; closing it", Channel, Ctx.Settings.JoinTimeout);
                Context.Stop(Self);
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

    private void OnStart(StartConnection start)
    {
        _start = start;
        _accept = start.Open.Accept;
        _state = State.Joining;
        Ctx.LocalChannels.Tell(new Join(Channel, Self));
        _timeout = Context.System.Scheduler.ScheduleTellOnceCancelable(Ctx.Settings.JoinTimeout, Self, TimedOut.Instance, Self);
    }

    private void OnJoined(Joined joined)
    {
        _timeout?.Cancel();
        _timeout = null;
        _localChannel = joined.LocalChannel;
        _state = State.Accepting;
        var accept = _accept!;
        _accept = null; // the delegate holds the request's accept context: let it go once used
        accept().PipeTo(Self, success: socket => new Accepted(socket));
    }

    private void OnAccepted(WebSocket socket)
    {
        _state = State.Open;
        _startingSocket = socket;
        _timeout = Context.System.Scheduler.ScheduleTellOnceCancelable(Ctx.Settings.JoinTimeout, Self, TimedOut.Instance, Self);
        Ctx.Metrics.Connections.Inc();
        Ctx.Metrics.ConnectionsTotal.Inc();
        Ctx.StreamHosts.Run(_start.StreamHost, new RunConnectionStream(Ctx.Graph.For(socket, Self), Self));
    }

    private void OnOutboxReady(OutboxReady ready)
    {
        _timeout?.Cancel();
        _timeout = null;
        _startingSocket = null; // the stream owns it now
        var outbox = _outbox = ready.Outbox;
        _localChannel!.Tell(new Activate(Self, outbox));
        if (_closeRequested is not null)
        {
            outbox(new CloseSocket(_closeRequested, Flush: true));
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
        _outbox?.Invoke(new CloseSocket(reason, Flush: true));
    }

    private void OnLocalChannelStopped()
    {
        if (_state != State.Open)
        {
            Context.Stop(Self);
            return;
        }

        // Our local channel died without us leaving it: we would silently miss messages, so close.
        Context.GetLogger().Warning("Local channel {0} stopped under a live connection; closing it", Channel);
        _outbox?.Invoke(new CloseSocket(CloseReasons.InternalError, Flush: false));
    }

    private void OnClientMessage(Payload payload)
    {
        if (payload.Length == 0)
        {
            // An empty message is a keepalive: echoed to the sender only, never published (as Pinghub).
            _outbox?.Invoke(payload);
            return;
        }

        Ctx.Metrics.PublishWebSocket.Inc();
        Ctx.ChannelRegion.Tell(new Publish(Channel, payload), ActorRefs.NoSender);
    }

    private void StopWith(ConnectionOutcome outcome)
    {
        _start.Open.Outcome.TrySetResult(outcome);
        Context.Stop(Self);
    }

    private sealed record Accepted(WebSocket Socket);

    /// <summary>The join, or the start of the socket's stream, took longer than the join timeout.</summary>
    private sealed class TimedOut
    {
        public static readonly TimedOut Instance = new();
    }
}
