namespace PingActors.Actors.Bridge.Framing;

/// <summary>Where the next record ends: its length from the start of the pending bytes (0 = none yet) and its frame type.</summary>
internal readonly record struct Cut(int Length, bool IsText)
{
    public static readonly Cut None = default;

    public static Cut Binary(int length) => new(length, false);

    /// <summary>Text when the record is valid UTF-8, else binary: what websocksy's newline and auto framings choose.</summary>
    public static Cut TextIfUtf8(ReadOnlySpan<byte> record) => new(record.Length, System.Text.Unicode.Utf8.IsValid(record));
}

/// <summary>
/// One connection's state for a framing that holds bytes back, driven by <see cref="RecordStage"/>. The stage
/// shows it the pending bytes (everything not yet cut) again after each read, so a cutter remembers how far
/// it has looked instead of searching from the start each time (a record arriving in many reads stays linear).
/// </summary>
internal abstract class RecordCutter
{
    /// <summary>What a size-limit error says was missing, e.g. "a separator".</summary>
    public abstract string Awaiting { get; }

    /// <summary>The next record at the start of <paramref name="pending"/>, or <see cref="Cut.None"/> to wait for more bytes. Throw a <see cref="FramingException"/> to fail at once.</summary>
    public abstract Cut Next(ReadOnlySpan<byte> pending);

    /// <summary>The peer's stream ended with these bytes still pending (none of them a whole record): what to send of them, or <see cref="Cut.None"/> to drop them.</summary>
    public virtual Cut AtEnd(ReadOnlySpan<byte> pending) => Cut.None;
}
