using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Hub.Channels;

/// <summary>
/// The sharded channel: it numbers every message and sends it once to each subscribing node-local
/// channel (<see cref="LocalChannel"/>), which fans it out to that node's sockets. It keeps the newest
/// messages in a bounded <see cref="ReplayBuffer"/> for nodes that resume after a hand-off or a crash,
/// and stops when its last node-local subscriber is gone. A POST's answer waits while a subscribing node is
/// more than <c>publish-window</c> messages behind in its fan-out (<see cref="DeliveryWindow"/>), at most half
/// the publish timeout: the message is sequenced and sent either way.
/// </summary>
public sealed class ChannelEntity : ReceiveActor, IWithTimers
{
    private const string ReleaseTimer = "release-held";

    private readonly string _channel;
    private readonly HubMetrics _metrics;
    private readonly HashSet<IActorRef> _subscribers = [];
    private readonly ReplayBuffer _replay;
    private readonly UnsubscribedReplay _unsubscribedReplay = UnsubscribedReplay.For(Context.System);
    private readonly long _unsubscribedReplayLimit;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DeliveryWindow _window;
    private readonly TimeSpan _holdAtMost;
    private readonly bool _history;

    // How long it stays with no subscriber and no message: channel-idle-timeout, or with history its keep-for.
    private readonly TimeSpan _idleTimeout;

    // A handed-off incarnation's state crosses nodes in one remote message (twice: to each subscribing node
    // and back); Akka's default frame is 128,000 bytes. What does not fit is not carried: a client that
    // missed more is told recovered:false.
    private const long HandoffMaxBytes = 60_000;

    // Distinguishes this incarnation's numbering from earlier ones of the same channel, so sequence numbers
    // are never compared across a restart of the entity; an incarnation that adopts a handed-off one's
    // state takes its number too (the channel's epoch, docs/recovery.md).
    private long _incarnation = Random.Shared.NextInt64(1, long.MaxValue);
    private bool _adoptable = true;
    private long _seq;
    private bool _passivating;

    // _seq as last told to the ops console (ReportActivity): its busiest channels cost the hot path nothing.
    private long _reportedSeq;

    // The bytes of _replay counted in the node's UnsubscribedReplay: all of it while this channel has no
    // subscriber, nothing once it has one.
    private long _counted;

