using System.Buffers.Binary;
using System.Text;

namespace PingActors.Node.WebSockets;

/// <summary>
/// The upgraded connection's stream under .NET's WebSocket, with two jobs:
/// <list type="bullet">
/// <item>The close frames .NET's WebSocket sends on its own (1002 for a protocol error, 1007 for invalid
/// UTF-8) carry a reason like every other close the server decides. .NET writes them with an empty reason
/// and offers no hook; they are recognised here as a whole unmasked close frame with only a status code,
/// and rewritten with the documented reason.</item>
/// <item>When the WebSocket aborts itself (a missed pong) it disposes this stream, but disposing Kestrel's
/// upgraded stream neither fails a pending read nor ends the connection. So disposal aborts the HTTP
/// connection, after a short linger that lets a last close frame leave, unless the request has already
/// ended normally.</item>
/// </list>
/// </summary>
public sealed class CloseReasonStream(Stream inner, HttpContext context) : Stream
{
    /// <summary>How long a disposed connection stays open so a last close frame can still be sent.</summary>
    public static readonly TimeSpan AbortLinger = TimeSpan.FromMilliseconds(250);

    private volatile bool _requestEnded;
    private int _disposed;

    private static readonly byte[] ProtocolError = Frame(1002, Actors.Sessions.CloseReasons.ProtocolError.Text);
    private static readonly byte[] InvalidUtf8 = Frame(1007, Actors.Sessions.CloseReasons.InvalidUtf8.Text);

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(Rewrite(buffer), cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(Rewrite(buffer.AsMemory(offset, count)), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(Rewrite(buffer.AsMemory(offset, count)).Span);

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
