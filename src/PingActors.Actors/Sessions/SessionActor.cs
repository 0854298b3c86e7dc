using System.Net.WebSockets;
using Akka.Actor;
using Akka.Event;
using PingActors.Actors.Sessions.Streams;

namespace PingActors.Actors.Sessions;

/// <summary>
/// The life every kind of session shares: prepare (the hub joins its channel, the proxy asks the app), then
/// complete the WebSocket handshake or refuse it, run the socket's stream in one of the feature's stream
/// hosts, and end with the stream. A feature's session actor says only what is its own: how it prepares,
/// what it does with a client message, and its own messages.
/// </summary>
/// <remarks>
/// There is one per socket, so it is built small: an <see cref="UntypedActor"/> (no per-instance handler
/// tables), one shared <see cref="Props"/> per kind with the request in <see cref="StartSession"/> (no
/// per-socket Props, Deploy and argument array), and the lean mailbox of the session dispatcher.
/// </remarks>
public abstract class SessionActor<TRequest> : UntypedActor
    where TRequest : class, ISessionRequest
{
    private StartSession _start = null!;
    private Func<string?, Task<WebSocket>>? _accept;
    private ICancelable? _timeout;
    private WebSocket? _startingSocket;
    private Action<object>? _outbox;
    private CloseReason? _closeRequested;
    private bool _streamEnded;

    protected enum SessionPhase
    {
        Created,
        Preparing,
        Accepting,
        Open,
    }

    protected SessionPhase Phase { get; private set; } = SessionPhase.Created;

    protected TRequest Request => (TRequest)_start.Open.Request;

    protected SessionContext Session => _start.Open.Request.Session;

    /// <summary>How long preparing may take, and again how long the socket's stream may take to start after the handshake.</summary>
    protected abstract TimeSpan StartTimeout { get; }

    /// <summary>What the session is, for the log ("a connection to /a").</summary>
    protected abstract string Describe { get; }

    protected sealed override void PostStop()
    {
        if (Phase == SessionPhase.Created)
        {
            return;
        }

        _timeout?.Cancel();
        _startingSocket?.Abort();
        OnStopped();
        if (!_streamEnded)
        {
            _outbox?.Invoke(AbortSocket.Instance);
        }

        if (Phase == SessionPhase.Open)
        {
            Session.Metrics.Connections.Dec();
        }

        _start.Open.Outcome.TrySetResult(SessionOutcome.Closed.Instance);
    }

    protected sealed override void OnReceive(object message)
    {
        switch (message)
        {
            case InboundMessage inbound:
                OnClientMessage(inbound);
                break;
            case OutboxReady ready:
                OnOutboxReady(ready);
                break;
            case StartSession start when Phase == SessionPhase.Created:
                OnStart(start);
                break;
            case Accepted accepted when Phase == SessionPhase.Accepting:
                OnAccepted(accepted.Socket);
                break;
            case CloseSession close:
                Close(close.Reason);
                break;
            case StreamCompleted:
                _streamEnded = true;
                Context.Stop(Self);
                break;
            case StreamFailed failed:
                _streamEnded = true;
                Context.GetLogger().Debug("The stream of {0} failed: {1}", Describe, failed.Cause.Message);
                Context.Stop(Self);
                break;
            case Status.Failure failure when Phase == SessionPhase.Accepting:
                Context.GetLogger().Debug("The WebSocket handshake of {0} failed: {1}", Describe, failure.Cause.Message);
                Context.Stop(Self);
                break;
            case TimedOut when Phase == SessionPhase.Preparing:
                OnPrepareTimedOut();
                break;
            case TimedOut when Phase == SessionPhase.Open && _outbox is null:
                // Its stream host never started the socket's stream: do not leave the client hanging.
                Context.GetLogger().Error("The stream of {0} did not start within {1}; closing it", Describe, StartTimeout);
                Context.Stop(Self);
                break;
            default:
                if (!OnSessionMessage(message))
                {
                    Unhandled(message);
                }

                break;
        }
    }

    /// <summary>Called once, on start: prepare, then call <see cref="Accept"/> or <see cref="Refuse"/>.</summary>
    protected abstract void OnPrepare();

    /// <summary>Preparing took longer than <see cref="StartTimeout"/>; usually a <see cref="Refuse"/>.</summary>
    protected abstract void OnPrepareTimedOut();

    /// <summary>A client message; the next is read only once <see cref="InboundMessage.Ack"/> is called.</summary>
    protected abstract void OnClientMessage(InboundMessage message);

    /// <summary>The socket's stream runs; <paramref name="outbox"/> takes what goes to the client.</summary>
    protected virtual void OnOpened(Action<object> outbox)
    {
    }

    /// <summary>The socket's stream: the feature's one fused graph, bound to this session (the bridge's depends on its framing and peer).</summary>
    protected virtual Akka.Streams.IGraph<Akka.Streams.ClosedShape, Akka.NotUsed> StreamOf(WebSocket socket) => Session.Graph.For(socket, Self);

    /// <summary>A message of the feature's own; false if it is not one.</summary>
    protected virtual bool OnSessionMessage(object message) => false;

    /// <summary>Runs however the session stops, once it has started.</summary>
    protected virtual void OnStopped()
    {
    }

    /// <summary>Completes the handshake, answering <paramref name="subProtocol"/> (one the client offered) if given; the socket's stream starts once it is done.</summary>
    protected void Accept(string? subProtocol = null)
    {
        _timeout?.Cancel();
        _timeout = null;
        Phase = SessionPhase.Accepting;
        var accept = _accept!;
        _accept = null; // the delegate holds the request's accept context: let it go once used
        accept(subProtocol).PipeTo(Self, success: socket => new Accepted(socket));
    }

    /// <summary>Answers the handshake with <paramref name="refusal"/> instead, and stops.</summary>
    protected void Refuse(SessionOutcome.Refused refusal)
    {
        _start.Open.Outcome.TrySetResult(refusal);
        Context.Stop(Self);
    }

    /// <summary>Closes with <paramref name="reason"/> after what is queued; before the handshake, refuses it as the node shutting down.</summary>
    protected void Close(CloseReason reason)
    {
        if (Phase == SessionPhase.Preparing)
        {
            Refuse(SessionOutcome.ShuttingDown);
            return;
        }

        _closeRequested = reason;
        _outbox?.Invoke(new CloseSocket(reason, Flush: true));
    }

    /// <summary>Closes with <paramref name="reason"/> at once, dropping what is queued.</summary>
    protected void CloseNow(CloseReason reason) => _outbox?.Invoke(new CloseSocket(reason, Flush: false));

    /// <summary>Sends to this session's client (nothing before the socket's stream runs).</summary>
    protected void Send(Payload payload) => _outbox?.Invoke(payload);

    private void OnStart(StartSession start)
    {
        _start = start;
        _accept = start.Open.Accept;
        Phase = SessionPhase.Preparing;
        _timeout = Context.System.Scheduler.ScheduleTellOnceCancelable(StartTimeout, Self, TimedOut.Instance, Self);
        OnPrepare();
    }

    private void OnAccepted(WebSocket socket)
    {
        Phase = SessionPhase.Open;
        _startingSocket = socket;
        _timeout = Context.System.Scheduler.ScheduleTellOnceCancelable(StartTimeout, Self, TimedOut.Instance, Self);
        Session.Metrics.Connections.Inc();
        Session.Metrics.ConnectionsTotal.Inc();
        try
        {
            Session.Hosts.Run(_start.Sequence, new RunSessionStream(StreamOf(socket), Self));
        }
        catch (Exception e)
        {
            // A stream host that is gone (its materializer shut down) refuses at once: end the session now,
            // rather than failing the actor (a restart would leave a fresh one that never ends).
            Context.GetLogger().Error(e, "The stream of {0} could not be started; closing it", Describe);
            Context.Stop(Self);
        }
    }

    private void OnOutboxReady(OutboxReady ready)
    {
        _timeout?.Cancel();
        _timeout = null;
        _startingSocket = null; // the stream owns it now
        var outbox = _outbox = ready.Outbox;
        OnOpened(outbox);
        if (_closeRequested is not null)
        {
            outbox(new CloseSocket(_closeRequested, Flush: true));
        }
    }

    private sealed record Accepted(WebSocket Socket);

    /// <summary>Preparing, or the start of the socket's stream, took longer than <see cref="StartTimeout"/>.</summary>
    private sealed class TimedOut
    {
        public static readonly TimedOut Instance = new();
    }
}
