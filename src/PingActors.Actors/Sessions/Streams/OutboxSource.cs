using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Stage;

namespace PingActors.Actors.Sessions.Streams;

/// <summary>
/// A session's outbox, in front of its <see cref="WebSocketFlow"/>: whoever delivers to the session hands
/// messages to the outbox callback (<see cref="OutboxReady"/>), which never blocks; the outbox passes them on
/// as the socket takes them and queues the rest within <c>outbound.max-messages</c> / <c>max-bytes</c>. When
/// the queue would pass either bound, <see cref="OverflowPolicy.Close"/> closes the socket with 1008 and
/// <see cref="OverflowPolicy.DropOldest"/> drops the oldest queued messages. Fan-out wants this (a slow
/// subscriber must never hold up a channel); a feature that wants the client's pace felt upstream instead
/// connects its source to the flow directly.
/// </summary>
/// <remarks>
/// Its callback is the session's control point too: <see cref="CloseSocket"/> closes (after the queue, with
/// <see cref="CloseSocket.Flush"/>, within <c>close-timeout</c> for flush and handshake together), and
/// <see cref="AbortSocket"/> drops the socket. One instance serves every session of its kind; the actor
/// told of the outbox comes with the run's <see cref="SessionBinding"/>.
/// </remarks>
public sealed class OutboxSource : GraphStage<SourceShape<Payload>>
{
    public OutboxSource(SessionSettings settings, SessionMetrics metrics)
    {
        Settings = settings;
        Metrics = metrics;
        Shape = new SourceShape<Payload>(Out);
    }

    public Outlet<Payload> Out { get; } = new("outbox.out");

    public override SourceShape<Payload> Shape { get; }

    private SessionSettings Settings { get; }

    private SessionMetrics Metrics { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this, SessionBinding.Of(inheritedAttributes).Owner);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly OutboxSource _stage;
        private readonly IActorRef _owner;
        private Queue<Payload>? _queue;
        private long _queuedBytes;
        private CloseReason? _closing;
        private DateTime _closeDeadline;
        private ICancelable? _closeTimer;

        public Logic(OutboxSource stage, IActorRef owner)
            : base(stage.Shape)
        {
            _stage = stage;
            _owner = owner;
            SetHandler(stage.Out, this);
        }

        public override void PreStart() => _owner.Tell(new OutboxReady(GetAsyncCallback<object>(OnOutboxMessage)), ActorRefs.NoSender);

        public override void PostStop()
        {
            _closeTimer?.Cancel();
            DropQueue();
        }

        public override void OnPull()
        {
            if (TryDequeue(out var next))
            {
                Push(_stage.Out, next);
            }
            else if (_closing is not null)
            {
                FinishClose();
            }
        }

        private void OnOutboxMessage(object message)
        {
            switch (message)
            {
                case Payload payload:
                    Enqueue(payload);
                    break;
                case CloseSocket close:
                    BeginClose(close.Reason, close.Flush);
                    break;
                case AbortSocket:
                    FailStage(new SessionAborted());
                    break;
            }
        }

        private void Enqueue(Payload payload)
        {
            if (_closing is not null)
            {
                _stage.Metrics.Dropped.Inc();
                return;
            }

            if (IsAvailable(_stage.Out))
            {
                Push(_stage.Out, payload);
                return;
            }

            var queue = _queue ??= new Queue<Payload>();
            var settings = _stage.Settings;
            if (queue.Count + 1 > settings.OutboundMaxMessages || _queuedBytes + payload.Length > settings.OutboundMaxBytes)
            {
                if (settings.Overflow == OverflowPolicy.Close || queue.Count == 0)
                {
                    _stage.Metrics.SlowConsumerDisconnects.Inc();
                    _stage.Metrics.Dropped.Inc();
                    BeginClose(CloseReasons.SlowConsumer, flush: false);
                    return;
                }

                while (queue.Count > 0 && (queue.Count + 1 > settings.OutboundMaxMessages || _queuedBytes + payload.Length > settings.OutboundMaxBytes))
                {
                    _queuedBytes -= queue.Dequeue().Length;
                    _stage.Metrics.Dropped.Inc();
                }
            }

            queue.Enqueue(payload);
            _queuedBytes += payload.Length;
        }

        private bool TryDequeue(out Payload payload)
        {
            if (_queue is { Count: > 0 } queue)
            {
                payload = queue.Dequeue();
                _queuedBytes -= payload.Length;
                return true;
            }

            payload = null!;
            return false;
        }

        private void BeginClose(CloseReason reason, bool flush)
        {
            if (_closing is not null)
            {
                return;
            }

            _closing = reason;
            if (!flush)
            {
                DropQueue();
            }

            if (_queue is not { Count: > 0 })
            {
                FailStage(new SessionClosing(reason));
                return;
            }

            // Flush and close handshake share one close-timeout, as for a peer that does not read at all.
            var timeout = _stage.Settings.CloseTimeout;
            _closeDeadline = DateTime.UtcNow + timeout;
            var abort = GetAsyncCallback(() => FailStage(new SessionAborted()));
            _closeTimer = Materializer.ScheduleOnce(timeout, abort);
        }

        private void FinishClose()
        {
            _closeTimer?.Cancel();
            var left = _closeDeadline - DateTime.UtcNow;
            FailStage(new SessionClosing(_closing!, left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)));
        }

        private void DropQueue()
        {
            if (_queue is { Count: > 0 } queue)
            {
                _stage.Metrics.Dropped.Inc(queue.Count);
                queue.Clear();
                _queuedBytes = 0;
            }
        }
    }
}
