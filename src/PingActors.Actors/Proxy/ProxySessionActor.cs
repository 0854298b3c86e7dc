using System.Net;
using Akka.Actor;
using Akka.Event;
using PingActors.Actors.Dispatch;
using PingActors.Actors.Proxy.Callbacks;
using PingActors.Actors.Proxy.Delivery;
using PingActors.Actors.Proxy.Faces;
using PingActors.Actors.Sessions;
using PingActors.Actors.Sessions.Streams;

namespace PingActors.Actors.Proxy;

/// <summary>
/// One proxied WebSocket, of either face: the app's connect callback decides the handshake, its establish
/// callback (if the face has one) follows the upgrade (before the greeting), each client message goes to its
/// receive callback in order (the next is read once the app answered), and its close callback runs at most
/// once when the session ends, where the face's rule says so (kuiperbelt: not after the app's close or a
/// failed establish; WSaaS: after every connect callback).
/// </summary>
public sealed class ProxySessionActor : SessionActor<ProxySessionRequest>
{
    /// <summary>The one Props for every proxy session; the supervisor sends <see cref="StartSession"/> first.</summary>
    public static readonly Props Props = Props.Create<ProxySessionActor>().WithDispatcher(SessionDispatcher.Id);

    private static readonly SessionOutcome.Refused BadGateway = SessionOutcome.Refused.Text(502, "Bad Gateway\n");

    // The connect callback is bounded by callback.timeout (answered 502); this only catches the unforeseen.
    private static readonly TimeSpan StartMargin = TimeSpan.FromSeconds(2);

    private string? _key;
    private Payload? _greeting;
    private Action<object>? _outbox;
    private ProxySessionHandle? _handle;
    private InboundMessage? _heldUntilEstablished;
    private ICancelable? _idleTimer;
    private OutboxGauge? _gauge;
    private PendingOutbox? _pending;
    private CloseByApp? _closedBeforeOpen;
    private bool _opened;
    private bool _established;
    private bool _connectCalled;
    private SessionEnd _end = SessionEnd.Ended;

    protected override TimeSpan StartTimeout => Proxy.Settings.CallbackTimeout + StartMargin;

    protected override string Describe => _key is null ? "a proxy connection" : "proxy session " + _key;

    private ProxyContext Proxy => Request.Proxy;

    protected override void OnPrepare()
    {
        _key = Proxy.Face.NewKey();
        ReachableBeforeOpen();
        _connectCalled = true;
        Proxy.Callbacks.ConnectAsync(Request.Connect, _key).PipeTo(Self);
    }

    // The outbox's gauge comes with the stream: /send reserves room on it and the stream gives it back.
    protected override Akka.Streams.IGraph<Akka.Streams.ClosedShape, Akka.NotUsed> StreamOf(System.Net.WebSockets.WebSocket socket)
    {
        _gauge ??= NewGauge();
        return Session.Graph.For(socket, Self, _gauge);
    }

    protected override void OnPrepareTimedOut() => Refuse(BadGateway);

    protected override void OnOpened(Action<object> outbox)
    {
        _outbox = outbox;
        _opened = true;
        Proxy.Stats.SessionOpened();
        if (!Proxy.Face.HasEstablish)
        {
            OnEstablished(true);
            return;
        }

        Proxy.Callbacks.EstablishAsync(_key!).PipeTo(Self, success: ok => new Established(ok));
    }

    protected override void OnClientMessage(InboundMessage message)
    {
        Request.Activity.Touch();
        if (!_established)
        {
            // Not read further until the app has seen the establish callback, as in kuiperbelt.
            _heldUntilEstablished = message;
            return;
        }

        if (!Proxy.Face.HasReceive)
        {
            message.Ack();
            return;
        }

        Proxy.Callbacks.ReceiveAsync(_key!, Request.Connect, message.Payload).PipeTo(Self, success: status => new Received(message.Ack, status));
    }

    protected override bool OnSessionMessage(object message)
    {
        switch (message)
        {
            case ConnectAnswer.Accept accept when Phase == SessionPhase.Preparing:
                Rekey(accept.SessionKey);
                _greeting = accept.Greeting;
                Accept();
                return true;
            case ConnectAnswer.Refuse refuse when Phase == SessionPhase.Preparing:
                if (_handle is not null)
                {
                    Proxy.Directory.Remove(_handle);
                }

                Refuse(refuse.Answer);
                return true;
            case Established established:
                OnEstablished(established.Ok);
                return true;
            case Received received:
                if (received.Status != HttpStatusCode.OK)
                {
                    Proxy.Stats.MessageFailed();
                    Context.GetLogger().Debug("The receive callback of {0} answered {1}", Describe, received.Status?.ToString() ?? "nothing");
                }

                received.Ack();
                return true;
            case CloseByApp close when !_opened:
                _closedBeforeOpen ??= close;
                return true;
            case CloseByApp close:
                OnCloseByApp(close);
                return true;
            case IdleCheck:
                CheckIdle();
                return true;
            default:
                return false;
        }
    }

