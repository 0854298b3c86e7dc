using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using PingActors.Actors.Sessions;

namespace PingActors.Node.WebSockets;

/// <summary>
/// The upgraded connection's stream under .NET's WebSocket, with three jobs:
/// <list type="bullet">
/// <item>A client frame whose header alone is enough to refuse it is refused at once, before any of its
/// payload is read (<see cref="ClientFrames"/>): an unmasked frame (.NET's WebSocket waits for a whole masked
/// header, 6 bytes or more, before it judges one, so a 2-byte unmasked frame waited for keepalive), and a
/// header announcing a message larger than any session accepts (.NET's WebSocket reads whatever length is
/// announced, and the flow can only count the bytes that come). The stream then fails the connection as
/// RFC 6455 7.1.7 has it: it sends the close frame itself (1002 or 1009, with the documented reason), in
/// turn with the WebSocket's own writes, writes nothing more, and fails the read.</item>
/// <item>The close frames .NET's WebSocket sends on its own (1002 for a protocol error, 1007 for invalid
/// UTF-8) carry a reason like every other close the server decides. .NET writes them with an empty reason
/// and offers no hook; they are recognised here as a whole unmasked close frame with only a status code,
/// and rewritten with the documented reason.</item>
/// <item>When the WebSocket aborts itself (a missed pong) it disposes this stream, but disposing Kestrel's
/// upgraded stream neither fails a pending read nor ends the connection. So disposal aborts the HTTP
/// connection, after a short linger that lets a last close frame leave, unless the request has already
/// ended normally.</item>
/// </list>
/// It also keeps one write at a time, so a permessage-deflate socket's precompressed frames
/// (<see cref="DeflateWebSocket"/>) and .NET's own frames go out whole and in turn.
/// </summary>
/// <param name="largestMessage">The session's <c>max-message-size</c>: a frame header announcing more is refused with 1009 before its payload.</param>
/// <param name="activity">Touched on each client ping (a client keeping an idle session alive), when the session keeps one.</param>
public sealed class CloseReasonStream(Stream inner, HttpContext context, long largestMessage, ActivityClock? activity = null) : Stream
{
    /// <summary>How long a disposed connection stays open so a last close frame can still be sent.</summary>
    public static readonly TimeSpan AbortLinger = TimeSpan.FromMilliseconds(250);

    // Sending the close frame of a refused frame waits at most this long, for a write of the WebSocket's
    // in progress and then for its own: a client that reads nothing cannot keep the connection this way.
    private static readonly TimeSpan FailBound = TimeSpan.FromSeconds(5);

    private static readonly byte[] ProtocolError = Frame(1002, CloseReasons.ProtocolError.Text);
    private static readonly byte[] InvalidUtf8 = Frame(1007, CloseReasons.InvalidUtf8.Text);
    private static readonly byte[] MessageTooBig = Frame(1009, CloseReasons.MessageTooBig.Text);

    private readonly Lock _writeLock = new();
    private ClientFrames _frames = new(largestMessage);
    private Task? _writeInFlight;
    private bool _failed;
    private volatile bool _requestEnded;
    private int _disposed;
    private int _pingsNoted;

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var reading = inner.ReadAsync(buffer, cancellationToken);

        // A zero-byte read (an idle socket's) consumes nothing; no state machine is kept for it.
        if (buffer.IsEmpty)
        {
            return reading;
        }

        if (!reading.IsCompletedSuccessfully)
        {
            return InspectWhenReadAsync(reading, buffer);
        }

