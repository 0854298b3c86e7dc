using System.Buffers;
using System.Net.WebSockets;
using System.Text.Unicode;

namespace PingActors.Actors.Sessions.Streams;

/// <summary>What one read of a whole WebSocket message ended with.</summary>
internal abstract record ReadOutcome
{
    public sealed record Message(Payload Payload) : ReadOutcome;

    public sealed record PeerClosed(WebSocketCloseStatus? Status) : ReadOutcome;

    public sealed record Rejected(CloseReason Reason) : ReadOutcome;

    public sealed record Failed(Exception Error) : ReadOutcome;
}

/// <summary>
/// Reads one whole message from a socket. It first waits with a zero-byte read, so an idle connection
/// holds no buffer; only once a frame has arrived does it rent one from the shared pool.
/// </summary>
internal static class InboundReader
{
    private const int FirstBufferSize = 4096;

    /// <summary>Reads one message and hands the outcome to <paramref name="report"/>.</summary>
    /// <remarks>One method, so one async state machine per pending read: every idle socket has one.</remarks>
    public static async Task ReadMessageAsync(WebSocket socket, int maxMessageSize, Action<ReadOutcome> report)
    {
        ReadOutcome outcome;
        byte[]? buffer = null;
        try
        {
            var first = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
            var isText = first.MessageType == WebSocketMessageType.Text;
            var end = first.EndOfMessage;
            var count = 0;
            ReadOutcome? ended = first.MessageType == WebSocketMessageType.Close ? new ReadOutcome.PeerClosed(socket.CloseStatus) : null;
            while (ended is null && !end)
            {
                buffer ??= ArrayPool<byte>.Shared.Rent(Math.Min(FirstBufferSize, maxMessageSize + 1));
                if (count == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxMessageSize + 1));
                    buffer.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None).ConfigureAwait(false);
                count += result.Count;
                end = result.EndOfMessage;
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    ended = new ReadOutcome.PeerClosed(socket.CloseStatus);
                }
                else if (count > maxMessageSize)
                {
                    ended = new ReadOutcome.Rejected(CloseReasons.MessageTooBig);
                }
            }

            outcome = ended ?? ToMessage(isText, count == 0 ? [] : buffer.AsSpan(0, count).ToArray());
        }
        catch (Exception e)
        {
            outcome = new ReadOutcome.Failed(e);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        report(outcome);
    }

    private static ReadOutcome ToMessage(bool isText, byte[] bytes)
    {
        if (isText && !Utf8.IsValid(bytes))
        {
            return new ReadOutcome.Rejected(CloseReasons.InvalidUtf8);
        }

        return new ReadOutcome.Message(bytes.Length == 0 && isText ? Payload.EmptyText : new Payload(isText, bytes));
    }
}