    protected override void OnStopped()
    {
        _idleTimer?.Cancel();
        if (_handle is not null)
        {
            Proxy.Directory.Remove(_handle);
        }

        if (_opened)
        {
            Proxy.Stats.SessionEnded();
        }

        var end = _opened ? _end : SessionEnd.Refused;
        if (_connectCalled && _key is not null && Proxy.Face.CloseCallbackAfter(end))
        {
            Proxy.Callbacks.Close(_key, Request.Connect);
        }
    }

    private void OnEstablished(bool ok)
    {
        if (!ok)
        {
            // The app does not know this session: no greeting, never reachable by /send.
            _end = SessionEnd.EstablishFailed;
            Proxy.Stats.ConnectFailed();
            CloseNow(ProxyCloseReasons.EstablishFailed);
            return;
        }

        _established = true;
        if (_greeting is not null)
        {
            Proxy.Stats.MessagesSent(1);
            _gauge!.Reserve(_greeting.Length);
            Send(_greeting);
            _greeting = null;
        }

        // What was pushed before the socket opened goes first; then the direct outbox takes the key over.
        _pending?.Open(_outbox!);
        _pending = null;
        _handle = HandleFor(_outbox!);
        Proxy.Directory.Add(_handle);
        if (Proxy.Settings.IdleTimeout > TimeSpan.Zero)
        {
            ScheduleIdleCheck(Proxy.Settings.IdleTimeout);
        }

        if (_closedBeforeOpen is { } close)
        {
            _closedBeforeOpen = null;
            OnCloseByApp(close);
            return;
        }

        if (_heldUntilEstablished is { } held)
        {
            _heldUntilEstablished = null;
            OnClientMessage(held);
        }
    }

    // A face without an establish callback has no later moment at which the app learns the session is there: its
    // app knows the key from the connect callback and may push as soon as it answered (WSaaS's apps do), so the
    // session is reachable from before that callback, its pushes held until the socket opens (dropped if the app
    // refuses it). With an establish callback a session is reachable after it, as in kuiperbelt.
    private void ReachableBeforeOpen()
    {
        if (Proxy.Face.HasEstablish)
        {
            return;
        }

        _gauge = NewGauge();
        _pending = new PendingOutbox();
        if (_key is not null)
        {
            _handle = HandleFor(_pending.Push);
            Proxy.Directory.Add(_handle);
        }
    }

    // kuiperbelt's app names the session in its connect answer: the held pushes' handle moves to that key.
    private void Rekey(string key)
    {
        if (key == _key)
        {
            return;
        }

        _key = key;
        if (_pending is not null)
        {
            if (_handle is not null)
            {
                Proxy.Directory.Remove(_handle);
            }

            _handle = HandleFor(_pending.Push);
            Proxy.Directory.Add(_handle);
        }
    }

    private ProxySessionHandle HandleFor(Action<object> outbox) => new(_key!, Self, outbox, _gauge!, Request.Activity)
    {
        Face = Proxy.Face.Name,
        RemoteAddress = Request.Connect.RemoteAddress,
    };

    private OutboxGauge NewGauge()
    {
        var sessions = Proxy.Settings.Session;
        return new OutboxGauge(sessions.OutboundMaxMessages, sessions.OutboundMaxBytes);
    }

    private void OnCloseByApp(CloseByApp close)
    {
        _end = SessionEnd.ClosedByApp;
        if (_handle is not null)
        {
            Proxy.Directory.Remove(_handle);
        }

        if (Proxy.Face.SendsLastWord)
        {
            _gauge!.Reserve(close.LastWord.Length);
            Send(close.LastWord);
        }

        Close(CloseReasons.Normal);
    }

    private void CheckIdle()
    {
        var idle = Request.Activity.IdleFor;
        var timeout = Proxy.Settings.IdleTimeout;
        if (idle >= timeout)
        {
            Close(ProxyCloseReasons.IdleTimeout);
            return;
        }

        ScheduleIdleCheck(timeout - idle);
    }

    private void ScheduleIdleCheck(TimeSpan after) =>
        _idleTimer = Context.System.Scheduler.ScheduleTellOnceCancelable(after, Self, IdleCheck.Instance, Self);

    private sealed record Established(bool Ok);

    private sealed record Received(Action Ack, HttpStatusCode? Status);

    private sealed class IdleCheck
    {
        public static readonly IdleCheck Instance = new();
    }
}

/// <summary>The app's close: <paramref name="LastWord"/> goes out last where the face sends one, then a 1000 close frame; the face says whether the close callback follows.</summary>
public sealed record CloseByApp(Payload LastWord);
