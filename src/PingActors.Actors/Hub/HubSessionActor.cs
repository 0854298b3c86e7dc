using Akka.Actor;
using Akka.Event;
using PingActors.Actors.Dispatch;
using PingActors.Actors.Hub.Channels;
using PingActors.Actors.Sessions;
using PingActors.Actors.Sessions.Streams;

namespace PingActors.Actors.Hub;

/// <summary>
/// One WebSocket subscriber. Joins its channel on this node before the handshake, so a client whose
/// handshake succeeded receives every message published after it; then its channel's deliveries go
/// straight to the socket's outbox, and what its client sends is published to the channel.
/// </summary>
public sealed class HubSessionActor : SessionActor<HubSessionRequest>
{
    /// <summary>The one Props for every hub session; the supervisor sends <see cref="StartSession"/> first.</summary>
    public static readonly Props Props = Props.Create<HubSessionActor>().WithDispatcher(SessionDispatcher.Id);

    private static readonly SessionOutcome.Refused ChannelUnavailable = SessionOutcome.Refused.Text(503, "Error: channel unavailable, try again.\n", retryLater: true);

    // Publishes a client may have unanswered before its next message is read.
    private const int MaxUnanswered = 32;

    private IActorRef? _localChannel;
    private int _unanswered;
    private Action? _waitingAck;
    private ICancelable? _waitTimeout;

    protected override TimeSpan StartTimeout => Hub.Settings.JoinTimeout;

    protected override string Describe => "a connection to " + Channel;

    private string Channel => Request.Channel;

    private HubContext Hub => Request.Hub;

    protected override void OnPrepare() => Hub.LocalChannels.Tell(new Join(Channel, Self, Request.Recovery));

    protected override void OnPrepareTimedOut()
    {
        Context.GetLogger().Warning("Channel {0} could not be joined within {1}", Channel, Hub.Settings.JoinTimeout);
        Refuse(ChannelUnavailable);
    }

    protected override void OnOpened(Action<object> outbox) =>
        _localChannel!.Tell(new Activate(Self, outbox, Request.Recovery is null ? null : WebSocketPositions.Instance));

    protected override void OnClientMessage(InboundMessage message)
    {
        var payload = message.Payload;
        if (payload.Length == 0)
        {
            // An empty message is a keepalive: echoed to the sender only, never published (as Pinghub).
            Send(payload);
            message.Ack();
            return;
        }

        // Answered with Published, as a POST is: the client's next message is read only while fewer than
        // MaxUnanswered are unanswered, so a burst waits on its channel (whose answers wait on the slowest
        // node's fan-out, publish-window) instead of piling up in front of it.
        Hub.Metrics.PublishWebSocket.Inc();
        Hub.ChannelRegion.Tell(new Publish(Channel, payload), Self);
        _unanswered++;
        if (_unanswered < MaxUnanswered)
        {
            AckWhenFanoutAllows(message.Ack);
            return;
        }

        _waitingAck = message.Ack;
        _waitTimeout = Context.System.Scheduler.ScheduleTellOnceCancelable(Hub.Settings.PublishTimeout, Self, AnswersLate.Instance, Self);
    }

    // Paced as a POST publisher is (pingactors.hub.publish-backlog): while the node's fan-out is that far
    // behind, the client's next message is not read, so a burst slows its sender through TCP instead of
    // overflowing the readers' queues. After publish-timeout it is read anyway, as a POST is answered.
    private void AckWhenFanoutAllows(Action ack)
    {
        var limit = Hub.Settings.PublishBacklog;
        if (limit == 0 || Hub.Backlog.Queued < limit)
        {
            ack();
            return;
        }

        Hub.Backlog.WhenBelowAsync(limit).WaitAsync(Hub.Settings.PublishTimeout).ContinueWith(
            static (waited, state) =>
            {
                _ = waited.Exception; // a timeout is expected under a flood; the message is read all the same
                ((Action)state!).Invoke();
            },
            ack,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void OnAnswered(bool late)
    {
        _unanswered = late ? 0 : Math.Max(0, _unanswered - 1);
        if (_waitingAck is { } ack && _unanswered < MaxUnanswered)
        {
            _waitingAck = null;
            _waitTimeout?.Cancel();
            _waitTimeout = null;
            AckWhenFanoutAllows(ack);
        }
    }

    protected override bool OnSessionMessage(object message)
    {
        switch (message)
        {
            case Joined joined when Phase == SessionPhase.Preparing:
                _localChannel = joined.LocalChannel;
                Accept();
                return true;
            case ChannelGap:
                Close(HubCloseReasons.MessagesLost);
                return true;
            case ChannelStopped:
                OnLocalChannelStopped();
                return true;
            case Published:
                OnAnswered(late: false);
                return true;
            case AnswersLate:
                // The channel did not answer within publish-timeout (unreachable, or its answers lost with a
                // node): read on, as a POST would be answered.
                OnAnswered(late: true);
                return true;
            default:
                return false;
        }
    }

    protected override void OnStopped()
    {
        _waitTimeout?.Cancel();
        (_localChannel ?? Hub.LocalChannels).Tell(new Leave(Channel, Self));
    }

    private void OnLocalChannelStopped()
    {
        if (Phase != SessionPhase.Open)
        {
            Context.Stop(Self);
            return;
        }

        // Our local channel died without us leaving it: we would silently miss messages, so close.
        Context.GetLogger().Warning("Local channel {0} stopped under a live connection; closing it", Channel);
        CloseNow(CloseReasons.InternalError);
    }

    /// <summary>Publishes stayed unanswered for publish-timeout.</summary>
    private sealed class AnswersLate
    {
        public static readonly AnswersLate Instance = new();
    }
}
