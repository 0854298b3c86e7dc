using System.Buffers;
using System.Net.WebSockets;
using System.Text.Unicode;
using PingActors.Actors.Hub;

namespace PingActors.Actors.Connections;

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

    public static async Task<ReadOutcome> ReadMessageAsync(WebSocket socket, int maxMessageSize)
    {
        byte[]? buffer = null;
        try
        {
            var first = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
            if (first.MessageType == WebSocketMessageType.Close)
            {
                return new ReadOutcome.PeerClosed(socket.CloseStatus);
            }

            var isText = first.MessageType == WebSocketMessageType.Text;
            var end = first.EndOfMessage;
            var count = 0;
            while (!end)
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
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return new ReadOutcome.PeerClosed(socket.CloseStatus);
                }

                count += result.Count;
                end = result.EndOfMessage;
                if (count > maxMessageSize)
                {
                    return new ReadOutcome.Rejected(CloseReasons.MessageTooBig);
                }
            }

            var bytes = count == 0 ? Array.Empty<byte>() : buffer.AsSpan(0, count).ToArray();
            if (isText && !Utf8.IsValid(bytes))
            {
                return new ReadOutcome.Rejected(CloseReasons.InvalidUtf8);
            }

            return new ReadOutcome.Message(bytes.Length == 0 && isText ? Payload.EmptyText : new Payload(isText, bytes));
        }
        catch (Exception e)
        {
            return new ReadOutcome.Failed(e);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
