using System.Threading.Tasks.Sources;
using Akka.Actor;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Hub.Sse;

/// <summary>
/// One SSE stream's outbox: the channel hands it events (<see cref="Deliver"/>, never blocking), the node's
/// heartbeat asks for a comment when nothing was written for a while, and the one HTTP request that serves
/// the stream takes everything queued at once, writes it and flushes once per batch. Bounded as a
/// WebSocket's outbox is (<c>outbound.max-messages</c> / <c>max-bytes</c>): past them
/// <see cref="OverflowPolicy.Close"/> ends the stream at once (the response is aborted, as its socket is
/// probably not being read) and <see cref="OverflowPolicy.DropOldest"/> drops the oldest events.
/// </summary>
/// <remarks>
/// The reader waits on a reusable value-task source, so an idle stream holds no task, timer or buffer of its
/// own: the queue is made on the first event and the heartbeat is one node-wide timer (<see cref="SseHeartbeat"/>).
/// </remarks>
public sealed class SseOutbox : IValueTaskSource
{
    private readonly SessionSettings _settings;
    private readonly HubMetrics _metrics;
    private readonly Action _abort;
    private readonly object _lock = new();
    private ManualResetValueTaskSourceCore<bool> _ready = new() { RunContinuationsAsynchronously = true };
    private bool _waiting;
    private bool _signalled;

    private Queue<Payload>? _queue;
    private long _queuedBytes;
    private bool _opened;
    private bool _heartbeatDue;
    private bool _activeSinceTick;
    private SseEnd? _end;
    private int _maxMessages;
    private long _maxBytes;
    private int _allowanceLeft;
    private IActorRef? _owner;
    private bool _requestDone;

    /// <param name="abort">Drops the HTTP connection (a slow consumer's, whose writes are stuck); called on the thread pool.</param>
    /// <param name="resumeAllowance">
    /// Room beyond the bounds for a resume's missed events, which the channel hands over all at once (its replay
    /// bounds, <c>pingactors.hub.replay.*</c>): without it an <c>EventSource</c> that missed more than the queue holds
    /// would be dropped on every reconnect. It lasts until the request has taken that many events (the burst cannot
    /// be more), so its queue is larger only for a while and always bounded; (0, 0): none.
    /// </param>
    public SseOutbox(SessionSettings settings, HubMetrics metrics, Action abort, (int Messages, long Bytes) resumeAllowance = default)
    {
        _settings = settings;
        _metrics = metrics;
        _abort = abort;
        _maxMessages = settings.OutboundMaxMessages + resumeAllowance.Messages;
        _maxBytes = settings.OutboundMaxBytes + resumeAllowance.Bytes;
        _allowanceLeft = resumeAllowance.Messages;
    }

    /// <summary>The session actor: told <see cref="SseStreamEnded"/> once the request is done with the stream (at once if it already is).</summary>
    public void Attach(IActorRef owner)
    {
        lock (_lock)
        {
            _owner = owner;
            if (!_requestDone)
            {
                return;
            }
        }

        owner.Tell(SseStreamEnded.Instance, ActorRefs.NoSender);
    }

    /// <summary>The channel is joined: the response may start.</summary>
    public void Open()
    {
        lock (_lock)
        {
            _opened = true;
            Signal();
        }
    }

    /// <summary>One encoded event (<see cref="SseFormat"/>), from the channel.</summary>
    public void Deliver(Payload payload)
    {
        var abort = false;
        lock (_lock)
        {
            if (_end is not null)
            {
                _metrics.Session.Dropped.Inc();
                return;
            }

            var queue = _queue ??= new Queue<Payload>();
            if (queue.Count + 1 > _maxMessages || (_queuedBytes + payload.Length > _maxBytes && queue.Count > 0))
            {
                if (_settings.Overflow == OverflowPolicy.Close)
                {
                    _metrics.Session.SlowConsumerDisconnects.Inc();
                    _metrics.Sse.SlowConsumerDisconnects.Inc();
                    _metrics.Session.Dropped.Inc(queue.Count + 1);
                    queue.Clear();
                    _queuedBytes = 0;
                    _end = SseEnd.SlowConsumer;
                    abort = true;
                    Signal();
                }
                else
                {
                    while (queue.Count > 0 && (queue.Count + 1 > _maxMessages || _queuedBytes + payload.Length > _maxBytes))
                    {
                        _queuedBytes -= queue.Dequeue().Length;
                        _metrics.Session.Dropped.Inc();
                    }
                }
            }

            if (!abort)
            {
                queue.Enqueue(payload);
                _queuedBytes += payload.Length;
                Signal();
            }
        }

        if (abort)
        {
            // Its writes are stuck on a client that does not read: end them from outside, off the channel's thread.
            ThreadPool.UnsafeQueueUserWorkItem(static a => a(), _abort, preferLocal: false);
        }
    }

