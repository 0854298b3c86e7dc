using System.Buffers.Binary;
using System.IO.Compression;
using Prometheus;

namespace PingActors.Actors.Sessions.Streams;

/// <summary>
/// Turns a <see cref="Payload"/> into the whole permessage-deflate frame (RFC 7692) every compressing socket
/// is sent: with no server context takeover each message is compressed on its own, so the frame is the same
/// bytes for every socket, and a message published to many is compressed once per node
/// (<see cref="Payload.DeflatedFrame"/> keeps it).
/// </summary>
public sealed class PayloadDeflater(DeflateSettings settings, Counter.Child compressions)
{
    // RFC 7692 7.2.1: a sender removes the 4 octets 00 00 ff ff that a sync flush ends with.
    private static ReadOnlySpan<byte> SyncFlushTail => [0x00, 0x00, 0xFF, 0xFF];

    /// <summary>The frame for <paramref name="payload"/>, or null where it goes out plain: below <c>min-size</c>.</summary>
    public byte[]? FrameOf(Payload payload)
    {
        if (payload.Length < settings.MinSize)
        {
            return null;
        }

        var frame = payload.DeflatedFrame(this);
        return frame.Length == 0 ? null : frame;
    }

    /// <summary>Compresses <paramref name="payload"/> into its frame; an empty array when deflate does not make it smaller.</summary>
    internal byte[] Compress(Payload payload)
    {
        compressions.Inc();
        using var output = new MemoryStream(payload.Length / 2 + 64);
        using (var deflate = new DeflateStream(output, new ZLibCompressionOptions { CompressionLevel = settings.Level }, leaveOpen: true))
        {
            deflate.Write(payload.Bytes);

            // A sync flush, not the end of a stream: the receiver appends the same 4 octets before inflating.
            deflate.Flush();
            var flushed = output.GetBuffer().AsSpan(0, (int)output.Length);
            if (!flushed.EndsWith(SyncFlushTail))
            {
                throw new InvalidOperationException("deflate's sync flush did not end with 00 00 ff ff");
            }

            var body = flushed[..^SyncFlushTail.Length];
            return body.Length < payload.Length ? Frame(payload.IsText, body) : [];
        }
    }

    private static byte[] Frame(bool isText, ReadOnlySpan<byte> body)
    {
        // FIN, RSV1 (compressed), and the opcode; a server's frames are not masked.
        var first = (byte)(0x80 | 0x40 | (isText ? 0x1 : 0x2));
        var header = body.Length < 126 ? 2 : body.Length <= ushort.MaxValue ? 4 : 10;
        var frame = new byte[header + body.Length];
        frame[0] = first;
        switch (header)
        {
            case 2:
                frame[1] = (byte)body.Length;
                break;
            case 4:
                frame[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)body.Length);
                break;
            default:
                frame[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)body.Length);
                break;
        }

        body.CopyTo(frame.AsSpan(header));
        return frame;
    }
}
