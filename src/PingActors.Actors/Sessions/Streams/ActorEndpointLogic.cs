using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Stage;

namespace PingActors.Actors.Sessions.Streams;

/// <summary>The logic of one <see cref="ActorEndpoint"/>: one session's outbox and its acked client messages.</summary>
internal sealed class ActorEndpointLogic : InAndOutGraphStageLogic
{
    private readonly ActorEndpoint _stage;
    private readonly IActorRef _owner;
    private readonly OutboxGauge? _gauge;
    private Action? _ack;
    private bool _told;

    private Queue<Payload>? _queue;
    private long _queuedBytes;
    private CloseReason? _closing;
    private DateTime _closeDeadline;
    private ICancelable? _closeTimer;

    /// <param name="gauge">Where senders reserve room before they hand a message in (the proxy's); then it, not this stage, bounds the queue.</param>
    public ActorEndpointLogic(ActorEndpoint stage, IActorRef owner, OutboxGauge? gauge)
        : base(stage.Shape)
    {
        _stage = stage;
        _owner = owner;
        _gauge = gauge;
        SetHandler(stage.In, this);
        SetHandler(stage.Out, this);
    }

    public override void PreStart()
    {
        _owner.Tell(new OutboxReady(GetAsyncCallback<object>(OnOutboxMessage)), ActorRefs.NoSender);
        Pull(_stage.In);
    }

    public override void PostStop()
    {
        _closeTimer?.Cancel();
        DropQueue();

        // Also when the stream is torn down from outside (its host stopping): the actor must not wait.
        Tell(new StreamFailed(new AbruptStageTerminationException(this)));
    }

    // The ack callback is made with the first message: most sockets of a hub never send one.
    public override void OnPush() => _owner.Tell(new InboundMessage(Grab(_stage.In), _ack ??= GetAsyncCallback(() => Pull(_stage.In))), ActorRefs.NoSender);

    // The socket ended (closed, failed or aborted): the session is over.
    public override void OnUpstreamFinish()
    {
        Tell(StreamCompleted.Instance);
        CompleteStage();
    }

    public override void OnUpstreamFailure(Exception e)
    {
        Tell(new StreamFailed(e));
        FailStage(e);
    }

    public override void OnPull()
    {
        if (TryDequeue(out var next))
        {
            _gauge?.Release(next.Length);
            Push(_stage.Out, next);
        }
        else if (_closing is not null)
        {
            FinishClose();
        }
    }

    // The socket takes no more writes (its client closed, or it is closing): what waits is dropped, and the
    // stage lives on until the socket's end reaches its inlet.
    public override void OnDownstreamFinish(Exception cause)
    {
        _closeTimer?.Cancel();
        DropQueue();
    }

    private void Tell(object message)
    {
        if (!_told)
        {
            _told = true;
            _owner.Tell(message, ActorRefs.NoSender);
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
                EndWrites(new SessionAborted());
                break;
        }
    }

    private void Enqueue(Payload payload)
    {
        if (_closing is not null || IsClosed(_stage.Out))
        {
            _gauge?.Release(payload.Length);
            _stage.Metrics.Dropped.Inc();
            return;
        }

        if (IsAvailable(_stage.Out))
        {
            _gauge?.Release(payload.Length);
            Push(_stage.Out, payload);
            return;
        }

        var queue = _queue ??= new Queue<Payload>();
        var settings = _stage.Settings;
        if (_gauge is null && queue.Count + 1 > settings.OutboundMaxMessages || _queuedBytes + payload.Length > settings.OutboundMaxBytes)
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
        if (_closing is not null || IsClosed(_stage.Out))
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
            EndWrites(new SessionClosing(reason));
            return;
        }

        // Flush and close handshake share one close-timeout, as for a peer that does not read at all.
        var timeout = _stage.Settings.CloseTimeout;
        _closeDeadline = DateTime.UtcNow + timeout;
        var abort = GetAsyncCallback(() => EndWrites(new SessionAborted()));
        _closeTimer = Materializer.ScheduleOnce(timeout, abort);
    }

    private void FinishClose()
    {
        _closeTimer?.Cancel();
        var left = _closeDeadline - DateTime.UtcNow;
        EndWrites(new SessionClosing(_closing!, left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)));
    }

    // Only the outlet fails: the inlet stays open, so the socket's close handshake runs to its end and that
    // end reaches the actor as the stream's completion.
    private void EndWrites(Exception how)
    {
        DropQueue();
        if (!IsClosed(_stage.Out))
        {
            Fail(_stage.Out, how);
        }
    }

    private void DropQueue()
    {
        if (_queue is { Count: > 0 } queue)
        {
            if (_gauge is not null)
            {
                foreach (var dropped in queue)
                {
                    _gauge.Release(dropped.Length);
                }
            }

            _stage.Metrics.Dropped.Inc(queue.Count);
            queue.Clear();
            _queuedBytes = 0;
        }
    }
}
