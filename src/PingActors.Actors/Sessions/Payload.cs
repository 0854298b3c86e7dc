namespace PingActors.Actors.Sessions;

/// <summary>
/// One WebSocket message: the bytes and whether it goes out as a text or a binary frame. The bytes are
/// never mutated after construction, so one instance is shared by every socket it goes to (the hub
/// produces a frame body once per node, not once per subscriber), and so is its compressed frame.
/// </summary>
public sealed class Payload
{
    public static readonly Payload EmptyText = new(true, Array.Empty<byte>());

    public Payload(bool isText, byte[] bytes)
    {
        IsText = isText;
        Bytes = bytes;
    }

    public bool IsText { get; }

    public byte[] Bytes { get; }

    public int Length => Bytes.Length;

    // The permessage-deflate frame, made by the first compressing socket to send this payload (an empty array:
    // not worth compressing). Both stay null for a payload no compressing socket is sent, so plain sockets pay
    // two references per message, not per socket.
    private byte[]? _deflatedFrame;
    private object? _deflateLock;

    /// <summary>The whole compressed frame of this message, made at most once however many sockets ask at once.</summary>
    internal byte[] DeflatedFrame(Streams.PayloadDeflater deflater) =>
        Volatile.Read(ref _deflatedFrame) ?? DeflateOnce(deflater);

    private byte[] DeflateOnce(Streams.PayloadDeflater deflater) =>
        LazyInitializer.EnsureInitialized(ref _deflatedFrame, ref _deflateLock, () => deflater.Compress(this));

    internal static Payload Text(string s) => new(true, System.Text.Encoding.UTF8.GetBytes(s));

    public override string ToString() => $"Payload({(IsText ? "text" : "binary")}, {Bytes.Length} bytes)";
}
