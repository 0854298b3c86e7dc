namespace PingActors.Actors.Bridge.Framing;

/// <summary>
/// Cuts after each occurrence of a separator, which stays in the record (websocksy's <c>separator</c> and
/// <c>newline</c>). The whole pending buffer is searched, not just the latest read, so a separator split
/// across reads is found (websocksy misses it and merges two records).
/// </summary>
internal sealed class SeparatorCutter(byte[] separator, bool textIfUtf8, string awaiting) : RecordCutter
{
    // Bytes before this offset cannot start a separator: no need to search them again after the next read.
    private int _searched;

    public override string Awaiting => awaiting;

    public override Cut Next(ReadOnlySpan<byte> pending)
    {
        var found = pending[_searched..].IndexOf(separator);
        if (found < 0)
        {
            _searched = Math.Max(0, pending.Length - separator.Length + 1);
            return Cut.None;
        }

        var end = _searched + found + separator.Length;
        _searched = 0;
        return Record(pending[..end]);
    }

    /// <summary>The peer's last bytes without a separator still go out, typed like a record: nothing the peer sent is lost at close.</summary>
    public override Cut AtEnd(ReadOnlySpan<byte> pending) => Record(pending);

    private Cut Record(ReadOnlySpan<byte> record) => textIfUtf8 ? Cut.TextIfUtf8(record) : Cut.Binary(record.Length);
}
