using System.Net.WebSockets;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;
using PingActors.Actors.Hub;
using PingActors.Actors.Metrics;

namespace PingActors.Actors.Connections;

/// <summary>
/// The socket end of a connection's stream. Downstream it emits the client's messages, reading the next
/// one only when pulled (so a busy connection actor pushes back on the client through TCP). An async
/// callback of the stage is the connection's outbox (<see cref="OutboxReady"/>): channel deliveries are
/// handed straight to it, queued within the configured bounds and written one at a time.
/// </summary>
/// <remarks>
/// Written for a small idle footprint: the logic is its own out-handler, the callbacks for writes, timers
/// and the close handshake are created on first use, and the queue only once a write has to wait.
/// </remarks>
public sealed class WebSocketStage : GraphStage<SourceShape<Payload>>
{
    private readonly HubSettings _settings;
    private readonly HubMetrics _metrics;

    // One instance serves every connection of the node (ConnectionGraph): the socket and the actor of a
    // run come with its ConnectionBinding attribute.
    public WebSocketStage(HubSettings settings, HubMetrics metrics)
    {
        _settings = settings;
        _metrics = metrics;
        Shape = new SourceShape<Payload>(Out);
    }

    public Outlet<Payload> Out { get; } = new("websocket.in");

    public override SourceShape<Payload> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this, ConnectionBinding.Of(inheritedAttributes));

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly WebSocketStage _stage;
        private readonly WebSocket _socket;
        private readonly IActorRef _owner;
        private readonly Action<ReadOutcome> _onRead;
        private Action<Exception?>? _onWritten;
        private Action<Exception?>? _onCloseSent;
        private Action<(TimerKind Kind, int Generation)>? _onTimer;
        private int _timerGeneration;
        private ICancelable? _timer;

        private Queue<Payload>? _queue;
        private long _queuedBytes;
        private bool _readPending;
        private bool _writing;
        private CloseReason? _closing;
        private bool _closeFrameSent;

        public Logic(WebSocketStage stage, ConnectionBinding binding)
            : base(stage.Shape)
        {
            _stage = stage;
            _socket = binding.Socket;
            _owner = binding.Owner;
            _onRead = GetAsyncCallback<ReadOutcome>(OnRead);
            SetHandler(stage.Out, this);
        }

        private enum TimerKind
        {
            Write,
            Close,
        }

        public override void PreStart()
        {
            _owner.Tell(new OutboxReady(GetAsyncCallback<object>(OnOutboxMessage)), ActorRefs.NoSender);
        }

        public override void PostStop()
        {
            _timer?.Cancel();

            // After a close frame went out (CloseSent) the socket is left to end with the request, so the
            // frame is flushed; aborting would drop it.
            if (_socket.State is not (WebSocketState.Closed or WebSocketState.Aborted or WebSocketState.CloseSent))
            {
                _socket.Abort();
            }

            if (_queue is { Count: > 0 } queue)
            {
                _stage._metrics.Dropped.Inc(queue.Count);
            }
        }

        public override void OnPull() => StartRead();

        public override void OnDownstreamFinish(Exception cause) => AbortAndStop();

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
                    AbortAndStop();
                    break;
            }
        }

        private void StartRead()
        {
            if (_readPending)
            {
                return;
            }

            _readPending = true;
            _ = InboundReader.ReadMessageAsync(_socket, _stage._settings.MaxMessageSize, _onRead);
        }

        private void OnRead(ReadOutcome outcome)
        {
            _readPending = false;
            switch (outcome)
            {
                case ReadOutcome.Message m when _closing is null:
                    Push(_stage.Out, m.Payload);
                    break;
                case ReadOutcome.Message:
                    StartRead(); // closing: discard until the peer's close frame arrives
                    break;
                case ReadOutcome.PeerClosed closed:
                    OnPeerClosed(closed.Status);
                    break;
                case ReadOutcome.Rejected rejected:
                    BeginClose(rejected.Reason, flush: false);
                    break;
                case ReadOutcome.Failed failed when _socket.State == WebSocketState.CloseSent:
                    // .NET's WebSocket found a protocol error (1002) or invalid UTF-8 (1007) and has sent
                    // its close frame: end without aborting, so that frame reaches the client.
                    Log.Debug("WebSocket closed by a protocol error: {0}", failed.Error.Message);
                    CompleteStage();
                    break;
                case ReadOutcome.Failed failed:
                    Log.Debug("WebSocket read failed: {0}", failed.Error.Message);
                    AbortAndStop();
                    break;
            }
        }

        private void OnPeerClosed(WebSocketCloseStatus? status)
        {
            if (_closeFrameSent || _socket.State == WebSocketState.Closed)
            {
                CompleteStage();
                return;
            }

            // The client closed first: echo its code (as Pinghub does) once any write in progress is done.
            DropQueue();
            _closing ??= new CloseReason(status ?? WebSocketCloseStatus.Empty, string.Empty);
            if (!_writing)
            {
                SendCloseFrame();
            }
        }

        private void Enqueue(Payload payload)
        {
            if (_closing is not null)
            {
                _stage._metrics.Dropped.Inc();
                return;
            }

            if (!_writing)
            {
                Write(payload);
                return;
            }

            var queue = _queue ??= new Queue<Payload>();
            var settings = _stage._settings;
            if (queue.Count + 1 > settings.OutboundMaxMessages || _queuedBytes + payload.Length > settings.OutboundMaxBytes)
            {
                if (settings.Overflow == OverflowPolicy.Close || queue.Count == 0)
                {
                    _stage._metrics.SlowConsumerDisconnects.Inc();
                    _stage._metrics.Dropped.Inc();
                    BeginClose(CloseReasons.SlowConsumer, flush: false);
                    return;
                }

                while (queue.Count > 0 && (queue.Count + 1 > settings.OutboundMaxMessages || _queuedBytes + payload.Length > settings.OutboundMaxBytes))
                {
                    _queuedBytes -= queue.Dequeue().Length;
                    _stage._metrics.Dropped.Inc();
                }
            }

            queue.Enqueue(payload);
            _queuedBytes += payload.Length;
        }

        // Writes synchronously for as long as the socket takes data without waiting; only a write that
        // has to wait arms the write timer and continues through the async callback.
        private void Write(Payload payload)
        {
            while (true)
            {
                ValueTask pending;
                try
                {
                    pending = _socket.SendAsync(payload.Bytes.AsMemory(), payload.IsText ? WebSocketMessageType.Text : WebSocketMessageType.Binary, true, CancellationToken.None);
                }
                catch (Exception e)
                {
                    OnWritten(e);
                    return;
                }

                if (!pending.IsCompletedSuccessfully)
                {
                    _writing = true;
                    if (!pending.IsCompleted)
                    {
                        StartTimer(TimerKind.Write, _stage._settings.WriteTimeout);
                    }

                    _ = AwaitWrite(pending, _onWritten ??= GetAsyncCallback<Exception?>(OnWritten));
                    return;
                }

                if (!TryDequeue(out payload))
                {
                    AfterWritesDrained();
                    return;
                }
            }
        }

        private static async Task AwaitWrite(ValueTask pending, Action<Exception?> callback)
        {
            try
            {
                await pending.ConfigureAwait(false);
                callback(null);
            }
            catch (Exception e)
            {
                callback(e);
            }
        }

        private void OnWritten(Exception? error)
        {
            _writing = false;
            if (_closing is null)
            {
                CancelTimer();
            }

            if (error is not null)
            {
                Log.Debug("WebSocket write failed: {0}", error.Message);
                AbortAndStop();
                return;
            }

            if (TryDequeue(out var next))
            {
                Write(next);
            }
            else
            {
                AfterWritesDrained();
            }
        }

        private bool TryDequeue(out Payload payload)
        {
            // While closing, only a flushing close leaves anything queued.
            if (_queue is { Count: > 0 } queue && !_closeFrameSent)
            {
                payload = queue.Dequeue();
                _queuedBytes -= payload.Length;
                return true;
            }

            payload = null!;
            return false;
        }

        private void AfterWritesDrained()
        {
            if (_closing is not null && !_closeFrameSent)
            {
                SendCloseFrame();
            }
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

            // Bounds the whole close, including flushing what is queued to a peer that may not read.
            StartTimer(TimerKind.Close, _stage._settings.CloseTimeout);
            if (_writing)
            {
                return;
            }

            if (TryDequeue(out var next))
            {
                Write(next);
            }
            else
            {
                SendCloseFrame();
            }
        }

        private void DropQueue()
        {
            if (_queue is { Count: > 0 } queue)
            {
                _stage._metrics.Dropped.Inc(queue.Count);
                queue.Clear();
                _queuedBytes = 0;
            }
        }

        private void SendCloseFrame()
        {
            _closeFrameSent = true;
            var reason = _closing!;
            Task sending;
            try
            {
                sending = reason.Code == WebSocketCloseStatus.Empty
                    ? _socket.CloseOutputAsync(WebSocketCloseStatus.Empty, null, CancellationToken.None)
                    : _socket.CloseOutputAsync(reason.Code, reason.Text, CancellationToken.None);
            }
            catch (Exception e)
            {
                OnCloseSent(e);
                return;
            }

            if (_timer is null)
            {
                StartTimer(TimerKind.Close, _stage._settings.CloseTimeout);
            }

            var callback = _onCloseSent ??= GetAsyncCallback<Exception?>(OnCloseSent);
            sending.ContinueWith(t => callback(t.Exception?.GetBaseException()), TaskScheduler.Default);
        }

        private void OnCloseSent(Exception? error)
        {
            if (error is not null || _socket.State is WebSocketState.Closed or WebSocketState.Aborted)
            {
                CompleteStage();
                return;
            }

            // Wait for the peer's close frame (bounded by the close timer), discarding any data before it.
            StartRead();
        }

        private void StartTimer(TimerKind kind, TimeSpan delay)
        {
            _timer?.Cancel();
            var generation = ++_timerGeneration;
            var callback = _onTimer ??= GetAsyncCallback<(TimerKind Kind, int Generation)>(OnTimer);
            _timer = Materializer.ScheduleOnce(delay, () => callback((kind, generation)));
        }

        private void CancelTimer()
        {
            _timer?.Cancel();
            _timer = null;
            _timerGeneration++;
        }

        private void OnTimer((TimerKind Kind, int Generation) fired)
        {
            var kind = fired.Kind;
            if (fired.Generation != _timerGeneration)
            {
                return; // cancelled or replaced just before it fired
            }

            // A write or the close handshake did not finish in time: the peer is not reading.
            Log.Debug("WebSocket {0} timed out; aborting", kind);
            AbortAndStop();
        }

        private void AbortAndStop()
        {
            _socket.Abort();
            CompleteStage();
        }
    }
}
