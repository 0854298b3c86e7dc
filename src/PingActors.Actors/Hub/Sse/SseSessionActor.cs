using Akka.Actor;
using Akka.Event;
using PingActors.Actors.Dispatch;
using PingActors.Actors.Hub.Channels;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Hub.Sse;

/// <summary>
/// One SSE subscriber, a child of the node's <see cref="SessionSupervisor"/> as a WebSocket's session is. It
/// joins its channel asking for positions (and what it missed after its <c>Last-Event-ID</c>), then lets the
/// response start and has the channel deliver encoded events (<see cref="SseFormat"/>) straight to the stream's
/// <see cref="SseOutbox"/>. It ends with the request: the client going, the outbox overflowing, a drain or a
/// channel that lost messages (both with a last <c>event: close</c>).
/// </summary>
public sealed class SseSessionActor : UntypedActor
{
    /// <summary>The one Props for every SSE session; the supervisor sends <see cref="StartSession"/> first.</summary>
    public static readonly Props Props = Props.Create<SseSessionActor>().WithDispatcher(SessionDispatcher.Id);

    private static readonly SessionOutcome.Refused ChannelUnavailable = SessionOutcome.Refused.Text(503, "Error: channel unavailable, try again.\n", retryLater: true);

    private StartSession _start = null!;
    private IActorRef? _localChannel;
    private ICancelable? _joinTimeout;
    private bool _open;

    private SseSessionRequest Request => (SseSessionRequest)_start.Open.Request;

    private HubContext Hub => Request.Sse.Hub;

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case StartSession start when _start is null:
                OnStart(start);
                break;
            case Joined joined when !_open && _localChannel is null:
                OnJoined(joined);
                break;
            case JoinTimedOut when _localChannel is null:
                Context.GetLogger().Warning("Channel {0} could not be joined within {1} (SSE)", Request.Channel, Hub.Settings.JoinTimeout);
                Request.Sse.Hub.Metrics.Sse.Refused.Inc();
                _start.Open.Outcome.TrySetResult(ChannelUnavailable);
                Context.Stop(Self);
                break;
            case CloseSession close:
                EndWith(SseEnd.Closing(close.Reason), SessionOutcome.ShuttingDown);
                break;
            case ChannelGap:
                EndWith(SseEnd.Closing(HubCloseReasons.MessagesLost), ChannelUnavailable);
                break;
            case ChannelStopped:
                Context.GetLogger().Warning("Local channel {0} stopped under an SSE stream; ending it", Request.Channel);
                EndWith(SseEnd.SessionStopped, ChannelUnavailable);
                break;
            case SseStreamEnded:
                Context.Stop(Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void PostStop()
    {
        if (_start is null)
        {
            return;
        }

        _joinTimeout?.Cancel();
        (_localChannel ?? Hub.LocalChannels).Tell(new Leave(Request.Channel, Self));
        Request.Outbox.Close(SseEnd.SessionStopped);
        if (_open)
        {
            Hub.Metrics.Session.Connections.Dec();
            Hub.Metrics.Sse.Connections.Dec();
        }

        _start.Open.Outcome.TrySetResult(SessionOutcome.Closed.Instance);
    }

    private void OnStart(StartSession start)
    {
        _start = start;
        Request.Outbox.Attach(Self);
        _joinTimeout = Context.System.Scheduler.ScheduleTellOnceCancelable(Hub.Settings.JoinTimeout, Self, JoinTimedOut.Instance, Self);
        Hub.LocalChannels.Tell(new Join(Request.Channel, Self, new RecoveryRequest(Request.Since)));
    }

    private void OnJoined(Joined joined)
    {
        _joinTimeout?.Cancel();
        _joinTimeout = null;
        _localChannel = joined.LocalChannel;
        _open = true;
        Hub.Metrics.Session.Connections.Inc();
        Hub.Metrics.Session.ConnectionsTotal.Inc();
        Hub.Metrics.Sse.Connections.Inc();
        Hub.Metrics.Sse.ConnectionsTotal.Inc();
        var outbox = Request.Outbox;
        outbox.Open();
        _localChannel.Tell(new Activate(Self, outbox.Deliver, Request.Sse.Format));
    }

    // Before the channel is joined nothing was sent: the request answers the refusal instead.
    private void EndWith(SseEnd end, SessionOutcome.Refused beforeOpen)
    {
        if (_open)
        {
            Request.Outbox.Close(end);
            return;
        }

        _start.Open.Outcome.TrySetResult(beforeOpen);
        Context.Stop(Self);
    }

    private sealed class JoinTimedOut
    {
        public static readonly JoinTimedOut Instance = new();
    }
}