    /// <summary>From the node's heartbeat: a comment is due if nothing went out since the last tick.</summary>
    public void Heartbeat()
    {
        lock (_lock)
        {
            if (!_activeSinceTick && _opened && _end is null)
            {
                _heartbeatDue = true;
                Signal();
            }

            _activeSinceTick = false;
        }
    }

    /// <summary>Ends the stream: what is queued goes first unless <paramref name="end"/> drops it. The first end wins.</summary>
    public void Close(SseEnd end)
    {
        lock (_lock)
        {
            if (_end is not null)
            {
                return;
            }

            _end = end;
            if (!end.Flush && _queue is { Count: > 0 } queue)
            {
                _metrics.Session.Dropped.Inc(queue.Count);
                queue.Clear();
                _queuedBytes = 0;
            }

            Signal();
        }
    }

    /// <summary>Completes when there is something to take (or the stream ended); one waiter at a time.</summary>
    public ValueTask WhenReadyAsync()
    {
        lock (_lock)
        {
            if (_signalled)
            {
                _signalled = false;
                return ValueTask.CompletedTask;
            }

            _ready.Reset();
            _waiting = true;
            return new ValueTask(this, _ready.Version);
        }
    }

    /// <summary>Moves what is queued into <paramref name="batch"/>; says whether the channel is joined, a heartbeat is due and how the stream ends (null: it goes on).</summary>
    public SseTake Take(List<Payload> batch)
    {
        lock (_lock)
        {
            if (_queue is { Count: > 0 } queue)
            {
                batch.AddRange(queue);
                queue.Clear();
                _queuedBytes = 0;
                _activeSinceTick = true;
                if (_allowanceLeft > 0 && (_allowanceLeft -= batch.Count) <= 0)
                {
                    // As many events taken as a resume's burst can hold: the plain bounds from now on.
                    _maxMessages = _settings.OutboundMaxMessages;
                    _maxBytes = _settings.OutboundMaxBytes;
                }
            }

            var heartbeat = _heartbeatDue && batch.Count == 0;
            _heartbeatDue = false;
            return new SseTake(_opened, heartbeat, _end);
        }
    }

    /// <summary>The request is done with the stream (or its client left before it opened): its session actor stops.</summary>
    public void Ended()
    {
        IActorRef? owner;
        lock (_lock)
        {
            _requestDone = true;
            owner = _owner;
        }

        owner?.Tell(SseStreamEnded.Instance, ActorRefs.NoSender);
    }

    void IValueTaskSource.GetResult(short token) => _ready.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _ready.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _ready.OnCompleted(continuation, state, token, flags);

    // Under _lock.
    private void Signal()
    {
        if (_waiting)
        {
            _waiting = false;
            _ready.SetResult(true);
        }
        else
        {
            _signalled = true;
        }
    }
}

/// <summary>What the request found in its outbox.</summary>
public readonly record struct SseTake(bool Opened, bool Heartbeat, SseEnd? End);

/// <summary>
/// How an SSE stream ends. <paramref name="Flush"/>: what is queued is written first; <paramref name="LastEvent"/>: an
/// <c>event: close</c> written last; <paramref name="Abort"/>: the connection is dropped rather than ended.
/// </summary>
public sealed record SseEnd(string Why, bool Flush, byte[]? LastEvent, bool Abort)
{
    public static readonly SseEnd SlowConsumer = new("slow consumer", Flush: false, LastEvent: null, Abort: true);

    public static readonly SseEnd ClientGone = new("client gone", Flush: false, LastEvent: null, Abort: false);

    public static readonly SseEnd SessionStopped = new("session stopped", Flush: false, LastEvent: null, Abort: true);

    /// <summary>The server ends the stream on purpose (drain, lost messages): the queue, then <c>event: close</c>.</summary>
    public static SseEnd Closing(CloseReason reason) => new(reason.Text, Flush: true, SseFormat.Close(reason), Abort: false);
}

/// <summary>Told to an SSE session by its request: the stream is over.</summary>
public sealed class SseStreamEnded
{
    public static readonly SseStreamEnded Instance = new();
}
