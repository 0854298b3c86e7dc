using Akka.Actor;
using Akka.Cluster;
using PingActors.Actors.Hub;
using PingActors.Actors.Hub.Channels;
using PingActors.Node.Hub;

namespace PingActors.Node.Ops.Console;

/// <summary>
/// Each node's console figures, at <c>/user/pingactors-console</c>: every second it samples the node's counters
/// into a <see cref="RateRing"/> (five minutes) and asks its channel entities what they numbered since
/// (<see cref="ReportActivity"/>; less often on a node with many channels), for the <see cref="BusiestChannels"/>. Answers <see cref="GetNodeFigures"/>
/// from any node of the cluster with what it holds; it never waits on anything.
/// </summary>
public sealed class ConsoleRecorder : ReceiveActor, IWithTimers
{
    public const string Name = "pingactors-console";

    /// <summary>Every channel entity of this node: /system/sharding/{type}/{shard}/{entity}.</summary>
    public const string EntitiesPath = "/system/sharding/" + HubHosting.ChannelTypeName + "/*/*";

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    // Five minutes of history; the busiest channels over the last minute, their rate over the last ten seconds.
    private const int HistoryPoints = 300;
    private const int BusiestWindow = 60;
    private const int BusiestRecent = 10;
    private const int BusiestShown = 10;

    // Entities asked per second at most: every entity of the node gets a ReportActivity per poll, so a node
    // with many channels polls less often (20,000 channels or more: every 20 s) rather than spend a core on it.
    private const int EntitiesPerSecond = 1_000;

    private readonly HubMetrics _metrics;
    private readonly HubRuntime _runtime;
    private readonly SessionTotals _sessions;
    private readonly string _address;
    private readonly RateRing _rates = new(HistoryPoints);
    private readonly BusiestChannels _busiest = new(BusiestWindow);
    private readonly ActorSelection _entities;
    private long _published;
    private long _delivered;
    private long _sampledAtMs;
    private int _sinceLastPoll;
    private int _pollEvery = 1;

    public ConsoleRecorder(HubMetrics metrics, HubRuntime runtime, SessionTotals sessions)
    {
        _metrics = metrics;
        _runtime = runtime;
        _sessions = sessions;
        _address = Cluster.Get(Context.System).SelfAddress.ToString();
        _entities = Context.ActorSelection(EntitiesPath);

        Receive<Sample>(_ => OnSample());
        Receive<ChannelActivity>(_busiest.Add);
        Receive<GetNodeFigures>(_ => Sender.Tell(Figures()));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props PropsFor(HubMetrics metrics, HubRuntime runtime, SessionTotals sessions) =>
        Props.Create(() => new ConsoleRecorder(metrics, runtime, sessions));

    protected override void PreStart()
    {
        _published = Published();
        _delivered = (long)_metrics.Delivered.Value;
        _sampledAtMs = Environment.TickCount64;
        Timers.StartPeriodicTimer("sample", Sample.Instance, Interval);
    }

    private void OnSample()
    {
        // Rates over the time that really passed: a timer late under load must not show a spike.
        var now = Environment.TickCount64;
        var seconds = Math.Max(now - _sampledAtMs, 1) / 1000.0;
        var published = Published();
        var delivered = (long)_metrics.Delivered.Value;
        _rates.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Math.Round((published - _published) / seconds, 1), Math.Round((delivered - _delivered) / seconds, 1));
        (_published, _delivered, _sampledAtMs) = (published, delivered, now);

        // What the entities answer now lands in the next tick.
        _busiest.Tick();
        if (++_sinceLastPoll >= _pollEvery)
        {
            _sinceLastPoll = 0;
            _pollEvery = (int)Math.Clamp((long)_metrics.ChannelEntities.Value / EntitiesPerSecond, 1, BusiestWindow / 3);
            _entities.Tell(new ReportActivity(Self));
        }
    }

    private long Published() => (long)_metrics.PublishPost.Value + (long)_metrics.PublishWebSocket.Value;

    private NodeFigures Figures() => new(
        Address: _address,
        Connections: _sessions.Connections,
        Channels: (long)_metrics.LocalChannels.Value,
        ChannelEntities: (long)_metrics.ChannelEntities.Value,
        Published: Published(),
        Delivered: (long)_metrics.Delivered.Value,
        Dropped: _sessions.Dropped,
        SlowConsumerDisconnects: _sessions.SlowConsumerDisconnects,
        FanoutBacklog: _runtime.Backlog.Queued,
        Rates: _rates.Snapshot((int)Interval.TotalMilliseconds),
        // A rate over fewer ticks than a poll period would swing between a burst and nothing.
        Busiest: _busiest.Top(BusiestShown, Math.Max(BusiestRecent, _pollEvery), Interval.TotalSeconds));

    private sealed class Sample
    {
        public static readonly Sample Instance = new();
    }
}
