using System.IO.Compression;

namespace PingActors.Bench;

/// <summary>
/// The permessage-deflate receiving side of the tool's subscribers (<c>--deflate</c>): each compressed message
/// inflated on its own (the tool accepts only server_no_context_takeover), the 00 00 ff ff tail appended as
/// RFC 7692 7.2.2 says. Shared by every socket of the run: the node sends the same compressed frame to every
/// subscriber, so an inflated message is kept for the sockets that get the same bytes after the first (byte
/// for byte compared, in a small table of recent messages). That keeps the tool's CPU, which shares the
/// machine with the node, at one inflate per message instead of one per delivery; a real client inflates on
/// its own machine, which is not the node's cost being measured.
/// </summary>
internal sealed class Inflater
{
    private const int Slots = 256;

    private readonly Entry?[] _recent = new Entry?[Slots];
    private long _inflated;
    private long _reused;
    private long _compressedBytes;
    private long _plainBytes;

    /// <summary>Messages inflated (at least once per distinct compressed message).</summary>
    public long Inflated => Interlocked.Read(ref _inflated);

    /// <summary>Deliveries served from a message inflated for another socket.</summary>
    public long Reused => Interlocked.Read(ref _reused);

    /// <summary>Compressed payload bytes received, and what they inflated to (every delivery counted).</summary>
    public (long Compressed, long Plain) Bytes => (Interlocked.Read(ref _compressedBytes), Interlocked.Read(ref _plainBytes));

    public byte[] Inflate(ReadOnlySpan<byte> compressed)
    {
        var hash = new HashCode();
        hash.AddBytes(compressed);
        var slot = (int)((uint)hash.ToHashCode() % Slots);
        byte[] plain;
        if (Volatile.Read(ref _recent[slot]) is { } entry && compressed.SequenceEqual(entry.Compressed))
        {
            Interlocked.Increment(ref _reused);
            plain = entry.Plain;
        }
        else
        {
            plain = InflateOnce(compressed);
            Volatile.Write(ref _recent[slot], new Entry(compressed.ToArray(), plain));
            Interlocked.Increment(ref _inflated);
        }

        Interlocked.Add(ref _compressedBytes, compressed.Length);
        Interlocked.Add(ref _plainBytes, plain.Length);
        return plain;
    }

    private static byte[] InflateOnce(ReadOnlySpan<byte> compressed)
    {
        var input = new byte[compressed.Length + 4];
        compressed.CopyTo(input);
        input[^3] = 0x00;
        input[^2] = 0xFF;
        input[^1] = 0xFF;
        using var source = new MemoryStream(input);
        using var inflate = new DeflateStream(source, CompressionMode.Decompress);
        using var output = new MemoryStream(compressed.Length * 4);
        inflate.CopyTo(output);
        return output.ToArray();
    }

    private sealed record Entry(byte[] Compressed, byte[] Plain);
}
