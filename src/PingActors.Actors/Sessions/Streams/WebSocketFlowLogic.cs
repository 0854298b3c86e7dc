using System.Net.WebSockets;
using Akka.Actor;
using Akka.Event;
using Akka.Streams.Stage;

namespace PingActors.Actors.Sessions.Streams;

/// <summary>The logic of one <see cref="WebSocketFlow"/>: one socket's reads, writes and close handshake.</summary>
/// <remarks>
/// Written for a small idle footprint: the callbacks for writes, timers and the close handshake are created
/// on first use, and an idle socket waits with a zero-byte read that holds no buffer (<see cref="InboundReader"/>).
/// </remarks>
internal sealed class WebSocketFlowLogic : InAndOutGraphStageLogic
{
    private readonly WebSocketFlow _stage;
    private readonly WebSocket _socket;
    private readonly IPrecompressedSocket? _precompressed;
    private readonly Action<ReadOutcome> _onRead;
    private Action<Exception?>? _onWritten;
    private Action<Exception?>? _onCloseSent;
    private Action<(TimerKind Kind, int Generation)>? _onTimer;
    private int _timerGeneration;
    private ICancelable? _timer;

    private bool _readPending;
    private bool _writing;
    private CloseReason? _closing;
    private bool _closeFrameSent;

    public WebSocketFlowLogic(WebSocketFlow stage, WebSocket socket)
        : base(stage.Shape)
    {
        _stage = stage;
        _socket = socket;
        _precompressed = stage.Deflater is null ? null : socket as IPrecompressedSocket;
        _onRead = GetAsyncCallback<ReadOutcome>(OnRead);
        SetHandler(stage.In, this);
        SetHandler(stage.Out, this);
    }

    private enum TimerKind
    {
        Write,
        Close,
    }

    public override void PreStart() => Pull(_stage.In);

    public override void PostStop()
    {
        _timer?.Cancel();

        // After a close frame went out (CloseSent) the socket is left to end with the request, so the
        // frame is flushed; aborting would drop it.
        if (_socket.State is not (WebSocketState.Closed or WebSocketState.Aborted or WebSocketState.CloseSent))
        {
            _socket.Abort();
        }
    }

    public override void OnPush() => Write(Grab(_stage.In));

    public override void OnUpstreamFinish() => BeginClose(CloseReasons.Normal, within: null);

    public override void OnUpstreamFailure(Exception e)
    {
        switch (e)
        {
            case SessionClosing closing:
                BeginClose(closing.Reason, closing.Within);
                break;
            case SessionAborted:
                AbortAndStop();
                break;
            default:
                Log.Error(e, "A session's outbound stream failed; closing its socket");
                BeginClose(CloseReasons.InternalError, within: null);
                break;
        }
    }

    public override void OnPull() => StartRead();

    public override void OnDownstreamFinish(Exception cause) => AbortAndStop();

    private void StartRead()
    {
        if (_readPending)
        {
            return;
        }

        _readPending = true;
        _ = InboundReader.ReadMessageAsync(_socket, _stage.Settings.MaxMessageSize, _onRead);
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
                BeginClose(rejected.Reason, within: null);
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

        // The client closed first: echo its code (as Pinghub does) once any write in progress is done;
        // what waits upstream is dropped there.
        StopTakingWrites();
        _closing ??= new CloseReason(status ?? WebSocketCloseStatus.Empty, string.Empty);
        if (!_writing)
        {
            SendCloseFrame();
        }
    }

    // Writes synchronously when the socket takes the data without waiting; only a write that has to wait
    // arms the write timer and continues through the async callback.
    private void Write(Payload payload)
    {
        ValueTask pending;
        try
        {
            pending = _precompressed is null
                ? _socket.SendAsync(payload.Bytes.AsMemory(), payload.IsText ? WebSocketMessageType.Text : WebSocketMessageType.Binary, true, CancellationToken.None)
                : WriteDeflating(payload);
        }
        catch (Exception e)
        {
            OnWritten(e);
            return;
        }

        if (pending.IsCompletedSuccessfully)
        {
            AfterWrite();
            return;
        }

        _writing = true;
        if (!pending.IsCompleted)
        {
            StartTimer(TimerKind.Write, _stage.Settings.WriteTimeout);
        }

        _ = AwaitWrite(pending, _onWritten ??= GetAsyncCallback<Exception?>(OnWritten));
    }

    // The frame compressed once for every socket; a message too small to gain goes plain (RSV1 clear), which
    // RFC 7692 allows per message.
    private ValueTask WriteDeflating(Payload payload) =>
        _stage.Deflater!.FrameOf(payload) is { } frame
            ? _precompressed!.SendFrameAsync(frame)
            : _socket.SendAsync(payload.Bytes.AsMemory(), payload.IsText ? WebSocketMessageType.Text : WebSocketMessageType.Binary, WebSocketMessageFlags.EndOfMessage | WebSocketMessageFlags.DisableCompression, CancellationToken.None);

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

        AfterWrite();
    }

    private void AfterWrite()
    {
        if (_closing is not null)
        {
            if (!_closeFrameSent)
            {
                SendCloseFrame();
            }
        }
        else if (!IsClosed(_stage.In))
        {
            Pull(_stage.In);
        }
    }

    private void BeginClose(CloseReason reason, TimeSpan? within)
    {
        if (_closing is not null)
        {
            return;
        }

        _closing = reason;
        StopTakingWrites();

        // Bounds the whole close, including a write still in progress to a peer that may not read.
        StartTimer(TimerKind.Close, within ?? _stage.Settings.CloseTimeout);
        if (!_writing)
        {
            SendCloseFrame();
        }
    }

    private void StopTakingWrites()
    {
        if (!IsClosed(_stage.In))
        {
            Cancel(_stage.In);
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
            StartTimer(TimerKind.Close, _stage.Settings.CloseTimeout);
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
        if (fired.Generation != _timerGeneration)
        {
            return; // cancelled or replaced just before it fired
        }

        // A write or the close handshake did not finish in time: the peer is not reading.
        Log.Debug("WebSocket {0} timed out; aborting", fired.Kind);
        AbortAndStop();
    }

    private void AbortAndStop()
    {
        _socket.Abort();
        CompleteStage();
    }
}
