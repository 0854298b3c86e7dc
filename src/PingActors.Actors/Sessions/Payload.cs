namespace PingActors.Actors.Sessions;

/// <summary>
/// One WebSocket message: the bytes and whether it goes out as a text or a binary frame. The bytes are
/// never mutated after construction, so one instance is shared by every socket it goes to (the hub
/// produces a frame body once per node, not once per subscriber).
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

    internal static Payload Text(string s) => new(true, System.Text.Encoding.UTF8.GetBytes(s));

    public override string ToString() => $"Payload({(IsText ? "text" : "binary")}, {Bytes.Length} bytes)";
}
