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
/// Members that want positions (<see cref="Join.Recovery"/>, <see cref="Activate.Format"/>) are served apart
/// from the plain ones: each message is encoded once per format, and a recovering member is given its
/// answer, then what it missed (asked of the entity), then the live stream (docs/recovery.md).
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

    // Members with a format, grouped by it, so each message is encoded once per format; and the members
    // whose recovery the entity has not answered yet, by request.
    private readonly List<FormatGroup> _formats = [];
    private readonly Dictionary<long, Member> _recovering = [];
    private long _nextRequest;
    private string _epoch = string.Empty;
    private ChannelHandoff? _handoff;
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

    // The most a channel's entity buffers (replay, or history when larger): a recovering member may be
    // given that many missed messages before its socket opens.
    private readonly int _bufferMax;

    public LocalChannel(string channel, IActorRef region, HubSettings settings, HubMetrics metrics)
    {
        _channel = channel;
        _region = region;
        _settings = settings;
        _metrics = metrics;
        _bufferMax = settings.History ? Math.Max(settings.ReplayMaxMessages, settings.HistoryMaxMessages) : settings.ReplayMaxMessages;
        _reportEvery = settings.PublishWindow > 0 ? DeliveryWindow.ReportEvery(settings.PublishWindow) : 0;

        Receive<ChannelMessage>(OnMessage);
        Receive<Join>(OnJoin);
        Receive<Leave>(leave => RemoveMember(leave.Connection));
        Receive<Activate>(OnActivate);
        Receive<Subscribed>(OnSubscribed);
        Receive<Recovered>(OnRecovered);
        Receive<Resubscribe>(r =>
        {
            // Carried to the next incarnation, which continues it if this node is its first subscriber.
            _handoff = r.Handoff ?? _handoff;
            SubscribeToEntity();
        });
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
        _region.Tell(new Subscribe(_channel, Self, _incarnation, _lastSeq, _handoff));
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
            var previous = _incarnation;
            _incarnation = s.Incarnation;
            _epoch = ChannelEpoch.Of(_incarnation);
            foreach (var group in _formats)
            {
                group.Recent.Clear();
            }
            if (previous != 0)
            {
                EndPositionedMembers();
            }
        }

        _subscribed = true;
        _handoff = null;
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

        // Asked again of whoever confirmed this subscription: an earlier entity may never answer.
        foreach (var member in _members.Values)
        {
            if (member.Awaiting)
            {
                StartRecovery(member);
            }
        }
    }

    // The channel's numbering restarted (a crash, or a hand-off whose state was not adopted): positions a
    // member was given mean nothing in the new epoch, and what it missed in between is gone, so it is
    // closed as on a gap; it reconnects with its position and is told recovered:false.
    private void EndPositionedMembers()
    {
        foreach (var member in _members.Values)
        {
            if (member.Positioned && !member.Awaiting && member.After != long.MaxValue)
            {
                member.After = long.MaxValue;
                member.Connection.Tell(ChannelGap.Instance);
            }
        }
    }

    private void StartRecovery(Member member)
    {
        if (member.RequestId != 0)
        {
            _recovering.Remove(member.RequestId);
            member.RequestId = 0;
        }

        if (member.Recovery!.Since is not { } since)
        {
            // Nothing asked: the stream starts here.
            Resolve(member, true, new ChannelPosition(_epoch, _lastSeq), _lastSeq, []);
            return;
        }

        member.RequestId = ++_nextRequest;
        _recovering.Add(member.RequestId, member);
        ChannelEpoch.TryParse(since.Epoch, out var incarnation);
        (_entity ?? _region).Tell(new Recover(_channel, member.RequestId, incarnation, since.Seq));
    }

    private void OnRecovered(Recovered r)
    {
        if (!_recovering.Remove(r.RequestId, out var member))
        {
            return; // it left, or this answers a request asked again since
        }

        member.RequestId = 0;
        if (r.Incarnation != _incarnation)
        {
            // Answered by an incarnation this channel has left (or not reached yet): its numbers do not
            // line up with the live stream here; the next confirmed subscription asks again.
            if (_subscribed)
            {
                StartRecovery(member);
            }

            return;
        }

        var since = member.Recovery!.Since!.Value;
        if (r.Complete)
        {
            _metrics.Recovered.Inc();
            Resolve(member, true, new ChannelPosition(_epoch, since.Seq), r.LastSeq, r.Missed);
        }
        else
        {
            _metrics.NotRecovered.Inc();
            Resolve(member, false, new ChannelPosition(_epoch, r.LastSeq), r.LastSeq, []);
        }
    }

    // The member's answer is known: it gets the answer, then the missed messages, then every live message
    // numbered after liveAfter (everything up to it is either missed or was sent before the answer).
    private void Resolve(Member member, bool recovered, ChannelPosition position, long liveAfter, IReadOnlyList<ChannelMessage> missed)
    {
        member.Awaiting = false;
        member.After = liveAfter;
        if (member.Deliver is null)
        {
            member.Answer = (recovered, position);
            if (missed.Count > 0)
            {
                member.Held ??= new Queue<ChannelMessage>(missed.Count);
                foreach (var message in missed)
                {
                    member.Held.Enqueue(message);
                }
            }

            return;
        }

        var format = member.Format!;
        SendAnswer(member, format, recovered, position);
        foreach (var message in missed)
        {
            member.Deliver(Encode(format, message));
        }

        _metrics.Delivered.Inc(missed.Count);
    }

    private static void SendAnswer(Member member, IDeliveryFormat format, bool recovered, ChannelPosition position)
    {
        if (format is not AsPublished)
        {
            member.Deliver!(format.Recovery(recovered, position));
        }
    }

    private string EpochOf(ChannelMessage message) => message.Incarnation == _incarnation ? _epoch : ChannelEpoch.Of(message.Incarnation);

    private void OnJoin(Join join)
    {
        _joinsReceived++;
        if (_members.ContainsKey(join.Connection))
        {
            return;
        }

        // No DeathWatch on connections: each sends Leave from its PostStop, and a watch would cost every
        // idle socket a watcher table.
        var member = new Member(join.Connection, join.Recovery);
        _members.Add(join.Connection, member);
        _backlogQueue?.Weight = _members.Count;
        _pending.Add(member);
        if (_subscribed)
        {
            join.Connection.Tell(new Joined(_channel, Self));
            if (member.Awaiting)
            {
                StartRecovery(member);
            }
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

        // A recovering member without a format of its own gets the payloads as published (and no answer).
        var format = a.Format ?? (member.Positioned ? AsPublished.Instance : null);
        member.Deliver = a.Deliver;
        member.Format = format;
        _pending.Remove(member);
        if (format is not null && member.Answer is { } answer)
        {
            SendAnswer(member, format, answer.Recovered, answer.Position);
            member.Answer = null;
        }

        // Hand over what arrived between the join and the socket opening, from this actor, so it stays
        // ahead of everything sent to the outbox later.
        if (member.Held is { } held)
        {
            foreach (var message in held)
            {
                a.Deliver(format is null ? message.Payload : Encode(format, message));
            }

            _metrics.Delivered.Inc(held.Count);
        }

        member.Held = null;
        if (format is not null)
        {
            JoinFormatGroup(member, format);
            return;
        }

        member.Slot = _outboxes.Count;
        _outboxes.Add(a.Deliver);
        _active.Add(member);
    }

    // A missed or held message for one member: the encoding its format's live members got, if it is still
    // among the recent ones (clients reconnecting at once all miss the same messages: encoded once, not once
    // per client).
    private Payload Encode(IDeliveryFormat format, ChannelMessage message)
    {
        if (format is AsPublished || message.Incarnation != _incarnation)
        {
            return format.Message(new ChannelPosition(EpochOf(message), message.Seq), message.Payload);
        }

        foreach (var group in _formats)
        {
            if (ReferenceEquals(group.Format, format))
            {
                return group.Recent.TryGet(message, out var encoded)
                    ? encoded
                    : group.Recent.Keep(message, format.Message(new ChannelPosition(EpochOf(message), message.Seq), message.Payload));
            }
        }

        return format.Message(new ChannelPosition(EpochOf(message), message.Seq), message.Payload);
    }

    private void JoinFormatGroup(Member member, IDeliveryFormat format)
    {
        foreach (var group in _formats)
        {
            if (ReferenceEquals(group.Format, format))
            {
                group.Members.Add(member);
                return;
            }
        }

        _formats.Add(new FormatGroup(format) { Members = { member } });
    }

    private void LeaveFormatGroup(Member member)
    {
        for (var i = 0; i < _formats.Count; i++)
        {
            var group = _formats[i];
            if (ReferenceEquals(group.Format, member.Format) && group.Members.Remove(member))
            {
                if (group.Members.Count == 0)
                {
                    _formats.RemoveAt(i);
                }

                return;
            }
        }
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
        if (_formats.Count > 0)
        {
            DeliverPositioned(message);
        }

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
            if (message.Seq > member.After && !member.Hold(message, _settings.Session.OutboundMaxMessages, _bufferMax, _metrics))
            {
                // A recovering member is never given a stream with a hole in it: it is closed as on a gap.
                member.After = long.MaxValue;
                member.Held = null;
                member.Connection.Tell(ChannelGap.Instance);
            }
        }
    }

    // Encodes the message once per format, for the first member of that format that is owed it.
    private void DeliverPositioned(ChannelMessage message)
    {
        var position = new ChannelPosition(_epoch, message.Seq);
        var delivered = 0;
        foreach (var group in _formats)
        {
            Payload? encoded = null;
            foreach (var member in group.Members)
            {
                if (message.Seq <= member.After)
                {
                    continue; // recovering: its answer brings this one; or ended
                }

                encoded ??= group.Recent.Keep(message, group.Format.Message(position, message.Payload));
                member.Deliver!(encoded);
                delivered++;
            }
        }

        _metrics.Delivered.Inc(delivered);
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

        if (member.RequestId != 0)
        {
            _recovering.Remove(member.RequestId);
        }

        if (member.Deliver is null)
        {
            _pending.Remove(member);
        }
        else if (member.Format is not null)
        {
            LeaveFormatGroup(member);
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

    private sealed class Member(IActorRef connection, RecoveryRequest? recovery)
    {
        public IActorRef Connection { get; } = connection;

        public RecoveryRequest? Recovery { get; } = recovery;

        /// <summary>It joined with a recovery request: it is owed an answer and a stream without holes.</summary>
        public bool Positioned => Recovery is not null;

        /// <summary>Its recovery is not answered yet: no message is its own until the answer says where it stands.</summary>
        public bool Awaiting { get; set; } = recovery is not null;

        /// <summary>Messages numbered up to this are not its own (its answer brought them); long.MaxValue: none any more.</summary>
        public long After { get; set; } = recovery is null ? 0 : long.MaxValue;

        public long RequestId { get; set; }

        /// <summary>The answer owed to it once its socket opens.</summary>
        public (bool Recovered, ChannelPosition Position)? Answer { get; set; }

        public Action<Payload>? Deliver { get; set; }

        /// <summary>Its format once its socket is open (null: a plain member in the outbox list).</summary>
        public IDeliveryFormat? Format { get; set; }

        /// <summary>Its position in the channel's outbox list while its socket is open.</summary>
        public int Slot { get; set; }

        public Queue<ChannelMessage>? Held { get; set; }

        /// <summary>
        /// Holds a message until the socket opens: a plain member keeps the newest <paramref name="max"/>; a
        /// recovering one may also hold what it missed, and is never silently cut (false: it overflowed).
        /// </summary>
        public bool Hold(ChannelMessage message, int max, int replayMax, HubMetrics metrics)
        {
            Held ??= new Queue<ChannelMessage>();
            if (Positioned)
            {
                if (Held.Count >= max + replayMax)
                {
                    return false;
                }
            }
            else if (Held.Count >= max)
            {
                Held.Dequeue();
                metrics.Session.Dropped.Inc();
            }

            Held.Enqueue(message);
            return true;
        }
    }

    private sealed class FormatGroup(IDeliveryFormat format)
    {
        public IDeliveryFormat Format { get; } = format;

        public List<Member> Members { get; } = [];

        public RecentEncodings Recent { get; } = new();
    }

    /// <summary>The newest encodings of one format, by seq of the current incarnation; bounded in count and bytes.</summary>
    private sealed class RecentEncodings
    {
        private const int MaxCount = 4096;
        private const long MaxBytes = 4 * 1024 * 1024;
        private readonly Dictionary<long, Payload> _bySeq = [];
        private readonly Queue<long> _order = new();
        private long _bytes;

        public bool TryGet(ChannelMessage message, out Payload encoded) => _bySeq.TryGetValue(message.Seq, out encoded!);

        public Payload Keep(ChannelMessage message, Payload encoded)
        {
            if (!_bySeq.TryAdd(message.Seq, encoded))
            {
                return encoded;
            }

            _order.Enqueue(message.Seq);
            _bytes += encoded.Length;
            while (_order.Count > MaxCount || _bytes > MaxBytes)
            {
                var seq = _order.Dequeue();
                _bytes -= _bySeq[seq].Length;
                _bySeq.Remove(seq);
            }

            return encoded;
        }

        public void Clear()
        {
            _bySeq.Clear();
            _order.Clear();
            _bytes = 0;
        }
    }

    /// <summary>The payload as published: a recovering member that activated without a format of its own.</summary>
    private sealed class AsPublished : IDeliveryFormat
    {
        public static readonly AsPublished Instance = new();

        public Payload Message(ChannelPosition position, Payload payload) => payload;

        public Payload Recovery(bool recovered, ChannelPosition position) => throw new NotSupportedException("no answer as published");
    }

    private sealed class RetrySubscribe
    {
        public static readonly RetrySubscribe Instance = new();
    }
}
