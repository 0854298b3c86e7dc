using Akka.Actor;
using Akka.Event;

namespace PingActors.Actors.Sessions;

/// <summary>
/// Per-node parent of every session actor, whatever its kind (hub subscriber, proxy session, bridge). A
/// failed session is stopped, never restarted (a socket cannot be reopened from the server side). On
/// shutdown it closes the sessions in slices over the drain window, so clients do not all reconnect at the
/// same instant.
/// </summary>
public sealed class SessionSupervisor : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan DrainTick = TimeSpan.FromMilliseconds(100);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _drainWaiters = [];
    private Queue<IActorRef>? _toClose;
    private int _perTick;
    private int _count;
    private long _nextId;

    public SessionSupervisor()
    {
        Receive<OpenSession>(OnOpen);
        Receive<Terminated>(_ =>
        {
            _count--;
            ReplyIfDrained();
        });
        Receive<Drain>(OnDrain);
        Receive<DrainTickMessage>(_ => CloseNextSlice());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props { get; } = Props.Create(() => new SessionSupervisor());

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(e =>
        {
            _log.Error(e, "Session actor failed; stopping it");
            return Directive.Stop;
        });

    private void OnOpen(OpenSession open)
    {
        if (_toClose is not null)
        {
            open.Outcome.TrySetResult(SessionOutcome.ShuttingDown);
            return;
        }

        var id = _nextId++;
        var child = Context.ActorOf(open.Kind, "ws-" + id);
        child.Tell(new StartSession(open, id));
        Context.Watch(child);
        _count++;
    }

    private void OnDrain(Drain drain)
    {
        _drainWaiters.Add(Sender);
        if (_toClose is null)
        {
            var children = Context.GetChildren().ToList();
            _toClose = new Queue<IActorRef>(children);
            var ticks = Math.Max(1, (int)(drain.Window.Ticks / DrainTick.Ticks));
            _perTick = Math.Max(1, (children.Count + ticks - 1) / ticks);
            _log.Info("Draining {0} connections over {1}", children.Count, drain.Window);
            CloseNextSlice();
        }

        ReplyIfDrained();
    }

    private void CloseNextSlice()
    {
        for (var i = 0; i < _perTick && _toClose!.TryDequeue(out var child); i++)
        {
            child.Tell(new CloseSession(CloseReasons.ServerShutdown));
        }

        if (_toClose!.Count > 0)
        {
            Timers.StartSingleTimer("drain", DrainTickMessage.Instance, DrainTick);
        }
    }

    private void ReplyIfDrained()
    {
        if (_count > 0 || _drainWaiters.Count == 0)
        {
            return;
        }

        foreach (var waiter in _drainWaiters)
        {
            waiter.Tell(Drained.Instance);
        }

        _drainWaiters.Clear();
    }

    private sealed class DrainTickMessage
    {
        public static readonly DrainTickMessage Instance = new();
    }
}