    public ChannelEntity(string channel, HubSettings settings, HubMetrics metrics)
    {
        _channel = channel;
        _metrics = metrics;
        _history = settings.History;
        _replay = new ReplayBuffer(_history ? Math.Max(settings.ReplayMaxMessages, settings.HistoryMaxMessages) : settings.ReplayMaxMessages, settings.ReplayMaxBytes);
        _unsubscribedReplayLimit = settings.ReplayUnsubscribedMaxBytes;
        _window = new DeliveryWindow(settings.PublishWindow);
        _holdAtMost = settings.PublishTimeout / 2;
        _idleTimeout = _history && settings.HistoryKeepFor > settings.ChannelIdleTimeout ? settings.HistoryKeepFor : settings.ChannelIdleTimeout;
        SetReceiveTimeout(_idleTimeout);

        Receive<Subscribe>(OnSubscribe);
        Receive<Publish>(OnPublish);
        Receive<Terminated>(t => RemoveSubscriber(t.ActorRef));
        Receive<ReceiveTimeout>(_ => PassivateIfIdle());
        Receive<StopChannel>(_ => OnStop());
        Receive<Delivered>(OnDelivered);
        Receive<ReportActivity>(r =>
        {
            if (_seq != _reportedSeq)
            {
                r.ReplyTo.Tell(new ChannelActivity(_channel, _seq - _reportedSeq));
                _reportedSeq = _seq;
            }
        });

        Receive<Recover>(OnRecover);
        Receive<ReleaseHeld>(_ =>
        {
            _log.Debug("Channel {0}: a subscribing node stayed more than the window behind; answering the held publishes", _channel);
            _window.Release();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props PropsFor(string channel, HubSettings settings, HubMetrics metrics) =>
        Props.Create(() => new ChannelEntity(channel, settings, metrics));

    protected override void PreStart() => _metrics.ChannelEntities.Inc();

    protected override void PostStop()
    {
        _window.Release(); // their messages were sequenced and sent
        _metrics.ChannelEntities.Dec();
        Uncount();
    }

    private void OnSubscribe(Subscribe s)
    {
        if (_passivating)
        {
            // The shard already buffers new messages for the next incarnation; anything we confirmed now
            // would be lost with this one. Send the subscriber there instead.
            s.Subscriber.Tell(new Resubscribe(_channel));
            return;
        }

        if (s.Handoff is { } handoff && _adoptable && _subscribers.Count == 0 && handoff.Incarnation != _incarnation)
        {
            Adopt(handoff);
        }

        // Only a first subscriber's hand-off is adopted: once one subscribed, this numbering is in use.
        _adoptable = false;
        if (_subscribers.Add(s.Subscriber))
        {
            Context.Watch(s.Subscriber);
            SetReceiveTimeout(null);

            // A subscribed channel's replay is bounded per channel only, as its traffic is bounded by
            // its subscribers' sockets.
            Uncount();
        }

        if (s.ResumeIncarnation == 0)
        {
            _window.Track(s.Subscriber, _seq);
            s.Subscriber.Tell(new Subscribed(_channel, _incarnation, _seq));
            return;
        }

        // A resuming node has seen nothing of this incarnation unless it names it.
        var after = s.ResumeIncarnation == _incarnation ? s.ResumeAfterSeq : 0;
        if (_replay.TryGetAfter(after, out var missed))
        {
            _window.Track(s.Subscriber, after);
            s.Subscriber.Tell(new Subscribed(_channel, _incarnation, after));
            foreach (var message in missed)
            {
                s.Subscriber.Tell(message);
            }
        }
        else
        {
            _log.Warning("Channel {0}: a node resumed after seq {1} but the replay buffer no longer has it", _channel, after);
            _window.Track(s.Subscriber, _seq);
            s.Subscriber.Tell(new Subscribed(_channel, _incarnation, _seq, Gap: true));
        }
    }

    // Continues the handed-off incarnation: its number, its sequence and its buffer, with what this one
    // numbered before it had a subscriber renumbered after them (nobody received those numbers but the
    // publishers' answers, X-PingActors-Seq).
    private void Adopt(ChannelHandoff handoff)
    {
        var provisional = _seq;
        var kept = _replay.Newest(long.MaxValue, 0);
        var renumbered = kept.Select(m => m with { Incarnation = handoff.Incarnation, Seq = handoff.LastSeq + m.Seq }).ToList();
        var handedOffFrom = handoff.Messages.Count > 0 ? handoff.Messages[0].Seq - 1 : handoff.LastSeq;
        if (renumbered.Count == provisional)
        {
            _replay.Restore([.. handoff.Messages, .. renumbered], handedOffFrom);
        }
        else
        {
            // Some provisional messages were not kept: the handed-off ones are beyond that hole.
            _replay.Restore(renumbered, handoff.LastSeq + provisional - renumbered.Count);
        }

        Uncount();
        _log.Info("Channel {0} continues epoch {1} after seq {2} (handed off; {3} published here meanwhile)", _channel, ChannelEpoch.Of(handoff.Incarnation), handoff.LastSeq, provisional);
        _incarnation = handoff.Incarnation;
        _seq = handoff.LastSeq + provisional;

        // The console's activity counts what was published here, not the numbers taken over.
        _reportedSeq += handoff.LastSeq;
    }

    private void OnRecover(Recover r)
    {
        // Everything up to _seq was sent to the asking node before this answer, so the missed messages
        // and the live stream meet exactly at LastSeq.
        if (r.Incarnation == _incarnation && r.AfterSeq <= _seq && _replay.TryGetAfter(r.AfterSeq, out var missed))
        {
            Sender.Tell(new Recovered(_channel, r.RequestId, _incarnation, _seq, true, missed));
            return;
        }

        Sender.Tell(new Recovered(_channel, r.RequestId, _incarnation, _seq, false, []));
    }

    private void OnPublish(Publish p)
    {
        var seq = ++_seq;
        var message = new ChannelMessage(_channel, _incarnation, seq, p.Payload);
        Keep(message);
        foreach (var subscriber in _subscribers)
        {
            subscriber.Tell(message, ActorRefs.NoSender);
        }

        if (Sender.IsNobody() || Sender.Equals(Context.System.DeadLetters))
        {
            return;
        }

        var answer = new Published(_channel, _incarnation, seq, _subscribers.Count);
        if (!_window.Holding && _window.IsOpen(seq))
        {
            Sender.Tell(answer);
            return;
        }

        if (!_window.Holding)
        {
            Timers.StartSingleTimer(ReleaseTimer, ReleaseHeld.Instance, _holdAtMost);
        }

        _window.Hold(Sender, answer);
    }

    private void OnDelivered(Delivered d)
    {
        if (d.Incarnation != _incarnation)
        {
            return;
        }

        _window.Delivered(Sender, d.Seq);
        ReleaseIfOpen();
    }

    private void ReleaseIfOpen()
    {
        if (_window.Holding && _window.IsOpen(_seq))
        {
            Timers.Cancel(ReleaseTimer);
            _window.Release();
        }
    }

    private void Keep(ChannelMessage message)
    {
        if (_subscribers.Count > 0)
        {
            _replay.Add(message);
            return;
        }

        if (!_unsubscribedReplay.TryTake(message.Payload.Length, _unsubscribedReplayLimit))
        {
            // A node resuming from before this message is told of the gap (its sockets are closed with
            // 1012) instead of the node holding without bound what nobody may ever ask for.
            _replay.Skip(message);
            Uncount();
            return;
        }

        _counted += message.Payload.Length;
        _replay.Add(message);
        if (_counted > _replay.Bytes)
        {
            // The per-channel bounds evicted older messages.
            _unsubscribedReplay.Release(_counted - _replay.Bytes);
            _counted = _replay.Bytes;
        }
    }

    private void Uncount()
    {
        if (_counted > 0)
        {
            _unsubscribedReplay.Release(_counted);
            _counted = 0;
        }
    }

    private void RemoveSubscriber(IActorRef subscriber)
    {
        _window.Forget(subscriber);
        ReleaseIfOpen();
        if (_subscribers.Remove(subscriber) && _subscribers.Count == 0)
        {
            if (!_history)
            {
                PassivateIfIdle();
                return;
            }

            // History: it stays until keep-for after its last message, its buffer now in the node's budget
            // for channels without a subscriber (all of it, or none of it).
            if (_unsubscribedReplay.TryTake(_replay.Bytes, _unsubscribedReplayLimit))
            {
                _counted = _replay.Bytes;
            }
            else
            {
                _replay.Restore([], _seq);
            }

            SetReceiveTimeout(_idleTimeout);
        }
    }

    private void PassivateIfIdle()
    {
        if (_subscribers.Count > 0 || _passivating)
        {
            return;
        }

        _passivating = true;
        SetReceiveTimeout(null);
        Context.Parent.Tell(new Passivate(StopChannel.Instance));
    }

    private void OnStop()
    {
        // On passivation the set is empty. On hand-off (rebalance, node leaving) it is not: the
        // subscribers must find the next incarnation themselves. Resubscribe follows every message this
        // incarnation sent them, so they know they have all of it.
        var handoff = _subscribers.Count == 0 ? null : new ChannelHandoff(_incarnation, _seq, _replay.Newest(HandoffMaxBytes, _channel.Length * 3 + 32));
        foreach (var subscriber in _subscribers)
        {
            subscriber.Tell(new Resubscribe(_channel, handoff));
        }

        _log.Debug("Channel {0} stopping ({1} subscribers, last seq {2})", _channel, _subscribers.Count, _seq);
        Context.Stop(Self);
    }

    /// <summary>Held answers have waited half the publish timeout: answer them, so no POST times out on a slow node.</summary>
    private sealed class ReleaseHeld
    {
        public static readonly ReleaseHeld Instance = new();
    }
}
