using Akka.Actor;
using Akka.Event;
using PingActors.Actors.Dispatch;
using PingActors.Actors.Hub.Dispatch;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Hub.Channels;

/// <summary>
/// One channel on one node: subscribes once to the sharded <see cref="ChannelEntity"/> and fans each
/// message out to this node's sockets. The channel's order is kept because each message goes from this
/// one actor to each socket's outbox (Akka keeps per sender/receiver order). It checks the entity's
/// sequence numbers: a duplicate is dropped, a gap (or a lost entity) makes it resume from the last
/// number it delivered, and the entity replays what it still has.
/// </summary>
public sealed class LocalChannel : ReceiveActor, IWithTimers
{
    private const string RetryTimer = "subscribe-retry";

    private readonly string _channel;
    private readonly IActorRef _region;
    private readonly HubSettings _settings;
    private readonly HubMetrics _metrics;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    // Connections that joined, with their outbox once their socket is open.
    private readonly Dictionary<IActorRef, Member> _members = [];

    // The active sockets' delivery callbacks, kept as a list so the per-message loop is a plain array walk,
    // and their members at the same positions, so a leave swaps the last one into its place: a channel's
    // sockets all leaving costs linear time, not quadratic. The order of deliveries across sockets means
    // nothing; each socket still gets the channel's order.
    private readonly List<Action<Payload>> _outboxes = [];
    private readonly List<Member> _active = [];

    // Members whose socket is not open yet: each message is held for them, without walking the others.
    private readonly HashSet<Member> _pending = [];
    private readonly HashSet<IActorRef> _waitingForSubscription = [];
    private bool _subscribed;
    private long _joinsReceived;
    private IActorRef? _entity;

    // This actor's queue when it runs on the channel dispatcher (BacklogMailbox): told the socket count,
    // so a queued message counts as the deliveries it will cost (pingactors.hub.publish-backlog).
    private BacklogMessageQueue? _backlogQueue;
    private long _incarnation;
    private long _lastSeq;

    // The last number reported to the entity as handed to this node's sockets, and how often to report
    // (a quarter of the publish window; 0: never).
    private long _reported;
    private readonly long _reportEvery;

