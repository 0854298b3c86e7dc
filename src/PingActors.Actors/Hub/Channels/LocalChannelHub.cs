using Akka.Actor;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Hub.Channels;

/// <summary>
/// Per-node parent of the <see cref="LocalChannel"/>s: routes joins to the channel's actor, creating it on
/// the first join and stopping it once it reports idle with no join in flight.
/// </summary>
public sealed class LocalChannelHub : ReceiveActor
{
    private readonly IActorRef _region;
    private readonly HubSettings _settings;
    private readonly HubMetrics _metrics;
    private readonly Dictionary<string, Entry> _channels = new(StringComparer.Ordinal);

    // The way back from a child to its channel, so a Terminated costs a lookup and not a walk over every
    // channel of the node (thousands of channels stopping at once would otherwise cost their square).
    private readonly Dictionary<IActorRef, string> _channelOfChild = [];
    private long _nextId;

    public LocalChannelHub(IActorRef region, HubSettings settings, HubMetrics metrics)
    {
        _region = region;
        _settings = settings;
        _metrics = metrics;

        Receive<Join>(OnJoin);
        Receive<Leave>(leave =>
        {
            // A connection that never got its Joined leaves through here, behind its Join.
            if (_channels.TryGetValue(leave.Channel, out var entry))
            {
                entry.Child.Forward(leave);
            }
        });
        Receive<LocalChannelIdle>(OnIdle);
        Receive<Terminated>(OnTerminated);
    }

    public static Props PropsFor(IActorRef region, HubSettings settings, HubMetrics metrics) =>
        Props.Create(() => new LocalChannelHub(region, settings, metrics));

    // A local channel that throws has lost track of its sockets: stop it (its PostStop tells its
    // connections, which close), never restart it empty.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    private void OnJoin(Join join)
    {
        if (!_channels.TryGetValue(join.Channel, out var entry))
        {
            var child = Context.ActorOf(LocalChannel.PropsFor(join.Channel, _region, _settings, _metrics).WithDispatcher(Context.Props.Dispatcher), "ch-" + _nextId++);
            Context.Watch(child);
            entry = new Entry(child);
            _channels.Add(join.Channel, entry);
            _channelOfChild.Add(child, join.Channel);
        }

        entry.Joins++;
        entry.Child.Forward(join);
    }

    private void OnIdle(LocalChannelIdle idle)
    {
        // Only stop the child if no join was forwarded after the one it last saw: otherwise a new member
        // is on its way and the child stays.
        if (_channels.TryGetValue(idle.Channel, out var entry) && entry.Child.Equals(Sender) && entry.Joins == idle.JoinsReceived)
        {
            _channels.Remove(idle.Channel);
            _channelOfChild.Remove(Sender);
            Context.Stop(Sender);
        }
    }

    private void OnTerminated(Terminated t)
    {
        // A child stopped by OnIdle was forgotten there; one that failed is forgotten here.
        if (_channelOfChild.Remove(t.ActorRef, out var channel))
        {
            _channels.Remove(channel);
        }
    }

    private sealed class Entry(IActorRef child)
    {
        public IActorRef Child { get; } = child;

        public long Joins { get; set; }
    }
}
