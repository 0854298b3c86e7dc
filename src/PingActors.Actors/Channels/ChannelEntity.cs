using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using PingActors.Actors.Hub;
using PingActors.Actors.Metrics;

namespace PingActors.Actors.Channels;

/// <summary>
/// The sharded channel: it numbers every message and sends it once to each subscribing node-local
/// channel (<see cref="LocalChannel"/>), which fans it out to that node's sockets. It keeps the newest
/// messages in a bounded <see cref="ReplayBuffer"/> for nodes that resume after a hand-off or a crash,
/// and stops when its last node-local subscriber is gone.
/// </summary>
public sealed class ChannelEntity : ReceiveActor
{
    private readonly string _channel;
    private readonly HubMetrics _metrics;
    private readonly HashSet<IActorRef> _subscribers = [];
    private readonly ReplayBuffer _replay;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    // Distinguishes this incarnation from earlier ones of the same channel, so sequence numbers are
    // never compared across a restart of the entity.
    private readonly long _incarnation = Random.Shared.NextInt64(1, long.MaxValue);
    private long _seq;
    private bool _passivating;

    public ChannelEntity(string channel, HubSettings settings, HubMetrics metrics)
    {
        _channel = channel;
        _metrics = metrics;
        _replay = new ReplayBuffer(settings.ReplayMaxMessages, settings.ReplayMaxBytes);
        SetReceiveTimeout(settings.ChannelIdleTimeout);

        Receive<Subscribe>(OnSubscribe);
        Receive<Publish>(OnPublish);
        Receive<Terminated>(t => RemoveSubscriber(t.ActorRef));
        Receive<ReceiveTimeout>(_ => PassivateIfIdle());
        Receive<StopChannel>(_ => OnStop());
    }

    public static Props PropsFor(string channel, HubSettings settings, HubMetrics metrics) =>
        Props.Create(() => new ChannelEntity(channel, settings, metrics));

    protected override void PreStart() => _metrics.ChannelEntities.Inc();

    protected override void PostStop() => _metrics.ChannelEntities.Dec();

    private void OnSubscribe(Subscribe s)
    {
        if (_passivating)
        {
            // The shard already buffers new messages for the next incarnation; anything we confirmed now
            // would be lost with this one. Send the subscriber there instead.
            s.Subscriber.Tell(new Resubscribe(_channel));
            return;
        }

        if (_subscribers.Add(s.Subscriber))
        {
            Context.Watch(s.Subscriber);
            SetReceiveTimeout(null);
        }

        if (s.ResumeIncarnation == 0)
        {
            s.Subscriber.Tell(new Subscribed(_channel, _incarnation, _seq));
            return;
        }

        // A resuming node has seen nothing of this incarnation unless it names it.
        var after = s.ResumeIncarnation == _incarnation ? s.ResumeAfterSeq : 0;
        if (_replay.TryGetAfter(after, out var missed))
        {
            s.Subscriber.Tell(new Subscribed(_channel, _incarnation, after));
            foreach (var message in missed)
            {
                s.Subscriber.Tell(message);
            }
        }
        else
        {
            _log.Warning("Channel {0}: a node resumed after seq {1} but the replay buffer no longer has it", _channel, after);
            s.Subscriber.Tell(new Subscribed(_channel, _incarnation, _seq, Gap: true));
        }
    }

    private void OnPublish(Publish p)
    {
        var seq = ++_seq;
        var message = new ChannelMessage(_channel, _incarnation, seq, p.Payload);
        _replay.Add(message);
        foreach (var subscriber in _subscribers)
        {
            subscriber.Tell(message, ActorRefs.NoSender);
        }

        if (!Sender.IsNobody() && !Sender.Equals(Context.System.DeadLetters))
        {
            Sender.Tell(new Published(_channel, _incarnation, seq, _subscribers.Count));
        }
    }

    private void RemoveSubscriber(IActorRef subscriber)
    {
        if (_subscribers.Remove(subscriber) && _subscribers.Count == 0)
        {
            PassivateIfIdle();
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
        foreach (var subscriber in _subscribers)
        {
            subscriber.Tell(new Resubscribe(_channel));
        }

        _log.Debug("Channel {0} stopping ({1} subscribers, last seq {2})", _channel, _subscribers.Count, _seq);
        Context.Stop(Self);
    }
}