    public LocalChannel(string channel, IActorRef region, HubSettings settings, HubMetrics metrics)
    {
        _channel = channel;
        _region = region;
        _settings = settings;
        _metrics = metrics;
        _reportEvery = settings.PublishWindow > 0 ? DeliveryWindow.ReportEvery(settings.PublishWindow) : 0;

        Receive<ChannelMessage>(OnMessage);
        Receive<Join>(OnJoin);
        Receive<Leave>(leave => RemoveMember(leave.Connection));
        Receive<Activate>(OnActivate);
        Receive<Subscribed>(OnSubscribed);
        Receive<Resubscribe>(_ => SubscribeToEntity());
        Receive<RetrySubscribe>(_ =>
        {
            if (!_subscribed)
            {
                SubscribeToEntity();
            }
        });
        Receive<Terminated>(OnTerminated);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props PropsFor(string channel, IActorRef region, HubSettings settings, HubMetrics metrics) =>
        Props.Create(() => new LocalChannel(channel, region, settings, metrics));

    protected override void PreStart()
    {
        _backlogQueue = AkkaInternals.MessageQueueOf(Context) as BacklogMessageQueue;
        _backlogQueue?.RunsInlineWhenSmall = true;
        _metrics.LocalChannels.Inc();
        SubscribeToEntity();
    }

    protected override void PostStop()
    {
        _metrics.LocalChannels.Dec();

        // Normally there is no member left; if this actor failed, its connections must not wait for
        // messages that will never come.
        foreach (var connection in _members.Keys)
        {
            connection.Tell(ChannelStopped.Instance);
        }
    }

    private void SubscribeToEntity()
    {
        _subscribed = false;
        _region.Tell(new Subscribe(_channel, Self, _incarnation, _lastSeq));
        Timers.StartSingleTimer(RetryTimer, RetrySubscribe.Instance, _settings.SubscribeRetry);
    }

    private void OnSubscribed(Subscribed s)
    {
        if (_subscribed && s.Incarnation == _incarnation)
        {
            return; // the answer to a repeated request
        }

        if (s.Incarnation != _incarnation)
        {
            if (_incarnation != 0)
            {
                // Once per hand-off or crash of the channel's host: shows when the channel was back.
                _log.Info("Channel {0} resumed on a new incarnation of its entity at {1}", _channel, Sender.Path.Address);
            }

            // A fresh subscription starts at the entity's current number; a resumed one is replayed from
            // the start of the new incarnation.
            _lastSeq = _incarnation == 0 ? s.LastSeq : 0;
            _reported = _lastSeq;
            _incarnation = s.Incarnation;
        }

        _subscribed = true;
        Timers.Cancel(RetryTimer);
        if (!Sender.Equals(_entity))
        {
            if (_entity is not null)
            {
                Context.Unwatch(_entity);
            }

            _entity = Sender;
            Context.Watch(_entity);
        }

        if (s.Gap)
        {
            _log.Warning("Channel {0} lost messages that could not be replayed; closing its {1} connections on this node", _channel, _members.Count);
            _lastSeq = s.LastSeq;
            _reported = _lastSeq;
            foreach (var connection in _members.Keys)
            {
                connection.Tell(ChannelGap.Instance);
            }
        }

        foreach (var connection in _waitingForSubscription)
        {
            connection.Tell(new Joined(_channel, Self));
        }

        _waitingForSubscription.Clear();
    }

    private void OnJoin(Join join)
    {
        _joinsReceived++;
        if (_members.ContainsKey(join.Connection))
        {
            return;
        }

        // No DeathWatch on connections: each sends Leave from its PostStop, and a watch would cost every
        // idle socket a watcher table.
        var member = new Member();
        _members.Add(join.Connection, member);
        _backlogQueue?.Weight = _members.Count;
        _pending.Add(member);
        if (_subscribed)
        {
            join.Connection.Tell(new Joined(_channel, Self));
        }
        else
        {
            _waitingForSubscription.Add(join.Connection);
        }
    }

    private void OnActivate(Activate a)
    {
        if (!_members.TryGetValue(a.Connection, out var member) || member.Deliver is not null)
        {
            return;
        }

        // Hand over what arrived between the join and the socket opening, from this actor, so it stays
        // ahead of everything sent to the outbox later.
        if (member.Held is { } held)
        {
            foreach (var payload in held)
            {
                a.Deliver(payload);
            }

            _metrics.Delivered.Inc(held.Count);
        }

        member.Held = null;
        member.Deliver = a.Deliver;
        _pending.Remove(member);
        member.Slot = _outboxes.Count;
        _outboxes.Add(a.Deliver);
        _active.Add(member);
    }

    private void OnMessage(ChannelMessage message)
    {
        if (message.Incarnation != _incarnation || message.Seq <= _lastSeq)
        {
            return; // from an incarnation we left, or a replay of what we already delivered
        }

        if (message.Seq != _lastSeq + 1)
        {
            // Something between the entity and this node was lost: ask for the rest again.
            if (_subscribed)
            {
                _log.Warning("Channel {0}: got seq {1} after {2}; resuming", _channel, message.Seq, _lastSeq);
                SubscribeToEntity();
            }

            return;
        }

        _lastSeq = message.Seq;
        var payload = message.Payload;
        var outboxes = _outboxes;
        for (var i = 0; i < outboxes.Count; i++)
        {
            outboxes[i](payload);
        }

        _metrics.Delivered.Inc(outboxes.Count);
        if (_reportEvery > 0 && _lastSeq - _reported >= _reportEvery)
        {
            _reported = _lastSeq;
            _entity?.Tell(new Delivered(_channel, _incarnation, _lastSeq));
        }

        if (_pending.Count == 0)
        {
            return;
        }

        foreach (var member in _pending)
        {
            member.Hold(payload, _settings.Session.OutboundMaxMessages, _metrics);
        }
    }

    private void OnTerminated(Terminated t)
    {
        if (t.ActorRef.Equals(_entity))
        {
            // The entity's node crashed or left without handing off: resume with whoever hosts it next.
            _entity = null;
            _log.Info("Channel {0} lost its entity; resuming after seq {1}", _channel, _lastSeq);
            SubscribeToEntity();
        }
    }

    private void RemoveMember(IActorRef connection)
    {
        if (!_members.Remove(connection, out var member))
        {
            return;
        }

        if (member.Deliver is null)
        {
            _pending.Remove(member);
        }
        else
        {
            RemoveActive(member);
        }

        _waitingForSubscription.Remove(connection);
        _backlogQueue?.Weight = _members.Count;
        if (_members.Count == 0)
        {
            _log.Debug("Local channel {0} has no members", _channel);
            Context.Parent.Tell(new LocalChannelIdle(_channel, _joinsReceived));
        }
    }

    private void RemoveActive(Member member)
    {
        var last = _outboxes.Count - 1;
        if (member.Slot != last)
        {
            var moved = _active[last];
            _outboxes[member.Slot] = _outboxes[last];
            _active[member.Slot] = moved;
            moved.Slot = member.Slot;
        }

        _outboxes.RemoveAt(last);
        _active.RemoveAt(last);
    }

    private sealed class Member
    {
        public Action<Payload>? Deliver { get; set; }

        /// <summary>Its position in the channel's outbox list while its socket is open.</summary>
        public int Slot { get; set; }

        public Queue<Payload>? Held { get; set; }

        public void Hold(Payload payload, int max, HubMetrics metrics)
        {
            Held ??= new Queue<Payload>();
            if (Held.Count >= max)
            {
                Held.Dequeue();
                metrics.Session.Dropped.Inc();
            }

            Held.Enqueue(payload);
        }
    }

    private sealed class RetrySubscribe
    {
        public static readonly RetrySubscribe Instance = new();
    }
}
