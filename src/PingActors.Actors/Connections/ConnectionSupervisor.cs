using Akka.Actor;
using Akka.Event;

namespace PingActors.Actors.Connections;

/// <summary>
/// Per-node parent of every <see cref="ConnectionActor"/>. A failed connection is stopped, never
/// restarted (a socket cannot be reopened from the server side). On shutdown it closes the connections
/// in slices over the drain window, so clients do not all reconnect at the same instant.
/// </summary>
public sealed class ConnectionSupervisor : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan DrainTick = TimeSpan.FromMilliseconds(100);

    private readonly ConnectionContext _ctx;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _drainWaiters = [];
    private Queue<IActorRef>? _toClose;
    private int _perTick;
    private int _count;
    private long _nextId;

    public ConnectionSupervisor(ConnectionContext ctx)
    {
        _ctx = ctx;
        Receive<OpenConnection>(OnOpen);
        Receive<Terminated>(_ =>
        {
            _count--;
            ReplyIfDrained();
        });
        Receive<Drain>(OnDrain);
        Receive<DrainTickMessage>(_ => CloseNextSlice());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props PropsFor(ConnectionContext ctx) => Props.Create(() => new ConnectionSupervisor(ctx));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(e =>
        {
            _log.Error(e, "Connection actor failed; stopping it");
            return Directive.Stop;
        });

    private void OnOpen(OpenConnection open)
    {
        if (_toClose is not null)
        {
            open.Outcome.TrySetResult(ConnectionOutcome.ShuttingDown);
            return;
        }

        var id = _nextId++;
        var child = Context.ActorOf(ConnectionActor.Props, "ws-" + id);
        child.Tell(new StartConnection(open, _ctx, (int)(id % _ctx.StreamHosts.Count)));
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
            child.Tell(new CloseConnection(Hub.CloseReasons.ServerShutdown));
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