        var read = reading.Result;
        return Inspect(buffer.Span[..read]) is { } refused ? FailAsync(refused) : new ValueTask<int>(read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Every byte read must pass the frame check and every write the write lock; .NET's WebSocket only reads
    // and writes asynchronously, and Kestrel refuses synchronous IO unless told otherwise.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The upgraded stream is read asynchronously.");

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_writeLock)
        {
            // After the close frame of a refused frame nothing may follow it (RFC 6455 5.5.1).
            if (_failed)
            {
                return ValueTask.CompletedTask;
            }

            // .NET's WebSocket writes one frame at a time; a socket given precompressed frames
            // (DeflateWebSocket) also writes beside it, so a write waits for the one before.
            if (_writeInFlight is { IsCompleted: false } before)
            {
                var queued = WriteAfterAsync(before, Rewrite(buffer), cancellationToken);
                _writeInFlight = queued;
                return new ValueTask(queued);
            }

            var writing = inner.WriteAsync(Rewrite(buffer), cancellationToken);
            if (writing.IsCompletedSuccessfully)
            {
                _writeInFlight = null;
                return writing;
            }

            // Only a write that has to wait is remembered, for a refusal's close frame to go after it.
            var pending = writing.AsTask();
            _writeInFlight = pending;
            return new ValueTask(pending);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The upgraded stream is written asynchronously.");

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override ValueTask DisposeAsync()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>The request handler is returning: the connection ends normally, nothing to abort.</summary>
    public void RequestEnded() => _requestEnded = true;

    internal static ReadOnlyMemory<byte> Rewrite(ReadOnlyMemory<byte> buffer)
    {
        // FIN + close opcode, unmasked, payload of exactly the 2-byte status code.
        var span = buffer.Span;
        if (span.Length != 4 || span[0] != 0x88 || span[1] != 0x02)
        {
            return buffer;
        }

        return BinaryPrimitives.ReadUInt16BigEndian(span[2..]) switch
        {
            1002 => ProtocolError,
            1007 => InvalidUtf8,
            _ => buffer,
        };
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            inner.Dispose();
            _ = AbortAfterLingerAsync();
        }

        base.Dispose(disposing);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> InspectWhenReadAsync(ValueTask<int> reading, Memory<byte> buffer)
    {
        var read = await reading.ConfigureAwait(false);
        return Inspect(buffer.Span[..read]) is { } refused ? await FailAsync(refused).ConfigureAwait(false) : read;
    }

    private CloseReason? Inspect(ReadOnlySpan<byte> read)
    {
        var refused = _frames.Inspect(read);
        if (activity is not null && _frames.Pings != _pingsNoted)
        {
            _pingsNoted = _frames.Pings;
            activity.Touch();
        }

        return refused;
    }

    private async Task WriteAfterAsync(Task before, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await before.ConfigureAwait(false);
        }
        catch
        {
            // That write's own caller saw it fail; this one is tried and fails on its own.
        }

        // A refused client frame's close frame may have gone out meanwhile: nothing may follow it.
        if (!Volatile.Read(ref _failed))
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends the close frame for a refused client frame, after any write in progress, then fails the read.</summary>
    private async ValueTask<int> FailAsync(CloseReason reason)
    {
        Task? inFlight;
        lock (_writeLock)
        {
            _failed = true;
            inFlight = _writeInFlight;
        }

        Exception? notSent = null;
        try
        {
            using var bound = new CancellationTokenSource(FailBound);
            if (inFlight is not null)
            {
                await inFlight.WaitAsync(bound.Token).ConfigureAwait(false);
            }

            var frame = reason.Code == WebSocketCloseStatus.MessageTooBig ? MessageTooBig : ProtocolError;
            await inner.WriteAsync(frame, bound.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The connection failed or the client reads nothing: it is failed all the same, without the frame.
            notSent = e;
        }

        // A WebSocketException is passed on as it is by .NET's WebSocket, which then aborts itself; the
        // flow sees the read fail and the reason reaches its debug log.
        throw new WebSocketException(
            WebSocketError.Faulted,
            $"Client frame refused by its header: closed with {reason}{(notSent is null ? string.Empty : " (close frame not sent)")}",
            notSent);
    }

    private async Task AbortAfterLingerAsync()
    {
        await Task.Delay(AbortLinger).ConfigureAwait(false);
        if (!_requestEnded)
        {
            context.Abort();
        }
    }

    private static byte[] Frame(ushort code, string reason)
    {
        var text = Encoding.UTF8.GetBytes(reason);
        var frame = new byte[4 + text.Length];
        frame[0] = 0x88;
        frame[1] = (byte)(2 + text.Length);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), code);
        text.CopyTo(frame, 4);
        return frame;
    }
}
