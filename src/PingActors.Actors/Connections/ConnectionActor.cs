using System.Net.WebSockets;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using PingActors.Actors.Channels;
using PingActors.Actors.Hub;
using PingActors.Actors.Metrics;

namespace PingActors.Actors.Connections;

/// <summary>Everything a connection actor needs from its node.</summary>
public sealed record ConnectionContext(IActorRef LocalChannels, IActorRef ChannelRegion, HubSettings Settings, HubMetrics Metrics, IMaterializer Materializer);

/// <summary>
/// One WebSocket subscriber. Joins its channel on this node, then completes the handshake and runs the
/// socket's stream: client messages come in through <see cref="Sink.ActorRefWithAck{TIn}"/> (one at a
/// time, so the read side is backpressured), channel deliveries go straight to the socket stage's outbox.
/// </summary>
public sealed class ConnectionActor : ReceiveActor, IWithTimers
{
    private const string JoinTimer = "join";

    private readonly string _channel;
    private readonly Func<Task<WebSocket>> _accept;
    private readonly TaskCompletionSource<ConnectionOutcome> _outcome;
    private readonly ConnectionContext _ctx;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef? _localChannel;
    private IActorRef? _outbox;
    private CloseReason? _closeRequested;
    private bool _opened;

    public ConnectionActor(string channel, Func<Task<WebSocket>> accept, TaskCompletionSource<ConnectionOutcome> outcome, ConnectionContext ctx)
    {
        _channel = channel;
        _accept = accept;
        _outcome = outcome;
        _ctx = ctx;
        Joining();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props PropsFor(OpenConnection open, ConnectionContext ctx) =>
        Props.Create(() => new ConnectionActor(open.Channel, open.Accept, open.Outcome, ctx));

    protected override void PreStart()
    {
        _ctx.LocalChannels.Tell(new Join(_channel, Self));
        Timers.StartSingleTimer(JoinTimer, JoinTimedOut.Instance, _ctx.Settings.JoinTimeout);
    }

    protected override void PostStop()
    {
        if (_opened)
        {
            _ctx.Metrics.Connections.Dec();
        }

        _outcome.TrySetResult(ConnectionOutcome.Closed);
    }

    private void Joining()
    {
        Receive<Joined>(joined =>
        {
            Timers.Cancel(JoinTimer);
            _localChannel = joined.LocalChannel;
            Context.Watch(_localChannel);
            _accept().PipeTo(Self, success: socket => new Accepted(socket));
            Become(Accepting);
        });
        Receive<JoinTimedOut>(_ =>
        {
            _log.Warning("Channel {0} could not be joined within {1}", _channel, _ctx.Settings.JoinTimeout);
            StopWith(ConnectionOutcome.ChannelUnavailable);
        });
        Receive<CloseConnection>(_ => StopWith(ConnectionOutcome.ShuttingDown));
    }

    private void Accepting()
    {
        Receive<Accepted>(accepted =>
        {
            _opened = true;
            _ctx.Metrics.Connections.Inc();
            _ctx.Metrics.ConnectionsTotal.Inc();
            Source.FromGraph(new WebSocketStage(accepted.Socket, _ctx.Settings, _ctx.Metrics, Self))
                .To(Sink.ActorRefWithAck<Payload>(Self, StreamInit.Instance, StreamAck.Instance, StreamCompleted.Instance, e => new StreamFailed(e)))
                .Run(_ctx.Materializer);
            Become(Open);
        });
        Receive<Status.Failure>(failure =>
        {
            _log.Debug("WebSocket handshake for {0} failed: {1}", _channel, failure.Cause.Message);
            Context.Stop(Self);
        });
        Receive<CloseConnection>(close => _closeRequested = close.Reason);
        Receive<Terminated>(_ => Context.Stop(Self));
    }

    private void Open()
    {
        Receive<OutboxReady>(ready =>
        {
            _outbox = ready.Outbox;
            _localChannel!.Tell(new Activate(Self, ready.Outbox));
            if (_closeRequested is not null)
            {
                _outbox.Tell(new CloseSocket(_closeRequested, Flush: true));
            }
        });
        Receive<StreamInit>(_ => Sender.Tell(StreamAck.Instance));
        Receive<Payload>(payload =>
        {
            OnClientMessage(payload);
            Sender.Tell(StreamAck.Instance);
        });
        Receive<CloseConnection>(close =>
        {
            _closeRequested = close.Reason;
            _outbox?.Tell(new CloseSocket(close.Reason, Flush: true));
        });
        Receive<StreamCompleted>(_ => Context.Stop(Self));
        Receive<StreamFailed>(failed =>
        {
            _log.Debug("Connection stream for {0} failed: {1}", _channel, failed.Cause.Message);
            Context.Stop(Self);
        });
        Receive<Terminated>(t =>
        {
            // Our local channel died without us leaving it: we would silently miss messages, so close.
            _log.Warning("Local channel {0} stopped under a live connection; closing it", _channel);
            _outbox?.Tell(new CloseSocket(CloseReasons.InternalError, Flush: false));
        });
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

    private sealed record StreamFailed(Exception Cause);

    private sealed class JoinTimedOut
    {
        public static readonly JoinTimedOut Instance = new();
    }

    private sealed class StreamInit
    {
        public static readonly StreamInit Instance = new();
    }

    private sealed class StreamAck
    {
        public static readonly StreamAck Instance = new();
    }

    private sealed class StreamCompleted
    {
        public static readonly StreamCompleted Instance = new();
    }
}
