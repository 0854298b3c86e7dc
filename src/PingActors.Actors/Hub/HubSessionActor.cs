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

    private IActorRef? _localChannel;

    protected override TimeSpan StartTimeout => Hub.Settings.JoinTimeout;

    protected override string Describe => "a connection to " + Channel;

    private string Channel => Request.Channel;

    private HubContext Hub => Request.Hub;

    protected override void OnPrepare() => Hub.LocalChannels.Tell(new Join(Channel, Self));

    protected override void OnPrepareTimedOut()
    {
        Context.GetLogger().Warning("Channel {0} could not be joined within {1}", Channel, Hub.Settings.JoinTimeout);
        Refuse(ChannelUnavailable);
    }

    protected override void OnOpened(Action<object> outbox) => _localChannel!.Tell(new Activate(Self, outbox));

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

        Hub.Metrics.PublishWebSocket.Inc();
        Hub.ChannelRegion.Tell(new Publish(Channel, payload), ActorRefs.NoSender);

        // Paced as a POST publisher is (pingactors.hub.publish-backlog): while the node's fan-out is that far
        // behind, the client's next message is not read, so a burst slows its sender through TCP instead of
        // overflowing the readers' queues. After publish-timeout it is read anyway, as a POST is answered.
        var limit = Hub.Settings.PublishBacklog;
        if (limit == 0 || Hub.Backlog.Queued < limit)
        {
            message.Ack();
            return;
        }

        var ack = message.Ack;
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
            default:
                return false;
        }
    }

    protected override void OnStopped() => (_localChannel ?? Hub.LocalChannels).Tell(new Leave(Channel, Self));

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
}
